#!/bin/sh
# The explorer in a real terminal (tmux): open, expand, search, copy (the
# OSC 52 bytes land in tmux's buffer with set-clipboard on), resize, quit.
# Screens are compared with golden files; BL_UPDATE_SCREENS=1 rewrites them.
# Needs: BAKELENS, BL_CORPUS, BL_SRC (set by meson). Exit 77 = skipped.
set -u
export TZ=UTC LC_ALL=C.UTF-8 TERM=xterm-256color
: "${BAKELENS:?}" "${BL_SRC:?}"
CORPUS=${BL_CORPUS:-}
DIR=$CORPUS/actions-toolkit/oci-archive
TAR=hello-oci-multiplatform-gzip.tar
[ -f "$DIR/$TAR" ] || { echo "corpus absent: skip"; exit 77; }
command -v tmux >/dev/null || { echo "no tmux: skip"; exit 77; }
SOCK=bl-tui-$$
T="tmux -L $SOCK"
fail=0
cleanup() { $T kill-server 2>/dev/null; }
trap cleanup EXIT INT TERM

. "$BL_SRC/tests/tui/tmux-lib.sh"
start() { # width height
	tui_start "$1" "$2" \
		"cd '$DIR' && env TZ=UTC LC_ALL=C.UTF-8 TERM=xterm-256color NO_COLOR= XDG_CONFIG_HOME=/nonexistent '$BAKELENS' $TAR; echo EXITED \$?; sleep 30"
	$T set -g set-clipboard on
}

start 80 24
if ! wait_for " bakelens "; then
	# Until src/main.c opens the explorer, the binary prints a usage text.
	if pane | grep -q EXITED; then
		echo "the binary does not open the explorer yet: skip"
		exit 77
	fi
	exit 1
fi
wait_for "attestation for linux/arm64" || exit 1
golden open-80x24 || fail=1

# Expand linux/amd64 and go to its layer.
$T send-keys -t bl j j l j j
wait_for "layer 1/1" || exit 1
golden expand-80x24 || fail=1

# Search by digest prefix of the arm64 manifest (from the tar itself).
ARM=$(bsdtar -xOf "$DIR/$TAR" index.json | jq -r '.manifests[0].digest' |
	sed 's/sha256://' | cut -c1-12)
$T send-keys -t bl / "$ARM" Enter
sleep 0.3
pane | grep -q "digest        sha256:" || true

# Copy: y on the first row copies the index digest; compare with the tar's
# index.json (computed independently with bsdtar and jq).
WANT=$(bsdtar -xOf "$DIR/$TAR" index.json | jq -r '.manifests[0].digest')
$T send-keys -t bl g y
wait_for "Copied digest" || fail=1
GOT=$($T show-buffer 2>/dev/null || true)
if [ "$GOT" != "$WANT" ]; then
	echo "FAIL: tmux buffer '$GOT', want '$WANT'"
	fail=1
fi

# Resize: the screen redraws at the new size with no leftovers.
$T resize-window -t bl -x 160 -y 50
wait_for "attestation for linux/arm64" || exit 1
$T send-keys -t bl C-l
golden open-160x50 || fail=1

# Help, then quit: the shell prints the exit code after the terminal is back.
$T send-keys -t bl '?'
wait_for "copy-digest" || fail=1
$T send-keys -t bl q q
wait_for "EXITED 0" || fail=1
exit $fail
