#!/bin/sh
# The compare view in a real terminal (tmux): `bakelens --diff A B` on two
# OCI layouts made here with umoci (B changes layer 2's content, adds a layer
# and is built later, so its config differs), walking the differences, a
# file diff of the changed layer pair, resize, quit; A against C (A made again
# later) with timestamps ignored (t) and counted again; then in the explorer
# the file tree of an image and of a layer (F), and the mark (M) and compare (=) flow. Screens are compared with golden files at
# 80x24 and 160x50; BL_UPDATE_SCREENS=1 rewrites them.
# Needs: BAKELENS, BL_SRC (set by meson), umoci, tmux, jq. Exit 77 = skipped.
set -u
export TZ=UTC LC_ALL=C.UTF-8 TERM=xterm-256color
: "${BAKELENS:?}" "${BL_SRC:?}"
for t in tmux umoci jq; do
	command -v $t >/dev/null || { echo "no $t: skip"; exit 77; }
done
SOCK=bl-cmp-$$
T="tmux -L $SOCK-0"
W=$(mktemp -d)
fail=0
cleanup() { $T kill-server 2>/dev/null; rm -rf "$W"; }
trap cleanup EXIT INT TERM

# Two images, everything timestamped, so digests (and screens) are stable.
cd "$W" || exit 1
mkdir files && echo one >files/a && echo two >files/b && echo three >files/c &&
	echo TWO >files/b2 && echo four >files/d
