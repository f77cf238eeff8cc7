#!/usr/bin/env bash
# The real binary against a plain-HTTP docker-registry on 127.0.0.1: OCI,
# Docker v2s2, multi-platform and zstd images pushed with skopeo; the answers
# of `bakelens digest`, `inspect --json` and `tree` checked against
# `skopeo inspect --raw` / `--config --raw` (hashed with sha256sum); no layer
# blob requested (registry access log); referrers (tag fallback) shown under
# their subject; a metadata file whose image is only in the registry; the
# cache, --offline and --no-cache; the registry stopped. The probe
# (tests/integration/registry_probe) is kept for what the CLI cannot say:
# streaming a layer and listing tags.
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

# digests of one kind in `inspect --json` output, in document order
json_digests() { jq -r --arg k "$2" '[.. | objects | select(.kind? == $k) | .descriptor.digest] | .[]' "$1"; }

for ref in single:oci single:v2s2 zstd:latest; do
	run_bl "$O" "$E" digest "$R/$ref"
	expect_eq "$ref: digest exit" 0 "$rc"
	[ "$rc" -eq 0 ] || cat "$E" >&2
	expect_eq "$ref: digest = sha256 of skopeo inspect --raw" "$(skopeo_raw_digest "$R/$ref")" "$(cat "$O")"
	run_bl "$O" "$E" digest --what config "docker://$R/$ref"
	expect_eq "$ref: --what config = sha256 of skopeo inspect --config --raw" \
		"$(skopeo_config_digest "$R/$ref")" "$(cat "$O")"
	run_bl "$O" "$E" inspect --json "$R/$ref"
	expect_eq "$ref: inspect exit" 0 "$rc"
	expect_eq "$ref: inspect names the registry source" registry "$(jq -r '.sources[0].kind' "$O")"
	expect_eq "$ref: inspect config" "$(skopeo_config_digest "$R/$ref")" "$(json_digests "$O" config)"
	expect_eq "$ref: one layer listed" 1 "$(json_digests "$O" layer | wc -l)"
	json_digests "$O" layer >>"$BL_TMP/layers"
done
run_bl "$O" "$E" inspect --json "$R/single:v2s2"
expect_eq "v2s2 media type" application/vnd.docker.distribution.manifest.v2+json \
	"$(jq -r '.targets[0].children[0].descriptor.mediaType' "$O")"

for ref in multi:latest multi:v2s2; do
	run_bl "$O" "$E" inspect --json --no-cache "$R/$ref"
	expect_eq "$ref: exit" 0 "$rc"
	[ "$rc" -eq 0 ] || cat "$E" >&2
	expect_eq "$ref: index digest = skopeo --raw" "$(skopeo_raw_digest "$R/$ref")" "$(json_digests "$O" index)"
	expect_eq "$ref: two platforms" "linux/amd64 linux/arm64" \
		"$(jq -r '[.. | objects | select(.kind? == "manifest") | .label] | sort | join(" ")' "$O")"
	for plat in linux/amd64 linux/arm64; do
		md=$(jq -r --arg p "$plat" '.. | objects | select(.kind? == "manifest" and .label == $p) | .descriptor.digest' "$O")
		expect_eq "$ref: $plat manifest digest = skopeo --raw of it" "$(skopeo_raw_digest "$R/multi@$md")" "$md"
		run_bl "$BL_TMP/o2" "$E" digest "$R/$ref" --platform "$plat" --what config
		expect_eq "$ref: $plat config" "$(skopeo_config_digest "$R/multi@$md")" "$(cat "$BL_TMP/o2")"
		run_bl "$BL_TMP/o2" "$E" digest "$R/$ref" --platform "$plat" --what manifest
		expect_eq "$ref: $plat --what manifest" "$md" "$(cat "$BL_TMP/o2")"
	done
	json_digests "$O" layer >>"$BL_TMP/layers"
	run_bl "$O" "$E" tree "$R/$ref"
	expect_eq "$ref: tree exit" 0 "$rc"
	expect_eq "$ref: tree shows both platforms" 2 "$(grep -cE 'linux/(amd64|arm64)' "$O")"
done

# Never a layer blob for tree, inspect, digest (GET or HEAD, access log).
sort -u -o "$BL_TMP/layers" "$BL_TMP/layers"
expect_eq "layers were listed (2 or more)" yes "$([ "$(wc -l <"$BL_TMP/layers")" -ge 2 ] && echo yes || echo no)"
expect_eq "no layer blob requested (access log)" "" "$(layer_requests "$log_from" "$BL_TMP/layers")"
tail -n +"$log_from" "$REG_LOG" >"$BL_TMP/access.log" # (no grep -q in a pipe: pipefail)
expect_eq "access log has the manifest GETs" yes \
	"$(grep -q '"GET /v2/multi/manifests/latest' "$BL_TMP/access.log" && echo yes || echo no)"
