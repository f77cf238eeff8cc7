#!/usr/bin/env bash
# An SBOM statement, left unread while the build loads, is read (and
# verified) when the cursor lands on it: the detail pane shows its facts and
# its document, as for any statement; one whose bytes fail their digest says
# so in the status line. Layouts written by make_sbom_layout.py.
# Needs tmux, python3, jq.
. "$BL_TESTLIB"
need_tool tmux python3 jq
export TZ=UTC LC_ALL=C.UTF-8 TERM=xterm-256color
MK=$BL_SRC/tests/integration/make_sbom_layout.py
python3 "$MK" "$BL_TMP/c" spdx amd64=musl@1.2.4,zlib@1.3 --filler 2
python3 "$MK" "$BL_TMP/d" spdx amd64=musl@1.2.4,zlib@1.3 --filler 2
# statement LAYOUT: the path of its (amd64) SBOM statement blob
statement() { local d; d=$(sbom_statement amd64 "$1"); echo "$1/blobs/sha256/${d#sha256:}"; }
npk=$(jq '.predicate.packages | length' "$(statement "$BL_TMP/c")")
st=$(statement "$BL_TMP/d")
sed -i 's/"SPDX-2.3"/"SPDX-2.4"/' "$st" # same size, another digest

SOCK=bl-sbomdoc-$$
T=
trap '[ -z "$T" ] || $T kill-server 2>/dev/null || true; bl_cleanup' EXIT
. "$BL_SRC/tests/tui/tmux-lib.sh"
# open LAYOUT N: the explorer on LAYOUT in tmux server N, on its SBOM statement
open() {
	[ -z "$T" ] || $T kill-server 2>/dev/null || true
	T="tmux -L $SOCK-$2" # a server each: the last one may still be shutting down
	$T -f /dev/null new-session -d -s bl -x 120 -y 40 \
		"env XDG_CONFIG_HOME=/nonexistent TZ=UTC LC_ALL=C.UTF-8 TERM=xterm-256color '$BAKELENS' '$1'; echo EXITED \$?; sleep 30"
	$T set -g window-size manual
	if wait_for "index" 10; then pass; else fail "$1: the explorer did not open"; fi
	$T send-keys -t bl '*' / s b o m Enter
}
quit() {
	$T send-keys -t bl q
	if wait_for "EXITED 0" 5; then pass; else fail "q did not quit with 0"; fi
}

open "$BL_TMP/c" 1
if wait_for "spdx_version" 5; then pass; else fail "the statement's facts are not shown"; fi
screen=$($T capture-pane -p -t bl)
expect_eq "its packages counted as jq counts them ($npk)" 1 \
	"$(grep -cE "packages +$npk *$" <<<"$screen")"
expect_eq "its document is shown" 1 "$(grep -c 'Document  application/vnd.in-toto+json' <<<"$screen")"
expect_eq "the document's own text" 1 "$(grep -c '"_type": "https://in-toto.io/Statement/v0.1",' <<<"$screen")"
quit

open "$BL_TMP/d" 2
if wait_for "Statement: " 5; then pass; else fail "the changed statement's error is not said"; fi
screen=$($T capture-pane -p -t bl)
expect_eq "no document of unverified bytes" 0 "$(grep -c 'SPDX-2.4' <<<"$screen" || true)"
quit
finish
