#!/usr/bin/env bash
# SPDX-License-Identifier: BSD-2-Clause
# t_pg_migrate.sh - tfa-admin migrate --to URL: a SQLite store (TOTP users,
# a used code, recovery codes one of them used, a lockout, policy, a pending
# and a revoked token, a card in stock) copied into a private PostgreSQL
# cluster (set up as in t_pg.sh), then logins through pam_wrapper +
# pamtester with store=URL: the replay state, recovery codes, lockout and
# policy came along. The refusals (target not empty, not initialised, the
# source PostgreSQL), the hold on the SQLite store during the copy (a login
# meanwhile waits), and the time a 10,000-user store takes. Plain mode
# only, as t_pg.sh.
. "$(dirname "$0")/pam_lib.sh"

. "$(dirname "$0")/pg_lib.sh"
pg_cluster "migrate to PostgreSQL"


URI="postgresql://tfa@127.0.0.1:$PORT/twofactor"
db() { "${PSQL[@]}" -d "${2:-twofactor}" -c "$1"; }
SQ=$STORE                 # the SQLite store pam_setup made
lite() { sqlite3 "$SQ" "$1"; }
pgtfa() { "$TFA_ADMIN" --store "$URI" --keyfile "$KEYFILE" "$@"; }
have sqlite3 || { echo "Bail out! sqlite3 (the command) is needed to count the source rows"; exit 1; }
T0=$(date +%s)
code() { oathtool --totp -b "$1" -N "@$(( T0 + $2 * 30 ))"; }

# ---- the SQLite store ----
tfa policy set enabled yes >/dev/null
tfa policy set window 4 >/dev/null
tfa policy set max_failures 3 >/dev/null
tfa policy set lockout_seconds 3600 >/dev/null
tfa policy set issuer "Migrate Test" >/dev/null
S_A=$(enroll_user alice) && [ -n "$S_A" ] || { echo "Bail out! enroll alice"; exit 1; }
S_B=$(enroll_user bob) && [ -n "$S_B" ] || { echo "Bail out! enroll bob"; exit 1; }
S_C=$(enroll_user carol) && [ -n "$S_C" ] || { echo "Bail out! enroll carol"; exit 1; }
S_H=$(enroll_user holden) && [ -n "$S_H" ] || { echo "Bail out! enroll holden"; exit 1; }
tfa enroll erin --no-qr </dev/null >/dev/null 2>&1      # pending
enroll_user frank >/dev/null && tfa reset frank >/dev/null   # revoked, must enrol
USED=$(code "$S_A" 0)
pam_login alice "$USED"
is_result "SQLite: alice logs in with a code" SUCCESS
RCODES=$(tfa --json recovery bob --count 3 | jq -r '.codes[]')
R1=$(sed -n 1p <<<"$RCODES"); R2=$(sed -n 2p <<<"$RCODES")
pam_login bob "$R1"
is_result "SQLite: bob logs in with a recovery code" SUCCESS
for _ in 1 2 3; do pam_login carol "$(wrong_code "$(code "$S_C" 0)")"; done
pam_login carol "$(code "$S_C" 1)"
is_result "SQLite: carol is locked out after 3 failures" MAXTRIES
pam_login alice "$USED"
is_result "SQLite: the used code is refused" AUTH_ERR

# ---- refusals ----
"${PSQL[@]}" -c "CREATE DATABASE empty OWNER tfa" postgres >/dev/null
out=$(tfa migrate --to "postgresql://tfa@127.0.0.1:$PORT/empty" 2>&1); rc=$?
if [ $rc -eq 4 ] && grep -q 'tfa-admin init' <<<"$out"; then ok "migrate to an uninitialised database: exit 4 naming tfa-admin init"
else not_ok "migrate to an uninitialised database: exit 4 naming tfa-admin init" "rc=$rc" "$out"; fi
[ -z "$(db "SELECT to_regclass('users')" empty)" ] && ok "... and it is left without a schema" ||
	not_ok "... and it is left without a schema"
out=$(tfa migrate 2>&1); rc=$?
[ $rc -eq 2 ] && grep -q -- '--to' <<<"$out" && ok "migrate without --to: exit 2" ||
	not_ok "migrate without --to: exit 2" "rc=$rc" "$out"
out=$(tfa migrate --to /var/tmp/x.db 2>&1); rc=$?
[ $rc -eq 2 ] && grep -q 'postgresql://' <<<"$out" && ok "migrate --to a path: exit 2, asks for a postgresql:// URI" ||
	not_ok "migrate --to a path: exit 2, asks for a postgresql:// URI" "rc=$rc" "$out"
