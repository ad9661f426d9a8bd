#!/usr/bin/env bash
# SPDX-License-Identifier: BSD-2-Clause
# t_rel_hostile.sh - hostile user names and codes (docs/RELIABILITY.md: bad
# input never causes a crash, never PAM_USER_UNKNOWN) through
# pam_twofactor.so and tfa-admin:
#  - names with control characters (LF, CR, ESC [31m, DEL, TAB), UTF-8 and
#    C1 bytes, 10,000 characters, path-like names, SQL and format strings,
#    and near-copies of an enrolled user ("Alice", "alice ", "alice.",
#    "alice\t", "alice\n"); through pamtester, and through a small PAM
#    application (pam_hostile.c, built here) for what pamtester cannot pass:
#    a 10,000-byte answer, a name with a NUL, a name asked through the
#    conversation, an empty name;
#  - codes of 10,000 digits, with bad spacing, Unicode digits, format strings;
#  - tfa-admin verify/show/enable/reset/audit with such names (the real
#    binary: names with control characters or over 128 bytes are refused,
#    exit 2; other odd names are names - tfa-admin(8), USER NAMES - that the
#    system does not know: enable refuses them, exit 3, verify finds no
#    token, exit 3), enroll --issuer with control characters, policy values
#    far out of range.
# Asserted: every process exits normally (no signal; in asan mode
# run-suite.sh adds any sanitizer report from TFA_SANDIR as a failure); PAM
# never returns SUCCESS nor USER_UNKNOWN/IGNORE for them (PAM_AUTH_ERR); the
# enrolled alice's right code logs in nobody but alice and is not used up;
# no module log line and no tfa-admin message holds a raw control character
# or a non-ASCII byte (they are escaped \xHH); refused names create no user
# row; at the end the `users` table is still there and integrity_check says ok.
. "$(dirname "$0")/pam_lib.sh"

pam_prereqs
pam_setup
tfa policy set enabled yes >/dev/null
tfa policy set default_required yes >/dev/null
tfa policy set max_failures 1000 >/dev/null   # wrong codes must not lock alice out here
# no_enroll: a valid but unknown name ("Alice") is required, has no token
# and may not enrol -> PAM_AUTH_ERR (not an enrolment conversation)
pam_service tfa no_enroll

LONG=$(printf 'a%.0s' {1..10000})
DIGITS10K=$(printf '7%.0s' {1..10000})

