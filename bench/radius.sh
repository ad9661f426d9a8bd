#!/usr/bin/env bash
# SPDX-License-Identifier: BSD-2-Clause
# bench/radius.sh - two-round logins per second through FreeRADIUS with
# rlm_twofactor against FreeRADIUS answering plain PAP for the same users,
# in one run, as a ratio (issue 14; docs/PERFORMANCE.md, RADIUS).
#
#   bash bench/radius.sh [--builddir DIR] [--users N] [--conc C]
#                        [--secs S] [--rounds R] [--dir DIR]
#
#   --builddir DIR  a tree built with ./configure --with-freeradius
#                   (default build/default)
#   --users N       users u0000000 .. (default 4000), each with an HOTP
#                   token (consecutive counters: every code is fresh)
#   --conc C        requests in flight (default 16)
#   --secs S        seconds per cell (default 3); --rounds R (default 3):
#                   PAP and two-round cells alternate, R times each
#   --dir DIR       the on-disk store's directory (default a new one under
#                   /var/tmp); the tmpfs store goes to /dev/shm
#   --lookup yes|no the module's user_lookup (default yes, as shipped: an
#                   NSS lookup per request); no: user_attribute is
#                   &control:Tmp-String-1, set by the users file as rlm_ldap
#                   would set the directory's uid
#
# One freeradius (run as root, -f, on 127.0.0.1 with free ports and a
# private raddb) serves two virtual servers from the same users file: "pap"
# (files + pap: one round) and the shipped site "twofactor" with the
# shipped module config (challenge mode: password -> Access-Challenge ->
# State + code -> Access-Accept). The store is imported with
# `tfa-admin import oath` (policy: enabled, default_required). The client
# is bench/radius_bench.py. The whole thing runs twice: the store on tmpfs,
# then on disk. Ratio = PAP logins/s / two-round logins/s; the goal of
# issue 14 is <= 2.2 on tmpfs. Exit status 1 if a login failed.
set -eu
export LC_ALL=C TZ=UTC
root=$(cd "$(dirname "$0")/.." && pwd)
builddir=$root/build/default users=4000 conc=16 secs=3 rounds=3 dir="" lookup=yes
while [ $# -gt 0 ]; do
	case $1 in
	--builddir) builddir=$(cd "$2" && pwd); shift 2 ;;
	--users) users=$2; shift 2 ;;
	--conc) conc=$2; shift 2 ;;
	--secs) secs=$2; shift 2 ;;
	--rounds) rounds=$2; shift 2 ;;
	--dir) dir=$2; shift 2 ;;
	--lookup) lookup=$2; shift 2 ;;
	-h|--help) sed -n '2,32p' "$0"; exit 0 ;;
	*) echo "bench/radius.sh: unknown option $1" >&2; exit 2 ;;
	esac
done
RLM=$builddir/contrib/freeradius/.libs/rlm_twofactor.so
TFA_ADMIN=$builddir/cli/tfa-admin
FREERADIUS=$(command -v freeradius || echo /usr/sbin/freeradius)
CLIENT=$root/bench/radius_bench.py
SECRET=benchsecret
[ "$(id -u)" -eq 0 ] || { echo "bench/radius.sh: run as root (freeradius)" >&2; exit 2; }
[ -f "$RLM" ] || { echo "bench/radius.sh: $RLM missing (configure --with-freeradius)" >&2; exit 2; }
[ -x "$FREERADIUS" ] || { echo "bench/radius.sh: freeradius not installed" >&2; exit 2; }
[ -x "$TFA_ADMIN" ] || { echo "bench/radius.sh: $TFA_ADMIN missing" >&2; exit 2; }

[ -n "$dir" ] || dir=$(mktemp -d /var/tmp/tfa-radius-bench.XXXXXX)
shm=$(mktemp -d /dev/shm/tfa-radius-bench.XXXXXX)
work=$(mktemp -d /tmp/tfa-radius-bench.XXXXXX)
RPID=""
stop() {
	if [ -n "$RPID" ] && kill -0 "$RPID" 2>/dev/null; then
		kill "$RPID"
		for _ in $(seq 1 25); do kill -0 "$RPID" 2>/dev/null || break; sleep 0.2; done
		kill -9 "$RPID" 2>/dev/null || true
		wait "$RPID" 2>/dev/null || true
	fi
	RPID=""
}
trap 'stop; rm -rf "$shm" "$work"' EXIT
free_port() {
	python3 -c 'import socket
s = socket.socket(socket.AF_INET, socket.SOCK_DGRAM); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])'
}

python3 "$CLIENT" gen "$users" "$work/users.oath" "$work/users"
CONTRIB=$root/contrib/freeradius
failed=0
summary=()

