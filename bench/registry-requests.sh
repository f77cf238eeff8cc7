#!/usr/bin/env bash
# Requests and wall time of the registry reads that need few documents, on a
# local docker-registry (requests counted in its access log, no cache):
#  1. `bakelens digest --what chain-id` of a single-platform image (the
#     manifest and its config) against `skopeo inspect` and against
#     `skopeo inspect --raw` + `skopeo inspect --config --raw` (the same two
#     documents, two processes);
#  2. `bakelens inspect` of a 10-platform index (made with umoci and jq,
#     pushed with skopeo): the documents fetched 8 at once (the default)
#     against one at a time (BAKELENS_REGISTRY_PARALLEL=1) and against
#     `skopeo inspect --raw` of each document (index, manifests, configs).
# Printed as ratios (bakelens / other).
#
# usage: bench/registry-requests.sh BUILD_DIR [RUNS]
set -euo pipefail
BUILD=${1:?usage: $0 BUILD_DIR [RUNS]}
RUNS=${2:-10}
SRC=$(cd "$(dirname "$0")/.." && pwd)
export BAKELENS=$BUILD/bakelens
export BL_REGISTRY_PROBE=$BUILD/tests/integration/registry_probe
. "$SRC/tests/integration/lib.sh"
. "$SRC/tests/integration/registry-lib.sh"

start_registry bench plain
R=127.0.0.1:$REG_PORT
make_layout "$BL_TMP/layout"
push "oci:$BL_TMP/layout:amd64" "$R/bench/one:latest"
ONE=$R/bench/one:latest

# The 10-platform index: one umoci image per architecture, an index by jq.
ARCHES="amd64 arm64 arm 386 ppc64le s390x riscv64 mips64le mipsle loong64"
T=$BL_TMP/ten
umoci init --layout "$T" >/dev/null
for a in $ARCHES; do
	umoci new --image "$T:$a" >/dev/null
	mkdir -p "$BL_TMP/ten-$a"
	echo "built for $a" >"$BL_TMP/ten-$a/file"
	umoci insert --image "$T:$a" "$BL_TMP/ten-$a/file" /file >/dev/null
	umoci config --image "$T:$a" --os linux --architecture "$a" >/dev/null
done
jq -c '{schemaVersion: 2, mediaType: "application/vnd.oci.image.index.v1+json",
	manifests: [.manifests[] | {mediaType, digest, size,
		platform: {os: "linux", architecture: .annotations["org.opencontainers.image.ref.name"]}}]}' \
	"$T/index.json" >"$BL_TMP/ten.json"
hex=$(sha256sum "$BL_TMP/ten.json" | cut -d' ' -f1)
cp "$BL_TMP/ten.json" "$T/blobs/sha256/$hex"
jq --arg d "sha256:$hex" --argjson s "$(stat -c %s "$BL_TMP/ten.json")" '.manifests += [{
	mediaType: "application/vnd.oci.image.index.v1+json", digest: $d, size: $s,
	annotations: {"org.opencontainers.image.ref.name": "ten"}}]' "$T/index.json" >"$T/index.new"
mv "$T/index.new" "$T/index.json"
push "oci:$T:ten" "$R/bench/ten:latest" --all
TEN=$R/bench/ten:latest

# measure NAME CMD...: mean wall ms and requests per run (access log)
measure() {
	local name=$1
	shift
	local from=$(($(wc -l <"$REG_LOG") + 1))
	local t0=$(date +%s%N)
	for _ in $(seq "$RUNS"); do
		"$@" >/dev/null 2>&1
	done
	local ms=$((($(date +%s%N) - t0) / 1000000 / RUNS))
	sleep 0.3 # the access log is written after the response
	local reqs
	reqs=$(tail -n +"$from" "$REG_LOG" | grep -cE '"(GET|HEAD|POST) /v2/' || true)
	echo "$name $ms $((reqs / RUNS))"
}
SK=(skopeo --policy "$POLICY" inspect --tls-verify=false)
skopeo_two() { "${SK[@]}" --raw "docker://$ONE" && "${SK[@]}" --config --raw "docker://$ONE"; }
# every document of the index, one skopeo process each
skopeo_each() {
	"${SK[@]}" --raw "docker://$TEN"
	local a
	for a in $ARCHES; do
		"${SK[@]}" --override-os linux --override-arch "$a" --raw "docker://$TEN"
		"${SK[@]}" --override-os linux --override-arch "$a" --config --raw "docker://$TEN"
	done
}
table() {
	printf '%-28s %8s %9s\n' tool ms/run requests
	while read -r n ms rq; do printf '%-28s %8s %9s\n' "$n" "$ms" "$rq"; done <"$1"
	echo
	echo "ratios (first row / other): time, requests"
	local bms brq
	read -r _ bms brq < <(head -1 "$1")
	tail -n +2 "$1" | while read -r n ms rq; do
		awk -v n="$n" -v a="$bms" -v b="$ms" -v c="$brq" -v d="$rq" \
			'BEGIN { printf "%-28s %6.2f %6.2f\n", n, a/(b?b:1), c/(d?d:1) }'
	done
}

{
	measure bakelens-digest-chain-id "$BAKELENS" digest --no-cache --what chain-id "$ONE"
	measure skopeo-inspect "${SK[@]}" "docker://$ONE"
	measure skopeo-raw+config-raw skopeo_two
} >"$BL_TMP/one.txt"
{
	measure bakelens-inspect-parallel "$BAKELENS" inspect --json --no-cache "$TEN"
	measure bakelens-inspect-one-by-one env BAKELENS_REGISTRY_PARALLEL=1 \
		"$BAKELENS" inspect --json --no-cache "$TEN"
	measure skopeo-raw-each-document skopeo_each
} >"$BL_TMP/ten.txt"

echo "local docker-registry (plain HTTP/1.1), $RUNS runs each, no cache"
echo
echo "1. chain-id of a single-platform image (bakelens reads: manifest + config)"
table "$BL_TMP/one.txt"
echo
echo "2. inspect of a 10-platform index (index + 10 manifests + 10 configs, the"
echo "   referrers fallback: one tag list)"
table "$BL_TMP/ten.txt"
