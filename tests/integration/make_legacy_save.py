#!/usr/bin/env python3
"""Writes a `docker save` archive in the legacy layout (Docker before 25):
each layer a member `<v1 id>/layer.tar` named by an ID that is no digest of
its bytes, beside `<v1 id>/VERSION` and `<v1 id>/json`, then the config
`<hex>.json`, `manifest.json` and `repositories`, in the order Docker
writes them. Layer 1 holds /a and /d/x, layer 2 /b and a whiteout of /d/x.
Prints the config's digest, then each layer's diff_id (sha256 of its tar,
computed here with hashlib), one a line.

Usage: make_legacy_save.py OUT.tar NAME:TAG"""
import hashlib
import io
import json
import sys
import tarfile


def tar_of(files):
    buf = io.BytesIO()
    with tarfile.open(fileobj=buf, mode="w", format=tarfile.USTAR_FORMAT) as t:
        for name, data in files:
            if data is None:
                info = tarfile.TarInfo(name)
                info.type = tarfile.DIRTYPE
                info.mode = 0o755
                t.addfile(info)
                continue
            info = tarfile.TarInfo(name)
            info.size = len(data)
            info.mode = 0o644
            info.mtime = 1700000000
            t.addfile(info, io.BytesIO(data))
    return buf.getvalue()


def member(t, name, data):
    info = tarfile.TarInfo(name)
    info.size = len(data)
    info.mode = 0o644
    t.addfile(info, io.BytesIO(data))


def main():
    out, tag = sys.argv[1], sys.argv[2]
    layers = [
        tar_of([("a", b"layer one\n"), ("d", None), ("d/x", b"x" * 3000)]),
        tar_of([("b", b"layer two\n"), ("d", None), ("d/.wh.x", b"")]),
    ]
    diffs = ["sha256:" + hashlib.sha256(l).hexdigest() for l in layers]
    config = json.dumps({
        "architecture": "amd64", "os": "linux",
        "config": {"Cmd": ["/b"]},
        "rootfs": {"type": "layers", "diff_ids": diffs},
        "history": [{"created_by": "one"}, {"created_by": "two"}],
    }, separators=(",", ":")).encode()
    cfg_hex = hashlib.sha256(config).hexdigest()
    # v1 IDs: names only, as Docker made them (not the layers' digests).
    ids = [hashlib.sha256(b"v1 id %d" % i).hexdigest() for i in range(len(layers))]
    with tarfile.open(out, mode="w", format=tarfile.USTAR_FORMAT) as t:
        for i, (lid, data) in enumerate(zip(ids, layers)):
            member(t, lid + "/VERSION", b"1.0")
            v1 = {"id": lid}
            if i:
                v1["parent"] = ids[i - 1]
            member(t, lid + "/json", json.dumps(v1).encode())
            member(t, lid + "/layer.tar", data)
        member(t, cfg_hex + ".json", config)
        manifest = [{"Config": cfg_hex + ".json", "RepoTags": [tag],
                     "Layers": [lid + "/layer.tar" for lid in ids]}]
        member(t, "manifest.json", json.dumps(manifest).encode())
        repo, _, version = tag.rpartition(":")
        member(t, "repositories", json.dumps({repo: {version: ids[-1]}}).encode())
    print("sha256:" + cfg_hex)
    for d in diffs:
        print(d)


if __name__ == "__main__":
    main()
