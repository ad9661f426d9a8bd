#!/usr/bin/env bash
# SPDX-License-Identifier: BSD-2-Clause
# backends: sqlite postgresql
# Reliability under load: races between processes on one store.
#  (a) 64 processes run the login check (tfa_verify, via tfa-admin verify)
#      for 64 different users at once, each with its own right code: all 64
#      accepted (no "database is locked" turned into a refusal); the wall
#      time is reported.
#  (b) `tfa-admin reset USER` + `enroll USER --activate` race a stream of
#      logins with fresh codes of the OLD secret (each one would be accepted
#      while that secret is valid): once reset has returned no old code is
#      accepted, neither the stream's nor fresh ones for later time steps;
#      the new secret's codes are; so old and new are never valid together.
# Not run under valgrind (run-suite.sh runs only t_pam_* there).
. "$(dirname "$0")/pam_lib.sh"
pam_prereqs
pam_setup
tfa policy set enabled yes >/dev/null
tfa policy set default_required yes >/dev/null

now_us() { printf '%s\n' "${EPOCHREALTIME/./}"; }

# --- (a) 64 users, 64 processes ----------------------------------------------
N=64
declare -a sec
# the 64 TOTP tokens in one import (a pam_oath users file), active at once
for i in $(seq 1 $N); do
	sec[i]=$(od -An -tx1 -N20 /dev/urandom | tr -d ' \n')
	printf 'HOTP/T30 load%d - %s\n' "$i" "${sec[i]}"
done >"$T/users.oath"
if ! tfa import oath "$T/users.oath" >"$T/import.out" 2>&1; then
	not_ok "import $N users" "$(cat "$T/import.out")"
	tap_done
fi
# window 10 (+-5 min): the codes, computed before the start, stay good however
# long 64 processes take on a loaded machine; the race is the logins'
tfa policy set window 10 >/dev/null
pairs=()
for i in $(seq 1 $N); do
	pairs+=("load$i:$(oathtool --totp "${sec[i]}")")
