#!/usr/bin/env bash
# The real binary against docker-registry over TLS with a certificate the
# test makes: refused without trust (even on 127.0.0.1: no silent fallback
# from a bad certificate), accepted with --cacert, or with --insecure HOST.
. "$BL_TESTLIB"
. "$(dirname "$0")/registry-lib.sh"

start_registry tls tls
R=127.0.0.1:$REG_PORT
L=$BL_TMP/layout
make_layout "$L"
push "oci:$L:multi" "$R/multi:latest" --all
O=$BL_TMP/out
E=$BL_TMP/err
want=$(skopeo_raw_digest "$R/multi:latest")

run_bl "$O" "$E" digest --no-cache "$R/multi:latest"
expect_eq "untrusted certificate: exit (network)" 7 "$rc"
expect_eq "untrusted certificate: message" yes \
	"$(grep -q "registry $R: repository multi: manifest latest: TLS certificate not trusted (.*); use --cacert FILE or --insecure $R" "$E" && echo yes || echo no)"
expect_eq "no plain-HTTP request after a bad certificate" "" \
	"$(grep -E '"GET /v2/' "$REG_LOG" | grep -v skopeo | grep -i bakelens || true)"

run_bl "$O" "$E" inspect --json --no-cache --cacert "$REG_DIR/cert.pem" "$R/multi:latest"
expect_eq "cacert: exit" 0 "$rc"
expect_eq "cacert: index digest" "$want" \
	"$(jq -r '[.. | objects | select(.kind? == "index") | .descriptor.digest] | .[]' "$O")"
expect_eq "cacert: configs" 2 "$(jq '[.. | objects | select(.kind? == "config" and .status == "ok")] | length' "$O")"

run_bl "$O" "$E" digest --no-cache --insecure "$R" "$R/multi:latest"
expect_eq "insecure: exit" 0 "$rc"
expect_eq "insecure: index digest" "$want" "$(cat "$O")"
run_bl "$O" "$E" digest --no-cache --insecure=127.0.0.1:1 --insecure "$R" "docker://$R/multi:latest"
expect_eq "insecure, repeated: exit" 0 "$rc"
run_bl "$O" "$E" digest --no-cache --insecure 127.0.0.1:1 "$R/multi:latest"
expect_eq "insecure for another host only: refused (exit 7)" 7 "$rc"
expect_eq "requests went over TLS (bakelens user agent in the access log)" yes \
	"$(grep -q '"bakelens/' "$REG_LOG" && echo yes || echo no)"
finish
