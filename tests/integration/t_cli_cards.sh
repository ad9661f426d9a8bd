#!/usr/bin/env bash
# SPDX-License-Identifier: BSD-2-Clause
# t_cli_cards.sh - token cards (tfa-admin(8), Token cards): tfa-admin token
# import of PSKC (RFC 6030) and CSV files, all or nothing (bad entries
# reported with their key package / line, --skip-bad, serials already in the
# store), token list,
# assign / unassign / reassign, reset taking cards back into stock, codes of
# 8-digit HOTP cards (replay, look-ahead), resync of an HOTP card pressed
# ~500 times and of a TOTP card 20 minutes fast (faketime), a real PAM login
# with a card code through pam_wrapper, the audit events, and no secret in
# any output, message, PAM transcript, audit entry or (in clear) the store.
# Codes always come from oathtool.
. "$(dirname "$0")/pam_lib.sh"
. "$(dirname "$0")/cli_lib.sh"

cli_require_tools || tap_done

D=$TFA_SRCDIR/tests/data
HEX=3132333435363738393031323334353637383930      # "12345678901234567890"
B32=GEZDGNBVGY3TQOJQGEZDGNBVGY3TQOJQ              # the same, base32
B64=MTIzNDU2Nzg5MDEyMzQ1Njc4OTA                   # the same, base64 (PSKC)
RAW=12345678901234567890
ABAB=abababababababababababababababab             # part of MAX-128's / bad.csv's secret

# PAM logins and fake clocks only where the tools are there
HAVE_PAM=0
if [ -f "$PAM_MODULE" ] && have pamtester &&
   { ldconfig -p 2>/dev/null | grep -q 'libpam_wrapper\.so' ||
     [ -e /usr/lib/x86_64-linux-gnu/libpam_wrapper.so ]; }; then
	HAVE_PAM=1
fi
HAVE_FT=0
if have faketime && { [ -z "${TFA_PRELOAD:-}" ] || [ -e "$FAKETIME_LIB" ]; }; then
	HAVE_FT=1
fi

pam_setup                          # $T, $STORE, $KEYFILE, pam.d
TD=$T ST=$STORE KF=$KEYFILE        # cli_lib's adm/run use the same store
ALL=$T/all-output.log              # stdout + stderr of every tfa-admin run
: >"$ALL"

# token list --json, cached in a file (the helpers below run in $(...))
# until anything may have changed the store: trun and a PAM login drop it
LISTF=$T/list.json
listing() {
	[ -s "$LISTF" ] || adm --json token list >"$LISTF" 2>&1
	printf "%s\n" "$(<"$LISTF")"
}
# trun WANT DESC CMD...: cli_lib's run, the output kept for the secret check
trun() { : >"$LISTF"; run "$@"; printf '%s\n%s\n' "$out" "$err" >>"$ALL"; }
# fadm SPEC ARGS...: tfa-admin at the fake time SPEC (ASan-safe, see pam_lib)
fadm() {
	faketime_cmd "$1"; shift
	"${FT_CMD[@]}" "$ADMIN" --store "$ST" --keyfile "$KF" "$@"
}
hotp8() { oathtool --hotp -d 8 -c "$1" "$HEX"; }
hotp6() { oathtool --hotp -c "$1" "$HEX"; }
snapshot() { listing; }
ncards() { listing | grep -o '"serial":' | wc -l; }
# card SERIAL FIELD: one field of that card in token list --json
card() {
	local j
	j=$(listing)
	if have jq; then
		jq -r --arg s "$1" --arg f "$2" \
			'.tokens[] | select(.serial == $s) | .[$f] | if . == null then "null" else tostring end' <<<"$j"
	else
		python3 -c '
import json, sys
for t in json.load(sys.stdin)["tokens"]:
    if t["serial"] == sys.argv[1]:
        v = t.get(sys.argv[2])
        print("null" if v is None else v)' "$1" "$2" <<<"$j"
	fi
}
is() { # DESC GOT WANT
	if [ "$2" = "$3" ]; then ok "$1"; else not_ok "$1" "got '$2', wanted '$3'"; fi
}
has() { # DESC TEXT FIXED-STRING
	if grep -qF -- "$3" <<<"$2"; then ok "$1"; else not_ok "$1" "no '$3' in:" "${2:0:1200}"; fi
}
no_secret() { # DESC TEXT: none of the secret's forms appears in TEXT
	local s
	for s in "$HEX" "$B32" "$B64" "$RAW" "$ABAB"; do
		if grep -qiF -- "$s" <<<"$2"; then not_ok "$1" "a secret shows: $s"; return; fi
	done
	ok "$1"
}

