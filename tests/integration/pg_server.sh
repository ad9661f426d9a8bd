#!/usr/bin/env bash
# SPDX-License-Identifier: BSD-2-Clause
# pg_server.sh - a private PostgreSQL cluster on 127.0.0.1 for the tests:
# initdb into DIR/data as nobody (trust authentication, no fsync: the data
# is thrown away), a server at a free port, a login role tfa.
#
# Sourced (pg_lib.sh for t_pg*.sh), it defines, on the globals PG (the
# directory), PGBIN and PORT:
#   pg_find_bin       PGBIN, installing Debian's postgresql when missing (root)
#   pg_launch DIR     initdb, start at a free PORT, CREATE ROLE tfa; 1 and a
#                     message on standard error if that fails
#   pg_as CMD...      CMD as the cluster's owner
#   pg_start/pg_stop  start or stop the server (at $PORT)
# Run (tests/run-suite.sh's PostgreSQL pass, one cluster for the pass):
#   bash pg_server.sh start DIR   prints TFA_PG_PORT=PORT on success
#   bash pg_server.sh stop DIR
#   bash pg_server.sh up DIR      starts a stopped cluster again, same port

pg_find_bin() {
	PGBIN=$(ls -d /usr/lib/postgresql/*/bin 2>/dev/null | sort -V | tail -n 1)
	if [ -z "$PGBIN" ] && [ "$(id -u)" -eq 0 ] && command -v apt-get >/dev/null; then
		DEBIAN_FRONTEND=noninteractive apt-get -o DPkg::Lock::Timeout=900 install -y -qq \
			--no-install-recommends postgresql >/dev/null 2>&1 || true
		PGBIN=$(ls -d /usr/lib/postgresql/*/bin 2>/dev/null | sort -V | tail -n 1)
	fi
	[ -n "$PGBIN" ] && command -v runuser >/dev/null && command -v psql >/dev/null
}

pg_as() { runuser -u nobody -- env HOME="$PG" "$@"; }
pg_stop() {
	[ -f "$PG/data/postmaster.pid" ] &&
		pg_as "$PGBIN/pg_ctl" -D "$PG/data" -m fast -w stop >/dev/null 2>&1
	return 0
}
pg_start() {
	pg_as "$PGBIN/pg_ctl" -D "$PG/data" -w -t 30 -l "$PG/log/server.log" \
		-o "-c listen_addresses=127.0.0.1 -p $PORT -c unix_socket_directories=$PG/sock -c fsync=off -c max_connections=150" \
		start >/dev/null 2>&1
}

pg_launch() { # DIR
	local p
	PG=$1
	[ -n "${PGBIN:-}" ] || pg_find_bin || { echo "PostgreSQL server, psql or runuser missing" >&2; return 1; }
	# the cluster: owned by nobody, in a directory nobody can enter
	mkdir -p "$PG/data" "$PG/sock" "$PG/log" && chmod 0755 "$PG" &&
		chown nobody "$PG/data" "$PG/sock" "$PG/log" || return 1
	pg_as "$PGBIN/initdb" -D "$PG/data" -U postgres -A trust --no-sync >"$PG/initdb.log" 2>&1 ||
		{ echo "initdb failed: $(tail -n 3 "$PG/initdb.log")" >&2; return 1; }
	PORT=""
	for p in $(shuf -i 20000-60000 -n 20); do
		if ! (exec 3<>"/dev/tcp/127.0.0.1/$p") 2>/dev/null; then
			PORT=$p
			pg_start && break
			PORT=""
		fi
	done
	[ -n "$PORT" ] || { echo "cannot start PostgreSQL: $(tail -n 5 "$PG/log/server.log" 2>/dev/null)" >&2; return 1; }
	psql -X -q -h 127.0.0.1 -p "$PORT" -U postgres -c "CREATE ROLE tfa LOGIN" postgres >/dev/null ||
		{ echo "cannot create the role tfa" >&2; return 1; }
}

if [ "${BASH_SOURCE[0]}" = "$0" ]; then
	set -u
	case ${1:-}:${2:-} in
	start:?*)
		pg_launch "$2" || { pg_stop; exit 1; }
		echo "$PORT" >"$2/port"
		echo "TFA_PG_PORT=$PORT" ;;
	stop:?*)
		PG=$2
		pg_find_bin && pg_stop ;;
	up:?*)
		PG=$2
		PORT=$(cat "$2/port") && pg_find_bin && pg_start ;;
	*) echo "usage: pg_server.sh start|stop|up DIR" >&2; exit 2 ;;
	esac
fi
