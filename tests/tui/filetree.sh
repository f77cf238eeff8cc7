#!/usr/bin/env bash
# The file tree (F) and the waste panel (W) in a real terminal (tmux), on an
# image made here with umoci: files added then deleted, modified, a
# directory deleted, an opaque directory (a layer written by python's
# tarfile, added with umoci raw add-layer), a hard link, a symlink, a binary
# file, a file whose name holds an escape sequence and one whose content
# holds escape sequences (OSC 0 title, SGR). Checks:
#  - the image as of a layer and a layer's changes (i), A/M/D letters and
#    their colours, what a deletion removed and how (whiteout, opaque);
#  - collapse (h), expand (l), collapse all (C), one level deeper (+);
#  - [ and ] keep the path, ] lists a layer not listed yet; Enter shows a text file escaped, a binary one as
#    a hex dump, a link as its target;
#  - hostile names and contents are escaped: the raw sequences never reach
#    the terminal (tmux pipe-pane records every byte bakelens wrote) and the
#    pane title is untouched;
#  - the waste panel's figures are those of `bakelens check --json`, and
#    Enter on a file opens the tree at its layer on its path;
#  - Esc during the listing of a layer of 300,000 entries cancels it, with
#    progress shown meanwhile; F again lists it.
# Needs: BAKELENS (set by meson), tmux, umoci, jq, python3. Exit 77 = skipped.
set -u
export TZ=UTC LC_ALL=C.UTF-8 TERM=xterm-256color
: "${BAKELENS:?}" "${BL_SRC:?}"
for t in tmux umoci jq python3; do
	command -v $t >/dev/null || { echo "no $t: skip"; exit 77; }
done
W=$(mktemp -d)
SOCK=bl-ftree-$$
T="tmux -L $SOCK-0"
failures=0
cleanup() { $T kill-server 2>/dev/null; rm -rf "$W"; }
trap cleanup EXIT INT TERM
fail() { echo "FAIL: $*"; failures=$((failures + 1)); }
cd "$W" || exit 1

# ---------------------------------------------------------------- the image
umoci init --layout L && umoci new --image L:v1 &&
	umoci config --image L:v1 --os linux --architecture amd64 >/dev/null &&
	umoci unpack --rootless --image L:v1 b >/dev/null || exit 1
R=b/rootfs
mkdir -p $R/etc $R/data $R/dir/sub $R/hl $R/bin $R/notes $R/opq
echo v1 >$R/etc/conf
head -c 20000 /dev/urandom >$R/data/big
printf 'keep\n' >$R/data/keep
head -c 300 /dev/zero | tr '\0' x >$R/dir/sub/x
head -c 400 /dev/zero | tr '\0' y >$R/dir/sub/y
head -c 600 /dev/zero | tr '\0' h >$R/hl/orig
ln $R/hl/orig $R/hl/hard
ln -s etc/conf $R/sym
printf 'old-a' >$R/opq/a
printf 'old-bb' >$R/opq/b
printf '\177ELF\0\1\2\3binary\0\0\0\377\376' >$R/bin/blob
printf 'line one\n\033]0;PWNED\007 title\n\033[31mred\033[0m text\n' >$R/notes/evil.txt
printf 'hostile name\n' >"$R/notes/$(printf 'x\033[7mrev')"
umoci repack --refresh-bundle --image L:v1 b >/dev/null || exit 1
# Layer 2: a file deleted, one modified, a directory deleted.
rm $R/data/big
echo "v2 longer" >$R/etc/conf
rm -rf $R/dir
umoci repack --refresh-bundle --image L:v1 b >/dev/null || exit 1
# Layer 3: an opaque directory, which umoci does not write.
python3 - <<'EOF' || exit 1
import io, tarfile
t = tarfile.open("l3.tar", "w", format=tarfile.PAX_FORMAT)
def add(name, data=None, kind=tarfile.REGTYPE, mode=0o644):
    i = tarfile.TarInfo(name); i.type = kind; i.mode = mode; i.mtime = 1700000000
    if data is not None:
        i.size = len(data); t.addfile(i, io.BytesIO(data))
    else:
        t.addfile(i)