expect_eq "requests were bakelens's (user agent)" yes \
	"$(grep -q '"bakelens/' "$BL_TMP/access.log" && echo yes || echo no)"

# A bare name that looks like a path is a missing file, never a network request.
lines=$(wc -l <"$REG_LOG")
run_bl "$O" "$E" tree "./$R/single:oci"
expect_eq "./path: exit (input error)" 3 "$rc"
expect_eq "./path: no such file" yes "$(grep -q 'no such file or directory' "$E" && echo yes || echo no)"
run_bl "$O" "$E" tree "$R/nothing-here.tar"
expect_eq "name.tar: exit (input error)" 3 "$rc"
sleep 0.2
expect_eq "missing paths: no request" "$lines" "$(wc -l <"$REG_LOG")"

# Errors of registry sources: exit codes by kind, messages naming the repository.
run_bl "$O" "$E" digest "$R/single:nope"
expect_eq "missing tag: exit (not found)" 6 "$rc"
expect_eq "missing tag: message" \
	"bakelens: registry $R: repository single: manifest nope not found (404 MANIFEST_UNKNOWN)" "$(cat "$E")"
run_bl "$O" "$E" tree --insecure "$R/single:oci"
expect_eq "--insecure with a reference for its value: usage" 2 "$rc"

# Streaming a layer when asked (the probe: no CLI command reads a layer yet).
run_probe "$O" "$E" "$R/single:oci"
layer=$(awk '$1=="layer"{print $2; exit}' "$O")
run_probe "$O" "$E" "$R/single:oci" stream "$layer"
expect_eq "stream a layer" "streamed $layer" "$(cut -d' ' -f1,2 "$O")"
# Tags (the probe: no CLI command lists tags).
run_probe "$O" "$E" "$R/single" tags
expect_eq "tags" "oci v2s2" "$(sort "$O" | paste -sd' ')"

# Referrers: docker-registry 2.8 has no referrers API, so the sha256-<hex>
# tag fallback is what answers. Put an index there by hand; bakelens shows the
# referrer as a child of its subject.
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
run_bl "$O" "$E" inspect --json "$R/single:oci"
expect_eq "referrer: exit" 0 "$rc"
expect_eq "referrer under its subject (label, digest)" \
	"referrer: application/vnd.example.sbom $ref_manifest" \
	"$(jq -r --arg s "$subject" '.. | objects | select(.descriptor.digest? == $s) | .children[]
		| select(.label | startswith("referrer: ")) | "\(.label) \(.descriptor.digest)"' "$O")"
expect_eq "referrer resolved (its config read)" "$(skopeo_config_digest "$R/single:v2s2")" \
	"$(jq -r '.. | objects | select(.label? // "" | startswith("referrer: ")) | .children[] | select(.kind == "config") | .descriptor.digest' "$O")"
run_bl "$O" "$E" tree "$R/single:oci"
expect_eq "tree shows the referrer" 1 "$(grep -c 'referrer: application/vnd.example.sbom' "$O")"

# A metadata file whose image is only in the registry (image.name pinned at
# containerimage.digest): resolved through the registry.
idx=$(skopeo_raw_digest "$R/multi:latest")
idx_size=$(skopeo --policy "$POLICY" inspect --tls-verify=false --raw "docker://$R/multi:latest" | wc -c)
arm=$(skopeo --policy "$POLICY" inspect --tls-verify=false --raw "docker://$R/multi:latest" |
	jq -r '.manifests[] | select(.platform.architecture == "arm64") | .digest')
jq -n --arg d "$idx" --argjson s "$idx_size" --arg n "$R/multi:latest" '{app: {
	"containerimage.digest": $d, "image.name": $n,
	"containerimage.descriptor": {mediaType: "application/vnd.oci.image.index.v1+json", digest: $d, size: $s}}}' \
	>"$BL_TMP/meta.json"
run_bl "$O" "$E" digest "$BL_TMP/meta.json" --platform linux/arm64 --what config
expect_eq "metadata via registry: exit" 0 "$rc"
[ "$rc" -eq 0 ] || cat "$E" >&2
expect_eq "metadata via registry: arm64 config" "$(skopeo_config_digest "$R/multi@$arm")" "$(cat "$O")"
run_bl "$O" "$E" inspect --json "$BL_TMP/meta.json"
expect_eq "metadata via registry: target ok" ok "$(jq -r '.targets[0].status' "$O")"
expect_eq "metadata via registry: root's note names the pinned reference" \
	"from the registry: $R/multi@$idx (not in the sources given)" "$(jq -r '.targets[0].children[0].note' "$O")"
