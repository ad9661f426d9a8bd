#!/usr/bin/env bash
# SPDX-License-Identifier: BSD-2-Clause
# The Debian packages end to end, as a sysadmin meets them (issue 16):
# dpkg-buildpackage in a copy of the tree, lintian (its output in this log),
# a throw-away Debian 12 root made by mmdebstrap from this machine's apt
# sources, `apt install ./*.deb` and `pam-auth-update --enable twofactor`
# there, logins through the installed module with pamtester (a service
# outside services= and a non-root caller unaffected), `tfa-admin doctor` on
# a broken and a repaired set-up, and purge.
#
# Needs root, network access to the Debian mirror, dpkg-buildpackage,
# lintian, mmdebstrap (scripts/deps.sh deb). TFA_DEB_ROOT=DIR: copy an
# existing bookworm root (made by mmdebstrap --variant=apt with pamtester
# and openssh-server) instead of making one - a development aid.
. "$(dirname "$0")/lib.sh"
T0=$SECONDS
# the packages are built from the source tree (dpkg-buildpackage), not from
# this mode's build: the ASan and valgrind runs would build the same again
if [ "${TFA_MODE:-plain}" != plain ]; then
	echo "ok 1 - Debian packages # SKIP by design: built from the source, not from the ${TFA_MODE} build; runs in the plain run only"
	echo "1..1"
	exit 0
fi
need_fail() {
	if [ "${CI:-}" = true ]; then not_ok "$1"; else skip "Debian packages" "$1"; fi
	tap_done
}
[ "$(id -u)" = 0 ] || need_fail "needs root (chroot)"
for t in dpkg-buildpackage lintian mmdebstrap oathtool jq sqlite3 /usr/bin/python3; do
	have "$t" || need_fail "$t not installed (scripts/deps.sh deb)"
done
tap_tmpdir W
chmod 755 "$W"
R=$W/root
phase() { diag "$(printf '%4ds' $((SECONDS - T0))) $*"; }

# --- the root, made while the packages build ---------------------------------
if [ -f /etc/apt/sources.list.d/debian.sources ]; then SRC=/etc/apt/sources.list.d/debian.sources
else SRC=/etc/apt/sources.list; fi
if [ -n "${TFA_DEB_ROOT:-}" ]; then
	cp -a "$TFA_DEB_ROOT" "$R" && echo copied >"$W/root.log"
	echo $? >"$W/root.rc"
else
	( mmdebstrap --variant=apt --include=pamtester,openssh-server \
		--skip=cleanup/apt/lists bookworm "$R" "$SRC" >"$W/root.log" 2>&1
	  echo $? >"$W/root.rc" ) &
	ROOT_PID=$!
fi

# --- build in a copy of the tree -------------------------------------------
phase "building the packages (and mmdebstrap bookworm from $SRC meanwhile)"
mkdir -p "$W/src"
if git -C "$TFA_SRCDIR" rev-parse --git-dir >/dev/null 2>&1; then
	(cd "$TFA_SRCDIR" && git ls-files -co --exclude-standard | grep -v '^build/' |
		tar -cf - -T -) | tar -C "$W/src" -xf -
else
	cp -a "$TFA_SRCDIR/." "$W/src/" && rm -rf "$W/src/build"
fi
# unit tests run in the suite already (dh_auto_test runs them in a normal build)
if (cd "$W/src" && DEB_BUILD_OPTIONS="nocheck parallel=2" dpkg-buildpackage -us -uc -b) \
	>"$W/build.log" 2>&1; then
	ok "dpkg-buildpackage -us -uc -b builds"
else
	not_ok "dpkg-buildpackage -us -uc -b builds" "$(tail -n 30 "$W/build.log")"
	[ -n "${ROOT_PID:-}" ] && wait "$ROOT_PID"
	tap_done
