#!/usr/bin/env bash
# Exit codes and error wording of the commands on local inputs made here with
# umoci, jq and sha256sum: standard input named twice is a usage error before
# anything is read; ls names the input in its errors; a config blob that
# fails its digest check makes ls and digest exit 5 as tree does; a bare
# descriptor fed as a manifest is invalid (4), not a manifest with 0 layers.
. "$BL_TESTLIB"
need_tool umoci jq sha256sum tar python3

L=$BL_TMP/layout
umoci init --layout "$L" >/dev/null
umoci new --image "$L:img" >/dev/null
mkdir -p "$BL_TMP/src/etc"
echo hello >"$BL_TMP/src/etc/hello"
umoci insert --image "$L:img" "$BL_TMP/src/etc/hello" /etc/hello >/dev/null
TAR=$BL_TMP/layout.tar
tar -C "$L" -cf "$TAR" .
O=$BL_TMP/out
E=$BL_TMP/err

# ---- "-" twice ----
run_bl "$O" "$E" tree - <"$TAR"
expect_eq "one -: tree exit" 0 "$rc"
for args in "tree - -" "inspect - -" "digest - -" "ls - -" "diff - -" "diff $L+- -" "- -"; do
	# What bakelens leaves of standard input is read after it: all of it.
	rc=0
	left=$({ "$BAKELENS" $args >"$O" 2>"$E" || echo "rc=$?" >"$BL_TMP/rc"; cat | wc -c; } <"$TAR")
	rc=$(sed -n 's/^rc=//p' "$BL_TMP/rc" 2>/dev/null || true)
	rm -f "$BL_TMP/rc"
	expect_eq "[$args]: exit (usage)" 2 "${rc:-0}"
	expect_eq "[$args]: says standard input is given twice" yes \
		"$(grep -q '^bakelens: -: standard input given more than once' "$E" && echo yes || echo no)"
	expect_eq "[$args]: nothing read before refusing" "$(stat -c %s "$TAR")" "$left"
done

# ---- ls names the input ----
run_bl "$O" "$E" ls --platform linux/s390x "$L"
expect_eq "ls, no such platform: exit" 6 "$rc"
expect_eq "ls, no such platform: names the input" yes \
	"$(grep -q "^bakelens: $L: img: no manifest for platform linux/s390x" "$E" && echo yes || echo no)"
run_bl "$O" "$E" ls --layer 7 "$L"
expect_eq "ls, no such layer: exit" 6 "$rc"
expect_eq "ls, no such layer: names the input" yes \
	"$(grep -q "^bakelens: $L: --layer 7: the image has 1 layer" "$E" && echo yes || echo no)"
run_bl "$O" "$E" ls --target nope "$L"
expect_eq "ls, no such target: names the input" yes \
	"$(grep -q "^bakelens: $L: no target \"nope\"" "$E" && echo yes || echo no)"

# ---- a config blob that fails its digest check ----
B=$BL_TMP/bad
cp -r "$L" "$B"
MAN=$(jq -r '.manifests[0].digest' "$B/index.json")
CFG=$(jq -r '.config.digest' "$B/blobs/sha256/${MAN#sha256:}")
CF=$B/blobs/sha256/${CFG#sha256:}
chmod u+w "$CF"
# Same size, other bytes: only the digest check can tell.
python3 -c 'import sys; p = sys.argv[1]; b = bytearray(open(p, "rb").read()); i = b.index(b"amd64"); b[i:i + 5] = b"AMD64"; open(p, "wb").write(b)' "$CF"
expect_eq "config changed: no longer hashes to its name" yes \
	"$([ "$(sha256_of "$CF")" != "$CFG" ] && echo yes || echo no)"
for c in tree digest ls; do
	run_bl "$O" "$E" "$c" "$B"
	expect_eq "config mismatch: $c exit" 5 "$rc"
	expect_eq "config mismatch: $c says which blob" yes \
		"$(grep -q "^bakelens: $B: img > manifest > config: blob ${CFG:0:19}" "$E" && echo yes || echo no)"
done
run_bl "$O" "$E" digest "$B"
expect_eq "config mismatch: digest still prints the manifest's digest" "$MAN" "$(cat "$O")"
run_bl "$O" "$E" ls "$L"
expect_eq "intact layout: ls exit" 0 "$rc"
expect_eq "intact layout: ls lists the file" yes "$(grep -q 'etc/hello' "$O" && echo yes || echo no)"

# ---- a bare descriptor fed as a manifest ----
REAL=$L/blobs/sha256/${MAN#sha256:}
jq -nc --arg d "$MAN" --argjson s "$(stat -c %s "$REAL")" \
	'{mediaType: "application/vnd.oci.image.manifest.v1+json", digest: $d, size: $s}' >"$BL_TMP/desc.json"
for c in tree inspect digest; do
	run_bl "$O" "$E" "$c" "$BL_TMP/desc.json"
	expect_eq "descriptor as a manifest: $c exit (invalid)" 4 "$rc"
	expect_eq "descriptor as a manifest: $c names what is missing" yes \
		"$(grep -q "^bakelens: desc.json: .*not a valid manifest: no schemaVersion 2, config or layers (a descriptor of a manifest, not the manifest)" "$E" && echo yes || echo no)"
done
# The manifest it points at, as a file, is still fine.
cp "$REAL" "$BL_TMP/manifest.json"
run_bl "$O" "$E" digest "$BL_TMP/manifest.json"
expect_eq "the real manifest as a file: exit" 0 "$rc"
expect_eq "the real manifest as a file: its digest" "$(sha256_of "$REAL")" "$(cat "$O")"

# Only diff and inspect write reports: another command asked for one is a
# usage error, not its usual output under another name.
for c in tree digest ls tags; do
	for f in markdown html; do
		run_bl "$O" "$E" "$c" --format "$f" "$L"
		expect_eq "$c --format $f: exit (usage)" 2 "$rc"
		expect_eq "$c --format $f: says which commands report" yes \
			"$(grep -q "^bakelens: --format $f: $c writes no report (diff and inspect do" "$E" && echo yes || echo no)"
		expect_eq "$c --format $f: nothing on stdout" 0 "$(wc -c <"$O")"
	done
done
finish
