#!/usr/bin/env bash
# SPDX-License-Identifier: BSD-2-Clause
# End to end: a real login through OpenSSH's sshd with pam_twofactor.so.
# A throw-away user with a password logs in with keyboard-interactive
# authentication (driven by e2e_ssh.exp): first login enrols the
# authenticator over ssh (URI read from the PAM messages), the next login
# takes password + code; a wrong code, a replayed code and a wrong password
# are refused.
#
# How sshd gets our PAM stack without touching /etc/pam.d: sshd runs with
# libpam_wrapper.so preloaded and PAM_WRAPPER_SERVICE_DIR=$T/pam.d, which
# holds the "sshd" service. sshd re-executes itself for every connection
# with execv(), which keeps the environment, so the per-connection process
# (where PAM runs, in the privileged monitor) reads $T/pam.d/sshd too.
# The sshd listens on 127.0.0.1 only, on a free port, with its own
# sshd_config and host key in $T, and lets only the test user in.
#
# Needs root (useradd, a real sshd), openssh-server, openssh-client, expect,
# oathtool and libpam-wrapper (scripts/deps.sh test); skips without them.
# Everything it starts or creates (sshd, the user and its home) is removed
# at exit, also on failure or interruption.
. "$(dirname "$0")/lib.sh"
export TZ=UTC
SSHD=/usr/sbin/sshd
EXP=$(cd "$(dirname "$0")" && pwd)/e2e_ssh.exp
TFA_ADMIN=$TFA_BUILDDIR/cli/tfa-admin
PAM_MODULE=$TFA_BUILDDIR/pam_module/.libs/pam_twofactor.so

skip_all() { printf 'ok 1 - sshd e2e # SKIP %s\n1..1\n' "$1"; exit 0; }

if [ ! -f "$PAM_MODULE" ] || [ ! -x "$TFA_ADMIN" ]; then
	echo "not ok 1 - built module and tfa-admin present ($PAM_MODULE, $TFA_ADMIN)"
	echo "1..1"
	exit 1
fi
[ -x "$SSHD" ] || skip_all "openssh-server not installed"
[ "$(id -u)" -eq 0 ] || skip_all "needs root (a test user and a real sshd)"
for t in ssh ssh-keygen expect oathtool useradd userdel chpasswd; do
	have "$t" || skip_all "$t not installed (scripts/deps.sh test)"
done
if ! ldconfig -p 2>/dev/null | grep -q 'libpam_wrapper\.so' &&
   [ ! -e /usr/lib/x86_64-linux-gnu/libpam_wrapper.so ]; then
	skip_all "libpam_wrapper not installed (scripts/deps.sh test)"
fi
# asan mode: the module is built with ASan, so sshd would need the ASan
# runtime preloaded; sshd itself is not instrumented, and its own leaks and
# its re-exec/privilege-separation children would make reports that are not
# ours. The PAM tests under pamtester cover the module under ASan.
[ -n "${TFA_PRELOAD:-}" ] && skip_all "by design: not run with a sanitizer runtime preloaded (TFA_PRELOAD): sshd is not instrumented"

