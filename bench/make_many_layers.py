#!/usr/bin/env python3
"""An OCI layout whose layers hold many tiny entries, for bench/layer-files.sh.

usage: make_many_layers.py DIR ENTRIES LAYERS

Layer i (from 0) holds ENTRIES / LAYERS entries: directories of 1000 files
d<i>/<k>/f<n> of 1 to 64 bytes; from the second layer on, a tenth of the
previous layer's files are written again (dive's "wasted" paths) and one
directory of it is whited out. Each layer is a gzip'd ustar (GNU tar for the
headers would be slower to make); the layout has one manifest, tagged
"latest". Prints the layer digests, bottom first.
"""
import gzip
import hashlib
import json
import os
import sys
import tarfile

out, total, nlayers = sys.argv[1], int(sys.argv[2]), int(sys.argv[3])
per = total // nlayers
os.makedirs(f"{out}/blobs/sha256", exist_ok=True)


def blob(data):
    d = hashlib.sha256(data).hexdigest()
    with open(f"{out}/blobs/sha256/{d}", "wb") as f:
        f.write(data)
    return "sha256:" + d, len(data)


def header(name, size, kind=tarfile.REGTYPE):
    t = tarfile.TarInfo(name)
    t.size, t.type, t.mtime, t.mode = size, kind, 1700000000, 0o755 if kind == tarfile.DIRTYPE else 0o644
    return t.tobuf(format=tarfile.USTAR_FORMAT)


def pad(n):
    return b"\0" * ((512 - n % 512) % 512)


layers, diffs = [], []
for li in range(nlayers):
    tmp = f"{out}/layer.tmp"
    h = hashlib.sha256()
    with open(tmp, "wb") as raw:
        gz = gzip.GzipFile(fileobj=raw, mode="wb", compresslevel=1, mtime=0)

        def put(b):
            h.update(b)
            gz.write(b)

        n = 0
        if li > 0:
            put(header(f"d{li - 1}/0/.wh..wh..opq", 0))
            n += 1
            for k in range(0, per // 10):
                data = b"again %d\n" % k
                put(header(f"d{li - 1}/{1 + k // 1000}/f{k % 1000}", len(data)) + data + pad(len(data)))
                n += 1
        k = 0
        while n < per:
            if k % 1000 == 0:
                put(header(f"d{li}/{k // 1000}", 0, tarfile.DIRTYPE))
                n += 1
            data = (b"x" * (1 + k % 64))
            put(header(f"d{li}/{k // 1000}/f{k % 1000}", len(data)) + data + pad(len(data)))
            n += 1
            k += 1
        put(b"\0" * 1024)
        gz.close()
    d = hashlib.sha256(open(tmp, "rb").read()).hexdigest()
    os.rename(tmp, f"{out}/blobs/sha256/{d}")
    layers.append({"mediaType": "application/vnd.oci.image.layer.v1.tar+gzip",
                   "digest": "sha256:" + d, "size": os.path.getsize(f"{out}/blobs/sha256/{d}")})
    diffs.append("sha256:" + h.hexdigest())
    print("sha256:" + d)

cfg = json.dumps({"architecture": "amd64", "os": "linux",
                  "rootfs": {"type": "layers", "diff_ids": diffs}, "config": {}}).encode()
cd, cs = blob(cfg)
man = json.dumps({"schemaVersion": 2, "mediaType": "application/vnd.oci.image.manifest.v1+json",
                  "config": {"mediaType": "application/vnd.oci.image.config.v1+json", "digest": cd, "size": cs},
                  "layers": layers}).encode()
md, ms = blob(man)
with open(f"{out}/index.json", "w") as f:
    json.dump({"schemaVersion": 2, "manifests": [{"mediaType": "application/vnd.oci.image.manifest.v1+json",
               "digest": md, "size": ms, "annotations": {"org.opencontainers.image.ref.name": "latest"}}]}, f)
with open(f"{out}/oci-layout", "w") as f:
    f.write('{"imageLayoutVersion": "1.0.0"}')
