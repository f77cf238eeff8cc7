#!/usr/bin/env bash
# What is inside the layers: `ls --changes`, `ls --tree`, `cat` and `check` on
# an image made here with umoci (unpack, change the rootfs, repack: files
# added, modified, deleted, a directory deleted, a file replaced by a
# directory, hard and symbolic links) and a fourth layer written by python's
# tarfile (an opaque directory, a whiteout of a hard link's target, a
# directory replaced by a file, a whiteout of a path no layer has). Expected
# figures come from layers_ref.py, which reads the layer tars itself and
# applies dive's algorithm and the runtime's rules; file bytes from tar.
. "$BL_TESTLIB"
need_tool umoci jq python3 tar sha256sum script
out=$BL_TMP/out err=$BL_TMP/err
REF=$(cd "$(dirname "$0")" && pwd)/layers_ref.py
cd "$BL_TMP"

umoci init --layout L
umoci new --image L:v1
umoci unpack --rootless --image L:v1 b >/dev/null
R=b/rootfs
fill() { head -c "$2" /dev/zero | tr '\0' "$3" >"$1"; }
mkdir -p $R/etc $R/data $R/dir/sub $R/old $R/hl $R/bin
echo v1 >$R/etc/conf
head -c 20000 /dev/urandom >$R/data/big
fill $R/data/keep 100 k
fill $R/dir/sub/x 300 x
fill $R/dir/sub/y 400 y
fill $R/old/o1 500 o
fill $R/hl/orig 600 h
ln $R/hl/orig $R/hl/hard
ln -s etc/conf $R/sym
fill $R/rep 700 r
printf 'a\0b\0binary' >$R/bin/blob
umoci repack --refresh-bundle --image L:v1 b
# Layer 2: deleted (whiteouts), modified (content, mode), a directory
# removed and made again, a file replaced by a directory.
rm $R/data/big
echo "v2 longer" >$R/etc/conf
chmod 600 $R/data/keep
rm -rf $R/dir && mkdir $R/dir && echo new >$R/dir/new
rm -rf $R/old
rm $R/rep && mkdir $R/rep && fill $R/rep/inner 80 i
umoci repack --refresh-bundle --image L:v1 b
# Layer 3: a deleted file comes back, a file changes again.
head -c 5000 /dev/urandom >$R/data/big
echo newer >$R/dir/new
umoci repack --refresh-bundle --image L:v1 b
# Layer 4, by hand: what umoci does not write.
hard_target=$(tar -tvzf "L/blobs/sha256/$(jq -r '.manifests[0].digest' L/index.json | cut -d: -f2 |
	xargs -I{} jq -r '.layers[0].digest' L/blobs/sha256/{} | cut -d: -f2)" | awk '$1 ~ /^-/ && $NF ~ /^hl\// {print $NF}')
python3 - "$hard_target" <<'EOF'
import io, sys, tarfile
t = tarfile.open("l4.tar", "w", format=tarfile.PAX_FORMAT)
def add(name, data=None, kind=tarfile.REGTYPE, mode=0o644):
    i = tarfile.TarInfo(name); i.type = kind; i.mode = mode; i.mtime = 1700000000
    if data is not None:
        i.size = len(data); t.addfile(i, io.BytesIO(data))
    else:
        t.addfile(i)
