#!/usr/bin/env bash
# docker-daemon: against a real Engine API: Debian's `podman system service`
# started here as root on a temp socket (vfs storage in a temp dir), images
# made with buildah and loaded with skopeo. What bakelens says must equal
# `podman image inspect` and values computed with jq and sha256sum from a
# `podman save` archive. Then the faults: image not found (close names), no
# socket, nothing listening, a tcp:// DOCKER_HOST, permission denied (as
# nobody), garbage and error answers (unix_fault.py), and the service killed
# mid-stream. Skipped (77) when not root or podman cannot start.
. "$BL_TESTLIB"
need_tool podman buildah skopeo umoci jq sha256sum python3 curl tar
if [ "$(id -u)" -ne 0 ]; then
	echo "SKIP: podman system service needs root here (this test starts its own)"
	exit 77
fi
. "$(dirname "$BL_TESTLIB")/podman-lib.sh"
FAULT=$(dirname "$BL_TESTLIB")/unix_fault.py
out=$BL_TMP/out err=$BL_TMP/err
FAULT_PIDS=""
cleanup() {
	pm_stop
	for p in $FAULT_PIDS; do kill "$p" 2>/dev/null || true; done
	for p in $FAULT_PIDS; do wait "$p" 2>/dev/null || true; done
	bl_cleanup
}
trap cleanup EXIT
if ! pm_start "$BL_TMP/pm"; then
	echo "SKIP: $PM_WHY"
	exit 77
fi
export DOCKER_HOST=unix://$PM_SOCK
cd "$BL_TMP"

# Two images by buildah (v2 on top of v1), one by umoci + skopeo.
mkdir -p files && echo hello >files/a && echo two >files/b && head -c 3000000 /dev/urandom >files/big
c=$(bah from scratch)
bah copy "$c" files/a /a >/dev/null
bah config --cmd /a "$c"
bah commit -q "$c" localhost/app:v1 >/dev/null
c=$(bah from localhost/app:v1)
bah copy "$c" files/b /b >/dev/null
bah config --env K=V --cmd /b "$c"
bah commit -q "$c" localhost/app:v2 >/dev/null
umoci init --layout L >/dev/null
umoci new --image L:v1 >/dev/null
umoci config --image L:v1 --os linux --architecture amd64 --config.cmd /big
umoci insert --image L:v1 files/big /big >/dev/null
skopeo copy -q --policy "$PM_DIR/policy.json" oci:L:v1 \
	"containers-storage:[vfs@$PM_DIR/root+$PM_DIR/run]localhost/big:v1"

