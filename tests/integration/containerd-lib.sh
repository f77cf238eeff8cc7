# Start Debian's containerd for a test (sourced after lib.sh): as root, with
# its own root, state and socket under $BL_TMP/ctrd, a config that disables
# what content, images and namespaces do not need, stopped by its pid when
# the test exits. Skips (77) when not root or containerd cannot start.
# Sets D (the directory), SOCK (the socket) and ctrd_pid.
start_containerd() {
	need_tool containerd ctr
	if [ "$(id -u)" -ne 0 ]; then
		echo "SKIP: containerd needs root (this test starts its own daemon)"
		exit 77
	fi
	D=$BL_TMP/ctrd
	SOCK=$D/c.sock
	mkdir -p "$D/root" "$D/state"
	# Only what content, images, namespaces and leases need: no CRI, no
	# snapshotters that want kernel features, no runtimes.
	cat >"$D/config.toml" <<'EOF'
version = 2
disabled_plugins = [
  "io.containerd.grpc.v1.cri",
  "io.containerd.snapshotter.v1.aufs", "io.containerd.snapshotter.v1.btrfs",
  "io.containerd.snapshotter.v1.devmapper", "io.containerd.snapshotter.v1.zfs",
  "io.containerd.snapshotter.v1.overlayfs",
  "io.containerd.runtime.v1.linux", "io.containerd.runtime.v2.task",
  "io.containerd.monitor.v1.cgroups", "io.containerd.internal.v1.opt",
  "io.containerd.tracing.processor.v1.otlp", "io.containerd.internal.v1.tracing",
]
EOF
	containerd --config "$D/config.toml" --root "$D/root" --state "$D/state" --address "$SOCK" \
		>"$D/log" 2>&1 &
	ctrd_pid=$!
	trap stop_containerd EXIT
	local up=0
	for _ in $(seq 1 100); do
		if ctr -a "$SOCK" version >/dev/null 2>&1; then up=1; break; fi
		kill -0 "$ctrd_pid" 2>/dev/null || break
		sleep 0.1
	done
	if [ "$up" -ne 1 ]; then
		echo "SKIP: containerd did not start: $(tail -3 "$D/log")"
		exit 77
	fi
}
stop_containerd() {
	kill "$ctrd_pid" 2>/dev/null && wait "$ctrd_pid" 2>/dev/null
	bl_cleanup
}
