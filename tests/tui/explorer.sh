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
GOLD=$BL_SRC/tests/tui
SOCK=bl-tui-$$
T="tmux -L $SOCK"
fail=0
cleanup() { $T kill-server 2>/dev/null; rm -f "${TMPOUT:-}"; }
trap cleanup EXIT INT TERM

# Wait until the screen shows $1 (up to 5 s).
wait_for() {
	i=0
	while [ $i -lt 50 ]; do
		$T capture-pane -p -t bl 2>/dev/null | grep -qF -- "$1" && return 0
		sleep 0.1
		i=$((i + 1))
	done
	echo "timeout waiting for: $1"
	$T capture-pane -p -t bl
	return 1
}

# Compare the pane with a golden file.
screen() {
	name=$1
	sleep 0.3
	$T capture-pane -p -t bl >"$TMPOUT"
	if [ "${BL_UPDATE_SCREENS:-}" = 1 ]; then
		cp "$TMPOUT" "$GOLD/$name.screen"
		echo "updated $name.screen"
	elif ! diff -u "$GOLD/$name.screen" "$TMPOUT"; then
		echo "FAIL: screen $name differs"
		fail=1
	fi
}

start() { # width height
	$T kill-server 2>/dev/null
	$T -f /dev/null new-session -d -s bl -x "$1" -y "$2" \
		"cd '$DIR' && env TZ=UTC LC_ALL=C.UTF-8 TERM=xterm-256color NO_COLOR= XDG_CONFIG_HOME=/nonexistent '$BAKELENS' $TAR; echo EXITED \$?; sleep 30"
	$T set -g set-clipboard on
	$T set -g window-size manual
}

TMPOUT=$(mktemp)
start 80 24
if ! wait_for " bakelens "; then
	# Until src/main.c opens the explorer, the binary prints a usage text.
	if $T capture-pane -p -t bl | grep -q EXITED; then
		echo "the binary does not open the explorer yet: skip"
		exit 77
	fi
	exit 1
fi
wait_for "attestation for linux/arm64" || exit 1
screen open-80x24

# Expand linux/amd64 and go to its layer.
$T send-keys -t bl j j l j j
wait_for "layer 1/1" || exit 1
screen expand-80x24

# Search by digest prefix of the arm64 manifest (from the tar itself).
ARM=$(bsdtar -xOf "$DIR/$TAR" index.json | jq -r '.manifests[0].digest' |
	sed 's/sha256://' | cut -c1-12)
$T send-keys -t bl / "$ARM" Enter
sleep 0.3
$T capture-pane -p -t bl | grep -q "digest        sha256:" || true

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
screen open-160x50

# Help, then quit: the shell prints the exit code after the terminal is back.
$T send-keys -t bl '?'
wait_for "copy-digest" || fail=1
$T send-keys -t bl q q
wait_for "EXITED 0" || fail=1
exit $fail
