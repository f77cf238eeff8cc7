#!/usr/bin/env bash
# The explorer and the commands end with the same documented exit codes
# (docs/bakelens.1, EXIT STATUS): the explorer runs on a terminal (script(1)
# gives it one), the commands with their output in a file. The same
# bad-option messages come from both. Inputs: examples/out (in the tree).
# Needs: BAKELENS, BL_SRC (set by meson), script. Exit 77 = skipped.
. "$BL_TESTLIB"
need_tool script
OUT=$BL_SRC/examples/out
[ -d "$OUT" ] || { echo "SKIP: no $OUT"; exit 77; }
cd "$BL_TMP" || exit 1

# explore WANT-RC PATTERN ARGS...: the explorer on a pty (stdin one too, or it
# prints the tree instead); exit code and the message on the terminal.
explore() {
	local want=$1 pat=$2 cmd=
	shift 2
	for a in "$@"; do cmd+=" $(printf '%q' "$a")"; done
	rc=0
	env XDG_CONFIG_HOME=/nonexistent TERM=xterm-256color \
		script -qec "$(printf '%q' "$BAKELENS")$cmd" /dev/null </dev/null >screen.out 2>&1 || rc=$?
	expect_eq "explorer $*: exit code ($(tr -d '\r' <screen.out | grep 'bakelens:' | head -2))" "$want" "$rc"
	if tr -d '\r' <screen.out | grep -qE -- "bakelens: .*$pat"; then pass; else
		fail "explorer $*: no '$pat' on the terminal: $(tr -d '\r' <screen.out | grep -a 'bakelens' | head -3)"
	fi
}
# command WANT-RC PATTERN ARGS...: the same through the commands.
command_rc() {
	local want=$1 pat=$2
	shift 2
	run_bl out err "$@"
	expect_eq "bakelens $*: exit code ($(head -c 200 err))" "$want" "$rc"
	if grep -qE -- "^bakelens: .*$pat" err; then pass; else fail "bakelens $*: stderr does not match '$pat': $(head -3 err)"; fi
}

# An image the store does not hold: not found (6), not unreadable (3).
explore 6 'no image named "nope"' "oci:$OUT:nope"
command_rc 6 'no image named "nope"' tree "oci:$OUT:nope"
# A file that is not there: unreadable (3).
explore 3 "no such file" "$BL_TMP/does-not-exist.tar"
command_rc 3 "no such file" tree "$BL_TMP/does-not-exist.tar"

# Bad options: usage (2), with the same words from both front ends.
explore 2 "--bogus: unknown option \(try: bakelens --help\)" --bogus "$OUT"
command_rc 2 "--bogus: unknown option \(try: bakelens --help\)" tree --bogus "$OUT"
explore 2 "-t: option needs a value" "$OUT" -t
command_rc 2 "-t: option needs a value" tree "$OUT" -t
explore 2 '--insecure: expected HOST\[:PORT\] \(as in the reference\), got "r:5000/a"' \
	--insecure r:5000/a "$OUT"
command_rc 2 '--insecure: expected HOST\[:PORT\] \(as in the reference\), got "r:5000/a"' \
	tree --insecure r:5000/a "$OUT"
# Options of the commands only are not the explorer's.
explore 2 "--json: unknown option" --json "$OUT"
explore 2 "no SOURCE given" --offline
explore 2 "--diff needs two sides" --diff "$OUT"
# Standard input can be read once, in the explorer as in the commands.
explore 2 "standard input given more than once" - -
explore 2 "standard input given more than once" --diff "$OUT+-" -
command_rc 2 "standard input given more than once" tree - -
finish
