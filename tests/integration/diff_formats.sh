#!/usr/bin/env bash
# One image compared with itself in other formats and places, as tools make
# them: buildah (vfs storage, chroot isolation, a temporary root) writes an OCI
# archive; skopeo copies it to an OCI layout under another tag, to a
# docker-archive (uncompressed layers, a Docker v2s2 manifest), and to Debian's
# docker-registry on 127.0.0.1 as it is and as Docker v2s2; a two-platform
# index made with `buildah manifest` is copied with `skopeo copy --all`, and
# with `--format v2s2` (a Docker manifest list).
#   - the same bytes under another tag, or in a registry (no tag annotation),
#     are identical: exit 0;
#   - another manifest format is "same image in another manifest format", not
#     "different" (the class that outranks every finer one);
#   - recompressed layers say so, never that their content changed;
#   - two layers swapped around a third are compared where they are: the
#     third is not said to be removed and added at its own position.
# Expected digests come from skopeo inspect --raw | sha256sum and jq.
. "$BL_TESTLIB"
need_tool buildah skopeo jq sha256sum
out=$BL_TMP/out err=$BL_TMP/err
cd "$BL_TMP"
export BUILDAH_ISOLATION=chroot STORAGE_DRIVER=vfs
B=(--root "$BL_TMP/storage" --runroot "$BL_TMP/run" --storage-driver vfs)
buildah "${B[@]}" images >/dev/null 2>&1 || { echo "SKIP: buildah cannot run here"; exit 77; }

