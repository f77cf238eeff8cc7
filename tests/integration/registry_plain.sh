#!/usr/bin/env bash
# The registry store against a plain-HTTP docker-registry on 127.0.0.1:
# OCI, Docker v2s2, multi-platform and zstd images pushed with skopeo; answers
# checked against `skopeo inspect --raw` / `--config --raw`; no layer blob
# requested (registry access log); tags, referrers tag fallback; the cache
# and --offline for a pinned reference.
. "$BL_TESTLIB"
. "$(dirname "$0")/registry-lib.sh"

start_registry plain plain
R=127.0.0.1:$REG_PORT
L=$BL_TMP/layout
make_layout "$L"
push "oci:$L:amd64" "$R/single:oci"
push "oci:$L:amd64" "$R/single:v2s2" --format v2s2
push "oci:$L:multi" "$R/multi:latest" --all
push "oci:$L:arm64" "$R/zstd:latest" --dest-compress --dest-compress-format zstd
push "oci:$L:multi" "$R/multi:v2s2" --all --format v2s2

log_from=$(($(wc -l <"$REG_LOG") + 1))
O=$BL_TMP/out
E=$BL_TMP/err
: >"$BL_TMP/layers"

for ref in single:oci single:v2s2 zstd:latest; do
	run_probe "$O" "$E" --stats "$R/$ref"
	expect_eq "$ref: exit" 0 "$rc"
	[ "$rc" -eq 0 ] || cat "$E" >&2
	expect_eq "$ref: root digest = sha256 of skopeo inspect --raw" \
		"$(skopeo_raw_digest "$R/$ref")" "$(awk '$1=="root"{print $4}' "$O")"
	expect_eq "$ref: root name" "$R/$ref" "$(awk '$1=="root"{print $2}' "$O")"
	expect_eq "$ref: config digest = sha256 of skopeo inspect --config --raw" \
		"$(skopeo_config_digest "$R/$ref")" "$(awk '$1=="config"{print $2}' "$O")"
	expect_eq "$ref: one layer listed" 1 "$(grep -c '^layer ' "$O")"
	awk '$1=="layer"{print $2}' "$O" >>"$BL_TMP/layers"
done
expect_eq "v2s2 media type" application/vnd.docker.distribution.manifest.v2+json \
	"$(run_probe "$O" "$E" "$R/single:v2s2"; awk '$1=="root"{print $3}' "$O")"

for ref in multi:latest multi:v2s2; do
	run_probe "$O" "$E" --stats --no-cache "$R/$ref"
	expect_eq "$ref: exit" 0 "$rc"
	[ "$rc" -eq 0 ] || cat "$E" >&2
	expect_eq "$ref: index digest = skopeo --raw" "$(skopeo_raw_digest "$R/$ref")" \
		"$(awk '$1=="root"{print $4}' "$O")"
	expect_eq "$ref: two platforms" "linux/amd64 linux/arm64" \
		"$(awk '$1=="manifest"{print $3}' "$O" | sort | paste -sd' ')"
	while read -r _ md plat; do
		expect_eq "$ref: $plat manifest digest = skopeo --raw of it" \
			"$(skopeo_raw_digest "$R/multi@$md")" "$md"
		expect_eq "$ref: $plat config" "$(skopeo_config_digest "$R/multi@$md")" \
			"$(awk -v m="$md" '$1=="manifest"{cur=$2} $1=="config" && cur==m {print $2}' "$O")"
	done < <(grep '^manifest ' "$O")
	awk '$1=="layer"{print $2}' "$O" >>"$BL_TMP/layers"
	# requests: 1 index + 2 manifests + 2 configs, with prefetch in parallel
	reqs=$(sed -n 's/^stats requests=\([0-9]*\).*/\1/p' "$E")
	expect_eq "$ref: 5 requests for index, 2 manifests, 2 configs" 5 "$reqs"
done

# Never a layer blob for reading manifests and configs.
sort -u -o "$BL_TMP/layers" "$BL_TMP/layers"
expect_eq "layers were listed" yes "$([ -s "$BL_TMP/layers" ] && echo yes || echo no)"
expect_eq "no layer blob requested (access log)" "" "$(layer_requests "$log_from" "$BL_TMP/layers")"
expect_eq "access log has the manifest GETs" yes \
	"$(tail -n +"$log_from" "$REG_LOG" | grep -q '"GET /v2/multi/manifests/latest' && echo yes || echo no)"

# Streaming a layer when asked: verified at the end.
run_probe "$O" "$E" "$R/single:oci"
layer=$(awk '$1=="layer"{print $2; exit}' "$O")
run_probe "$O" "$E" "$R/single:oci" stream "$layer"
expect_eq "stream a layer" "streamed $layer" "$(cut -d' ' -f1,2 "$O")"

