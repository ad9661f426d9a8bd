#!/usr/bin/env bash
# SPDX-License-Identifier: BSD-2-Clause
# t_pam_keyseal.sh - a login proves the store key with AES-GCM (meta
# key_seal: the key check sealed under the key), not with an HMAC, and
# derives the recovery pepper only when a recovery code is tried: a TOTP
# login calls no HMAC() (counted by tests/tools/hmac_count.so, preloaded).
# Without a seal that fits (none, garbage, a stale one, the wrong key file)
# the HMAC check decides, as before: the login works with the right key and
# is refused with the wrong one. tfa-admin init and rekey write the seal;
# any other read-write tfa-admin command writes a missing one.
. "$(dirname "$0")/pam_lib.sh"
pam_prereqs sqlite3
HMAC_SHIM=$TFA_BUILDDIR/tests/tools/.libs/hmac_count.so
if [ ! -f "$HMAC_SHIM" ]; then
	echo "not ok 1 - test tool built ($HMAC_SHIM)"
	echo "1..1"
	exit 1
fi
pam_setup
tfa policy set enabled yes >/dev/null
tfa policy set default_required yes >/dev/null
HLOG=$T/hmac.log
export TFA_HMAC_LOG=$HLOG
# the shim goes into the logins only (pamtester), not into tfa-admin
PRE="${TFA_PRELOAD:+$TFA_PRELOAD:}$HMAC_SHIM"
plogin() { : >"$HLOG"; TFA_PRELOAD=$PRE pam_login "$@"; }
KD=$T/keys
mkdir -m 700 "$KD"
for f in "$KD/wrong.key" "$KD/new.key"; do   # 32 random bytes in hex, mode 0600
	(umask 077; head -c 32 /dev/urandom | od -An -v -tx1 | tr -d ' \n' >"$f"; echo >>"$f")
done

seal() { sqlite3 "$STORE" "SELECT value FROM meta WHERE key='key_seal'"; }
# hmacs: HMAC() calls since the last call of hmacs
hmacs() { local n=0; [ -f "$HLOG" ] && n=$(wc -l <"$HLOG"); : >"$HLOG"; echo "$n"; }
# each login by another user: a TOTP code is accepted once per time step
declare -A SEC
for u in u1 u2 u3 u4 u5 u6 u7 u8 u9; do SEC[$u]=$(enroll_user "$u"); done
# login_totp USER DESC [pam_run options]: a TOTP login, SUCCESS expected
login_totp() {
	local u=$1 d=$2; shift 2
	plogin "$u" "$(totp "${SEC[$u]}")" "$@"
	is_result "$d" SUCCESS
}

check "tfa-admin init wrote the sealed key check" test -n "$(seal)"
: >"$HLOG"
fresh_step
login_totp u1 "a TOTP login with the sealed key check"
check "... called no HMAC (no key check HMAC, no pepper)" test "$(hmacs)" = 0

# the shim sees the calls it should: a recovery code needs the pepper
mapfile -t RC < <(tfa recovery u1 --count 2 | grep -E '^[0-9]{8}$')
plogin u1 "${RC[0]}"
is_result "a recovery code is accepted (the pepper derived when needed)" SUCCESS
check "... and that needed an HMAC (the shim counts)" test "$(hmacs)" -ge 1

sqlite3 "$STORE" "DELETE FROM meta WHERE key='key_seal'"
login_totp u2 "no sealed key check (a store from before): the login works"
check "... through the HMAC key check" test "$(hmacs)" -ge 1
tfa policy set enabled yes >/dev/null
check "a tfa-admin command (read-write) wrote the missing seal" test -n "$(seal)"
login_totp u3 "the next login works"
check "... without an HMAC" test "$(hmacs)" = 0

sqlite3 "$STORE" "UPDATE meta SET value='00' WHERE key='key_seal'"
fresh_step
login_totp u4 "a garbage seal: the login works (the HMAC check decides)"
check "... through the HMAC key check" test "$(hmacs)" -ge 1
tfa policy set enabled yes >/dev/null
check "a tfa-admin command (read-write) replaced the garbage seal" test "$(seal)" != 00

# a seal made under another key (another store's): not taken, HMAC decides
good=$(seal)
"$TFA_ADMIN" --store "$T/other.db" --keyfile "$KD/wrong.key" init >/dev/null
sqlite3 "$STORE" "UPDATE meta SET value='$(sqlite3 "$T/other.db" "SELECT value FROM meta WHERE key='key_seal'")' WHERE key='key_seal'"
login_totp u5 "another store's seal: the login works with the right key"
check "... through the HMAC key check" test "$(hmacs)" -ge 1
sqlite3 "$STORE" "UPDATE meta SET value='$good' WHERE key='key_seal'"

# the wrong key file, a seal present: refused as before, naming the mismatch
KEYFILE=$KD/wrong.key pam_service wrongkey
plogin u6 "$(totp "${SEC[u6]}")" -s wrongkey
is_result "the wrong key file, a seal present: refused" AUTHINFO_UNAVAIL
log_has "... naming the key mismatch" "not the key of store"

# rekey writes the seal of the new key; a roll-out (keyfile_next) opens it
tfa rekey "$KD/new.key" >/dev/null
old=$KEYFILE
KEYFILE=$KD/new.key
pam_service tfa
fresh_step
login_totp u6 "after rekey, the new key file: the login works"
check "... without an HMAC (rekey sealed the new key check)" test "$(hmacs)" = 0
KEYFILE=$old pam_service rollout "keyfile_next=$KD/new.key"
login_totp u7 "roll-out: keyfile=old keyfile_next=new after the rekey: the login works" -s rollout
check "... without an HMAC (the next key opens the seal)" test "$(hmacs)" = 0
plogin u1 "${RC[1]}"
is_result "after rekey a recovery code made before it works (the pepper kept)" SUCCESS
check "every one of the $PAM_RUNS logins logged an outcome line" test "$PAM_UNLOGGED" -eq 0

tap_done
