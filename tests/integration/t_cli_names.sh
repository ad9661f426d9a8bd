#!/usr/bin/env bash
# SPDX-License-Identifier: BSD-2-Clause
# backends: sqlite postgresql
# t_cli_names.sh - user and group names in tfa-admin (tfa-admin(8), USER
# NAMES; issue 11 items 1, 4 and 13), with the real tfa-admin binary under
# libnss_wrapper (a passwd and group file of our own) and tests/tools/
# nss_shim.so (a case-insensitive directory: ALICE finds alice; injected NSS
# errors):
#  - every command uses the name NSS gives: ALICE and alice are one user;
#  - enroll, enable, disable, default, token assign and the imports refuse a
#    user the system does not know (exit 3, the message names the user)
#    unless --force; verify, reset, show, unlock, recovery, confirm do not
#    refuse it (RADIUS-only users);
#  - an NSS error is exit 4, also with --force;
#  - policy set required_groups refuses a group that does not exist (exit 3,
#    e.g. wheel on Debian) unless --force; a group lookup error is exit 4;
#    show says the group lookup failed (exit 4);
#  - DOMAIN\user and UTF-8 names work, and are escaped in messages;
#  - names with control characters or over 128 bytes are refused (exit 2).
. "$(dirname "$0")/lib.sh"
. "$(dirname "$0")/cli_lib.sh"

SHIM=$TFA_BUILDDIR/tests/tools/.libs/nss_shim.so
if [ ! -x "$ADMIN_BIN" ] || [ ! -f "$SHIM" ]; then
	not_ok "tfa-admin and tests/tools/nss_shim.so are built" "missing $ADMIN_BIN or $SHIM"
	tap_done
fi
if ! have oathtool || [ ! -e /usr/lib/x86_64-linux-gnu/libnss_wrapper.so ]; then
	if [ "${CI:-}" = true ]; then
		not_ok "oathtool and libnss_wrapper installed" "scripts/deps.sh test installs them"
	else
		skip "user names in tfa-admin" "oathtool or libnss-wrapper not installed (scripts/deps.sh test)"
	fi
	tap_done
fi

cli_new_store names
{
	echo "root:x:0:0:root:/root:/bin/sh"
	echo "alice:x:2001:2001:Alice:/home/alice:/bin/sh"
	printf '%s\n' 'DOMAIN\bob:x:2002:2002:Bob:/home/bob:/bin/sh'
	echo "jürgen:x:2003:2003:J:/home/j:/bin/sh"
} >"$TD/passwd"
{
	echo "root:x:0:"
	echo "alice:x:2001:"
	echo "sudo:x:27:alice"
	# a group of 3000 members (17 KB): more than a fixed 16 KiB buffer
	printf 'bigops:x:3000:%s,alice\n' "$(seq -f 'member%g' 1 3000 | paste -sd,)"
} >"$TD/group"

# nadm ARGS...: the real tfa-admin under nss_wrapper + the shim
nadm() {
	env LD_PRELOAD="${TFA_PRELOAD:+$TFA_PRELOAD:}$SHIM:libnss_wrapper.so" \
		NSS_WRAPPER_PASSWD="$TD/passwd" NSS_WRAPPER_GROUP="$TD/group" TFA_NSS_FOLD=1 \
		"$ADMIN_BIN" --store "$ST" --keyfile "$KF" "$@"
}
# has TEXT REGEX DESC
has() { if grep -Eq -- "$2" <<<"$1"; then ok "$3"; else not_ok "$3" "no /$2/ in: ${1:0:400}"; fi; }

# ---- unknown users: refused by the commands that give a user a setting or a token
run 3 "enable of a user the system does not know: exit 3" nadm enable carol
has "$err" 'no such user "carol"' "the message names the user"
has "$err" '--force' "and says --force"
for c in disable default; do
	run 3 "$c of an unknown user: exit 3" nadm "$c" carol
done
run 3 "enroll of an unknown user: exit 3" nadm enroll carol --no-qr --activate
out=$(nadm list)
has "$out" '^no users in the store' "refused names leave no user in the store"
run 0 "enable carol --force: exit 0 (a RADIUS-only user)" nadm enable carol --force
run 0 "enroll carol --force: exit 0" nadm --json enroll carol --no-qr --activate --force
run 2 "--force is not an option of verify" nadm verify carol 123456 --force

