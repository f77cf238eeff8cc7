#!/usr/bin/env bash
# Exit codes below the root: a registry that fails (500 after retries, 401,
# 403, a closed connection) on a config blob or on a child manifest makes
# tree, inspect, digest and ls exit as the same fault on the root manifest
# does (7 network, 8 auth), not 4 (invalid). Faults come from
# tests/integration/fault_proxy.py in front of docker-registry.
. "$BL_TESTLIB"
. "$(dirname "$0")/registry-lib.sh"

start_registry exitcodes plain
R0=127.0.0.1:$REG_PORT
L=$BL_TMP/layout
make_layout "$L"
push "oci:$L:amd64" "$R0/single:latest"
push "oci:$L:multi" "$R0/multi:latest" --all
CFG=$(skopeo_config_digest "$R0/single:latest")
CHILD=$(skopeo --policy "$POLICY" inspect --tls-verify=false --raw "docker://$R0/multi:latest" |
	jq -r '.manifests[] | select(.platform.architecture == "amd64") | .digest')
[ -n "$CHILD" ] || { echo "no amd64 manifest in the pushed index" >&2; exit 1; }

PP=$(free_port)
RULES=$BL_TMP/rules.json
PLOG=$BL_TMP/proxy.log
echo '[]' >"$RULES"
: >"$PLOG"
python3 "$(dirname "$0")/fault_proxy.py" "$PP" "$REG_PORT" "$RULES" "$PLOG" 127.0.0.2 "$(free_port)" &
BL_PIDS="$BL_PIDS $!"
wait_port "$PP"
R=127.0.0.1:$PP
O=$BL_TMP/out
E=$BL_TMP/err

# cmd_rc CMD REF [ARGS...]: run one command through the proxy, rc in $rc.
cmd_rc() {
	local cmd=$1 ref=$2
	shift 2
	run_bl "$O" "$E" "$cmd" --no-cache "$@" "$R/$ref"
}
# rules MATCH ACTION: every matching request gets ACTION.
rules() {
	printf '[{"match":"%s","action":"%s","times":999}]' "$1" "$2" >"$RULES"
}

# Without faults every command succeeds (ls lists the amd64 image's file).
rules '^NOTHING$' 500
for c in tree inspect digest; do
	cmd_rc "$c" single:latest
	expect_eq "no fault: $c exit" 0 "$rc"
done
cmd_rc ls single:latest
expect_eq "no fault: ls exit" 0 "$rc"
expect_eq "no fault: ls lists the file" yes "$(grep -q 'etc/bakelens-test' "$O" && echo yes || echo no)"

for fault in 500 401 403 close; do
	case $fault in
	401 | 403) want=8 ;;
	*) want=7 ;;
	esac
	# The root manifest (by tag) refused: the load fails, as it always did.
	rules '^(GET|HEAD) /v2/single/manifests/latest' "$fault"
	for c in tree inspect digest ls; do
		cmd_rc "$c" single:latest
		expect_eq "$fault on the root: $c exit" "$want" "$rc"
	done
	# The config blob only: the root was read, the config was not.
	rules "^(GET|HEAD) /v2/single/blobs/$CFG" "$fault"
	for c in tree inspect digest ls; do
		cmd_rc "$c" single:latest
		expect_eq "$fault on the config: $c exit" "$want" "$rc"
	done
	expect_eq "$fault on the config: ls names the input" yes \
		"$(grep -q "^bakelens: $R/single:latest: " "$E" && echo yes || echo no)"
	expect_eq "$fault on the config: the config was asked for" yes \
		"$(grep -q "/v2/single/blobs/$CFG" "$PLOG" && echo yes || echo no)"
	# One child manifest of an index: the index was read, that manifest not.
	rules "^(GET|HEAD) /v2/multi/manifests/$CHILD" "$fault"
	for c in tree inspect digest; do
		cmd_rc "$c" multi:latest
		expect_eq "$fault on a child manifest: $c exit" "$want" "$rc"
	done
	cmd_rc ls multi:latest --platform linux/amd64
	expect_eq "$fault on a child manifest: ls of that platform exit" "$want" "$rc"
	cmd_rc ls multi:latest --platform linux/arm64
	expect_eq "$fault on a child manifest: ls of the other platform exit" "$want" "$rc"
done
finish