add("opq/", kind=tarfile.DIRTYPE, mode=0o755)
add("opq/.wh..wh..opq", b"")
add("opq/fresh.txt", b"fresh\n")
t.close()
EOF
umoci raw add-layer --image L:v1 l3.tar >/dev/null || exit 1

# ---------------------------------------------------------------- helpers
: >raw.out
. "$BL_SRC/tests/tui/tmux-lib.sh"
start() { # SOURCE
	tui_start 120 40 \
		"cd '$W' && env TERM=xterm-256color LC_ALL=C.UTF-8 XDG_CONFIG_HOME=/nonexistent '$BAKELENS' $1; echo EXITED \$?; sleep 30"
	tui_record "$W/raw.out"
	tui_title_clean
}
keys() { $T send-keys -t bl "$@"; sleep 0.3; }
# The screen line holding $1.
line() { pane | grep -F -- "$1" | head -1; }
# expect_line WHAT TEXT REGEX: the line holding TEXT matches REGEX.
expect_line() {
	local l
	l=$(line "$2")
	printf '%s\n' "$l" | grep -qE -- "$3" || fail "$1: line '$l' does not match /$3/"
}
has() { pane | grep -qF -- "$2" || fail "$1: the screen does not show '$2'"; }
hasnt() { pane | grep -qF -- "$2" && fail "$1: the screen shows '$2'"; }

# ---------------------------------------------------------------- the tree
start L
wait_or_fail "layer 3/3" || exit 1
keys / manifest Enter
keys F # the manifest: the image as of its top layer
wait_or_fail "layer 3/3 of linux/amd64, image as of it" || exit 1
expect_line "merged: fresh.txt is the top layer's" "fresh.txt" '^A +fresh\.txt +6 B$'
expect_line "merged: conf from below, unmarked" "conf" '^ +conf +10 B$'
expect_line "merged: directory size summed" "hl/" '^ +. hl/ +600 B$'
expect_line "hard link" "orig" 'orig link to hl/hard'
expect_line "symlink" "sym" 'sym -> etc/conf'
hasnt "merged: deleted files are gone" "big"
# The hostile name, escaped.
has "hostile name" 'x\e[7mrev'
# The letter is coloured: an SGR sequence just before it.
pane -e | grep 'fresh\.txt' | grep -qE $'\e\\[[0-9;]*m''A' ||
	fail "the A mark has no colour of its own"
# Collapse and expand notes/.
keys / notes Enter
keys h
hasnt "h collapses notes/" "evil.txt"
keys l
has "l expands notes/" "evil.txt"
keys C
hasnt "C collapses everything" "evil.txt"
hasnt "C collapses everything" "keep"
has "C leaves the top" "notes/"
keys +
has "+ opens one level" "evil.txt"

