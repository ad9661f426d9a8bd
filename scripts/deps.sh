#!/usr/bin/env bash
# SPDX-License-Identifier: BSD-2-Clause
# Installs the Debian 12 packages that twofactor needs to build and test,
# only those missing (apt-get update once, then apt-get install -y).
# Usage: scripts/deps.sh [build|test|deb|demo|bench]   (test = build + test
# tools + deb; deb = build + what dpkg-buildpackage, lintian and
# tests/integration/t_deb.sh need; demo = build + what scripts/demo.sh runs;
# bench = build + the modules and tools of bench/run.sh)
set -eu
want=(build-essential autoconf automake libtool pkg-config
      libpam0g-dev liboath-dev libpskc-dev libqrencode-dev
      libssl-dev libsqlite3-dev libjson-c-dev libpq-dev)
if [ "${1:-build}" = test ]; then
	want+=(libcmocka-dev libpam-wrapper libnss-wrapper libpamtest0-dev pamtester oathtool
	       zbar-tools faketime sqlite3 valgrind clang libclang-rt-14-dev expect
	       cppcheck clang-tidy jq qrencode
	       strace)   # t_pam_wal.sh counts fsyncs per login
	want+=(openssh-server openssh-client)   # t_e2e_sshd.sh: a real login through sshd
	# rlm_twofactor (configure --with-freeradius; its headers come from the
	# freeradius source package through dpkg-source) and t_radius.sh
	want+=(freeradius freeradius-utils libfreeradius-dev libtalloc-dev libpcre3-dev
	       dpkg-dev python3-pyrad)
	want+=(postgresql postgresql-client util-linux python3)   # t_pg.sh: a private cluster
fi
if [ "${1:-build}" = test ] || [ "${1:-build}" = deb ]; then
	# Debian packages (debian/) and t_deb.sh: build, lintian, a throw-away root
	want+=(debhelper devscripts lintian fakeroot dpkg-dev libcmocka-dev mmdebstrap)
fi
if [ "${1:-build}" = demo ]; then
	want+=(libpam-wrapper pamtester oathtool)
elif [ "${1:-build}" = bench ]; then
	# bench/run.sh: the modules compared, the tools that drive them, the plot
	want+=(libpam-wrapper pamtester oathtool libpam-oath libpam-google-authenticator
	       gnuplot-nox time util-linux strace)
fi
missing=()
for p in "${want[@]}"; do
	dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q 'install ok installed' || missing+=("$p")
done
if [ ${#missing[@]} -gt 0 ]; then
	if [ "$(id -u)" -ne 0 ]; then
		echo "missing packages: ${missing[*]} (run as root to install them)" >&2
		exit 1
	fi
	echo "installing: ${missing[*]}"
	export DEBIAN_FRONTEND=noninteractive
	apt-get update -qq
	apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
fi
