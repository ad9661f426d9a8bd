#!/usr/bin/env bash
# SPDX-License-Identifier: BSD-2-Clause
# bench/run.sh - login benchmark of pam_twofactor.so against pam_oath and
# pam_google_authenticator, and of `tfa-admin import oath` (see
# bench/README.md and docs/PERFORMANCE.md).
#
#   bash bench/run.sh [--quick] [--dir DIR] [--builddir DIR] [--out DIR]
#
#   --quick        smaller stores and shorter cells (about 2 minutes)
#   --dir DIR      where the stores go (default: a new directory under
#                  /var/tmp, a real disk; never tmpfs unless you say so)
#   --builddir DIR use an already built tree (e.g. a patched copy) instead
#                  of configuring and building this checkout in build/bench
#   --out DIR      results (default build/bench/out)
#
# Runs as root on Debian 12: installs what is missing (scripts/deps.sh
# bench), builds out of tree, compiles bench/tfa_bench.c, then for each
# store size logs in through all modules side by side (interleaved rounds),
# in process (pam_wrapper) and one pamtester process per login, imports
# users.oath files, runs two processes against one, and prints the tables.
# Writes OUT/results.csv (one row per cell), OUT/latency.csv (every login),
# OUT/import.csv, OUT/machine.txt, OUT/tables.txt and OUT/perf-latency.png;
# a full run of this checkout (no --builddir) also copies the plot to
# docs/perf-latency.png and results.csv, import.csv and machine.txt to
# bench/. Exit status 1 if any login failed (failures are reported, never
# counted as speed) or a step broke.
set -eu
export LC_ALL=C TZ=UTC

root=$(cd "$(dirname "$0")/.." && pwd)
quick=0 dir="" builddir="" out=""
while [ $# -gt 0 ]; do
	case $1 in
	--quick) quick=1; shift ;;
	--dir) dir=$2; shift 2 ;;
	--builddir) builddir=$(cd "$2" && pwd); shift 2 ;;
	--out) out=$2; shift 2 ;;
	-h|--help) sed -n '2,25p' "$0"; exit 0 ;;
	*) echo "bench/run.sh: unknown option $1" >&2; exit 2 ;;
	esac
done

if [ "$quick" = 1 ]; then
	SIZES=(10 1000 10000 100000)
	IMPORT_SIZES=(10000 100000)
	CONC_SIZE=10000
	ROUNDS=2 SECS=1 CONC_SECS=1
else
	SIZES=(10 10000 100000 1000000)
	IMPORT_SIZES=(100000 1000000)
	CONC_SIZE=100000
	ROUNDS=4 SECS=2.5 CONC_SECS=2.5
fi
MAXLOGINS=200000      # per cell and round: a cap that time reaches first

t_start=$(date +%s)
log() { printf '[%4ds] %s\n' $(( $(date +%s) - t_start )) "$*" >&2; }

# ---- dependencies and build ------------------------------------------------
if [ "$(id -u)" -ne 0 ]; then
	echo "bench/run.sh: run as root (it installs packages, and google-authenticator" \
	     "checks file owners as root)" >&2
	exit 2
fi
bash "$root/scripts/deps.sh" bench >&2
if [ -z "$builddir" ]; then
	builddir=$root/build/bench
	if [ ! -x "$root/configure" ]; then
		log "no ./configure: autoreconf -fi"
		(cd "$root" && autoreconf -fi >/dev/null 2>&1)
	fi
	mkdir -p "$builddir"
	if [ ! -f "$builddir/Makefile" ]; then
		log "configure (out of tree: $builddir)"
		(cd "$builddir" && "$root/configure" -q CFLAGS="-O2 -g" >/dev/null)
	fi
	log "make"
	make -C "$builddir" -j"$(nproc)" -s >"$builddir/bench-make.log" 2>&1 ||
		{ tail -n 30 "$builddir/bench-make.log" >&2; exit 1; }
