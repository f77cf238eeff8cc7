#!/usr/bin/env python3
"""Writes an OCI layout holding one image whose one layer is an eStargz or a
zstd:chunked blob, built to the formats' published layouts with python3's
gzip/zlib/tarfile and the zstd command (Debian 12's python3 has no zstd
module, and its skopeo 1.9.3 never finishes a zstd:chunked copy).

usage: make_toc_layer.py FORMAT SRC_DIR LAYOUT_DIR [CHUNK_BYTES]

FORMAT: estargz; zstd (the manifest-position annotation, current prefix);
zstd-old (the io.containers.zstd-chunked. prefix and the older 40-byte footer);
zstd-footer (only the manifest-checksum annotation: the position comes from the
64-byte footer). Files of SRC_DIR become the layer, in sorted order, with
their modes, uids, gids and whole-second mtimes; regular files larger than
CHUNK_BYTES (default 1 MiB) are cut into chunks.

The layout gets tags "toc" (the layer with its annotations), "plain" (the
same blob without them) and "badtoc" (the TOC digest annotation of another
document). Prints the layer's digest."""
import hashlib
import io
import json
import os
import struct
import subprocess
import sys
import tarfile
import time
import zlib

fmt, src, out = sys.argv[1:4]
chunk_bytes = int(sys.argv[4]) if len(sys.argv) > 4 else 1 << 20


def sha(b):
    return "sha256:" + hashlib.sha256(b).hexdigest()


def rfc3339(t):
    return time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime(t))


def members():
    """(TarInfo, payload bytes or None) in the layer's order."""
    paths = []
    for root, dirs, files in os.walk(src):
        dirs.sort()
        for n in sorted(dirs + files):
            paths.append(os.path.join(root, n))
    paths.sort()
    seen = {}
    for p in paths:
        rel = os.path.relpath(p, src)
        st = os.lstat(p)
        ti = tarfile.TarInfo(rel)
        ti.mode = st.st_mode & 0o7777
        ti.uid, ti.gid = st.st_uid, st.st_gid
        ti.mtime = int(st.st_mtime)
        data = None
        if os.path.islink(p):
            ti.type = tarfile.SYMTYPE
            ti.linkname = os.readlink(p)
        elif os.path.isdir(p):
            ti.type = tarfile.DIRTYPE
        elif (st.st_dev, st.st_ino) in seen:
            ti.type = tarfile.LNKTYPE
            ti.linkname = seen[(st.st_dev, st.st_ino)]
        else:
            seen[(st.st_dev, st.st_ino)] = rel
            with open(p, "rb") as f:
                data = f.read()
            ti.size = len(data)
        yield ti, data


TYPES = {tarfile.REGTYPE: "reg", tarfile.DIRTYPE: "dir", tarfile.SYMTYPE: "symlink",
         tarfile.LNKTYPE: "hardlink"}


def toc_entry(ti):
    e = {"name": ti.name, "type": TYPES[ti.type], "mode": ti.mode, "uid": ti.uid,
         "gid": ti.gid, "modtime": rfc3339(ti.mtime)}
    if ti.type in (tarfile.SYMTYPE, tarfile.LNKTYPE):
        e["linkName"] = ti.linkname
    if ti.type == tarfile.REGTYPE:
        e["size"] = ti.size
    return e


def pad(n):
    return b"\0" * ((512 - n % 512) % 512)


def gz_member(data):
    c = zlib.compressobj(6, zlib.DEFLATED, 31)
    return c.compress(data) + c.flush()


def zstd_frame(data):
    return subprocess.run(["zstd", "-q", "-c", "-3"], input=data, stdout=subprocess.PIPE,
                          check=True).stdout


def build(compress):
    """blob, uncompressed tar, TOC entries: each member's tar header goes
    into the frame that is open, each chunk of a payload starts its own."""
    blob = bytearray()
    plain = bytearray()
    pending = bytearray()
    entries = []

    def flush():
        nonlocal pending
        if pending:
            blob.extend(compress(bytes(pending)))
            plain.extend(pending)
            pending = bytearray()

    for ti, data in members():
        pending += ti.tobuf(format=tarfile.PAX_FORMAT)
        e = toc_entry(ti)
        if not data:
            entries.append(e)
            continue
        e["digest"] = sha(data)
        flush()
        chunks = [data[i:i + chunk_bytes] for i in range(0, len(data), chunk_bytes)]
        first = e
        for i, c in enumerate(chunks):
            ce = e if i == 0 else {"name": ti.name, "type": "chunk"}
            ce["offset"] = len(blob)
            ce["chunkOffset"] = i * chunk_bytes
            if len(chunks) > 1:
                ce["chunkSize"] = len(c)
            ce["chunkDigest"] = sha(c)
            entries.append(ce)
            blob.extend(compress(c))
            plain.extend(c)
        first["endOffset"] = len(blob)
        if fmt == "estargz":
            first.pop("endOffset")
        pending += pad(len(data))
    pending += b"\0" * 1024  # the tar's end marker
    flush()
    return blob, bytes(plain), entries


