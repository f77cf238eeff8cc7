#!/usr/bin/env bash
# containerd over its gRPC API: containerd started here (containerd-lib.sh),
# images made with umoci + skopeo (an OCI archive) and buildah (a docker
# archive) imported with ctr, then read with containerd:NS/NAME. Every digest
# bakelens reports must equal what ctr reports (images ls, content get + jq),
# every blob it reaches must be one ctr lists, and the same bytes must come
# over the API, from the content directory under the daemon's root, and
# through --connect-cmd with socat. Skipped (77) when not root or containerd
# cannot start.
. "$BL_TESTLIB"
need_tool umoci skopeo jq sha256sum bsdtar
. "$(dirname "$BL_TESTLIB")/containerd-lib.sh"
out=$BL_TMP/out err=$BL_TMP/err
cd "$BL_TMP"
NS=bl-api
start_containerd
C=(ctr -a "$SOCK" -n "$NS")
export CONTAINERD_ADDRESS=unix://$SOCK

# An OCI archive (umoci + skopeo): two layers, the second 2.5 MB of random
# bytes, so that Read answers in several messages.
mkdir -p files && echo "small file" >files/f1 && head -c 2500000 /dev/urandom >files/f2
umoci init --layout L
umoci new --image L:v1
umoci config --image L:v1 --os linux --architecture amd64 --config.cmd /bin/true
umoci insert --image L:v1 files/f1 /f1 >/dev/null
umoci insert --image L:v1 files/f2 /f2 >/dev/null
skopeo copy -q oci:L:v1 oci-archive:a.tar:v1
"${C[@]}" images import --no-unpack --base-name example.com/app a.tar >/dev/null
# The same image under a Docker Hub short name, for the normalised lookup.
"${C[@]}" images import --no-unpack --base-name docker.io/library/tiny a.tar >/dev/null

# A docker archive made by buildah, when buildah runs here.
BH=(--root "$BL_TMP/storage" --runroot "$BL_TMP/run" --storage-driver vfs)
if buildah "${BH[@]}" images >/dev/null 2>&1; then
	ctr_b=$(buildah "${BH[@]}" from scratch)
	echo "from buildah" >files/b
	buildah "${BH[@]}" copy "$ctr_b" files/b /b >/dev/null
	buildah "${BH[@]}" commit -q "$ctr_b" localhost/bimg:v2 >/dev/null
	buildah "${BH[@]}" push -q localhost/bimg:v2 docker-archive:b.tar:localhost/bimg:v2
	"${C[@]}" images import --no-unpack b.tar >/dev/null
else
	echo "note: buildah cannot run here; the docker archive part is left out"
fi

"${C[@]}" content ls -q | sort >ctr-content
nimages=0
# ctr images ls: REF TYPE DIGEST SIZE PLATFORMS LABELS
while read -r ref dig; do
	nimages=$((nimages + 1))
	man=$("${C[@]}" content get "$dig")
	cfg=$(jq -r .config.digest <<<"$man")
	last=$(jq -r '.layers[-1].digest' <<<"$man")
	diffs=$("${C[@]}" content get "$cfg" | jq -r '.rootfs.diff_ids[]')
	src=containerd:$NS/$ref
	digest_is "$ref: manifest" "$dig" "$src" --what manifest
	digest_is "$ref: config" "$cfg" "$src" --what config
	digest_is "$ref: last layer" "$last" "$src" --what layer
	# shellcheck disable=SC2086
	digest_is "$ref: chain-id" "$(chain_id $diffs)" "$src" --what chain-id
	run_bl "$out" "$err" inspect --json "$src"
	expect_eq "$ref: inspect exit ($(head -c 300 "$err"))" 0 "$rc"
	jq -r '.. | objects | .descriptor?.digest // empty' "$out" | sort -u >bl-digests
	expect_eq "$ref: every digest reached is in ctr content ls" "" "$(comm -23 bl-digests ctr-content)"
	expect_eq "$ref: manifest, config and layers reached" \
		"$(($(jq '.layers | length' <<<"$man") + 2))" "$(wc -l <bl-digests)"
	expect_eq "$ref: every node ok" ok \
		"$(jq -r '[.. | objects | select(has("status")) | .status] | unique | join(",")' "$out")"
done < <("${C[@]}" images ls | awk 'NR > 1 {print $1, $3}')
expect_eq "images read" "$("${C[@]}" images ls -q | wc -l)" "$nimages"

app=containerd:$NS/example.com/app:v1
dig=$("${C[@]}" images ls | awk '$1 == "example.com/app:v1" {print $3}')
cfg=$("${C[@]}" content get "$dig" | jq -r .config.digest)

# A short name is looked up as docker normalises it.
digest_is "short name tiny:v1" "$dig" "containerd:$NS/tiny:v1" --what manifest
# The namespace from CONTAINERD_NAMESPACE, the socket from --containerd-address.
CONTAINERD_NAMESPACE=$NS digest_is "CONTAINERD_NAMESPACE" "$cfg" \
	containerd:example.com/app:v1 --what config
CONTAINERD_ADDRESS= digest_is "--containerd-address" "$cfg" \
	--containerd-address "unix://$SOCK" "$app" --what config
# A digest as the root; a name with the digest it points at.
digest_is "NS/@DIGEST" "$cfg" "containerd:$NS/@$dig" --what config
digest_is "NAME@DIGEST" "$cfg" "$app@$dig" --what config
# A metadata file's target found by digest in the namespace.
jq -n --arg d "$dig" '{"containerimage.digest": $d, "image.name": "example.com/app:v1"}' >meta.json
digest_is "metadata + containerd:NS/" "$cfg" meta.json "containerd:$NS/" --what config

