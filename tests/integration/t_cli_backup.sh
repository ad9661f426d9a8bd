#!/usr/bin/env bash
# SPDX-License-Identifier: BSD-2-Clause
# t_cli_backup.sh - tfa-admin backup FILE [--force] and restore FILE:
# a backup is a complete 0600 store, never overwrites without --force, is
# valid while logins run; restoring an old backup keeps the newer replay
# state - a TOTP or HOTP code, a recovery code used after the backup stays
# refused, a reset stays a reset, a lockout stays - in place (same inode),
# and says what it could not carry over; a garbage, empty or other-key
# backup is refused and the store left unchanged; an unreadable store is
# replaced (its stale -wal removed) with every TOTP code up to now refused.
. "$(dirname "$0")/pam_lib.sh"
pam_prereqs sqlite3
pam_setup
tfa policy set enabled yes >/dev/null
tfa policy set default_required yes >/dev/null

B1=$T/backups/b1.db
mkdir -m 700 "$T/backups"

# rc_of CMD...: run CMD, its exit status in $rc, stdout in $out, stderr in $err
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
# state: what a user sees of the store (list, policy) plus the audit length
state() { tfa list; tfa policy show; tfa audit | wc -l; }

# ------------------------------------------------------------ the users
sa=$(enroll_user alice)                              # totp
sb=$(tfa --json enroll bob --type hotp --activate --no-qr </dev/null | sed -n 's/.*secret=\([A-Z2-7]*\).*/\1/p')
sc=$(enroll_user carol)                              # reset after the backup
se=$(enroll_user eve)                                # locked out after the backup
mapfile -t RA < <(tfa recovery alice --count 3 | grep -E '^[0-9]{8}$')
check "alice got 3 recovery codes" test "${#RA[@]}" -eq 3
check "all secrets issued" test -n "$sa" -a -n "$sb" -a -n "$sc" -a -n "$se"

# ------------------------------------------------------------ backup
want_rc "backup without FILE: exit 2" 2 tfa backup
want_rc "backup FILE" 0 tfa backup "$B1"
check "backup: the file is there" test -s "$B1"
check "backup: mode 0600" test "$(stat -c %a "$B1")" = 600
check "backup: a self-contained file (rollback journal, not WAL)" \
	test "$(sqlite3 "$B1" 'PRAGMA journal_mode')" = delete
check "backup: SQLite's integrity check passes" test "$(sqlite3 "$B1" 'PRAGMA integrity_check')" = ok
check "backup: no temporary file left" test "$(ls "$T/backups")" = b1.db
check "backup: the backup opens as a store with the key" \
	bash -c "'$TFA_ADMIN' --store '$B1' --keyfile '$KEYFILE' list | grep -q alice"
cp "$B1" "$T/b1.copy"
want_rc "backup onto an existing FILE: refused, exit 4" 4 tfa backup "$B1"
check "the refusal names the file and --force" grep -q "$B1 exists.*--force" <<<"$err"
check "the existing FILE is unchanged" cmp -s "$B1" "$T/b1.copy"
want_rc "backup --force replaces FILE" 0 tfa backup "$B1" --force
check "backup --force: still mode 0600" test "$(stat -c %a "$B1")" = 600
want_rc "backup --force onto the store itself: refused, exit 2" 2 tfa backup "$STORE" --force
check "the refusal says it is the store" grep -q 'is the store itself' <<<"$err"
check "the store is still a store" bash -c "'$TFA_ADMIN' --store '$STORE' --keyfile '$KEYFILE' list | grep -q alice"
check "backup is in the audit trail, naming the file" bash -c \
	"'$TFA_ADMIN' --store '$STORE' --keyfile '$KEYFILE' audit | grep -qE 'backup +tfa-admin to $B1'"

