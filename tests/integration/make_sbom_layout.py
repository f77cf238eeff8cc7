#!/usr/bin/env python3
"""Write an OCI layout whose index holds one image per platform and, beside
each, a BuildKit attestation manifest carrying an SBOM statement (SPDX 2.3 or
CycloneDX JSON), every blob named by the sha256 hashlib computes.

usage: make_sbom_layout.py OUT FORMAT PLATFORM=PKGS... [--filler N] [--no-sbom]
  FORMAT    spdx | cyclonedx
  PLATFORM  amd64, arm64 ... (linux)
  PKGS      name@version,name@version (apk packages; empty for none)
  --filler N  N more packages (filler-0 .. filler-N-1, version 1.0) per SBOM
  --no-sbom   the same images without attestation manifests
Prints nothing; the layout's tag is "latest". Images depend only on the
platform, so two layouts made with different packages differ only in their
SBOMs."""
import gzip
import hashlib
import io
import json
import os
import sys
import tarfile


def put(out, data):
    if isinstance(data, (dict, list)):
        data = json.dumps(data, separators=(",", ":")).encode()
    h = hashlib.sha256(data).hexdigest()
    with open(os.path.join(out, "blobs", "sha256", h), "wb") as f:
        f.write(data)
    return {"digest": "sha256:" + h, "size": len(data)}


def layer(arch):
    raw = io.BytesIO()
    with tarfile.open(fileobj=raw, mode="w", format=tarfile.PAX_FORMAT) as t:
        body = ("built for %s\n" % arch).encode()
        ti = tarfile.TarInfo("etc/arch")
        ti.size, ti.mtime, ti.mode = len(body), 0, 0o644
        t.addfile(ti, io.BytesIO(body))
    tar = raw.getvalue()
    gz = io.BytesIO()
    with gzip.GzipFile(fileobj=gz, mode="wb", mtime=0) as g:
        g.write(tar)
    return tar, gz.getvalue()


def packages(spec, filler):
    pk = []
    for item in filter(None, spec.split(",")):
        name, _, ver = item.partition("@")
        pk.append((name, ver))
    pk += [("filler-%d" % i, "1.0") for i in range(filler)]
    return pk


def sbom(fmt, pk, subject):
    if fmt == "spdx":
        pred = {
            "spdxVersion": "SPDX-2.3", "SPDXID": "SPDXRef-DOCUMENT", "name": "sbom",
            "dataLicense": "CC0-1.0",
            "documentNamespace": "https://example.invalid/sbom",
            "creationInfo": {"created": "2024-01-01T00:00:00Z", "creators": ["Tool: test"]},
            "packages": [{
                "SPDXID": "SPDXRef-Package-%d" % i, "name": n, "versionInfo": v,
                "downloadLocation": "NOASSERTION",
                "externalRefs": [{"referenceCategory": "PACKAGE-MANAGER",
                                  "referenceType": "purl",
                                  "referenceLocator": "pkg:apk/alpine/%s@%s" % (n, v)}],
            } for i, (n, v) in enumerate(pk)],
        }
        pt = "https://spdx.dev/Document"
    else:
        pred = {"bomFormat": "CycloneDX", "specVersion": "1.5", "version": 1,
                "components": [{"type": "library", "name": n, "version": v,
                                "purl": "pkg:apk/alpine/%s@%s" % (n, v)} for n, v in pk]}
        pt = "https://cyclonedx.org/bom"
    st = {"_type": "https://in-toto.io/Statement/v0.1", "predicateType": pt,
          "subject": [{"name": "pkg:docker/test@latest",
                       "digest": {"sha256": subject.split(":")[1]}}],
          "predicate": pred}
    return st, pt


def main():
    args = sys.argv[1:]
    filler, with_sbom = 0, True
    if "--filler" in args:
        i = args.index("--filler")
        filler = int(args[i + 1])
        del args[i:i + 2]
    if "--no-sbom" in args:
        args.remove("--no-sbom")
        with_sbom = False
    out, fmt, plats = args[0], args[1], args[2:]
    os.makedirs(os.path.join(out, "blobs", "sha256"), exist_ok=True)
    with open(os.path.join(out, "oci-layout"), "w") as f:
        f.write('{"imageLayoutVersion":"1.0.0"}')
    empty = put(out, b"{}")
    images, atts = [], []
    for p in plats:
        arch, _, spec = p.partition("=")
        tar, gz = layer(arch)
        ld = put(out, gz)
        cfg = put(out, {"architecture": arch, "os": "linux",
                        "config": {"Cmd": ["/bin/true"]},
                        "rootfs": {"type": "layers",
                                   "diff_ids": ["sha256:" + hashlib.sha256(tar).hexdigest()]},
                        "history": [{"created_by": "COPY arch /etc/arch"}]})
        man = put(out, {"schemaVersion": 2,
                        "mediaType": "application/vnd.oci.image.manifest.v1+json",
                        "config": dict(mediaType="application/vnd.oci.image.config.v1+json", **cfg),
                        "layers": [dict(mediaType="application/vnd.oci.image.layer.v1.tar+gzip",
                                        **ld)]})
        images.append(dict(mediaType="application/vnd.oci.image.manifest.v1+json",
                           platform={"os": "linux", "architecture": arch}, **man))
        if not with_sbom:
            continue
        st, pt = sbom(fmt, packages(spec, filler), man["digest"])
        sd = put(out, st)
        att = put(out, {"schemaVersion": 2,
                        "mediaType": "application/vnd.oci.image.manifest.v1+json",
                        "artifactType": "application/vnd.docker.attestation.manifest.v1+json",
                        "config": dict(mediaType="application/vnd.oci.empty.v1+json", **empty),
                        "layers": [dict(mediaType="application/vnd.in-toto+json",
                                        annotations={"in-toto.io/predicate-type": pt}, **sd)],
                        "subject": dict(mediaType="application/vnd.oci.image.manifest.v1+json",
                                        **man)})
        atts.append(dict(mediaType="application/vnd.oci.image.manifest.v1+json",
                         platform={"os": "unknown", "architecture": "unknown"},
                         annotations={"vnd.docker.reference.type": "attestation-manifest",
                                      "vnd.docker.reference.digest": man["digest"]}, **att))
    idx = put(out, {"schemaVersion": 2,
                    "mediaType": "application/vnd.oci.image.index.v1+json",
                    "manifests": images + atts})
    with open(os.path.join(out, "index.json"), "w") as f:
        json.dump({"schemaVersion": 2,
                   "mediaType": "application/vnd.oci.image.index.v1+json",
                   "manifests": [dict(mediaType="application/vnd.oci.image.index.v1+json",
                                      annotations={"org.opencontainers.image.ref.name": "latest"},
                                      **idx)]}, f)


if __name__ == "__main__":
    main()
