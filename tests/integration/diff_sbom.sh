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

# The platform's summary line says how many packages changed, as counted
# here with jq from the two SBOM statements (SPDX names and versions); the
# other platform's line says nothing of packages, and diff --json has the
# same counts beside the summary.
blob() { echo "$1/blobs/sha256/${2#sha256:}"; }
stmt_of() { # LAYOUT ARCH: the SBOM statement attesting ARCH's image
	local ix m att
	ix=$(blob "$1" "$(jq -r '.manifests[0].digest' "$1/index.json")")
	m=$(jq -r --arg a "$2" '.manifests[] | select(.platform.architecture == $a) | .digest' "$ix")
	att=$(jq -r --arg m "$m" '.manifests[] | select(.annotations["vnd.docker.reference.digest"] == $m) | .digest' "$ix")
	blob "$1" "$(jq -r '.layers[0].digest' "$(blob "$1" "$att")")"
}
A=$BL_TMP/count-a
B=$BL_TMP/count-b
python3 "$MK" "$A" spdx amd64=musl@1.2.4,zlib@1.3,busybox@1.36,curl@8.4 arm64=musl@1.2.4,zlib@1.3
python3 "$MK" "$B" spdx amd64=musl@1.2.5,busybox@1.36,curl@8.5,openssl@3.1 arm64=musl@1.2.4,zlib@1.3
counts=$(jq -rn --slurpfile l "$(stmt_of "$A" amd64)" --slurpfile r "$(stmt_of "$B" amd64)" '
	def pk(s): s[0].predicate.packages | map({(.name): .versionInfo}) | add;
	pk($l) as $L | pk($r) as $R |
	([$R | keys[] | select($L[.] == null)] | length) as $added |
	([$L | keys[] | select($R[.] == null)] | length) as $removed |
	([$L | keys[] | select($R[.] != null and $R[.] != $L[.])] | length) as $changed |
	"\($added + $removed + $changed) \($added) \($removed) \($changed)"')
read -r total added removed changed <<<"$counts"
expect_eq "jq counts the changes the layouts were made with" "4 1 1 2" "$total $added $removed $changed"
run_bl "$O" "$E" diff "$A" "$B"
expect_eq "package count: diff exit code" 1 "$rc"
expect_eq "the amd64 summary line names the package changes" \
	"; $total packages changed ($added added, $removed removed, $changed versions changed) [identical]" \
	"$(grep -E '^  latest linux/amd64: ' "$O" | grep -o '; [0-9]* packages changed.*')"
expect_eq "the arm64 summary line says nothing of packages" 0 \
	"$(grep -E '^  latest linux/arm64: ' "$O" | grep -c 'package' || true)"
run_bl "$O" "$E" diff --json "$A" "$B"
expect_eq "JSON: packageChanges beside each platform's summary" \
	"linux/amd64 $total $added $removed $changed|linux/arm64 0 0 0 0" \
	"$(jq -r '[.platforms[] | "\(.platform) \(.packageChanges | "\(.changed) \(.added) \(.removed) \(.versionChanged)")"] | join("|")' "$O")"
expect_eq "JSON: the summary names them too" 1 \
	"$(jq -r '.platforms[] | select(.platform == "linux/amd64") | .summary' "$O" | grep -c "; $total packages changed ($added added")"
expect_eq "JSON: the counts match the SBOM node's" "$added $removed $changed" \
	"$(jq -r '[.. | objects | select(.packages) | .packages][0] | "\(.added) \(.removed) \(.changed)"' "$O")"
# The compare view (bakelens --diff, in tmux when installed) shows the
# same summary line under "Per platform".
if command -v tmux >/dev/null 2>&1; then
	T="tmux -L bl-sbom-$$"
	$T -f /dev/null new-session -d -s bl -x 220 -y 40 \
		"env XDG_CONFIG_HOME=/nonexistent TERM=xterm-256color LC_ALL=C.UTF-8 '$BAKELENS' --diff '$A' '$B'; sleep 30"
	shown=0
	for _ in $(seq 50); do
		if $T capture-pane -p -t bl | grep -q "latest linux/amd64: .*; $total packages changed ($added added, $removed removed, $changed versions changed)"; then
			shown=1
			break
		fi
		sleep 0.1
	done
	expect_eq "the compare view's amd64 line names the package changes" 1 "$shown"
	$T kill-server 2>/dev/null || true
fi

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