# ------------------------------------------------------------ after the backup
fresh_step
ca=$(totp "$sa")
step_used=$(( $(date +%s) / 30 ))
pam_login alice "$ca"
is_result "alice logs in with a TOTP code after the backup" SUCCESS
pam_login alice "${RA[0]}"
is_result "alice logs in with a recovery code after the backup" SUCCESS
want_rc "bob's HOTP code 0 is accepted after the backup" 0 tfa verify bob "$(oathtool -b -c 0 "$sb")"
want_rc "carol is reset after the backup (change phone)" 0 tfa reset carol
for _ in 1 2 3 4 5 6 7 8 9 10; do tfa verify eve 000000 >/dev/null 2>&1; done
want_rc "eve is locked out after 10 failures" 5 tfa verify eve "$(totp "$se")"
sd=$(enroll_user dave)                               # only in the current store
check "dave enrolled after the backup" test -n "$sd"

# the hazard restore must avoid: a plain copy of the backup over the store
cp -a "$T/var" "$T/var.naive"
cp "$B1" "$T/var.naive/tfa.db"
rm -f "$T/var.naive/tfa.db-wal" "$T/var.naive/tfa.db-shm"
want_rc "(control) over a cp of the backup, the used HOTP code works again" 0 \
	"$TFA_ADMIN" --store "$T/var.naive/tfa.db" --keyfile "$KEYFILE" verify bob "$(oathtool -b -c 0 "$sb")"

# ------------------------------------------------------------ restore
ino=$(stat -c %i "$STORE")
want_rc "restore FILE" 0 tfa restore "$B1"
check "restore: the store keeps its inode (in place)" test "$(stat -c %i "$STORE")" = "$ino"
check "restore names dave's token as not carried over" grep -q 'not carried over: dave: totp token .* not in the backup' <<<"$out"
check "restore says carol's revocation stays" grep -q 'carol: token .* revoked after the backup' <<<"$out"
check "restore says alice's used recovery code stays unusable" grep -q 'alice: 1 recovery code.* stay unusable' <<<"$out"
check "restore prints no code or secret" bash -c "! grep -qE '$ca|${RA[0]}|$sa|$sb' <<<\"\$0\"" "$out"
pam_login alice "$ca"
is_result "the TOTP code used after the backup is still refused" AUTH_ERR
pam_login alice "${RA[0]}"
is_result "the recovery code used after the backup stays used" AUTH_ERR
pam_login alice "${RA[1]}"
is_result "an unused recovery code still works" SUCCESS
want_rc "bob's HOTP code 0, used after the backup, is still refused" 1 tfa verify bob "$(oathtool -b -c 0 "$sb")"
want_rc "bob's next HOTP code works" 0 tfa verify bob "$(oathtool -b -c 1 "$sb")"
rc_of tfa verify carol "$(totp "$sc")"
check "carol's old phone stays revoked (code not accepted)" test "$rc" != 0
want_rc "eve stays locked out" 5 tfa verify eve "$(totp "$se")"
check "the audit trail keeps the logins after the backup and records the restore" bash -c \
	"'$TFA_ADMIN' --store '$STORE' --keyfile '$KEYFILE' audit | grep -q 'reset' &&
	 '$TFA_ADMIN' --store '$STORE' --keyfile '$KEYFILE' audit | grep -qE 'restore +tfa-admin from $B1'"
check "no -wal of the restore left next to the store" bash -c "! ls '$T/var' | grep -q restore"
want_rc "restore --json" 0 tfa --json restore "$B1"
check "restore --json: one object with current_read true" \
	test "$(jq -r '.current_read' <<<"$out")" = true
check "restore --json: notes are objects with user and note" \
	test "$(jq -r '[.notes[] | select(.note != null)] | length > 0' <<<"$out")" = true

# ------------------------------------------------------------ refused backups
before=$(state)
head -c 8192 /dev/urandom >"$T/garbage.db"; chmod 600 "$T/garbage.db"
want_rc "restore of a garbage file: refused, exit 4" 4 tfa restore "$T/garbage.db"
check "the refusal names the file" grep -q "$T/garbage.db" <<<"$err"
check "after the garbage: the store is unchanged" test "$(state)" = "$before"
: >"$T/empty.db"; chmod 600 "$T/empty.db"
want_rc "restore of an empty file: refused, exit 4" 4 tfa restore "$T/empty.db"
want_rc "restore of a missing file: exit 4" 4 tfa restore "$T/nonesuch.db"
sqlite3 "$T/foreign.db" 'CREATE TABLE x(y); INSERT INTO x VALUES(1)'; chmod 600 "$T/foreign.db"
want_rc "restore of a foreign SQLite file: refused, exit 4" 4 tfa restore "$T/foreign.db"
check "the refusal names the file" grep -q "$T/foreign.db" <<<"$err"
mkdir -m 700 "$T/other"
"$TFA_ADMIN" --store "$T/other/tfa.db" --keyfile "$T/other/tfa.key" init >/dev/null
"$TFA_ADMIN" --store "$T/other/tfa.db" --keyfile "$T/other/tfa.key" backup "$T/other.bak" >/dev/null
want_rc "restore of another key's backup: refused, exit 4" 4 tfa restore "$T/other.bak"
check "the refusal names the file and the key" grep -q "$T/other.bak.*key" <<<"$err"
check "after the refusals: the store is unchanged" test "$(state)" = "$before"

