#!/usr/bin/env bash
# A real containerd (containerd-lib.sh) that cannot give what is asked: a
# namespace that does not exist, an image not in the namespace (close names
# suggested), a layer removed from the content store (shown missing, as a
# builder's lazy layer is), and the daemon killed by its pid while a layer is
# being read. Exit codes and messages as the man page documents them.
. "$BL_TESTLIB"
need_tool umoci skopeo jq sha256sum
. "$(dirname "$BL_TESTLIB")/containerd-lib.sh"
out=$BL_TMP/out err=$BL_TMP/err
cd "$BL_TMP"
NS=bl-faults
start_containerd
C=(ctr -a "$SOCK" -n "$NS")
export CONTAINERD_ADDRESS=unix://$SOCK

# Two layers: a small one, and 40 MB of random bytes, long to read.
mkdir -p files && echo small >files/f1 && head -c 40000000 /dev/urandom >files/big
umoci init --layout L
umoci new --image L:v1
umoci config --image L:v1 --os linux --architecture amd64
umoci insert --image L:v1 files/f1 /f1 >/dev/null
umoci insert --image L:v1 files/big /big >/dev/null
skopeo copy -q oci:L:v1 oci-archive:a.tar:v1
"${C[@]}" images import --no-unpack --base-name example.com/app a.tar >/dev/null
dig=$("${C[@]}" images ls | awk '$1 == "example.com/app:v1" {print $3}')
layer1=$("${C[@]}" content get "$dig" | jq -r '.layers[0].digest')

# A namespace that does not exist: the ones that do are listed.
run_bl "$out" "$err" digest containerd:nosuchns/example.com/app:v1
expect_eq "unknown namespace: exit code ($(head -c 300 "$err"))" 6 "$rc"
expect_eq "unknown namespace: message" 1 \
	"$(grep -c "image example.com/app:v1: unknown namespace nosuchns (namespaces here: $NS)" "$err")"
# An image the namespace does not hold: the close names.
run_bl "$out" "$err" digest "containerd:$NS/example.com/app:v2"
expect_eq "not in namespace: exit code" 6 "$rc"
expect_eq "not in namespace: close names" 1 \
	"$(grep -c "no image example.com/app:v2 in namespace $NS; close names: example.com/app:v1" "$err")"
# A digest that is not in the store.
run_bl "$out" "$err" digest "containerd:$NS/@sha256:$(printf %064d 0)"
expect_eq "digest not in the store: exit code ($(head -c 300 "$err"))" 6 "$rc"

# A layer removed from the store: shown missing with the builder's note;
# what the manifest and config say still answers; its files cannot be read.
"${C[@]}" content rm "$layer1" >/dev/null
run_bl "$out" "$err" tree "containerd:$NS/example.com/app:v1"
expect_eq "missing layer: tree exit ($(head -c 300 "$err"))" 0 "$rc"
expect_eq "missing layer: shown missing" 1 "$(grep -c "layer 1/2 .*missing" "$out")"
run_bl "$out" "$err" inspect --json "containerd:$NS/example.com/app:v1"
expect_eq "missing layer: inspect exit" 0 "$rc"
expect_eq "missing layer: the note says it is normal" 1 \
	"$(grep -c "lacks layers it never pulled; that is normal there" "$out")"
digest_is "missing layer: its digest still answers" "$layer1" \
	"containerd:$NS/example.com/app:v1" --what layer --layer 1
run_bl "$out" "$err" ls "containerd:$NS/example.com/app:v1" --layer 1
expect_eq "missing layer: ls exit ($(head -c 300 "$err"))" 6 "$rc"

# The daemon killed mid-read: cat of the 40 MB file through a reader that
# waits, so bakelens is inside the layer's Read when containerd dies.
rm -f started rc.txt
{
	r=0
	"$BAKELENS" cat --layer 2 "containerd:$NS/example.com/app:v1" /big 2>"$err" || r=$?
	echo "$r" >rc.txt
} |
	{ head -c 1000000 >/dev/null; touch started; sleep 2; cat >/dev/null; } &
pipeline=$!
for _ in $(seq 1 100); do [ -e started ] && break; sleep 0.05; done
kill -9 "$ctrd_pid"
wait "$ctrd_pid" 2>/dev/null || true
wait "$pipeline" || true
for _ in $(seq 1 100); do [ -s rc.txt ] && break; sleep 0.05; done
expect_eq "daemon killed: exit code ($(head -c 300 "$err"))" 3 "$(cat rc.txt)"
expect_eq "daemon killed: message" 1 "$(grep -c "containerd stopped mid-answer\|the answer ended" "$err")"
expect_eq "no cache written" 0 "$(find "$XDG_CACHE_HOME" -type f 2>/dev/null | wc -l)"
finish
