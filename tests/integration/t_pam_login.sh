#!/usr/bin/env bash
# SPDX-License-Identifier: BSD-2-Clause
# backends: sqlite postgresql
# pam_twofactor.so through a real PAM stack: codes accepted and refused,
# the time window, lockout and unlock, change of phone, no code in the logs.
. "$(dirname "$0")/pam_lib.sh"
pam_prereqs
pam_setup
tfa policy set enabled yes >/dev/null
tfa policy set default_required yes >/dev/null

codes=()   # every code typed in this script, for the leak check at the end

# --- right code, replay, wrong codes --------------------------------------
fresh_step
s=$(enroll_user alice)
c=$(totp "$s"); codes+=("$c")
pam_login alice "$c"
is_result "right code accepted" SUCCESS
log_has "success logged with the user name" 'user "alice": second factor accepted'
pam_login alice "$c"
is_result "same code again refused (replay)" AUTH_ERR
log_has "replay logged" 'user "alice": code already used'

i=0
for bad in "$(wrong_code "$c")" 12345 1234567 12a456 "" "      " "123456 " "+12345"; do
	i=$((i + 1))
	s=$(enroll_user "bad$i")
	codes+=("$bad")
	pam_login "bad$i" "$bad"
	is_result "bad code [$bad] refused" AUTH_ERR
done

s=$(enroll_user spaced)
c=$(totp "$s"); codes+=("$c")
pam_login spaced "${c:0:3} ${c:3:3}"
is_result "code typed in two groups (\"123 456\") accepted" SUCCESS

# a code of another user's token is refused
sa=$(enroll_user u1)
enroll_user u2 >/dev/null
c=$(totp "$sa"); codes+=("$c")
pam_login u2 "$c"
is_result "another user's code refused" AUTH_ERR

# --- the time window (default 1 step either side), at a fixed fake time ----
t0=1800000005                         # 5 s into a 30 s step
ft="@$(date -u -d "@$t0" '+%Y-%m-%d %H:%M:%S')"
for off in 30 -30 60 -60; do
	u="w${off#-}${off//[0-9]/}"
	u=${u//-/m}
	s=$(enroll_user "$u")
	c=$(totp "$s" -N "@$((t0 + off))"); codes+=("$c")
	pam_login "$u" "$c" -t "$ft"
	case $off in
	30|-30) is_result "code from ${off}s (one step) accepted" SUCCESS ;;
	*) is_result "code from ${off}s (two steps) refused" AUTH_ERR ;;
	esac
done
# a later code after an accepted one is fine; the accepted step or an older
# one is not
s=$(enroll_user order)
c1=$(totp "$s" -N "@$t0"); c0=$(totp "$s" -N "@$((t0 - 30))"); codes+=("$c1" "$c0")
pam_login order "$c1" -t "$ft"
is_result "current code accepted at the fake time" SUCCESS
pam_login order "$c0" -t "$ft"
is_result "older code (previous step) refused after a newer one" AUTH_ERR

# --- lockout after max_failures (default 10, pam_twofactor(8)) and unlock --
check "policy show: max_failures is 10 by default" bash -c \
	"'$TFA_ADMIN' --store '$STORE' --keyfile '$KEYFILE' policy show | grep -Eq '^max_failures +10\$'"
fresh_step
s=$(enroll_user lock)
c=$(totp "$s"); w=$(wrong_code "$c"); codes+=("$c" "$w")
for n in 1 2 3 4 5 6 7 8 9; do
	pam_login lock "$w"
	is_result "wrong code $n of 10 refused (PAM_AUTH_ERR, not yet locked)" AUTH_ERR
done
check "9 failures: not locked out (sudo's 3 tries x 3 leave a try)" bash -c \
	"'$TFA_ADMIN' --store '$STORE' --keyfile '$KEYFILE' show lock | grep -q '^locked until: -'"
