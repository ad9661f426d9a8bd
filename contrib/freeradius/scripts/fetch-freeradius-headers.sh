#!/bin/sh
# SPDX-License-Identifier: BSD-2-Clause
# fetch-freeradius-headers.sh - the FreeRADIUS headers that Debian's
# libfreeradius-dev lacks, for building rlm_twofactor.
#
# Usage: fetch-freeradius-headers.sh OUTDIR [SRCDIR]
#
# Debian 12's libfreeradius-dev (3.2.1) ships radiusd.h but not eight of the
# headers it includes (automask, clients, connection, listen, log, process,
# tmpl, xlat) nor ident.h. They are in the freeradius source package of the
# same version. This script copies every header of the source tree's
# src/include that /usr/include/freeradius lacks into OUTDIR/freeradius/,
# with their <freeradius-devel/...> includes rewritten to <freeradius/...>
# (the spelling of the installed headers), so that the build adds
# -I OUTDIR and nothing else changes.
#
# Without SRCDIR the source is fetched with apt-get source, for exactly the
# installed freeradius version, through a private apt configuration under a
# temporary directory holding deb-src entries made from the system's own
# sources (Debian 12 lists "Types: deb" only). /etc/apt is not touched. It
# needs dpkg-dev (dpkg-source) and network access to the Debian mirror.
# With SRCDIR (a FreeRADIUS source tree given by the admin) nothing is
# fetched; it should be the version of the installed server.
set -eu

out=${1:?usage: $0 OUTDIR [SRCDIR]}
src=${2:-}
sysinc=${FREERADIUS_SYSINC:-/usr/include/freeradius}
tmp=""
cleanup() { [ -n "$tmp" ] && rm -rf -- "$tmp"; return 0; }
trap cleanup EXIT
trap 'exit 1' HUP INT TERM

die() { echo "fetch-freeradius-headers: $*" >&2; exit 1; }

if [ -z "$src" ]; then
	ver=$(dpkg-query -W -f='${Version}' freeradius 2>/dev/null ||
	      dpkg-query -W -f='${Version}' libfreeradius-dev 2>/dev/null) ||
		die "neither freeradius nor libfreeradius-dev is installed (apt-get install freeradius libfreeradius-dev)"
	[ -n "$ver" ] || die "cannot tell the installed freeradius version"
	command -v dpkg-source >/dev/null 2>&1 ||
		die "dpkg-source not found (apt-get install dpkg-dev)"
	tmp=$(mktemp -d "${TMPDIR:-/tmp}/fr-headers.XXXXXX")
	mkdir -p "$tmp/parts" "$tmp/lists/partial" "$tmp/cache/archives/partial" "$tmp/src"
	: >"$tmp/sources.list"
	# deb-src twins of the system's entries: deb822 files and one-line lists
	for f in /etc/apt/sources.list.d/*.sources; do
		[ -f "$f" ] || continue
		sed -E 's/^Types:.*/Types: deb-src/' "$f" >"$tmp/parts/$(basename "$f")"
	done
	for f in /etc/apt/sources.list /etc/apt/sources.list.d/*.list; do
		[ -f "$f" ] || continue
		sed -nE 's/^[[:space:]]*deb[[:space:]]+/deb-src /p' "$f" >>"$tmp/sources.list"
	done
	set -- -o Dir::Etc::SourceList="$tmp/sources.list" \
		-o Dir::Etc::SourceParts="$tmp/parts" \
		-o Dir::State::Lists="$tmp/lists" \
		-o Dir::Cache="$tmp/cache" \
		-o Debug::NoLocking=1 -o APT::Sandbox::User=root
	echo "fetch-freeradius-headers: fetching the source of freeradius $ver (private apt configuration in $tmp)" >&2
	apt-get "$@" -qq update >&2 || die "apt-get update of the deb-src entries failed"
	(cd "$tmp/src" && apt-get "$@" -qq source "freeradius=$ver" >&2) ||
		die "apt-get source freeradius=$ver failed"
	src=$(find "$tmp/src" -mindepth 1 -maxdepth 1 -type d -name 'freeradius-*' | head -n 1)
	[ -n "$src" ] || die "apt-get source left no source tree in $tmp/src"
fi
[ -d "$src/src/include" ] || die "$src is not a FreeRADIUS source tree (no src/include)"
[ -d "$sysinc" ] || die "$sysinc missing (apt-get install libfreeradius-dev)"

mkdir -p "$out/freeradius"
n=0
for h in "$src"/src/include/*.h; do
	b=$(basename "$h")
	[ -e "$sysinc/$b" ] && continue
	sed 's|<freeradius-devel/|<freeradius/|g' "$h" >"$out/freeradius/$b.tmp"
	mv "$out/freeradius/$b.tmp" "$out/freeradius/$b"
	n=$((n + 1))
done
echo "fetch-freeradius-headers: $n headers from $src copied to $out/freeradius" >&2
