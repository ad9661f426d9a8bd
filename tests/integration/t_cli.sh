#!/usr/bin/env bash
# SPDX-License-Identifier: BSD-2-Clause
# backends: sqlite postgresql
# t_cli.sh - tfa-admin end to end: enrol, confirm and verify with oathtool
# (TOTP SHA1/256/512, 6 and 8 digits, other periods, HOTP), replay,
# malformed codes, reset, enable/disable/default, policy, lockout and
# unlock, list/show, audit (and that it holds no secret or code), JSON
# output, usage errors, terminal confirmation (expect).
# File problems (exit 4), init modes and the QR codes: t_cli_files.sh.
#
# Malformed codes (empty, short, long, not digits) are rejected with exit 1,
# like a wrong code: a login rejects them the same way.
. "$(dirname "$0")/lib.sh"
. "$(dirname "$0")/cli_lib.sh"

cli_require_tools || tap_done
cli_new_store main

# ---------------------------------------------------------------- usage
run 2 "no command: usage error" "$ADMIN"
check "usage line on stderr" grep -q '^usage: tfa-admin' <<<"$err"
run 0 "--help" "$ADMIN" --help
check "--help lists the commands" grep -q 'policy set KEY VALUE' <<<"$out"
run 2 "unknown command: exit 2" adm frobnicate
run 2 "verify without CODE: exit 2" adm verify alice
run 2 "unknown option: exit 2" adm list --bogus
run 2 "enroll --type sms without --phone: exit 2" adm enroll alice --type sms
check "... says --phone is needed" grep -q 'needs --phone' <<<"$err"
run 2 "enroll --phone without --type sms: exit 2" adm enroll alice --phone 5551234
run 2 "enroll --type ocra --digits 8: exit 2 (digits come from the suite)" \
	adm enroll alice --type ocra --digits 8
run 2 "token with no subcommand: exit 2" adm token
run 2 "token frob: exit 2" adm token frob
run 2 "token import without a file option: exit 2" adm token import
run 2 "enroll --digits 7: exit 2" adm enroll alice --digits 7
run 2 "enroll --algorithm MD5: exit 2" adm enroll alice --algorithm MD5
run 2 "enroll --period 0: exit 2" adm enroll alice --period 0
run 2 "enroll --type foo: exit 2" adm enroll alice --type foo
run 2 "enroll --type hotp --period 60: exit 2" adm enroll alice --type hotp --period 60
run 2 "invalid user name with a control character: exit 2" adm show $'bad\001name'
check "invalid user name is escaped in the message" grep -qF 'bad\x01name' <<<"$err"
check "no raw control character in the message" bash -c '! grep -q $'"'"'\001'"'"' <<<"$1"' _ "$err"
run 3 "user name starting with - is a name (no token): exit 3" adm verify -- -alice 123456
run 2 "user name with a control character: exit 2" adm verify $'ali\tce' 123456
run 2 "user name of 129 characters: exit 2" adm show "$(printf 'a%.0s' {1..129})"
run 0 "user name of 128 characters is fine" adm show "$(printf 'a%.0s' {1..128})"

# ---------------------------------------------------------------- enrol TOTP
run 0 "enroll --json alice" adm --json enroll alice
check_json "enroll --json prints a JSON object" "$out"
check "enroll --json prints exactly one line" test "$(printf '%s\n' "$out" | wc -l)" -eq 1
check "enroll --json: user alice" test "$(json_get .user <<<"$out")" = alice
check "enroll --json: type totp" test "$(json_get .type <<<"$out")" = totp
check "enroll --json: state pending" test "$(json_get .state <<<"$out")" = pending
check "enroll --json: digits 6, period 30" test "$(json_get .digits <<<"$out")/$(json_get .period <<<"$out")" = 6/30
uri=$(json_get .uri <<<"$out")
check "enroll --json: otpauth://totp/ URI for alice" grep -qE '^otpauth://totp/[^?]*:alice\?secret=[A-Z2-7]+.*issuer=' <<<"$uri"
check "enroll prints nothing on stderr" test -z "$err"
sec=$(secret_of "$uri")
SECRETS+=("$sec")
run 3 "verify before confirm: no active token, exit 3" adm verify alice "$(totp "$sec" 0)"