fi
MODULE=$builddir/pam_module/.libs/pam_twofactor.so
TFA_ADMIN=$builddir/cli/tfa-admin
[ -f "$MODULE" ] && [ -x "$TFA_ADMIN" ] || { echo "no built module/tfa-admin in $builddir" >&2; exit 1; }
SECDIR=/lib/x86_64-linux-gnu/security
for m in pam_oath.so pam_google_authenticator.so; do
	[ -f "$SECDIR/$m" ] || { echo "missing $SECDIR/$m" >&2; exit 1; }
done
out=${out:-$root/build/bench/out}
mkdir -p "$out"
out=$(cd "$out" && pwd)
BENCH=$out/tfa_bench
cc -O2 -g -Wall -Wextra -Werror -Wformat=2 -Wshadow -I "$root/tests/tools" -o "$BENCH" "$root/bench/tfa_bench.c" \
	-lpam -lcrypto

# ---- work directories --------------------------------------------------------
if [ -z "$dir" ]; then
	work=$(mktemp -d /var/tmp/tfa-bench.XXXXXX)
	own_work=1
else
	mkdir -p "$dir"
	work=$(cd "$dir" && mktemp -d ./tfa-bench.XXXXXX && true)
	work=$(cd "$dir" && cd "$work" && pwd)
	own_work=1
fi
shm=$(mktemp -d /dev/shm/tfa-bench.XXXXXX)
cleanup() {
	[ "$own_work" = 1 ] && rm -rf -- "$work"
	rm -rf -- "$shm"
	return 0
}
trap cleanup EXIT
trap 'exit 130' INT TERM
chmod 700 "$work" "$shm"
PAMD=$work/pam.d
STATE=$work/state
mkdir -p "$PAMD" "$STATE"
: >"$PAMD/other"          # no fallback stack (and no "no default config" noise)

# pam_wrapper copies the service dir to /tmp/pam.X per process; remove the
# copies of processes that died without cleaning up (as tests/integration do)
for d in /tmp/pam.?; do
	[ -d "$d" ] && [ -f "$d/pid" ] || continue
	pid=$(cat "$d/pid" 2>/dev/null || true)
	case $pid in ''|*[!0-9]*) continue ;; esac
	kill -0 "$pid" 2>/dev/null || rm -rf -- "$d"
done

fs_type=$(findmnt -n -o FSTYPE -T "$work" 2>/dev/null || stat -f -c %T "$work")
fs_dev=$(df -P "$work" | awk 'NR==2 {print $1}')
{
	echo "date: $(date -u '+%Y-%m-%d %H:%M UTC')"
	echo "cpu: $(lscpu | sed -n 's/^Model name: *//p' | head -n1), $(nproc) cores"
	echo "memory: $(free -g | awk '/^Mem:/ {print $2}') GiB"
	echo "kernel: $(uname -sr)"
	echo "os: $(. /etc/os-release && echo "$PRETTY_NAME")"
	echo "store dir: $work ($fs_type on $fs_dev)"
	echo "tmpfs rows: $shm ($(stat -f -c %T "$shm"))"
	echo "sqlite: $(dpkg-query -W -f='${Version}' libsqlite3-0), pam_oath: $(dpkg-query -W -f='${Version}' libpam-oath), google-authenticator: $(dpkg-query -W -f='${Version}' libpam-google-authenticator), pam_wrapper: $(dpkg-query -W -f='${Version}' libpam-wrapper)"
	echo "mode: $([ "$quick" = 1 ] && echo quick || echo full); sizes ${SIZES[*]}; $ROUNDS rounds of ${SECS}s per cell"
	echo "load average at the start: $(cut -d' ' -f1-3 /proc/loadavg)"
	echo "git: $(git -C "$root" rev-parse --short HEAD 2>/dev/null || echo '?')$(git -C "$root" diff --quiet HEAD -- lib pam_module cli 2>/dev/null || echo ' (+ uncommitted changes in lib/ pam_module/ cli/)')"
} >"$out/machine.txt"
cat "$out/machine.txt" >&2