# buildkit: speaks to the socket BUILDKIT_HOST names and sends no namespace
# (BuildKit's is fixed); containerd wants one, and says so.
CONTAINERD_ADDRESS= BUILDKIT_HOST=unix://$SOCK run_bl "$out" "$err" digest "buildkit:$dig"
expect_eq "buildkit: at containerd's socket: exit ($(head -c 300 "$err"))" 3 "$rc"
expect_eq "buildkit: no namespace sent" 1 \
	"$(grep -c "BuildKit at $SOCK: FAILED_PRECONDITION: namespace is required" "$err")"

# The same bytes over the API and from the content directory on disk.
S=$D/root/io.containerd.content.v1.content
run_bl api.f2 "$err" cat "$app" /f2
expect_eq "cat over the API: exit ($(head -c 300 "$err"))" 0 "$rc"
run_bl disk.f2 "$err" cat "content:$S@$dig" /f2
expect_eq "cat from the content directory: exit" 0 "$rc"
expect_eq "API bytes = the file put in" "$(sha256_of files/f2)" "$(sha256_of api.f2)"
expect_eq "API bytes = content directory bytes" "$(sha256_of disk.f2)" "$(sha256_of api.f2)"
run_bl api.json "$err" inspect --json "$app"
run_bl disk.json "$err" inspect --json "content:$S@$dig"
expect_eq "inspect: same nodes over the API and from disk" \
	"$(jq -c '[.. | objects | .descriptor? // empty]' disk.json)" \
	"$(jq -c '[.. | objects | .descriptor? // empty]' api.json)"

# ls, ls --changes, cat and check over the API and from the content
# directory equal the same commands on the archive the image came from.
nosrc='walk(if type == "object" then del(.source) else . end)'
rm -rf x && mkdir x && bsdtar -xf a.tar -C x
for l in $(jq -r '.layers[].digest' "x/blobs/sha256/${dig#sha256:}"); do
	# umoci writes a layer without the padding after its last member's
	# data: bsdtar extracts every byte and then complains of the rest.
	bsdtar -xf "x/blobs/sha256/${l#sha256:}" -C x 2>/dev/null || true
done
for src in "$app" "content:$S@$dig"; do
	for cmd in "ls --json" "ls --changes --json" "check --json"; do
		# shellcheck disable=SC2086
		expect_same_json "$src" "$nosrc" "$src" "oci-archive:$BL_TMP/a.tar" $cmd
	done
	for f in f1 f2; do
		run_bl cat.out "$err" cat "$src" "/$f"
		expect_eq "$src: cat /$f = bsdtar's bytes (exit $rc; $(head -c 200 "$err"))" \
			"$(sha256_of "x/$f")" "$(sha256_of cat.out)"
	done
done

# The explain pane's "check it by hand" commands, run against this daemon
# and on the content directory: what each prints is the node's digest.
cmd_for() { awk -v h="$1" -v p="$2" '/^== / {on = ($0 == h)} on && !/^== / && index($0, p) {print; exit}' explain.txt; }
"$BL_NODE_PROBE" "$app" >explain.txt
c=$(cmd_for "== manifest $dig" "content get")
expect_eq "explain: the manifest's ctr command" "ctr -a $SOCK -n $NS content get $dig | sha256sum" "$c"
expect_eq "explain: ctr content get | sha256sum = the manifest's digest" \
	"${dig#sha256:}  -" "$(bash -c "$c")"
c=$(cmd_for "== manifest $dig" "images ls")
expect_eq "explain: ctr images ls names the manifest's digest ($c)" "$dig" "$(bash -c "$c")"
last=$("${C[@]}" content get "$dig" | jq -r '.layers[-1].digest')
c=$(cmd_for "== layer 1 $last" "gzip -dc")
expect_eq "explain: the layer's gunzip | sha256sum = its diff_id ($c)" \
	"$("${C[@]}" content get "$cfg" | jq -r '.rootfs.diff_ids[1]')" "sha256:$(bash -c "$c" | cut -d' ' -f1)"
"$BL_NODE_PROBE" "content:$S@$dig" >explain.txt
c=$(cmd_for "== config $cfg" "sha256sum")
expect_eq "explain: content:DIR's command" "sha256sum $S/blobs/sha256/${cfg#sha256:}" "$c"
expect_eq "explain: sha256sum of the content directory's blob = the config's digest" \
	"$cfg" "sha256:$(bash -c "$c" | cut -d' ' -f1)"

# --connect-cmd: the same protocol over socat's stdin and stdout.
if command -v socat >/dev/null 2>&1; then
	CONTAINERD_ADDRESS= digest_is "--connect-cmd socat: config" "$cfg" \
		--connect-cmd "socat STDIO UNIX-CONNECT:$SOCK" "$app" --what config
	run_bl cmd.f2 "$err" cat --connect-cmd "socat STDIO UNIX-CONNECT:$SOCK" "$app" /f2
	expect_eq "--connect-cmd: cat exit ($(head -c 300 "$err"))" 0 "$rc"
	expect_eq "--connect-cmd: bytes" "$(sha256_of files/f2)" "$(sha256_of cmd.f2)"
	expect_eq "--connect-cmd: no socat left running" "" \
		"$(pgrep -f "UNIX-CONNECT:$SOCK" || true)"
else
	echo "note: socat not installed; --connect-cmd is not tested"
fi
finish