# ---- canonical names: ALICE is alice
run 0 "enroll ALICE: exit 0" nadm --json enroll ALICE --no-qr --activate
is_user=$(json_get .user <<<"$out")
check "enroll ALICE enrols alice (JSON user)" test "$is_user" = alice
has "$(json_get .uri <<<"$out")" 'otpauth://totp/[^:]*:alice\?' "the URI label names alice"
S_ALICE=$(secret_of "$out")
run 0 "enable Alice: exit 0" nadm enable Alice
has "$out" '^alice: per-user setting on' "the setting is alice's"
out=$(nadm list)
check "alice is one row in list" test "$(grep -c '^alice ' <<<"$out")" = 1
check "no row for ALICE or Alice" bash -c '! grep -Eq "^(ALICE|Alice) " <<<"$1"' _ "$out"
wait_step
run 0 "verify ALICE with alice's code: exit 0" nadm verify ALICE "$(totp "$S_ALICE" 0)"
run 1 "the same code for alice: already used (one user)" nadm verify alice "$(totp "$S_ALICE" 0)"
run 0 "show aLiCe: exit 0" nadm show aLiCe
has "$out" '^user: +alice$' "show aLiCe shows alice"
run 0 "recovery ALICE: exit 0" nadm --json recovery ALICE --count 2
check "recovery codes are alice's" test "$(json_get .user <<<"$out")" = alice
run 0 "unlock ALICE: exit 0" nadm unlock ALICE
has "$out" '^alice: unlocked' "unlock names alice"
out=$(nadm audit --user ALICE)
has "$out" 'enroll' "audit --user ALICE lists alice's events"

# ---- commands that do not refuse a name the system does not know
run 3 "verify of an unknown user with no token: exit 3 (no token, not refused)" nadm verify radius1 123456
run 0 "show of an unknown user: exit 0" nadm show radius1
has "$out" 'not known to the system' "show says the system does not know the user"
run 3 "reset of an unknown user with no token: exit 3 (nothing to revoke)" nadm reset radius1
run 3 "confirm of an unknown user: exit 3 (no pending token)" nadm confirm radius1 123456
run 0 "recovery of an unknown user: exit 0" nadm recovery radius1 --count 1
run 0 "reset of that unknown user: exit 0" nadm reset radius1

# ---- DOMAIN\user and UTF-8 names
run 0 "enroll DOMAIN\\bob: exit 0" nadm --json enroll 'DOMAIN\bob' --no-qr --activate
check "JSON user is DOMAIN\\bob" test "$(json_get .user <<<"$out")" = 'DOMAIN\bob'
has "$(json_get .uri <<<"$out")" ':DOMAIN%5Cbob\?' "the URI label percent-encodes the backslash"
S_BOB=$(secret_of "$out")
run 0 "verify DOMAIN\\bob: exit 0" nadm verify 'DOMAIN\bob' "$(totp "$S_BOB" 0)"
has "$out" '^DOMAIN\\x5cbob: code accepted' "the text message escapes the backslash"
run 0 "enroll jürgen: exit 0" nadm --json enroll jürgen --no-qr --activate
check "JSON user is jürgen (UTF-8)" test "$(json_get .user <<<"$out")" = jürgen
has "$(json_get .uri <<<"$out")" ':j%C3%BCrgen\?' "the URI label percent-encodes UTF-8"
out=$(nadm list)
has "$out" '^j\\xc3\\xbcrgen ' "list shows jürgen escaped"
run 3 "enable jÜrgen (not the same bytes, NSS does not fold it): exit 3" nadm enable jÜrgen

# ---- refused names
run 2 "a name with a newline: exit 2" nadm enable $'ali\nce'
run 2 "a name with ESC: exit 2" nadm show $'\e[31malice'
run 2 "a name of 129 bytes: exit 2" nadm show "$(printf 'a%.0s' {1..129})"

# ---- NSS errors: exit 4, whatever --force
export TFA_NSS_FAIL_USER=alice
run 4 "enable alice with the user lookup failing: exit 4" nadm enable alice
has "$err" 'looking up user "alice" failed: Input/output error' "the message says the lookup failed"
run 4 "enable alice --force with the lookup failing: still exit 4" nadm enable alice --force
run 4 "enroll --force with the lookup failing: exit 4" nadm enroll alice --force --no-qr
run 4 "verify with the lookup failing: exit 4" nadm verify alice 123456
run 4 "show with the lookup failing: exit 4" nadm show alice
export TFA_NSS_FAIL_USER='*'
printf 'HOTP/T30 dora - 3132333435363738393031323334353637383930\n' >"$TD/one.oath"
run 4 "import oath of a line, the lookup failing: exit 4, nothing imported" nadm import oath "$TD/one.oath" --force
unset TFA_NSS_FAIL_USER
out=$(nadm show dora)
has "$out" 'no tokens' "nothing was imported"

