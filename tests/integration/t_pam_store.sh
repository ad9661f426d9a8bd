#!/usr/bin/env bash
# pam_twofactor.so when the store or key cannot be used: fail closed
# (PAM_AUTHINFO_UNAVAIL), or with failmode=safe let the user through with a
# logged warning - but never for a store or key that fails the safety rules.
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
		is_result "$desc, failmode=safe: still fails closed (unsafe file)" "$SAFE_WANT"
		log_has "$desc, failmode=safe: logged why safe mode does not apply" \
			'fails the safety rules: failmode=safe does not apply'
	fi
}

SAFE_WANT=IGNORE
mkdir -p "$T/missing"
both missing "missing store"
check "missing store: not created by a login" test ! -e "$T/missing/tfa.db"

bad_store nokey
rm -f "$T/nokey/tfa.key"
both nokey "missing key file"
check "missing key file: not created by a login" test ! -e "$T/nokey/tfa.key"

bad_store corrupt
head -c 8192 /dev/urandom >"$T/corrupt/tfa.db"
sum_before=$(sha256sum <"$T/corrupt/tfa.db")
both corrupt "store of random bytes"
check "corrupt store left as it was" test "$(sha256sum <"$T/corrupt/tfa.db")" = "$sum_before"

bad_store trunc
size=$(stat -c %s "$T/trunc/tfa.db")
truncate -s $((size / 2)) "$T/trunc/tfa.db"
svc trunc "$T/trunc/tfa.db" "$T/trunc/tfa.key"
pam_login alice 123456 -s trunc
case $PAM_RESULT in
AUTHINFO_UNAVAIL|AUTH_ERR) ok "truncated store: refused, no crash ($PAM_RESULT)" ;;
*) not_ok "truncated store: refused, no crash" "got $PAM_RESULT" ;;
esac

SAFE_WANT=AUTHINFO_UNAVAIL
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
both gw "group-writable store"

bad_store ow
chmod 602 "$T/ow/tfa.key"
both ow "key file writable by others"

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
SAFE_WANT=IGNORE
both wrongkey "key file of another store"

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
