# SPDX-License-Identifier: BSD-2-Clause
# pg_lib.sh - a private PostgreSQL cluster for the PostgreSQL store tests
# (t_pg.sh, t_pg_migrate.sh); source it after pam_lib.sh.
#
#   pg_cluster NAME   in plain mode: the server packages (installed when
#                     missing, as root), a build with PostgreSQL support,
#                     pam_setup, then initdb into a temporary directory as
#                     nobody, a server on 127.0.0.1 at a free $PORT (stopped
#                     at exit), a role tfa and its database twofactor;
#                     $PSQL runs psql as the superuser. In asan/valgrind
#                     mode it prints NAME's skip "by design" and exits.
#   pg_as CMD...      CMD as the cluster's owner
#   pg_start/pg_stop  start or stop the server (at $PORT)
#
# Under CI=true a missing server or a build without PostgreSQL fails.

pg_cluster() {
	case ${TFA_MODE:-plain} in
	asan|valgrind)
		printf 'ok 1 - %s # SKIP by design: the PostgreSQL pass runs in plain mode only\n1..1\n' "$1"
		exit 0 ;;
	esac
	pam_prereqs

	PGBIN=$(ls -d /usr/lib/postgresql/*/bin 2>/dev/null | sort -V | tail -n 1)
	if [ -z "$PGBIN" ] && [ "$(id -u)" -eq 0 ] && have apt-get; then
		DEBIAN_FRONTEND=noninteractive apt-get -o DPkg::Lock::Timeout=900 install -y -qq \
			--no-install-recommends postgresql >/dev/null 2>&1 || true
		PGBIN=$(ls -d /usr/lib/postgresql/*/bin 2>/dev/null | sort -V | tail -n 1)
	fi
	if [ -z "$PGBIN" ] || ! have runuser || ! have psql; then
		if [ "${CI:-}" = true ]; then
			printf 'not ok 1 - PostgreSQL server, psql and runuser installed (scripts/deps.sh test)\n1..1\n'
			exit 1
		fi
		printf 'ok 1 - # SKIP PostgreSQL not installed (scripts/deps.sh test)\n1..1\n'
		exit 0
	fi
	if ! "$TFA_ADMIN_BIN" --store postgresql:///x --keyfile /nonexistent list 2>&1 |
		grep -qv 'no PostgreSQL support'; then
		if [ "${CI:-}" = true ]; then
			printf 'not ok 1 - tfa-admin built with PostgreSQL support (configure --with-postgresql)\n1..1\n'
			exit 1
		fi
		printf 'ok 1 - # SKIP built without PostgreSQL support (libpq-dev, configure --with-postgresql)\n1..1\n'
		exit 0
	fi

	pam_setup
	cd "$T" || exit 1    # a build that took the URI for a relative path writes here
	# the cluster: owned by nobody, in a directory nobody can enter
	tap_tmpdir PG
	chmod 0755 "$PG"
	mkdir -p "$PG/data" "$PG/sock" "$PG/log"
	chown nobody "$PG/data" "$PG/sock" "$PG/log"
	pg_as() { runuser -u nobody -- env HOME="$PG" "$@"; }
	pg_stop() { [ -f "$PG/data/postmaster.pid" ] && pg_as "$PGBIN/pg_ctl" -D "$PG/data" -m fast -w stop >/dev/null 2>&1; return 0; }
	trap 'pg_stop; _tap_cleanup' EXIT
	pg_as "$PGBIN/initdb" -D "$PG/data" -U postgres -A trust --no-sync >"$PG/initdb.log" 2>&1 ||
		{ echo "Bail out! initdb failed: $(tail -n 3 "$PG/initdb.log")"; exit 1; }
	port_free() { ! (exec 3<>"/dev/tcp/127.0.0.1/$1") 2>/dev/null; }
	pg_start() {
		pg_as "$PGBIN/pg_ctl" -D "$PG/data" -w -t 30 -l "$PG/log/server.log" \
			-o "-c listen_addresses=127.0.0.1 -p $PORT -c unix_socket_directories=$PG/sock -c fsync=off -c max_connections=20" \
			start >/dev/null 2>&1
	}
	PORT=""
	for p in $(shuf -i 20000-60000 -n 20); do
		if port_free "$p"; then PORT=$p; pg_start && break; PORT=""; fi
	done
	[ -n "$PORT" ] || { echo "Bail out! cannot start PostgreSQL: $(tail -n 5 "$PG/log/server.log" 2>/dev/null)"; exit 1; }
	PSQL=(psql -X -q -A -t -h 127.0.0.1 -p "$PORT" -U postgres)
	"${PSQL[@]}" -c "CREATE ROLE tfa LOGIN" -c "CREATE DATABASE twofactor OWNER tfa" postgres >/dev/null ||
		{ echo "Bail out! cannot create the role and database"; exit 1; }
	ok "private PostgreSQL cluster on 127.0.0.1:$PORT"
}
