# Shared by the benchmark scripts (sourced).

# median_ms CMD...: median wall time of $RUNS runs of CMD, in milliseconds
# (output discarded).
median_ms() {
	local t=()
	for _ in $(seq "$RUNS"); do
		local s e
		s=$(date +%s%N); "$@" >/dev/null 2>&1; e=$(date +%s%N)
		t+=($(((e - s) / 1000)))
	done
	printf '%s\n' "${t[@]}" | sort -n | awk '{a[NR]=$1} END {printf "%.2f", a[int((NR+1)/2)]/1000}'
}

# medians_ms CMD...: "WALL CPU", the median wall time and the median CPU time
# (user + system, bash's `time`) of $RUNS runs of CMD, in milliseconds. CPU
# time moves less than wall time on a machine shared with other work.
medians_ms() {
	local w=() c=() s e t
	for _ in $(seq "$RUNS"); do
		s=$(date +%s%N)
		t=$( { TIMEFORMAT='%3U %3S'; time "$@" >/dev/null 2>&1; } 2>&1 ) || true
		e=$(date +%s%N)
		w+=($(((e - s) / 1000)))
		c+=($(awk -v t="$t" 'BEGIN { split(t, a, " "); printf "%d", (a[1] + a[2]) * 1000000 }'))
	done
	printf '%s %s\n' \
		"$(printf '%s\n' "${w[@]}" | sort -n | awk '{a[NR]=$1} END {printf "%.1f", a[int((NR+1)/2)]/1000}')" \
		"$(printf '%s\n' "${c[@]}" | sort -n | awk '{a[NR]=$1} END {printf "%.1f", a[int((NR+1)/2)]/1000}')"
}

# bench_registry BUILD_DIR [RUNS]: what the registry benchmarks start from,
# with tests/integration's helpers (lib.sh and registry-lib.sh, sourced
# here): BAKELENS and BL_REGISTRY_PROBE of BUILD_DIR, RUNS (10 unless
# given), Debian's docker-registry on 127.0.0.1 at $R, and the test images
# (make_layout) in $BL_TMP/layout. What it starts is stopped on exit.
bench_registry() {
	BUILD=${1:?usage: $0 BUILD_DIR [RUNS]}
	RUNS=${2:-10}
	export BAKELENS=$BUILD/bakelens
	export BL_REGISTRY_PROBE=$BUILD/tests/integration/registry_probe
	local src
	src=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
	. "$src/tests/integration/lib.sh"
	. "$src/tests/integration/registry-lib.sh"
	start_registry bench plain
	R=127.0.0.1:$REG_PORT
	make_layout "$BL_TMP/layout"
}
