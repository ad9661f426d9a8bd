#!/usr/bin/env bash
# SPDX-License-Identifier: BSD-2-Clause
# scripts/demo.sh - a short tour of twofactor, safe to run on any host.
#
# Installs missing Debian packages (scripts/deps.sh demo), builds the tree
# in place (reusing an existing configure), then, inside a temporary
# directory that is removed at exit: creates a store, enrols alice, logs her
# in through the real PAM module with pam_wrapper + pamtester using a code
# computed by oathtool, replays the same code (refused) and shows the audit
# trail. Nothing on the host outside the build tree and the temporary
# directory is changed: no /etc/pam.d file, no store under /var/lib.
#
# Build directory: $TFA_BUILDDIR if set (an already configured tree); else
# the source tree if it is configured in place; else build/default if
# scripts/test.sh configured one there; else the source tree, configured now.
set -eu

top=$(cd "$(dirname "$0")/.." && pwd)
if [ -t 1 ]; then
	say() { printf '\n\033[1m==> %s\033[0m\n' "$*"; }
else
	say() { printf '\n==> %s\n' "$*"; }
fi

quiet() { # run "$@", showing its output only if it fails
	local out
	if ! out=$("$@" 2>&1); then
		printf '%s\n' "$out" >&2
		return 1
	fi
}

say "Checking build and demo dependencies"
bash "$top/scripts/deps.sh" demo

if [ -n "${TFA_BUILDDIR:-}" ]; then
	B=$TFA_BUILDDIR
elif [ ! -f "$top/config.status" ] && [ -f "$top/build/default/config.status" ]; then
	B=$top/build/default
else
	B=$top
fi
if [ ! -f "$B/config.status" ]; then
	say "Configuring (autoreconf -fi && ./configure)"
	(cd "$top" && quiet autoreconf -fi && quiet ./configure)
fi
say "Building (make -j2)"
make -C "$B" -j2 >/dev/null

admin=$B/cli/tfa-admin
module=$B/pam_module/.libs/pam_twofactor.so
[ -x "$admin" ] || { echo "demo: $admin was not built" >&2; exit 1; }
[ -f "$module" ] || { echo "demo: $module was not built" >&2; exit 1; }

pw=$(pkg-config --variable=libdir pam_wrapper 2>/dev/null || true)
if [ -n "$pw" ] && [ -f "$pw/libpam_wrapper.so" ]; then
	pw=$pw/libpam_wrapper.so
else
	# Debian's pam_wrapper.pc has no libdir variable, only Libs
	pw=$(pkg-config --libs pam_wrapper 2>/dev/null | tr ' ' '\n' | grep 'libpam_wrapper\.so$' || true)
	[ -n "$pw" ] && [ -f "$pw" ] || pw=/usr/lib/$(gcc -print-multiarch 2>/dev/null || echo x86_64-linux-gnu)/libpam_wrapper.so
fi
[ -f "$pw" ] || { echo "demo: libpam_wrapper.so not found (apt-get install libpam-wrapper)" >&2; exit 1; }

umask 077
T=$(mktemp -d /tmp/tfa-demo.XXXXXX)
trap 'rm -rf "$T"' EXIT
tfa() { "$admin" --store "$T/tfa.db" --keyfile "$T/tfa.key" "$@"; }
login() { # feeds the code on stdin, never in argv
	printf '%s\n' "$1" | env LD_PRELOAD="$pw" PAM_WRAPPER=1 \
		PAM_WRAPPER_SERVICE_DIR="$T/pam.d" pamtester tfa-demo alice authenticate
}

say "Creating a store and key in $T (tfa-admin init)"
tfa init

say "Switching the second factor on (tfa-admin policy set enabled yes)"
tfa policy set enabled yes

# alice is not an account of this machine: tfa-admin refuses a name the
# system does not know (a typo would leave the real user unprotected) unless
# --force says it is meant, as for a RADIUS-only user
say "Requiring it for alice (tfa-admin enable alice --force)"
tfa enable alice --force

say "Enrolling alice; in real life she scans this QR code with her app"
tfa enroll alice --activate --force </dev/null >"$T/enroll.out"
cat "$T/enroll.out"
# The secret is taken from the printed otpauth:// URI and kept in a 0600
# file, so that it never appears in a command line.
grep -o 'otpauth://[^[:space:]]*' "$T/enroll.out" | head -n 1 |
	sed -n 's/.*[?&]secret=\([A-Za-z2-7]*\).*/\1/p' >"$T/secret"
[ -s "$T/secret" ] || { echo "demo: no otpauth:// URI with a secret in the enroll output" >&2; exit 1; }

say "Writing a PAM service for pam_wrapper ($T/pam.d/tfa-demo)"
mkdir "$T/pam.d"
echo "auth required $module store=$T/tfa.db keyfile=$T/tfa.key" >"$T/pam.d/tfa-demo"
: >"$T/pam.d/other"   # pam_wrapper wants an "other" service; empty is enough
cat "$T/pam.d/tfa-demo"

say "Computing the current code as alice's phone would (oathtool --totp)"
code=$(oathtool --totp -b - <"$T/secret")   # key read from stdin ('-')
echo "current code: $code"

say "Logging in as alice with that code (pamtester, via pam_wrapper)"
login "$code"

say "Replaying the same code: it must be refused"
if login "$code"; then
	echo "demo: the replayed code was accepted - this is a bug" >&2
	exit 1
fi
echo "(refused, as expected: a code is accepted at most once)"

say "State and audit trail (tfa-admin show alice; tfa-admin audit)"
tfa show alice
tfa audit

say "Done; removing $T"
