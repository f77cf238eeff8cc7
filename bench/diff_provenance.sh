#!/usr/bin/env bash
# `bakelens diff` of two 20-target builds whose images carry BuildKit-shaped
# mode=max SLSA provenance (bench/make_attest_build.py, the statement of
# tests/integration/make_prov_layout.py), against the same builds without
# attestations. Each target is its own image (its app layer names it), so
# both pairs compare 20 images: with make_prov_layout.py's identical images
# the pair without attestations was one image under 20 names. The second
# build sets another build argument, so every target's layer 2 differs and
# every platform gets its input changes and cause chain. Prints both medians
# and the ratio (aim: within 2x), of wall and of CPU time. Timing is measured here, never asserted in
# tests.
# Usage: bench/diff_provenance.sh [BAKELENS] [TARGETS]   (default build/bakelens, 20)
set -euo pipefail
cd "$(dirname "$0")/.."
BL=$(realpath "${1:-build/bakelens}")
N=${2:-20}
RUNS=${RUNS:-11}
MAKE=$(realpath bench/make_attest_build.py)
work=$(mktemp -d "${TMPDIR:-/var/tmp}/bl-bench.XXXXXX")
trap 'rm -rf "$work"' EXIT
cd "$work"
python3 "$MAKE" P1 --targets "$N"
python3 "$MAKE" P2 --targets "$N" --version 1.3
python3 "$MAKE" B1 --targets "$N" --no-attestations
python3 "$MAKE" B2 --targets "$N" --version 1.3 --no-attestations
echo "targets compared: $("$BL" diff --json P1 P2 | jq '.platforms | length') with provenance," \
	"$("$BL" diff --json B1 B2 | jq '.platforms | length') without"
echo "with provenance: $("$BL" diff --json P1 P2 | jq '[.platforms[] | select(.cause != null)] | length') of $N platforms have a cause chain"
{ "$BL" diff P1 P2 || true; } | sed -n 5,6p

. "$(dirname "$MAKE")/lib.sh"
with=$(medians_ms "$BL" diff --quiet P1 P2)
without=$(medians_ms "$BL" diff --quiet B1 B2)
awk -v a="$with" -v b="$without" -v n="$N" -v r="$RUNS" 'BEGIN { split(a, x, " "); split(b, y, " ")
	printf "diff of two %d-target builds with provenance:      median %s ms wall, %s ms CPU over %d runs\n", n, x[1], x[2], r
	printf "diff of two %d-target builds without attestations: median %s ms wall, %s ms CPU over %d runs\n", n, y[1], y[2], r
	printf "ratio: wall %.2fx, CPU %.2fx (aim: within 2x)\n", x[1] / y[1], x[2] / y[2] }'
