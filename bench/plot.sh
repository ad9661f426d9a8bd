#!/usr/bin/env bash
# SPDX-License-Identifier: BSD-2-Clause
# bench/plot.sh OUT - OUT/perf-latency.png: median login latency against the
# number of users, log-log, in process and whole process, from
# OUT/results.csv (bench/run.sh). Needs gnuplot (Debian gnuplot-nox).
set -eu
out=$1
export LC_ALL=C
dat=$out/plot.dat
# blocks (gnuplot index): inproc x {twofactor, pam_oath, google-auth, tmpfs}, then process
: >"$dat"
for phase in inproc process; do
	for m in twofactor pam_oath google-auth twofactor-tmpfs; do
		echo "# $phase $m" >>"$dat"
		awk -F, -v p="$phase" -v m="$m" '$1 == p && $2 == m && $4 == 1 && $6 == 0 && $5 > 0 {
			print $3, $9 / 1000, $10 / 1000 }' "$out/results.csv" | sort -n >>"$dat"
		printf '\n\n' >>"$dat"
	done
done
gnuplot <<EOF
set terminal pngcairo size 1000,560 font "DejaVu Sans,10"
set output "$out/perf-latency.png"
set multiplot layout 1,2 title "Median login latency against users in the store (log-log; lower is better)"
set logscale xy
set xrange [5:2000000]
set format x "10^{%L}"
set xlabel "users in the store"
set ylabel "median latency of one login (ms)"
set grid
set key top left
set style line 1 lc rgb "#1b7837" lw 2 pt 7
set style line 2 lc rgb "#b2182b" lw 2 pt 5
set style line 3 lc rgb "#2166ac" lw 2 pt 9
set style line 4 lc rgb "#1b7837" lw 1 dt 2 pt 6
set title "in process (pam\\\\_start .. pam\\\\_end)"
plot "$dat" index 0 using 1:2 with linespoints ls 1 title "pam\\\\_twofactor", \
     "$dat" index 1 using 1:2 with linespoints ls 2 title "pam\\\\_oath", \
     "$dat" index 2 using 1:2 with linespoints ls 3 title "pam\\\\_google\\\\_authenticator", \
     "$dat" index 3 using 1:2 with linespoints ls 4 title "pam\\\\_twofactor, store on tmpfs"
set title "whole process (one pamtester per login)"
plot "$dat" index 4 using 1:2 with linespoints ls 1 title "pam\\\\_twofactor", \
     "$dat" index 5 using 1:2 with linespoints ls 2 title "pam\\\\_oath", \
     "$dat" index 6 using 1:2 with linespoints ls 3 title "pam\\\\_google\\\\_authenticator", \
     "$dat" index 7 using 1:2 with linespoints ls 4 title "pam\\\\_twofactor, store on tmpfs"
unset multiplot
EOF
