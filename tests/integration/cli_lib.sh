# SPDX-License-Identifier: BSD-2-Clause
# tests/integration/cli_lib.sh - helpers for the tfa-admin tests
# (t_cli*.sh); source after lib.sh.
#
#   cli_require_tools      ok/not ok for the binary and oathtool; false if missing
#   cli_new_store NAME     fresh temp dir $TD with $ST (store) and $KF (key)
#   adm ARGS...            tfa-admin --store $ST --keyfile $KF ARGS...
#   run WANT DESC CMD...   one check: CMD exits WANT; sets $out, $err, $rc
#   check_json DESC TEXT   TEXT is one JSON object (jq, else python3, else SKIP)
#   json_get PATH          a field (.a.b.0.c) of the JSON object on stdin
#   secret_of TEXT         the base32 secret of the otpauth URI in TEXT
#   totp SECRET STEPS      oathtool TOTP code STEPS time steps from now
#   wait_step              wait when the current 30 s step is about to end

# made-up user names (alice, bob ...) need the wrapper that makes every name
# a system user (tests/tools/tfa-admin-anyuser); ADMIN_BIN is the binary
ADMIN_BIN=$TFA_BUILDDIR/cli/tfa-admin
ADMIN=$TFA_SRCDIR/tests/tools/tfa-admin-anyuser
SECRETS=()   # every secret issued (must never show up in audit/messages)
USED=()      # codes used

cli_require_tools() {
	if [ ! -x "$ADMIN_BIN" ] || [ ! -f "$TFA_BUILDDIR/tests/tools/.libs/nss_shim.so" ]; then
		not_ok "tfa-admin is built" "missing: $ADMIN_BIN or tests/tools/.libs/nss_shim.so (set TFA_BUILDDIR; make -C tests tests-build)"
		return 1
	fi
	if ! have oathtool; then
		skip "tfa-admin tests" "oathtool not installed"
		return 1
	fi
	return 0
}

cli_new_store() {
	tap_tmpdir TD
	ST=$(new_store_path "$TD/store/tfa.db") || { echo "Bail out! no database for the store"; exit 1; }
	KF=$TD/key/tfa.key
	if ! "$ADMIN" --store "$ST" --keyfile "$KF" init >/dev/null 2>"$TD/init.err"; then
		not_ok "init a store for $1" "$(cat "$TD/init.err")"
	fi
}

adm() { "$ADMIN" --store "$ST" --keyfile "$KF" "$@"; }

run() {
	local want=$1 desc=$2 errf
	shift 2
	errf=$(mktemp "$TD/err.XXXXXX")
	out=$("$@" 2>"$errf")
	rc=$?
	err=$(cat "$errf")
	rm -f "$errf"
	if [ "$rc" = "$want" ]; then
		ok "$desc"
	else
		not_ok "$desc" "exit status $rc, wanted $want" "stderr: $err" "stdout: ${out:0:600}"
	fi
}

# jq first (fast); python3 otherwise. Exactly one JSON value, an object.
check_json() {
	local desc=$1 text=$2 good
	if have jq; then
		jq -se 'length == 1 and (.[0] | type == "object")' <<<"$text" >/dev/null 2>&1
		good=$?
	elif have python3; then
		python3 -c 'import json,sys; o=json.load(sys.stdin); sys.exit(0 if isinstance(o, dict) else 1)' \
			<<<"$text" 2>/dev/null
		good=$?
	else
		skip "$desc" "no json parser"
		return
	fi
	if [ "$good" = 0 ]; then
		ok "$desc"
	else
		not_ok "$desc" "not one JSON object: ${text:0:300}"
	fi
}

# Prints the value (strings raw, booleans true/false, null as "null").
json_get() {
	if have jq; then
		jq -r "$(sed -E 's/\.([0-9]+)/[\1]/g' <<<"$1")" 2>/dev/null
	elif have python3; then
		python3 -c '
import json, sys
o = json.load(sys.stdin)
for k in sys.argv[1].lstrip(".").split("."):
    o = o[int(k)] if isinstance(o, list) else o[k]
print(json.dumps(o) if not isinstance(o, str) else o)' "$1" 2>/dev/null
	else
		# flat string or number fields only
		local k=${1##*.}
		sed -nE "s/.*\"$k\":\"?([^\",}]*)\"?.*/\1/p"
	fi
}

secret_of() { sed -n 's/.*[?&]secret=\([A-Z2-7]*\).*/\1/p' <<<"$1" | head -n 1; }

totp() {
	local s=$((30 * ${2:-0}))
	if [ "$s" -lt 0 ]; then
		oathtool --totp -b -N "now - $((-s)) seconds" "$1"
	else
		oathtool --totp -b -N "now + $s seconds" "$1"
	fi
}

# TOTP sequences below assume that no step boundary passes in between:
# when fewer than 6 s of the current step are left, wait for the next one.
wait_step() {
	local r=$(( $(date +%s) % 30 ))
	[ "$r" -ge 24 ] && sleep $((31 - r))
	return 0
}
