#!/usr/bin/env bash
# Hostile inputs through the real binary, beyond cli_badinput.sh: odd tar
# members (traversal, link loops, sparse and pax sizes), bombs, inputs that
# used to cost quadratic time or unbounded memory, JSON at its limits, and
# hostile names (C1 controls, bidi overrides) everywhere a name can be. Every
# input is made here (python3, tar, zstd, jq), so this runs without the corpus.
. "$BL_TESTLIB"
need_tool python3 jq tar zstd gzip sha256sum timeout script
out=$BL_TMP/out err=$BL_TMP/err
cd "$BL_TMP"

# Stricter than expect_clean: C0 but \n and \t, DEL, C1 (U+0080-U+009F as
# UTF-8) and the invisible bidi/line-separator controls.
expect_no_controls() {
	if LC_ALL=C grep -qaP '[\x00-\x08\x0b-\x1f\x7f]|\xc2[\x80-\x9f]|\xe2\x80[\x8e\x8f\xa8-\xae]|\xe2\x81[\xa6-\xa9]' "$2"; then
		fail "$1: control characters in output: $(LC_ALL=C grep -naP '[\x00-\x08\x0b-\x1f\x7f]|\xc2[\x80-\x9f]|\xe2\x80[\x8e\x8f\xa8-\xae]|\xe2\x81[\xa6-\xa9]' "$2" | head -2 | cat -v)"
	else pass; fi
}
# expect_rc NAME RC PATTERN -- args: exit code, stderr pattern, clean output
expect_rc() {
	local name=$1 want=$2 pat=$3
	shift 4
	run_bl "$out" "$err" "$@"
	expect_eq "$name: exit code ($(head -c 300 "$err"))" "$want" "$rc"
	if [ -z "$pat" ] || grep -qE -- "$pat" "$err"; then pass; else fail "$name: stderr does not match '$pat': $(head -3 "$err")"; fi
	expect_no_controls "$name stdout" "$out"
	expect_no_controls "$name stderr" "$err"
}
# within SECONDS NAME -- args: the run ends in time (whatever its exit code)
within() {
	local secs=$1 name=$2
	shift 3
	rc=0
	timeout "$secs" "$BAKELENS" "$@" >"$out" 2>"$err" || rc=$?
	if [ "$rc" -eq 124 ]; then fail "$name: still running after ${secs}s"; else pass; fi
}

# ---- archives made with python's tarfile ----
cat >mk.py <<'EOF'
import hashlib, io, json, os, sys, tarfile
def sha(b): return hashlib.sha256(b).hexdigest()
cfg = json.dumps({"architecture": "amd64", "os": "linux", "rootfs": {"type": "layers", "diff_ids": ["sha256:" + sha(b"layer")]}}).encode()
man = json.dumps({"schemaVersion": 2, "mediaType": "application/vnd.oci.image.manifest.v1+json",
    "config": {"mediaType": "application/vnd.oci.image.config.v1+json", "digest": "sha256:" + sha(cfg), "size": len(cfg)},
    "layers": [{"mediaType": "application/vnd.oci.image.layer.v1.tar", "digest": "sha256:" + sha(b"layer"), "size": 5}]}).encode()
idx = json.dumps({"schemaVersion": 2, "manifests": [{"mediaType": "application/vnd.oci.image.manifest.v1+json",
    "digest": "sha256:" + sha(man), "size": len(man), "annotations": {"org.opencontainers.image.ref.name": "v1"}}]}).encode()
blobs = [("blobs/sha256/" + sha(b), b) for b in (cfg, man, b"layer")]
def write(name, members):
    with tarfile.open(name, "w", format=tarfile.PAX_FORMAT) as t:
        for m in members:
            ti = tarfile.TarInfo(m[0])
            for k, v in (m[2] if len(m) > 2 else {}).items(): setattr(ti, k, v)
            data = m[1]
            if ti.type in (tarfile.REGTYPE, tarfile.AREGTYPE):
                ti.size = len(data); t.addfile(ti, io.BytesIO(data))
            else:
                t.addfile(ti)
