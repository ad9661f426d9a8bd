#!/usr/bin/env bash
# SPDX-License-Identifier: BSD-2-Clause
# backends: sqlite postgresql
# t_cli_import.sh - tfa-admin import: ~/.google_authenticator files (TOTP,
# HOTP_COUNTER, STEP_SIZE, DISALLOW_REUSE, scratch codes as recovery codes)
# and pam_oath users files (HOTP, HOTP/E/8, HOTP/T30, HOTP/T30/8, HOTP/T60,
# counters and last-used codes kept), codes checked with oathtool; bad lines
# reported with their line numbers and nothing imported, --skip-bad, JSON
# output, no secret in any output, and a 100,000-user file in one go.
. "$(dirname "$0")/lib.sh"
. "$(dirname "$0")/cli_lib.sh"

cli_require_tools || tap_done
cli_new_store import

HEX=3132333435363738393031323334353637383930     # RFC 4226 test key
HEX2=00112233445566778899aabbccddeeff00112233
B32=JBSWY3DPEHPK3PXPJBSWY3DPEHPK3PXP
B32H=GEZDGNBVGY3TQOJQGEZDGNBVGY3TQOJQ             # = HEX in base32
hotp() { oathtool --hotp "$@"; }
active_of() { adm --json show "$1" | json_get .active; }
no_secret() { # DESC TEXT: none of the secrets appears in TEXT
	local s
	for s in "$HEX" "$HEX2" "$B32" "$B32H" 12345678 87654321; do
		if grep -qi -- "$s" <<<"$2"; then not_ok "$1" "a secret or scratch code shows"; return; fi
	done
	ok "$1"
}

# ---------------------------------------------------------------- usage
run 2 "import without arguments: exit 2" adm import
run 2 "import frobnicate FILE: exit 2" adm import frobnicate /dev/null
run 2 "import oath without FILE: exit 2" adm import oath
run 2 "import google-authenticator without FILE: exit 2" adm import google-authenticator alice
run 2 "import google-authenticator with a bad user name: exit 2" \
	adm import google-authenticator $'bad\x7fname' "$TD/x"
run 4 "unreadable FILE: exit 4" adm import oath "$TD/missing.oath"
check "the message names the file" grep -qF "$TD/missing.oath" <<<"$err"
run 0 "import --help" adm import --help

# ---------------------------------------------------------------- google-authenticator
printf '%s\n" RATE_LIMIT 3 30 1700000000\n" WINDOW_SIZE 17\n" DISALLOW_REUSE\n" TOTP_AUTH\n12345678\n87654321\n' \
	"$B32" >"$TD/ga_totp"
wait_step
run 0 "GA TOTP file with two scratch codes imports" adm import google-authenticator alice "$TD/ga_totp"
check "summary line" grep -q '^imported 1 token for 1 user (2 recovery codes), skipped 0 bad lines$' <<<"$out"
check "WINDOW_SIZE reported as a note" grep -q '^note: WINDOW_SIZE 17 not imported' <<<"$out"
no_secret "GA import prints no secret or scratch code" "$out$err"
check "the token is active" test "$(active_of alice)" = 1
run 0 "oathtool --totp code verifies" adm verify alice "$(totp "$B32" 0)"
run 1 "the same code again is refused" adm verify alice "$(totp "$B32" 0)"
run 0 "scratch code 12345678 works as a recovery code" adm verify alice 12345678
run 1 "the scratch code works only once" adm verify alice 12345678
run 0 "the other scratch code works" adm verify alice 87654321

printf '%s\n" HOTP_COUNTER 5\n" WINDOW_SIZE 3\n' "$B32" >"$TD/ga_hotp"
run 0 "GA HOTP_COUNTER 5 file imports" adm import google-authenticator hank "$TD/ga_hotp"
run 1 "HOTP code at counter 4 (below the stored counter) is refused" \
	adm verify hank "$(hotp -b "$B32" -c 4)"
run 0 "HOTP code at counter 5 verifies" adm verify hank "$(hotp -b "$B32" -c 5)"
run 0 "HOTP code at counter 6 verifies" adm verify hank "$(hotp -b "$B32" -c 6)"

printf '%s\n" STEP_SIZE 60\n" TOTP_AUTH\n' "$B32H" >"$TD/ga_60"
run 0 "GA STEP_SIZE 60 file imports" adm import google-authenticator sixty "$TD/ga_60"
run 0 "60-second oathtool code verifies" adm verify sixty "$(oathtool --totp -s 60 -b "$B32H")"

