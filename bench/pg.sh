#!/usr/bin/env bash
# SPDX-License-Identifier: BSD-2-Clause
# bench/pg.sh - logins on a PostgreSQL store beside the same logins on a
# SQLite store, in one run (issue 15): in process with 1, 2, 4 and 8
# concurrent processes, and whole process (one pamtester per login).
#
#   bash bench/pg.sh [--builddir DIR] [--users N] [--secs S] [--rounds R]
#                    [--procs LIST]
#
#   --builddir DIR  a tree built with ./configure --with-postgresql
#                   (default build/default)
#   --users N       users u0000000 .. (default 10000), HOTP tokens
#   --secs S        seconds per cell and round (default 3)
#   --rounds R      rounds; each runs every cell in turn (default 2)
#   --procs LIST    concurrent processes of the in-process cells
#                   (default 1,2,4,8)
#
# Run as root; needs Debian's postgresql, libpam-wrapper, pamtester. A
# private cluster (initdb into a new directory under /var/tmp, as nobody,
# 127.0.0.1, a free port) with PostgreSQL's durable defaults (fsync on,
# synchronous_commit on), a role tfa and a database twofactor; the SQLite
# store beside it in the same directory (ext4 under /var/tmp): both commit
# every accepted code durably. The users are imported into SQLite
# (`tfa-admin import oath`) and copied to PostgreSQL with `tfa-admin migrate
# --to`, so both hold the same users, tokens and key. Each login opens the
# store and closes it at pam_end (a new PostgreSQL connection per login,
# as pam_twofactor does). Prints bench/tfa_bench's RESULT lines and a table:
# logins per second of each backend and the ratio SQLite / PostgreSQL.
set -eu
export LC_ALL=C TZ=UTC
root=$(cd "$(dirname "$0")/.." && pwd)
builddir=$root/build/default users=10000 secs=3 rounds=2 procs=1,2,4,8
while [ $# -gt 0 ]; do
	case $1 in
	--builddir) builddir=$(cd "$2" && pwd); shift 2 ;;
	--users) users=$2; shift 2 ;;
	--secs) secs=$2; shift 2 ;;
	--rounds) rounds=$2; shift 2 ;;
	--procs) procs=$2; shift 2 ;;
	-h|--help) sed -n '2,27p' "$0"; exit 0 ;;
	*) echo "bench/pg.sh: unknown option $1" >&2; exit 2 ;;
	esac