sym = lambda target: {"type": tarfile.SYMTYPE, "linkname": target}
hard = lambda target: {"type": tarfile.LNKTYPE, "linkname": target}
write("dotdot.tar", [("../../escape", b"x"), ("/abs/x", b"y"), ("blobs/../../../z", b"z")] + blobs + [("index.json", idx)])
write("symself.tar", blobs + [("index.json", b"", sym("index.json"))])
write("symloop.tar", blobs + [("index.json", b"", sym("a")), ("a", b"", sym("index.json"))])
write("hardloop.tar", blobs + [("index.json", b"", hard("b")), ("b", b"", hard("index.json"))])
write("symhost.tar", blobs + [("index.json", b"", sym("/etc/passwd"))])
write("hardlater.tar", blobs + [("index.json", b"", hard("later.json")), ("later.json", idx)])
write("dupblob.tar", blobs + [(blobs[0][0], b'{"evil":1}'), ("index.json", idx)])
write("dupindex.tar", blobs + [("index.json", idx), ("index.json", b'{"schemaVersion":2,"manifests":[]}')])
long = "blobs/" + "d/" * 300 + "x"
write("longnames.tar", [(long, b"x"), ("L" * 8000, b"y")] + blobs + [("index.json", idx)])
lcfg = json.dumps({"architecture": "amd64", "os": "linux", "rootfs": {"type": "layers", "diff_ids": []}}).encode()
mj = json.dumps([{"Config": "c.json", "RepoTags": ["x:1"], "Layers": ["l/layer.tar"]}]).encode()
for name, layer in [("dir", {"type": tarfile.DIRTYPE}), ("dev", {"type": tarfile.CHRTYPE, "devmajor": 1, "devminor": 3}),
                    ("fifo", {"type": tarfile.FIFOTYPE}), ("symout", sym("../../../../etc/passwd")), ("symabs", sym("/etc/passwd"))]:
    write("layer_" + name + ".tar", [("c.json", lcfg), ("manifest.json", mj), ("l/layer.tar", b"", layer)])
# many tiny members
with tarfile.open("many.tar", "w", format=tarfile.USTAR_FORMAT) as t:
    for n, d in blobs + [("index.json", idx)]:
        ti = tarfile.TarInfo(n); ti.size = len(d); t.addfile(ti, io.BytesIO(d))
    for i in range(int(sys.argv[1])):
        ti = tarfile.TarInfo("junk/%06d" % i); ti.size = 1; t.addfile(ti, io.BytesIO(b"x"))
EOF
python3 mk.py 200000

expect_rc "members with .. and absolute paths" 0 "" -- tree dotdot.tar
if grep -q "v1" "$out"; then pass; else fail "dotdot.tar: image not shown: $(cat "$out")"; fi
run_bl "$out" "$err" inspect --json dotdot.tar
expect_eq "dotdot.tar: ignored members counted" 1 "$(jq '[.sources[].describe | select(test("member\\(s\\) with \"..\""))] | length' "$out")"
for t in symself symloop hardloop symhost; do
	expect_rc "index.json link ($t)" 4 "^bakelens: $t.tar: .*index.json is there but unusable \(a link that loops" -- tree $t.tar
done
run_bl "$out" "$err" inspect --json symhost.tar
if grep -q "root:" "$out" "$err"; then fail "symhost.tar: a symlink read a file of the host"; else pass; fi
expect_rc "hard link to a later member" 0 "" -- tree hardlater.tar
expect_rc "two copies of one blob, the last wrong" 5 "(hashes to|size)" -- tree dupblob.tar
run_bl "$out" "$err" inspect --json dupindex.tar
expect_eq "two index.json: the last is used, and said" "0 1" \
	"$(jq -r '(.targets | length | tostring) + " " + ([.sources[].describe | select(test("1 member\\(s\\) superseded"))] | length | tostring)' "$out")"
expect_rc "pax and GNU long names" 0 "" -- tree longnames.tar
for t in dir dev fifo symout symabs; do
	case $t in dev | fifo) why="not a regular file" ;; sym*) why="a link that" ;; *) why="" ;; esac
	expect_rc "layer.tar is a $t" 4 "^bakelens: layer_$t.tar: manifest.json\[0\].Layers\[0\]: .*$why" -- tree layer_$t.tar