# --- set-up, and the clean-up that undoes it ----------------------------------------
tap_tmpdir T               # mktemp -d: root-owned, 0700
chmod 0700 "$T"
E2E_USER=tfae2e$$
SSHD_PID=""
EXP_PID=""
USER_MADE=0
# shellcheck disable=SC2317  # run by the EXIT trap
e2e_cleanup() {
	if [ -n "$EXP_PID" ] && kill -0 "$EXP_PID" 2>/dev/null; then
		kill "$EXP_PID" 2>/dev/null   # expect hangs up on ssh
		wait "$EXP_PID" 2>/dev/null
	fi
	if [ -n "$SSHD_PID" ] && kill -0 "$SSHD_PID" 2>/dev/null; then
		kill "$SSHD_PID" 2>/dev/null
		for _ in 1 2 3 4 5 6 7 8 9 10; do
			kill -0 "$SSHD_PID" 2>/dev/null || break
			sleep 0.2
		done
		kill -9 "$SSHD_PID" 2>/dev/null
		wait "$SSHD_PID" 2>/dev/null
	fi
	if [ "$USER_MADE" = 1 ]; then
		userdel -r -f "$E2E_USER" >/dev/null 2>&1 ||
			userdel -f "$E2E_USER" >/dev/null 2>&1
		[ -d "/home/${E2E_USER:?}" ] && rm -rf -- "/home/${E2E_USER:?}"
	fi
	# /run/sshd stays: it is the system's (the service unit makes it on a
	# booted host), and another sshd - or another run of this test - may
	# be using it right now
	# pam_wrapper's copies of $PAMD (/tmp/pam.X) that sshd processes ended
	# without their destructor left behind: only those still marked with the
	# pid of one of our (now gone) sshd processes
	if [ -f "$T/sshd.stderr" ]; then
		local pid dir
		sed -n 's/^PWRAP_TRACE\[[^(]*(\([0-9]*\))\] - pwrap_init: pam_wrapper config dir: \(\/tmp\/pam\.[A-Za-z0-9]\)$/\1 \2/p' \
			"$T/sshd.stderr" 2>/dev/null | sort -u |
		while read -r pid dir; do
			[ -d "$dir" ] && [ "$(cat "$dir/pid" 2>/dev/null)" = "$pid" ] &&
				! kill -0 "$pid" 2>/dev/null && rm -rf -- "$dir"
		done
	fi
	_tap_cleanup
}
trap e2e_cleanup EXIT
trap 'exit 130' INT
trap 'exit 143' TERM HUP

STORE=$T/store/tfa.db
KEYFILE=$T/store/tfa.key
PAMD=$T/pam.d
mkdir -m 0700 "$T/store" "$PAMD" "$T/files"
tfa() { "$TFA_ADMIN" --store "$STORE" --keyfile "$KEYFILE" "$@"; }

rand() { head -c 32 /dev/urandom | od -An -tx1 | tr -d ' \n' | cut -c1-"$1"; }
E2E_PASS=Pw-$(rand 20)
E2E_BADPASS=Bad-$(rand 20)
export E2E_PASS E2E_BADPASS

if ! useradd -m -s /bin/sh -c "twofactor e2e test" "$E2E_USER" >"$T/useradd.log" 2>&1; then
	echo "Bail out! useradd $E2E_USER failed: $(cat "$T/useradd.log")"
	exit 1
fi
USER_MADE=1
printf '%s:%s\n' "$E2E_USER" "$E2E_PASS" | chpasswd ||
	{ echo "Bail out! chpasswd failed"; exit 1; }

tfa init >/dev/null || { echo "Bail out! tfa-admin init failed"; exit 1; }
tfa policy set enabled yes >/dev/null || { echo "Bail out! policy set failed"; exit 1; }
tfa enable "$E2E_USER" >/dev/null || { echo "Bail out! tfa-admin enable failed"; exit 1; }

cat >"$PAMD/sshd" <<EOF
auth requisite pam_unix.so
auth required $PAM_MODULE store=$STORE keyfile=$KEYFILE
account required pam_unix.so
session required pam_permit.so
password required pam_deny.so
EOF

# a free port on 127.0.0.1
port_busy() { (exec 3<>"/dev/tcp/127.0.0.1/$1") 2>/dev/null; }
PORT=""
for _ in $(seq 1 50); do
	p=$((20000 + RANDOM % 40000))
	if have ss; then
		ss -ltnH "sport = :$p" 2>/dev/null | grep -q . && continue
	fi
	port_busy "$p" && continue
	PORT=$p
	break
done
[ -n "$PORT" ] || { echo "Bail out! no free port found"; exit 1; }

ssh-keygen -q -t ed25519 -N '' -C tfa-e2e -f "$T/ssh_host_ed25519_key" >/dev/null ||
	{ echo "Bail out! ssh-keygen failed"; exit 1; }
cat >"$T/sshd_config" <<EOF
Port $PORT
ListenAddress 127.0.0.1
HostKey $T/ssh_host_ed25519_key
PidFile $T/sshd.pid
UsePAM yes
KbdInteractiveAuthentication yes
PasswordAuthentication no
PubkeyAuthentication no
HostbasedAuthentication no
AuthenticationMethods keyboard-interactive
PermitRootLogin no
PermitEmptyPasswords no
AllowUsers $E2E_USER
MaxAuthTries 3
LoginGraceTime 30
StrictModes no
LogLevel VERBOSE
PrintMotd no
PrintLastLog no
X11Forwarding no
AllowTcpForwarding no
AllowAgentForwarding no
PermitTunnel no
UseDNS no
AuthorizedKeysFile none
EOF
# sshd's privilege-separation directory (Debian: made by the service unit;
# missing in a container that never started it)
[ -d /run/sshd ] || mkdir -p -m 0755 /run/sshd
if ! "$SSHD" -t -f "$T/sshd_config" >"$T/sshd-t.log" 2>&1; then
	echo "Bail out! sshd -t rejects the test config: $(cat "$T/sshd-t.log")"
	exit 1