"${PSQL[@]}" -c "CREATE DATABASE otherkey OWNER tfa" postgres >/dev/null
OTHER="postgresql://tfa@127.0.0.1:$PORT/otherkey"
"$TFA_ADMIN" --store "$OTHER" --keyfile "$T/etc/other.key" init >/dev/null ||
	{ echo "Bail out! init otherkey"; exit 1; }
out=$(tfa migrate --to "$OTHER" 2>&1); rc=$?
if [ $rc -eq 4 ] && grep -qi 'key' <<<"$out"; then ok "migrate to a database of another key: exit 4, names the key"
else not_ok "migrate to a database of another key: exit 4, names the key" "rc=$rc" "$out"; fi
[ "$(db "SELECT count(*) FROM users" otherkey)" = 0 ] && ok "... nothing copied" || not_ok "... nothing copied"
pgtfa init >/dev/null || { echo "Bail out! tfa-admin init --store URI"; exit 1; }
out=$(pgtfa migrate --to "$URI" 2>&1); rc=$?
if [ $rc -eq 4 ] && grep -q 'PostgreSQL' <<<"$out"; then ok "migrate from a PostgreSQL store: exit 4, says why"
else not_ok "migrate from a PostgreSQL store: exit 4, says why" "rc=$rc" "$out"; fi

# ---- the copy; a login meanwhile waits (the SQLite store is held) ----
AUDIT_SRC=$(lite "SELECT count(*) FROM audit")
# hold the target's audit table so the copy stalls with the SQLite store held
"${PSQL[@]}" -d twofactor -c "BEGIN; LOCK TABLE audit IN SHARE MODE; SELECT pg_sleep(5); COMMIT" \
	>/dev/null 2>&1 &
HOLD=$!
sleep 1
tfa migrate --to "$URI" >"$T/migrate.out" 2>&1 &
MIG=$!
sleep 1.5
t1=$(date +%s%N)
pam_login holden "$(code "$S_H" 0)"
t2=$(date +%s%N)
wait "$MIG"; rc=$?
wait "$HOLD"
out=$(cat "$T/migrate.out")
waited=$(( (t2 - t1) / 1000000 ))
if [ $rc -eq 0 ]; then ok "tfa-admin migrate --to URI"
else not_ok "tfa-admin migrate --to URI" "rc=$rc" "$out"; fi
is_result "a login on the SQLite store during the copy completes after it" SUCCESS
if [ "$waited" -ge 1500 ]; then ok "... having waited for the copy (${waited} ms)"
else not_ok "... having waited for the copy (${waited} ms)" "the SQLite store was not held"; fi
want() { # DESC LABEL N: the printed count
	if grep -qx "$2 $3" <<<"$out"; then ok "$1: $2 $3"
	else not_ok "$1: $2 $3" "$out"; fi
}
want "counts printed" users "$(lite "SELECT count(*) FROM users")"
want "counts printed" tokens "$(lite "SELECT count(*) FROM tokens")"
want "counts printed" "recovery codes" "$(lite "SELECT count(*) FROM recovery")"
# the source's own "migrate" row is copied, holden's login came after
want "counts printed" "audit rows" "$((AUDIT_SRC + 1))"
for t in users tokens recovery policy; do
	s=$(lite "SELECT count(*) FROM $t"); p=$(db "SELECT count(*) FROM $t")
	[ "$s" = "$p" ] && ok "$t: $p rows in both" || not_ok "$t: $p rows in both" "sqlite $s, postgresql $p"
done
[ "$(lite "SELECT count(*) FROM audit WHERE event='migrate' AND detail LIKE '%to postgresql://%'")" = 1 ] &&
	ok "a migrate row in the SQLite store" || not_ok "a migrate row in the SQLite store"
[ "$(db "SELECT count(*) FROM audit WHERE event='migrate' AND detail LIKE '%from $SQ'")" = 1 ] &&
	[ "$(db "SELECT count(*) FROM audit WHERE event='migrate' AND detail LIKE '%to $URI'")" = 1 ] &&
	ok "a migrate row in the PostgreSQL store (and the source's, copied)" ||
	not_ok "a migrate row in the PostgreSQL store (and the source's, copied)" "$(db "SELECT event, detail FROM audit WHERE event='migrate'")"
[ "$(db "SELECT count(*) FROM audit WHERE host = '' ")" = 0 ] && ok "every copied audit row has a host" ||
	not_ok "every copied audit row has a host"
