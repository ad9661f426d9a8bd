#!/usr/bin/env bash
# SPDX-License-Identifier: BSD-2-Clause
# Runs the whole test suite against a built tree and prints one closing line
#   N passed, N failed[, N skipped]
# Every test program speaks TAP ("ok ..." / "not ok ..." / "... # SKIP ...");
# cmocka programs do so with CMOCKA_MESSAGE_OUTPUT=TAP. A program that exits
# non-zero without reporting a failure counts as one failure.
#
# Environment:
#   TFA_RUNS="MODE:BUILDDIR ..." - the runs to make, MODE one of
#     plain     unit, integration and fuzz smoke against BUILDDIR
#     asan      unit and integration against a --enable-sanitizers BUILDDIR
#     valgrind  unit programs and PAM integration tests under valgrind
#     pg        the integration scripts marked "# backends: sqlite postgresql"
#               again, every store a database of one private PostgreSQL
#               cluster (tests/integration/pg_server.sh) started for the pass
#   (default "plain:$TFA_BUILDDIR"; TFA_BUILDDIR defaults to the checkout)
#   TFA_SUITE=unit,integration,fuzz - parts to run (default all the mode has)
#   TFA_LOGDIR - where logs go (default a temporary directory).
#   TFA_ONLY=REGEX - only the unit programs and integration scripts whose
#   file name matches (e.g. 'test_ocra|t_pam_challenge').
set -u
here=$(cd "$(dirname "$0")" && pwd)
export TFA_SRCDIR=${TFA_SRCDIR:-$(cd "$here/.." && pwd)}
export TFA_BUILDDIR=${TFA_BUILDDIR:-$TFA_SRCDIR}
logdir=${TFA_LOGDIR:-$(mktemp -d /tmp/tfa-suite.XXXXXX)}
mkdir -p "$logdir"
export TFA_SANDIR="$logdir/reports"
passed=0 failed=0 skipped=0
failures=()

run_one() { # name, command...
	local name=$1; shift
	local log="$logdir/$(echo "$name" | tr '/ ' '__').log"
	local rc=0 p f s
	printf '== %s\n' "$name"
	rm -rf "$TFA_SANDIR" && mkdir -p "$TFA_SANDIR"
	"$@" >"$log" 2>&1 </dev/null || rc=$?
	# sanitizer and valgrind reports of any process the test started
	if [ -n "$(ls -A "$TFA_SANDIR" 2>/dev/null)" ]; then
		for r in "$TFA_SANDIR"/*; do
			[ -s "$r" ] || continue
			echo "not ok - report from a checked process: $(basename "$r")" >>"$log"
			sed 's/^/# /' "$r" | head -n 60 >>"$log"
		done
	fi
	# The TAP plan ("1..N", one per program or cmocka group) must match the
	# test lines printed: a script that dies half-way cannot pass.
	local planned counted
	planned=$(grep -E '^1\.\.[0-9]+' "$log" | sed -E 's/^1\.\.([0-9]+).*/\1/' |
		awk '{ s += $1 } END { print s + 0 }')
	# numbered lines only: the suite's own "not ok - ..." lines are not the program's
	counted=$(grep -cE '^(not )?ok [0-9]' "$log" || true)
	if ! grep -qE '^1\.\.[0-9]+' "$log"; then
		echo "not ok - $name printed no TAP plan" >>"$log"
	elif [ "$planned" -ne "$counted" ]; then
		echo "not ok - $name planned $planned checks but printed $counted" >>"$log"
	fi
	# Skips. Under CI=true a skip is a failure unless its reason starts with
	# "by design" (a check that does not apply to this mode, a random case
	# that did not occur): a missing tool must not shrink the suite.
	# cmocka 1.1 prints a skipped test as "not ok N # SKIP".
	local skips
	skips=$(grep -E '^(not )?ok ' "$log" | grep -iE '# *skip' || true)
	if [ "${CI:-}" = true ] && [ -n "$skips" ]; then
		grep -viE '# *skip:? *by design' <<<"$skips" |
			sed -E 's/^(not )?ok/not ok/; s/$/ [CI=true: a skip that is not by design is a failure]/' \
			>>"$log" || true
		skips=$(grep -iE '# *skip:? *by design' <<<"$skips" || true)
	fi
	if [ -n "$skips" ]; then
		sed -E 's/.*# *[Ss][Kk][Ii][Pp]:? *//; s/^$/(no reason given)/' <<<"$skips" |
			sed "s|^|$name: |" >>"$logdir/skip-reasons"
	fi
	p=$(grep -E '^ok ' "$log" | grep -viEc '# *skip' || true)
	s=$(grep -cE . <<<"$skips" || true)
	f=$(awk 'tolower($0) ~ /^not ok / && (tolower($0) !~ /# *skip/ || /\[CI=true: a skip/)' \
		"$log" | wc -l)
	if [ "$rc" -ne 0 ] && [ "$f" -eq 0 ]; then
		f=1
		echo "not ok - $name exited with status $rc" >>"$log"
	fi
	passed=$((passed + p)); failed=$((failed + f)); skipped=$((skipped + s))
	if [ "$f" -gt 0 ]; then
		failures+=("$name")
		awk 'tolower($0) ~ /^not ok / && (tolower($0) !~ /# *skip/ || /\[CI=true: a skip/)' \
			"$log" | sed 's/^/   /'
		echo "   --- last lines of $log:"
		tail -n 25 "$log" | sed 's/^/   | /'
	fi
	printf '   %d ok, %d failed, %d skipped\n' "$p" "$f" "$s"
}

