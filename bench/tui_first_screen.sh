#!/bin/sh
# Time from start to the first full explorer screen (the status bar drawn
# after loading), in a tmux pane. Prints milliseconds per run and the median.
# usage: bench/tui_first_screen.sh [BAKELENS] [SOURCE]   (default: examples/metadata.json)
set -u
BIN=${1:-build/bakelens}
SRC=${2:-examples/metadata.json}
RUNS=${RUNS:-5}
times=""
for r in $(seq "$RUNS"); do
	T="tmux -L bl-bench-$$-$r"
	start=$(date +%s%N)
	$T -f /dev/null new-session -d -s b -x 160 -y 50 \
		"env TERM=xterm-256color LC_ALL=C.UTF-8 '$BIN' '$SRC'; sleep 5"
	# Poll the pane until the tree's key hints replace the loading line.
	while ! $T capture-pane -p -t b 2>/dev/null | grep -q " q quit .* ? help"; do
		now=$(date +%s%N)
		[ $(((now - start) / 1000000)) -gt 10000 ] && { echo "no screen after 10 s"; exit 1; }
		sleep 0.005
	done
	end=$(date +%s%N)
	ms=$(((end - start) / 1000000))
	$T kill-server 2>/dev/null
	echo "run $r: $ms ms"
	times="$times $ms"
done
median=$(echo $times | tr ' ' '\n' | sort -n | awk '{a[NR]=$1} END {print a[int((NR+1)/2)]}')
echo "median time to first full screen: $median ms (includes tmux start-up; target < 100 ms)"
