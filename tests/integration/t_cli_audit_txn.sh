#!/usr/bin/env bash
# SPDX-License-Identifier: BSD-2-Clause
# t_cli_audit_txn.sh - every change of state and its audit row are one
# transaction: with a trigger that makes every audit insert fail, each
# state-changing command fails (exit 4) and leaves the store as it was;
# without the trigger the same commands work and are audited.
. "$(dirname "$0")/lib.sh"
. "$(dirname "$0")/cli_lib.sh"

cli_require_tools || tap_done
have sqlite3 || { not_ok "sqlite3 installed (scripts/deps.sh test)"; tap_done; }
cli_new_store audit-txn

q() { sqlite3 "$ST" "$1"; }
block() { q "CREATE TRIGGER no_audit BEFORE INSERT ON audit BEGIN SELECT RAISE(ABORT, 'audit refused by the test'); END;"; }
unblock() { q "DROP TRIGGER no_audit;"; }
# a digest of everything but the audit trail
state() { q "SELECT name, required, failures, locked_until, lockouts, must_enroll FROM users ORDER BY name; SELECT id, user, state, counter, last_step FROM tokens ORDER BY id; SELECT count(*), sum(used) FROM recovery; SELECT key, value FROM policy ORDER BY key; SELECT count(*) FROM challenges;" | md5sum; }

# ---------------------------------------------------------------- set-up
run 0 "enroll alice (active)" adm enroll alice --activate --no-qr
S_ALICE=$(secret_of "$out")
run 0 "recovery codes for alice" adm recovery alice
run 0 "enroll dora (active)" adm enroll dora --activate --no-qr
run 0 "import cards" adm token import --csv "$TFA_SRCDIR/tests/data/csv/good.csv"
serial=$(adm --json token list | json_get .tokens.0.serial)
run 0 "assign card $serial to erin" adm token assign "$serial" erin
serial2=$(adm --json token list | json_get .tokens.1.serial)
for i in $(seq 1 10); do adm verify bob 000000 >/dev/null 2>&1; adm verify dora 000000 >/dev/null 2>&1; done
run 5 "dora is locked out" adm verify dora 000000
printf '%s\n" TOTP_AUTH\n' "$S_ALICE" >"$TD/ga"
printf 'NEW-0001,3132333435363738393031323334353637383931,hotp,6\n' >"$TD/cards.csv"

before=$(state)
rows=$(q "SELECT count(*) FROM audit")
block

# ---------------------------------------------------------------- refused
run 4 "enable carol: refused when the audit row cannot be written" adm enable carol
run 4 "disable alice: refused" adm disable alice
run 4 "default alice: refused" adm default alice
run 4 "reset alice: refused" adm reset alice
run 4 "unlock dora: refused" adm unlock dora
run 4 "policy set enabled yes: refused" adm policy set enabled yes
run 4 "recovery dora: refused" adm recovery dora
run 4 "token assign $serial2 frank: refused" adm token assign "$serial2" frank
run 4 "token unassign $serial: refused" adm token unassign "$serial"
run 4 "enroll gina: refused" adm enroll gina --activate --no-qr
run 4 "import google-authenticator hank: refused" adm import google-authenticator hank "$TD/ga"
run 4 "token import: refused" adm token import --csv "$TD/cards.csv"
check "the store is exactly as before (no change without its audit row)" test "$(state)" = "$before"
check "the audit trail is as before" test "$(q 'SELECT count(*) FROM audit')" = "$rows"
check "the failure names the audit trail" grep -qi 'audit' <<<"$err"

# ---------------------------------------------------------------- allowed
unblock
run 0 "enable carol" adm enable carol
run 0 "reset alice" adm reset alice
run 0 "unlock dora" adm unlock dora
run 0 "policy set enabled yes" adm policy set enabled yes
check "each change is audited with it" test "$(q "SELECT count(*) FROM audit WHERE event IN ('required','reset','unlock','policy') AND id > (SELECT max(id) FROM audit) - 4")" = 4
tap_done
