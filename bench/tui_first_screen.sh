#!/bin/sh
# Time from start to the first full explorer screen, without tmux: the binary
# runs in a pty (script -qfc) with BL_EXIT_AFTER_FIRST_FRAME=1, which makes it
# quit right after drawing the first complete frame (the build loaded, tree
# and status bar drawn). Wall time per run, then the median, per source.
# usage: bench/tui_first_screen.sh [BAKELENS] [SOURCE...]
#        (default: build/bakelens examples/metadata.json examples/out)
# RUNS (default 21) runs per source; COLUMNS x LINES of the pty: 160x50.
set -u
BIN=${1:-build/bakelens}
[ $# -gt 0 ] && shift
[ $# -gt 0 ] || set -- examples/metadata.json examples/out
RUNS=${RUNS:-21}
command -v script >/dev/null || { echo "needs script(1) (util-linux)"; exit 1; }
[ -x "$BIN" ] || { echo "no binary at $BIN"; exit 1; }
LOG=$(mktemp)
trap 'rm -f "$LOG"' EXIT
for src in "$@"; do
	times=""
	for r in $(seq "$RUNS"); do
		start=$(date +%s%N)
		# stty sets the pty's size before bakelens asks for it.
		script -qfc "stty cols 160 rows 50; env TERM=xterm-256color LC_ALL=C.UTF-8 \
XDG_CONFIG_HOME=/nonexistent BL_EXIT_AFTER_FIRST_FRAME=1 '$BIN' '$src'" "$LOG" \
			</dev/null >/dev/null 2>&1
		rc=$?
		end=$(date +%s%N)
		if [ $rc -ne 0 ]; then
			echo "$src: run $r exited $rc"
			exit 1
		fi
		times="$times $(((end - start) / 1000))"
	done
	# A frame was drawn: the last one holds the status bar's key hints.
	grep -q "quit" "$LOG" || { echo "$src: no full screen in the output"; exit 1; }
	echo $times | tr ' ' '\n' | sort -n | awk -v src="$src" -v runs="$RUNS" '
		{ a[NR] = $1 }
		END { printf "%-28s median %6.1f ms  min %6.1f ms  max %6.1f ms  (%d runs, target < 100 ms)\n",
			src, a[int((NR + 1) / 2)] / 1000, a[1] / 1000, a[NR] / 1000, runs }'
done
# The cost of the harness itself (script, a shell, stty, env, true).
start=$(date +%s%N)
for r in $(seq "$RUNS"); do
	script -qfc "stty cols 160 rows 50; env true" /dev/null </dev/null >/dev/null 2>&1
done
end=$(date +%s%N)
echo "harness alone (script + sh + stty + env): $(((end - start) / RUNS / 1000)) us per run (included above)"