fi
DEBS=("$W"/libpam-twofactor_*_*.deb "$W"/twofactor-admin_*_*.deb)
check "two packages: libpam-twofactor and twofactor-admin" test -f "${DEBS[0]}" -a -f "${DEBS[1]}"
dpkg-deb -c "${DEBS[0]}" >"$W/c1"; dpkg-deb -c "${DEBS[1]}" >"$W/c2"
check "libpam-twofactor: module, profile, man page" bash -c \
	"grep -q '/lib/x86_64-linux-gnu/security/pam_twofactor.so' $W/c1 && grep -q 'usr/share/pam-configs/twofactor' $W/c1 && grep -q 'man8/pam_twofactor.8' $W/c1"
check "twofactor-admin: tfa-admin, man page, completion, timer" bash -c \
	"grep -q 'usr/sbin/tfa-admin' $W/c2 && grep -q 'man8/tfa-admin.8' $W/c2 && grep -q 'completions/tfa-admin' $W/c2 && grep -q 'tfa-audit-prune.timer' $W/c2"
# libqrencode is loaded with dlopen (not in shlibs:Depends): named explicitly
for d in "${DEBS[@]}"; do
	dep=$(dpkg-deb -f "$d" Depends)
	check "$(basename "$d"): Depends names libqrencode4 ($dep)" grep -qw 'libqrencode4' <<<"$dep"
done
phase "lintian"
# lintian as nobody (it advises against root)
mkdir -m 0777 "$W/lhome"
if have setpriv; then
	setpriv --reuid=nobody --regid=nogroup --clear-groups env HOME="$W/lhome" \
		lintian "$W"/twofactor_*.changes >"$W/lintian.log" 2>&1
else
	lintian "$W"/twofactor_*.changes >"$W/lintian.log" 2>&1
fi
[ -s "$W/lintian.log" ] || echo "(lintian printed nothing)" >"$W/lintian.log"
while IFS= read -r l; do diag "lintian: $l"; done <"$W/lintian.log"
check "lintian: no error or warning at the default level" bash -c "! grep -Eq '^[EW]: ' '$W/lintian.log'"

# --- the root -----------------------------------------------------------------
[ -n "${ROOT_PID:-}" ] && wait "$ROOT_PID"
phase "root ready"
if [ "$(cat "$W/root.rc" 2>/dev/null)" != 0 ]; then
	not_ok "mmdebstrap bookworm into a temporary directory (mirror from $SRC)" \
		"$(tail -n 20 "$W/root.log")"
	tap_done
fi
ok "mmdebstrap --variant=apt bookworm (pamtester, openssh-server)"
inr() { chroot "$R" env -i PATH=/usr/sbin:/usr/bin:/sbin:/bin LANG=C.UTF-8 HOME=/root "$@"; }
mkdir -p "$R/tmp/debs" "$R/run/sshd"
cp "${DEBS[@]}" "$R/tmp/debs/"

phase "apt install ./libpam-twofactor_*.deb ./twofactor-admin_*.deb"
if inr sh -c 'cd /tmp/debs && DEBIAN_FRONTEND=noninteractive apt-get install -y -q \
	./libpam-twofactor_*.deb ./twofactor-admin_*.deb' >"$W/install.log" 2>&1; then
	ok "apt install ./libpam-twofactor_*.deb ./twofactor-admin_*.deb"
else
	not_ok "apt install of the packages" "$(tail -n 20 "$W/install.log")"
	tap_done
fi
st() { stat -c '%a %U' "$R$1" 2>/dev/null; }
check "postinst created the store (0600 root) in a 0700 directory" \
	test "$(st /var/lib/twofactor/tfa.db)/$(st /var/lib/twofactor)" = "600 root/700 root"
check "postinst created the key (0600 root) in a 0700 directory" \
	test "$(st /etc/twofactor/tfa.key)/$(st /etc/twofactor)" = "600 root/700 root"
check "installing enables nothing: policy enabled=no" \
	bash -c "chroot '$R' tfa-admin policy show | grep -Eq '^enabled +no$'"
check "installing enables nothing: common-auth has no pam_twofactor" \
	bash -c "! grep -q pam_twofactor '$R/etc/pam.d/common-auth'"
