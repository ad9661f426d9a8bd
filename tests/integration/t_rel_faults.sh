#!/usr/bin/env bash
# SPDX-License-Identifier: BSD-2-Clause
# t_rel_faults.sh - faults of the world around the store: a full file
# system, a read-only file system, the store deleted while in use, a key
# file that went missing / was replaced / was truncated, and the clock set
# back or far ahead. Each case gets a clear message (naming the file) and
# fails closed (or follows failmode=safe where pam_twofactor(8) says so),
# never a crash: an exit status 132..139 or ASan's 86 is a failure
# (sanitizer reports are caught by run-suite.sh).
#
# Not repeated here (t_pam_store.sh, t_cli_files.sh): symlinks, modes,
# owners, a corrupt store, a store missing from the start, a garbage or
# another store's key file for tfa-admin.
#
# What happens, as observed and asserted (see the comments at each case):
#  - full file system: every write fails with exit 4 / PAM_AUTHINFO_UNAVAIL,
#    a login whose code was right but whose replay state cannot be written
#    is refused, and the code still works once there is space (it was never
#    used); failmode=safe fails closed too (it covers only a store or key
#    file that does not exist).
#  - read-only file system: every command, read-only ones too, exits 4 with
#    a message naming the store (SQLite cannot open a WAL store read-only
#    without its -shm file); login: PAM_AUTHINFO_UNAVAIL, failmode=safe
#    too.
. "$(dirname "$0")/pam_lib.sh"
pam_prereqs sqlite3
pam_setup
# libfaketime preloaded directly: the `faketime` wrapper makes a named
# semaphore per pid and now and then fails ("sem_open: File exists") when
# many tests run at once; the ASan variant of pam_lib.sh does the same.
if [ -z "${TFA_PRELOAD:-}" ] && [ -e "$FAKETIME_LIB" ]; then
	# shellcheck disable=SC2034 # FT_CMD is read by pam_run (pam_lib.sh)
	faketime_cmd() { FT_CMD=(env LD_PRELOAD="$FAKETIME_LIB:libpam_wrapper.so" FAKETIME="$1"); }
fi
tfa policy set enabled yes >/dev/null
tfa policy set default_required yes >/dev/null

# ---------------------------------------------------------------- helpers
MOUNTS=()
HOLDER_PID=
# shellcheck disable=SC2317 # called by the EXIT trap
_faults_cleanup() {
	local m
	[ -n "$HOLDER_PID" ] && { exec 8>&- ; kill "$HOLDER_PID" 2>/dev/null; wait "$HOLDER_PID" 2>/dev/null; }
	for m in "${MOUNTS[@]+"${MOUNTS[@]}"}"; do umount "$m" 2>/dev/null || umount -l "$m" 2>/dev/null; done
	_tap_cleanup
}
trap _faults_cleanup EXIT

# svc NAME STORE KEYFILE [ARGS...]: the marker stack on another store
svc() {
	local name=$1 st=$2 key=$3; shift 3
	{
		printf 'auth [success=1 ignore=ignore default=die] %s store=%s keyfile=%s' \
			"$PAM_MODULE" "$st" "$key"
		[ $# -gt 0 ] && printf ' %s' "$@"
		printf '\nauth [default=die] pam_debug.so auth=user_unknown\nauth required pam_permit.so\n'
	} >"$PAMD/$name"
}

# A ST KF WANT DESC ARGS...: tfa-admin on store ST/key KF exits WANT;
# sets out err rc. A crash (signal, ASan) is always a failure.
A() {
	local st=$1 kf=$2 want=$3 desc=$4; shift 4
	out=$("$TFA_ADMIN" --store "$st" --keyfile "$kf" "$@" 2>"$T/a.err" </dev/null)
	rc=$?
	err=$(cat "$T/a.err")
	case $rc in
	86|99|13[2-9]) not_ok "$desc" "CRASH: exit status $rc" "stderr: $err"; return ;;
	esac
	if [ "$rc" = "$want" ]; then ok "$desc"
	else not_ok "$desc" "exit status $rc, wanted $want" "stderr: $err" "stdout: ${out:0:300}"; fi
}
# names DESC TEXT FILE: TEXT mentions FILE
names() { check "$1" grep -qF -- "$3" <<<"$2"; }
# refused DESC: the last login was refused (AUTHINFO_UNAVAIL or AUTH_ERR), not a crash
refused() {
	case $PAM_RESULT in
	AUTHINFO_UNAVAIL|AUTH_ERR) ok "$1 ($PAM_RESULT)" ;;
	*) not_ok "$1" "got $PAM_RESULT" "$(grep -av PWRAP_TRACE "$PAM_OUT" | tail -n 5)" "$PAM_SYSLOG" ;;
	esac
}
# holder_start STORE: a sqlite3 shell keeps a connection open (so the -wal
# and -shm files exist, as while another login runs); holder_stop ends it.
holder_start() {
	rm -f "$T/fifo"
	mkfifo "$T/fifo"
	sqlite3 "$1" <"$T/fifo" >"$T/holder.out" 2>&1 &
	HOLDER_PID=$!
	exec 8>"$T/fifo"
	echo 'SELECT count(*) FROM users;' >&8
	local i
	for i in $(seq 50); do [ -s "$T/holder.out" ] && break; sleep 0.1; done
}
holder_stop() {
	exec 8>&-
	wait "$HOLDER_PID" 2>/dev/null
	HOLDER_PID=
}

