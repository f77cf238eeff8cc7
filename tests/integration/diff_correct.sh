#!/usr/bin/env bash
# Comparisons that must come out right on images made by real tools:
#   one image under two tags (skopeo copy --additional-tag to a docker-archive)
#   is one target, for `digest` and for `diff`;
#   the words of a result (no "different: different", an empty value as "");
#   an attestation pairs by the platform of the image it is for, however the
#   index labels it, and identical bytes are identical;
#   an attestation's config whose digest moved (an SBOM changed) is not identical;
#   a layer reclassified by --files --ignore-timestamps is said to be so once.
# Images come from buildah (vfs storage, chroot isolation, a temporary root),
# umoci and skopeo (and a copy through Debian's docker-registry on 127.0.0.1);
# indexes and attestations are written with jq. Expected
# values are computed with skopeo, jq and sha256sum.
. "$BL_TESTLIB"
need_tool buildah skopeo umoci jq sha256sum
out=$BL_TMP/out err=$BL_TMP/err
cd "$BL_TMP"
export BUILDAH_ISOLATION=chroot STORAGE_DRIVER=vfs
B=(--root "$BL_TMP/storage" --runroot "$BL_TMP/run" --storage-driver vfs)
buildah "${B[@]}" images >/dev/null 2>&1 || { echo "SKIP: buildah cannot run here"; exit 77; }

