#!/usr/bin/env bash
# A layer with ENTRIES tiny entries (default 1,000,000) made by
# make_many_layers.py: `bakelens ls --layer 1` against `bsdtar -tvf` of the
# same gzip blob (aim: ratio <= 1.1), and bakelens's peak RSS per entry (aim:
# <= 150 bytes, under 200 MB for a million). Then a 10-layer image of the same
# number of entries (overwrites and an opaque directory in every layer but
# the first): `check` against `ls` (the merged view) (aim: <= 1.5x).
# Prints medians of RUNS runs. Timing is measured here, never asserted in tests.
# Usage: bench/layer-files.sh [BAKELENS] [ENTRIES]   (default build/bakelens, 1000000)
set -euo pipefail
cd "$(dirname "$0")/.."
SRC=$PWD
BL=$(realpath "${1:-build/bakelens}")
N=${2:-1000000}
RUNS=${RUNS:-3}
work=$(mktemp -d "${TMPDIR:-/var/tmp}/bl-bench.XXXXXX")
trap 'rm -rf "$work"' EXIT
cd "$work"

median() { sort -n | awk '{a[NR] = $1} END {print a[int((NR + 1) / 2)]}'; }
# run NAME CMD...: median wall ms and the peak RSS (KiB) of the last run, as "MS RSS"
run() {
	local times
	times=$(for i in $(seq 1 "$RUNS"); do
		s=$(date +%s%N)
		/usr/bin/time -f %M -o rss "$@" >/dev/null 2>err || [ $? -eq 1 ] # check: 1 = a rule failed
		e=$(date +%s%N)
		echo $(((e - s) / 1000000))
	done)
	echo "$(echo "$times" | median) $(tail -1 rss)"
}

python3 "$SRC/bench/make_many_layers.py" one "$N" 1 >layers1
blob=one/blobs/sha256/$(cut -d: -f2 layers1)
echo "one layer: $N entries, $(stat -c %s "$blob") bytes gzip"
read -r tb rb < <(run bsdtar -tvf "$blob")
read -r tl rl < <(run "$BL" ls --layer 1 "oci:one:latest")
printf '  %-34s median %7s ms, peak RSS %7s KiB\n' "bsdtar -tvf" "$tb" "$rb" "bakelens ls --layer 1" "$tl" "$rl"
printf '  ratio ls / bsdtar: %s; bakelens peak RSS per entry: %s bytes\n' \
	"$(echo "scale=2; $tl / $tb" | bc)" "$(echo "$rl * 1024 / $N" | bc)"

python3 "$SRC/bench/make_many_layers.py" ten "$N" 10 >layers10
echo "ten layers: $N entries in all"
read -r tm rm_ < <(run "$BL" ls "oci:ten:latest")
read -r tc rc < <(run "$BL" check "oci:ten:latest")
printf '  %-34s median %7s ms, peak RSS %7s KiB\n' "bakelens ls (merged)" "$tm" "$rm_" "bakelens check" "$tc" "$rc"
printf '  ratio check / ls: %s; check peak RSS per entry: %s bytes\n' \
	"$(echo "scale=2; $tc / $tm" | bc)" "$(echo "$rc * 1024 / $N" | bc)"
echo "runs: $RUNS"
