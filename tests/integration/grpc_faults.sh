#!/usr/bin/env bash
# The containerd store against daemons that misbehave (grpc_fault_server.py
# on a unix socket: bytes that are not HTTP/2, a truncated gRPC frame, a
# message announced over the cap, a daemon that stops mid-answer, a status
# from the trailers), against no daemon at all (no socket, a socket left
# behind, one the user may not open) and against connect commands that fail.
# Each must exit with its documented code (as the Docker daemon's store: 3
# unreachable or stopped, 4 not the protocol, 8 not allowed) and a message
# that says what to do;
# nothing is left in the cache. Needs no root (the permission case does).
. "$BL_TESTLIB"
need_tool python3
out=$BL_TMP/out err=$BL_TMP/err
cd "$BL_TMP"
SRV=$(dirname "$BL_TESTLIB")/grpc_fault_server.py
S=$BL_TMP/f.sock
srv_pid=
stop_server() {
	if [ -n "$srv_pid" ]; then kill "$srv_pid" 2>/dev/null; wait "$srv_pid" 2>/dev/null || true; fi
	srv_pid=
	rm -f "$S"
}
trap 'stop_server; bl_cleanup' EXIT
start_server() { # MODE
	stop_server
	python3 "$SRV" "$S" "$1" "$BL_TMP/log" &
	srv_pid=$!
	for _ in $(seq 1 50); do [ -S "$S" ] && return; sleep 0.1; done
	fail "fault server ($1) did not start"
}
# fault MODE WANT_RC WANT_TEXT: containerd:ns/NAME through the server in MODE.
fault() {
	start_server "$1"
	run_bl "$out" "$err" digest --containerd-address "unix://$S" containerd:ns/example.com/x:1
	expect_eq "$1: exit code ($(head -c 300 "$err"))" "$2" "$rc"
	expect_eq "$1: message says '$3'" 1 "$(grep -c -- "$3" "$err")"
	expect_eq "$1: the server was asked" 1 "$(grep -c "^$1 request" "$BL_TMP/log" || true)"
}
fault truncated 4 "the answer ended inside a gRPC message (10 of 100 bytes)"
fault huge 4 "a gRPC message of 2147483647 bytes, over the limit of 16777216"
fault midstop 3 "containerd stopped mid-answer"
fault notgrpc 4 "not a gRPC answer (HTTP status 200, not application/grpc)"
fault status 8 'PERMISSION_DENIED: permission denied\\nby test'
start_server garbage
run_bl "$out" "$err" digest --containerd-address "unix://$S" containerd:ns/example.com/x:1
expect_eq "garbage: exit code ($(head -c 300 "$err"))" 4 "$rc"
expect_eq "garbage: message" 1 "$(grep -c "no HTTP/2 answer (not a gRPC server?)" "$err")"
# A daemon that never finishes its answer: the progress callback cancels
# the call (Esc in the explorer) long before the 30 s low-speed limit.
start_server stall
rc=0
CONTAINERD_ADDRESS=unix://$S "$BL_CANCEL_PROBE" containerd:ns/example.com/x:1 300 2>"$err" || rc=$?
expect_eq "stall: cancelled ($(head -c 300 "$err"))" 0 "$rc"
ms=$(sed -n 's/.* after \([0-9]*\) ms.*/\1/p' "$err")
expect_eq "stall: cancelled within 2 s (took ${ms:-?} ms)" 1 "$([ "${ms:-99999}" -lt 2000 ] && echo 1 || echo 0)"
stop_server

# No daemon: no socket at all; a socket nobody listens on.
run_bl "$out" "$err" digest --containerd-address "$BL_TMP/none.sock" containerd:example.com/x:1
expect_eq "no socket: exit code ($(head -c 300 "$err"))" 3 "$rc"
expect_eq "no socket: message" 1 "$(grep -c "no such socket: is containerd running?" "$err")"
python3 -c 'import socket, sys; socket.socket(socket.AF_UNIX).bind(sys.argv[1])' "$BL_TMP/dead.sock"
BUILDKIT_HOST=unix://$BL_TMP/dead.sock run_bl "$out" "$err" digest "buildkit:sha256:$(printf %064d 0)"
expect_eq "refused: exit code ($(head -c 300 "$err"))" 3 "$rc"
expect_eq "refused: message names BuildKit" 1 \
	"$(grep -c "BuildKit at .*dead.sock: connection refused: BuildKit is not running" "$err")"
# An address bakelens cannot dial names the way that works.
BUILDKIT_HOST=docker-container://buildx_buildkit_ci0 run_bl "$out" "$err" digest buildkit:
expect_eq "docker-container://: exit code" 4 "$rc"
expect_eq "docker-container://: the --connect-cmd to use" 1 \
	"$(grep -c -- "--connect-cmd 'docker exec -i buildx_buildkit_ci0 buildctl dial-stdio'" "$err")"

# A socket the user may not open: the group that owns it is named.
if [ "$(id -u)" -eq 0 ] && command -v setpriv >/dev/null 2>&1; then
	P=$BL_TMP/perm && mkdir -m 755 "$P" && chmod 755 "$BL_TMP"
	python3 -c 'import socket, sys; s = socket.socket(socket.AF_UNIX); s.bind(sys.argv[1]); s.listen(1)
import time; time.sleep(30)' "$P/c.sock" &
	hold=$!
	for _ in $(seq 1 50); do [ -S "$P/c.sock" ] && break; sleep 0.1; done
	chgrp daemon "$P/c.sock" && chmod 660 "$P/c.sock"
	rc=0
	setpriv --reuid=65534 --regid=65534 --clear-groups "$BAKELENS" digest \
		--containerd-address "$P/c.sock" containerd:example.com/x:1 >"$out" 2>"$err" || rc=$?
	expect_eq "permission denied: exit code ($(head -c 300 "$err"))" 8 "$rc"
	expect_eq "permission denied: the group and sudo" 1 \
		"$(grep -c "permission denied: the socket belongs to group daemon; join that group or use sudo" "$err")"
	# Not open to a group: the owner and sudo.
	chmod 600 "$P/c.sock"
	rc=0
	setpriv --reuid=65534 --regid=65534 --clear-groups "$BAKELENS" digest \
		--containerd-address "$P/c.sock" containerd:example.com/x:1 >"$out" 2>"$err" || rc=$?
	kill "$hold" && wait "$hold" 2>/dev/null || true
	expect_eq "permission denied, owner only: exit code" 8 "$rc"
	expect_eq "permission denied, owner only: message" 1 \
		"$(grep -c "permission denied: only root may open the socket; use sudo" "$err")"
else
	echo "note: not root (or no setpriv): the permission case is left out"
fi

# Connect commands that fail: one that exits at once, one that talks nonsense.
run_bl "$out" "$err" digest --connect-cmd 'echo no such builder >&2; exit 3' containerd:example.com/x:1
expect_eq "command exits: exit code ($(head -c 300 "$err"))" 3 "$rc"
expect_eq "command exits: its status and last words" 1 \
	"$(grep -c "the connect command exited with status 3: no such builder" "$err")"
run_bl "$out" "$err" digest --connect-cmd 'head -c 24 >/dev/null; printf "HTTP/1.1 400 Bad\r\n\r\n"' \
	containerd:example.com/x:1
expect_eq "command talks nonsense: exit code ($(head -c 300 "$err"))" 4 "$rc"

# Nothing read from a daemon is cached.
expect_eq "no cache written" 0 "$(find "$XDG_CACHE_HOME" -type f 2>/dev/null | wc -l)"
finish