# ---------------------------------------------------------------- full file system
FS=$T/fs
mkdir -p "$FS" "$T/fskey"
if ! mount -t tmpfs -o size=512k,mode=0700 tmpfs "$FS" 2>/dev/null; then
	skip "full file system" "cannot mount a tmpfs (needs root)"
	skip "read-only file system" "cannot mount a tmpfs (needs root)"
	FS=
else
	MOUNTS+=("$FS")
fi
if [ -n "$FS" ]; then
	FST=$FS/tfa.db FKF=$T/fskey/tfa.key
	"$TFA_ADMIN" --store "$FST" --keyfile "$FKF" init >/dev/null
	"$TFA_ADMIN" --store "$FST" --keyfile "$FKF" policy set enabled yes >/dev/null
	"$TFA_ADMIN" --store "$FST" --keyfile "$FKF" policy set default_required yes >/dev/null
	fsec=$(secret_from_uri "$("$TFA_ADMIN" --store "$FST" --keyfile "$FKF" --json enroll fa --activate --no-qr)")
	svc fs "$FST" "$FKF"
	svc fs-safe "$FST" "$FKF" failmode=safe
	fill() { dd if=/dev/zero of="$FS/filler" bs=4k 2>/dev/null; sync; }
	fill
	diag "full: $(df -k "$FS" | tail -n 1)"

	# 1. nothing holds the store open: opening it needs a -shm file, which
	#    cannot be made
	A "$FST" "$FKF" 4 "full fs: enroll exits 4" --json enroll fb --activate --no-qr
	names "full fs: enroll's message names the store" "$out$err" "$FST"
	fresh_step
	c=$(totp "$fsec")
	pam_login fa "$c" -s fs
	refused "full fs: login with the right code is refused"
	log_has "full fs: the log line names the store" "$FST"
	pam_login fa "$c" -s fs-safe
	is_result "full fs, failmode=safe: fails closed (the store exists)" AUTHINFO_UNAVAIL
	A "$FST" "$FKF" 4 "full fs: verify exits 4" verify fa "$c"
	names "full fs: verify's message names the store" "$err" "$FST"
	"$TFA_ADMIN" --store "$FST" --keyfile "$FKF" list >/dev/null 2>"$T/l.err"
	lrc=$?
	check "full fs: list exits 0 or 4, no crash (got $lrc)" test "$lrc" = 0 -o "$lrc" = 4
	[ "$lrc" = 0 ] || names "full fs: list's message names the store" "$(cat "$T/l.err")" "$FST"

	# 2. another process holds the store open (-wal and -shm exist): the
	#    login gets as far as the commit of the replay state, which fails
	rm -f "$FS/filler"
	holder_start "$FST"
	fill
	pam_login fa "$c" -s fs
	refused "full fs, store open elsewhere: right code refused when its use cannot be written"
	log_has "full fs, store open elsewhere: the log says why (store, full)" "$FST.*(full|I/O)"
	pam_login fa "$c" -s fs-safe
	case $PAM_RESULT in
	AUTHINFO_UNAVAIL|AUTH_ERR) ok "full fs, store open elsewhere, failmode=safe: fails closed once the store is open ($PAM_RESULT)" ;;
	*) not_ok "full fs, store open elsewhere, failmode=safe: fails closed once the store is open" "got $PAM_RESULT" "$PAM_SYSLOG" ;;
	esac
	A "$FST" "$FKF" 4 "full fs, store open elsewhere: verify with the right code exits 4" verify fa "$c"
	names "full fs, store open elsewhere: verify's message names the store" "$err" "$FST"
	A "$FST" "$FKF" 4 "full fs, store open elsewhere: enroll exits 4" enroll fb --activate --no-qr
	A "$FST" "$FKF" 4 "full fs, store open elsewhere: policy set exits 4" policy set window 2
	holder_stop

	# 3. space again: all works, nothing half-written, the code that was
	#    refused was never recorded as used, so it works now - once
	rm -f "$FS/filler"
	ic=$(sqlite3 "$FST" 'PRAGMA integrity_check' 2>&1)
	check "full fs, after freeing space: integrity_check ok" test "$ic" = ok
	A "$FST" "$FKF" 0 "full fs, after freeing space: show fb (no half enrolment)" --json show fb
	check "full fs: the failed enrolments left nothing (fb state none)" grep -q '"state":"none"' <<<"$out"
	A "$FST" "$FKF" 0 "full fs, after freeing space: window still 1 (policy set did not happen)" --json policy show
	check "full fs: policy unchanged" grep -q '"window":"1"' <<<"$out"
	pam_login fa "$c" -s fs
	is_result "full fs, after freeing space: the refused code logs in" SUCCESS
	pam_login fa "$c" -s fs
	is_result "full fs, after freeing space: ... and only once" AUTH_ERR
	A "$FST" "$FKF" 0 "full fs, after freeing space: enroll works" enroll fb --activate --no-qr