wait_step
c0=$(totp "$sec" 0)
run 0 "confirm alice with the current oathtool code" adm confirm alice "$c0"
run 3 "confirm again: no pending token, exit 3" adm confirm alice "$c0"
run 1 "verify with the code confirm used: exit 1 (replay)" adm verify alice "$c0"
c1=$(totp "$sec" 1)
run 0 "verify with the next code: exit 0" adm verify alice "$c1"
run 1 "same code again: exit 1" adm verify alice "$c1"
run 1 "replayed code with --json: exit 1" adm --json verify alice "$c1"
check_json "verify --json prints a JSON object" "$out"
check "verify --json: result replayed" test "$(json_get .result <<<"$out")" = replayed

# malformed codes count as wrong codes (exit 1); a right code clears them
run 0 "enroll --activate mal (no confirmation)" adm enroll mal --activate --no-qr
check "enroll --activate says active" grep -q '^active:' <<<"$out"
msec=$(secret_of "$out")
SECRETS+=("$msec")
for bad in "" 123 1234567 -12a45; do
	run 1 "malformed code '$bad': exit 1" adm verify mal -- "$bad"
done
run 0 "show mal --json after 4 malformed codes" adm --json show mal
check "malformed codes count as failures" test "$(json_get .failures <<<"$out")" = 4
wait_step
mc=$(totp "$msec" 0)
run 0 "code with a space between groups, read from stdin: exit 0" adm verify mal - <<<"${mc:0:3} ${mc:3:3}"
run 0 "show mal --json after success" adm --json show mal
check "failures cleared after success" test "$(json_get .failures <<<"$out")" = 0

# options after the positional argument, global options after the command
run 0 "enroll USER then options (hotp, --no-qr)" adm enroll hank --no-qr --type hotp
check "hotp enrolment printed" grep -q 'new hotp token' <<<"$out"
check "pending line printed without a terminal" grep -qF 'pending: run "tfa-admin confirm hank CODE"' <<<"$out"
check "--no-qr prints no QR" bash -c '! grep -q "█" <<<"$1"' _ "$out"
run 0 "list --json (global option after the command)" adm list --json
check_json "list --json prints a JSON object" "$out"

# ---------------------------------------------------------------- HOTP
run 0 "enroll --type hotp --json" adm --json enroll hotty --type hotp
check "hotp JSON: counter 0" test "$(json_get .counter <<<"$out")" = 0
huri=$(json_get .uri <<<"$out")
check "hotp URI has counter" grep -qE '^otpauth://hotp/.*counter=0' <<<"$huri"
hsec=$(secret_of "$huri")
SECRETS+=("$hsec")
hotp() { oathtool --hotp -b -c "$2" "$1"; }
run 0 "hotp confirm with counter 0" adm confirm hotty "$(hotp "$hsec" 0)"
run 0 "hotp verify counter 1" adm verify hotty "$(hotp "$hsec" 1)"
run 1 "hotp counter 1 again: exit 1" adm verify hotty "$(hotp "$hsec" 1)"
run 0 "hotp counter 5 (within look-ahead)" adm verify hotty "$(hotp "$hsec" 5)"
run 1 "hotp counter 3 (older than used): exit 1" adm verify hotty "$(hotp "$hsec" 3)"
run 1 "hotp counter 40 (beyond look-ahead): exit 1" adm verify hotty "$(hotp "$hsec" 40)"
run 0 "hotp counter 6" adm verify hotty "$(hotp "$hsec" 6)"
USED+=("$(hotp "$hsec" 0)" "$(hotp "$hsec" 1)" "$(hotp "$hsec" 5)" "$(hotp "$hsec" 6)")

