#!/usr/bin/env bash
# The GitHub Action (action.yml, action/run.sh) run as a runner runs it: inputs in
# INPUT_* (as action.yml maps them), GITHUB_OUTPUT, GITHUB_STEP_SUMMARY, RUNNER_TEMP
# and GITHUB_ACTION_PATH set, the example build as input, the built binary (no
# install step). The outputs are checked against bakelens run by hand and against
# jq over the OCI layout's blobs; action.yml and the example workflow against
# GitHub's schemas (action-validator).
. "$BL_TESTLIB"
need_tool jq python3
EX=$BL_SRC/examples
RUN=$BL_SRC/action/run.sh
cd "$BL_TMP"

# step NAME: run the action's `run` step with the INPUT_* set in the caller's
# environment, in a fresh runner context; $rc, and the outputs parsed into
# outputs/NAME (each file holds the value, as the runner reads `name<<DELIM`).
step() {
	rm -rf runner outputs
	mkdir -p runner/temp outputs
	: >runner/output
	: >runner/summary
	rc=0
	GITHUB_OUTPUT=$PWD/runner/output GITHUB_STEP_SUMMARY=$PWD/runner/summary \
		RUNNER_TEMP=$PWD/runner/temp GITHUB_ACTION_PATH=$BL_SRC \
		bash "$RUN" run >"$1.log" 2>"$1.err" || rc=$?
	python3 - runner/output outputs <<-'EOF'
		import sys, os
		lines = open(sys.argv[1]).read().split("\n")
		i = 0
		while i < len(lines):
		    line = lines[i]
		    i += 1
		    if not line:
		        continue
		    name, delim = line.split("<<", 1)
		    value = []
		    while lines[i] != delim:
		        value.append(lines[i])
		        i += 1
		    i += 1
		    open(os.path.join(sys.argv[2], name), "w").write("\n".join(value))
	EOF
}
export BAKELENS
export INPUT_METADATA INPUT_SOURCES INPUT_PREVIOUS= INPUT_PLATFORM= INPUT_SUMMARY=true
INPUT_METADATA=$(cat "$EX/metadata.json")
# Two sources, one a line, with the blank lines and spaces a YAML block leaves.
INPUT_SOURCES=$(printf '\n  %s  \n\n' "$EX/out")

# --- keys: what digest --json prints for the same sources
step plain
expect_eq "exit code ($(head -c 300 plain.err))" 0 "$rc"
meta=$PWD/runner/temp/bakelens/metadata.json
expect_eq "metadata file holds the input" "$(jq -S . "$EX/metadata.json")" "$(jq -S . "$meta")"
"$BAKELENS" digest --json "$meta" "$EX/out" >keys.want
expect_eq "keys output = digest --json" "$(cat keys.want)" "$(cat outputs/keys)"
expect_eq "keys-file output" "$(cat keys.want)" "$(cat "$(cat outputs/keys-file)")"
[ ! -e outputs/moved ] && pass || fail "moved without previous: $(cat outputs/moved)"

# --- metadata: layer.digest per target, from the layout by jq: the root named by
# containerimage.digest, through the index to the platform's manifest, its last layer.
blob() { cat "$EX/out/blobs/sha256/${1#sha256:}"; }
last_layer() { # TARGET PLATFORM
	local root m
	root=$(jq -r --arg t "$1" '.[$t]["containerimage.digest"]' "$EX/metadata.json")
	m=$root
	if [ "$(blob "$root" | jq -r .mediaType)" = application/vnd.oci.image.index.v1+json ]; then
		m=$(blob "$root" | jq -r --arg p "$2" \
			'[.manifests[] | select((.platform.os + "/" + .platform.architecture) == $p)][0].digest')
	fi
	blob "$m" | jq -r '.layers[-1].digest'
}
app_amd64=$(last_layer app linux/amd64)
base_amd64=$(last_layer base linux/amd64)
expect_eq "app layer.digest (linux/amd64)" "$app_amd64" "$(jq -r '.app["layer.digest"]' outputs/metadata)"
expect_eq "base layer.digest" "$base_amd64" "$(jq -r '.base["layer.digest"]' outputs/metadata)"
expect_eq "metadata otherwise unchanged" "$(jq -S . "$EX/metadata.json")" \
	"$(jq -S 'del(.[]? | objects | ."layer.digest")' outputs/metadata)"
expect_eq "what is not a target is left as it was" "$(jq -c '."buildx.build.warnings"' "$EX/metadata.json")" \
	"$(jq -c '."buildx.build.warnings"' outputs/metadata)"

# --- the summary: the Markdown report of the same sources
"$BAKELENS" inspect --format markdown "$meta" "$EX/out" >report.md
expect_eq "summary = inspect --format markdown" "$(cat report.md)" "$(cat runner/summary)"
grep -q '^| app | ok ' runner/summary && pass || fail "summary has no app row: $(head -5 runner/summary)"

INPUT_SUMMARY=false step nosummary
expect_eq "summary=false: exit code" 0 "$rc"
expect_eq "summary=false: summary empty" "" "$(cat runner/summary)"

