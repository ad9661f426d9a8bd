#!/usr/bin/env bash
# SPDX-License-Identifier: BSD-2-Clause
# pam_twofactor.so when the store or key cannot be used: fail closed
# (PAM_AUTHINFO_UNAVAIL); failmode=safe lets the user through with a logged
# warning only when the store or key file does not exist - never for a
# wrong key, a malformed, empty or uninitialised store, a file or directory
# that fails the safety rules, or a lack of descriptors (issue 11, items 2,
# 3 and 5).
. "$(dirname "$0")/pam_lib.sh"
pam_prereqs
pam_setup
tfa policy set enabled yes >/dev/null
tfa policy set default_required yes >/dev/null
s=$(enroll_user alice)

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
# bad_store NAME: a copy of the good store and key in $T/NAME/
bad_store() {
	mkdir -p "$T/$1"
	chmod 700 "$T/$1"
	cp -p "$STORE" "$T/$1/tfa.db"
	cp -p "$KEYFILE" "$T/$1/tfa.key"
}
# both NAME DESC: with failmode=secure PAM_AUTHINFO_UNAVAIL and the file
# named in the log; with failmode=safe, $SAFE_WANT
both() {
	local name=$1 desc=$2
	svc "$name" "$T/$name/tfa.db" "$T/$name/tfa.key"
	pam_login alice 123456 -s "$name"
	is_result "$desc: fails closed (PAM_AUTHINFO_UNAVAIL)" AUTHINFO_UNAVAIL
	log_has "$desc: log line names the file" "store unusable: .*$T/$name/"
	check "$desc: user not prompted" bash -c "! grep -aq 'Verification code' '$PAM_OUT'"
	svc "$name-safe" "$T/$name/tfa.db" "$T/$name/tfa.key" failmode=safe
	pam_login alice 123456 -s "$name-safe"
	if [ "$SAFE_WANT" = IGNORE ]; then
		is_result "$desc, failmode=safe: let through (PAM_IGNORE)" IGNORE
		log_has "$desc, failmode=safe: warning logged" 'WARNING: store unusable.*failmode=safe'
	else
		is_result "$desc, failmode=safe: still fails closed" "$SAFE_WANT"
		log_has "$desc, failmode=safe: logged why safe mode does not apply" \
			'failmode=safe does not apply'
	fi
	[ -z "${FIX_WANT:-}" ] ||
		log_has "$desc: log line gives the fix ($FIX_WANT)" "store unusable: .*\\(fix: $FIX_WANT\\)"
	FIX_WANT=
}

SAFE_WANT=IGNORE
mkdir -p "$T/missing"
both missing "missing store"
check "missing store: not created by a login" test ! -e "$T/missing/tfa.db"

bad_store nokey
rm -f "$T/nokey/tfa.key"
both nokey "missing key file"
check "missing key file: not created by a login" test ! -e "$T/nokey/tfa.key"

SAFE_WANT=AUTHINFO_UNAVAIL
bad_store corrupt
head -c 8192 /dev/urandom >"$T/corrupt/tfa.db"
sum_before=$(sha256sum <"$T/corrupt/tfa.db")
both corrupt "store of random bytes"
check "corrupt store left as it was" test "$(sha256sum <"$T/corrupt/tfa.db")" = "$sum_before"

# truncated to 0 bytes: never rebuilt as a fresh store with enabled=no
bad_store empty
: >"$T/empty/tfa.db"
both empty "empty store (0 bytes)"
log_has "empty store: the log says empty and tfa-admin init" 'is empty \(0 bytes\).*tfa-admin init'
check "empty store: still 0 bytes after the logins (not rebuilt)" test ! -s "$T/empty/tfa.db"
check "empty store: no -wal/-shm made" test ! -e "$T/empty/tfa.db-wal" -a ! -e "$T/empty/tfa.db-shm"

