#!/usr/bin/env bash
# JSON output is streamed: `inspect --json`, `ls --json` and `diff --files
# --json` peak near the text output of the same command, and a document that
# many descriptors reach is written once. Every input is made here (python3):
# an OCI layout whose 10 MiB config is referenced by 100 manifests, and
# layouts with one layer of 200,000 files. Peak resident memory is the
# child's ru_maxrss; the JSON run is also held under `ulimit -v`, so an
# output built whole in memory dies instead of filling the machine.
. "$BL_TESTLIB"
need_tool python3 jq
if [ "${BL_SANITIZE:-none}" != none ]; then
	echo "SKIP: memory limits and peaks are not measurable under -Db_sanitize=$BL_SANITIZE"
	exit 77
fi
out=$BL_TMP/out err=$BL_TMP/err
cd "$BL_TMP"

cat >mk.py <<'EOF'
import hashlib, io, json, os, sys, tarfile
def sha(b): return hashlib.sha256(b).hexdigest()
def put(out, b):
    os.makedirs(out + "/blobs/sha256", exist_ok=True)
    open(out + "/blobs/sha256/" + sha(b), "wb").write(b)
    return "sha256:" + sha(b), len(b)
def layout(out, cfg, layers, copies):
    cd, cs = put(out, cfg)
    ls = [{"mediaType": "application/vnd.oci.image.layer.v1.tar", "digest": d, "size": s} for d, s in layers]
    mans = []
    for i in range(copies):
        # distinct manifests (an annotation apart), one config
        m = json.dumps({"schemaVersion": 2, "mediaType": "application/vnd.oci.image.manifest.v1+json",
            "config": {"mediaType": "application/vnd.oci.image.config.v1+json", "digest": cd, "size": cs},
            "layers": ls, "annotations": {"n": str(i)}}).encode()
        md, ms = put(out, m)
        mans.append({"mediaType": "application/vnd.oci.image.manifest.v1+json", "digest": md, "size": ms,
            "platform": {"os": "linux", "architecture": "amd64"}})
    open(out + "/index.json", "w").write(json.dumps({"schemaVersion": 2, "manifests": mans}))
    open(out + "/oci-layout", "w").write('{"imageLayoutVersion":"1.0.0"}')
def config(diff_ids, pad):
    return json.dumps({"architecture": "amd64", "os": "linux", "rootfs": {"type": "layers", "diff_ids": diff_ids},
        "config": {"Labels": {"pad": "a" * pad}}}).encode()
what = sys.argv[1]
if what == "bigconfig":
    # out, MiB, copies
    layout(sys.argv[2], config([], int(sys.argv[3]) << 20), [], int(sys.argv[4]))