# ================================================================ 1. PSKC, good
trun 2 "token import without --pskc/--csv: exit 2" adm token import
trun 2 "token import with both --pskc and --csv: exit 2" \
	adm token import --pskc "$D/pskc/totp.xml" --csv "$D/csv/good.csv"
trun 4 "token import of a missing file: exit 4" adm token import --pskc "$T/nope.xml"
has "... the message names the file" "$err" "$T/nope.xml"
is "no cards at the start" "$(ncards)" 0

trun 0 "PSKC RFC 6030 figure 3 imports" adm token import --pskc "$D/pskc/rfc6030-figure3.xml"
has "summary: 1 card, 1 hotp, 0 totp" "$out" "imported 1 token card (1 hotp, 0 totp)"
trun 0 "PSKC TOTP key (totp.xml) imports, --json" adm --json token import --pskc "$D/pskc/totp.xml"
check_json "import --json is one JSON object" "$out"
is "--json: imported 1" "$(json_get .imported <<<"$out")" 1
is "--json: totp 1" "$(json_get .totp <<<"$out")" 1
is "--json: hotp 0" "$(json_get .hotp <<<"$out")" 0
is "--json: skipped 0" "$(json_get .skipped <<<"$out")" 0
trun 0 "PSKC figure 2 (serial from the Key Id) imports" adm token import --pskc "$D/pskc/rfc6030-figure2.xml"
trun 0 "token list" adm token list
has "list: header" "$out" "SERIAL"
check "list: 987654321 in stock (hotp, 8 digits, unassigned)" \
	grep -Eq '^987654321 +hotp +8 +SHA1 +0 +unassigned +- ' <<<"$out"
check "list: 987654323 in stock (totp, 6 digits, unassigned)" \
	grep -Eq '^987654323 +totp +6 +SHA1 +30s +unassigned +- ' <<<"$out"
check "list: 12345678 in stock" grep -Eq '^12345678 +hotp +6 .*unassigned' <<<"$out"
trun 0 "token list --json" adm --json token list
check_json "token list --json is one JSON object" "$out"
is "list --json: 3 cards" "$(ncards)" 3
is "list --json: 987654321 user null" "$(card 987654321 user)" null
is "list --json: 987654321 state unassigned" "$(card 987654321 state)" unassigned
is "list --json: 987654321 digits 8" "$(card 987654321 digits)" 8
is "list --json: 987654321 counter 0" "$(card 987654321 counter)" 0
is "list --json: 987654323 period 30" "$(card 987654323 period)" 30
is "list --json: PSKC TimeDrift is ignored (drift 0)" "$(card 987654323 drift)" 0

before=$(snapshot)
trun 2 "importing figure 3 again: exit 2" adm token import --pskc "$D/pskc/rfc6030-figure3.xml"
has "... 'serial already in the store'" "$err" "serial already in the store"
has "... names the serial" "$err" "987654321"
has "... with its key package (1)" "$err" "rfc6030-figure3.xml: key package 1 (serial 987654321): serial already in the store"
is "... the store is unchanged" "$(snapshot)" "$before"
trun 2 "--skip-bad does not let a serial already in the store in" \
	adm token import --pskc "$D/pskc/rfc6030-figure3.xml" --skip-bad
trun 2 "--json: a store duplicate refuses too" adm --json token import --pskc "$D/pskc/rfc6030-figure3.xml"
check_json "... one JSON error object" "$out"
is "... with exit 2" "$(json_get .exit <<<"$out")" 2
is "... errors[0].serial" "$(json_get .errors.0.serial <<<"$out")" 987654321
is "... errors[0].reason" "$(json_get .errors.0.reason <<<"$out")" "serial already in the store"
is "... errors[0].position is key package 1" "$(json_get .errors.0.position <<<"$out")" 1
is "card count unchanged (3)" "$(ncards)" 3

