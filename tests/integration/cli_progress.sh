#!/usr/bin/env bash
# Progress on the command line: a source slower than a blink (a ~64 MiB OCI
# tar streamed through a FIFO at ~24 MB/s) gets a progress line on stderr when
# stderr is a terminal (a pty, through script(1)), rewritten in place and
# erased before the answer; nothing when stderr is a file, or with --quiet.
# The answer is checked against a digest computed here (python3 hashlib).
. "$BL_TESTLIB"
need_tool python3 script
cd "$BL_TMP"

cat >mkslow.py <<'PY'
import hashlib, io, json, os, sys, tarfile, time
out, rate = sys.argv[1], float(sys.argv[2])
SIZE = 64 << 20
layer = bytes(SIZE)
lt = io.BytesIO()
with tarfile.open(fileobj=lt, mode="w") as t:
    ti = tarfile.TarInfo("zeros"); ti.size = SIZE; t.addfile(ti, io.BytesIO(layer))
layer_tar = lt.getvalue()
diff = "sha256:" + hashlib.sha256(layer_tar).hexdigest()
if out == "-":
    print(diff)
    sys.exit(0)
def blob(b):
    return "sha256:" + hashlib.sha256(b).hexdigest(), b
cfgd, cfg = blob(json.dumps({"architecture": "amd64", "os": "linux",
    "rootfs": {"type": "layers", "diff_ids": [diff]}}).encode())
mand, man = blob(json.dumps({"schemaVersion": 2, "mediaType": "application/vnd.oci.image.manifest.v1+json",
    "config": {"mediaType": "application/vnd.oci.image.config.v1+json", "digest": cfgd, "size": len(cfg)},
    "layers": [{"mediaType": "application/vnd.oci.image.layer.v1.tar", "digest": diff, "size": len(layer_tar)}]}).encode())
index = json.dumps({"schemaVersion": 2, "manifests": [{"mediaType": "application/vnd.oci.image.manifest.v1+json",
    "digest": mand, "size": len(man), "annotations": {"org.opencontainers.image.ref.name": "slow"}}]}).encode()
buf = io.BytesIO()
with tarfile.open(fileobj=buf, mode="w") as t:
    for name, data in [("blobs/sha256/" + diff[7:], layer_tar), ("blobs/sha256/" + cfgd[7:], cfg),
                       ("blobs/sha256/" + mand[7:], man), ("index.json", index),
                       ("oci-layout", b'{"imageLayoutVersion":"1.0.0"}')]:
        ti = tarfile.TarInfo(name); ti.size = len(data); t.addfile(ti, io.BytesIO(data))
data = buf.getvalue()
t0 = time.time()
try:
    with open(out, "wb") as f:
        for i in range(0, len(data), 1 << 20):
            f.write(data[i:i + (1 << 20)])
            ahead = (i + (1 << 20)) / rate - (time.time() - t0)
            if ahead > 0:
                time.sleep(ahead)
except (BrokenPipeError, OSError):
    pass
PY
want=$(python3 mkslow.py - 0)
feeder=
feed() {
	rm -f slow.tar
	mkfifo slow.tar
	python3 mkslow.py slow.tar 24000000 &
	feeder=$!
}
trap 'if [ -n "$feeder" ]; then kill "$feeder" 2>/dev/null || true; fi; bl_cleanup' EXIT

# stderr a terminal: the progress line, then the answer on a clean line
feed
script -qec "'$BAKELENS' digest slow.tar --what chain-id" /dev/null </dev/null >tty.out || true
wait "$feeder" 2>/dev/null
expect_eq "terminal: a progress line while streaming" yes \
	"$(grep -aq 'bakelens: indexing archive [0-9.]* [KMG]iB' tty.out && echo yes || echo no)"
expect_eq "terminal: the line is rewritten in place and erased" yes \
	"$(grep -aq $'\r\e\\[K' tty.out && echo yes || echo no)"
expect_eq "terminal: the answer after it" "$want" "$(tr -d '\r' <tty.out | sed 's/\x1b\[K//g' | grep -ao 'sha256:[0-9a-f]\{64\}$' | tail -1)"

# stderr a file: nothing but the answer
feed
run_bl out err digest slow.tar --what chain-id
wait "$feeder" 2>/dev/null
expect_eq "pipe: exit" 0 "$rc"
expect_eq "pipe: the answer" "$want" "$(cat out)"
expect_eq "pipe: no progress on stderr" "" "$(cat err)"

# --quiet on a terminal: no progress either
feed
script -qec "'$BAKELENS' digest --quiet slow.tar --what chain-id" /dev/null </dev/null >quiet.out || true
wait "$feeder" 2>/dev/null
expect_eq "--quiet: no progress" no "$(grep -aq 'indexing archive' quiet.out && echo yes || echo no)"
expect_eq "--quiet: the answer" "$want" "$(tr -d '\r' <quiet.out | grep -ao 'sha256:[0-9a-f]\{64\}' | tail -1)"
finish