# --- which platform gives layer.digest. The example's two platforms share their
# last layer, so a wrapper gives the action keys where they differ.
cp keys.want keys.real
# arm64 first, so that "linux/amd64 when there" is not "the first".
jq '.targets.app.platforms["linux/arm64"].layer.digest = "sha256:" + ("a" * 64)
	| .targets.app.platforms |= (to_entries | reverse | from_entries)' keys.real >keys.fake
cat >fake-bakelens <<EOF
#!/usr/bin/env bash
if [ "\$1 \$2" = "digest --json" ]; then cat "$PWD/\${FAKE_KEYS:-keys.fake}"; else exec "$BAKELENS" "\$@"; fi
EOF
chmod +x fake-bakelens
BAKELENS=$PWD/fake-bakelens step fake
expect_eq "default platform linux/amd64" "$app_amd64" "$(jq -r '.app["layer.digest"]' outputs/metadata)"
BAKELENS=$PWD/fake-bakelens INPUT_PLATFORM=linux/arm64 step fake
expect_eq "platform=linux/arm64" "sha256:$(printf 'a%.0s' {1..64})" "$(jq -r '.app["layer.digest"]' outputs/metadata)"
expect_eq "platform=linux/arm64: base has none" "null" "$(jq -r '.base["layer.digest"]' outputs/metadata)"
# No linux/amd64: the first platform.
jq '.targets.app.platforms |= del(."linux/amd64")' keys.fake >keys.noamd
FAKE_KEYS=keys.noamd BAKELENS=$PWD/fake-bakelens step fake
expect_eq "no linux/amd64: the first platform" "sha256:$(printf 'a%.0s' {1..64})" \
	"$(jq -r '.app["layer.digest"]' outputs/metadata)"

# --- previous: moved false against itself, true against a key edited with jq
cp keys.want prev-same.json
INPUT_PREVIOUS=$PWD/prev-same.json step same
expect_eq "previous=same: exit code ($(head -c 300 same.err))" 0 "$rc"
expect_eq "previous=same: moved" false "$(cat outputs/moved)"
expect_eq "previous=same: changes" "" "$(cat outputs/changes)"
grep -q 'no cache key moved' runner/summary && pass || fail "summary lacks the compare: $(tail -3 runner/summary)"

old_layer=sha256:$(printf '0%.0s' {1..64})
jq --arg d "$old_layer" '.targets.base.platforms["linux/amd64"].layer.digest = $d' keys.want >prev-moved.json
INPUT_PREVIOUS=$PWD/prev-moved.json step moved
expect_eq "previous=moved: exit code ($(head -c 300 moved.err))" 0 "$rc"
expect_eq "previous=moved: moved" true "$(cat outputs/moved)"
expect_eq "previous=moved: changes" "base linux/amd64 layer: $old_layer -> $base_amd64" "$(cat outputs/changes)"
grep -qxF "base linux/amd64 layer: $old_layer -> $base_amd64" runner/summary && pass ||
	fail "summary lacks the changed line: $(tail -5 runner/summary)"

# A previous file that is no keys document: the step fails.
echo '{}' >prev-bad.json
INPUT_PREVIOUS=$PWD/prev-bad.json step badprev
expect_eq "previous not a keys file: exit code" 2 "$rc"
grep -q '::error::' badprev.err && pass || fail "no ::error:: for a bad previous: $(cat badprev.err)"

# --- bad input: metadata that is not JSON
INPUT_METADATA='not json' step badmeta
expect_eq "metadata not JSON: exit code" 2 "$rc"
grep -q '::error::.*metadata' badmeta.err && pass || fail "no ::error:: for bad metadata: $(cat badmeta.err)"

# --- sources only (no metadata): targets named by the layout's tags
INPUT_METADATA='' step sourcesonly
expect_eq "sources only: exit code" 0 "$rc"
expect_eq "sources only: base layer.digest" "$base_amd64" "$(jq -r '.base["layer.digest"]' outputs/metadata)"

# --- action.yml and the example workflow against GitHub's schemas
# (.ci/setup --tests installs the validator from npm; the test itself stays
# off the network.)
validator=$(command -v action-validator || true)
if [ -z "$validator" ]; then
	echo "SKIP (part): action-validator is not installed (bash .ci/setup --tests installs it)"
else
	for f in "$BL_SRC/action.yml" "$BL_SRC/examples/github/bake-cache.yml"; do
		vrc=0
		"$validator" "$f" >v.out 2>&1 || vrc=$?
		expect_eq "action-validator ${f#"$BL_SRC"/} ($(head -c 600 v.out))" 0 "$vrc"
	done
	# The validator does check: a step without shell is refused.
	mkdir -p broken
	sed '/shell: bash/d' "$BL_SRC/action.yml" >broken/action.yml
	vrc=0
	"$validator" broken/action.yml >v.out 2>&1 || vrc=$?
	[ "$vrc" != 0 ] && pass || fail "action-validator accepted a step without shell"
	# Every input the run step reads is declared, and every declared input is passed.
	for i in $(grep -o 'INPUT_[A-Z][A-Z_]*' "$RUN" | sort -u); do
		name=$(echo "${i#INPUT_}" | tr 'A-Z_' 'a-z-')
		grep -q "^  $name:" "$BL_SRC/action.yml" && pass || fail "run.sh reads $i; action.yml has no input $name"
	done
fi

echo "action: $checks checks, $failures failures"
[ "$failures" = 0 ]
