#!/usr/bin/env bash
# t_cli_files.sh - tfa-admin and its files: init creates the store and key
# with safe modes; every unusable store or key file is exit 4 with a message
# naming the file; read-only and verify commands never create a store; the
# QR codes (PNG and terminal) decode to exactly the printed URI.
. "$(dirname "$0")/lib.sh"
. "$(dirname "$0")/cli_lib.sh"

cli_require_tools || tap_done
mode() { stat -c %a "$1"; }

# ---------------------------------------------------------------- init
tap_tmpdir TD
ST=$TD/a/store/tfa.db
KF=$TD/a/key/tfa.key
run 0 "init" adm init
check "store created 0600" test "$(mode "$ST")" = 600
check "store directory created 0700" test "$(mode "$(dirname "$ST")")" = 700
check "key created 0600" test "$(mode "$KF")" = 600
check "key directory created 0700" test "$(mode "$(dirname "$KF")")" = 700
check "key file holds 64 hex digits" grep -qE '^[0-9a-f]{64}$' "$KF"
check "init says created" grep -q created <<<"$out"
key1=$(cat "$KF")
run 0 "init again" adm init
check "init again keeps the key" test "$(cat "$KF")" = "$key1"
run 0 "init --json" adm --json init
check_json "init --json prints a JSON object" "$out"
check "init --json: created_store false" test "$(json_get .created_store <<<"$out")" = false
run 0 "TFA_STORE and TFA_KEYFILE select the files" env TFA_STORE="$ST" TFA_KEYFILE="$KF" "$ADMIN" policy show
run 4 "--store beats TFA_STORE" env TFA_STORE="$ST" TFA_KEYFILE="$KF" "$ADMIN" --store "$TD/none.db" policy show

# ---------------------------------------------------------------- never create by accident
for cmd in "verify alice 123456" "confirm alice 123456" "reset alice" "unlock alice" \
	   "list" "show alice" "policy show" "audit"; do
	ST=$TD/missing/store/tfa.db
	KF=$TD/missing/key/tfa.key
	# shellcheck disable=SC2086
	run 4 "missing store: $cmd exits 4" adm $cmd
	check "missing store: $cmd names the store and suggests init" \
		bash -c 'grep -qF "$2" <<<"$1" && grep -q "does not exist" <<<"$1" && grep -q init <<<"$1"' _ "$err" "$ST"
	check "missing store: $cmd does not create it" test ! -e "$ST" -a ! -e "$KF"
done
run 2 "policy set with a bad key on a missing store: exit 2" adm policy set bogus 1
check "... and creates nothing" test ! -e "$ST"
run 4 "--json verify on a missing store: exit 4" adm --json verify alice 123456
check_json "--json error is a JSON object" "$out"
check "--json error: exit 4 and a message" bash -c '[ "$2" = 4 ] && grep -q "does not exist" <<<"$1"' _ "$(json_get .error <<<"$out")" "$(json_get .exit <<<"$out")"
run 2 "--json usage error: exit 2" adm --json verify alice
check_json "--json usage error is a JSON object" "$out"

# ---------------------------------------------------------------- unsafe files
newstore() { # a fresh initialised store with bob enrolled and active
	tap_tmpdir TD
	ST=$TD/store/tfa.db
	KF=$TD/key/tfa.key
	adm init >/dev/null 2>&1
	bsec=$(secret_of "$(adm enroll bob --activate --no-qr 2>/dev/null)")
	SECRETS+=("$bsec")
}
newstore
run 0 "bob verifies on a good store" adm verify bob "$(totp "$bsec" 0)"

ln -s "$ST" "$TD/store/link.db"
for cmd in "verify bob 123456" "list" "enroll carl --no-qr"; do
	# shellcheck disable=SC2086
	run 4 "store is a symlink: $cmd exits 4" "$ADMIN" --store "$TD/store/link.db" --keyfile "$KF" $cmd
	check "store is a symlink: message names the link" grep -qF "$TD/store/link.db" <<<"$err"
done

chmod 0666 "$ST"
run 4 "store mode 0666: verify exits 4" adm verify bob 123456
check "store mode 0666: message names the store" grep -qF "$ST" <<<"$err"
run 4 "store mode 0666: enroll exits 4" adm enroll carl --no-qr
chmod 0620 "$ST"
run 4 "store mode 0620 (group-writable): list exits 4" adm list
check "store group-writable: message names the store" grep -qF "$ST" <<<"$err"
chmod 0600 "$ST"

chmod 0620 "$KF"
run 4 "key file group-writable: verify exits 4" adm verify bob 123456
check "key file group-writable: message names the key file" grep -qF "$KF" <<<"$err"
run 4 "key file group-writable: enroll exits 4" adm enroll carl --no-qr
chmod 0606 "$KF"
run 4 "key file world-writable: show exits 4" adm show bob
check "key file world-writable: message names the key file" grep -qF "$KF" <<<"$err"
chmod 0600 "$KF"

ln -s "$KF" "$TD/key/link.key"
run 4 "key file is a symlink: verify exits 4" "$ADMIN" --store "$ST" --keyfile "$TD/key/link.key" verify bob 123456
check "key file is a symlink: message names the link" grep -qF "$TD/key/link.key" <<<"$err"

