#!/usr/bin/env bash
# The explorer reads a manifest's referrers when the manifest is expanded,
# not before: against Debian's docker-registry (no referrers API, so the
# sha256-<hex> tag answers), its access log shows no referrers request
# (API, tag list or referrers tag) while the image is shown, and the
# request once the user opens the manifest, whose referrer then appears
# under it. Needs tmux and the registry tools. Exit 77 = skipped.
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
finish