# ---- groups
run 3 "policy set required_groups wheel (no such group on Debian): exit 3" nadm policy set required_groups wheel
has "$err" 'no such group "wheel"' "the message names the group"
run 3 "a list with one missing group: exit 3" nadm policy set required_groups sudo,wheel
out=$(nadm policy show)
has "$out" '^required_groups +\(empty\)' "nothing was changed"
run 0 "policy set required_groups wheel --force: exit 0" nadm policy set required_groups wheel --force
run 0 "policy set required_groups bigops (3000 members): exit 0" nadm policy set required_groups bigops
run 0 "policy set enabled yes" nadm policy set enabled yes
run 0 "default ALICE: exit 0" nadm default ALICE
has "$out" 'required: yes \(member of a required group bigops\)' "alice is required through the 17 KB group"
export TFA_NSS_FAIL_GROUP=bigops
run 4 "policy set required_groups with the group lookup failing: exit 4" nadm policy set required_groups bigops
run 4 "and with --force: exit 4" nadm policy set required_groups bigops --force
run 4 "show alice with the group lookup failing: exit 4" nadm show alice
has "$err" 'looking up group "bigops" \(required_groups\) failed' "show says the group lookup failed"
has "$out" '2FA required: unknown' "and the requirement is unknown"
run 4 "list with the group lookup failing: exit 4" nadm list
unset TFA_NSS_FAIL_GROUP
run 0 "policy set required_groups sudo" nadm policy set required_groups sudo

# ---- token assign and the imports canonicalise and refuse the same way
printf 'Serial,Secret,Type,Digits\nCARD-1,3132333435363738393031323334353637383930,hotp,6\nCARD-2,3132333435363738393031323334353637383931,hotp,6\n' >"$TD/cards.csv"
run 0 "token import" nadm token import --csv "$TD/cards.csv"
run 3 "token assign CARD-1 to an unknown user: exit 3" nadm token assign CARD-1 ghost
has "$err" 'no such user "ghost"' "the message names the user"
run 0 "token assign CARD-1 ALICE: exit 0" nadm token assign CARD-1 ALICE
has "$out" 'assigned to alice' "the card goes to alice"
run 0 "token assign CARD-2 ghost --force: exit 0" nadm token assign CARD-2 ghost --force

B32=JBSWY3DPEHPK3PXPJBSWY3DPEHPK3PXP
printf '%s\n" TOTP_AUTH\n' "$B32" >"$TD/ga"
run 3 "import google-authenticator for an unknown user: exit 3" nadm import google-authenticator ghost2 "$TD/ga"
run 0 "import google-authenticator ghost2 --force: exit 0" nadm import google-authenticator ghost2 "$TD/ga" --force
n_alice=$(nadm --json show alice | json_get .active)
run 0 "import google-authenticator ALICE: exit 0" nadm import google-authenticator ALICE "$TD/ga"
out=$(nadm --json show alice)
check "the imported token is alice's" test "$(json_get .active <<<"$out")" = $((n_alice + 1))
{
	echo "HOTP/T30 ALICE - 3132333435363738393031323334353637383932"
	echo "HOTP/T30 ghost3 - 3132333435363738393031323334353637383933"
} >"$TD/users.oath"
run 3 "import oath with a user the system does not know: exit 3, nothing imported" nadm import oath "$TD/users.oath"
has "$err" ':2: no such user "ghost3"' "the line and the user are named"
out=$(nadm --json show ghost3)
check "ghost3 has no token" test "$(json_get .active <<<"$out")" = 0
run 0 "import oath --skip-bad imports alice's line only" nadm import oath "$TD/users.oath" --skip-bad
out=$(nadm --json show alice)
check "ALICE's line went to alice" test "$(json_get .active <<<"$out")" = $((n_alice + 2))
grep ghost3 "$TD/users.oath" >"$TD/ghost.oath"
run 0 "import oath --force imports ghost3 as given" nadm import oath "$TD/ghost.oath" --force
out=$(nadm --json show ghost3)
check "ghost3 has a token" test "$(json_get .active <<<"$out")" = 1

tap_done
