#!/usr/bin/env python3
"""Write an OCI layout of one linux/amd64 image as BuildKit exports it: the
image manifest, and an attestation manifest beside it whose layer is an
in-toto statement carrying SLSA provenance shaped like BuildKit's mode=max
(resolved dependencies, request args, configSource, builder platform, the
LLB steps, their source locations, the Dockerfile, the step -> layer map).

Each input is an option, so that two layouts can differ in exactly one:

  make_prov_layout.py DIR [--base-digest HEX] [--version V] [--commit HEX]
                          [--run-line TEXT] [--slsa v1|v0.2] [--mode max|min]
                          [--targets N] [--secret ID] [--builder-platform P]
                          [--dockerfile-path PATH] [--no-attestations]
                          [--local] [--app-text TEXT] [--run-output TEXT]

Digests are computed here with hashlib; layer tars are gzip with mtime 0.
--targets N writes N images (platforms linux/amd64 only, distinct names)
into one index, for the benchmark. Prints the image manifest digests.
"""
import argparse
import base64
import gzip
import hashlib
import io
import json
import os
import sys
import tarfile

FIXED_TIME_START = "2026-01-02T03:04:05.000000000Z"
FIXED_TIME_END = "2026-01-02T03:04:09.000000000Z"


def blob(root, data):
    if isinstance(data, str):
        data = data.encode()
    d = hashlib.sha256(data).hexdigest()
    path = os.path.join(root, "blobs", "sha256", d)
    with open(path, "wb") as f:
        f.write(data)
    return "sha256:" + d, len(data)


def layer(files):
    raw = io.BytesIO()
    with tarfile.open(fileobj=raw, mode="w", format=tarfile.PAX_FORMAT) as t:
        for name, content in files:
            ti = tarfile.TarInfo(name)
            ti.size = len(content)
            ti.mtime = 0
            ti.mode = 0o644
            t.addfile(ti, io.BytesIO(content))
    tar = raw.getvalue()
    gz = io.BytesIO()
    with gzip.GzipFile(fileobj=gz, mode="wb", mtime=0) as g:
        g.write(tar)
    return gz.getvalue(), "sha256:" + hashlib.sha256(tar).hexdigest()


def dockerfile(run_line):
    return ("FROM alpine\n"
            "ARG VERSION\n"
            "WORKDIR /\n"
            + run_line + "\n"
            "COPY app.txt /app/\n")


