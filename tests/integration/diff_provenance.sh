#!/usr/bin/env bash
# diff names the cause from provenance: pairs of OCI layouts whose
# attestation manifests carry BuildKit-shaped SLSA statements that differ in
# exactly one input each. Each pair's diff names that input, and nothing
# else, in text and JSON; inspect --json carries the decoded provenance and
# the Dockerfile line of each layer.
. "$(dirname "$0")/lib.sh"
need_tool python3 jq sha256sum
MAKE="$(dirname "$0")/make_prov_layout.py"
out=$BL_TMP/out err=$BL_TMP/err
cd "$BL_TMP"

base_a=$(printf 'alpine one' | sha256sum | cut -c1-64)
base_b=$(printf 'alpine two' | sha256sum | cut -c1-64)
commit_a=$(printf 'commit one' | sha1sum | cut -c1-40)
commit_b=$(printf 'commit two' | sha1sum | cut -c1-40)
run_a='RUN echo "version ${VERSION}" > /version'
run_b='RUN echo "release ${VERSION}" > /version'
mk() { python3 "$MAKE" "$@" >/dev/null; }
common() { echo --base-digest "$base_a" --commit "$commit_a" --version 1.2; }

# shellcheck disable=SC2046
mk left $(common) --run-line "$run_a"
# shellcheck disable=SC2046
{
	mk base --base-digest "$base_b" --commit "$commit_a" --version 1.2 --run-line "$run_a"
	mk arg $(common) --run-line "$run_a" --version 1.3
	mk ctx --base-digest "$base_a" --commit "$commit_b" --version 1.2 --run-line "$run_a"
	mk line $(common) --run-line "$run_b"
	mk left02 $(common) --run-line "$run_a" --slsa v0.2
	mk arg02 $(common) --run-line "$run_a" --version 1.3 --slsa v0.2
	mk leftmin $(common) --run-line "$run_a" --mode min
	mk basemin --base-digest "$base_b" --commit "$commit_a" --version 1.2 --run-line "$run_a" --mode min
}

# check NAME LEFT RIGHT KIND INPUT CAUSE: exactly one input change, this one.
check() {
	local name=$1 l=$2 r=$3 kind=$4 input=$5 cause=$6
	run_bl "$out" "$err" diff "$l" "$r"
	expect_eq "$name: exit code ($(head -c 300 "$err"))" 1 "$rc"
	expect_eq "$name: one input line" 1 "$(grep -c '^    input: ' "$out")"
	expect_eq "$name: the input" "    input: $input" "$(grep '^    input: ' "$out")"
	if [ -n "$cause" ]; then
		expect_eq "$name: the cause" "    cause: $cause" "$(grep '^    cause: ' "$out")"
	else
		expect_eq "$name: no cause chain" 0 "$(grep -c '^    cause: ' "$out")"
	fi
	run_bl "$out" "$err" diff --json "$l" "$r"
	expect_eq "$name: json exit code" 1 "$rc"
	expect_eq "$name: json schemaVersion" 2 "$(jq '.schemaVersion' "$out")"
	expect_eq "$name: json one input" 1 "$(jq '.platforms[0].inputChanges | length' "$out")"
	expect_eq "$name: json kind" "$kind" "$(jq -r '.platforms[0].inputChanges[0].kind' "$out")"
	expect_eq "$name: json summary" "$input" "$(jq -r '.platforms[0].inputChanges[0].summary' "$out")"
	expect_eq "$name: json cause" "${cause:-null}" "$(jq -r '.platforms[0].cause' "$out")"
	expect_eq "$name: json provenance" both "$(jq -r '.platforms[0].provenance' "$out")"
}

check "base image" left base base-image \
	"base image docker.io/library/alpine:latest moved sha256:${base_a:0:12} -> sha256:${base_b:0:12}" \
	"cache breaks at layer 1 of 3, made by Dockerfile:1 \`FROM alpine\`: its base image docker.io/library/alpine:latest moved sha256:${base_a:0:12} -> sha256:${base_b:0:12}"
