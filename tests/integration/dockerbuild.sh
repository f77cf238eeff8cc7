#!/usr/bin/env bash
# Build history records (`docker buildx history export`, .dockerbuild files):
#   a record manifest is shown as "build record: NAME (ref REF): STATUS, steps";
#   `inspect --json` gives each record node a `record` object whose fields equal
#   what jq reads from the record's config blob (times, steps, build args, the
#   exporter response, the error), durations as GNU date computes them;
#   a failed build shows its error; hostile names and build args are escaped.
# The test makes its own .dockerbuild (an OCI layout tar, gzip-compressed, made
# with jq, sha256sum, tar and gzip); the corpus files are checked when present.
. "$BL_TESTLIB"
need_tool jq sha256sum tar gzip date
out=$BL_TMP/out err=$BL_TMP/err
cd "$BL_TMP"

# put FILE: move FILE into lay/blobs/sha256 under its digest; print the digest.
mkdir -p lay/blobs/sha256
put() {
	local hex
	hex=$(sha256sum "$1" | cut -d' ' -f1)
	mv "$1" "lay/blobs/sha256/$hex"
	echo "sha256:$hex"
}
size_of() { stat -c %s "lay/blobs/sha256/${1#sha256:}"; }

# Record 1: completed, a hostile name and build arg, a provenance predicate.
esc=$'\e'
printf 'fake-status-protobuf\x00\x01\x02' >logs1
logs1=$(put logs1)
jq -n '{builder:{id:"https://example.test/builder"},buildType:"https://mobyproject.org/buildkit@v1",
	materials:[{uri:"pkg:docker/busybox@latest"},{uri:"pkg:docker/alpine@3"}]}' >prov1
prov1=$(put prov1)
jq -n --arg esc "$esc" --arg logs "$logs1" --argjson lsize "$(size_of "$logs1")" '{
	Ref: "rec1ref0000000000000000001",
	Name: ("evil" + $esc + "]0;pwned\u0007name"),
	Frontend: "dockerfile.v0",
	FrontendAttrs: {"build-arg:GREETING": ("hi" + $esc + "[31mred"), "build-arg:PLAIN": "yes",
		target: "release", platform: "linux/amd64,linux/arm64", filename: "Dockerfile",
		context: "https://github.com/example/app.git"},
	Exporters: [{Type: "image", Attrs: {name: "example/app:1"}}],
	CreatedAt: "2024-05-15T08:46:10.204105616Z",
	CompletedAt: "2024-05-15T08:47:12.008102149Z",
	logs: {media_type: "application/vnd.buildkit.status.v0", digest: $logs, size: $lsize},
	ExporterResponse: {"image.name": "example/app:1,example/app:latest",
		"containerimage.digest": "sha256:1111111111111111111111111111111111111111111111111111111111111111"},
	numCachedSteps: 2, numTotalSteps: 7, numCompletedSteps: 7, numWarnings: 1
}' >rec1
rec1=$(put rec1)
jq -n --arg c "$rec1" --argjson cs "$(size_of "$rec1")" --arg l "$logs1" \
	--argjson ls "$(size_of "$logs1")" --arg p "$prov1" --argjson ps "$(size_of "$prov1")" '{
	schemaVersion: 2, mediaType: "application/vnd.oci.image.manifest.v1+json",
	config: {mediaType: "application/vnd.buildkit.historyrecord.v0", digest: $c, size: $cs},
	layers: [{mediaType: "application/vnd.buildkit.status.v0", digest: $l, size: $ls},
		{mediaType: "application/vnd.in-toto+json", digest: $p, size: $ps,
			annotations: {"in-toto.io/predicate-type": "https://slsa.dev/provenance/v0.2"}}]}' >man1
man1=$(put man1)

# Record 2: failed, times as {seconds, nanos}, no name (named from vcs:source).
printf 'more-status' >logs2
logs2=$(put logs2)
jq -n --arg logs "$logs2" '{
	Ref: "rec2ref0000000000000000002",
	FrontendAttrs: {"vcs:source": "https://github.com/example/broken.git", filename: "Dockerfile"},
	CreatedAt: {seconds: 1715762770, nanos: 500000000},
	CompletedAt: {seconds: 1715762772, nanos: 750000000},
	error: {code: 2, message: "dockerfile parse error on line 2: unknown instruction: ARGGG"},
	numTotalSteps: 2, numCompletedSteps: 1
}' >rec2
rec2=$(put rec2)
jq -n --arg c "$rec2" --argjson cs "$(size_of "$rec2")" --arg l "$logs2" \
	--argjson ls "$(size_of "$logs2")" '{
	schemaVersion: 2, mediaType: "application/vnd.oci.image.manifest.v1+json",
	config: {mediaType: "application/vnd.buildkit.historyrecord.v0", digest: $c, size: $cs},
	layers: [{mediaType: "application/vnd.buildkit.status.v0", digest: $l, size: $ls}]}' >man2
