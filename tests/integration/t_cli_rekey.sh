#!/usr/bin/env bash
# SPDX-License-Identifier: BSD-2-Clause
# t_cli_rekey.sh - tfa-admin rekey NEWKEYFILE (SQLite): every secret is
# re-encrypted under the new key in one transaction; afterwards the old key
# file no longer opens the store (exit 4, key mismatch), the new one
# verifies TOTP codes, recovery codes made before the rekey and PAM logins;
# the store never holds a secret in clear; a missing NEWKEYFILE is created
# (0600), a bad one (mode 0644, the current key) is refused with nothing
# changed; a second rekey keeps the recovery codes working; a key roll-out
# (keyfile_next= / --keyfile-next / TFA_KEYFILE_NEXT) keeps PAM logins and
# tfa-admin working before and after the rekey, and a next key that is not
# the store's either is refused naming both files.
. "$(dirname "$0")/pam_lib.sh"
pam_prereqs sqlite3 python3
pam_setup
tfa policy set enabled yes >/dev/null
tfa policy set default_required yes >/dev/null

rc_of() {
	local ef=$T/rc_of.err
	out=$("$@" 2>"$ef")
	rc=$?
	err=$(cat "$ef")
}
want_rc() { # DESC WANT CMD...
	local desc=$1 want=$2
	shift 2
	rc_of "$@"
	if [ "$rc" = "$want" ]; then ok "$desc"
	else not_ok "$desc" "exit $rc, wanted $want" "stderr: $err" "stdout: ${out:0:400}"; fi
}
# tfa-admin with another key file
tfak() { local k=$1; shift; "$TFA_ADMIN" --store "$STORE" --keyfile "$k" "$@"; }
# the store's rows as text (the state a failed rekey must leave alone)
dump() { sqlite3 "$STORE" .dump; }
# no_clear DESC SECRET: the store files hold neither the base32 text nor
# the raw bytes of SECRET
no_clear() {
	if python3 - "$2" "$STORE" "$STORE-wal" <<'PY'
import base64, os, sys
s = sys.argv[1]
raw = base64.b32decode(s + "=" * (-len(s) % 8))
for f in sys.argv[2:]:
    if not os.path.exists(f):
        continue
    data = open(f, "rb").read()
    if raw in data or s.encode() in data or s.lower().encode() in data:
        sys.exit(1)
PY
	then ok "$1"; else not_ok "$1" "the secret is in the store file in clear"; fi
}

sa=$(enroll_user alice)
sb=$(enroll_user bob)
enroll_user carol >/dev/null
tfa reset carol >/dev/null          # a revoked token: its secret wiped, nothing to re-encrypt
mapfile -t RA < <(tfa recovery alice --count 3 | grep -E '^[0-9]{8}$')
check "alice has 3 recovery codes" test "${#RA[@]}" -eq 3
check "secrets issued" test -n "$sa" -a -n "$sb"

# ------------------------------------------------------------ refusals
NK=$T/newkeys/tfa.key.new
mkdir -m 700 "$T/newkeys"
tok=$(sqlite3 "$STORE" 'SELECT hex(secret) FROM tokens ORDER BY id')
before=$(dump)
want_rc "rekey without NEWKEYFILE: usage error" 2 tfa rekey
umask 022
python3 -c 'import os; print(os.urandom(32).hex())' >"$T/newkeys/loose.key"
chmod 644 "$T/newkeys/loose.key"
umask 077
want_rc "rekey to a key file of mode 0644: refused, exit 4" 4 tfa rekey "$T/newkeys/loose.key"
check "the refusal names the file" grep -q "loose.key" <<<"$err"
check "... and the store is unchanged" test "$(dump)" = "$before"
want_rc "... and the old key still opens it" 0 tfa list
want_rc "rekey to the current key file: refused" 2 tfa rekey "$KEYFILE"
check "the refusal says it is the current key" grep -q "current key" <<<"$err"
check "... and the store is unchanged" test "$(dump)" = "$before"
check "... no audit row rekey" test "$(tfa audit | grep -c rekey)" = 0

# ------------------------------------------------------------ rekey
want_rc "rekey to a new (missing) key file" 0 tfa rekey "$NK"
check "it says the secrets were re-encrypted" grep -q "2 token secrets re-encrypted" <<<"$out"
check "it says to install the new key file on every host" grep -q "install .*tfa.key.new.* every host" <<<"$out"
check "it says logins fail closed until then" grep -q "fail closed" <<<"$out"
check "the new key file exists, mode 0600" test "$(stat -c %a "$NK" 2>/dev/null)" = 600
check "the new key file is a key (64 hex digits)" grep -qxE '[0-9a-f]{64}' "$NK"
check "the new key differs from the old" test "$(cat "$NK")" != "$(cat "$KEYFILE")"
check "every secret was rewritten" \
	test "$(sqlite3 "$STORE" 'SELECT hex(secret) FROM tokens ORDER BY id')" != "$tok"
check "the sealed pepper is in meta" test -n "$(sqlite3 "$STORE" "SELECT value FROM meta WHERE key='pepper'")"

want_rc "the old key file: refused, exit 4" 4 tfa list
check "... naming the key mismatch" grep -q "is not the key of store" <<<"$err"
want_rc "audit with the new key: one rekey row" 0 tfak "$NK" audit
check "... the audit row names the new key file" grep -q "rekey.*tfa.key.new" <<<"$out"