# only FILE: 0 if TFA_ONLY (an extended regex on the file name) is unset or matches
only() { [ -z "${TFA_ONLY:-}" ] || basename "$1" | grep -Eq -- "$TFA_ONLY"; }

# bg_start NAME CMD...: run_one in the background, with its own reports
# directory; bg_finish waits for it, prints its output and adds its counts
bg_pid=""
bg_start() {
	bg_out=$logdir/background
	(
		passed=0 failed=0 skipped=0 failures=()
		TFA_SANDIR=$logdir/reports-background
		run_one "$@" >"$bg_out.out"
		printf '%s %s %s\n' "$passed" "$failed" "$skipped" >"$bg_out.counts"
		printf '%s\n' "${failures[@]+"${failures[@]}"}" >"$bg_out.failures"
	) &
	bg_pid=$!
}
bg_finish() {
	local p=0 f=1 s=0 l
	[ -n "$bg_pid" ] || return 0
	wait "$bg_pid"
	bg_pid=""
	cat "$bg_out.out"
	[ -s "$bg_out.counts" ] && read -r p f s <"$bg_out.counts"
	passed=$((passed + p)); failed=$((failed + f)); skipped=$((skipped + s))
	while IFS= read -r l; do [ -n "$l" ] && failures+=("$l"); done <"$bg_out.failures"
	[ "$f" -gt 0 ] && [ ! -s "$bg_out.failures" ] && failures+=("background run")
	rm -f "$bg_out".*
	return 0
}

# the PostgreSQL pass's cluster: TFA_PG_PORT, stopped by pg_pass_stop
pg_pass_start() {
	pg_dir=$(mktemp -d /tmp/tfa-pgpass.XXXXXX)
	if bash "$TFA_SRCDIR/tests/integration/pg_server.sh" start "$pg_dir" >/dev/null \
		2>"$logdir/pg-server.log"; then
		TFA_PG_PORT=$(cat "$pg_dir/port") TFA_PG_DIR=$pg_dir
		export TFA_PG_PORT TFA_PG_DIR
		return 0
	fi
	echo "not ok - the PostgreSQL pass: no cluster: $(tail -n 3 "$logdir/pg-server.log")"
	failed=$((failed + 1)); failures+=("the PostgreSQL pass (no cluster)")
	rm -rf "$pg_dir"
	return 1
}
pg_pass_stop() {
	[ -n "${pg_dir:-}" ] || return 0
	bash "$TFA_SRCDIR/tests/integration/pg_server.sh" stop "$pg_dir" >/dev/null 2>&1
	rm -rf "$pg_dir"
	pg_dir=""
	unset TFA_PG_PORT TFA_PG_DIR
}

