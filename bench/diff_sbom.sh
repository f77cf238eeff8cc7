#!/usr/bin/env bash
# `bakelens diff` of two builds (one target, PLATFORMS platforms) whose SBOM
# attestations (SPDX, about 1 MB a platform: 4,500 packages) differ by one
# package version per platform, against the same two builds without
# attestations. Layouts written by tests/integration/make_sbom_layout.py.
# Prints the median wall times and their ratio (aim: within 2x).
# Timing is measured here, never asserted in tests.
# Usage: bench/diff_sbom.sh [BAKELENS] [PLATFORMS]   (default build/bakelens, 4)
set -euo pipefail
cd "$(dirname "$0")/.."
BL=$(realpath "${1:-build/bakelens}")
NP=${2:-4}
RUNS=${RUNS:-11}
FILL=${FILL:-4500}
MK=$(realpath tests/integration/make_sbom_layout.py)
work=$(mktemp -d "${TMPDIR:-/var/tmp}/bl-bench.XXXXXX")
trap 'rm -rf "$work"' EXIT
cd "$work"
archs=(amd64 arm64 ppc64le s390x riscv64 386 mips64le arm)
left=() right=()
for i in $(seq 0 $((NP - 1))); do
	left+=("${archs[$i]}=musl@1.2.4,zlib@1.3")
	right+=("${archs[$i]}=musl@1.2.5,zlib@1.3")
done
python3 "$MK" A spdx "${left[@]}" --filler "$FILL"
python3 "$MK" B spdx "${right[@]}" --filler "$FILL"
python3 "$MK" A0 spdx "${left[@]}" --no-sbom
python3 "$MK" B0 spdx "${right[@]}" --no-sbom
sbom=$(jq -r '.manifests[0].digest' A/index.json | cut -d: -f2)
one=$(jq -r '[.manifests[] | select(.annotations["vnd.docker.reference.type"]?)][0].digest' \
	"A/blobs/sha256/$sbom" | cut -d: -f2)
stmt=$(jq -r '.layers[0].digest' "A/blobs/sha256/$one" | cut -d: -f2)
echo "SBOM statement: $(stat -c %s "A/blobs/sha256/$stmt") bytes, $(jq '.predicate.packages | length' "A/blobs/sha256/$stmt") packages, $NP platforms"
echo "package changes found: $("$BL" diff A B | grep -c '^ *package musl 1.2.4 -> 1.2.5' || true) (one per platform)"
median() { # ARGS...: median wall time of `bakelens diff --quiet ARGS` in microseconds
	local times=() s e
	for _ in $(seq 1 "$RUNS"); do
		s=$(date +%s%N)
		"$BL" diff --quiet "$@" || true
		e=$(date +%s%N)
		times+=($(((e - s) / 1000)))
	done
	printf '%s\n' "${times[@]}" | sort -n | sed -n "$(((RUNS + 1) / 2))p"
}
with=$(median A B)
without=$(median A0 B0)
printf 'diff with a ~1 MB SBOM per platform: median %d.%03d ms\n' $((with / 1000)) $((with % 1000))
printf 'diff without attestations:          median %d.%03d ms\n' $((without / 1000)) $((without % 1000))
printf 'ratio: %s (aim: within 2x) over %d runs\n' "$(echo "scale=2; $with / $without" | bc)" "$RUNS"