for img in localhost/app:v2 localhost/big:v1; do
	# What podman says.
	pm image inspect "$img" >inspect.json
	id=sha256:$(jq -r '.[0].Id' inspect.json)
	layers=$(jq -r '.[0].RootFS.Layers[]' inspect.json)
	# What its saved archive holds, computed without bakelens.
	rm -rf save save.tar && mkdir save
	pm save -q --format docker-archive -o save.tar "$img"
	tar -xf save.tar -C save
	cfgfile=save/$(jq -r '.[0].Config' save/manifest.json)
	cfg=$(sha256_of "$cfgfile")
	diffs=$(jq -r '.rootfs.diff_ids[]' "$cfgfile")
	tars=$(jq -r '.[0].Layers[]' save/manifest.json | while read -r l; do sha256_of "save/$l"; done)
	expect_eq "$img: podman's Id is the saved config's digest" "$cfg" "$id"
	expect_eq "$img: RootFS.Layers are the saved config's diff_ids" "$diffs" "$layers"
	expect_eq "$img: saved layer tars hash to the diff_ids" "$diffs" "$tars"

	src=docker-daemon:$img
	digest_is "$img: config" "$cfg" "$src" --what config
	digest_is "$img: diff-id" "$(echo "$diffs" | tail -1)" "$src" --what diff-id
	digest_is "$img: chain-id" "$(chain_id $diffs)" "$src" --what chain-id
	digest_is "$img: layer (uncompressed: its diff_id)" "$(echo "$diffs" | tail -1)" "$src" --what layer

	run_bl "$out" "$err" inspect --json "$src"
	expect_eq "$img: inspect exit ($(head -c 300 "$err"))" 0 "$rc"
	expect_eq "$img: inspect config digest = podman Id" "$id" \
		"$(jq -r '.. | objects | select(.kind? == "config") | .descriptor.digest' "$out")"
	expect_eq "$img: config verified" ok \
		"$(jq -r '.. | objects | select(.kind? == "config") | .status' "$out")"
	expect_eq "$img: layers = podman RootFS.Layers" "$layers" \
		"$(jq -r '.. | objects | select(.kind? == "layer") | .descriptor.digest' "$out")"
	expect_eq "$img: every layer hashed and equal" "$(echo "$layers" | sed 's/.*/verified/')" \
		"$(jq -r '.. | objects | select(.kind? == "layer") | .layer.blob' "$out")"
	expect_eq "$img: the manifest says it is synthesised" true \
		"$(jq -r '.. | objects | select(.kind? == "manifest") | .synthesised' "$out")"
	jq -r '.[0].RepoDigests[]' inspect.json | while read -r rd; do
		grep -qF "$rd" "$out" || echo "$rd" >>missing-repo-digests
	done
	expect_eq "$img: podman's RepoDigests shown as the daemon's claim" "" \
		"$(cat missing-repo-digests 2>/dev/null)"

	# Files of the last layer: a second pass over the save stream.
	last=$(jq -r '.[0].Layers[-1]' save/manifest.json)
	run_bl "$out" "$err" ls --json --layer "$(echo "$diffs" | wc -l)" "$src"
	expect_eq "$img: ls exit ($(head -c 300 "$err"))" 0 "$rc"
	expect_eq "$img: ls of the last layer = tar -t of the saved one" \
		"$(tar -tf "save/$last" | sed 's|^\./||; s|/$||' | grep -v '^$' | sort)" \
		"$(jq -r '.. | objects | .path? // empty' "$out" | sed 's|^/||' | sort)"
done
run_bl "$out" "$err" cat docker-daemon:localhost/big:v1 /big
expect_eq "cat of a file in the daemon's image (exit $rc; $(head -c 200 "$err"))" \
	"$(sha256_of files/big)" "$(sha256_of "$out")"
# An image ID names it too.
digest_is "image ID as the name" "$id" "docker-daemon:$id" --what config

# Not found: exit 6, the close names listed.
run_bl "$out" "$err" digest --what config docker-daemon:localhost/app:v3
expect_eq "unknown tag: exit 6" 6 "$rc"
expect_eq "unknown tag: close names" 1 \
	"$(grep -c 'has no image localhost/app:v3; close names: localhost/app:v1, localhost/app:v2' "$err")"
run_bl "$out" "$err" digest --what config docker-daemon:apq:v2
expect_eq "misspelt name: exit 6" 6 "$rc"
expect_eq "misspelt name: app:v2 first" 1 "$(grep -c 'close names: localhost/app:v2' "$err")"

# No socket, nothing listening, another scheme.
DOCKER_HOST=unix://$BL_TMP/none.sock run_bl "$out" "$err" tree docker-daemon:localhost/app:v2
expect_eq "no socket: exit 3" 3 "$rc"
expect_eq "no socket: says the daemon is not running" 1 "$(grep -c 'no daemon socket at unix://.*none.sock: is the Docker daemon running' "$err")"
python3 -c 'import socket,sys; s=socket.socket(socket.AF_UNIX); s.bind(sys.argv[1])' "$BL_TMP/dead.sock"
DOCKER_HOST=unix://$BL_TMP/dead.sock run_bl "$out" "$err" tree docker-daemon:localhost/app:v2
expect_eq "dead socket: exit 3" 3 "$rc"
expect_eq "dead socket: nothing listens" 1 "$(grep -c 'nothing listens on .*dead.sock: the daemon is not running' "$err")"
DOCKER_HOST=tcp://127.0.0.1:2375 run_bl "$out" "$err" tree docker-daemon:localhost/app:v2
expect_eq "tcp DOCKER_HOST: exit 4" 4 "$rc"
expect_eq "tcp DOCKER_HOST: says only unix" 1 "$(grep -c 'DOCKER_HOST=tcp://127.0.0.1:2375: only a unix:// socket is supported' "$err")"