def statement(a, subject, layers, extra_pad=0):
    base = "docker.io/library/alpine:latest@sha256:" + a.base_digest
    git = "https://github.com/example/app.git"
    df = dockerfile(a.run_line)
    steps = [
        {"id": "step0", "op": {"Op": {"source": {"identifier": "docker-image://" + base}},
                               "platform": {"Architecture": "amd64", "OS": "linux"},
                               "constraints": {}}},
        {"id": "step1", "inputs": ["step0:0"],
         "op": {"Op": {"exec": {"meta": {
             "args": ["/bin/sh", "-c", a.run_line[len("RUN "):]],
             "env": ["PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin",
                     "VERSION=" + a.version],
             "cwd": "/"}, "mounts": [{"dest": "/"}]}},
             "platform": {"Architecture": "amd64", "OS": "linux"}, "constraints": {}}},
        {"id": "step2", "op": {"Op": {"source": {
            "identifier": "local://context" if a.local else
            "git://github.com/example/app.git#" + a.commit}}, "constraints": {}}},
        {"id": "step3", "inputs": ["step1:0", "step2:0"],
         "op": {"Op": {"file": {"actions": [{"Action": {"copy": {
             "src": "/app.txt", "dest": "/app/", "mode": -1, "timestamp": -1}},
             "input": 0, "secondaryInput": 1, "output": 0}]}}, "constraints": {}}},
        {"id": "step4", "inputs": ["step3:0"], "op": {"Op": {}}},
    ]
    for i in range(extra_pad):
        steps.append({"id": "pad%d" % i, "op": {"Op": {"exec": {"meta": {
            "args": ["/bin/true"], "env": ["X=%d" % i]}}}}})
    loc = lambda line: {"locations": [{"ranges": [{"start": {"line": line},
                                                   "end": {"line": line}}]}]}
    chain = lambda n: [[{"mediaType": "application/vnd.oci.image.layer.v1.tar+gzip",
                         "digest": d, "size": s} for d, s in layers[:n]]]
    ext = {
        "source": {"locations": {"step0": loc(1), "step1": loc(4), "step3": loc(5)},
                   "infos": [{"filename": "Dockerfile", "language": "Dockerfile",
                              "data": base64.b64encode(df.encode()).decode()}]},
        "layers": {"step0:0": chain(1), "step1:0": chain(2), "step3:0": chain(3),
                   "step4:0": chain(3)},
    }
    deps = [
        {"uri": "pkg:docker/alpine@latest?platform=linux%2Famd64",
         "digest": {"sha256": a.base_digest}},
        {"uri": git + "#" + a.commit, "digest": {"sha1": a.commit}},
    ]
    args = {"build-arg:VERSION": a.version, "target": "app"}
    secrets = [{"id": a.secret, "optional": True}]
    source = {"uri": git + "#" + a.commit, "digest": {"sha1": a.commit}}
    if a.local:
        # A local context: no URI or digest; buildx's git hints in vcs.
        source = {}
        deps = deps[:1]
        ext.setdefault("vcs", {"source": git, "revision": a.commit})
    llb = {"llbDefinition": steps, "digestMapping": {}}
    if a.mode == "min":
        args = {}
        secrets = []
        ext = {k: v for k, v in ext.items() if k == "vcs"}
    if a.slsa == "v1":
        req = {"frontend": "dockerfile.v0", "args": args, "secrets": secrets,
               "locals": []}
        ip = {"builderPlatform": a.builder_platform}
        if a.mode == "max":
            ip["buildConfig"] = llb
        md = {"invocationID": "fixedinvocation", "startedOn": FIXED_TIME_START,
              "finishedOn": FIXED_TIME_END,
              "buildkit_completeness": {"request": a.mode == "max",
                                        "resolvedDependencies": True}}
        if ext:
            md["buildkit_metadata"] = ext
        pred = {"buildDefinition": {
            "buildType": "https://github.com/moby/buildkit/blob/master/docs/attestations/slsa-definitions.md",
            "externalParameters": {"configSource": dict(source, path=a.dockerfile_path),
                                   "request": req},
            "internalParameters": ip,
            "resolvedDependencies": deps},
            "runDetails": {"builder": {"id": ""}, "metadata": md}}
        pt = "https://slsa.dev/provenance/v1"
    else:
        md = {"buildInvocationID": "fixedinvocation", "buildStartedOn": FIXED_TIME_START,
              "buildFinishedOn": FIXED_TIME_END,
              "completeness": {"parameters": a.mode == "max", "environment": True,
                               "materials": True},
              "reproducible": False}
        if ext:
            md["https://mobyproject.org/buildkit@v1#metadata"] = ext
        pred = {"builder": {"id": ""}, "buildType": "https://mobyproject.org/buildkit@v1",
                "materials": deps,
                "invocation": {"configSource": dict(source, entryPoint=a.dockerfile_path),
                               "parameters": {"frontend": "dockerfile.v0", "args": args,
                                              "secrets": secrets, "locals": []},
                               "environment": {"platform": a.builder_platform}},
                "metadata": md}
        if a.mode == "max":
            pred["buildConfig"] = llb
        pt = "https://slsa.dev/provenance/v0.2"
    return pt, {"_type": "https://in-toto.io/Statement/v0.1", "predicateType": pt,
                "subject": [{"name": subject, "digest": {"sha256": layers[0][0][7:]}}],
                "predicate": pred}


