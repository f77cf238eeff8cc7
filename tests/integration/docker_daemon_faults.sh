#!/usr/bin/env bash
# docker-daemon: when the daemon is not there or misbehaves, no podman needed:
# no socket, a socket nothing listens on, a tcp:// DOCKER_HOST, permission
# denied (as nobody, when root and setpriv are there), answers that are not
# the Engine API, an API error with control bytes, and a daemon of our own
# (unix_fault.py serve) that saves an image made here with umoci and skopeo:
# the save cut mid-stream, an image ID that is no blob of the save, a layer
# that is not in it, an ID that is the manifest (Docker's containerd store),
# and the real target named by Descriptor.
. "$BL_TESTLIB"
need_tool python3 umoci skopeo jq sha256sum bsdtar
. "$(dirname "$BL_TESTLIB")/podman-lib.sh"
trap 'fault_stop; bl_cleanup' EXIT
out=$BL_TMP/out err=$BL_TMP/err
cd "$BL_TMP"
# has PATTERN: how many lines of $err match it
has() { grep -c -- "$1" "$err" || true; }

# No socket, nothing listening, another scheme.
DOCKER_HOST=unix://$BL_TMP/none.sock run_bl "$out" "$err" tree docker-daemon:localhost/app:v2
expect_eq "no socket: exit 3" 3 "$rc"
expect_eq "no socket: says the daemon is not running" 1 \
	"$(has 'no daemon socket at unix://.*none.sock: is the Docker daemon running')"
python3 -c 'import socket,sys; s=socket.socket(socket.AF_UNIX); s.bind(sys.argv[1])' "$BL_TMP/dead.sock"
DOCKER_HOST=unix://$BL_TMP/dead.sock run_bl "$out" "$err" tree docker-daemon:localhost/app:v2
expect_eq "dead socket: exit 3" 3 "$rc"
expect_eq "dead socket: nothing listens" 1 \
	"$(has 'nothing listens on .*dead.sock: the daemon is not running')"
DOCKER_HOST=tcp://127.0.0.1:2375 run_bl "$out" "$err" tree docker-daemon:localhost/app:v2
expect_eq "tcp DOCKER_HOST: exit 4" 4 "$rc"
expect_eq "tcp DOCKER_HOST: says only unix" 1 \
	"$(has 'DOCKER_HOST=tcp://127.0.0.1:2375: only a unix:// socket is supported')"

# Answers that are not the Engine API.
fault_start garbage garbage
DOCKER_HOST=unix://$BL_TMP/garbage.sock run_bl "$out" "$err" tree docker-daemon:x:1
expect_eq "garbage: exit 4" 4 "$rc"
expect_eq "garbage: not the Engine API" 1 "$(has 'answered something that is not the Engine API')"
fault_start notjson notjson
DOCKER_HOST=unix://$BL_TMP/notjson.sock run_bl "$out" "$err" tree docker-daemon:x:1
expect_eq "not JSON: exit 4" 4 "$rc"
expect_eq "not JSON: says which request" 1 "$(has 'GET /images/x:1/json: not the Engine API')"
fault_start apierror apierror
DOCKER_HOST=unix://$BL_TMP/apierror.sock run_bl "$out" "$err" tree docker-daemon:x:1
expect_eq "API error: exit 3" 3 "$rc"
expect_eq "API error: the message shown" 1 "$(has 'the daemon answered 500: storage broke')"
expect_clean "API error: escaped" "$err"

# Permission denied: a socket only root's group may use, reached as nobody.
if [ "$(id -u)" -eq 0 ] && command -v setpriv >/dev/null 2>&1 && id nobody >/dev/null 2>&1 &&
	setpriv --reuid nobody --regid nogroup --clear-groups "$BAKELENS" --version >/dev/null 2>&1; then
	mkdir -m 755 perm
	chmod 755 "$BL_TMP"
	fault_start perm/d garbage
	chmod 660 perm/d.sock
	rc=0
	DOCKER_HOST=unix://$BL_TMP/perm/d.sock setpriv --reuid nobody --regid nogroup --clear-groups \
		"$BAKELENS" tree docker-daemon:localhost/app:v2 >"$out" 2>"$err" || rc=$?
	expect_eq "permission denied: exit 8 ($(head -c 200 "$err"))" 8 "$rc"
	expect_eq "permission denied: names the group and sudo" 1 \
		"$(has 'permission denied on unix://.*d.sock: it belongs to group root; join that group (then log in again) or run bakelens with sudo')"
