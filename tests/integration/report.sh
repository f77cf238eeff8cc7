#!/usr/bin/env bash
# The reports (diff/inspect --format markdown|html, --summary): on the example
# build, and on two OCI layouts made with umoci whose second layer differs and
# whose history, labels and target names hold hostile strings. The Markdown
# is rendered by cmark-gfm (GitHub's dialect) and the HTML opened in a real
# browser (chromium --headless): neither may run, load or link anything an
# image wrote, and the headline says where the cache breaks, checked against
# jq over the manifests.
. "$BL_TESTLIB"
need_tool umoci jq python3 cmark-gfm
out=$BL_TMP/out err=$BL_TMP/err
EX=$BL_SRC/examples
cd "$BL_TMP"

# shot FILE.html PNG DOM: a screenshot and the DOM from headless chromium
# (no network, a fresh profile); the exit code in $brc.
browser=$(command -v chromium || command -v chromium-browser || true)
[ -n "$browser" ] || { echo "SKIP: chromium not installed"; exit 77; }
shot() {
	local prof
	prof=$(mktemp -d "$BL_TMP/prof.XXXXXX")
	local flags=(--headless --no-sandbox --disable-gpu --disable-quic --no-first-run
		--disable-background-networking --disable-component-update --disable-sync
		--user-data-dir="$prof" --window-size=1200,900)
	brc=0
	timeout 120 "$browser" "${flags[@]}" --screenshot="$BL_TMP/$2" "file://$BL_TMP/$1" \
		>/dev/null 2>"$2.err" || brc=$?
	[ "$brc" = 0 ] || return 0
	timeout 120 "$browser" "${flags[@]}" --dump-dom "file://$BL_TMP/$1" >"$3" 2>"$3.err" || brc=$?
}
echo '<!DOCTYPE html><title>probe</title><p>probe</p>' >probe.html
shot probe.html probe.png probe.dom
if [ "$brc" != 0 ] || ! grep -q '<p>probe</p>' probe.dom; then
	echo "SKIP: chromium cannot start here (exit $brc): $(tail -c 300 probe.png.err)"
	exit 77
fi
T0=2024-01-01T00:00:00Z

HOSTILE=$'<script>alert(1)</script> [x](http://evil) ![i](http://evil/i.png) | a | b | line1\nline2 \e[31mred <img src=x onerror=alert(1)>'

