#!/usr/bin/env bash
# SPDX-License-Identifier: BSD-2-Clause
# backends: sqlite postgresql
# pam_twofactor.so: who is asked (policy), module options, and the code
# taken from PAM_AUTHTOK or split off the password (forward_pass).
. "$(dirname "$0")/pam_lib.sh"
pam_prereqs
pam_setup
SETITEMS=/usr/lib/x86_64-linux-gnu/pam_wrapper/pam_set_items.so

fresh_step
s=$(enroll_user alice)
tfa enable alice >/dev/null

# --- master switch -------------------------------------------------------
pam_login alice 000000
is_result "enabled=no (default): required user with a token gets PAM_IGNORE" IGNORE
check "enabled=no: not prompted" bash -c "! grep -aq 'Verification code' '$PAM_OUT'"
log_has "enabled=no logged" 'user "alice": two-factor is off'
check "enabled=no: logins do not write the audit trail" bash -c \
	"! '$TFA_ADMIN' --store '$STORE' --keyfile '$KEYFILE' audit --user alice | grep -q 'pam:'"
pam_service_raw plain <<-'EOF'
	auth required @MODULE@ store=@STORE@ keyfile=@KEYFILE@
	auth required pam_permit.so
EOF
pam_login alice 000000 -s plain
is_result "enabled=no: 'required' module + pam_permit lets the user in" SUCCESS

tfa policy set enabled yes >/dev/null

# --- who is required -----------------------------------------------------
pam_login nobody1 000000
is_result "not required, no token: PAM_IGNORE" IGNORE
check "not required, no token: not prompted" bash -c "! grep -aq 'Verification code' '$PAM_OUT'"
log_has "not required logged with the rule" 'user "nobody1": second factor not required'
check "not required: in the audit trail (login_skipped)" bash -c \
	"'$TFA_ADMIN' --store '$STORE' --keyfile '$KEYFILE' audit --user nobody1 | grep -q 'login_skipped.*pam:tfa'"
pam_login nobody1 000000 -s plain
is_result "not required: 'required' module + pam_permit lets the user in" SUCCESS

c=$(totp "$s")
pam_login alice "$c"
is_result "enable USER: code asked and accepted" SUCCESS
tfa disable alice >/dev/null
pam_login alice 000000
is_result "disable USER (with a token): exempt, PAM_IGNORE" IGNORE
tfa default alice >/dev/null
pam_login alice 000000
is_result "default USER, default_required=no, enrolled: asked (opted in), wrong code refused" AUTH_ERR
c=$(totp "$s" -N "now + 30 seconds")
pam_login alice "$c" -t "+30s"
is_result "enrolled user who is not required: right code accepted" SUCCESS

tfa policy set enroll_at_login no >/dev/null
tfa enable bob >/dev/null
pam_login bob 000000
is_result "required, no token, enroll_at_login=no: refused" AUTH_ERR
check "user told to contact the administrator" grep -aq 'Contact your administrator' "$PAM_OUT"
tfa policy set default_required yes >/dev/null
pam_login carol 000000
is_result "default_required=yes: user without setting or token refused" AUTH_ERR
tfa disable carol >/dev/null
pam_login carol 000000
is_result "default_required=yes but disable USER: PAM_IGNORE" IGNORE
tfa policy set default_required no >/dev/null

# required_groups (real system users: daemon is in group daemon, bin is not)
if getent group daemon >/dev/null && id daemon >/dev/null 2>&1 && id bin >/dev/null 2>&1 &&
   ! id -nG bin | grep -qw daemon; then
	tfa policy set required_groups daemon >/dev/null
	pam_login daemon 000000
	is_result "member of a required group (no token): asked, refused" AUTH_ERR
	pam_login bin 000000
	is_result "not a member of the required group: PAM_IGNORE" IGNORE
	tfa policy set required_groups "" >/dev/null
else
	skip "member of a required group" "no daemon/bin users"
	skip "not a member of the required group" "no daemon/bin users"
fi

# a supplementary member counts as much as a primary one; per-user settings
# beat group membership (a temporary group, removed right after)
grp=tfag$$
if [ "$(id -u)" -eq 0 ] && have groupadd && id bin >/dev/null 2>&1 &&
   groupadd "$grp" 2>/dev/null; then
	if usermod -aG "$grp" bin 2>/dev/null; then
		tfa policy set required_groups "nosuchgroup, $grp" --force >/dev/null
		pam_login bin 000000
		is_result "supplementary member of a required group: asked, refused" AUTH_ERR
		check "tfa-admin show names the group rule" \
			bash -c "'$TFA_ADMIN' --store '$STORE' --keyfile '$KEYFILE' show bin | grep -q 'group'"
		tfa disable bin >/dev/null
		pam_login bin 000000
		is_result "per-user disable beats a required group: PAM_IGNORE" IGNORE
		tfa default bin >/dev/null
		tfa policy set required_groups "" >/dev/null
	else
		skip "supplementary member of a required group" "usermod failed"
	fi
	groupdel "$grp" 2>/dev/null || true
else
	skip "supplementary member of a required group" "not root or no groupadd"
fi

# --- module arguments ----------------------------------------------------
for arg in stor=/x failmode=sae failmode= store=relative/tfa.db store= keyfile= \
	prompt= use_first_passs "debug=1"; do
	pam_service badarg "$arg"
	pam_login alice 000000 -s badarg
	is_result "bad module argument [$arg] refused (PAM_SERVICE_ERR)" SERVICE_ERR
	log_has "bad module argument [$arg] logged" 'bad module argument'
