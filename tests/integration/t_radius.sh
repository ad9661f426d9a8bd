#!/usr/bin/env bash
# SPDX-License-Identifier: BSD-2-Clause
# backends: sqlite postgresql
# rlm_twofactor through a real FreeRADIUS 3.2 (rlm_twofactor(5)): freeradius
# runs on 127.0.0.1 on free ports with a private raddb (the shipped module
# config and site, the store in a temporary directory, libdir searching the
# build tree first), and a RADIUS client (radius_client.py, which also
# checks every reply's Message-Authenticator) logs in:
#   challenge mode: password -> Access-Challenge + State -> code -> Accept;
#   wrong and replayed codes, replayed / other user's / tampered / expired
#   State refused; an sms user gets one code even when the NAS retransmits;
#   a failed delivery falls back to the OCRA question; one-shot mode
#   (password+code); lockout; a request without Message-Authenticator is
#   dropped; a user with no token is refused (no enrolment over RADIUS).
# Needs root (the server), freeradius, oathtool, python3; built with
# ./configure --with-freeradius. Under CI=true a missing piece fails.
. "$(dirname "$0")/pam_lib.sh"
HERE=$(cd "$(dirname "$0")" && pwd)
CLIENT=$HERE/radius_client.py
OCRA=$TFA_SRCDIR/tests/tools/ocra.py
RLM=$TFA_BUILDDIR/contrib/freeradius/.libs/rlm_twofactor.so
CONTRIB=$TFA_SRCDIR/contrib/freeradius
FREERADIUS=$(command -v freeradius || echo /usr/sbin/freeradius)
SECRET=testing123

skip_all() { printf 'ok 1 - radius # SKIP %s\n1..1\n' "$1"; exit 0; }

[ -n "${TFA_PAM_WRAP:-}" ] && skip_all "by design: not under valgrind (the server is not ours; ASan mode covers the module)"
if [ ! -f "$RLM" ]; then
	# a build without --with-freeradius has no module: under CI the suite is
	# built with it (scripts/test.sh), so its absence there is a failure
	[ "${CI:-}" = true ] && { echo "not ok 1 - rlm_twofactor.so built ($RLM; configure --with-freeradius)"; echo "1..1"; exit 1; }
	skip_all "rlm_twofactor.so not built (./configure --with-freeradius)"
fi
[ -x "$FREERADIUS" ] || skip_all "freeradius not installed (scripts/deps.sh test)"
[ "$(id -u)" -eq 0 ] || skip_all "needs root (freeradius)"
for t in oathtool python3; do have "$t" || skip_all "$t not installed (scripts/deps.sh test)"; done

pam_setup
RADDB=$T/raddb
mkdir -p "$RADDB/mods-enabled" "$RADDB/sites-enabled" "$T/log" "$T/run"
tfa policy set enabled yes >/dev/null
tfa policy set default_required yes >/dev/null
tfa policy set max_failures 3 >/dev/null
tfa policy set sms_ttl 60 >/dev/null

free_port() {
	python3 -c 'import socket
s = socket.socket(socket.AF_INET, socket.SOCK_DGRAM); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])'
}
P1=$(free_port); P2=$(free_port); P3=$(free_port)
while [ "$P2" = "$P1" ]; do P2=$(free_port); done
while [ "$P3" = "$P1" ] || [ "$P3" = "$P2" ]; do P3=$(free_port); done

# --- the private raddb: the shipped module config and site ------------------------
# the challenge instance takes an sms number from the request when there
# is one (phone_attribute: the users file sets it, as rlm_ldap would); its
# sms_timeout stays the shipped default
sed -e "s|^\(\s*store\) = .*|\1 = $STORE|" -e "s|^\(\s*keyfile\) = .*|\1 = $KEYFILE|" \
	-e 's|^\s*#\(\s*phone_attribute = &control:Tmp-String-0\)|\1|' \
	"$CONTRIB/mods-available/twofactor" >"$RADDB/mods-enabled/twofactor"
