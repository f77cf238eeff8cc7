#!/usr/bin/env bash
# `bakelens diff` of builds that carry SBOM attestations against the same
# builds without attestations (aim: within 2x). Three cases:
#   identical SBOMs: two 20-target builds (bench/make_attest_build.py), each
#     image with mode=max provenance and a ~1 MB SPDX SBOM (4,500 packages);
#     the right build sets another build argument, so every image and its
#     provenance differ, while each SBOM is byte for byte the same;
#   one package:     the same, and every SBOM differs in one package version;
#   4 platforms:     one target, 4 platforms (make_sbom_layout.py), a ~1 MB
#     SBOM per platform differing in one package version.
# Prints the median wall and CPU time of each pair and the ratios. Timing is measured
# here, never asserted in tests.
# Usage: bench/diff_sbom.sh [BAKELENS] [TARGETS] [PLATFORMS]   (build/bakelens, 20, 4)
set -euo pipefail
cd "$(dirname "$0")/.."
BL=$(realpath "${1:-build/bakelens}")
NT=${2:-20}
NP=${3:-4}
RUNS=${RUNS:-11}
FILL=${FILL:-4500}
MK=$(realpath tests/integration/make_sbom_layout.py)
MA=$(realpath bench/make_attest_build.py)
work=$(mktemp -d "${TMPDIR:-/var/tmp}/bl-bench.XXXXXX")
trap 'rm -rf "$work"' EXIT
cd "$work"

. "$(dirname "$MK")/../../bench/lib.sh"
# pair A B: "WALL CPU" medians of `bakelens diff --quiet A B`, in ms
pair() { medians_ms "$BL" diff --quiet "$1" "$2"; }
# ratio X Y: X / Y for "WALL CPU" pairs, both
ratio() { awk -v a="$1" -v b="$2" 'BEGIN { split(a, x, " "); split(b, y, " ");
	printf "wall %.2fx, CPU %.2fx", x[1] / y[1], x[2] / y[2] }'; }
show() { awk -v t="$1" 'BEGIN { split(t, x, " "); printf "median %s ms wall, %s ms CPU", x[1], x[2] }'; }
sbom_bytes() { # LAYOUT: bytes of all its SBOM statements
	find "$1/blobs/sha256" -type f -size +100k -printf '%s\n' | awk '{s += $1} END {print s + 0}'
}

# ---- 20 targets, provenance and a ~1 MB SBOM per platform ----
python3 "$MA" S1 --targets "$NT" --sbom-fill "$FILL" --sbom-subject-fixed
python3 "$MA" S2 --targets "$NT" --sbom-fill "$FILL" --sbom-subject-fixed --version 1.3
python3 "$MA" D1 --targets "$NT" --sbom-fill "$FILL"
python3 "$MA" D2 --targets "$NT" --sbom-fill "$FILL" --version 1.3 --musl 1.2.5
python3 "$MA" N1 --targets "$NT" --no-attestations
python3 "$MA" N2 --targets "$NT" --version 1.3 --no-attestations
echo "$NT targets; SBOM statements per build: $(find D1/blobs/sha256 -type f -size +100k | wc -l), $(sbom_bytes D1) bytes"
echo "identical SBOMs: package lines: $("$BL" diff S1 S2 | grep -c '^ *package ' || true);" \
	"cause chains: $("$BL" diff --json S1 S2 | jq '[.platforms[] | select(.cause != null)] | length')"
echo "one package:     package lines: $("$BL" diff D1 D2 | grep -c '^ *package musl 1.2.4 -> 1.2.5' || true)" \
	"(one per platform)"
same=$(pair S1 S2)
one=$(pair D1 D2)
none=$(pair N1 N2)
echo "diff, SBOMs identical (not read):            $(show "$same")"
echo "diff, SBOMs differ by one package:           $(show "$one")"
echo "diff, the same builds without attestations:  $(show "$none")"
echo "identical: $(ratio "$same" "$none"); one package: $(ratio "$one" "$none") (aim: within 2x) over $RUNS runs"

# ---- one target, NP platforms (the earlier case) ----
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
echo "$NP platforms: SBOM statements $(sbom_bytes A) bytes a build;" \
	"package changes found: $("$BL" diff A B | grep -c '^ *package musl 1.2.4 -> 1.2.5' || true) (one per platform)"
with=$(pair A B)
without=$(pair A0 B0)
echo "diff with a ~1 MB SBOM per platform: $(show "$with")"
echo "diff without attestations:          $(show "$without")"
echo "$(ratio "$with" "$without") (aim: within 2x) over $RUNS runs"
