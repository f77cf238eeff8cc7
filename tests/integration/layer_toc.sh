#!/usr/bin/env bash
# `ls --layer N` of eStargz and zstd:chunked layers from their TOC by Range
# requests, and bl_layertoc_cat (through layertoc_probe) fetching one file's
# chunks: against a local docker-registry, through fault_proxy.py, and on a
# local layout and BuildKit's real eStargz image from the corpus.
#
# The layers are made by make_toc_layer.py to the formats' layouts: Debian
# 12's skopeo (1.9.3) never finishes `copy --dest-compress-format
# zstd:chunked`, and no other tool here writes eStargz.
source "$BL_TESTLIB"
source "$(dirname "$0")/registry-lib.sh"
need_tool zstd bsdtar
: "${BL_LAYERTOC_PROBE:?run through meson test}"
TPROBE=$BL_LAYERTOC_PROBE
out=$BL_TMP/out
err=$BL_TMP/err
mk=$(dirname "$0")/make_toc_layer.py

# The files: 8 MiB of random bytes (so compression cannot hide what is read),
# one file in several chunks, and every kind of entry the listing shows.
S=$BL_TMP/src
mkdir -p "$S/data/sub" "$S/etc"
for i in 1 2 3 4 5 6; do head -c 1048576 /dev/urandom >"$S/data/r$i.bin"; done
head -c 2621440 /dev/urandom >"$S/data/sub/big.bin"
echo "hello from the layer" >"$S/etc/greeting"
: >"$S/etc/empty"
ln -s ../etc/greeting "$S/data/link"
ln "$S/etc/greeting" "$S/etc/hardlink"
chmod 4750 "$S/data/sub/big.bin"
chmod 0600 "$S/etc/greeting"
touch -d '2021-05-06 07:08:09' "$S/etc/greeting" "$S/data"

start_registry reg
for f in estargz zstd zstd-old zstd-footer; do
	python3 "$mk" "$f" "$S" "$BL_TMP/L-$f" 1048576 >"$BL_TMP/layer-$f"
	for tag in toc plain badtoc; do
		push "oci:$BL_TMP/L-$f:$tag" "127.0.0.1:$REG_PORT/$f:$tag" --preserve-digests
	done
done

# "STATUS BYTES" of each layer blob request bakelens made, from the
# registry's log since line $1, for layer $2.
blob_lines() {
	tail -n +"$1" "$REG_LOG" | grep -F 'msg="response completed"' | grep -F "/blobs/$2" |
		grep -F 'useragent=bakelens/' |
		sed -n 's/.*http\.response\.status=\([0-9]*\).*http\.response\.written=\([0-9]*\).*/\1 \2/p' || true
}
bytes_of() { awk '{s += $2} END {print s + 0}'; }