# ---------------------------------------------------------------- digits, algorithms, period
for alg in SHA256 sha512; do
	ualg=$(tr a-z A-Z <<<"$alg")
	u=d8$(tr A-Z a-z <<<"$alg")
	run 0 "enroll --digits 8 --algorithm $alg --activate" adm --json enroll "$u" --digits 8 --algorithm "$alg" --activate
	check "$alg: JSON algorithm $ualg, digits 8, state active" \
		test "$(json_get .algorithm <<<"$out")/$(json_get .digits <<<"$out")/$(json_get .state <<<"$out")" = "$ualg/8/active"
	auri=$(json_get .uri <<<"$out")
	check "$alg: URI has algorithm=$ualg and digits=8" bash -c 'grep -q "algorithm=$2" <<<"$1" && grep -q "digits=8" <<<"$1"' _ "$auri" "$ualg"
	asec=$(secret_of "$auri")
	SECRETS+=("$asec")
	wait_step
	ac=$(oathtool --totp="$(tr A-Z a-z <<<"$alg")" -d 8 -b "$asec")
	USED+=("$ac")
	run 1 "$alg: a 6-digit code is rejected" adm verify "$u" "${ac:0:6}"
	run 0 "$alg: oathtool --totp=$alg -d 8 code accepted" adm verify "$u" "$ac"
done
run 0 "enroll --period 60 --activate" adm --json enroll p60 --period 60 --activate
puri=$(json_get .uri <<<"$out")
check "period 60 in URI and JSON" bash -c 'grep -q "period=60" <<<"$1" && [ "$2" = 60 ]' _ "$puri" "$(json_get .period <<<"$out")"
psec=$(secret_of "$puri")
SECRETS+=("$psec")
pc=$(oathtool --totp -s 60 -b "$psec")
USED+=("$pc")
run 0 "period 60: oathtool -s 60 code accepted" adm verify p60 "$pc"

# ---------------------------------------------------------------- reset
run 0 "enroll --activate rita" adm enroll rita --activate --no-qr
rsec=$(secret_of "$out")
SECRETS+=("$rsec")
wait_step
rc0=$(totp "$rsec" 0)
USED+=("$rc0")
run 0 "rita verifies before reset" adm verify rita "$rc0"
run 0 "reset rita" adm reset rita
check "reset says 1 token revoked" grep -q 'revoked 1 token' <<<"$out"
run 3 "old phone's next code after reset: exit 3 (no token)" adm verify rita "$(totp "$rsec" 1)"
run 3 "reset again: nothing to revoke, exit 3" adm reset rita
run 0 "enroll rita again" adm enroll rita --no-qr
run 0 "reset --json rita (pending token)" adm --json reset rita
check "reset --json: revoked 1" test "$(json_get .revoked <<<"$out")" = 1
run 0 "show rita after reset" adm show rita
check "show rita: no tokens" grep -q 'no tokens' <<<"$out"
check "show rita: state none" grep -qE '^state: +none' <<<"$out"
run 3 "reset of a user the store does not know: exit 3" adm reset nobody

# ---------------------------------------------------------------- policy
run 2 "policy set unknown key: exit 2" adm policy set no_such_key 1
check "policy set unknown key: message names the key" grep -q no_such_key <<<"$err"
run 2 "policy set window abc: exit 2" adm policy set window abc
run 2 "policy set enabled maybe: exit 2" adm policy set enabled maybe
run 2 "policy set max_failures -1: exit 2" adm policy set max_failures -1
run 2 "policy without subcommand: exit 2" adm policy
run 0 "policy set window 2" adm policy set window 2
run 0 "policy show" adm policy show
check "policy show displays window 2" grep -qE '^window +2$' <<<"$out"
check "policy show lists every key" bash -c 'for k in enabled default_required required_groups enroll_at_login window hotp_lookahead max_failures lockout_seconds sms_command sms_digits sms_ttl issuer; do grep -qE "^$k " <<<"$1" || exit 1; done' _ "$out"
run 0 "policy set enabled on (normalised)" adm policy set enabled on
check "policy set prints the canonical value" grep -qE '^enabled = yes$' <<<"$out"
run 0 "policy show --json" adm --json policy show
check_json "policy show --json prints a JSON object" "$out"
check "policy show --json: enabled yes, window 2" test "$(json_get .policy.enabled <<<"$out")/$(json_get .policy.window <<<"$out")" = yes/2

