#!/usr/bin/env bash
# SPDX-License-Identifier: BSD-2-Clause
# tfa-admin doctor: a healthy set-up passes (only the warnings a test
# machine has), and each set-up mistake the test makes is named with its
# fix and the file:line it read: key mode 0644, Debian's stock
# `KbdInteractiveAuthentication no` first in sshd_config, the module before
# pam_unix, a required group that does not exist, /dev/log missing, and
# more. The paths doctor reads come from its test/diagnostic options.
. "$(dirname "$0")/lib.sh"
. "$(dirname "$0")/cli_lib.sh"
cli_require_tools || { tap_done; }
for t in jq /usr/bin/python3 sqlite3; do
	if ! have "$t"; then
		if [ "${CI:-}" = true ]; then not_ok "$t installed (scripts/deps.sh test)"
		else skip "tfa-admin doctor" "$t not installed"; fi
		tap_done
	fi
done
cli_new_store doctor
export TZ=UTC
E=$TD/etc
mkdir -p "$E/ssh/sshd_config.d" "$E/pam.d"
/usr/bin/python3 -c 'import socket,sys; socket.socket(socket.AF_UNIX, socket.SOCK_DGRAM).bind(sys.argv[1])' "$TD/log.sock"

# Debian 12's stock sshd_config (the lines that matter, in their order),
# fixed the way the README says: a drop-in read first
cat >"$E/ssh/sshd_config" <<CONF
# stock Debian 12
Include $E/ssh/sshd_config.d/*.conf
KbdInteractiveAuthentication no
UsePAM yes
X11Forwarding yes
Subsystem sftp /usr/lib/openssh/sftp-server
Match User anoncvs
	KbdInteractiveAuthentication no
CONF
cat >"$E/ssh/sshd_config.d/twofactor.conf" <<CONF
KbdInteractiveAuthentication yes
AuthenticationMethods publickey,keyboard-interactive keyboard-interactive
CONF
# Debian's common-auth as pam-auth-update writes it with the profile on
common_auth() {
	cat <<PAM
auth	[success=1 default=ignore]	pam_unix.so nullok
auth	requisite			pam_deny.so
auth	required			pam_permit.so
auth	required	pam_twofactor.so $1
PAM
}
common_auth "services=sshd,sudo,login,su" >"$E/pam.d/common-auth"
printf '@include common-auth\naccount required pam_permit.so\n' >"$E/pam.d/sshd"
printf '@include common-auth\n' >"$E/pam.d/sudo"
printf '@include common-auth\n' >"$E/pam.d/xscreensaver"

adm policy set enabled yes >/dev/null
adm policy set max_failures 10 >/dev/null
adm enable root >/dev/null
ARGS=(--sshd none --sshd-config "$E/ssh/sshd_config" --pam-dir "$E/pam.d" --dev-log "$TD/log.sock")
doctor() { adm doctor "${ARGS[@]}" "$@"; }
# has ID LEVEL: the last JSON report has a check ID at LEVEL; sets C to it
has() {
	C=$(jq -c --arg id "$1" --arg lv "$2" '[.checks[] | select(.id == $id and .level == $lv)][0]' <<<"$out")
	[ "$C" != null ] && [ -n "$C" ]
}
field() { jq -r ".$1 // empty" <<<"$C"; }
# named DESC ID LEVEL FIX_REGEX [FILE [LINE]]: one check of the last report
named() {
	local desc=$1 id=$2 lv=$3 fixre=$4 file=${5:-} line=${6:-}
	if ! has "$id" "$lv"; then
		not_ok "$desc: $id $lv" "checks: $(jq -c '[.checks[] | {id, level}]' <<<"$out")"
		return
	fi
	if ! grep -Eq -- "$fixre" <<<"$(field fix)"; then
		not_ok "$desc: $id $lv with fix /$fixre/" "got: $C"
	elif [ -n "$file" ] && [ "$(field file)" != "$file" ]; then
		not_ok "$desc: $id names $file" "got: $C"
	elif [ -n "$line" ] && [ "$(field line)" != "$line" ]; then
		not_ok "$desc: $id names line $line" "got: $C"
	else
		ok "$desc: $id $lv, fix \"$(field fix | cut -c1-60)...\"${file:+ at $file${line:+:$line}}"
	fi
}
bad_levels() { jq -r '[.checks[] | select(.level != "ok") | .id] | join(" ")' <<<"$out"; }

# --- healthy ---------------------------------------------------------------
run_any() { out=$(doctor --json 2>"$TD/err"); rc=$?; }
run_any
check_json "doctor --json prints one JSON object" "$out"
check "every check has id, level, message, fix, file, line" \
	jq -e '.checks | length > 5 and all(has("id") and has("level") and has("message") and has("fix") and has("file") and has("line"))' <<<"$out"
left=$(bad_levels | tr ' ' '\n' | grep -v '^clock.ntp$' | tr '\n' ' ')
check "healthy set-up: no warning or error but the clock's (got: $(bad_levels))" test -z "${left// /}"
case $(bad_levels) in
"") want=0 ;;
*) want=1 ;;
esac
check "healthy set-up: exit $want (0 all good, 1 warnings only; got $rc)" test "$rc" = "$want"
for id in files.store files.key store.key store.integrity sshd.usepam sshd.kbdinteractive \
	sshd.authenticationmethods pam.stacks logging.devlog policy.enabled policy.max_failures; do
	has "$id" ok && ok "healthy: $id ok" || not_ok "healthy: $id ok" "$(jq -c --arg id "$id" '.checks[] | select(.id == $id)' <<<"$out")"
done
has sshd.kbdinteractive ok && check "the winning KbdInteractiveAuthentication line is the drop-in's" \
	test "$(field file):$(field line)" = "$E/ssh/sshd_config.d/twofactor.conf:1"
run 1 "text output: exit 1 with a warning only" doctor --dev-log "$TD/nolog"
check "text output: one line per check and a summary" grep -Eq '^[0-9]+ checks: [0-9]+ ok, [1-9][0-9]* warnings, 0 errors$' <<<"$out"
check "text output: the fix follows the warning" grep -Eq '^ +fix: apt install rsyslog' <<<"$out"

# --- key mode 0644 -----------------------------------------------------------
chmod 0644 "$KF"
run_any
check "key mode 0644: exit 4" test "$rc" = 4
named "key mode 0644" files.key error "^chmod 600 $KF\$" "$KF"
chmod 0600 "$KF"

# --- the stock KbdInteractiveAuthentication no first ------------------------
cp "$E/ssh/sshd_config" "$TD/sshd_config.good"
cat >"$E/ssh/sshd_config" <<CONF
# stock Debian 12, with the admin's yes appended at the end
Include $E/ssh/sshd_config.d/*.conf
KbdInteractiveAuthentication no
UsePAM yes
KbdInteractiveAuthentication yes
CONF
printf 'AuthenticationMethods publickey,keyboard-interactive\n' >"$E/ssh/sshd_config.d/twofactor.conf"
run_any
check "KbdInteractiveAuthentication no first: exit 4" test "$rc" = 4
named "stock KbdInteractiveAuthentication no first" sshd.kbdinteractive error \
	"change line 3 of $E/ssh/sshd_config .*first value" "$E/ssh/sshd_config" 3
check "... the message says the later yes does not count" \
	grep -q "sshd_config:5 comes later and does not count" <<<"$(field message)"
# ChallengeResponseAuthentication (old alias) first counts as the same option
printf 'ChallengeResponseAuthentication no\nKbdInteractiveAuthentication yes\nUsePAM yes\n' \
	>"$E/ssh/sshd_config"
run_any
named "ChallengeResponseAuthentication no first" sshd.kbdinteractive error "change line 1" \
	"$E/ssh/sshd_config" 1
named "the old alias is named" sshd.challengeresponse warn "KbdInteractiveAuthentication" \
	"$E/ssh/sshd_config" 1
# UsePAM no, and key logins without the code
printf 'UsePAM no\nKbdInteractiveAuthentication yes\n' >"$E/ssh/sshd_config"
: >"$E/ssh/sshd_config.d/twofactor.conf"
run_any
named "UsePAM no" sshd.usepam error "UsePAM yes" "$E/ssh/sshd_config" 1
named "no AuthenticationMethods" sshd.authenticationmethods warn "publickey,keyboard-interactive"
printf 'UsePAM yes\nAuthenticationMethods publickey password,keyboard-interactive\n' >"$E/ssh/sshd_config"
run_any
named "AuthenticationMethods publickey (key alone)" sshd.authenticationmethods warn \
	"publickey,keyboard-interactive" "$E/ssh/sshd_config" 2
cp "$TD/sshd_config.good" "$E/ssh/sshd_config"
printf 'KbdInteractiveAuthentication yes\nAuthenticationMethods publickey,keyboard-interactive\n' \
	>"$E/ssh/sshd_config.d/twofactor.conf"

# --- the module before pam_unix ----------------------------------------------
printf 'auth\t[success=1 default=ignore]\tpam_unix.so nullok\nauth\trequisite\tpam_deny.so\nauth\trequired\tpam_permit.so\n' \
	>"$E/pam.d/common-auth"
printf 'auth required pam_twofactor.so\n@include common-auth\n' >"$E/pam.d/sshd"
run_any
check "module before pam_unix: exit 4" test "$rc" = 4
named "module before pam_unix" pam.order error "move the pam_twofactor line after" "$E/pam.d/sshd" 1
# a password module that does not end the stack on failure
printf 'auth required pam_unix.so\nauth required pam_twofactor.so\n' >"$E/pam.d/sshd"
run_any
named "pam_unix required, not requisite" pam.requisite error "requisite" "$E/pam.d/sshd" 1
# sufficient before the module skips it
printf 'auth sufficient pam_unix.so\nauth required pam_twofactor.so\n' >"$E/pam.d/sshd"
run_any
named "pam_unix sufficient: the code is skipped" pam.skipped error "requisite" "$E/pam.d/sshd" 1
# su's `sufficient pam_rootok.so` (root needs no code) is fine
printf 'auth sufficient pam_rootok.so\nauth requisite pam_unix.so\nauth required pam_twofactor.so\n' \
	>"$E/pam.d/sshd"
run_any
check "sufficient pam_rootok before the module (Debian's su): no PAM complaint" \
	test -z "$(jq -r '[.checks[] | select((.id | startswith("pam.")) and .level != "ok")] | .[].id' <<<"$out")"
# use_first_pass after the password, forward_pass without try_first_pass
printf 'auth requisite pam_unix.so\nauth required pam_twofactor.so use_first_pass\n' >"$E/pam.d/sshd"
run_any
named "use_first_pass after pam_unix" pam.use_first_pass error "remove use_first_pass" "$E/pam.d/sshd" 2
printf 'auth requisite pam_twofactor.so forward_pass\nauth required pam_unix.so\n' >"$E/pam.d/sshd"
run_any
named "forward_pass, pam_unix without try_first_pass" pam.forward_pass error "try_first_pass" \
	"$E/pam.d/sshd" 2
printf 'auth requisite pam_twofactor.so forward_pass\nauth required pam_unix.so try_first_pass\n' \
	>"$E/pam.d/sshd"
run_any
check "forward_pass with try_first_pass: no PAM complaint" \
	test -z "$(jq -r '[.checks[] | select((.id | startswith("pam.")) and .level != "ok")] | .[].id' <<<"$out")"
# in common-auth without services=: screen lockers fail closed
common_auth "" >"$E/pam.d/common-auth"
printf '@include common-auth\n' >"$E/pam.d/sshd"
run_any
named "common-auth without services=" pam.common_auth error "services=sshd,sudo,login,su" \
	"$E/pam.d/common-auth" 4
named "a screen locker's stack runs it" pam.nonroot error "services=" "$E/pam.d/common-auth" 4
common_auth "services=sshd,sudo,login,su" >"$E/pam.d/common-auth"
rm -f "$E/pam.d/sshd" "$E/pam.d/sudo" "$E/pam.d/xscreensaver" "$E/pam.d/common-auth"
run_any
named "no stack runs the module" pam.stacks warn "pam-auth-update --enable twofactor" "$E/pam.d"
common_auth "services=sshd,sudo,login,su" >"$E/pam.d/common-auth"
printf '@include common-auth\n' >"$E/pam.d/sshd"

# --- a required group that does not exist ------------------------------------
adm policy set required_groups tfa-no-such-group --force >/dev/null 2>&1 ||
	adm policy set required_groups tfa-no-such-group >/dev/null 2>&1 ||
	sqlite3 "$ST" "INSERT OR REPLACE INTO policy(key, value) VALUES('required_groups', 'tfa-no-such-group')"
run_any
check "required group missing: exit 4" test "$rc" = 4
named "required group that does not exist" policy.required_groups error "groupadd tfa-no-such-group"
adm policy set required_groups "" >/dev/null

# --- /dev/log missing ----------------------------------------------------------
out=$(adm doctor --json "${ARGS[@]}" --dev-log "$TD/no-such-log" 2>/dev/null); rc=$?
named "/dev/log missing" logging.devlog warn "rsyslog" "$TD/no-such-log"

# --- policy ------------------------------------------------------------------
adm policy set max_failures 3 >/dev/null
run_any
named "max_failures 3" policy.max_failures warn "max_failures 10"
adm policy set max_failures 10 >/dev/null
adm default root >/dev/null
run_any
named "enabled with nobody required or enrolled" policy.enabled warn "tfa-admin enable USER"
adm enroll root --type sms --phone +15550001234 --activate >/dev/null 2>&1
run_any
named "an sms user without sms_command" policy.sms_command error "sms_command"
printf '#!/bin/sh\ncat >/dev/null\n' >"$TD/sms.sh"
chmod 0777 "$TD/sms.sh"
adm policy set sms_command "$TD/sms.sh" >/dev/null
run_any
named "an sms_command others can write" policy.sms_command error "chmod go-w"

# --- store and key -------------------------------------------------------------
chmod 0777 "$TD/key"
run_any
named "key directory writable by all" files.key error "chmod go-w $TD/key" "$TD/key"
chmod 0700 "$TD/key"
mv "$KF" "$KF.real"; ln -s "$KF.real" "$KF"
run_any
named "key file a symlink" files.key error "cp --remove-destination" "$KF"
rm -f "$KF"; mv "$KF.real" "$KF"
cp "$KF" "$TD/key.save"
head -c 32 /dev/urandom >"$KF"
run_any
named "a key that does not match the store" store.key error "key file this store was made with" "$KF"
cp "$TD/key.save" "$KF"
rm -f "$ST-wal" "$ST-shm"
# garbage over an index page: the store opens, integrity_check finds it
page=$(sqlite3 "$ST" "SELECT rootpage FROM sqlite_master WHERE name = 'audit_user_time'")
dd if=/dev/urandom of="$ST" bs=1 seek=$(( (page - 1) * 4096 + 8 )) count=300 conv=notrunc status=none
run_any
if has store.integrity error || has store.open error; then
	ok "a damaged store: store.integrity or store.open error ($(field message | cut -c1-70))"
else
	not_ok "a damaged store is named" "$(jq -c '[.checks[] | select(.id | startswith("store"))]' <<<"$out")"
fi
run 2 "doctor rejects an unknown option" adm doctor --no-such-option
tap_done