done
within 120 "200000 tiny members" -- tree many.tar
expect_eq "200000 tiny members: exit code ($(head -c 200 "$err"))" 0 "$rc"
within 120 "200000 tiny members on stdin" -- digest - <many.tar
expect_eq "200000 tiny members on stdin: exit code ($(head -c 200 "$err"))" 0 "$rc"
rm -f many.tar

# ---- sizes: sparse holes, pax sizes, bombs ----
mkdir -p sp/l && (cd sp && truncate -s 1T l/layer.tar &&
	printf '%s' '{"architecture":"amd64","os":"linux","rootfs":{"type":"layers","diff_ids":[]}}' >c.json &&
	printf '%s' '[{"Config":"c.json","RepoTags":["x:1"],"Layers":["l/layer.tar"]}]' >manifest.json &&
	tar --sparse -cf ../sparse-layer.tar c.json manifest.json l)
within 60 "1 TiB sparse layer" -- tree sparse-layer.tar
expect_eq "1 TiB sparse layer: exit code ($(head -c 200 "$err"))" 4 "$rc"
if grep -q "sparse tar member of 1099511627776 bytes" "$err"; then pass; else fail "sparse layer: $(cat "$err")"; fi
within 60 "1 TiB sparse layer on stdin" -- tree - <sparse-layer.tar
expect_eq "1 TiB sparse layer on stdin: exit code" 4 "$rc"

# pax size fields: near INT64_MAX, over it, negative, not a number
python3 - <<'EOF'
import tarfile
good = open("hardlater.tar", "rb").read()
end = len(good)
while good[end - 512:end] == b"\0" * 512: end -= 512
for name, size in [("max", "9223372036854775000"), ("over", "9223372036854775808"), ("neg", "-1"), ("nan", "1e300")]:
    ti = tarfile.TarInfo("zzz"); ti.pax_headers = {"size": size}
    open("pax_" + name + ".tar", "wb").write(good[:end] + ti.tobuf(format=tarfile.PAX_FORMAT) + b"x" * 1024 + b"\0" * 1024)
EOF
for n in max over neg nan; do
	expect_rc "pax size $n" 4 "^bakelens: pax_$n.tar: .*(truncated|broken tar header|Truncated)" -- tree pax_$n.tar
	if grep -q "INTERNAL\|(null)" "$err"; then fail "pax size $n: $(cat "$err")"; else pass; fi
	expect_rc "pax size $n on stdin" 4 "^bakelens: standard input: " -- digest - <pax_$n.tar
done

# a zstd bomb: 30 KB that inflate to 1 GiB; memory stays bounded
mkdir -p bomb && python3 - <<'EOF'
import json, os
os.makedirs("bomb/blobs/sha256", exist_ok=True)
open("bomb/index.json", "w").write(json.dumps({"schemaVersion": 2, "manifests": []}))
EOF
truncate -s 1G "bomb/blobs/sha256/$(printf 'f%.0s' $(seq 64))"
tar -C bomb -cf - index.json blobs | zstd -q -3 >bomb.tar.zst
rm -rf bomb
if [ -x /usr/bin/time ]; then
	rc=0
	/usr/bin/time -f %M -o rss timeout 120 "$BAKELENS" tree bomb.tar.zst >"$out" 2>"$err" || rc=$?
	expect_eq "zstd bomb: exit code ($(head -c 200 "$err"))" 0 "$rc"
	rss=$(tail -1 rss)
	if [ "$rss" -lt 1048576 ]; then pass; else fail "zstd bomb: ${rss} KB resident for a 1 GiB member"; fi
fi
head -c 20000 bomb.tar.zst >cut.tar.zst
expect_rc "zstd bomb cut short" 4 "^bakelens: cut.tar.zst: " -- tree cut.tar.zst
expect_rc "zstd bomb cut short on stdin" 4 "^bakelens: standard input: " -- digest - <cut.tar.zst