# DISALLOW_REUSE with the current step: that code was used already
wait_step
printf '%s\n" DISALLOW_REUSE %d\n" TOTP_AUTH\n' "$B32" $(( $(date +%s) / 30 )) >"$TD/ga_used"
run 0 "GA file with a used time step imports" adm import google-authenticator used "$TD/ga_used"
run 1 "the code of the used step is refused" adm verify used "$(totp "$B32" 0)"
run 0 "the next step's code verifies" adm verify used "$(totp "$B32" 1)"

printf '%s\n" TOTP_AUTH\n" FROBNICATE 1\n1234567\n12345678\n' "$B32" >"$TD/ga_bad"
run 2 "GA file with bad lines: exit 2" adm import google-authenticator gbad "$TD/ga_bad"
check "unknown option reported at line 3" grep -qF "$TD/ga_bad:3: unknown option" <<<"$err"
check "bad scratch code reported at line 4" grep -qF "$TD/ga_bad:4:" <<<"$err"
check "says bad input, nothing imported" grep -q 'bad input: 2 bad lines.*nothing imported' <<<"$err"
no_secret "refusal prints no secret" "$out$err"
check "nothing imported for gbad" test "$(active_of gbad)" = 0
run 0 "--skip-bad imports the good part" adm import google-authenticator gbad "$TD/ga_bad" --skip-bad
check "--skip-bad summary" grep -q 'imported 1 token for 1 user (1 recovery code), skipped 2 bad lines' <<<"$out"
printf 'not!base32\n" TOTP_AUTH\n' >"$TD/ga_nosecret"
run 2 "GA file with a bad secret: exit 2" adm import google-authenticator nos "$TD/ga_nosecret"
check "bad secret reported at line 1" grep -qF "$TD/ga_nosecret:1: the secret is not base32" <<<"$err"
printf '%s\n12345678\n' "$B32" >"$TD/ga_notype"
run 2 "GA file without TOTP_AUTH or HOTP_COUNTER: exit 2, even with --skip-bad" \
	adm import google-authenticator nos "$TD/ga_notype" --skip-bad

# the same file twice: one secret is one token of a user (a second token
# with it would let a used code through again, and move on a rejected one)
run 2 "the same google-authenticator file again: refused (exit 2)" \
	adm import google-authenticator alice "$TD/ga_totp"
check "the refusal says alice already has a token with this secret" \
	grep -q 'alice already has token [0-9]* with this secret' <<<"$err"
no_secret "the refusal prints no secret" "$out$err"
check "still one active token for alice" test "$(active_of alice)" = 1
wait_step
c=$(totp "$B32" 1)
run 0 "alice: the next step's code verifies" adm verify alice "$c"
run 1 "alice: that code again is refused (no twin token accepts it)" adm verify alice "$c"

# ---------------------------------------------------------------- pam_oath users file
cat >"$TD/users.oath" <<EOF
# pam_oath users file
HOTP bob - $HEX
HOTP/T30 carol - $HEX
HOTP/T30/8	dave	+	$HEX2

HOTP/E/8 erin - $HEX 5 123456 2024-01-01T00:00:00L
HOTP/T60 frank - $HEX2
HOTP gina - $HEX 7
HOTP gina - $HEX2
EOF
run 0 "users.oath imports" adm --json import oath "$TD/users.oath"
check_json "import --json prints a JSON object" "$out"
check "--json: imported 7" test "$(json_get .imported <<<"$out")" = 7
check "--json: users 6" test "$(json_get .users <<<"$out")" = 6
check "--json: skipped 0" test "$(json_get .skipped <<<"$out")" = 0
no_secret "oath import prints no secret" "$out$err"
run 0 "HOTP (bob): oathtool --hotp -c 0 verifies" adm verify bob "$(hotp "$HEX" -c 0)"
run 0 "HOTP/T30 (carol): oathtool --totp verifies" adm verify carol "$(oathtool --totp "$HEX")"
run 0 "HOTP/T30/8 (dave): oathtool --totp -d 8 verifies" adm verify dave "$(oathtool --totp -d 8 "$HEX2")"
run 0 "HOTP/T60 (frank): oathtool --totp -s 60 verifies" adm verify frank "$(oathtool --totp -s 60 "$HEX2")"
run 1 "HOTP/E/8 (erin): the used counter 5 is refused" adm verify erin "$(hotp -d 8 "$HEX" -c 5)"
run 0 "HOTP/E/8 (erin): counter 6 verifies" adm verify erin "$(hotp -d 8 "$HEX" -c 6)"
run 1 "HOTP with counter 7 (gina): counter 6 is refused" adm verify gina "$(hotp "$HEX" -c 6)"
run 0 "HOTP with counter 7 (gina): counter 7 verifies" adm verify gina "$(hotp "$HEX" -c 7)"
check "two lines for gina: two tokens" test "$(active_of gina)" = 2
run 0 "gina's second token verifies" adm verify gina "$(hotp "$HEX2" -c 0)"
run 0 "audit has import events" adm audit --user bob
check "audit: import event" grep -q 'import.*imported from oath' <<<"$out"

