#!/usr/bin/env bash
# `make install` puts each piece where a sysadmin expects it.
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
check "bash completion installed as share/bash-completion/completions/tfa-admin" \
	test -f "$D$prefix/share/bash-completion/completions/tfa-admin"
check "module exports only pam_sm_* symbols" \
	bash -c "nm -D --defined-only '$mod' | awk '{print \$3}' | grep -v '^pam_sm_' | grep -q . && exit 1 || exit 0"
check "installed tfa-admin runs" bash -c "'$D$prefix/sbin/tfa-admin' --help >/dev/null 2>&1 || [ \$? -eq 2 ]"
D2=$(mktemp -d /tmp/tfa-install.XXXXXX)
make -C "$B" install DESTDIR="$D2" pammoddir=/lib/x86_64-linux-gnu/security >/dev/null 2>&1
check "pammoddir override honoured" test -f "$D2/lib/x86_64-linux-gnu/security/pam_twofactor.so"
rm -rf "$D2"
echo "1..$n"
