# Shared helpers for the integration tests (sourced). Exit 77 = skipped.
set -euo pipefail
: "${BAKELENS:?run through meson test}"
BL_TMP=$(mktemp -d)
# Hermetic: no registry cache or user config from the machine running the tests.
export XDG_CACHE_HOME=$BL_TMP/cache XDG_CONFIG_HOME=$BL_TMP/config
bl_cleanup() { rm -rf "$BL_TMP"; }
trap bl_cleanup EXIT
failures=0
checks=0

need_corpus() {
	if [ ! -d "${BL_CORPUS:-}" ]; then
		echo "SKIP: no corpus at ${BL_CORPUS:-<unset>} (a user's clone has none)"
		exit 77
	fi
}
need_tool() {
	for t in "$@"; do
		command -v "$t" >/dev/null 2>&1 || { echo "SKIP: $t not installed"; exit 77; }
	done
}
fail() { echo "FAIL: $*" >&2; failures=$((failures + 1)); }
pass() { checks=$((checks + 1)); }
# expect_eq WHAT EXPECTED ACTUAL
expect_eq() {
	if [ "$2" = "$3" ]; then pass; else fail "$1: expected '$2', got '$3'"; fi
}
# run_bl OUT ERR -- args...: run bakelens, record exit code in $rc (never aborts the script)
run_bl() {
	local out=$1 err=$2
	shift 2
	rc=0
	"$BAKELENS" "$@" >"$out" 2>"$err" || rc=$?
}
# No raw control byte (other than \n and \t) in a file: what reached the "terminal".
expect_clean() {
	if LC_ALL=C grep -q $'[\x01-\x08\x0b-\x1f\x7f]' "$2"; then
		fail "$1: raw control bytes in output: $(LC_ALL=C grep -n $'[\x01-\x08\x0b-\x1f\x7f]' "$2" | head -3 | cat -v)"
	else pass; fi
}
# digest_is WHAT EXPECTED ARGS...: `bakelens digest ARGS` exits 0 and prints EXPECTED
# (needs $out and $err set).
digest_is() {
	local what=$1 want=$2
	shift 2
	run_bl "$out" "$err" digest "$@"
	expect_eq "$what (exit code; $(head -c 300 "$err"))" 0 "$rc"
	expect_eq "$what" "$want" "$(cat "$out")"
}
# expect_same_json WHAT FILTER SRC REF ARGS...: `bakelens ARGS SRC` and
# `bakelens ARGS REF` exit alike and print the same JSON once jq FILTER has
# run on both (it drops what names the source).
expect_same_json() {
	local what=$1 filter=$2 src=$3 ref=$4 grc
	shift 4
	run_bl "$BL_TMP/same.got" "$BL_TMP/same.err" "$@" "$src"
	grc=$rc
	run_bl "$BL_TMP/same.want" "$BL_TMP/same.err2" "$@" "$ref"
	expect_eq "$what: $*: same exit as $ref ($(head -c 300 "$BL_TMP/same.err"))" "$rc" "$grc"
	expect_eq "$what: $*: output = $ref's" "$(jq -S "$filter" "$BL_TMP/same.want")" \
		"$(jq -S "$filter" "$BL_TMP/same.got")"
}
sha256_of() { sha256sum "$1" | cut -d' ' -f1 | sed 's/^/sha256:/'; }
# chain_ids DIFFID...: print the ChainID of the last, computed with sha256sum.
chain_id() {
	local chain=""
	for d in "$@"; do
		if [ -z "$chain" ]; then chain=$d; else
			chain=sha256:$(printf '%s %s' "$chain" "$d" | sha256sum | cut -d' ' -f1)
		fi
	done
	echo "$chain"
}
finish() {
	echo "$checks checks, $failures failures"
	[ "$failures" -eq 0 ]
}
# sbom_statement ARCH LAYOUT: the digest of the SBOM statement of platform
# ARCH in a layout written by make_sbom_layout.py (its attestation's layer).
sbom_statement() {
	local ix att
	ix=$(jq -r '.manifests[0].digest' "$2/index.json" | cut -d: -f2)
	att=$(jq -r --arg a "$1" '(.manifests[] | select(.platform.architecture == $a) | .digest) as $m
		| .manifests[] | select(.annotations["vnd.docker.reference.digest"]? == $m) | .digest' \
		"$2/blobs/sha256/$ix" | cut -d: -f2)
	jq -r '.layers[0].digest' "$2/blobs/sha256/$att"
}