grep -q '^\s*sms_timeout = 5$' "$RADDB/mods-enabled/twofactor" || { echo "Bail out! the shipped sms_timeout is not 5"; exit 1; }
grep -q '^\s*phone_attribute = &control:Tmp-String-0$' "$RADDB/mods-enabled/twofactor" || { echo "Bail out! no phone_attribute line to enable"; exit 1; }
# a second instance in one-shot mode, for a second site
sed -e 's|^twofactor {|twofactor twofactor_os {|' -e 's|^\(\s*mode\) = .*|\1 = oneshot|' \
	"$RADDB/mods-enabled/twofactor" >"$RADDB/mods-enabled/twofactor_os"
# a third with user_lookup = no: the store's name is the directory's uid
# that the users file puts in control:Tmp-String-1 (as rlm_ldap would)
sed -e 's|^twofactor {|twofactor twofactor_ul {|' \
	-e 's|^\(\s*user_attribute\) = .*|\1 = \&control:Tmp-String-1|' \
	-e 's|^\(\s*user_lookup\) = .*|\1 = no|' \
	"$RADDB/mods-enabled/twofactor" >"$RADDB/mods-enabled/twofactor_ul"
grep -q '^\s*user_lookup = no$' "$RADDB/mods-enabled/twofactor_ul" || { echo "Bail out! no user_lookup line in the shipped config"; exit 1; }
sed -e "s|^\(\s*ipaddr\) = \*|\1 = 127.0.0.1|" -e "s|^\(\s*port\) = 0|\1 = $P1|" \
	-e 's|^\s*-ldap$||' "$CONTRIB/sites-available/twofactor" >"$RADDB/sites-enabled/twofactor"
sed -e 's|^server twofactor {|server twofactor_os {|' -e "s|= $P1|= $P2|" \
	-e 's|\btwofactor$|twofactor_os|' -e 's|Auth-Type twofactor {|Auth-Type twofactor_os {|' \
	"$RADDB/sites-enabled/twofactor" >"$RADDB/sites-enabled/twofactor_os"
sed -e 's|^server twofactor {|server twofactor_ul {|' -e "s|= $P1|= $P3|" \
	-e 's|\btwofactor$|twofactor_ul|' -e 's|Auth-Type twofactor {|Auth-Type twofactor_ul {|' \
	"$RADDB/sites-enabled/twofactor" >"$RADDB/sites-enabled/twofactor_ul"
: >"$RADDB/dictionary"
cat >"$RADDB/clients.conf" <<CONF
client localhost {
	ipaddr = 127.0.0.1
	secret = $SECRET
	require_message_authenticator = yes
}
CONF
USERS="alice bob carol hank sam olive erin frank nina tim cora"
{
	for u in $USERS; do printf '%s Cleartext-Password := "pw-%s"\n' "$u" "$u"; done
	# the directory's numbers (rlm_ldap: mobile -> control:Tmp-String-0)
	printf 'pete Cleartext-Password := "pw-pete", Tmp-String-0 := "+15550002222"\n'
	printf 'mal Cleartext-Password := "pw-mal", Tmp-String-0 := "555-CALL-ME"\n'
	# the directory says Dora's uid is dora (user_lookup = no)
	printf 'Dora Cleartext-Password := "pw-Dora", Tmp-String-1 := "dora"\n'
} >"$RADDB/users"
cat >"$RADDB/radiusd.conf" <<CONF
prefix = /usr
localstatedir = $T
logdir = $T/log
run_dir = $T/run
raddbdir = $RADDB
confdir = \${raddbdir}
libdir = $(dirname "$RLM"):/usr/lib/freeradius
pidfile = \${run_dir}/radiusd.pid
max_request_time = 30
cleanup_delay = 5
max_requests = 1024
hostname_lookups = no
log {
	destination = files
	file = \${logdir}/radius.log
	auth = yes
}
security {
	allow_core_dumps = no
	max_attributes = 200
	reject_delay = 0
	status_server = no
}
thread pool {
	start_servers = 2
	max_servers = 4
	min_spare_servers = 1
	max_spare_servers = 4
	max_requests_per_server = 0
}
\$INCLUDE clients.conf
modules {
	pap {
		normalise = yes
	}
	files {
		filename = \${confdir}/users
	}
	\$INCLUDE mods-enabled/
}
instantiate {
}
\$INCLUDE sites-enabled/
CONF

