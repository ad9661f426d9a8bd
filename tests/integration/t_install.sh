#!/usr/bin/env bash
# SPDX-License-Identifier: BSD-2-Clause
# `make install` puts each piece where a sysadmin expects it, and
# `make uninstall` takes every one of them away again.
set -u
B=${TFA_BUILDDIR:-$(cd "$(dirname "$0")/../.." && pwd)}
n=0
check() { # description, command...
	local d=$1; shift
	n=$((n + 1))
	if "$@"; then echo "ok $n - $d"; else echo "not ok $n - $d"; fi
}
D=$(mktemp -d /tmp/tfa-install.XXXXXX)
trap 'rm -rf "$D"' EXIT
if ! make -C "$B" install DESTDIR="$D" >"$D.log" 2>&1; then
	echo "not ok 1 - make install"; sed 's/^/# /' "$D.log"; rm -f "$D.log"; exit 1
fi
rm -f "$D.log"
prefix=$(grep -m1 "^S\[\"prefix\"\]=" "$B/config.status" | sed 's/.*="\(.*\)"$/\1/')
[ -n "$prefix" ] || prefix=/usr/local
mod=$(find "$D" -name pam_twofactor.so -type f)
check "module installed under .../security" test -n "$mod" -a "$(basename "$(dirname "$mod")")" = security
check "no libtool .la left beside the module" test -z "$(find "$D" -name 'pam_twofactor.la')"
check "tfa-admin installed in sbindir" test -x "$D$prefix/sbin/tfa-admin"
check "pam_twofactor.8 installed in man8" test -f "$D$prefix/share/man/man8/pam_twofactor.8"
check "tfa-admin.8 installed in man8" test -f "$D$prefix/share/man/man8/tfa-admin.8"
# nm must run and list pam_sm_authenticate; then nothing else but pam_sm_*
syms=$(nm -D --defined-only "$mod" 2>&1)
nmrc=$?
check "nm reads the installed module (exit $nmrc)" test "$nmrc" = 0
check "module exports pam_sm_authenticate and pam_sm_setcred" \
	bash -c 'awk "{print \$3}" <<<"$1" | grep -qx pam_sm_authenticate &&
		 awk "{print \$3}" <<<"$1" | grep -qx pam_sm_setcred' _ "$syms"
check "bash completion installed as share/bash-completion/completions/tfa-admin" \
	test -f "$D$prefix/share/bash-completion/completions/tfa-admin"
check "module exports only pam_sm_* symbols" \
	bash -c '[ -z "$(awk "{print \$3}" <<<"$1" | grep -v "^pam_sm_")" ]' _ "$syms"
help=$("$D$prefix/sbin/tfa-admin" --help 2>&1)
hrc=$?
check "installed tfa-admin --help exits 0 (exit $hrc)" test "$hrc" = 0
check "installed tfa-admin --help prints the usage" grep -q '^usage: tfa-admin' <<<"$help"

# make uninstall leaves no file behind (pam_twofactor.so included: the .la
# that libtool's uninstall reads is deleted at install)
if make -C "$B" uninstall DESTDIR="$D" >"$D.log" 2>&1; then
	check "make uninstall" true
else
	check "make uninstall" false
	sed 's/^/# /' "$D.log"
fi
rm -f "$D.log"
left=$(find "$D" ! -type d)
check "make uninstall leaves no file${left:+: $(tr '\n' ' ' <<<"$left")}" test -z "$left"

D2=$(mktemp -d /tmp/tfa-install.XXXXXX)
make -C "$B" install DESTDIR="$D2" pammoddir=/lib/x86_64-linux-gnu/security >/dev/null 2>&1
check "pammoddir override honoured" test -f "$D2/lib/x86_64-linux-gnu/security/pam_twofactor.so"
make -C "$B" uninstall DESTDIR="$D2" pammoddir=/lib/x86_64-linux-gnu/security >/dev/null 2>&1
check "make uninstall with the same pammoddir removes the module" \
	test ! -e "$D2/lib/x86_64-linux-gnu/security/pam_twofactor.so"
rm -rf "$D2"
echo "1..$n"
