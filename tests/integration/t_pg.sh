#!/usr/bin/env bash
# SPDX-License-Identifier: BSD-2-Clause
# t_pg.sh - the PostgreSQL store (store=postgresql://...) through the real
# front ends: a private cluster (initdb into a temporary directory as an
# unprivileged user, 127.0.0.1, a free port, stopped at exit), tfa-admin
# init/enroll/reset/unlock/recovery/audit with --store URI, token cards
# (CSV and PSKC import, list, assign, oathtool codes, unassign, reset back
# to stock, duplicate serials) and tfa-admin import (oath, google-
# authenticator, 20,000 users timed; TFA_PG_IMPORT_USERS), two "hosts"
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

# ---- token cards: import, list, assign, codes, unassign, reset, duplicates ----
D=$TFA_SRCDIR/tests/data
CHEX=3132333435363738393031323334353637383930      # the cards' secret (RFC 4226)
# tcmd DESC WANT-RC CMD...: tfa-admin with $out and $rc kept
tcmd() { local d=$1 want=$2; shift 2
	out=$("$@" 2>&1); rc=$?
	if [ $rc -eq "$want" ]; then ok "$d"; else not_ok "$d" "rc=$rc (wanted $want)" "$out"; fi; }
cardline() { tfa token list 2>&1 | grep -E "^$1 "; }
tcmd "token import --csv good.csv on PostgreSQL" 0 tfa token import --csv "$D/csv/good.csv"
check "... 6 cards imported" grep -q 'imported 6 token cards' <<<"$out"
tcmd "token import --pskc (RFC 6030 figure 3) on PostgreSQL" 0 \
	tfa token import --pskc "$D/pskc/rfc6030-figure3.xml"
tcmd "token list on PostgreSQL" 0 tfa token list
check "list: HOTP-0002 in stock (hotp, 8 digits, unassigned)" \
	grep -Eq '^HOTP-0002 +hotp +8 +SHA1 +5 +unassigned +- ' <<<"$out"
check "list: 987654321 (PSKC) in stock" grep -Eq '^987654321 +hotp +8 +SHA1 +0 +unassigned +- ' <<<"$out"
check "list: 7 cards" test "$(grep -c unassigned <<<"$out")" = 7
check "no card secret in the database in clear" \
	test "$(db "SELECT count(*) FROM tokens WHERE position('\\x$CHEX'::bytea in secret) > 0")" = 0
before=$(db "SELECT count(*) FROM tokens")
tcmd "the same CSV again: refused (exit 2)" 2 tfa token import --csv "$D/csv/good.csv"
check "... naming the serial already in the store" grep -q 'good.csv:4: serial already in the store' <<<"$out"
check "... nothing imported" test "$(db "SELECT count(*) FROM tokens")" = "$before"
tcmd "token assign HOTP-0002 hugo" 0 tfa token assign HOTP-0002 hugo
check "list: HOTP-0002 is hugo's, active" grep -Eq ' active +hugo' <<<"$(cardline HOTP-0002)"
tcmd "assign HOTP-0002 to ivy while hugo has it: exit 2" 2 tfa token assign HOTP-0002 ivy
check "... naming hugo" grep -q hugo <<<"$out"
c5=$(oathtool --hotp -d 8 -c 5 "$CHEX")
tcmd "hugo: the card's code (oathtool, counter 5) verifies" 0 tfa verify hugo "$c5"
tcmd "hugo: the same code again is refused (replay)" 1 tfa verify hugo "$c5"
pam_login hugo "$(oathtool --hotp -d 8 -c 6 "$CHEX")" -s h2
is_result "hugo logs in on host 2 with the card's next code" SUCCESS
tcmd "token unassign HOTP-0002" 0 tfa token unassign HOTP-0002
check "... back in stock" grep -q unassigned <<<"$(cardline HOTP-0002)"
tcmd "hugo: the card's next code now: no token (exit 3)" 3 tfa verify hugo "$(oathtool --hotp -d 8 -c 7 "$CHEX")"
tcmd "HOTP-0002 from stock to ivy" 0 tfa token assign HOTP-0002 ivy
tcmd "ivy: hugo's used code is refused" 1 tfa verify ivy "$c5"
tcmd "ivy: the card's next code verifies" 0 tfa verify ivy "$(oathtool --hotp -d 8 -c 7 "$CHEX")"
tcmd "tfa-admin reset ivy" 0 tfa reset ivy
check "after the reset: HOTP-0002 back in stock" grep -Eq ' unassigned +- ' <<<"$(cardline HOTP-0002)"
tcmd "after the reset: unassign says not assigned (exit 3)" 3 tfa token unassign HOTP-0002
out=$(tfa audit 2>&1)
for ev in card_import card_assign card_unassign; do
	check "audit: $ev with the host name" grep -q "$ev  *host=$(hostname)" <<<"$out"
