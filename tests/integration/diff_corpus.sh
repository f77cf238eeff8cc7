#!/usr/bin/env bash
# `bakelens diff` on corpus pairs (BuildKit OCI tarballs from docker/actions-toolkit):
# the same image exported three times (gzip/uncompressed/zstd exports of one build),
# and single- vs multi-platform. Expectations from tar -xOf + jq + sha256sum.
. "$BL_TESTLIB"
need_corpus
need_tool jq sha256sum tar
out=$BL_TMP/out err=$BL_TMP/err
C=$BL_CORPUS/actions-toolkit/oci-archive
[ -f "$C/hello-oci-gzip.tar" ] || { echo "SKIP: hello-oci tarballs not in corpus"; exit 77; }
idx() { tar -xOf "$1" index.json; }
blob() { tar -xOf "$1" "blobs/sha256/${2#sha256:}"; }

# The three single-platform exports: one manifest digest, index.json annotations differ.
for pair in "gzip uncompressed" "gzip zstd" "uncompressed zstd"; do
	set -- $pair
	A=$C/hello-oci-$1.tar B=$C/hello-oci-$2.tar
	expect_eq "$1/$2: manifest digests equal (jq)" "$(idx "$A" | jq -r '.manifests[0].digest')" \
		"$(idx "$B" | jq -r '.manifests[0].digest')"
	want_created=$(idx "$B" | jq -r '.manifests[0].annotations["org.opencontainers.image.created"]')
	run_bl "$out" "$err" diff --json "$A" "$B"
	expect_eq "$1/$2: exit" 1 "$rc"
	expect_eq "$1/$2: annotations only" annotations "$(jq -r .class "$out")"
	expect_eq "$1/$2: one class" '["annotations"]' "$(jq -c .classes "$out")"
	if jq -e --arg v "$want_created" '[.. | objects | .notes? // [] | .[] | select(contains($v))] | length > 0' "$out" >/dev/null; then
		pass; else fail "$1/$2: created annotation value not named"; fi
	expect_eq "$1/$2: rootfs identical" true "$(jq '.platforms[0].rootfsIdentical' "$out")"
done
# A tarball against itself.
run_bl "$out" "$err" diff "$C/hello-oci-gzip.tar" "$C/hello-oci-gzip.tar"
expect_eq "self: identical" 0 "$rc"

# Single vs multi-platform: amd64 lines up, arm64 and the attestations are added.
S=$C/hello-oci-gzip.tar M=$C/hello-oci-multiplatform-gzip.tar
run_bl "$out" "$err" diff --json "$S" "$M"
expect_eq "single/multi: exit" 1 "$rc"
expect_eq "single/multi: class" platform-added "$(jq -r .class "$out")"
expect_eq "single/multi: arm64 added" linux/arm64 \
	"$(jq -r '.platforms[] | select(.class == "platform-added") | .platform' "$out")"
# Independent: the amd64 ChainIDs on both sides, from the configs' diff_ids.
s_cfg=$(blob "$S" "$(blob "$S" "$(idx "$S" | jq -r '.manifests[0].digest')" | jq -r .config.digest)")
inner=$(blob "$M" "$(idx "$M" | jq -r '.manifests[0].digest')")
m_man=$(jq -r '.manifests[] | select(.platform.architecture == "amd64") | .digest' <<<"$inner")
m_cfg=$(blob "$M" "$(blob "$M" "$m_man" | jq -r .config.digest)")
s_chain=$(chain_id $(jq -r '.rootfs.diff_ids[]' <<<"$s_cfg"))
m_chain=$(chain_id $(jq -r '.rootfs.diff_ids[]' <<<"$m_cfg"))
amd=$(jq -c '.platforms[] | select(.platform == "linux/amd64")' "$out")
expect_eq "single/multi: amd64 left ChainID" "$s_chain" "$(jq -r .leftChainID <<<"$amd")"
expect_eq "single/multi: amd64 right ChainID" "$m_chain" "$(jq -r .rightChainID <<<"$amd")"
expect_eq "single/multi: amd64 rootfs identical iff ChainIDs equal" \
	"$([ "$s_chain" = "$m_chain" ] && echo true || echo false)" "$(jq -r .rootfsIdentical <<<"$amd")"
expect_eq "single/multi: attestations count as index only" \
	"$(jq '[.manifests[] | select(.annotations["vnd.docker.reference.type"] == "attestation-manifest")] | length' <<<"$inner")" \
	"$(jq '[.. | objects | select(.kind == "attestation" and .own == "index-only")] | length' "$out")"
run_bl "$out" "$err" diff "$M" "$S"
expect_eq "multi/single: exit" 1 "$rc"
if grep -q "platform removed" "$out"; then pass; else fail "multi/single: no 'platform removed'"; fi
expect_clean "single/multi text" "$out"

# ls on a corpus layer: the same names as tar's listing of the blob.
lay=$(blob "$S" "$(idx "$S" | jq -r '.manifests[0].digest')" | jq -r '.layers[0].digest')
run_bl "$out" "$err" ls "$S" --layer 1 --json
expect_eq "ls corpus layer: names as tar lists them" \
	"$(blob "$S" "$lay" | tar -tf - | sed 's|^\./||; s|/$||' | grep -v '^$' | LC_ALL=C sort | tr '\n' ' ')" \
	"$(jq -r '.[].path' "$out" | LC_ALL=C sort | tr '\n' ' ')"
finish