RESULTS=$out/results.csv
echo "phase,module,users,procs,ok,failed,seconds,logins_per_s,p50_us,p99_us" >"$RESULTS"
echo "users,seconds,peak_rss_kb,imported,exit" >"$out/import.csv"
echo "phase,module,users,procs,round,worker,latency_us" >"$out/latency.csv"
failures=0

tfa() { local db=$1; shift; "$TFA_ADMIN" --store "$db" --keyfile "$work/tfa.key" "$@"; }

# the benchmark program under pam_wrapper, RESULT lines into results.csv
run_bench() {
	local label=$1 rc=0; shift
	# rc: 1 when some login failed; the RESULT lines say which
	env LD_PRELOAD=libpam_wrapper.so PAM_WRAPPER=1 PAM_WRAPPER_SERVICE_DIR="$PAMD" \
		"$BENCH" login --state "$STATE" --raw "$out/latency.csv" --label "$label" \
		--max "$MAXLOGINS" "$@" >"$work/bench.out" 2>"$work/bench.err" || rc=$?
	grep -v '^PWRAP' "$work/bench.err" | head -n 12 >&2 || true
	awk '$1 == "RESULT" {printf "%s,%s,%s,%s,%s,%s,%s,%s,%s,%s\n",
		$2, $3, $4, $5, $6, $7, $8, $9, $10, $11}' "$work/bench.out" >>"$RESULTS"
	awk '$1 == "RESULT" {printf "    %-9s %-16s %8s users %s proc: %6s ok %3s failed %8s/s p50 %8s us p99 %8s us\n",
		$2, $3, $4, $5, $6, $7, $9, $10, $11}' "$work/bench.out" >&2
	# a failed login of pam_twofactor fails the run; another module's failed
	# logins are shown as FAIL in its cell (pam_oath refuses concurrent logins)
	if awk '$1 == "RESULT" && $3 ~ /^twofactor/ && $7 > 0 {bad = 1} END {exit !bad}' \
		"$work/bench.out" || ! grep -q '^RESULT' "$work/bench.out"; then
		failures=$((failures + 1))
	fi
}

# ---- stores for the three modules at every size -------------------------------
import_row() {           # import_row N DB FILE: timed tfa-admin import oath
	local n=$1 db=$2 file=$3 tm=$work/time.out rc=0 secs rss imported
	/usr/bin/time -f '%e %M' -o "$tm" "$TFA_ADMIN" --store "$db" --keyfile "$work/tfa.key" \
		import oath "$file" --force >"$work/import.out" 2>&1 || rc=$?
	read -r secs rss <"$tm" || true
	imported=$(sed -n 's/^imported \([0-9]*\) tokens.*/\1/p' "$work/import.out")
	echo "$n,$secs,$rss,${imported:-0},$rc" >>"$out/import.csv"
	log "import oath of $n users: ${secs}s, peak RSS ${rss} KB, exit $rc"
	[ "$rc" = 0 ] && [ "${imported:-0}" = "$n" ] || { cat "$work/import.out" >&2; return 1; }
}

