#!/usr/bin/env bash
# `bakelens digest` on a ~1 GiB OCI tarball vs a ~1 MiB one, side by side with
# `skopeo inspect oci-archive:` on both (skopeo extracts the archive first).
# Prints median wall times and the big/small ratios. Timing is measured here,
# never asserted in tests.
# Usage: bench/digest_big_tar.sh [BAKELENS] [SIZE_MIB]   (default build/bakelens, 1024)
set -euo pipefail
cd "$(dirname "$0")/.."
. bench/lib.sh
BL=${1:-build/bakelens}
BIG_MIB=${2:-1024}
RUNS=${RUNS:-5}
work=$(mktemp -d "${TMPDIR:-/var/tmp}/bl-bench.XXXXXX")
trap 'rm -rf "$work"' EXIT

# make_image NAME MIB: an OCI layout tar with one uncompressed layer holding MIB of random bytes.
make_image() {
	local name=$1 mib=$2 d=$work/$1
	mkdir -p "$d/layout/blobs/sha256" "$d/root"
	head -c "$((mib * 1048576))" /dev/urandom >"$d/root/data.bin"
	tar -C "$d/root" -cf "$d/layer.tar" data.bin
	local ld ls cd cs md ms
	ld=$(sha256sum "$d/layer.tar" | cut -c1-64); ls=$(stat -c %s "$d/layer.tar")
	mv "$d/layer.tar" "$d/layout/blobs/sha256/$ld"
	printf '{"architecture":"amd64","os":"linux","rootfs":{"type":"layers","diff_ids":["sha256:%s"]},"history":[{"created_by":"COPY data.bin /"}]}' "$ld" >"$d/config"
	cd=$(sha256sum "$d/config" | cut -c1-64); cs=$(stat -c %s "$d/config"); mv "$d/config" "$d/layout/blobs/sha256/$cd"
	printf '{"schemaVersion":2,"mediaType":"application/vnd.oci.image.manifest.v1+json","config":{"mediaType":"application/vnd.oci.image.config.v1+json","digest":"sha256:%s","size":%s},"layers":[{"mediaType":"application/vnd.oci.image.layer.v1.tar","digest":"sha256:%s","size":%s}]}' "$cd" "$cs" "$ld" "$ls" >"$d/manifest"
	md=$(sha256sum "$d/manifest" | cut -c1-64); ms=$(stat -c %s "$d/manifest"); mv "$d/manifest" "$d/layout/blobs/sha256/$md"
	printf '{"schemaVersion":2,"manifests":[{"mediaType":"application/vnd.oci.image.manifest.v1+json","digest":"sha256:%s","size":%s,"annotations":{"org.opencontainers.image.ref.name":"latest"}}]}' "$md" "$ms" >"$d/layout/index.json"
	echo '{"imageLayoutVersion":"1.0.0"}' >"$d/layout/oci-layout"
	# buildx order: blobs first, index.json last.
	tar -C "$d/layout" -cf "$work/$name.tar" blobs oci-layout index.json
	rm -rf "$d"
	echo "sha256:$md"
}


small_m=$(make_image small 1)
big_m=$(make_image big "$BIG_MIB")
[ "$("$BL" digest "$work/small.tar" --what manifest)" = "$small_m" ] || { echo "wrong digest (small)" >&2; exit 1; }
[ "$("$BL" digest "$work/big.tar" --what manifest)" = "$big_m" ] || { echo "wrong digest (big)" >&2; exit 1; }

bs=$(median_ms "$BL" digest "$work/small.tar" --what chain-id)
bb=$(median_ms "$BL" digest "$work/big.tar" --what chain-id)
ss=$(median_ms skopeo inspect "oci-archive:$work/small.tar")
sb=$(median_ms skopeo inspect "oci-archive:$work/big.tar")
printf '%-34s %12s %12s %10s\n' "command" "~1 MiB (ms)" "~$BIG_MIB MiB (ms)" "big/small"
printf '%-34s %12s %12s %10s\n' "bakelens digest --what chain-id" "$bs" "$bb" "$(awk -v a="$bb" -v b="$bs" 'BEGIN{printf "%.2fx", a/b}')"
printf '%-34s %12s %12s %10s\n' "skopeo inspect oci-archive:" "$ss" "$sb" "$(awk -v a="$sb" -v b="$ss" 'BEGIN{printf "%.2fx", a/b}')"
printf 'bakelens vs skopeo on the big tar: %s\n' "$(awk -v a="$sb" -v b="$bb" 'BEGIN{printf "%.0fx faster", a/b}')"
