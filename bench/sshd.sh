#!/usr/bin/env bash
# SPDX-License-Identifier: BSD-2-Clause
# bench/sshd.sh - whole logins through a real sshd on 127.0.0.1, with our
# module, pam_oath and pam_google_authenticator side by side in one run
# (issue 13: sshd, the host that matters, has libcrypto loaded already;
# pamtester does not).
#
#   bash bench/sshd.sh [--builddir DIR] [--logins N] [--rounds R]
#
#   --builddir DIR  a built tree (default build/default)
#   --logins N      logins per module and round (default 40)
#   --rounds R      rounds (default 3); each round runs every module's
#                   logins in turn, so all see the same machine noise
#
# Run as root; needs openssh-server, openssh-client, libpam-wrapper,
# libpam-oath, libpam-google-authenticator, oathtool (scripts/deps.sh
# bench). One throw-away user (removed at exit) with one HOTP secret; three
# sshd (one per module, each on a free port on 127.0.0.1, with its own
# sshd_config, host key and PAM service "sshd" read through pam_wrapper -
# /etc/pam.d is not touched), each with the auth stack "auth required
# MODULE" alone (no password: the module's cost is what differs), account
# and session pam_permit. The modules keep their own counters: ours in a
# store made with `tfa-admin import oath`, pam_oath its users.oath (window
# 10), google-authenticator a secret file with HOTP_COUNTER 1. A login is
# `ssh -o PreferredAuthentications=keyboard-interactive USER@127.0.0.1 true`,
# the code answered by an SSH_ASKPASS program that reads it from a file
# (never argv), and must succeed. Prints per module the median and 90th
# percentile of the wall time of a login and the ratios to pam_oath.
set -eu
export LC_ALL=C TZ=UTC
root=$(cd "$(dirname "$0")/.." && pwd)
builddir=$root/build/default logins=40 rounds=3
while [ $# -gt 0 ]; do
	case $1 in
	--builddir) builddir=$(cd "$2" && pwd); shift 2 ;;
	--logins) logins=$2; shift 2 ;;
	--rounds) rounds=$2; shift 2 ;;
	-h|--help) sed -n '2,29p' "$0"; exit 0 ;;
	*) echo "bench/sshd.sh: unknown option $1" >&2; exit 2 ;;
	esac
done
[ "$(id -u)" -eq 0 ] || { echo "bench/sshd.sh: run as root" >&2; exit 2; }
SEC=/lib/x86_64-linux-gnu/security
MOD=$builddir/pam_module/.libs/pam_twofactor.so
TFA_ADMIN=$builddir/cli/tfa-admin
for f in "$MOD" "$TFA_ADMIN" /usr/sbin/sshd "$SEC/pam_oath.so" "$SEC/pam_google_authenticator.so"; do
	[ -e "$f" ] || { echo "bench/sshd.sh: $f missing (build, scripts/deps.sh bench)" >&2; exit 2; }
done
for t in ssh ssh-keygen oathtool useradd userdel; do
	command -v "$t" >/dev/null || { echo "bench/sshd.sh: $t missing" >&2; exit 2; }
done

W=$(mktemp -d /tmp/tfa-sshd-bench.XXXXXX)
chmod 0711 "$W"
U=tfabench$$
PIDS=()
made=0
# shellcheck disable=SC2317  # run by the EXIT trap
cleanup() {
	local p
	for p in "${PIDS[@]}"; do kill "$p" 2>/dev/null || true; done
	for p in "${PIDS[@]}"; do wait "$p" 2>/dev/null || true; done
	[ "$made" = 1 ] && userdel -r "$U" >/dev/null 2>&1
	rm -rf -- "$W"
}
trap cleanup EXIT
useradd -m -s /bin/sh -c "twofactor sshd bench" "$U"
made=1
HEX=$(head -c 20 /dev/urandom | od -An -v -tx1 | tr -d ' \n')
B32=$(oathtool --hotp -v "$HEX" | sed -n 's/^Base32 secret: //p')
mkdir -m 0700 "$W/tfa" "$W/oath" "$W/ga"
printf 'HOTP %s - %s 0\n' "$U" "$HEX" >"$W/oath/users.oath"
printf '%s\n" HOTP_COUNTER 1\n' "$B32" >"$W/ga/$U"
chmod 0600 "$W/oath/users.oath" "$W/ga/$U"
t() { "$TFA_ADMIN" --store "$W/tfa/tfa.db" --keyfile "$W/tfa/tfa.key" "$@"; }
t init >/dev/null
t policy set enabled yes >/dev/null
t policy set default_required yes >/dev/null
t import oath "$W/oath/users.oath" >/dev/null