check "the daily audit prune timer is enabled" \
	test -L "$R/etc/systemd/system/timers.target.wants/tfa-audit-prune.timer"
sum=$(sha256sum "$R/var/lib/twofactor/tfa.db" "$R/etc/twofactor/tfa.key")
inr sh -c 'cd /tmp/debs && apt-get install -y -q --reinstall ./twofactor-admin_*.deb' \
	>>"$W/install.log" 2>&1
check "reinstalling overwrites neither store nor key" \
	test "$(sha256sum "$R/var/lib/twofactor/tfa.db" "$R/etc/twofactor/tfa.key")" = "$sum"
# a package upgrade that brings a newer schema: postinst runs tfa-admin
# upgrade (logins never migrate, and would refuse the older store)
sqlite3 "$R/var/lib/twofactor/tfa.db" "DROP INDEX deliveries_user_time; DROP TABLE deliveries;
	ALTER TABLE users DROP COLUMN must_enroll; PRAGMA user_version=3;"
inr sh -c 'cd /tmp/debs && apt-get install -y -q --reinstall ./twofactor-admin_*.deb' \
	>>"$W/install.log" 2>&1
check "postinst migrates an older schema of the default store (tfa-admin upgrade)" \
	test "$(sqlite3 "$R/var/lib/twofactor/tfa.db" 'PRAGMA user_version')" = 4

# --- pam-auth-update and logins -----------------------------------------------
inr useradd -m alice
inr useradd -m bob
printf 'alice:pw-alice-1\nbob:pw-bob-1\n' | chroot "$R" chpasswd
phase "pam-auth-update --enable twofactor"
inr pam-auth-update --enable twofactor >"$W/pau.log" 2>&1
check "pam-auth-update --enable twofactor puts the profile's line in common-auth" \
	grep -Eq '^auth[[:space:]]+required[[:space:]]+pam_twofactor.so services=sshd,sudo,login,su$' \
	"$R/etc/pam.d/common-auth"
check "... after pam_unix and requisite pam_deny" bash -c \
	"awk '/pam_unix.so/{u=NR} /requisite.*pam_deny.so/{d=NR} /pam_twofactor.so/{t=NR} END{exit !(u && d && u<d && d<t)}' '$R/etc/pam.d/common-auth'"
# login WHO SERVICE USER INPUT...: pamtester in the root (WHO root or a user)
login() {
	local who=$1 svc=$2 user=$3; shift 3
	local spec=()
	[ "$who" != root ] && spec=(--userspec="$who:$who")
	LOGIN_OUT=$(printf '%s\n' "$@" | chroot "${spec[@]}" "$R" env -i PATH=/usr/sbin:/usr/bin:/sbin:/bin \
		pamtester -v "$svc" "$user" authenticate 2>&1)
	grep -q 'successfully authenticated' <<<"$LOGIN_OUT"
}
prompted() { grep -q 'Verification code' <<<"$LOGIN_OUT"; }
login root sshd alice pw-alice-1 && ! prompted &&
	ok "enabled=no: sshd login with the password alone, as before" ||
	not_ok "enabled=no: sshd login with the password alone" "$LOGIN_OUT"
login root sshd alice wrong-pw && not_ok "enabled=no: a wrong password still fails" "$LOGIN_OUT" ||
	ok "enabled=no: a wrong password still fails"

# an AD user (DOMAIN\user, first factor by pam_sss or pam_winbind, here
# pam_permit standing in for them) is not touched while enabled=no
if inr tfa-admin show 'EXAMPLE\alice' >/dev/null 2>&1 || [ $? -ne 2 ]; then
	cp "$R/etc/pam.d/login" "$W/login.pam"
	printf '%s\n' 'auth [success=1 default=ignore] pam_permit.so' 'auth requisite pam_deny.so' \
		'auth required pam_permit.so' \
		"$(grep pam_twofactor "$R/etc/pam.d/common-auth")" >"$R/etc/pam.d/login"
	login root login 'EXAMPLE\alice' x && ! prompted &&
		ok "enabled=no: an AD user EXAMPLE\\alice is not touched" ||
		not_ok "enabled=no: an AD user EXAMPLE\\alice is not touched" "$LOGIN_OUT"
	cp "$W/login.pam" "$R/etc/pam.d/login"
