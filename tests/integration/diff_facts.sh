#!/usr/bin/env bash
# Each platform's facts in `diff --json` (rootfsKnown, rootfsIdentical, the
# layer counts) say what its summary says, on images without layers (umoci)
# and on a metadata file's targets that were never read (the example's two
# metadata files, offline, no export given): scripts test rootfsIdentical,
# as the guide shows, and people read the summary.
. "$BL_TESTLIB"
need_tool umoci jq
out=$BL_TMP/out err=$BL_TMP/err
cd "$BL_TMP"
EX=$BL_SRC/examples
T=2024-01-01T00:00:00Z

# agree WHAT: in $out, every platform whose summary says its root filesystems
# are identical has rootfsIdentical true, and the other way round.
agree() {
	expect_eq "$1: summaries and rootfsIdentical agree" "[]" \
		"$(jq -c '[.platforms[] | select((.summary | startswith("root filesystems identical")) != .rootfsIdentical)
			| {summary, rootfsIdentical}]' "$out")"
}

# --- an image without layers, against a copy of itself
umoci init --layout E1
umoci new --image E1:a
umoci config --image E1:a --os linux --architecture amd64 --created $T --history.created $T
cp -r E1 E2
expect_eq "E1: no layers (jq)" 0 "$(jq '.layers | length' "E1/blobs/sha256/$(jq -r '.manifests[0].digest[7:]' E1/index.json)")"
run_bl "$out" "$err" diff --json E1 E2
expect_eq "no layers: exit ($(cat "$err"))" 0 "$rc"
agree "no layers"
expect_eq "no layers: the facts" '[true,true,0,0]' \
	"$(jq -c '.platforms[0] | [.rootfsKnown, .rootfsIdentical, .leftLayers, .rightLayers]' "$out")"
expect_eq "no layers: the summary" "root filesystems identical (no layers)" "$(jq -r '.platforms[0].summary' "$out")"

# --- a metadata file's targets, not read (offline, no export, nothing cached)
want=$(jq -n --slurpfile a "$EX/metadata.json" --slurpfile b "$EX/metadata-v2.json" \
	'$a[0].base["containerimage.digest"] == $b[0].base["containerimage.digest"]')
expect_eq "metadata: base is the same image in both files (jq)" true "$want"
run_bl "$out" "$err" diff --json --offline "$EX/metadata.json" "$EX/metadata-v2.json"
expect_eq "metadata only: exit ($(head -c 300 "$err"))" 1 "$rc"
agree "metadata only"
expect_eq "metadata only: base's facts (layers unknown, the same manifest)" '[false,true,null,null]' \
	"$(jq -c '.platforms[] | select(.target == "base") | [.rootfsKnown, .rootfsIdentical, .leftLayers, .rightLayers]' "$out")"
run_bl "$out" "$err" diff --offline "$EX/metadata.json" "$EX/metadata-v2.json"
if grep -q "base linux/amd64: root filesystems identical (the same manifest; not read, its layers unknown)" "$out"
then pass; else fail "metadata only: base's summary: $(grep base "$out" | head -2)"; fi
if grep -q "(no layers)" "$out"; then fail "metadata only: says no layers: $(grep -n 'no layers' "$out")"; else pass; fi

# --- the example's two builds: the facts agree there too
run_bl "$out" "$err" diff --json "$EX/metadata.json+$EX/out" "$EX/metadata-v2.json+$EX/out-v2"
expect_eq "example: exit ($(head -c 300 "$err"))" 1 "$rc"
agree "example"
finish
