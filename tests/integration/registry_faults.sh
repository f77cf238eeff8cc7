#!/usr/bin/env bash
# Faults, injected by tests/integration/fault_proxy.py (the fault injector, an
# HTTP proxy in front of the real docker-registry with htpasswd auth): 429
# with Retry-After, 500, a stall, a wrong body, a redirect to another host;
# and the registry stopped mid-session. Each ends in a success after retry
# or a clear error, never a hang, and nothing unverified in the cache.
. "$BL_TESTLIB"
. "$(dirname "$0")/registry-lib.sh"

start_registry faults htpasswd
UP=$REG_PORT
R0=127.0.0.1:$UP
L=$BL_TMP/layout
make_layout "$L"
push "oci:$L:amd64" "$R0/single:latest" --dest-creds 'tester:s3cr3t-Pa55'
CFG=$(skopeo_config_digest "$R0/single:latest" --creds 'tester:s3cr3t-Pa55')
MAN=$(skopeo_raw_digest "$R0/single:latest" --creds 'tester:s3cr3t-Pa55')

start_fault_proxy "$UP" 'tester:s3cr3t-Pa55'
R=127.0.0.1:$PP
B64=$(printf 'tester:s3cr3t-Pa55' | base64)
printf '{"auths":{"%s":{"auth":"%s"},"%s":{"auth":"%s"}}}' "$R" "$B64" "$R0" "$B64" >"$BL_TMP/auth.json"
O=$BL_TMP/out
E=$BL_TMP/err
CACHE=$BL_TMP/cache