# the site's delivery script: records each message
mkdir -p "$T/sms"
cat >"$T/send-sms" <<SCRIPT
#!/bin/sh
[ -f "$T/sms.sleep" ] && exec sleep "\$(cat "$T/sms.sleep")"
n=\$(ls "$T/sms" | grep -c 'msg\$')
printf '%s\n' "\$1" >"$T/sms/\$n.phone"
cat >"$T/sms/\$n.tmp" && mv "$T/sms/\$n.tmp" "$T/sms/\$n.msg"
[ -f "$T/sms.status" ] && exit \$(cat "$T/sms.status")
exit 0
SCRIPT
chmod 755 "$T/send-sms"
tfa policy set sms_command "$T/send-sms" >/dev/null
sms_count() { ls "$T/sms" | grep -c 'msg$'; }
last_sms_code() { sed -n 's/.*code: \([0-9]*\).*/\1/p' "$T/sms/$(( $(sms_count) - 1 )).msg"; }
last_sms_phone() { cat "$T/sms/$(( $(sms_count) - 1 )).phone"; }

# --- the users ------------------------------------------------------------------
declare -A SEC
for u in alice bob carol hank erin frank; do SEC[$u]=$(enroll_user "$u"); done
tfa --json enroll sam --type sms --phone +15550001234 >/dev/null
tfa --json enroll olive --type sms --phone +15550009876 >/dev/null
tfa --json enroll pete --type sms --phone +15550001111 >/dev/null
tfa --json enroll mal --type sms --phone +15550003333 >/dev/null
tfa --json enroll tim --type sms --phone +15550004444 >/dev/null
oc=$(tfa --json enroll olive --type ocra --activate --no-qr)
OKEY=$(python3 -c 'import sys,base64,urllib.parse as u
q=u.parse_qs(u.urlparse(sys.argv[1]).query)["secret"][0]
print(base64.b32decode(q + "=" * (-len(q) % 8)).hex())' "$(sed -n 's/.*"uri":"\([^"]*\)".*/\1/p' <<<"$oc")")
OSUITE=$(sed -n 's/.*"suite":"\([^"]*\)".*/\1/p' <<<"$oc")
# nina: required, no token
# dora: enrolled under the directory's uid
SEC[dora]=$(enroll_user dora)
# cora: a token card (HOTP, from a vendor's CSV) assigned by the admin
CARD_HEX=$(od -An -N20 -tx1 /dev/urandom | tr -d ' \n')
printf 'Serial,Secret,Type,Digits\nRAD-CARD-1,%s,hotp,6\n' "$CARD_HEX" >"$T/cards.csv"
tfa token import --csv "$T/cards.csv" >/dev/null
tfa token assign RAD-CARD-1 cora >/dev/null

