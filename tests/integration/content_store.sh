#!/usr/bin/env bash
# Content store directories (blobs/sha256/<hex>, no index.json), as BuildKit
# and containerd keep them: made here from umoci layouts by copying only
# blobs/, read with a buildx-shaped metadata file or with DIR@sha256:...
# Expected digests come from jq and sha256sum over the layout. Needs no corpus.
. "$BL_TESTLIB"
need_tool umoci jq sha256sum
out=$BL_TMP/out err=$BL_TMP/err
cd "$BL_TMP"

mkdir -p files && for i in 1 2 3; do echo "file $i" >"files/f$i"; done
umoci init --layout L
umoci new --image L:v1
umoci config --image L:v1 --os linux --architecture amd64 --config.cmd /bin/true
for i in 1 2 3; do umoci insert --image L:v1 --history.created_by "COPY f$i" "files/f$i" "/f$i"; done

blob() { echo "L/blobs/sha256/${1#sha256:}"; }
man=$(jq -r '.manifests[0].digest' L/index.json)
man_size=$(stat -c %s "$(blob "$man")")
cfg=$(jq -r .config.digest "$(blob "$man")")
layers=($(jq -r '.layers[].digest' "$(blob "$man")"))
diffs=($(jq -r '.rootfs.diff_ids[]' "$(blob "$cfg")"))
expect_eq "manifest blob hashes to its name" "$man" "$(sha256_of "$(blob "$man")")"
expect_eq "config blob hashes to its name" "$cfg" "$(sha256_of "$(blob "$cfg")")"

# An index around the manifest, written into the blobs as a builder would.
jq -cn --arg d "$man" --argjson s "$man_size" '{schemaVersion: 2,
	mediaType: "application/vnd.oci.image.index.v1+json",
	manifests: [{mediaType: "application/vnd.oci.image.manifest.v1+json", digest: $d,
		size: $s, platform: {architecture: "amd64", os: "linux"}}]}' | tr -d '\n' >index.json
idx=$(sha256_of index.json)
cp index.json "$(blob "$idx")"
idx_size=$(stat -c %s index.json)

# The content store: blobs only. A lazy one lacks the first two layers.
mkdir C Lazy
cp -r L/blobs C/
cp -r L/blobs Lazy/
rm "Lazy/blobs/sha256/${layers[0]#sha256:}" "Lazy/blobs/sha256/${layers[1]#sha256:}"

# buildx --metadata-file shape (examples/metadata.json): two bake targets.
jq -n --arg i "$idx" --argjson is "$idx_size" --arg m "$man" --argjson ms "$man_size" \
	--arg c "$cfg" '{
	app: {"containerimage.descriptor": {mediaType: "application/vnd.oci.image.index.v1+json",
			digest: $i, size: $is},
		"containerimage.digest": $i, "image.name": "docker.io/example/app:latest"},
	base: {"containerimage.config.digest": $c,
		"containerimage.descriptor": {mediaType: "application/vnd.oci.image.manifest.v1+json",
			digest: $m, size: $ms},
		"containerimage.digest": $m, "image.name": "docker.io/example/base:latest"}}' >meta.json

# --- tree and inspect with the metadata file
run_bl "$out" "$err" tree meta.json C
expect_eq "tree meta C: exit ($(head -c 300 "$err"))" 0 "$rc"
expect_eq "tree meta C: app's index" 1 "$(grep -c "index  ${idx:0:19}" "$out")"
expect_eq "tree meta C: manifest under both targets" 2 "$(grep -c "  ${man:0:19}  $man_size B" "$out")"
expect_eq "tree meta C: config under both" 2 "$(grep -c "config  ${cfg:0:19}" "$out")"
expect_eq "tree meta C: nothing missing" 0 "$(grep -c missing "$out" || true)"

run_bl "$out" "$err" inspect --json meta.json C
expect_eq "inspect meta C: exit ($(head -c 300 "$err"))" 0 "$rc"
expect_eq "inspect: source kind" content "$(jq -r '.sources[0].kind' "$out")"
expect_eq "inspect: target roots" "$idx $man" \
	"$(jq -r '[.targets[] | .children[0].descriptor.digest] | join(" ")' "$out")"
