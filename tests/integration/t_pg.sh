#!/usr/bin/env bash
# SPDX-License-Identifier: BSD-2-Clause
# t_pg.sh - the PostgreSQL store (store=postgresql://...) through the real
# front ends: a private cluster (initdb into a temporary directory as an
# unprivileged user, 127.0.0.1, a free port, stopped at exit), tfa-admin
# init/enroll/reset/unlock/recovery/audit with --store URI, and two "hosts"
# (two PAM services, one database) logging in through pam_wrapper +
# pamtester: a code raced on both is accepted once, a reset on one is seen
# by the other, failures count across both; the database stopped mid-run
# fails closed (failmode=safe lets through only a refused or timed-out
# connection, never an authentication error); a URI with a password is
# refused. Plain mode only: PostgreSQL itself is not ours to run under
# ASan or valgrind.
. "$(dirname "$0")/pam_lib.sh"

. "$(dirname "$0")/pg_lib.sh"
pg_cluster "PostgreSQL store"

URI="postgresql://tfa@127.0.0.1:$PORT/twofactor"
STORE=$URI
db() { "${PSQL[@]}" -d twofactor -c "$1"; }
# two hosts: two PAM services on the one database; h1s has failmode=safe
pam_service h1
pam_service h2
pam_service h1s failmode=safe

# ---- nothing but tfa-admin init creates the schema ----
out=$(tfa list 2>&1); rc=$?
if [ $rc -eq 4 ] && grep -q 'tfa-admin init' <<<"$out"; then ok "uninitialised database: tfa-admin list exits 4 naming tfa-admin init"
else not_ok "uninitialised database: tfa-admin list exits 4 naming tfa-admin init" "rc=$rc" "$out"; fi
pam_login alice 123456 -s h1
is_result "uninitialised database: login fails closed" AUTHINFO_UNAVAIL
log_has "the log names tfa-admin init" 'tfa-admin init'
[ -z "$(db "SELECT to_regclass('users')")" ] && ok "neither created the schema" ||
	not_ok "neither created the schema"
out=$(tfa init 2>&1); rc=$?
if [ $rc -eq 0 ] && grep -q 'created' <<<"$out"; then ok "tfa-admin init --store URI creates the schema"
else not_ok "tfa-admin init --store URI creates the schema" "rc=$rc" "$out"; fi
out=$(tfa init 2>&1)
check "a second init: exists, checked" grep -q 'exists, checked' <<<"$out"
[ "$(db "SELECT value FROM meta WHERE key='schema_version'")" = 4 ] && ok "schema version 4, as SQLite's" ||
	not_ok "schema version 4, as SQLite's"

# ---- enrolment and login; secrets encrypted with the key file ----
tfa policy set enabled yes >/dev/null
tfa policy set window 2 >/dev/null
S_A=$(enroll_user alice) && [ -n "$S_A" ] && ok "tfa-admin enroll --store URI" || not_ok "tfa-admin enroll --store URI"
if db "SELECT encode(secret, 'escape') FROM tokens" | grep -q "$S_A"; then
	not_ok "the secret is not in the database in clear"
else ok "the secret is not in the database in clear"; fi
T0=$(date +%s)
code() { oathtool --totp -b "$1" -N "@$(( T0 + $2 * 30 ))"; }
pam_login alice "$(code "$S_A" -1)" -s h1
is_result "login on host 1 with a code" SUCCESS
pam_login alice "$(code "$S_A" -1)" -s h2
is_result "the same code on host 2: refused" AUTH_ERR

# ---- two hosts race one code: accepted exactly once ----
race() { # CODE: 3 logins on each host at once; prints how many succeeded
	local c=$1 i pids=() n=0
	for i in 1 2 3; do
		for h in h1 h2; do
			( printf '%s\n' "$c" | pam_env pamtester -v "$h" alice authenticate \
				>"$T/race.$h.$i" 2>&1 ) &
			pids+=($!)
		done
	done
	wait "${pids[@]}"
	for i in 1 2 3; do
		for h in h1 h2; do
			grep -q 'successfully authenticated' "$T/race.$h.$i" && n=$((n + 1))
		done
	done
	echo "$n"
}
for step in 0 1; do
	n=$(race "$(code "$S_A" $step)")
	if [ "$n" = 1 ]; then ok "6 logins on 2 hosts race one code (step $step): accepted once"
	else not_ok "6 logins on 2 hosts race one code (step $step): accepted once" "accepted $n times" \
		"$(cat "$T"/race.h*.* | grep -av PWRAP | tail -n 12)"; fi
