#!/usr/bin/env bash
# SPDX-License-Identifier: BSD-2-Clause
# pam_twofactor.so as a shared object: exports only the PAM entry points,
# resolves every symbol, is hardened (RELRO, BIND_NOW), and holds no
# mutable global or static variable (docs/RELIABILITY.md).
. "$(dirname "$0")/lib.sh"
M=$TFA_BUILDDIR/pam_module/.libs/pam_twofactor.so
if [ ! -f "$M" ]; then
	echo "not ok 1 - module built ($M)"
	echo "1..1"
	exit 1
fi
for t in nm readelf objdump; do
	have "$t" || { printf "ok 1 - # SKIP %s\n1..1\n" "$t not installed (binutils)"; exit 0; }
done

exported=$(nm -D --defined-only "$M" | awk '{print $3}' | sort | tr '\n' ' ')
check "exports exactly pam_sm_authenticate and pam_sm_setcred (got: $exported)" \
	test "$exported" = "pam_sm_authenticate pam_sm_setcred "
check "no libotp symbol (tfa_*, otp_*) exported" \
	bash -c "! nm -D --defined-only '$M' | grep -qE ' (tfa|otp)_'"
check "does not define other PAM service entry points" \
	bash -c "! nm -D --defined-only '$M' | grep -qE 'pam_sm_(acct_mgmt|open_session|close_session|chauthtok)'"
undef=$(ldd -r "$M" 2>&1 | grep -i 'undefined symbol' || true)
check "every symbol resolves (ldd -r)" test -z "$undef"
check "linked with BIND_NOW" bash -c "readelf -d '$M' | grep -qE 'BIND_NOW|FLAGS_1.*NOW'"
check "has a GNU_RELRO segment" bash -c "readelf -lW '$M' | grep -q GNU_RELRO"
check "no executable stack" bash -c "! readelf -lW '$M' | grep GNU_STACK | grep -q RWE"

# Objects in sections that stay writable after relocation; the C runtime's
# own bookkeeping (crtstuff: completed.0, __dso_handle, __TMC_END__) aside.
mutable=$(objdump -t "$M" | awk '$3 == "O" && $4 ~ /^\.(data|bss|tdata|tbss)$/ {print $NF}' |
	grep -vxE 'completed\.[0-9]+|__dso_handle|__TMC_END__' | tr '\n' ' ')
check "no mutable global or static variable in the module or libotp${mutable:+ (found: $mutable)}" \
	test -z "$mutable"
tls=$(readelf -lW "$M" | grep -c ' TLS ' || true)
check "no thread-local storage" test "$tls" -eq 0

# the module loads into a PAM application and answers setcred with success
if have pamtester && ldconfig -p 2>/dev/null | grep -q libpam_wrapper; then
	tap_tmpdir D
	mkdir -p "$D/pam.d"
	printf 'auth required %s store=%s/none.db keyfile=%s/none.key\n' "$M" "$D" "$D" >"$D/pam.d/sym"
	# (an ASan build needs its runtime first: TFA_PRELOAD, see pam_lib.sh)
	out=$(LD_PRELOAD="${TFA_PRELOAD:+$TFA_PRELOAD:}libpam_wrapper.so" \
		PAM_WRAPPER_DISABLE_DEEPBIND=${TFA_PRELOAD:+1} PAM_WRAPPER=1 \
		PAM_WRAPPER_SERVICE_DIR="$D/pam.d" pamtester sym alice setcred </dev/null 2>&1)
	check "pam_sm_setcred returns PAM_SUCCESS" grep -q 'successfully' <<<"$out"
else
	skip "pam_sm_setcred returns PAM_SUCCESS" "pamtester or pam_wrapper not installed"
fi

tap_done
