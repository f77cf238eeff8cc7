#!/usr/bin/env bash
# `bakelens digest` over corpus layouts, tars, docker save and stdin, against
# digests computed here with jq, bsdtar and sha256sum.
. "$BL_TESTLIB"
need_corpus
need_tool jq bsdtar sha256sum
C=$BL_CORPUS
out=$BL_TMP/out err=$BL_TMP/err

# digest_is WHAT EXPECTED -- bakelens digest args...
digest_is() {
	local what=$1 want=$2
	shift 2
	run_bl "$out" "$err" digest "$@"
	expect_eq "$what (exit code; $(head -c 200 "$err"))" 0 "$rc"
	expect_eq "$what" "$want" "$(cat "$out")"
}

# --- the multi-platform BuildKit layout, as a directory and as a tar
L=$C/actions-toolkit/oci-layout/hello-oci-multiplatform-gzip
blob() { cat "$L/blobs/sha256/${1#sha256:}"; }
root=$(jq -r '.manifests[0].digest' "$L/index.json")
arm=$(blob "$root" | jq -r '.manifests[] | select(.platform.architecture == "arm64") | .digest')
arm_cfg=$(blob "$arm" | jq -r '.config.digest')
arm_layer=$(blob "$arm" | jq -r '.layers[-1].digest')
arm_diff=$(blob "$arm_cfg" | jq -r '.rootfs.diff_ids[-1]')
arm_chain=$(chain_id $(blob "$arm_cfg" | jq -r '.rootfs.diff_ids[]'))
for src in "$L" "oci:$L" "$C/actions-toolkit/oci-archive/hello-oci-multiplatform-gzip.tar"; do
	digest_is "$src index" "$root" "$src"
	digest_is "$src index --what index" "$root" "$src" --what index
	digest_is "$src manifest arm64" "$arm" "$src" --platform linux/arm64 --what manifest
	digest_is "$src config arm64" "$arm_cfg" "$src" --platform linux/arm64 --what config
	digest_is "$src layer -1" "$arm_layer" "$src" --platform linux/arm64 --what layer --layer -1
	digest_is "$src diff-id" "$arm_diff" "$src" --platform linux/arm64 --what diff-id
	digest_is "$src chain-id" "$arm_chain" "$src" --platform linux/arm64 --what chain-id
done
# Several platforms and no --platform: a usage error naming them.
run_bl "$out" "$err" digest "$L" --what config
expect_eq "ambiguous platform exit" 2 "$rc"
if grep -q "linux/amd64" "$err" && grep -q "linux/arm64" "$err"; then pass; else fail "ambiguous platform: platforms not listed: $(cat "$err")"; fi
run_bl "$out" "$err" digest "$L" --platform linux/s390x --what config
expect_eq "absent platform exit" 6 "$rc"

# --- single-platform tars: extract with bsdtar and compute
for t in actions-toolkit/oci-archive/hello-oci-gzip.tar dive/test-oci-zstd-image.tar oras-go/hello-world-prefixed-path.tar; do
	x=$BL_TMP/x && rm -rf "$x" && mkdir -p "$x" && bsdtar -xf "$C/$t" -C "$x"
	m=$(jq -r '.manifests[0].digest' "$x/index.json")
	mt=$(jq -r '.manifests[0].mediaType' "$x/index.json")
	if [[ $mt == *list* || $mt == *index* ]]; then
		m=$(jq -r '.manifests[] | select(.platform.architecture == "amd64" and .platform.os == "linux") | .digest' "$x/blobs/sha256/${m#sha256:}")
		plat=(--platform linux/amd64)
	else plat=(); fi
	cfg=$(jq -r '.config.digest' "$x/blobs/sha256/${m#sha256:}")
	expect_eq "$t: config file hashes to its digest" "$cfg" "$(sha256_of "$x/blobs/sha256/${cfg#sha256:}")"
	digest_is "$t manifest" "$m" "$C/$t" "${plat[@]}" --what manifest
	digest_is "$t config" "$cfg" "$C/$t" "${plat[@]}" --what config
	digest_is "$t chain-id" "$(chain_id $(jq -r '.rootfs.diff_ids[]' "$x/blobs/sha256/${cfg#sha256:}"))" "$C/$t" "${plat[@]}" --what chain-id
	digest_is "$t layer 1" "$(jq -r '.layers[0].digest' "$x/blobs/sha256/${m#sha256:}")" "$C/$t" "${plat[@]}" --layer 1
	# Standard input: read once, layers hashed and skipped.
	run_bl "$out" "$err" digest - "${plat[@]}" --what chain-id <"$C/$t"
	expect_eq "$t via stdin: chain-id" "$(chain_id $(jq -r '.rootfs.diff_ids[]' "$x/blobs/sha256/${cfg#sha256:}"))" "$(cat "$out")"
done

# --- legacy docker save: the manifest is synthesised; a layer's digest is its diff_id.
t=$C/dive/test-docker-image.tar
x=$BL_TMP/d && mkdir -p "$x" && bsdtar -xf "$t" -C "$x"
cfgfile=$(jq -r '.[0].Config' "$x/manifest.json")
cfg=$(sha256_of "$x/$cfgfile")
last_layer=$(jq -r '.[0].Layers[-1]' "$x/manifest.json")
last_diff=$(jq -r '.rootfs.diff_ids[-1]' "$x/$cfgfile")
expect_eq "docker save: last layer.tar hashes to the last diff_id" "$last_diff" "$(sha256_of "$x/$last_layer")"
digest_is "docker save config" "$cfg" "$t" --what config
digest_is "docker save diff-id -1" "$last_diff" "$t" --what diff-id
digest_is "docker save layer -1 (= diff_id)" "$last_diff" "$t" --what layer
digest_is "docker save layer 3" "$(jq -r '.rootfs.diff_ids[2]' "$x/$cfgfile")" "docker-archive:$t" --what layer --layer 3
digest_is "docker save chain-id" "$(chain_id $(jq -r '.rootfs.diff_ids[]' "$x/$cfgfile"))" "$t" --what chain-id
run_bl "$out" "$err" digest - --what chain-id <"$t"
expect_eq "docker save via stdin: chain-id" "$(chain_id $(jq -r '.rootfs.diff_ids[]' "$x/$cfgfile"))" "$(cat "$out")"
run_bl "$out" "$err" tree "$t"
if grep -qi "synthesi" "$out"; then pass; else fail "docker save tree does not say the manifest is synthesised"; fi
run_bl "$out" "$err" digest "$t" --what layer --layer $(($(jq ".rootfs.diff_ids | length" "$x/$cfgfile") + 1))
expect_eq "layer out of range exit" 6 "$rc"

# --- xz-compressed legacy docker save with two images: pick by target (its tag).
t=$C/containers-skopeo/docker-two-images.tar.xz
x=$BL_TMP/two && mkdir -p "$x" && bsdtar -xf "$t" -C "$x"
for i in 0 1; do
	tag=$(jq -r ".[$i].RepoTags[0]" "$x/manifest.json")
	cfg=$(sha256_of "$x/$(jq -r ".[$i].Config" "$x/manifest.json")")
	digest_is "two images: config of $tag" "$cfg" "$t" --target "$tag" --what config
done

# --- Engine >= 25 docker save with "manifests": null in index.json
t=$C/go-containerregistry/tarball/hello-world-v25.tar
x=$BL_TMP/v25 && mkdir -p "$x" && bsdtar -xf "$t" -C "$x"
cfg=$(jq -r '.[0].Config' "$x/manifest.json")
digest_is "docker save v25 config" "$(sha256_of "$x/$cfg")" "$t" --what config
finish