else
	echo "note: permission case skipped: needs root, setpriv, a user nobody who can run $BAKELENS"
fi

# A daemon of our own, saving an OCI archive made here.
mkdir files && echo x >files/x
umoci init --layout L >/dev/null
umoci new --image L:v1 >/dev/null
umoci config --image L:v1 --os linux --architecture amd64
umoci insert --image L:v1 files/x /x >/dev/null
echo '{"default":[{"type":"insecureAcceptAnything"}]}' >policy.json
skopeo copy -q --policy policy.json oci:L:v1 oci-archive:save.tar:v1
man=$(jq -r '.manifests[0].digest' L/index.json)
mansize=$(jq -r '.manifests[0].size' L/index.json)
cfg=$(jq -r .config.digest "L/blobs/sha256/${man#sha256:}")
layer=$(jq -r '.layers[0].digest' "L/blobs/sha256/${man#sha256:}")
diff=$(jq -r '.rootfs.diff_ids[0]' "L/blobs/sha256/${cfg#sha256:}")
lie=sha256:$(echo lie | sha256sum | cut -c1-64)
serve() { # serve NAME JSON [CUT]: a daemon whose image JSON is JSON, saving save.tar
	echo "$2" >"$1.json"
	fault_start "$1" serve "$BL_TMP/$1.json" "$BL_TMP/save.tar" ${3:+"$3"}
	export DOCKER_HOST=unix://$BL_TMP/$1.sock
}

serve target "{\"Id\":\"$cfg\",\"Descriptor\":{\"mediaType\":\"application/vnd.oci.image.manifest.v1+json\",\"digest\":\"$man\",\"size\":$mansize},\"RootFS\":{\"Layers\":[\"$diff\"]}}"
digest_is "Descriptor: the real manifest" "$man" docker-daemon:x:1 --what manifest
digest_is "Descriptor: config" "$cfg" docker-daemon:x:1 --what config
digest_is "Descriptor: layer (compressed, from the save)" "$layer" docker-daemon:x:1 --what layer
run_bl "$out" "$err" cat docker-daemon:x:1 /x
expect_eq "Descriptor: cat reads the layer in a second pass (exit $rc)" x "$(cat "$out")"
: >target.json.log
run_bl "$out" "$err" tree --offline docker-daemon:x:1
expect_eq "--offline: exit 7 (the saved image not read)" 7 "$rc"
expect_eq "--offline: says the digests are claims" 1 "$(has "offline: the saved image, where the config's bytes are, is not read")"
expect_eq "--offline: only the image JSON asked for" /images/x:1/json "$(sort -u target.json.log)"

serve cut "{\"Id\":\"$cfg\",\"Descriptor\":{\"mediaType\":\"application/vnd.oci.image.manifest.v1+json\",\"digest\":\"$man\",\"size\":$mansize}}" 2000
run_bl "$out" "$err" digest --what config docker-daemon:x:1
expect_eq "save cut mid-stream: exit 3 ($(head -c 300 "$err"))" 3 "$rc"
expect_eq "save cut mid-stream: says so ($(head -c 300 "$err"))" 1 \
	"$(has 'the daemon stopped sending the saved image after 2000 bytes')"

serve lyingid "{\"Id\":\"$lie\",\"RootFS\":{\"Layers\":[\"$diff\"]}}"
run_bl "$out" "$err" digest --what config docker-daemon:x:1
expect_eq "an ID that is no blob of the save: exit 5" 5 "$rc"
expect_eq "an ID that is no blob of the save: says so" 1 \
	"$(has "the daemon names $lie but the image it saved holds no such blob")"

