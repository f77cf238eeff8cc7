#!/usr/bin/env bash
# Two builds whose SBOM attestations differ by one package version (SPDX and
# CycloneDX, layouts written by make_sbom_layout.py with hashlib digests):
# diff names that one change, on the platform it belongs to, and nothing
# else, in text and JSON; inspect --json lists every package per SBOM.
. "$BL_TESTLIB"
need_tool python3 jq
MK=$(dirname "$0")/make_sbom_layout.py
O=$BL_TMP/out
E=$BL_TMP/err

for fmt in spdx cyclonedx; do
	A=$BL_TMP/$fmt-a
	B=$BL_TMP/$fmt-b
	python3 "$MK" "$A" "$fmt" amd64=musl@1.2.4,zlib@1.3,busybox@1.36 arm64=musl@1.2.4,zlib@1.3
	python3 "$MK" "$B" "$fmt" amd64=musl@1.2.5,zlib@1.3,busybox@1.36 arm64=musl@1.2.4,zlib@1.3

	run_bl "$O" "$E" diff "$A" "$B"
	expect_eq "$fmt: diff exit code (different)" 1 "$rc"
	expect_eq "$fmt: the one package change" "package musl 1.2.4 -> 1.2.5 (apk)" \
		"$(grep -o 'package musl.*' "$O")"
	expect_eq "$fmt: no other package line" 1 "$(grep -c '^ *package ' "$O")"
	# what changed: the build, its target and index, the amd64 attestation and its SBOM only
	expect_eq "$fmt: changed nodes" "build target index attestation sbom" \
		"$(grep -E '^ *~ ' "$O" | awk '{print $2}' | tr -d : | tr '\n' ' ' | sed 's/ $//')"
	expect_eq "$fmt: on the amd64 attestation" 1 "$(grep -c '~ attestation for linux/amd64' "$O")"
	expect_eq "$fmt: arm64 attestation identical" 1 "$(grep -c '= attestation for linux/arm64: identical' "$O")"

	run_bl "$O" "$E" diff --json "$A" "$B"
	expect_eq "$fmt: diff --json exit code" 1 "$rc"
	expect_eq "$fmt: JSON package changes" \
		'[{"change":"changed","name":"musl","type":"apk","oldVersion":"1.2.4","newVersion":"1.2.5","oldPurl":"pkg:apk/alpine/musl@1.2.4","newPurl":"pkg:apk/alpine/musl@1.2.5"}]' \
		"$(jq -c '[.. | objects | select(.packages) | .packages.changes[]]' "$O")"
	expect_eq "$fmt: JSON counts" "3 3 0 0 1" \
		"$(jq -r '[.. | objects | select(.packages) | .packages] | .[0] | "\(.leftCount) \(.rightCount) \(.added) \(.removed) \(.changed)"' "$O")"
	expect_eq "$fmt: the SBOM node sits under the amd64 attestation" "attestation for linux/amd64" \
		"$(jq -r '.. | objects | select(.children? and ([.children[] | select(.packages)] | length > 0)) | .label' "$O")"

	run_bl "$O" "$E" diff --format markdown "$A" "$B"
	expect_eq "$fmt: markdown report: the change, under the amd64 attestation" \
		"$(printf '%s\n' '    - `~` attestation **attestation for linux/amd64**: index only \(attestations or provenance\)' \
			'        - package musl 1\.2\.4 \-&gt; 1\.2\.5 \(apk\)')" \
		"$(grep -E '^ *- (`~` attestation|package )' "$O")"
	run_bl "$O" "$E" diff --format html "$A" "$B"
	expect_eq "$fmt: html report: the change" 1 "$(grep -o '<li>package [^<]*</li>' "$O" | grep -c '^<li>package musl 1.2.4 -&gt; 1.2.5 (apk)</li>$')"
	expect_eq "$fmt: html report: no other package" 1 "$(grep -o '<li>package [^<]*</li>' "$O" | wc -l)"

	run_bl "$O" "$E" inspect --json "$A"
	expect_eq "$fmt: inspect exit code" 0 "$rc"
	expect_eq "$fmt: inspect packages per SBOM" \
		"$fmt 3 musl@1.2.4,zlib@1.3,busybox@1.36|$fmt 2 musl@1.2.4,zlib@1.3" \
		"$(jq -r '[.. | objects | select(.sbom) | .sbom | "\(.format) \(.packageCount) \([.packages[] | "\(.name)@\(.version)"] | join(","))"] | join("|")' "$O")"
	expect_eq "$fmt: purl and type" "pkg:apk/alpine/musl@1.2.4 apk" \
		"$(jq -r '[.. | objects | select(.sbom) | .sbom.packages[0]][0] | "\(.purl) \(.type)"' "$O")"

	# the same build on both sides: identical, no package line
	run_bl "$O" "$E" diff "$A" "$A"
	expect_eq "$fmt: self diff exit code" 0 "$rc"
	expect_eq "$fmt: self diff has no package line" 0 "$(grep -c '^ *package ' "$O" || true)"
done

# One package added and one removed (CycloneDX), hostile name escaped.
A=$BL_TMP/hostile-a
B=$BL_TMP/hostile-b
python3 "$MK" "$A" cyclonedx amd64=musl@1.2.4,zlib@1.3
python3 "$MK" "$B" cyclonedx "amd64=musl@1.2.4,$(printf 'evil\033]0;pwned\007')@6"
run_bl "$O" "$E" diff "$A" "$B"
expect_eq "added" 1 "$(grep -c 'package added: evil.*6 (apk)' "$O")"
expect_eq "removed" 1 "$(grep -c 'package removed: zlib 1.3 (apk)' "$O")"
expect_clean "hostile package name escaped" "$O"

finish
