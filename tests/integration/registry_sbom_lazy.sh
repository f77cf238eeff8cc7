#!/usr/bin/env bash
# SBOM statements in a registry are not fetched while a build loads: diff of
# two images whose amd64 SBOM is the same (one digest) and whose arm64 SBOMs
# differ in one package never asks for the amd64 statement (the registry's
# access log), asks for each arm64 statement once, and names the change.
# Layouts written by make_sbom_layout.py, pushed with skopeo.
. "$BL_TESTLIB"
. "$(dirname "$0")/registry-lib.sh"
need_tool python3 jq
MK=$(dirname "$0")/make_sbom_layout.py

start_registry sbomlazy plain
R=127.0.0.1:$REG_PORT
A=$BL_TMP/a
B=$BL_TMP/b
python3 "$MK" "$A" spdx amd64=musl@1.2.4,zlib@1.3 arm64=musl@1.2.4 --filler 20
python3 "$MK" "$B" spdx amd64=musl@1.2.4,zlib@1.3 arm64=musl@1.2.5 --filler 20
push "oci:$A:latest" "$R/app:a" --all
push "oci:$B:latest" "$R/app:b" --all

same=$(sbom_statement amd64 "$A")
expect_eq "one amd64 statement on both sides" "$same" "$(sbom_statement amd64 "$B")"
left=$(sbom_statement arm64 "$A")
right=$(sbom_statement arm64 "$B")

O=$BL_TMP/out
E=$BL_TMP/err
sleep 0.2
from=$(($(wc -l <"$REG_LOG") + 1))
export XDG_CACHE_HOME=$BL_TMP/cache-diff
run_bl "$O" "$E" diff "$R/app:a" "$R/app:b"
expect_eq "diff exit code (different; $(head -c 300 "$E"))" 1 "$rc"
expect_eq "the package change" "package musl 1.2.4 -> 1.2.5 (apk)" "$(grep -o 'package musl.*' "$O")"
sleep 0.3
gets() { tail -n +"$from" "$REG_LOG" | grep -oE '"GET /v2/app/blobs/[^ ]*' | grep -c "$1" || true; }
expect_eq "the identical SBOM statement is never fetched" 0 "$(gets "$same")"
expect_eq "each differing statement fetched once" "1 1" "$(gets "$left") $(gets "$right")"

finish
