# Stand-in Docker daemons (sourced after lib.sh; the benchmark sources it
# too): Debian's podman, and unix_fault.py for daemons that misbehave.
#
#   fault_start NAME MODE [ARGS...]  unix_fault.py on $BL_TMP/NAME.sock, once
#                      it listens; its PID joins $FAULT_PIDS (stop with
#                      fault_stop)
#
# podman: Needs root: `podman system service` with vfs
# storage, its root, runroot, configs and socket all in $PM_DIR, nothing
# read from or written to the machine's containers configuration.
#
#   pm_start DIR       start the service (sets PM_SOCK, PM_PID); returns 1
#                      with the reason in $PM_WHY when it cannot start
#   pm ARGS...         podman on that storage; bah ARGS...: buildah on it
#   pm_stop            stop the service by PID
#   $PM_DIR/policy.json  a policy for skopeo --policy (the test's own images)

pm_env() {
	export CONTAINERS_CONF=$PM_DIR/containers.conf
	export CONTAINERS_STORAGE_CONF=$PM_DIR/storage.conf
	export CONTAINERS_REGISTRIES_CONF=$PM_DIR/registries.conf
	export XDG_RUNTIME_DIR=$PM_DIR/xdg XDG_CONFIG_HOME=$PM_DIR/config XDG_DATA_HOME=$PM_DIR/data
	export TMPDIR=$PM_DIR/tmp
}

pm() { podman --root "$PM_DIR/root" --runroot "$PM_DIR/run" --storage-driver vfs "$@"; }
bah() { buildah --root "$PM_DIR/root" --runroot "$PM_DIR/run" --storage-driver vfs "$@"; }

pm_start() {
	PM_DIR=$1
	PM_SOCK=$PM_DIR/podman.sock
	PM_PID=""
	mkdir -p "$PM_DIR/xdg" "$PM_DIR/config" "$PM_DIR/data" "$PM_DIR/tmp"
	chmod 700 "$PM_DIR/xdg"
	# cgroupfs and a file events log: no systemd or journald needed.
	cat >"$PM_DIR/containers.conf" <<-'EOF'
		[engine]
		cgroup_manager = "cgroupfs"
		events_logger = "file"
		[containers]
	EOF
	cat >"$PM_DIR/storage.conf" <<-EOF
		[storage]
		driver = "vfs"
		runroot = "$PM_DIR/run"
		graphroot = "$PM_DIR/root"
	EOF
	echo 'unqualified-search-registries = []' >"$PM_DIR/registries.conf"
	echo '{"default":[{"type":"insecureAcceptAnything"}]}' >"$PM_DIR/policy.json"
	pm_env
	# podman itself, not through pm(): $! must be the service's PID.
	podman --root "$PM_DIR/root" --runroot "$PM_DIR/run" --storage-driver vfs \
		--tmpdir "$PM_DIR/tmp" system service --time=0 "unix://$PM_SOCK" >"$PM_DIR/service.log" 2>&1 &
	PM_PID=$!
	local i
	for i in $(seq 1 100); do
		if curl -sf --unix-socket "$PM_SOCK" http://d/_ping >/dev/null 2>&1; then
			return 0
		fi
		kill -0 "$PM_PID" 2>/dev/null || break
		sleep 0.1
	done
	PM_WHY="podman system service did not start: $(tail -3 "$PM_DIR/service.log" | tr '\n' ' ')"
	pm_stop
	return 1
}

pm_stop() {
	if [ -n "${PM_PID:-}" ]; then
		kill "$PM_PID" 2>/dev/null || true
		wait "$PM_PID" 2>/dev/null || true
		PM_PID=""
	fi
}

FAULT_PIDS=""
fault_start() {
	local name=$1
	shift
	mkfifo "$BL_TMP/$name.ready"
	python3 "$(dirname "${BASH_SOURCE[0]}")/unix_fault.py" "$BL_TMP/$name.sock" "$@" \
		>"$BL_TMP/$name.ready" &
	FAULT_PIDS="$FAULT_PIDS $!"
	read -r _ <"$BL_TMP/$name.ready"
}

fault_stop() {
	local p
	for p in $FAULT_PIDS; do kill "$p" 2>/dev/null || true; done
	for p in $FAULT_PIDS; do wait "$p" 2>/dev/null || true; done
	FAULT_PIDS=""
}
