#!/usr/bin/env bash
# docker-daemon: against a real Engine API: Debian's `podman system service`
# started here as root on a temp socket (vfs storage in a temp dir), images
# made with buildah and loaded with skopeo. What bakelens says must equal
# `podman image inspect` and values computed with jq and sha256sum from a
# `podman save` archive. Then the faults of a real daemon: image not found
# (close names) and the service killed mid-stream (by a proxy,
# unix_fault.py). docker_daemon_faults.sh has the rest. Skipped (77) when not
# root or podman cannot start.
. "$BL_TESTLIB"
need_tool podman buildah skopeo umoci jq sha256sum python3 curl tar
if [ "$(id -u)" -ne 0 ]; then
	echo "SKIP: podman system service needs root here (this test starts its own)"
	exit 77
fi
. "$(dirname "$BL_TESTLIB")/podman-lib.sh"
out=$BL_TMP/out err=$BL_TMP/err
cleanup() {
	pm_stop
	fault_stop
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
nosrc='walk(if type == "object" then del(.manifest, .source) else . end)'
# ls, ls --changes, cat and check of the daemon's image equal the same
# commands on the archive podman saved (the same bytes, read from a file).
for img in localhost/app:v2 localhost/big:v1; do
	rm -f same.tar && pm save -q --format docker-archive -o same.tar "$img"
	src=docker-daemon:$img
	# Both manifests are made by bakelens (the archive's has sizes, the
	# image JSON's none), so their digests differ; the rest may not.
	for cmd in "ls --json" "ls --changes --json" "check --json"; do
		# shellcheck disable=SC2086
		expect_same_json "$img" "$nosrc" "$src" "docker-archive:$BL_TMP/same.tar" $cmd
	done
	rm -rf x && mkdir x && bsdtar -xf same.tar -C x
	# umoci's layer (big:v1) ends without the padding after its last
	# member's data: bsdtar extracts every byte and then complains of the rest.
	for l in $(jq -r '.[0].Layers[]' x/manifest.json); do bsdtar -xf "x/$l" -C x 2>/dev/null || true; done
	for f in a b big; do
		[ -f "x/$f" ] || continue
		run_bl cat.out "$err" cat "$src" "/$f"
		expect_eq "$img: cat /$f = bsdtar's bytes (exit $rc; $(head -c 200 "$err"))" \
			"$(sha256_of "x/$f")" "$(sha256_of cat.out)"
	done
done
run_bl "$out" "$err" cat docker-daemon:localhost/big:v1 /big
expect_eq "cat of a file in the daemon's image (exit $rc; $(head -c 200 "$err"))" \
	"$(sha256_of files/big)" "$(sha256_of "$out")"
# An image ID names it too.
digest_is "image ID as the name" "$id" "docker-daemon:$id" --what config

# The explain pane's "check it by hand" commands, run against this daemon:
# what each prints is the node's digest.
"$BL_NODE_PROBE" docker-daemon:localhost/app:v2 >explain.txt
# cmd_for HEADER PATTERN: the first command under the node line HEADER that matches PATTERN.
cmd_for() { awk -v h="$1" -v p="$2" '/^== / {on = ($0 == h)} on && !/^== / && index($0, p) {print; exit}' explain.txt; }
cfg=$(jq -r '.[0].Id' < <(pm image inspect localhost/app:v2))
cfg=sha256:${cfg#sha256:}
c=$(cmd_for "== config $cfg" "curl -s --unix-socket")
expect_eq "explain: the config's curl command names the socket and image" \
	"curl -s --unix-socket $PM_SOCK http://d/images/localhost/app:v2/json | jq -r .Id" "$c"
expect_eq "explain: the config's curl command prints its digest" "$cfg" "$(bash -c "$c")"
top=$(pm image inspect localhost/app:v2 | jq -r '.[0].RootFS.Layers[-1]')
c=$(cmd_for "== layer 1 $top" "curl -s --unix-socket")
expect_eq "explain: the top layer's curl command prints its digest ($c)" "$top" "$(bash -c "$c")"
expect_eq "explain: docker image inspect on the same socket" 1 \
	"$(grep -cxF "DOCKER_HOST=unix://$PM_SOCK docker image inspect --format '{{index .RootFS.Layers 1}}' localhost/app:v2" explain.txt)"

# Not found: exit 6, the close names listed.
run_bl "$out" "$err" digest --what config docker-daemon:localhost/app:v3
expect_eq "unknown tag: exit 6" 6 "$rc"
expect_eq "unknown tag: close names" 1 \
	"$(grep -c 'has no image localhost/app:v3; close names: localhost/app:v1, localhost/app:v2' "$err")"
run_bl "$out" "$err" digest --what config docker-daemon:apq:v2
expect_eq "misspelt name: exit 6" 6 "$rc"
expect_eq "misspelt name: app:v2 first" 1 "$(grep -c 'close names: localhost/app:v2' "$err")"

# The service killed mid-stream: a proxy kills it (by PID) after 1 MB of the save.
fault_start kill proxy "$PM_SOCK" "$PM_PID" 1000000
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