fi

# PAM_WRAPPER_DEBUGLEVEL=3: pam_wrapper traces the PAM calls (and the
# /tmp/pam.X copy of $PAMD each process makes, removed at exit) on sshd's
# standard error, kept in $T/sshd.stderr and checked for leaks too. It goes
# through a pipe, not straight to a file: the sandboxed pre-authentication
# child runs with RLIMIT_FSIZE 0, and a write to a file kills it (SIGXFSZ),
# which ends the connection right after "Accepted keyboard-interactive".
env LD_PRELOAD=libpam_wrapper.so PAM_WRAPPER=1 PAM_WRAPPER_SERVICE_DIR="$PAMD" \
	PAM_WRAPPER_DEBUGLEVEL=3 \
	"$SSHD" -f "$T/sshd_config" -D -E "$T/sshd.log" </dev/null >/dev/null \
	2> >(cat >"$T/sshd.stderr") &
SSHD_PID=$!
up=0
for _ in $(seq 1 100); do
	kill -0 "$SSHD_PID" 2>/dev/null || break
	if port_busy "$PORT"; then up=1; break; fi
	sleep 0.1
done
if [ "$up" != 1 ]; then
	echo "Bail out! sshd did not start listening on 127.0.0.1:$PORT"
	sed 's/^/# /' "$T/sshd.log" "$T/sshd.stderr" 2>/dev/null | tail -n 20
	exit 1
fi
ok "sshd (pam_wrapper, service dir $PAMD) listens on 127.0.0.1:$PORT"

# login MODE FILE: one ssh login through e2e_ssh.exp; sets RC (expect's exit
# code), SSH_RC (ssh's exit status) and OUT (the transcript).
n_login=0
login() {
	n_login=$((n_login + 1))
	OUT=$T/login.$n_login.$1.out
	RC=0
	# in the background, so that a signal to this script is handled at once
	expect -f "$EXP" "$PORT" "$E2E_USER" "$1" "$2" >"$OUT" 2>&1 </dev/null &
	EXP_PID=$!
	wait "$EXP_PID" || RC=$?
	EXP_PID=""
	SSH_RC=$(tr -d '\r' <"$OUT" | sed -n 's/^SSH-EXIT: //p' | tail -n1)
	SSH_RC=${SSH_RC:-none}
}
# logged_in DESC / refused DESC: the last login did / did not run the command
transcript() { tr -d '\r' <"$OUT" | grep -av '^[█▀▄ ]*$' | tail -n 12; }
logged_in() {
	if [ "$RC" -eq 0 ] && [ "$SSH_RC" = 0 ] && grep -aq '^LOGGED-IN' <(tr -d '\r' <"$OUT"); then
		ok "$1"
	else
		not_ok "$1" "expect rc $RC, ssh rc $SSH_RC" "$(transcript)" "--- sshd.log:" \
			"$(tail -n 8 "$T/sshd.log")"
	fi
}
refused() {
	if [ "$RC" -eq 1 ] && [ "$SSH_RC" != 0 ] && [ "$SSH_RC" != none ] &&
	   ! grep -aq '^LOGGED-IN' <(tr -d '\r' <"$OUT"); then
		ok "$1"
	else
		not_ok "$1" "expect rc $RC (want 1), ssh rc $SSH_RC (want non-zero)" "$(transcript)"
	fi
}
active() { tfa --json show "$E2E_USER" | grep -o '"active":[0-9]*' | head -n1 | cut -d: -f2; }
step() { echo $(( $(date +%s) / 30 )); }
# code_file FILE [oathtool options]: the code for the enrolled secret
code_file() { local f=$1; shift; oathtool --totp -b "$@" - <"$T/files/secret" >"$f"; }

