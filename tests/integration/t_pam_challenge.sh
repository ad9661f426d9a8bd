#!/usr/bin/env bash
# SPDX-License-Identifier: BSD-2-Clause
# backends: sqlite postgresql
# pam_twofactor.so and challenges (pam_twofactor(8), CHALLENGES): a code
# sent to the phone through sms_command (argv = the phone only, message on
# stdin, no code in argv or environment), accepted once, not after sms_ttl,
# replaced by a newer one; a failed delivery is logged and audited with the
# exit status and falls back to an OCRA question that an independent OCRA
# implementation (tests/tools/ocra.py) answers; an ocra-only user is asked
# directly. Codes from an app still work at the same prompt.
. "$(dirname "$0")/pam_lib.sh"
pam_prereqs python3
pam_setup
OCRA=$TFA_SRCDIR/tests/tools/ocra.py
tfa policy set enabled yes >/dev/null
tfa policy set default_required yes >/dev/null

# The site's delivery script: records what it got, exits with the status
# in $T/sms.status (0 if missing).
mkdir -p "$T/sms"
cat >"$T/send-sms" <<SCRIPT
#!/bin/sh
n=\$(ls "$T/sms" | grep -c 'argv\$')
f="$T/sms/\$n"
printf 'argc=%s\n' "\$#" >"\$f.argv"
for a in "\$@"; do printf 'arg=%s\n' "\$a" >>"\$f.argv"; done
env >"\$f.env"
cat >"\$f.tmp"
mv "\$f.tmp" "\$f.msg"
cp "\$f.msg" "$T/sms.last.tmp" && mv "$T/sms.last.tmp" "$T/sms.last"
[ -f "$T/sms.status" ] && exit \$(cat "$T/sms.status")
exit 0
SCRIPT
chmod 755 "$T/send-sms"
tfa policy set sms_command "$T/send-sms" >/dev/null
check "policy show: sms_rate 5/600 by default" bash -c \
	"'$TFA_ADMIN' --store '$STORE' --keyfile '$KEYFILE' policy show | grep -Eq '^sms_rate +5/600\$'"
# the sections before the rate limit's own send more than 5 codes to a user
tfa policy set sms_rate 1000/600 >/dev/null
check "policy show hides nothing but shows sms_command is set" bash -c \
	"'$TFA_ADMIN' --store '$STORE' --keyfile '$KEYFILE' policy show | grep -q sms_command"

codes=()
# the code in the last message (the message must hold exactly one)
LASTCODE='[ -s '"$T"'/sms.last ] && sed -n "s/.*code: \([0-9]*\).*/\1/p" '"$T"'/sms.last'
new_sms() { rm -f "$T/sms.last"; }

# --- sms ---------------------------------------------------------------------
out=$(tfa --json enroll sam --type sms --phone +15550001234)
check "enroll --type sms is active at once" grep -q '"state":"active"' <<<"$out"
check "enroll --type sms --json has uri null and the phone" grep -q '"uri":null.*"phone":"+15550001234"' <<<"$out"
new_sms
pam_login sam "$LASTCODE" -w
is_result "sms: the code that was sent is accepted" SUCCESS
c=$(sed -n 's/.*code: \([0-9]*\).*/\1/p' "$T/sms.last"); codes+=("$c")
check "the code has sms_digits (6) digits" grep -Eq '^[0-9]{6}$' <<<"$c"
check "PAM told the user where the code went" grep -q 'sent to your phone ending in 1234' "$PAM_OUT"
check "the command got exactly one argument, the phone" bash -c \
	"[ \"\$(cat '$T/sms/0.argv')\" = \"\$(printf 'argc=1\narg=+15550001234')\" ]"
check "the code is not in the command's environment" bash -c "! grep -q '$c' '$T/sms/0.env'"
check "the command's environment is only PATH (plus what sh adds)" bash -c \
	"! grep -Ev '^(PATH|PWD|SHLVL|_)=' '$T/sms/0.env' | grep -q ."
check "audit: sms_sent" bash -c "'$TFA_ADMIN' --store '$STORE' --keyfile '$KEYFILE' audit --user sam | grep -q 'sms_sent.*pam:tfa.*ending 1234'"
pam_login sam "$c"
is_result "the same code at the next login is refused" AUTH_ERR
check "that login sent a new code" test -f "$T/sms/1.msg"
new_sms
pam_login sam "$LASTCODE" -w -f PAM_SILENT
is_result "with PAM_SILENT the code still arrives and works" SUCCESS
codes+=("$(sed -n 's/.*code: \([0-9]*\).*/\1/p' "$T/sms.last")")