# run_fault NAME RULES: fresh cache, rules installed, probe run; time in $secs
run_fault() {
	rm -rf "$CACHE"
	printf '%s' "$2" >"$RULES"
	: >"$PLOG"
	local t0=$(date +%s%N)
	run_probe "$O" "$E" --authfile "$BL_TMP/auth.json" --cache-dir "$CACHE" --low-speed-time 2 "$R/single:latest"
	secs=$((($(date +%s%N) - t0) / 1000000000))
}
nothing_unverified() {
	local bad=""
	for f in "$CACHE"/blobs/sha256/*; do
		[ -e "$f" ] || continue
		[ "$(sha256sum "$f" | cut -d' ' -f1)" = "$(basename "$f")" ] || bad="$bad $f"
	done
	expect_eq "$1: nothing unverified in the cache" "" "$bad"
}

run_fault 429 '[{"match":"GET /v2/single/manifests/latest","action":"429","times":1}]'
expect_eq "429 then success: exit" 0 "$rc"
expect_eq "429: root digest" "$MAN" "$(awk '$1=="root"{print $4}' "$O")"
expect_eq "429: Retry-After honoured (>= 1 s)" yes "$([ "$secs" -ge 1 ] && echo yes || echo no)"
expect_eq "429: asked again" yes "$([ "$(grep -c 'GET /v2/single/manifests/latest' "$PLOG")" -ge 3 ] && echo yes || echo no)"
nothing_unverified 429

run_fault 500 "[{\"match\":\"GET /v2/single/blobs/$CFG\",\"action\":\"500\",\"times\":2}]"
expect_eq "500 twice then success: exit" 0 "$rc"
expect_eq "500: config" "$CFG" "$(awk '$1=="config"{print $2}' "$O")"
expect_eq "500: three config GETs" 3 "$(grep -c "GET /v2/single/blobs/$CFG" "$PLOG")"

run_fault 500-always "[{\"match\":\"GET /v2/single/blobs/$CFG\",\"action\":\"500\",\"times\":9}]"
expect_eq "500 always: exit" 1 "$rc"
expect_eq "500 always: bounded tries (4)" 4 "$(grep -c "GET /v2/single/blobs/$CFG" "$PLOG")"
expect_eq "500 always: message" yes "$(grep -q "registry $R: repository single: blob $CFG: HTTP 500, after retries" "$E" && echo yes || echo no)"

run_fault stall "[{\"match\":\"GET /v2/single/blobs/$CFG\",\"action\":\"stall\",\"times\":1}]"
expect_eq "stall once: success after one more try: exit" 0 "$rc"
expect_eq "stall once: config" "$CFG" "$(awk '$1=="config"{print $2}' "$O")"
expect_eq "stall once: two config GETs" 2 "$(grep -c "GET /v2/single/blobs/$CFG" "$PLOG")"
expect_eq "stall once: waited for the stall (>= 1 s; the low-speed time is 2 s)" yes "$([ "$secs" -ge 1 ] && echo yes || echo no)"
nothing_unverified stall-once

run_fault stall "[{\"match\":\"GET /v2/single/blobs/$CFG\",\"action\":\"stall\",\"times\":9}]"
expect_eq "stall: exit" 1 "$rc"
expect_eq "stall: says timed out twice" yes "$(grep -q "blob $CFG: timed out twice" "$E" && echo yes || echo no)"
expect_eq "stall: tried twice, no more" 2 "$(grep -c "GET /v2/single/blobs/$CFG" "$PLOG")"
expect_eq "stall: no hang (< 20 s)" yes "$([ "$secs" -lt 20 ] && echo yes || echo no)"
nothing_unverified stall

run_fault wrongbody "[{\"match\":\"GET /v2/single/blobs/$CFG\",\"action\":\"wrongbody\",\"times\":9}]"
expect_eq "wrong body: exit" 1 "$rc"
expect_eq "wrong body: digest error" yes "$(grep -q "^registry_probe: digest: registry $R: repository single: blob $CFG: body hashes to sha256:[0-9a-f]* (not cached)" "$E" && echo yes || echo no)"
expect_eq "wrong body: config not in the cache" no "$([ -e "$CACHE/blobs/sha256/${CFG#sha256:}" ] && echo yes || echo no)"
nothing_unverified wrongbody

run_fault wrong-manifest '[{"match":"GET /v2/single/manifests/latest","action":"wrongbody","times":9}]'
expect_eq "wrong manifest body: exit" 1 "$rc"
expect_eq "wrong manifest body: Docker-Content-Digest check" yes "$(grep -q "manifest latest: body hashes to sha256:[0-9a-f]* but Docker-Content-Digest says $MAN (not cached)" "$E" && echo yes || echo no)"
nothing_unverified wrong-manifest

run_fault redirect "[{\"match\":\"GET /v2/single/blobs/$CFG\",\"action\":\"redirect\",\"times\":1}]"
expect_eq "redirect: exit" 0 "$rc"
expect_eq "redirect: config" "$CFG" "$(awk '$1=="config"{print $2}' "$O")"
expect_eq "redirect: Authorization was sent to the registry" yes "$(grep -q "GET /v2/single/blobs/$CFG auth=yes" "$PLOG" && echo yes || echo no)"
expect_eq "redirect: no Authorization to the other host" "TARGET GET /signed/v2/single/blobs/$CFG?sig=abc authorization=no" "$(grep '^TARGET' "$PLOG")"

# The same through the real binary (the probe above has knobs the CLI has not:
# --cache-dir, --low-speed-time, a hook after the root).
printf '%s' '[{"match":"GET /v2/single/manifests/latest","action":"429","times":1}]' >"$RULES"
: >"$PLOG"
XDG_CACHE_HOME=$BL_TMP/cli-cache run_bl "$O" "$E" digest --authfile "$BL_TMP/auth.json" "$R/single:latest"
expect_eq "cli: 429 then success: exit" 0 "$rc"
expect_eq "cli: 429 then success: digest" "$MAN" "$(cat "$O")"
# Rate-limit headers (as Docker Hub sends them) are shown to the user.
printf '%s' '[{"match":"GET /v2/single/manifests/latest","action":"ratelimit","times":9}]' >"$RULES"
XDG_CACHE_HOME=$BL_TMP/cli-cache run_bl "$O" "$E" tree --no-cache --authfile "$BL_TMP/auth.json" "$R/single:latest"
expect_eq "cli: rate limit: exit" 0 "$rc"
expect_eq "cli: rate limit shown" yes "$(grep -q "rate limit: 76;w=21600 remaining of 100;w=21600" "$E" && echo yes || echo no)"
printf '%s' "[{\"match\":\"GET /v2/single/blobs/$CFG\",\"action\":\"wrongbody\",\"times\":9}]" >"$RULES"
rm -rf "$BL_TMP/cli-cache"
XDG_CACHE_HOME=$BL_TMP/cli-cache run_bl "$O" "$E" tree --authfile "$BL_TMP/auth.json" "$R/single:latest"
expect_eq "cli: wrong config body: exit (verify)" 5 "$rc"
expect_eq "cli: wrong config body: says so" yes "$(grep -q "blob $CFG: body hashes to sha256:[0-9a-f]* (not cached)" "$E" && echo yes || echo no)"
expect_eq "cli: wrong config body: not cached" no "$([ -e "$BL_TMP/cli-cache/bakelens/blobs/sha256/${CFG#sha256:}" ] && echo yes || echo no)"
echo '[]' >"$RULES"

# The OCI 1.1 referrers API (the proxy stands in for it: see fault_proxy.py).
# An SBOM-like referrer of the manifest is listed by the API; bakelens shows it
# under its subject and, the API having answered, never lists tags or asks for
# the sha256-<hex> fallback tag. Its config is read: the referrer is resolved.
REFM=$(skopeo_raw_digest "$R0/single:latest" --creds 'tester:s3cr3t-Pa55')
push "oci:$L:arm64" "$R0/single:sbom" --dest-creds 'tester:s3cr3t-Pa55'
SBOM=$(skopeo_raw_digest "$R0/single:sbom" --creds 'tester:s3cr3t-Pa55')
SBOM_SIZE=$(skopeo --policy "$POLICY" inspect --tls-verify=false --creds 'tester:s3cr3t-Pa55' --raw "docker://$R0/single:sbom" | wc -c)
jq -nc --arg d "$SBOM" --argjson s "$SBOM_SIZE" '{schemaVersion:2,
	mediaType:"application/vnd.oci.image.index.v1+json",
	manifests:[{mediaType:"application/vnd.oci.image.manifest.v1+json",
	digest:$d,size:$s,artifactType:"application/spdx+json"}]}' >"$BL_TMP/refidx.json"
curl -fsS -u 'tester:s3cr3t-Pa55' -X PUT -H 'Content-Type: application/vnd.oci.image.index.v1+json' \
	--data-binary @"$BL_TMP/refidx.json" \
	"http://$R0/v2/single/manifests/sha256-${REFM#sha256:}" >/dev/null
printf '%s' '[{"match":"GET /v2/single/referrers/","action":"referrers","times":99}]' >"$RULES"
: >"$PLOG"
XDG_CACHE_HOME=$BL_TMP/ref-cache run_bl "$O" "$E" inspect --json --authfile "$BL_TMP/auth.json" "$R/single:latest"
expect_eq "referrers API: exit" 0 "$rc"
expect_eq "referrers API: the referrer under its subject, named an SBOM" "SBOM application/spdx+json $SBOM" \
	"$(jq -r --arg s "$REFM" '.. | objects | select(.descriptor.digest? == $s) | .children[]
		| select(.referrer) | "\(.label) \(.descriptor.digest)"' "$O")"
expect_eq "referrers API: the referrer resolved (its config)" \
	"$(skopeo_config_digest "$R0/single:sbom" --creds 'tester:s3cr3t-Pa55')" \
	"$(jq -r '.. | objects | select(.referrer) | .children[] | select(.kind == "config") | .descriptor.digest' "$O")"
expect_eq "referrers API: asked for the subject" 1 "$(grep -c "GET /v2/single/referrers/$REFM " "$PLOG")"
expect_eq "referrers API: no tag listing, no fallback tag" 0 \
	"$(grep -cE 'GET /v2/single/(tags/list|manifests/sha256-)' "$PLOG" || true)"
echo '[]' >"$RULES"

# Tag listing in pages (the proxy cuts docker-registry's one answer into pages
# of 2 with Link headers): every tag, one authorised request a page (the
# first, unauthorised, one gets the Basic challenge).
printf '%s' '[{"match":"GET /v2/single/tags/list","action":"pages:2","times":99}]' >"$RULES"
: >"$PLOG"
XDG_CACHE_HOME=$BL_TMP/ref-cache run_bl "$O" "$E" tags --authfile "$BL_TMP/auth.json" "$R/single"
expect_eq "tags in pages: exit" 0 "$rc"
expect_eq "tags in pages: every tag, as skopeo lists them" \
	"$(skopeo --policy "$POLICY" list-tags --tls-verify=false --creds 'tester:s3cr3t-Pa55' "docker://$R0/single" | jq -r '.Tags[]' | sort | paste -sd' ')" \
	"$(sort "$O" | paste -sd' ')"
ntags=$(wc -l <"$O")
expect_eq "tags in pages: one request a page, following Link" \
	"$(((ntags + 1) / 2)) $(((ntags + 1) / 2 - 1))" \
	"$(grep -c 'GET /v2/single/tags/list.* auth=yes' "$PLOG") $(grep -c 'GET /v2/single/tags/list?n=2&last=.* auth=yes' "$PLOG")"
# An absolute Link to the registry itself is followed; one to another origin
# is not (credentials go with every page), and says so.
printf '%s' '[{"match":"GET /v2/single/tags/list","action":"pages-abs:2","times":99}]' >"$RULES"
XDG_CACHE_HOME=$BL_TMP/ref-cache run_bl "$O" "$E" tags --authfile "$BL_TMP/auth.json" "$R/single"
expect_eq "tags, absolute Link to the registry: exit" 0 "$rc"
expect_eq "tags, absolute Link to the registry: every tag" "$ntags" "$(wc -l <"$O")"
printf '%s' '[{"match":"GET /v2/single/tags/list","action":"pages-away:2","times":99}]' >"$RULES"
: >"$PLOG"
XDG_CACHE_HOME=$BL_TMP/ref-cache run_bl "$O" "$E" tags --authfile "$BL_TMP/auth.json" "$R/single"
expect_eq "tags, Link to another origin: exit (invalid)" 4 "$rc"
expect_eq "tags, Link to another origin: says so" yes \
	"$(grep -q "^bakelens: registry $R: repository single: tag list page 1: next page on another host (http://127.0.0.2:$TP) refused" "$E" && echo yes || echo no)"
expect_eq "tags, Link to another origin: nothing asked of it" "" "$(grep '^TARGET' "$PLOG" || true)"
echo '[]' >"$RULES"

# The registry stopped mid-session (after the root was read).
rm -rf "$CACHE"
PROBE_AFTER_ROOT="kill $REG_PID; while kill -0 $REG_PID 2>/dev/null; do sleep 0.1; done" \
	run_probe "$O" "$E" --authfile "$BL_TMP/auth.json" --cache-dir "$CACHE" "$R0/single:latest"
expect_eq "stopped: exit" 1 "$rc"
expect_eq "stopped: root was read" "$MAN" "$(awk '$1=="root"{print $4}' "$O")"
expect_eq "stopped: clear message" yes "$(grep -q "^registry_probe: net: registry $R0: repository single: blob $CFG: .*onnect" "$E" && echo yes || echo no)"
grep -q "root $MAN" "$O" || cat "$E" >&2
for secret in s3cr3t-Pa55 "$(printf 'tester:s3cr3t-Pa55' | base64)"; do
	expect_eq "no secret in outputs" "" "$(grep -lF -- "$secret" "$O" "$E" || true)"
done
finish
