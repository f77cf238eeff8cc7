#!/usr/bin/env python3
"""Push blobs and one manifest to a registry on 127.0.0.1 (no auth), as the
signature tests need: cosign-shaped manifests and OCI 1.1 referrers.

usage: push_artifact.py HOST:PORT REPO REF MANIFEST.json [BLOB...]
Each BLOB file is uploaded (monolithic POST + PUT) under its sha256; the
manifest is PUT under REF (a tag or a digest) with its own mediaType as the
Content-Type. Prints the manifest's digest (sha256 of the bytes sent)."""
import hashlib
import json
import sys
import urllib.request


def req(method, url, data=None, ctype=None):
    r = urllib.request.Request(url, data=data, method=method)
    if ctype:
        r.add_header("Content-Type", ctype)
    return urllib.request.urlopen(r)


def main():
    host, repo, ref, manifest = sys.argv[1:5]
    base = "http://%s/v2/%s" % (host, repo)
    for path in sys.argv[5:]:
        data = open(path, "rb").read()
        d = "sha256:" + hashlib.sha256(data).hexdigest()
        loc = req("POST", base + "/blobs/uploads/").headers["Location"]
        if loc.startswith("/"):
            loc = "http://%s%s" % (host, loc)
        sep = "&" if "?" in loc else "?"
        req("PUT", loc + sep + "digest=" + d, data, "application/octet-stream")
    body = open(manifest, "rb").read()
    mt = json.loads(body)["mediaType"]
    req("PUT", base + "/manifests/" + ref, body, mt)
    print("sha256:" + hashlib.sha256(body).hexdigest())


main()