# --- (1) first login: enrolment over ssh --------------------------------------------
# keep the enrolment and the first code within one 30 s step
s=$(( $(date +%s) % 30 )); [ "$s" -gt 18 ] && sleep $((31 - s))
login enrol "$T/files/secret"
enrol_step=$(step)
logged_in "first login: password, QR/URI shown, first code -> enrolled and logged in"
check "first login: the otpauth URI was shown in the keyboard-interactive messages" \
	grep -aq "otpauth://totp/.*$E2E_USER?secret=" "$OUT"
check "first login: the QR was drawn (block characters)" grep -aqE '█|▀|▄' "$OUT"
check "tfa-admin show: the token is active after the first login" test "$(active)" = 1

# --- (2) next login: password + the next step's code ---------------------------------
# The enrolment used the code of its step; the code of the step after it is
# fresh. It is within the window (1) while the clock is in that step or the
# one before, i.e. now.
code_file "$T/files/code2" -N "@$(( (enrol_step + 1) * 30 ))"
if [ "$(step)" -gt $((enrol_step + 1)) ]; then
	code_file "$T/files/code2"
fi
login code "$T/files/code2"
logged_in "next login: password + a fresh code -> logged in"

# --- (3) wrong code -------------------------------------------------------------------
code_file "$T/files/cur"
printf '%06d\n' $(( (10#$(cat "$T/files/code2") + 500000) % 1000000 )) >"$T/files/wrong"
# not the code of any step in the window either
for d in -30 0 30 60; do
	c=$(oathtool --totp -b - -N "now + $d seconds" <"$T/files/secret" 2>/dev/null)
	if [ "$c" = "$(cat "$T/files/wrong")" ]; then
		printf '%06d\n' $(( (10#$c + 1) % 1000000 )) >"$T/files/wrong"
	fi
done
login code "$T/files/wrong"
refused "wrong code -> refused, ssh exits non-zero"

# --- (4) replay of the code that logged in at (2) --------------------------------------
login code "$T/files/code2"
refused "replayed code (the one used at login 2) -> refused"

# --- (5) wrong password: refused before any code prompt -------------------------------
n_audit=$(tfa audit --user "$E2E_USER" | wc -l)
login badpass /dev/null
refused "wrong password -> refused"
if [ "$RC" -ne 5 ] && ! grep -aqE 'Verification code|Enter the code' "$OUT"; then
	ok "wrong password: the code prompt never appeared"
else
	not_ok "wrong password: the code prompt never appeared" "$(transcript)"
fi
check "wrong password: pam_twofactor.so never ran (no new audit entry)" \
	test "$(tfa audit --user "$E2E_USER" | wc -l)" = "$n_audit"

# --- audit trail and logs -------------------------------------------------------------
tfa audit --user "$E2E_USER" >"$T/audit.txt" 2>&1
for ev in enroll confirm login_ok login_failed; do
	if grep -qw -- "$ev" "$T/audit.txt"; then ok "audit trail has $ev"
	else not_ok "audit trail has $ev" "$(cat "$T/audit.txt")"; fi
done
check "audit trail records the replay (replay_refused)" grep -qw replay_refused "$T/audit.txt"
check "sshd logged the accepted keyboard-interactive logins" \
	grep -aq "Accepted keyboard-interactive/pam for $E2E_USER" "$T/sshd.log"
leak=""
for f in secret.code code2 wrong secret; do
	[ -s "$T/files/$f" ] || continue
	v=$(cat "$T/files/$f")
	# a code as a word of its own (not a run of digits in an address or a pid)
	grep -aqwF -- "$v" "$T/sshd.log" && leak+=" sshd.log:$f"
	grep -aqwF -- "$v" "$T/sshd.stderr" && leak+=" stderr:$f"
	grep -aqwF -- "$v" "$T/audit.txt" && leak+=" audit:$f"
done
for v in "$E2E_PASS" "$E2E_BADPASS"; do
	grep -aqF -- "$v" "$T/sshd.log" "$T/sshd.stderr" "$T/audit.txt" && leak+=" password"
done
if [ -z "$leak" ]; then ok "no code, secret or password in sshd's log, its stderr (pam_wrapper trace) or the audit trail"
else not_ok "no code, secret or password in sshd's log, its stderr (pam_wrapper trace) or the audit trail" "found:$leak"; fi
check "sshd still running after the logins" kill -0 "$SSHD_PID"

tap_done