# a database without the schema (user_version 0)
bad_store noschema
rm -f "$T/noschema/tfa.db"
if have sqlite3; then
	sqlite3 "$T/noschema/tfa.db" 'CREATE TABLE t(x);' && chmod 600 "$T/noschema/tfa.db"
	both noschema "database without the schema"
	log_has "no schema: the log says not initialised" 'is not initialised.*tfa-admin init'
	check "no schema: not given one by the logins" \
		test "$(sqlite3 "$T/noschema/tfa.db" 'PRAGMA user_version')" = 0
else
	not_ok "database without the schema" "sqlite3 not installed (scripts/deps.sh test)"
fi

bad_store trunc
size=$(stat -c %s "$T/trunc/tfa.db")
truncate -s $((size / 2)) "$T/trunc/tfa.db"
svc trunc "$T/trunc/tfa.db" "$T/trunc/tfa.key"
pam_login alice 123456 -s trunc
case $PAM_RESULT in
AUTHINFO_UNAVAIL|AUTH_ERR) ok "truncated store: refused, no crash ($PAM_RESULT)" ;;
*) not_ok "truncated store: refused, no crash" "got $PAM_RESULT" ;;
esac

bad_store symlink
mv "$T/symlink/tfa.db" "$T/symlink/real.db"
ln -s "$T/symlink/real.db" "$T/symlink/tfa.db"
both symlink "symlinked store"

bad_store keylink
mv "$T/keylink/tfa.key" "$T/keylink/real.key"
ln -s "$T/keylink/real.key" "$T/keylink/tfa.key"
both keylink "symlinked key file"

bad_store gw
chmod 664 "$T/gw/tfa.db"
FIX_WANT="chmod 600 $T/gw/tfa.db"
both gw "group-writable store"

bad_store ow
chmod 602 "$T/ow/tfa.key"
FIX_WANT="chmod 600 $T/ow/tfa.key"
both ow "key file writable by others"

# item 5: the key file with any group/other bit, the store readable by
# others or writable by group, the directories above both
bad_store k640
chmod 640 "$T/k640/tfa.key"
FIX_WANT="chmod 600 $T/k640/tfa.key"
both k640 "key file mode 0640"
bad_store k604
chmod 604 "$T/k604/tfa.key"
FIX_WANT="chmod 600 $T/k604/tfa.key"
both k604 "key file mode 0604"
bad_store s604
chmod 604 "$T/s604/tfa.db"
FIX_WANT="chmod 600 $T/s604/tfa.db"
both s604 "store mode 0604"
bad_store s620
chmod 620 "$T/s620/tfa.db"
FIX_WANT="chmod 600 $T/s620/tfa.db"
both s620 "store mode 0620"
bad_store gwdir
chmod 770 "$T/gwdir"
FIX_WANT="chmod go-w $T/gwdir"
both gwdir "group-writable directory above store and key"
if [ "$(id -u)" -eq 0 ] && id nobody >/dev/null 2>&1; then
	bad_store nobodydir
	chown nobody "$T/nobodydir"
	FIX_WANT="chown root $T/nobodydir"
	both nobodydir "directory above store and key owned by nobody"
else
	skip "directory owned by another user" "not running as root"
fi
bad_store stickyown
chmod 1777 "$T/stickyown"
FIX_WANT="chmod go-w $T/stickyown"
both stickyown "sticky directory (1777) holding store and key itself"
# a file missing from a directory others can write to is not "missing"
bad_store gwmissing
rm -f "$T/gwmissing/tfa.db"
chmod 777 "$T/gwmissing"
both gwmissing "store missing from a world-writable directory"
check "store missing from a world-writable directory: not created" test ! -e "$T/gwmissing/tfa.db"

if [ "$(id -u)" -eq 0 ] && id nobody >/dev/null 2>&1; then
	bad_store owner
	chown nobody "$T/owner/tfa.db"
	both owner "store not owned by root (running as root)"
else
	skip "store not owned by root" "not running as root"
fi

# a key file that is fine but not the store's: refused when the store is
# opened (before any code), so failmode=safe treats it as unusable
bad_store wrongkey
rm -f "$T/wrongkey/tfa.key"
"$TFA_ADMIN" --store "$T/wrongkey/other.db" --keyfile "$T/wrongkey/tfa.key" init >/dev/null
both wrongkey "key file of another store"

