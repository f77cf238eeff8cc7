#!/usr/bin/env python3
"""Write an OCI layout of a bake build for the benchmarks: N targets, each an
index of one linux/amd64 image (its own, as distinct targets build distinct
images) and, unless --no-attestations, a BuildKit attestation manifest with a
mode=max SLSA v1 provenance statement (tests/integration/make_prov_layout.py's)
and, with --sbom-fill K, an SPDX 2.3 statement of K filler packages plus musl
at --musl (make_sbom_layout.py's; about 240 bytes a package: 4,500 make
~1 MB).

  make_attest_build.py DIR [--targets N] [--version V] [--sbom-fill K]
                           [--musl VERSION] [--no-attestations]
                           [--sbom-subject-fixed]

Two layouts made with different --version differ in every image's layer 2
and in the provenance's build argument; with different --musl, in every
SBOM by one package version. BuildKit's SBOM names the image by digest, so
an image that changes changes its SBOM's bytes; --sbom-subject-fixed names
one digest for all, so that equal package lists give byte-identical statements (the case
where a diff need not read them). Every digest is computed here with
hashlib."""
import argparse
import json
import os
import sys

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "tests",
                                "integration"))
import make_prov_layout as prov  # noqa: E402
import make_sbom_layout as sbom  # noqa: E402


def put(root, data):
    if isinstance(data, (dict, list)):
        data = json.dumps(data, separators=(",", ":"))
    return prov.blob(root, data)


def layer(name, content):
    return prov.layer([(name, content)])


def spdx(a, subject):
    if a.sbom_subject_fixed:
        subject = "sha256:" + "0" * 64
    pk = [("musl", a.musl)] + [("filler-%d" % i, "1.0") for i in range(a.sbom_fill)]
    return sbom.sbom("spdx", pk, subject)[0]


def target(root, a, name):
    files = [
        layer("etc/alpine-release", ("alpine " + a.base_digest + "\n").encode()),
        layer("version", (a.run_line + " " + a.version + "\n").encode()),
        layer("app/app.txt", ("app " + name + " at " + a.commit + "\n").encode()),
    ]
    layers = [put(root, gz) for gz, _ in files]
    history = [
        {"created": prov.FIXED_TIME_START, "created_by": "/bin/sh -c #(nop) ADD file:abc in / "},
        {"created": prov.FIXED_TIME_START, "created_by": "ARG VERSION=" + a.version,
         "empty_layer": True},
        {"created": prov.FIXED_TIME_START, "created_by": a.run_line + " # buildkit"},
        {"created": prov.FIXED_TIME_START, "created_by": "COPY app.txt /app/ # buildkit"},
    ]
    cd, cs = put(root, {"architecture": "amd64", "os": "linux", "created": prov.FIXED_TIME_START,
                        "config": {"Env": ["PATH=/usr/bin:/bin"]},
                        "rootfs": {"type": "layers", "diff_ids": [d for _, d in files]},
                        "history": history})
    md, ms = put(root, {"schemaVersion": 2,
                        "mediaType": "application/vnd.oci.image.manifest.v1+json",
                        "config": {"mediaType": "application/vnd.oci.image.config.v1+json",
                                   "digest": cd, "size": cs},
                        "layers": [{"mediaType": "application/vnd.oci.image.layer.v1.tar+gzip",
                                    "digest": d, "size": s} for d, s in layers]})
    entries = [{"mediaType": "application/vnd.oci.image.manifest.v1+json", "digest": md,
                "size": ms, "platform": {"architecture": "amd64", "os": "linux"}}]
    if not a.no_attestations:
        pt, st = prov.statement(a, name, layers, 0)
        st["subject"][0]["digest"]["sha256"] = md[7:]
        statements = [(pt, put(root, st))]
        if a.sbom_fill:
            statements.append(("https://spdx.dev/Document", put(root, spdx(a, md))))
        acd, acs = put(root, {"architecture": "unknown", "os": "unknown", "config": {},
                              "rootfs": {"type": "layers",
                                         "diff_ids": [d for _, (d, _) in statements]}})
        ad, as_ = put(root, {
            "schemaVersion": 2, "mediaType": "application/vnd.oci.image.manifest.v1+json",
            "config": {"mediaType": "application/vnd.oci.image.config.v1+json",
                       "digest": acd, "size": acs},
            "layers": [{"mediaType": "application/vnd.in-toto+json", "digest": d, "size": s,
                        "annotations": {"in-toto.io/predicate-type": t}}
                       for t, (d, s) in statements]})
        entries.append({"mediaType": "application/vnd.oci.image.manifest.v1+json",
                        "digest": ad, "size": as_,
                        "platform": {"architecture": "unknown", "os": "unknown"},
                        "annotations": {"vnd.docker.reference.type": "attestation-manifest",
                                        "vnd.docker.reference.digest": md}})
    xd, xs = put(root, {"schemaVersion": 2,
                        "mediaType": "application/vnd.oci.image.index.v1+json",
                        "manifests": entries})
    return {"mediaType": "application/vnd.oci.image.index.v1+json", "digest": xd, "size": xs,
            "annotations": {"org.opencontainers.image.ref.name": name}}


def main():
    p = argparse.ArgumentParser()
    p.add_argument("dir")
    p.add_argument("--targets", type=int, default=20)
    p.add_argument("--version", default="1.2")
    p.add_argument("--sbom-fill", type=int, default=0)
    p.add_argument("--musl", default="1.2.4")
    p.add_argument("--no-attestations", action="store_true")
    p.add_argument("--sbom-subject-fixed", action="store_true")
    a = p.parse_args()
    # the provenance's other inputs, as make_prov_layout.py's defaults
    a.base_digest = "4b7ce07002c69e8f3d704a9c5d6fd3053be500b7f1c69fc0d80990c2ad8dd412"
    a.commit = "bdb96fcfe8cc9e3a54800bc2537a4d4a14f0c5fe"
    a.run_line = 'RUN echo "version ${VERSION}" > /version'
    a.slsa, a.mode, a.secret, a.local = "v1", "max", "GIT_AUTH_TOKEN", False
    a.builder_platform, a.dockerfile_path = "linux/amd64", "Dockerfile"
    a.app_text = a.run_output = None
    a.pad_steps = 0
    os.makedirs(os.path.join(a.dir, "blobs", "sha256"), exist_ok=True)
    with open(os.path.join(a.dir, "oci-layout"), "w") as f:
        f.write('{"imageLayoutVersion":"1.0.0"}')
    roots = [target(a.dir, a, "app%d" % t) for t in range(a.targets)]
    with open(os.path.join(a.dir, "index.json"), "w") as f:
        json.dump({"schemaVersion": 2, "manifests": roots}, f)


if __name__ == "__main__":
    sys.exit(main())