# the askpass program: prints the code in $W/code (sshd's prompt is its argument)
printf '#!/bin/sh\ncat %s/code\n' "$W" >"$W/askpass"
chmod 0755 "$W/askpass"
[ -d /run/sshd ] || install -d -m 0755 /run/sshd
port_busy() { (exec 3<>"/dev/tcp/127.0.0.1/$1") 2>/dev/null; }
declare -A PORT LINE BASE
LINE[twofactor]="auth required $MOD store=$W/tfa/tfa.db keyfile=$W/tfa/tfa.key"
LINE[pam_oath]="auth required $SEC/pam_oath.so usersfile=$W/oath/users.oath window=10 digits=6"
LINE[google]="auth required $SEC/pam_google_authenticator.so secret=$W/ga/\${USER} user=root"
BASE=([twofactor]=0 [pam_oath]=0 [google]=1)
MODULES="twofactor pam_oath google"
for m in $MODULES; do
	d=$W/sshd-$m
	mkdir -m 0700 "$d" "$d/pam.d"
	printf '%s\naccount required pam_permit.so\nsession required pam_permit.so\npassword required pam_deny.so\n' \
		"${LINE[$m]}" >"$d/pam.d/sshd"
	p=""
	for _ in $(seq 1 50); do
		c=$((20000 + RANDOM % 40000))
		port_busy "$c" || { p=$c; break; }
	done
	[ -n "$p" ] || { echo "bench/sshd.sh: no free port" >&2; exit 1; }
	PORT[$m]=$p
	ssh-keygen -q -t ed25519 -N '' -f "$d/host_key" >/dev/null
	cat >"$d/sshd_config" <<CONF
Port $p
ListenAddress 127.0.0.1
HostKey $d/host_key
PidFile $d/sshd.pid
UsePAM yes
KbdInteractiveAuthentication yes
PasswordAuthentication no
PubkeyAuthentication no
AuthenticationMethods keyboard-interactive
PermitRootLogin no
AllowUsers $U
MaxStartups 100
StrictModes no
LogLevel ERROR
PrintMotd no
PrintLastLog no
UseDNS no
AuthorizedKeysFile none
CONF
	env LD_PRELOAD=libpam_wrapper.so PAM_WRAPPER=1 PAM_WRAPPER_SERVICE_DIR="$d/pam.d" \
		/usr/sbin/sshd -f "$d/sshd_config" -D -E "$d/sshd.log" </dev/null >/dev/null 2>&1 &
	PIDS+=($!)
	for _ in $(seq 1 100); do port_busy "$p" && break; sleep 0.1; done
	port_busy "$p" || { echo "bench/sshd.sh: sshd for $m did not start: $(tail -n 3 "$d/sshd.log")" >&2; exit 1; }
done

declare -A CTR
for m in $MODULES; do CTR[$m]=${BASE[$m]}; done
login() { # MODULE: one login with the code of CTR[MODULE]; its wall time in
	   # microseconds on stdout (run in a subshell: the caller moves CTR on)
	local m=$1 t0 t1
	oathtool --hotp -c "${CTR[$m]}" "$HEX" >"$W/code"
	t0=$(date +%s%N)
	if ! SSH_ASKPASS="$W/askpass" SSH_ASKPASS_REQUIRE=force DISPLAY=:0 \
		ssh -F /dev/null -p "${PORT[$m]}" -o StrictHostKeyChecking=no \
		-o UserKnownHostsFile=/dev/null -o GlobalKnownHostsFile=/dev/null -o LogLevel=ERROR \
		-o PreferredAuthentications=keyboard-interactive -o PubkeyAuthentication=no \
		-o PasswordAuthentication=no -o NumberOfPasswordPrompts=1 -o BatchMode=no \
		-o IdentitiesOnly=yes -o IdentityFile=/dev/null "$U@127.0.0.1" true </dev/null >/dev/null 2>"$W/ssh.err"; then
		echo "bench/sshd.sh: $m login failed at counter ${CTR[$m]}: $(cat "$W/ssh.err")" >&2
		return 1
	fi
	t1=$(date +%s%N)
	echo $(( (t1 - t0) / 1000 ))
}
: >"$W/times"
failed=0
for _ in $(seq 1 "$rounds"); do
	for m in $MODULES; do
		for _ in $(seq 1 "$logins"); do
			us=$(login "$m") || failed=1
			CTR[$m]=$((CTR[$m] + 1))
			[ -n "$us" ] && echo "$m $us" >>"$W/times"
		done
	done
done
echo "== sshd on 127.0.0.1, one HOTP user, $rounds rounds x $logins logins per module"
printf '%-12s %7s %10s %10s %18s\n' module logins p50_ms p90_ms "p50 / pam_oath p50"
ref=""
for m in pam_oath twofactor google; do
	awk -v m="$m" '$1 == m {print $2}' "$W/times" | sort -n >"$W/t-$m"
	n=$(wc -l <"$W/t-$m")
	[ "$n" -gt 0 ] || continue
	p50=$(sed -n "$(( (n + 1) / 2 ))p" "$W/t-$m")
	p90=$(sed -n "$(( (n * 9 + 9) / 10 ))p" "$W/t-$m")
	[ -n "$ref" ] || ref=$p50
	printf '%-12s %7d %10.2f %10.2f %18.3f\n' "$m" "$n" "$(echo "$p50 / 1000" | bc -l)" \
		"$(echo "$p90 / 1000" | bc -l)" "$(echo "$p50 / $ref" | bc -l)"
done
echo "machine: $(nproc) cores, $(sed -n 's/^model name\s*: //p' /proc/cpuinfo | head -1); $(ssh -V 2>&1)"
exit "$failed"
