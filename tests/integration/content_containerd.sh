#!/usr/bin/env bash
# A real containerd content store: containerd started here (as root, with its
# own root, state and socket in a temp dir), an image imported with ctr from
# an OCI archive made with skopeo, then <root>/io.containerd.content.v1.content
# (and the root itself) read with bakelens. Every digest must equal what ctr
# reports. Skipped (77) when not root or containerd cannot start.
. "$BL_TESTLIB"
need_tool containerd ctr umoci skopeo jq sha256sum
. "$(dirname "$BL_TESTLIB")/containerd-lib.sh"
out=$BL_TMP/out err=$BL_TMP/err
cd "$BL_TMP"
NS=bakelens-test
start_containerd
C=(ctr -a "$SOCK" -n "$NS")

mkdir -p files && for i in 1 2; do echo "file $i" >"files/f$i"; done
umoci init --layout L
umoci new --image L:v1
umoci config --image L:v1 --os linux --architecture amd64 --config.cmd /bin/true
for i in 1 2; do umoci insert --image L:v1 "files/f$i" "/f$i"; done
skopeo copy -q oci:L:v1 oci-archive:img.tar:v1
"${C[@]}" images import --no-unpack --base-name example.com/app img.tar >/dev/null

ref=$("${C[@]}" images ls -q | head -1)
expect_eq "ctr imported one image" example.com/app:v1 "$ref"
# ctr images ls: REF TYPE DIGEST SIZE PLATFORMS LABELS
dig=$("${C[@]}" images ls | awk -v r="$ref" '$1 == r {print $3}')
"${C[@]}" content ls -q | sort >ctr-content
cfg=$("${C[@]}" content get "$dig" | jq -r .config.digest)
layers=$("${C[@]}" content get "$dig" | jq -r '.layers[].digest')
diffs=$("${C[@]}" content get "$cfg" | jq -r '.rootfs.diff_ids[]')
expect_eq "ctr content holds the manifest" 1 "$(grep -cx "$dig" ctr-content)"

S=$D/root/io.containerd.content.v1.content
digest_is "containerd store: manifest" "$dig" "content:$S@$dig" --what manifest
digest_is "containerd store: config" "$cfg" "content:$S@$dig" --what config
digest_is "containerd store: last layer" "$(echo "$layers" | tail -1)" "content:$S@$dig" --what layer
digest_is "containerd store: chain-id" "$(chain_id $diffs)" "content:$S@$dig" --what chain-id
digest_is "containerd root given: config" "$cfg" "$D/root@$dig" --what config

# Every blob bakelens reached is one ctr lists, and all verified.
run_bl "$out" "$err" inspect --json "$D/root@$dig"
expect_eq "inspect containerd root: exit ($(head -c 300 "$err"))" 0 "$rc"
jq -r '.. | objects | .descriptor?.digest // empty' "$out" | sort -u >bl-digests
expect_eq "inspect: digests reached" 4 "$(wc -l <bl-digests)"
expect_eq "inspect: every digest in ctr content ls" "" "$(comm -23 bl-digests ctr-content)"
expect_eq "inspect: every node ok" ok \
	"$(jq -r '[.. | objects | select(has("status")) | .status] | unique | join(",")' "$out")"

# A metadata file naming the image ctr reports.
jq -n --arg d "$dig" '{"containerimage.digest": $d, "image.name": "example.com/app:v1"}' >meta.json
digest_is "metadata + containerd root: config" "$cfg" meta.json "$D/root" --what config
finish
