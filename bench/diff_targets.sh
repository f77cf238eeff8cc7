#!/usr/bin/env bash
# `bakelens diff` of two 20-target builds (bake-style metadata + OCI layout made
# with umoci, small layers), without file diffs. The second build differs in
# the config of half the targets. Prints the median wall time (aim: < 100 ms
# for 20 targets, < 1 s for 500).
# Timing is measured here, never asserted in tests.
# Usage: bench/diff_targets.sh [BAKELENS] [TARGETS]   (default build/bakelens, 20)
set -euo pipefail
cd "$(dirname "$0")/.."
BL=$(realpath "${1:-build/bakelens}")
N=${2:-20}
RUNS=${RUNS:-11}
work=$(mktemp -d "${TMPDIR:-/var/tmp}/bl-bench.XXXXXX")
trap 'rm -rf "$work"' EXIT
cd "$work"
mkdir files
for i in $(seq 1 "$N"); do echo "target $i" >"files/f$i"; done
echo common >files/common
touch -d @1700000000 files files/*

# build LAYOUT META CREATED_ODD: N images (two layers each), metadata naming them.
build() {
	local L=$1 M=$2 late=$3 i c
	umoci init --layout "$L"
	for i in $(seq 1 "$N"); do
		c=2024-01-01T00:00:00Z
		[ $((i % 2)) -eq 1 ] && c=$late
		umoci new --image "$L:t$i"
		umoci config --image "$L:t$i" --os linux --architecture amd64 --created "$c" --history.created "$c"
		umoci insert --image "$L:t$i" --history.created "$c" files/common /common
		umoci insert --image "$L:t$i" --history.created "$c" "files/f$i" /f
	done
	jq '[.manifests[] | {key: .annotations["org.opencontainers.image.ref.name"],
		value: {"containerimage.digest": .digest, "image.name": ("example/" + .annotations["org.opencontainers.image.ref.name"])}}]
		| from_entries' "$L/index.json" >"$M"
}
build L1 m1.json 2024-01-01T00:00:00Z
build L2 m2.json 2024-03-03T00:00:00Z
rc=0
"$BL" diff --quiet m1.json+L1 m2.json+L2 || rc=$?
echo "exit code $rc (1 = different, as expected)"
{ "$BL" diff m1.json+L1 m2.json+L2 || true; } | sed -n 3p
times=()
for _ in $(seq 1 "$RUNS"); do
	s=$(date +%s%N)
	"$BL" diff --quiet m1.json+L1 m2.json+L2 || true
	e=$(date +%s%N)
	times+=($(((e - s) / 1000)))
done
med=$(printf '%s\n' "${times[@]}" | sort -n | sed -n "$(((RUNS + 1) / 2))p")
aim="< 100 ms"
[ "$N" -gt 20 ] && aim="< 1 s"
printf 'diff of two %d-target builds: median %d.%03d ms over %d runs (aim: %s)\n' \
	"$N" $((med / 1000)) $((med % 1000)) "$RUNS" "$aim"
