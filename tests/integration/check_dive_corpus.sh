#!/usr/bin/env bash
# `bakelens check` on dive's own test images (corpus/dive, copied from dive's
# repository .data/): the figures dive's test suite asserts for
# test-docker-image.tar (dive/image/docker/image_archive_analysis_test.go)
# and the verdicts of its CI rule tests (cmd/dive/cli/internal/command/ci/
# evaluator_test.go), with dive's .data/.dive-ci file. The numbers below are
# dive's, computed by dive.
. "$BL_TESTLIB"
need_corpus
need_tool jq
out=$BL_TMP/out err=$BL_TMP/err
D=$BL_CORPUS/dive
[ -f "$D/test-docker-image.tar" ] || { echo "SKIP: no dive images in the corpus"; exit 77; }
cd "$BL_TMP"

run_bl "$out" "$err" check "$D/test-docker-image.tar" --json
img() { jq -c ".images[0] | $1" "$out"; }
expect_eq "dive's efficiency" 0.9844212134184309 "$(img .efficiency)"
expect_eq "dive's size" 1220598 "$(img .size_bytes)"
expect_eq "dive's user size" 66237 "$(img .user_size_bytes)"
expect_eq "dive's wasted bytes" 32025 "$(img .wasted_bytes)"
expect_eq "dive's user wasted percent" 0.4834911001404049 "$(img .user_wasted_percent)"
expect_eq "wasted bytes are the inefficiencies summed" 32025 "$(img '[.inefficiencies[].cumulative_bytes] | add')"

# evaluator_test.go: efficiency, wasted bytes, wasted percent -> each rule's status
verdict() {
	run_bl "$out" "$err" check "$D/test-docker-image.tar" --json --lowest-efficiency "$1" \
		--highest-wasted-bytes "$2" --highest-user-wasted-percent "$3"
	expect_eq "rules $1 $2 $3: statuses" "$4" "$(jq -r '[.images[0].rules[].status] | join(",")' "$out")"
	expect_eq "rules $1 $2 $3: exit" "$5" "$rc"
}
verdict 0.99 1B 0.01 fail,fail,fail 1
verdict 0.9 50kB 0.5 pass,pass,pass 0
verdict disabled disabled disabled disabled,disabled,disabled 0
verdict 0.9 1B 0.5 pass,fail,pass 1

# dive's .data/.dive-ci, as it is in dive's repository.
cat >dive-ci <<'YAML'
---
plugins:
  - plugin1

rules:
  # If the efficiency is measured below X%, mark as failed. (expressed as a percentage between 0-1)
  lowestEfficiency: 0.95

  # If the amount of wasted space is at least X or larger than X, mark as failed. (expressed in B, KB, MB, and GB)
  highestWastedBytes: 20Mb

  # If the amount of wasted space makes up for X% of the image, mark as failed. (fail if the threshold is met or crossed; expressed as a percentage between 0-1)
  highestUserWastedPercent: 0.5

  plugin1/rule1: error
YAML
run_bl "$out" "$err" check "$D/test-docker-image.tar" --rules dive-ci
expect_eq "dive's .dive-ci passes ($(cat "$err"))" 0 "$rc"
run_bl "$out" "$err" check "$D/test-docker-image.tar" --rules dive-ci --highest-user-wasted-percent 0.4
expect_eq "an option over dive's .dive-ci fails" 1 "$rc"
if grep -q "^  FAIL: highestUserWastedPercent: .*0.4835 > threshold=0.4" "$out"; then pass; else fail "rule line: $(cat "$out")"; fi

# The OCI images of one layer: nothing wasted, no user bytes (dive's 0/0).
for f in "$D"/test-oci-*-image.tar; do
	run_bl "$out" "$err" check "$f" --json
	expect_eq "$(basename "$f"): passes" 0 "$rc"
	expect_eq "$(basename "$f"): efficiency 1, percent null" '[1,null]' "$(img '[.efficiency, .user_wasted_percent]')"
done
finish