# --- the server ---------------------------------------------------------------------
RPID=""
# shellcheck disable=SC2317  # run by the EXIT trap
radius_stop() {
	if [ -n "$RPID" ] && kill -0 "$RPID" 2>/dev/null; then
		kill "$RPID" 2>/dev/null
		for _ in 1 2 3 4 5 6 7 8 9 10; do kill -0 "$RPID" 2>/dev/null || break; sleep 0.2; done
		kill -9 "$RPID" 2>/dev/null
	fi
	[ -n "$RPID" ] && wait "$RPID" 2>/dev/null
	RPID=""
	_tap_cleanup
}
trap radius_stop EXIT
# asan mode: the module is built with ASan; the server needs the runtime,
# and a shim that drops RTLD_DEEPBIND from its dlopen (ASan refuses it)
srv_env=()
if [ -n "${TFA_PRELOAD:-}" ]; then
	NODEEP=$TFA_BUILDDIR/tests/tools/.libs/nodeepbind.so
	[ -f "$NODEEP" ] || { not_ok "tests/tools/nodeepbind.so built ($NODEEP)"; tap_done; }
	# the server's own talloc memory that it does not free at exit is
	# not ours: leaks through libtalloc are suppressed, ours are reported
	printf 'leak:libtalloc.so\n' >"$T/lsan.supp"
	srv_env=(LD_PRELOAD="$NODEEP:$TFA_PRELOAD"
		 ASAN_OPTIONS="${ASAN_OPTIONS:-}:verify_asan_link_order=0"
		 LSAN_OPTIONS="suppressions=$T/lsan.supp:print_suppressions=0")
fi
env "${srv_env[@]}" "$FREERADIUS" -f -l stdout -d "$RADDB" >"$T/log/server.out" 2>&1 &
RPID=$!
up=0
for _ in $(seq 1 300); do   # 60 s: an ASan server on a busy machine starts slowly
	grep -q 'Ready to process requests' "$T/log/server.out" 2>/dev/null && { up=1; break; }
	kill -0 "$RPID" 2>/dev/null || break
	sleep 0.2
done
if [ "$up" != 1 ]; then
	not_ok "freeradius starts with rlm_twofactor loaded from the build tree" "$(tail -n 30 "$T/log/server.out")"
	tap_done
fi
ok "freeradius starts with rlm_twofactor loaded from the build tree"

# rad PORT USER PASSWORD [client options]: one exchange; sets R (the JSON)
rad() { local p=$1 u=$2 pw=$3; shift 3; R=$(python3 "$CLIENT" "$p" "$SECRET" "$u" "$pw" "$@"); }
jget() { sed -n "s/^$1=//p" <<<"$R"; }
expect() { # DESC CODE [MESSAGE-REGEX]
	local d=$1 want=$2 re=${3:-} code msg ma
	code=$(jget code); msg=$(jget reply_message); ma=$(jget ma)
	if [ "$code" != "$want" ]; then not_ok "$d" "got $code, want $want: $R"; return; fi
	if [ -n "$re" ] && ! grep -Eq -- "$re" <<<"$msg"; then not_ok "$d" "Reply-Message /$re/ not in: $msg"; return; fi
	if [ "$want" != timeout ] && [ "$ma" != valid ]; then MA_BAD+=("$d: $ma"); fi
	ok "$d"
}
MA_BAD=()
STATE=""
challenge() { # DESC USER [MESSAGE-REGEX] [client options]: round 1, sets STATE
	local d=$1 u=$2 re=${3:-}; shift 3 || shift $#
	rad "$P1" "$u" "pw-$u" "$@"
	expect "$d" Access-Challenge "$re"
	STATE=$(jget state)
}
fresh_step

# --- TOTP, challenge mode ------------------------------------------------------------
hank_code=""
# hank's State is issued under sms_ttl 30 (the least allowed; a State's
# expiry is fixed when it is issued), so the expiry check waits 30 s, not 60
tfa policy set sms_ttl 30 >/dev/null
challenge "hank: Access-Challenge (his State is kept for the expiry check)" hank 'Enter the code'
HANK_STATE=$STATE
HANK_T0=$(date +%s)
tfa policy set sms_ttl 60 >/dev/null
challenge "alice: the password passes, Access-Challenge asks for the code" alice 'Enter the code from your app'
check "the State is 114 hex digits (no NUL byte for a NAS to cut at)" grep -Eq '^[0-9a-f]{114}$' <<<"$STATE"
A1=$STATE
ca=$(totp "${SEC[alice]}")
rad "$P1" alice "$ca" --state "$A1"
expect "alice: the code with the State gets Access-Accept" Access-Accept
challenge "alice: a new login is challenged again" alice 'Enter the code'
rad "$P1" alice "$ca" --state "$STATE"
expect "alice: the same code again is refused (replay)" Access-Reject 'already used'
rad "$P1" alice "pw-alice-wrong"
expect "alice: a wrong password is rejected without a challenge" Access-Reject

