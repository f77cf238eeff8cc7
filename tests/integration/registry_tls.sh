#!/usr/bin/env bash
# The registry store against docker-registry over TLS with a certificate the
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

run_probe "$O" "$E" --no-cache "$R/multi:latest"
expect_eq "untrusted certificate: exit" 1 "$rc"
expect_eq "untrusted certificate: message" yes \
	"$(grep -q "registry $R: repository multi: manifest latest: TLS certificate not trusted (.*); use --cacert FILE or --insecure $R" "$E" && echo yes || echo no)"
expect_eq "no plain-HTTP request after a bad certificate" "" \
	"$(grep -E '"GET /v2/' "$REG_LOG" | grep -v skopeo | grep -i bakelens || true)"

run_probe "$O" "$E" --no-cache --cacert "$REG_DIR/cert.pem" "$R/multi:latest"
expect_eq "cacert: exit" 0 "$rc"
expect_eq "cacert: index digest" "$want" "$(awk '$1=="root"{print $4}' "$O")"
expect_eq "cacert: configs" 2 "$(grep -c '^config ' "$O")"

run_probe "$O" "$E" --no-cache --insecure "$R" "$R/multi:latest"
expect_eq "insecure: exit" 0 "$rc"
expect_eq "insecure: index digest" "$want" "$(awk '$1=="root"{print $4}' "$O")"
expect_eq "requests went over TLS (bakelens user agent in the access log)" yes \
	"$(grep -q '"bakelens/' "$REG_LOG" && echo yes || echo no)"
finish
