#!/usr/bin/env bash
# Runs the whole test suite against a built tree and prints one closing line
#   N passed, N failed[, N skipped]
# Every test program speaks TAP ("ok ..." / "not ok ..." / "... # SKIP ...");
# cmocka programs do so with CMOCKA_MESSAGE_OUTPUT=TAP. A program that exits
# non-zero without reporting a failure counts as one failure.
#
# Environment: TFA_BUILDDIR, TFA_SRCDIR (default: this checkout),
#   TFA_SUITE=unit,integration,fuzz (parts to run; default all),
#   TFA_VALGRIND=1 (run unit programs and the module under valgrind),
#   TFA_LOGDIR (where logs go; default a temporary directory).
set -u
here=$(cd "$(dirname "$0")" && pwd)
export TFA_SRCDIR=${TFA_SRCDIR:-$(cd "$here/.." && pwd)}
export TFA_BUILDDIR=${TFA_BUILDDIR:-$TFA_SRCDIR}
parts=${TFA_SUITE:-unit,integration,fuzz}
logdir=${TFA_LOGDIR:-$(mktemp -d /tmp/tfa-suite.XXXXXX)}
mkdir -p "$logdir"
passed=0 failed=0 skipped=0
failures=()

run_one() { # name, command...
	local name=$1; shift
	local log="$logdir/$(echo "$name" | tr '/ ' '__').log"
	local rc=0 p f s
	printf '== %s\n' "$name"
	"$@" >"$log" 2>&1 </dev/null || rc=$?
	p=$(grep -cE '^ok ' "$log" | tr -d ' ' || true)
	s=$(grep -E '^ok ' "$log" | grep -ciE '# *skip' || true)
	f=$(grep -cE '^not ok ' "$log" || true)
	p=$((p - s))
	if [ "$rc" -ne 0 ] && [ "$f" -eq 0 ]; then
		f=1
		echo "not ok - $name exited with status $rc" >>"$log"
	fi
	passed=$((passed + p)); failed=$((failed + f)); skipped=$((skipped + s))
	if [ "$f" -gt 0 ]; then
		failures+=("$name")
		grep -E '^not ok ' "$log" | sed 's/^/   /'
		echo "   --- last lines of $log:"
		tail -n 25 "$log" | sed 's/^/   | /'
	fi
	printf '   %d ok, %d failed, %d skipped\n' "$p" "$f" "$s"
}

if [[ ",$parts," == *,unit,* ]]; then
	for t in "$TFA_BUILDDIR"/tests/unit/test_*; do
		[ -x "$t" ] && [ -f "$t" ] || continue
		case "$t" in *.o|*.c) continue ;; esac
		if [ "${TFA_VALGRIND:-0}" = 1 ]; then
			run_one "unit/$(basename "$t") (valgrind)" env CMOCKA_MESSAGE_OUTPUT=TAP \
				valgrind -q --error-exitcode=99 --leak-check=full --errors-for-leak-kinds=definite "$t"
		else
			run_one "unit/$(basename "$t")" env CMOCKA_MESSAGE_OUTPUT=TAP "$t"
		fi
	done
fi
if [[ ",$parts," == *,integration,* ]]; then
	for t in "$TFA_SRCDIR"/tests/integration/t_*.sh; do
		[ -f "$t" ] || continue
		run_one "integration/$(basename "$t")" bash "$t"
	done
fi
if [[ ",$parts," == *,fuzz,* ]] && [ -f "$TFA_SRCDIR/fuzz/run-smoke.sh" ]; then
	run_one "fuzz/smoke" bash "$TFA_SRCDIR/fuzz/run-smoke.sh"
fi

echo
[ ${#failures[@]} -gt 0 ] && printf 'failed: %s\n' "${failures[@]}"
echo "logs: $logdir"
if [ "$skipped" -gt 0 ]; then
	echo "$passed passed, $failed failed, $skipped skipped"
else
	echo "$passed passed, $failed failed"
fi
[ "$failed" -eq 0 ] && [ "$passed" -gt 0 ]