# ------------------------------------------------------------ backup under load
lu=$(enroll_user load)
fails=0
(
	end=$((SECONDS + 6))
	while [ $SECONDS -lt $end ]; do pam_login load 000000 >/dev/null 2>&1; done
) &
w1=$!
(
	end=$((SECONDS + 6))
	while [ $SECONDS -lt $end ]; do tfa verify bob 000000 >/dev/null 2>&1; done
) &
w2=$!
for i in 1 2 3 4 5; do
	tfa backup "$T/backups/load$i.db" >/dev/null 2>"$T/load.err" || fails=$((fails + 1))
	sleep 0.5
done
wait "$w1" "$w2"
check "5 backups while logins run: all written" test "$fails" = 0 -a -n "$lu"
good=0
for i in 1 2 3 4 5; do
	[ "$(sqlite3 "$T/backups/load$i.db" 'PRAGMA integrity_check')" = ok ] &&
	"$TFA_ADMIN" --store "$T/backups/load$i.db" --keyfile "$KEYFILE" list >/dev/null 2>&1 &&
	good=$((good + 1))
done
check "each backup taken under load is a valid store" test "$good" = 5
want_rc "restore of a backup taken under load" 0 tfa restore "$T/backups/load5.db"

# ------------------------------------------------------------ unreadable store
# a time step after the one whose code alice used above (the restores
# keep it used): wait for it if the tests above ran within that step
while [ $(( $(date +%s) / 30 )) -le "$step_used" ]; do sleep 1; done
fresh_step
ca=$(totp "$sa")
pam_login alice "$ca"
is_result "alice logs in (the code before the store is lost)" SUCCESS
ino=$(stat -c %i "$STORE")
head -c 65536 /dev/urandom >"$STORE"                 # same inode: overwritten
head -c 4096 /dev/urandom >"$STORE-wal"              # a stale WAL next to it
gw=$(sha256sum <"$STORE-wal")
want_rc "the garbage store is refused" 4 tfa list
want_rc "restore over an unreadable store" 0 tfa restore "$B1"
check "restore says the current store could not be read" grep -q 'could not be read' <<<"$out"
check "restore says which HOTP counter could not be checked" grep -q "bob: hotp token .* could not be carried over" <<<"$out"
check "the store keeps its inode" test "$(stat -c %i "$STORE")" = "$ino"
check "the restored store is usable" bash -c "'$TFA_ADMIN' --store '$STORE' --keyfile '$KEYFILE' list | grep -q alice"
check "the stale WAL is gone" bash -c "test ! -e '$STORE-wal' || test \"\$(sha256sum <'$STORE-wal')\" != '$gw'"
pam_login alice "$ca"
is_result "even so, the TOTP code used before the loss is refused" AUTH_ERR

cp "$B1" "$T/b1.save"
dd if=/dev/urandom of="$STORE" bs=4096 seek=2 count=3 conv=notrunc 2>/dev/null   # damaged pages
rc_of tfa list
check "a store with damaged pages is refused (exit $rc)" test "$rc" = 4
want_rc "restore over a store with damaged pages" 0 tfa restore "$B1"
check "... says it is corrupt" grep -q 'could not be read (it is corrupt)' <<<"$out"
check "... and the restored store passes the integrity check" \
	test "$(sqlite3 "$STORE" 'PRAGMA integrity_check')" = ok
check "restore never changes the backup file" cmp -s "$B1" "$T/b1.save"

tap_done
