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
#     `skopeo inspect --raw` of each document (index, manifests, configs);
#     then the same two bakelens runs through tests/integration/fault_proxy.py
#     answering every request 50 ms late (a registry far away), where
#     fetching several at once shows.
# Printed as ratios (bakelens / other).
#
# usage: bench/registry-requests.sh BUILD_DIR [RUNS]
set -euo pipefail
SRC=$(cd "$(dirname "$0")/.." && pwd)
. "$SRC/bench/lib.sh"
bench_registry "$@"
push "oci:$BL_TMP/layout:amd64" "$R/bench/one:latest"
ONE=$R/bench/one:latest

# The 10-platform index: one umoci image per architecture, an index by jq.
ARCHES="amd64 arm64 arm 386 ppc64le s390x riscv64 mips64le mipsle loong64"
T=$BL_TMP/ten
# shellcheck disable=SC2086
make_platform_index "$T" ten $ARCHES
push "oci:$T:ten" "$R/bench/ten:latest" --all
TEN=$R/bench/ten:latest

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
	printf '%-28s %8s %9s %9s\n' tool ms/run requests bytes
	while read -r n ms rq by; do printf '%-28s %8s %9s %9s\n' "$n" "$ms" "$rq" "$by"; done <"$1"
	echo
	echo "ratios (first row / other): time, requests"
	local bms brq
	read -r _ bms brq _ < <(head -1 "$1")
	tail -n +2 "$1" | while read -r n ms rq _; do
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

start_fault_proxy "$REG_PORT" nobody:nothing
echo '[{"match":"/v2/","action":"delay:50","times":1000000}]' >"$RULES"
FAR=127.0.0.1:$PP/bench/ten:latest
{
	measure bakelens-inspect-parallel-50ms "$BAKELENS" inspect --json --no-cache "$FAR"
	measure bakelens-inspect-one-by-one-50ms env BAKELENS_REGISTRY_PARALLEL=1 \
		"$BAKELENS" inspect --json --no-cache "$FAR"
} >"$BL_TMP/far.txt"

echo "local docker-registry (plain HTTP/1.1), $RUNS runs each, no cache"
echo
echo "1. chain-id of a single-platform image (bakelens reads: manifest + config)"
table "$BL_TMP/one.txt"
echo
echo "2. inspect of a 10-platform index (index + 10 manifests + 10 configs, the"
echo "   referrers fallback: one tag list)"
table "$BL_TMP/ten.txt"
echo
echo "3. the same inspect, every answer 50 ms late (fault_proxy.py delay:50)"
table "$BL_TMP/far.txt"