serve lyinglayer "{\"Id\":\"$cfg\",\"RootFS\":{\"Layers\":[\"$lie\"]}}"
run_bl "$out" "$err" tree docker-daemon:x:1
expect_eq "a layer that is not in the save: exit 5" 5 "$rc"
expect_eq "a layer that is not in the save: a mismatch" 1 "$(grep -c 'layer 1/1 .*mismatch' "$out")"

serve idisman "{\"Id\":\"$man\",\"RootFS\":{\"Layers\":[\"$diff\"]}}"
run_bl "$out" "$err" digest --what config docker-daemon:x:1
expect_eq "an ID that is the manifest: exit 4" 4 "$rc"
expect_eq "an ID that is the manifest: says so" 1 \
	"$(has "the image ID $man is the image's manifest or index, not its config")"
# Docker before 25 saves each layer as `<v1 id>/layer.tar`, a name that is
# no digest: each layer is matched by the diff_id its tar hashes to.
python3 "$(dirname "$BL_TESTLIB")/make_legacy_save.py" legacy.tar x:1 >legacy.ids
lcfg=$(sed -n 1p legacy.ids)
ldiffs=$(sed -n '2,$p' legacy.ids | jq -R . | jq -sc .)
echo "{\"Id\":\"$lcfg\",\"RootFS\":{\"Layers\":$ldiffs}}" >legacy.json
fault_start legacy serve "$BL_TMP/legacy.json" "$BL_TMP/legacy.tar"
export DOCKER_HOST=unix://$BL_TMP/legacy.sock
digest_is "legacy save: config" "$lcfg" docker-daemon:x:1 --what config
digest_is "legacy save: top layer" "$(sed -n 3p legacy.ids)" docker-daemon:x:1 --what layer
nosrc='walk(if type == "object" then del(.manifest, .source) else . end)'
for cmd in "ls --json" "ls --json --layer 1" "ls --json --layer 2" "ls --changes --json" "check --json"; do
	# shellcheck disable=SC2086
	expect_same_json "legacy save" "$nosrc" docker-daemon:x:1 "docker-archive:$BL_TMP/legacy.tar" $cmd
done
run_bl "$out" "$err" ls docker-daemon:x:1
expect_eq "legacy save: ls: the whiteout applied (exit $rc)" "a b d" "$(awk '{print $NF}' "$out" | xargs)"
# Each layer opened on its own, as the explorer's file view opens it: a
# second pass over the save up to the member whose bytes hash to the layer.
rc=0
"$BL_NODE_PROBE" --files docker-daemon:x:1 >probe.out 2>"$err" || rc=$?
expect_eq "legacy save: each layer listed on its own (exit; $(head -c 300 "$err"))" 0 "$rc"
expect_eq "legacy save: layer 2's files = its layer.tar's" \
	"$(bsdtar -xOf legacy.tar "$(bsdtar -tf legacy.tar | grep layer.tar | tail -1)" | bsdtar -tf - | sed "s|/$||" | sort | xargs)" \
	"$(awk '/^== layer 1 /{on=1; next} /^== /{on=0} on' probe.out | sort | xargs)"
rm -rf lx && mkdir lx && bsdtar -xf legacy.tar -C lx
for f in a b; do
	for l in lx/*/layer.tar; do bsdtar -xf "$l" -C lx; done
	run_bl "$out" "$err" cat docker-daemon:x:1 "/$f"
	expect_eq "legacy save: cat /$f = bsdtar's bytes (exit $rc; $(head -c 200 "$err"))" \
		"$(sha256_of "lx/$f")" "$(sha256_of "$out")"
done
run_bl "$out" "$err" cat --layer 1 docker-daemon:x:1 /d/x
expect_eq "legacy save: cat of layer 1's /d/x (exit $rc; $(head -c 200 "$err"))" 3000 "$(wc -c <"$out")"
finish
