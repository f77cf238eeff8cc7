#!/usr/bin/env bash
# Limits every registry request obeys, through tests/integration/fault_proxy.py
# in front of the real docker-registry (htpasswd auth):
# - a deadline per transfer (BAKELENS_TRANSFER_DEADLINE): a config dripped at
#   2 bytes a second ends in a clear network error, not hours later;
# - Retry-After honoured on the prefetch path as on the others;
# - a body longer than its descriptor declares is cut as soon as it is;
# - tag pages: Link targets parsed as URLs (upper-case scheme, scheme-relative),
#   same-origin ones followed, others refused with a message, never silently.
. "$BL_TESTLIB"
. "$(dirname "$0")/registry-lib.sh"

start_registry limits htpasswd
UP=$REG_PORT
R0=127.0.0.1:$UP
CREDS='tester:s3cr3t-Pa55'
L=$BL_TMP/layout
make_layout "$L"
push "oci:$L:amd64" "$R0/single:latest" --dest-creds "$CREDS"
push "oci:$L:amd64" "$R0/single:v1" --dest-creds "$CREDS"
push "oci:$L:arm64" "$R0/single:v2" --dest-creds "$CREDS"
push "oci:$L:multi" "$R0/multi:latest" --all --dest-creds "$CREDS"
CFG=$(skopeo_config_digest "$R0/single:latest" --creds "$CREDS")
# the amd64 config, as the index's child names it
MCFG=$(skopeo --policy "$POLICY" inspect --tls-verify=false --creds "$CREDS" --override-arch amd64 --override-os linux --config --raw "docker://$R0/multi:latest" | sha256sum | cut -d' ' -f1 | sed 's/^/sha256:/')
MCFG_SIZE=$(skopeo --policy "$POLICY" inspect --tls-verify=false --creds "$CREDS" --override-arch amd64 --override-os linux --config --raw "docker://$R0/multi:latest" | wc -c)

start_fault_proxy "$UP" "$CREDS"
R=127.0.0.1:$PP
B64=$(printf '%s' "$CREDS" | base64)
printf '{"auths":{"%s":{"auth":"%s"}}}' "$R" "$B64" >"$BL_TMP/auth.json"
O=$BL_TMP/out
E=$BL_TMP/err

# rules RULES: installed, logs emptied
rules() {
	printf '%s' "$1" >"$RULES"
	: >"$PLOG"
	: >"$PLOG.detail"
}
yesno() { if "$@"; then echo yes; else echo no; fi; }
# drip_tree: `tree` with a 2 s deadline; its time in $secs
drip_tree() {
	local t0=$(date +%s%N)
	BAKELENS_TRANSFER_DEADLINE=2 run_bl "$O" "$E" tree --no-cache --authfile "$BL_TMP/auth.json" "$R/single:latest"
	secs=$((($(date +%s%N) - t0) / 1000000000))
}

# 1. The deadline. 2 bytes a second is above the low-speed limit (1 byte/s),
# so only the deadline ends it: 2 s for a config of a few hundred bytes.
rules "[{\"match\":\"GET /v2/single/blobs/$CFG\",\"action\":\"drip:2\",\"times\":9}]"
drip_tree
expect_eq "drip: exit (network)" 7 "$rc"
expect_eq "drip: says too slow, with the deadline" yes \
	"$(yesno grep -qE "registry $R: repository single: blob $CFG: transfer too slow: [0-9]+ bytes in [0-9]+ s \(deadline 2 s\)" "$E")"
expect_eq "drip: not retried (one config GET)" 1 "$(grep -c "GET /v2/single/blobs/$CFG" "$PLOG")"
expect_eq "drip: bounded (< 15 s)" yes "$(yesno [ "$secs" -lt 15 ])"
sleep 1 # the proxy notices the client left
sent=$(awk -v p="/v2/single/blobs/$CFG" '$1=="sent" && $2==p {print $3}' "$PLOG.detail")
expect_eq "drip: only a few bytes went (2 s at 2 B/s)" yes "$(yesno [ "${sent:-99}" -le 12 ])"
rules "[{\"match\":\"GET /v2/single/blobs/$CFG\",\"action\":\"drip:2\",\"times\":9}]"
BAKELENS_TRANSFER_DEADLINE=2 run_probe "$O" "$E" --authfile "$BL_TMP/auth.json" --cache-dir "$BL_TMP/probe-cache" "$R/single:latest"
expect_eq "drip, store: a network error" yes \
	"$(yesno grep -qE "^registry_probe: net: registry $R: repository single: blob $CFG: transfer too slow" "$E")"
# the root manifest: no declared size, the floor alone
rules '[{"match":"GET /v2/single/manifests/latest","action":"drip:2","times":9}]'
drip_tree
expect_eq "drip root: exit (network)" 7 "$rc"
expect_eq "drip root: says too slow" yes \
	"$(yesno grep -qE "^bakelens: registry $R: repository single: manifest latest: transfer too slow: [0-9]+ bytes in [0-9]+ s \(deadline 2 s\)" "$E")"
