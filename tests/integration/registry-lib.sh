# Helpers for the registry integration tests (sourced after lib.sh).
#
# Starts Debian's docker-registry (the CNCF distribution registry) on
# 127.0.0.1 with a config of our own, makes images with umoci and puts them
# there with skopeo. Every process started here is stopped by PID on exit.
: "${BL_REGISTRY_PROBE:?run through meson test}"
PROBE=$BL_REGISTRY_PROBE
need_tool docker-registry skopeo umoci jq openssl python3 curl sha256sum

BL_PIDS=""
reg_cleanup() {
	for p in $BL_PIDS; do
		kill "$p" 2>/dev/null || true
	done
	for p in $BL_PIDS; do
		wait "$p" 2>/dev/null || true
	done
	rm -rf "$BL_TMP"
}
trap reg_cleanup EXIT

# A policy that lets skopeo copy anything (the test's own images only).
POLICY=$BL_TMP/policy.json
echo '{"default":[{"type":"insecureAcceptAnything"}]}' >"$POLICY"
# The store's cache goes to the test's directory, never the user's.
export XDG_CACHE_HOME=$BL_TMP/xdg-cache
export HOME=$BL_TMP/home
mkdir -p "$HOME"
unset REGISTRY_AUTH_FILE DOCKER_CONFIG XDG_RUNTIME_DIR XDG_CONFIG_HOME

free_port() {
	python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1]); s.close()'
}

# wait_port PORT: until something listens (10 s at most).
wait_port() {
	local i
	for i in $(seq 1 100); do
		if python3 -c "import socket,sys; s=socket.socket(); s.settimeout(0.2); sys.exit(s.connect_ex(('127.0.0.1',$1)))" 2>/dev/null; then
			return 0
		fi
		sleep 0.1
	done
	echo "nothing listens on 127.0.0.1:$1" >&2
	return 1
}

# make_htpasswd FILE USER PASS: bcrypt entry (htpasswd if installed, else
# python3's crypt over libxcrypt, which knows $2b$).
make_htpasswd() {
	if command -v htpasswd >/dev/null 2>&1; then
		htpasswd -Bbn "$2" "$3" >"$1"
	else
		python3 -W ignore -c 'import crypt,sys; print(sys.argv[1] + ":" + crypt.crypt(sys.argv[2], crypt.mksalt(crypt.METHOD_BLOWFISH)))' "$2" "$3" >"$1"
	fi
}

# make_cert DIR: a self-signed certificate for 127.0.0.1 (DIR/cert.pem, DIR/key.pem).
make_cert() {
	openssl req -x509 -newkey rsa:2048 -nodes -days 2 -subj /CN=127.0.0.1 \
		-addext subjectAltName=IP:127.0.0.1 \
		-keyout "$1/key.pem" -out "$1/cert.pem" >/dev/null 2>&1
}

# start_registry NAME [plain|htpasswd|tls|token REALM]: sets REG_PORT, REG_DIR,
# REG_PID, REG_LOG (the access log is in REG_LOG).
start_registry() {
	local name=$1 mode=${2:-plain}
	REG_DIR=$BL_TMP/$name
	mkdir -p "$REG_DIR/data"
	REG_PORT=$(free_port)
	REG_LOG=$REG_DIR/registry.log
	{
		echo "version: 0.1"
		echo "log:"
		echo "  level: info"
		echo "  accesslog:"
		echo "    disabled: false"
		echo "storage:"
		echo "  filesystem:"
		echo "    rootdirectory: $REG_DIR/data"
		echo "http:"
		echo "  addr: 127.0.0.1:$REG_PORT"
		if [ "$mode" = tls ]; then
			make_cert "$REG_DIR"
			echo "  tls:"
			echo "    certificate: $REG_DIR/cert.pem"
			echo "    key: $REG_DIR/key.pem"
		fi
		if [ "$mode" = htpasswd ]; then
			make_htpasswd "$REG_DIR/htpasswd" tester 's3cr3t-Pa55'
			echo "auth:"
			echo "  htpasswd:"
			echo "    realm: bakelens-test"
			echo "    path: $REG_DIR/htpasswd"
		fi
		if [ "$mode" = token ]; then
			echo "auth:"
			echo "  token:"
			echo "    realm: $3"
			echo "    service: bakelens-test"
			echo "    issuer: bakelens-test-issuer"
			echo "    rootcertbundle: $4"
		fi
	} >"$REG_DIR/config.yml"
	docker-registry serve "$REG_DIR/config.yml" >"$REG_LOG" 2>&1 &
	REG_PID=$!
	BL_PIDS="$BL_PIDS $REG_PID"
	wait_port "$REG_PORT"
}

