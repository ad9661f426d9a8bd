#!/bin/bash
# SPDX-License-Identifier: BSD-2-Clause
# shellcheck disable=SC2086 # flag and file lists are split on spaces on purpose
# fuzz/run-smoke.sh - build the libFuzzer targets (fuzz/build.sh, which only
# recompiles what changed) and run each one for a bounded time on a copy of
# its seed corpus. Prints TAP; exits 1 if any target crashed, leaked, broke
# a property or failed to build.
#
#   bash fuzz/run-smoke.sh                     # 10 s per target
#   FUZZ_SECONDS=300 bash fuzz/run-smoke.sh    # longer run
#   bash fuzz/run-smoke.sh fuzz_uri fuzz_code  # only these targets
#
# Environment: FUZZ_SECONDS (default 10), FUZZ_OUT (build and log directory,
# default /tmp/tfa-fuzz), CC (default clang), FUZZ_KEEP_CORPUS=1 (keep the
# grown corpus in $FUZZ_OUT/corpus/<target> instead of deleting it).
# A crash leaves its log and reproducer in $FUZZ_OUT/logs/. The repository
# is never written to.
set -u

here=$(cd "$(dirname "$0")" && pwd)
out=${FUZZ_OUT:-/tmp/tfa-fuzz}
secs=${FUZZ_SECONDS:-10}
ALL="fuzz_code fuzz_base32 fuzz_uri fuzz_policy fuzz_pam_args fuzz_user fuzz_import_ga fuzz_import_oath fuzz_ocra fuzz_pskc fuzz_csv fuzz_radius_state fuzz_radius_field"

case $secs in
'' | *[!0-9]*) echo "run-smoke.sh: FUZZ_SECONDS must be a whole number" >&2; exit 2 ;;
esac
if [ $# -gt 0 ]; then targets="$*"; else targets=$ALL; fi
set -- $targets
echo "1..$#"

CC=${CC:-clang}
if ! command -v "$CC" >/dev/null 2>&1; then
	n=0
	for t in $targets; do
		n=$((n + 1))
		echo "ok $n - $t # SKIP clang not installed"
	done
	exit 0
fi

mkdir -p "$out/logs"
out=$(cd "$out" && pwd)
FUZZ_OUT=$out bash "$here/build.sh" "$out" >"$out/logs/build.log" 2>&1
brc=$?
if [ "$brc" = 77 ]; then
	why=$(tail -n 1 "$out/logs/build.log")
	n=0
	for t in $targets; do
		n=$((n + 1))
		echo "ok $n - $t # SKIP libFuzzer unavailable: $why"
	done
	exit 0
fi
if [ "$brc" != 0 ]; then
	sed 's/^/# /' "$out/logs/build.log"
	n=0
	for t in $targets; do
		n=$((n + 1))
		echo "not ok $n - $t: build failed (see $out/logs/build.log)"
	done
	exit 1
fi
# clang warnings in lib/ or pam_module/ are for the lead; show them
if grep -q 'warning:' "$out/logs/build.log"; then
	grep 'warning:' "$out/logs/build.log" | sed 's/^/# /'
fi

tmp=$(mktemp -d "${TMPDIR:-/tmp}/tfa-fuzz-run.XXXXXX") || exit 1
trap 'rm -rf "$tmp"' EXIT

export ASAN_OPTIONS=${ASAN_OPTIONS:-detect_leaks=1:abort_on_error=0:symbolize=1}
export UBSAN_OPTIONS=${UBSAN_OPTIONS:-print_stacktrace=1:halt_on_error=1}

fail=0
n=0
for t in $targets; do
	n=$((n + 1))
	bin=$out/$t
	log=$out/logs/$t.log
	if [ ! -x "$bin" ]; then
		if [ "$t" = fuzz_pam_args ] && [ ! -f "$here/../pam_module/args.c" ]; then
			echo "ok $n - $t # SKIP pam_module/args.c not present"
		else
			echo "not ok $n - $t: not built (see $out/logs/build.log)"
			fail=1
		fi
		continue
	fi
	corpus=$tmp/corpus-$t
	mkdir -p "$corpus"
	if [ -d "$here/corpus/$t" ]; then
		cp -R "$here/corpus/$t"/. "$corpus"/
	fi
	rm -f "$out/logs/$t"-crash-* "$out/logs/$t"-leak-* "$out/logs/$t"-timeout-* \
		"$out/logs/$t"-oom-* "$out/logs/$t"-slow-unit-*
	dict=
	[ -f "$here/$t.dict" ] && dict=-dict=$here/$t.dict
	"$bin" -max_total_time="$secs" -timeout=5 -rss_limit_mb=2048 \
		-print_final_stats=1 -artifact_prefix="$out/logs/$t-" \
		${dict:+"$dict"} "$corpus" </dev/null >"$log" 2>&1
	rc=$?
	execs=$(sed -n 's/^stat::number_of_executed_units: *//p' "$log" | tail -n 1)
	execs=${execs:-?}
	if [ "$rc" = 0 ]; then
		echo "ok $n - $t: $execs execs, no crash"
	else
		echo "not ok $n - $t: crash (see $log)"
		grep -E 'ERROR: |PROPERTY FAILED|runtime error|SUMMARY' "$log" | head -n 5 |
			sed 's/^/# /'
		for a in "$out/logs/$t"-*; do
			[ -f "$a" ] && echo "# reproducer: $a (add it to fuzz/corpus/$t/ once fixed)"
		done
		fail=1
	fi
	if [ "${FUZZ_KEEP_CORPUS:-0}" = 1 ]; then
		rm -rf "$out/corpus/$t"
		mkdir -p "$out/corpus"
		mv "$corpus" "$out/corpus/$t"
	fi
done
exit "$fail"