fi

# ---------------------------------------------------------------- read-only file system
if [ -n "$FS" ]; then
	fresh_step
	c=$(totp "$fsec" -N "now + 30 seconds")
	if mount -o remount,ro "$FS" 2>/dev/null; then
		pam_login fa "$c" -s fs -t "+30s"
		is_result "read-only fs: login with the right code fails closed" AUTHINFO_UNAVAIL
		log_has "read-only fs: the log line names the store" "$FST"
		pam_login fa "$c" -s fs-safe -t "+30s"
		is_result "read-only fs, failmode=safe: fails closed (the store exists)" AUTHINFO_UNAVAIL
		A "$FST" "$FKF" 4 "read-only fs: verify exits 4" verify fa "$c"
		names "read-only fs: verify's message names the store" "$err" "$FST"
		check "read-only fs: verify says read-only" grep -qi 'read-only' <<<"$err"
		# a read-only command: SQLite needs the -shm of a WAL store even to
		# read it; it cannot be made here, so list fails, with exit 4 and
		# the store named (it does not say "read-only file system")
		A "$FST" "$FKF" 4 "read-only fs: list exits 4 (cannot read a WAL store without -shm)" list
		names "read-only fs: list's message names the store" "$err" "$FST"
		diag "read-only fs: list says: $err"
		A "$FST" "$FKF" 4 "read-only fs: enroll exits 4" enroll fc --activate --no-qr
		mount -o remount,rw "$FS"
		pam_login fa "$c" -s fs -t "+30s"
		is_result "read-only fs, back read-write: the code logs in" SUCCESS
		ic=$(sqlite3 "$FST" 'PRAGMA integrity_check' 2>&1)
		check "read-only fs, back read-write: integrity_check ok" test "$ic" = ok
	else
		skip "read-only fs" "mount -o remount,ro failed"
	fi
fi

