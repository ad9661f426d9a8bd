#!/usr/bin/env bash
# SPDX-License-Identifier: BSD-2-Clause
# t_rel_crash.sh - kill -9 in the middle of writes, many times over.
#
# tfa-admin (enroll --activate, recovery, policy set, import oath of a few
# thousand lines) and pamtester logins through pam_twofactor.so are started
# in the background, two at a time on one store, and killed with SIGKILL
# after a short random delay; some are left to finish. Afterwards:
#  - PRAGMA integrity_check says ok;
#  - every enrolment that tfa-admin reported done (JSON printed, exit 0) is
#    there and active, and no enrolment is half there (state none or active);
#  - every import is all or nothing (and all when reported done);
#  - the issuer is one that a `policy set` wrote, not older than the last
#    one reported done;
#  - a reported recovery set with no later attempt works;
#  - no code became reusable: each code whose login succeeded (pamtester
#    said so) is refused afterwards, at the very time it was accepted;
#  - processes that were not killed never crashed and gave a normal result;
#  - the store still opens and a fresh login works.
# Bounded: 200 kills (30 with TFA_PRELOAD, i.e. under ASan), loop at most
# 35 s (TFA_CRASH_KILLS, TFA_CRASH_SECONDS). Figures are printed as TAP
# comments.
. "$(dirname "$0")/pam_lib.sh"
pam_prereqs sqlite3 jq
pam_setup
# libfaketime preloaded directly: the `faketime` wrapper makes a named
# semaphore per pid and now and then fails ("sem_open: File exists") when
# many tests run at once; the ASan variant of pam_lib.sh does the same.
if [ -z "${TFA_PRELOAD:-}" ] && [ -e "$FAKETIME_LIB" ]; then
	# shellcheck disable=SC2034 # FT_CMD is read by pam_run (pam_lib.sh)
	faketime_cmd() { FT_CMD=(env LD_PRELOAD="$FAKETIME_LIB:libpam_wrapper.so" FAKETIME="$1"); }
fi

if [ -n "${TFA_PRELOAD:-}" ]; then MAXKILLS=${TFA_CRASH_KILLS:-30}; else MAXKILLS=${TFA_CRASH_KILLS:-200}; fi
LOOP_SECONDS=${TFA_CRASH_SECONDS:-35}
MINKILLS=20      # on a loaded machine the time bound may come first
IMPORT_LINES=2000

tfa policy set enabled yes >/dev/null
tfa policy set hotp_lookahead 300 >/dev/null   # killed logins may or may not move the counter
tfa policy set max_failures 1000 >/dev/null    # replays of unreported commits must not lock out

# login users: 4 HOTP and 4 TOTP tokens, one process per user at a time
declare -A SEC CTR
LUSERS=()
for i in 0 1 2 3; do
	SEC[h$i]=$(enroll_user "h$i" --type hotp) || { echo "Bail out! enroll h$i"; exit 1; }
	CTR[h$i]=0
	SEC[t$i]=$(enroll_user "t$i") || { echo "Bail out! enroll t$i"; exit 1; }
	LUSERS+=("h$i" "t$i")
done
W=$T/work
mkdir -p "$W"

# The processes are started directly (not through the shell functions tfa
# and pam_env, which would put a subshell between $! and the program, and
# kill -9 would then kill the subshell and leave the program running).
# Under ASan, LeakSanitizer is off for the processes that may be killed: a
# SIGKILL during its exit-time scan leaves a report ("Unable to get
# registers from thread") that is no fault of the program. The checks after
# the loop run with the caller's ASAN_OPTIONS.
NOLEAK=${ASAN_OPTIONS:+$ASAN_OPTIONS:}detect_leaks=0
ADM=(env ASAN_OPTIONS="$NOLEAK" "$TFA_ADMIN" --store "$STORE" --keyfile "$KEYFILE")
if [ -n "${TFA_PRELOAD:-}" ]; then
	PENV=(env LD_PRELOAD="$TFA_PRELOAD:libpam_wrapper.so" PAM_WRAPPER_DISABLE_DEEPBIND=1
		PAM_WRAPPER=1 PAM_WRAPPER_SERVICE_DIR="$PAMD" PAM_WRAPPER_DEBUGLEVEL=3
		ASAN_OPTIONS="$NOLEAK")