mkdir -p ctx && echo one >ctx/a && echo two >ctx/b && touch -d @1700000000 ctx/*
printf 'FROM scratch\nCOPY a /app/a\nLABEL org.example.x=1\nCOPY b /app/b\n' >Containerfile
buildah "${B[@]}" bud -q --layers --timestamp 0 -t localhost/demo:v1 -f Containerfile ctx >/dev/null
buildah "${B[@]}" push -q localhost/demo:v1 "oci-archive:$BL_TMP/v1.oci.tar:v1"
skopeo copy -q oci-archive:v1.oci.tar oci:lay:other
skopeo copy -q oci-archive:v1.oci.tar docker-archive:v1.docker.tar:localhost/demo:v1
raw() { skopeo inspect --raw "$@"; }
sha() { echo "sha256:$(sha256sum | cut -d' ' -f1)"; }
n=$(raw oci-archive:v1.oci.tar | jq '.layers | length')
expect_eq "v1: buildah wrote 2 layers (skopeo)" 2 "$n"
# diff_text WHAT EXIT ARGS...: the text output and its exit status.
diff_text() {
	local what=$1 want=$2
	shift 2
	run_bl "$out" "$err" diff "$@"
	expect_eq "$what: text exit ($(head -c 300 "$err"))" "$want" "$rc"
	expect_clean "$what: text" "$out"
}
# diff_json WHAT EXIT ARGS...: the same with --json, then --quiet's exit status.
diff_json() {
	local what=$1 want=$2
	shift 2
	run_bl "$out.q" "$err" diff --quiet "$@"
	expect_eq "$what: --quiet exit" "$want" "$rc"
	expect_eq "$what: --quiet prints nothing" "" "$(cat "$out.q")"
	run_bl "$out" "$err" diff --json "$@"
	expect_eq "$what: --json exit ($(head -c 300 "$err"))" "$want" "$rc"
}

# --help says what --quiet does to diff.
run_bl "$out" "$err" --help
expect_eq "--help: --quiet and diff" 1 "$(grep -A1 -- '-q, --quiet' "$out" | grep -c 'diff: nothing on stdout')"

# --- the same bytes under another tag: identical
expect_eq "lay:other: the same manifest (skopeo | sha256sum)" \
	"$(raw oci-archive:v1.oci.tar | sha)" "$(raw oci:lay:other | sha)"
diff_json "another tag" 0 v1.oci.tar lay
expect_eq "another tag: class" identical "$(jq -r .class "$out")"
diff_text "another tag" 0 v1.oci.tar lay
expect_eq "another tag: result" "result: identical" "$(sed -n 3p "$out")"
expect_eq "another tag: the names are said" 1 "$(grep -c 'names differ: v1 (left) and other (right)' "$out")"

# --- in another manifest format, layers stored uncompressed: same image
expect_eq "docker-archive: a Docker v2s2 manifest (skopeo)" application/vnd.docker.distribution.manifest.v2+json \
	"$(raw docker-archive:v1.docker.tar | jq -r .mediaType)"
expect_eq "docker-archive: the same config (skopeo | sha256sum)" \
	"$(skopeo inspect --config --raw oci-archive:v1.oci.tar | sha)" "$(skopeo inspect --config --raw docker-archive:v1.docker.tar | sha)"
diff_json "docker-archive" 1 v1.oci.tar v1.docker.tar
expect_eq "docker-archive: class" manifest-format "$(jq -r .class "$out")"
expect_eq "docker-archive: nothing called different" 0 "$(jq '[.. | objects | select(.own? == "different")] | length' "$out")"
expect_eq "docker-archive: the manifest's own class" '["manifest-format"]' \
	"$(jq -c '[.. | objects | select(.kind? == "manifest") | .own]' "$out")"
expect_eq "docker-archive: every layer recompressed (skopeo: $n)" "$n" \
	"$(jq '[.. | objects | select(.kind? == "layer" and .own == "layer-recompressed")] | length' "$out")"
expect_eq "docker-archive: root filesystems identical" true "$(jq '.platforms[0].rootfsIdentical' "$out")"
diff_text "docker-archive" 1 v1.oci.tar v1.docker.tar
expect_eq "docker-archive: result" \
	"result: different: same image in another manifest format; $n layers recompressed (same diff_id)" \
	"$(sed -n 3p "$out")"
expect_eq "docker-archive: the media types named" 1 \
	"$(grep -c '^ *mediaType: application/vnd.oci.image.manifest.v1+json -> application/vnd.docker.distribution.manifest.v2+json$' "$out")"
if grep -q "content changed" "$out"; then fail "docker-archive: content changed: $(grep -n 'content changed' "$out")"; else pass; fi

# --- two layers swapped around one that stays: compared where they are
printf 'FROM scratch\nCOPY a /app/a\nCOPY c /app/c\nCOPY b /app/b\n' >Containerfile.ab
printf 'FROM scratch\nCOPY b /app/b\nCOPY c /app/c\nCOPY a /app/a\n' >Containerfile.ba
echo three >ctx/c && touch -d @1700000000 ctx/c
for v in ab ba; do
	buildah "${B[@]}" bud -q --layers --timestamp 0 -t "localhost/swap:$v" -f "Containerfile.$v" ctx >/dev/null
	buildah "${B[@]}" push -q "localhost/swap:$v" "oci-archive:$BL_TMP/$v.tar:$v"
done
ids() { skopeo inspect --config --raw "oci-archive:$1.tar" | jq -c .rootfs.diff_ids; }
want=$(jq -n -c --argjson l "$(ids ab)" --argjson r "$(ids ba)" \
	'[range(0; $l | length) | {l: ., r: ., own: (if $l[.] == $r[.] then "identical" else "layer-content" end)}]')
expect_eq "swap: the middle layer is the same (jq)" '"identical"' "$(jq -c '.[1].own' <<<"$want")"
diff_json "swap" 1 ab.tar ba.tar
expect_eq "swap: every layer compared at its position (jq)" "$want" \
	"$(jq -c '[.. | objects | select(.kind? == "layer") | {l: .left.index, r: .right.index, own}]' "$out")"

# --- the index of two platforms, copied whole
buildah "${B[@]}" bud -q --no-cache --timestamp 0 --platform linux/arm64 -t localhost/demo:arm -f Containerfile ctx >/dev/null
buildah "${B[@]}" manifest create localhost/multi >/dev/null
buildah "${B[@]}" manifest add localhost/multi localhost/demo:v1 >/dev/null
buildah "${B[@]}" manifest add localhost/multi localhost/demo:arm >/dev/null
buildah "${B[@]}" manifest push -q --all localhost/multi "oci-archive:$BL_TMP/multi.oci.tar:multi"
skopeo copy -q --all oci-archive:multi.oci.tar oci:mlay:m
expect_eq "multi: two platforms (skopeo)" 2 "$(raw oci-archive:multi.oci.tar | jq '.manifests | length')"
diff_json "index under another tag" 0 multi.oci.tar mlay
# The amd64 image alone against the index that holds it and an arm64 one.
expect_eq "multi: holds v1's manifest (skopeo, jq)" 1 \
	"$(raw oci-archive:multi.oci.tar | jq --arg d "$(raw oci-archive:v1.oci.tar | sha)" '[.manifests[] | select(.digest == $d)] | length')"
diff_text "image against an index around it" 1 v1.oci.tar multi.oci.tar
expect_eq "image against an index around it: result" \
	"result: different: platform added; an index around the image on one side" "$(sed -n 3p "$out")"

# --- through a registry on 127.0.0.1
if command -v docker-registry >/dev/null 2>&1 && [ -n "${BL_REGISTRY_PROBE:-}" ]; then
	. "$(dirname "$0")/registry-lib.sh"
	start_registry reg plain
	R=127.0.0.1:$REG_PORT
	skopeo copy -q --dest-tls-verify=false oci-archive:v1.oci.tar "docker://$R/demo:oci"
	skopeo copy -q --dest-tls-verify=false --format v2s2 oci-archive:v1.oci.tar "docker://$R/demo:v2s2"
	skopeo copy -q --all --dest-tls-verify=false oci-archive:multi.oci.tar "docker://$R/multi:oci"
	skopeo copy -q --all --dest-tls-verify=false --format v2s2 oci-archive:multi.oci.tar "docker://$R/multi:v2s2"
	expect_eq "registry: the same manifest (skopeo | sha256sum)" "$(raw oci-archive:v1.oci.tar | sha)" \
		"$(raw --tls-verify=false "docker://$R/demo:oci" | sha)"
	diff_json "registry, as pushed" 0 v1.oci.tar "$R/demo:oci"
	diff_text "registry, as pushed" 0 v1.oci.tar "$R/demo:oci"
	expect_eq "registry, as pushed: result" "result: identical" "$(sed -n 3p "$out")"
	diff_json "registry index, as pushed" 0 multi.oci.tar "$R/multi:oci"

	expect_eq "registry v2s2: layers kept (skopeo)" "$(raw oci-archive:v1.oci.tar | jq -c '[.layers[].digest]')" \
		"$(raw --tls-verify=false "docker://$R/demo:v2s2" | jq -c '[.layers[].digest]')"
	diff_json "registry v2s2" 1 v1.oci.tar "$R/demo:v2s2"
	expect_eq "registry v2s2: classes" '["manifest-format"]' "$(jq -c .classes "$out")"
	diff_text "registry v2s2" 1 v1.oci.tar "$R/demo:v2s2"
	expect_eq "registry v2s2: result" "result: different: same image in another manifest format" \
		"$(sed -n 3p "$out")"

	expect_eq "registry v2s2 index: a Docker manifest list (skopeo)" \
		application/vnd.docker.distribution.manifest.list.v2+json \
		"$(raw --tls-verify=false "docker://$R/multi:v2s2" | jq -r .mediaType)"
	diff_json "registry v2s2 index" 1 multi.oci.tar "$R/multi:v2s2"
	expect_eq "registry v2s2 index: class" manifest-format "$(jq -r .class "$out")"
	expect_eq "registry v2s2 index: the index and both manifests in another format" \
		'["manifest-format","manifest-format","manifest-format"]' \
		"$(jq -c '[.. | objects | select(.kind? == "index" or .kind? == "manifest") | .own]' "$out")"
	expect_eq "registry v2s2 index: both root filesystems identical" '[true,true]' \
		"$(jq -c '[.platforms[].rootfsIdentical]' "$out")"
else
	echo "registry: skipped (no docker-registry)"
fi
finish