# make_layout DIR: an OCI layout with tags "amd64", "arm64" (umoci images with
# one layer each) and "multi" (an index around both, written with jq).
make_layout() {
	local L=$1
	umoci init --layout "$L" >/dev/null
	local arch
	for arch in amd64 arm64; do
		umoci new --image "$L:$arch" >/dev/null
		mkdir -p "$BL_TMP/src-$arch/etc"
		echo "made for $arch" >"$BL_TMP/src-$arch/etc/bakelens-test"
		umoci insert --image "$L:$arch" "$BL_TMP/src-$arch/etc/bakelens-test" /etc/bakelens-test >/dev/null
		umoci config --image "$L:$arch" --os linux --architecture "$arch" \
			--config.cmd /bin/true --config.label "test.arch=$arch" >/dev/null
	done
	# the index by hand: both manifests with their platforms
	local idx
	idx=$(jq -c '{schemaVersion: 2, mediaType: "application/vnd.oci.image.index.v1+json",
		manifests: [.manifests[]
			| select(.annotations["org.opencontainers.image.ref.name"] == "amd64" or
			         .annotations["org.opencontainers.image.ref.name"] == "arm64")
			| {mediaType, digest, size,
			   platform: {os: "linux", architecture: .annotations["org.opencontainers.image.ref.name"]}}]}' \
		"$L/index.json")
	printf '%s' "$idx" >"$BL_TMP/index.blob"
	local hex size
	hex=$(sha256sum "$BL_TMP/index.blob" | cut -d' ' -f1)
	size=$(stat -c %s "$BL_TMP/index.blob")
	cp "$BL_TMP/index.blob" "$L/blobs/sha256/$hex"
	jq --arg d "sha256:$hex" --argjson s "$size" '.manifests += [{
		mediaType: "application/vnd.oci.image.index.v1+json", digest: $d, size: $s,
		annotations: {"org.opencontainers.image.ref.name": "multi"}}]' \
		"$L/index.json" >"$L/index.json.new"
	mv "$L/index.json.new" "$L/index.json"
}

# push SRC DEST [skopeo copy options...]
push() {
	local src=$1 dst=$2
	shift 2
	skopeo --policy "$POLICY" copy -q --dest-tls-verify=false "$@" "$src" "docker://$dst" >/dev/null
}

# skopeo_raw REF [opts]: sha256 of `skopeo inspect --raw`
skopeo_raw_digest() {
	local ref=$1
	shift
	skopeo --policy "$POLICY" inspect --tls-verify=false --raw "$@" "docker://$ref" | sha256sum | cut -d' ' -f1 | sed 's/^/sha256:/'
}
skopeo_config_digest() {
	local ref=$1
	shift
	skopeo --policy "$POLICY" inspect --tls-verify=false --config --raw "$@" "docker://$ref" | sha256sum | cut -d' ' -f1 | sed 's/^/sha256:/'
}

# run_probe OUT ERR -- probe args: rc in $rc, never aborts.
run_probe() {
	local out=$1 err=$2
	shift 2
	rc=0
	"$PROBE" "$@" >"$out" 2>"$err" || rc=$?
}

# Layer blob GETs (and HEADs) seen in the registry access log since line $1.
layer_requests() {
	local from=$1 layers=$2
	tail -n +"$from" "$REG_LOG" | grep -F -f "$layers" | grep -E '"(GET|HEAD) /v2/[^ ]*/blobs/' || true
}

# start_fault_proxy UPSTREAM_PORT USER:PASS: tests/integration/fault_proxy.py
# in front of the registry on UPSTREAM_PORT (its second listener, another
# origin, on 127.0.0.2), rules from $RULES (empty at first), log in $PLOG;
# sets PP (its port) and TP (the second listener's).
start_fault_proxy() {
	PP=$(free_port)
	TP=$(free_port)
	RULES=$BL_TMP/rules.json
	PLOG=$BL_TMP/proxy.log
	echo '[]' >"$RULES"
	: >"$PLOG"
	UPSTREAM_AUTH="Basic $(printf '%s' "$2" | base64)" \
		python3 "$(dirname "${BASH_SOURCE[0]}")/fault_proxy.py" "$PP" "$1" "$RULES" "$PLOG" 127.0.0.2 "$TP" &
	BL_PIDS="$BL_PIDS $!"
	wait_port "$PP"
}

finish() {
	echo "$checks checks, $failures failures"
	[ "$failures" -eq 0 ]
}