run_at() { # LABEL DIR
	local label=$1 d=$2 raddb=$work/raddb-$1 p1 p2 up=0 out
	local store=$d/tfa.db key=$d/tfa.key
	rm -f "$store"* "$key"
	tfa() { "$TFA_ADMIN" --store "$store" --keyfile "$key" "$@"; }
	tfa init >/dev/null
	tfa policy set enabled yes >/dev/null
	tfa policy set default_required yes >/dev/null
	tfa import oath "$work/users.oath" --force >/dev/null
	p1=$(free_port); p2=$(free_port)
	while [ "$p2" = "$p1" ]; do p2=$(free_port); done
	mkdir -p "$raddb/mods-enabled" "$raddb/sites-enabled" "$work/log-$label" "$work/run-$label"
	cp "$work/users" "$raddb/users"
	: >"$raddb/dictionary"
	sed -e "s|^\(\s*store\) = .*|\1 = $store|" -e "s|^\(\s*keyfile\) = .*|\1 = $key|" \
		"$CONTRIB/mods-available/twofactor" >"$raddb/mods-enabled/twofactor"
	if [ "$lookup" = no ]; then
		sed -i -e "s|^\(\s*user_attribute\) = .*|\1 = \&control:Tmp-String-1|" \
			-e "s|^\(\s*user_lookup\) = .*|\1 = no|" "$raddb/mods-enabled/twofactor"
	fi
	sed -e "s|^\(\s*ipaddr\) = \*|\1 = 127.0.0.1|" -e "s|^\(\s*port\) = 0|\1 = $p2|" \
		-e 's|^\s*-ldap$||' "$CONTRIB/sites-available/twofactor" >"$raddb/sites-enabled/twofactor"
	# the baseline: the same users, the password alone (and the same
	# Message-Authenticator in every reply as the shipped site)
	cat >"$raddb/sites-enabled/pap" <<CONF
server pap {
listen {
	type = auth
	ipaddr = 127.0.0.1
	port = $p1
}
authorize {
	files
	pap
}
authenticate {
	Auth-Type PAP {
		pap
	}
}
post-auth {
	update reply {
		Message-Authenticator := 0x00
	}
	Post-Auth-Type REJECT {
		update reply {
			Message-Authenticator := 0x00
		}
	}
}
}
CONF
	cat >"$raddb/clients.conf" <<CONF
client localhost {
	ipaddr = 127.0.0.1
	secret = $SECRET
	require_message_authenticator = yes
}
CONF
	cat >"$raddb/radiusd.conf" <<CONF
prefix = /usr
localstatedir = $work
logdir = $work/log-$label
run_dir = $work/run-$label
raddbdir = $raddb
confdir = \${raddbdir}
libdir = $(dirname "$RLM"):/usr/lib/freeradius
pidfile = \${run_dir}/radiusd.pid
max_request_time = 30
cleanup_delay = 5
max_requests = 65536
hostname_lookups = no
log {
	destination = files
	file = \${logdir}/radius.log
	auth = no
}
security {
	allow_core_dumps = no
	max_attributes = 200
	reject_delay = 0
	status_server = no
}
thread pool {
	start_servers = 8
	max_servers = 32
	min_spare_servers = 4
	max_spare_servers = 32
	max_requests_per_server = 0
}
\$INCLUDE clients.conf
modules {
	pap {
		normalise = yes
	}
	files {
		filename = \${confdir}/users
	}
	\$INCLUDE mods-enabled/
}
instantiate {
}
\$INCLUDE sites-enabled/
CONF
	"$FREERADIUS" -f -l stdout -d "$raddb" >"$work/log-$label/server.out" 2>&1 &
	RPID=$!
	for _ in $(seq 1 50); do
		grep -q 'Ready to process requests' "$work/log-$label/server.out" 2>/dev/null && { up=1; break; }
		kill -0 "$RPID" 2>/dev/null || break
		sleep 0.2
	done
	if [ "$up" != 1 ]; then
		tail -n 30 "$work/log-$label/server.out" >&2
		echo "bench/radius.sh: freeradius did not start" >&2
		exit 1
	fi
	echo "== store on $label ($store): $users users, $conc in flight, $rounds x ${secs}s per mode"
	out=$work/result-$label
	python3 "$CLIENT" run --pap "$p1" --tfa "$p2" --secret "$SECRET" --users "$users" \
		--conc "$conc" --secs "$secs" --rounds "$rounds" --server-pid "$RPID" | tee "$out" ||
		failed=1
	stop
	summary+=("$(awk -v l="$label" '$1 == "RESULT" {r[$2] = $6; c[$2] = $7} $1 == "RATIO" {x = $2; y = $3}
		END {printf "%-6s PAP %8.0f logins/s %6.1f us CPU   two rounds %8.0f logins/s %6.1f us CPU   ratio %.2f (CPU %.2f)", l, r["pap"], c["pap"], r["tfa"], c["tfa"], x, y}' "$out")")
	rm -f "$store"* "$key"
}

run_at tmpfs "$shm"
run_at disk "$dir"
[ "$dir" = "${dir#/var/tmp/tfa-radius-bench.}" ] || rmdir "$dir" 2>/dev/null || true
echo
echo "== summary (ratio = PAP logins/s / two-round logins/s; goal on tmpfs <= 2.2;"
echo "   CPU: the server's CPU time per login, and its ratio two rounds / PAP)"
printf '%s\n' "${summary[@]}"
nproc_=$(nproc); echo "machine: $nproc_ cores, $(sed -n 's/^model name\s*: //p' /proc/cpuinfo | head -n 1); freeradius $(dpkg-query -W -f '${Version}' freeradius 2>/dev/null)"
exit "$failed"
