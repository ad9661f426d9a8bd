#!/usr/bin/env bash
# SPDX-License-Identifier: BSD-2-Clause
# backends: sqlite postgresql
# services=LIST: the module acts only for the PAM services it names; every
# other service gets PAM_IGNORE before the user name is asked for and before
# the store is opened (no store needed, no audit row) - what lets the
# pam-auth-update profile put it in common-auth without locking out screen
# lockers and other non-root callers.
. "$(dirname "$0")/pam_lib.sh"
pam_prereqs
pam_setup
tfa policy set enabled yes >/dev/null
tfa policy set default_required yes >/dev/null
s=$(enroll_user alice)
LIST=sshd,tfa-in,Sudo

# svc NAME STORE [ARGS...]: the marker stack (see pam_lib.sh) on STORE
svc() {
	local name=$1 st=$2; shift 2
	{
		printf 'auth [success=1 ignore=ignore default=die] %s store=%s keyfile=%s' \
			"$PAM_MODULE" "$st" "$KEYFILE"
		[ $# -gt 0 ] && printf ' %s' "$@"
		printf '\nauth [default=die] pam_debug.so auth=user_unknown\nauth required pam_permit.so\n'
	} >"$PAMD/$name"
}
audit_rows() { tfa --json audit | grep -o '"event"' | wc -l; }

# --- a missing store -------------------------------------------------------
svc tfa-out "$T/nowhere/tfa.db" "services=$LIST"
svc tfa-in "$T/nowhere/tfa.db" "services=$LIST"
pam_login alice 123456 -s tfa-out
is_result "service outside services=, store missing: PAM_IGNORE" IGNORE
check "service outside services=: not prompted" bash -c "! grep -aq 'Verification code' '$PAM_OUT'"
check "service outside services=: nothing logged without debug" test -z "$PAM_SYSLOG"
pam_login alice 123456 -s tfa-in
is_result "service inside services=, store missing: fails closed as before (PAM_AUTHINFO_UNAVAIL)" \
	AUTHINFO_UNAVAIL
log_has "service inside services=: the missing store is named" "store unusable: .*$T/nowhere/"

# --- a working store: outside untouched, inside as before ------------------
svc tfa-out "$STORE" "services=$LIST" debug
svc tfa-in "$STORE" "services=$LIST"
svc sudo "$STORE" "services=$LIST"
before=$(audit_rows)
pam_login alice 123456 -s tfa-out
is_result "service outside services=, required user: PAM_IGNORE" IGNORE
log_has "with debug: the skipped service is named" 'service "tfa-out" is not in services=: not acting'
check "service outside services=: no audit row" test "$(audit_rows)" = "$before"
fresh_step
c=$(totp "$s")
pam_login alice "$(wrong_code "$c")" -s tfa-in
is_result "service inside services=: a wrong code is refused" AUTH_ERR
pam_login alice "$c" -s tfa-in
is_result "service inside services=: the right code is accepted" SUCCESS
c=$(totp "$s" -N "now + 30 seconds")
pam_login alice "$c" -s sudo -t "+30s"
is_result "services= is compared without regard to case (Sudo matches sudo)" SUCCESS
check "service inside services=: audit rows written" test "$(audit_rows)" -gt "$before"

# --- a non-root caller (a screen locker) ---------------------------------
# the store is root's (0700 directory); as nobody the module cannot read it
if [ "$(id -u)" = 0 ] && have setpriv; then
	chmod 711 "$T"
	chmod 755 "$PAMD"
	chmod 644 "$PAMD"/*
	nb=$(mktemp "$T/nobody.XXXXXX")
	chmod 666 "$nb"
	printf '123456\n' | pam_env setpriv --reuid=nobody --regid=nogroup --clear-groups \
		pamtester -v tfa-out alice authenticate >"$nb" 2>&1
	PAM_OUT=$nb PAM_RESULT=$(_pam_classify "$nb")
	is_result "non-root caller, service outside services=: PAM_IGNORE" IGNORE
	printf '123456\n' | pam_env setpriv --reuid=nobody --regid=nogroup --clear-groups \
		pamtester -v tfa-in alice authenticate >"$nb" 2>&1
	PAM_OUT=$nb PAM_RESULT=$(_pam_classify "$nb")
	is_result "non-root caller, service inside services=: fails closed" AUTHINFO_UNAVAIL
else
	skip "non-root caller" "needs root and setpriv"
fi

# --- strict parsing --------------------------------------------------------
for bad in "services=" "services=sshd,,sudo" "services=,sshd" "services=sshd," \
	"services=ss/hd" "services=sshd;sudo"; do
	svc badopt "$STORE" "$bad"
	pam_login alice 123456 -s badopt
	is_result "bad option \"$bad\": refused (PAM_SERVICE_ERR)" SERVICE_ERR
	log_has "bad option \"$bad\": logged" 'bad module argument "services='
done
tap_done
