#!/usr/bin/env bash
# A FIFO whose writer has not opened it yet, in a real terminal (tmux):
#  1. the explorer shows the waiting state, and Esc cancels it at once
#     (exit 130, "cancelled while waiting for a writer", the process gone
#     within 0.5 s);
#  2. q quits at once (exit 0, the process gone within 0.3 s), also once a
#     writer has sent part of a tar and stalls;
#  3. left alone, it loads what a writer then sends (an OCI tar of
#     examples/out): the tree shows the index digest read from the layout;
#  4. the command front end waits like cat: `tree` prints the build once a
#     writer comes, and Ctrl-C stops it while no writer has come.
# Needs: BAKELENS, BL_SRC (set by meson), tmux, jq, tar. Exit 77 = skipped.
set -u
export TZ=UTC LC_ALL=C.UTF-8 TERM=xterm-256color
: "${BAKELENS:?}" "${BL_SRC:?}"
for t in tmux jq tar; do
	command -v $t >/dev/null || { echo "no $t: skip"; exit 77; }
done
OUT=$BL_SRC/examples/out
[ -d "$OUT" ] || { echo "no $OUT: skip"; exit 77; }
W=$(mktemp -d)
SOCK=bl-fifo-$$
T="tmux -L $SOCK-0"
failures=0
writer=
cleanup() {
	$T kill-server 2>/dev/null
	[ -n "$writer" ] && kill "$writer" 2>/dev/null
	rm -rf "$W"
}
trap cleanup EXIT INT TERM
fail() { echo "FAIL: $*"; failures=$((failures + 1)); }
cd "$W" || exit 1

# The index the example layout names first, as the tree abbreviates it.
INDEX=$(jq -r '.manifests[0].digest' "$OUT/index.json")
INDEX12=${INDEX#sha256:}
INDEX12=${INDEX12:0:12}
tar -C "$OUT" -cf example.tar . || exit 1

. "$BL_SRC/tests/tui/tmux-lib.sh"
tui_start_shell 100 30 "$W"
sleep 0.2

# run ARGS...: bakelens ARGS in the pane; its pid in $pid.
run() { tui_run_in_shell "$W" "" "$*"; }
# press KEY: send it, then the milliseconds until the process is gone (up
# to 5 s) in $ms.
press() {
	local t0 t1 i=0
	t0=$(date +%s%N)
	$T send-keys -t bl "$1"
	while kill -0 "$pid" 2>/dev/null && [ $i -lt 2500 ]; do
		sleep 0.002
		i=$((i + 1))
	done
	t1=$(date +%s%N)
	ms=$(((t1 - t0) / 1000000))
}
fifo() { rm -f f && mkfifo f; }

# 1. Esc while no writer has come.
fifo
run f
wait_or_fail "Loading:"
sleep 0.5
bar=$(pane | grep "Loading:")
case $bar in *"f: waiting for a writer"*"Esc cancel"*) ;; *) fail "no waiting state in the status bar: $bar" ;; esac
press Escape
[ "$ms" -lt 500 ] || fail "Esc took $ms ms to end the explorer"
wait_or_fail "EXIT 130" 2
pane | grep -qF "bakelens: f: cancelled while waiting for a writer" ||
	fail "Esc: no cancel message: $(pane | grep -v '^$' | tail -3)"

# 2. q while no writer has come.
fifo
run f
wait_or_fail "waiting for a writer"
press q
[ "$ms" -lt 300 ] || fail "q took $ms ms to quit"
wait_or_fail "EXIT 0" 2

# 2b. q while the writer has sent part of the tar and stalls (the load is
# inside one read, where it sees no cancel): out without waiting a second.
fifo
run f
wait_or_fail "waiting for a writer"
exec 3>f
head -c 1024 example.tar >&3
sleep 0.5
press q
[ "$ms" -lt 300 ] || fail "q took $ms ms to quit while the writer stalls"
wait_or_fail "EXIT 0" 2
exec 3>&-

# 3. A writer comes after the explorer started: the build loads.
fifo
run f
wait_or_fail "waiting for a writer"
cat example.tar >f &
writer=$!
wait_or_fail "index $INDEX12" 10
pane | grep -q "Loading:" && fail "still loading after the writer sent the tar"
wait "$writer"
writer=
press q
wait_or_fail "EXIT 0" 2

# 4. The commands: Ctrl-C while waiting, and a load once a writer comes.
fifo
run tree f
sleep 0.5
kill -0 "$pid" 2>/dev/null || fail "tree f did not wait for a writer"
press C-c
# (The shell in the pane drops the rest of the line on Ctrl-C: no EXIT.)
kill -0 "$pid" 2>/dev/null && fail "Ctrl-C did not stop tree f"
[ "$ms" -lt 500 ] || fail "Ctrl-C took $ms ms to stop tree f"
fifo
run tree f
sleep 0.3
cat example.tar >f
wait_or_fail "EXIT 0" 5
pane -J -S - | grep -q "$INDEX12" || fail "tree f: no index $INDEX12 in the output"

[ "$failures" -eq 0 ] || { echo "$failures failure(s)"; exit 1; }
echo "ok"