# the escaped form tfa_escape gives (printable ASCII but \ and " as is;
# everything else \xHH), to find the whole name on one log line
esc() {
	local LC_ALL=C s=$1 i ch out=""
	for ((i = 0; i < ${#s}; i++)); do
		ch=${s:i:1}
		case $ch in
		[[:print:]]) if [ "$ch" = '\' ] || [ "$ch" = '"' ]; then out+=$(printf '\\x%02x' "'$ch"); else out+=$ch; fi ;;
		*) out+=$(printf '\\x%02x' "'$ch") ;;
		esac
	done
	printf '%s' "$out"
}
# raw_bad TEXT: 0 if TEXT holds a control character other than LF, or DEL,
# or a byte >= 0x80 (C1 controls come as UTF-8 too)
raw_bad() { LC_ALL=C grep -qaP '[\x00-\x09\x0b-\x1f\x7f-\xff]' <<<"$1"; }

fails=()   # descriptions of failed sub-checks, one summary line per group

# --- enrolled alice; her current code, kept unused to the end ----------------
s_alice=$(enroll_user alice) || { echo "Bail out! enrol alice"; exit 1; }
T0=$(date +%s)
c_alice=$(oathtool --totp -b -N "@$T0" "$s_alice")
T0_SPEC="@$(date -u -d "@$T0" '+%Y-%m-%d %H:%M:%S')"
users_before=$(tfa list | awk 'NR > 1 {print $1}' | sort)

# --- PAM: hostile names, each with alice's right code ----------------------
NAMES=(
	$'alice\n' $'alice\r' $'alice\e[31mred\e[0m' $'alice\x7f' $'alice\t' $'\e]0;title\a'
	$'ali\xc3\xa7e' $'alice\xc2\x9b31m' $'\xff\xfe' $'al\nINJECTED user "root": second factor accepted'
	'alice ' ' alice' '../../etc/passwd' '/root' 'a/b' '.' '..'
	"'; DROP TABLE users; --" "alice' OR '1'='1" '%s%n%x%p' '%n' 'alice%00' '*' "$LONG"
)
# valid names that only look like alice: other users, not alice
NEAR=(Alice ALICE alice. alice.. alice- alice@ 'alice$')

n_pam=0
pam_hostile_check() { # DESC-PREFIX NAME WANT-ESCAPED-IN-LOG(0/1)
	local what=$1 u=$2 want_esc=$3 e
	n_pam=$((n_pam + 1))
	if [ "$PAM_RESULT" != AUTH_ERR ]; then
		fails+=("$what $(esc "${u:0:40}"): $PAM_RESULT, wanted AUTH_ERR")
	fi
	if grep -aqE 'Segmentation|Aborted|core dumped|AddressSanitizer' "$PAM_OUT"; then
		fails+=("$what $(esc "${u:0:40}"): crash in transcript")
	fi
	if raw_bad "$PAM_SYSLOG"; then
		fails+=("$what $(esc "${u:0:40}"): raw control/non-ASCII byte in log: $(esc "$PAM_SYSLOG")")
	fi
	if [ "$want_esc" = 1 ]; then
		e=$(esc "${u:0:100}")
		if ! grep -qF -- "user \"$e" <<<"$PAM_SYSLOG"; then
			fails+=("$what $(esc "${u:0:40}"): escaped name not on one log line: $(esc "$PAM_SYSLOG")")
		fi
	fi
}

for u in "${NAMES[@]}"; do
	pam_login "$u" "$c_alice"
	pam_hostile_check "pamtester name" "$u" 1
done
for u in "${NEAR[@]}"; do
	pam_login "$u" "$c_alice"
	pam_hostile_check "pamtester near-name" "$u" 1
done
if [ ${#fails[@]} -eq 0 ]; then
	ok "pamtester: $n_pam hostile/near names with alice's code: all PAM_AUTH_ERR, logged escaped, no crash"
else
	not_ok "pamtester: hostile/near names with alice's code" "${fails[@]}"
fi
check "the injected fake log line is not a line of its own" \
	bash -c '! grep -aq "^INJECTED" "$1"' _ "$LOG"

diag "${SECONDS}s"
# --- PAM: hostile codes for alice (malformed: refused, never accepted) -------
fails=()
n_pam=0
fw=""   # alice's code in fullwidth digits U+FF10..
for ((i = 0; i < 6; i++)); do fw+=$(printf '%b' "\\xef\\xbc\\x$(printf %x $((0x90 + ${c_alice:i:1})))"); done
CODES=("$DIGITS10K" "$c_alice$DIGITS10K" "$DIGITS10K$c_alice" " $c_alice" "$c_alice " "${c_alice:0:3}  ${c_alice:3}"
	"${c_alice:0:3}"$'\t'"${c_alice:3}" "$fw" "%n%n%n%s$c_alice" "$c_alice%n" $'\e[31m'"$c_alice"
	"$c_alice"$'\r' "-$c_alice" "+$c_alice" "0x$c_alice" "${c_alice}0" "'; DROP TABLE users; --")
for c in "${CODES[@]}"; do
	pam_login alice "$c"
	pam_hostile_check "code" "$c" 0
	if printf '%s\n' "$PAM_SYSLOG" | grep -aqF -- "${c_alice}"; then
		fails+=("code $(esc "${c:0:30}"): the code shows up in the log")
	fi
done
if [ ${#fails[@]} -eq 0 ]; then
	ok "pamtester: $n_pam malformed codes for alice (10,000 digits, spacing, fullwidth, %n, ESC): all PAM_AUTH_ERR"
else
	not_ok "pamtester: malformed codes for alice" "${fails[@]}"
fi

diag "${SECONDS}s"
# --- PAM through pam_hostile (full-length answers, NUL, names by conversation)
CC=${CC:-cc}
hostile_built=0
if have "$CC" && "$CC" -std=gnu11 -Wall -Wextra -Werror -o "$T/pam_hostile" \
	-I "$(dirname "$0")/../tools" "$(dirname "$0")/pam_hostile.c" -lpam 2>"$T/cc.log"; then
	hostile_built=1
fi
hrun() { # USERBYTES CODEBYTES [prompt]: sets PAM_RESULT PAM_OUT PAM_SYSLOG
	printf '%s' "$1" >"$T/h.user"
	printf '%s' "$2" >"$T/h.code"
	PAM_OUT=$T/h.out
	local pre=()
	# shellcheck disable=SC2206
	[ -n "${TFA_PAM_WRAP:-}" ] && pre=($TFA_PAM_WRAP)
	pam_env "${pre[@]}" "$T/pam_hostile" tfa "$T/h.user" "$T/h.code" ${3:+"$3"} >"$PAM_OUT" 2>&1
	H_RC=$?
	case $(grep -a '^RESULT ' "$PAM_OUT" | awk '{print $2}') in
	0) PAM_RESULT=SUCCESS ;; 7) PAM_RESULT=AUTH_ERR ;; 10) PAM_RESULT=IGNORE ;;
	*) PAM_RESULT="OTHER($(grep -a '^RESULT ' "$PAM_OUT"), exit $H_RC)" ;;
	esac
	PAM_SYSLOG=$(grep -a 'SYSLOG(' "$PAM_OUT" | grep -v '_pam_init_handlers' | sed 's/.*SYSLOG([0-9]*): //')
	printf '%s\n' "$PAM_SYSLOG" >>"$LOG"
}
if [ "$hostile_built" = 1 ]; then
	fails=()
	n_pam=0
	hrun alice "$DIGITS10K";              pam_hostile_check "helper code" "$DIGITS10K" 0
	hrun alice "$c_alice$DIGITS10K";      pam_hostile_check "helper code" "c+10k" 0
	hrun "$LONG" "$c_alice";              pam_hostile_check "helper name" "$LONG" 1
	hrun "" "$c_alice";                   pam_hostile_check "helper empty name" "" 0
	# printf %b makes the NUL: the name reaches PAM as "Alice" only
	printf 'Alice\0alice' >"$T/h.user"; printf '%s' "$c_alice" >"$T/h.code"
	pam_env "$T/pam_hostile" tfa "$T/h.user" "$T/h.code" >"$T/h.out" 2>&1
	case $(grep -a '^RESULT ' "$T/h.out" | awk '{print $2}') in
	7) ;; *) fails+=("name \"Alice\\0alice\": $(grep -a '^RESULT' "$T/h.out"), wanted AUTH_ERR") ;;
	esac
	for u in $'alice\n' $'\e[31malice' $'alice\x7f' "$LONG" 'Alice' '../../etc/passwd'; do
		hrun "$u" "$c_alice" prompt
		pam_hostile_check "helper name by conversation" "$u" 1
	done
	if [ ${#fails[@]} -eq 0 ]; then
		ok "pam_hostile: 10,000-byte answers, 10,000-byte/empty/NUL names, names by conversation ($((n_pam + 1)) runs): all PAM_AUTH_ERR"
	else
		not_ok "pam_hostile: full-length answers and odd names" "${fails[@]}"
	fi
else
	skip "pam_hostile: full-length answers and odd names" "cannot build pam_hostile.c: $(head -c 200 "$T/cc.log" 2>/dev/null)"
fi

diag "${SECONDS}s"
# --- alice's code was used up by nobody, and alice is not locked out --------
pam_login alice "$c_alice" -t "$T0_SPEC"
is_result "alice logs in with the very code all those names were given" SUCCESS
pam_login Alice "$c_alice" -t "$T0_SPEC"
is_result "and that code still does not log in Alice" AUTH_ERR

check "every module run left one outcome line (unlogged runs: $PAM_UNLOGGED of $PAM_RUNS)" \
	test "$PAM_UNLOGGED" -eq 0
check "no module log line of the whole run holds a raw control or non-ASCII byte" \
	bash -c '! LC_ALL=C grep -qaP "[\x00-\x09\x0b-\x1f\x7f-\xff]" "$1"' _ "$LOG"

diag "${SECONDS}s"
# --- tfa-admin with hostile names ------------------------------------------
fails=()
n_cli=0
# rtfa: the real tfa-admin (tfa is the test wrapper that knows every name)
rtfa() { "$TFA_ADMIN_BIN" --store "$STORE" --keyfile "$KEYFILE" "$@"; }
# valid_name NAME: 0 if tfa_user_valid would take NAME (1..128 bytes, no
# control character)
valid_name() { local LC_ALL=C; [ ${#1} -ge 1 ] && [ ${#1} -le 128 ] && [[ ! $1 =~ [[:cntrl:]] ]]; }
ADM=tfa
adm_try() { # WANT-RC-REGEX ARGS...: one tfa-admin ($ADM) run
	local want=$1; shift
	local errf=$T/adm.err
	n_cli=$((n_cli + 1))
	"$ADM" "$@" >"$T/adm.out" 2>"$errf" </dev/null
	local rc=$?
	local err
	err=$(cat "$errf")
	if [ "$rc" -ge 128 ] || [ "$rc" = 86 ] || ! [[ $rc =~ ^($want)$ ]]; then
		fails+=("tfa-admin $(esc "${*:1:4}" | head -c 80): exit $rc, wanted $want; stderr: $(esc "${err:0:200}")")
	fi
	# one line of message (a usage error may add the usage line)
	if raw_bad "$err" || [ "$(printf '%s' "$err" | grep -vc '^usage: ')" -gt 1 ]; then
		fails+=("tfa-admin $(esc "${*:1:4}" | head -c 80): raw byte or line break in stderr: $(esc "${err:0:200}")")
	fi
	if raw_bad "$(cat "$T/adm.out")"; then
		fails+=("tfa-admin $(esc "${*:1:4}" | head -c 80): raw byte in stdout")
	fi
}
ADM=rtfa
for u in "${NAMES[@]}"; do
	if valid_name "$u"; then want=3; else want=2; fi
	adm_try $want verify "$u" "$c_alice"
	adm_try $want enable "$u"
done
for u in $'alice\n' $'alice\e[31mred\e[0m' "$LONG"; do
	adm_try 2 show "$u"
	adm_try 2 reset "$u"
	adm_try 2 disable "$u"
	adm_try 2 default "$u"
	adm_try 2 unlock "$u"
	adm_try 2 recovery "$u"
	adm_try 2 --json verify "$u" "$c_alice"
	adm_try 2 audit --user "$u"
	adm_try 2 confirm "$u" "$c_alice"
	adm_try 2 enroll "$u" --no-qr
done
for u in "${NEAR[@]}"; do
	adm_try 3 verify "$u" "$c_alice"          # a valid name with no token: 3
	adm_try 3 reset "$u"
	adm_try 3 enable "$u"                     # not a user of this system: 3
done
ADM=tfa
if [ ${#fails[@]} -eq 0 ]; then
	ok "tfa-admin: $n_cli runs with hostile names: exit 2 (invalid) or 3 (no token, unknown user), one escaped line on stderr"
else
	not_ok "tfa-admin: hostile names" "${fails[@]}"
fi
users_after=$(tfa list | awk 'NR > 1 {print $1}' | sort)
if [ "$users_before" = "$users_after" ]; then
	ok "no user row created by any refused name (tfa list: ${users_after//$'\n'/ })"
else
	not_ok "no user row created by refused names" "before: $users_before" "after: $(esc "$users_after")"
fi

diag "${SECONDS}s"
# --- tfa-admin: --issuer and policy values ---------------------------------
fails=()
n_cli=0
for iss in $'Evil\e[31mCorp' $'Evil\nCorp' $'Evil\rCorp' $'Evil\x7f' "$LONG" '%s%n%s%n'; do
	adm_try '0|2' --json enroll bob --no-qr --issuer "$iss"
	adm_try '0|2' enroll bob --no-qr --issuer "$iss"
done
adm_try 0 --json enroll bob --no-qr --issuer "'; DROP TABLE users; --"
for kv in "window 99999999999999999999999" "window -1" "window 1e3" "window 0x10" "max_failures 4294967297" \
	"lockout_seconds 18446744073709551617" "sms_ttl $DIGITS10K" "hotp_lookahead -0" \
	"sms_digits 9999999999" "enabled ${LONG}" "window 1${LONG}"; do
	# shellcheck disable=SC2086
	adm_try 2 policy set $kv
done
adm_try 2 policy set issuer "$LONG"
adm_try 2 policy set issuer $'Evil\e[31m'
adm_try 2 policy set sms_command "$LONG"
adm_try 2 policy set required_groups "$LONG"
adm_try 2 policy set required_groups "wheel'; DROP TABLE users; --"
adm_try 2 policy set "$LONG" 1
adm_try 2 policy set $'win\edow' 1
adm_try 0 policy show
if [ ${#fails[@]} -eq 0 ]; then
	ok "tfa-admin: $n_cli runs of enroll --issuer (control chars, 10,000 chars, SQL) and out-of-range policy values: refused or stored, escaped"
else
	not_ok "tfa-admin: --issuer and policy values" "${fails[@]}"
fi
check "policy unchanged by the refused values (window 1, max_failures 1000)" \
	bash -c 'p=$("$@" policy show); grep -qE "^window +1$" <<<"$p" && grep -qE "^max_failures +1000$" <<<"$p"' \
	_ "$TFA_ADMIN" --store "$STORE" --keyfile "$KEYFILE"
# a step after T0's (used above): T0 + 30 s while that is within the window
now=$(date +%s)
c=$(oathtool --totp -b "$s_alice" -N "@$((now > T0 + 30 ? now : T0 + 30))")
if tfa verify alice "$c" >"$T/v.out" 2>&1; then ok "tfa-admin verify alice still works after all that"
else not_ok "tfa-admin verify alice still works after all that" "$(cat "$T/v.out")"; fi

diag "${SECONDS}s"
# --- the store ---------------------------------------------------------------
if have sqlite3; then
	check "the users table is still there and holds alice" \
		test "$(sqlite3 "$STORE" "SELECT count(*) FROM users WHERE name = 'alice'" 2>&1)" = 1
	check "sqlite integrity_check: ok" test "$(sqlite3 "$STORE" 'PRAGMA integrity_check' 2>&1)" = ok
else
	check "the users table is still there and holds alice (python3)" test "$(python3 -c '
import sqlite3, sys
print(sqlite3.connect(sys.argv[1]).execute("SELECT count(*) FROM users WHERE name = ?", ("alice",)).fetchone()[0])' "$STORE")" = 1
	check "sqlite integrity_check: ok (python3)" test "$(python3 -c '
import sqlite3, sys
print(sqlite3.connect(sys.argv[1]).execute("PRAGMA integrity_check").fetchone()[0])' "$STORE")" = ok
fi
check "no raw control or non-ASCII byte in tfa-admin audit output" \
	bash -c '! "$@" audit | LC_ALL=C grep -qaP "[\x00-\x09\x0b-\x1f\x7f-\xff]"' \
	_ "$TFA_ADMIN" --store "$STORE" --keyfile "$KEYFILE"

diag "${SECONDS}s"
tap_done
