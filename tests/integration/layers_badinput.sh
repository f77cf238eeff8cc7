#!/usr/bin/env bash
# Hostile and broken layers through ls, cat and check: a layer that is not a
# tar, one cut in the middle of a file, a decompression bomb, member paths
# with ".." and absolute paths, symbolic link loops, and many tiny entries.
# Each gives a clear error (exit 4 naming the layer or the path) or a listing
# that says where the member lands, in bounded time and memory.
. "$BL_TESTLIB"
need_tool python3 zstd jq
out=$BL_TMP/out err=$BL_TMP/err
cd "$BL_TMP"

# layout DIR MEDIATYPE-SUFFIX LAYER-FILE: a one-layer OCI layout around the blob as it is.
layout() {
	python3 - "$@" <<'PY'
import hashlib, json, os, sys
d, suffix, path = sys.argv[1:4]
os.makedirs(f"{d}/blobs/sha256", exist_ok=True)
def blob(b):
    h = hashlib.sha256(b).hexdigest()
    open(f"{d}/blobs/sha256/{h}", "wb").write(b)
    return "sha256:" + h, len(b)
ld, ls = blob(open(path, "rb").read())
cd, cs = blob(json.dumps({"architecture": "amd64", "os": "linux",
                          "rootfs": {"type": "layers", "diff_ids": [ld]}}).encode())
md, ms = blob(json.dumps({"schemaVersion": 2, "mediaType": "application/vnd.oci.image.manifest.v1+json",
    "config": {"mediaType": "application/vnd.oci.image.config.v1+json", "digest": cd, "size": cs},
    "layers": [{"mediaType": "application/vnd.oci.image.layer.v1.tar" + suffix, "digest": ld, "size": ls}]}).encode())
json.dump({"schemaVersion": 2, "manifests": [{"mediaType": "application/vnd.oci.image.manifest.v1+json",
           "digest": md, "size": ms}]}, open(f"{d}/index.json", "w"))
open(f"{d}/oci-layout", "w").write('{"imageLayoutVersion": "1.0.0"}')
PY
}
# tarof FILE SPEC...: a tar of members "f:NAME[:DATA]", "d:NAME", "l:NAME:TARGET", "h:NAME:TARGET"
tarof() {
	python3 - "$@" <<'PY'
import io, sys, tarfile
with tarfile.open(sys.argv[1], "w", format=tarfile.PAX_FORMAT) as t:
    for spec in sys.argv[2:]:
        kind, name, *rest = spec.split(":", 2)
        i = tarfile.TarInfo(name)
        i.mtime = 1700000000
        data = b""
        if kind == "f":
            data = (rest[0] if rest else "x").encode()
            i.size = len(data)
        elif kind == "d":
            i.type = tarfile.DIRTYPE
        else:
            i.type = tarfile.SYMTYPE if kind == "l" else tarfile.LNKTYPE
            i.linkname = rest[0]
        t.addfile(i, io.BytesIO(data))
PY
}
rc_is() { # WHAT CODE PATTERN: the last run exited CODE and its stderr matches PATTERN
	expect_eq "$1: exit code ($(head -c 300 "$err"))" "$2" "$rc"
	grep -q -- "$3" "$err" && pass || fail "$1: message lacks '$3': $(head -c 300 "$err")"
	[ "$(grep -c '^bakelens: ' "$err")" -ge 1 ] && pass || fail "$1: no 'bakelens:' line"
}

# Not a tar: random bytes in a layer declared gzip'd.
head -c 20000 /dev/urandom >junk
layout notar +gzip junk
run_bl "$out" "$err" ls notar
rc_is "not a tar" 4 "expected a tar"
run_bl "$out" "$err" check notar
rc_is "check: not a tar" 4 "expected a tar"

# Cut in the middle of a file's data (the digest is the cut blob's: the tar is at fault).
head -c 300000 /dev/urandom >big
tarof whole.tar f:small:hello
python3 -c '
import tarfile; t = tarfile.open("whole.tar", "a"); t.add("big", arcname="big"); t.close()'
head -c 150000 whole.tar >cut.tar
layout cut "" cut.tar
run_bl "$out" "$err" ls cut
rc_is "truncated mid-file" 4 'tar member "big"'
run_bl "$out" "$err" cat cut big
rc_is "cat of a truncated file" 4 "layer sha256:"
[ ! -s "$out" ] || [ "$(stat -c %s "$out")" -lt 300000 ] && pass || fail "cat of a cut file wrote it whole"

