#!/usr/bin/env python3
"""Reference figures for tests/integration/layers.sh, computed from an OCI
layout's layer tars with the tarfile module, independently of bakelens.

    layers_ref.py LAYOUT MANIFEST_DIGEST > ref.json

- dive: dive's own algorithm (dive/filetree/efficiency.go, file_tree.go,
  file_node.go, dive/image/analysis.go) rewritten over a tree of dicts:
  trees built with AddPath, stacked with Stack, leaves visited children first
  in name order, whiteout sizes from StackTreeRange(0, layer-1).
- exact: the layers applied as a runtime applies them (whiteouts, opaque
  directories, a non-directory replacing a directory); every non-directory
  entry a later layer removes or replaces is shadowed.
- changes: each layer's entries against the view under it.
"""
import hashlib
import json
import os
import sys
import tarfile

TYPES = {tarfile.REGTYPE: "file", tarfile.AREGTYPE: "file", tarfile.DIRTYPE: "dir",
         tarfile.SYMTYPE: "symlink", tarfile.LNKTYPE: "hardlink", tarfile.CHRTYPE: "char",
         tarfile.BLKTYPE: "block", tarfile.FIFOTYPE: "fifo"}


def norm(name):
    while name.startswith("./"):
        name = name[2:]
    return name.strip("/")


def blob(layout, digest):
    return os.path.join(layout, "blobs", *digest.split(":"))


def read_layer(path):
    members = []
    raw = open(path, "rb").read()
    import gzip
    data = gzip.decompress(raw) if raw[:2] == b"\x1f\x8b" else raw
    import io
    with tarfile.open(fileobj=io.BytesIO(data), mode="r:") as t:
        for m in t:
            p = norm(m.name)
            if not p or p == ".":
                continue
            sha = None
            if m.isreg():
                sha = hashlib.sha256(t.extractfile(m).read()).hexdigest()
            link = norm(m.linkname) if m.islnk() else (m.linkname if m.issym() else None)
            members.append({"path": p, "type": TYPES.get(m.type, "other"), "size": m.size,
                            "mode": m.mode & 0o7777, "uid": m.uid, "gid": m.gid,
                            "link": link, "sha": sha})
    return members


# ---- dive ----

class Node:
    def __init__(self, name, parent):
        self.name, self.parent, self.children, self.info = name, parent, {}, None


def add_path(root, path, info):
    node = root
    names = [n for n in path.split("/") if n]
    for i, name in enumerate(names):
        if name in node.children:
            node = node.children[name]
        else:
            if name.startswith(".wh..wh.."):
                return
            child = Node(name, node)
            node.children[name] = child
            node = child
        if i == len(names) - 1:
            node.info = info


def node_path(node):
    names = []
    cur = node
    while cur.parent is not None:
        names.insert(0, cur.name[4:] if cur is node and cur.name.startswith(".wh.") else cur.name)
        cur = cur.parent
    return "/".join(names)


def get_node(root, path):
    node = root
    for name in [n for n in path.split("/") if n]:
        if name not in node.children:
            return None
        node = node.children[name]
    return node


def child_first(node, fn, only_leaves=False):
    for k in sorted(node.children, key=lambda s: s.encode()):
        child_first(node.children[k], fn, only_leaves)
    if node.parent is not None and (not only_leaves or not node.children):
        fn(node)


def copy_tree(node, parent=None):
    n = Node(node.name, parent)
    n.info = node.info
    n.children = {k: copy_tree(v, n) for k, v in node.children.items()}
    return n


def stack(root, upper):
    def graft(n):
        p = node_path(n)
        if n.name.startswith(".wh."):
            victim = get_node(root, p)
            if victim is not None:
                del victim.parent.children[victim.name]
        else:
            add_path(root, p, n.info)
    child_first(upper, graft)