done
# two hosts' admins assign one card at once: it goes to exactly one user
# (another session holds the card's row for 3 s, so all 4 have started)
db "SELECT 1 FROM tokens WHERE serial='TOTP-0001' FOR UPDATE; SELECT pg_sleep(3)" >/dev/null &
HOLD=$!
sleep 1
for u in ra rb rc rd; do ( tfa token assign TOTP-0001 "$u" >"$T/assign.$u" 2>&1; echo $? >>"$T/assign.rcs" ) & done
wait
wait "$HOLD" 2>/dev/null
if [ "$(grep -c '^0$' "$T/assign.rcs")" = 1 ] && [ "$(grep -c '^2$' "$T/assign.rcs")" = 3 ]; then
	ok "4 assigns of one card at once: one succeeds, 3 exit 2 (assigned)"
else not_ok "4 assigns of one card at once: one succeeds, 3 exit 2 (assigned)" "$(cat "$T"/assign.*)"; fi
check "... and the card has that one owner" test "$(db "SELECT count(*) FROM tokens WHERE serial='TOTP-0001' AND state=1")" = 1
tcmd "token assign TOTP-0002 jo" 0 tfa token assign TOTP-0002 jo
tcmd "jo: 8-digit 60 s TOTP code of the card verifies" 0 tfa verify jo "$(oathtool --totp -d 8 -s 60 "$CHEX")"
# two hosts unassign jo's card at once: both read it as jo's, then queue for
# jo's lock (held 4 s by another session so that both have read it); the
# first unassigns it, the second finds it changed hands and does nothing
{ printf "BEGIN;\nSELECT pg_advisory_xact_lock(7305, hashtext('jo'));\n"; sleep 4
  printf "COMMIT;\n"; } | "${PSQL[@]}" -d twofactor >/dev/null 2>&1 &
HOLD=$!
sleep 1
for h in 1 2; do ( tfa token unassign TOTP-0002 >"$T/unassign.$h" 2>&1; echo $? >"$T/unassign.$h.rc" ) & done
wait
rcs=$(cat "$T"/unassign.?.rc | sort | tr '\n' ' ')
if [ "$(grep -c '^0$' "$T"/unassign.?.rc | awk -F: '{s += $2} END {print s}')" = 1 ] &&
   grep -q 'TOTP-0002 changed hands.*nothing done' "$T"/unassign.1 "$T"/unassign.2; then
	ok "2 unassigns of one card at once: one unassigns it, the other finds it changed hands"
else not_ok "2 unassigns of one card at once: one unassigns it, the other finds it changed hands" \
	"exit codes: $rcs" "$(cat "$T"/unassign.1 "$T"/unassign.2)"; fi
check "... one card_unassign audit row for it" \
	test "$(db "SELECT count(*) FROM audit WHERE event='card_unassign' AND detail LIKE '%TOTP-0002%'")" = 1