expect_eq "drip root: bounded (< 15 s)" yes "$(yesno [ "$secs" -lt 15 ])"
rules '[]'
BAKELENS_TRANSFER_DEADLINE=soon run_bl "$O" "$E" tree --no-cache --authfile "$BL_TMP/auth.json" "$R/single:latest"
expect_eq "deadline not a number: exit (usage)" 2 "$rc"
expect_eq "deadline not a number: says so" yes \
	"$(yesno grep -q 'BAKELENS_TRANSFER_DEADLINE: expected seconds (1 to 86400), got "soon"' "$E")"
expect_eq "deadline not a number: no request" 0 "$(wc -l <"$PLOG")"

# 2a. Retry-After on the prefetch path: the index's children and then their
# configs are prefetched; the config's first GET (a prefetch) gets 429 with
# Retry-After: 1, and nothing asks for it again within that second.
rules "[{\"match\":\"GET /v2/multi/blobs/$MCFG\",\"action\":\"429\",\"times\":1}]"
run_bl "$O" "$E" tree --no-cache --authfile "$BL_TMP/auth.json" "$R/multi:latest"
expect_eq "429 on prefetch: exit" 0 "$rc"
expect_eq "429 on prefetch: config shown" yes "$(yesno grep -q "config  ${MCFG:0:19}" "$O")"
times=$(awk -v p="/v2/multi/blobs/$MCFG" '$2=="GET" && $3==p {print $1}' "$PLOG.detail")
expect_eq "429 on prefetch: asked twice" 2 "$(echo "$times" | grep -c .)"
gap=$(echo "$times" | awk 'NR==1{a=$1} NR==2{printf "%.3f", $1-a}')
expect_eq "429 on prefetch: Retry-After honoured (gap $gap >= 1 s)" yes \
	"$(yesno awk -v g="$gap" 'BEGIN{exit !(g >= 1.0)}')"

# 2b. A config far longer than declared (48 MB, no Content-Length): cut at
# the declared size, on the prefetch and on the read.
rules "[{\"match\":\"GET /v2/multi/blobs/$MCFG\",\"action\":\"oversize:48\",\"times\":9}]"
run_bl "$O" "$E" tree --no-cache --authfile "$BL_TMP/auth.json" "$R/multi:latest"
expect_eq "oversize: exit (verify)" 5 "$rc"
expect_eq "oversize: says longer than declared" yes \
	"$(yesno grep -q "larger than the $MCFG_SIZE bytes the descriptor says" "$E")"
sleep 1
total=$(awk -v p="/v2/multi/blobs/$MCFG" '$1=="sent" && $2==p {s+=$3} END{print s+0}' "$PLOG.detail")
nreq=$(awk -v p="/v2/multi/blobs/$MCFG" '$2=="GET" && $3==p' "$PLOG.detail" | wc -l)
expect_eq "oversize: asked at least once" yes "$(yesno [ "$nreq" -ge 1 ])"
expect_eq "oversize: little sent ($total bytes in $nreq GETs, < 8 MB)" yes "$(yesno [ "$total" -lt 8388608 ])"

# 3. Tag pages (the proxy writes the Link header).
ALL=$(skopeo --policy "$POLICY" list-tags --tls-verify=false --creds "$CREDS" "docker://$R0/single" | jq -r '.Tags[]' | sort | paste -sd' ')
for kind in pages-upper pages-rel; do
	rules "[{\"match\":\"GET /v2/single/tags/list\",\"action\":\"$kind:2\",\"times\":99}]"
	run_bl "$O" "$E" tags --authfile "$BL_TMP/auth.json" "$R/single"
	expect_eq "$kind: exit" 0 "$rc"
	expect_eq "$kind: every tag" "$ALL" "$(sort "$O" | paste -sd' ')"
	expect_eq "$kind: next page followed" 1 "$(grep -c 'GET /v2/single/tags/list?n=2&last=.* auth=yes' "$PLOG")"
done
rules '[{"match":"GET /v2/single/tags/list","action":"pages-relaway:2","times":99}]'
run_bl "$O" "$E" tags --authfile "$BL_TMP/auth.json" "$R/single"
expect_eq "scheme-relative Link to another host: exit (invalid)" 4 "$rc"
expect_eq "scheme-relative Link to another host: refused, says so" yes \
	"$(yesno grep -q "^bakelens: registry $R: repository single: tag list page 1: next page on another host (http://127.0.0.2:$TP) refused" "$E")"
expect_eq "scheme-relative Link to another host: nothing asked of it" "" "$(grep '^TARGET' "$PLOG" || true)"
expect_eq "scheme-relative Link: not asked as a path here" 0 "$(grep -c 'GET //' "$PLOG" || true)"
echo '[]' >"$RULES"

for secret in s3cr3t-Pa55 "$B64"; do
	expect_eq "no secret in outputs" "" "$(grep -lF -- "$secret" "$O" "$E" || true)"
	expect_eq "no secret in the cache" "" "$(grep -rlF -- "$secret" "$XDG_CACHE_HOME" 2>/dev/null || true)"
done
finish
