# SPDX-License-Identifier: BSD-2-Clause
# tests/integration/lib.sh - shared helpers for the integration tests.
# Source it first thing in a t_*.sh script:
#     . "$(dirname "$0")/lib.sh"
# Each check prints one TAP line ("ok N - ..." / "not ok N - ..."); the
# script ends with tap_done. tests/run-suite.sh counts the lines.
#
# Environment: TFA_SRCDIR (default: this checkout), TFA_BUILDDIR (default:
# TFA_SRCDIR; where the built tree is), TFA_KEEP=1 keeps temporary dirs.
set -u

TFA_SRCDIR=${TFA_SRCDIR:-$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)}
TFA_BUILDDIR=${TFA_BUILDDIR:-$TFA_SRCDIR}
export TFA_SRCDIR TFA_BUILDDIR

tap_n=0
tap_failed=0
_tap_tmpdirs=()

_tap_cleanup() {
	local d
	[ "${TFA_KEEP:-0}" = 1 ] && return 0
	for d in "${_tap_tmpdirs[@]+"${_tap_tmpdirs[@]}"}"; do
		[ -n "$d" ] && [ -d "$d" ] && rm -rf -- "$d"
	done
	return 0
}
trap _tap_cleanup EXIT

# tap_tmpdir VAR: make a fresh private temporary directory (removed at exit)
# and store its path in VAR.
tap_tmpdir() {
	local d
	d=$(mktemp -d "${TMPDIR:-/tmp}/tfa-test.XXXXXX") || { echo "Bail out! mktemp -d failed"; exit 1; }
	_tap_tmpdirs+=("$d")
	printf -v "$1" '%s' "$d"
}

# diag TEXT...: a TAP comment line
diag() { printf '# %s\n' "$*"; }

# ok DESC / not_ok DESC [DIAGNOSTIC...] / skip DESC REASON
ok() { tap_n=$((tap_n + 1)); printf 'ok %d - %s\n' "$tap_n" "$1"; }
not_ok() {
	local d=$1; shift
	tap_n=$((tap_n + 1)); tap_failed=$((tap_failed + 1))
	printf 'not ok %d - %s\n' "$tap_n" "$d"
	local l
	for l in "$@"; do printf '%s\n' "$l" | sed 's/^/#   /'; done
}
skip() { tap_n=$((tap_n + 1)); printf 'ok %d - %s # SKIP %s\n' "$tap_n" "$1" "$2"; }

# check DESC CONDITION...: ok if the command CONDITION... succeeds
check() {
	local d=$1; shift
	if "$@"; then ok "$d"; else not_ok "$d" "failed: $*"; fi
}

# have CMD: 0 if CMD is on PATH
have() { command -v "$1" >/dev/null 2>&1; }

# The PostgreSQL pass (TFA_MODE=pg; tests/run-suite.sh starts one cluster
# for it at TFA_PG_PORT): the scripts marked "# backends: sqlite postgresql"
# run again with each new store a new database of that cluster.
# new_store_path FILE: FILE, or in that pass the URI of a new database
new_store_path() {
	if [ "${TFA_MODE:-}" != pg ]; then
		printf '%s\n' "$1"
		return 0
	fi
	local db="t${$}_${RANDOM}${RANDOM}"
	psql -X -q -h 127.0.0.1 -p "${TFA_PG_PORT:?the PostgreSQL pass needs TFA_PG_PORT}" -U postgres \
		-c "CREATE DATABASE $db OWNER tfa" postgres >/dev/null || return 1
	printf 'postgresql://tfa@127.0.0.1:%s/%s\n' "$TFA_PG_PORT" "$db"
}

# store_sql STORE SQL: SQL run on the store itself (sqlite3 on a file, psql
# on a URI; write "user" quoted: unquoted, PostgreSQL reads current_user)
store_sql() {
	case $1 in
	postgres://*|postgresql://*) psql -X -q -A -t -d "$1" -c "$2" ;;
	*) sqlite3 "$1" "$2" ;;
	esac
}
# store_bytes STORE: every byte a reader of the store could get: the file
# and its WAL, or a dump of the database
store_bytes() {
	case $1 in
	postgres://*|postgresql://*) pg_dump -d "$1" ;;
	*) cat -- "$1" "$1-wal" 2>/dev/null; return 0 ;;
	esac
}
# store_has STORE TEXT: 0 if TEXT is in store_bytes (in a dump as a word:
# its numbers are text there, and a code must not match in a time stamp)
store_has() {
	case $1 in
	postgres://*|postgresql://*) store_bytes "$1" | grep -aqwF -- "$2" ;;
	*) store_bytes "$1" | grep -aqF -- "$2" ;;
	esac
}

# tap_done: print the plan; exit 0 (failures are reported by "not ok")
tap_done() {
	printf '1..%d\n' "$tap_n"
	[ "$tap_failed" -gt 0 ] && diag "$tap_failed of $tap_n checks failed"
	exit 0
}