for f in estargz zstd zstd-old zstd-footer; do
	layer=$(cat "$BL_TMP/layer-$f")
	size=$(stat -c %s "$BL_TMP/L-$f/blobs/sha256/${layer#sha256:}")
	R=127.0.0.1:$REG_PORT/$f
	kind=$([ "$f" = estargz ] && echo estargz-toc || echo zstd-chunked-toc)

	# From the TOC: Range requests only, a few KB.
	from=$(($(wc -l <"$REG_LOG") + 1))
	run_bl "$out" "$err" ls -v --json --layer 1 "docker://$R:toc"
	expect_eq "$f: ls from the TOC exits 0 ($(head -c 300 "$err"))" 0 "$rc"
	cp "$out" "$BL_TMP/$f-toc.json"
	expect_eq "$f: -v names the path" 1 "$(grep -c "read $kind, " "$err")"
	lines=$(blob_lines "$from" "$layer")
	expect_eq "$f: every layer request answered 206" "" "$(echo "$lines" | grep -v '^206 ' || true)"
	expect_eq "$f: some Range requests" yes "$([ -n "$lines" ] && echo yes || echo no)"
	got=$(echo "$lines" | bytes_of)
	expect_eq "$f: under 2% of the $size-byte layer read ($got)" yes \
		"$([ "$got" -gt 0 ] && [ $((got * 50)) -lt "$size" ] && echo yes || echo no)"
	said=$(sed -n "s/.*read $kind, \([0-9]*\) of.*/\1/p" "$err")
	expect_eq "$f: -v counts what the registry sent" "$got" "$said"

	# The same blob without annotations: the plain whole-layer path.
	from=$(($(wc -l <"$REG_LOG") + 1))
	run_bl "$out" "$err" ls -v --json --layer 1 "docker://$R:plain"
	expect_eq "$f: ls of the whole layer exits 0" 0 "$rc"
	expect_eq "$f: the TOC lists what the whole layer does" "$(cat "$out")" "$(cat "$BL_TMP/$f-toc.json")"
	expect_eq "$f: -v says whole-layer" 1 "$(grep -c 'read whole-layer (no TOC annotation)' "$err")"
	expect_eq "$f: the whole layer was one 200" 1 "$(blob_lines "$from" "$layer" | grep -c '^200 ')"
	# and what tar itself says of the decompressed layer
	bsdtar -tf "$BL_TMP/L-$f/blobs/sha256/${layer#sha256:}" | sed 's#/$##' | grep -v '^\.\?$' | sort >"$BL_TMP/tar-names"
	jq -r '.[].path' "$BL_TMP/$f-toc.json" | sort >"$BL_TMP/toc-names"
	expect_eq "$f: the names tar lists" "$(cat "$BL_TMP/tar-names")" "$(cat "$BL_TMP/toc-names")"

	# --changes needs each layer's tar size, which no TOC gives: read whole,
	# the same figures as without annotations.
	run_bl "$out" "$err" ls --changes "docker://$R:toc"
	run_bl "$BL_TMP/out2" "$err" ls --changes "docker://$R:plain"
	expect_eq "$f: ls --changes as the whole layer says" "$(cat "$BL_TMP/out2")" "$(cat "$out")"

	# A TOC that does not match its annotation: an error, nothing listed.
	run_bl "$out" "$err" ls --layer 1 "docker://$R:badtoc"
	expect_eq "$f: a wrong TOC exits 5 (digest)" 5 "$rc"
	expect_eq "$f: nothing listed from a wrong TOC" "" "$(cat "$out")"
	expect_eq "$f: the error says so" 1 "$(grep -c 'TOC does not match annotation' "$err")"

	# One file's chunks, verified, equal to what bsdtar extracts.
	for p in data/sub/big.bin etc/greeting etc/empty; do
		bsdtar -xOf "$BL_TMP/L-$f/blobs/sha256/${layer#sha256:}" "$p" >"$BL_TMP/want"
		from=$(($(wc -l <"$REG_LOG") + 1))
		rc=0
		"$TPROBE" "docker://$R:toc" 0 "$p" >"$BL_TMP/got" 2>"$err" || rc=$?
		expect_eq "$f: cat $p exits 0 ($(head -c 300 "$err"))" 0 "$rc"
		expect_eq "$f: cat $p" "$(sha256_of "$BL_TMP/want")" "$(sha256_of "$BL_TMP/got")"
		expect_eq "$f: cat $p used Range only" "" "$(blob_lines "$from" "$layer" | grep -v '^206 ' || true)"
	done
	catbytes=$(sed -n 's/^cat //p' "$err")
	expect_eq "$f: an empty file reads nothing" 0 "$catbytes"
done

# The big file's chunks, not the layer: under 2.6 MiB + the TOC.
layer=$(cat "$BL_TMP/layer-estargz")
"$TPROBE" "docker://127.0.0.1:$REG_PORT/estargz:toc" 0 data/sub/big.bin >/dev/null 2>"$err"
cb=$(sed -n 's/^cat //p' "$err")
expect_eq "cat reads the file's chunks only ($cb)" yes \
	"$([ "$cb" -ge 2621440 ] && [ "$cb" -lt 2700000 ] && echo yes || echo no)"

