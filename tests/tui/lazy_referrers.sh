#!/usr/bin/env bash
# The explorer reads a manifest's referrers when the manifest is expanded,
# not before: against Debian's docker-registry (no referrers API, so the
# sha256-<hex> tag answers), its access log shows no referrers request
# (API, tag list or referrers tag) while the image is shown, and the
# request once the user opens the manifest, whose referrer then appears
# under it. The read is a background job: behind a registry made slow by
# fault_proxy.py (the tag list answered late) the cursor still moves while
# it runs, Esc stops it at once (the node says its referrers are pending;
# no request follows) and opening the manifest again reads them. Expand-all
# on an index whose two platform manifests each have a cosign signature
# reads both. Needs tmux and the registry tools. Exit 77 = skipped.
. "$BL_TESTLIB"
. "$BL_SRC/tests/integration/registry-lib.sh"
need_tool tmux
export TZ=UTC LC_ALL=C.UTF-8 TERM=xterm-256color

start_registry lazy plain
R=127.0.0.1:$REG_PORT
L=$BL_TMP/layout
make_layout "$L"
push "oci:$L:amd64" "$R/app:v1"
push "oci:$L:arm64" "$R/app:thing"
subject=$(skopeo_raw_digest "$R/app:v1")
ref=$(skopeo_raw_digest "$R/app:thing")
ref_size=$(skopeo --policy "$POLICY" inspect --tls-verify=false --raw "docker://$R/app:thing" | wc -c)
jq -nc --arg d "$ref" --argjson s "$ref_size" '{schemaVersion:2,
	mediaType:"application/vnd.oci.image.index.v1+json",
	manifests:[{mediaType:"application/vnd.oci.image.manifest.v1+json",
	digest:$d,size:$s,artifactType:"application/x-lazy"}]}' >"$BL_TMP/refidx.json"
curl -fsS -X PUT -H 'Content-Type: application/vnd.oci.image.index.v1+json' \
	--data-binary @"$BL_TMP/refidx.json" \
	"http://$R/v2/app/manifests/sha256-${subject#sha256:}" >/dev/null

SOCK=bl-lazy-$$
T="tmux -L $SOCK"
trap '$T kill-server 2>/dev/null || true; reg_cleanup' EXIT
. "$BL_SRC/tests/tui/tmux-lib.sh"
referrer_requests() { # since line $from of the access log
	sleep 0.3
	tail -n +"$from" "$REG_LOG" | grep -cE '"GET /v2/app/(referrers/|tags/list|manifests/sha256-[0-9a-f]+ )' || true
}

from=$(($(wc -l <"$REG_LOG") + 1))
$T -f /dev/null new-session -d -s bl -x 100 -y 24 \
	"env HOME='$HOME' XDG_CACHE_HOME='$XDG_CACHE_HOME' XDG_CONFIG_HOME=/nonexistent TZ=UTC LC_ALL=C.UTF-8 TERM=xterm-256color '$BAKELENS' --no-cache '$R/app:v1'; echo EXITED \$?; sleep 30"
$T set -g window-size manual
if wait_for "manifest ${subject:7:12}" 10; then pass; else fail "the manifest is not shown"; fi
sleep 1
expect_eq "no referrers request before the manifest is expanded" 0 "$(referrer_requests)"
case $($T capture-pane -p -t bl) in *"referrer: application/x-lazy"*) fail "the referrer is shown before it was read" ;; *) pass ;; esac
# the cursor to the manifest (a search), then closed and opened again
$T send-keys -t bl / "${subject:7:12}" Enter
sleep 0.3
$T send-keys -t bl h
sleep 0.3
$T send-keys -t bl l
if wait_for "referrer: application/x-lazy" 10 && wait_for "1 referrer read" 2; then pass; else fail "the referrer is not shown once the manifest is expanded"; fi
expect_eq "the referrers API asked once, after the expansion" 1 \
	"$(tail -n +"$from" "$REG_LOG" | grep -c "\"GET /v2/app/referrers/$subject " || true)"
expect_eq "the referrers tag read once" 1 \
	"$(tail -n +"$from" "$REG_LOG" | grep -c "\"GET /v2/app/manifests/sha256-${subject#sha256:} " || true)"
# opening it again asks nothing more
from=$(($(wc -l <"$REG_LOG") + 1))
$T send-keys -t bl h
sleep 0.2
$T send-keys -t bl l
sleep 0.5
expect_eq "a second expansion asks nothing" 0 "$(referrer_requests)"
$T send-keys -t bl q
if wait_for "EXITED 0" 5; then pass; else fail "q did not quit with 0"; fi
$T kill-session -t bl

