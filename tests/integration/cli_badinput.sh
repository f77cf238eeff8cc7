#!/usr/bin/env bash
# Bad input gets a clear error naming the input and the place, a documented
# exit code, no crash, and no raw control byte on the terminal. Every input
# is made here (umoci, jq, tar), so this runs without the corpus.
. "$BL_TESTLIB"
need_tool umoci jq tar sha256sum
out=$BL_TMP/out err=$BL_TMP/err

# A good layout to break in different ways.
G=$BL_TMP/good
echo hello >"$BL_TMP/f"
umoci init --layout "$G"
umoci new --image "$G:v1"
umoci config --image "$G:v1" --os linux --architecture amd64
umoci insert --image "$G:v1" "$BL_TMP/f" /f
man=$(jq -r '.manifests[0].digest' "$G/index.json")
cfg=$(jq -r '.config.digest' "$G/blobs/sha256/${man#sha256:}")
layer=$(jq -r '.layers[0].digest' "$G/blobs/sha256/${man#sha256:}")
copy() { rm -rf "$BL_TMP/$1" && cp -r "$G" "$BL_TMP/$1" && echo "$BL_TMP/$1"; }
# put_blob LAYOUT FILE: store FILE as a blob, print its digest
put_blob() { local d; d=$(sha256sum "$2" | cut -d' ' -f1); cp "$2" "$1/blobs/sha256/$d"; echo "sha256:$d"; }
# expect_error NAME RC PATTERN -- args: exit code RC, stderr matches PATTERN, clean output
expect_error() {
	local name=$1 want=$2 pat=$3
	shift 4
	run_bl "$out" "$err" "$@"
	expect_eq "$name: exit code ($(head -c 300 "$err"))" "$want" "$rc"
	if grep -qE -- "^bakelens: .*$pat" "$err"; then pass; else fail "$name: stderr does not match '$pat': $(head -3 "$err")"; fi
	expect_clean "$name stdout" "$out"
	expect_clean "$name stderr" "$err"
}

expect_error "missing file" 3 "no such file" -- tree "$BL_TMP/does-not-exist.tar"
expect_error "no source" 2 "no source" -- tree
# A mistyped relative path reads as a Docker Hub name: the error says both.
expect_error "mistyped path" 7 "exmples/out: no such file or directory; as an image reference: registry docker.io" -- tree --offline exmples/out
# A platform that is not there fails, whatever --what asks for.
expect_error "absent platform" 6 "no manifest for platform linux/s390x" -- digest "$G" --platform linux/s390x
expect_error "absent platform, --what manifest" 6 "no manifest for platform linux/s390x" -- digest "$G" --platform linux/s390x --what manifest
# Options may come before the command.
run_bl "$out" "$err" --offline tree "$G"
expect_eq "options before the command: exit" 0 "$rc"
expect_eq "options before the command: the tree of $G" yes "$(grep -q 'manifest' "$out" && ! grep -q 'tree' "$err" && echo yes || echo no)"
expect_error "unknown option" 2 "unknown option" -- tree --bogus "$G"
expect_error "bad --what" 2 "--what" -- digest "$G" --what colour
expect_error "bad --layer" 2 "--layer" -- digest "$G" --layer x

# Invalid JSON in a metadata file: names the file and the line.
printf '{\n  "containerimage.digest": "sha256:%s",\n  "oops"\n}\n' "$(printf x | sha256sum | cut -c1-64)" >"$BL_TMP/meta.json"
expect_error "invalid metadata JSON" 4 "meta.json: line [0-9]+ column" -- tree "$BL_TMP/meta.json"

# Invalid index.json.
B=$(copy badindex); echo '{"manifests": [' >"$B/index.json"
expect_error "invalid index.json" 4 "index.json" -- tree "$B"

# A blob whose content does not match its digest: status on the node, exit 5.
B=$(copy mismatch); chmod u+w "$B/blobs/sha256/${cfg#sha256:}"; echo '{"tampered":true}' >"$B/blobs/sha256/${cfg#sha256:}"
expect_error "config digest mismatch" 5 "mismatch: v1 > manifest > config: .*(hashes to|size)" -- tree "$B"
expect_error "config digest mismatch (digest)" 5 "(hashes to|mismatch|size)" -- digest "$B" --what config

# A missing blob is shown as missing (normal in sparse exports): exit 0 for tree.
B=$(copy missing); rm "$B/blobs/sha256/${cfg#sha256:}"
run_bl "$out" "$err" tree "$B"
expect_eq "missing config: tree exit" 0 "$rc"
if grep -qi "missing" "$out"; then pass; else fail "missing config: not marked missing in tree"; fi
expect_error "missing config: digest of it" 6 "missing|not found" -- digest "$B" --what chain-id