challenge "bob: challenged" bob 'Enter the code'
B1=$STATE
cb=$(totp "${SEC[bob]}")
rad "$P1" bob "$(wrong_code "$cb")" --state "$B1"
expect "bob: a wrong code is refused" Access-Reject 'Wrong code'
rad "$P1" bob "$cb" --state "$B1"
expect "bob: the State of that answered challenge is refused (single use), right code or not" Access-Reject 'log in again'
challenge "bob: a new login is challenged" bob 'Enter the code'
B2=$STATE
challenge "carol: challenged" carol 'Enter the code'
rad "$P1" carol "$(totp "${SEC[carol]}")" --state "$B2"
expect "carol: bob's State is refused for carol" Access-Reject 'log in again'
tampered=$(python3 -c 'import sys; s=sys.argv[1]; print(s[:60] + ("0" if s[60] != "0" else "1") + s[61:])' "$B2")
rad "$P1" bob "$cb" --state "$tampered"
expect "bob: a tampered State is refused" Access-Reject 'log in again'
rad "$P1" bob "$cb" --state "$B2"
expect "bob: his own current State with the right code is accepted" Access-Accept
check "audit: the refused States are in the trail" bash -c \
	"'$TFA_ADMIN' --store '$STORE' --keyfile '$KEYFILE' audit --user carol | grep -q 'radius:twofactor RADIUS State refused'"

# --- sms, retransmitted request --------------------------------------------------------
n0=$(sms_count)
challenge "sam (sms): Access-Challenge says where the code went" sam 'sent to your phone ending in 1234' --send 2
SAM_PHONE=$(last_sms_phone)
check "the NAS retransmitted, the server answered it, one sms was sent" \
	bash -c "[ '$(jget replies)' -ge 1 ] && [ \$(ls '$T/sms' | grep -c 'msg\$') -eq $((n0 + 1)) ]"
rad "$P1" sam "$(last_sms_code)" --state "$STATE"
expect "sam: the code from the sms is accepted" Access-Accept

# --- delivery fails: OCRA question -------------------------------------------------------
echo 3 >"$T/sms.status"
challenge "olive: delivery fails, the OCRA question comes in the challenge" olive 'phone cannot be reached.*Challenge [0-9]{8}'
q=$(jget reply_message | sed -n 's/.*Challenge \([0-9]*\):.*/\1/p')
rad "$P1" olive "$(python3 "$OCRA" --suite "$OSUITE" --key-hex "$OKEY" --question "$q")" --state "$STATE"
expect "olive: the OCRA response is accepted" Access-Accept
rm -f "$T/sms.status"

# --- the sms number from a RADIUS attribute (phone_attribute) -----------------------------
check "sam (no attribute): his code went to the store's number" test "$SAM_PHONE" = +15550001234
n0=$(sms_count)
challenge "pete: the code went to the directory's number, not the store's" pete 'sent to your phone ending in 2222'
check "pete: the delivery script got the attribute's number +15550002222" \
	bash -c "[ \$(ls '$T/sms' | grep -c 'msg\$') -eq $((n0 + 1)) ] && [ \"\$(cat '$T/sms/$n0.phone')\" = +15550002222 ]"