# ---- tfa-admin import (pam_oath users file, google-authenticator) ----
HEX2=00112233445566778899aabbccddeeff00112233
printf 'HOTP kim - %s\nHOTP/T30/8 lee - %s\nHOTP/E/8 max - %s 5 123456 2024-01-01T00:00:00L\n' "$CHEX" "$HEX2" "$CHEX" >"$T/users.oath"
tcmd "import oath on PostgreSQL" 0 tfa import oath "$T/users.oath"
check "... 3 tokens for 3 users" grep -q '^imported 3 tokens for 3 users' <<<"$out"
tcmd "kim: oathtool --hotp code verifies" 0 tfa verify kim "$(oathtool --hotp -c 0 "$CHEX")"
tcmd "kim: that code again is refused" 1 tfa verify kim "$(oathtool --hotp -c 0 "$CHEX")"
tcmd "lee: oathtool --totp -d 8 code verifies" 0 tfa verify lee "$(oathtool --totp -d 8 "$HEX2")"
tcmd "max: the used counter 5 is refused" 1 tfa verify max "$(oathtool --hotp -d 8 -c 5 "$CHEX")"
tcmd "max: counter 6 verifies" 0 tfa verify max "$(oathtool --hotp -d 8 -c 6 "$CHEX")"
printf 'HOTP dup - %s\nHOTP dup - %s\n' "$CHEX" "$CHEX" >"$T/dup.oath"
tcmd "one secret twice for a user: refused (exit 2)" 2 tfa import oath "$T/dup.oath"
check "... the second line named" grep -qF "$T/dup.oath:2: user dup already has token" <<<"$out"
check "... nothing imported" test "$(db "SELECT count(*) FROM tokens WHERE \"user\"='dup'")" = 0
tcmd "--skip-bad imports the first line only" 0 tfa import oath "$T/dup.oath" --skip-bad
check "... dup has one token" test "$(db "SELECT count(*) FROM tokens WHERE \"user\"='dup'")" = 1
B32=JBSWY3DPEHPK3PXPJBSWY3DPEHPK3PXP
printf '%s\n" TOTP_AUTH\n12345678\n87654321\n' "$B32" >"$T/ga"
tcmd "import google-authenticator on PostgreSQL" 0 tfa import google-authenticator nia "$T/ga"
check "... with 2 recovery codes" grep -q '(2 recovery codes)' <<<"$out"
tcmd "nia: oathtool --totp code verifies" 0 tfa verify nia "$(oathtool --totp -b "$B32")"
tcmd "nia: scratch code as a recovery code" 0 tfa verify nia 12345678
tcmd "nia: the scratch code works only once" 1 tfa verify nia 12345678
out=$(tfa audit --user kim 2>&1)
check "audit: import row with the host name" grep -q "import  *host=$(hostname).*imported from oath" <<<"$out"
N=${TFA_PG_IMPORT_USERS:-20000}
awk -v n="$N" 'BEGIN { for (i = 0; i < n; i++) printf "HOTP/T30 big%06d - %08x31323334353637383930313233343536\n", i, i }' >"$T/big.oath"
t0=$(date +%s.%N)
tcmd "import oath of $N users on PostgreSQL" 0 tfa import oath "$T/big.oath"
t1=$(date +%s.%N)
diag "PostgreSQL: imported $N users in $(awk -v a="$t0" -v b="$t1" 'BEGIN { printf "%.2f", b - a }') s"
check "... $N tokens for $N users" grep -q "^imported $N tokens for $N users" <<<"$out"
last=$(printf '%08x31323334353637383930313233343536' $((N - 1)))
tcmd "the last imported user's TOTP code verifies" 0 tfa verify "big$(printf %06d $((N - 1)))" "$(oathtool --totp "$last")"

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
tcmd "a card in stock through both rekeys: assigned to zed" 0 tfa token assign HOTP-0001 zed
tcmd "zed: the card's code (oathtool) verifies" 0 tfa verify zed "$(oathtool --hotp -c 0 "$CHEX")"
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

# ---- schema versions: logins never migrate; only tfa-admin upgrade may ----
S_U=$(enroll_user uma)
ucode() { oathtool --totp -b "$S_U" -N "@$(( $(date +%s) + $1 * 30 ))"; }
schema() { db "UPDATE meta SET value='$1' WHERE key='schema_version';
	UPDATE meta SET value='$2' WHERE key='schema_compat'"; }
check "init wrote schema_compat 4" test "$(db "SELECT value FROM meta WHERE key='schema_compat'")" = 4
out=$(tfa upgrade 2>&1); rc=$?
check "tfa-admin upgrade on the current schema: exit 0, up to date" \
	bash -c '[ "$1" = 0 ] && grep -q "schema 4, up to date" <<<"$2"' _ "$rc" "$out"
schema 5 4 >/dev/null
pam_login uma "$(ucode 0)" -s h1
is_result "a newer schema older hosts may use (5, compat 4): login on host 1" SUCCESS
out=$(tfa upgrade 2>&1); rc=$?
check "tfa-admin upgrade leaves a newer schema alone: exit 0, nothing to do" \
	bash -c '[ "$1" = 0 ] && grep -q "newer than this program.s 4 and usable" <<<"$2"' _ "$rc" "$out"
schema 6 5 >/dev/null
pam_login uma "$(ucode 1)" -s h2
is_result "a schema that needs newer programs (6, compat 5): refused" AUTHINFO_UNAVAIL
log_has "the log names both versions" 'schema version 6, which needs programs of schema 5.*this program has schema 4'
out=$(tfa list 2>&1); rc=$?
check "tfa-admin list on it: exit 4" test "$rc" = 4
out=$(tfa upgrade 2>&1); rc=$?
check "tfa-admin upgrade does not touch it: exit 4" test "$rc" = 4
check "still schema 6" test "$(db "SELECT value FROM meta WHERE key='schema_version'")" = 6
schema 3 3 >/dev/null
pam_login uma "$(ucode 1)" -s h2
is_result "a schema older than any PostgreSQL schema (3): refused" AUTHINFO_UNAVAIL
log_has "the log names both versions" 'schema version 3, older than any PostgreSQL schema.*needs 4'
check "the login left the schema as it was" test "$(db "SELECT value FROM meta WHERE key='schema_version'")" = 3
schema 4 4 >/dev/null
pam_login uma "$(ucode 1)" -s h2
is_result "back at schema 4: the code refused at 6 and 3 logs in on host 2" SUCCESS
check "no \"upgrade\" audit row: nothing was migrated" \
	test "$(db "SELECT count(*) FROM audit WHERE event='upgrade'")" = 0

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