# ================================================================ 2. PSKC, broken
# file | what stderr must say (after "FILE")
broken=(
	"malformed.xml|: not a well-formed XML document"
	"not-xml.txt|: not a well-formed XML document"
	"not-pskc.xml|: not a PSKC document"
	"wrong-namespace.xml|: not a PSKC document"
	"missing-secret.xml|: key package 1 (serial 987654321): no secret"
	"rfc6030-figure6.xml|: key package 1 (serial 987654321): encrypted key"
	"dup-serial.xml|: key package 3 (serial A-1): duplicate serial"
	"ocra.xml|: key package 1 (serial 987654322): unsupported algorithm"
	"rfc6030-figure5.xml|: key package 2 (serial 987654321): unsupported algorithm"
	"rfc6030-figure10.xml|: key package 4 (serial 9999999): duplicate serial"
	"doctype-xxe.xml|: DOCTYPE"
	"doctype-laughs.xml|: DOCTYPE"
	"doctype-dtd.xml|: DOCTYPE"
	"encoding-utf7.xml|: unsupported character encoding"
	"utf16.xml|: not a UTF-8"
	"empty-container.xml| holds no token card"
	"empty-manufacturer.xml|: empty <Manufacturer>"
)
before=$(snapshot)
for e in "${broken[@]}"; do
	f=${e%%|*} why=${e#*|}
	trun 2 "PSKC $f: exit 2" adm token import --pskc "$D/pskc/$f"
	has "PSKC $f: reason and position on stderr" "$err" "$D/pskc/$f$why"
done
is "no broken PSKC file imported anything" "$(snapshot)" "$before"
trun 2 "a not well-formed file is refused also with --skip-bad" \
	adm token import --pskc "$D/pskc/malformed.xml" --skip-bad
trun 2 "a DOCTYPE file is refused also with --skip-bad" \
	adm token import --pskc "$D/pskc/doctype-xxe.xml" --skip-bad

# a file mixing good and bad key packages: 4 good, 18 bad
trun 2 "bad-keys.xml (good and bad key packages): exit 2" adm token import --pskc "$D/pskc/bad-keys.xml"
for p in "2 (serial nosecret): no secret" "3 (serial badb64): secret is not valid base64" \
	"4 (serial digits9): ResponseFormat Length 9" "12 (serial md5): unsupported Suite" \
	"15: no serial" "17 (serial noalg): unsupported algorithm" \
	"20 (serial good-1): duplicate serial" "21 (serial enccounter): encrypted key"; do
	has "bad-keys.xml: key package $p" "$err" "$D/pskc/bad-keys.xml: key package $p"
done
check "bad-keys.xml: the good key packages are not reported" \
	bash -c '! grep -Eq "key package (1|11|18|19)[ :]" <<<"$1"' _ "$err"
has "bad-keys.xml: says nothing imported" "$err" "bad input: 18 bad entries"
is "bad-keys.xml: nothing imported (list unchanged)" "$(snapshot)" "$before"
trun 2 "bad-keys.xml --json: exit 2" adm --json token import --pskc "$D/pskc/bad-keys.xml"
check_json "... one JSON error object" "$out"
is "... 18 errors" "$(grep -o '"reason":' <<<"$out" | wc -l)" 18
is "... errors[0] is key package 2" "$(json_get .errors.0.position <<<"$out")" 2
is "... errors[0].serial nosecret" "$(json_get .errors.0.serial <<<"$out")" nosecret
is "... still nothing imported" "$(ncards)" 3
trun 0 "bad-keys.xml --skip-bad imports the good ones" \
	adm --json token import --pskc "$D/pskc/bad-keys.xml" --skip-bad
is "--skip-bad: imported 4" "$(json_get .imported <<<"$out")" 4
is "--skip-bad: skipped 18" "$(json_get .skipped <<<"$out")" 18
is "--skip-bad: 3 hotp" "$(json_get .hotp <<<"$out")" 3
is "--skip-bad: 18 errors listed" "$(grep -o '"reason":' <<<"$out" | wc -l)" 18
is "7 cards now" "$(ncards)" 7
for s in good-1 good-2 keyid-19 totp-sha256; do
	is "--skip-bad: good card $s in stock" "$(card "$s" state)" unassigned
done
is "--skip-bad: bad card nosecret not imported" "$(card nosecret state)" ""
is "--skip-bad: the duplicate good-1 is the first one (counter 0)" "$(card good-1 counter)" 0
is "good-2: counter 42 from the file" "$(card good-2 counter)" 42
is "totp-sha256: SHA256" "$(card totp-sha256 algorithm)" SHA256
is "totp-sha256: 8 digits" "$(card totp-sha256 digits)" 8
is "totp-sha256: 60 s" "$(card totp-sha256 period)" 60
trun 0 "figure 10 --skip-bad: the 3 good ones" adm --json token import --pskc "$D/pskc/rfc6030-figure10.xml" --skip-bad
is "figure 10: imported 3" "$(json_get .imported <<<"$out")" 3
trun 0 "dup-serial.xml --skip-bad: A-1 and B-2" adm --json token import --pskc "$D/pskc/dup-serial.xml" --skip-bad
is "dup-serial: imported 2" "$(json_get .imported <<<"$out")" 2
before=$(snapshot)
trun 2 "figure 5 --skip-bad: its good key is in the store already: exit 2" \
	adm token import --pskc "$D/pskc/rfc6030-figure5.xml" --skip-bad
is "... nothing imported" "$(snapshot)" "$before"
is "12 cards in stock" "$(ncards)" 12

# imported values are used as the file says (codes from oathtool)
trun 0 "assign good-2 (counter 42) to gus" adm token assign good-2 gus
trun 1 "gus: the code at counter 41 is refused" adm verify gus "$(hotp6 41)"
trun 0 "gus: the code at counter 42 is accepted" adm verify gus "$(hotp6 42)"
trun 0 "assign totp-sha256 to sue" adm token assign totp-sha256 sue
trun 0 "sue: oathtool --totp=sha256 -d 8 -s 60 code is accepted" \
	adm verify sue "$(oathtool --totp=sha256 -d 8 -s 60 "$HEX")"

# ================================================================ 3. CSV
cli_new_store csv                           # its own store: bad.csv reuses serials
C_ST=$ST
: >"$LISTF"
trun 0 "CSV good.csv (header, comments, CRLF, blanks) imports" adm --json token import --csv "$D/csv/good.csv"
check_json "CSV import --json is one JSON object" "$out"
is "CSV: imported 6" "$(json_get .imported <<<"$out")" 6
is "CSV: 3 hotp" "$(json_get .hotp <<<"$out")" 3
is "CSV: 3 totp" "$(json_get .totp <<<"$out")" 3
is "CSV: skipped 0" "$(json_get .skipped <<<"$out")" 0
is "CSV: HOTP-0002 8 digits" "$(card HOTP-0002 digits)" 8
is "CSV: HOTP-0002 counter 5" "$(card HOTP-0002 counter)" 5
is "CSV: TOTP-0002 period 60" "$(card TOTP-0002 period)" 60
is "CSV: tok.a_b:c/d-e 7 digits" "$(card tok.a_b:c/d-e digits)" 7
is "CSV: all unassigned" "$(adm --json token list | grep -o '"state":"unassigned"' | wc -l)" 6
trun 0 "CSV: assign HOTP-0002 to hal" adm token assign HOTP-0002 hal
trun 0 "hal: 8-digit code at counter 5 accepted" adm verify hal "$(hotp8 5)"
trun 0 "CSV: assign TOTP-0002 to tess" adm token assign TOTP-0002 tess
trun 0 "tess: 8-digit 60 s TOTP code accepted" adm verify tess "$(oathtool --totp -d 8 -s 60 "$HEX")"
trun 0 "CSV: assign tok.a_b:c/d-e to ted" adm token assign tok.a_b:c/d-e ted
trun 0 "ted: 7-digit code of secret 00 accepted" adm verify ted "$(oathtool --hotp -d 7 -c 0 00)"

before=$(snapshot)
trun 2 "good.csv again: exit 2" adm token import --csv "$D/csv/good.csv"
has "... 'serial already in the store'" "$err" "serial already in the store"
has "... with the line of the first one (4)" "$err" "$D/csv/good.csv:4: serial already in the store"
has "... with the line of the last one (11)" "$err" "$D/csv/good.csv:11: serial already in the store"
is "... store unchanged" "$(snapshot)" "$before"

trun 2 "bad.csv: exit 2" adm token import --csv "$D/csv/bad.csv"
for l in 3 4 5 6 7 8 9 10 11 12 13 14 15 16 17 18 19 22; do
	check "bad.csv: bad line $l reported as FILE:$l:" grep -qF "$D/csv/bad.csv:$l: " <<<"$err"
done
check "bad.csv: good lines (2 20 21 23) not reported" \
	bash -c '! grep -Eq "bad.csv:(1|2|20|21|23): " <<<"$1"' _ "$err"
has "bad.csv: line 19 is a duplicate of line 2" "$err" "bad.csv:19: duplicate serial (first at line 2)"
has "bad.csv: line 11 unknown type" "$err" "bad.csv:11: unknown type"
has "bad.csv: says 18 bad entries, nothing imported" "$err" "bad input: 18 bad entries"
is "bad.csv: nothing imported" "$(snapshot)" "$before"
trun 2 "bad.csv --json: exit 2" adm --json token import --csv "$D/csv/bad.csv"
check_json "... one JSON error object" "$out"
is "... errors[0].line 3" "$(json_get .errors.0.line <<<"$out")" 3
is "... 18 errors" "$(grep -o '"line":' <<<"$out" | wc -l)" 18
trun 0 "bad.csv --skip-bad imports the good lines" adm --json token import --csv "$D/csv/bad.csv" --skip-bad
is "--skip-bad: imported 4 (good-1 good-2 serial s-maxctr)" "$(json_get .imported <<<"$out")" 4
is "--skip-bad: skipped 18" "$(json_get .skipped <<<"$out")" 18
is "10 cards in the CSV store" "$(ncards)" 10
is "good-1 from line 2 (6 digits), not line 19" "$(card good-1 digits)" 6
no_secret "CSV: no secret on stdout/stderr (bad column order, bad hex, long hex)" "$(cat "$ALL")"
trun 0 "CSV store: audit" adm audit
has "CSV store: audit card_import csv" "$out" "card_import"
no_secret "CSV store: no secret in the audit trail" "$out$(adm --json audit 2>&1)"
ST=$STORE KF=$KEYFILE                        # back to the main store
: >"$LISTF"

# ================================================================ 4. 8-digit HOTP card
trun 0 "assign 987654321 (8-digit HOTP) to alice" adm token assign 987654321 alice
has "... says assigned, active" "$out" "assigned to alice"
is "list: 987654321 user alice" "$(card 987654321 user)" alice
is "list: 987654321 state active" "$(card 987654321 state)" active
trun 0 "alice: the code at counter 0 is accepted" adm verify alice "$(hotp8 0)"
trun 1 "alice: the same code again is refused (replay)" adm verify alice "$(hotp8 0)"
trun 0 "alice: the code 5 ahead (counter 6, look-ahead 10) is accepted" adm verify alice "$(hotp8 6)"
is "list: next counter 7" "$(card 987654321 counter)" 7
trun 1 "alice: a code 50 ahead (counter 57) is refused" adm verify alice "$(hotp8 57)"
is "... and does not move the counter" "$(card 987654321 counter)" 7
trun 1 "resync with non-consecutive codes (500, 502): exit 1" \
	adm token resync alice "$(hotp8 500)" "$(hotp8 502)"
trun 1 "resync with codes beyond the 1000-counter search (1600, 1601): exit 1" \
	adm token resync alice "$(hotp8 1600)" "$(hotp8 1601)"
is "failed resyncs leave the counter" "$(card 987654321 counter)" 7
trun 0 "resync alice with the codes at counters 500 and 501" \
	adm --json token resync alice "$(hotp8 500)" "$(hotp8 501)"
check_json "resync --json is one JSON object" "$out"
is "resync --json: type hotp" "$(json_get .type <<<"$out")" hotp
is "resync --json: next counter 502" "$(json_get .counter <<<"$out")" 502
trun 0 "alice: the code at counter 502 is accepted" adm verify alice "$(hotp8 502)"
trun 1 "alice: the code at counter 501 (the resync's second) is refused" adm verify alice "$(hotp8 501)"
trun 1 "alice: the code at counter 500 is refused" adm verify alice "$(hotp8 500)"
trun 0 "alice: the code at counter 503 is accepted" adm verify alice "$(hotp8 503)"
trun 3 "resync of a user without a card or token: exit 3" adm token resync nobody "$(hotp8 1)" "$(hotp8 2)"
trun 2 "resync with too few arguments: exit 2" adm token resync alice "$(hotp8 504)"

# ================================================================ 5. TOTP card, 20 minutes fast
if [ "$HAVE_FT" = 1 ]; then
	# the server's clock: 2027-01-15 08:00:05 UTC (a fresh step, fixed);
	# the card's clock is 20 minutes ahead (40 steps)
	NOW="@2027-01-15 08:00:05"
	card_at() { oathtool --totp -N "2027-01-15 $1 UTC" "$HEX"; }   # the card shows
	trun 0 "assign 987654323 (TOTP) to tom" adm token assign 987654323 tom
	trun 1 "tom: the card's code (20 min fast) is refused before resync" \
		fadm "$NOW" verify tom "$(card_at 08:20:05)"
	trun 1 "resync with two codes 2 steps apart: exit 1" \
		fadm "$NOW" token resync tom "$(card_at 08:20:05)" "$(card_at 08:21:05)"
	trun 1 "resync with a card 10 hours fast (beyond 1000 steps): exit 1" \
		fadm "$NOW" token resync tom "$(oathtool --totp -N "2027-01-15 18:00:05 UTC" "$HEX")" \
		"$(oathtool --totp -N "2027-01-15 18:00:35 UTC" "$HEX")"
	trun 0 "resync tom with two consecutive codes of the card (faketime)" \
		fadm "$NOW" --json token resync tom "$(card_at 08:20:05)" "$(card_at 08:20:35)"
	check_json "resync --json (totp) is one JSON object" "$out"
	is "resync --json: type totp" "$(json_get .type <<<"$out")" totp
	d=$(json_get .drift <<<"$out")
	check "resync --json: drift ~40 steps (got $d)" test "${d:-0}" -ge 39 -a "${d:-0}" -le 41
	is "token list --json: the learned drift" "$(card 987654323 drift)" "$d"
	trun 1 "tom: the resync's second code is refused afterwards" \
		fadm "$NOW" verify tom "$(card_at 08:20:35)"
	trun 0 "tom: the card's next code verifies" fadm "$NOW" verify tom "$(card_at 08:21:05)"
	trun 0 "tom: 5 min later, the card's code then verifies" \
		fadm "@2027-01-15 08:05:05" verify tom "$(card_at 08:25:05)"
	trun 1 "tom: a code of the server's own (undrifted) clock is refused" \
		fadm "@2027-01-15 08:06:05" verify tom "$(oathtool --totp -N "2027-01-15 08:06:05 UTC" "$HEX")"
else
	skip "TOTP card resync under a fake clock" "faketime not installed"
fi

# ================================================================ 6. assign / unassign / reassign / reset
trun 0 "assign 123456 to carol" adm token assign 123456 carol
is "list: 123456 user carol" "$(card 123456 user)" carol
is "list: 123456 active" "$(card 123456 state)" active
trun 2 "assign 123456 to dave while carol has it: exit 2" adm token assign 123456 dave
has "... the message names carol" "$err" "carol"
is "... still carol's" "$(card 123456 user)" carol
trun 3 "assign an unknown serial: exit 3" adm token assign NO-SUCH-CARD dave
trun 2 "assign an invalid serial: exit 2" adm token assign 'bad serial!' dave
trun 2 "assign to an invalid user name: exit 2" adm token assign 9999999 $'bad\nname'
is "... 9999999 still in stock" "$(card 9999999 state)" unassigned
trun 3 "unassign a card in stock: exit 3" adm token unassign 9999999
trun 3 "unassign an unknown serial: exit 3" adm token unassign NO-SUCH-CARD
trun 0 "carol: the card's code at counter 0 is accepted" adm verify carol "$(hotp8 0)"
trun 0 "unassign 123456" adm token unassign 123456
has "... says back in stock" "$out" "back in stock"
is "list: 123456 user null again" "$(card 123456 user)" null
is "list: 123456 unassigned again" "$(card 123456 state)" unassigned
trun 3 "carol: the card's next code now: exit 3 (no token)" adm verify carol "$(hotp8 1)"
trun 0 "assign 123456 to dave" adm token assign 123456 dave
is "list: 123456 user dave" "$(card 123456 user)" dave
trun 1 "dave: carol's used code (counter 0) is refused" adm verify dave "$(hotp8 0)"
trun 0 "dave: the card's next code is accepted" adm verify dave "$(hotp8 1)"
trun 3 "carol: the card's code is exit 3 (no token)" adm verify carol "$(hotp8 2)"
trun 0 "reset dave" adm reset dave
is "after reset: 123456 back in stock (unassigned)" "$(card 123456 state)" unassigned
is "after reset: 123456 user null" "$(card 123456 user)" null
trun 3 "after reset: dave's card code is refused (exit 3)" adm verify dave "$(hotp8 2)"
trun 3 "after reset: unassign says it is not assigned (exit 3)" adm token unassign 123456
trun 0 "the card from stock goes to erin" adm token assign 123456 erin
trun 0 "erin: the card's next code is accepted" adm verify erin "$(hotp8 2)"

# ================================================================ 7. PAM login with a card code
if [ "$HAVE_PAM" = 1 ]; then
	tfa policy set enabled yes >/dev/null
	tfa policy set default_required yes >/dev/null
	trun 0 "assign 654321 (8-digit HOTP) to pat" adm token assign 654321 pat
	pam_login pat "$(hotp8 0)"
	is_result "PAM: pat logs in with the card's code (counter 0)" SUCCESS
	check "PAM: the module logged the success" grep -q 'user "pat"' <<<"$PAM_SYSLOG"
	pam_login pat "$(hotp8 0)"
	is_result "PAM: the same code again is refused" AUTH_ERR
	pam_login pat "$(hotp8 4)"
	is_result "PAM: a code 4 presses ahead is accepted" SUCCESS
	pam_login pat "$(hotp8 60)"
	is_result "PAM: a code 55 presses ahead is refused" AUTH_ERR
	: >"$LISTF"
	is "PAM logins moved the card's counter (5)" "$(card 654321 counter)" 5
	if [ "$HAVE_FT" = 1 ]; then
		# tom's card, drift learned above: server 08:10:05, card 08:30:05
		pam_login tom "$(card_at 08:30:05)" -t "@2027-01-15 08:10:05"
		is_result "PAM: tom logs in with the drifted TOTP card (faketime)" SUCCESS
	else
		skip "PAM login with the drifted TOTP card" "faketime not installed"
	fi
	no_secret "PAM: no secret in the transcripts or syslog lines" "$(cat "$OUTS" "$LOG")"
else
	skip "PAM login with a card code" "pamtester, libpam_wrapper or the module missing"
fi

# ================================================================ 8. audit
trun 0 "audit" adm audit
AUD=$out
for ev in card_import card_assign card_unassign resync reset; do
	check "audit: $ev event" grep -q " $ev " <<<"$AUD"
done
check "audit: card_import names pskc" grep -Eq 'card_import +.*pskc' <<<"$AUD"
check "audit: card_assign of 987654321 to alice" grep -Eq 'alice +card_assign .*987654321' <<<"$AUD"
check "audit: card_unassign of 123456 from carol" grep -Eq 'carol +card_unassign .*123456' <<<"$AUD"
check "audit: resync of alice" grep -Eq 'alice +resync ' <<<"$AUD"
if [ "$HAVE_FT" = 1 ]; then
	check "audit: resync of tom" grep -Eq 'tom +resync ' <<<"$AUD"
fi
trun 0 "audit --user alice" adm audit --user alice
check "audit --user alice: card_assign and resync" \
	bash -c 'grep -q card_assign <<<"$1" && grep -q resync <<<"$1"' _ "$out"
trun 0 "audit --json" adm --json audit

# ================================================================ 9. no secret anywhere
no_secret "no secret in any tfa-admin output or message" "$(cat "$ALL")"
no_secret "no secret in the audit trail (text)" "$AUD"
no_secret "no secret in the audit trail (--json)" "$(adm --json audit 2>&1)"
no_secret "no secret in token list / show" "$(adm token list 2>&1; adm --json token list 2>&1; adm show alice 2>&1; adm --json show alice 2>&1)"
check "the stores hold no secret in clear" \
	bash -c '! cat "$@" 2>/dev/null | grep -aqiE "$0"' \
	"$RAW|$HEX|$B32|$B64|$ABAB" "$STORE"* "$C_ST"*

tap_done
