#!/usr/bin/env bash
# `bakelens digest meta.json ... --what layer` of an image held by containerd,
# four ways: through the content directory under containerd's root, through
# containerd's gRPC API (containerd:NS/), against the nearest peer (`ctr
# content get` of the metadata's digest + jq) and against exporting the image
# (`ctr images export`) and reading the tar. Starts its own containerd (root,
# its own root, state and socket in a temp dir), stopped by its pid. Prints
# median wall times and the bytes each bakelens run read (read/recv* calls,
# counted with strace). Timing is measured here, never asserted in tests.
# Usage: sudo bench/containerd_digest.sh [BAKELENS] [SIZE_MIB]   (default build/bakelens, 500)
set -euo pipefail
cd "$(dirname "$0")/.."
. bench/lib.sh
BL=$(realpath "${1:-build/bakelens}")
MIB=${2:-500}
RUNS=${RUNS:-5}
[ "$(id -u)" -eq 0 ] || { echo "containerd needs root" >&2; exit 1; }
work=$(mktemp -d "${TMPDIR:-/var/tmp}/bl-bench.XXXXXX")
# The tests' containerd: its own root, state and socket under $work/ctrd.
BL_TMP=$work
need_tool() { :; }
bl_cleanup() { rm -rf "$work"; }
. tests/integration/containerd-lib.sh
start_containerd
NS=bench
C=(ctr -a "$SOCK" -n "$NS")

# An OCI layout tar with one uncompressed layer of MIB random bytes.
L=$work/layout && mkdir -p "$L/blobs/sha256" "$work/root"
head -c "$((MIB * 1048576))" /dev/urandom >"$work/root/data.bin"
tar -C "$work/root" -cf "$work/layer.tar" data.bin && rm -rf "$work/root"
put() { # FILE -> "sha256:HEX SIZE", moved into the layout
	local h s
	h=$(sha256sum "$1" | cut -c1-64) s=$(stat -c %s "$1")
	mv "$1" "$L/blobs/sha256/$h"
	echo "sha256:$h $s"
}
read -r ld ls < <(put "$work/layer.tar")
printf '{"architecture":"amd64","os":"linux","rootfs":{"type":"layers","diff_ids":["%s"]}}' "$ld" >"$work/c"
read -r cd cs < <(put "$work/c")
printf '{"schemaVersion":2,"mediaType":"application/vnd.oci.image.manifest.v1+json","config":{"mediaType":"application/vnd.oci.image.config.v1+json","digest":"%s","size":%s},"layers":[{"mediaType":"application/vnd.oci.image.layer.v1.tar","digest":"%s","size":%s}]}' \
	"$cd" "$cs" "$ld" "$ls" >"$work/m"
read -r md ms < <(put "$work/m")
printf '{"schemaVersion":2,"manifests":[{"mediaType":"application/vnd.oci.image.manifest.v1+json","digest":"%s","size":%s,"platform":{"architecture":"amd64","os":"linux"},"annotations":{"org.opencontainers.image.ref.name":"latest"}}]}' \
	"$md" "$ms" >"$L/index.json"
echo '{"imageLayoutVersion":"1.0.0"}' >"$L/oci-layout"
tar -C "$L" -cf "$work/img.tar" blobs oci-layout index.json && rm -rf "$L"
"${C[@]}" images import --no-unpack --all-platforms --base-name example.com/big "$work/img.tar" >/dev/null
rm -f "$work/img.tar"
jq -n --arg d "$md" '{"containerimage.digest": $d, "image.name": "example.com/big:latest"}' >"$work/meta.json"
S=$D/root/io.containerd.content.v1.content

via_dir() { "$BL" digest "$work/meta.json" "content:$S" --what layer; }
via_api() { "$BL" digest "$work/meta.json" "containerd:$NS/" --containerd-address "$SOCK" --what layer; }
via_ctr_jq() { "${C[@]}" content get "$(jq -r '."containerimage.digest"' "$work/meta.json")" | jq -r '.layers[-1].digest'; }
via_export() {
	"${C[@]}" images export "$work/export.tar" example.com/big:latest
	"$BL" digest "$work/export.tar" --what layer
	rm -f "$work/export.tar"
}
for f in via_dir via_api via_ctr_jq via_export; do
	got=$($f)
	[ "$got" = "$ld" ] || { echo "$f: got '$got', want $ld" >&2; exit 1; }
done

# bytes_from PATTERN CMD...: the bytes CMD read (read, pread, recvfrom, recvmsg)
# from the files and sockets whose openat or socket call matches PATTERN.
bytes_from() {
	local pat=$1
	shift
	strace -f -qq -e trace=openat,socket,close,read,pread64,recvfrom,recvmsg -o "$work/strace" "$@" >/dev/null 2>&1
	awk -v pat="$pat" '
		{ pid = $1; call = $2; sub(/\(.*/, "", call) }
		(call == "openat" || call == "socket") && $0 ~ pat && $NF ~ /^[0-9]+$/ { mine[pid " " $NF] = 1; next }
		call == "close" { fd = $2; sub(/^close\(/, "", fd); sub(/\).*/, "", fd); delete mine[pid " " fd]; next }
		call == "read" || call == "pread64" || call == "recvfrom" || call == "recvmsg" {
			fd = $2; sub(/^[a-z0-9]+\(/, "", fd); sub(/,.*/, "", fd)
			if ((pid " " fd) in mine && $NF ~ /^[0-9]+$/) s += $NF
		}
		END { print s + 0 }' "$work/strace"
}

t_dir=$(median_ms via_dir) t_api=$(median_ms via_api)
t_jq=$(median_ms via_ctr_jq) t_exp=$(median_ms via_export)
b_dir=$(bytes_from '"[0-9a-f]+", O_RDONLY[|]O_NONBLOCK[|]O_NOFOLLOW[|]O_CLOEXEC[)]' "$BL" digest "$work/meta.json" "content:$S" --what layer)
b_api=$(bytes_from "AF_UNIX" "$BL" digest "$work/meta.json" "containerd:$NS/" --containerd-address "$SOCK" --what layer)
echo "image: one ${MIB} MiB layer; manifest $ms B + config $cs B; $RUNS runs each"
echo "bytes read: from the store's blob files, or from the daemon's socket (gRPC and HTTP/2 framing included)"
printf '%-44s %10s %12s %10s\n' "way" "ms" "bytes read" "export/x"
row() { printf '%-44s %10s %12s %10s\n' "$1" "$2" "$3" "$(awk -v a="$t_exp" -v b="$2" 'BEGIN{printf "%.0fx", a/b}')"; }
row "bakelens digest, content directory" "$t_dir" "$b_dir"
row "bakelens digest, containerd API" "$t_api" "$b_api"
row "ctr content get + jq" "$t_jq" "-"
row "ctr images export + bakelens on the tar" "$t_exp" "-"