# --- the layouts: a, b2 (hostile history) and c in L:b; a, b, c in L:a
mkdir files && echo one >files/a && echo two >files/b && echo TWO >files/b2 && echo three >files/c
touch -d @1700000000 files files/*
umoci init --layout L
for t in a b; do
	umoci new --image "L:$t"
	umoci config --image "L:$t" --os linux --architecture amd64 --created $T0 \
		--history.created $T0 --config.label "evil=$HOSTILE" --config.label "$HOSTILE=key"
	umoci insert --image "L:$t" --history.created $T0 --history.created_by "COPY a" files/a /a
done
umoci insert --image L:a --history.created $T0 --history.created_by "COPY b" files/b /b
umoci insert --image L:b --history.created $T0 --history.created_by "RUN $HOSTILE" files/b2 /b
for t in a b; do
	umoci insert --image "L:$t" --history.created $T0 --history.created_by "COPY c" files/c /c
done

# The expected place, from the documents: the first diff_id that differs
# (1-based) and the right side's layer count.
blob() { echo "L/blobs/${1/://}"; }
manifest_of() { jq -r --arg t "$1" '.manifests[] | select(.annotations["org.opencontainers.image.ref.name"] == $t) | .digest' L/index.json; }
diffids_of() { jq -c '.rootfs.diff_ids' "$(blob "$(jq -r .config.digest "$(blob "$(manifest_of "$1")")")")"; }
at=$(jq -n --argjson l "$(diffids_of a)" --argjson r "$(diffids_of b)" \
	'[range(0; [$l, $r] | map(length) | min) | select($l[.] != $r[.])] | first + 1')
of=$(jq -n --argjson r "$(diffids_of b)" '$r | length')
expect_eq "jq finds the second layer" 2 "$at"

# Each image alone in a layout whose tag (ref.name, the target's name) is
# hostile: written with jq, as umoci refuses such a tag.
ma=$(manifest_of a) mb=$(manifest_of b)
for t in a b; do
	mkdir "L$t" && cp -r L/blobs L/oci-layout "L$t/"
	jq --arg t "$t" --arg name "$HOSTILE" '.manifests |= map(select(.annotations["org.opencontainers.image.ref.name"] == $t)
		| .annotations["org.opencontainers.image.ref.name"] = $name)' L/index.json >"L$t/index.json"
done

# check_md WHAT FILE: rendered with cmark-gfm, raw HTML allowed through (so
# whatever escaping missed would show): no script, image or link an image
# wrote; every table row has as many cells as its header.
check_md() {
	local what=$1 f=$2
	cmark-gfm --unsafe -e table -e autolink -e strikethrough "$f" >"$f.html"
	if grep -qi '<script' "$f.html"; then fail "$what: <script in the rendered Markdown"; else pass; fi
	if grep -qi '<img' "$f.html"; then fail "$what: <img in the rendered Markdown"; else pass; fi
	if grep -qi '<a href="http://evil\|href="http://evil' "$f.html"; then
		fail "$what: a link to http://evil in the rendered Markdown"
	else pass; fi
	local bad
	bad=$(python3 - "$f.html" <<-'EOF'
		import sys
		from html.parser import HTMLParser
		class P(HTMLParser):
		    def __init__(s):
		        super().__init__(); s.rows = []; s.tables = 0
		    def handle_starttag(s, tag, a):
		        if tag == 'table': s.tables += 1; s.rows.append([])
		        if tag == 'tr': s.rows[-1].append(0)
		        if tag in ('td', 'th'): s.rows[-1][-1] += 1
		p = P(); p.feed(open(sys.argv[1]).read())
		out = [f"table {i}: cells per row {r}" for i, r in enumerate(p.rows) if len(set(r)) != 1]
		if p.tables == 0: out.append("no table")
		print("; ".join(out))
	EOF
	)
	expect_eq "$what: table rows as wide as the header" "" "$bad"
}

# --- the example build: identical to itself; Markdown and inspect
run_bl "$out" "$err" diff "$EX/metadata.json+$EX/out" "$EX/metadata.json+$EX/out" --format markdown
expect_eq "example diff markdown: exit" 0 "$rc"
expect_eq "example diff markdown: headline" "**bakelens diff**: identical" "$(head -1 "$out")"
targets=$(jq -r '[keys[] | select(startswith("buildx.") | not)] | length' "$EX/metadata.json")
expect_eq "example diff markdown: a row per target" "$targets" \
	"$(grep -c '^| [a-z]* | identical' "$out")"
cp "$out" ex-diff.md
check_md "example diff" ex-diff.md
run_bl "$out" "$err" inspect "$EX/metadata.json" "$EX/out" --format markdown
expect_eq "example inspect markdown: exit" 0 "$rc"
expect_eq "example inspect markdown: headline" \
	"**bakelens inspect**: $targets targets, 3 images, every node ok" "$(head -1 "$out")"
cp "$out" ex-inspect.md
check_md "example inspect" ex-inspect.md
# The manifest digests of the table are the metadata's (a single-platform target).
base=$(jq -r '.base["containerimage.digest"]' "$EX/metadata.json")
if grep -q "^| base | ok \`${base:0:19}\`" ex-inspect.md; then pass; else
	fail "inspect table: base's manifest ${base:0:19} not in $(grep '^| base' ex-inspect.md)"; fi
run_bl "$out" "$err" inspect "$EX/metadata.json" "$EX/out" --format html
# No reference to anything outside: "http" only as text (provenance holds URLs).
if grep -qiE '<[a-z][^>]*[[:space:]](src|href|action|data)=|url\(|@import|<script|<link' "$out"; then
	fail "example inspect html: an external reference: $(grep -oiE '<[a-z][^>]*[[:space:]](src|href)=.{0,30}' "$out" | head -2)"
else pass; fi
# Every URL shown is one the example's own files hold (labels, provenance, SBOM).
grep -rhoE 'https?://[^"\\]*' "$EX/metadata.json" "$EX/out/blobs" | sort -u >ex-urls
if grep -o 'http[^<]*' "$out" | grep -vxFf ex-urls | grep -q .; then
	fail "example inspect html: http outside the provenance's text: $(grep -o '.\{30\}http[^<]*' "$out" | head -3)"
else pass; fi
cp "$out" ex-inspect.html

# docs/report-example.md is this report, as generated now.
(cd "$BL_SRC" && "$BAKELENS" diff oci:examples/out:base oci:examples/out:latest --format markdown) >ex-doc.md || true
if cmp -s ex-doc.md "$BL_SRC/docs/report-example.md"; then pass; else
	fail "docs/report-example.md is stale: $(diff "$BL_SRC/docs/report-example.md" ex-doc.md | head -5)"; fi
check_md "docs/report-example.md" ex-doc.md

# --- the hostile pair
run_bl "$out" "$err" diff La Lb --format markdown
expect_eq "hostile diff markdown: exit (differ; $(head -c 300 "$err"))" 1 "$rc"
cp "$out" bad.md
head -1 bad.md >line1
if grep -q "^\*\*bakelens diff\*\*: different\\\\: .*cache breaks at layer $at of $of\\\\: RUN &lt;script&gt;" line1; then
	pass
else fail "hostile diff markdown: headline: $(cat line1)"; fi
expect_clean "hostile diff markdown" bad.md
check_md "hostile diff" bad.md
# GFM drops cells past the header's count: the target's cell must hold the
# whole name, its '|' included.
cell=$(python3 - bad.md.html <<-'EOF'
	import sys
	from html.parser import HTMLParser
	class P(HTMLParser):
	    def __init__(s):
	        super().__init__(); s.cells = []; s.on = False
	    def handle_starttag(s, tag, a):
	        if tag == 'td': s.on = True; s.cells.append('')
	    def handle_endtag(s, tag):
	        if tag == 'td': s.on = False
	    def handle_data(s, d):
	        if s.on: s.cells[-1] += d
	p = P(); p.feed(open(sys.argv[1]).read())
	print(p.cells[0] if p.cells else '')
EOF
)
expect_eq "hostile diff: the target's table cell" \
	'<script>alert(1)</script> [x](http://evil) ![i](http://evil/i.png) | a | b | line1\nline2 \e[31mred <img src=x onerror=alert(1)>' \
	"$cell"
# The rendered text says it as the text output does (escaped, not run).
if grep -qF 'RUN &lt;script&gt;alert(1)&lt;/script&gt; [x](http://evil)' bad.md.html; then pass; else
	fail "hostile diff: the history line is not shown as text"; fi
if grep -qF 'line1\nline2 \e[31mred' bad.md.html; then pass; else
	fail "hostile diff: newline and ESC not shown as \\n and \\e"; fi
run_bl "$out" "$err" inspect Lb --format markdown
expect_eq "hostile inspect markdown: exit" 0 "$rc"
cp "$out" bad-inspect.md
check_md "hostile inspect" bad-inspect.md
expect_clean "hostile inspect markdown" bad-inspect.md

# --- --summary: appends to $GITHUB_STEP_SUMMARY; stdout keeps --format's output
echo "# earlier step" >summary.md
GITHUB_STEP_SUMMARY=$BL_TMP/summary.md run_bl "$out" "$err" diff La Lb --summary
expect_eq "--summary: exit" 1 "$rc"
expect_eq "--summary: kept what was there" "# earlier step" "$(head -1 summary.md)"
expect_eq "--summary: appended the report" "$(cat line1)" "$(sed -n 2p summary.md)"
if head -1 "$out" | grep -q '^left: '; then pass; else fail "--summary: stdout is not the text output: $(head -1 "$out")"; fi
unset GITHUB_STEP_SUMMARY
run_bl "$out" "$err" diff La Lb --summary
expect_eq "--summary without GITHUB_STEP_SUMMARY: usage error" 2 "$rc"
if grep -q "GITHUB_STEP_SUMMARY is not set" "$err"; then pass; else fail "--summary unset: $(cat "$err")"; fi
GITHUB_STEP_SUMMARY=/nonexistent/dir/s.md run_bl "$out" "$err" inspect Lb --summary
expect_eq "--summary to a file that cannot be written: exit" 3 "$rc"
run_bl "$out" "$err" diff L L --json --format html
expect_eq "--json with --format html: usage error" 2 "$rc"
run_bl "$out" "$err" diff La Lb --format json
expect_eq "--format json is --json" "different" "$(jq -r 'if .identical then "same" else "different" end' "$out")"

# --- HTML: self-contained, escaped, rendered by a browser
run_bl "$out" "$err" diff La Lb --format html
expect_eq "hostile diff html: exit" 1 "$rc"
cp "$out" bad.html
expect_clean "hostile diff html" bad.html
if grep -qiE '<[a-z][^>]*[[:space:]](src|href)=|url\(|@import|<script|<link' bad.html; then
	fail "hostile diff html: a reference or script: $(grep -oiE '<[a-z][^>]*[[:space:]](src|href)=.{0,30}' bad.html | head -2)"
else pass; fi
if grep -qF '&lt;script&gt;alert(1)&lt;/script&gt;' bad.html; then pass; else fail "hostile diff html: script not escaped as text"; fi
full=$mb
if grep -qF "<code>$full</code>" bad.html; then pass; else fail "hostile diff html: the manifest digest $full is not whole in a <code>"; fi

shot bad.html bad.png bad.dom
if [ "$brc" = 0 ] && [ -s bad.png ] && [ -s bad.dom ]; then
	pass
else
	fail "chromium: exit $brc rendering the report: $(tail -c 500 bad.png.err)"
fi
if [ -s bad.png ] && [ -s bad.dom ]; then
	# The DOM: the headline and the hostile text, as text; no script element.
	if grep -qi '<script' bad.dom; then fail "browser DOM has a <script> element"; else pass; fi
	if grep -qi '<img' bad.dom; then fail "browser DOM has an <img> element"; else pass; fi
	if grep -q "cache breaks at layer $at of $of: RUN &lt;script&gt;alert(1)&lt;/script&gt;" bad.dom; then
		pass
	else fail "browser DOM: no headline with the hostile text as text"; fi
	if grep -qF 'id="summary"' bad.dom; then pass; else fail "browser DOM: no summary element"; fi
	# Not blank: decode the PNG (zlib, filters undone) and count colours.
	colours=$(python3 - bad.png <<-'EOF'
		import struct, sys, zlib
		d = open(sys.argv[1], 'rb').read()
		assert d[:8] == b'\x89PNG\r\n\x1a\n'
		pos, idat, hdr = 8, b'', None
		while pos < len(d):
		    n, t = struct.unpack('>I4s', d[pos:pos + 8])
		    body = d[pos + 8:pos + 8 + n]
		    if t == b'IHDR': hdr = struct.unpack('>IIBBBBB', body)
		    if t == b'IDAT': idat += body
		    pos += 12 + n
		w, h, depth, ctype = hdr[:4]
		bpp = {2: 3, 6: 4, 0: 1, 4: 2}[ctype] * depth // 8
		raw, stride = zlib.decompress(idat), w * bpp
		prev, seen, i = bytearray(stride), set(), 0
		for y in range(h):
		    f, line = raw[i], bytearray(raw[i + 1:i + 1 + stride]); i += 1 + stride
		    for x in range(stride):
		        a = line[x - bpp] if x >= bpp else 0
		        b = prev[x]; c = prev[x - bpp] if x >= bpp else 0
		        if f == 1: line[x] = (line[x] + a) & 255
		        elif f == 2: line[x] = (line[x] + b) & 255
		        elif f == 3: line[x] = (line[x] + (a + b) // 2) & 255
		        elif f == 4:
		            p = a + b - c; pa, pb, pc = abs(p - a), abs(p - b), abs(p - c)
		            line[x] = (line[x] + (a if pa <= pb and pa <= pc else b if pb <= pc else c)) & 255
		    if y % 4 == 0:
		        for x in range(0, stride, bpp * 2): seen.add(bytes(line[x:x + bpp]))
		    prev = line
		print(len(seen))
	EOF
	)
	if [ "${colours:-0}" -gt 8 ]; then pass; else fail "screenshot looks blank: ${colours:-?} colours"; fi
fi

echo "report: $checks checks, $failures failures"
[ "$failures" = 0 ]
