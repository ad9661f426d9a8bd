# SPDX-License-Identifier: BSD-2-Clause
# tests/integration/pam_lib.sh - helpers for the tests of pam_twofactor.so
# through a real PAM stack (pam_wrapper + pamtester). Source it first thing
# in a t_pam_*.sh script:
#     . "$(dirname "$0")/pam_lib.sh"
# It sources lib.sh (TAP helpers) and sets up a fresh store, key and PAM
# service directory in a private temporary directory.
#
# How a result is observed: pamtester prints pam_strerror of the stack's
# result. The default service ("tfa") is
#     auth [success=1 ignore=ignore default=die] pam_twofactor.so ...
#     auth [default=die] pam_debug.so auth=user_unknown
#     auth required pam_permit.so
# so the module's own return value reaches pamtester, except PAM_IGNORE,
# which falls through to pam_debug: PAM_USER_UNKNOWN, a value the module
# itself never returns, stands for "the module returned PAM_IGNORE".
# The module's pam_syslog lines are caught through pam_wrapper's trace log.

. "$(dirname "${BASH_SOURCE[0]}")/lib.sh"

# the tests use made-up user names (alice, bob ...), which tfa-admin refuses
# to enroll unless the system knows them: TFA_ADMIN is the wrapper that runs
# the built tfa-admin with every name known (tests/tools/tfa-admin-anyuser);
# TFA_ADMIN_BIN is the binary itself (the tests of user names use it)
TFA_ADMIN_BIN=$TFA_BUILDDIR/cli/tfa-admin
TFA_ADMIN=$TFA_SRCDIR/tests/tools/tfa-admin-anyuser
NSS_SHIM=$TFA_BUILDDIR/tests/tools/.libs/nss_shim.so
PAM_MODULE=$TFA_BUILDDIR/pam_module/.libs/pam_twofactor.so
export TZ=UTC

# pam_prereqs: bail out without the built pieces; skip the whole script
# without the test tools (scripts/deps.sh test installs them).
pam_prereqs() {
	local t
	if [ ! -f "$PAM_MODULE" ] || [ ! -x "$TFA_ADMIN_BIN" ] || [ ! -f "$NSS_SHIM" ]; then
		echo "not ok 1 - built module, tfa-admin and test tools present ($PAM_MODULE, $TFA_ADMIN_BIN, $NSS_SHIM)"
		echo "1..1"
		exit 1
	fi
	for t in pamtester oathtool faketime "$@"; do
		if ! have "$t"; then
			printf "ok 1 - # SKIP %s\n1..1\n" "$t not installed (scripts/deps.sh test)"
			exit 0
		fi
	done
	if ! ldconfig -p 2>/dev/null | grep -q 'libpam_wrapper\.so' &&
	   [ ! -e /usr/lib/x86_64-linux-gnu/libpam_wrapper.so ]; then
		printf "ok 1 - # SKIP %s\n1..1\n" "libpam_wrapper not installed (scripts/deps.sh test)"
		exit 0
	fi
}

# pam_setup: fresh store + key + pam.d in $T; sets STORE KEYFILE PAMD LOG.
# pwrap_reap: remove pam_wrapper's copies of service dirs (/tmp/pam.X, each
# with the pid of the process that made it) left by processes that died
# without running pam_wrapper's destructor (kill -9, _exit). pam_wrapper has
# only a few dozen such names for the whole machine; leftovers make later
# parallel logins collide and find no PAM configuration (PAM_PERM_DENIED).
pwrap_reap() {
	local d pid
	for d in /tmp/pam.?; do
		[ -d "$d" ] && [ -f "$d/pid" ] || continue
		pid=$(cat "$d/pid" 2>/dev/null)
		case $pid in ''|*[!0-9]*) continue ;; esac
		kill -0 "$pid" 2>/dev/null || rm -rf -- "$d"
	done
	return 0
}