touch -d @1700000000 files files/*
mkimg() { # LAYOUT CREATED FILE...
	L=$1 c=$2
	shift 2
	umoci init --layout "$L" && umoci new --image "$L:v1" &&
		umoci config --image "$L:v1" --os linux --architecture amd64 --created "$c" \
			--history.created "$c" --config.cmd /bin/true || return 1
	for f in "$@"; do
		umoci insert --image "$L:v1" --history.created "$c" \
			--history.created_by "COPY $(basename "$f")" "$f" "/$(basename "$f")" || return 1
	done
}
mkimg A 2024-01-01T00:00:00Z files/a files/b files/c >/dev/null || exit 1
mkimg B 2024-02-02T00:00:00Z files/a files/b2 files/c files/d >/dev/null || exit 1
# C is A made again later: the same files with new mtimes, a new created.
mkdir later && cp files/a files/b files/c later/ && touch -d @1710000000 later later/*
mkimg C 2024-03-03T00:00:00Z later/a later/b later/c >/dev/null || exit 1

. "$BL_SRC/tests/tui/tmux-lib.sh"
start() { # WIDTH HEIGHT ARGS...
	w=$1 h=$2
	shift 2
	tui_start "$w" "$h" \
		"cd '$W' && env TZ=UTC LC_ALL=C.UTF-8 TERM=xterm-256color NO_COLOR= XDG_CONFIG_HOME=/nonexistent '$BAKELENS' $*; echo EXITED \$?; sleep 30"
}

# --- bakelens --diff A B
start 80 24 --diff A B
wait_for "compare A" || exit 1
wait_for "3 differences" || exit 1
golden compare-open-80x24 || fail=1

# ] twice: the config, then layer 2 (content changed); the detail says
# where the cache breaks.
$T send-keys -t bl ']' ']'
wait_for "difference 2 of 3" || exit 1
wait_for "cache breaks at layer 2 of 4: COPY b2" || fail=1
golden compare-layer-80x24 || fail=1

# F: the files of the layer pair, listed in the background.
$T send-keys -t bl F
wait_for "Files compared: 1 added, 1 removed" || fail=1
$T send-keys -t bl Tab G
wait_for "A b2" || fail=1
$T send-keys -t bl Tab

# n (no search yet) walks on to the added layer; [ goes back.
$T send-keys -t bl n
wait_for "difference 3 of 3" || fail=1
$T send-keys -t bl '['
wait_for "difference 2 of 3" || fail=1

# Resize: the whole layout follows.
$T resize-window -t bl -x 160 -y 50
sleep 0.3
$T send-keys -t bl g C-l
wait_for "3 differences" || fail=1
golden compare-160x50 || fail=1

# q closes the compare view; with nothing beneath, bakelens ends.
$T send-keys -t bl q
wait_for "EXITED 0" || fail=1

# --- timestamps: A and C differ only in them. t stops counting them (the
# config is then identical); a layer pair's files, compared with F, turn out
# identical apart from mtimes; t again counts them, the file diff kept.
start 80 24 --diff A C
wait_for "4 differences" || exit 1
$T send-keys -t bl t
wait_for "[timestamps ignored]" || fail=1
wait_for "3 differences" || fail=1
$T send-keys -t bl ']' F
wait_for "Files compared: 0 added, 0 removed, 0 changed" || fail=1
wait_for "2 differences" || fail=1
wait_for "files identical apart from timestamps" || fail=1
golden compare-timestamps-80x24 || fail=1
$T send-keys -t bl t
wait_for "Timestamps count again" || fail=1
wait_for "difference 2 of 4" || fail=1
$T send-keys -t bl Tab G
wait_for "0 content changed, 1 metadata only" || fail=1
wait_for "m a  (mtime)" || fail=1
$T send-keys -t bl q q
wait_for "EXITED 0" || fail=1
# --ignore-timestamps with --diff starts that way.
start 80 24 --diff --ignore-timestamps A C
wait_for "[timestamps ignored]" || fail=1
wait_for "3 differences" || fail=1
$T send-keys -t bl q
wait_for "EXITED 0" || fail=1

# --- the explorer: F opens the file tree of a manifest's image (as of its
# top layer), then of one layer (its changes), read in the background.
L2=$(jq -r '.layers[1].digest' "A/blobs/sha256/$(jq -r '.manifests[0].digest' A/index.json | cut -c8-)" | cut -c8-19)
start 80 24 A
wait_for " q quit" || exit 1
$T send-keys -t bl / "$(jq -r '.manifests[0].digest' A/index.json | cut -c8-19)" Enter
sleep 0.2
$T send-keys -t bl F
wait_for "layer 3/3 of linux/amd64, image as of it: 3 entries" || fail=1
wait_for "A   c" || fail=1
golden files-image-80x24 || fail=1
$T send-keys -t bl q / "$L2" Enter
sleep 0.2
$T send-keys -t bl F
wait_for "layer 2/3 of linux/amd64, its changes: 1 added, 0 modified, 0 deleted" || fail=1
pane | grep -q '^A   b' || { echo "FAIL: layer 2 adds b"; fail=1; }
pane | grep -q '   a$' && { echo "FAIL: a layer's changes show a file of the layer below"; fail=1; }
$T send-keys -t bl q q
wait_for "EXITED 0" || fail=1

# --- the explorer opened on a target (-t) and a platform (-p), as the CLI takes them
start 100 24 -t base "$BL_SRC/examples/metadata.json" "$BL_SRC/examples/out"
wait_for "target  base" || fail=1
$T send-keys -t bl q
wait_for "EXITED 0" || fail=1
start 100 24 -t app -p linux/arm64 "$BL_SRC/examples/metadata.json" "$BL_SRC/examples/out"
wait_for "manifest  linux/arm64" || fail=1
$T send-keys -t bl q
wait_for "EXITED 0" || fail=1
# base's one manifest is linux/amd64: selected there, not in app, listed first
start 100 24 -t base -p linux/amd64 "$BL_SRC/examples/metadata.json" "$BL_SRC/examples/out"
wait_for "digest        sha256:$(jq -r '.base["containerimage.digest"]' "$BL_SRC/examples/metadata.json" | cut -c8-37)" || fail=1
$T send-keys -t bl q
wait_for "EXITED 0" || fail=1
start 100 24 -t base -p linux/arm64 "$BL_SRC/examples/metadata.json" "$BL_SRC/examples/out"
wait_for "No platform matches 'linux/arm64' in that target" || fail=1
pane | grep -q "target  base" || { echo "FAIL: -p left the target"; fail=1; }
$T send-keys -t bl q
wait_for "EXITED 0" || fail=1
start 100 24 -t nope "$BL_SRC/examples/metadata.json" "$BL_SRC/examples/out"
wait_for "No target named 'nope'" || fail=1
$T send-keys -t bl q
wait_for "EXITED 0" || fail=1

# --- the explorer: M on A's manifest, = on B's.
MA=$(jq -r '.manifests[0].digest' A/index.json | cut -c8-19)
MB=$(jq -r '.manifests[0].digest' B/index.json | cut -c8-19)
start 80 24 A B
wait_for " q quit" || exit 1
$T send-keys -t bl / "$MA" Enter
sleep 0.2
$T send-keys -t bl M
wait_for "Marked" || fail=1
$T send-keys -t bl / "$MB" Enter
sleep 0.2
$T send-keys -t bl =
wait_for "compare manifest" || fail=1
golden compare-mark-80x24 || fail=1
$T send-keys -t bl q
wait_for " q quit" || fail=1
$T send-keys -t bl q
wait_for "EXITED 0" || fail=1
exit $fail
