#!/usr/bin/env bash
# Every metadata file, OCI layout, image tar and JSON document in the corpus
# loads with `bakelens tree` and `bakelens inspect --json`; the invalid ones
# give a clear error and a documented non-zero exit code, never a crash.
# Target counts are checked against jq over the raw files.
. "$BL_TESTLIB"
need_corpus
C=$BL_CORPUS
cd "$C" # the globs below are relative to the corpus
out=$BL_TMP/out err=$BL_TMP/err

# check SOURCE EXPECTED_RC [EXPECTED_TARGETS]
check() {
	local src=$1 want=$2 ntargets=${3:-}
	run_bl "$out" "$err" tree --offline "$src"
	expect_eq "tree $src: exit code ($(head -c 300 "$err"))" "$want" "$rc"
	expect_clean "tree $src stdout" "$out"
	expect_clean "tree $src stderr" "$err"
	run_bl "$out" "$err" inspect --offline --json "$src"
	expect_eq "inspect $src: exit code" "$want" "$rc"
	if jq -e . "$out" >/dev/null 2>&1; then pass; else fail "inspect $src: output is not JSON"; fi
	if [ -n "$ntargets" ]; then
		expect_eq "inspect $src: targets" "$ntargets" "$(jq '.targets | length' "$out")"
	fi
	if [ "$want" != 0 ]; then
		if grep -q "^bakelens: " "$err"; then pass; else fail "$src: error not in 'bakelens: <input>: <why>' form: $(head -2 "$err")"; fi
	fi
}

# Metadata files: one target per bake target (keys without a '.') or one for a flat build.
for m in actions-toolkit/metadata/*.json buildx/docs-metadata-*.json; do
	f=$C/$m
	n=$(jq '[keys[] | select(test("^[a-zA-Z0-9_-]+$"))] | length' "$f")
	[ "$n" -gt 0 ] || n=1
	check "$f" 0 "$n"
	run_bl "$out" "$err" tree --offline "$f"
	for t in $(jq -r 'keys[] | select(test("^[a-zA-Z0-9_-]+$"))' "$f"); do
		if grep -q -- "$t" "$out"; then pass; else fail "tree $m: target $t not shown"; fi
	done
done

# Layout directories: one target per index.json entry, entries with a name that
# point at one image (digest, media type, size) being one target with their names.
images() {
	jq '(.manifests // []) as $m
		| def named: .annotations["org.opencontainers.image.ref.name"] // .annotations["io.containerd.image.name"];
		([$m[] | select(named) | [.digest, .mediaType, .size]] | unique | length)
		+ ([$m[] | select(named | not)] | length)' "$1"
}
for d in actions-toolkit/oci-layout/hello-oci-multiplatform-gzip stereoscope/oci/multiplatform_oci_dir \
	stereoscope/oci/valid_oci_dir regclient/testrepo regclient/external \
	go-containerregistry/layout/test_index go-containerregistry/layout/test_gc_index \
	go-containerregistry/layout/test_index_media_type go-containerregistry/layout/test_index_one_image \
	go-containerregistry/layout/test_gc_image_unknown_mediatype \
	containers-image/oci-layout/delete_image_two_identical_references; do
	check "$C/$d" 0 "$(images "$C/$d/index.json")"
done
# Layouts with blobs whose size or content do not match (SOURCES.md, anomalies): exit 5.
for d in stereoscope/oci/valid_manifest containers-image/oci-layout/delete_image_multiple_images; do
	check "$C/$d" 5
done
# Blobs kept outside blobs/ (a shared blob directory) are missing to us: shown, exit 0.
check "$C/containers-image/oci-layout/delete_image_shared_blobs_dir" 0 1
run_bl "$out" "$err" tree "$C/containers-image/oci-layout/delete_image_shared_blobs_dir"
if grep -qi missing "$out"; then pass; else fail "shared_blobs_dir: manifest not shown as missing"; fi
run_bl "$out" "$err" tree "$C/actions-toolkit/metadata/metadata-build.json"
if grep -q "containerimage.config.digest" "$err"; then pass; else fail "metadata-build.json: the 63-digit config digest is not reported"; fi

# OCI tarballs, containerd exports, docker save (legacy and Engine >= 25).
for t in actions-toolkit/oci-archive/*.tar dive/test-oci-*.tar oras-go/*.tar stereoscope/oci/valid-oci.tar \
	actions-toolkit/dockerbuild/*.dockerbuild; do
	n=$(bsdtar -xOf "$C/$t" index.json | jq '.manifests // [] | length')
	check "$C/$t" 0 "$n"
done
for t in dive/test-docker-image.tar dive/test-kaniko-image.tar containers-image/docker-archive/almostempty.tar \
	go-containerregistry/tarball/test_image_1.tar go-containerregistry/tarball/test_link.tar \
	go-containerregistry/tarball/test_bundle.tar go-containerregistry/tarball/hello-world-v25.tar \
	go-containerregistry/mutate/whiteout_image.tar go-containerregistry/mutate/source_image_with_empty_layer_history.tar \
	containers-skopeo/docker-two-images.tar.xz; do
	n=$(bsdtar -xOf "$C/$t" manifest.json | jq '[.[] | ((.RepoTags // []) | length) as $n | if $n == 0 then 1 else $n end] | add')
	check "$C/$t" 0 "$n"
done
# Not image archives: a clear error, exit 4.
check "$C/go-containerregistry/tarball/no_manifest.tar" 4
check "$C/go-containerregistry/tarball/null_manifest.tar" 4

# Single documents and everything else: never a crash; 0, or a clear error with 3/4/5/6.
while IFS= read -r f; do
	run_bl "$out" "$err" inspect --offline --json "$f"
	case $rc in
	0) if jq -e . "$out" >/dev/null; then pass; else fail "inspect $f: not JSON"; fi ;;
	3 | 4 | 5 | 6) if grep -q "^bakelens: " "$err"; then pass; else fail "$f: exit $rc without a 'bakelens:' message"; fi ;;
	*) fail "inspect $f: exit code $rc: $(head -3 "$err")" ;;
	esac
	expect_clean "inspect $f stderr" "$err"
done < <(find "$C" -name '*.json' -not -path '*/blobs/*' | sort)

# Invalid on purpose: parsed as JSON they fail; a clear error naming the file.
for f in stereoscope/oci/invalid_file-index.json containers-image/manifest/non-json.manifest.json \
	image-spec/schema-tests/config.07.fail.json image-spec/schema-tests/manifest.02.fail.json; do
	run_bl "$out" "$err" tree "$C/$f"
	expect_eq "tree $f: exit code" 4 "$rc"
	if grep -qF "$(basename "$f")" "$err"; then pass; else fail "tree $f: error does not name the file: $(head -2 "$err")"; fi
done
finish
