#!/usr/bin/env bash
# How many requests each command sends to a registry, counted in the
# registry's own access log: `digest` reads only what its answer needs (no
# referrers, no tag list; the manifests below an index only when asked
# for what is in them), a pinned digest in the cache needs no request at
# all (registry stopped), `inspect` reads every document exactly once and
# the repository's tag list (the referrers fallback) once per run.
. "$BL_TESTLIB"
. "$(dirname "$0")/registry-lib.sh"

start_registry requests plain
R=127.0.0.1:$REG_PORT
L=$BL_TMP/layout
make_layout "$L"
push "oci:$L:amd64" "$R/single:oci"
push "oci:$L:multi" "$R/multi:latest" --all

# An index of four platforms, each image its own (distinct manifests and configs).
Q=$BL_TMP/quad
make_platform_index "$Q" quad amd64 arm64 ppc64le s390x
qhex=$INDEX_HEX
push "oci:$Q:quad" "$R/quad:latest" --all

O=$BL_TMP/out
E=$BL_TMP/err
mark() { sleep 0.2; from=$(($(wc -l <"$REG_LOG") + 1)); }
# the requests since the mark, as "METHOD PATH" lines
requests() {
	sleep 0.3
	tail -n +"$from" "$REG_LOG" | grep -oE '"(GET|HEAD|POST|PUT) /v2/[^ ]*' | tr -d '"' || true
}
count() { requests | grep -c -E "$1" || true; }
# a fresh cache for each command whose requests are counted
fresh() { export XDG_CACHE_HOME=$BL_TMP/cache-$1; }

single=$(skopeo_raw_digest "$R/single:oci")
single_config=$(skopeo_config_digest "$R/single:oci")

# digest --what manifest of a tag: the manifest, once, by tag.
fresh m1
mark
run_bl "$O" "$E" digest --what manifest "$R/single:oci"
expect_eq "manifest: exit" 0 "$rc"
expect_eq "manifest: digest = sha256 of skopeo inspect --raw" "$single" "$(cat "$O")"
expect_eq "manifest of a tag: one request" "GET /v2/single/manifests/oci" "$(requests)"

# Of an index, with --platform: the index alone names the manifest.
fresh m2
arm=$(skopeo --policy "$POLICY" inspect --tls-verify=false --raw "docker://$R/multi:latest" |
	jq -r '.manifests[] | select(.platform.architecture == "arm64") | .digest')
mark
run_bl "$O" "$E" digest --what manifest --platform linux/arm64 "$R/multi:latest"
expect_eq "manifest of an index's platform" "$arm" "$(cat "$O")"
expect_eq "manifest of an index's platform: one request" "GET /v2/multi/manifests/latest" "$(requests)"

# config and chain-id: the manifest and its config.
for what in config chain-id; do
	fresh "$what"
	mark
	run_bl "$O" "$E" digest --what "$what" "$R/single:oci"
	expect_eq "$what: exit" 0 "$rc"
	expect_eq "$what: two requests" \
		"GET /v2/single/manifests/oci GET /v2/single/blobs/$single_config" "$(requests | paste -sd' ')"
done
expect_eq "config digest = skopeo --config --raw" "$single_config" \
	"$(XDG_CACHE_HOME=$BL_TMP/cache-config "$BAKELENS" digest --what config "$R/single:oci")"
diff_id=$(skopeo --policy "$POLICY" inspect --tls-verify=false --config --raw "docker://$R/single:oci" | jq -r '.rootfs.diff_ids[0]')
expect_eq "chain-id of one layer = its diff_id (skopeo)" "$diff_id" "$(cat "$O")"

# every key at once (--json): still the manifest and its config, no referrers
fresh json
mark
run_bl "$O" "$E" digest --json "$R/single:oci"
expect_eq "--json: exit" 0 "$rc"
expect_eq "--json: the config among the keys" yes "$(grep -q "$single_config" "$O" && echo yes || echo no)"
expect_eq "--json: two requests" \
	"GET /v2/single/manifests/oci GET /v2/single/blobs/$single_config" "$(requests | paste -sd' ')"