# An index of two platforms, each manifest with a cosign-shaped signature
# under its sha256-<hex>.sig tag.
L2=$BL_TMP/multi
make_platform_index "$L2" multi amd64 arm64
push "oci:$L2:multi" "$R/multi:v1" --all
idx=sha256:$INDEX_HEX
mapfile -t plats < <(jq -r '.manifests[].digest' "$BL_TMP/multi.json")
expect_eq "two platform manifests" 2 "${#plats[@]}"
W=$BL_TMP/sigs
mkdir -p "$W"
printf '{}' >"$W/cfg.json"
for d in "${plats[@]}"; do
	jq -nc --arg d "$d" '{critical: {image: {"docker-manifest-digest": $d},
		type: "cosign container image signature"}, optional: {}}' >"$W/p-${d#sha256:}.json"
	jq -nc --arg c "$(sha256_of "$W/cfg.json")" --argjson cs "$(stat -c %s "$W/cfg.json")" \
		--arg p "$(sha256_of "$W/p-${d#sha256:}.json")" --argjson ps "$(stat -c %s "$W/p-${d#sha256:}.json")" \
		'{schemaVersion: 2, mediaType: "application/vnd.oci.image.manifest.v1+json",
		  config: {mediaType: "application/vnd.oci.image.config.v1+json", digest: $c, size: $cs},
		  layers: [{mediaType: "application/vnd.dev.cosign.simplesigning.v1+json", digest: $p, size: $ps,
		            annotations: {"dev.cosignproject.cosign/signature": "MEUCIQ=="}}]}' >"$W/m-${d#sha256:}.json"
	python3 "$BL_SRC/tests/integration/push_artifact.py" "$R" multi "sha256-${d#sha256:}.sig" \
		"$W/m-${d#sha256:}.json" "$W/cfg.json" "$W/p-${d#sha256:}.json" >/dev/null
done
sig_reads() { # GETs of the .sig tag of manifest $1 since line $from of the access log
	sleep 0.3
	tail -n +"$from" "$REG_LOG" | grep -c "\"GET /v2/multi/manifests/sha256-${1#sha256:}.sig " || true
}
run_bl() { # the explorer on $1 in a new session
	$T -f /dev/null new-session -d -s bl -x 120 -y 30 \
		"env HOME='$HOME' XDG_CACHE_HOME='$XDG_CACHE_HOME' XDG_CONFIG_HOME=/nonexistent TZ=UTC LC_ALL=C.UTF-8 TERM=xterm-256color '$BAKELENS' --no-cache '$1'; echo EXITED \$?; sleep 30"
	$T set -g window-size manual
}

# A slow registry: the tag list (the referrers fallback reads it) is
# answered 20 s late.
start_fault_proxy "$REG_PORT" u:p
P=127.0.0.1:$PP
amd=${plats[0]}
open_amd() { # the explorer through the proxy (rules $1), amd64's manifest opened
	echo "$1" >"$RULES"
	run_bl "$P/multi:v1"
	if wait_for "${amd:7:12}" 10; then pass; else fail "the platform manifest is not shown"; fi
	sleep 0.5
	$T send-keys -t bl / "${amd:7:12}" Enter
	sleep 0.3
	$T send-keys -t bl l
}
open_slow() { # the tag list answered late
	open_amd '[{"match": "GET /v2/multi/tags/list", "action": "delay:20000", "times": 1}]'
	if wait_for "reading referrers" 5; then pass; else fail "the node does not say its referrers are being read"; fi
}
open_slow
if wait_for "Referrers:" 2; then pass; else fail "no progress in the status bar"; fi
sleep 0.5
if grep -q "GET /v2/multi/tags/list" "$PLOG"; then pass; else fail "the tag list was not asked for"; fi
# the keys still work while the registry is silent: the cursor moves (the
# detail pane shows the next node) and comes back
before=$(tail -n 1 "$PLOG")
shot0=$($T capture-pane -p -t bl | head -n -1)
$T send-keys -t bl j
sleep 0.5
shot1=$($T capture-pane -p -t bl | head -n -1)
$T send-keys -t bl k
sleep 0.5
shot2=$($T capture-pane -p -t bl | head -n -1)
if [ "$shot0" != "$shot1" ]; then pass; else fail "the cursor did not move while the read ran"; fi
if [ "$shot0" = "$shot2" ]; then pass; else fail "the cursor did not come back while the read ran"; fi
if wait_for "reading referrers" 1; then pass; else fail "the read ended early"; fi
t0=$(date +%s%N)
$T send-keys -t bl Escape
if wait_for "referrers pending" 5; then pass; else fail "Esc did not put the node back to pending"; fi
ms=$((($(date +%s%N) - t0) / 1000000))
if [ "$ms" -lt 4000 ]; then pass; else fail "Esc took ${ms} ms with the registry stalled"; fi
case $($T capture-pane -p -t bl) in *"signature"*) fail "a signature is shown after the cancel" ;; *) pass ;; esac
sleep 1
expect_eq "no request after the cancel" "$before" "$(tail -n 1 "$PLOG")"
# opening it again reads them (the cancelled listing is listed again)
from=$(($(wc -l <"$REG_LOG") + 1))
$T send-keys -t bl h
sleep 0.2
$T send-keys -t bl l
if wait_for "1 referrer read" 10; then pass; else fail "expanding again did not read the referrer"; fi
if wait_for "signature" 2; then pass; else fail "the signature is not shown"; fi
expect_eq "the .sig tag of the opened manifest read once" 1 "$(sig_reads "$amd")"
$T send-keys -t bl q
if wait_for "EXITED 0" 5; then pass; else fail "q did not quit with 0"; fi
$T kill-session -t bl