st=$(db "SELECT string_agg(state::text, ',' ORDER BY id) FROM tokens")
sst=$(lite "SELECT group_concat(state, ',') FROM (SELECT state FROM tokens ORDER BY id)")
[ "$st" = "$sst" ] && ok "tokens of every state, ids kept ($st)" || not_ok "tokens of every state, ids kept" "pg $st sqlite $sst"
[ "$(tfa policy show)" = "$(pgtfa policy show)" ] && ok "policy equal on both" ||
	not_ok "policy equal on both" "$(diff <(tfa policy show) <(pgtfa policy show))"
if db "SELECT encode(secret, 'escape') FROM tokens" | grep -q "$S_A"; then
	not_ok "the secrets are not in the database in clear"
else ok "the secrets are not in the database in clear"; fi

# ---- logins on the new store ----
STORE=$URI
pam_service pg
pam_login alice "$USED" -s pg
is_result "PostgreSQL: the code used before the migration is refused" AUTH_ERR
log_has "... as already used" 'replay|already used'
pam_login alice "$(code "$S_A" 1)" -s pg
is_result "PostgreSQL: an unused code works" SUCCESS
pam_login bob "$R1" -s pg
is_result "PostgreSQL: the recovery code used before is refused" AUTH_ERR
pam_login bob "$R2" -s pg
is_result "PostgreSQL: an unused recovery code works" SUCCESS
pam_login bob "$R2" -s pg
is_result "PostgreSQL: ... once" AUTH_ERR
pam_login carol "$(code "$S_C" 1)" -s pg
is_result "PostgreSQL: carol is still locked out" MAXTRIES
pgtfa unlock carol >/dev/null
pam_login carol "$(code "$S_C" 1)" -s pg
is_result "PostgreSQL: after unlock carol logs in" SUCCESS
pgtfa show frank 2>&1 | grep -qi 'enrol' && ok "frank (reset) must still enrol" ||
	not_ok "frank (reset) must still enrol" "$(pgtfa show frank 2>&1)"

# ---- a second migrate into the same database is refused ----
before=$(db "SELECT count(*) FROM audit")
out=$(STORE=$SQ tfa migrate --to "$URI" 2>&1); rc=$?
if [ $rc -eq 4 ] && grep -q 'already holds' <<<"$out"; then ok "migrate again to the same target: exit 4, says it holds users"
else not_ok "migrate again to the same target: exit 4, says it holds users" "rc=$rc" "$out"; fi
[ "$(db "SELECT count(*) FROM audit")" = "$before" ] && ok "... nothing written" || not_ok "... nothing written"

# ---- a 10,000-user store ----
N=${TFA_MIGRATE_USERS:-10000}
STORE=$T/var/big.db
tfa init >/dev/null || { echo "Bail out! init big"; exit 1; }
tfa policy set enabled yes >/dev/null
awk -v n="$N" 'BEGIN { for (i = 0; i < n; i++) printf "HOTP/T30 u%06d - %040x\n", i, i + 1 }' >"$T/big.oath"
tfa import oath "$T/big.oath" >/dev/null || { echo "Bail out! import $N users"; exit 1; }
"${PSQL[@]}" -c "CREATE DATABASE big OWNER tfa" postgres >/dev/null
BIG="postgresql://tfa@127.0.0.1:$PORT/big"
"$TFA_ADMIN" --store "$BIG" --keyfile "$KEYFILE" init >/dev/null || { echo "Bail out! init big pg"; exit 1; }
s0=$(date +%s%N)
out=$(tfa --json migrate --to "$BIG" 2>&1); rc=$?
s1=$(date +%s%N)
secs=$(awk -v a="$s0" -v b="$s1" 'BEGIN { printf "%.2f", (b - a) / 1e9 }')
if [ $rc -eq 0 ] && [ "$(jq -r .users <<<"$out")" = "$N" ] && [ "$(jq -r .tokens <<<"$out")" = "$N" ]; then
	ok "a $N-user store migrates in $secs s (--json: users and tokens $N)"
else not_ok "a $N-user store migrates in $secs s" "rc=$rc" "$out"; fi
diag "migrate of $N users: $secs s"
[ "$(db "SELECT count(*) FROM users" big)" = "$N" ] && ok "... $N users in the target" ||
	not_ok "... $N users in the target"
STORE=$BIG
pam_service big
pam_login u000042 "$(oathtool --totp "$(printf '%040x' 43)")" -s big
is_result "a migrated imported user logs in on PostgreSQL" SUCCESS

tap_done