def dive(layers):
    trees = []
    for members in layers:
        root = Node("", None)
        for m in members:
            add_path(root, m["path"], (m["size"], m["type"] == "dir"))
        trees.append(root)
    data = {}

    class Stop(Exception):
        pass

    for idx, tree in enumerate(trees):
        def visit(node):
            p = node_path(node)
            d = data.setdefault(p, {"n": 0, "cum": 0, "min": -1})
            if node.name.startswith(".wh."):
                st = copy_tree(trees[0])
                for i in range(0, idx):
                    stack(st, trees[i])
                prev = get_node(st, p)
                if prev is None:
                    raise Stop()
                size = 0
                if prev.info and prev.info[1]:
                    acc = []
                    child_first(prev, lambda x: acc.append(x.info[0] if x.info else 0))
                    size = sum(acc)
            else:
                size = node.info[0] if node.info else 0
            d["cum"] += size
            if d["min"] < 0 or size < d["min"]:
                d["min"] = size
            d["n"] += 1
        try:
            child_first(tree, visit, only_leaves=True)
        except Stop:
            pass
    mins = sum(d["min"] for d in data.values())
    cums = sum(d["cum"] for d in data.values())
    sizes = [sum(m["size"] for m in members) for members in layers]
    wasted = sum(d["cum"] for d in data.values() if d["n"] > 1)
    user = sum(sizes[1:])
    return {"efficiency": 1.0 if cums == 0 else mins / cums, "size_bytes": sum(sizes),
            "user_size_bytes": user, "wasted_bytes": wasted,
            "user_wasted_percent": wasted / user if user else None,
            "inefficiencies": sorted([[p, d["n"], d["cum"]] for p, d in data.items() if d["n"] > 1]),
            "layer_sizes": sizes}


# ---- the runtime's view ----

def under(view, p):
    return [q for q in view if p == "" or q.startswith(p + "/")]


def apply(view, members, layer, shadowed):
    """Apply one layer to view (path -> entry with "layer"); record what it hides."""
    def drop(q):
        e = view.pop(q)
        if e["type"] != "dir":
            shadowed.append([q, e["layer"] + 1, layer + 1, e["size"]])
    last = {}
    for m in members:
        last[m["path"]] = m
    for p, m in sorted(last.items()):
        base = p.rsplit("/", 1)[-1]
        d = p.rsplit("/", 1)[0] if "/" in p else ""
        if base == ".wh..wh..opq":
            for q in under(view, d):
                if view[q]["layer"] < layer:
                    drop(q)
        elif base.startswith(".wh."):
            victim = (d + "/" if d else "") + base[4:]
            for q in [victim] + under(view, victim):
                if q in view and view[q]["layer"] < layer:
                    drop(q)
    for p, m in sorted(last.items()):
        if p.rsplit("/", 1)[-1].startswith(".wh."):
            continue
        if m["type"] != "dir":
            for q in under(view, p):
                if view[q]["layer"] < layer:
                    drop(q)
        if p in view and view[p]["layer"] < layer:
            drop(p)
        view[p] = dict(m, layer=layer)


def differs(a, b):
    return (a["type"] != b["type"] or a["mode"] != b["mode"] or a["uid"] != b["uid"] or
            a["gid"] != b["gid"] or a["link"] != b["link"] or
            (a["type"] == "file" and b["type"] == "file" and
             (a["size"] != b["size"] or a["sha"] != b["sha"])))


def main():
    layout, manifest = sys.argv[1], sys.argv[2]
    man = json.load(open(blob(layout, manifest)))
    paths = [blob(layout, l["digest"]) for l in man["layers"]]
    layers = [read_layer(p) for p in paths]
    view, shadowed, changes = {}, [], []
    for L, members in enumerate(layers):
        lower = dict(view)
        apply(view, members, L, shadowed)
        for p, e in view.items():
            if e["layer"] == L:
                kind = "added" if p not in lower else "modified" if differs(lower[p], e) else "unchanged"
                changes.append([L + 1, kind, p, 0, 0])
        gone = [p for p in lower if p not in view]
        for p in gone:
            parts = p.split("/")
            if any("/".join(parts[:i]) in gone for i in range(1, len(parts))):
                continue
            sub = [q for q in gone if q == p or q.startswith(p + "/")]
            changes.append([L + 1, "deleted", p, len(sub), sum(lower[q]["size"] for q in sub)])
        for m in members:
            base = m["path"].rsplit("/", 1)[-1]
            if base.startswith(".wh.") and base != ".wh..wh..opq":
                d = m["path"].rsplit("/", 1)[0] + "/" if "/" in m["path"] else ""
                if d + base[4:] not in lower:
                    changes.append([L + 1, "deleted", d + base[4:], 0, 0])
    json.dump({"dive": dive(layers),
               "shadowed_bytes": sum(s[3] for s in shadowed), "shadowed_files": len(shadowed),
               "shadowed": sorted(shadowed),
               "changes": sorted(changes),
               "final": sorted(view)}, sys.stdout)


main()