pam_login lock "$w"
is_result "10th wrong code refused (PAM_AUTH_ERR) and locks the user out" AUTH_ERR
log_has "lockout logged" 'user "lock": .*locked out'
pam_login lock "$c"
is_result "right code refused while locked (PAM_MAXTRIES)" MAXTRIES
if grep -aq 'Verification code' "$PAM_OUT"; then
	not_ok "locked user is not prompted"
else
	ok "locked user is not prompted"
fi
check "locked user told to try later" grep -aq 'Too many failed attempts' "$PAM_OUT"
tfa unlock lock >/dev/null
pam_login lock "$c"
is_result "tfa-admin unlock: right code accepted again" SUCCESS

# lockout lasts lockout_seconds (60): after it, the right code works
s=$(enroll_user lock2)
for n in 1 2 3 4 5 6 7 8 9 10 11; do pam_login lock2 000000 -t "$ft"; done
is_result "lock2 locked at the fake time" MAXTRIES
c=$(totp "$s" -N "@$((t0 + 90))"); codes+=("$c")
pam_login lock2 "$c" -t "@$(date -u -d "@$((t0 + 90))" '+%Y-%m-%d %H:%M:%S')"
is_result "after lockout_seconds the right code is accepted" SUCCESS

# --- change of phone: tfa-admin reset -------------------------------------
fresh_step
pam_service noenrol no_enroll
s_old=$(enroll_user phone)
c=$(totp "$s_old"); codes+=("$c")
pam_login phone "$c"
is_result "old phone works before the reset" SUCCESS
tfa reset phone >/dev/null
c=$(totp "$s_old" -N "now + 30 seconds"); codes+=("$c")
pam_login phone "$c" -s noenrol -t "+30s"
is_result "after reset the old phone's next code is refused at once" AUTH_ERR
s_new=$(enroll_user phone)
c=$(totp "$s_old" -N "now + 30 seconds"); codes+=("$c")
pam_login phone "$c" -t "+30s"
is_result "after re-enrolment the old phone's code is still refused" AUTH_ERR
c=$(totp "$s_new"); codes+=("$c")
pam_login phone "$c"
is_result "the new phone's code is accepted" SUCCESS

# --- user names: odd names are refused and logged escaped, never UNKNOWN --
# (a space is valid - names NSS may return - but "bad user" is not a user of
# this system: required by default_required, no token, never enrolled)
pam_login 'bad user' 123456
is_result "user name with a space, unknown to the system: refused (not USER_UNKNOWN)" AUTH_ERR
log_has "odd user name logged" 'user "bad user": no active token; not enrolling at login \(not a user of this system\)'
pam_login $'evil\nname' 123456
is_result "user name with a newline refused" AUTH_ERR
log_has "newline in the user name escaped in the log" 'evil\\x0aname'
pam_login "$(printf 'x%.0s' {1..200})" 123456
is_result "over-long user name refused" AUTH_ERR
pam_login -- -rf 123456
is_result "user name starting with '-' refused" AUTH_ERR

# --- nothing leaks: no code in the logs, messages or audit trail ----------
leak=""
for c in "${codes[@]}"; do
	[[ $c =~ ^[0-9]{6}$ ]] || continue
	if grep -awF -- "$c" "$LOG" >/dev/null; then leak+=" log:$c"; fi
	if grep -av PWRAP "$OUTS" | grep -awF -- "$c" >/dev/null; then leak+=" out:$c"; fi
	if tfa audit | grep -awF -- "$c" >/dev/null; then leak+=" audit:$c"; fi
done
if [ -z "$leak" ]; then ok "no code in syslog, PAM messages or the audit trail (${#codes[@]} codes)"
else not_ok "no code in syslog, PAM messages or the audit trail" "found:$leak"; fi
check "audit trail has the PAM logins with their source" bash -c \
	"'$TFA_ADMIN' --store '$STORE' --keyfile '$KEYFILE' audit --user alice | grep -q 'pam:tfa'"
check "every one of the $PAM_RUNS logins logged an outcome line" test "$PAM_UNLOGGED" -eq 0

tap_done
