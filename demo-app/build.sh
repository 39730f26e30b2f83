#!/usr/bin/env bash
# Usage: build.sh VERSION OUTDIR [broken|fail-rate=F|extra-latency=D]
# Builds demo-app with the version baked in and writes
# OUTDIR/demo-app-VERSION.tar.gz (holding just "demo-app") and its .sha256.
# A bad release on purpose: broken never turns healthy; fail-rate=0.05 answers 5% of requests with 500 and
# extra-latency=200ms slows every request, both while /healthz stays 200.
set -euo pipefail

usage() {
	echo "usage: $0 VERSION OUTDIR [broken|fail-rate=F|extra-latency=D]" >&2
	exit 2
}

[[ $# -eq 2 || $# -eq 3 ]] || usage
version=$1
outdir=$2
mode=${3:-}
[[ $version =~ ^[A-Za-z0-9][A-Za-z0-9._+-]*$ ]] || { echo "invalid version: $version" >&2; exit 2; }
[[ -z $mode || $mode == broken || $mode =~ ^fail-rate=(0|1|0?\.[0-9]+)$ || $mode =~ ^extra-latency=[0-9]+(ms|s)$ ]] || usage

src=$(cd "$(dirname "$0")" && pwd)
mkdir -p "$outdir"
outdir=$(cd "$outdir" && pwd)

# -s -w: no symbol table or DWARF, as release builds ship (8.7 MB -> 6.0 MB; 4.8 MB -> 2.5 MB gzipped)
ldflags="-s -w -X main.version=$version"
case $mode in
broken) ldflags+=" -X main.broken=true" ;;
fail-rate=*) ldflags+=" -X main.buildFailRate=${mode#fail-rate=}" ;;
extra-latency=*) ldflags+=" -X main.buildExtraLatency=${mode#extra-latency=}" ;;
esac

stage=$(mktemp -d)
trap 'rm -rf "$stage"' EXIT

(cd "$src" && CGO_ENABLED=0 go build -trimpath -ldflags "$ldflags" -o "$stage/demo-app" .)
chmod 755 "$stage/demo-app"

tarball="$outdir/demo-app-$version.tar.gz"
# Fixed owner and mtime, and no gzip timestamp, so rebuilding gives the same bytes.
tar -C "$stage" --owner=0 --group=0 --numeric-owner --mtime=@0 -cf - demo-app | gzip -n >"$stage/out.tar.gz"
sha256sum "$stage/out.tar.gz" | cut -d' ' -f1 >"$stage/out.sha256"
mv -f "$stage/out.tar.gz" "$tarball"
mv -f "$stage/out.sha256" "$tarball.sha256"

echo "$tarball"
