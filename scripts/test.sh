#!/usr/bin/env bash
# SPDX-License-Identifier: BSD-2-Clause
# The whole test suite, from a fresh Debian 12 machine (run as root):
# installs missing packages, builds three ways, and runs
#   1. unit + integration + fuzz smoke on the normal build,
#   1b. the integration scripts marked "# backends: sqlite postgresql" again
#      with every store a PostgreSQL database (a private cluster),
#   2. unit + integration on an AddressSanitizer + UBSan build,
#   3. unit + PAM integration under valgrind memcheck,
# ending with one line: "N passed, N failed[, N skipped]".
#
# Environment: TFA_QUICK=1 runs only (1); FUZZ_SECONDS (default 5) per target.
set -eu
src=$(cd "$(dirname "$0")/.." && pwd)
bash "$src/scripts/deps.sh" test

build() { # dir, configure args...
	local dir=$1; shift
	mkdir -p "$dir"
	if [ ! -f "$dir/config.status" ] || [ "$src/configure.ac" -nt "$dir/config.status" ]; then
		(cd "$dir" && "$src/configure" -q "$@")
	fi
	make -C "$dir" -j"$(nproc)" -s >/dev/null
	make -C "$dir/tests" -j"$(nproc)" -s tests-build >/dev/null
}

if [ ! -x "$src/configure" ] || [ "$src/configure.ac" -nt "$src/configure" ]; then
	(cd "$src" && autoreconf -fi >/dev/null 2>&1)
fi
# in-tree configured checkouts cannot also build out of tree
if [ -f "$src/config.status" ]; then
	echo "note: $src is configured in-tree; running 'make distclean' there first" >&2
	make -C "$src" distclean >/dev/null 2>&1 || true
fi

# both builds have the FreeRADIUS module (tests/integration/t_radius.sh)
runs="plain:$src/build/default"
# CI builds the PostgreSQL store backend for certain (tests/integration/t_pg.sh)
pg=()
[ "${CI:-}" = true ] && pg=(--with-postgresql)
build "$src/build/default" --with-freeradius "${pg[@]}"
# the PostgreSQL pass: the integration scripts marked for both backends again,
# on a private cluster, in plain mode only (tests/run-suite.sh)
if grep -q '^#define HAVE_LIBPQ 1' "$src/build/default/config.h"; then
	runs="$runs pg:$src/build/default"
elif [ "${CI:-}" = true ]; then
	echo "scripts/test.sh: the build has no PostgreSQL support (libpq-dev)" >&2
	exit 1
fi
if [ "${TFA_QUICK:-0}" != 1 ]; then
	# no PostgreSQL in the ASan build: its tests run in plain mode only, and
	# libpq pulls in GnuTLS, whose constructor deadlocks in glibc's
	# bindtextdomain when FreeRADIUS dlopens the ASan-built module
	build "$src/build/asan" --enable-sanitizers --with-freeradius --without-postgresql
	runs="$runs asan:$src/build/asan valgrind:$src/build/default"
fi
export FUZZ_SECONDS=${FUZZ_SECONDS:-5}
TFA_RUNS="$runs" exec bash "$src/tests/run-suite.sh"
