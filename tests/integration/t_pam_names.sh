#!/usr/bin/env bash
# SPDX-License-Identifier: BSD-2-Clause
# backends: sqlite postgresql
# t_pam_names.sh - user and group names at login (pam_twofactor(8), USER
# NAMES and RETURN VALUES; issue 11 items 1 and 4), through pamtester +
# pam_wrapper with libnss_wrapper (our own passwd and group files) and
# tests/tools/nss_shim.so in front of it (a case-insensitive directory:
# ALICE finds alice; injected NSS errors):
#  - ALICE, Alice log in as alice (her token, her lockout), never as a
#    separate unrequired user;
#  - a member of a required group of 3000 members (17 KB, more than a fixed
#    buffer) is required;
#  - a user or group lookup error is PAM_AUTHINFO_UNAVAIL, never PAM_IGNORE;
#  - DOMAIN\user and UTF-8 users enrol (tfa-admin) and log in; names are
#    escaped in the log;
#  - with enabled=no a DOMAIN\user gets PAM_IGNORE (not an error);
#  - a name NSS does not know follows the policy and is never enrolled.
. "$(dirname "$0")/pam_lib.sh"

pam_prereqs
if [ ! -e /usr/lib/x86_64-linux-gnu/libnss_wrapper.so ]; then
	if [ "${CI:-}" = true ]; then
		printf 'not ok 1 - libnss_wrapper installed (scripts/deps.sh test)\n1..1\n'
	else
		printf 'ok 1 - # SKIP libnss_wrapper not installed (scripts/deps.sh test)\n1..1\n'
	fi
	exit 0
fi
pam_setup

{
	echo "alice:x:2001:2001:Alice:/home/alice:/bin/sh"
	printf '%s\n' 'DOMAIN\bob:x:2002:2002:Bob:/home/bob:/bin/sh'
	echo "jürgen:x:2003:2003:J:/home/j:/bin/sh"
	echo "dave:x:2004:2004:Dave:/home/dave:/bin/sh"
	echo "erin:x:2005:2005:Erin:/home/erin:/bin/sh"
} >"$T/passwd"
{
	echo "alice:x:2001:"
	echo "dave:x:2004:"
	echo "erin:x:2005:"
	# 3000 members: the entry is 17 KB, more than a 16 KiB buffer
	printf 'bigops:x:3000:%s,dave\n' "$(seq -f 'member%g' 1 3000 | paste -sd,)"
} >"$T/group"

# the PAM host and tfa-admin see the same directory
NSS_ENV=(NSS_WRAPPER_PASSWD="$T/passwd" NSS_WRAPPER_GROUP="$T/group" TFA_NSS_FOLD=1)
pam_env() {
	env LD_PRELOAD="${TFA_PRELOAD:+$TFA_PRELOAD:}$NSS_SHIM:libnss_wrapper.so:libpam_wrapper.so" \
		PAM_WRAPPER_DISABLE_DEEPBIND=1 PAM_WRAPPER=1 PAM_WRAPPER_SERVICE_DIR="$PAMD" \
		PAM_WRAPPER_DEBUGLEVEL=3 "${NSS_ENV[@]}" "$@"
}
ntfa() {
	env LD_PRELOAD="${TFA_PRELOAD:+$TFA_PRELOAD:}$NSS_SHIM:libnss_wrapper.so" "${NSS_ENV[@]}" \
		"$TFA_ADMIN_BIN" --store "$STORE" --keyfile "$KEYFILE" "$@"
}
nenroll() { local out; out=$(ntfa --json enroll "$1" --activate --no-qr </dev/null) || return 1; secret_from_uri "$out"; }

ntfa policy set enabled yes >/dev/null
ntfa policy set max_failures 100 >/dev/null
s_alice=$(nenroll alice) || { echo "Bail out! enrol alice"; exit 1; }

# ---- canonical names --------------------------------------------------------
fresh_step
code=$(totp "$s_alice")
pam_login ALICE "$code"
is_result "ALICE logs in with alice's code (one user)" SUCCESS
log_has "the log names alice" '^user "alice": second factor accepted'
log_has "and the name given" 'user "alice": logging in as "ALICE"'
pam_login alice "$code"
is_result "the code ALICE used is used up for alice" AUTH_ERR
pam_login Alice "$(wrong_code "$code")"
is_result "Alice with a wrong code: PAM_AUTH_ERR (not PAM_IGNORE as a separate user)" AUTH_ERR
failures=$(ntfa --json show alice | sed -n 's/.*"failures":\([0-9]*\).*/\1/p')
check "the wrong code counted against alice (2 failures)" test "$failures" = 2
users=$(ntfa list | awk 'NR > 1 {print $1}' | tr '\n' ' ')
check "the store knows alice only, no ALICE or Alice ($users)" test "$users" = "alice "