# config of one platform of four: the index, that manifest and its config.
fresh q1
amd=$(skopeo --policy "$POLICY" inspect --tls-verify=false --raw "docker://$R/quad:latest" |
	jq -r '.manifests[] | select(.platform.architecture == "amd64") | .digest')
amd_config=$(skopeo_config_digest "$R/quad@$amd")
mark
run_bl "$O" "$E" digest --what config --platform linux/amd64 "$R/quad:latest"
expect_eq "quad amd64 config" "$amd_config" "$(cat "$O")"
expect_eq "quad amd64 config: three requests" \
	"$(printf '%s\n' "GET /v2/quad/manifests/latest" "GET /v2/quad/manifests/$amd" "GET /v2/quad/blobs/$amd_config" | sort | paste -sd' ')" \
	"$(requests | sort | paste -sd' ')"

# inspect of the four-platform index: every document exactly once, and no
# layer; the tag list at most once.
fresh q2
mark
run_bl "$O" "$E" inspect --json "$R/quad:latest"
expect_eq "quad inspect: exit" 0 "$rc"
docs=$(jq -r '[.. | objects | select(.kind? == "index" or .kind? == "manifest" or .kind? == "config") | .descriptor.digest] | unique | .[]' "$O")
expect_eq "quad: 9 documents (index, 4 manifests, 4 configs)" 9 "$(printf '%s\n' "$docs" | wc -l)"
for d in $docs; do
	[ "$d" = "sha256:$qhex" ] && continue # asked for by tag
	expect_eq "quad: $d requested once" 1 "$(count "/v2/quad/(manifests|blobs)/$d\$")"
done
expect_eq "quad: the index by tag once" 1 "$(count '^GET /v2/quad/manifests/latest$')"
expect_eq "quad: document requests in all" 9 "$(count '/v2/quad/(manifests|blobs)/')"
expect_eq "quad: tag list at most once" yes "$([ "$(count '/tags/list')" -le 1 ] && echo yes || echo no)"

# Referrers by the tag fallback (docker-registry has no referrers API) on
# the index and on one of its manifests: inspect shows both and lists the
# repository's tags once.
multi=$(skopeo_raw_digest "$R/multi:latest")
amd64m=$(skopeo --policy "$POLICY" inspect --tls-verify=false --raw "docker://$R/multi:latest" |
	jq -r '.manifests[] | select(.platform.architecture == "amd64") | .digest')
ref_size=$(skopeo --policy "$POLICY" inspect --tls-verify=false --raw "docker://$R/single:oci" | wc -c)
push "oci:$L:amd64" "$R/multi:sbom"
for subject in "$multi" "$amd64m"; do
	jq -nc --arg d "$single" --argjson s "$ref_size" '{schemaVersion:2,
		mediaType:"application/vnd.oci.image.index.v1+json",
		manifests:[{mediaType:"application/vnd.oci.image.manifest.v1+json",
		digest:$d,size:$s,artifactType:"application/vnd.example.sbom"}]}' >"$BL_TMP/refidx.json"
	curl -fsS -X PUT -H 'Content-Type: application/vnd.oci.image.index.v1+json' \
		--data-binary @"$BL_TMP/refidx.json" \
		"http://$R/v2/multi/manifests/sha256-${subject#sha256:}" >/dev/null
done
fresh r1
mark
run_bl "$O" "$E" inspect --json "$R/multi:latest"
expect_eq "referrers: inspect exit" 0 "$rc"
expect_eq "referrers: shown under the index and the amd64 manifest" \
	"$multi $amd64m" \
	"$(jq -r '[.. | objects | select(.children? // [] | any(.label | startswith("referrer: "))) | .descriptor.digest] | join(" ")' "$O")"
