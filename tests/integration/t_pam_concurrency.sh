#!/usr/bin/env bash
# SPDX-License-Identifier: BSD-2-Clause
# backends: sqlite postgresql
# pam_twofactor.so under concurrency: one code raced by 16 logins in 16
# processes is accepted exactly once; the same in 16 threads of one
# process; threads of one host authenticating different users all pass;
# many pam_start/pam_end cycles leak nothing (valgrind, when installed).
. "$(dirname "$0")/pam_lib.sh"
pam_prereqs
pam_setup
tfa policy set enabled yes >/dev/null
tfa policy set default_required yes >/dev/null
N=16
# under valgrind (run-suite.sh valgrind mode) 16 instrumented processes on a
# small machine take minutes; 8 still race for the one code
[ -n "${TFA_PAM_WRAP:-}" ] && N=8

# --- 16 processes, one code --------------------------------------------------
fresh_step
s=$(enroll_user race)
c=$(totp "$s")
mkdir -p "$T/race"
# The processes start one after the other (pam_wrapper's set-up in /tmp is
# not safe against 16 processes starting at the same instant: one may
# remove the directory of another), wait at the prompt, and all answer
# when $T/go appears (pam_run -w polls every 50 ms): the race is at the
# check of the code, which is what this test is about.
touch "$T/mark"
for i in $(seq 1 $N); do
	(
		pam_run -w race "[ -e '$T/go' ] && echo $c"
		echo "$PAM_RESULT" >"$T/race/$i"
		# an outcome the classifier does not know: keep the transcript
		[ "$PAM_RESULT" = OTHER ] && cp "$PAM_OUT" "$T/other.$i"
	) &
	sleep 0.05
done
# all of them at the prompt (a prompt line each), at most 60 s
for w in $(seq 1 600); do
	at=$(find "$T" -maxdepth 1 -name 'run.*' -newer "$T/mark" -exec grep -alc 'Verification code' {} + |
		wc -l)
	[ "$at" -ge $N ] && break
	sleep 0.1
