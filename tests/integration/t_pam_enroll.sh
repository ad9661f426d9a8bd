#!/usr/bin/env bash
# SPDX-License-Identifier: BSD-2-Clause
# backends: sqlite postgresql
# pam_twofactor.so first-login enrolment (pam_twofactor(8), FIRST-LOGIN
# ENROLMENT): a required user with no token is shown the QR and the URI as
# PAM text, types the first code and is enrolled; wrong codes activate
# nothing; no_enroll, PAM_SILENT, forward_pass and users unknown to the
# system never get a secret.
# Enrolled users must exist in passwd: the system accounts daemon, bin, sys,
# games, man, lp are used.
. "$(dirname "$0")/pam_lib.sh"
pam_prereqs expect
pam_setup
EXP=$(dirname "$0")/pam_enrol.exp
export PAMD
tfa policy set enabled yes >/dev/null
for u in daemon bin sys games man lp; do
	if ! id "$u" >/dev/null 2>&1; then
		printf "ok 1 - # SKIP %s\n1..1\n" "system user $u missing"
		exit 0
	fi
done

# enrol SERVICE USER right|wrong: run the expect script; sets ENROL_RC,
# ENROL_OUT (transcript) and ENROL_SECRET.
enrol() {
	ENROL_OUT=$T/enrol.$2.$3.out
	ENROL_RC=0
	rm -f "$T/secret"
	expect -f "$EXP" "$1" "$2" "$3" "$T/secret" >"$ENROL_OUT" 2>&1 || ENROL_RC=$?
	ENROL_SECRET=$(cat "$T/secret" 2>/dev/null || true)
	grep -a 'SYSLOG(' "$ENROL_OUT" | grep -v _pam_init_handlers | sed 's/.*SYSLOG([0-9]*): //' >>"$LOG"
	cat "$ENROL_OUT" >>"$OUTS"
}
# active USER: the number of active tokens of USER
active() { tfa --json show "$1" | grep -o '"active":[0-9]*' | head -n1 | cut -d: -f2; }

# --- success ---------------------------------------------------------------
fresh_step
tfa enable daemon >/dev/null
enrol tfa daemon right
check "first login: enrolment completed, authenticated (expect rc $ENROL_RC)" test "$ENROL_RC" -eq 0
check "the URI was shown as text" grep -aq "otpauth://totp/.*:daemon?secret=" "$ENROL_OUT"
check "the QR was drawn with block characters" grep -aqE '█|▀|▄' "$ENROL_OUT"
if have zbarimg; then
	tr -d '\r' <"$ENROL_OUT" | LC_ALL=C.UTF-8 grep -av PWRAP |
		LC_ALL=C.UTF-8 grep -aE '^[█▀▄ ]+$' >"$T/qr.txt"
	qr_text_to_pbm "$T/qr.txt" 4 >"$T/qr.pbm"
	shown_uri=$(tr -d '\r' <"$ENROL_OUT" | grep -ao 'URI: otpauth://[^ ]*' | head -n1 | cut -c6-)
	decoded=$(zbarimg -q --raw "$T/qr.pbm" 2>/dev/null)
	check "the QR shown at login decodes (zbarimg) to the URI shown" \
		test -n "$decoded" -a "$decoded" = "$shown_uri"
else
	skip "the QR shown at login decodes to the URI shown" "zbarimg not installed"
fi
check "the key was shown for typing by hand" grep -aqE 'key by hand: ([A-Z2-7]{4} )+' "$ENROL_OUT"
check "the token is active after the first code" test "$(active daemon)" = 1
first_secret=$ENROL_SECRET
c=$(totp "$first_secret")
pam_login daemon "$c"
is_result "the code used to enrol cannot be used again" AUTH_ERR
c=$(totp "$first_secret" -N "now + 30 seconds")
pam_login daemon "$c" -t "+30s"
is_result "next login: the new token's next code accepted" SUCCESS
check "audit: enrolment and confirmation by pam:tfa" bash -c \
	"'$TFA_ADMIN' --store '$STORE' --keyfile '$KEYFILE' audit --user daemon | grep -q 'enroll.*pam:tfa' &&
	 '$TFA_ADMIN' --store '$STORE' --keyfile '$KEYFILE' audit --user daemon | grep -q 'confirm'"

# the code is checked at the time it is typed, not when the module started
FTLIB=$FAKETIME_LIB
if [ -f "$FTLIB" ]; then
	export FTLIB FTFILE=$T/faketime
	tfa enable man >/dev/null
	fresh_step
	enrol tfa man late
	check "enrolment with the code typed 95 s after the QR was shown (expect rc $ENROL_RC)" \
		test "$ENROL_RC" -eq 0
else
	skip "enrolment with the code typed 95 s after the QR was shown" "no libfaketime"
fi

# --- change phone: reset, then enrol again at login ---------------------------
tfa reset daemon >/dev/null
fresh_step
enrol tfa daemon right
check "after reset: enrolment at login again (expect rc $ENROL_RC)" test "$ENROL_RC" -eq 0
check "after reset: a new secret" test -n "$ENROL_SECRET" -a "$ENROL_SECRET" != "$first_secret"
c=$(totp "$first_secret" -N "now + 60 seconds")
pam_login daemon "$c" -t "+60s"
is_result "after reset: the old phone's code refused" AUTH_ERR

# --- wrong codes -----------------------------------------------------------------
tfa enable bin >/dev/null
enrol tfa bin wrong
check "three wrong codes: refused (expect rc $ENROL_RC)" test "$ENROL_RC" -eq 1
check "three wrong codes: nothing activated" test "$(active bin)" = 0
check "three wrong codes: user told nothing changed" grep -aq 'nothing was changed' "$ENROL_OUT"
c=$(totp "$ENROL_SECRET")
pam_service noenrol no_enroll
pam_login bin "$c" -s noenrol
is_result "after a failed enrolment the shown secret's code does not log in" AUTH_ERR

