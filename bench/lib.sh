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
