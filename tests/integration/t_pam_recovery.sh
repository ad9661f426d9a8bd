#!/usr/bin/env bash
# SPDX-License-Identifier: BSD-2-Clause
# backends: sqlite postgresql
# pam_twofactor.so and recovery codes: a code is accepted once at the normal
# prompt, next to a token or alone (a required user with only recovery codes
# is prompted, not enrolled); a used or wrong code is refused; reset removes
# them; no code in the logs, PAM messages or the audit trail.
. "$(dirname "$0")/pam_lib.sh"
pam_prereqs
pam_setup
tfa policy set enabled yes >/dev/null
tfa policy set default_required yes >/dev/null

codes=()

# new_codes USER N: N fresh recovery codes of USER into the array RC
new_codes() {
	mapfile -t RC < <(tfa recovery "$1" --count "$2" | grep -E '^[0-9]{8}$')
	codes+=("${RC[@]}")
	check "tfa-admin recovery $1 --count $2 printed $2 codes" test "${#RC[@]}" -eq "$2"
}

# --- next to a token -------------------------------------------------------
s=$(enroll_user alice)
new_codes alice 3
A=("${RC[@]}")
pam_login alice "${A[0]}"
is_result "a recovery code is accepted at the normal prompt" SUCCESS
log_has "logged as a recovery code with the count left" 'user "alice": second factor accepted \(recovery code; 2 left\)'
pam_login alice "${A[0]}"
is_result "the same recovery code a second time is refused" AUTH_ERR
pam_login alice "${A[1]:0:4} ${A[1]:4:4}"
is_result "a recovery code typed in two groups is accepted" SUCCESS
pam_login alice 00000000
is_result "a wrong 8-digit code is refused" AUTH_ERR
fresh_step
c=$(totp "$s"); codes+=("$c")
pam_login alice "$c"
is_result "the token still works" SUCCESS
check "one recovery code left" bash -c "'$TFA_ADMIN' --store '$STORE' --keyfile '$KEYFILE' show alice | grep -q 'recovery codes: 1 left'"

# --- only recovery codes (no token): prompted, not enrolled ----------------
new_codes olga 2
O=("${RC[@]}")
pam_login olga "${O[1]}"
is_result "a required user with only recovery codes logs in with one" SUCCESS
if grep -aq 'otpauth://\|Scan' "$PAM_OUT"; then not_ok "no enrolment for a user with recovery codes"
else ok "no enrolment for a user with recovery codes"; fi
pam_login olga "${O[1]}"
is_result "that code a second time is refused" AUTH_ERR
check "olga still has no token" bash -c "'$TFA_ADMIN' --store '$STORE' --keyfile '$KEYFILE' show olga | grep -q 'no tokens'"

# --- not required, only recovery codes: not asked --------------------------
new_codes nora 1
tfa disable nora >/dev/null
pam_login nora "${RC[0]}"
is_result "a user exempted with disable is not asked (PAM_IGNORE)" IGNORE

# --- lockout: a locked user's recovery code is not looked at ---------------
tfa policy set max_failures 2 >/dev/null
new_codes lena 1
L=("${RC[@]}")
pam_login lena 11111111
pam_login lena 22222222
is_result "second wrong code locks lena" AUTH_ERR
pam_login lena "${L[0]}"
is_result "while locked: not prompted, refused" MAXTRIES
check "the recovery code was not used up" bash -c "'$TFA_ADMIN' --store '$STORE' --keyfile '$KEYFILE' show lena | grep -q 'recovery codes: 1 left'"
tfa unlock lena >/dev/null
pam_login lena "${L[0]}"
is_result "after unlock the code works" SUCCESS
tfa policy set max_failures 10 >/dev/null   # back to the default

# --- forward_pass: password followed by a recovery code --------------------
printf '#!/bin/sh\npw=$(tr -d "\\000")\n[ "$pw" = hunter2 ]\n' >"$T/checkpw"
chmod 755 "$T/checkpw"
pam_service_raw fwd <<-EOF
	auth requisite @MODULE@ store=@STORE@ keyfile=@KEYFILE@ forward_pass
	auth required pam_exec.so quiet expose_authtok $T/checkpw
EOF
enroll_user fred >/dev/null
new_codes fred 2
F=("${RC[@]}")
pam_login fred "hunter2${F[0]}" -s fwd
is_result "forward_pass: password + recovery code accepted" SUCCESS
pam_login fred "hunter2${F[0]}" -s fwd
is_result "forward_pass: the used recovery code is refused" AUTH_ERR
# fred has 6-digit app codes and 8-digit recovery codes: a wrong field is
# tried at both lengths in one transaction and counts ONE failure
before=$("$TFA_ADMIN" --store "$STORE" --keyfile "$KEYFILE" --json show fred | jq -r .failures)
pam_login fred "hunter212345678" -s fwd
is_result "forward_pass: a wrong field is refused" AUTH_ERR
after=$("$TFA_ADMIN" --store "$STORE" --keyfile "$KEYFILE" --json show fred | jq -r .failures)
check "forward_pass: a wrong field tried at two lengths counts one failure ($before -> $after)" \
	test "$after" = "$((before + 1))"

# --- reset removes them ------------------------------------------------------
tfa reset olga >/dev/null
check "reset removed olga's recovery codes" bash -c "'$TFA_ADMIN' --store '$STORE' --keyfile '$KEYFILE' show olga | grep -q 'recovery codes: 0 left'"
pam_service noenrol no_enroll
pam_login olga "${O[0]}" -s noenrol
is_result "after reset the remaining code of olga no longer works" AUTH_ERR

# --- nothing leaks -------------------------------------------------------------
leak=""
for c in "${codes[@]}"; do
	if grep -awF -- "$c" "$LOG" >/dev/null; then leak+=" log:$c"; fi
	if grep -av PWRAP "$OUTS" | grep -awF -- "$c" >/dev/null; then leak+=" out:$c"; fi
	if tfa audit | grep -awF -- "$c" >/dev/null; then leak+=" audit:$c"; fi
	if store_has "$STORE" "$c"; then leak+=" store:$c"; fi
done
if [ -z "$leak" ]; then ok "no code in syslog, PAM messages, audit trail or store (${#codes[@]} codes)"
else not_ok "no code in syslog, PAM messages, audit trail or store" "found:$leak"; fi
check "audit has recovery_used from PAM" bash -c \
	"'$TFA_ADMIN' --store '$STORE' --keyfile '$KEYFILE' audit --user alice | grep -q 'recovery_used.*pam:tfa'"
check "every one of the $PAM_RUNS logins logged an outcome line" test "$PAM_UNLOGGED" -eq 0

tap_done