# --- no secret handed out -------------------------------------------------------
no_secret() { # DESC: the last run showed no otpauth URI and was refused
	if grep -aq 'otpauth://' "$PAM_OUT"; then not_ok "$1: no secret shown"
	else ok "$1: no secret shown"; fi
	is_result "$1: refused" AUTH_ERR
}
tfa enable sys >/dev/null
pam_login sys 123456 -s noenrol
no_secret "no_enroll"
check "no_enroll: user told to contact the administrator" grep -aq 'Contact your administrator' "$PAM_OUT"
pam_login sys 123456 -f PAM_SILENT
no_secret "PAM_SILENT"
pam_service fwd forward_pass
pam_login sys 123456 -s fwd
no_secret "forward_pass (runs before the password check)"
tfa enable ghost >/dev/null
pam_login ghost 123456
no_secret "user unknown to the system"
pam_run -n sys ""
is_result "conversation ends (end of input) during enrolment: refused" AUTH_ERR
log_has "conversation failure logged" 'conversation failed'
check "sys: still no token after all that" test "$(active sys)" = 0

# --- enroll_at_login=no: an admin-issued pending token is confirmed at login ------
tfa policy set enroll_at_login no >/dev/null
tfa enable games >/dev/null
pam_login games 123456
no_secret "enroll_at_login=no, no pending token"
uri=$(tfa --json enroll games --no-qr --no-confirm </dev/null)
s=$(secret_from_uri "$uri")
check "admin issued a pending token" test "$(active games)" = 0 -a -n "$s"
fresh_step
c=$(totp "$s")
pam_login games "$c"
is_result "enroll_at_login=no: the pending token's code confirms it at login" SUCCESS
check "the pending token is now active" test "$(active games)" = 1
if grep -aq 'otpauth://' "$PAM_OUT"; then not_ok "confirming a pending token shows no new secret"
else ok "confirming a pending token shows no new secret"; fi
tfa policy set enroll_at_login yes >/dev/null

# --- reset of a user who opted in (has a token, not required by policy) ------------
# lp gets a token from the admin, no per-user setting, and policy requires
# nobody: opted in. A reset must not leave lp with the password alone.
mustenrol() { tfa --json show lp | grep -o '"must_enroll":[a-z]*' | cut -d: -f2; }
s_lp=$(enroll_user lp)
fresh_step
pam_login lp "$(totp "$s_lp")"
is_result "opted-in user: asked for a code, accepted" SUCCESS
out=$(tfa reset lp)
check "reset of an opted-in user: says the user must enrol again at the next login" \
	grep -q 'lp must enrol again: at the next login' <<<"$out"
check "show: must enrol again" bash -c \
	"'$TFA_ADMIN' --store '$STORE' --keyfile '$KEYFILE' show lp | grep -q '^must enrol: *yes'"
check "show --json: must_enroll true" test "$(mustenrol)" = true
check "show: required by the reset" bash -c \
	"'$TFA_ADMIN' --store '$STORE' --keyfile '$KEYFILE' show lp | grep -q '^2FA required: yes (reset: must enrol again)'"
pam_login lp 123456 -s noenrol
no_secret "reset opted-in user, no_enroll"
check "reset, no_enroll: told to contact the administrator" grep -aq 'Contact your administrator' "$PAM_OUT"
tfa policy set enroll_at_login no >/dev/null
pam_login lp 123456
no_secret "reset opted-in user, enroll_at_login=no"
check "reset, enroll_at_login=no: told to contact the administrator" \
	grep -aq 'Contact your administrator' "$PAM_OUT"
tfa enroll lp --activate --no-qr </dev/null >/dev/null
out=$(tfa reset lp)
check "reset with enroll_at_login=no: says logins are refused until tfa-admin enroll" \
	grep -q 'run "tfa-admin enroll lp" (enroll_at_login=no' <<<"$out"
tfa policy set enroll_at_login yes >/dev/null
fresh_step
enrol tfa lp right
check "reset opted-in user: enrols at the next login (expect rc $ENROL_RC)" test "$ENROL_RC" -eq 0
check "the enrolment at login cleared must_enroll" test "$(mustenrol)" = false
tfa reset lp >/dev/null
tfa default lp >/dev/null
check "tfa-admin default clears must_enroll" test "$(mustenrol)" = false
pam_login lp 123456
is_result "after reset + default: lp is not required (policy) and has no token" IGNORE
tfa enroll lp --activate --no-qr </dev/null >/dev/null
tfa reset lp >/dev/null
tfa disable lp >/dev/null
check "tfa-admin disable clears must_enroll" test "$(mustenrol)" = false
tfa default lp >/dev/null
tfa enroll lp --activate --no-qr </dev/null >/dev/null
tfa reset lp >/dev/null
tfa enroll lp --activate --no-qr </dev/null >/dev/null
check "tfa-admin enroll --activate clears must_enroll" test "$(mustenrol)" = false

# --- no code or secret in logs or the audit trail --------------------------------
leak=""
for sec in "$first_secret" "$ENROL_SECRET" "$s"; do
	[ -n "$sec" ] || continue
	grep -aqF "$sec" "$LOG" && leak+=" log:secret"
	tfa audit | grep -aqF "$sec" && leak+=" audit:secret"
done
if [ -z "$leak" ]; then ok "no secret in syslog or the audit trail"
else not_ok "no secret in syslog or the audit trail" "found:$leak"; fi

tap_done