pam_setup() {
	pwrap_reap
	tap_tmpdir T
	STORE=$(new_store_path "$T/var/tfa.db") || { echo "Bail out! no database for the store"; exit 1; }
	[ "${TFA_MODE:-}" = pg ] && diag "store: $STORE"
	KEYFILE=$T/etc/tfa.key
	PAMD=$T/pam.d
	LOG=$T/syslog.log      # every pam_syslog line of every run
	OUTS=$T/outputs.log    # every pamtester transcript
	mkdir -p "$PAMD"
	: >"$LOG"
	: >"$OUTS"
	PAM_RUNS=0
	PAM_UNLOGGED=0
	tfa init >/dev/null || { echo "Bail out! tfa-admin init failed"; exit 1; }
	pam_service tfa
}

# tfa ARGS...: tfa-admin on the test store.
tfa() { "$TFA_ADMIN" --store "$STORE" --keyfile "$KEYFILE" "$@"; }

# secret_from_uri URI: the base32 secret of an otpauth:// URI.
secret_from_uri() { printf '%s\n' "$1" | sed -n 's/.*[?&]secret=\([A-Za-z2-7]*\).*/\1/p'; }

# enroll_user USER [enroll options]: an active TOTP token; prints the secret
# (taken from the "uri" of the JSON answer).
enroll_user() {
	local user=$1 out; shift
	out=$(tfa --json enroll "$user" --activate --no-qr "$@" </dev/null) || return 1
	secret_from_uri "$out"
}

# totp SECRET [oathtool options]: the current code (or at -N TIME ...).
totp() { local s=$1; shift; oathtool --totp -b "$s" "$@"; }

