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