# ---------------------------------------------------------------- store deleted while in use
D=$T/del
mkdir -p "$D"
chmod 700 "$D"
DST=$D/tfa.db
DKF=$D/tfa.key
"$TFA_ADMIN" --store "$DST" --keyfile "$DKF" init >/dev/null
"$TFA_ADMIN" --store "$DST" --keyfile "$DKF" policy set enabled yes >/dev/null
"$TFA_ADMIN" --store "$DST" --keyfile "$DKF" policy set default_required yes >/dev/null
dsec=$(secret_from_uri "$("$TFA_ADMIN" --store "$DST" --keyfile "$DKF" --json enroll da --activate --no-qr)")
svc del "$DST" "$DKF"
svc del-safe "$DST" "$DKF" failmode=safe
fresh_step
pam_login da "$(totp "$dsec")" -s del
is_result "deleted store: a first login works" SUCCESS
# deleted between two logins, while another process has it open
holder_start "$DST"
rm -f "$DST" "$DST-wal" "$DST-shm"
pam_login da "$(totp "$dsec" -N "now + 30 seconds")" -s del -t "+30s"
is_result "store deleted (still open elsewhere): next login fails closed" AUTHINFO_UNAVAIL
log_has "store deleted: the log line names the store" "$DST"
pam_login da "$(totp "$dsec" -N "now + 30 seconds")" -s del-safe -t "+30s"
is_result "store deleted, failmode=safe: PAM_IGNORE" IGNORE
log_has "store deleted, failmode=safe: warning logged" 'WARNING: store unusable.*failmode=safe'
A "$DST" "$DKF" 4 "store deleted: verify exits 4" verify da "$(totp "$dsec" -N "now + 30 seconds")"
names "store deleted: verify's message names the store" "$err" "$DST"
check "store deleted: verify says it does not exist" grep -q 'does not exist' <<<"$err"
check "store deleted: not recreated by a login or verify" test ! -e "$DST"
holder_stop

# deleted while a tfa-admin writes to it (an import of many lines)
"$TFA_ADMIN" --store "$DST" --keyfile "$DKF" init >/dev/null
"$TFA_ADMIN" --store "$DST" --keyfile "$DKF" policy set enabled yes >/dev/null
awk 'BEGIN { for (i = 0; i < 20000; i++) printf "HOTP del%d - 3132333435363738393031323334353637383930\n", i }' >"$T/del.oath"
del_crash=0 del_rcs="" del_running=0
for delay in 0 0.01 0.05 0.1; do
	"$TFA_ADMIN" --store "$DST" --keyfile "$DKF" import oath "$T/del.oath" >/dev/null 2>"$T/imp.err" </dev/null &
	ipid=$!
	# delete it once the import has it open (its -wal file is there), else
	# the import would simply be refused (only init creates a store)
	for _ in $(seq 200); do [ -e "$DST-wal" ] && break; kill -0 "$ipid" 2>/dev/null || break; sleep 0.01; done
	sleep "$delay"
	kill -0 "$ipid" 2>/dev/null && del_running=$((del_running + 1))
	rm -f "$DST" "$DST-wal" "$DST-shm"
	wait "$ipid"
	irc=$?
	del_rcs+=" $irc"
	case $irc in 0|4) ;; *) del_crash=1 ;; esac
	pam_login da 123456 -s del
	[ "$PAM_RESULT" = AUTHINFO_UNAVAIL ] || del_crash=2
	"$TFA_ADMIN" --store "$DST" --keyfile "$DKF" init >/dev/null 2>&1
	"$TFA_ADMIN" --store "$DST" --keyfile "$DKF" policy set enabled yes >/dev/null 2>&1
done
diag "import while the store is deleted: exit statuses$del_rcs; still running at the unlink: $del_running of 4"
check "store deleted during an import: tfa-admin exits 0 or 4, never crashes" test "$del_crash" != 1
check "store deleted during an import: the next login fails closed" test "$del_crash" != 2
rm -f "$DST" "$DST-wal" "$DST-shm"
A "$DST" "$DKF" 4 "store deleted: list exits 4" list
names "store deleted: list names the store" "$err" "$DST"

