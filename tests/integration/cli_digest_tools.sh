#!/usr/bin/env bash
# `bakelens digest` on images made here by real tools (umoci, buildah, skopeo),
# against skopeo inspect --raw / --config, jq and sha256sum. Needs no corpus.
. "$BL_TESTLIB"
need_tool umoci buildah skopeo jq sha256sum gzip xz zstd
out=$BL_TMP/out err=$BL_TMP/err
digest_is() {
	local what=$1 want=$2
	shift 2
	run_bl "$out" "$err" digest "$@"
	expect_eq "$what (exit code; $(head -c 200 "$err"))" 0 "$rc"
	expect_eq "$what" "$want" "$(cat "$out")"
}
raw_digest() { skopeo inspect --raw "$1" | sha256sum | cut -d' ' -f1 | sed 's/^/sha256:/'; }
cfg_digest() { skopeo inspect --config --raw "$1" | sha256sum | cut -d' ' -f1 | sed 's/^/sha256:/'; }

# --- umoci: an OCI layout with three layers
L=$BL_TMP/layout
mkdir -p "$BL_TMP/files"
for i in 1 2 3; do echo "file $i" >"$BL_TMP/files/f$i"; done
umoci init --layout "$L"
umoci new --image "$L:v1"
umoci config --image "$L:v1" --os linux --architecture amd64 --config.cmd /bin/true
for i in 1 2 3; do umoci insert --image "$L:v1" --history.created_by "COPY f$i" "$BL_TMP/files/f$i" "/f$i"; done
man=$(raw_digest "oci:$L:v1")
cfg=$(cfg_digest "oci:$L:v1")
diffs=$(skopeo inspect --config --raw "oci:$L:v1" | jq -r '.rootfs.diff_ids[]')
digest_is "umoci layout: manifest" "$man" "$L"
digest_is "umoci layout: manifest (oci:DIR:REF)" "$man" "oci:$L:v1" --what manifest
digest_is "umoci layout: config" "$cfg" "$L" --what config
digest_is "umoci layout: last layer" "$(skopeo inspect --raw "oci:$L:v1" | jq -r '.layers[-1].digest')" "$L" --what layer
digest_is "umoci layout: first layer" "$(skopeo inspect --raw "oci:$L:v1" | jq -r '.layers[0].digest')" "$L" --what layer --layer 1
digest_is "umoci layout: diff-id -2" "$(echo "$diffs" | sed -n 2p)" "$L" --what diff-id --layer -2
digest_is "umoci layout: chain-id" "$(chain_id $diffs)" "$L" --what chain-id
run_bl "$out" "$err" digest "oci:$L:nope"
expect_eq "umoci layout: unknown REF exit" 6 "$rc"

# --- buildah: an image committed to an OCI archive
export STORAGE_DRIVER=vfs BUILDAH_ISOLATION=chroot
B=(--root "$BL_TMP/storage" --runroot "$BL_TMP/run" --storage-driver vfs)
ctr=$(buildah "${B[@]}" from scratch)
buildah "${B[@]}" copy "$ctr" "$BL_TMP/files/f1" /f1 >/dev/null
buildah "${B[@]}" config --label org.example=1 --env A=B "$ctr"
buildah "${B[@]}" copy "$ctr" "$BL_TMP/files/f2" /f2 >/dev/null
buildah "${B[@]}" commit -q "$ctr" "oci-archive:$BL_TMP/img.tar:latest" >/dev/null
buildah "${B[@]}" rm "$ctr" >/dev/null
A=$BL_TMP/img.tar
man=$(raw_digest "oci-archive:$A")
cfg=$(cfg_digest "oci-archive:$A")
chain=$(chain_id $(skopeo inspect --config --raw "oci-archive:$A" | jq -r '.rootfs.diff_ids[]'))
digest_is "buildah oci-archive: manifest" "$man" "$A"
digest_is "buildah oci-archive: manifest (oci-archive:)" "$man" "oci-archive:$A" --what manifest
digest_is "buildah oci-archive: config" "$cfg" "$A" --what config
digest_is "buildah oci-archive: chain-id" "$chain" "$A" --what chain-id
# Outer compression: the same answers.
gzip -c "$A" >"$A.gz"; xz -c "$A" >"$A.xz"; zstd -q -c "$A" >"$A.zst"
for z in gz xz zst; do
	digest_is "buildah oci-archive .$z: config" "$cfg" "$A.$z" --what config
	digest_is "buildah oci-archive .$z: chain-id" "$chain" "$A.$z" --what chain-id