done

# ---- reset on host 1 is seen at once on host 2 ----
S_B=$(enroll_user bob)
pam_login bob "$(code "$S_B" 0)" -s h2
is_result "bob logs in on host 2" SUCCESS
out=$(tfa reset bob 2>&1)
check "tfa-admin reset bob (the admin's host)" test $? -eq 0
pam_login bob "$(code "$S_B" 1)" -s h2 no_enroll
[ "$PAM_RESULT" != SUCCESS ] && ok "after the reset, bob's old phone is refused on host 2" ||
	not_ok "after the reset, bob's old phone is refused on host 2"

# ---- failures count across hosts ----
S_C=$(enroll_user carol)
tfa policy set max_failures 4 >/dev/null
for h in h1 h2 h1 h2; do pam_login carol "$(wrong_code "$(code "$S_C" 0)")" -s $h; done
pam_login carol "$(code "$S_C" 0)" -s h1
is_result "2 failures on each host lock carol out: right code refused (PAM_MAXTRIES)" MAXTRIES
out=$(tfa --json show carol 2>&1)
check "tfa-admin show carol: locked" grep -q '"locked' <<<"$out"
tfa unlock carol >/dev/null
pam_login carol "$(code "$S_C" 0)" -s h2
is_result "unlocked from the admin's host: carol logs in on host 2" SUCCESS

# ---- recovery codes, audit with host names ----
S_D=$(enroll_user dave)
RCS=$(tfa --json recovery dave --count 2)
RC=$(jq -r '.codes[0]' <<<"$RCS")
RC1=$(jq -r '.codes[1]' <<<"$RCS")
pam_login dave "$RC" -s h1
is_result "recovery code accepted on host 1" SUCCESS
pam_login dave "$RC" -s h2
is_result "the same recovery code refused on host 2" AUTH_ERR
out=$(tfa audit --user alice 2>&1)
check "audit rows carry the host name" grep -q "login_ok  *host=$(hostname) pam:h1" <<<"$out"
# alice: 3 codes accepted (1 + one per race), 11 replays refused (1 + 5 per race)
if [ "$(grep -c ' login_ok ' <<<"$out")" = 3 ] && [ "$(grep -c ' replay_refused ' <<<"$out")" = 11 ] &&
   grep -q 'pam:h2' <<<"$out"; then
	ok "one audit trail: both hosts' logins, 3 accepted and 11 replays refused"
else not_ok "one audit trail: both hosts' logins, 3 accepted and 11 replays refused" "$out"; fi

# ---- the other tfa-admin commands on the shared store ----
out=$(tfa list 2>&1)
check "tfa-admin list shows every user of the database" grep -q '^carol' <<<"$out"
out=$(tfa audit --prune 2>&1); rc=$?
check "tfa-admin audit --prune" test $rc -eq 0
out=$(tfa token list 2>&1); rc=$?
if [ $rc -ne 0 ] && grep -q 'not supported on PostgreSQL yet' <<<"$out"; then
	ok "token cards: refused, saying not supported on PostgreSQL yet"
else not_ok "token cards: refused, saying not supported on PostgreSQL yet" "rc=$rc" "$out"; fi

# ---- rekey: every secret under a new key in one transaction, the pepper kept ----
S_E=$(enroll_user erin)
NK=$T/pg_new.key
umask 022; python3 -c 'import os; print(os.urandom(32).hex())' >"$T/loose.key"; umask 077
kc=$(db "SELECT value FROM meta WHERE key='key_check'")
out=$(tfa rekey "$T/loose.key" 2>&1); rc=$?
if [ $rc -eq 4 ] && [ "$(db "SELECT value FROM meta WHERE key='key_check'")" = "$kc" ]; then
	ok "rekey to a key file of mode 0644: refused (exit 4), the key check unchanged"