# pam_service NAME [MODULE ARGS...]: the marker stack described above, the
# module given store= and keyfile= first.
pam_service() {
	local name=$1; shift
	{
		printf 'auth [success=1 ignore=ignore default=die] %s store=%s keyfile=%s' \
			"$PAM_MODULE" "$STORE" "$KEYFILE"
		[ $# -gt 0 ] && printf ' %s' "$@"
		printf '\nauth [default=die] pam_debug.so auth=user_unknown\n'
		printf 'auth required pam_permit.so\n'
	} >"$PAMD/$name"
}

# pam_service_raw NAME: the stack from standard input; @MODULE@, @STORE@ and
# @KEYFILE@ are replaced.
pam_service_raw() {
	sed -e "s|@MODULE@|$PAM_MODULE|g" -e "s|@STORE@|$STORE|g" -e "s|@KEYFILE@|$KEYFILE|g" \
		>"$PAMD/$1"
}

# pam_env: the environment that makes PAM read $PAMD (pam_wrapper).
# TFA_PRELOAD (e.g. the path of libasan.so, for a --enable-sanitizers build)
# goes first in LD_PRELOAD, and pam_wrapper's deep binding is then off.
pam_env() {
	if [ -n "${TFA_PRELOAD:-}" ]; then
		env LD_PRELOAD="$TFA_PRELOAD:libpam_wrapper.so" PAM_WRAPPER_DISABLE_DEEPBIND=1 \
			PAM_WRAPPER=1 PAM_WRAPPER_SERVICE_DIR="$PAMD" PAM_WRAPPER_DEBUGLEVEL=3 "$@"
	else
		env LD_PRELOAD=libpam_wrapper.so PAM_WRAPPER=1 PAM_WRAPPER_SERVICE_DIR="$PAMD" \
			PAM_WRAPPER_DEBUGLEVEL=3 "$@"
	fi
}

# faketime_cmd SPEC: the command words that run a program at the fake time
# SPEC (faketime -f syntax: "+30s", "@2027-01-15 08:00:05"): libfaketime
# preloaded by hand, first, with pam_wrapper after it. Not the `faketime`
# wrapper: it keeps a semaphore and a shared-memory file named by its PID in
# /dev/shm, does not always remove them, and a later process with the same
# PID then fails ("sem_open: File exists"; PIDs wrap at 32768 in a long
# run). With the ASan runtime preloaded, ASan's link-order check is off, and
# LeakSanitizer (which aborts at exit next to libfaketime) too.
FAKETIME_LIB=/usr/lib/x86_64-linux-gnu/faketime/libfaketime.so.1
faketime_cmd() {
	if [ -n "${TFA_PRELOAD:-}" ]; then
		FT_CMD=(env LD_PRELOAD="$FAKETIME_LIB:$TFA_PRELOAD:libpam_wrapper.so" FAKETIME="$1"
			ASAN_OPTIONS="${ASAN_OPTIONS:+$ASAN_OPTIONS:}verify_asan_link_order=0:detect_leaks=0")
	else
		FT_CMD=(env LD_PRELOAD="$FAKETIME_LIB:libpam_wrapper.so" FAKETIME="$1")
	fi
}

# _pam_classify FILE: the result name from a pamtester transcript.
_pam_classify() {
	local f=$1
	if grep -q 'pamtester: successfully authenticated' "$f"; then echo SUCCESS
	elif grep -q 'pamtester: Authentication failure' "$f"; then echo AUTH_ERR
	elif grep -q 'pamtester: Have exhausted maximum number of retries' "$f"; then echo MAXTRIES
	elif grep -q 'pamtester: Authentication service cannot retrieve authentication info' "$f"; then echo AUTHINFO_UNAVAIL
	elif grep -q 'pamtester: Error in service module' "$f"; then echo SERVICE_ERR
	elif grep -q 'pamtester: System error' "$f"; then echo SYSTEM_ERR
	elif grep -q 'pamtester: User not known to the underlying authentication module' "$f"; then echo IGNORE
	else echo OTHER
	fi
}

# pam_run [-t FAKETIME] [-s SERVICE] [-f FLAGS] [-u NOFILE] [-n] [-w FILE] USER INPUT: one
# `pamtester SERVICE USER authenticate` with INPUT (plus a newline) on
# standard input (-n: no input at all, the conversation meets end of file;
# -w: INPUT is a shell command, run every 50 ms - for at most 15 s - until
# it prints something, which then is the input: e.g. to read a code the
# module just sent, or a challenge from the transcript, exported as PAM_OUT;
# -u: pamtester runs with `ulimit -n NOFILE`). Sets PAM_RESULT (SUCCESS AUTH_ERR MAXTRIES
# AUTHINFO_UNAVAIL SERVICE_ERR SYSTEM_ERR IGNORE OTHER), PAM_OUT (the transcript file)
# and PAM_SYSLOG (the module's log lines of this run).
pam_run() {
	local svc=tfa ft="" op=authenticate eof=0 poll=0 nofile=""
	while [ $# -gt 0 ]; do
		case $1 in
		-n) eof=1; shift ;;
		-u) nofile=$2; shift 2 ;;
		-w) poll=1; shift ;;
		-t) ft=$2; shift 2 ;;
		-s) svc=$2; shift 2 ;;
		-f) op="authenticate($2)"; shift 2 ;;
		*) break ;;
		esac
	done
	local user=$1 input=$2
	PAM_OUT=$(mktemp "$T/run.XXXXXX")
	local pre=()
	if [ -n "$ft" ]; then
		faketime_cmd "$ft"
		pre=("${FT_CMD[@]}")
	fi
	# TFA_PAM_WRAP (set by run-suite.sh's valgrind mode) runs pamtester under valgrind
	# shellcheck disable=SC2206
	[ -n "${TFA_PAM_WRAP:-}" ] && pre+=($TFA_PAM_WRAP)
	# shellcheck disable=SC2016
	[ -n "$nofile" ] && pre=(bash -c 'ulimit -n "$0" && exec "$@"' "$nofile" "${pre[@]}")
	if [ "$eof" = 1 ]; then
		pam_env "${pre[@]}" pamtester -v "$svc" "$user" "$op" </dev/null >"$PAM_OUT" 2>&1
	elif [ "$poll" = 1 ]; then
		export PAM_OUT
		{
			local i=0 got=""
			while [ -z "$got" ] && [ $i -lt 300 ]; do
				got=$(bash -c "$input" 2>/dev/null) || got=""
				[ -n "$got" ] || sleep 0.05
				i=$((i + 1))
			done
			printf '%s\n' "$got"
		} | pam_env "${pre[@]}" pamtester -v "$svc" "$user" "$op" >"$PAM_OUT" 2>&1
	else
		printf '%s\n' "$input" | pam_env "${pre[@]}" pamtester -v "$svc" "$user" "$op" \
			>"$PAM_OUT" 2>&1
	fi
	PAM_RESULT=$(_pam_classify "$PAM_OUT")
	PAM_SYSLOG=$(grep -a 'SYSLOG(' "$PAM_OUT" | grep -v '_pam_init_handlers' | sed 's/.*SYSLOG([0-9]*): //')
	printf '%s\n' "$PAM_SYSLOG" >>"$LOG"
	cat "$PAM_OUT" >>"$OUTS"
	PAM_RUNS=$((PAM_RUNS + 1))
	# every outcome gets one line: 'user "NAME": WHAT (pam_strerror)'
	if ! printf '%s\n' "$PAM_SYSLOG" | grep -q '^user ".*": .*(.*)$'; then
		PAM_UNLOGGED=$((PAM_UNLOGGED + 1))
	fi
}

