#!/usr/bin/env bash
# SPDX-License-Identifier: BSD-2-Clause
# bench/resident.sh - verifications per second through one resident library
# context on one thread (issue 13: a host that lives long, as FreeRADIUS
# does, keeps its store open), at 10 and at 1,000,000 users, side by side.
#
#   bash bench/resident.sh [--builddir DIR] [--users "10 1000000"]
#                          [--secs S] [--dir DIR]
#
#   --builddir DIR  a configured and built tree (default build/default)
#   --users LIST    store sizes (default "10 1000000")
#   --secs S        seconds per size (default 5)
#   --dir DIR       where the stores go (default a new directory in
#                   /dev/shm: tmpfs, the CPU cost; give a disk directory to
#                   see the fsync of every accepted code)
#
# Each size gets a new store (tfa-admin init, policy enabled, `import oath`
# of tfa_bench gen-oath's users: HOTP, counter 0), then bench/tfa_resident
# verifies codes for S seconds through tfa_verify on one context, one
# thread (one core), every code accepted. Prints one RESIDENT line per size
# (users verifications seconds per_second p50_us p99_us), the import time,
# and the ratio of the smallest size's rate to each other size's.
set -eu
export LC_ALL=C TZ=UTC
root=$(cd "$(dirname "$0")/.." && pwd)
builddir=$root/build/default sizes="10 1000000" secs=5 dir=""
while [ $# -gt 0 ]; do
	case $1 in
	--builddir) builddir=$(cd "$2" && pwd); shift 2 ;;
	--users) sizes=$2; shift 2 ;;
	--secs) secs=$2; shift 2 ;;
	--dir) dir=$2; shift 2 ;;
	-h|--help) sed -n '2,22p' "$0"; exit 0 ;;
	*) echo "bench/resident.sh: unknown option $1" >&2; exit 2 ;;
	esac
done
TFA_ADMIN=$builddir/cli/tfa-admin
LIB=$builddir/lib/.libs/libotp.a
[ -x "$TFA_ADMIN" ] && [ -f "$LIB" ] || { echo "bench/resident.sh: build $builddir first" >&2; exit 2; }
work=$(mktemp -d /tmp/tfa-resident.XXXXXX)
mine=""
if [ -z "$dir" ]; then dir=$(mktemp -d /dev/shm/tfa-resident.XXXXXX); mine=$dir; fi
trap 'rm -rf "$work" ${mine:+"$mine"}' EXIT
WARN="-O2 -Wall -Wextra -Werror -Wformat=2 -Wshadow"
# shellcheck disable=SC2046  # pkg-config's flags are words
cc $WARN -I "$root/tests/tools" -o "$work/tfa_bench" "$root/bench/tfa_bench.c" -lpam -lcrypto
pcs="liboath sqlite3 libcrypto json-c"
grep -q '^#define HAVE_LIBPQ' "$builddir/config.h" && pcs="$pcs libpq"
# shellcheck disable=SC2046,SC2086
cc $WARN -I "$root/lib" -I "$builddir" -o "$work/tfa_resident" "$root/bench/tfa_resident.c" \
	"$LIB" $(pkg-config --libs $pcs) -ldl -lpthread
echo "== resident context, one thread: $secs s per size; stores in $dir"
first=""
for n in $sizes; do
	store=$dir/tfa-$n.db key=$dir/tfa-$n.key
	rm -f "$store"* "$key"
	"$work/tfa_bench" gen-oath "$n" "$work/users.oath"
	a() { "$TFA_ADMIN" --store "$store" --keyfile "$key" "$@"; }
	a init >/dev/null
	a policy set enabled yes >/dev/null
	t0=$(date +%s.%N)
	a import oath "$work/users.oath" --force >/dev/null
	t1=$(date +%s.%N)
	printf 'IMPORT %s users %.2f s\n' "$n" "$(echo "$t1 - $t0" | bc -l)"
	line=$("$work/tfa_resident" "$store" "$key" "$n" "$secs")
	echo "$line"
	rate=$(awk '{print $5}' <<<"$line")
	if [ -z "$first" ]; then first=$rate; else
		printf 'RATIO %s users: %.2f (verifications/s at the first size / at this one)\n' \
			"$n" "$(echo "$first / $rate" | bc -l)"
	fi
	rm -f "$store"* "$key" "$work/users.oath"
done
echo "machine: $(nproc) cores, $(sed -n 's/^model name\s*: //p' /proc/cpuinfo | head -1)"
