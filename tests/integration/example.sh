#!/usr/bin/env bash
# The example build in examples/: examples/make-example.sh makes exactly the committed
# files (twice the same bytes), and the commands the README shows on it print what it
# says: the wasted bytes of the deleted deps.cache, its D mark, and a diff whose cause
# names the one build argument the two builds differ in. Expected values come from jq,
# sha256sum, gzip and tar over the layouts, never from bakelens.
. "$BL_TESTLIB"
need_tool umoci jq sha256sum gzip tar
out=$BL_TMP/out err=$BL_TMP/err
EX=$BL_SRC/examples
cd "$BL_TMP"

# --- the script remakes the committed example, byte for byte
mkdir ex && cp "$EX/make-example.sh" ex/
bash ex/make-example.sh >/dev/null 2>"$err" || fail "make-example.sh: $(head -c 300 "$err")"
for f in metadata.json metadata-v2.json out out-v2; do
	if diff -r "$EX/$f" "ex/$f" >/dev/null; then pass; else
		fail "examples/$f is not what make-example.sh makes: $(diff -rq "$EX/$f" "ex/$f" | head -3)"; fi
done

# --- the layers of app linux/amd64, read with jq
B=$EX/out/blobs/sha256
blob() { echo "$B/${1#sha256:}"; }
idx=$(jq -r '.app["containerimage.digest"]' "$EX/metadata.json")
man=$(jq -r '.manifests[] | select(.platform.architecture == "amd64") | .digest' "$(blob "$idx")")
layers=($(jq -r '.layers[].digest' "$(blob "$man")"))
expect_eq "app linux/amd64: 5 layers" 5 "${#layers[@]}"
# umoci ends a layer's tar after the last file's bytes (no padding, no end blocks): tar
# lists the members and then complains, which is not what is tested here.
members() { (gzip -dc "$(blob "$1")" | tar -tvf - 2>/dev/null || true) | awk '{print $3, $6}'; }
cache_bytes=$(members "${layers[3]}" | awk '$2 == "app/deps.cache" {print $1}')
expect_eq "layer 4 adds deps.cache" true "$([ "${cache_bytes:-0}" -gt 0 ] && echo true)"
expect_eq "layer 5 deletes deps.cache (a whiteout)" "app/.wh.deps.cache" \
	"$(members "${layers[4]}" | awk '$2 ~ /\.wh\./ {print $2}')"

# check: the deleted file's bytes are the waste, on both platforms
run_bl "$out" "$err" check "$EX/metadata.json" "$EX/out" --target app
expect_eq "check: exit (dive's rules fail)" 1 "$rc"
expect_eq "check: wasted bytes = deps.cache's size, per platform" 2 \
	"$(grep -c "wasted [0-9.]* KiB ($cache_bytes bytes)" "$out")"

# ls --changes: layer 5 marks deps.cache deleted
run_bl "$out" "$err" ls "$EX/metadata.json" "$EX/out" --target app --platform linux/amd64 --changes
expect_eq "ls --changes: exit" 0 "$rc"
expect_eq "ls --changes: the D line" "D app/deps.cache  (whiteout: deletes 1 entry, $cache_bytes bytes, from layer 4)" \
	"$(grep '^D ' "$out")"

# --- provenance: the Dockerfile line of the RUN that made layer 5, and VERSION on each side
statement() { # BLOBDIR INDEX PREDICATE-TYPE: the amd64 attestation's statement of that type
	local att
	att=$(jq -r '.manifests[] | select(.annotations["vnd.docker.reference.type"] == "attestation-manifest") | .digest' \
		"$1/${2#sha256:}" | head -1)
	echo "$1/$(jq -r --arg t "$3" '.layers[] | select(.annotations["in-toto.io/predicate-type"] == $t) | .digest | ltrimstr("sha256:")' "$1/${att#sha256:}")"
}
prov() { statement "$1" "$2" https://slsa.dev/provenance/v1; }
sbom() { statement "$1" "$2" https://spdx.dev/Document; }
p1=$(prov "$B" "$idx")
idx2=$(jq -r '.app["containerimage.digest"]' "$EX/metadata-v2.json")
p2=$(prov "$EX/out-v2/blobs/sha256" "$idx2")
v1=$(jq -r '.predicate.buildDefinition.externalParameters.request.args["build-arg:VERSION"]' "$p1")
v2=$(jq -r '.predicate.buildDefinition.externalParameters.request.args["build-arg:VERSION"]' "$p2")
line=$(jq -r '.predicate.runDetails.metadata.buildkit_metadata.source.locations.step5.locations[0].ranges[0].start.line' "$p1")
run_text=$(jq -r '.predicate.runDetails.metadata.buildkit_metadata.source.infos[0].data' "$p1" | base64 -d | sed -n "${line}p")
expect_eq "provenance: the Dockerfile's line $line is the RUN" RUN "${run_text%% *}"
expect_eq "the two builds differ in VERSION" true "$([ -n "$v1" ] && [ "$v1" != "$v2" ] && echo true)"
other=$(jq -c '.predicate.buildDefinition.externalParameters.request.args | del(.["build-arg:VERSION"])' "$p1")
expect_eq "and in no other build argument" "$other" \
	"$(jq -c '.predicate.buildDefinition.externalParameters.request.args | del(.["build-arg:VERSION"])' "$p2")"

run_bl "$out" "$err" diff "$EX/metadata.json+$EX/out" "$EX/metadata-v2.json+$EX/out-v2"
expect_eq "diff: exit (different)" 1 "$rc"
expect_eq "diff: a cause per platform, naming VERSION" 2 \
	"$(grep -cF "cause: cache breaks at layer 5 of 5, made by Dockerfile:$line \`$run_text\`: build argument VERSION that it uses changed ($v1 -> $v2)" "$out")"
expect_eq "diff: the input change" 2 "$(grep -cx "    input: build-arg:VERSION $v1 -> $v2" "$out")"
# The SBOM beside it: the package whose version is VERSION, read with jq
pkg_version() { jq -r '.predicate.packages[] | select(.name == "example-app") | .versionInfo' "$1"; }
expect_eq "sbom: example-app's version is VERSION" "$v1 $v2" \
	"$(pkg_version "$(sbom "$B" "$idx")") $(pkg_version "$(sbom "$EX/out-v2/blobs/sha256" "$idx2")")"
expect_eq "diff: the package change, per platform" 2 "$(grep -cx "            package example-app $v1 -> $v2 (generic)" "$out")"
expect_eq "diff: base identical" 1 "$(grep -c '^  base linux/amd64: .*\[identical\]$' "$out")"
finish