# pam_login USER CODE [pam_run options...]: pam_run with the code as input.
pam_login() { local u=$1 c=$2; shift 2; pam_run "$@" "$u" "$c"; }

# is_result DESC WANT: ok if the last run's PAM_RESULT is WANT.
is_result() {
	if [ "$PAM_RESULT" = "$2" ]; then
		ok "$1"
	else
		not_ok "$1" "want $2, got $PAM_RESULT" "$(grep -av PWRAP_TRACE "$PAM_OUT" | tail -n 8)" \
			"$PAM_SYSLOG"
	fi
}

# log_has DESC REGEX: ok if this run's syslog lines match REGEX.
log_has() {
	if printf '%s\n' "$PAM_SYSLOG" | grep -Eq -- "$2"; then ok "$1"
	else not_ok "$1" "no log line matching /$2/" "$PAM_SYSLOG"; fi
}

# fresh_step: wait until at least 10 s are left in the current 30 s step,
# for checks that must stay within one time step.
fresh_step() {
	local s=$(( $(date +%s) % 30 ))
	[ "$s" -gt 20 ] && sleep $((31 - s))
	return 0
}

# wrong_code CODE: a 6-digit code different from CODE.
wrong_code() { printf '%06d\n' $(( (10#$1 + 500000) % 1000000 )); }

# qr_text_to_pbm FILE SCALE: a terminal QR code as tfa_qr_utf8 draws it (U+2588
# full, U+2580 upper half, U+2584 lower half block = light module; space =
# dark; two modules a character row) as a PBM (P1) image on standard output,
# light modules white, with 4 more white modules around it, for zbarimg.
qr_text_to_pbm() {
	local f=$1 k=$2 line i ch rows=() w=0 r x y top bot
	local LC_ALL=C.UTF-8
	while IFS= read -r line; do
		rows+=("$line")
		[ ${#line} -gt $w ] && w=${#line}
	done <"$f"
	local W=$(( (w + 8) * k )) H=$(( (${#rows[@]} * 2 + 8) * k ))
	printf 'P1\n%d %d\n' "$W" "$H"
	local white_row
	white_row=$(printf '0 %.0s' $(seq 1 "$W"))
	for ((y = 0; y < 4 * k; y++)); do echo "$white_row"; done
	for line in "${rows[@]}"; do
		top="" bot=""
		for ((i = 0; i < w; i++)); do
			ch=${line:i:1}
			case $ch in
			█) top+=0; bot+=0 ;;
			▀) top+=0; bot+=1 ;;
			▄) top+=1; bot+=0 ;;
			*) top+=1; bot+=1 ;;
			esac
		done
		for r in "$top" "$bot"; do
			local px=""
			for ((x = 0; x < 4 * k; x++)); do px+="0 "; done
			for ((i = 0; i < w; i++)); do
				for ((x = 0; x < k; x++)); do px+="${r:i:1} "; done
			done
			for ((x = 0; x < 4 * k; x++)); do px+="0 "; done
			for ((y = 0; y < k; y++)); do echo "$px"; done
		done
	done
	for ((y = 0; y < 4 * k; y++)); do echo "$white_row"; done
}
