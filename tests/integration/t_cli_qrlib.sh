#!/usr/bin/env bash
# SPDX-License-Identifier: BSD-2-Clause
# t_cli_qrlib.sh - libqrencode is loaded only while a QR code is drawn:
# pam_twofactor.so does not link it (nor libpng, libz), a login does not
# load it, enrolment does; when it cannot be loaded, enrolment says so,
# naming the library, and still prints the otpauth URI. libpq likewise is
# loaded only for a PostgreSQL store (t_pg.sh logs in through one): the
# module and tfa-admin do not link it and a login on SQLite does not load it.
. "$(dirname "$0")/pam_lib.sh"
pam_prereqs readelf
pam_setup
tfa policy set enabled yes >/dev/null
tfa policy set default_required yes >/dev/null
QRLIB=/usr/lib/x86_64-linux-gnu/libqrencode.so.4

needed=$(readelf -d "$PAM_MODULE" | sed -n 's/.*(NEEDED).*\[\(.*\)\]/\1/p' | tr '\n' ' ')
check "pam_twofactor.so does not link libqrencode, libpng or libz (NEEDED: $needed)" \
	bash -c "! grep -qE 'libqrencode|libpng|libz\\.' <<<'$needed'"
check "pam_twofactor.so does not link libpq (NEEDED: $needed)" bash -c "! grep -q 'libpq' <<<'$needed'"
needed=$(readelf -d "$TFA_ADMIN_BIN" | sed -n 's/.*(NEEDED).*\[\(.*\)\]/\1/p' | tr '\n' ' ')
check "tfa-admin does not link libqrencode, libpng or libpq (NEEDED: $needed)" \
	bash -c "! grep -qE 'libqrencode|libpng|libpq' <<<'$needed'"

s=$(enroll_user alice)
fresh_step
totp "$s" | LD_DEBUG=files pam_env pamtester -v tfa alice authenticate >"$T/login.out" 2>&1
check "a login succeeds" grep -q 'pamtester: successfully authenticated' "$T/login.out"
check "a login does not load libqrencode (LD_DEBUG=files)" bash -c "! grep -q 'file=libqrencode' '$T/login.out'"
check "a login on SQLite does not load libpq (LD_DEBUG=files)" bash -c "! grep -q 'file=libpq' '$T/login.out'"
check "(the LD_DEBUG trace was taken)" grep -q 'file=libsqlite3' "$T/login.out"

out=$(LD_DEBUG=files tfa enroll bob --activate 2>"$T/enroll.err")
check "enroll draws the QR code (block characters)" grep -q '█' <<<"$out"
check "enroll loads libqrencode to draw it" grep -q 'file=libqrencode.so.4' "$T/enroll.err"

# without the library: hide it in a private mount namespace
if ! unshare -m true 2>/dev/null || [ ! -e "$QRLIB" ]; then
	if [ "${CI:-}" = true ]; then
		not_ok "hide libqrencode (unshare -m as root)" "cannot unshare a mount namespace or no $QRLIB"
	else
		skip "enrolment without libqrencode" "cannot unshare a mount namespace (needs root) or no $QRLIB"
	fi
	tap_done
fi
real=$(readlink -f "$QRLIB")
# shellcheck disable=SC2016
hidden() { unshare -m sh -c 'mount --bind /dev/null "$0" && exec "$@"' "$real" "$@"; }
out=$(hidden "$TFA_ADMIN" --store "$STORE" --keyfile "$KEYFILE" enroll carol --activate 2>"$T/noqr.err")
rc=$?
check "without libqrencode, enroll still succeeds (exit $rc)" test "$rc" = 0
check "it says it cannot load libqrencode.so.4 (stderr: $(head -c 300 "$T/noqr.err"))" \
	grep -q 'cannot load libqrencode.so.4' "$T/noqr.err"
check "it still prints the otpauth URI" grep -q '^otpauth://totp/' <<<"$out"
check "and no QR code" bash -c "! grep -q '█' <<<\"\$0\"" "$out"
rc=0; hidden "$TFA_ADMIN" --store "$STORE" --keyfile "$KEYFILE" enroll dave --activate \
	--qr-png "$T/dave.png" >/dev/null 2>"$T/nopng.err" || rc=$?
check "without libqrencode, enroll --qr-png fails (exit 4) naming the library" \
	bash -c "test $rc = 4 && grep -q 'libqrencode.so.4' '$T/nopng.err'"
check "and writes no PNG" test ! -e "$T/dave.png"
tap_done