add("rep/", kind=tarfile.DIRTYPE, mode=0o755)
add("rep/.wh..wh..opq", b"")
add("rep/fresh", b"f" * 30)
add("hl/.wh." + sys.argv[1].split("/")[1], b"")
add("dir", b"d" * 10)
add("zz/", kind=tarfile.DIRTYPE, mode=0o755)
add("zz/.wh.gone", b"")
t.close()
EOF
umoci raw add-layer --image L:v1 l4.tar
man=$(jq -r '.manifests[0].digest' L/index.json)
python3 "$REF" L "$man" >ref.json
layer_blob() { echo "L/blobs/sha256/$(jq -r ".layers[$1].digest" "L/blobs/sha256/${man#sha256:}" | cut -d: -f2)"; }

# --- check --json: dive's figures and the exact shadowed bytes
run_bl "$out" "$err" check L --json --lowest-efficiency disabled --highest-user-wasted-percent disabled
expect_eq "check: exit ($(head -c 300 "$err"))" 0 "$rc"
img() { jq -c ".images[0] | $1" "$out"; }
ref() { jq -c "$1" ref.json; }
for k in size_bytes user_size_bytes wasted_bytes; do
	expect_eq "check: $k as dive" "$(ref ".dive.$k")" "$(img ".$k")"
done
expect_eq "check: efficiency as dive" "$(ref '.dive.efficiency * 1e12 | round')" "$(img '.efficiency * 1e12 | round')"
expect_eq "check: user wasted percent as dive" "$(ref '.dive.user_wasted_percent * 1e12 | round')" \
	"$(img '.user_wasted_percent * 1e12 | round')"
expect_eq "check: inefficiencies as dive" "$(ref '.dive.inefficiencies')" \
	"$(img '[.inefficiencies[] | [.path, .count, .cumulative_bytes]] | sort')"
expect_eq "check: layer sizes as dive" "$(ref '.dive.layer_sizes')" "$(img '[.layers[].size_bytes]')"
expect_eq "check: shadowed bytes" "$(ref .shadowed_bytes)" "$(img .shadowed_bytes)"
expect_eq "check: shadowed files" "$(ref .shadowed_files)" "$(img .shadowed_files)"
expect_eq "check: shadowed entries" "$(ref .shadowed)" "$(img '[.shadowed[] | [.path, .layer, .by_layer, .size]] | sort')"
expect_eq "check: the exact figure is not dive's here" true "$(jq "$(ref .shadowed_bytes) != $(ref .dive.wasted_bytes)" -n)"
for i in 0 1 2 3; do
	b=$(layer_blob $i)
	expect_eq "check: layer $((i + 1)) compressed size" "$(stat -c %s "$b")" "$(img ".layers[$i].compressed_bytes")"
	# The tar up to its end marker: the members' 512-byte blocks and two zero blocks.
	want=$(python3 -c 'import sys, tarfile, gzip, io
d = open(sys.argv[1], "rb").read()
d = gzip.decompress(d) if d[:2] == b"\x1f\x8b" else d
t = tarfile.open(fileobj=io.BytesIO(d)); list(t); print(t.offset + 1024)' "$b")
	expect_eq "check: layer $((i + 1)) uncompressed size" "$want" "$(img ".layers[$i].uncompressed_bytes")"
done
expect_eq "check: layers numbered from 1" '"1-based"' "$(jq -c .layer_numbering "$out")"

# --- ls --changes --json: every layer's change set
run_bl "$out" "$err" ls L --changes --json
expect_eq "ls --changes: exit ($(head -c 300 "$err"))" 0 "$rc"
expect_eq "ls --changes: as the runtime applies the layers" "$(ref .changes)" \
	"$(jq -c '[.[] | [.layer, .change, .path, (.deletes_entries // 0), (.deletes_bytes // 0)]] | sort' "$out")"
cause() { jq -r --arg p "$1" --argjson l "$2" '.[] | select(.path == $p and .layer == $l) | .cause' "$out"; }
expect_eq "whiteout of a file" whiteout "$(cause data/big 2)"
expect_eq "whiteout of a directory" whiteout "$(cause old 2)"
expect_eq "opaque directory" opaque "$(cause rep/inner 4)"
expect_eq "directory replaced by a file" replaced "$(cause dir/new 4)"
expect_eq "whiteout of nothing" whiteout "$(cause zz/gone 4)"
expect_eq "whiteout of a directory: from layer 1" 1 \
	"$(jq '.[] | select(.path == "old" and .layer == 2) | .deleted_from_layer' "$out")"
expect_eq "file replaced by a directory: modified type" '["mode","type"]' \
	"$(jq -c '.[] | select(.path == "rep" and .layer == 2) | .changed | sort' "$out")"
run_bl "$out" "$err" ls L --changes --layer 2
expect_eq "ls --changes text: a directory's whiteout" \
	"D old  (whiteout: deletes 2 entries, 500 bytes, from layer 1)" "$(grep '^D old' "$out")"
expect_eq "ls --changes --layer 2: header" "layer 2/4" "$(head -1 "$out" | cut -d' ' -f1-2)"

# --- the merged view: hard link whose target a whiteout removed
run_bl "$out" "$err" ls L --json
expect_eq "merged: final paths" "$(ref .final)" "$(jq -c '[.[].path] | sort' "$out")"
link=$(jq -r '.[] | select(.type == "hardlink") | .path' "$out")
expect_eq "merged: the hard link is marked" '"target deleted"' \
	"$(jq -c --arg p "$link" '.[] | select(.path == $p) | .link_state' "$out")"
expect_eq "merged: no whiteout names" 0 "$(jq '[.[] | select(.path | test("(^|/)\\.wh\\."))] | length' "$out")"

# --- ls --tree: directory sizes summed
run_bl "$out" "$err" ls L --tree --json
expect_eq "tree: data/ holds big and keep" "$(jq '[.[] | select(.path | startswith("data/")) | .size] | add' "$out")" \
	"$(jq '.[] | select(.path == "data") | .bytes' "$out")"
expect_eq "tree: the whole image" \
	"$(jq '[.[] | select(.type != "dir") | .size] | add' "$out")" "$(jq '[.[] | select(.depth == 0) | .bytes] | add' "$out")"

# --- cat: the bytes as the image has them, streamed from the right layer
catis() { # WHAT LAYER_INDEX MEMBER ARGS...
	local what=$1 i=$2 member=$3
	shift 3
	tar -xOf <(gzip -dcf "$(layer_blob "$i")") "$member" | sha256sum >want.sum
	run_bl "$out" "$err" cat L "$@"
	expect_eq "cat $what: exit ($(head -c 200 "$err"))" 0 "$rc"
	expect_eq "cat $what" "$(cat want.sum)" "$(sha256sum <"$out")"
}
catis "merged etc/conf" 1 etc/conf etc/conf
catis "merged data/big (layer 3)" 2 data/big /data/big
catis "--layer 1 data/big" 0 data/big data/big --layer 1
catis "--layer -4 data/big" 0 data/big data/big --layer -4
catis "a symlink followed" 1 etc/conf sym
catis "a hard link whose target was deleted" 0 "$hard_target" "$link"
run_bl "$out" "$err" cat L old/o1
expect_eq "cat a deleted file: exit" 6 "$rc"
expect_eq "cat a deleted file: the layer" "bakelens: L: old/o1: deleted by layer 2 (it was last in layer 1)" "$(cat "$err")"
run_bl "$out" "$err" cat L data/big --layer 2
expect_eq "cat --layer of its whiteout: exit" 6 "$rc"
expect_eq "cat --layer of its whiteout: said" "bakelens: L: data/big: deleted by layer 2 (a whiteout)" "$(cat "$err")"
run_bl "$out" "$err" cat L no/such
expect_eq "cat: not in the image" 6 "$rc"
run_bl "$out" "$err" cat L dir/new
expect_eq "cat: deleted by a replacing file" "bakelens: L: dir/new: deleted by layer 4 (it was last in layer 3)" "$(cat "$err")"
rc=0
script -qec "$BAKELENS cat L bin/blob" /dev/null >tty.out 2>&1 || rc=$?
expect_eq "cat binary on a terminal: refused" 2 "$rc"
if grep -q "binary content; not written to a terminal" tty.out; then pass; else fail "no hint: $(cat -v tty.out)"; fi
run_bl "$out" "$err" cat L bin/blob
expect_eq "cat binary to a pipe" "$(printf 'a\0b\0binary' | sha256sum)" "$(sha256sum <"$out")"

# --- check: rules, .dive-ci files and exit codes
eff=$(ref .dive.efficiency)
wasted=$(ref .dive.wasted_bytes)
run_bl "$out" "$err" check L
expect_eq "dive's defaults: efficiency $eff < 0.9 fails" 1 "$rc"
if grep -q "^  FAIL: lowestEfficiency: image efficiency is too low" "$out"; then pass; else fail "rule not named: $(cat "$out")"; fi
printf 'rules:\n  # dive CI\n  lowestEfficiency: %s\n  highestWastedBytes: "%s"\n  highestUserWastedPercent: disabled\n' \
	"$(jq -n "$eff - 0.01")" "$wasted" >pass.dive-ci
run_bl "$out" "$err" check L --rules pass.dive-ci
expect_eq ".dive-ci that passes ($(cat "$out" "$err" | head -c 400))" 0 "$rc"
printf 'rules:\n  lowest-efficiency: 0\n  highest-wasted-bytes: %s\n  highest-user-wasted-percent: off\n' \
	"$((wasted - 1))" >fail.dive-ci
run_bl "$out" "$err" check L --rules fail.dive-ci --json
expect_eq ".dive-ci that fails" 1 "$rc"
expect_eq ".dive-ci that fails: the rule" '["pass","fail","disabled"]' "$(jq -c '[.images[0].rules[].status]' "$out")"
expect_eq "--json pass false" false "$(jq .pass "$out")"
run_bl "$out" "$err" check L --rules fail.dive-ci --highest-wasted-bytes 1MB
expect_eq "an option overrides the file" 0 "$rc"
run_bl "$out" "$err" check L --lowest-efficiency 1.5
expect_eq "a ratio out of range: usage" 2 "$rc"
printf 'rules:\n  lowestEfficiency\n' >bad.dive-ci
run_bl "$out" "$err" check L --rules bad.dive-ci
expect_eq "a malformed .dive-ci" 4 "$rc"

# --- a platform in the index whose manifest is missing: exit 6, never an empty listing
cp -r L P
md=$(jq '.manifests[0] | del(.annotations)' L/index.json)
miss=sha256:$(printf missing | sha256sum | cut -d' ' -f1)
jq -n --argjson m "$md" --arg d "$miss" '{schemaVersion: 2, mediaType: "application/vnd.oci.image.index.v1+json",
	manifests: [($m + {platform: {os: "linux", architecture: "amd64"}}),
		($m + {digest: $d, platform: {os: "linux", architecture: "arm64"}})]}' >idx.json
cp idx.json "P/blobs/sha256/$(sha256sum idx.json | cut -d' ' -f1)"
jq -n --arg d "$(sha256_of idx.json)" --argjson s "$(stat -c %s idx.json)" '{schemaVersion: 2,
	manifests: [{mediaType: "application/vnd.oci.image.index.v1+json", digest: $d, size: $s,
		annotations: {"org.opencontainers.image.ref.name": "v1"}}]}' >P/index.json
for args in "" "--json" "--changes" "--tree"; do
	run_bl "$out" "$err" ls P --platform linux/arm64 $args
	expect_eq "ls $args of a missing platform: exit" 6 "$rc"
	expect_eq "ls $args of a missing platform: nothing on stdout" "" "$(cat "$out")"
done
if grep -q "linux/arm64: no layers to list: $miss" "$err"; then pass; else fail "reason: $(cat "$err")"; fi
run_bl "$out" "$err" check P
expect_eq "check with a missing platform: exit" 6 "$rc"
run_bl "$out" "$err" check P --platform linux/amd64 --lowest-efficiency 0 --highest-user-wasted-percent off
expect_eq "check of the other platform" 0 "$rc"

# --- layer numbers: 1 is the bottom, 0 is none
run_bl "$out" "$err" ls L --layer 0
expect_eq "--layer 0: exit" 6 "$rc"
expect_eq "--layer 0: the range" "bakelens: L: --layer 0: the image has 4 layers (1 to 4, or -1 to -4)" "$(cat "$err")"
umoci init --layout E && umoci new --image E:v1
run_bl "$out" "$err" ls E --layer 1
expect_eq "--layer on an image without layers" "bakelens: E: --layer 1: the image has no layers" "$(cat "$err")"
run_bl "$out" "$err" ls L --layer 1 --json
expect_eq "--layer 1 is the bottom" 1 "$(jq '[.[].layer] | unique | .[0]' "$out")"
expect_eq "--layer 1 lists the first tar" "$(tar -tzf "$(layer_blob 0)" | sed 's,/$,,' | grep -v '^\.$' | sort | jq -Rsc 'split("\n") | map(select(. != ""))')" \
	"$(jq -c '[.[].path] | sort' "$out")"
finish