# offline with an empty cache: unresolved, saying why
run_bl "$O" "$E" tree --offline "$BL_TMP/meta.json"
expect_eq "metadata offline: tree exit" 0 "$rc"
XDG_CACHE_HOME=$BL_TMP/empty-cache run_bl "$O" "$E" inspect --json --offline "$BL_TMP/meta.json"
expect_eq "metadata offline, empty cache: unresolved" unresolved "$(jq -r '.targets[0].children[0].status' "$O")"
msg=$(jq -r '.targets[0].children[0].message' "$O")
expect_eq "metadata offline: message says not in any source and --offline" yes \
	"$(printf '%s' "$msg" | grep -q "not in any source given.*--offline.*not in the cache and offline" && echo yes || echo no)"
XDG_CACHE_HOME=$BL_TMP/empty-cache run_bl "$O" "$E" digest --offline "$BL_TMP/meta.json" --what config
expect_eq "metadata offline: a config cannot be answered (exit)" 6 "$rc"
expect_eq "metadata offline: stderr says --offline" yes "$(grep -q -- "--offline" "$E" && echo yes || echo no)"

# Tags, as skopeo lists them.
run_bl "$O" "$E" tags "$R/single"
expect_eq "tags: exit" 0 "$rc"
expect_eq "tags: the repository's tags" \
	"$(skopeo --policy "$POLICY" list-tags --tls-verify=false "docker://$R/single" | jq -r '.Tags[]' | sort | tr '\n' ' ')" \
	"$(sort "$O" | tr '\n' ' ')"
run_bl "$O" "$E" tags --json "$R/multi"
expect_eq "tags --json" '["latest","v2s2"]' "$(jq -c 'sort' "$O")"
run_bl "$O" "$E" tags "$R/nosuchrepo"
expect_eq "tags of a missing repository: exit" 6 "$rc"
run_bl "$O" "$E" tags "$BL_SRC/examples/out"
expect_eq "tags of a layout: usage error" 2 "$rc"

# The cache: a pinned image read once is read again with the registry stopped.
pinned="$R/multi@$idx"
rm -rf "$XDG_CACHE_HOME"
run_bl "$O" "$E" digest "$pinned" --platform linux/arm64 --what config
expect_eq "pinned: exit" 0 "$rc"
cp "$O" "$BL_TMP/online.out"
ls "$XDG_CACHE_HOME/bakelens/blobs/sha256" >"$BL_TMP/cached"
# digest reads only the platform asked for: the index, its arm64 manifest and config
expect_eq "cache holds index, the arm64 manifest and config" 3 "$(wc -l <"$BL_TMP/cached")"
for f in $(cat "$BL_TMP/cached"); do
	expect_eq "cached $f verified" "$f" "$(sha256sum "$XDG_CACHE_HOME/bakelens/blobs/sha256/$f" | cut -d' ' -f1)"
done
expect_eq "no layer in the cache" "" "$(grep -F -f <(sed 's/^sha256://' "$BL_TMP/layers") "$BL_TMP/cached" || true)"
run_bl "$O" "$E" digest --offline "$pinned" --platform linux/arm64 --what config
expect_eq "offline from the cache: exit" 0 "$rc"
expect_eq "offline from the cache: same answer" "$(cat "$BL_TMP/online.out")" "$(cat "$O")"
run_bl "$O" "$E" digest --offline "$R/multi:latest"
expect_eq "offline tag: network error (exit 7)" 7 "$rc"

kill "$REG_PID"
while kill -0 "$REG_PID" 2>/dev/null; do sleep 0.1; done
run_bl "$O" "$E" digest "$pinned" --platform linux/arm64 --what config
expect_eq "registry stopped, cached: exit" 0 "$rc"
expect_eq "registry stopped, cached: same answer" "$(cat "$BL_TMP/online.out")" "$(cat "$O")"
run_bl "$O" "$E" digest "$pinned"
expect_eq "registry stopped, cached: root digest" "$idx" "$(cat "$O")"
run_bl "$O" "$E" digest --no-cache "$pinned"
expect_eq "registry stopped, --no-cache: network error (exit 7)" 7 "$rc"
expect_eq "registry stopped, --no-cache: message names the registry" yes \
	"$(grep -q "registry $R: repository multi: manifest $idx: .*onnect" "$E" && echo yes || echo no)"
rm -rf "$XDG_CACHE_HOME"
run_bl "$O" "$E" digest --no-cache "$pinned"
expect_eq "--no-cache: nothing written" no "$([ -d "$XDG_CACHE_HOME/bakelens/blobs" ] && echo yes || echo no)"

finish