# ---- through the fault proxy ----
start_fault_proxy "$REG_PORT" nobody:none
P=127.0.0.1:$PP
for f in estargz zstd; do
	layer=$(cat "$BL_TMP/layer-$f")
	# Range ignored: a 200 with the whole blob is cut at its headers, and the
	# layer is read whole instead; the listing is the same.
	echo "[{\"match\": \"GET /v2/$f/blobs/$layer\", \"action\": \"norange\", \"times\": 1}]" >"$RULES"
	: >"$PLOG.detail"
	run_bl "$out" "$err" ls -v --json --layer 1 "docker://$P/$f:toc"
	expect_eq "$f: Range ignored: exits 0 ($(head -c 300 "$err"))" 0 "$rc"
	expect_eq "$f: Range ignored: same listing" "$(cat "$BL_TMP/$f-toc.json")" "$(cat "$out")"
	expect_eq "$f: Range ignored: -v says why" 1 \
		"$(grep -c 'read whole-layer (the registry does not answer Range requests)' "$err")"
	sent=$(sed -n "s#^sent /v2/$f/blobs/$layer \([0-9]*\)\$#\1#p" "$PLOG.detail" | head -1)
	expect_eq "$f: Range ignored: the whole answer was cut early ($sent)" yes \
		"$([ -n "$sent" ] && [ "$sent" -lt 4194304 ] && echo yes || echo no)"

	# A chunk cut short: an error, never bytes that were not checked.
	echo "[{\"match\": \"GET /v2/$f/blobs/$layer\", \"action\": \"pass\", \"times\": 1},
	       {\"match\": \"GET /v2/$f/blobs/$layer\", \"action\": \"cutrange\", \"times\": 20}]" >"$RULES"
	[ "$f" = estargz ] && sed -i 's/"times": 1}/"times": 2}/' "$RULES"
	rc=0
	"$TPROBE" "docker://$P/$f:toc" 0 data/sub/big.bin >"$BL_TMP/got" 2>"$err" || rc=$?
	expect_eq "$f: a cut chunk fails ($(head -c 300 "$err"))" 1 "$rc"
	expect_eq "$f: nothing of a cut chunk written" 0 "$(stat -c %s "$BL_TMP/got")"

	# A TOC changed on the way: zstd:chunked's checksum covers the bytes read.
	if [ "$f" = zstd ]; then
		echo "[{\"match\": \"GET /v2/$f/blobs/$layer\", \"action\": \"fliprange\", \"times\": 1}]" >"$RULES"
		run_bl "$out" "$err" ls --layer 1 "docker://$P/$f:toc"
		expect_eq "$f: a TOC changed in transit exits 5" 5 "$rc"
		expect_eq "$f: nothing listed from it" "" "$(cat "$out")"
	fi
	echo '[]' >"$RULES"
done

# ---- local sources: pread instead of Range ----
for f in estargz zstd-footer; do
	run_bl "$out" "$err" ls -v --json --layer 1 "oci:$BL_TMP/L-$f:toc"
	expect_eq "$f local: exits 0" 0 "$rc"
	expect_eq "$f local: same listing" "$(cat "$BL_TMP/$f-toc.json")" "$(cat "$out")"
	expect_eq "$f local: from the TOC" 1 "$(grep -c 'read .*-toc, ' "$err")"
	# without its annotation the footer is seen, and not trusted
	run_bl "$out" "$err" ls -v --json --layer 1 "oci:$BL_TMP/L-$f:plain"
	expect_eq "$f local plain: same listing" "$(cat "$BL_TMP/$f-toc.json")" "$(cat "$out")"
	expect_eq "$f local plain: -v says why the TOC was not used" 1 \
		"$(grep -c 'read whole-layer (.* cannot be verified)' "$err")"
done

# ---- BuildKit's eStargz image from the corpus ----
IMG=${BL_CORPUS:-/nonexistent}/dive/test-oci-estargz-image.tar
if [ -f "$IMG" ]; then
	run_bl "$out" "$err" ls -v --json --layer 1 "$IMG"
	expect_eq "corpus: exits 0" 0 "$rc"
	expect_eq "corpus: from the TOC" 1 "$(grep -c 'read estargz-toc, ' "$err")"
	mkdir -p "$BL_TMP/corpus"
	tar -xf "$IMG" -C "$BL_TMP/corpus"
	man=$(jq -r '.manifests[0].digest' "$BL_TMP/corpus/index.json")
	cl=$(jq -r '.layers[0].digest' "$BL_TMP/corpus/blobs/sha256/${man#sha256:}")
	zcat "$BL_TMP/corpus/blobs/sha256/${cl#sha256:}" >"$BL_TMP/corpus.tar"
	# tar's own listing of the decompressed layer: path size mode mtime
	python3 -c '
import json, sys, tarfile
with tarfile.open(sys.argv[1]) as t:
    print(json.dumps(sorted([m.name.lstrip("./").rstrip("/"), m.size if m.isreg() else 0, m.mode & 0o7777, m.mtime]
                            for m in t if m.name.strip("./"))))' "$BL_TMP/corpus.tar" >"$BL_TMP/want"
	jq -c '[.[] | [.path, .size, .mode, .mtime]] | sort' "$out" | python3 -c 'import json,sys; print(json.dumps(json.load(sys.stdin)))' >"$BL_TMP/got"
	expect_eq "corpus: the TOC lists what tar does" "$(cat "$BL_TMP/want")" "$(cat "$BL_TMP/got")"
	name=$(jq -r '.[0].path' "$out")
	rc=0
	"$TPROBE" "$IMG" 0 "$name" >"$BL_TMP/got" 2>"$err" || rc=$?
	expect_eq "corpus: cat exits 0 ($(head -c 200 "$err"))" 0 "$rc"
	bsdtar -xOf "$BL_TMP/corpus.tar" "$name" >"$BL_TMP/want"
	expect_eq "corpus: cat $name" "$(sha256_of "$BL_TMP/want")" "$(sha256_of "$BL_TMP/got")"
else
	echo "note: no corpus: BuildKit's eStargz image not checked"
fi

# ---- bakelens cat: the file's chunks by Range, each verified before written ----
for f in estargz zstd zstd-old zstd-footer; do
	layer=$(cat "$BL_TMP/layer-$f")
	R=127.0.0.1:$REG_PORT/$f
	for p in etc/hardlink etc/greeting data/sub/big.bin; do
		# (bsdtar writes a hard link's bytes only under its target's name)
		bsdtar -xOf "$BL_TMP/L-$f/blobs/sha256/${layer#sha256:}" "${p/hardlink/greeting}" >"$BL_TMP/want"
		from=$(($(wc -l <"$REG_LOG") + 1))
		rc=0
		"$BAKELENS" cat "docker://$R:toc" "$p" >"$BL_TMP/got" 2>"$err" || rc=$?
		expect_eq "$f: bakelens cat $p exits 0 ($(head -c 300 "$err"))" 0 "$rc"
		expect_eq "$f: bakelens cat $p" "$(sha256_of "$BL_TMP/want")" "$(sha256_of "$BL_TMP/got")"
		lines=$(blob_lines "$from" "$layer")
		expect_eq "$f: bakelens cat $p: no full-layer GET" "" "$(echo "$lines" | grep -v '^206 ' || true)"
		expect_eq "$f: bakelens cat $p: Range requests" yes "$([ -n "$lines" ] && echo yes || echo no)"
	done
	# the plain layer (no annotation) is streamed whole, as before: a 200
	# to list it, one to read the file, no Range
	from=$(($(wc -l <"$REG_LOG") + 1))
	"$BAKELENS" cat "docker://$R:plain" data/sub/big.bin >"$BL_TMP/got" 2>"$err" || fail "$f: cat of the plain layer: $(cat "$err")"
	expect_eq "$f: cat of the plain layer" "$(sha256_of "$BL_TMP/want")" "$(sha256_of "$BL_TMP/got")"
	expect_eq "$f: cat of the plain layer reads it whole" "200 200" "$(blob_lines "$from" "$layer" | cut -d' ' -f1 | xargs)"
done

# Through the fault proxy: the TOC requests pass, then a chunk is cut or
# changed. An error, and no byte of the bad chunk on stdout.
for f in estargz zstd; do
	layer=$(cat "$BL_TMP/layer-$f")
	from=$(($(wc -l <"$REG_LOG") + 1))
	"$BAKELENS" ls --layer 1 "docker://127.0.0.1:$REG_PORT/$f:toc" >/dev/null
	n=$(blob_lines "$from" "$layer" | wc -l) # requests a listing from the TOC makes
	bsdtar -xOf "$BL_TMP/L-$f/blobs/sha256/${layer#sha256:}" data/sub/big.bin >"$BL_TMP/want"
	for fault in cutrange fliprange; do
		# listing and cat each read the TOC; then the first chunk passes, the second is bad
		echo "[{\"match\": \"GET /v2/$f/blobs/$layer\", \"action\": \"pass\", \"times\": $((2 * n + 1))},
		       {\"match\": \"GET /v2/$f/blobs/$layer\", \"action\": \"$fault\", \"times\": 20}]" >"$RULES"
		rc=0
		"$BAKELENS" cat "docker://$P/$f:toc" data/sub/big.bin >"$BL_TMP/got" 2>"$err" || rc=$?
		[ "$rc" -ne 0 ] && pass || fail "$f: $fault: cat exits 0"
		[ -s "$err" ] && pass || fail "$f: $fault: no message"
		grep -q "chunk at byte" "$err" && pass || fail "$f: $fault: the message names no chunk: $(cat "$err")"
		# what was written is the verified first chunk, a strict prefix of the file
		got=$(stat -c %s "$BL_TMP/got")
		[ "$got" -gt 0 ] && [ "$got" -lt "$(stat -c %s "$BL_TMP/want")" ] && pass ||
			fail "$f: $fault: $got bytes written"
		expect_eq "$f: $fault: only verified bytes written" "$(sha256_of "$BL_TMP/got")" \
			"$(head -c "$got" "$BL_TMP/want" | sha256sum | cut -d' ' -f1 | sed 's/^/sha256:/')"
	done
	echo '[]' >"$RULES"
done

finish
