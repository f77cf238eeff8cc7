#!/usr/bin/env bash
# `bakelens diff` of two 20-target builds whose images carry BuildKit-shaped
# mode=max SLSA provenance (tests/integration/make_prov_layout.py), against
# the same builds without attestations. The second build sets another build
# argument, so every target's layer 2 differs and every platform gets its
# input changes and cause chain. Prints both medians and the ratio (aim:
# within 2x). Timing is measured here, never asserted in tests.
# Usage: bench/diff_provenance.sh [BAKELENS] [TARGETS]   (default build/bakelens, 20)
set -euo pipefail
cd "$(dirname "$0")/.."
BL=$(realpath "${1:-build/bakelens}")
N=${2:-20}
RUNS=${RUNS:-11}
MAKE=$(realpath tests/integration/make_prov_layout.py)
work=$(mktemp -d "${TMPDIR:-/var/tmp}/bl-bench.XXXXXX")
trap 'rm -rf "$work"' EXIT
cd "$work"
python3 "$MAKE" P1 --targets "$N" >/dev/null
python3 "$MAKE" P2 --targets "$N" --version 1.3 >/dev/null
python3 "$MAKE" B1 --targets "$N" --no-attestations >/dev/null
python3 "$MAKE" B2 --targets "$N" --version 1.3 --no-attestations >/dev/null
echo "with provenance: $("$BL" diff --json P1 P2 | jq '[.platforms[] | select(.cause != null)] | length') of $N platforms have a cause chain"
{ "$BL" diff P1 P2 || true; } | sed -n 5,6p

median() { # A B: the median wall time of `diff --quiet A B`, in microseconds
	local times=() s e
	for _ in $(seq 1 "$RUNS"); do
		s=$(date +%s%N)
		"$BL" diff --quiet "$1" "$2" || true
		e=$(date +%s%N)
		times+=($(((e - s) / 1000)))
	done
	printf '%s\n' "${times[@]}" | sort -n | sed -n "$(((RUNS + 1) / 2))p"
}
with=$(median P1 P2)
without=$(median B1 B2)
printf 'diff of two %d-target builds with provenance:    median %d.%03d ms over %d runs\n' \
	"$N" $((with / 1000)) $((with % 1000)) "$RUNS"
printf 'diff of two %d-target builds without attestations: median %d.%03d ms over %d runs\n' \
	"$N" $((without / 1000)) $((without % 1000)) "$RUNS"
awk -v a="$with" -v b="$without" 'BEGIN { printf "ratio: %.2fx (aim: within 2x)\n", a / b }'