done
# Standard input, plain and compressed.
run_bl "$out" "$err" digest - --what chain-id <"$A"
expect_eq "stdin: chain-id" "$chain" "$(cat "$out")"
run_bl "$out" "$err" digest - --what manifest <"$A.gz"
expect_eq "stdin gzip: manifest" "$man" "$(cat "$out")"

# --- skopeo: the same image as a docker-archive (legacy docker save shape)
D=$BL_TMP/docker.tar
skopeo copy -q "oci-archive:$A" "docker-archive:$D:example/img:1"
dcfg=$(cfg_digest "docker-archive:$D")
ddiffs=$(skopeo inspect --config --raw "docker-archive:$D" | jq -r '.rootfs.diff_ids[]')
digest_is "docker-archive: config" "$dcfg" "$D" --what config
digest_is "docker-archive: config (docker-archive:FILE:REF)" "$dcfg" "docker-archive:$D:example/img:1" --what config
digest_is "docker-archive: layer = diff_id" "$(echo "$ddiffs" | tail -1)" "$D" --what layer
digest_is "docker-archive: chain-id equals the OCI archive's" "$chain" "$D" --what chain-id
run_bl "$out" "$err" digest - --what chain-id <"$D"
expect_eq "docker-archive via stdin: chain-id" "$chain" "$(cat "$out")"

# --- metadata linked to its export (examples/): targets resolve in the layout
M=$BL_SRC/examples/metadata.json E=$BL_SRC/examples/out
idx=$(jq -r '.app["containerimage.digest"]' "$M")
expect_eq "examples: index blob hashes to its name" "$idx" "$(sha256_of "$E/blobs/sha256/${idx#sha256:}")"
arm=$(jq -r '.manifests[] | select(.platform.architecture == "arm64") | .digest' "$E/blobs/sha256/${idx#sha256:}")
arm_cfg=$(jq -r '.config.digest' "$E/blobs/sha256/${arm#sha256:}")
digest_is "examples: app index" "$idx" "$M" "$E" --target app
digest_is "examples: app arm64 manifest" "$arm" "$M" "$E" --target app --platform linux/arm64 --what manifest
digest_is "examples: app arm64 config" "$arm_cfg" "$M" "$E" --target app --platform linux/arm64 --what config
digest_is "examples: app arm64 chain-id" "$(chain_id $(jq -r '.rootfs.diff_ids[]' "$E/blobs/sha256/${arm_cfg#sha256:}"))" \
	"$M" "$E" --target app --platform linux/arm64 --what chain-id
digest_is "examples: base config" "$(jq -r '.base["containerimage.config.digest"]' "$M")" "$M" "$E" --target base --what config
digest_is "examples: metadata alone still knows the target digest" "$idx" "$M" --offline --target app
run_bl "$out" "$err" digest "$M" --offline --target app --platform linux/arm64 --what config
expect_eq "examples: metadata alone cannot answer a config (exit)" 6 "$rc"
if grep -q "not in any source" "$err"; then pass; else fail "metadata alone: unclear message: $(cat "$err")"; fi
run_bl "$out" "$err" digest "$M" "$E"
expect_eq "examples: several targets, no --target (exit)" 2 "$rc"
run_bl "$out" "$err" digest "$M" "$E" --target nope
expect_eq "examples: unknown target (exit)" 6 "$rc"
digest_is "examples: --platform alone: that platform's manifest" "$arm" "$M" "$E" --target app --platform linux/arm64
# inspect counts the targets only (buildx.build.warnings is build-level information)
run_bl "$out" "$err" inspect "$M" "$E"
expect_eq "examples: inspect counts the targets" \
	"targets: $(jq '[to_entries[] | select(.key | startswith("buildx.build.") | not)] | length' "$M")" \
	"$(sed -n 's/^  targets: /targets: /p' "$out")"
finish