# a newer challenge replaces the older one (tfa-admin challenge = the same call)
tfa challenge sam >/dev/null; c1=$(bash -c "$LASTCODE")
tfa challenge sam >/dev/null; c2=$(bash -c "$LASTCODE")
codes+=("$c1" "$c2")
if [ "$c1" = "$c2" ]; then c1=$(wrong_code "$c2"); fi
check "tfa-admin verify: the older code is refused once a new one was sent" \
	bash -c "! '$TFA_ADMIN' --store '$STORE' --keyfile '$KEYFILE' verify sam '$c1'"
check "tfa-admin verify: the newer code is accepted" tfa verify sam "$c2"
# expiry (sms_ttl 300 s by default)
tfa challenge sam >/dev/null; c3=$(bash -c "$LASTCODE"); codes+=("$c3")
faketime_cmd "+301s"
check "a code is refused after sms_ttl (faketime +301 s)" bash -c \
	"! $(printf '%q ' "${FT_CMD[@]}") '$TFA_ADMIN' --store '$STORE' --keyfile '$KEYFILE' verify sam '$c3'"
check "... and not accepted afterwards either (expired codes are dropped)" bash -c \
	"! '$TFA_ADMIN' --store '$STORE' --keyfile '$KEYFILE' verify sam '$c3'"
tfa unlock sam >/dev/null

# an app token next to the sms token: its code works at the same prompt
s=$(enroll_user sam)
fresh_step
c=$(totp "$s"); codes+=("$c")
pam_login sam "$c"
is_result "sms user with an app: the app code is accepted too" SUCCESS
tfa reset sam >/dev/null