done
# 64 processes released together, each running the login check that the
# module runs (tfa_verify, through `tfa-admin verify`; a code on stdin, not
# argv). pamtester cannot be used for this: pam_wrapper picks a config dir
# from a few dozen /tmp/pam.X names without a lock, so 64 PAM processes
# starting at once collide inside the test harness before reaching our code.
# The PAM module itself races 16 processes in t_pam_concurrency.sh.
mkdir -p "$T/r64"
for i in $(seq 1 $N); do
	(
		code=${pairs[i - 1]#*:}
		while [ ! -e "$T/go64" ]; do sleep 0.01; done
		printf '%s\n' "$code" | "$TFA_ADMIN" --store "$STORE" --keyfile "$KEYFILE" \
			verify "load$i" - >"$T/r64/$i.out" 2>&1
		echo $? >"$T/r64/$i.rc"
	) &
done
sleep 0.5
t0=$(date +%s%N)
touch "$T/go64"
wait
ms=$(( ($(date +%s%N) - t0) / 1000000 ))
succ=$(cat "$T"/r64/*.rc | grep -cx 0)
others=$(cat "$T"/r64/*.rc | grep -vx 0 | sort | uniq -c | tr '\n' ' ')
line="processes=$N ok=$succ ms=$ms"
check "$N processes, $N users, their own right codes, at once: all accepted (got $succ${others:+; exit codes: $others}) in $ms ms" \
	test "$succ" -eq $N
if [ "$succ" -ne $N ]; then
	for f in "$T"/r64/*.rc; do
		[ "$(cat "$f")" = 0 ] || { diag "$(basename "$f" .rc): $(head -c 300 "${f%.rc}.out")"; break; }
	done
fi
if cat "$T"/r64/*.out | grep -aqiE 'database is locked|busy'; then
	not_ok "$N concurrent logins: no 'database is locked'" \
		"$(cat "$T"/r64/*.out | grep -aiE 'database is locked|busy' | head -n 5)"
else
	ok "$N concurrent logins: no 'database is locked'"
fi
audit_ok=$(tfa audit | grep -c 'login_ok')
check "$N concurrent logins: $N login_ok in the audit trail (got $audit_ok)" test "$audit_ok" -eq $N
diag "race64 $line"

# --- (b) reset + re-enrol racing logins with the old secret's codes ----------
# window 10: the codes of the 21 steps around now are all acceptable, so the
# stream can use a fresh (never used, increasing) step for every login; each
# would succeed as long as the old secret is valid.
tfa policy set max_failures 1000 >/dev/null
old=$(enroll_user rot)
s_now=$(( $(date +%s) / 30 ))
s0=$((s_now - 7))
K=17                    # steps now-7 .. now+9
declare -a oc
for k in $(seq 0 $((K - 1))); do
	oc[k]=$(totp "$old" -N "@$(( (s0 + k) * 30 ))")
done
: >"$T/stream"
(
	for k in $(seq 0 $((K - 1))); do
		a=$(now_us)
		pam_login rot "${oc[k]}"
		b=$(now_us)
		echo "$k $a $b $PAM_RESULT" >>"$T/stream"
	done
) &
stream=$!
# the admin acts once a few old codes have gone through
while [ "$(wc -l <"$T/stream")" -lt 4 ] && kill -0 "$stream" 2>/dev/null; do sleep 0.01; done
r0=$(now_us)
tfa reset rot >"$T/reset.out" 2>&1
reset_rc=$?
r1=$(now_us)
new=$(enroll_user rot)
e1=$(now_us)
wait "$stream"
check "tfa-admin reset rot succeeded (exit $reset_rc)" test "$reset_rc" -eq 0
check "re-enrolled rot with a new secret" test -n "$new" -a "$new" != "$old"

before_ok=0 before_n=0 after_n=0 after_ok=0 during=0 after_enrol=0 bad=""
while read -r k a b res; do
	if [ "$b" -lt "$r0" ]; then
		before_n=$((before_n + 1))
		[ "$res" = SUCCESS ] && before_ok=$((before_ok + 1))
		[ "$res" = SUCCESS ] || bad+=" step+$k:$res(before)"
	elif [ "$a" -gt "$r1" ]; then
		after_n=$((after_n + 1))
		[ "$a" -gt "$e1" ] && after_enrol=$((after_enrol + 1))
		if [ "$res" = SUCCESS ]; then
			after_ok=$((after_ok + 1))
			bad+=" step+$k:SUCCESS(after-reset)"
		fi
	else
		during=$((during + 1))
	fi
done <"$T/stream"
diag "reset race: $before_n logins before reset, $during during, $after_n after ($after_enrol after re-enrolment); reset took $(( (r1 - r0) / 1000 )) ms, re-enrolment $(( (e1 - r1) / 1000 )) ms"
check "old-secret logins that ended before the reset: all accepted ($before_ok of $before_n${bad:+;$bad})" \
	test "$before_n" -ge 1 -a "$before_ok" -eq "$before_n"
check "old-secret logins that started after reset returned: none accepted ($after_ok of $after_n${bad:+;$bad})" \
	test "$after_n" -ge 1 -a "$after_ok" -eq 0
check "some old-secret logins raced the new secret (after re-enrolment: $after_enrol)" \
	test "$after_enrol" -ge 1

# after all that: fresh old codes fail, fresh new codes pass
s_now=$(( $(date +%s) / 30 ))
pam_login rot "$(totp "$new" -N "@$((s_now * 30))")"
is_result "the new secret's current code is accepted" SUCCESS
fails=0 res=""
for d in 1 2 3; do
	pam_login rot "$(totp "$old" -N "@$(( (s_now + d) * 30 ))")"
	res+=" $PAM_RESULT"
	[ "$PAM_RESULT" = SUCCESS ] || fails=$((fails + 1))
done
check "fresh old-secret codes for the next 3 steps are refused (got$res)" test "$fails" -eq 3
pam_login rot "$(totp "$new" -N "@$(( (s_now + 1) * 30 ))")"
is_result "a fresh new-secret code (next step) is accepted" SUCCESS
# one token at any time: exactly one active token (the new one) is left
act=$(tfa --json show rot | grep -o '"state":"active","algorithm"' | wc -l)
check "rot has exactly one active token after the race (got $act)" test "$act" -eq 1

tap_done