fresh_step
want_rc "verify alice's TOTP code with the new key" 0 tfak "$NK" verify alice "$(totp "$sa")"
want_rc "verify a recovery code made before the rekey" 0 tfak "$NK" verify alice "${RA[0]}"
want_rc "... the same recovery code again: rejected" 1 tfak "$NK" verify alice "${RA[0]}"

KEYFILE=$NK pam_service newkey
pam_login bob "$(totp "$sb")" -s newkey
is_result "PAM login with keyfile=NEW: accepted" SUCCESS
pam_login bob "$(totp "$sb")" -s tfa
is_result "PAM login with the old key file: refused (fail closed: unavailable)" AUTHINFO_UNAVAIL
log_has "... the log names the key mismatch" "not the key of store"

no_clear "alice's secret is not in the store in clear" "$sa"
no_clear "bob's secret is not in the store in clear" "$sb"

# ------------------------------------------------------------ again
NK2=$T/newkeys/second.key
want_rc "a second rekey" 0 tfak "$NK" rekey "$NK2"
want_rc "a recovery code from before both rekeys still works" 0 tfak "$NK2" verify alice "${RA[1]}"
want_rc "the first new key is refused now" 4 tfak "$NK" list
want_rc "JSON: rekey back onto a fresh file" 0 tfak "$NK2" --json rekey "$T/newkeys/third.key"
check_json() { python3 -c 'import json,sys; o=json.load(sys.stdin); sys.exit(0 if o["created"] is True and o["tokens"] == 2 else 1)' <<<"$1"; }
check "JSON: created and tokens" check_json "$out"
want_rc "an unreadable NEWKEYFILE directory: refused" 4 tfak "$T/newkeys/third.key" rekey "$T/newkeys/loose.key/x"
check "... no file left behind" test ! -e "$T/newkeys/loose.key/x"

# ------------------------------------------------------------ a roll-out without a flag day
# the hosts get the next key first (keyfile_next=, --keyfile-next), then
# rekey makes it the store's; no host fails in between
K3=$T/newkeys/third.key
NEXT=$T/newkeys/next.key
WRONG=$T/newkeys/wrong.key
for f in "$NEXT" "$WRONG"; do   # as README says: 32 random bytes in hex, mode 0600
	(umask 077; head -c 32 /dev/urandom | od -An -v -tx1 | tr -d ' \n' >"$f"; echo >>"$f")
done
sd=$(KEYFILE=$K3 enroll_user dave)
se=$(KEYFILE=$K3 enroll_user erin)
sf=$(KEYFILE=$K3 enroll_user fay)
check "dave, erin and fay enrolled under the current key" test -n "$sd" -a -n "$se" -a -n "$sf"
KEYFILE=$K3 pam_service rollout "keyfile_next=$NEXT"
fresh_step
pam_login dave "$(totp "$sd")" -s rollout
is_result "roll-out: PAM login with keyfile=CURRENT keyfile_next=NEXT before the rekey" SUCCESS
want_rc "roll-out: tfa-admin --keyfile CURRENT --keyfile-next NEXT before the rekey" 0 \
	tfak "$K3" --keyfile-next "$NEXT" list
want_rc "roll-out: rekey onto the NEXT key file the hosts already have" 0 tfak "$K3" rekey "$NEXT"
check "... it used that file (not created)" test "$(stat -c %a "$NEXT")" = 600 -a -n "$(grep -xE '[0-9a-f]{64}' "$NEXT")"
pam_login erin "$(totp "$se")" -s rollout
is_result "roll-out: the same PAM stack after the rekey: accepted (the next key is the store's)" SUCCESS
want_rc "roll-out: TFA_KEYFILE_NEXT in the environment after the rekey" 0 \
	env TFA_KEYFILE_NEXT="$NEXT" "$TFA_ADMIN" --store "$STORE" --keyfile "$K3" verify fay "$(totp "$sf")"
KEYFILE=$K3 pam_service rollwrong "keyfile_next=$WRONG"
pam_login dave "$(totp "$sd")" -s rollwrong
is_result "roll-out: a keyfile_next that is not the key either: refused (fail closed)" AUTHINFO_UNAVAIL
log_has "... the log names both files" "neither key file .*third.key nor .*wrong.key"
want_rc "roll-out: --keyfile-next that is not the key: exit 4" 4 tfak "$K3" --keyfile-next "$WRONG" list
want_rc "roll-out: the old key alone after the rekey: exit 4" 4 tfak "$K3" list
want_rc "roll-out: the new key as the key file" 0 tfak "$NEXT" list
cp "$NEXT" "$K3"    # the hosts' key file replaced by the new key at the end of the roll-out

# ------------------------------------------------------------ a failure inside the transaction
sqlite3 "$STORE" "UPDATE tokens SET secret=x'01000000000000000000000000aabbccddeeff00112233445566778899' WHERE user='bob'"
before=$(dump)
want_rc "a secret that does not decrypt: rekey refused, exit 4" 4 tfak "$K3" rekey "$T/newkeys/fourth.key"
check "... naming the token and the current key" grep -q "token .* (user bob) does not decrypt with the current key" <<<"$err"
check "... the store is unchanged" test "$(dump)" = "$before"
check "... and the key file it had created is removed" test ! -e "$T/newkeys/fourth.key"

tap_done
