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

	. "$(dirname "${BASH_SOURCE[0]}")/pg_server.sh"
	pg_find_bin
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
	tap_tmpdir PG
	trap 'pg_stop; _tap_cleanup' EXIT
	pg_launch "$PG" 2>"$T/pg_launch.err" ||
		{ echo "Bail out! $(cat "$T/pg_launch.err")"; exit 1; }
	PSQL=(psql -X -q -A -t -h 127.0.0.1 -p "$PORT" -U postgres)
	"${PSQL[@]}" -c "CREATE DATABASE twofactor OWNER tfa" postgres >/dev/null ||
		{ echo "Bail out! cannot create the database"; exit 1; }
	ok "private PostgreSQL cluster on 127.0.0.1:$PORT"
}