# A decompression bomb: 600 MiB of zeros in 20 KB of zstd. Refused early,
# in a fraction of the time decompressing it would take, in bounded memory.
truncate -s 600M zero
tar cf - zero | zstd -q -19 >bomb.tar.zst
rm zero
layout bomb +zstd bomb.tar.zst
s=$(date +%s%N)
if [ "${BL_SANITIZE:-none}" = none ] && [ -x /usr/bin/time ]; then
	/usr/bin/time -f %M -o rss "$BAKELENS" ls bomb >"$out" 2>"$err" && rc=0 || rc=$?
	[ "$(tail -1 rss)" -lt $((64 << 10)) ] && pass || fail "bomb: peak RSS $(tail -1 rss) KiB"
else
	run_bl "$out" "$err" ls bomb
fi
e=$(date +%s%N)
rc_is "decompression bomb" 4 "refused as a decompression bomb"
[ $(((e - s) / 1000000)) -lt 5000 ] && pass || fail "bomb: took $(((e - s) / 1000000)) ms"
run_bl "$out" "$err" check bomb
rc_is "check: decompression bomb" 4 "decompression bomb"

# ".." that climbs out of the root: refused naming the member; ".." inside
# the tree and absolute paths land where a runtime puts them.
tarof dotdot.tar f:ok:1 f:../evil:2
layout dotdot "" dotdot.tar
run_bl "$out" "$err" ls dotdot
rc_is "a member above the root" 4 'tar member "../evil": its path leaves the layer'"'"'s root'
tarof hl.tar f:ok:1 h:x:../../ok
layout hl "" hl.tar
run_bl "$out" "$err" ls hl
rc_is "a hard link above the root" 4 "its hard link target leaves"
tarof inside.tar d:a f:a/../b:bee f:/abs/x:abs f:./c/./d//e:cde
layout inside "" inside.tar
run_bl "$out" "$err" ls --json inside
expect_eq "paths resolved as a runtime does (exit $rc: $(head -c 200 "$err"))" "a abs/x b c/d/e" \
	"$(jq -r '[.[].path] | join(" ")' "$out")"
expect_eq "cat of a member named a/../b" bee "$("$BAKELENS" cat inside b)"
expect_eq "cat of a member named /abs/x" abs "$("$BAKELENS" cat inside /abs/x)"

# Symbolic link loops: listed as links; cat says it is a loop (exit 4).
tarof loop.tar l:a:b l:b:a l:self:self d:d l:d/up:../d f:d/f:inner
layout loop "" loop.tar
run_bl "$out" "$err" ls --tree loop
expect_eq "ls of link loops exits 0" 0 "$rc"
grep -q 'self -> self' "$out" && pass || fail "ls of link loops: $(cat "$out")"
for p in a b self; do
	run_bl "$out" "$err" cat loop "$p"
	rc_is "cat $p (a loop)" 4 "too many levels of symbolic links"
done
expect_eq "cat through a link that loops back to its directory" inner "$("$BAKELENS" cat loop d/up/up/up/f)"

# Many tiny entries: 300,000 in one layer, in bounded memory (the benchmark
# bench/layer-files.sh measures a million).
if [ "${BL_SANITIZE:-none}" = none ] && [ -x /usr/bin/time ]; then
	python3 "$BL_SRC/bench/make_many_layers.py" many 300000 1 >/dev/null
	/usr/bin/time -f %M -o rss "$BAKELENS" ls --layer 1 many >"$out" 2>"$err" && rc=0 || rc=$?
	expect_eq "300,000 entries: exit code ($(head -c 200 "$err"))" 0 "$rc"
	expect_eq "300,000 entries listed" 300000 "$(wc -l <"$out")"
	kib=$(tail -1 rss)
	[ "$kib" -lt $((300000 * 250 / 1024 + 16384)) ] && pass || fail "300,000 entries: peak RSS $kib KiB"
fi
finish