man2=$(put man2)

jq -n --arg a "$man1" --argjson asz "$(size_of "$man1")" --arg b "$man2" \
	--argjson bsz "$(size_of "$man2")" '{schemaVersion: 2,
	mediaType: "application/vnd.oci.image.index.v1+json",
	manifests: [
		{mediaType: "application/vnd.oci.image.manifest.v1+json", digest: $a, size: $asz,
			annotations: {"vnd.buildkit.history.reference": "rec1ref0000000000000000001"}},
		{mediaType: "application/vnd.oci.image.manifest.v1+json", digest: $b, size: $bsz,
			annotations: {"vnd.buildkit.history.reference": "rec2ref0000000000000000002"}}]}' >idx
idx=$(put idx)
jq -n --arg d "$idx" --argjson s "$(size_of "$idx")" '{schemaVersion: 2,
	mediaType: "application/vnd.oci.image.index.v1+json",
	manifests: [{mediaType: "application/vnd.oci.image.index.v1+json", digest: $d, size: $s}]}' \
	>lay/index.json
echo '{"imageLayoutVersion":"1.0.0"}' >lay/oci-layout
tar -C lay -cf - oci-layout index.json blobs | gzip -n >made.dockerbuild

cfg() { cat "lay/blobs/sha256/${1#sha256:}"; }

run_bl "$out" "$err" tree made.dockerbuild
expect_eq "tree exit ($(head -c 300 "$err"))" 0 "$rc"
expect_clean "tree, hostile name" "$out"
grep -qF 'build record: evil\e]0;pwned\x07name (ref rec1ref0000000000000000001): completed, steps 7/7 (2 cached)' "$out" ||
	fail "tree: record 1 line: $(cat -v "$out")"
pass
grep -q 'build record: broken (ref rec2ref0000000000000000002): error: dockerfile parse error on line 2: unknown instruction: ARGGG, steps 1/2' "$out" ||
	fail "tree: record 2 line: $(cat -v "$out")"
pass
expect_eq "tree: logs labelled" 2 "$(grep -c 'build logs' "$out")"

run_bl "$out" "$err" inspect --json made.dockerbuild
expect_eq "inspect exit ($(head -c 300 "$err"))" 0 "$rc"
expect_clean "inspect --json" "$out"
recs() { jq -c '[.. | objects | select(has("record")) | .record]' "$out"; }
expect_eq "two records" 2 "$(recs | jq length)"
r1() { recs | jq -r ".[0]$1"; }
r2() { recs | jq -r ".[1]$1"; }
expect_eq "ref 1" "$(cfg "$rec1" | jq -r .Ref)" "$(r1 .ref)"
expect_eq "name 1 (JSON escapes it, the bytes are the record's)" "$(cfg "$rec1" | jq -c .Name)" \
	"$(recs | jq -c '.[0].name')"
expect_eq "frontend" "$(cfg "$rec1" | jq -r .Frontend)" "$(r1 .frontend)"
expect_eq "build args" "$(cfg "$rec1" | jq -Sc '.FrontendAttrs | to_entries
	| map(select(.key | startswith("build-arg:")) | .key |= ltrimstr("build-arg:")) | from_entries')" \
	"$(recs | jq -Sc '.[0].buildArgs')"
expect_eq "target" release "$(r1 .target)"
expect_eq "platforms" "$(cfg "$rec1" | jq -c '.FrontendAttrs.platform | split(",")')" \
	"$(recs | jq -c '.[0].platforms')"