else
	skip "enabled=no: an AD user EXAMPLE\\alice is not touched" \
		"this build refuses DOMAIN\\user names (tfa-admin show exits 2; issue 11 adds them)"
fi
inr tfa-admin policy set enabled yes >/dev/null
inr tfa-admin policy set max_failures 10 >/dev/null
secret=$(inr tfa-admin --json enroll alice --activate --no-qr </dev/null | jq -r .uri |
	sed -n 's/.*[?&]secret=\([A-Z2-7]*\).*/\1/p')
check "tfa-admin enroll alice --activate (installed tfa-admin)" test -n "$secret"
qr=$(inr tfa-admin enroll qrcheck --activate --force </dev/null 2>&1)
check "the installed tfa-admin draws a QR code (libqrencode4 came with the packages)" \
	grep -q '█' <<<"$qr"
inr tfa-admin enable alice >/dev/null
code=$(oathtool --totp -b "$secret")
login root sshd alice pw-alice-1 "$code" && prompted &&
	ok "sshd: password and code log in through the installed module" ||
	not_ok "sshd: password and code log in" "$LOGIN_OUT"
bad=$(printf '%06d' $(( (10#$code + 500000) % 1000000 )))
login root sshd alice pw-alice-1 "$bad" && not_ok "sshd: a wrong code is refused" "$LOGIN_OUT" ||
	ok "sshd: a wrong code is refused"
login root sudo bob pw-bob-1 && ! prompted && ok "sudo: bob, not required, password alone" ||
	not_ok "sudo: bob, not required, password alone" "$LOGIN_OUT"
printf '@include common-auth\n' >"$R/etc/pam.d/tfa-other"
rows=$(inr tfa-admin --json audit | jq '.events | length')
login root tfa-other alice pw-alice-1 && ! prompted &&
	ok "a service outside services=: required alice logs in with the password alone" ||
	not_ok "a service outside services=: unaffected" "$LOGIN_OUT"
check "... and writes no audit row" test "$(inr tfa-admin --json audit | jq '.events | length')" = "$rows"
printf '@include common-auth\n' >"$R/etc/pam.d/tfa-locker"
login alice tfa-locker alice pw-alice-1 && ! prompted &&
	ok "a non-root caller (a screen locker running as alice) is unaffected" ||
	not_ok "a non-root caller is unaffected" "$LOGIN_OUT"
login alice login alice pw-alice-1 "$code" &&
	not_ok "(control) as non-root in a listed service the module fails closed" "$LOGIN_OUT" ||
	ok "(control) as non-root in a listed service the module fails closed"

# --- tfa-admin doctor: a broken set-up, then a repaired one -------------------
phase "tfa-admin doctor"
kbd_line=$(grep -n '^KbdInteractiveAuthentication no' "$R/etc/ssh/sshd_config" | cut -d: -f1)
check "the stock sshd_config has KbdInteractiveAuthentication no (line $kbd_line)" test -n "$kbd_line"
# (the policy first: with the key at 0644 tfa-admin refuses to open the store)
inr tfa-admin policy set required_groups tfa-no-such-group --force >/dev/null 2>&1 ||
	inr tfa-admin policy set required_groups tfa-no-such-group >/dev/null 2>&1
chmod 0644 "$R/etc/twofactor/tfa.key"
printf 'auth required pam_twofactor.so\n@include common-auth\n' >"$R/etc/pam.d/tfa-bad"
rm -f "$R/dev/log"
inr tfa-admin doctor >"$W/doctor-broken.txt" 2>&1
rc=$?
while IFS= read -r l; do diag "doctor (broken): $l"; done <"$W/doctor-broken.txt"
check "doctor on the broken set-up: exit 4" test "$rc" = 4
out=$(inr tfa-admin doctor --json 2>/dev/null)
named() { # DESC ID LEVEL FIX_REGEX [FILE [LINE]]
	local c
	c=$(jq -c --arg id "$2" --arg lv "$3" '[.checks[] | select(.id == $id and .level == $lv)][0]' <<<"$out")
	if [ "$c" != null ] && jq -e --arg re "$4" --arg f "${5:-}" --arg l "${6:-}" \
		'(.fix | test($re)) and ($f == "" or .file == $f) and ($l == "" or (.line | tostring) == $l)' \
		<<<"$c" >/dev/null; then
		ok "doctor names $1 ($2 $3) with its fix"
	else
		not_ok "doctor names $1 ($2 $3) with its fix" "$c"
	fi
}
named "key mode 0644" files.key error "chmod 600 /etc/twofactor/tfa.key" /etc/twofactor/tfa.key
named "the stock KbdInteractiveAuthentication no" sshd.kbdinteractive error \
	"change line $kbd_line of /etc/ssh/sshd_config" /etc/ssh/sshd_config "$kbd_line"
named "the module before pam_unix" pam.order error "after the password modules" /etc/pam.d/tfa-bad 1
named "a required group that does not exist" policy.required_groups error "groupadd tfa-no-such-group"
named "/dev/log missing" logging.devlog warn "rsyslog" /dev/log
named "key logins skip the code" sshd.authenticationmethods warn "publickey,keyboard-interactive"

chmod 0600 "$R/etc/twofactor/tfa.key"
inr tfa-admin policy set required_groups "" >/dev/null
rm -f "$R/etc/pam.d/tfa-bad"
printf 'KbdInteractiveAuthentication yes\nAuthenticationMethods publickey,keyboard-interactive keyboard-interactive\n' \
	>"$R/etc/ssh/sshd_config.d/twofactor.conf"
/usr/bin/python3 -c 'import socket,sys; socket.socket(socket.AF_UNIX, socket.SOCK_DGRAM).bind(sys.argv[1])' "$R/dev/log"
inr tfa-admin doctor >"$W/doctor-fixed.txt" 2>&1
rc=$?
while IFS= read -r l; do diag "doctor (repaired): $l"; done <"$W/doctor-fixed.txt"
check "doctor on the repaired set-up: no error (exit $rc)" test "$rc" -lt 4
out=$(inr tfa-admin doctor --json 2>/dev/null)
left=$(jq -r '[.checks[] | select(.level != "ok") | .id] - ["clock.ntp"] | join(" ")' <<<"$out")
check "doctor on the repaired set-up: nothing but the clock to fix (${left:-none})" test -z "$left"
rm -f "$R/dev/log"

# --- purge --------------------------------------------------------------------
phase "apt purge"
inr sh -c 'DEBIAN_FRONTEND=noninteractive apt-get purge -y -q libpam-twofactor twofactor-admin' \
	>"$W/purge.log" 2>&1
check "apt purge of both packages" bash -c "! chroot '$R' dpkg -l libpam-twofactor twofactor-admin 2>/dev/null | grep -q '^ii'"
check "purge takes pam_twofactor out of common-auth" bash -c "! grep -q pam_twofactor '$R/etc/pam.d/common-auth'"
check "the module and tfa-admin are gone" test ! -e "$R/lib/x86_64-linux-gnu/security/pam_twofactor.so" -a ! -e "$R/usr/sbin/tfa-admin"
check "the store and key are left (user data) ..." test -f "$R/var/lib/twofactor/tfa.db" -a -f "$R/etc/twofactor/tfa.key"
check "... and purge says so" grep -q 'purge leaves /var/lib/twofactor' "$W/purge.log"
login root sshd alice pw-alice-1 && ok "after purge: sshd login with the password works" ||
	not_ok "after purge: sshd login with the password works" "$LOGIN_OUT"
diag "left after purge: $(cd "$R" && find var/lib/twofactor etc/twofactor | tr '\n' ' ')"
phase "done"
tap_done