else
	PENV=(env LD_PRELOAD=libpam_wrapper.so PAM_WRAPPER=1 PAM_WRAPPER_SERVICE_DIR="$PAMD"
		PAM_WRAPPER_DEBUGLEVEL=3)
fi

kills=0 iters=0 started_admin=0 started_login=0
enr_tried=() enr_done=() imp_tried=() imp_done=()
pol_last_done=0 pol_last_started=0
declare -A REC_LAST_START REC_LAST_DONE REC_CODES
USED=()          # "hotp USER CODE" / "totp USER EPOCH CODE" of logins reported successful
crashes=()       # processes that died of a signal other than our SIGKILL, or ASan's exit code
odd_admin=()     # tfa-admin that finished with a non-zero status
odd_login=()     # finished logins with a result other than SUCCESS or AUTH_ERR
login_ok=0 login_err=0

# note_status WHAT STATUS: 1 if killed by us; records a crash
killed_or_crash() {
	case $2 in
	137) kills=$((kills + 1)); return 0 ;;
	134|139|135|136|132|86|99) crashes+=("$1: status $2") ;;
	esac
	return 1
}

exec 3>&2 2>/dev/null   # bash reports each killed job on stderr: noise
start=$SECONDS
while [ "$kills" -lt "$MAXKILLS" ] && [ $((SECONDS - start)) -lt "$LOOP_SECONDS" ]; do
	iters=$((iters + 1))
	n=$iters
	# ---- a login (its code made first, so that both start together)
	u=${LUSERS[$((n % ${#LUSERS[@]}))]}
	if [ "${u:0:1}" = h ]; then
		code=$(oathtool --hotp -b -c "${CTR[$u]}" "${SEC[$u]}")
		CTR[$u]=$((CTR[$u] + 1))
		lrec="hotp $u $code"
	else
		ep=$(date +%s)
		code=$(oathtool --totp -b -N "@$ep" "${SEC[$u]}")
		lrec="totp $u $ep $code"
	fi
	lout=$W/l$n.out
	op=$((RANDOM % 10))
	[ "$op" -ge 8 ] && awk -v p="imp${n}x" -v n="$IMPORT_LINES" 'BEGIN { for (i = 0; i < n; i++)
		printf "HOTP %s%d - 3132333435363738393031323334353637383930\n", p, i }' >"$W/oath$n.txt"
	printf '%s\n' "$code" | "${PENV[@]}" pamtester -v tfa "$u" authenticate >"$lout" 2>&1 &
	lpid=$!
	started_login=$((started_login + 1))
	# ---- an admin write
	aout=$W/a$n.out aerr=$W/a$n.err
	case $op in
	0|1|2|3|4)
		kind=enroll; arg=e$n
		enr_tried+=("$arg")
		"${ADM[@]}" --json enroll "$arg" --activate --no-qr </dev/null >"$aout" 2>"$aerr" &
		;;
	5|6)
		kind=recovery; arg=r$((RANDOM % 3))
		REC_LAST_START[$arg]=$n
		"${ADM[@]}" --json recovery "$arg" </dev/null >"$aout" 2>"$aerr" &
		;;
	7)
		kind=policy; arg=$n
		pol_last_started=$n
		"${ADM[@]}" policy set issuer "iss-$n" </dev/null >"$aout" 2>"$aerr" &
		;;
	*)
		kind=import; arg=imp${n}x
		imp_tried+=("$arg")
		"${ADM[@]}" --json import oath "$W/oath$n.txt" </dev/null >"$aout" 2>"$aerr" &
		;;
	esac
	apid=$!
	started_admin=$((started_admin + 1))
	# ---- wait a little (0.00x s, 0.0x s, or now and then up to 0.3 s), then kill -9
	case $((RANDOM % 5)) in
	0|1) d=0.00$((RANDOM % 10)) ;;
	2|3) d=0.0$((RANDOM % 10)) ;;
	*) d=0.$((RANDOM % 3 + 1))$((RANDOM % 10)) ;;
	esac
	sleep "$d"
	[ $((RANDOM % 5)) != 0 ] && kill -9 "$apid" 2>/dev/null
	[ $((RANDOM % 5)) != 0 ] && kill -9 "$lpid" 2>/dev/null
	wait "$apid"; ast=$?
	wait "$lpid"; lst=$?
	# ---- what the admin command reported
	if ! killed_or_crash "tfa-admin $kind $arg" "$ast"; then
		if [ "$ast" != 0 ]; then
			odd_admin+=("$kind $arg: exit $ast: $(head -c 300 "$aerr")")
		else
			case $kind in
			enroll)
				[ "$(jq -r .user <"$aout" 2>/dev/null)" = "$arg" ] &&
					[ "$(jq -r .state <"$aout" 2>/dev/null)" = active ] &&
					enr_done+=("$arg")
				;;
			recovery)
				c=$(jq -r '.codes[0]' <"$aout" 2>/dev/null)
				if [ -n "$c" ] && [ "$c" != null ]; then
					REC_LAST_DONE[$arg]=$n
					REC_CODES[$arg]=$c
				fi
				;;
			policy) pol_last_done=$n ;;
			import)
				[ "$(jq -r .imported <"$aout" 2>/dev/null)" = "$IMPORT_LINES" ] && imp_done+=("$arg")
				;;
			esac
		fi
	fi
	# ---- what the login reported
	if ! killed_or_crash "pamtester $u" "$lst"; then
		r=$(_pam_classify "$lout")
		case $r in
		SUCCESS) login_ok=$((login_ok + 1)) ;;
		AUTH_ERR) login_err=$((login_err + 1)) ;;
		*) odd_login+=("$u: $r (status $lst): $(grep -av PWRAP_TRACE "$lout" | tail -n 3)") ;;
		esac
	fi
	# a login that printed success before it was killed counts as reported
	if grep -q 'pamtester: successfully authenticated' "$lout"; then
		USED+=("$lrec")
	fi
	rm -f "$W/oath$n.txt" "$aerr" "$lout"