# ---- documents: limits and repetition ----
# mk_layout DIR CONFIG_JSON_FILE [COPIES [EXTRA_INDEX_ENTRIES...]]: a layout whose
# index lists one manifest COPIES times (default 1)
cat >layout.py <<'EOF'
import hashlib, json, os, sys
def sha(b): return hashlib.sha256(b).hexdigest()
out, cfgfile = sys.argv[1], sys.argv[2]
copies = int(sys.argv[3]) if len(sys.argv) > 3 else 1
nlayers = int(sys.argv[4]) if len(sys.argv) > 4 else 1
os.makedirs(out + "/blobs/sha256", exist_ok=True)
def put(b):
    open(out + "/blobs/sha256/" + sha(b), "wb").write(b); return "sha256:" + sha(b), len(b)
cfg = open(cfgfile, "rb").read()
cd, cs = put(cfg)
layers = [{"mediaType": "application/vnd.oci.image.layer.v1.tar", "digest": "sha256:%064x" % i, "size": 1} for i in range(nlayers)]
man = json.dumps({"schemaVersion": 2, "mediaType": "application/vnd.oci.image.manifest.v1+json",
    "config": {"mediaType": "application/vnd.oci.image.config.v1+json", "digest": cd, "size": cs}, "layers": layers}, separators=(",", ":")).encode()
md, ms = put(man)
d = {"mediaType": "application/vnd.oci.image.manifest.v1+json", "digest": md, "size": ms}
open(out + "/index.json", "w").write(json.dumps({"schemaVersion": 2, "manifests": [d] * copies}))
open(out + "/oci-layout", "w").write('{"imageLayoutVersion":"1.0.0"}')
EOF
python3 -c "
import json
print(json.dumps({'architecture':'amd64','os':'linux','rootfs':{'type':'layers','diff_ids':[]},'config':{'Labels':{'pad':'a'*(30<<20)}}}))" >c30.json
python3 -c "
import json
print(json.dumps({'architecture':'amd64','os':'linux','rootfs':{'type':'layers','diff_ids':[]},'config':{'Labels':{'pad':'a'*(40<<20)}}}))" >c40.json
python3 layout.py cfg30 c30.json
python3 layout.py cfg40 c40.json
expect_rc "30 MiB config (under the cap)" 0 "" -- tree cfg30
tar -C cfg30 -cf cfg30.tar oci-layout index.json blobs
run_bl "$out" "$err" inspect --json - <cfg30.tar
expect_eq "30 MiB config on stdin: read ($(head -c 200 "$err"))" "0 ok" \
	"$rc $(jq -r 'first(.. | objects | select(.kind? == "config")) | .status' "$out")"
rm -f cfg30.tar
expect_rc "40 MiB config (over the cap)" 4 "over the 33554432-byte cap" -- tree cfg40
# one manifest listed 2000 times, its config 30 MiB: read once, not 2000 times
python3 layout.py rep c30.json 2000
within 120 "one 30 MiB config behind 2000 index entries" -- tree rep
expect_eq "repeated manifest: exit code ($(head -c 200 "$err"))" 0 "$rc"
expect_eq "repeated manifest: every copy shown" 2000 "$(grep -c '└─ config\|├─ config' "$out")"
rm -rf cfg30 cfg40 rep c30.json c40.json

# 28000 layers (a manifest near its 4 MiB cap) and a million empty_layer history entries
python3 -c "
import json
n = 28000
print(json.dumps({'architecture':'amd64','os':'linux','rootfs':{'type':'layers','diff_ids':['sha256:%064x' % i for i in range(n)]},
  'history':[{'empty_layer':True}]*1000000 + [{'created_by':'x%d' % i} for i in range(n)]}, separators=(',',':')))" >hist.json
python3 layout.py layers hist.json 1 28000
within 120 "28000 layers, 1M history entries" -- digest layers --what chain-id
expect_eq "28000 layers: exit code ($(head -c 200 "$err"))" 0 "$rc"
# ChainID of the last layer, computed here (sha256sum over the whole chain)
python3 -c "
import hashlib
c = 'sha256:%064x' % 0
for i in range(1, 28000):
    c = 'sha256:' + hashlib.sha256(('%s sha256:%064x' % (c, i)).encode()).hexdigest()
print(c)" >want
expect_eq "28000 layers: chain-id" "$(cat want)" "$(cat "$out")"
run_bl "$out" "$err" inspect --json layers
expect_eq "28000 layers: last layer paired with its history" "x27999" \
	"$(jq -r '[.. | objects | select(.kind? == "layer")] | last | .layer.createdBy // .layer.created_by // empty' "$out")"