# ---- required_groups: a large group, lookup errors ------------------------
ntfa policy set required_groups bigops >/dev/null
pam_service noenrol no_enroll
pam_login dave 123456 -s noenrol
is_result "dave, member of a 3000-member required group, no token: required (PAM_AUTH_ERR)" AUTH_ERR
log_has "refused as a required user without a token" 'no active token'
pam_login erin 123456 -s noenrol
is_result "erin, not a member: PAM_IGNORE" IGNORE
NSS_ENV+=(TFA_NSS_FAIL_GROUP=bigops)
pam_login erin 123456 -s noenrol
is_result "group lookup error: PAM_AUTHINFO_UNAVAIL, not PAM_IGNORE" AUTHINFO_UNAVAIL
log_has "the log says the group lookup failed" 'looking up group "bigops" \(required_groups\) failed'
unset 'NSS_ENV[-1]'
NSS_ENV+=(TFA_NSS_MINBUF=40000)
pam_login dave 123456 -s noenrol
is_result "getpwnam_r/getgrnam_r need 40 KB (ERANGE): the buffer grows, dave still required" AUTH_ERR
unset 'NSS_ENV[-1]'
ntfa policy set required_groups "" >/dev/null

# ---- user lookup errors -------------------------------------------------------
NSS_ENV+=(TFA_NSS_FAIL_USER=ALICE)
fresh_step
pam_login ALICE "$(totp "$s_alice")"
is_result "user lookup error (EIO): PAM_AUTHINFO_UNAVAIL" AUTHINFO_UNAVAIL
log_has "the log says the user lookup failed" 'looking up user "ALICE" failed: Input/output error'
unset 'NSS_ENV[-1]'
NSS_ENV+=(TFA_NSS_FAIL_USER='*')
ntfa policy set enabled no >/dev/null
pam_login alice 123456
is_result "with enabled=no no lookup is made: PAM_IGNORE" IGNORE
ntfa policy set enabled yes >/dev/null
unset 'NSS_ENV[-1]'

# ---- DOMAIN\user and UTF-8 ------------------------------------------------------
s_bob=$(nenroll 'DOMAIN\bob') || not_ok "tfa-admin enroll DOMAIN\\bob"
s_jur=$(nenroll jürgen) || not_ok "tfa-admin enroll jürgen"
fresh_step
pam_login 'DOMAIN\bob' "$(totp "$s_bob")"
is_result "DOMAIN\\bob logs in with his code" SUCCESS
log_has "the backslash is escaped in the log" '^user "DOMAIN\\x5cbob": second factor accepted'
pam_login jürgen "$(totp "$s_jur")"
is_result "jürgen (UTF-8) logs in with his code" SUCCESS
log_has "the UTF-8 name is escaped in the log" '^user "j\\xc3\\xbcrgen": second factor accepted'
check "no log line of the whole run holds a raw non-ASCII byte" \
	bash -c '! LC_ALL=C grep -qaP "[\x80-\xff]" "$1"' _ "$LOG"

ntfa policy set enabled no >/dev/null
pam_login 'DOMAIN\carol' 123456
is_result "enabled=no: DOMAIN\\carol (unknown, backslash) gets PAM_IGNORE" IGNORE
pam_login 'DOMAIN\bob' 123456
is_result "enabled=no: DOMAIN\\bob gets PAM_IGNORE" IGNORE
ntfa policy set enabled yes >/dev/null

# ---- names NSS does not know: same policy, never enrolled at login -------------
ntfa policy set default_required yes >/dev/null
pam_login 'DOMAIN\carol' 123456
is_result "an unknown user, required by default, no token: PAM_AUTH_ERR" AUTH_ERR
log_has "not enrolled: not a user of this system" 'not enrolling at login \(not a user of this system\)'
check "no enrolment was offered (no QR, no secret)" bash -c '! grep -aq "Scan this QR" "$1"' _ "$PAM_OUT"
ntfa enable radius1 --force >/dev/null
ntfa policy set default_required no >/dev/null
pam_login radius1 123456
is_result "a RADIUS-only user enabled with --force, no token: PAM_AUTH_ERR" AUTH_ERR

check "every module run left one outcome line (unlogged: $PAM_UNLOGGED of $PAM_RUNS)" \
	test "$PAM_UNLOGGED" -eq 0
tap_done
