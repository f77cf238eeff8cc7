# Helpers for the tmux scripts (sourced, by sh and bash alike): $T is the
# tmux command with its socket, the pane is "bl".

# tui_start W H COMMAND: a fresh tmux server on socket $SOCK-<n> (a new
# name each time: a new server on a socket just killed can fail) running
# COMMAND in a W x H pane; the previous server, if any, is killed. Sets T.
tui_start() {
	if [ -n "${T:-}" ]; then $T kill-server 2>/dev/null || true; fi
	tui_runs=$((${tui_runs:-0} + 1))
	T="tmux -L $SOCK-$tui_runs"
	$T -f /dev/null new-session -d -s bl -x "$1" -y "$2" "$3"
	$T set -g window-size manual
}

# tui_start_shell W H DIR: tui_start with a plain sh in DIR (no line editing
# that would hide a broken tty), its environment emptied but for PATH.
tui_start_shell() {
	tui_start "$1" "$2" "cd '$3' && env -i PATH='$PATH' HOME='$3' TERM=xterm-256color PS1='$ ' sh"
}

# tui_run_in_shell DIR ENV ARGS: in the pane's shell, bakelens with the
# environment ENV and the arguments ARGS (both go through sh), then
# "EXIT <code>"; waits (up to 5 s) for its pid, left in $pid and DIR/pid.
tui_run_in_shell() {
	rm -f "$1/pid"
	# (EX''IT: the command line itself never shows what is waited for.)
	$T send-keys -t bl "clear; ulimit -c 0; sh -c 'echo \$\$ >$1/pid; exec env XDG_CONFIG_HOME=/nonexistent LC_ALL=C.UTF-8 TERM=xterm-256color $2 \"\$0\" \"\$@\"' '$BAKELENS' $3; echo EX''IT \$?" Enter
	tui_i=0
	while [ ! -s "$1/pid" ] && [ $tui_i -lt 50 ]; do
		sleep 0.1
		tui_i=$((tui_i + 1))
	done
	pid=$(cat "$1/pid" 2>/dev/null)
}

# pane [FLAGS...]: the pane's text (capture-pane -p and FLAGS).
pane() {
	$T capture-pane -p "$@" -t bl
}

# tui_wait FLAGS TEXT [SECONDS]: until `pane FLAGS` shows TEXT (5 s by
# default); on a timeout, says so and prints the pane on stderr, and
# returns 1. FLAGS is one word, "" for none.
tui_wait() {
	tui_i=0
	tui_n=$((${3:-5} * 10))
	while [ $tui_i -lt $tui_n ]; do
		pane $1 2>/dev/null | grep -qF -- "$2" && return 0
		sleep 0.1
		tui_i=$((tui_i + 1))
	done
	echo "timeout waiting for: $2" >&2
	pane >&2
	return 1
}

# wait_for TEXT [SECONDS]: until the pane shows TEXT (see tui_wait).
wait_for() {
	tui_wait "" "$@"
}

# wait_for_joined TEXT [SECONDS]: wait_for, with wrapped lines joined.
wait_for_joined() {
	tui_wait -J "$@"
}

# wait_or_fail TEXT [SECONDS]: wait_for, and a timeout is a failure the
# script counts (its `fail` function); returns 1 then too.
wait_or_fail() {
	wait_for "$@" && return 0
	fail "timeout waiting for: $1"
	return 1
}

# golden NAME: the pane against $BL_SRC/tests/tui/NAME.screen, after the
# screen settles; returns 1 when they differ (the diff on stdout).
# BL_UPDATE_SCREENS=1 rewrites the file instead.
golden() {
	sleep 0.3
	tui_out=$(mktemp)
	pane >"$tui_out"
	if [ "${BL_UPDATE_SCREENS:-}" = 1 ]; then
		cp "$tui_out" "$BL_SRC/tests/tui/$1.screen"
		echo "updated $1.screen"
	elif ! diff -u "$BL_SRC/tests/tui/$1.screen" "$tui_out"; then
		echo "FAIL: screen $1 differs"
		rm -f "$tui_out"
		return 1
	fi
	rm -f "$tui_out"
}

# tui_record FILE: every byte the pane's program writes is appended to FILE
# (tmux pipe-pane).
tui_record() {
	$T pipe-pane -t bl -o "cat >>'$1'"
}

# tui_title_clean: the pane's title set to "clean", which an OSC 0 from the
# data would change; set until it holds (tmux names a new pane after the
# host a moment after it starts).
tui_title_clean() {
	tui_i=0
	while [ $tui_i -lt 20 ]; do
		sleep 0.1
		$T select-pane -t bl -T clean
		[ "$($T display -p -t bl '#{pane_title}')" = clean ] && break
		tui_i=$((tui_i + 1))
	done
}