rm -rf layers hist.json

# an index chain 200 levels deep (distinct blobs): the depth cap, a clear status
python3 - <<'EOF'
import hashlib, json, os
def sha(b): return hashlib.sha256(b).hexdigest()
out = "deep"; os.makedirs(out + "/blobs/sha256")
def put(b):
    open(out + "/blobs/sha256/" + sha(b), "wb").write(b); return "sha256:" + sha(b), len(b)
d, s = put(b'{"schemaVersion":2,"mediaType":"application/vnd.oci.image.manifest.v1+json","config":{"mediaType":"application/vnd.oci.image.config.v1+json","digest":"sha256:' + b"0" * 64 + b'","size":2},"layers":[]}')
mt = "application/vnd.oci.image.manifest.v1+json"
for i in range(200):
    d, s = put(json.dumps({"schemaVersion": 2, "mediaType": "application/vnd.oci.image.index.v1+json", "manifests": [{"mediaType": mt, "digest": d, "size": s}], "annotations": {"n": str(i)}}).encode())
    mt = "application/vnd.oci.image.index.v1+json"
open(out + "/index.json", "w").write(json.dumps({"schemaVersion": 2, "manifests": [{"mediaType": mt, "digest": d, "size": s}]}))
EOF
expect_rc "index nested 200 deep: tree" 4 "nested more than [0-9]+ levels deep" -- tree deep
expect_rc "index nested 200 deep: digest" 4 "nested more than [0-9]+ levels deep" -- digest deep --what config
run_bl "$out" "$err" inspect --json deep
expect_eq "index nested 200 deep: JSON valid" 0 "$(jq -e . "$out" >/dev/null 2>&1; echo $?)"

# JSON at its edges, in a metadata file
D=sha256:$(printf '1%.0s' $(seq 64))
python3 -c "print('{\"containerimage.digest\":\"$D\",\"x\":' + '[' * 100000 + ']' * 100000 + '}')" >deep.json
expect_rc "JSON nested 100000 deep" 4 "^bakelens: deep.json: line 1 column [0-9]+: .*depth" -- tree deep.json
printf '{"containerimage.digest":"%s","image.name":"a\\u0000b"}' "$D" >nul.json
expect_rc "NUL in a JSON string" 4 "^bakelens: nul.json: line 1 column [0-9]+" -- tree nul.json
printf '{"containerimage.digest":"%s","image.name":"a\xff\xfeb"}' "$D" >utf.json
expect_rc "invalid UTF-8 in a JSON string" 4 "^bakelens: utf.json: line 1 column [0-9]+" -- tree utf.json
printf '{"containerimage.digest":"%s","containerimage.digest":"sha256:%s"}' "$D" "$(printf '2%.0s' $(seq 64))" >dup.json
run_bl "$out" "$err" inspect --json --offline dup.json
expect_eq "duplicate keys: the last wins (as Go's encoding/json)" "sha256:$(printf '2%.0s' $(seq 64))" \
	"$(jq -r '.targets[0].children[0].descriptor.digest // .targets[0].children[0].digest' "$out")"
for v in 1e300 -1 9223372036854775808 '"5"' 1.5; do
	mkdir -p num && python3 -c "
import json
open('num/index.json','w').write('{\"schemaVersion\":2,\"manifests\":[{\"mediaType\":\"application/vnd.oci.image.manifest.v1+json\",\"digest\":\"$D\",\"size\":' + '''$v''' + '}]}')"
	expect_rc "descriptor size $v" 4 "(size|integer)" -- tree num
	rm -rf num
done

# 10000 targets whose registry is unreachable (nothing on 127.0.0.1 port 1): asked once
python3 -c "
import json
print(json.dumps({'t%05d' % i: {'containerimage.digest': 'sha256:%064x' % i, 'image.name': '127.0.0.1:1/r%d:1' % i} for i in range(10000)}))" >meta10k.json
within 120 "10000 targets, registry unreachable" -- tree meta10k.json
expect_eq "10000 targets: exit code ($(head -c 200 "$err"))" 0 "$rc"
expect_eq "10000 targets: all shown" 10000 "$(grep -c '^├─ t\|^└─ t' "$out")"
within 120 "10000 targets offline: digest of the last" -- digest --offline meta10k.json --target t09999
expect_eq "10000 targets offline: the metadata's digest" "0 sha256:$(printf '%060d270f' 0)" "$rc $(cat "$out")"

