#!/usr/bin/env bash
# SPDX-License-Identifier: BSD-2-Clause
# t_cli_files.sh - tfa-admin and its files: init creates the store and key
# with safe modes, and only init creates them; every unusable store or key
# file (missing, empty, uninitialised, unsafe mode, unsafe directory) is
# exit 4 with a message naming the file and the fix; the QR codes (PNG and
# terminal) decode to exactly the printed URI.
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
printf 'HOTP alice - 3132333435363738393031323334353637383930\n' >"$TD/users.oath"
for cmd in "verify alice 123456" "confirm alice 123456" "reset alice" "unlock alice" \
	   "list" "show alice" "policy show" "audit" \
	   "enable alice" "disable alice" "default alice" "enroll alice --no-qr" \
	   "recovery alice" "policy set enabled yes" "token list" "challenge alice" \
	   "import oath $TD/users.oath"; do
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

# ---------------------------------------------------------------- empty or uninitialised store (item 2)
newstore
: >"$ST"
for cmd in "enable alice" "policy set enabled no" "enroll carl --no-qr" "list" "verify bob 123456"; do
	# shellcheck disable=SC2086
	run 4 "empty store (0 bytes): $cmd exits 4" adm $cmd
	check "empty store: $cmd names the store, says empty and init" \
		bash -c 'grep -qF "$2" <<<"$1" && grep -q "is empty (0 bytes)" <<<"$1" && grep -q "tfa-admin init" <<<"$1"' _ "$err" "$ST"
done
check "empty store: still 0 bytes (never rebuilt)" test ! -s "$ST"
run 0 "empty store: init makes a new one (the admin asked)" adm init
run 0 "... which then opens" adm policy show
if have sqlite3; then
	sqlite3 "$ST" 'DELETE FROM meta WHERE key="key_check";'
	run 4 "store without its key check: enable exits 4" adm enable alice
	check "store without its key check: not initialised, run init" \
		bash -c 'grep -qF "$2" <<<"$1" && grep -q "not initialised" <<<"$1" && grep -q "tfa-admin init" <<<"$1"' _ "$err" "$ST"
	rm -f "$ST" "$ST-wal" "$ST-shm"
	sqlite3 "$ST" 'CREATE TABLE t(x);'
	chmod 600 "$ST"
	run 4 "database without the schema: enable exits 4" adm enable alice
	check "database without the schema: not initialised, run init" \
		bash -c 'grep -qF "$2" <<<"$1" && grep -q "not initialised (it has no schema)" <<<"$1"' _ "$err" "$ST"
	check "database without the schema: left without one" test "$(sqlite3 "$ST" 'PRAGMA user_version')" = 0
else
	not_ok "store without the schema or key check" "sqlite3 not installed (scripts/deps.sh test)"
fi

# ---------------------------------------------------------------- modes and directories (item 5)
# bad_mode DESC FILE MODE: exit 4 for a read and a write command, message
# names FILE and "chmod 600 FILE"
bad_mode() {
	local desc=$1 f=$2 m=$3 cmd
	chmod "$m" "$f"
	for cmd in "list" "enable alice"; do
		# shellcheck disable=SC2086
		run 4 "$desc (mode $m): $cmd exits 4" adm $cmd
		check "$desc (mode $m): $cmd names the file and the fix" \
			bash -c 'grep -qF "$2" <<<"$1" && grep -qF "chmod 600 $2" <<<"$1"' _ "$err" "$f"
	done
	chmod 600 "$f"
}
# bad_dir DESC DIR FIX: exit 4 naming DIR and FIX
bad_dir() {
	local desc=$1 d=$2 fix=$3
	run 4 "$desc: verify exits 4" adm verify bob 123456
	check "$desc: message names the directory and the fix" \
		bash -c 'grep -qF "$2" <<<"$1" && grep -qF "$3" <<<"$1"' _ "$err" "$d" "$fix"
}
newstore
bad_mode "key file readable by group" "$KF" 0640
bad_mode "key file readable by others" "$KF" 0604
bad_mode "store readable by others" "$ST" 0604
bad_mode "store writable by group" "$ST" 0620
chmod 0640 "$ST"
run 0 "store readable by group (0640): accepted" adm list
chmod 0600 "$ST"
chmod 0640 "$KF"
run 4 "init with an existing key file of mode 0640: refused (exit 4), not \"checked\"" adm init
check "init refusal names the key file and the fix" grep -qF "chmod 600 $KF" <<<"$err"
check "init refusal: nothing said to be checked" bash -c '! grep -q checked <<<"$1"' _ "$out"
chmod 0600 "$KF"
run 0 "init on good files: checked" adm init
check "init on good files says checked" grep -q "exists, checked" <<<"$out"

chmod 0770 "$TD/store"
bad_dir "store directory group-writable" "$TD/store" "chmod go-w $TD/store"
chmod 0700 "$TD/store"
chmod 0703 "$TD/key"
bad_dir "key directory writable by others" "$TD/key" "chmod go-w $TD/key"
chmod 0700 "$TD/key"
chmod 0775 "$TD"
bad_dir "directory two levels up group-writable" "$TD" "chmod go-w $TD"
chmod 0700 "$TD"
if [ "$(id -u)" -eq 0 ] && id nobody >/dev/null 2>&1; then
	chown nobody "$TD/store"
	bad_dir "store directory owned by nobody" "$TD/store" "chown root $TD/store"
	chown root "$TD/store"
else
	skip "store directory owned by another user" "not running as root"
fi
run 0 "all fixed: bob verifies" adm verify bob "$(totp "$bsec" 0)"

tap_tmpdir TD
mkdir "$TD/sticky"
chmod 1777 "$TD/sticky"
ST=$TD/sticky/tfa.db
KF=$TD/sticky/tfa.key
run 4 "init into a sticky world-writable directory itself: refused" adm init
check "... names the directory and the fix" grep -qF "chmod go-w $TD/sticky" <<<"$err"
check "... and creates nothing" test ! -e "$ST" -a ! -e "$KF"
ST=$TD/sticky/good/tfa.db
KF=$TD/sticky/good/tfa.key
run 0 "init below a sticky directory (like /tmp): fine" adm init
run 0 "... and the store opens" adm enable alice
mkdir -m 0777 "$TD/open"
run 4 "init with the key in a world-writable directory: refused" adm --keyfile "$TD/open/k.key" init
check "... names the directory" grep -qF "chmod go-w $TD/open" <<<"$err"
check "... creates no key" test ! -e "$TD/open/k.key"

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