# one secret twice for a user in a users file: a bad line
printf 'HOTP dup - %s\nHOTP dup - %s\n' "$HEX" "$HEX" >"$TD/dup.oath"
run 2 "users file with one secret twice for a user: exit 2" adm import oath "$TD/dup.oath"
check "the second line is reported as a duplicate" \
	grep -qF "$TD/dup.oath:2: user dup already has token" <<<"$err"
check "nothing imported for dup" test "$(active_of dup)" = 0
run 0 "--skip-bad imports the first line only" adm import oath "$TD/dup.oath" --skip-bad
check "dup: one token" test "$(active_of dup)" = 1

# a TOTP line with the last used code of now: that step is used
wait_step
printf 'HOTP/T30 tina - %s 0 000000 %s\n' "$HEX" "$(date +%Y-%m-%dT%H:%M:%SL)" >"$TD/used.oath"
run 0 "TOTP line with a last-used time imports" adm import oath "$TD/used.oath"
run 1 "the code of the last used step is refused" adm verify tina "$(oathtool --totp "$HEX")"
run 0 "the next step's code verifies" adm verify tina "$(oathtool --totp -N "now + 30 seconds" "$HEX")"

cat >"$TD/bad.oath" <<EOF
HOTP ok1 - $HEX
HOTP/X x - $HEX
HOTP pin 1234 $HEX
# fine
HOTP/T30/9 nine - $HEX
HOTP hex - zz
HOTP/T30 ok2 - $HEX2
HOTP short -
EOF
before=$(adm list | wc -l)
run 2 "users file with bad lines: exit 2" adm import oath "$TD/bad.oath"
for l in 2 3 5 6 8; do
	check "bad line $l reported with its number" grep -qF "$TD/bad.oath:$l:" <<<"$err"
done
check "good lines not reported" bash -c '! grep -qE "bad.oath:(1|4|7):" <<<"$1"' _ "$err"
check "PIN line says PINs are not supported" grep -q 'bad.oath:3: a PIN is set' <<<"$err"
check "nothing imported (no new users)" test "$(adm list | wc -l)" = "$before"
no_secret "bad-line messages hold no secret" "$out$err"
run 2 "--json refusal: exit 2" adm --json import oath "$TD/bad.oath"
check_json "--json refusal is one JSON object" "$out"
check "--json lists 5 errors" test "$(json_get .errors <<<"$out" | grep -c '"line"')" = 5
check "--json first error is line 2" test "$(json_get .errors.0.line <<<"$out")" = 2
check "--json: imported 0" test "$(json_get .imported <<<"$out")" = 0
run 0 "--skip-bad imports the good lines" adm import oath "$TD/bad.oath" --skip-bad
check "--skip-bad summary" grep -q '^imported 2 tokens for 2 users (0 recovery codes), skipped 5 bad lines$' <<<"$out"
run 0 "ok2 (after the bad lines) verifies" adm verify ok2 "$(oathtool --totp "$HEX2")"

# ---------------------------------------------------------------- 100,000 users
# (10,000 in the PostgreSQL pass: t_pg.sh times PostgreSQL's imports)
N=100000 NF=100,000
[ "${TFA_MODE:-}" = pg ] && N=10000 NF=10,000
cli_new_store big
awk -v n="$N" 'BEGIN { for (i = 0; i < n; i++) {
	t = (i % 3 == 0) ? "HOTP" : (i % 3 == 1) ? "HOTP/T30" : "HOTP/T30/8"
	printf "%s user%06d - %08x31323334353637383930313233343536\n", t, i, i } }' >"$TD/big.oath"
t0=$(date +%s.%N)
run 0 "import of $NF users" adm import oath "$TD/big.oath"
t1=$(date +%s.%N)
secs=$(awk -v a="$t0" -v b="$t1" 'BEGIN { printf "%.2f", b - a }')
diag "imported $N users in $secs s"
check "$NF users imported in under 60 s" awk -v s="$secs" 'BEGIN { exit !(s < 60) }'
check "summary: $N tokens for $N users" \
	grep -q "^imported $N tokens for $N users" <<<"$out"
last=$((N - 2))
run 0 "the last user's 8-digit TOTP code verifies" \
	adm verify "$(printf 'user%06d' "$last")" "$(oathtool --totp -d 8 "$(printf '%08x' "$last")31323334353637383930313233343536")"

tap_done