expect_eq "inspect: every node ok" ok \
	"$(jq -r '[.. | objects | select(has("status")) | .status] | unique | join(",")' "$out")"

# --- digest answers against jq and sha256sum
digest_is "meta C: app index" "$idx" meta.json C --target app --what index
digest_is "meta C: app manifest" "$man" meta.json C --target app --what manifest
digest_is "meta C: base config" "$cfg" meta.json C --target base --what config
digest_is "meta C: base last layer" "${layers[2]}" meta.json C --target base --what layer
digest_is "meta C: base chain-id" "$(chain_id "${diffs[@]}")" meta.json C --target base --what chain-id
digest_is "content:C@index: manifest" "$man" "content:C@$idx" --what manifest
digest_is "content:C@manifest: config" "$cfg" "content:C@$man" --what config
digest_is "C@manifest (no prefix): layer 1" "${layers[0]}" "C@$man" --what layer --layer 1
digest_is "content:C@manifest: diff-id 2" "${diffs[1]}" "content:C@$man" --what diff-id --layer 2

# --- a lazy store: layers absent, shown as missing, manifest-level answers work
run_bl "$out" "$err" tree meta.json Lazy
expect_eq "tree meta Lazy: exit ($(head -c 300 "$err"))" 0 "$rc"
expect_eq "tree meta Lazy: missing layers (2 per target)" 4 "$(grep -c '! missing' "$out")"
run_bl "$out" "$err" inspect --json "Lazy@$man"
expect_eq "inspect Lazy: exit ($(head -c 300 "$err"))" 0 "$rc"
expect_eq "inspect Lazy: missing statuses" 2 \
	"$(jq '[.. | objects | select(.status? == "missing")] | length' "$out")"
if grep -q "normal there" "$out"; then pass; else fail "inspect Lazy: no note that missing layers are normal"; fi
digest_is "Lazy: config" "$cfg" meta.json Lazy --target base --what config
digest_is "Lazy: chain-id" "$(chain_id "${diffs[@]}")" "content:Lazy@$man" --what chain-id
digest_is "Lazy: diff-id of a missing layer" "${diffs[0]}" "content:Lazy@$man" --what diff-id --layer 1
digest_is "Lazy: digest of a missing layer" "${layers[0]}" "content:Lazy@$man" --what layer --layer 1

# --- failures, with their documented exit codes
run_bl "$out" "$err" tree C
expect_eq "no root: exit" 2 "$rc"
expect_eq "no root: message" "bakelens: content store C: no root; give C@sha256:... or a metadata file" "$(cat "$err")"
absent=sha256:$(printf 'not stored' | sha256sum | cut -d' ' -f1)
run_bl "$out" "$err" tree "content:C@$absent"
expect_eq "absent root: exit (not found)" 6 "$rc"
run_bl "$out" "$err" tree "content:C@$cfg"
expect_eq "a config as root: exit (format)" 4 "$rc"
cp -r C Bad
printf 'not the config' >"Bad/blobs/sha256/${cfg#sha256:}"
run_bl "$out" "$err" digest --what config meta.json Bad --target base
expect_eq "corrupted config: exit (digest mismatch)" 5 "$rc"
printf ' ' >>"Bad/blobs/sha256/${man#sha256:}"
run_bl "$out" "$err" tree "content:Bad@$man"
expect_eq "corrupted root: exit (digest mismatch)" 5 "$rc"
if grep -q "content hashes to" "$err"; then pass; else fail "corrupted root: $(cat "$err")"; fi

# --- a builder's root given instead of its store (containerd's layout)
mkdir -p root && cp -r C root/io.containerd.content.v1.content
digest_is "containerd root: config" "$cfg" "root@$man" --what config
run_bl "$out" "$err" tree "oci:C"
expect_eq "oci:C (no index.json): exit (format)" 4 "$rc"
if grep -q "content:DIR" "$err"; then pass; else fail "oci:C: no hint: $(cat "$err")"; fi
finish
