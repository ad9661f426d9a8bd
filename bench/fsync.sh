#!/usr/bin/env bash
# SPDX-License-Identifier: BSD-2-Clause
# bench/fsync.sh [--logins L] [--users N] BUILD... - fsync and fdatasync
# calls per accepted login of pam_twofactor.so, counted with
# `strace -f -c -e trace=fsync,fdatasync` over L logins (default 1000) in one
# process (pam_start + pam_authenticate + pam_end through pam_wrapper), and
# over L/10 whole-process logins (one pamtester each), for each BUILD (an
# out-of-tree build directory: BUILD/pam_module/.libs/pam_twofactor.so and
# BUILD/cli/tfa-admin). Each build gets its own store of N users (default
# 1000) on the disk (/var/tmp), imported with tfa-admin import oath; the
# import and the store set-up are not counted. A failed login is an error.
# Needs bench/run.sh's packages (scripts/deps.sh bench) and strace; as root.
set -eu
export LC_ALL=C
logins=1000 users=1000
while [ $# -gt 0 ]; do
	case $1 in
	--logins) logins=$2; shift 2 ;;
	--users) users=$2; shift 2 ;;
	*) break ;;
	esac
done
[ $# -ge 1 ] || { echo "usage: bench/fsync.sh [--logins L] [--users N] BUILD..." >&2; exit 2; }
command -v strace >/dev/null || { echo "bench/fsync.sh: strace is missing" >&2; exit 2; }
root=$(cd "$(dirname "$0")/.." && pwd)
work=$(mktemp -d /var/tmp/tfa-fsync.XXXXXX)
trap 'rm -rf -- "$work"' EXIT
bench=$work/tfa_bench
cc -O2 -Wall -Wextra -Werror -Wformat=2 -Wshadow -I "$root/tests/tools" -o "$bench" \
	"$root/bench/tfa_bench.c" -lpam -lcrypto
mkdir -p "$work/pam.d"
: >"$work/pam.d/other"
"$bench" gen-oath "$users" "$work/users.oath"

# calls of the strace -c summary in $1 (fsync + fdatasync)
calls() {
	awk '$NF == "fsync" || $NF == "fdatasync" { n += ($4 ~ /^[0-9]+$/) ? $4 : $3 }
		END { print n + 0 }' "$1"
}

# run_mode BUILDNO MODE COUNT: strace one tfa_bench run, print the per-login figure
run_mode() {
	local i=$1 mode=$2 count=$3 out ok
	out=$work/$i.$mode
	env LD_PRELOAD=libpam_wrapper.so PAM_WRAPPER=1 PAM_WRAPPER_SERVICE_DIR="$work/pam.d" \
		strace -f -c -o "$out.strace" -e trace=fsync,fdatasync \
		"$bench" login --mode "$mode" --users "$users" --state "$work/state$i" --rounds 1 \
		--seconds 100000 --max "$count" --label "$mode" "b$i=b$i:0:$users" >"$out.res"
	# logins: the counted ones plus the one untimed warm-up login
	ok=$(awk '$1 == "RESULT" { print $6 + 1 }' "$out.res")
	printf '%-6s %6d logins %7d fsync+fdatasync  %.3f per login\n' "$mode" "$ok" \
		"$(calls "$out.strace")" "$(awk -v c="$(calls "$out.strace")" -v n="$ok" \
		'BEGIN { print c / n }')"
}

i=0
for b in "$@"; do
	i=$((i + 1))
	b=$(cd "$b" && pwd)
	t="$b/cli/tfa-admin --store $work/s$i.db --keyfile $work/tfa.key"
	$t init >/dev/null
	$t policy set enabled yes >/dev/null
	$t policy set default_required yes >/dev/null
	$t import oath "$work/users.oath" --force >/dev/null
	printf 'auth required %s store=%s keyfile=%s\n' "$b/pam_module/.libs/pam_twofactor.so" \
		"$work/s$i.db" "$work/tfa.key" >"$work/pam.d/b$i"
	mkdir -p "$work/state$i"
	echo "== $b ($users users, store on $(df --output=fstype "$work" | tail -1))"
	run_mode "$i" inproc "$logins"
	run_mode "$i" exec "$(( (logins + 9) / 10 ))"
done