# The layer's changes (i), and the layers below ([) keeping the path.
keys i
wait_or_fail "layer 3/3 of linux/amd64, its changes: 1 added, 0 modified, 2 deleted" || true
expect_line "opaque deletion" " a " '^D +a +\(opaque: 1 entry, 5 B\)'
expect_line "opaque deletion" " b " '^D +b +\(opaque: 1 entry, 6 B\)'
hasnt "changes: nothing from below" "conf"
keys '['
wait_or_fail "layer 2/3 of linux/amd64, its changes: 0 added, 1 modified, 2 deleted" || true
expect_line "modified" "conf" '^M +conf'
expect_line "deleted file" "big" '^D +big +\(whiteout: 1 entry, 19.5 KiB\)'
expect_line "deleted directory" "dir/" '^D +. dir/ +\(whiteout: 4 entries, 700 B\)'
keys / conf Enter
keys Enter
has "preview of layer 2's conf" "etc/conf (layer 2/3 of linux/amd64)"
has "preview of layer 2's conf" "v2 longer"
keys Escape '['
wait_or_fail "layer 1/3 of linux/amd64, its changes: 21 added" || true
keys Enter
has "[ keeps the path" "etc/conf (layer 1/3 of linux/amd64)"
has "layer 1's conf" "v1"
keys Escape ']'
wait_or_fail "layer 2/3 of linux/amd64, its changes" || true
keys Enter
has "] keeps the path" "etc/conf (layer 2/3 of linux/amd64)"
keys Escape '['
# Text escaped, binary as hex, links as their target.
keys / evil Enter Enter
has "text preview" "Text (controls escaped)"
has "text preview escaped" '\e]0;PWNED\x07 title'
has "text preview escaped" '\e[31mred\e[0m text'
keys Escape / blob Enter Enter
has "binary preview" "Binary: a hex dump"
has "binary preview" "00000000  7f 45 4c 46 00 01 02 03 62 69 6e 61 72 79 00 00  |.ELF....binary..|"
keys Escape / orig Enter Enter
has "hard link preview" "Hard link to hl/hard"
keys Escape / sym Enter Enter
has "symlink preview" "Symbolic link to etc/conf"
keys Escape / rev Enter Enter
has "hostile name preview" 'notes/x\e[7mrev (layer 1/3'
has "hostile name preview" 'hostile name'
keys Escape
# Filters: one kind of change (K), then a glob (f).
keys ']' K
has "K: added only" "[A only]"
keys K
has "K: modified only" "[M only]"
expect_line "M only shows conf" "conf" '^M +conf'
hasnt "M only hides deletions" "big"
keys K K f '*.txt' Enter
has "glob filter" "[*.txt]"
# (Checked before quitting: leaving the alternate screen restores the title
# the terminal had when bakelens started.)
title=$($T display -p -t bl '#{pane_title}')
[ "$title" = clean ] || fail "the pane title changed to '$title'"
pane | LC_ALL=C grep -q $'\e' && fail "an ESC byte is in the capture"
keys q q
# Nothing from the data reached the terminal raw (and the record is real).
LC_ALL=C grep -qaF 'evil.txt' raw.out || fail "tmux pipe-pane recorded nothing"
for pat in $'\e]0;PWNED' $'\e[7mrev' $'\e[31mred'; do
	LC_ALL=C grep -qaF -- "$pat" raw.out &&
		fail "raw bytes from the data reached the terminal: $(printf '%s' "$pat" | od -An -c | tr -s ' ')"
done

# ---------------------------------------------------------------- one layer, then the next
# F on the bottom layer lists it alone; ] lists the next one then, on the
# same path.
start L
wait_or_fail "layer 3/3" || exit 1
keys / "layer 1/3" Enter
keys F
wait_or_fail "layer 1/3 of linux/amd64, its changes: 21 added" || true
keys / conf Enter
keys ']'
wait_or_fail "layer 2/3 of linux/amd64, its changes: 0 added, 1 modified" || true
keys Enter
has "] after a listing of one layer keeps the path" "etc/conf (layer 2/3 of linux/amd64)"
keys Escape q q

# ---------------------------------------------------------------- waste
start L
wait_or_fail "layer 3/3" || exit 1
keys / manifest Enter
keys W
wait_or_fail "Wasted space of" || exit 1
"$BAKELENS" check L --json >check.json
exp() { jq -r ".images[0].$1" check.json; }
expect_line "efficiency" "efficiency" "^ *efficiency +$(printf '%.6f' "$(exp efficiency)") "
expect_line "wasted bytes" "wasted bytes" "^ *wasted bytes +$(exp wasted_bytes) "
expect_line "user wasted" "user wasted percent" "^ *user wasted percent +$(printf '%.6f' "$(exp user_wasted_percent)") "
expect_line "shadowed bytes" "shadowed bytes" "^ *shadowed bytes +$(exp shadowed_bytes) "
expect_line "shadowed files" "shadowed files" "^ *shadowed files +$(exp shadowed_files)$"
first=$(jq -r '.images[0].inefficiencies[0].path' check.json)
expect_line "largest inefficiency first" "2 layers" "  $first\$"
# Enter: the tree at the layer that ships it, on its path.
keys Enter
wait_or_fail "layer 1/3 of linux/amd64, its changes" || true
keys Enter
has "Enter from the waste panel lands on the file" "$first (layer 1/3 of linux/amd64)"
keys Escape Escape
has "Esc goes back to the waste panel" "Wasted space of"
keys q q

