#!/usr/bin/env bash
# `bakelens ls --layer 1` of a ~200 MB eStargz layer and a ~200 MB
# zstd:chunked layer in a local docker-registry: from the TOC (Range requests)
# against the same blob pushed without its annotations (the whole layer
# streamed: gzip for eStargz, zstd for zstd:chunked). Prints the layer bytes
# the registry sent (its access log) and the median wall time of each.
# Timing is measured here, never asserted in tests.
# Usage: bench/layer-toc.sh [BAKELENS] [SIZE_MIB]   (default build/bakelens, 250: files
# of 250 MiB, three quarters random, make layers of ~200 MB)
set -euo pipefail
cd "$(dirname "$0")/.."
SRC=$PWD
BL=$(realpath "${1:-build/bakelens}")
MIB=${2:-250}
RUNS=${RUNS:-5}
work=$(mktemp -d "${TMPDIR:-/var/tmp}/bl-bench.XXXXXX")
pids=""
trap 'for p in $pids; do kill "$p" 2>/dev/null || true; done; rm -rf "$work"' EXIT
cd "$work"
export XDG_CACHE_HOME=$work/cache HOME=$work/home
mkdir -p "$HOME"

# Files of 64 KiB: three quarters random (incompressible), a quarter text.
mkdir -p root/bin root/share
head -c "$((MIB * 786432))" /dev/urandom | split -b 65536 -a 5 - root/bin/r
seq -f 'line %g of a text file' 1 4000 >tpl.full
head -c 65524 tpl.full >tpl
for i in $(seq 1 $((MIB * 4))); do { printf 'file %06d\n' "$i"; cat tpl; } >"root/share/t$i"; done
touch -d @1700000000 root root/* root/*/*

port=$(python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])')
cat >reg.yml <<EOF
version: 0.1
log:
  level: info
  accesslog:
    disabled: false
storage:
  filesystem:
    rootdirectory: $work/data
http:
  addr: 127.0.0.1:$port
EOF
docker-registry serve reg.yml >reg.log 2>&1 &
pids="$pids $!"
sleep 1
echo '{"default":[{"type":"insecureAcceptAnything"}]}' >policy.json

median() { sort -n | awk '{a[NR] = $1} END {print a[int((NR + 1) / 2)]}'; }
# sent LAYER FROM: bytes of that layer's blob the registry sent since log line FROM
sent() {
	tail -n +"$2" reg.log | grep -F 'msg="response completed"' | grep -F "/blobs/$1" |
		sed -n 's/.*http\.response\.written=\([0-9]*\).*/\1/p' | awk '{s += $1} END {print s + 0}'
}

for fmt in estargz zstd; do
	t0=$(date +%s.%N)
	layer=$(python3 "$SRC/tests/integration/make_toc_layer.py" "$fmt" root "L-$fmt" 4194304)
	t1=$(date +%s.%N)
	size=$(stat -c %s "L-$fmt/blobs/sha256/${layer#sha256:}")
	for tag in toc plain; do
		skopeo --policy policy.json copy -q --dest-tls-verify=false --preserve-digests \
			"oci:L-$fmt:$tag" "docker://127.0.0.1:$port/$fmt:$tag" >/dev/null
	done
	printf '%s: layer %s bytes, %s files (made in %.1f s)\n' "$fmt" "$size" \
		"$(find root -type f | wc -l)" "$(echo "$t1 - $t0" | bc)"
	declare -A med
	for tag in toc plain; do
		from=$(($(wc -l <reg.log) + 1))
		times=$(for i in $(seq 1 "$RUNS"); do
			s=$(date +%s%N)
			"$BL" ls -v --layer 1 "docker://127.0.0.1:$port/$fmt:$tag" >/dev/null 2>err
			e=$(date +%s%N)
			echo $(((e - s) / 1000000))
		done)
		b=$(($(sent "$layer" "$from") / RUNS))
		med[$tag]=$(echo "$times" | median)
		printf '  %-5s %-45s median %6s ms, sent %10s bytes (%s%% of the layer)\n' "$tag" \
			"$(sed -n 's/.*read \([a-z-]*\).*/\1/p' err)" "${med[$tag]}" "$b" \
			"$(echo "scale=3; 100 * $b / $size" | bc)"
	done
	# What every registry command pays before reading a layer: the process
	# starting and the manifest request (digest reads only the manifest).
	fixed=$(for i in $(seq 1 "$RUNS"); do
		s=$(date +%s%N)
		"$BL" digest "docker://127.0.0.1:$port/$fmt:toc" >/dev/null 2>&1
		e=$(date +%s%N)
		echo $(((e - s) / 1000000))
	done | median)
	printf '  fixed (digest of the image: start + manifest) median %6s ms\n' "$fixed"
	printf '  plain / toc: %s; without the fixed part: %s\n' \
		"$(echo "scale=1; ${med[plain]} / ${med[toc]}" | bc)" \
		"$(echo "scale=1; (${med[plain]} - $fixed) / (${med[toc]} - $fixed + 1)" | bc)"
done
echo "runs: $RUNS"