# ---------------------------------------------------------------- enable / disable / default
run 0 "enable ed" adm enable ed
run 0 "show ed" adm show ed
check "show ed: required by the per-user setting" grep -qE '^2FA required: yes \(per-user setting' <<<"$out"
run 0 "disable ed" adm disable ed
run 0 "show ed --json" adm --json show ed
check "show ed --json: not required, setting off" test "$(json_get .required <<<"$out")/$(json_get .setting <<<"$out")" = false/off
run 0 "default ed" adm default ed
run 0 "show ed" adm show ed
check "show ed: not required, by default_required" grep -qE '^2FA required: no \(default' <<<"$out"
run 0 "policy set default_required yes" adm policy set default_required yes
run 0 "show ed" adm show ed
check "show ed: required by default_required" grep -qE '^2FA required: yes \(default' <<<"$out"
if rootgrp=$(id -gn root 2>/dev/null) && [ -n "$rootgrp" ]; then
	run 0 "policy set default_required no" adm policy set default_required no
	run 0 "policy set required_groups $rootgrp" adm policy set required_groups "$rootgrp"
	run 0 "show root" adm show root
	check "show root: required as member of group $rootgrp" grep -qE "^2FA required: yes \(.*group.*$rootgrp" <<<"$out"
	run 0 "disable root beats the group" adm disable root
	check "disable prints the effective rule" grep -q 'required: no' <<<"$out"
	adm policy set required_groups "" >/dev/null
else
	skip "required_groups rule" "no root group"
fi
run 0 "show a user the store does not know: exit 0" adm show nosuch
check "show nosuch: no tokens, not in the store" bash -c 'grep -q "no tokens" <<<"$1" && grep -q "not in the store" <<<"$1"' _ "$out"
run 0 "policy set enabled no" adm policy set enabled no
run 0 "show ed while enabled=no" adm show ed
check "show ed: off for everyone" grep -qE '^2FA required: no \(.*enabled=no' <<<"$out"

# ---------------------------------------------------------------- lockout
run 0 "policy set max_failures 3" adm policy set max_failures 3
run 0 "enroll --activate lou" adm enroll lou --activate --no-qr
lsec=$(secret_of "$out")
SECRETS+=("$lsec")
wait_step
lc=$(totp "$lsec" 0)
lbad=${lc:0:5}$(( (${lc:5:1} + 5) % 10 ))
run 1 "lou wrong code 1: exit 1" adm verify lou "$lbad"
run 1 "lou wrong code 2: exit 1" adm verify lou "$lbad"
run 1 "lou wrong code 3: exit 1" adm verify lou "$lbad"
check "third failure says locked out" grep -q 'locked out until' <<<"$err"
run 5 "lou right code while locked: exit 5" adm verify lou "$lc"
run 5 "verify --json while locked: exit 5" adm --json verify lou "$lc"
check "verify --json: result locked" test "$(json_get .result <<<"$out")" = locked
run 0 "list shows the lockout" adm list
check "list: lou active, locked until a time" grep -qE '^lou +(yes|no) +active +totp +- +- +[0-9]+ +[0-9]{4}-[0-9]{2}-[0-9]{2}T' <<<"$out"
run 0 "unlock lou" adm unlock lou
run 0 "lou right code after unlock: exit 0" adm verify lou "$lc"
USED+=("$lc")
run 3 "unlock a user the store does not know: exit 3" adm unlock nobody

# ---------------------------------------------------------------- list / show
run 0 "list" adm list
check "list has a header" grep -qE '^USER +2FA +STATE +TYPE +SERIAL +LAST USE +FAILURES +LOCKED UNTIL +RULE$' <<<"$out"
check "list: alice active totp" grep -qE '^alice +(yes|no) +active +totp ' <<<"$out"
check "list: hank pending hotp" grep -qE '^hank +(yes|no) +pending +hotp ' <<<"$out"
check "list: columns aligned" bash -c 'h=$(head -1 <<<"$1"); p=${h%%STATE*}; while IFS= read -r l; do [ "${l:${#p}-2:2}" = "  " ] || exit 1; done <<<"$1"' _ "$out"
run 0 "list --json" adm --json list
check "list --json: a users array with alice" test "$(json_get .users.0.user <<<"$out")" = alice
run 0 "show alice" adm show alice
check "show alice: token line with totp active SHA1" grep -qE '^ +[0-9]+ +totp +active +SHA1 +6 +period 30 s' <<<"$out"
run 0 "show hotty --json" adm --json show hotty
check "show --json: token counter and type" test "$(json_get .tokens.0.type <<<"$out")/$(json_get .tokens.0.state <<<"$out")" = hotp/active