else not_ok "rekey to a key file of mode 0644: refused (exit 4), the key check unchanged" "rc=$rc" "$out"; fi
out=$(tfa rekey "$NK" 2>&1); rc=$?
if [ $rc -eq 0 ] && grep -q "fail closed" <<<"$out" && [ "$(stat -c %a "$NK")" = 600 ]; then
	ok "tfa-admin rekey NEW on PostgreSQL (NEW created, 0600)"
else not_ok "tfa-admin rekey NEW on PostgreSQL (NEW created, 0600)" "rc=$rc" "$out"; fi
out=$(tfa list 2>&1); rc=$?
if [ $rc -eq 4 ] && grep -q "is not the key of store" <<<"$out"; then
	ok "the old key file is refused (exit 4, key mismatch)"
else not_ok "the old key file is refused (exit 4, key mismatch)" "rc=$rc" "$out"; fi
out=$("$TFA_ADMIN" --store "$URI" --keyfile "$NK" verify dave "$RC1" 2>&1); rc=$?
check "a recovery code made before the rekey verifies with the new key" test $rc -eq 0
KEYFILE=$NK pam_service h1new
pam_login erin "$(totp "$S_E")" -s h1new
is_result "a PAM login with keyfile=NEW on PostgreSQL" SUCCESS
raw=$(python3 -c 'import base64,sys; s=sys.argv[1]; print(base64.b32decode(s+"="*(-len(s)%8)).hex())' "$S_E")
check "the database holds erin's secret only encrypted" \
	test "$(db "SELECT count(*) FROM tokens WHERE position('\\x$raw'::bytea in secret) > 0")" = 0
out=$("$TFA_ADMIN" --store "$URI" --keyfile "$NK" audit 2>&1)
check "the rekey has its audit row, with the host name" grep -q "rekey  *host=$(hostname)" <<<"$out"
out=$("$TFA_ADMIN" --store "$URI" --keyfile "$NK" rekey "$KEYFILE" 2>&1); rc=$?
check "rekey back onto the first key file (existing, valid)" test $rc -eq 0
out=$(tfa list 2>&1); rc=$?
check "... the first key opens the store again" test $rc -eq 0
# a roll-out: the hosts carry the next key (--keyfile-next) before the rekey
out=$(tfa --keyfile-next "$NK" list 2>&1); rc=$?
check "roll-out: --keyfile-next NEXT before the rekey (the current key is used)" test $rc -eq 0
out=$(tfa rekey "$NK" 2>&1); rc=$?
check "roll-out: rekey onto the NEXT key file" test $rc -eq 0
out=$(tfa --keyfile-next "$NK" list 2>&1); rc=$?
check "roll-out: the same two key files after the rekey (the next key is used)" test $rc -eq 0
out=$("$TFA_ADMIN" --store "$URI" --keyfile "$NK" rekey "$KEYFILE" 2>&1); rc=$?
check "... and back onto the first key file" test $rc -eq 0

# ---- a URI with a password is refused, and never echoed ----
for bad in "postgresql://tfa:s3cretpw@127.0.0.1:$PORT/twofactor" \
	   "postgres://tfa@127.0.0.1:$PORT/twofactor?password=s3cretpw"; do
	out=$("$TFA_ADMIN" --store "$bad" --keyfile "$KEYFILE" list 2>&1); rc=$?
	if [ $rc -eq 4 ] && grep -q 'holds a password' <<<"$out" && ! grep -q s3cretpw <<<"$out"; then
		ok "tfa-admin refuses a URI with a password (${bad%%:*}), without echoing it"
	else not_ok "tfa-admin refuses a URI with a password (${bad%%:*}), without echoing it" "rc=$rc" "$out"; fi
	printf 'auth [success=1 ignore=ignore default=die] %s store=%s keyfile=%s failmode=safe\nauth [default=die] pam_debug.so auth=user_unknown\nauth required pam_permit.so\n' \
		"$PAM_MODULE" "$bad" "$KEYFILE" >"$PAMD/pw"
	pam_login dave 123456 -s pw
	if [ "$PAM_RESULT" = SERVICE_ERR ] && ! grep -q s3cretpw <<<"$PAM_SYSLOG"; then
		ok "the module refuses store= with a password (PAM_SERVICE_ERR), not logged"
	else not_ok "the module refuses store= with a password (PAM_SERVICE_ERR), not logged" \
		"got $PAM_RESULT" "$PAM_SYSLOG"; fi