check "build arg" left arg build-arg "build-arg:VERSION 1.2 -> 1.3" \
	"cache breaks at layer 2 of 3, made by Dockerfile:4 \`$run_a\`: build argument VERSION that it uses changed (1.2 -> 1.3)"
check "context commit" left ctx context \
	"context https://github.com/example/app.git commit ${commit_a:0:12} -> ${commit_b:0:12}" \
	"cache breaks at layer 3 of 3, made by Dockerfile:5 \`COPY app.txt /app/\`: the files it copies changed: context https://github.com/example/app.git commit ${commit_a:0:12} -> ${commit_b:0:12}"
check "dockerfile line" left line dockerfile-line "Dockerfile line 4: \`$run_a\` -> \`$run_b\`" \
	"cache breaks at layer 2 of 3, made by Dockerfile:4 \`$run_b\`: its instruction changed: \`$run_a\` -> \`$run_b\`"
check "build arg, SLSA v0.2" left02 arg02 build-arg "build-arg:VERSION 1.2 -> 1.3" \
	"cache breaks at layer 2 of 3, made by Dockerfile:4 \`$run_a\`: build argument VERSION that it uses changed (1.2 -> 1.3)"
# mode=min: no steps, no cause chain; the history line and the input change.
check "base image, mode=min" leftmin basemin base-image \
	"base image docker.io/library/alpine:latest moved sha256:${base_a:0:12} -> sha256:${base_b:0:12}" ""
run_bl "$out" "$err" diff leftmin basemin
expect_eq "mode=min: history line as before" 1 "$(grep -c 'cache breaks at layer 1 of 3: ADD file:abc in /' "$out")"

# Inputs that make no layer differ: the root filesystems are the same, the
# input changes are still listed (no cause chain: no layer diverges).
mk secret $(common) --run-line "$run_a" --secret NPM_TOKEN
mk builder $(common) --run-line "$run_a" --builder-platform linux/arm64
mk path $(common) --run-line "$run_a" --dockerfile-path build/Dockerfile
run_bl "$out" "$err" diff --json left secret
expect_eq "secret: inputs" "secret GIT_AUTH_TOKEN no longer used|secret NPM_TOKEN now used" \
	"$(jq -r '[.platforms[0].inputChanges[].summary] | join("|")' "$out")"
expect_eq "secret: no cause" null "$(jq -r '.platforms[0].cause' "$out")"
run_bl "$out" "$err" diff --json left builder
expect_eq "builder platform" "builder platform linux/amd64 -> linux/arm64" \
	"$(jq -r '[.platforms[0].inputChanges[].summary] | join("|")' "$out")"
run_bl "$out" "$err" diff --json left path
expect_eq "dockerfile path" "Dockerfile path Dockerfile -> build/Dockerfile" \
	"$(jq -r '[.platforms[0].inputChanges[].summary] | join("|")' "$out")"

# A local context: provenance has no digest of it, only buildx's git hint.
# A new commit is named as that hint; files that changed with no new commit
# are said to be what provenance cannot tell, not guessed.
mk local $(common) --run-line "$run_a" --local
mk localcommit --base-digest "$base_a" --commit "$commit_b" --version 1.2 --run-line "$run_a" --local
mk localfiles $(common) --run-line "$run_a" --local --app-text "edited by hand"
check "local context commit" local localcommit context \
	"context https://github.com/example/app.git commit ${commit_a:0:12} -> ${commit_b:0:12} (buildx's git hint, not verified)" \
	"cache breaks at layer 3 of 3, made by Dockerfile:5 \`COPY app.txt /app/\`: the files it copies changed: context https://github.com/example/app.git commit ${commit_a:0:12} -> ${commit_b:0:12} (buildx's git hint, not verified)"
run_bl "$out" "$err" diff --json local localfiles
expect_eq "local files: no input change" 0 "$(jq '.platforms[0].inputChanges | length' "$out")"
expect_eq "local files: cannot tell" \
	"cache breaks at layer 3 of 3, made by Dockerfile:5 \`COPY app.txt /app/\`: the files it copies may have changed (provenance records no digest of a local context)" \
	"$(jq -r '.platforms[0].cause' "$out")"