# A server of our own: answers that are not the Engine API.
fault() { # fault NAME MODE [ARGS...]: start unix_fault.py on $BL_TMP/NAME.sock
	local name=$1
	shift
	mkfifo "$BL_TMP/$name.ready"
	python3 "$FAULT" "$BL_TMP/$name.sock" "$@" >"$BL_TMP/$name.ready" &
	FAULT_PIDS="$FAULT_PIDS $!"
	read -r _ <"$BL_TMP/$name.ready"
}
fault garbage garbage
DOCKER_HOST=unix://$BL_TMP/garbage.sock run_bl "$out" "$err" tree docker-daemon:x:1
expect_eq "garbage: exit 4" 4 "$rc"
expect_eq "garbage: not the Engine API" 1 "$(grep -c 'answered something that is not the Engine API' "$err")"
fault notjson notjson
DOCKER_HOST=unix://$BL_TMP/notjson.sock run_bl "$out" "$err" tree docker-daemon:x:1
expect_eq "not JSON: exit 4" 4 "$rc"
expect_eq "not JSON: says which request" 1 "$(grep -c 'GET /images/x:1/json: not the Engine API' "$err")"
fault apierror apierror
DOCKER_HOST=unix://$BL_TMP/apierror.sock run_bl "$out" "$err" tree docker-daemon:x:1
expect_eq "API error: exit 3" 3 "$rc"
expect_eq "API error: the message shown" 1 "$(grep -c 'the daemon answered 500: storage broke' "$err")"
expect_clean "API error: escaped" "$err"

# Permission denied: a socket only root's group may use, reached as nobody.
if command -v setpriv >/dev/null 2>&1 && id nobody >/dev/null 2>&1; then
	mkdir -m 755 perm
	python3 "$FAULT" "$BL_TMP/perm/d.sock" garbage >perm/ready &
	FAULT_PIDS="$FAULT_PIDS $!"
	for _ in $(seq 1 50); do [ -S perm/d.sock ] && break; sleep 0.1; done
	chmod 660 perm/d.sock
	chmod 755 "$BL_TMP"
	rc=0
	DOCKER_HOST=unix://$BL_TMP/perm/d.sock setpriv --reuid nobody --regid nogroup --clear-groups \
		"$BAKELENS" tree docker-daemon:localhost/app:v2 >"$out" 2>"$err" || rc=$?
	expect_eq "permission denied: exit 8 ($(head -c 200 "$err"))" 8 "$rc"
	expect_eq "permission denied: names the group and sudo" 1 \
		"$(grep -c 'permission denied on unix://.*d.sock: it belongs to group root; join that group (then log in again) or run bakelens with sudo' "$err")"
else
	echo "note: permission case skipped: no setpriv or no user nobody"
fi

# The service killed mid-stream: a proxy kills it (by PID) after 1 MB of the save.
fault kill proxy "$PM_SOCK" "$PM_PID" 1000000
DOCKER_HOST=unix://$BL_TMP/kill.sock run_bl "$out" "$err" digest --what config docker-daemon:localhost/big:v1
expect_eq "killed mid-stream: exit 3 ($(head -c 300 "$err"))" 3 "$rc"
expect_eq "killed mid-stream: says so" 1 \
	"$(grep -c 'the daemon stopped sending the saved image after [0-9]* bytes' "$err")"
wait "$PM_PID" 2>/dev/null || true
alive=yes
kill -0 "$PM_PID" 2>/dev/null || alive=no
expect_eq "the service was killed mid-stream" no "$alive"
PM_PID=""
finish
