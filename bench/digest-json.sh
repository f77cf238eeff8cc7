#!/usr/bin/env bash
# `bakelens digest --json` on a 50-target bake-like build (a metadata file naming
# 50 images of one OCI layout made with umoci, two small layers each) against
# what a CI job did without it: one `bakelens digest --target T` per target
# and key; and, when Debian's docker-registry and skopeo are installed, the
# loop a composite GitHub action ran over a registry (jq over the metadata,
# then `skopeo inspect --raw` of each target's manifest and jq for its last
# layer) against one `bakelens digest --json` of the same metadata, read from
# that registry. Prints the median wall time of each and the ratio. Timing
# is measured here, never asserted in tests.
# Usage: bench/digest-json.sh [BAKELENS] [TARGETS]   (default build/bakelens, 50)
set -euo pipefail
cd "$(dirname "$0")/.."
SRC=$PWD
BL=$(realpath "${1:-build/bakelens}")
N=${2:-50}
RUNS=${RUNS:-5}
work=$(mktemp -d "${TMPDIR:-/var/tmp}/bl-bench.XXXXXX")
trap 'rm -rf "$work"' EXIT
cd "$work"
mkdir files
for i in $(seq 1 "$N"); do echo "target $i" >"files/f$i"; done
echo common >files/common
touch -d @1700000000 files files/*
c=2024-01-01T00:00:00Z
umoci init --layout L
for i in $(seq 1 "$N"); do
	umoci new --image "L:t$i"
	umoci config --image "L:t$i" --os linux --architecture amd64 --created $c --history.created $c
	umoci insert --image "L:t$i" --history.created $c files/common /common
	umoci insert --image "L:t$i" --history.created $c "files/f$i" /f
done
jq '[.manifests[] | {key: .annotations["org.opencontainers.image.ref.name"],
	value: {"containerimage.digest": .digest, "image.name": ("example/" + .annotations["org.opencontainers.image.ref.name"])}}]
	| from_entries' L/index.json >m.json

# median_us CMD...: the median wall time of RUNS runs, in microseconds.
median_us() {
	local times=() s e
	for _ in $(seq 1 "$RUNS"); do
		s=$(date +%s%N)
		"$@" >/dev/null
		e=$(date +%s%N)
		times+=($(((e - s) / 1000)))
	done
	printf '%s\n' "${times[@]}" | sort -n | sed -n "$(((RUNS + 1) / 2))p"
}
one_call() { "$BL" digest --json m.json L; }
# The loop a CI job ran before: every target, every key, one process each.
per_target() {
	local i w
	for i in $(seq 1 "$N"); do
		for w in manifest config layer diff-id chain-id; do
			"$BL" digest m.json L --target "t$i" --what $w
		done
	done
}
per_target_one_key() {
	local i
	for i in $(seq 1 "$N"); do "$BL" digest m.json L --target "t$i" --what layer; done
}
# The answers agree before anything is timed.
for i in 1 "$N"; do
	want=$("$BL" digest m.json L --target "t$i" --what chain-id)
	got=$(one_call | jq -r --arg t "t$i" '.targets[$t].platforms[].layer.chain_id')
	[ "$want" = "$got" ] || { echo "t$i: --json says $got, digest says $want" >&2; exit 1; }
done
a=$(median_us one_call)
b=$(median_us per_target_one_key)
k=$(median_us per_target)
ms() { printf '%d.%03d' $(($1 / 1000)) $(($1 % 1000)); }
printf '%d targets, median of %d runs (ms)\n' "$N" "$RUNS"
printf '%-52s %10s\n' "digest --json (all 6 keys of every target), 1 call" "$(ms "$a")"
printf '%-52s %10s  %6.1fx\n' "digest --target T --what layer, $N calls" "$(ms "$b")" "$(echo "$b / $a" | bc -l)"
printf '%-52s %10s  %6.1fx\n' "digest --target T --what W (5 keys), $((5 * N)) calls" "$(ms "$k")" "$(echo "$k / $a" | bc -l)"

# ---- the same keys from a registry (127.0.0.1), when the tools are here ----
command -v docker-registry >/dev/null 2>&1 && command -v skopeo >/dev/null 2>&1 || {
	echo "(registry part skipped: docker-registry or skopeo not installed)"
	exit 0
}
export BAKELENS=$BL BL_REGISTRY_PROBE=/nonexistent
set +u
. "$SRC/tests/integration/lib.sh"
. "$SRC/tests/integration/registry-lib.sh"
set -u
trap 'reg_cleanup; rm -rf "$work"' EXIT
start_registry bench plain
R=127.0.0.1:$REG_PORT
for i in $(seq 1 "$N"); do push "oci:$work/L:t$i" "$R/bench/t$i:latest"; done
# The metadata a bake would write for these images in that registry.
jq --arg r "$R" 'with_entries(.value["image.name"] = "\($r)/bench/\(.key):latest")' \
	"$work/m.json" >"$work/mr.json"
reg_json() { "$BL" digest --json --no-cache --insecure "$R" "$work/mr.json"; }
# The action's loop: per target, the manifest from the registry, its last layer.
reg_loop() {
	local t d
	for t in $(jq -r 'keys[]' "$work/mr.json"); do
		d=$(jq -r --arg t "$t" '.[$t]["containerimage.digest"]' "$work/mr.json")
		skopeo --policy "$POLICY" inspect --tls-verify=false --raw "docker://$R/bench/$t@$d" |
			jq -r '.layers[-1].digest'
	done
}
want=$(reg_loop | sed -n 1p)
got=$(reg_json | jq -r '.targets.t1.platforms[].layer.digest')
[ "$want" = "$got" ] || { echo "registry: --json says $got, skopeo says $want" >&2; exit 1; }
r1=$(median_us reg_json)
r2=$(median_us reg_loop)
printf '%-52s %10s\n' "registry: digest --json, 1 call (no cache)" "$(ms "$r1")"
printf '%-52s %10s  %6.1fx\n' "registry: jq + skopeo inspect --raw, $N targets" "$(ms "$r2")" "$(echo "$r2 / $r1" | bc -l)"
