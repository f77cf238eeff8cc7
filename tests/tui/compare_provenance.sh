#!/bin/sh
# The compare view names the cause from provenance (tmux): two OCI layouts
# whose BuildKit-shaped provenance statements differ in one build argument
# (made by tests/integration/make_prov_layout.py). The platform summary
# shows the cause chain and the one input change; the provenance row says
# why it differs; the layer row shows the Dockerfile line that made it. The
# explorer shows the same line on the layer and the decoded statement.
# Screens are compared with golden files; BL_UPDATE_SCREENS=1 rewrites them.
# Needs: BAKELENS, BL_SRC (set by meson), python3, tmux. Exit 77 = skipped.
set -u
export TZ=UTC LC_ALL=C.UTF-8 TERM=xterm-256color
: "${BAKELENS:?}" "${BL_SRC:?}"
for t in tmux python3; do
	command -v $t >/dev/null || { echo "no $t: skip"; exit 77; }
done
SOCK=bl-prov-$$
T="tmux -L $SOCK-0"
W=$(mktemp -d)
fail=0
cleanup() { $T kill-server 2>/dev/null; rm -rf "$W"; }
trap cleanup EXIT INT TERM
cd "$W" || exit 1
python3 "$BL_SRC/tests/integration/make_prov_layout.py" left --version 1.2 >/dev/null || exit 1
python3 "$BL_SRC/tests/integration/make_prov_layout.py" right --version 1.3 >/dev/null || exit 1

. "$BL_SRC/tests/tui/tmux-lib.sh"
tui_start 100 50 \
	"cd '$W' && env TZ=UTC LC_ALL=C.UTF-8 TERM=xterm-256color NO_COLOR= XDG_CONFIG_HOME=/nonexistent '$BAKELENS' --diff left right; echo EXITED \$?; sleep 30"
wait_for "5 differences" || exit 1
wait_for 'input: build-arg:VERSION 1.2 -> 1.3' || fail=1
wait_for 'build argument VERSION that it uses changed (1.2 -> 1.3)' || fail=1
golden compare-provenance-100x50 || fail=1
# ] twice: layer 2, whose sides say the Dockerfile line that made them.
$T send-keys -t bl ']' ']'
wait_for "difference 2 of 5" || fail=1
wait_for 'dockerfile Dockerfile:4 `RUN echo "version ${VERSION}" > /version`' || fail=1
# ] three more: the provenance statement says why it differs.
$T send-keys -t bl ']' ']' ']'
wait_for "difference 5 of 5" || fail=1
wait_for 'why: build-arg:VERSION 1.2 -> 1.3' || fail=1
golden compare-provenance-statement-100x50 || fail=1
$T send-keys -t bl q
wait_for "EXITED 0" || fail=1

# The other pairs, one input each: the platform summary names it alone.
M="$BL_SRC/tests/integration/make_prov_layout.py"
python3 "$M" base --base-digest 2d711642b726b04401627ca9fbac32f5c8530fb1903cc4db02258717921a4881 >/dev/null
python3 "$M" ctx --commit 1111111111111111111111111111111111111111 >/dev/null
python3 "$M" line --run-line 'RUN echo "release ${VERSION}" > /version' >/dev/null
one_input() { # RIGHT INPUT
	tui_start 200 50 \
		"cd '$W' && env TZ=UTC LC_ALL=C.UTF-8 TERM=xterm-256color NO_COLOR= XDG_CONFIG_HOME=/nonexistent '$BAKELENS' --diff left $1; sleep 30"
	wait_for "input: $2" || fail=1
	n=$(pane | grep -c ' input: ')
	[ "$n" = 1 ] || { echo "FAIL: $1: $n input lines"; fail=1; }
}
one_input base 'base image docker.io/library/alpine:latest moved sha256:4b7ce07002c6 -> sha256:2d711642b726'
one_input ctx 'context https://github.com/example/app.git commit bdb96fcfe8cc -> 111111111111'
one_input line 'Dockerfile line 4: `RUN echo "version ${VERSION}" > /version` -> `RUN echo "release ${VERSION}" > /version`'

# The explorer: a layer's detail says the Dockerfile line that made it, the
# provenance statement's its decoded inputs.
tui_start 120 50 \
	"cd '$W' && env TZ=UTC LC_ALL=C.UTF-8 TERM=xterm-256color NO_COLOR= XDG_CONFIG_HOME=/nonexistent '$BAKELENS' left; sleep 30"
wait_for "attestation for linux/amd64" || fail=1
$T send-keys -t bl Down Down Right
sleep 0.3
$T send-keys -t bl Down Down Down
wait_for 'dockerfile_lines Dockerfile:4 `RUN echo "version ${VERSION}" >' || fail=1
$T send-keys -t bl Down Down Right
sleep 0.3
$T send-keys -t bl Down Down
wait_for 'build_arg:build-arg:VERSION 1.2' || fail=1
wait_for 'builder_platform linux/amd64' || fail=1
wait_for 'provenance_mode max' || fail=1
[ $fail -eq 0 ] && echo "compare_provenance: ok"
exit $fail