# Quitting while a read runs joins it and exits cleanly.
open_slow
$T send-keys -t bl q
if wait_for "EXITED 0" 5; then pass; else fail "q while reading did not quit with 0"; fi
$T kill-session -t bl

# A registry that says "come back in 25 s" (429, Retry-After): Esc does not
# wait for it.
pfrom=$(($(wc -l <"$PLOG") + 1))
open_amd '[{"match": "GET /v2/multi/tags/list", "action": "429:25", "times": 1}]'
if wait_for "reading referrers" 5; then pass; else fail "the read did not start"; fi
sleep 1.5
expect_eq "the registry asked the explorer to wait" 1 "$(tail -n +"$pfrom" "$PLOG" | grep -c "GET /v2/multi/tags/list")"
t0=$(date +%s%N)
$T send-keys -t bl Escape
if wait_for "referrers pending" 5; then pass; else fail "Esc did not stop the wait"; fi
ms=$((($(date +%s%N) - t0) / 1000000))
if [ "$ms" -lt 3000 ]; then pass; else fail "Esc took ${ms} ms during a Retry-After wait"; fi
$T send-keys -t bl q
if wait_for "EXITED 0" 5; then pass; else fail "q did not quit with 0"; fi
$T kill-session -t bl

# A read that fails says why on the node; opening it again asks again.
open_amd '[{"match": "GET /v2/multi/referrers/", "action": "403", "times": 1}]'
if wait_for "! referrers not read: " 5; then pass; else fail "the node does not say the read failed"; fi
if wait_for "Referrers not read: " 1; then pass; else fail "the status line does not say the read failed"; fi
$T send-keys -t bl l
if wait_for "1 referrer read" 10; then pass; else fail "a second expansion did not read the referrer"; fi
case $($T capture-pane -p -t bl) in *"referrers not read"*) fail "the failure is still shown" ;; *) pass ;; esac
$T send-keys -t bl q
if wait_for "EXITED 0" 5; then pass; else fail "q did not quit with 0"; fi
$T kill-session -t bl

# Expand-all on the index reads the referrers of both platform manifests,
# in one job.
from=$(($(wc -l <"$REG_LOG") + 1))
run_bl "$R/multi:v1"
if wait_for "${idx:7:12}" 10; then pass; else fail "the index is not shown"; fi
sleep 0.5
$T send-keys -t bl / "${idx:7:12}" Enter
sleep 0.3
$T send-keys -t bl '*'
if wait_for "referrers read for 3 manifests" 10; then pass; else fail "expand-all did not read the referrers"; fi
for d in "${plats[@]}"; do
	expect_eq "the .sig tag of ${d:7:12} read once" 1 "$(sig_reads "$d")"
done
expect_eq "both signatures shown" 2 "$($T capture-pane -p -t bl | grep -c "signature" || true)"
$T send-keys -t bl q
if wait_for "EXITED 0" 5; then pass; else fail "q did not quit with 0"; fi
finish