# ---------------------------------------------------------------- a preview is verified
# A layout with one uncompressed layer holding a 200 KiB file; after the
# listing, one byte of that file's data far past the preview's first part
# is changed in the blob (same size): Enter reads the layer to its end and
# says its bytes do not hash to its digest, rather than showing the file.
python3 - <<'EOF' || exit 1
import hashlib, io, json, os, tarfile
def put(data):
    d = hashlib.sha256(data).hexdigest()
    os.makedirs("P/blobs/sha256", exist_ok=True)
    open("P/blobs/sha256/" + d, "wb").write(data)
    return "sha256:" + d
buf = io.BytesIO()
with tarfile.open(fileobj=buf, mode="w", format=tarfile.USTAR_FORMAT) as t:
    data = b"a" * (200 * 1024)
    i = tarfile.TarInfo("big.txt"); i.size = len(data); i.mode = 0o644
    t.addfile(i, io.BytesIO(data))
layer = buf.getvalue()
ld = put(layer)
cfg = json.dumps({"architecture": "amd64", "os": "linux",
    "rootfs": {"type": "layers", "diff_ids": [ld]}}).encode()
man = json.dumps({"schemaVersion": 2, "mediaType": "application/vnd.oci.image.manifest.v1+json",
    "config": {"mediaType": "application/vnd.oci.image.config.v1+json", "digest": put(cfg), "size": len(cfg)},
    "layers": [{"mediaType": "application/vnd.oci.image.layer.v1.tar", "digest": ld, "size": len(layer)}]}).encode()
open("P/oci-layout", "w").write('{"imageLayoutVersion":"1.0.0"}')
json.dump({"schemaVersion": 2, "manifests": [{"mediaType": "application/vnd.oci.image.manifest.v1+json",
    "digest": put(man), "size": len(man)}]}, open("P/index.json", "w"))
open("layer.path", "w").write("P/blobs/sha256/" + ld[7:])
EOF
start P
wait_or_fail "layer 1/1" || exit 1
keys G F
wait_or_fail "its changes: 1 added" || exit 1
printf 'b' | dd of="$(cat layer.path)" bs=1 seek=150000 conv=notrunc 2>/dev/null
keys / big Enter Enter
wait_or_fail "could not be read" || true
has "a preview of a changed layer says so" "content hashes to"
hasnt "a changed layer's file is not shown" "aaaaaaaaaaaaaaaa"
keys Escape q q

# ---------------------------------------------------------------- a long listing
python3 - <<'EOF' || exit 1
import tarfile
n = 300000
with open("many.tar", "wb") as out:
    for d in range(n // 1000):
        i = tarfile.TarInfo("d%03d" % d); i.type = tarfile.DIRTYPE; i.mode = 0o755
        out.write(i.tobuf(tarfile.USTAR_FORMAT))
        for f in range(999):
            i = tarfile.TarInfo("d%03d/f%03d" % (d, f)); i.mode = 0o644
            out.write(i.tobuf(tarfile.USTAR_FORMAT))
    out.write(b"\0" * 1024)
EOF
umoci init --layout M && umoci new --image M:v1 &&
	umoci config --image M:v1 --os linux --architecture amd64 >/dev/null &&
	umoci raw add-layer --image M:v1 many.tar >/dev/null || exit 1
start M
wait_or_fail "layer 1/1" || exit 1
keys G
$T send-keys -t bl F
wait_or_fail "Files: reading layer 1/1" || true
$T send-keys -t bl Escape
wait_or_fail "File listing cancelled" || true
hasnt "nothing opened after the cancel" "its changes"
$T send-keys -t bl F
wait_or_fail "its changes: 300000 added" 60 || true
keys q q
wait_or_fail "EXITED 0" || true

[ $failures -eq 0 ] || { echo "$failures failure(s)"; exit 1; }
echo "ok"
