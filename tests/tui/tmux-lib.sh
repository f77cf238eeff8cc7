# Helpers for the tmux scripts (sourced): $T is the tmux command with its
# socket, the pane is "bl".

# wait_for TEXT [SECONDS]: until the pane shows TEXT (5 s by default); on a
# timeout, says so and prints the pane on stderr, and returns 1.
wait_for() {
	local i=0 n=$((${2:-5} * 10))
	while [ $i -lt $n ]; do
		$T capture-pane -p -t bl 2>/dev/null | grep -qF -- "$1" && return 0
		sleep 0.1
		i=$((i + 1))
	done
	echo "timeout waiting for: $1" >&2
	$T capture-pane -p -t bl >&2
	return 1
}