mkdir -p ctx && echo one >ctx/a && echo two >ctx/b && echo three >ctx/c
touch -d @1700000000 ctx/*
printf 'FROM scratch\nCOPY a /app/a\nWORKDIR /app\nCOPY b /app/b\nCOPY c /app/c\n' >Containerfile
# build NAME BUD-ARGS...: buildah bud, then NAME.oci.tar (OCI archive) and
# NAME.docker.tar (docker-archive tagged localhost/demo:NAME and docker.io/library/demo:NAME).
build() {
	local name=$1
	shift
	buildah "${B[@]}" bud -q "$@" -t "localhost/demo:$name" -f Containerfile ctx >/dev/null
	buildah "${B[@]}" push -q "localhost/demo:$name" "oci-archive:$BL_TMP/$name.oci.tar:$name"
	skopeo copy -q --additional-tag "docker.io/library/demo:$name" "oci-archive:$BL_TMP/$name.oci.tar" \
		"docker-archive:$BL_TMP/$name.docker.tar:localhost/demo:$name"
}
cfg() { skopeo inspect --config --raw "docker-archive:$BL_TMP/$1.docker.tar"; }

build v1 --layers --timestamp 0
echo TWO >ctx/b && touch -d @1700000000 ctx/b
build v2 --layers --timestamp 0
echo two >ctx/b && touch -d @1700000000 ctx/b

# --- 1. one image, two tags: one target
expect_eq "v1.docker.tar: two tags for one image (tar manifest.json)" \
	'["localhost/demo:v1","docker.io/library/demo:v1"]' "$(tar -xOf v1.docker.tar manifest.json | jq -c '[.[].RepoTags[]]')"
mapfile -t ids < <(cfg v1 | jq -r '.rootfs.diff_ids[]')
run_bl "$out" "$err" digest - --what chain-id <v1.docker.tar
expect_eq "two tags, stdin: digest exit ($(cat "$err"))" 0 "$rc"
expect_eq "two tags, stdin: chain-id (sha256sum chain)" "$(chain_id "${ids[@]}")" "$(cat "$out")"
for t in localhost/demo:v1 docker.io/library/demo:v1; do
	run_bl "$out" "$err" digest -t "$t" --what config v1.docker.tar
	expect_eq "-t $t: config (skopeo | sha256sum)" "sha256:$(cfg v1 | sha256sum | cut -d' ' -f1)" "$(cat "$out")"
done
run_bl "$out" "$err" tree v1.docker.tar
expect_eq "tree: one target, its names once" "└─ localhost/demo:v1, docker.io/library/demo:v1" "$(sed -n 2p "$out")"
run_bl "$out" "$err" digest --what chain-id v1.docker.tar v2.docker.tar
expect_eq "two images: chain-ids differ, exit" 2 "$rc"
if grep -q "2 targets: \[localhost/demo:v1, docker.io/library/demo:v1\], \[localhost/demo:v2, docker.io/library/demo:v2\]" "$err"
then pass; else fail "two images: the candidates named: $(cat "$err")"; fi
expect_eq "v1/v2: the first layer is shared (jq)" "$(cfg v1 | jq -r '.rootfs.diff_ids[0]')" "$(cfg v2 | jq -r '.rootfs.diff_ids[0]')"
run_bl "$out" "$err" digest --what diff-id --layer 1 v1.docker.tar v2.docker.tar
expect_eq "two images, a shared answer: exit ($(cat "$err"))" 0 "$rc"
expect_eq "two images, a shared answer: diff_id of layer 1 (jq)" "$(cfg v1 | jq -r '.rootfs.diff_ids[0]')" "$(cat "$out")"
run_bl "$out" "$err" diff --json v1.docker.tar v2.docker.tar
expect_eq "diff two-tag archives: exit ($(head -c 300 "$err"))" 1 "$rc"
expect_eq "diff two-tag archives: class" layer-content "$(jq -r .class "$out")"
expect_eq "diff two-tag archives: one target pair, both names" \
	'[{"l":"localhost/demo:v1, docker.io/library/demo:v1","r":"localhost/demo:v2, docker.io/library/demo:v2"}]' \
	"$(jq -c '[.tree.children[] | select(.kind == "target") | {l: .left.label, r: .right.label}]' "$out")"
expect_eq "diff two-tag archives: layer changed where the configs say (jq)" \
	"$(jq -n -c --argjson a "$(cfg v1 | jq .rootfs.diff_ids)" --argjson b "$(cfg v2 | jq .rootfs.diff_ids)" \
		'[range(0; $a | length) | select($a[.] != $b[.])]')" \
	"$(jq -c '[.. | objects | select(.kind == "layer" and .own == "layer-content") | .left.index]' "$out")"

# --- 2. words
man=$(skopeo inspect --raw oci-archive:v1.oci.tar)
expect_eq "v1.oci.tar: base.name is empty (skopeo)" '""' \
	"$(jq -c '.annotations["org.opencontainers.image.base.name"]' <<<"$man")"
run_bl "$out" "$err" diff v1.oci.tar docker-archive:v1.docker.tar:localhost/demo:v1
expect_eq "oci vs docker-archive: exit" 1 "$rc"
if grep -q "different: different\|: different;\|: different$" "$out"; then
	fail "oci vs docker-archive: the bare class word: $(grep -n different "$out" | head -3)"
else pass; fi
n=$(jq '.layers | length' <<<"$man")
if grep -q "^result: different: same image in another manifest format; $n layers recompressed (same diff_id)$" "$out"
then pass; else fail "oci vs docker-archive: result line: $(sed -n 3p "$out")"; fi
expect_eq "oci vs docker-archive: an empty annotation shown as \"\"" 1 \
	"$(grep -c 'annotation org.opencontainers.image.base.name: "" -> (absent)$' "$out")"

# --- 3 and 4. attestations around umoci images (written with jq)
mkdir -p files && echo one >files/a && touch -d @1700000000 files files/a
T0=2024-01-01T00:00:00Z
put_blob() { # LAYOUT JSON -> prints "digest size"
	local d
	d=$(printf '%s' "$2" | sha256sum | cut -d' ' -f1)
	printf '%s' "$2" >"$1/blobs/sha256/$d"
	echo "sha256:$d $(printf '%s' "$2" | wc -c)"
}
# mkatt LAYOUT SBOM-NAME [PLATFORM-IN-INDEX]: an image, an index holding it and a
# BuildKit-shaped attestation (provenance and SPDX statements; the config's
# rootfs.diff_ids are the statements' digests), the index tagged "multi".
mkatt() {
	local L=$1 pkg=$2 plat=${3:-yes}
	umoci init --layout "$L"
	umoci new --image "$L:img"
	umoci config --image "$L:img" --os linux --architecture amd64 --created $T0 --history.created $T0
	umoci insert --image "$L:img" --history.created $T0 files/a /a
	local m md ms
	m=$(jq -c '.manifests[] | select(.annotations["org.opencontainers.image.ref.name"] == "img")' "$L/index.json")
	md=$(jq -r .digest <<<"$m") ms=$(jq -r .size <<<"$m")
	local subj="{\"name\":\"x\",\"digest\":{\"sha256\":\"${md#sha256:}\"}}"
	read -r p_d p_s < <(put_blob "$L" "$(jq -cn --argjson s "$subj" '{_type: "https://in-toto.io/Statement/v0.1",
		predicateType: "https://slsa.dev/provenance/v0.2", subject: [$s], predicate: {builder: {id: ""}}}')")
	read -r s_d s_s < <(put_blob "$L" "$(jq -cn --argjson s "$subj" --arg p "$pkg" '{_type: "https://in-toto.io/Statement/v0.6",
		predicateType: "https://spdx.dev/Document", subject: [$s], predicate: {packages: [{name: $p}]}}')")
	read -r c_d c_s < <(put_blob "$L" "$(jq -cn --arg a "$p_d" --arg b "$s_d" \
		'{architecture: "unknown", os: "unknown", config: {}, rootfs: {type: "layers", diff_ids: [$a, $b]}}')")
	read -r a_d a_s < <(put_blob "$L" "$(jq -cn --arg cd "$c_d" --argjson cs "$c_s" --arg pd "$p_d" --argjson ps "$p_s" \
		--arg sd "$s_d" --argjson ss "$s_s" '{schemaVersion: 2, mediaType: "application/vnd.oci.image.manifest.v1+json",
		config: {mediaType: "application/vnd.oci.image.config.v1+json", digest: $cd, size: $cs},
		layers: [{mediaType: "application/vnd.in-toto+json", digest: $pd, size: $ps,
			annotations: {"in-toto.io/predicate-type": "https://slsa.dev/provenance/v0.2"}},
			{mediaType: "application/vnd.in-toto+json", digest: $sd, size: $ss,
			annotations: {"in-toto.io/predicate-type": "https://spdx.dev/Document"}}]}')")
	local img att
	img=$(jq -cn --arg d "$md" --argjson s "$ms" --arg p "$plat" '{mediaType: "application/vnd.oci.image.manifest.v1+json",
		digest: $d, size: $s} + (if $p == "yes" then {platform: {os: "linux", architecture: "amd64"}} else {} end)')
	att=$(jq -cn --arg d "$a_d" --argjson s "$a_s" --arg ref "$md" '{mediaType: "application/vnd.oci.image.manifest.v1+json",
		digest: $d, size: $s, platform: {os: "unknown", architecture: "unknown"},
		annotations: {"vnd.docker.reference.type": "attestation-manifest", "vnd.docker.reference.digest": $ref}}')
	read -r i_d i_s < <(put_blob "$L" "$(jq -cn --argjson a "$img" --argjson b "$att" \
		'{schemaVersion: 2, mediaType: "application/vnd.oci.image.index.v1+json", manifests: [$a, $b]}')")
	jq -cn --arg d "$i_d" --argjson s "$i_s" '{schemaVersion: 2, manifests: [{mediaType: "application/vnd.oci.image.index.v1+json",
		digest: $d, size: $s, annotations: {"org.opencontainers.image.ref.name": "multi"}}]}' >"$L/index.json"
	echo "$a_d" >"$L.att"
}
mkatt S1 busybox
mkatt S2 busybox no
mkatt S3 alpine
expect_eq "S1/S2: the attestation is byte for byte the same (sha256sum)" "$(cat S1.att)" "$(cat S2.att)"
run_bl "$out" "$err" diff --json S1 S2
expect_eq "attestation, platform unlabelled: exit" 1 "$rc"
att_pair='[.. | objects | select(.kind == "attestation")]'
expect_eq "attestation, platform unlabelled: one pair, its labels differ" \
	'[{"l":true,"r":true,"same":false}]' \
	"$(jq -c "$att_pair | map({l: (.left != null), r: (.right != null), same: (.left.label == .right.label)})" "$out")"
expect_eq "attestation, platform unlabelled: identical bytes are identical" '["identical"]' \
	"$(jq -c "$att_pair | map(.class)" "$out")"
expect_eq "attestation, platform unlabelled: the index says why it differs" \
	'["entry linux/amd64: descriptor platform linux/amd64 -> (absent)"]' \
	"$(jq -c '[.. | objects | select(.kind == "index") | .notes[]]' "$out")"
expect_eq "attestation, platform unlabelled: class" index-only "$(jq -r .class "$out")"
# The unlabelled index through a registry (skopeo copy --all to Debian's
# docker-registry on 127.0.0.1), against the labelled original.
if command -v docker-registry >/dev/null 2>&1 && [ -n "${BL_REGISTRY_PROBE:-}" ]; then
	. "$(dirname "$0")/registry-lib.sh"
	start_registry reg plain
	R=127.0.0.1:$REG_PORT
	skopeo copy -q --all --dest-tls-verify=false oci:S2:multi "docker://$R/demo:att"
	reg_raw=$(skopeo inspect --raw --tls-verify=false "docker://$R/demo:att")
	expect_eq "registry copy: the image entry has no platform (skopeo)" null "$(jq -c '.manifests[0].platform' <<<"$reg_raw")"
	expect_eq "registry copy: the attestation's bytes (skopeo)" "$(cat S1.att)" "$(jq -r '.manifests[1].digest' <<<"$reg_raw")"
	run_bl "$out" "$err" diff --json S1 "$R/demo:att"
	expect_eq "registry copy: exit ($(head -c 300 "$err"))" 1 "$rc"
	expect_eq "registry copy: the attestation is one identical pair" '["identical"]' \
		"$(jq -c "$att_pair | map(select(.left != null and .right != null) | .class)" "$out")"
	expect_eq "registry copy: no attestation on one side only" 0 \
		"$(jq "$att_pair | map(select(.left == null or .right == null)) | length" "$out")"
else
	echo "registry copy: skipped (no docker-registry)"
fi

run_bl "$out" "$err" diff --json S1 S3
expect_eq "SBOM changed: exit" 1 "$rc"
expect_eq "SBOM changed: images identical" identical "$(jq -r '.platforms[0].class' "$out")"
cfg_pair=$(jq -c '[.. | objects | select(.kind == "attestation") | .children[] | select(.kind == "config")
	| {own, moved: (.left.digest != .right.digest), fields}]' "$out")
expect_eq "SBOM changed: the attestation's config moved and says so" \
	'[{"own":"index-only","moved":true,"fields":["rootfs.diff_ids"]}]' "$cfg_pair"
run_bl "$out" "$err" diff S1 S3
if grep -q "= config: identical" "$out"; then fail "SBOM changed: text: $(grep -n config "$out")"; else pass; fi

# --- 5. --files --ignore-timestamps: a layer is identical or changed, not both
build t1 --layers
sleep 1.1
build t2 --layers --no-cache
run_bl "$out" "$err" diff --json --files --ignore-timestamps t1.oci.tar t2.oci.tar
ts_layers=$(jq -c '[.. | objects | select(.kind == "layer" and .own == "identical" and .left.diffID != .right.diffID)] | length' "$out")
if [ "$ts_layers" -ge 1 ]; then pass; else fail "t1/t2: no layer identical apart from timestamps: $(jq -c .classes "$out")"; fi
expect_eq "reclassified layers: no note calls them changed" "[]" \
	"$(jq -c '[.. | objects | select(.kind == "layer" and .own == "identical") | .notes[] | select(startswith("content changed"))]' "$out")"
expect_eq "reclassified layers: their diff_ids said to move through timestamps" "$ts_layers" \
	"$(jq '[.. | objects | select(.kind == "layer" and .own == "identical") | .notes[] | select(test("^diff_id sha256:[0-9a-f]{12} -> sha256:[0-9a-f]{12} \\(timestamps only\\)$"))] | length' "$out")"
run_bl "$out" "$err" diff --files --ignore-timestamps t1.oci.tar t2.oci.tar
# Each "= layer" line, then its notes: none of them says "content changed".
bad=$(awk '/^ *[=~?+-] layer/ { same = ($1 == "=") ; next } /^ *[=~?+-] / { same = 0 } same && /content changed:/' "$out")
expect_eq "text: an identical layer never says content changed" "" "$bad"
finish