expect_eq "context" "$(cfg "$rec1" | jq -r .FrontendAttrs.context)" "$(r1 .context)"
expect_eq "status 1" completed "$(r1 .status)"
expect_eq "error 1" null "$(r1 .error)"
expect_eq "createdAt" "$(cfg "$rec1" | jq -r .CreatedAt)" "$(r1 .createdAt)"
expect_eq "completedAt" "$(cfg "$rec1" | jq -r .CompletedAt)" "$(r1 .completedAt)"
want=$(($(date -d "$(cfg "$rec1" | jq -r .CompletedAt)" +%s%3N) - $(date -d "$(cfg "$rec1" | jq -r .CreatedAt)" +%s%3N)))
expect_eq "durationMs 1" "$want" "$(r1 .durationMs)"
expect_eq "steps 1" "$(cfg "$rec1" | jq -c '{cached: .numCachedSteps, completed: .numCompletedSteps, total: .numTotalSteps}')" \
	"$(recs | jq -c '.[0].steps | {cached, completed, total}')"
expect_eq "image names" "$(cfg "$rec1" | jq -c '.ExporterResponse["image.name"] | split(",")')" \
	"$(recs | jq -c '.[0].exporterResponse.imageNames')"
expect_eq "containerimage.digest" "$(cfg "$rec1" | jq -r '.ExporterResponse["containerimage.digest"]')" \
	"$(r1 .exporterResponse.containerImageDigest)"
expect_eq "provenance builder" "$(cfg "$prov1" | jq -r .builder.id)" "$(r1 '.provenance[0].builderId')"
expect_eq "provenance materials" "$(cfg "$prov1" | jq '.materials | length')" "$(r1 '.provenance[0].materials')"
expect_eq "provenance type" https://slsa.dev/provenance/v0.2 "$(r1 '.provenance[0].predicateType')"
expect_eq "logs size" "$(size_of "$logs1")" "$(r1 .logs.size)"
expect_eq "logs in file" true "$(r1 .logs.inFile)"
expect_eq "trace absent" false "$(r1 .trace.present)"
expect_eq "ref 2" "$(cfg "$rec2" | jq -r .Ref)" "$(r2 .ref)"
expect_eq "name 2 (from vcs:source)" broken "$(r2 .name)"
expect_eq "status 2" error "$(r2 .status)"
expect_eq "error message 2" "$(cfg "$rec2" | jq -r .error.message)" "$(r2 .error.message)"
expect_eq "error code 2" "$(cfg "$rec2" | jq -r .error.code)" "$(r2 .error.code)"
expect_eq "createdAt 2 (from seconds)" "$(date -u -d @1715762770.5 +%Y-%m-%dT%H:%M:%S.%3NZ)" "$(r2 .createdAt)"
expect_eq "durationMs 2" 2250 "$(r2 .durationMs)"

run_bl "$out" "$err" inspect made.dockerbuild
expect_eq "inspect text exit" 0 "$rc"
expect_clean "inspect text" "$out"
grep -q '^ *error: dockerfile parse error on line 2: unknown instruction: ARGGG$' "$out" ||
	fail "inspect: error fact missing"
pass
grep -q '^ *build_arg:GREETING: hi.*\[31mred$' "$out" || fail "inspect: build arg fact"
pass
grep -q '^ *duration: 61.804 s$' "$out" || fail "inspect: duration fact: $(grep duration "$out")"
pass

# The corpus: real exports, one record and a bundle of four.
if [ -d "${BL_CORPUS:-}/actions-toolkit/dockerbuild" ]; then
	for f in "$BL_CORPUS"/actions-toolkit/dockerbuild/*.dockerbuild; do
		rm -rf x && mkdir x && tar -xzf "$f" -C x
		run_bl "$out" "$err" inspect --json "$f"
		expect_eq "$f: exit" 0 "$rc"
		got=$(jq -c '[.. | objects | select(has("record")) | .record
			| {ref, status, steps: [.steps.completed, .steps.total, .steps.cached], err: .error.message}] | sort_by(.ref)' "$out")
		want=$(for c in x/blobs/sha256/*; do
			jq -c 'select(type == "object" and has("Ref")) | {ref: .Ref,
				status: (if .error then "error" else "completed" end),
				steps: [.numCompletedSteps // 0, .numTotalSteps // 0, .numCachedSteps // 0],
				err: .error.message}' "$c" 2>/dev/null || true
		done | jq -sc 'sort_by(.ref)')
		expect_eq "$f: records" "$want" "$got"
		run_bl "$out" "$err" tree "$f"
		expect_eq "$f: one tree line a record" "$(echo "$want" | jq length)" \
			"$(grep -c 'build record: test-docker-action (ref ' "$out")"
	done
else
	echo "no corpus: the corpus exports are not checked"
fi
finish
