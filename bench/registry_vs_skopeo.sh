#!/usr/bin/env bash
# Requests, bytes and wall time of reading a multi-platform image from a local
# docker-registry: `bakelens inspect --json --no-cache` (index, 2 manifests,
# 2 configs, and the referrers of each: API then tag fallback) against
# `skopeo inspect`, `skopeo inspect --raw` and `--config --raw`; also
# bakelens with its cache warm (a pinned reference: no request at all but the
# referrers), the store alone (tests/integration/registry_probe: the same
# documents, no referrers), and the skopeo runs a user needs to see the same
# documents (index, then each platform's manifest and config). Then a
# single-platform image, the same way. Requests and bytes come from the
# registry's access log. Printed as ratios.
#
# usage: bench/registry_vs_skopeo.sh BUILD_DIR [RUNS]
set -euo pipefail
SRC=$(cd "$(dirname "$0")/.." && pwd)
. "$SRC/bench/lib.sh"
bench_registry "$@"
push "oci:$BL_TMP/layout:multi" "$R/bench/app:latest" --all
push "oci:$BL_TMP/layout:amd64" "$R/bench/one:latest"
REF=$R/bench/app:latest
ONE=$R/bench/one:latest

# What skopeo needs to show what bakelens inspect shows: the index, then per
# platform its manifest and config (one skopeo process each, as a user would
# run them; skopeo has no way to ask for several at once).
skopeo_same() {
	local S=(skopeo --policy "$POLICY" inspect --tls-verify=false)
	"${S[@]}" --raw "docker://$REF"
	local arch
	for arch in amd64 arm64; do
		"${S[@]}" --override-os linux --override-arch "$arch" "docker://$REF"
		"${S[@]}" --override-os linux --override-arch "$arch" --config --raw "docker://$REF"
	done
}
skopeo_one() { # manifest and config of a single-platform image
	skopeo --policy "$POLICY" inspect --tls-verify=false "docker://$ONE" &&
		skopeo --policy "$POLICY" inspect --tls-verify=false --config --raw "docker://$ONE"
}

PINNED=$R/bench/app@$(skopeo --policy "$POLICY" inspect --tls-verify=false --raw "docker://$REF" | sha256sum | cut -d' ' -f1 | sed 's/^/sha256:/')
"$BAKELENS" inspect --json "$PINNED" >/dev/null # warm the cache for the cached row
{
	measure bakelens-inspect "$BAKELENS" inspect --json --no-cache "docker://$REF"
	measure bakelens-inspect-cached "$BAKELENS" inspect --json "$PINNED"
	measure store-alone "$BL_REGISTRY_PROBE" --no-cache "$REF"
	measure skopeo-inspect skopeo --policy "$POLICY" inspect --tls-verify=false "docker://$REF"
	measure skopeo-inspect-raw skopeo --policy "$POLICY" inspect --tls-verify=false --raw "docker://$REF"
	measure skopeo-inspect-config skopeo --policy "$POLICY" inspect --tls-verify=false --config --raw "docker://$REF"
	measure skopeo-same-documents skopeo_same
} >"$BL_TMP/results"
{
	measure bakelens-inspect-1 "$BAKELENS" inspect --json --no-cache "docker://$ONE"
	measure skopeo-inspect-1 skopeo --policy "$POLICY" inspect --tls-verify=false "docker://$ONE"
	measure skopeo-manifest+config-1 skopeo_one
} >"$BL_TMP/results-one"

echo "local docker-registry, multi-platform OCI index (2 platforms), $RUNS runs each, no cache"
echo "bakelens reads: index + 2 manifests + 2 configs + referrers of 3 (everything inspect shows)"
printf '%-24s %8s %9s %9s\n' tool ms/run requests bytes
while read -r n ms rq by; do printf '%-24s %8s %9s %9s\n' "$n" "$ms" "$rq" "$by"; done <"$BL_TMP/results"
echo
echo "ratios (bakelens / other): time, requests, bytes"
ratios() { # RESULTS: the first row against each other row
	local bms brq bby
	read -r _ bms brq bby < <(head -1 "$1")
	tail -n +2 "$1" | while read -r n ms rq by; do
		awk -v n="$n" -v a="$bms" -v b="$ms" -v c="$brq" -v d="$rq" -v e="$bby" -v f="$by" \
			'BEGIN { printf "%-24s %6.2f %6.2f %6.2f\n", n, a/(b?b:1), c/(d?d:1), e/(f?f:1) }'
	done
}
ratios "$BL_TMP/results"
echo
echo "single-platform image (manifest + config + referrers)"
printf '%-24s %8s %9s %9s\n' tool ms/run requests bytes
while read -r n ms rq by; do printf '%-24s %8s %9s %9s\n' "$n" "$ms" "$rq" "$by"; done <"$BL_TMP/results-one"
echo
echo "ratios (bakelens / other): time, requests, bytes"
ratios "$BL_TMP/results-one"