done
echo "# $at of $N logins at the prompt after $((w / 10)) s"
touch "$T/go"
wait
succ=$(cat "$T"/race/* | grep -c '^SUCCESS$')
# a replay counts as a failure: after max_failures (10) the rest meet the lockout
refused=$(cat "$T"/race/* | grep -cE '^(AUTH_ERR|MAXTRIES)$')
others=$(cat "$T"/race/* | grep -vE '^(SUCCESS|AUTH_ERR|MAXTRIES)$' | sort | uniq -c | tr '\n' ' ')
check "$N concurrent logins with one code (processes): exactly one accepted (got $succ)" test "$succ" -eq 1
check "$N concurrent logins: the other $((N - 1)) refused (got $refused${others:+; others: $others})" \
	test "$refused" -eq $((N - 1))
for f in "$T"/other.*; do
	[ -e "$f" ] || continue
	echo "# transcript of an unclassified outcome ($f):"
	grep -av PWRAP_TRACE "$f" | tail -n 20 | sed 's/^/#   /'
done
audit_ok=$(tfa audit --user race | grep -c 'login_ok')
check "the audit trail has exactly one login_ok for the raced code" test "$audit_ok" -eq 1

# --- threads ---------------------------------------------------------------------
CC=${CC:-cc}
if ! have "$CC"; then
	skip "threads: one code raced by $N threads" "no C compiler"
	skip "threads: different users in parallel" "no C compiler"
	tap_done
fi
if ! "$CC" -std=gnu11 -Wall -Wextra -Werror -pthread -o "$T/pam_threads" \
	-I "$(dirname "$0")/../tools" "$(dirname "$0")/pam_threads.c" -lpam 2>"$T/cc.log"; then
	not_ok "build the threaded PAM harness" "$(cat "$T/cc.log")"
	tap_done
fi
threads() { pam_env "$T/pam_threads" "$@" >"$T/threads.out" 2>"$T/threads.err"; }

fresh_step
s=$(enroll_user trace)
c=$(totp "$s")
threads tfa $N 1 "trace:$c"
succ=$(awk '{s += $3} END {print s + 0}' "$T/threads.out")
fail=$(awk '{s += $4} END {print s + 0}' "$T/threads.out")
check "$N threads of one process, one code: exactly one accepted (got $succ)" test "$succ" -eq 1
check "$N threads: the others refused (got $fail)" test "$fail" -eq $((N - 1))

pairs=()
for i in $(seq 1 8); do
	s=$(enroll_user "t$i")
	pairs+=("t$i:$(totp "$s")")
done
threads tfa 8 1 "${pairs[@]}"
succ=$(awk '{s += $3} END {print s + 0}' "$T/threads.out")
check "8 threads, 8 users with their own codes: all accepted (got $succ)" test "$succ" -eq 8

# many cycles in one process: the module keeps no state between calls
pam_service_raw plain <<-'EOF'
	auth required @MODULE@ store=@STORE@ keyfile=@KEYFILE@
	auth required pam_permit.so
EOF
tfa disable idle >/dev/null
threads plain 4 25 "idle:000000" "t1:000000"
idle_ok=$(awk '$2 == "idle" {s += $3} END {print s + 0}' "$T/threads.out")
t1_fail=$(awk '$2 == "t1" {s += $4} END {print s + 0}' "$T/threads.out")
check "100 cycles in 4 threads: exempt user passes each time ($idle_ok of 50)" test "$idle_ok" -eq 50
check "100 cycles in 4 threads: wrong codes refused each time ($t1_fail of 50)" test "$t1_fail" -eq 50
tfa unlock t1 >/dev/null

if have valgrind && [ -z "${TFA_PRELOAD:-}" ]; then
	fresh_step
	s=$(enroll_user vg)
	c=$(totp "$s")
	tfa disable idle >/dev/null
		# accepted and replayed; exempt; enrolment: the paths of the module
	PAM_WRAPPER_DISABLE_DEEPBIND=1 pam_env valgrind -q --error-exitcode=99 --leak-check=full --keep-debuginfo=yes \
		--errors-for-leak-kinds=definite --log-file="$T/vg.log" \
		"$T/pam_threads" tfa 1 3 "vg:$c" >"$T/vg.out" 2>&1
	rc=$?
	PAM_WRAPPER_DISABLE_DEEPBIND=1 pam_env valgrind -q --error-exitcode=99 --leak-check=full --keep-debuginfo=yes \
		--errors-for-leak-kinds=definite --log-file="$T/vg2.log" \
		"$T/pam_threads" plain 1 3 "idle:000000" >>"$T/vg.out" 2>&1
	rc2=$?
	# first-login enrolment (QR, URI, three wrong codes) for a system user
	rc3=0
	if id lp >/dev/null 2>&1; then
		tfa enable lp >/dev/null
		PAM_WRAPPER_DISABLE_DEEPBIND=1 pam_env valgrind -q --error-exitcode=99 --keep-debuginfo=yes \
			--leak-check=full --errors-for-leak-kinds=definite --log-file="$T/vg3.log" \
			"$T/pam_threads" tfa 1 2 "lp:000000" >>"$T/vg.out" 2>&1
		rc3=$?
	fi
	if [ "$rc" -eq 0 ] && [ "$rc2" -eq 0 ] && [ "$rc3" -eq 0 ] &&
	   [ ! -s "$T/vg.log" ] && [ ! -s "$T/vg2.log" ] && [ ! -s "$T/vg3.log" ]; then
		ok "valgrind: no memory error or leak over pam_start/pam_end cycles (all paths)"
	else
		not_ok "valgrind: no memory error or leak over pam_start/pam_end cycles (all paths)" \
			"rc=$rc/$rc2/$rc3" "$(head -n 40 "$T/vg.log" "$T/vg2.log" "$T/vg3.log" 2>/dev/null)"
	fi
	check "valgrind run: one code accepted once in 3 cycles" grep -q '^0 vg 1 2$' "$T/vg.out"
elif [ -n "${TFA_PRELOAD:-}" ]; then
	skip "valgrind: no leak over pam_start/pam_end cycles" "by design: an ASan build (ASan and valgrind do not mix)"
else
	skip "valgrind: no leak over pam_start/pam_end cycles" "valgrind not installed"
fi

tap_done