# Tags (paged by the registry when n is small: ours asks for 1000).
run_probe "$O" "$E" "$R/single" tags
expect_eq "tags" "oci v2s2" "$(sort "$O" | paste -sd' ')"

# Referrers: docker-registry 2.8 has no referrers API, so the sha256-<hex>
# tag fallback is what answers. Put an index there by hand.
subject=$(skopeo_raw_digest "$R/single:oci")
ref_manifest=$(skopeo_raw_digest "$R/single:v2s2")
ref_size=$(skopeo --policy "$POLICY" inspect --tls-verify=false --raw "docker://$R/single:v2s2" | wc -c)
jq -nc --arg d "$ref_manifest" --argjson s "$ref_size" '{schemaVersion:2,
	mediaType:"application/vnd.oci.image.index.v1+json",
	manifests:[{mediaType:"application/vnd.docker.distribution.manifest.v2+json",
	digest:$d,size:$s,artifactType:"application/vnd.example.sbom"}]}' >"$BL_TMP/refidx.json"
curl -fsS -X PUT -H 'Content-Type: application/vnd.oci.image.index.v1+json' \
	--data-binary @"$BL_TMP/refidx.json" \
	"http://$R/v2/single/manifests/sha256-${subject#sha256:}" >/dev/null
run_probe "$O" "$E" "$R/single:oci" referrers "$subject"
expect_eq "referrers via the tag fallback" \
	"referrer $ref_manifest application/vnd.example.sbom" "$(cat "$O")"
run_probe "$O" "$E" "$R/single:oci" referrers "$ref_manifest"
expect_eq "no referrers is not an error" "0:" "$rc:$(cat "$O")"

# 404s name the registry, the repository and what was missing.
run_probe "$O" "$E" "$R/single:nope"
expect_eq "missing tag: exit" 1 "$rc"
expect_eq "missing tag: message" \
	"registry_probe: not-found: registry $R: repository single: manifest nope not found (404 MANIFEST_UNKNOWN)" \
	"$(cat "$E")"

# The cache: a pinned reference read once works offline, with no request.
pinned="$R/multi@$(skopeo_raw_digest "$R/multi:latest")"
rm -rf "$XDG_CACHE_HOME"
run_probe "$O" "$BL_TMP/e1" --stats "$pinned"
expect_eq "pinned: exit" 0 "$rc"
cp "$O" "$BL_TMP/online.out"
ls "$XDG_CACHE_HOME/bakelens/blobs/sha256" >"$BL_TMP/cached"
expect_eq "cache holds index, 2 manifests, 2 configs" 5 "$(wc -l <"$BL_TMP/cached")"
for f in $(cat "$BL_TMP/cached"); do
	expect_eq "cached $f verified" "$f" "$(sha256sum "$XDG_CACHE_HOME/bakelens/blobs/sha256/$f" | cut -d' ' -f1)"
done
expect_eq "no layer in the cache" "" "$(grep -F -f <(sed 's/^sha256://' "$BL_TMP/layers") "$BL_TMP/cached" || true)"
run_probe "$O" "$E" --offline --stats "$pinned"
expect_eq "offline: exit" 0 "$rc"
expect_eq "offline: same answer" "$(cat "$BL_TMP/online.out")" "$(cat "$O")"
expect_eq "offline: no request" "stats requests=0 bytes=0 cache_hits=5" "$(cat "$E")"
# a damaged cache file is detected and ignored (fetched again when online)
victim=$(awk '$1=="config"{print $2; exit}' "$O")
echo garbage >"$XDG_CACHE_HOME/bakelens/blobs/sha256/${victim#sha256:}"
run_probe "$O" "$E" --offline "$pinned"
expect_eq "offline with a corrupt config: fails" 1 "$rc"
expect_eq "offline with a corrupt config: says not cached" yes \
	"$(grep -q "${victim}: not in the cache (offline)" "$E" && echo yes || echo no)"
run_probe "$O" "$E" "$pinned"
expect_eq "online again: repaired" 0 "$rc"
expect_eq "repaired file verified" "${victim#sha256:}" \
	"$(sha256sum "$XDG_CACHE_HOME/bakelens/blobs/sha256/${victim#sha256:}" | cut -d' ' -f1)"
# a tag needs the network
run_probe "$O" "$E" --offline "$R/multi:latest"
expect_eq "offline tag: fails" 1 "$rc"
# --no-cache neither reads nor writes
rm -rf "$XDG_CACHE_HOME"
run_probe "$O" "$E" --no-cache "$pinned"
expect_eq "no-cache: exit" 0 "$rc"
expect_eq "no-cache: nothing written" no "$([ -d "$XDG_CACHE_HOME/bakelens/blobs" ] && echo yes || echo no)"

finish