mods=() conc_mods=()
for n in "${SIZES[@]}"; do
	d=$work/n$n
	mkdir -p "$d" "$d/ga"
	chmod 700 "$d/ga"
	log "size $n: users.oath, tfa-admin import oath"
	"$BENCH" gen-oath "$n" "$d/users.oath"
	cp "$d/users.oath" "$d/pam_oath.users"     # pam_oath rewrites its own copy
	db=$d/tfa.db
	tfa "$db" init >/dev/null
	tfa "$db" policy set enabled yes >/dev/null
	tfa "$db" policy set default_required yes >/dev/null
	import_row "$n" "$db" "$d/users.oath"
	rm -f "$d/users.oath"
	# the same store on tmpfs: how much of a login is the disk (fsync)
	mkdir -p "$shm/n$n"
	cp "$db" "$shm/n$n/tfa.db"
	[ -f "$db-wal" ] && cp "$db-wal" "$shm/n$n/"
	[ -f "$shm/tfa.key" ] || cp "$work/tfa.key" "$shm/tfa.key"
	printf 'auth required %s store=%s keyfile=%s\n' "$MODULE" "$db" "$work/tfa.key" >"$PAMD/tfa-$n"
	printf 'auth required %s store=%s keyfile=%s\n' "$MODULE" "$shm/n$n/tfa.db" "$shm/tfa.key" \
		>"$PAMD/tfatmp-$n"
	printf 'auth required %s/pam_oath.so usersfile=%s window=10 digits=6\n' "$SECDIR" \
		"$d/pam_oath.users" >"$PAMD/oath-$n"
	printf 'auth required %s/pam_google_authenticator.so secret=%s/${USER} user=root\n' \
		"$SECDIR" "$d/ga" >"$PAMD/ga-$n"
	m=("twofactor=tfa-$n:0:$n" "pam_oath=oath-$n:0:$n" "google-auth=ga-$n:1:$n:$d/ga"
	   "twofactor-tmpfs=tfatmp-$n:0:$n")
	mods+=("${m[@]}")
	[ "$n" = "$CONC_SIZE" ] && conc_mods=("${m[@]}")
done
# the import measurement of sizes not benchmarked for logins (none by default)
for n in "${IMPORT_SIZES[@]}"; do
	case " ${SIZES[*]} " in *" $n "*) continue ;; esac
	d=$work/imp$n
	mkdir -p "$d"
	"$BENCH" gen-oath "$n" "$d/users.oath"
	tfa "$d/tfa.db" init >/dev/null
	import_row "$n" "$d/tfa.db" "$d/users.oath"
	rm -rf -- "$d"
done

# ---- logins: every module at every size, side by side ----------------------------
# Each round runs every cell (module x size) once, in turn, so that all
# cells see the same machine noise; ratios compare cells of the same rounds.
ncells=${#mods[@]}
log "in process: $ncells cells, $ROUNDS rounds of ${SECS}s each"
run_bench inproc --mode inproc --rounds "$ROUNDS" --seconds "$SECS" "${mods[@]}"
# the floor of a whole-process login: pamtester + pam_wrapper + pam_permit.so
# (no second factor, no prompt; only in the pamtester table)
printf 'auth required pam_permit.so\n' >"$PAMD/permit"
log "whole process (pamtester): $((ncells + 1)) cells, $ROUNDS rounds of ${SECS}s each"
run_bench process --mode exec --rounds "$ROUNDS" --seconds "$SECS" "${mods[@]}" \
	"pam_permit=permit:0:10"
log "1 process against 2 processes (different users) at $CONC_SIZE users"
run_bench concurrent --mode inproc --rounds "$ROUNDS" --seconds "$CONC_SECS" --procs 1,2 \
	"${conc_mods[@]}"
echo "load average at the end: $(cut -d' ' -f1-3 /proc/loadavg)" >>"$out/machine.txt"

# ---- tables, plot --------------------------------------------------------------
bash "$root/bench/report.sh" "$out" "${IMPORT_SIZES[*]}" "$CONC_SIZE" | tee "$out/tables.txt"
if command -v gnuplot >/dev/null; then
	bash "$root/bench/plot.sh" "$out" && log "plot: $out/perf-latency.png"
fi
if [ "$quick" = 0 ] && [ "$builddir" = "$root/build/bench" ]; then
	cp "$out/perf-latency.png" "$root/docs/perf-latency.png" 2>/dev/null || true
	cp "$RESULTS" "$root/bench/results.csv"
	cp "$out/import.csv" "$root/bench/import.csv"
	cp "$out/machine.txt" "$root/bench/machine.txt"
fi
log "done in $(( $(date +%s) - t_start )) s; results in $out"
if [ "$failures" -gt 0 ]; then
	echo "bench/run.sh: $failures benchmark step(s) had failed logins (see FAIL above)" >&2
	exit 1
fi
