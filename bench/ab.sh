#!/usr/bin/env bash
# SPDX-License-Identifier: BSD-2-Clause
# bench/ab.sh BUILD_A BUILD_B [USERS] - two builds of pam_twofactor.so side
# by side (interleaved rounds in one process, each with its own copy of one
# imported store), in process and whole process, store on disk (/var/tmp).
# For before/after figures of a change: e.g. BUILD_A = build/bench of main,
# BUILD_B = a patched copy built out of tree. Needs bench/run.sh's packages
# (scripts/deps.sh bench); run as root.
set -eu
export LC_ALL=C
[ $# -ge 2 ] || { echo "usage: bench/ab.sh BUILD_A BUILD_B [USERS]" >&2; exit 2; }
root=$(cd "$(dirname "$0")/.." && pwd)
a=$(cd "$1" && pwd) b=$(cd "$2" && pwd) n=${3:-100000}
work=$(mktemp -d /var/tmp/tfa-ab.XXXXXX)
trap 'rm -rf -- "$work"' EXIT
bench=$work/tfa_bench
cc -O2 -Wall -Wextra -Werror -Wformat=2 -Wshadow -I "$root/tests/tools" -o "$bench" "$root/bench/tfa_bench.c" -lpam -lcrypto
mkdir -p "$work/pam.d" "$work/state"
: >"$work/pam.d/other"
"$bench" gen-oath "$n" "$work/users.oath"
t="$a/cli/tfa-admin --store $work/a.db --keyfile $work/tfa.key"
$t init >/dev/null
$t policy set enabled yes >/dev/null
$t policy set default_required yes >/dev/null
$t import oath "$work/users.oath" --force >/dev/null
cp "$work/a.db" "$work/b.db"
for v in a b; do
	eval "dir=\$$v"
	printf 'auth required %s store=%s keyfile=%s\n' "$dir/pam_module/.libs/pam_twofactor.so" \
		"$work/$v.db" "$work/tfa.key" >"$work/pam.d/$v"
done
# in process, A and B run in separate processes, alternately (one process
# holding both would keep the shared libraries of one loaded for the other);
# whole process, interleaved in one run
for r in 1 2 3 4; do
	for v in A B; do
		env LD_PRELOAD=libpam_wrapper.so PAM_WRAPPER=1 PAM_WRAPPER_SERVICE_DIR="$work/pam.d" \
			"$bench" login --mode inproc --state "$work/state" --rounds 1 --seconds 2.5 \
			--label inproc --raw "$work/raw.csv" "$v=$(echo "$v" | tr AB ab):0:$n" \
			>>"$work/inproc.out" || echo "some $v logins failed" >&2
	done
done
env LD_PRELOAD=libpam_wrapper.so PAM_WRAPPER=1 PAM_WRAPPER_SERVICE_DIR="$work/pam.d" \
	"$bench" login --mode exec --state "$work/state" --rounds 4 --seconds 2.5 \
	--label exec --raw "$work/raw.csv" "A=a:0:$n" "B=b:0:$n" >/dev/null ||
	echo "some logins failed" >&2
awk '$1 == "RESULT" { ok[$2 " " $3] += $6; bad[$2 " " $3] += $7; secs[$2 " " $3] += $8 }
	END { for (k in ok) print k, ok[k], bad[k], secs[k] }' "$work/inproc.out" >"$work/sum"
for k in "inproc A" "inproc B" "exec A" "exec B"; do
	set -- $k
	grep "^$1,$2," "$work/raw.csv" | cut -d, -f7 | sort -n >"$work/lat"
	cnt=$(wc -l <"$work/lat")
	p50=$(sed -n "$(( (cnt + 1) / 2 ))p" "$work/lat")
	p99=$(sed -n "$(( (cnt * 99 + 99) / 100 ))p" "$work/lat")
	printf '%-7s %s %8d users: %6d logins, p50 %7.2f ms, p99 %7.2f ms\n' "$1" "$2" "$n" "$cnt" \
		"$(awk -v x="$p50" 'BEGIN {print x / 1000}')" "$(awk -v x="$p99" 'BEGIN {print x / 1000}')"
done
echo "A = $a"
echo "B = $b"