annotations = {}
if fmt == "estargz":
    blob, plain, entries = build(gz_member)
    toc = json.dumps({"version": 1, "entries": entries}).encode()
    ti = tarfile.TarInfo("stargz.index.json")
    ti.size = len(toc)
    tb = io.BytesIO()
    with tarfile.open(fileobj=tb, mode="w", format=tarfile.GNU_FORMAT) as t:
        t.addfile(ti, io.BytesIO(toc))
    toc_off = len(blob)
    blob.extend(gz_member(tb.getvalue()))
    extra = b"SG" + struct.pack("<H", 22) + (b"%016x" % toc_off) + b"STARGZ"
    footer = (b"\x1f\x8b\x08\x04\0\0\0\0\0\xff" + struct.pack("<H", len(extra)) + extra +
              b"\x01\x00\x00\xff\xff" + b"\0" * 8)
    assert len(footer) == 51
    blob.extend(footer)
    annotations["containerd.io/snapshot/stargz/toc.digest"] = sha(toc)
    media = "application/vnd.oci.image.layer.v1.tar+gzip"
else:
    blob, plain, entries = build(zstd_frame)
    toc = json.dumps({"version": 1, "entries": entries}).encode()
    z = zstd_frame(toc)
    blob.extend(b"\x50\x2a\x4d\x18" + struct.pack("<I", len(z)))
    off = len(blob)
    blob.extend(z)
    if fmt == "zstd-old":
        payload = struct.pack("<QQQQ", off, len(z), len(toc), 1) + b"GnUlInUx"
    else:
        payload = struct.pack("<QQQQQQQ", off, len(z), len(toc), 1, 0, 0, 0) + b"GNUlInUx"
    blob.extend(b"\x50\x2a\x4d\x18" + struct.pack("<I", len(payload)) + payload)
    prefix = "io.containers.zstd-chunked." if fmt == "zstd-old" else \
        "io.github.containers.zstd-chunked."
    annotations[prefix + "manifest-checksum"] = sha(z)
    if fmt != "zstd-footer":
        annotations[prefix + "manifest-position"] = "%d:%d:%d:1" % (off, len(z), len(toc))
    media = "application/vnd.oci.image.layer.v1.tar+zstd"

blob = bytes(blob)
os.makedirs(os.path.join(out, "blobs", "sha256"), exist_ok=True)


def put(b):
    d = sha(b)
    with open(os.path.join(out, "blobs", "sha256", d[7:]), "wb") as f:
        f.write(b)
    return d


layer = put(blob)
config = json.dumps({"architecture": "amd64", "os": "linux",
                     "rootfs": {"type": "layers", "diff_ids": [sha(plain)]},
                     "config": {}}).encode()
cdig = put(config)
index = []
for tag, ann in (("toc", annotations), ("plain", {}),
                 ("badtoc", {k: (sha(b"another document") if "digest" in k or "checksum" in k
                                 else v) for k, v in annotations.items()})):
    ld = {"mediaType": media, "digest": layer, "size": len(blob)}
    if ann:
        ld["annotations"] = ann
    man = json.dumps({"schemaVersion": 2, "mediaType": "application/vnd.oci.image.manifest.v1+json",
                      "config": {"mediaType": "application/vnd.oci.image.config.v1+json",
                                 "digest": cdig, "size": len(config)},
                      "layers": [ld]}).encode()
    index.append({"mediaType": "application/vnd.oci.image.manifest.v1+json", "digest": put(man),
                  "size": len(man), "annotations": {"org.opencontainers.image.ref.name": tag}})
with open(os.path.join(out, "index.json"), "w") as f:
    json.dump({"schemaVersion": 2, "manifests": index}, f)
with open(os.path.join(out, "oci-layout"), "w") as f:
    json.dump({"imageLayoutVersion": "1.0.0"}, f)
print(layer)