# --- delivery fails: OCRA fallback ----------------------------------------------
tfa --json enroll olive --type sms --phone +15550009876 >/dev/null
oc=$(tfa --json enroll olive --type ocra --activate --no-qr)
key=$(python3 -c 'import sys,base64,urllib.parse as u
q=u.parse_qs(u.urlparse(sys.argv[1]).query)["secret"][0]
print(base64.b32decode(q + "=" * (-len(q) % 8)).hex())' "$(sed -n 's/.*"uri":"\([^"]*\)".*/\1/p' <<<"$oc")")
suite=$(sed -n 's/.*"suite":"\([^"]*\)".*/\1/p' <<<"$oc")
check "enroll --type ocra: default suite OCRA-1:HOTP-SHA1-6:QN08" test "$suite" = "OCRA-1:HOTP-SHA1-6:QN08"
ANSWER="q=\$(sed -n 's/.*Challenge \([0-9]*\), response:.*/\1/p' \"\$PAM_OUT\" | head -n 1);"
ANSWER+=" [ -n \"\$q\" ] && python3 '$OCRA' --suite '$suite' --key-hex '$key' --question \"\$q\""
echo 3 >"$T/sms.status"
pam_login olive "$ANSWER" -w
is_result "delivery failed (exit 3): the OCRA response is accepted" SUCCESS
check "the user was told the phone cannot be reached" grep -q 'phone cannot be reached' "$PAM_OUT"
log_has "the failed delivery is logged with the command and its status" 'could not be sent.*send-sms.*3'
check "audit: sms_failed status=3" bash -c "'$TFA_ADMIN' --store '$STORE' --keyfile '$KEYFILE' audit --user olive | grep -q 'sms_failed.*status=3'"
check "audit: ocra_challenge" bash -c "'$TFA_ADMIN' --store '$STORE' --keyfile '$KEYFILE' audit --user olive | grep -q 'ocra_challenge'"
q1=$(sed -n 's/.*Challenge \([0-9]*\), response:.*/\1/p' "$PAM_OUT" | head -n 1)
r1=$(python3 "$OCRA" --suite "$suite" --key-hex "$key" --question "$q1"); codes+=("$r1")
check "the question is 8 digits (QN08)" grep -Eq '^[0-9]{8}$' <<<"$q1"
pam_login olive "$r1"
is_result "the old response to the old question is refused" AUTH_ERR
pam_login olive "000000"
is_result "a wrong response is refused" AUTH_ERR
rm -f "$T/sms.status"
tfa policy set sms_command "" >/dev/null
sent=$(ls "$T/sms"/*.msg | wc -l)
pam_login olive "$ANSWER" -w
is_result "sms_command not set: OCRA fallback works" SUCCESS
check "no message was sent without sms_command" test "$(ls "$T/sms"/*.msg | wc -l)" -eq "$sent"
tfa policy set sms_command "$T/send-sms" >/dev/null

# --- ocra only ------------------------------------------------------------------
oc=$(tfa --json enroll otto --type ocra --suite OCRA-1:HOTP-SHA256-8:QN08-T1M --activate --no-qr)
key=$(python3 -c 'import sys,base64,urllib.parse as u
q=u.parse_qs(u.urlparse(sys.argv[1]).query)["secret"][0]
print(base64.b32decode(q + "=" * (-len(q) % 8)).hex())' "$(sed -n 's/.*"uri":"\([^"]*\)".*/\1/p' <<<"$oc")")
suite=OCRA-1:HOTP-SHA256-8:QN08-T1M
ANSWER="q=\$(sed -n 's/.*Challenge \([0-9]*\), response:.*/\1/p' \"\$PAM_OUT\" | head -n 1);"
ANSWER+=" [ -n \"\$q\" ] && python3 '$OCRA' --suite '$suite' --key-hex '$key' --question \"\$q\" --time \$(date +%s)"
n_before=$(ls "$T/sms"/*.msg | wc -l)
pam_login otto "$ANSWER" -w
is_result "ocra-only user (SHA256, 8 digits, time-based suite) answers the question" SUCCESS
check "no sms for a user without an sms token" test "$(ls "$T/sms"/*.msg | wc -l)" -eq "$n_before"
check "enroll refuses a suite with a PIN (P) input" bash -c \
	"'$TFA_ADMIN' --store '$STORE' --keyfile '$KEYFILE' enroll x --type ocra --suite OCRA-1:HOTP-SHA1-6:QN08-PSHA1 --activate --no-qr; test \$? -eq 2"
check "enroll refuses a malformed suite" bash -c \
	"'$TFA_ADMIN' --store '$STORE' --keyfile '$KEYFILE' enroll x --type ocra --suite OCRA-2:HOTP-SHA1-6:QN08 --activate --no-qr; test \$? -eq 2"
check "enroll --type sms without --phone is a usage error" bash -c \
	"'$TFA_ADMIN' --store '$STORE' --keyfile '$KEYFILE' enroll x --type sms; test \$? -eq 2"
check "enroll --type sms with a bad number is a usage error" bash -c \
	"'$TFA_ADMIN' --store '$STORE' --keyfile '$KEYFILE' enroll x --type sms --phone '123; rm'; test \$? -eq 2"

# --- a pending ocra token is confirmed at login by answering a question --------
# (first-login enrolment needs a user the system knows: daemon)
if getent passwd daemon >/dev/null; then
	oc=$(tfa --json enroll daemon --type ocra --no-qr </dev/null)
	check "enroll --type ocra without a terminal: pending, with a question" \
		grep -q '"state":"pending".*"challenge":"[0-9]\{8\}"' <<<"$oc"
	key=$(python3 -c 'import sys,base64,urllib.parse as u
q=u.parse_qs(u.urlparse(sys.argv[1]).query)["secret"][0]
print(base64.b32decode(q + "=" * (-len(q) % 8)).hex())' "$(sed -n 's/.*"uri":"\([^"]*\)".*/\1/p' <<<"$oc")")
	ANSWER="q=\$(sed -n 's/.*Challenge \([0-9]*\), response:.*/\1/p' \"\$PAM_OUT\" | tail -n 1);"
	ANSWER+=" [ -n \"\$q\" ] && python3 '$OCRA' --suite OCRA-1:HOTP-SHA1-6:QN08 --key-hex '$key' --question \"\$q\""
	pam_login daemon "$ANSWER" -w
	is_result "a pending ocra token is confirmed at login with the response" SUCCESS
	check "no new app secret was shown instead" bash -c "! grep -aq 'otpauth://' '$PAM_OUT'"
	check "the ocra token is active now" bash -c \
		"'$TFA_ADMIN' --store '$STORE' --keyfile '$KEYFILE' show daemon | grep -q 'ocra  active'"
	# tfa-admin challenge gives a pending ocra token a new question (the
	# one enroll printed may have expired)
	tfa --json enroll bin --type ocra --no-qr </dev/null >/dev/null
	q=$(tfa --json challenge bin | sed -n 's/.*"challenge":"\([0-9]*\)".*/\1/p')
	check "challenge USER: a new question for a pending ocra token" grep -Eq '^[0-9]{8}$' <<<"$q"
else
	skip "pending ocra token confirmed at login" "no system user daemon"
fi

# --- a locked user is sent nothing ------------------------------------------------
tfa policy set max_failures 1 >/dev/null
n_before=$(ls "$T/sms"/*.msg | wc -l)
tfa --json enroll lou --type sms --phone +15550004321 >/dev/null
pam_login lou "000000"
pam_login lou "000000"
is_result "locked user: refused" MAXTRIES
check "no code was sent to the locked user" test "$(ls "$T/sms"/*.msg | wc -l)" -eq "$((n_before + 1))"
tfa policy set max_failures 10 >/dev/null

# --- sms_rate: deliveries per user, abandoned challenges count ---------------
tfa policy set sms_rate 3/600 >/dev/null
check "policy set sms_rate refuses a bad value (exit 2)" bash -c \
	"'$TFA_ADMIN' --store '$STORE' --keyfile '$KEYFILE' policy set sms_rate 5; test \$? -eq 2"
tfa --json enroll rita --type sms --phone +15550002222 >/dev/null
s=$(enroll_user rita)
n0=$(ls "$T/sms"/*.msg | wc -l)
for i in 1 2 3; do pam_run -n rita ""; done
is_result "abandoned challenge (no answer): refused" AUTH_ERR
check "three abandoned logins sent three codes" test "$(ls "$T/sms"/*.msg | wc -l)" -eq $((n0 + 3))
last=$(sed -n 's/.*code: \([0-9]*\).*/\1/p' "$T/sms.last"); codes+=("$last")
pam_login rita "$last"
is_result "sms_rate reached: nothing sent, the last code sent still works" SUCCESS
check "sms_rate reached: no fourth code was sent" test "$(ls "$T/sms"/*.msg | wc -l)" -eq $((n0 + 3))
check "the user is told to wait" grep -aqE 'Too many codes were sent; try again in (9|10) minutes\.' "$PAM_OUT"
check "... and what to enter instead (plain prompt)" grep -aq 'Verification code: ' "$PAM_OUT"
log_has "sms_rate logged" 'user "rita": sms_rate 3/600 reached'
check "audit: sms_rate_limited" bash -c \
	"'$TFA_ADMIN' --store '$STORE' --keyfile '$KEYFILE' audit --user rita | grep -q 'sms_rate_limited.*pam:tfa'"
check "abandoned challenges and the limit counted no failure" bash -c \
	"'$TFA_ADMIN' --store '$STORE' --keyfile '$KEYFILE' show rita | grep -q '^failures: *0'"
fresh_step
c=$(totp "$s"); codes+=("$c")
pam_login rita "$c"
is_result "sms_rate reached: an app code is accepted at the plain prompt" SUCCESS
# tfa-admin challenge counts and is limited too; with an ocra token the
# question follows
oc=$(tfa --json enroll rosa --type ocra --activate --no-qr)
tfa --json enroll rosa --type sms --phone +15550003333 >/dev/null
key=$(python3 -c 'import sys,base64,urllib.parse as u
q=u.parse_qs(u.urlparse(sys.argv[1]).query)["secret"][0]
print(base64.b32decode(q + "=" * (-len(q) % 8)).hex())' "$(sed -n 's/.*"uri":"\([^"]*\)".*/\1/p' <<<"$oc")")
for i in 1 2 3; do tfa challenge rosa >/dev/null; done
n1=$(ls "$T/sms"/*.msg | wc -l)
out=$(tfa --json challenge rosa 2>"$T/ch.err")
check "tfa-admin challenge at the limit: nothing sent" test "$(ls "$T/sms"/*.msg | wc -l)" -eq "$n1"
check "tfa-admin challenge at the limit: JSON rate_limited, the OCRA question instead" \
	bash -c "grep -q '\"kind\":\"ocra\"' <<<'$out' && grep -q '\"rate_limited\":true' <<<'$out'"
check "tfa-admin challenge at the limit: a warning on stderr" grep -q 'too many codes' "$T/ch.err"
ANSWER="q=\$(sed -n 's/.*Challenge \([0-9]*\), response:.*/\1/p' \"\$PAM_OUT\" | head -n 1);"
ANSWER+=" [ -n \"\$q\" ] && python3 '$OCRA' --suite OCRA-1:HOTP-SHA1-6:QN08 --key-hex '$key' --question \"\$q\""
pam_login rosa "$ANSWER" -w
is_result "sms_rate reached: the OCRA fallback is accepted" SUCCESS
check "sms_rate reached: told to wait, then the challenge" grep -aq 'Too many codes were sent' "$PAM_OUT"
check "sms_rate reached: still nothing sent" test "$(ls "$T/sms"/*.msg | wc -l)" -eq "$n1"
# after the window, codes are sent again
new_sms
faketime_cmd "+601s"
check "after the window a code is sent again (faketime +601 s)" bash -c \
	"$(printf '%q ' "${FT_CMD[@]}") '$TFA_ADMIN' --store '$STORE' --keyfile '$KEYFILE' challenge rita | grep -q '^sms: code sent'"
tfa policy set sms_rate 1000/600 >/dev/null

# --- nothing leaks -----------------------------------------------------------------
leak=""
for c in "${codes[@]}"; do
	[ -n "$c" ] || continue
	if grep -awF -- "$c" "$LOG" >/dev/null; then leak+=" log:$c"; fi
	if tfa audit | grep -awF -- "$c" >/dev/null; then leak+=" audit:$c"; fi
	if store_has "$STORE" "$c"; then leak+=" store:$c"; fi
done
if [ -z "$leak" ]; then ok "no code in syslog, audit trail or store (${#codes[@]} codes)"
else not_ok "no code in syslog, audit trail or store" "found:$leak"; fi
check "every one of the $PAM_RUNS logins logged an outcome line" test "$PAM_UNLOGGED" -eq 0

tap_done