rad "$P1" pete "$(last_sms_code)" --state "$STATE"
expect "pete: the code from that sms is accepted" Access-Accept
n0=$(sms_count)
challenge "mal: a malformed number in the attribute: nothing sent, said so" mal 'could not be sent'
check "mal: no sms to the malformed number, nor to the store's" test "$(sms_count)" -eq "$n0"
check "mal: audited as sms_failed" bash -c \
	"'$TFA_ADMIN' --store '$STORE' --keyfile '$KEYFILE' audit --user mal | grep -q 'sms_failed.*malformed phone number'"

# --- a blocked sms_command is cut at sms_timeout (5 s, not the library's 10 s) ----------------
echo 30 >"$T/sms.sleep"
t0=$(date +%s%N)
challenge "tim: sms_command blocks; the request is still answered" tim 'could not be sent' --timeout 9
took=$(( ($(date +%s%N) - t0) / 1000000 ))
rm -f "$T/sms.sleep"
# 5 s and the client's own start and wait; the library's 10 s would time out
check "tim: answered after the 5 s cap, before 9 s (took ${took} ms)" test "$took" -ge 4500 -a "$took" -lt 9000
check "the log says sms_command was killed after 5 s" grep -q 'killed after 5 s' "$T/log/server.out"

# --- a token card user ------------------------------------------------------------------
challenge "cora (token card): challenged for the card's code" cora 'Enter the code'
c0=$(oathtool --hotp -c 0 "$CARD_HEX")
rad "$P1" cora "$c0" --state "$STATE"
expect "cora: the card's first code (oathtool --hotp -c 0) is accepted" Access-Accept
challenge "cora: challenged again" cora 'Enter the code'
rad "$P1" cora "$c0" --state "$STATE"
expect "cora: the same card code again is refused (replay)" Access-Reject 'already used'
challenge "cora: challenged again" cora 'Enter the code'
rad "$P1" cora "$(oathtool --hotp -c 1 "$CARD_HEX")" --state "$STATE"
expect "cora: the card's next code is accepted" Access-Accept

# --- user_lookup = no: the store's name from the directory's attribute -------------------
rad "$P3" Dora pw-Dora
expect "Dora (uid dora from the attribute): challenged" Access-Challenge 'Enter the code'
cd_=$(totp "${SEC[dora]}")
rad "$P3" Dora "$cd_" --state "$(jget state)"
expect "Dora: dora's code is accepted" Access-Accept
check "audit: the login is dora's" bash -c \
	"'$TFA_ADMIN' --store '$STORE' --keyfile '$KEYFILE' audit --user dora | grep 'login_ok' | grep -q 'radius:twofactor_ul'"
rad "$P1" Dora pw-Dora
expect "Dora through the NSS instance (no such account): no token for 'Dora', refused" Access-Reject 'no authenticator is registered'

# --- no token, not required ------------------------------------------------------------
rad "$P1" nina pw-nina
expect "nina (required, no token): rejected, no enrolment over RADIUS" Access-Reject 'no authenticator is registered'

# --- one-shot mode ---------------------------------------------------------------------
ce=$(totp "${SEC[erin]}")
rad "$P2" erin "pw-erin$(wrong_code "$ce")"
expect "one-shot: password + wrong code is refused" Access-Reject 'Wrong code'
rad "$P2" erin "pw-erin$ce"
expect "one-shot: password + code is accepted in one request" Access-Accept
cf=$(totp "${SEC[frank]}")
rad "$P2" frank "pw-frank-bad$cf"
expect "one-shot: a wrong password with the right code is refused" Access-Reject

# --- lockout (max_failures 3) -------------------------------------------------------------
rad "$P2" frank "pw-frank$(wrong_code "$cf")"
expect "lockout: wrong code 1" Access-Reject
rad "$P2" frank "pw-frank$(wrong_code "$cf")"
expect "lockout: wrong code 2" Access-Reject
rad "$P2" frank "pw-frank$(wrong_code "$cf")"
expect "lockout: the third wrong code locks the user" Access-Reject 'Too many failed attempts'
rad "$P2" frank "pw-frank$cf"
expect "lockout: then even the right code is refused" Access-Reject 'Too many failed attempts'
rad "$P1" frank pw-frank
expect "lockout: challenge mode refuses the locked user without asking" Access-Reject 'Too many failed attempts'

