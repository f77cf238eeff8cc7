#!/bin/sh
# e and v on a layer of the example build, in a real terminal (tmux): the
# explanation shows the layer's own digest, size, diff_id and ChainID formula,
# each computed here with sha256sum, gzip and jq; the check commands copied
# with c k (OSC 52 into tmux's buffer) are run and print those same values;
# v passes every check, and after one byte of the blob is flipped v says
# which check fails and what it found.
# Needs: BAKELENS, BL_SRC (set by meson). Exit 77 = skipped.
set -u
export TZ=UTC LC_ALL=C.UTF-8 TERM=xterm-256color
: "${BAKELENS:?}" "${BL_SRC:?}"
for t in tmux jq gzip sha256sum; do
	command -v $t >/dev/null || { echo "no $t: skip"; exit 77; }
done
SOCK=bl-explain-$$
T="tmux -L $SOCK-0"
WORK=$(mktemp -d)
fail=0
cleanup() { $T kill-server 2>/dev/null; rm -rf "$WORK"; }
trap cleanup EXIT INT TERM

. "$BL_SRC/tests/tui/tmux-lib.sh"
# The pane, wrapped lines joined, must hold $1.
expect_screen() {
	if ! pane -J | tr -d '\n' | sed 's/   */ /g' | grep -qF -- "$1"; then
		echo "FAIL: the screen lacks: $1"
		pane
		fail=1
	fi
}

# A directory with a space and a quote: the commands must quote it.
DIR="$WORK/my out's"
cp -r "$BL_SRC/examples/out" "$DIR"
BLOBS="$DIR/blobs/sha256"

# The values, computed here: layer 2 of linux/amd64 in the index.
INDEX=$(jq -r '.manifests[0].digest' "$DIR/index.json" | cut -d: -f2)
MAN=$(jq -r '.manifests[] | select(.platform.architecture=="amd64") | .digest' \
	"$BLOBS/$INDEX" | cut -d: -f2)
LAYER=$(jq -r '.layers[1].digest' "$BLOBS/$MAN")
SIZE=$(jq -r '.layers[1].size' "$BLOBS/$MAN")
CONFIG=$(jq -r '.config.digest' "$BLOBS/$MAN" | cut -d: -f2)
HEX=${LAYER#sha256:}
[ "sha256:$(sha256sum "$BLOBS/$HEX" | cut -d' ' -f1)" = "$LAYER" ] || { echo "example broken"; exit 1; }
DIFF="sha256:$(gzip -dc "$BLOBS/$HEX" | sha256sum | cut -d' ' -f1)"
DIFF0=$(jq -r '.rootfs.diff_ids[0]' "$BLOBS/$CONFIG")
[ "$(jq -r '.rootfs.diff_ids[1]' "$BLOBS/$CONFIG")" = "$DIFF" ] || { echo "diff_id differs"; exit 1; }
CHAIN="sha256:$(printf '%s %s' "$DIFF0" "$DIFF" | sha256sum | cut -d' ' -f1)"

tui_start 200 60 \
	"cd '$WORK' && env TZ=UTC LC_ALL=C.UTF-8 TERM=xterm-256color NO_COLOR= XDG_CONFIG_HOME=/nonexistent '$BAKELENS' \"my out's\"; echo EXITED \$?; sleep 30"
$T set -g set-clipboard on
wait_for_joined "linux/arm64" || exit 1

# Expand linux/amd64, go to layer 2/5, explain it.
$T send-keys -t bl j j l j j j
wait_for_joined "layer 2/5" || exit 1
$T send-keys -t bl e
wait_for_joined "This layer: layer 2/5 of linux/amd64" || exit 1
expect_screen "Its digest $LAYER is the sha256 of these $SIZE compressed bytes (gzip)."
expect_screen "Its diff_id $DIFF is the sha256 of the tar they decompress to (config.rootfs.diff_ids[1]"
expect_screen "Its ChainID is sha256(\"$DIFF0 $DIFF\") = $CHAIN"
expect_screen "\$ sha256sum 'my out'\\''s/blobs/sha256/$HEX'"
expect_screen "\$ gzip -dc 'my out'\\''s/blobs/sha256/$HEX' | sha256sum"

# Copy the check commands (c, then k) and run them.
$T send-keys -t bl c k
wait_for_joined "Copied check commands" || fail=1
$T show-buffer >"$WORK/cmds" 2>/dev/null || true
lines=$(wc -l <"$WORK/cmds")
[ "$lines" = 5 ] || { echo "FAIL: $lines commands copied, want 5"; cat "$WORK/cmds"; fail=1; }
PATH=$(dirname "$BAKELENS"):$PATH
export PATH
n=0
while IFS= read -r cmd; do
	n=$((n + 1))
	out=$(cd "$WORK" && sh -c "$cmd" | cut -d' ' -f1)
	case $n in
	1) want=${LAYER#sha256:} ;;
	2) want=${DIFF#sha256:} ;;
	3) want=$DIFF ;;
	4) want=$DIFF ;;
	5) want=$CHAIN ;;
	esac
	if [ "$out" != "$want" ]; then
		echo "FAIL: command $n: $cmd"
		echo "  printed '$out', want '$want'"
		fail=1
	fi
done <"$WORK/cmds"

# v: every check passes.
$T send-keys -t bl Escape v
wait_for_joined "all 4 checks pass" || fail=1
expect_screen "✓ digest: $LAYER = descriptor"
expect_screen "✓ diff_id: $DIFF = config.rootfs.diff_ids[1]"
expect_screen "✓ ChainID: sha256(\"$DIFF0 $DIFF\") = $CHAIN"
expect_screen "✓ size: $SIZE bytes = descriptor"

# One byte of the blob flipped: v says the digest check fails and what it got.
chmod u+w "$BLOBS/$HEX"
b=$(dd if="$BLOBS/$HEX" bs=1 skip=40 count=1 2>/dev/null | od -An -tu1 | tr -d ' ')
printf "$(printf '\\%03o' $((b ^ 1)))" |
	dd of="$BLOBS/$HEX" bs=1 seek=40 count=1 conv=notrunc 2>/dev/null
GOT="sha256:$(sha256sum "$BLOBS/$HEX" | cut -d' ' -f1)"
[ "$GOT" != "$LAYER" ] || { echo "the byte did not change"; exit 1; }
$T send-keys -t bl Escape v
wait_for_joined "checks fail" || fail=1
expect_screen "✗ digest: expected $LAYER (descriptor), got $GOT"

$T send-keys -t bl Escape q
wait_for_joined "EXITED 0" || fail=1
exit $fail