# Uppercase and path-traversal digests in index.json: refused, nothing read outside.
for bad in "sha256:$(echo "${man#sha256:}" | tr a-f A-F)" "sha256:../../../../etc/passwd" "sha256:${man:7:63}" "md5:d41d8cd98f00b204e9800998ecf8427e"; do
	B=$(copy baddigest)
	jq --arg d "$bad" '.manifests[0].digest = $d' "$G/index.json" >"$B/index.json"
	run_bl "$out" "$err" tree "$B"
	expect_eq "bad digest '$bad': exit code ($(head -c 200 "$err"))" 4 "$rc"
	if grep -q "digest" "$err"; then pass; else fail "bad digest '$bad': message does not say digest: $(cat "$err")"; fi
	expect_clean "bad digest stderr" "$err"
done

# A blob that is a symlink out of the layout is not followed.
B=$(copy symlink); echo '{"secret":1}' >"$BL_TMP/outside.json"
rm "$B/blobs/sha256/${cfg#sha256:}"; ln -s "$BL_TMP/outside.json" "$B/blobs/sha256/${cfg#sha256:}"
run_bl "$out" "$err" inspect --json "$B"
if grep -q secret "$out"; then fail "symlinked blob was followed out of the layout"; else pass; fi
expect_eq "symlinked blob: exit code" 4 "$rc"

# A 10 MiB manifest: refused by its size cap with a clear message.
B=$(copy huge)
head -c 10485760 /dev/zero | tr '\0' a >"$BL_TMP/pad"
jq -c --rawfile pad "$BL_TMP/pad" '. + {annotations: {pad: $pad}}' \
	"$G/blobs/sha256/${man#sha256:}" >"$BL_TMP/huge.json"
d=$(put_blob "$B" "$BL_TMP/huge.json")
jq --arg d "$d" --argjson s "$(stat -c %s "$BL_TMP/huge.json")" '.manifests[0].digest = $d | .manifests[0].size = $s' "$G/index.json" >"$B/index.json"
expect_error "10 MiB manifest" 4 "(too big|too large|cap|limit)" -- tree "$B"

# Hostile strings: escape sequences and newlines in tags, annotations, labels.
H=$(copy hostile)
esc=$'\e[31mRED\e]0;title\a\nnext'
jq --arg t "v1$esc" '.manifests[0].annotations["org.opencontainers.image.ref.name"] = $t
	| .manifests[0].annotations["x.evil"] = $t' "$G/index.json" >"$H/index.json"
jq -c --arg l "$esc" '.config.Labels = {"evil\u001b[2J": $l} | .config.Env = ["E=\($l)"]' \
	"$G/blobs/sha256/${cfg#sha256:}" >"$BL_TMP/cfg.json"
c2=$(put_blob "$H" "$BL_TMP/cfg.json")
jq -c --arg d "$c2" --argjson s "$(stat -c %s "$BL_TMP/cfg.json")" '.config.digest = $d | .config.size = $s' \
	"$G/blobs/sha256/${man#sha256:}" >"$BL_TMP/man.json"
m2=$(put_blob "$H" "$BL_TMP/man.json")
jq --arg d "$m2" --argjson s "$(stat -c %s "$BL_TMP/man.json")" '.manifests[0].digest = $d | .manifests[0].size = $s' \
	"$H/index.json" >"$BL_TMP/i.json" && mv "$BL_TMP/i.json" "$H/index.json"
for cmd in tree inspect; do
	run_bl "$out" "$err" $cmd "$H"
	expect_eq "hostile strings: $cmd exit" 0 "$rc"
	expect_clean "hostile strings: $cmd stdout" "$out"
	expect_clean "hostile strings: $cmd stderr" "$err"
done
run_bl "$out" "$err" inspect "$H"
if grep -qF '\e[31mRED' "$out"; then pass; else fail "hostile label not shown escaped: $(grep -i red "$out" | head -2)"; fi
run_bl "$out" "$err" inspect --json "$H"
expect_eq "hostile strings: JSON keeps the exact label" "$esc" "$(jq -r '.. | objects | select(.kind? == "config") | .document.config.Labels[]' "$out")"
expect_clean "hostile strings: JSON stdout" "$out"
run_bl "$out" "$err" digest "oci:$H:v1$esc"
expect_clean "hostile REF in an error" "$err"

# Truncated tar: cut a good archive in the middle of a member.
tar -C "$G" -cf "$BL_TMP/good.tar" oci-layout index.json blobs
# Cut inside a header, inside index.json, and inside the last blob's data. (A
# cut exactly between two members cannot be told from a short archive by any
# tar reader: the members after it are then simply missing.)
# The header block of the last member (tar -R prints "block N:"); cut 10 bytes into its data.
last_block=$(tar -tvR -f "$BL_TMP/good.tar" | grep '^block [0-9]*: -' | tail -1 | sed 's/^block \([0-9]*\):.*/\1/')
data_cut=$(((last_block + 1) * 512 + 10))
for cut in 100 700 $data_cut; do
	head -c "$cut" "$BL_TMP/good.tar" >"$BL_TMP/cut.tar"
	run_bl "$out" "$err" tree "$BL_TMP/cut.tar"
	case $rc in 4 | 5) pass ;; *) fail "truncated tar at $cut: exit $rc: $(head -2 "$err")" ;; esac
	if grep -q "^bakelens: .*cut.tar" "$err"; then pass; else fail "truncated tar at $cut: error does not name the file: $(head -2 "$err")"; fi
	run_bl "$out" "$err" digest - <"$BL_TMP/cut.tar"
	case $rc in 4 | 5 | 6) pass ;; *) fail "truncated tar on stdin at $cut: exit $rc: $(head -2 "$err")" ;; esac
done
# Garbage: not an archive.
head -c 4096 /dev/urandom >"$BL_TMP/noise.tar"
expect_error "random bytes" 4 "noise.tar" -- tree "$BL_TMP/noise.tar"
finish