# --- the database restarts under the running server (the PostgreSQL pass) ---------------
# as in a failover: logins fail closed while it is down, and each server
# thread's next request opens a new connection (rlm_twofactor reopens a
# context whose refresh fails)
if [ "${TFA_MODE:-}" = pg ]; then
	cn=$(totp "${SEC[erin]}" -N "@$(( $(date +%s) + 30 ))")
	bash "$TFA_SRCDIR/tests/integration/pg_server.sh" stop "$TFA_PG_DIR"
	rad "$P2" erin "pw-erin$cn"
	expect "database down: refused (fail closed)" Access-Reject
	check "the log says the store is unusable" grep -q 'store unusable.*cannot connect' "$T/log/server.out"
	bash "$TFA_SRCDIR/tests/integration/pg_server.sh" up "$TFA_PG_DIR" ||
		{ echo "Bail out! PostgreSQL did not start again"; exit 1; }
	for i in 1 2 3; do
		rad "$P1" alice pw-alice
		expect "database back: request $i to the running server gets the challenge" Access-Challenge
	done
	rad "$P2" erin "pw-erin$cn"
	expect "database back: erin's unused code is accepted" Access-Accept
fi

# --- BlastRADIUS -------------------------------------------------------------------------
rad "$P1" alice pw-alice --no-ma --timeout 1.5
expect "a request without Message-Authenticator is dropped" timeout
check "every reply carried a valid Message-Authenticator" test ${#MA_BAD[@]} -eq 0
[ ${#MA_BAD[@]} -gt 0 ] && diag "${MA_BAD[@]}"

# --- the expired State (sms_ttl 60) ----------------------------------------------------------
# (not again in the PostgreSQL pass: the State's expiry is the module's
# arithmetic, and the wait is a minute)
if [ "${TFA_MODE:-}" != pg ]; then
	left=$(( HANK_T0 + 32 - $(date +%s) ))
	[ "$left" -gt 0 ] && sleep "$left"
	rad "$P1" hank "$(totp "${SEC[hank]}")" --state "$HANK_STATE"
	expect "hank: a State older than sms_ttl is refused" Access-Reject 'log in again'
	check "the log says the State expired" grep -q 'hank: State expired' "$T/log/server.out"
else
	skip "hank: a State older than sms_ttl is refused" "by design: the PostgreSQL pass does not wait a minute for it"
	skip "the log says the State expired" "by design: the PostgreSQL pass does not wait a minute for it"
fi
check "no code or password in the server's log" bash -c \
	"! grep -Eq '$ca|$cb|pw-erin[0-9]' '$T/log/server.out'"

# user_lookup = no with User-Name would make ALICE and alice two users: the
# server refuses to start with it
cp -r "$RADDB" "$T/raddb-bad"
sed -i -e "s|$RADDB|$T/raddb-bad|" "$T/raddb-bad/radiusd.conf"
sed -i 's|^\(\s*user_attribute\) = .*|\1 = \&User-Name|' "$T/raddb-bad/mods-enabled/twofactor_ul"
if env "${srv_env[@]}" "$FREERADIUS" -C -l stdout -d "$T/raddb-bad" >"$T/log/bad.out" 2>&1; then
	not_ok "user_lookup = no with User-Name: the configuration is refused" "$(tail -n 5 "$T/log/bad.out")"
else
	check "user_lookup = no with User-Name: the configuration is refused, saying why" \
		grep -q 'ALICE and alice' "$T/log/bad.out"
fi

radius_stop
trap _tap_cleanup EXIT
check "the server stopped" test -z "$RPID"

tap_done