mv "$KF" "$KF.away"
run 4 "key file missing, store present: verify exits 4" adm verify bob "$(totp "$bsec" 1)"
check "key file missing: message names the key file" grep -qF "$KF" <<<"$err"
run 4 "key file missing, store present: enroll exits 4" adm enroll carl --no-qr
check "key file missing: enroll does not make a new key" test ! -e "$KF"
run 4 "key file missing, store present: init exits 4" adm init
check "key file missing: init does not make a new key" test ! -e "$KF"
mv "$KF.away" "$KF"

tap_tmpdir OTHER
"$ADMIN" --store "$OTHER/s.db" --keyfile "$OTHER/k.key" init >/dev/null 2>&1
run 4 "another store's key: verify exits 4" adm --keyfile "$OTHER/k.key" verify bob "$(totp "$bsec" 1)"
check "wrong key: message names the key file" grep -qF "$OTHER/k.key" <<<"$err"

cp -p "$KF" "$KF.good"
printf 'not a key\n' >"$KF"
run 4 "garbage key file: verify exits 4" adm verify bob 123456
check "garbage key file: message names the key file" grep -qF "$KF" <<<"$err"
: >"$KF"
run 4 "empty key file: list exits 4" adm list
cp -p "$KF.good" "$KF"
run 0 "good key back: bob verifies" adm verify bob "$(totp "$bsec" 1)"

tap_tmpdir TD
ST=$TD/store/tfa.db
KF=$TD/key/tfa.key
adm init >/dev/null 2>&1
head -c 8192 /dev/urandom >"$ST"
for cmd in "verify bob 123456" "list" "policy show" "enroll carl --no-qr" "init"; do
	# shellcheck disable=SC2086
	run 4 "corrupt store (random bytes): $cmd exits 4" adm $cmd
	check "corrupt store: $cmd names the store" grep -qF "$ST" <<<"$err"
done
printf 'SQLite format 3\0garbage' >"$ST"
run 4 "corrupt store (bad header): verify exits 4" adm verify bob 123456

run 2 "empty --store: exit 2" "$ADMIN" --store "" --keyfile "$KF" list

# ---------------------------------------------------------------- QR codes
tap_tmpdir TD
ST=$TD/store/tfa.db
KF=$TD/key/tfa.key
adm init >/dev/null 2>&1
if have zbarimg; then
	png=$TD/qr.png
	run 0 "enroll --qr-png" adm enroll quinn --qr-png "$png"
	uri=$(grep '^otpauth://' <<<"$out")
	SECRETS+=("$(secret_of "$uri")")
	check "PNG written 0600" test "$(mode "$png")" = 600
	dec=$(zbarimg --raw -q "$png" 2>/dev/null)
	check "PNG decodes to exactly the printed URI" test -n "$uri" -a "$dec" = "$uri"

	qrtool=$TFA_BUILDDIR/tests/tools/qrtext2pbm
	if [ ! -x "$qrtool" ]; then
		qrtool=$TD/qrtext2pbm
		${CC:-cc} -O -o "$qrtool" "$TFA_SRCDIR/tests/tools/qrtext2pbm.c" 2>/dev/null || qrtool=
	fi
	if [ -n "$qrtool" ]; then
		for t in totp hotp; do
			if [ "$t" = totp ]; then
				run 0 "enroll (totp) draws a terminal QR" adm enroll qr1
			else
				t="hotp, 8 digits, SHA512, issuer with a space"
				run 0 "enroll ($t) draws a terminal QR" adm enroll qr2 --type hotp \
					--digits 8 --algorithm SHA512 --issuer "Example Co"
			fi
			uri=$(grep '^otpauth://' <<<"$out")
			SECRETS+=("$(secret_of "$uri")")
			"$qrtool" <<<"$out" >"$TD/qr.pbm"
			dec=$(zbarimg --raw -q "$TD/qr.pbm" 2>/dev/null)
			check "terminal QR ($t) decodes to exactly the printed URI" test -n "$uri" -a "$dec" = "$uri"
		done
	else
		skip "terminal QR decodes to the URI" "cannot build tests/tools/qrtext2pbm"
	fi

	run 0 "--json enroll --qr-png" adm --json enroll rqr --qr-png "$TD/j.png"
	check "--json with --qr-png: still one line, PNG decodes to the JSON uri" \
		bash -c '[ "$(wc -l <<<"$1")" = 1 ] && [ "$(zbarimg --raw -q "$2" 2>/dev/null)" = "$3" ]' \
		_ "$out" "$TD/j.png" "$(json_get .uri <<<"$out")"
	SECRETS+=("$(secret_of "$(json_get .uri <<<"$out")")")
else
	skip "QR PNG decodes to the URI" "no zbarimg"
	skip "terminal QR decodes to the URI" "no zbarimg"
fi
run 2 "--issuer with a colon: exit 2" adm enroll qr3 --issuer "Example: VPN"
run 0 "show qr3" adm --json show qr3
check "--issuer with a colon: nothing stored" test "$(json_get .state <<<"$out")" = none
ln -s "$TD/victim" "$TD/link.png"
run 4 "--qr-png onto a symlink: refused (exit 4)" adm enroll sam --qr-png "$TD/link.png"
check "--qr-png onto a symlink: the target is not created" test ! -e "$TD/victim"
check "--qr-png refused: no URI printed" bash -c '! grep -q otpauth <<<"$1$2"' _ "$out" "$err"
run 4 "--qr-png into a missing directory: exit 4" adm enroll sam --qr-png "$TD/no/such/dir/q.png"
check "--qr-png error names the file" grep -qF "$TD/no/such/dir/q.png" <<<"$err"

tap_done