def image(root, a, name):
    run_line = a.run_line
    files = [
        layer([("etc/alpine-release", ("alpine " + a.base_digest + "\n").encode())]),
        layer([("version", (a.run_output or run_line + " " + a.version + "\n").encode())]),
        layer([("app/app.txt", (a.app_text or "app at " + a.commit + "\n").encode())]),
    ]
    layers, diff_ids = [], []
    for gz, diff_id in files:
        layers.append(blob(root, gz))
        diff_ids.append(diff_id)
    history = [
        {"created": FIXED_TIME_START, "created_by": "/bin/sh -c #(nop) ADD file:abc in / "},
        {"created": FIXED_TIME_START, "created_by": "ARG VERSION=" + a.version,
         "empty_layer": True},
        {"created": FIXED_TIME_START, "created_by": run_line + " # buildkit"},
        {"created": FIXED_TIME_START, "created_by": "COPY app.txt /app/ # buildkit"},
    ]
    cfg = {"architecture": "amd64", "os": "linux", "created": FIXED_TIME_START,
           "config": {"Env": ["PATH=/usr/bin:/bin"]},
           "rootfs": {"type": "layers", "diff_ids": diff_ids}, "history": history}
    cd, cs = blob(root, json.dumps(cfg))
    man = {"schemaVersion": 2, "mediaType": "application/vnd.oci.image.manifest.v1+json",
           "config": {"mediaType": "application/vnd.oci.image.config.v1+json",
                      "digest": cd, "size": cs},
           "layers": [{"mediaType": "application/vnd.oci.image.layer.v1.tar+gzip",
                       "digest": d, "size": s} for d, s in layers]}
    md, ms = blob(root, json.dumps(man))
    pt, st = statement(a, name, layers, a.pad_steps)
    st["subject"][0]["digest"]["sha256"] = md[7:]
    sd, ss = blob(root, json.dumps(st))
    acfg = {"architecture": "unknown", "os": "unknown", "config": {},
            "rootfs": {"type": "layers", "diff_ids": [sd]}}
    acd, acs = blob(root, json.dumps(acfg))
    att = {"schemaVersion": 2, "mediaType": "application/vnd.oci.image.manifest.v1+json",
           "config": {"mediaType": "application/vnd.oci.image.config.v1+json",
                      "digest": acd, "size": acs},
           "layers": [{"mediaType": "application/vnd.in-toto+json", "digest": sd, "size": ss,
                       "annotations": {"in-toto.io/predicate-type": pt}}]}
    ad, as_ = blob(root, json.dumps(att))
    entries = [
        {"mediaType": "application/vnd.oci.image.manifest.v1+json", "digest": md, "size": ms,
         "platform": {"architecture": "amd64", "os": "linux"}},
        {"mediaType": "application/vnd.oci.image.manifest.v1+json", "digest": ad,
         "size": as_, "platform": {"architecture": "unknown", "os": "unknown"},
         "annotations": {"vnd.docker.reference.type": "attestation-manifest",
                         "vnd.docker.reference.digest": md}},
    ]
    if a.no_attestations:
        entries = entries[:1]
    ix = {"schemaVersion": 2, "mediaType": "application/vnd.oci.image.index.v1+json",
          "manifests": entries}
    xd, xs = blob(root, json.dumps(ix))
    return md, {"mediaType": "application/vnd.oci.image.index.v1+json", "digest": xd,
                "size": xs, "annotations": {"org.opencontainers.image.ref.name": name}}


def main():
    p = argparse.ArgumentParser()
    p.add_argument("dir")
    p.add_argument("--base-digest", default="4b7ce07002c69e8f3d704a9c5d6fd3053be500b7f1c69fc0d80990c2ad8dd412")
    p.add_argument("--version", default="1.2")
    p.add_argument("--commit", default="bdb96fcfe8cc9e3a54800bc2537a4d4a14f0c5fe")
    p.add_argument("--run-line", default='RUN echo "version ${VERSION}" > /version')
    p.add_argument("--slsa", default="v1", choices=["v1", "v0.2"])
    p.add_argument("--mode", default="max", choices=["max", "min"])
    p.add_argument("--targets", type=int, default=1)
    p.add_argument("--pad-steps", type=int, default=0)
    p.add_argument("--no-attestations", action="store_true")
    p.add_argument("--secret", default="GIT_AUTH_TOKEN")
    p.add_argument("--local", action="store_true", help="a local context (vcs hints only)")
    p.add_argument("--app-text", default=None, help="the copied file's text")
    p.add_argument("--run-output", default=None, help="what the RUN step wrote")
    p.add_argument("--builder-platform", default="linux/amd64")
    p.add_argument("--dockerfile-path", default="Dockerfile")
    a = p.parse_args()
    os.makedirs(os.path.join(a.dir, "blobs", "sha256"), exist_ok=True)
    with open(os.path.join(a.dir, "oci-layout"), "w") as f:
        f.write('{"imageLayoutVersion":"1.0.0"}')
    roots = []
    for t in range(a.targets):
        name = "app" if a.targets == 1 else "app%d" % t
        md, entry = image(a.dir, a, name)
        roots.append(entry)
        print(md)
    with open(os.path.join(a.dir, "index.json"), "w") as f:
        json.dump({"schemaVersion": 2, "manifests": roots}, f)


if __name__ == "__main__":
    sys.exit(main())
