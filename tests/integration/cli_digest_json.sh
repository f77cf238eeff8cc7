#!/usr/bin/env bash
# `bakelens digest --json` and `--compare`: every target's keys in one
# document, each checked against what jq + sha256sum (+ zcat) compute from the
# blobs; images made here with umoci (a two-platform index written with jq
# around them), buildah and skopeo, and the example build. Needs no corpus.
. "$BL_TESTLIB"
need_tool umoci buildah skopeo jq sha256sum zcat
out=$BL_TMP/out err=$BL_TMP/err
cd "$BL_TMP"
T0=2024-01-01T00:00:00Z

# key JSON TARGET [PLATFORM] FIELD...: a value of the output, "null" when null.
key() {
	local f=$1 t=$2
	shift 2
	if [ $# -eq 1 ]; then
		jq -r --arg t "$t" --arg k "$1" '.targets[$t][$k]' "$f"
	else
		local p=$1
		shift
		jq -r --arg t "$t" --arg p "$p" '.targets[$t].platforms[$p] | getpath($ARGS.positional)' \
			"$f" --args "$@"
	fi
}
# check_platform WHAT JSON TARGET PLATFORM BLOBS MANIFEST: every platform key of
# the output against the blobs of that manifest, computed here.
check_platform() {
	local what=$1 f=$2 t=$3 p=$4 blobs=$5 man=$6
	local m=$blobs/${man#sha256:}
	expect_eq "$what: manifest blob hashes to its digest" "$man" "$(sha256_of "$m")"
	expect_eq "$what: manifest" "$man" "$(key "$f" "$t" "$p" manifest)"
	local cfg
	cfg=$(jq -r .config.digest "$m")
	expect_eq "$what: config blob hashes to its digest" "$cfg" "$(sha256_of "$blobs/${cfg#sha256:}")"
	expect_eq "$what: config" "$cfg" "$(key "$f" "$t" "$p" config)"
	local layer mt
	layer=$(jq -r '.layers[-1].digest' "$m")
	mt=$(jq -r '.layers[-1].mediaType' "$m")
	expect_eq "$what: last layer blob hashes to its digest" "$layer" "$(sha256_of "$blobs/${layer#sha256:}")"
	expect_eq "$what: layer.digest (the manifest's last layer)" "$layer" "$(key "$f" "$t" "$p" layer digest)"
	local diff
	case $mt in
	*gzip) diff=sha256:$(zcat "$blobs/${layer#sha256:}" | sha256sum | cut -d' ' -f1) ;;
	*) diff=sha256:$(sha256sum <"$blobs/${layer#sha256:}" | cut -d' ' -f1) ;;
	esac
	expect_eq "$what: the config's last diff_id is the uncompressed layer's hash" \
		"$diff" "$(jq -r '.rootfs.diff_ids[-1]' "$blobs/${cfg#sha256:}")"
	expect_eq "$what: layer.diff_id" "$diff" "$(key "$f" "$t" "$p" layer diff_id)"
	expect_eq "$what: layer.chain_id" "$(chain_id $(jq -r '.rootfs.diff_ids[]' "$blobs/${cfg#sha256:}"))" \
		"$(key "$f" "$t" "$p" layer chain_id)"
}
# index_manifest BLOBS INDEX ARCH: the image manifest of that architecture.
index_manifest() {
	jq -r --arg a "$3" '.manifests[] | select(.platform.architecture == $a) | .digest' "$1/${2#sha256:}"
}

# --- the example build: metadata + its OCI layout
M=$BL_SRC/examples/metadata.json E=$BL_SRC/examples/out EB=$BL_SRC/examples/out/blobs/sha256
run_bl "$out" "$err" digest --json "$M" "$E"
expect_eq "examples: exit ($(head -c 300 "$err"))" 0 "$rc"
cp "$out" ex.json
expect_eq "examples: version" 1 "$(jq .version ex.json)"
expect_eq "examples: sources" "[\"$M\",\"$E\"]" "$(jq -c .sources ex.json)"
expect_eq "examples: the metadata file's targets" \
	"$(jq -c '[keys[] | select(startswith("buildx.build.") | not)]' "$M")" "$(jq -c '.targets | keys' ex.json)"
idx=$(jq -r '.app["containerimage.digest"]' "$M")
expect_eq "examples: app index blob hashes to its digest" "$idx" "$(sha256_of "$EB/${idx#sha256:}")"
expect_eq "examples: app index" "$idx" "$(key ex.json app index)"
expect_eq "examples: app platforms (the index's, attestations left out)" \
	"$(jq -c '[.manifests[].platform | select(.os != "unknown") | .os + "/" + .architecture] | sort' "$EB/${idx#sha256:}")" \
	"$(jq -c '.targets.app.platforms | keys' ex.json)"
for arch in amd64 arm64; do
	check_platform "examples: app linux/$arch" ex.json app linux/$arch "$EB" "$(index_manifest "$EB" "$idx" $arch)"
done
expect_eq "examples: base is a single manifest: no index" null "$(key ex.json base index)"
check_platform "examples: base" ex.json base linux/amd64 "$EB" "$(jq -r '.base["containerimage.digest"]' "$M")"
# The same answers as the one-digest form, key by key.
for w in manifest config layer diff-id chain-id; do
	run_bl "$out" "$err" digest "$M" "$E" --target app --platform linux/arm64 --what $w
	f=$w
	case $w in layer) f="layer digest" ;; diff-id) f="layer diff_id" ;; chain-id) f="layer chain_id" ;; esac
	expect_eq "examples: --json agrees with --what $w" "$(cat "$out")" "$(key ex.json app linux/arm64 $f)"
done

# The example in docs/digest-json.md is what the program prints.
(cd "$BL_SRC" && "$BAKELENS" digest --json examples/metadata.json examples/out) >doc-run.json
sed -n '/^```json$/,/^```$/p' "$BL_SRC/docs/digest-json.md" | sed '1d;$d' >doc-example.json
expect_eq "docs/digest-json.md: the example is current" "$(cat doc-run.json)" "$(cat doc-example.json)"

# --- narrowing: --what (comma-separated and repeated), --target, --platform
run_bl "$out" "$err" digest --json "$M" "$E" --what layer,diff-id --what index
expect_eq "--what: exit" 0 "$rc"
expect_eq "--what: keys listed" '["index","layer","diff-id"]' "$(jq -c .keys "$out")"
expect_eq "--what: only those fields" '{"index":"'"$idx"'","platforms":{"linux/amd64":{"layer":["digest","diff_id"]},"linux/arm64":{"layer":["digest","diff_id"]}}}' \
	"$(jq -c '.targets.app | .platforms |= map_values(.layer |= keys_unsorted)' "$out")"
expect_eq "--what: values unchanged" "$(key ex.json app linux/amd64 layer diff_id)" "$(key "$out" app linux/amd64 layer diff_id)"
run_bl "$out" "$err" digest --json "$M" "$E" --what config
expect_eq "--what config: no index, no layer" '["config"]' "$(jq -c '[.targets.app.platforms[] | keys[]] | unique' "$out")"
run_bl "$out" "$err" digest --json "$M" "$E" --target app --platform linux/arm64
expect_eq "--target --platform: exit" 0 "$rc"
expect_eq "--target --platform: same shape, narrowed" \
	"$(jq -c '.targets |= {app: (.app | .platforms |= {"linux/arm64": .["linux/arm64"]})}' ex.json)" "$(jq -c . "$out")"
run_bl "$out" "$err" digest --json "$M" "$E" --what bogus,layer
expect_eq "--what bogus: usage exit" 2 "$rc"
if grep -q '"bogus"' "$err"; then pass; else fail "--what bogus: message: $(cat "$err")"; fi
run_bl "$out" "$err" digest "$M" "$E" --target app --platform linux/arm64 --what config,manifest
expect_eq "plain digest, several --what: one per line, in the order given" \
	"$(key ex.json app linux/arm64 config) $(key ex.json app linux/arm64 manifest)" "$(echo $(cat "$out"))"
run_bl "$out" "$err" digest --json "$M" "$E" --target nope
expect_eq "--json --target nope: not found" 6 "$rc"

# --- compare: the same build
run_bl "$out" "$err" digest "$M" "$E" --compare ex.json
expect_eq "compare, same build: exit" 0 "$rc"
expect_eq "compare, same build: nothing printed" "" "$(cat "$out")"

# --- images made by umoci: a two-platform index (jq) and a single image
put_blob() { # LAYOUT JSON -> prints "digest size"
	local d
	d=$(printf '%s' "$2" | sha256sum | cut -d' ' -f1)
	printf '%s' "$2" >"$1/blobs/sha256/$d"
	echo "sha256:$d $(printf '%s' "$2" | wc -c)"
}
mkimg() { # LAYOUT TAG ARCH FILE...
	local L=$1 tag=$2 arch=$3
	shift 3
	[ -d "$L" ] || umoci init --layout "$L"
	umoci new --image "$L:$tag"
	umoci config --image "$L:$tag" --os linux --architecture "$arch" --created $T0 --history.created $T0
	for f in "$@"; do
		umoci insert --image "$L:$tag" --history.created $T0 --history.created_by "COPY $f" "$f" "/$(basename "$f")"
	done
}
desc() { # LAYOUT TAG ARCH: the image's descriptor with its platform
	jq -c --arg t "$2" --arg a "$3" '.manifests[] | select(.annotations["org.opencontainers.image.ref.name"] == $t)
		| {mediaType, digest, size, platform: {os: "linux", architecture: $a}}' "$1/index.json"
}
# mkbuild LAYOUT: images amd (amd64), arm (arm64) and solo; an index over amd and
# arm; a metadata file LAYOUT.json with targets "multi" (the index) and "solo".
mkbuild() {
	local L=$1
	mkimg "$L" amd amd64 files/a files/b
	mkimg "$L" arm arm64 files/a files/c
	mkimg "$L" solo amd64 files/c
	read -r id is < <(put_blob "$L" "$(printf '%s\n' "$(desc "$L" amd amd64)" "$(desc "$L" arm arm64)" | jq -cs \
		'{schemaVersion: 2, mediaType: "application/vnd.oci.image.index.v1+json", manifests: .}')")
	jq -n --arg i "$id" --arg s "$(jq -r '.manifests[] | select(.annotations["org.opencontainers.image.ref.name"] == "solo") | .digest' "$L/index.json")" \
		'{multi: {"containerimage.digest": $i}, solo: {"containerimage.digest": $s}}' >"$L.json"
	echo "$id" >"$L.index"
}
mkdir files && echo one >files/a && echo two >files/b && echo three >files/c
touch -d @1700000000 files/a files/b files/c
mkbuild U
UB=U/blobs/sha256 uidx=$(cat U.index)
run_bl "$out" "$err" digest --json U.json U
expect_eq "umoci: exit ($(head -c 300 "$err"))" 0 "$rc"
cp "$out" u.json
expect_eq "umoci: targets" '["multi","solo"]' "$(jq -c '.targets | keys' u.json)"
expect_eq "umoci: index" "$uidx" "$(key u.json multi index)"
expect_eq "umoci: two platforms" '["linux/amd64","linux/arm64"]' "$(jq -c '.targets.multi.platforms | keys' u.json)"
for arch in amd64 arm64; do
	check_platform "umoci: multi linux/$arch" u.json multi linux/$arch "$UB" "$(index_manifest "$UB" "$uidx" $arch)"
done
check_platform "umoci: solo" u.json solo linux/amd64 "$UB" "$(jq -r .solo[\"containerimage.digest\"] U.json)"
expect_eq "umoci: multi amd64 has two layers (ChainID of two)" 2 \
	"$(jq '.layers | length' "$UB/$(index_manifest "$UB" "$uidx" amd64 | cut -d: -f2)")"

# Without a metadata file: targets named as the tree shows them.
run_bl "$out" "$err" digest --json U
expect_eq "umoci layout alone: targets are the tags" "$("$BAKELENS" tree U --depth 0 | tail -n +2 | sed 's/^[^ ]* //' | sort | jq -Rsc 'split("\n") | map(select(. != ""))')" \
	"$(jq -c '.targets | keys' "$out")"
check_platform "umoci layout alone: arm" "$out" arm linux/arm64 "$UB" "$(index_manifest "$UB" "$uidx" arm64)"

# --- compare: the same build again; then a build whose last layer changed
run_bl "$out" "$err" digest U.json U --compare u.json
expect_eq "compare umoci, same: exit" 0 "$rc"
expect_eq "compare umoci, same: nothing printed" "" "$(cat "$out")"
echo four >files/b && touch -d @1700000000 files/b
mkbuild V
vidx=$(cat V.index)
vamd=$(index_manifest V/blobs/sha256 "$vidx" amd64)
uamd=$(index_manifest "$UB" "$uidx" amd64)
old_layer=$(jq -r '.layers[-1].digest' "$UB/${uamd#sha256:}")
new_layer=$(jq -r '.layers[-1].digest' "V/blobs/sha256/${vamd#sha256:}")
[ "$old_layer" != "$new_layer" ] && pass || fail "the rebuilt image's last layer did not change"
run_bl "$out" "$err" digest V.json V --compare u.json
expect_eq "compare, last layer changed: exit" 1 "$rc"
if grep -Fxq "multi linux/amd64 layer: $old_layer -> $new_layer" "$out"; then pass; else
	fail "compare: no line for the layer: $(cat "$out")"; fi
expect_eq "compare: the index moved too" "multi index: $uidx -> $vidx" "$(grep '^multi index:' "$out")"
expect_eq "compare: arm64 and solo did not move" "" "$(grep -E '^(solo|multi linux/arm64) ' "$out" || true)"
expect_eq "compare: amd64 keys that moved" "manifest config layer diff-id chain-id" \
	"$(grep '^multi linux/amd64 ' "$out" | cut -d' ' -f3 | tr -d : | xargs)"
# Narrowed to one target and platform: only that is compared (nothing else "removed").
# (the index moved with amd64: its key is left out)
run_bl "$out" "$err" digest V.json V --compare u.json --target multi --platform linux/arm64 \
	--what manifest,config,layer,diff-id,chain-id
expect_eq "compare --target --platform, that platform unchanged: exit" 0 "$rc"
expect_eq "compare --target --platform: nothing printed" "" "$(cat "$out")"
run_bl "$out" "$err" digest V.json V --compare u.json --target multi --platform linux/amd64 --what layer
expect_eq "compare --target --platform, layer moved: exit" 1 "$rc"
expect_eq "compare --target --platform: the one line" "multi linux/amd64 layer: $old_layer -> $new_layer" "$(cat "$out")"
# Targets added and removed.
jq '{multi, extra: .solo}' V.json >W.json
run_bl "$out" "$err" digest W.json V --compare u.json --what layer
expect_eq "compare, targets added/removed: exit" 1 "$rc"
expect_eq "compare: target added" "extra: target added" "$(grep '^extra' "$out")"
expect_eq "compare: target removed" "solo: target removed" "$(grep '^solo' "$out")"

# --- a corrupt or foreign PREVIOUS.json: the file named, invalid input (4)
head -c 100 u.json >bad.json
run_bl "$out" "$err" digest U.json U --compare bad.json
expect_eq "truncated previous: exit" 4 "$rc"
if grep -q "^bakelens: bad.json: " "$err"; then pass; else fail "truncated previous: message: $(cat "$err")"; fi
expect_eq "truncated previous: nothing on stdout" "" "$(cat "$out")"
jq '.version = 2' u.json >v2.json
run_bl "$out" "$err" digest U.json U --compare v2.json
expect_eq "version 2 previous: exit" 4 "$rc"
if grep -q "^bakelens: v2.json: version 2" "$err"; then pass; else fail "version 2: message: $(cat "$err")"; fi
jq '.targets.multi.platforms["linux/amd64"].config = "sha256:nothex"' u.json >bd.json
run_bl "$out" "$err" digest U.json U --compare bd.json
expect_eq "bad digest in previous: exit" 4 "$rc"
if grep -qF 'bd.json: targets.multi.platforms.linux/amd64.config: not a digest' "$err"; then pass; else
	fail "bad digest: message: $(cat "$err")"; fi
run_bl "$out" "$err" digest U.json U --compare missing.json
expect_eq "missing previous: input unreadable" 3 "$rc"

# --- a target that cannot be read: an error field, the others printed, worst exit
cp -r U X
xcfg=$(jq -r .config.digest "X/blobs/sha256/$(jq -r .solo[\"containerimage.digest\"] U.json | cut -d: -f2)")
echo garbage >"X/blobs/sha256/${xcfg#sha256:}"
jq --arg d "sha256:$(printf gone | sha256sum | cut -d' ' -f1)" '. + {gone: {"containerimage.digest": $d, "image.name": "localhost:1/gone"}}' U.json >X.json
run_bl "$out" "$err" digest --json X.json X --offline
expect_eq "broken targets: worst exit (digest mismatch outranks not found)" 5 "$rc"
expect_eq "broken targets: multi still there, unchanged" "$(jq -c .targets.multi u.json)" "$(jq -c .targets.multi "$out")"
# Its config unreadable, the platform is not known (a single image's platform is its config's).
sp='.targets.solo.platforms | to_entries[0].value'
if jq -e "$sp.error | test(\"descriptor says\")" "$out" >/dev/null; then pass; else
	fail "mismatched config: no error field: $(jq -c .targets.solo "$out")"; fi
expect_eq "mismatched config: its keys null" "null null" "$(jq -r "$sp | \"\\(.config) \\(.layer.diff_id)\"" "$out")"
expect_eq "mismatched config: the manifest still known" "$(key u.json solo linux/amd64 manifest)" "$(jq -r "$sp.manifest" "$out")"
expect_eq "mismatched config: the last layer still known" "$(key u.json solo linux/amd64 layer digest)" "$(jq -r "$sp.layer.digest" "$out")"
if jq -e '.targets.gone.error | length > 0' "$out" >/dev/null; then pass; else fail "unresolved target: no error: $(jq -c .targets.gone "$out")"; fi
if grep -q "gone" "$err"; then pass; else fail "unresolved target: not on stderr: $(cat "$err")"; fi
run_bl "$out" "$err" digest --json X.json X --offline --target gone
expect_eq "unresolved target alone: not found" 6 "$rc"

# --- buildah (oci-archive) and skopeo (docker-archive): single images
export STORAGE_DRIVER=vfs BUILDAH_ISOLATION=chroot
B=(--root "$BL_TMP/storage" --runroot "$BL_TMP/run" --storage-driver vfs)
ctr=$(buildah "${B[@]}" from scratch)
buildah "${B[@]}" copy "$ctr" files/a /a >/dev/null
buildah "${B[@]}" copy "$ctr" files/b /b >/dev/null
buildah "${B[@]}" commit -q "$ctr" "oci-archive:$BL_TMP/img.tar:latest" >/dev/null
buildah "${B[@]}" rm "$ctr" >/dev/null
mkdir bx && tar -C bx -xf img.tar
bman=$(jq -r '.manifests[0].digest' bx/index.json)
run_bl "$out" "$err" digest --json img.tar
expect_eq "buildah: exit ($(head -c 300 "$err"))" 0 "$rc"
bt=$(jq -r '.targets | keys[0]' "$out")
bp=$(jq -r --arg t "$bt" '.targets[$t].platforms | keys[0]' "$out")
expect_eq "buildah: the platform is the config's" \
	"$(jq -r '.os + "/" + .architecture' "bx/blobs/sha256/$(jq -r .config.digest "bx/blobs/sha256/${bman#sha256:}" | cut -d: -f2)")" "$bp"
check_platform "buildah oci-archive" "$out" "$bt" "$bp" bx/blobs/sha256 "$bman"
skopeo copy -q oci-archive:img.tar docker-archive:docker.tar:example/img:1
run_bl "$out" "$err" digest --json docker.tar --what config,diff-id,chain-id
expect_eq "skopeo docker-archive: exit ($(head -c 300 "$err"))" 0 "$rc"
dt=$(jq -r '.targets | keys[0]' "$out")
dcfg=sha256:$(skopeo inspect --config --raw docker-archive:docker.tar | sha256sum | cut -d' ' -f1)
expect_eq "docker-archive: config" "$dcfg" "$(jq -r --arg t "$dt" '.targets[$t].platforms[].config' "$out")"
ddiffs=$(skopeo inspect --config --raw docker-archive:docker.tar | jq -r '.rootfs.diff_ids[]')
expect_eq "docker-archive: diff_id" "$(echo "$ddiffs" | tail -1)" "$(jq -r --arg t "$dt" '.targets[$t].platforms[].layer.diff_id' "$out")"
expect_eq "docker-archive: chain_id" "$(chain_id $ddiffs)" "$(jq -r --arg t "$dt" '.targets[$t].platforms[].layer.chain_id' "$out")"
finish
