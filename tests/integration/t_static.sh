#!/usr/bin/env bash
# SPDX-License-Identifier: BSD-2-Clause
# Static analysis: cppcheck and clang-tidy (default checks, see .clang-tidy)
# report nothing on lib/, pam_module/ and cli/, nor on contrib/freeradius/
# when the build has the FreeRADIUS headers (./configure --with-freeradius;
# always under CI). Runs once, in the plain run.
set -u
S=${TFA_SRCDIR:-$(cd "$(dirname "$0")/../.." && pwd)}
B=${TFA_BUILDDIR:-$S}
n=0
if [ "${TFA_MODE:-plain}" != plain ]; then
	echo "ok 1 - static analysis # SKIP by design: runs in the plain run only"; echo "1..1"; exit 0
fi
cd "$S" || exit 1
out=$(mktemp); trap 'rm -f "$out"' EXIT
# the RADIUS module: its FreeRADIUS headers are fetched into the build tree
FRI=$B/contrib/freeradius/fr-include
contrib=""
if [ -d "$FRI" ]; then
	contrib=contrib/freeradius
elif [ "${CI:-}" = true ]; then
	n=$((n + 1))
	echo "not ok $n - contrib/freeradius analysed (no FreeRADIUS headers in $FRI: configure --with-freeradius)"
fi
# Secrets owned by types: the tfa_token record (copied freely, handed to
# front ends) holds no key material - keys are tfa_token_key, and no front
# end names one or calls the parser that yields one.
n=$((n + 1))
rec=$(awk '/^typedef struct \{/ { buf = "" } { buf = buf $0 "\n" }
	/^\} tfa_token;/ { printf "%s", buf; exit }' lib/records.h)
if [ -z "$rec" ]; then
	echo "not ok $n - records.h: no tfa_token struct found"
elif printf '%s' "$rec" | grep -qiE 'secret|uint8_t|key'; then
	echo "not ok $n - records.h: tfa_token holds key material"
	printf '%s\n' "$rec" | grep -iE 'secret|uint8_t|key' | sed 's/^/# /'
else
	echo "ok $n - records.h: tfa_token holds no key material"
fi
n=$((n + 1))
if grep -nE 'tfa_token_key|secret_len|tfa_import_oath_line' pam_module/*.[ch] cli/*.[ch] contrib/freeradius/*.c \
	>"$out"; then
	echo "not ok $n - front ends touch token keys"; sed 's/^/# /' "$out"
else
	echo "ok $n - front ends name no token key and parse no key"
fi
n=$((n + 1))
if command -v cppcheck >/dev/null; then
	if cppcheck -j "$(nproc)" --quiet --enable=warning,portability,performance --error-exitcode=1 \
		--inline-suppr --suppress=missingIncludeSystem -D_GNU_SOURCE \
		-DCC_HINT\(x\)= -DTFA_PQ\(fn\)=fn -I lib -I lib/store -I "$B" lib pam_module cli $contrib >"$out" 2>&1; then
		echo "ok $n - cppcheck: no findings"
	else
		echo "not ok $n - cppcheck: findings"; sed 's/^/# /' "$out"
	fi
else
	echo "ok $n - cppcheck # SKIP not installed"
fi
n=$((n + 1))
if command -v clang-tidy >/dev/null; then
	flags="-std=gnu11 -D_GNU_SOURCE -DHAVE_CONFIG_H -I$B -Ilib -Ilib/store $(pkg-config --cflags json-c sqlite3 libqrencode liboath) $(pkg-config --cflags libpq 2>/dev/null)"
	bad=0
	# one clang-tidy per file, as many at once as there are CPUs; a file's
	# findings (or its failure) land in its own log
	tidy=$(mktemp -d) || exit 1
	printf '%s\n' lib/*.c lib/store/*.c pam_module/*.c cli/*.c |
		xargs -P "$(nproc)" -I{} sh -c 'clang-tidy --quiet "$1" -- $2 >"$3/$(echo "$1" | tr / _).log" 2>/dev/null ||
			echo "$1" >>"$3/failed"' _ {} "$flags" "$tidy"
	cat "$tidy"/*.log >>"$out" 2>/dev/null
	[ -e "$tidy/failed" ] && { bad=1; sed 's/^/clang-tidy failed on /' "$tidy/failed" >>"$out"; }
	rm -rf "$tidy"
	if [ -n "$contrib" ]; then
		# shellcheck disable=SC2086
		clang-tidy --quiet contrib/freeradius/rlm_twofactor.c -- $flags -isystem "$FRI" \
			$(pkg-config --cflags talloc 2>/dev/null) >>"$out" 2>/dev/null || bad=1
	fi
	if [ "$bad" = 0 ] && ! grep -qE 'warning:|error:' "$out"; then
		echo "ok $n - clang-tidy: no findings"
	else
		echo "not ok $n - clang-tidy: findings"; grep -E 'warning:|error:' "$out" | sed 's/^/# /'
	fi
else
	echo "ok $n - clang-tidy # SKIP not installed"
fi
echo "1..$n"
