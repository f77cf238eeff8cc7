#!/usr/bin/env bash
# ls, cat and check on standard input (`-`): the archive is read once, its
# layers listed while they pass, whatever order the tar has them in. Every
# answer must equal the one the same command gives on the file (text and
# JSON), and cat's bytes the file bsdtar extracts from the layer tar. Images
# are made here: umoci (OCI layout, tarred with layers before and after the
# index), skopeo (docker-archive) and buildah (an OCI archive of a build).
. "$BL_TESTLIB"
need_tool umoci skopeo jq bsdtar sha256sum tar
out=$BL_TMP/out err=$BL_TMP/err
cd "$BL_TMP"

umoci init --layout L >/dev/null
umoci new --image L:v1
umoci unpack --rootless --image L:v1 b >/dev/null
mkdir -p b/rootfs/etc b/rootfs/d b/rootfs/opt
echo hello >b/rootfs/etc/greeting
echo gone >b/rootfs/d/x
seq 1 20000 >b/rootfs/opt/big
head -c 70000 /dev/urandom >b/rootfs/opt/bin
umoci repack --refresh-bundle --image L:v1 b
rm b/rootfs/d/x
echo changed >b/rootfs/etc/greeting
ln -s greeting b/rootfs/etc/link
umoci repack --refresh-bundle --image L:v1 b

# Two OCI archives of the same layout: every layer before the documents that
# name it, and every layer after them.
(cd L && find blobs -type f | while read -r f; do
	if head -c1 "$f" | grep -q '{'; then echo "$f" >>../docs; else echo "$f" >>../layers; fi
done)
tar -C L -cf layers-first.tar $(cat layers) oci-layout index.json $(cat docs)
tar -C L -cf layers-last.tar oci-layout index.json $(cat docs) $(cat layers)
skopeo copy -q oci:L:v1 docker-archive:docker.tar:ex/img:v1
images=(layers-first.tar layers-last.tar docker.tar)

if command -v buildah >/dev/null 2>&1; then
	export BUILDAH_ISOLATION=chroot STORAGE_DRIVER=vfs
	B=(--root "$BL_TMP/storage" --runroot "$BL_TMP/run" --storage-driver vfs)
	if buildah "${B[@]}" images >/dev/null 2>&1; then
		mkdir ctx && echo built >ctx/f.txt && seq 1 500 >ctx/g.txt
		printf 'FROM scratch\nCOPY f.txt /f.txt\nCOPY g.txt /app/g.txt\nCOPY f.txt /app/g.txt\n' >ctx/Containerfile
		if buildah "${B[@]}" bud -q --layers -t bimg -f ctx/Containerfile ctx >/dev/null 2>&1 &&
			buildah "${B[@]}" push -q bimg oci-archive:buildah.tar >/dev/null 2>&1; then
			images+=(buildah.tar)
		fi
	fi
fi

same() { # WHAT ARGS...: the file's answer and standard input's are equal, exit codes too
	local what=$1
	shift
	local a b ra=0 rb=0
	a=$("$BAKELENS" "$@" "$img" 2>&1) || ra=$?
	b=$("$BAKELENS" "$@" - <"$img" 2>&1) || rb=$?
	expect_eq "$img: $what: exit code" "$ra" "$rb"
	if [ "$a" = "$b" ]; then pass; else
		fail "$img: $what: standard input differs from the file: $(diff <(echo "$a") <(echo "$b") | head -5)"
	fi
	[ -n "$a" ] || fail "$img: $what: empty answer"
}

for img in "${images[@]}"; do
	same ls ls
	same "ls --json" ls --json
	same "ls --changes" ls --changes
	same "ls --changes --json" ls --changes --json
	same "ls --tree --json" ls --tree --json
	same "ls --layer 1" ls --layer 1
	same "ls --layer -1 --json" ls --layer -1 --json
	same "check --json" check --json
	same check check
	# The JSON is not empty: as many entries as the merged tree has.
	n=$("$BAKELENS" ls --json - <"$img" | jq length)
	[ "$n" -gt 2 ] && pass || fail "$img: ls --json - lists $n entries"
done

# cat: the bytes of the top layer that has the file, as bsdtar extracts them.
top_layer() { # the uncompressed top layer's tar of an image, by skopeo into a dir layout
	rm -rf dl && skopeo copy -q "$1" dir:dl >/dev/null
	local d
	d=$(jq -r '.layers[-1].digest' dl/manifest.json | cut -d: -f2)
	bsdtar -xOf dl/"$d" "$2"
}
for img in layers-first.tar layers-last.tar docker.tar; do
	run_bl "$out" "$err" cat - etc/greeting <"$img"
	expect_eq "$img: cat - etc/greeting: exit code ($(cat "$err"))" 0 "$rc"
	expect_eq "$img: cat - etc/greeting" "$(top_layer oci:L:v1 etc/greeting)" "$(cat "$out")"
	"$BAKELENS" cat - opt/bin <"$img" >bin.out || fail "$img: cat - opt/bin failed"
	expect_eq "$img: cat - opt/bin (bytes)" "$(sha256sum <b/rootfs/opt/bin)" "$(sha256sum <bin.out)"
	"$BAKELENS" cat "$img" opt/big >big.file
	"$BAKELENS" cat - opt/big <"$img" >big.stdin
	expect_eq "$img: cat opt/big: stdin equals file" "$(sha256sum <big.file)" "$(sha256sum <big.stdin)"
	expect_eq "$img: cat --layer 1 etc/greeting" hello "$("$BAKELENS" cat --layer 1 - etc/greeting <"$img")"
	# deleted by a whiteout: exit 6 naming the layer, as on the file
	run_bl "$out" "$err" cat - d/x <"$img"
	expect_eq "$img: cat - d/x: exit code" 6 "$rc"
	grep -q "deleted by layer 2" "$err" && pass || fail "$img: cat - d/x: $(cat "$err")"
	# a path reached through a symbolic link: the bytes did not pass under that name
	run_bl "$out" "$err" cat - etc/link <"$img"
	expect_eq "$img: cat - etc/link: exit code" 4 "$rc"
	grep -q "read once" "$err" && pass || fail "$img: cat - etc/link: $(cat "$err")"
	[ ! -s "$out" ] && pass || fail "$img: cat - etc/link wrote bytes"
done
if [ -f buildah.tar ]; then
	img=buildah.tar
	expect_eq "buildah: cat - app/g.txt" built "$("$BAKELENS" cat - app/g.txt <buildah.tar)"
fi

# Bounded memory: a 96 MiB layer that does not compress streams through
# without being kept (peak RSS far below the layer's size).
if [ -x /usr/bin/time ] && [ "${BL_SANITIZE:-none}" = none ]; then
	rm -rf b2 && umoci unpack --rootless --image L:v1 b2 >/dev/null
	head -c $((96 << 20)) /dev/urandom >b2/rootfs/opt/huge
	umoci repack --image L:v1 b2
	tar -C L -cf huge.tar .
	/usr/bin/time -f %M -o rss "$BAKELENS" ls - <huge.tar >"$out" 2>"$err" || fail "ls - of the big image: $(cat "$err")"
	grep -q ' opt/huge$' "$out" && pass || fail "ls - of the big image lists no opt/huge"
	rss=$(tail -1 rss)
	[ "$rss" -lt $((48 << 10)) ] && pass || fail "ls - of a 96 MiB layer peaked at $rss KiB"
fi
finish