# ---- hostile names everywhere a name can be ----
cat >names.py <<'EOF'
import base64, hashlib, io, json, os, tarfile
def sha(b): return hashlib.sha256(b).hexdigest()
EVIL = "e\x1b[31mRED\x1b]0;t\x07|\u009b2J|\u202eevil\u202c|\u2066x\u2069|\u200f|\x7f|\u0085|\u2028|\r\n"
open("evil.txt", "w", newline="").write(EVIL)
out = "H"; os.makedirs(out + "/blobs/sha256")
def put(b):
    open(out + "/blobs/sha256/" + sha(b), "wb").write(b); return "sha256:" + sha(b), len(b)
cfg = json.dumps({"architecture": "amd64", "os": "linux", "author": EVIL,
    "config": {"Env": ["K=" + EVIL], "Labels": {"k" + EVIL: EVIL}, "User": EVIL, "WorkingDir": EVIL, "Cmd": [EVIL]},
    "rootfs": {"type": "layers", "diff_ids": ["sha256:" + sha(b"layer")]},
    "history": [{"created_by": EVIL, "comment": EVIL}]}).encode()
cd, cs = put(cfg); ld, ls = put(b"layer")
man = json.dumps({"schemaVersion": 2, "mediaType": "application/vnd.oci.image.manifest.v1+json",
    "config": {"mediaType": "application/vnd.oci.image.config.v1+json", "digest": cd, "size": cs},
    "layers": [{"mediaType": "application/vnd.oci.image.layer.v1.tar", "digest": ld, "size": ls, "annotations": {EVIL: EVIL}}],
    "annotations": {EVIL: EVIL}}).encode()
md, ms = put(man)
open(out + "/index.json", "w").write(json.dumps({"schemaVersion": 2, "manifests": [{"mediaType": "application/vnd.oci.image.manifest.v1+json",
    "digest": md, "size": ms, "platform": {"os": "linux", "architecture": "amd64", "variant": EVIL},
    "annotations": {"org.opencontainers.image.ref.name": "v1" + EVIL, EVIL: EVIL}}]}))
open(out + "/oci-layout", "w").write('{"imageLayoutVersion":"1.0.0"}')
b64 = base64.b64encode(EVIL.encode()).decode()
json.dump({"web": {"containerimage.digest": md, "image.name": "x" + EVIL, "buildx.build.ref": EVIL,
                   "buildx.build.provenance": {"builder": {"id": EVIL}, "materials": [{"uri": EVIL}]}},
           "t" + EVIL: {"containerimage.digest": md},
           "buildx.build.warnings": [{"level": 1, "short": b64, "detail": [b64], "url": EVIL, "sourceInfo": {"filename": EVIL}}]},
          open("meta.json", "w"))
lcfg = json.dumps({"architecture": "amd64", "os": "linux", "rootfs": {"type": "layers", "diff_ids": ["sha256:" + sha(b"layer")]}}).encode()
for name, with_layer in [("names.tar", True), ("names-missing.tar", False)]:
    with tarfile.open(name, "w", format=tarfile.PAX_FORMAT) as t:
        def add(n, d):
            ti = tarfile.TarInfo(n); ti.size = len(d); t.addfile(ti, io.BytesIO(d))
        add("c" + EVIL + ".json", lcfg)
        if with_layer: add("l" + EVIL + "/layer.tar", b"layer")
        add("manifest.json", json.dumps([{"Config": "c" + EVIL + ".json", "RepoTags": ["x" + EVIL + ":1"],
            "Layers": ["l" + EVIL + "/layer.tar"]}]).encode())
# a layer whose files have hostile names: a file and a symlink to a hostile target
lt = io.BytesIO()
with tarfile.open(fileobj=lt, mode="w", format=tarfile.PAX_FORMAT) as t:
    ti = tarfile.TarInfo("f" + EVIL); ti.size = 1; t.addfile(ti, io.BytesIO(b"x"))
    ti = tarfile.TarInfo("s"); ti.type = tarfile.SYMTYPE; ti.linkname = EVIL; t.addfile(ti)
