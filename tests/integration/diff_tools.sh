#!/usr/bin/env bash
# `bakelens diff` and `bakelens ls` on pairs of images made here by real tools:
# umoci (reproducible with --created/--history.created and touch -d), skopeo
# (recompression), jq (indexes and attestations around umoci images). Expected
# answers are computed independently with jq and sha256sum. Needs no corpus.
. "$BL_TESTLIB"
need_tool umoci skopeo jq sha256sum
out=$BL_TMP/out err=$BL_TMP/err
cd "$BL_TMP"
T0=2024-01-01T00:00:00Z T1=2024-02-02T00:00:00Z

mkdir -p files && echo one >files/a && echo two >files/b && echo three >files/c
touch -d @1700000000 files files/a files/b files/c

# mkimg LAYOUT TAG CREATED ARCH FILE...: one layer per file, everything timestamped.
mkimg() {
	local L=$1 tag=$2 c=$3 arch=$4
	shift 4
	[ -d "$L" ] || umoci init --layout "$L"
	umoci new --image "$L:$tag"
	umoci config --image "$L:$tag" --os linux --architecture "$arch" --created "$c" \
		--history.created "$c" --config.cmd /bin/true
	for f in "$@"; do
		umoci insert --image "$L:$tag" --history.created "$c" --history.created_by "COPY $f" \
			"$f" "/$(basename "$f")"
	done
}
# expect_diff WHAT EXIT CLASS ARGS...: run diff --json, check exit code and top class.
expect_diff() {
	local what=$1 want_rc=$2 want_class=$3
	shift 3
	run_bl "$out" "$err" diff --json "$@"
	expect_eq "$what: exit ($(head -c 300 "$err"))" "$want_rc" "$rc"
	expect_eq "$what: class" "$want_class" "$(jq -r .class "$out" 2>/dev/null)"
}
has_class() { # WHAT CLASS: the class appears in .classes
	if jq -e --arg c "$2" '.classes | index($c)' "$out" >/dev/null; then pass; else
		fail "$1: $2 not in $(jq -c .classes "$out")"; fi
}
diff_ids() { skopeo inspect --config --raw "oci:$1" | jq -r '.rootfs.diff_ids[]'; }
# first_divergent A B: first 0-based layer whose ChainID differs (sha256sum chain), or null.
first_divergent() {
	local -a a b
	mapfile -t a < <(diff_ids "$1")
	mapfile -t b < <(diff_ids "$2")
	local n=${#a[@]} i
	[ ${#b[@]} -lt "$n" ] && n=${#b[@]}
	for ((i = 0; i < n; i++)); do
		if [ "$(chain_id "${a[@]:0:i+1}")" != "$(chain_id "${b[@]:0:i+1}")" ]; then echo $i; return; fi
	done
	if [ ${#a[@]} -eq ${#b[@]} ]; then echo null; else echo "$n"; fi
}

mkimg A v1 $T0 amd64 files/a files/b files/c
mkimg B v1 $T0 amd64 files/a files/b files/c

# --- identical: the same content built twice with fixed timestamps
expect_diff "rebuilt with fixed timestamps" 0 identical A B
expect_eq "identical: rootfs" true "$(jq '.platforms[0].rootfsIdentical' "$out")"
expect_eq "identical: ChainID = sha256sum chain" "$(chain_id $(diff_ids A:v1))" "$(jq -r '.platforms[0].rightChainID' "$out")"
run_bl "$out" "$err" diff A B
expect_eq "text: identical result" "result: identical" "$(sed -n 3p "$out")"
run_bl "$out" "$err" diff --quiet A B
expect_eq "--quiet identical: exit" 0 "$rc"
expect_eq "--quiet prints nothing" "" "$(cat "$out")"

# --- config only: built again later (created and history[].created differ)
mkimg C v1 $T1 amd64 files/a files/b files/c
expect_diff "rebuilt later: config only" 1 config A C
expect_eq "config only: fields" \
	'["created","history[0].created","history[1].created","history[2].created","history[3].created"]' \
	"$(jq -c '.. | objects | select(.kind == "config") | .fields' "$out")"
expect_eq "config only: rootfs identical" true "$(jq '.platforms[0].rootfsIdentical' "$out")"
expect_eq "config only: no divergent layer" "$(first_divergent A:v1 C:v1)" "$(jq '.platforms[0].firstDivergentLayer' "$out")"
run_bl "$out" "$err" diff --quiet A C
expect_eq "--quiet different: exit" 1 "$rc"
expect_eq "--quiet different prints nothing" "" "$(cat "$out")"
expect_diff "rebuilt later, --ignore-timestamps" 0 identical --ignore-timestamps A C

# --- layer recompressed: skopeo to zstd keeps diff_ids, changes digests
skopeo copy -q --dest-compress-format zstd oci:A:v1 oci:Z:v1
expect_eq "zstd copy: same diff_ids (skopeo)" "$(diff_ids A:v1)" "$(diff_ids Z:v1)"
expect_diff "recompressed" 1 layer-recompressed A Z
expect_eq "recompressed: 3 layers" 3 \
	"$(jq '[.. | objects | select(.kind == "layer" and .own == "layer-recompressed")] | length' "$out")"
expect_eq "recompressed: rootfs identical" true "$(jq '.platforms[0].rootfsIdentical' "$out")"

# --- layer content changed in the middle: the cache breaks there
echo TWO >files/b2 && touch -d @1700000000 files/b2
mkimg D v1 $T0 amd64 files/a files/b2 files/c
expect_diff "content changed" 1 layer-content A D
want=$(first_divergent A:v1 D:v1)
expect_eq "content: first divergent layer = sha256sum chain" "$want" "$(jq '.platforms[0].firstDivergentLayer' "$out")"
expect_eq "content: first divergent is layer 1" 1 "$want"
expect_eq "content: its history line" "COPY files/b2" "$(jq -r '.platforms[0].divergentCreatedBy' "$out")"
expect_eq "content: rootfs differs" false "$(jq '.platforms[0].rootfsIdentical' "$out")"
run_bl "$out" "$err" diff A D
if grep -q "cache breaks at layer 2 of 3: COPY files/b2" "$out"; then pass; else fail "content: no cache-break sentence: $(cat "$out")"; fi
# Files: bakelens says which file, and how.
run_bl "$out" "$err" diff --json --files A D
expect_eq "--files: changed paths" '[{"path":"b","change":"removed"},{"path":"b2","change":"added"}]' \
	"$(jq -c '[.. | objects | select(.files?) | .files.changes[] | {path, change}]' "$out")"

# Same bytes, new mtime: content differs by timestamps only.
cp files/b files/bt && cp -r files/bt files/bt.orig && touch -d @1800000000 files/bt
touch -d @1700000000 files/bt.orig
mkdir -p m1 m2 && cp -p files/a files/c m1/ && cp -p files/a files/c m2/
cp -p files/bt.orig m1/b && cp -p files/bt m2/b
(cd m1 && mkimg ../E v1 $T0 amd64 a b c)
(cd m2 && mkimg ../F v1 $T0 amd64 a b c)
expect_diff "mtime only" 1 layer-content E F
# E and F name the same files: the configs differ in rootfs.diff_ids alone (skopeo, jq),
# so the config's digest moved only because its layers did. It follows them: not
# identical, not a cause of its own (the layer is, counted once).
cfg_raw() { skopeo inspect --config --raw "oci:$1"; }
if [ "$(cfg_raw E:v1 | sha256sum)" != "$(cfg_raw F:v1 | sha256sum)" ]; then pass
else fail "mtime only: the configs should differ"; fi
expect_eq "mtime only: configs equal but for rootfs (jq)" "$(cfg_raw E:v1 | jq -S 'del(.rootfs)')" \
	"$(cfg_raw F:v1 | jq -S 'del(.rootfs)')"
expect_eq "mtime only: only the layer class" '["layer-content"]' "$(jq -c .classes "$out")"
expect_eq "mtime only: config follows its layers" \
	'{"class":"layer-content","own":"identical","classes":["layer-content"],"summary":"changed only because its layers did (rootfs.diff_ids)","fields":[]}' \
	"$(jq -c '.. | objects | select(.kind == "config") | {class, own, classes, summary, fields}' "$out")"
run_bl "$out" "$err" diff E F
expect_eq "mtime only, text: the config's line" \
	"~ config: changed only because its layers did (rootfs.diff_ids)" \
	"$(grep -E '^ *[=~] config:' "$out" | sed 's/^ *//')"
expect_eq "mtime only, text: result" "result: different: 1 layer changed content" "$(sed -n 3p "$out")"
run_bl "$out" "$err" diff --json --files E F
expect_eq "mtime only: metadata change" '[{"path":"b","change":"metadata","what":["mtime"]}]' \
	"$(jq -c '[.. | objects | select(.files?) | .files.changes[] | {path, change, what}]' "$out")"
expect_diff "mtime only, --ignore-timestamps --files" 0 identical --ignore-timestamps --files E F
expect_eq "mtime only, timestamps ignored: the config follows its layers back to identical" \
	'identical identical' "$(jq -r '.. | objects | select(.kind == "config") | "\(.class) \(.own)"' "$out")"

# --- layer added (and, the other way round, removed)
cp -r A G
umoci insert --image G:v1 --history.created $T0 --history.created_by "COPY extra" files/b2 /extra
expect_diff "layer added" 1 layer-added A G
has_class "layer added" config
expect_eq "added: first divergent = sha256sum chain" "$(first_divergent A:v1 G:v1)" "$(jq '.platforms[0].firstDivergentLayer' "$out")"
expect_eq "added: one layer added" '[3]' \
	"$(jq -c '[.. | objects | select(.own == "layer-added") | .right.index]' "$out")"
expect_diff "layer removed" 1 layer-removed G A
expect_eq "removed: one layer" 1 "$(jq '[.. | objects | select(.own == "layer-removed")] | length' "$out")"

# --- annotations only: umoci sets a manifest annotation, config untouched
cp -r A H
umoci config --image H:v1 --no-history --manifest.annotation org.opencontainers.image.created=$T1
expect_eq "annotation: config unchanged (skopeo)" "$(skopeo inspect --config --raw oci:A:v1 | sha256sum)" \
	"$(skopeo inspect --config --raw oci:H:v1 | sha256sum)"
expect_diff "annotations only" 1 annotations A H
expect_eq "annotations: the key" '["annotations[\"org.opencontainers.image.created\"]"]' \
	"$(jq -c '[.. | objects | select(.kind == "manifest") | .fields[]]' "$out")"
# The created annotation is a timestamp: --ignore-timestamps does not count it, and says so.
expect_eq "annotation: manifests differ (sha256sum)" different \
	"$([ "$(skopeo inspect --raw oci:A:v1 | sha256sum)" != "$(skopeo inspect --raw oci:H:v1 | sha256sum)" ] && echo different)"
expect_diff "annotations only, --ignore-timestamps" 0 identical --ignore-timestamps A H
expect_eq "annotation ignored: no field, a note" '{"fields":[],"notes":["1 timestamp annotation differs (ignored)"]}' \
	"$(jq -c '.. | objects | select(.kind == "manifest") | {fields, notes}' "$out")"
run_bl "$out" "$err" diff --ignore-timestamps A H
expect_eq "annotation ignored, text: result" "result: identical apart from timestamps (ignored; the digests differ)" \
	"$(sed -n 3p "$out")"
# Another annotation beside it still counts.
cp -r A H2
umoci config --image H2:v1 --no-history --manifest.annotation org.opencontainers.image.created=$T1 \
	--manifest.annotation org.opencontainers.image.revision=abc
expect_diff "created and revision, --ignore-timestamps" 1 annotations --ignore-timestamps A H2
expect_eq "created and revision: only revision counts" '["annotations[\"org.opencontainers.image.revision\"]"]' \
	"$(jq -c '[.. | objects | select(.kind == "manifest") | .fields[]]' "$out")"

# --- missing on one side: a tag only in the left layout
cp -r A I
mkimg I v2 $T0 amd64 files/c
expect_diff "target only on the left" 1 only-left I A
expect_eq "only-left: the target" v2 "$(jq -r '.. | objects | select(.own == "only-left") | .label' "$out")"
expect_diff "target only on the right" 1 only-right A I

# --- an index with a platform added (written with jq around umoci images)
put_blob() { # LAYOUT JSON -> prints "digest size"
	local d
	d=$(printf '%s' "$2" | sha256sum | cut -d' ' -f1)
	printf '%s' "$2" >"$1/blobs/sha256/$d"
	echo "sha256:$d $(printf '%s' "$2" | wc -c)"
}
man_desc() { # LAYOUT TAG ARCH
	jq -c --arg t "$2" --arg a "$3" '.manifests[] | select(.annotations["org.opencontainers.image.ref.name"] == $t)
		| {mediaType, digest, size, platform: {os: "linux", architecture: $a}}' "$1/index.json"
}
# attestation LAYOUT SUBJECT_DESC STARTED: a BuildKit-shaped provenance attestation manifest.
attestation() {
	local L=$1 subj=$2 started=$3 st cfg man
	read -r st_d st_s < <(put_blob "$L" "$(jq -cn --arg s "$started" --arg d "$(jq -r .digest <<<"$subj")" \
		'{_type: "https://in-toto.io/Statement/v0.1", predicateType: "https://slsa.dev/provenance/v0.2",
		  subject: [{name: "x", digest: {sha256: ($d | ltrimstr("sha256:"))}}],
		  predicate: {builder: {id: ""}, metadata: {buildStartedOn: $s}}}')")
	read -r cfg_d cfg_s < <(put_blob "$L" '{}')
	read -r man_d man_s < <(put_blob "$L" "$(jq -cn --arg sd "$st_d" --argjson ss "$st_s" --arg cd "$cfg_d" --argjson cs "$cfg_s" \
		'{schemaVersion: 2, mediaType: "application/vnd.oci.image.manifest.v1+json",
		  config: {mediaType: "application/vnd.oci.image.config.v1+json", digest: $cd, size: $cs},
		  layers: [{mediaType: "application/vnd.in-toto+json", digest: $sd, size: $ss,
		            annotations: {"in-toto.io/predicate-type": "https://slsa.dev/provenance/v0.2"}}]}')")
	jq -cn --arg d "$man_d" --argjson s "$man_s" --arg ref "$(jq -r .digest <<<"$subj")" \
		'{mediaType: "application/vnd.oci.image.manifest.v1+json", digest: $d, size: $s,
		  platform: {os: "unknown", architecture: "unknown"},
		  annotations: {"vnd.docker.reference.type": "attestation-manifest", "vnd.docker.reference.digest": $ref}}'
}
# mkindex LAYOUT STARTED TAG:ARCH...: index "multi" of those images, one attestation for the first.
mkindex() {
	local L=$1 started=$2
	shift 2
	local entries=() first=""
	for ta in "$@"; do
		local d
		d=$(man_desc "$L" "${ta%%:*}" "${ta##*:}")
		entries+=("$d")
		[ -n "$first" ] || first=$d
	done
	entries+=("$(attestation "$L" "$first" "$started")")
	read -r id is < <(put_blob "$L" "$(printf '%s\n' "${entries[@]}" | jq -cs \
		'{schemaVersion: 2, mediaType: "application/vnd.oci.image.index.v1+json", manifests: .}')")
	jq -c --arg d "$id" --argjson s "$is" '.manifests = [{mediaType: "application/vnd.oci.image.index.v1+json",
		digest: $d, size: $s, annotations: {"org.opencontainers.image.ref.name": "multi"}}]' \
		"$L/index.json" >"$L/index.new" && mv "$L/index.new" "$L/index.json"
}
mkimg P1 amd $T0 amd64 files/a files/b
mkimg P2 amd $T0 amd64 files/a files/b
mkimg P2 arm $T0 arm64 files/a files/c
mkindex P1 "$T0" amd:amd64
mkindex P2 "$T0" amd:amd64 arm:arm64
expect_diff "index: platform added" 1 platform-added P1 P2
expect_eq "platform added: which" linux/arm64 \
	"$(jq -r '.platforms[] | select(.class == "platform-added") | .platform' "$out")"
expect_eq "platform added: amd64 identical" identical \
	"$(jq -r '.platforms[] | select(.platform == "linux/amd64") | .class' "$out")"
expect_diff "index: platform removed" 1 platform-removed P2 P1

# --- index only: the same images, provenance started at another time
mkimg Q1 amd $T0 amd64 files/a files/b
mkimg Q2 amd $T0 amd64 files/a files/b
mkindex Q1 "$T0" amd:amd64
mkindex Q2 "$T1" amd:amd64
expect_diff "index only: provenance differs" 1 index-only Q1 Q2
expect_eq "index only: the field" '["predicate.metadata.buildStartedOn"]' \
	"$(jq -c '[.. | objects | select(.kind == "statement") | .fields[]]' "$out")"
expect_eq "index only: images identical" identical "$(jq -r '.platforms[0].class' "$out")"

# --- sides with several sources: metadata file + its layout
meta() { jq -n --arg d "$(jq -r '.manifests[0].digest' "$1/index.json")" '{"containerimage.digest": $d}' >"$2"; }
meta A ma.json
meta C mc.json
expect_diff "metadata+layout sides" 1 config ma.json+A mc.json+C
expect_eq "metadata+layout: sources split on +" '["ma.json","A"]' "$(jq -c .left "$out")"
expect_diff "metadata+layout identical to itself" 0 identical ma.json+A ma.json+B

# --- errors
run_bl "$out" "$err" diff A
expect_eq "one side only: usage" 2 "$rc"
run_bl "$out" "$err" diff A no-such-dir
if [ "$rc" -ge 2 ]; then pass; else fail "missing right side: exit $rc"; fi
if grep -q "right side" "$err"; then pass; else fail "missing side not named: $(cat "$err")"; fi

# --- ls: one layer, and the merged view with a whiteout
run_bl "$out" "$err" ls A --layer 2
expect_eq "ls --layer 2 (the second from the bottom)" b "$(awk '{print $NF}' "$out")"
cp -r A W
umoci insert --image W:v1 --history.created $T0 --whiteout /a
run_bl "$out" "$err" ls W --merged --json
expect_eq "ls --merged applies the whiteout" '["b","c"]' "$(jq -c '[.[].path]' "$out")"
run_bl "$out" "$err" ls W --layer -1 --json
expect_eq "ls last layer holds the whiteout" '[".wh.a"]' "$(jq -c '[.[].path]' "$out")"
run_bl "$out" "$err" ls W --layer 9
expect_eq "ls --layer out of range" 6 "$rc"
finish
