#!/usr/bin/env bash
# SPDX-License-Identifier: BSD-2-Clause
# backends: sqlite postgresql
# What the person logging in is told, and what the admin can read without
# syslog (issue 11 items 14, 15, 18):
#  - a wrong code, a used code and an unusable store each get a PAM_ERROR_MSG
#    the user can act on (pamtester prints them), nothing under PAM_SILENT,
#    and nothing about the code to a user the module never prompted;
#  - a code of a step just outside the window (a phone clock a few minutes
#    off, faketime) is refused, logged and audited as clock skew with the
#    offset, and moves no state; `tfa-admin token resync` fixes an app token;
#  - a bad module argument is PAM_SERVICE_ERR and, where store= and keyfile=
#    parsed, an audit row "config_error"; a refusal once the store is open
#    is in the audit trail even when syslog is gone.
. "$(dirname "$0")/pam_lib.sh"
pam_prereqs sqlite3
pam_setup
SETITEMS=/usr/lib/x86_64-linux-gnu/pam_wrapper/pam_set_items.so
tfa policy set enabled yes >/dev/null
tfa policy set default_required yes >/dev/null
codes=()

# said DESC TEXT: the transcript has TEXT as a line of its own
said() { check "$1" grep -aqxF -- "$2" "$PAM_OUT"; }
# not_said DESC REGEX
not_said() { check "$1" bash -c "! grep -aqE -- '$2' '$PAM_OUT'"; }

# --- wrong code, used code --------------------------------------------------
fresh_step
s=$(enroll_user amy)
c=$(totp "$s"); w=$(wrong_code "$c"); codes+=("$c" "$w")
pam_login amy "$w"
is_result "wrong code refused" AUTH_ERR
said "wrong code: the user is told \"Wrong code.\"" "Wrong code."
pam_login amy "$c"
is_result "right code accepted" SUCCESS
not_said "accepted: no error message" 'Wrong code|already used'
pam_login amy "$c"
is_result "the same code again refused" AUTH_ERR
said "replay: the user is told to wait for the next code" \
	"That code was already used; wait for the next one."
not_said "replay: not called a wrong code" '^Wrong code'
pam_login amy "$w" -f PAM_SILENT
is_result "PAM_SILENT: wrong code refused" AUTH_ERR
not_said "PAM_SILENT: no message" 'Wrong code|already used'

# never prompted by the module (code from PAM_AUTHTOK): nothing about the code
pam_service_raw ufp <<-EOF
	auth required $SETITEMS
	auth [success=1 ignore=ignore default=die] @MODULE@ store=@STORE@ keyfile=@KEYFILE@ use_first_pass
	auth [default=die] pam_debug.so auth=user_unknown
	auth required pam_permit.so
EOF
PAM_AUTHTOK=$w pam_login amy "" -s ufp
is_result "use_first_pass: wrong code refused" AUTH_ERR
not_said "use_first_pass (not prompted by the module): no message about the code" \
	'Wrong code|already used'
tfa unlock amy >/dev/null

# --- the store is unusable: the user is told to contact the admin ----------
pam_service gone store="$T/nosuch/tfa.db"
pam_login amy 123456 -s gone
is_result "missing store: PAM_AUTHINFO_UNAVAIL" AUTHINFO_UNAVAIL
said "missing store: the user is told two-factor login is unavailable" \
	"Two-factor login is unavailable; contact the administrator."
not_said "missing store: nothing about the code" 'Wrong code|Verification code'
pam_login amy 123456 -s gone -f PAM_SILENT
not_said "missing store, PAM_SILENT: no message" 'unavailable'

# a store error after the store is open (an ocra token with a broken suite:
# the challenge step fails): unavailable message, and in the audit trail
oc=$(tfa --json enroll olga --type ocra --activate --no-qr) || true
store_sql "$STORE" "UPDATE tokens SET suite='OCRA-9:BROKEN' WHERE \"user\"='olga'" >/dev/null
n0=$(tfa audit --user olga | grep -c 'login_failed')
pam_login olga 123456
is_result "store error at the challenge step: PAM_AUTHINFO_UNAVAIL" AUTHINFO_UNAVAIL
said "store error: the user is told two-factor login is unavailable" \
	"Two-factor login is unavailable; contact the administrator."
n1=$(tfa audit --user olga | grep -c 'login_failed')
check "store error after opening: the refusal is in the audit trail ($n0 -> $n1)" \
	test "$n1" -eq $((n0 + 1))

# --- clock skew (faketime: the server at t0, the phone minutes off) -------
t0=1800000005
at() { date -u -d "@$1" '+%Y-%m-%d %H:%M:%S'; }
s=$(enroll_user sky)
c=$(totp "$s" -N "@$((t0 + 120))"); codes+=("$c")
pam_login sky "$c" -t "@$(at $t0)"
is_result "a code from a phone 2 minutes ahead is refused" AUTH_ERR
said "clock skew: the user is told the device's clock seems off" \
	"Wrong code; the clock of your device seems to be off."
