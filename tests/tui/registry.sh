#!/usr/bin/env bash
# The explorer on a registry image, in a real terminal (tmux), against Debian's
# docker-registry with tests/integration/fault_proxy.py in front of it:
#  1. the first manifest request stalls: the status bar shows the remote load
#     going on, the keys still answer (? opens the help), and Esc cancels it
#     promptly (exit 130) although the request is still hanging;
#  2. without the stall the image opens: the index, both platforms, and the
#     configs read from the registry, whose access log shows no layer request;
#  3. F on a platform streams its layer once (the access log), shows its file
#     tree, and F again after closing it reads nothing more.
# Needs: BAKELENS, BL_TESTLIB, BL_REGISTRY_PROBE (set by meson), tmux, and the
# registry tools (docker-registry, skopeo, umoci). Exit 77 = skipped.
. "$BL_TESTLIB"
. "$BL_SRC/tests/integration/registry-lib.sh"
need_tool tmux
export TZ=UTC LC_ALL=C.UTF-8 TERM=xterm-256color

start_registry tui plain
UP=$REG_PORT
make_layout "$BL_TMP/layout"
push "oci:$BL_TMP/layout:multi" "127.0.0.1:$UP/app:latest" --all
PP=$(free_port)
TP=$(free_port)
RULES=$BL_TMP/rules.json
PLOG=$BL_TMP/proxy.log
echo '[]' >"$RULES"
python3 "$BL_SRC/tests/integration/fault_proxy.py" "$PP" "$UP" "$RULES" "$PLOG" 127.0.0.2 "$TP" &
BL_PIDS="$BL_PIDS $!"
wait_port "$PP"
REF=127.0.0.1:$PP/app:latest

SOCK=bl-reg-$$
T="tmux -L $SOCK-0"
trap '$T kill-server 2>/dev/null || true; reg_cleanup' EXIT
. "$BL_SRC/tests/tui/tmux-lib.sh"
start() { # ARGS...: bakelens in an 80x24 pane; "EXITED rc" when it ends
	tui_start 80 24 \
		"env HOME='$HOME' XDG_CACHE_HOME='$XDG_CACHE_HOME' XDG_CONFIG_HOME=/nonexistent TZ=UTC LC_ALL=C.UTF-8 TERM=xterm-256color '$BAKELENS' $*; echo EXITED \$?; sleep 30"
}

# 1. a stalled manifest request
printf '%s' '[{"match":"GET /v2/app/manifests/latest","action":"stall","times":9}]' >"$RULES"
start --no-cache "$REF"
if wait_for "Esc cancel" 10; then pass; else fail "stalled load: no progress in the status bar"; fi
# "opening" comes first; the stalled request's name follows once the request is sent
if wait_for "Loading: manifest latest" 10; then pass; else fail "stalled load: the status bar does not say what is loading: $(pane | tail -1)"; fi
sleep 2.5
bar=$(pane | tail -1)
case $bar in *"s)"*) pass ;; *) fail "stalled load: the status bar shows no time going by: $bar" ;; esac
$T send-keys -t bl '?'
if wait_for "bakelens keys" 5; then pass; else fail "stalled load: ? did not open the help"; fi
$T send-keys -t bl Escape
sleep 0.3
$T send-keys -t bl Escape
t0=$(date +%s%N)
if wait_for "EXITED 130" 8; then pass; else fail "stalled load: Esc did not cancel (exit 130)"; fi
ms=$((($(date +%s%N) - t0) / 1000000))
expect_eq "stalled load: cancelled promptly (< 8 s; the stall lasts 30 s)" yes "$([ "$ms" -lt 8000 ] && echo yes || echo no)"
expect_eq "stalled load: the manifest was asked for" yes \
	"$(grep -q 'GET /v2/app/manifests/latest' "$PLOG" && echo yes || echo no)"

# 2. the same image, no stall
echo '[]' >"$RULES"
from=$(($(wc -l <"$REG_LOG") + 1))
start --no-cache "$REF"
if wait_for "linux/arm64" 10; then pass; else fail "registry image: the platforms are not shown"; fi
screen=$(pane)
idx=$(skopeo_raw_digest "127.0.0.1:$UP/app:latest")
case $screen in *"index ${idx:7:12}"*) pass ;; *) fail "registry image: index ${idx:7:12} not shown" ;; esac
case $screen in *"linux/amd64"*) pass ;; *) fail "registry image: linux/amd64 not shown" ;; esac
$T send-keys -t bl '*'
if wait_for "config" 5; then pass; else fail "registry image: configs not shown"; fi
$T send-keys -t bl q
if wait_for "EXITED 0" 5; then pass; else fail "registry image: q did not quit with 0"; fi
sleep 0.3
layers=$(cd "$BL_TMP/layout/blobs/sha256" && for f in *; do
	jq -r '.layers[]?.digest' "$f" 2>/dev/null || true
done | sort -u | paste -sd'|')
expect_eq "registry image: the layers are known" yes "$([ -n "$layers" ] && echo yes || echo no)"
expect_eq "registry image: no layer blob requested (access log)" 0 \
	"$(tail -n +"$from" "$REG_LOG" | grep -E '"GET /v2/app/blobs/' | grep -cE "$layers" || true)"
expect_eq "registry image: the configs were read from it (access log)" 2 \
	"$(tail -n +"$from" "$REG_LOG" | grep -cE '"GET /v2/app/blobs/' || true)"

# 3. the file tree of linux/amd64: its layer streamed once for the session
amd=$(jq -r '.manifests[] | select(.annotations["org.opencontainers.image.ref.name"] == "amd64") | .digest' \
	"$BL_TMP/layout/index.json" | cut -c8-)
amd_layer=$(jq -r '.layers[0].digest' "$BL_TMP/layout/blobs/sha256/$amd")
from=$(($(wc -l <"$REG_LOG") + 1))
start --no-cache "$REF"
if wait_for "linux/amd64" 10; then pass; else fail "file tree: the platforms are not shown"; fi
$T send-keys -t bl / linux/amd64 Enter
sleep 0.3
$T send-keys -t bl F
if wait_for "layer 1/1 of linux/amd64, image as of it" 10; then pass; else fail "file tree: F shows no tree"; fi
$T send-keys -t bl '*'
if wait_for "bakelens-test" 5; then pass; else fail "file tree: the layer's file is not shown"; fi
$T send-keys -t bl q
sleep 0.3
$T send-keys -t bl F
if wait_for "layer 1/1 of linux/amd64, image as of it" 2; then pass; else fail "file tree: F again shows no tree"; fi
$T send-keys -t bl q q
if wait_for "EXITED 0" 5; then pass; else fail "file tree: q did not quit with 0"; fi
sleep 0.3
expect_eq "file tree: the layer was requested once (access log)" 1 \
	"$(tail -n +"$from" "$REG_LOG" | grep -cF "GET /v2/app/blobs/$amd_layer" || true)"
finish