# A RUN whose output changed with every input the same (not reproducible):
# provenance cannot tell why, and says so.
mk flaky $(common) --run-line "$run_a" --run-output "random 4"
run_bl "$out" "$err" diff --json left flaky
expect_eq "flaky: no input change" 0 "$(jq '.platforms[0].inputChanges | length' "$out")"
expect_eq "flaky: says it cannot tell" \
	"cache breaks at layer 2 of 3, made by Dockerfile:4 \`$run_a\`: provenance does not say why its input changed" \
	"$(jq -r '.platforms[0].cause' "$out")"

# The statement node names the cause in its one-line summary (the tree's "why").
run_bl "$out" "$err" diff --json left arg
expect_eq "statement node cause" "build-arg:VERSION 1.2 -> 1.3" \
	"$(jq -r '[.. | objects | select(.kind? == "statement") | .cause][0]' "$out")"

# The reports carry the cause chain and the input.
run_bl "$out" "$err" diff --format html left arg
expect_eq "html: input" 1 "$(grep -c 'input: build-arg:VERSION 1.2 -&gt; 1.3' "$out")"
expect_eq "html: cause" 1 "$(grep -c 'cause: cache breaks at layer 2 of 3, made by Dockerfile:4' "$out")"
run_bl "$out" "$err" diff --format markdown left base
expect_eq "markdown: cause in the headline" 1 \
	"$(head -1 "$out" | grep -cF 'its base image docker\.io/library/alpine\:latest moved')"

# A metadata file's provenance (buildx --metadata-file holds the bare
# predicate): the info node says why it differs.
stmt() {
	for f in "$1"/blobs/sha256/*; do
		if jq -e .predicateType "$f" >/dev/null 2>&1; then jq -c . "$f"; fi
	done
}
stmt leftmin | jq '{"buildx.build.provenance": .predicate, "buildx.build.ref": "b/b/x"}' >m1.json
stmt basemin | jq '{"buildx.build.provenance": .predicate, "buildx.build.ref": "b/b/x"}' >m2.json
run_bl "$out" "$err" diff --offline m1.json m2.json
expect_eq "metadata provenance: exit" 1 "$rc"
expect_eq "metadata provenance: why" \
	"        why: base image docker.io/library/alpine:latest moved sha256:${base_a:0:12} -> sha256:${base_b:0:12}" \
	"$(grep 'why: ' "$out")"

# Identical builds: no input change, no cause.
run_bl "$out" "$err" diff --json left left
expect_eq "identical: exit" 0 "$rc"
expect_eq "identical: no inputs" 0 "$(jq '.platforms[0].inputChanges | length' "$out")"

# inspect --json: the decoded provenance and each layer's Dockerfile line.
run_bl "$out" "$err" inspect --json left
expect_eq "inspect exit" 0 "$rc"
expect_eq "inspect madeBy layer 2" "Dockerfile:4 \`$run_a\`" \
	"$(jq -r '[.. | objects | select(.layer?.index == 1) | .layer.madeBy][0]' "$out")"
expect_eq "inspect provenance arg" 1.2 \
	"$(jq -r '[.. | objects | select(.provenance?) | .provenance.args["build-arg:VERSION"]][0]' "$out")"
expect_eq "inspect provenance base" "sha256:$base_a" \
	"$(jq -r '[.. | objects | select(.provenance?) | .provenance.dependencies[0].digest][0]' "$out")"

# Hostile argument values reach the terminal escaped.
mk evil $(common) --run-line "$run_a" --version $'1.3\e]52;c;eA==\a\e[2J'
run_bl "$out" "$err" diff left evil
expect_eq "hostile: exit" 1 "$rc"
expect_clean "hostile diff text" "$out"
expect_eq "hostile: escaped" '    input: build-arg:VERSION 1.2 -> 1.3\e]52;c;eA==\x07\e[2J' \
	"$(grep '^    input: ' "$out")"

finish
