#!/usr/bin/env bash
# Output that cannot be written is an error: every command, text and JSON,
# run with stdout on /dev/full says "bakelens: standard output: No space
# left on device" once and exits 3. A reader that goes away early (`| head
# -c1`) ends the program quietly by SIGPIPE; with SIGPIPE ignored the write
# fails with EPIPE and that is reported the same way, exit 3. Inputs: the
# example build and a small image made here; `tags` asks a registry stand-in
# on 127.0.0.1.
. "$BL_TESTLIB"
need_tool python3
[ -w /dev/full ] || { echo "SKIP: no /dev/full"; exit 77; }
err=$BL_TMP/err
EX=$BL_SRC/examples
cd "$BL_TMP"

# small DIR FILES: an OCI layout with one uncompressed layer of FILES empty files
cat >small.py <<'EOF'
import hashlib, io, json, os, sys, tarfile
def sha(b): return hashlib.sha256(b).hexdigest()
out, n = sys.argv[1], int(sys.argv[2])
os.makedirs(out + "/blobs/sha256", exist_ok=True)
def put(b):
    open(out + "/blobs/sha256/" + sha(b), "wb").write(b); return "sha256:" + sha(b), len(b)
buf = io.BytesIO()
with tarfile.open(fileobj=buf, mode="w", format=tarfile.USTAR_FORMAT) as t:
    for i in range(n):
        t.addfile(tarfile.TarInfo("file-%06d" % i))
layer = buf.getvalue()
ld, ls = put(layer)
cd, cs = put(json.dumps({"architecture": "amd64", "os": "linux",
    "rootfs": {"type": "layers", "diff_ids": ["sha256:" + sha(layer)]}}).encode())
md, ms = put(json.dumps({"schemaVersion": 2, "mediaType": "application/vnd.oci.image.manifest.v1+json",
    "config": {"mediaType": "application/vnd.oci.image.config.v1+json", "digest": cd, "size": cs},
    "layers": [{"mediaType": "application/vnd.oci.image.layer.v1.tar", "digest": ld, "size": ls}]}).encode())
open(out + "/index.json", "w").write(json.dumps({"schemaVersion": 2, "manifests": [
    {"mediaType": "application/vnd.oci.image.manifest.v1+json", "digest": md, "size": ms}]}))
open(out + "/oci-layout", "w").write('{"imageLayoutVersion":"1.0.0"}')
EOF
python3 small.py small 3
python3 small.py other 5
python3 small.py many 20000

# A registry stand-in that lists tags (plain HTTP on loopback).
cat >tags.py <<'EOF'
import http.server, json, sys
class H(http.server.BaseHTTPRequestHandler):
    def do_GET(self):
        body = b"{}" if self.path == "/v2/" else json.dumps({"name": "r", "tags": ["v%d" % i for i in range(50)]}).encode()
        self.send_response(200)
        self.send_header("Content-Type", "application/json")
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)
    def log_message(self, *a): pass
s = http.server.HTTPServer(("127.0.0.1", 0), H)
print(s.server_address[1], flush=True)
s.serve_forever()
EOF
python3 tags.py >port &
SERVER=$!
trap 'kill $SERVER 2>/dev/null || true; wait $SERVER 2>/dev/null || true; bl_cleanup' EXIT
for _ in $(seq 1 50); do [ -s port ] && break; sleep 0.1; done
REG=127.0.0.1:$(cat port)

msg="bakelens: standard output: No space left on device"
# full NAME -- args: to /dev/full, exit 3 and the message exactly once
full() {
	local name=$1
	shift 2
	rc=0
	"$BAKELENS" "$@" >/dev/full 2>"$err" || rc=$?
	expect_eq "$name >/dev/full: exit code ($(head -c 200 "$err"))" 3 "$rc"
	expect_eq "$name >/dev/full: message once" 1 "$(grep -cxF "$msg" "$err")"
}
# The same commands write to a file without a complaint: the check is the output's.
ok() {
	local name=$1 want=$2
	shift 3
	rc=0
	"$BAKELENS" "$@" >/dev/null 2>"$err" || rc=$?
	expect_eq "$name to /dev/null: exit code ($(head -c 200 "$err"))" "$want" "$rc"
}

for src in "$EX/metadata.json $EX/out" small; do
	# shellcheck disable=SC2086
	set -- $src
	t=()
	[ "$src" = small ] || t=(-t base)
	ok "tree $src" 0 -- tree "$@"
	full "tree $src" -- tree "$@"
	full "inspect $src" -- inspect "$@"
	full "inspect --json $src" -- inspect --json "$@"
	ok "digest $src" 0 -- digest "${t[@]}" "$@"
	full "digest $src" -- digest "${t[@]}" "$@"
	ok "ls $src" 0 -- ls "${t[@]}" "$@"
	full "ls $src" -- ls "${t[@]}" "$@"
	full "ls --json $src" -- ls --json "${t[@]}" "$@"
done
full "help" -- help
full "--version" -- --version
# identical (exit 0) and different (exit 1) both become 3
full "diff identical" -- diff "$EX/out" "$EX/out"
full "diff" -- diff small other
full "diff --json" -- diff --json small other
full "diff --files --json" -- diff --files --json small other
full "diff --files --json, example" -- diff --files --json "$EX/out" small
ok "tags" 0 -- tags "$REG/r"
full "tags" -- tags "$REG/r"
full "tags --json" -- tags --json "$REG/r"

# A problem found before the write failure keeps its exit code (5: mismatch).
cp -r small bad
blob=$(python3 -c 'import json; print(json.load(open("bad/index.json"))["manifests"][0]["digest"][7:])')
python3 - "bad/blobs/sha256/$blob" <<'EOF'
import json, sys
m = json.load(open(sys.argv[1])); m["annotations"] = {"x": "y"}; open(sys.argv[1], "w").write(json.dumps(m))
EOF
rc=0
"$BAKELENS" tree bad >/dev/full 2>"$err" || rc=$?
expect_eq "tree of a mismatch >/dev/full: exit code" 5 "$rc"
expect_eq "tree of a mismatch >/dev/full: message once" 1 "$(grep -cxF "$msg" "$err")"

# A reader that stops early: SIGPIPE ends the program, nothing on stderr.
for args in "ls many" "ls --json many" "diff --files --json many small"; do
	# shellcheck disable=SC2086
	got=$("$BAKELENS" $args 2>"$err" | head -c1; echo " ${PIPESTATUS[0]}")
	expect_eq "$args | head -c1: first byte, killed by SIGPIPE" "$(
		# shellcheck disable=SC2086
		"$BAKELENS" $args | head -c1
	) 141" "$got"
	expect_eq "$args | head -c1: stderr" "" "$(cat "$err")"
	# SIGPIPE ignored (inherited): EPIPE is a write error like any other.
	# shellcheck disable=SC2086
	got=$( (trap '' PIPE; exec "$BAKELENS" $args 2>"$err") | head -c1 >/dev/null; echo "${PIPESTATUS[0]}")
	expect_eq "$args | head -c1, SIGPIPE ignored: exit code" 3 "$got"
	expect_eq "$args | head -c1, SIGPIPE ignored: message" \
		"bakelens: standard output: Broken pipe" "$(cat "$err")"
done

finish