done
tfa policy set enabled no >/dev/null
pam_service badarg bogus
pam_login alice 000000 -s badarg
is_result "bad module argument refused even with enabled=no" SERVICE_ERR
tfa policy set enabled yes >/dev/null
printf 'auth [success=1 ignore=ignore default=die] %s store=%s keyfile=%s %s\n%s\n%s\n' \
	"$PAM_MODULE" "$STORE" "$KEYFILE" '[prompt=Your code, please: ]' \
	'auth [default=die] pam_debug.so auth=user_unknown' 'auth required pam_permit.so' >"$PAMD/prompt"
fresh_step
tfa enable alice >/dev/null
c=$(totp "$s" -N "now + 60 seconds")
pam_login alice "$c" -s prompt -t "+60s"
is_result "prompt=TEXT (with spaces, [..] syntax): accepted" SUCCESS
check "prompt=TEXT shown" grep -aq 'Your code, please: ' "$PAM_OUT"
pam_service dbg debug
pam_login alice 000000 -s dbg
log_has "debug: verbose log line" 'required=1 .*active=1'

# --- use_first_pass / try_first_pass ---------------------------------------
s=$(enroll_user fp)
tfa enable fp >/dev/null
for opt in use_first_pass try_first_pass; do
	pam_service_raw "$opt" <<-EOF
		auth required $SETITEMS
		auth [success=1 ignore=ignore default=die] @MODULE@ store=@STORE@ keyfile=@KEYFILE@ $opt
		auth [default=die] pam_debug.so auth=user_unknown
		auth required pam_permit.so
	EOF
done
pam_login fp 000000 -s use_first_pass
is_result "use_first_pass without PAM_AUTHTOK: refused" AUTH_ERR
check "use_first_pass: never prompts" bash -c "! grep -aq 'Verification code' '$PAM_OUT'"
fresh_step
c=$(totp "$s")
PAM_AUTHTOK=$c pam_login fp "" -s use_first_pass
is_result "use_first_pass: code taken from PAM_AUTHTOK" SUCCESS
c=$(totp "$s" -N "now + 30 seconds")
pam_login fp "$c" -s try_first_pass -t "+30s"
is_result "try_first_pass without PAM_AUTHTOK: prompts, accepted" SUCCESS
c=$(totp "$s" -N "now + 60 seconds")
PAM_AUTHTOK=$c pam_login fp "" -s try_first_pass -t "+60s"
is_result "try_first_pass: code taken from PAM_AUTHTOK" SUCCESS
PAM_AUTHTOK=000000 pam_login fp "" -s try_first_pass
is_result "try_first_pass: wrong PAM_AUTHTOK refused" AUTH_ERR
tfa unlock fp >/dev/null
c=$(totp "$s" -N "now + 90 seconds")
PAM_AUTHTOK=hunter2 pam_login fp "$c" -s try_first_pass -t "+90s"
is_result "try_first_pass: a password in PAM_AUTHTOK is not taken for a code: prompts, accepted" \
	SUCCESS
check "try_first_pass: prompted when PAM_AUTHTOK is not a code" grep -aq 'Verification code' "$PAM_OUT"
log_has "try_first_pass: one check only, the password was not tried as a code" \
	'^user "fp": second factor accepted'
if printf '%s\n' "$PAM_SYSLOG" | grep -q 'consecutive failures'; then
	not_ok "try_first_pass: the password did not count as a failure" "$PAM_SYSLOG"
else
	ok "try_first_pass: the password did not count as a failure"
fi

# --- forward_pass: password followed by the code --------------------------
# the next module: pam_exec hands PAM_AUTHTOK to a script checking it
# (its failure is PAM_SYSTEM_ERR)
printf '#!/bin/sh\npw=$(tr -d "\\000")\n[ "$pw" = hunter2 ]\n' >"$T/checkpw"
chmod 755 "$T/checkpw"
pam_service_raw fwd <<-EOF
	auth requisite @MODULE@ store=@STORE@ keyfile=@KEYFILE@ forward_pass
	auth required pam_exec.so quiet expose_authtok $T/checkpw
EOF
s=$(enroll_user fwd)
tfa enable fwd >/dev/null
tfa unlock fp >/dev/null
fresh_step
c=$(totp "$s")
pam_login fwd "hunter2$c" -s fwd
is_result "forward_pass: password+code accepted, the password reaches the next module" SUCCESS
check "forward_pass: combined prompt" grep -aq 'Password and verification code: ' "$PAM_OUT"
c=$(totp "$s" -N "now + 30 seconds")
pam_login fwd "wrong$c" -s fwd -t "+30s"
is_result "forward_pass: right code, wrong password refused by the next module" SYSTEM_ERR
c=$(totp "$s" -N "now + 60 seconds")
pam_login fwd "hunter2$(wrong_code "$c")" -s fwd -t "+60s"
is_result "forward_pass: right password, wrong code refused" AUTH_ERR
pam_login fwd "hunter2" -s fwd
is_result "forward_pass: password without a code refused" AUTH_ERR
if printf '%s\n' "$PAM_SYSLOG" | grep -q hunter2; then not_ok "forward_pass: password never logged"
else ok "forward_pass: password never logged"; fi

tap_done