layer = lt.getvalue()
fcfg = json.dumps({"architecture": "amd64", "os": "linux", "rootfs": {"type": "layers", "diff_ids": ["sha256:" + sha(layer)]}}).encode()
with tarfile.open("files.tar", "w", format=tarfile.PAX_FORMAT) as t:
    for n, d in [("c.json", fcfg), ("l/layer.tar", layer),
                 ("manifest.json", json.dumps([{"Config": "c.json", "RepoTags": ["f:1"], "Layers": ["l/layer.tar"]}]).encode())]:
        ti = tarfile.TarInfo(n); ti.size = len(d); t.addfile(ti, io.BytesIO(d))
EOF
python3 names.py
for args in "tree H" "inspect H" "tree meta.json H" "inspect meta.json H" "tree names.tar" "inspect names.tar" \
	"digest meta.json H --target web" "digest H"; do
	run_bl "$out" "$err" $args
	expect_no_controls "hostile names: $args: stdout" "$out"
	expect_no_controls "hostile names: $args: stderr" "$err"
done
expect_rc "hostile member name missing" 4 "^bakelens: names-missing.tar: manifest.json\[0\]" -- tree names-missing.tar
run_bl "$out" "$err" inspect --json meta.json H
expect_eq "hostile names: JSON valid" 0 "$(jq -e . "$out" >/dev/null 2>&1; echo $?)"
# exact_json NAME WANT_FILE JQ_ARGS...: jq -j output byte for byte equal to the file
exact_json() {
	local name=$1 want=$2
	shift 2
	jq -j "$@" "$out" >got
	if cmp -s "$want" got; then pass; else fail "$name: $(cat -v got | head -c 300)"; fi
}
cp evil.txt want-label
exact_json "hostile names: the label is exact in JSON" want-label --rawfile e evil.txt \
	'first(.. | objects | select(.kind? == "config") | .document.config.Labels["k" + $e])'
run_bl "$out" "$err" inspect --json H
{ printf 'v1'; cat evil.txt; } >want-tag
exact_json "hostile names: the tag is exact in JSON" want-tag \
	'first(.. | objects | select(.annotations?["org.opencontainers.image.ref.name"]?) | .annotations["org.opencontainers.image.ref.name"])'
run_bl "$out" "$err" inspect --json names.tar
{ printf 'x'; cat evil.txt; printf ':1'; } >want-repotag
exact_json "hostile RepoTag is exact in JSON" want-repotag '.targets[0].name'
# File names: escaped in ls's text, exact in its JSON.
run_bl "$out" "$err" ls files.tar
expect_eq "ls, hostile file names: exit" 0 "$rc"
expect_no_controls "ls, hostile file names: stdout" "$out"
expect_eq "ls, hostile file names: two entries" 2 "$(wc -l <"$out")"
run_bl "$out" "$err" ls --json files.tar
{ printf 'f'; cat evil.txt; } >want-path
exact_json "ls --json: the path is exact" want-path '.[] | select(.type == "file") | .path'
exact_json "ls --json: the link target is exact" evil.txt '.[] | select(.type == "symlink") | .linkname'
# On a terminal the JSON commands \u-escape everything outside printable
# ASCII (DEL and C1 included); the document still decodes to the exact name.
for args in "inspect --json meta.json H" "diff --json meta.json+H names.tar" "ls --json files.tar"; do
	script -qec "$BAKELENS $args 2>tty-err" /dev/null </dev/null | tr -d '\r' >"$out" || :
	expect_no_controls "on a terminal: $args" "$out"
	expect_eq "on a terminal: $args: JSON valid" 0 "$(jq -e . "$out" >/dev/null 2>&1; echo $?)"
done
script -qec "$BAKELENS inspect --json meta.json H 2>tty-err" /dev/null </dev/null | tr -d '\r' >"$out" || :
exact_json "on a terminal: the label decodes exactly" want-label --rawfile e evil.txt \
	'first(.. | objects | select(.kind? == "config") | .document.config.Labels["k" + $e])'
finish