else:
    # out, entries, mtime: one uncompressed layer of empty files
    out, n, mtime = sys.argv[2], int(sys.argv[3]), int(sys.argv[4])
    buf = io.BytesIO()
    with tarfile.open(fileobj=buf, mode="w", format=tarfile.USTAR_FORMAT) as t:
        for d in range(n // 1000):
            ti = tarfile.TarInfo("d%04d" % d); ti.type = tarfile.DIRTYPE; ti.mode = 0o755; ti.mtime = mtime
            t.addfile(ti)
            for f in range(1000):
                ti = tarfile.TarInfo("d%04d/f%04d" % (d, f)); ti.mtime = mtime
                t.addfile(ti)
    layer = buf.getvalue()
    ld = put(out, layer)
    layout(out, config(["sha256:" + sha(layer)], 0), [ld], 1)
EOF

# peak OUT ERR -- args: run bakelens, $rc its exit code, $peak its peak RSS in KiB
cat >peak.py <<'EOF'
import resource, subprocess, sys
with open(sys.argv[1], "wb") as o, open(sys.argv[2], "wb") as e:
    rc = subprocess.run(sys.argv[3:], stdout=o, stderr=e).returncode
print(rc if rc >= 0 else 128 - rc, resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss)
EOF
peak() {
	local o=$1 e=$2
	shift 3
	read -r rc peak < <(python3 peak.py "$o" "$e" "$BAKELENS" "$@")
}
# peak_limited LIMIT_KIB OUT ERR -- args: the same under ulimit -v LIMIT_KIB
peak_limited() {
	local lim=$1 o=$2 e=$3
	shift 4
	read -r rc peak < <(ulimit -v "$lim"; python3 peak.py "$o" "$e" "$BAKELENS" "$@")
}
vm_allowance=262144 # KiB of address space for libraries, stacks and arenas
# compare NAME JQ_CHECK EXPECTED -- args: text run, then the same with --json
compare() {
	local name=$1 check=$2 want=$3
	shift 4
	peak "$out" "$err" -- "$@"
	local trc=$rc tpeak=$peak
	expect_eq "$name text: exit code ($(head -c 200 "$err"))" "$TEXT_RC" "$trc"
	peak_limited $((2 * tpeak + vm_allowance)) "$out" "$err" -- "$@" --json
	local jrc=$rc jpeak=$peak
	echo "$name: peak RSS text ${tpeak} KiB, JSON ${jpeak} KiB, JSON exit $jrc, $(wc -c <"$out") bytes"
	expect_eq "$name JSON: exit code ($(head -c 200 "$err"))" "$TEXT_RC" "$jrc"
	if jq empty "$out" 2>/dev/null; then pass; else fail "$name JSON: not valid JSON"; fi
	expect_eq "$name JSON: $check" "$want" "$(jq -r "$check" "$out" 2>/dev/null)"
	if [ "$jpeak" -lt $((2 * tpeak)) ]; then pass; else
		fail "$name JSON: peak ${jpeak} KiB, over twice the text output's ${tpeak} KiB"
	fi
}

# ---- inspect: a 10 MiB config behind 100 manifests ----
python3 mk.py bigconfig big 10 100
TEXT_RC=0
compare "inspect, 10 MiB config x 100" \
	'[.. | objects | select(.kind? == "config")] | "\(length) \(map(select(.document)) | length) \(map(select(.documentRef)) | length) \(first(.[] | .document.config.Labels.pad | length))"' \
	"100 1 99 10485760" -- inspect big
# every reference names a digest written in full
expect_eq "inspect: documentRef names the config written" \
	"$(jq -r 'first(.. | objects | select(.kind? == "config") | select(.document) | .descriptor.digest)' "$out")" \
	"$(jq -r '[.. | objects | select(.kind? == "config") | .documentRef // empty] | unique | join(" ")' "$out")"

# ---- ls: one layer of 200,000 files ----
python3 mk.py layer l1 200000 1000000000
compare "ls, 200000 entries" 'length' 200200 -- ls --layer 1 l1
expect_eq "ls JSON: last entry" "d0199/f0999 file" "$(jq -r '.[-1] | "\(.path) \(.type)"' "$out")"

# ---- out of memory: a clear error and exit 3, never an abort ----
# From the smallest address space the loader starts in, up in 8 MiB steps
# until the listing fits: each run either succeeds or says it ran out.
oom_seen=0 bad=""
for lim in $(seq 32768 8192 409600); do
	rc=0
	(ulimit -v "$lim"; exec "$BAKELENS" ls --json --layer 1 l1) >/dev/null 2>"$err" || rc=$?
	[ "$rc" -eq 127 ] && continue # the dynamic loader itself did not fit
	[ "$rc" -eq 0 ] && break
	if [ "$rc" -eq 3 ] && [ "$(cat "$err")" = "bakelens: l1: out of memory" ]; then
		oom_seen=1
	else
		bad="$bad [${lim} KiB: exit $rc: $(head -c 100 "$err")]"
	fi
done
expect_eq "out of memory: every failed run says so with exit 3" "" "$bad"
expect_eq "out of memory: seen, then enough ($lim KiB)" "1 0" "$oom_seen $rc"

# ---- diff --files: two such layers, every mtime different ----
python3 mk.py layer l2 200000 1000000001
TEXT_RC=1
compare "diff --files, 200000 entries" '.. | objects | select(has("changes")) | "\(.changes | length) \(.metadata)"' \
	"200200 200200" -- diff --files l1 l2

finish