run_mode() { # mode builddir
	local mode=$1 t tag parts
	export TFA_BUILDDIR=$2 TFA_MODE=$mode
	case $mode in
	plain) parts=unit,integration,fuzz; tag="" ;;
	asan) parts=unit,integration; tag=" [asan]" ;;
	valgrind) parts=unit,integration; tag=" [valgrind]" ;;
	pg) parts=integration; tag=" [postgresql]" ;;
	*) echo "unknown mode $mode" >&2; failed=$((failed + 1)); return ;;
	esac
	[ -n "${TFA_SUITE:-}" ] && parts=$TFA_SUITE
	[ "$mode" = pg ] && parts=${parts//fuzz/}   # the fuzz targets have no store
	# How tests/integration/lib.sh runs the PAM host (pamtester) and the CLI:
	# TFA_PRELOAD goes before libpam_wrapper.so in LD_PRELOAD,
	# TFA_PAM_WRAP is put in front of the pamtester command.
	unset ASAN_OPTIONS UBSAN_OPTIONS TFA_PRELOAD TFA_PAM_WRAP
	if [ "$mode" = asan ]; then
		export ASAN_OPTIONS="detect_leaks=1:abort_on_error=0:exitcode=86:log_path=$TFA_SANDIR/asan"
		export UBSAN_OPTIONS="print_stacktrace=1:halt_on_error=1:exitcode=86:log_path=$TFA_SANDIR/ubsan"
		TFA_PRELOAD=$(gcc -print-file-name=libasan.so)
		export TFA_PRELOAD
	elif [ "$mode" = valgrind ]; then
		export TFA_PAM_WRAP="valgrind -q --error-exitcode=99 --leak-check=full --errors-for-leak-kinds=definite --log-file=$TFA_SANDIR/valgrind.%p"
	fi
	if [[ ",$parts," == *,unit,* ]]; then
		# every unit program in the source must have been built (no cmocka,
		# no unit tests: that is a failure, not a smaller suite)
		for t in "$TFA_SRCDIR"/tests/unit/test_*.c; do
			only "$t" || continue
			t=$(basename "$t" .c)
			if [ ! -x "$TFA_BUILDDIR/tests/unit/$t" ]; then
				echo "not ok - unit/$t$tag was not built (cmocka missing? scripts/deps.sh test)"
				failed=$((failed + 1)); failures+=("unit/$t$tag (not built)")
			fi
		done
		for t in "$TFA_BUILDDIR"/tests/unit/test_*; do
			[ -x "$t" ] && [ -f "$t" ] || continue
			case "$t" in *.o|*.c) continue ;; esac
			only "$t" || continue
			if [ "$mode" = valgrind ]; then
				run_one "unit/$(basename "$t")$tag" env CMOCKA_MESSAGE_OUTPUT=TAP \
					valgrind -q --error-exitcode=99 --leak-check=full \
					--errors-for-leak-kinds=definite "$t"
			else
				run_one "unit/$(basename "$t")$tag" env CMOCKA_MESSAGE_OUTPUT=TAP "$t"
			fi
		done
	fi
	if [[ ",$parts," == *,integration,* ]] && [ "$mode" = pg ]; then
		pg_pass_start || parts=none
	fi
	if [[ ",$parts," == *,integration,* ]]; then
		for t in "$TFA_SRCDIR"/tests/integration/t_*.sh; do
			[ -f "$t" ] || continue
			only "$t" || continue
			if [ "$mode" = pg ]; then
				grep -q '^# backends:.*postgresql' "$t" || continue
			fi
			# under valgrind only the tests that drive the PAM module
			if [ "$mode" = valgrind ]; then
				case "$(basename "$t")" in t_pam_*) ;; *) continue ;; esac
			fi
			run_one "integration/$(basename "$t")$tag" bash "$t"
		done
	fi
	[ "$mode" = pg ] && pg_pass_stop
	if [[ ",$parts," == *,fuzz,* ]] && [ -f "$TFA_SRCDIR/fuzz/run-smoke.sh" ]; then
		# CPU-bound on one core: it runs beside the next run when that is
		# the PostgreSQL pass (which waits on connections more than it
		# computes), and its result is printed when that run ends
		if [[ " ${TFA_RUNS:-} " == *" plain:$TFA_BUILDDIR pg:"* ]]; then
			bg_start "fuzz/smoke" bash "$TFA_SRCDIR/fuzz/run-smoke.sh"
		else
			run_one "fuzz/smoke" bash "$TFA_SRCDIR/fuzz/run-smoke.sh"
		fi
	fi
}

for run in ${TFA_RUNS:-plain:$TFA_BUILDDIR}; do
	run_mode "${run%%:*}" "${run#*:}"
	[ "${run%%:*}" = plain ] || bg_finish
done
bg_finish

echo
[ ${#failures[@]} -gt 0 ] && printf 'failed: %s\n' "${failures[@]}"
echo "logs: $logdir"
if [ -s "$logdir/skip-reasons" ]; then
	echo "skipped, with the reason:"
	sed 's/^/   /' "$logdir/skip-reasons"
fi
if [ "$skipped" -gt 0 ]; then
	echo "$passed passed, $failed failed, $skipped skipped"
else
	echo "$passed passed, $failed failed"
fi
[ "$failed" -eq 0 ] && [ "$passed" -gt 0 ]
