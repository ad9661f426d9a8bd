#!/usr/bin/env bash
# SPDX-License-Identifier: BSD-2-Clause
# bench/report.sh OUT "IMPORT_SIZES" CONC_SIZE - the tables (markdown) and the
# targets from OUT/results.csv and OUT/import.csv (written by bench/run.sh).
set -eu
out=$1 import_sizes=$2 conc=$3
export LC_ALL=C

awk -F, -v import_sizes="$import_sizes" -v conc="$conc" '
function ms(us) { return sprintf("%.2f", us / 1000) }
function r2(x) { return sprintf("%.2f", x) }
function yn(c) { return c ? "yes" : "no" }
function cell(p, m, n, pr,   k) {
	k = p SUBSEP m SUBSEP n SUBSEP pr
	if (!(k in ok)) return "-"
	if (failed[k] > 0) return sprintf("FAIL: %d of %d failed", failed[k], ok[k] + failed[k])
	return sprintf("%s/s, %s / %s ms", rate1(rate[k]), ms(p50[k]), ms(p99[k]))
}
function rate1(x) { return x >= 100 ? sprintf("%d", x + 0.5) : sprintf("%.1f", x) }
function good(p, m, n, pr,   k) { k = p SUBSEP m SUBSEP n SUBSEP pr; return (k in ok) && failed[k] == 0 && ok[k] > 0 }
function ratio(p, a, b, n,   ka, kb) {       # p50 of b over p50 of a: "a is x times faster"
	if (!good(p, a, n, 1) || !good(p, b, n, 1)) return "-"
	ka = p SUBSEP a SUBSEP n SUBSEP 1; kb = p SUBSEP b SUBSEP n SUBSEP 1
	return r2(p50[kb] / p50[ka]) "x"
}
function scale(p, m, n,   k0, k) {
	if (!good(p, m, n, 1) || !good(p, m, nmin, 1)) return "-"
	k = p SUBSEP m SUBSEP n SUBSEP 1; k0 = p SUBSEP m SUBSEP nmin SUBSEP 1
	return r2(p50[k] / p50[k0]) "x"
}
function fmtn(n) { s = sprintf("%d", n); while (s ~ /[0-9][0-9][0-9][0-9]/) sub(/[0-9][0-9][0-9]($|,)/, ",&", s); return s }
function table(p, title) {
	printf "\n%s\n\n", title
	printf "| users | twofactor | pam_oath | google-authenticator | twofactor, store on tmpfs | pam_oath / twofactor | google-auth / twofactor | twofactor vs %s users |\n", fmtn(nmin)
	printf "| ---: | --- | --- | --- | --- | ---: | ---: | ---: |\n"
	for (i = 1; i <= ns; i++) {
		n = sizes[i]
		printf "| %s | %s | %s | %s | %s | %s | %s | %s |\n", fmtn(n),
			cell(p, "twofactor", n, 1), cell(p, "pam_oath", n, 1),
			cell(p, "google-auth", n, 1), cell(p, "twofactor-tmpfs", n, 1),
			ratio(p, "twofactor", "pam_oath", n), ratio(p, "twofactor", "google-auth", n),
			scale(p, "twofactor", n)
	}
}
FILENAME ~ /results.csv$/ && FNR > 1 {
	k = $1 SUBSEP $2 SUBSEP $3 SUBSEP $4
	ok[k] = $5; failed[k] = $6; secs[k] = $7; rate[k] = $8; p50[k] = $9; p99[k] = $10
	if ($1 == "inproc" && !($3 in seen)) { seen[$3] = 1; sizes[++ns] = $3 + 0 }
	next
}
FILENAME ~ /import.csv$/ && FNR > 1 { isecs[$1] = $2; irss[$1] = $3; iimp[$1] = $4; iexit[$1] = $5; next }
END {
	# sizes ascending
	for (i = 1; i <= ns; i++) for (j = i + 1; j <= ns; j++) if (sizes[j] < sizes[i]) { t = sizes[i]; sizes[i] = sizes[j]; sizes[j] = t }
	nmin = sizes[1]; nmax = sizes[ns]
	print "Each cell: logins per second, median / 99th percentile latency of one login. Ratios: median latency of the other module over ours (above 1: ours is faster)."
	table("inproc", "**In process** (one process: pam_start + pam_authenticate + pam_end, through pam_wrapper)")
	table("process", "**Whole process** (one `pamtester SERVICE USER authenticate` process per login, through pam_wrapper)")
	k = "process" SUBSEP "pam_permit" SUBSEP 10 SUBSEP 1
	if (k in ok)
		printf "\nFloor of a whole-process login on this machine (pamtester + pam_wrapper + pam_permit.so: no second factor, no prompt): %s\n", cell("process", "pam_permit", 10, 1)

	printf "\n**Two processes against one** (%s users, each process logs in its own half of the users, in process)\n\n", fmtn(conc)
	printf "| module | 1 process | 2 processes | throughput 2 / 1 |\n| --- | --- | --- | ---: |\n"
	split("twofactor pam_oath google-auth twofactor-tmpfs", mods, " ")
	for (i = 1; i <= 4; i++) {
		m = mods[i]; k1 = "concurrent" SUBSEP m SUBSEP conc SUBSEP 1; k2 = "concurrent" SUBSEP m SUBSEP conc SUBSEP 2
		if (!(k1 in ok)) continue
		rr = good("concurrent", m, conc, 1) && good("concurrent", m, conc, 2) && rate[k1] > 0 ? r2(rate[k2] / rate[k1]) "x" : "-"
		printf "| %s | %s | %s | %s |\n", m, cell("concurrent", m, conc, 1), cell("concurrent", m, conc, 2), rr
	}

	printf "\n**tfa-admin import oath** (one transaction; peak resident memory from /usr/bin/time)\n\n"
	printf "| users | seconds | users per second | peak RSS | imported |\n| ---: | ---: | ---: | ---: | --- |\n"
	ni = split(import_sizes, isz, " ")
	for (i = 1; i <= ni; i++) {
		n = isz[i]
		if (!(n in isecs)) continue
		ups = isecs[n] > 0 ? fmtn(int(n / isecs[n])) : "-"
		st = (iexit[n] == 0 && iimp[n] == n) ? "all" : "FAILED (exit " iexit[n] ")"
		printf "| %s | %s | %s | %.1f MiB | %s |\n", fmtn(n), isecs[n], ups, irss[n] / 1024, st
	}

	printf "\n**Targets**\n\n| target | measured | holds |\n| --- | --- | --- |\n"
	# 1. scaling
	for (pi = 1; pi <= 2; pi++) {
		p = pi == 1 ? "inproc" : "process"
		if (good(p, "twofactor", nmax, 1) && good(p, "twofactor", nmin, 1)) {
			x = p50[p SUBSEP "twofactor" SUBSEP nmax SUBSEP 1] / p50[p SUBSEP "twofactor" SUBSEP nmin SUBSEP 1]
			printf "| login cost at %s users within 1.2x of %s users (%s, median) | %.2fx | %s |\n", fmtn(nmax), fmtn(nmin),
				(p == "inproc" ? "in process" : "whole process"), x, yn(x <= 1.2)
		}
	}
	# 2. in-process rate at the largest size
	k = "inproc" SUBSEP "twofactor" SUBSEP nmax SUBSEP 1
	if (good("inproc", "twofactor", nmax, 1))
		printf "| in process, at least 5,000 logins/s on one core at %s users | %s/s (store on disk) | %s |\n", fmtn(nmax), rate1(rate[k]), yn(rate[k] >= 5000)
	k = "inproc" SUBSEP "twofactor-tmpfs" SUBSEP nmax SUBSEP 1
	if (good("inproc", "twofactor-tmpfs", nmax, 1))
		printf "| the same, store on tmpfs (no disk wait: CPU cost only) | %s/s | %s |\n", rate1(rate[k]), yn(rate[k] >= 5000)
	# 3. whole process at 100,000 vs pam_oath
	n3 = 100000
	if (!good("process", "twofactor", n3, 1)) n3 = nmax
	if (good("process", "twofactor", n3, 1) && good("process", "pam_oath", n3, 1)) {
		x = p50["process" SUBSEP "pam_oath" SUBSEP n3 SUBSEP 1] / p50["process" SUBSEP "twofactor" SUBSEP n3 SUBSEP 1]
		printf "| whole process at %s users at least 8x faster than pam_oath (median) | %.1fx | %s |\n", fmtn(n3), x, yn(x >= 8)
	}
	# 4. import
	big = 0; small = 0
	for (i = 1; i <= ni; i++) { n = isz[i] + 0; if (n > big) big = n; if (small == 0 || n < small) small = n }
	if (big in isecs) {
		printf "| import of %s users under 60 s | %s s | %s |\n", fmtn(big), isecs[big], yn(isecs[big] < 60 && iexit[big] == 0)
		if (small != big && (small in irss))
			printf "| import memory does not grow with the file (%s vs %s users) | %.1f MiB vs %.1f MiB (%.2fx for %dx the users) | %s |\n",
				fmtn(big), fmtn(small), irss[big] / 1024, irss[small] / 1024, irss[big] / irss[small], big / small,
				yn(irss[big] <= 1.5 * irss[small])
	}
}' "$out/results.csv" "$out/import.csv"
