#!/bin/sh
# Time from start to the first full explorer screen, without tmux: the binary
# runs in a pty (script -qfc) with BL_EXIT_AFTER_FIRST_FRAME=1, which makes it
# quit right after drawing the first complete frame (the build loaded, tree
# and status bar drawn). Wall time per run, then the median, per source.
# usage: bench/tui_first_screen.sh [BAKELENS] [SOURCE...]
#        (default: build/bakelens examples/metadata.json examples/out)
# RUNS (default 21) runs per source; COLUMNS x LINES of the pty: 160x50.
#
# Then the file tree: time from F on a layer of ENTRIES files (default
# 100,000, in directories of 1,000; a tar the script writes with python3,
# added with umoci) to its first screen, in tmux (160x50): the layer
# streamed, verified and hashed, its change set and tree built, the screen
# drawn; and F again once closed (the listing kept for the session). The
# pane is polled every 10 ms, so a time is up to ~15 ms late. FRUNS runs
# (default 5). FILES=0 skips this part; it needs tmux, umoci and python3.
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

[ "${FILES:-1}" = 0 ] && exit 0
for t in tmux umoci python3; do
	command -v $t >/dev/null || { echo "file tree: no $t, skipped"; exit 0; }
done
ENTRIES=${ENTRIES:-100000}
FRUNS=${FRUNS:-5}
FD=$(mktemp -d)
T="tmux -L bl-bench-ft-$$"
trap 'rm -f "$LOG"; $T kill-server 2>/dev/null; rm -rf "$FD"' EXIT
python3 - "$FD/layer.tar" "$ENTRIES" <<'EOF'
import sys, tarfile
path, n = sys.argv[1], int(sys.argv[2])
with open(path, "wb") as out:
    k = d = 0
    while k < n:
        i = tarfile.TarInfo("d%04d" % d); i.type = tarfile.DIRTYPE; i.mode = 0o755
        out.write(i.tobuf(tarfile.USTAR_FORMAT)); k += 1
        for f in range(min(999, n - k)):
            i = tarfile.TarInfo("d%04d/f%03d" % (d, f)); i.mode = 0o644
            out.write(i.tobuf(tarfile.USTAR_FORMAT)); k += 1
        d += 1
    out.write(b"\0" * 1024)
EOF
(cd "$FD" && umoci init --layout L && umoci new --image L:v1 &&
	umoci config --image L:v1 --os linux --architecture amd64 >/dev/null &&
	umoci raw add-layer --image L:v1 layer.tar >/dev/null) || { echo "umoci failed"; exit 1; }
BINABS=$(cd "$(dirname "$BIN")" && pwd)/$(basename "$BIN")
now_us() { echo $(($(date +%s%N) / 1000)); }
# Poll until the pane shows $1; echo the microseconds since $2 (gives up
# after 60 s).
until_shown() {
	while ! $T capture-pane -p -t bl 2>/dev/null | grep -qF -- "$1"; do
		[ $(($(now_us) - $2)) -lt 60000000 ] || {
			echo "timeout waiting for: $1" >&2
			$T capture-pane -p -t bl | grep -v '^$' >&2
			exit 1
		}
		sleep 0.01
	done
	echo $(($(now_us) - $2))
}
first="" again=""
for r in $(seq "$FRUNS"); do
	$T kill-server 2>/dev/null
	T="tmux -L bl-bench-ft-$$-$r" # a new server each run: one just killed may linger
	$T -f /dev/null new-session -d -s bl -x 160 -y 50 \
		"cd '$FD' && env TERM=xterm-256color LC_ALL=C.UTF-8 XDG_CONFIG_HOME=/nonexistent '$BINABS' L; sleep 30"
	$T set -g window-size manual
	until_shown "layer 1/1" "$(now_us)" >/dev/null # the tree, not the loading bar
	$T send-keys -t bl G
	sleep 0.3
	t0=$(now_us)
	$T send-keys -t bl F
	first="$first $(until_shown "its changes: $ENTRIES added" "$t0")"
	$T send-keys -t bl q
	sleep 0.3
	t0=$(now_us)
	$T send-keys -t bl F
	again="$again $(until_shown "its changes: $ENTRIES added" "$t0")"
done
$T kill-server 2>/dev/null
stats() { # LABEL TIMES
	echo $2 | tr ' ' '\n' | sort -n | awk -v l="$1" -v runs="$FRUNS" '
		{ a[NR] = $1 }
		END { printf "%-44s median %7.1f ms  min %7.1f ms  max %7.1f ms  (%d runs)\n",
			l, a[int((NR + 1) / 2)] / 1000, a[1] / 1000, a[NR] / 1000, runs }'
}
stats "F, a $ENTRIES-file layer (target < 1 s)" "$first"
stats "F again (the listing kept)" "$again"