# ---------------------------------------------------------------- key file faults
# (missing key and another store's key for tfa-admin, and missing/another
# store's key for PAM are in t_cli_files.sh/t_pam_store.sh; here: a key
# replaced while in use, truncated, and garbage, for both)
K=$T/keyf
mkdir -p "$K"
chmod 700 "$K"
KST=$K/tfa.db
KKF=$K/tfa.key
"$TFA_ADMIN" --store "$KST" --keyfile "$KKF" init >/dev/null
"$TFA_ADMIN" --store "$KST" --keyfile "$KKF" policy set enabled yes >/dev/null
ksec=$(secret_from_uri "$("$TFA_ADMIN" --store "$KST" --keyfile "$KKF" --json enroll ka --activate --no-qr)")
svc key "$KST" "$KKF"
cp -p "$KKF" "$K/good.key"
fresh_step
pam_login ka "$(totp "$ksec")" -s key
is_result "key faults: a first login works" SUCCESS
kcode=$(totp "$ksec" -N "now + 30 seconds")
keycase() { # DESC: login and verify with the right code fail closed
	pam_login ka "$kcode" -s key -t "+30s"
	is_result "$1: login fails closed" AUTHINFO_UNAVAIL
	log_has "$1: the log line names the key file" "$KKF"
	A "$KST" "$KKF" 4 "$1: verify exits 4" verify ka "$kcode"
	names "$1: verify names the key file" "$err" "$KKF"
}
"$TFA_ADMIN" --store "$K/other.db" --keyfile "$K/other.key" init >/dev/null
cp "$K/other.key" "$KKF"
keycase "key replaced by another valid key"
check "key replaced: the message says it is not the store's key" grep -q 'not the key of store' <<<"$err"
head -c 32 "$K/good.key" >"$KKF"
keycase "key file truncated to half"
printf '%064d\n' 0 | tr 0 z >"$KKF"
keycase "key file of 64 non-hex characters"
head -c 4096 /dev/urandom >"$KKF"
keycase "key file of random bytes"
A "$KST" "$KKF" 4 "key file of random bytes: enroll exits 4" enroll kb --activate --no-qr
cmp -s "$KKF" "$K/good.key"
check "key faults: a bad key file is never rewritten by the tools" test $? != 0
cp -p "$K/good.key" "$KKF"
pam_login ka "$kcode" -s key -t "+30s"
is_result "good key back: the code logs in" SUCCESS

# ---------------------------------------------------------------- clock set back / far ahead
csec=$(enroll_user clk) || { echo "Bail out! enroll clk"; exit 1; }
fresh_step
cnow=$(totp "$csec")
pam_login clk "$cnow"
is_result "clock: a login at T works" SUCCESS
cback=$(totp "$csec" -N "now - 3600 seconds")
pam_login clk "$cback" -t "-3600s"
is_result "clock set back an hour: the right code for T-3600 is refused (older step)" AUTH_ERR
log_has "clock set back: the refusal is logged as a used code" 'code already used'
A "$STORE" "$KEYFILE" 1 "clock set back: tfa-admin verify of the T-3600 code exits 1" \
	verify clk "$cback"
# ... that was with the real clock (the code is out of the window); now at T-3600
faketime_cmd "-3600s"
out=$("${FT_CMD[@]}" "$TFA_ADMIN" --store "$STORE" --keyfile "$KEYFILE" verify clk "$cback" 2>&1)
rc=$?
check "clock set back: tfa-admin verify at T-3600 of its code exits 1 (got $rc)" test "$rc" = 1
pam_login clk "$cnow"
is_result "clock back at T: the code used at T stays refused" AUTH_ERR
log_has "clock back at T: logged as a used code" 'code already used'

# far ahead, then back: the step used far ahead makes every code older
csec2=$(enroll_user clk2) || { echo "Bail out! enroll clk2"; exit 1; }
fresh_step
cfar=$(totp "$csec2" -N "now + 400 days")
pam_login clk2 "$cfar" -t "+400d"
is_result "clock 400 days ahead: the code of that time logs in (the clock is believed)" SUCCESS
pam_login clk2 "$cfar" -t "+400d"
is_result "clock 400 days ahead: its code only once" AUTH_ERR
pam_login clk2 "$(totp "$csec2")"
is_result "clock back to now: today's right code is refused (older than the step used)" AUTH_ERR
log_has "clock back to now: logged as a used code" 'code already used'
A "$STORE" "$KEYFILE" 1 "clock back to now: tfa-admin verify of today's code exits 1" \
	verify clk2 "$(totp "$csec2" -N "now + 30 seconds")"
A "$STORE" "$KEYFILE" 0 "clock back to now: the audit trail has the refusals" audit --user clk2
check "audit shows a replay for clk2" grep -qiE 'replay' <<<"$out"
# the way out is an admin reset and a new enrolment
A "$STORE" "$KEYFILE" 0 "clock back to now: reset clk2" reset clk2
csec2=$(enroll_user clk2)
pam_login clk2 "$(totp "$csec2")"
is_result "after reset and a new enrolment, clk2 logs in again" SUCCESS
check "every login outcome was logged ($PAM_UNLOGGED of $PAM_RUNS unlogged)" test "$PAM_UNLOGGED" = 0
diag "pam runs: $PAM_RUNS"

tap_done