done

# ---- an authentication error is never failmode=safe ----
printf 'auth [success=1 ignore=ignore default=die] %s store=postgresql://nosuchrole@127.0.0.1:%s/twofactor keyfile=%s failmode=safe\nauth [default=die] pam_debug.so auth=user_unknown\nauth required pam_permit.so\n' \
	"$PAM_MODULE" "$PORT" "$KEYFILE" >"$PAMD/badrole"
pam_login dave 123456 -s badrole
is_result "a role the server refuses, failmode=safe: fails closed" AUTHINFO_UNAVAIL

# ---- the caller's environment cannot choose the database ----
# (su keeps the caller's environment; libpq would take PGHOST, PGSERVICEFILE,
# ... and files under $HOME for whatever the URI leaves out)
PGHOST=127.0.0.1 PGPORT=1 pam_login alice "$(code "$S_A" 2)" -s h1s
is_result "PGHOST/PGPORT set by the caller, failmode=safe: refused (fails closed)" AUTHINFO_UNAVAIL
log_has "the log names the variable" 'environment sets PG(HOST|PORT)'
mkdir -p "$T/evilhome"
printf '[twofactor]\nhost=127.0.0.1\nport=1\n' >"$T/evilhome/.pg_service.conf"
HOME="$T/evilhome" pam_login alice "$(code "$S_A" 2)" -s h1s
is_result "a caller's \$HOME with a .pg_service.conf: refused" AUTHINFO_UNAVAIL
log_has "the log names the file" 'HOME.*pg_service.conf'

# ---- the database stopped mid-run ----
pg_stop
pam_login alice "$(code "$S_A" 2)" -s h1
is_result "database down, failmode=secure: PAM_AUTHINFO_UNAVAIL" AUTHINFO_UNAVAIL
log_has "the log says the connection was refused" 'cannot connect.*[Cc]onnection refused'
pam_login alice "$(code "$S_A" 2)" -s h1s
is_result "database down (connection refused), failmode=safe: PAM_IGNORE" IGNORE
log_has "failmode=safe logs a warning" 'failmode=safe'
out=$(tfa list 2>&1); rc=$?
check "database down: tfa-admin exits 4" test $rc -eq 4
pg_start || { echo "Bail out! PostgreSQL did not restart"; exit 1; }
pam_login alice "$(code "$S_A" 2)" -s h1
is_result "the database back: alice logs in again" SUCCESS

# ---- a server that never answers: connect_timeout (default 5 s) ----
if have python3; then
	python3 -c 'import socket,sys,time
s=socket.socket(); s.bind(("127.0.0.1",0)); s.listen(8); print(s.getsockname()[1], flush=True); time.sleep(60)' \
		>"$T/hang.port" &
	HANG=$!
	for _ in $(seq 50); do [ -s "$T/hang.port" ] && break; sleep 0.1; done
	printf 'auth [success=1 ignore=ignore default=die] %s store=postgresql://tfa@127.0.0.1:%s/twofactor keyfile=%s failmode=safe\nauth [default=die] pam_debug.so auth=user_unknown\nauth required pam_permit.so\n' \
		"$PAM_MODULE" "$(cat "$T/hang.port")" "$KEYFILE" >"$PAMD/hang"
	t1=$(date +%s)
	pam_login alice 123456 -s hang
	t2=$(date +%s)
	kill "$HANG" 2>/dev/null; wait "$HANG" 2>/dev/null
	if [ "$PAM_RESULT" = IGNORE ] && [ $((t2 - t1)) -ge 4 ] && [ $((t2 - t1)) -le 12 ]; then
		ok "a server that never answers: timed out after about 5 s, failmode=safe lets through"
	else not_ok "a server that never answers: timed out after about 5 s, failmode=safe lets through" \
		"got $PAM_RESULT after $((t2 - t1)) s" "$PAM_SYSLOG"; fi
else
	skip "connect_timeout" "python3 not installed"
fi

tap_done
