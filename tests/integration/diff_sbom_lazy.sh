#!/usr/bin/env bash
# SBOM statements are read only when something needs them, and then always
# verified: diff never reads a pair with equal digests (strace shows no read
# of its blob; the blob may even be gone), a changed byte in a differing
# statement is a digest error rather than a package list, and the packages
# that inspect --json and diff give are the ones jq finds in the statements
# (names with escapes and surrogate pairs included).
. "$BL_TESTLIB"
need_tool python3 jq strace
MK=$(dirname "$0")/make_sbom_layout.py
O=$BL_TMP/out
E=$BL_TMP/err
A=$BL_TMP/a
B=$BL_TMP/b
# amd64's SBOM is the same on both sides; arm64's differs in musl's version.
# Python writes the non-ASCII name as \u escapes (é, and 😀 as a surrogate pair).
name=$(printf 'caf\xc3\xa9\xf0\x9f\x98\x80')
python3 "$MK" "$A" spdx "amd64=musl@1.2.4,$name@1" "arm64=musl@1.2.4,zlib@1.3" --filler 30
python3 "$MK" "$B" spdx "amd64=musl@1.2.4,$name@1" "arm64=musl@1.2.5,zlib@1.3" --filler 30
expect_eq "python escaped the name" 1 "$(grep -c 'caf\\u00e9\\ud83d\\ude00' -r "$A/blobs/sha256" | awk -F: '{s+=$2} END {print s}')"

# statement ARCH LAYOUT: the path of that platform's SBOM statement blob
statement() { local d; d=$(sbom_statement "$1" "$2"); echo "$2/blobs/sha256/${d#sha256:}"; }
same_a=$(statement amd64 "$A")
same_b=$(statement amd64 "$B")
diff_a=$(statement arm64 "$A")
diff_b=$(statement arm64 "$B")
expect_eq "amd64 statements have one digest" "$(basename "$same_a")" "$(basename "$same_b")"
expect_eq "the digest is the sha256 of the bytes" "$(basename "$same_a")" \
	"$(sha256sum "$same_a" | cut -d' ' -f1)"

# The package change, counted by jq in the statements.
nl=$(jq '.predicate.packages | length' "$(statement arm64 "$A")")
nr=$(jq '.predicate.packages | length' "$diff_b")
run_bl "$O" "$E" diff "$A" "$B"
expect_eq "diff exit code (different)" 1 "$rc"
expect_eq "the package change and its counts" \
	"sbom (spdx): 1 package changed (0 added, 0 removed, 1 version changed; $nl -> $nr packages)
package musl $(jq -r '.predicate.packages[] | select(.name == "musl") | .versionInfo' "$(statement arm64 "$A")") -> $(jq -r '.predicate.packages[] | select(.name == "musl") | .versionInfo' "$diff_b") (apk)" \
	"$(grep -E '^ +(sbom \(spdx\): |package )' "$O" | sed 's/^ *//')"

# Equal digests: the blob is never read (strace -y names the file of each read).
strace -f -y -e trace=read,pread64,preadv,mmap -o "$BL_TMP/trace" "$BAKELENS" diff --quiet "$A" "$B" || true
expect_eq "no read of the identical SBOM statement" 0 \
	"$(grep -c "$(basename "$same_a")" "$BL_TMP/trace" || true)"
expect_eq "the differing statements are read, once each" "1 1" \
	"$(grep -c "$(basename "$diff_a")" "$BL_TMP/trace") $(grep -c "$(basename "$diff_b")" "$BL_TMP/trace")"

# Equal digests, blob gone from both: the diff succeeds and says nothing of packages there.
rm "$same_a" "$same_b"
run_bl "$O" "$E" diff "$A" "$B"
expect_eq "blob gone: diff exit code" 1 "$rc"
expect_eq "blob gone: one package line (arm64's)" 1 "$(grep -c '^ *package ' "$O")"
expect_eq "blob gone: no comparison failed" 0 "$(grep -c 'cannot compare' "$O" || true)"
expect_eq "blob gone: the amd64 attestation is identical" 1 \
	"$(grep -c '= .*attestation for linux/amd64' "$O")"

# inspect --json: the packages are those jq finds (escapes decoded), and the
# statement's document is its bytes.
python3 "$MK" "$BL_TMP/c" spdx "amd64=musl@1.2.4,$name@1" --filler 3
run_bl "$O" "$E" inspect --json "$BL_TMP/c"
expect_eq "inspect --json exit code" 0 "$rc"
expect_eq "inspect --json package names are jq's" \
	"$(jq -c '[.predicate.packages[].name]' "$(statement amd64 "$BL_TMP/c")")" \
	"$(jq -c '[.. | objects | select(.sbom?) | .sbom.packages[].name]' "$O")"
expect_eq "the document of the statement is its bytes" \
	"$(jq -cS . "$(statement amd64 "$BL_TMP/c")")" \
	"$(jq -cS '.. | objects | select(.sbom?) | .document' "$O")"

# The index in one source, everything under it in another: each document is
# found where it is, the SBOM statement too.
mkdir -p "$BL_TMP/s1/blobs/sha256" "$BL_TMP/s2"
cp -r "$BL_TMP/c/." "$BL_TMP/s2/"
cp "$BL_TMP/c/index.json" "$BL_TMP/c/oci-layout" "$BL_TMP/s1/"
ix=$(jq -r '.manifests[0].digest' "$BL_TMP/c/index.json" | cut -d: -f2)
mv "$BL_TMP/s2/blobs/sha256/$ix" "$BL_TMP/s1/blobs/sha256/"
run_bl "$O" "$E" inspect --json "$BL_TMP/s1" "$BL_TMP/s2"
expect_eq "split sources: every node of the first target ok" "ok" \
	"$(jq -r '[.targets[0] | .. | objects | select(.status?) | .status] | unique | join(",")' "$O")"
expect_eq "split sources: the packages jq counts" \
	"$(jq '.predicate.packages | length' "$(statement amd64 "$BL_TMP/c")")" \
	"$(jq '[.. | objects | select(.sbom?) | .sbom.packageCount][0]' "$O")"

# A changed byte in a differing statement (same size): a digest error, no packages.
python3 "$MK" "$A" spdx "amd64=musl@1.2.4" "arm64=musl@1.2.4,zlib@1.3" --filler 30
python3 "$MK" "$B" spdx "amd64=musl@1.2.4" "arm64=musl@1.2.5,zlib@1.3" --filler 30
sed -i 's/filler-7"/filler-8"/' "$diff_b"
expect_eq "the changed file no longer hashes to its name" 1 \
	"$([ "$(sha256sum "$diff_b" | cut -d' ' -f1)" != "$(basename "$diff_b")" ] && echo 1)"
run_bl "$O" "$E" diff "$A" "$B"
expect_eq "changed byte: diff exit code (different)" 1 "$rc"
expect_eq "changed byte: no package line" 0 "$(grep -c '^ *package ' "$O" || true)"
expect_eq "changed byte: the right statement fails its digest" 1 \
	"$(grep -c "cannot compare: right statement: .*$(basename "$diff_b" | cut -c1-12)" "$O")"
run_bl "$O" "$E" inspect --json "$B"
expect_eq "changed byte: inspect --json says the SBOM's error" 1 \
	"$(jq '[.. | objects | select(.sbom?.error?)] | length' "$O")"

echo "$checks checks, $failures failures"
[ "$failures" -eq 0 ]
