#!/usr/bin/env bash
# Member names are bounded: a tar (on standard input or as a file) with a
# 64 KiB member name or link target is invalid input (exit 4), with one
# line on stderr naming the input and the member by an escaped prefix.
. "$BL_TESTLIB"
need_tool python3
out=$BL_TMP/out err=$BL_TMP/err

# make_tar FILE KIND: an OCI layout's index.json and oci-layout, and one
# member with a 64 KiB name (KIND name) or symlink target (KIND link).
make_tar() {
	python3 - "$1" "$2" <<'PY'
import io, sys, tarfile
path, kind = sys.argv[1], sys.argv[2]
long = "\x1b[7mlong/" + "n" * (65536 - 9)
with tarfile.open(path, "w", format=tarfile.PAX_FORMAT) as t:
    for name, data in (("oci-layout", b'{"imageLayoutVersion":"1.0.0"}'),
                       ("index.json", b'{"schemaVersion":2,"manifests":[]}')):
        i = tarfile.TarInfo(name)
        i.size = len(data)
        t.addfile(i, io.BytesIO(data))
    i = tarfile.TarInfo(long if kind == "name" else "link")
    if kind == "link":
        i.type, i.linkname = tarfile.SYMTYPE, long
    t.addfile(i, io.BytesIO(b""))
PY
}

for kind in name link; do
	T=$BL_TMP/$kind.tar
	make_tar "$T" $kind
	case $kind in
	name) want='member "\\e\[7mlong/n+\.\.\." \(offset [0-9]+\): its name is 65536 bytes, over the 16384 byte limit$' ;;
	link) want='member "link" \(offset [0-9]+\): its symlink target is 65536 bytes, over the 16384 byte limit$' ;;
	esac
	rc=0
	"$BAKELENS" tree - <"$T" >"$out" 2>"$err" || rc=$?
	expect_eq "64 KiB $kind on stdin: exit (invalid input)" 4 "$rc"
	expect_eq "64 KiB $kind on stdin: one line on stderr" 1 "$(wc -l <"$err")"
	if grep -qE -- "^bakelens: standard input: $want" "$err"; then pass; else
		fail "64 KiB $kind on stdin: stderr: $(head -c 300 "$err")"; fi
	expect_eq "64 KiB $kind on stdin: stdout" "" "$(cat "$out")"
	expect_clean "64 KiB $kind on stdin: stderr" "$err"
	run_bl "$out" "$err" tree "$T"
	expect_eq "64 KiB $kind in a file: exit (invalid input)" 4 "$rc"
	if grep -qE -- "^bakelens: $T: $want" "$err"; then pass; else
		fail "64 KiB $kind in a file: stderr: $(head -c 300 "$err")"; fi
	expect_clean "64 KiB $kind in a file: stderr" "$err"
done
finish