# ---------------------------------------------------------------- audit
USED+=("$c0" "$c1" "$mc")
run 0 "audit" adm audit
aud=$out
for ev in init enroll confirm login_ok login_failed replay_refused reset lockout locked_refused unlock required policy; do
	check "audit lists $ev" grep -qE "^[0-9-]+T[0-9:]+Z +[^ ]+ +$ev( |$)" <<<"$aud"
done
run 0 "audit --json" adm --json audit
check_json "audit --json prints a JSON object" "$out"
audj=$out
run 0 "audit --user rita" adm audit --user rita
check "audit --user shows only rita" bash -c 'tail -n +2 <<<"$1" | grep -vqE "^[^ ]+ +rita " && exit 1; tail -n +2 <<<"$1" | grep -q reset' _ "$out"
run 0 "audit --since 2099-01-01: nothing" adm audit --since 2099-01-01
check "audit --since in the future: header only" test "$(printf '%s\n' "$out" | wc -l)" -eq 1
run 0 "audit --since 1h" adm audit --since 1h
check "audit --since 1h: has events" test "$(printf '%s\n' "$out" | wc -l)" -gt 5
run 0 "audit --since '2000-01-01 00:00:00'" adm audit --since "2000-01-01 00:00:00"
run 0 "audit --since unix seconds" adm audit --since "$(( $(date +%s) - 3600 ))"
run 2 "audit --since garbage: exit 2" adm audit --since yesterdayish
run 2 "audit --since 2024-02-30: exit 2" adm audit --since 2024-02-30
leak=
for s in "${SECRETS[@]}"; do
	grep -qF "$s" <<<"$aud$audj" && leak="$leak secret"
done
for c in "${USED[@]}"; do
	grep -qw -- "$c" <<<"$aud$audj" && leak="$leak code:$c"
done
check "audit holds no secret and no code used" test -z "$leak"
if have sqlite3; then
	# blobs as hex text: sqlite3 .dump (X'..'), pg_dump (\\x..)
	case $ST in
	postgres*://*) dump=$(pg_dump -d "$ST") ;;
	*) dump=$(sqlite3 "$ST" .dump 2>/dev/null) ;;
	esac
	leak=
	for s in "${SECRETS[@]}"; do
		hex=$(oathtool -v --totp -b "$s" | sed -n 's/^Hex secret: //p')
		grep -qiF "$s" <<<"$dump" && leak="$leak b32"
		[ -n "$hex" ] && grep -qiF "$hex" <<<"$dump" && leak="$leak hex"
	done
	check "store holds no secret in clear (base32 or hex)" test -z "$leak"
else
	skip "store holds no secret in clear" "no sqlite3"
fi

# ---------------------------------------------------------------- terminal confirmation
if have expect; then
	cat >"$TD/enroll.exp" <<'EOF'
set timeout 20
spawn {*}$argv
expect -re {secret=([A-Z2-7]+)} { set sec $expect_out(1,string) }
expect "Enter the code from your app: "
send "000000\r"
expect "Enter the code from your app: "
set code [exec oathtool --totp -b $sec]
send "$code\r"
expect {
	"active:" { }
	timeout { exit 20 }
}
expect eof
lassign [wait] pid spawnid oserr status
exit $status
EOF
	wait_step
	run 0 "enroll on a terminal: wrong code, then right code activates" expect -f "$TD/enroll.exp" "$ADMIN" --store "$ST" --keyfile "$KF" enroll tina --no-qr
	run 0 "show tina --json" adm --json show tina
	check "tina's token is active after terminal confirmation" test "$(json_get .state <<<"$out")" = active
	cat >"$TD/enroll3.exp" <<'EOF'
set timeout 20
spawn {*}$argv
foreach i {1 2 3} {
	expect "Enter the code from your app: "
	send "abc\r"
}
expect {
	"pending: run" { }
	timeout { exit 20 }
}
expect eof
lassign [wait] pid spawnid oserr status
exit $status
EOF
	run 1 "enroll on a terminal: three wrong codes leave it pending, exit 1" expect -f "$TD/enroll3.exp" "$ADMIN" --store "$ST" --keyfile "$KF" enroll tom --no-qr
	run 0 "show tom --json" adm --json show tom
	check "tom's token is still pending" test "$(json_get .state <<<"$out")" = pending
else
	skip "enroll on a terminal" "no expect"
fi

tap_done