done
[ "$(id -u)" -eq 0 ] || { echo "bench/pg.sh: run as root" >&2; exit 2; }
TFA_ADMIN=$builddir/cli/tfa-admin
MOD=$builddir/pam_module/.libs/pam_twofactor.so
PGBIN=$(ls -d /usr/lib/postgresql/*/bin 2>/dev/null | sort -V | tail -n 1)
[ -n "$PGBIN" ] || { echo "bench/pg.sh: apt-get install -y postgresql" >&2; exit 2; }
[ -x "$TFA_ADMIN" ] && [ -f "$MOD" ] || { echo "bench/pg.sh: build $builddir first" >&2; exit 2; }

work=$(mktemp -d /var/tmp/tfa-pg-bench.XXXXXX)
PG=$work/pg
pg_as() { runuser -u nobody -- env HOME="$PG" "$@"; }
pg_stop() { [ -f "$PG/data/postmaster.pid" ] && pg_as "$PGBIN/pg_ctl" -D "$PG/data" -m fast -w stop >/dev/null 2>&1; return 0; }
trap 'pg_stop; rm -rf -- "$work"' EXIT
mkdir -p "$PG/data" "$PG/sock" "$PG/log" "$work/pam.d" "$work/state"
chmod 0755 "$work" "$PG"
chown nobody "$PG/data" "$PG/sock" "$PG/log"
pg_as "$PGBIN/initdb" -D "$PG/data" -U postgres -A trust >"$PG/initdb.log" 2>&1 ||
	{ tail -n 5 "$PG/initdb.log" >&2; exit 1; }
port=""
for p in $(shuf -i 20000-60000 -n 20); do
	(exec 3<>"/dev/tcp/127.0.0.1/$p") 2>/dev/null && continue
	if pg_as "$PGBIN/pg_ctl" -D "$PG/data" -w -t 30 -l "$PG/log/server.log" \
		-o "-c listen_addresses=127.0.0.1 -p $p -c unix_socket_directories=$PG/sock -c max_connections=60" \
		start >/dev/null 2>&1; then port=$p; break; fi
done
[ -n "$port" ] || { tail -n 5 "$PG/log/server.log" >&2; exit 1; }
psql -X -q -h 127.0.0.1 -p "$port" -U postgres -c "CREATE ROLE tfa LOGIN" \
	-c "CREATE DATABASE twofactor OWNER tfa" postgres >/dev/null
URI="postgresql://tfa@127.0.0.1:$port/twofactor"

# the stores (the key file and the SQLite store in a directory only root
# can enter)
mkdir -m 0700 "$work/s"
db=$work/s/tfa.db key=$work/s/tfa.key
cc -O2 -Wall -Wextra -Werror -Wformat=2 -Wshadow -I "$root/tests/tools" -o "$work/tfa_bench" \
	"$root/bench/tfa_bench.c" -lpam -lcrypto
"$work/tfa_bench" gen-oath "$users" "$work/users.oath"
s() { "$TFA_ADMIN" --store "$db" --keyfile "$key" "$@"; }
s init >/dev/null
s policy set enabled yes >/dev/null
s policy set default_required yes >/dev/null
s import oath "$work/users.oath" --force >/dev/null
"$TFA_ADMIN" --store "$URI" --keyfile "$key" init >/dev/null
s migrate --to "$URI" >/dev/null
: >"$work/pam.d/other"
printf 'auth required %s store=%s keyfile=%s\n' "$MOD" "$db" "$key" >"$work/pam.d/sqlite"
printf 'auth required %s store=%s keyfile=%s\n' "$MOD" "$URI" "$key" >"$work/pam.d/pg"
echo "== $users users; SQLite $db, PostgreSQL $("$PGBIN/postgres" --version | awk '{print $3}') at 127.0.0.1:$port (fsync on)"
wrap=(env LD_PRELOAD=libpam_wrapper.so PAM_WRAPPER=1 PAM_WRAPPER_SERVICE_DIR="$work/pam.d")
failed=0
"${wrap[@]}" "$work/tfa_bench" login --mode inproc --state "$work/state" --rounds "$rounds" \
	--seconds "$secs" --procs "$procs" --label inproc "SQLite=sqlite:0:$users" "PostgreSQL=pg:0:$users" |
	tee "$work/out" || failed=1
"${wrap[@]}" "$work/tfa_bench" login --mode exec --state "$work/state" --rounds "$rounds" \
	--seconds "$secs" --procs 1 --label pamtester "SQLite=sqlite:0:$users" "PostgreSQL=pg:0:$users" |
	tee -a "$work/out" || failed=1
echo
echo "== logins per second (all rounds), ratio SQLite / PostgreSQL (above 1: SQLite faster)"
awk '$1 == "RESULT" { k = $2 " " $5; ok[k, $3] += $6; secs[k, $3] += $8; keys[k] = 1 }
	END { printf "%-16s %12s %12s %8s\n", "mode procs", "SQLite/s", "PostgreSQL/s", "ratio"
	      for (k in keys) { a = ok[k, "SQLite"] / secs[k, "SQLite"]; b = ok[k, "PostgreSQL"] / secs[k, "PostgreSQL"]
	                        printf "%-16s %12.0f %12.0f %8.2f\n", k, a, b, (b > 0 ? a / b : 0) } }' "$work/out" | sort
echo "machine: $(nproc) cores, $(sed -n 's/^model name\s*: //p' /proc/cpuinfo | head -1)"
exit "$failed"