done
elapsed=$((SECONDS - start))
pwrap_reap   # the killed pamtesters left their /tmp/pam.X behind
exec 2>&3 3>&-
left=$(pgrep -f -- "--store $STORE" || true)
check "no tfa-admin left running after the loop (kill -9 reached the program itself)" test -z "$left"

diag "kills=$kills iterations=$iters admin_started=$started_admin logins_started=$started_login loop_seconds=$elapsed"
diag "enrolments_tried=${#enr_tried[@]} enrolments_done=${#enr_done[@]} imports_tried=${#imp_tried[@]} imports_done=${#imp_done[@]}"
diag "logins_finished_ok=$login_ok logins_finished_refused=$login_err codes_reported_used=${#USED[@]}"
if [ "$kills" -ge "$MINKILLS" ]; then
	ok "killed $kills processes in the middle of their work (bound $MAXKILLS or $LOOP_SECONDS s)"
else
	not_ok "killed enough processes" "only $kills kills in $elapsed s (wanted at least $MINKILLS)"
fi
if [ ${#crashes[@]} -eq 0 ]; then
	ok "no process that was not killed crashed"
else
	not_ok "no process that was not killed crashed" "${crashes[@]}"
fi
if [ ${#odd_admin[@]} -eq 0 ]; then
	ok "every tfa-admin that was left to finish exited 0"
else
	not_ok "every tfa-admin that was left to finish exited 0" "${odd_admin[@]:0:10}"
fi
if [ ${#odd_login[@]} -eq 0 ]; then
	ok "every login that was left to finish got SUCCESS or AUTH_ERR"
else
	not_ok "every login that was left to finish got SUCCESS or AUTH_ERR" "${odd_login[@]:0:10}"
fi

# ---- the store after it all (before any tool of ours opens it again)
ic=$(sqlite3 "$STORE" 'PRAGMA integrity_check' 2>&1)
check "integrity_check after $kills kills: ok" test "$ic" = ok
[ "$ic" = ok ] || diag "integrity_check: ${ic:0:500}"
fk=$(sqlite3 "$STORE" 'PRAGMA foreign_key_check' 2>&1)
check "foreign_key_check: nothing dangling" test -z "$fk"

lrc=0
tfa list >/dev/null 2>&1 || lrc=$?
check "tfa-admin list works after the kills" test "$lrc" = 0
# per enrolment tried: its state (tfa-admin show) and its audit record (the
# token and its enrolment record are written in one transaction)
missing=() half=() enr_present=0 enr_unaudited=0
declare -A ENR_DONE
for e in "${enr_done[@]+"${enr_done[@]}"}"; do ENR_DONE[$e]=1; done
for e in "${enr_tried[@]+"${enr_tried[@]}"}"; do
	stt=$(tfa --json show "$e" 2>/dev/null | jq -r .state)
	case $stt in
	active)
		enr_present=$((enr_present + 1))
		tfa --json audit --user "$e" 2>/dev/null | grep -q '"enroll' ||
			enr_unaudited=$((enr_unaudited + 1))
		;;
	none) ;;
	*) half+=("$e: $stt") ;;
	esac
	[ -n "${ENR_DONE[$e]:-}" ] && [ "$stt" != active ] && missing+=("$e: $stt")
done
if [ ${#missing[@]} -eq 0 ]; then
	ok "all ${#enr_done[@]} enrolments reported done are present and active"
else
	not_ok "all enrolments reported done are present and active" "${missing[@]:0:10}"
fi
if [ ${#half[@]} -eq 0 ]; then
	ok "no enrolment of ${#enr_tried[@]} tried is half done (state none or active)"
else
	not_ok "no enrolment is half done" "${half[@]:0:10}"
fi
check "every enrolment present has its audit record ($enr_unaudited without)" test "$enr_unaudited" -eq 0
diag "enrolments_present=$enr_present (of ${#enr_tried[@]} tried, ${#enr_done[@]} reported done) without_audit_record=$enr_unaudited"

# imports: all or nothing
declare -A IMPCNT
while IFS='|' read -r p c; do IMPCNT[$p]=$c; done < <(sqlite3 "$STORE" \
	"SELECT substr(user, 1, instr(user, 'x')), count(*) FROM tokens WHERE user LIKE 'imp%' GROUP BY 1")
bad_imp=()
for p in "${imp_tried[@]+"${imp_tried[@]}"}"; do
	c=${IMPCNT[$p]:-0}
	[ "$c" = 0 ] || [ "$c" = "$IMPORT_LINES" ] || bad_imp+=("$p: $c of $IMPORT_LINES tokens")
done
for p in "${imp_done[@]+"${imp_done[@]}"}"; do
	[ "${IMPCNT[$p]:-0}" = "$IMPORT_LINES" ] || bad_imp+=("$p reported done: ${IMPCNT[$p]:-0} tokens")
done
imp_present=0
for p in "${imp_tried[@]+"${imp_tried[@]}"}"; do [ "${IMPCNT[$p]:-0}" = 0 ] || imp_present=$((imp_present + 1)); done
diag "imports_present=$imp_present (all or nothing each)"
if [ ${#bad_imp[@]} -eq 0 ]; then
	ok "each of ${#imp_tried[@]} imports is all or nothing, and all when reported done"
else
	not_ok "each import is all or nothing" "${bad_imp[@]:0:10}"
fi

# policy: the issuer is one that was written, not older than the last reported
iss=$(tfa --json policy show 2>/dev/null | jq -r .policy.issuer)
if [ "$pol_last_started" = 0 ]; then
	skip "issuer after killed policy set" "by design: no policy set was started before the kill"
else
	isn=${iss#iss-}
	if [[ $iss == iss-* ]] && [ "$isn" -ge "$pol_last_done" ] && [ "$isn" -le "$pol_last_started" ]; then
		ok "issuer after killed policy set: $iss (last reported done iss-$pol_last_done)"
	elif [ "$pol_last_done" = 0 ] && [[ $iss != iss-* ]]; then
		ok "issuer after killed policy set: unchanged ($iss), none was reported done"
	else
		not_ok "issuer after killed policy set" "got $iss; last done iss-$pol_last_done, last started iss-$pol_last_started"
	fi
fi

# recovery: a set reported done with no later attempt for that user works
rec_checked=0 rec_bad=()
for r in r0 r1 r2; do
	[ -n "${REC_LAST_DONE[$r]:-}" ] || continue
	[ "${REC_LAST_DONE[$r]}" = "${REC_LAST_START[$r]}" ] || continue
	rec_checked=$((rec_checked + 1))
	tfa verify "$r" "${REC_CODES[$r]}" >/dev/null 2>&1 || rec_bad+=("$r: last reported recovery code refused")
done
cnt_bad=()
for r in r0 r1 r2; do
	n=$(tfa --json show "$r" 2>/dev/null | jq -r .recovery_codes)
	case $n in 0|9|10) ;; *) cnt_bad+=("$r: $n recovery codes") ;; esac
done
if [ ${#rec_bad[@]} -eq 0 ] && [ ${#cnt_bad[@]} -eq 0 ]; then
	ok "recovery codes: sets whole (0 or 10), $rec_checked last reported set(s) work"
else
	not_ok "recovery codes whole and working" "${rec_bad[@]+"${rec_bad[@]}"}" "${cnt_bad[@]+"${cnt_bad[@]}"}"
fi

# no code became reusable: every accepted code is refused, at its own time
reused=() rechecked=0
for rec in "${USED[@]+"${USED[@]}"}"; do
	# shellcheck disable=SC2086
	set -- $rec
	if [ "$1" = hotp ]; then
		pam_login "$2" "$3"
	else
		pam_login "$2" "$4" -t "@$(date -u -d "@$3" '+%Y-%m-%d %H:%M:%S')"
	fi
	rechecked=$((rechecked + 1))
	[ "$PAM_RESULT" = SUCCESS ] && reused+=("$rec")
	[ "$rechecked" -ge 50 ] && break
done
diag "codes_rechecked=$rechecked (of ${#USED[@]}) reusable=${#reused[@]}"
if [ "${#USED[@]}" -eq 0 ]; then
	not_ok "some login succeeded during the kills" "no login reported success; nothing to check"
elif [ ${#reused[@]} -eq 0 ]; then
	ok "none of $rechecked codes accepted during the kills is accepted again"
else
	not_ok "no code became reusable" "${reused[@]:0:10}"
fi

# the store still works: a fresh login, and a fresh write
s=${SEC[t0]}
fresh=$(oathtool --totp -b -N "now + 120 seconds" "$s")
pam_login t0 "$fresh" -t "+120s"
is_result "a fresh login after the kills works" SUCCESS
pam_login t0 "$fresh" -t "+120s"
is_result "... and its code is then refused" AUTH_ERR
if [ ${#enr_done[@]} -gt 0 ]; then
	e=${enr_done[$(( ${#enr_done[@]} - 1 ))]}
	es=$(secret_from_uri "$(jq -r .uri <"$W/a${e#e}.out")")
	pam_login "$e" "$(totp "$es")"
	is_result "a user enrolled during the kills ($e) logs in" SUCCESS
fi
run_ok=0
tfa --json enroll after1 --activate --no-qr >/dev/null 2>&1 && run_ok=1
check "a fresh enrolment after the kills works" test "$run_ok" = 1
ic=$(sqlite3 "$STORE" 'PRAGMA integrity_check' 2>&1)
check "integrity_check at the end: ok" test "$ic" = ok
diag "total_seconds=$SECONDS"

tap_done
