#!/usr/bin/env bash
# `bakelens digest --what config docker-daemon:` against
# `skopeo inspect --raw docker-daemon:` + jq (the nearest peer; both read the
# daemon's saved-image stream), on podman's Engine API service started here
# (root, vfs storage in a temp dir, stopped by PID). Two images: ~1 MiB and
# ~SIZE_MIB of one uncompressed layer. Also the peak memory of each (bakelens
# streams the save once; skopeo copies it to a temporary file first).
# Prints medians; timing is measured here, never asserted in tests.
# Usage: sudo bench/docker_daemon.sh [BAKELENS] [SIZE_MIB]   (default build/bakelens, 256)
set -euo pipefail
cd "$(dirname "$0")/.."
BL=$(realpath "${1:-build/bakelens}")
BIG_MIB=${2:-256}
RUNS=${RUNS:-5}
[ "$(id -u)" -eq 0 ] || { echo "needs root (starts podman system service)" >&2; exit 1; }
work=$(mktemp -d "${TMPDIR:-/var/tmp}/bl-bench.XXXXXX")
. tests/integration/podman-lib.sh
trap 'pm_stop; rm -rf "$work"' EXIT
pm_start "$work/pm" || { echo "$PM_WHY" >&2; exit 1; }
export DOCKER_HOST=unix://$PM_SOCK

# make_image NAME MIB: one layer holding MIB of random bytes, by buildah.
make_image() {
	mkdir -p "$work/f"
	head -c "$(($2 * 1048576))" /dev/urandom >"$work/f/data.bin"
	local c
	c=$(bah from scratch)
	bah copy "$c" "$work/f/data.bin" /data.bin >/dev/null
	bah commit -q "$c" "localhost/$1:v1" >/dev/null
	bah rm "$c" >/dev/null
	rm -f "$work/f/data.bin"
}

# median_ms CMD...: median wall time of RUNS runs, in milliseconds
median_ms() {
	local t=()
	for _ in $(seq "$RUNS"); do
		local s e
		s=$(date +%s%N); "$@" >/dev/null 2>&1; e=$(date +%s%N)
		t+=($(((e - s) / 1000)))
	done
	printf '%s\n' "${t[@]}" | sort -n | awk '{a[NR]=$1} END {printf "%.1f", a[int((NR+1)/2)]/1000}'
}
peak_mib() { /usr/bin/time -f %M "$@" 2>&1 >/dev/null | tail -1 | awk '{printf "%.1f", $1/1024}'; }

skopeo_config() {
	skopeo inspect --daemon-host "$DOCKER_HOST" --raw "docker-daemon:$1" | jq -r .config.digest
}
bl_config() { "$BL" digest --what config "docker-daemon:$1"; }

make_image small 1
make_image big "$BIG_MIB"
for img in localhost/small:v1 localhost/big:v1; do
	want=sha256:$(pm image inspect "$img" | jq -r '.[0].Id')
	[ "$(bl_config "$img")" = "$want" ] || { echo "bakelens: wrong config digest for $img" >&2; exit 1; }
	[ "$(skopeo_config "$img")" = "$want" ] || { echo "skopeo: wrong config digest for $img" >&2; exit 1; }
done

printf '%-40s %10s %12s %16s\n' "command" "~1 MiB ms" "~$BIG_MIB MiB ms" "peak MiB (big)"
for tool in bl_config skopeo_config; do
	name="bakelens digest --what config"
	[ "$tool" = skopeo_config ] && name="skopeo inspect --raw | jq .config"
	s=$(median_ms "$tool" localhost/small:v1)
	b=$(median_ms "$tool" localhost/big:v1)
	if [ "$tool" = bl_config ]; then
		m=$(peak_mib "$BL" digest --what config docker-daemon:localhost/big:v1)
	else
		m=$(peak_mib skopeo inspect --daemon-host "$DOCKER_HOST" --raw docker-daemon:localhost/big:v1)
	fi
	printf '%-40s %10s %12s %16s\n' "$name" "$s" "$b" "$m"
	eval "t_$tool=$b"
done
printf 'bakelens vs skopeo on the big image: %s\n' \
	"$(awk -v a="$t_skopeo_config" -v b="$t_bl_config" 'BEGIN{printf "%.2fx", a/b}')"
printf 'podman save -o (the floor: the daemon writes the same stream): %s ms\n' \
	"$(RUNS=3 median_ms sh -c "rm -f '$work/s.tar'; podman --root '$PM_DIR/root' --runroot '$PM_DIR/run' --storage-driver vfs save -q -o '$work/s.tar' localhost/big:v1")"
