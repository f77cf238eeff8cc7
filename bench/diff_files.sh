#!/usr/bin/env bash
# File-level diff of two ~200 MB gzip layers (`bakelens diff --files`: both
# layers streamed, verified, every file hashed) against `bsdtar -tvf` listing
# both layers. Prints median wall times and their ratio (aim: bakelens takes
# no more than twice as long). Timing is measured here, never asserted in tests.
# Usage: bench/diff_files.sh [BAKELENS] [SIZE_MIB]   (default build/bakelens, 200)
set -euo pipefail
cd "$(dirname "$0")/.."
BL=$(realpath "${1:-build/bakelens}")
MIB=${2:-200}
RUNS=${RUNS:-5}
work=$(mktemp -d "${TMPDIR:-/var/tmp}/bl-bench.XXXXXX")
trap 'rm -rf "$work"' EXIT
cd "$work"

# Files: half random (incompressible), half text-like, 64 KiB each.
mkdir -p root/bin root/share
n=$((MIB * 16))
head -c "$((MIB * 524288))" /dev/urandom | split -b 65536 -a 5 - root/bin/r
seq -f 'line %g of a text file' 1 4000 >tpl.full
head -c 65524 tpl.full >tpl
for i in $(seq 1 $((n / 2))); do { printf 'file %06d\n' "$i"; cat tpl; } >"root/share/t$i"; done
touch -d @1700000000 root root/* root/*/*

# layout DIR: an OCI layout with the gzip layer of root/.
layout() {
	local d=$1 ld ls diff cd cs md ms
	mkdir -p "$d/blobs/sha256"
	tar -C root --sort=name --owner=0 --group=0 --numeric-owner -cf "$d/layer.tar" .
	diff=$(sha256sum "$d/layer.tar" | cut -c1-64)
	gzip -n "$d/layer.tar"
	ld=$(sha256sum "$d/layer.tar.gz" | cut -c1-64); ls=$(stat -c %s "$d/layer.tar.gz")
	mv "$d/layer.tar.gz" "$d/blobs/sha256/$ld"
	printf '{"architecture":"amd64","os":"linux","rootfs":{"type":"layers","diff_ids":["sha256:%s"]},"history":[{"created_by":"COPY root /"}]}' "$diff" >"$d/config"
	cd=$(sha256sum "$d/config" | cut -c1-64); cs=$(stat -c %s "$d/config"); mv "$d/config" "$d/blobs/sha256/$cd"
	printf '{"schemaVersion":2,"mediaType":"application/vnd.oci.image.manifest.v1+json","config":{"mediaType":"application/vnd.oci.image.config.v1+json","digest":"sha256:%s","size":%s},"layers":[{"mediaType":"application/vnd.oci.image.layer.v1.tar+gzip","digest":"sha256:%s","size":%s}]}' "$cd" "$cs" "$ld" "$ls" >"$d/manifest"
	md=$(sha256sum "$d/manifest" | cut -c1-64); ms=$(stat -c %s "$d/manifest"); mv "$d/manifest" "$d/blobs/sha256/$md"
	printf '{"schemaVersion":2,"manifests":[{"mediaType":"application/vnd.oci.image.manifest.v1+json","digest":"sha256:%s","size":%s,"annotations":{"org.opencontainers.image.ref.name":"latest"}}]}' "$md" "$ms" >"$d/index.json"
	echo '{"imageLayoutVersion":"1.0.0"}' >"$d/oci-layout"
	echo "$d/blobs/sha256/$ld"
}
L1=$(layout A)
# Second build: a few files changed in content, a few only touched.
echo changed >>root/share/t1
head -c 65536 /dev/urandom >root/bin/raaaab
touch -d @1800000000 root/share/t2 root/share/t3
L2=$(layout B)
echo "layers: $(du -m "$L1" | cut -f1) MiB and $(du -m "$L2" | cut -f1) MiB compressed, $n files each"
rc=0
"$BL" diff --files --quiet A B || rc=$?
echo "bakelens exit code $rc (1 = different)"
{ "$BL" diff --files A B || true; } | grep -E '^ +(files:|[ADMm] )' | head -8

median() { printf '%s\n' "$@" | sort -n | sed -n "$(((${#} + 1) / 2))p"; }
bl=() bt=()
for _ in $(seq 1 "$RUNS"); do
	s=$(date +%s%N); "$BL" diff --files --quiet A B || true; e=$(date +%s%N); bl+=($(((e - s) / 1000000)))
	s=$(date +%s%N); bsdtar -tvf "$L1" >/dev/null; bsdtar -tvf "$L2" >/dev/null; e=$(date +%s%N); bt+=($(((e - s) / 1000000)))
done
mb=$(median "${bl[@]}") mt=$(median "${bt[@]}")
echo "bakelens diff --files: median $mb ms; bsdtar -tvf both layers: median $mt ms (runs: $RUNS)"
awk -v a="$mb" -v b="$mt" 'BEGIN { printf "ratio bakelens/bsdtar: %.2f (aim: <= 2.00)\n", a / b }'