# a sticky directory (like /tmp) above a directory that passes: fine
mkdir -p "$T/sticky"
chmod 1777 "$T/sticky"
mkdir -p "$T/sticky/good"
chmod 700 "$T/sticky/good"
cp -p "$STORE" "$KEYFILE" "$T/sticky/good/"
svc stickyok "$T/sticky/good/tfa.db" "$T/sticky/good/tfa.key"
c=$(totp "$s" -N "now + 60 seconds")
pam_login alice "$c" -s stickyok -t "+60s"
is_result "sticky directory above a good directory: login works" SUCCESS

# out of descriptors (ulimit -n lowered in the pamtester process, as util-
# linux su keeps the caller's limits): for every limit from the lowest at
# which pamtester runs up to the one at which the module gets past the store,
# failmode=safe fails closed. The lowest such limit makes the store's own
# open(2) fail with EMFILE.
if [ -n "${TFA_PAM_WRAP:-}" ]; then
	# valgrind needs descriptors of its own above the limit and aborts
	for d in "some limit leaves the module without a descriptor" \
		"failmode=safe fails closed out of descriptors" "the loop got past the store"; do
		skip "ulimit -n: $d" "by design: not under valgrind (it needs descriptors above the limit)"
	done
else
	svc emfile "$STORE" "$KEYFILE" failmode=safe
	emfile_runs=0 emfile_seen=0 emfile_bad=""
	for n in $(seq 3 64); do
		pam_run -u "$n" -s emfile alice 000000
		if printf '%s\n' "$PAM_SYSLOG" | grep -q 'store unusable'; then
			emfile_runs=$((emfile_runs + 1))
			printf '%s\n' "$PAM_SYSLOG" | grep -q 'store unusable.*Too many open files' &&
				emfile_seen=$((emfile_seen + 1))
			[ "$PAM_RESULT" = AUTHINFO_UNAVAIL ] || emfile_bad+=" ulimit -n $n: $PAM_RESULT;"
		elif [ "$PAM_RESULT" = AUTH_ERR ] || [ "$PAM_RESULT" = SUCCESS ]; then
			break       # past the store: the limit is high enough
		fi
	done
	check "ulimit -n lowered: some limit leaves the module without a descriptor for the store" \
		test "$emfile_runs" -gt 0 -a "$emfile_seen" -gt 0
	if [ -z "$emfile_bad" ]; then
		ok "ulimit -n lowered ($emfile_runs limits), failmode=safe: fails closed (PAM_AUTHINFO_UNAVAIL)"
	else
		not_ok "ulimit -n lowered, failmode=safe: fails closed (PAM_AUTHINFO_UNAVAIL)" "$emfile_bad"
	fi
	check "ulimit -n: the loop got past the store at last (limit $n, $PAM_RESULT)" \
		test "$PAM_RESULT" = AUTH_ERR

fi

# failmode=safe in a realistic stack: the rest of the stack decides
pam_service_raw realsafe <<-EOF
	auth required @MODULE@ store=$T/missing/tfa.db keyfile=$T/missing/tfa.key failmode=safe
	auth required pam_permit.so
EOF
pam_login alice 123456 -s realsafe
is_result "failmode=safe, store missing: 'required' + pam_permit lets the user in" SUCCESS
pam_service_raw realsecure <<-EOF
	auth required @MODULE@ store=$T/missing/tfa.db keyfile=$T/missing/tfa.key
	auth required pam_permit.so
EOF
pam_login alice 123456 -s realsecure
is_result "failmode=secure, store missing: 'required' + pam_permit refuses" AUTHINFO_UNAVAIL
pam_service_raw safealone <<-EOF
	auth sufficient @MODULE@ store=$T/missing/tfa.db keyfile=$T/missing/tfa.key failmode=safe
	auth required pam_deny.so
EOF
pam_login alice 123456 -s safealone
is_result "failmode=safe never turns into a success ('sufficient' + pam_deny refuses)" AUTH_ERR

# the good store still works after all that
c=$(totp "$s" -N "now + 30 seconds")
pam_login alice "$c" -t "+30s"
is_result "the good store still works" SUCCESS

tap_done