log_has "clock skew logged with the offset" 'user "sky": clock skew: .* \+120 s'
check "audit: clock_skew with the offset in seconds" bash -c \
	"'$TFA_ADMIN' --store '$STORE' --keyfile '$KEYFILE' audit --user sky | grep -Eq 'clock_skew.*offset=\+120s'"
c=$(totp "$s" -N "@$((t0 - 90))"); codes+=("$c")
pam_login sky "$c" -t "@$(at $t0)"
is_result "a code from a phone 90 s behind is refused" AUTH_ERR
check "audit: clock_skew offset=-90s" bash -c \
	"'$TFA_ADMIN' --store '$STORE' --keyfile '$KEYFILE' audit --user sky | grep -q 'clock_skew.*offset=-90s'"
c=$(totp "$s" -N "@$((t0 + 600))"); codes+=("$c")
pam_login sky "$c" -t "@$(at $t0)"
is_result "a code 10 minutes ahead is refused" AUTH_ERR
not_said "10 minutes ahead (beyond 10 steps past the window): a plain wrong code" 'clock'
c=$(totp "$s" -N "@$t0"); codes+=("$c")
pam_login sky "$c" -t "@$(at $t0)"
is_result "the skewed codes moved nothing: the current code is accepted" SUCCESS
# tfa-admin verify says so too
c=$(totp "$s" -N "@$((t0 + 150))"); codes+=("$c")
faketime_cmd "@$(at $t0)"
out=$("${FT_CMD[@]}" "$TFA_ADMIN" --store "$STORE" --keyfile "$KEYFILE" verify sky "$c" 2>&1)
rc=$?
check "tfa-admin verify of a skewed code: exit 1 (got $rc)" test "$rc" = 1
check "tfa-admin verify names the skew and token resync" \
	grep -q 'clock skew.*token resync' <<<"$out"
# token resync for an app token whose phone is 5 minutes ahead
c1=$(totp "$s" -N "@$((t0 + 300))"); c2=$(totp "$s" -N "@$((t0 + 330))"); codes+=("$c1" "$c2")
out=$("${FT_CMD[@]}" "$TFA_ADMIN" --store "$STORE" --keyfile "$KEYFILE" token resync sky "$c1" "$c2" 2>&1)
rc=$?
check "token resync of an app (TOTP) token: exit 0 (got $rc: $out)" test "$rc" = 0
c=$(totp "$s" -N "@$((t0 + 360))"); codes+=("$c")
pam_login sky "$c" -t "@$(at $t0)"
is_result "after resync the phone (5 minutes ahead) logs in" SUCCESS

# --- bad module arguments in the audit trail --------------------------------
n0=$(tfa audit | grep -c 'config_error')
pam_service badarg 'failmode=sae'
pam_login amy 000000 -s badarg
is_result "bad argument: PAM_SERVICE_ERR" SERVICE_ERR
check "audit: config_error naming the argument" bash -c \
	"'$TFA_ADMIN' --store '$STORE' --keyfile '$KEYFILE' audit | grep -qF '[failmode=sae]: failmode must be secure or safe'"
check "audit: config_error names the user when PAM has one" bash -c \
	"'$TFA_ADMIN' --store '$STORE' --keyfile '$KEYFILE' audit --user amy | grep -q 'config_error'"
pam_service badarg "bo\"gus"
pam_login amy 000000 -s badarg
is_result "odd bad argument: PAM_SERVICE_ERR" SERVICE_ERR
check "audit: the odd argument is escaped" bash -c \
	"'$TFA_ADMIN' --store '$STORE' --keyfile '$KEYFILE' audit | grep -qF '[bo\\x22gus]: unknown option'"
n1=$(tfa audit | grep -c 'config_error')
pam_service badarg store=relative.db
pam_login amy 000000 -s badarg
is_result "bad store= argument: PAM_SERVICE_ERR" SERVICE_ERR
n2=$(tfa audit | grep -c 'config_error')
check "bad store= itself: no store opened, no audit row ($n1 -> $n2)" test "$n2" -eq "$n1"
check "two config_error rows in all ($n0 -> $n2)" test "$n2" -eq $((n0 + 2))

# --- nothing leaks --------------------------------------------------------------
leak=""
for c in "${codes[@]}"; do
	[[ $c =~ ^[0-9]{6}$ ]] || continue
	if grep -awF -- "$c" "$LOG" >/dev/null; then leak+=" log:$c"; fi
	if tfa audit | grep -awF -- "$c" >/dev/null; then leak+=" audit:$c"; fi
done
if [ -z "$leak" ]; then ok "no code in syslog or the audit trail (${#codes[@]} codes)"
else not_ok "no code in syslog or the audit trail" "found:$leak"; fi

tap_done
