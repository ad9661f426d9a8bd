#!/usr/bin/env bash
# SPDX-License-Identifier: BSD-2-Clause
# t_pam_upgrade.sh - logins never change the schema: a store of an older
# schema (as a package upgrade leaves it) is refused by the module
# (PAM_AUTHINFO_UNAVAIL, the log names tfa-admin upgrade) and by the other
# commands (exit 4), and stays as it is; `tfa-admin upgrade` migrates it in
# one transaction with an "upgrade" audit row, after which the same token
# logs in; a store that needs newer programs is refused naming both versions.
. "$(dirname "$0")/pam_lib.sh"
pam_prereqs
pam_setup
have sqlite3 || { not_ok "sqlite3 installed (scripts/deps.sh test)"; tap_done; }
tfa policy set enabled yes >/dev/null
tfa policy set default_required yes >/dev/null

q() { sqlite3 "$STORE" "$1"; }
fresh_step
s=$(enroll_user alice)

# make it a store of schema 3 (before must_enroll and deliveries)
q "DROP INDEX deliveries_user_time; DROP TABLE deliveries;
   ALTER TABLE users DROP COLUMN must_enroll; PRAGMA user_version=3;" ||
	not_ok "turn the store into schema 3"
check "the store has schema 3" test "$(q 'PRAGMA user_version')" = 3

c=$(totp "$s")
pam_login alice "$c"
is_result "login on a schema-3 store: refused (fail closed)" AUTHINFO_UNAVAIL
log_has "the log names the versions and tfa-admin upgrade" 'schema version 3, this program needs 4.*tfa-admin upgrade'
check "the login left the schema as it was" test "$(q 'PRAGMA user_version')" = 3

out=$(tfa list 2>&1); rc=$?
check "tfa-admin list: exit 4" test "$rc" = 4
check "... naming tfa-admin upgrade" grep -q 'tfa-admin upgrade' <<<"$out"
out=$(tfa init 2>&1); rc=$?
check "tfa-admin init on it: exit 4 (init does not migrate)" test "$rc" = 4
check "still schema 3" test "$(q 'PRAGMA user_version')" = 3

out=$(tfa upgrade 2>&1); rc=$?
check "tfa-admin upgrade: exit 0" test "$rc" = 0
check "... says schema 3 -> 4" grep -q 'schema 3 -> 4' <<<"$out"
check "the store has schema 4" test "$(q 'PRAGMA user_version')" = 4
check "one \"upgrade\" audit row" test "$(q "SELECT count(*) FROM audit WHERE event='upgrade'")" = 1
out=$(tfa --json upgrade 2>&1); rc=$?
check "upgrade again: exit 0, nothing to do" \
	bash -c '[ "$1" = 0 ] && grep -q "\"upgraded\": *false" <<<"$2"' _ "$rc" "$out"
check "... and no second audit row" test "$(q "SELECT count(*) FROM audit WHERE event='upgrade'")" = 1

pam_login alice "$c"
is_result "the same token logs in after the upgrade" SUCCESS

# a store that needs programs of a newer schema
q "PRAGMA user_version=7; UPDATE meta SET value='6' WHERE key='schema_compat';"
pam_login alice "$(totp "$s")"
is_result "login on a store that needs newer programs: refused" AUTHINFO_UNAVAIL
log_has "the log names both versions" 'schema version 7, which needs programs of schema 6.*this program has schema 4'
out=$(tfa upgrade 2>&1); rc=$?
check "tfa-admin upgrade does not touch it: exit 4" test "$rc" = 4
check "still schema 7" test "$(q 'PRAGMA user_version')" = 7
# newer, but usable by this program (an additive change during a rolling upgrade)
q "UPDATE meta SET value='4' WHERE key='schema_compat';"
# the code of the next time step, at that time (this step's code was used)
pam_login alice "$(totp "$s" --now "$(date -u -d @$(( $(date +%s) + 60 )) '+%Y-%m-%d %H:%M:%S UTC')")" -t "+60s"
is_result "a newer schema this program may use: login works" SUCCESS
tap_done
