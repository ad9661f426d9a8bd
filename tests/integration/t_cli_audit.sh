#!/usr/bin/env bash
# SPDX-License-Identifier: BSD-2-Clause
# Audit retention: policy key audit_keep_days (default 400) and
# `tfa-admin audit --prune`, which deletes older rows in one transaction
# together with a row of its own saying how many went.
. "$(dirname "$0")/lib.sh"
. "$(dirname "$0")/cli_lib.sh"
cli_require_tools || { tap_done; }
if ! have faketime || ! have sqlite3; then
	if [ "${CI:-}" = true ]; then not_ok "faketime and sqlite3 installed"
	else skip "audit retention" "faketime or sqlite3 not installed"; fi
	tap_done
fi
export TZ=UTC
cli_new_store audit
count() { sqlite3 "$ST" "SELECT count(*) FROM audit WHERE $1"; }

run 0 "policy show lists audit_keep_days" adm policy show
check "audit_keep_days defaults to 400" grep -Eq '^audit_keep_days +400$' <<<"$out"
run 2 "audit_keep_days refuses a non-number" adm policy set audit_keep_days soon
run 2 "audit_keep_days refuses more than 100 years" adm policy set audit_keep_days 36501

# rows written by tfa-admin at faked times: 500 and 401 days ago (old),
# 399 days ago and now (kept); and one inserted with sqlite3 at time 1000
# at OFFSET ARGS...: tfa-admin at a faked time. libfaketime is preloaded by
# hand, not through the faketime wrapper (its /dev/shm semaphore, named by
# PID, is not always removed and then fails a later process with the same
# PID: pam_lib.sh's faketime_cmd); under ASan, ASan's link-order check and
# LeakSanitizer are off.
at() {
	if [ -n "${TFA_PRELOAD:-}" ]; then
		env LD_PRELOAD=/usr/lib/x86_64-linux-gnu/faketime/libfaketime.so.1 FAKETIME="$1" \
			ASAN_OPTIONS="${ASAN_OPTIONS:+$ASAN_OPTIONS:}verify_asan_link_order=0:detect_leaks=0" \
			"$ADMIN" --store "$ST" --keyfile "$KF" "${@:2}"
	else
		env LD_PRELOAD=/usr/lib/x86_64-linux-gnu/faketime/libfaketime.so.1 FAKETIME="$1" \
			"$ADMIN" --store "$ST" --keyfile "$KF" "${@:2}"
	fi
}
at "-500d" enable root >/dev/null
at "-401d" enable daemon >/dev/null
at "-399d" enable bin >/dev/null
sqlite3 "$ST" "INSERT INTO audit(time, user, event, detail) VALUES(1000, 'ancient', 'login_ok', 'x')"
check "the old rows are there before the prune" test "$(count "user IN ('root','daemon','ancient')")" = 3

run 0 "audit --prune with the default policy" adm audit --prune
check "the message says how many rows went and the cut-off" \
	grep -Eq '^pruned 3 audit rows older than [0-9-]+T[0-9:]+Z \(audit_keep_days=400\)$' <<<"$out"
check "rows older than 400 days are gone" test "$(count "user IN ('root','daemon','ancient')")" = 0
check "a row 399 days old is kept" test "$(count "user = 'bin'")" -ge 1
check "the init row is kept" test "$(count "event = 'init'")" = 1
check "one audit_pruned row, no user, saying 3 rows" \
	test "$(count "event = 'audit_pruned' AND user IS NULL AND detail LIKE 'pruned 3 rows older than %'")" = 1
run 0 "audit shows the audit_pruned row" adm audit
check "audit lists audit_pruned with its count" grep -Eq 'audit_pruned +pruned 3 rows older than' <<<"$out"

# JSON, a shorter retention, and pruning the prune row itself later
run 0 "policy set audit_keep_days 30" adm policy set audit_keep_days 30
run 0 "audit --prune --json" adm --json audit --prune
check_json "audit --prune --json is one JSON object" "$out"
check "JSON gives pruned, keep_days and cutoff" \
	grep -Eq '"pruned": ?[1-9][0-9]*.*"keep_days": ?30.*"cutoff": ?"[0-9-]+T' <<<"$out"
check "the 399-day-old rows went with audit_keep_days=30" test "$(count "user = 'bin'")" = 0
run 0 "audit --prune 40 days later" at "+40d" audit --prune
check "40 days later the earlier rows, audit_pruned ones included, are gone" \
	test "$(count "time < strftime('%s','now') + 86400")" = 0
check "the newest audit_pruned row stays" test "$(count "event = 'audit_pruned'")" = 1

# 0 keeps everything
run 0 "policy set audit_keep_days 0" adm policy set audit_keep_days 0
sqlite3 "$ST" "INSERT INTO audit(time, user, event, detail) VALUES(1000, 'ancient', 'login_ok', 'x')"
before=$(count 1)
run 0 "audit --prune with audit_keep_days 0" adm audit --prune
check "audit_keep_days 0: says nothing is pruned" grep -q 'kept whole, nothing pruned' <<<"$out"
check "audit_keep_days 0: no row deleted or added" test "$(count 1)" = "$before"

# usage and store errors
run 2 "--prune with --user is a usage error" adm audit --prune --user ancient
run 2 "--prune with --since is a usage error" adm audit --prune --since 2d
run 4 "--prune on a missing store: exit 4" "$ADMIN" --store "$TD/none/tfa.db" --keyfile "$KF" audit --prune
check "the missing store is named" grep -q "$TD/none/tfa.db" <<<"$err"

# one transaction: when the audit_pruned row cannot be written (a trigger
# refuses it), nothing is deleted either
run 0 "policy set audit_keep_days 1" adm policy set audit_keep_days 1
sqlite3 "$ST" "CREATE TRIGGER refuse_prune BEFORE INSERT ON audit WHEN NEW.event = 'audit_pruned'
	BEGIN SELECT RAISE(ABORT, 'refused by the test'); END"
before=$(count 1)
run 4 "audit --prune whose own row cannot be written fails (exit 4)" adm audit --prune
check "... and the message says so" grep -q 'refused by the test' <<<"$err"
check "... and no row was deleted (one transaction)" test "$(count 1)" = "$before"
check "... and the ancient row is still there" test "$(count "user = 'ancient'")" = 1
tap_done