expect_eq "referrers: the tag list requested once" 1 "$(count '/v2/multi/tags/list')"
expect_eq "referrers: each referrers tag once" "1 1" \
	"$(count "/manifests/sha256-${multi#sha256:}\$") $(count "/manifests/sha256-${amd64m#sha256:}\$")"
expect_eq "referrers: the referrer's manifest once" 1 "$(count "/v2/multi/manifests/$single\$")"
fresh r2
mark
run_bl "$O" "$E" tree "$R/multi:latest"
expect_eq "referrers: tree shows both" 2 "$(grep -c 'referrer: application/vnd.example.sbom' "$O")"
expect_eq "referrers: tree lists the tags once" 1 "$(count '/v2/multi/tags/list')"
# The tag list in pages of one (the proxy writes the Link headers): read
# once, every page, so that only the referrers tags that exist are asked for.
arm64m=$(skopeo --policy "$POLICY" inspect --tls-verify=false --raw "docker://$R/multi:latest" |
	jq -r '.manifests[] | select(.platform.architecture == "arm64") | .digest')
start_fault_proxy "$REG_PORT" nobody:nothing
printf '[{"match":"GET /v2/multi/tags/list","action":"pages:1","times":99}]' >"$RULES"
fresh r4
run_bl "$O" "$E" inspect --json "127.0.0.1:$PP/multi:latest"
expect_eq "paged tags: inspect exit" 0 "$rc"
expect_eq "paged tags: both referrers shown" 2 \
	"$(jq '[.. | objects | select(.label? // "" | startswith("referrer: "))] | length' "$O")"
ntags=$(skopeo --policy "$POLICY" list-tags --tls-verify=false "docker://$R/multi" | jq '.Tags | length')
expect_eq "paged tags: every page read once ($ntags tags)" "$ntags" "$(grep -c 'GET /v2/multi/tags/list' "$PLOG")"
expect_eq "paged tags: no request for a referrers tag that is not there" 0 \
	"$(grep -c "/manifests/sha256-${arm64m#sha256:}" "$PLOG" || true)"
# digest never asks for referrers, even where there are some
fresh r3
mark
run_bl "$O" "$E" digest "$R/multi:latest"
expect_eq "digest of an index with referrers" "$multi" "$(cat "$O")"
expect_eq "digest of an index with referrers: one request" "GET /v2/multi/manifests/latest" "$(requests)"

# cosign's tags: a signature of the amd64 manifest under sha256-<hex>.sig,
# found in the same tag list and shown as a referrer.
push "oci:$L:arm64" "$R/multi:sha256-${amd64m#sha256:}.sig"
sig=$(skopeo_raw_digest "$R/multi:sha256-${amd64m#sha256:}.sig")
fresh c1
mark
run_bl "$O" "$E" inspect --json "$R/multi:latest"
expect_eq "cosign: inspect exit" 0 "$rc"
expect_eq "cosign: the signature under the amd64 manifest" "signature (cosign) $sig" \
	"$(jq -r --arg s "$amd64m" '.. | objects | select(.descriptor.digest? == $s) | .children[]
		| select(.referrer.kind == "signature") | "\(.label) \(.descriptor.digest)"' "$O")"
expect_eq "cosign: its tag asked for once" 1 "$(count "/manifests/sha256-${amd64m#sha256:}.sig\$")"
expect_eq "cosign: no tag asked for that is not listed" 0 "$(count '/manifests/sha256-[0-9a-f]*\.(att|sbom)$')"
expect_eq "cosign: the tag list once" 1 "$(count '/v2/multi/tags/list')"

# A pinned reference already in the cache: no request, even with the registry stopped.
fresh pinned
run_bl "$O" "$E" digest --what config --platform linux/amd64 "$R/quad@sha256:$qhex"
expect_eq "pinned, first run: config" "$amd_config" "$(cat "$O")"
mark
for what in index manifest config chain-id; do
	run_bl "$O" "$E" digest --what "$what" --platform linux/amd64 "$R/quad@sha256:$qhex"
	expect_eq "pinned and cached, --what $what: exit" 0 "$rc"
done
expect_eq "pinned and cached: no request" "" "$(requests)"
run_bl "$O" "$E" digest "$R/quad@sha256:$qhex"
expect_eq "pinned and cached: the digest is the reference's" "sha256:$qhex" "$(cat "$O")"
kill "$REG_PID"
while kill -0 "$REG_PID" 2>/dev/null; do sleep 0.1; done
run_bl "$O" "$E" digest --what chain-id --platform linux/amd64 "$R/quad@sha256:$qhex"
expect_eq "registry stopped, pinned and cached: exit" 0 "$rc"
expect_eq "registry stopped, pinned and cached: nothing on stderr" "" "$(cat "$E")"

finish
