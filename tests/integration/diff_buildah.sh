#!/usr/bin/env bash
# `bakelens diff` on images built from one Containerfile with `buildah bud`, the
# way users build: twice with default timestamps, twice with --timestamp 0, with
# one COPY'd file changed in the middle (the cache breaks there), with a COPY
# added at the end, with a label changed. Every expectation is computed
# independently: skopeo inspect --raw | sha256sum, jq over the configs, tar -tv
# of the layer blobs. Needs no corpus; buildah runs with vfs storage and chroot
# isolation in a temporary root (no RUN: no runtime is needed).
. "$BL_TESTLIB"
need_tool buildah skopeo jq sha256sum tar gzip
out=$BL_TMP/out err=$BL_TMP/err
cd "$BL_TMP"
export BUILDAH_ISOLATION=chroot STORAGE_DRIVER=vfs
B=(--root "$BL_TMP/storage" --runroot "$BL_TMP/run" --storage-driver vfs)
buildah "${B[@]}" images >/dev/null 2>&1 || { echo "SKIP: buildah cannot run here"; exit 77; }

# The build context: files with fixed mtimes, so only what buildah adds varies.
mkdir -p ctx/d
echo one >ctx/a.txt && echo two >ctx/b.txt && echo three >ctx/c.txt && echo extra >ctx/e.txt
echo dd >ctx/d/x
touch -d @1700000000 ctx/d/x ctx/d ctx/*.txt
tar -C ctx --mtime=@1700000000 --owner=0 --group=0 -cf - d | gzip -n >ctx/d.tar.gz
rm -r ctx/d
cat >Containerfile <<'EOF'
FROM scratch
LABEL org.example.stage=one
ENV APP=/app PATH=/bin
COPY a.txt /app/a.txt
WORKDIR /app
ADD d.tar.gz /app/
COPY b.txt /app/b.txt
ENV MODE=prod
COPY c.txt /app/c.txt
EOF
{ cat Containerfile; echo 'COPY e.txt /app/e.txt'; } >Containerfile.extra

# build NAME CONTAINERFILE BUD-ARGS...: buildah bud, then push to NAME.tar (an OCI archive).
build() {
	local name=$1 file=$2
	shift 2
	buildah "${B[@]}" bud -q "$@" -t "localhost/${name,,}" -f "$file" ctx >/dev/null
	buildah "${B[@]}" push -q "localhost/${name,,}" "oci-archive:$BL_TMP/$name.tar:latest"
}
raw() { skopeo inspect --raw "oci-archive:$BL_TMP/$1.tar"; }
cfg() { skopeo inspect --config --raw "oci-archive:$BL_TMP/$1.tar"; }
# config_diff A B: the JSON paths where two configs differ (rootfs aside), sorted,
# spelt as bakelens spells them (history[0].created, config.Labels["a.b"]).
config_diff() {
	jq -n -c --argjson a "$(cfg "$1")" --argjson b "$(cfg "$2")" '
		def spell: map(if type == "number" then "[\(.)]"
			elif test("^[A-Za-z0-9_]+$") then ".\(.)" else "[\"\(.)\"]" end) | join("") | ltrimstr(".");
		[($a, $b) | paths(scalars)] | unique
		| map(select(.[0] != "rootfs") | select(. as $p | ($a | getpath($p)) != ($b | getpath($p))) | spell)
		| sort'
}
# layer_listing NAME N: `tar -tv` of layer N (0-based) with full times.
layer_listing() {
	local d
	d=$(raw "$1" | jq -r ".layers[$2].digest")
	tar -xOf "$BL_TMP/$1.tar" "blobs/sha256/${d#sha256:}" | tar --full-time -tvzf - | sort -k6
}
# first_divergent A B: the first 0-based position where the configs' diff_ids differ
# (where the ChainIDs part), or null when none does.
first_divergent() {
	jq -n --argjson a "$(cfg "$1" | jq .rootfs.diff_ids)" --argjson b "$(cfg "$2" | jq .rootfs.diff_ids)" '
		[range(0; [($a | length), ($b | length)] | max) | select($a[.] != $b[.])] | first // null'
}
# created_by NAME N: the history line of layer N (the Nth non-empty history entry).
created_by() { cfg "$1" | jq -r --argjson n "$2" '[.history[] | select(.empty_layer | not)][$n].created_by'; }
# expect_diff WHAT EXIT CLASS ARGS...: diff --json, exit code and top class.
expect_diff() {
	local what=$1 want_rc=$2 want_class=$3
	shift 3
	run_bl "$out" "$err" diff --json "$@"
	expect_eq "$what: exit ($(head -c 300 "$err"))" "$want_rc" "$rc"
	expect_eq "$what: class" "$want_class" "$(jq -r .class "$out" 2>/dev/null)"
}
# show WHAT ARGS...: the text output, kept in the test log.
show() {
	local what=$1
	shift
	run_bl "$out" "$err" diff "$@"
	echo "--- $what: bakelens diff $* (exit $rc)"
	sed 's/^/    /' "$out"
	expect_clean "$what: text" "$out"
}
# check_schema WHAT: the --json output in $out has every key docs/diff-json.md
# documents, with the documented type; prints the violations.
check_schema() {
	local bad
	bad=$(jq -c '
		def str_or_null: type == "string" or type == "null";
		def num_or_null: type == "number" or type == "null";
		def classes: ["identical","annotations","index-only","config","layer-recompressed","manifest-format",
			"layer-added","layer-removed","layer-content","platform-added","platform-removed",
			"only-left","only-right","different","unknown"];
		def is_class: . as $c | classes | index($c) != null;
		def kinds: ["build","target","index","manifest","attestation","config","layer","statement","blob","info"];
		def entry: . == null or ((.type | type == "string") and (.size | type == "number")
			and (.mode | type == "number") and (.uid | type == "number") and (.gid | type == "number")
			and (.mtime | type == "number") and (.linkname | str_or_null) and (.sha256 | str_or_null));
		def side: . == null or ((.label | type == "string") and (.status | type == "string")
			and (if has("digest") then (.digest | str_or_null) and (.mediaType | str_or_null)
				and (.size | num_or_null) else true end)
			and (if has("diffID") then (.index | type == "number") and (.diffID | str_or_null)
				and (.chainID | str_or_null) and (.createdBy | str_or_null)
				and (.compression | type == "string") else true end));
		def files: (has("error") and (.error | type == "string")) or
			(([.leftEntries, .rightEntries, .same, .added, .removed, .content, .metadata,
			   .timestampsIgnored] | all(type == "number"))
			 and (.changes | type == "array") and (.changes | all(
				(.path | type == "string") and ([.change] | inside(["added","removed","content","metadata"]))
				and (.what | type == "array") and (.what | all(. as $w | ["bytes","size","type",
					"link target","mode","uid","gid","mtime"] | index($w) != null))
				and (.left | entry) and (.right | entry))));
		def explained: [.children[] | (.notes | length > 0) or explained] | any;
		def node: [(if (.kind as $k | kinds | index($k)) then empty else "kind \(.kind)" end),
			(if .label | type == "string" then empty else "label" end),
			(if (.class | is_class) and (.own | is_class) then empty else "class/own" end),
			(if (.classes | type == "array") and (.classes | all(is_class)) then empty else "classes" end),
			(if .summary | type == "string" then empty else "summary" end),
			(if .cause | str_or_null then empty else "cause" end),
			(if (.left | side) and (.right | side) then empty else "side of \(.label)" end),
			(if (.notes | type == "array") and (.fields | type == "array") then empty else "notes/fields" end),
			(if has("files") then (if .kind == "layer" and (.files | files) then empty else "files of \(.label)" end) else empty end),
			(if .class == "identical" and (.children | length) > 0 and (explained | not)
				then "identical node not folded" else empty end),
			(.children[] | node[])];
		[(if .schemaVersion == 2 then empty else "schemaVersion" end),
		 (if .identical | type == "boolean" then empty else "identical" end),
		 (if .identical == (.class == "identical") then empty else "identical vs class" end),
		 (if .class | is_class then empty else "class" end),
		 (if (.classes | all(is_class)) and ((.classes | length == 0) == (.class == "identical"))
			then empty else "classes" end),
		 (if .classes[0] // "identical" | . == $top then empty else "classes[0] is not class" end),
		 (if .ignoreTimestamps | type == "boolean" then empty else "ignoreTimestamps" end),
		 (if (.left + .right) | all(type == "string") then empty else "left/right" end),
		 (.platforms[] | [(if (.target | type == "string") and (.platform | type == "string") then empty else "platform names" end),
			(if (.class | is_class) and (.classes | all(is_class)) then empty else "platform class" end),
			(if (.leftLayers | num_or_null) and (.rightLayers | num_or_null) then empty else "layer counts" end),
			(if .firstDivergentLayer | num_or_null then empty else "firstDivergentLayer" end),
			(if .divergentCreatedBy | str_or_null then empty else "divergentCreatedBy" end),
			(if (.rootfsKnown | type == "boolean") and (.rootfsIdentical | type == "boolean") then empty else "rootfs" end),
			(if (.leftChainID | str_or_null) and (.rightChainID | str_or_null) then empty else "chain ids" end),
			(if .summary | type == "string" then empty else "platform summary" end),
			(if ([.provenance] | inside(["both","left","right","none"])) and (.cause | str_or_null)
				and (.divergentStep | str_or_null) and (.inputChanges | type == "array")
				then empty else "provenance fields" end)][]),
		 (.tree | node[])]' --arg top "$(jq -r .class "$out")" "$out" 2>&1)
	expect_eq "$1: --json as docs/diff-json.md says" "[]" "$bad"
}

# --- the same Containerfile built twice with default timestamps, seconds apart
build T1 Containerfile
sleep 2
build T2 Containerfile
# What really differs, independently: the config's timestamps only, and in the
# layer tar the mtimes of what buildah created (the /app directory).
want_fields=$(config_diff T1 T2)
expect_eq "T1/T2: only created and history[].created differ (jq)" \
	"$(cfg T1 | jq -c '["created"] + [range(0; .history | length) | "history[\(.)].created"] | sort')" "$want_fields"
expect_eq "T1/T2: one layer each (buildah bud commits once)" "1 1" \
	"$(raw T1 | jq '.layers | length') $(raw T2 | jq '.layers | length')"
strip_mtime() { awk '{ $4 = ""; $5 = ""; print }'; }
expect_eq "T1/T2: layer listings equal but for mtimes (tar -tv)" \
	"$(layer_listing T1 0 | strip_mtime)" "$(layer_listing T2 0 | strip_mtime)"
want_mtime=$( (diff <(layer_listing T1 0) <(layer_listing T2 0) || true) | awk '/^>/ { sub("/$", "", $NF); print $NF }' | jq -R . | jq -sc 'sort')
if [ "$want_mtime" = "[]" ]; then fail "T1/T2: expected the /app directory's mtime to differ"; fi
expect_diff "default timestamps" 1 layer-content T1.tar T2.tar
check_schema "default timestamps"
expect_eq "default timestamps: classes" '["layer-content","config"]' "$(jq -c .classes "$out")"
expect_eq "default timestamps: config fields (jq)" "$want_fields" \
	"$(jq -c '[.. | objects | select(.kind == "config") | .fields[]] | sort' "$out")"
expect_eq "default timestamps: first divergent layer (jq)" "$(first_divergent T1 T2)" \
	"$(jq '.platforms[0].firstDivergentLayer' "$out")"
expect_eq "default timestamps: its history line (jq)" "$(created_by T2 0)" \
	"$(jq -r '.platforms[0].divergentCreatedBy' "$out")"
show "default timestamps" T1.tar T2.tar
if grep -q "^result: different: 1 layer changed content; config changed: created, history\[0\]\.created" "$out"; then pass
else fail "default timestamps: result line: $(sed -n 3p "$out")"; fi
if grep -q "cache breaks at layer 1 of 1: COPY file:[0-9a-f]\{12\} in /app/c.txt; root filesystems differ" "$out"; then pass
else fail "default timestamps: cache-break sentence: $(sed -n 4p "$out")"; fi
run_bl "$out" "$err" diff --json --files T1.tar T2.tar
check_schema "default timestamps --files"
expect_eq "default timestamps --files: mtime changes only, where tar says" \
	"$(jq -c '[.[] | {path: ., change: "metadata", what: ["mtime"]}]' <<<"$want_mtime")" \
	"$(jq -c '[.. | objects | select(.files?) | .files.changes[] | {path, change, what}]' "$out")"
show "default timestamps, files" --files T1.tar T2.tar
# The times as tar -tv shows them (TZ=UTC), whole seconds.
t1=$(layer_listing T1 0 | awk '$6 == "app/" { print $4, substr($5, 1, 8) }')
t2=$(layer_listing T2 0 | awk '$6 == "app/" { print $4, substr($5, 1, 8) }')
expect_eq "default timestamps --files: text names both mtimes" 1 \
	"$(grep -cF "m app  (mtime $t1 -> $t2)" "$out")"
expect_diff "default timestamps, --ignore-timestamps --files" 0 identical --ignore-timestamps --files T1.tar T2.tar
check_schema "default timestamps --ignore-timestamps --files"
expect_eq "--ignore-timestamps: the layer is identical" identical \
	"$(jq -r '[.. | objects | select(.kind == "layer")][0].own' "$out")"
expect_eq "--ignore-timestamps: rootfs still differs by ChainID" false "$(jq '.platforms[0].rootfsIdentical' "$out")"
show "default timestamps, ignored" --ignore-timestamps --files T1.tar T2.tar
if grep -q "^result: identical apart from timestamps" "$out"; then pass
else fail "--ignore-timestamps: result line: $(sed -n 3p "$out")"; fi
if grep -q "files identical apart from timestamps (1 entry differs only in mtime; ignored)" "$out"; then pass
else fail "--ignore-timestamps: the layer's note: $(cat "$out")"; fi
if grep -q "root filesystems differ only in file timestamps (ignored)" "$out"; then pass
else fail "--ignore-timestamps: platform sentence: $(sed -n 4p "$out")"; fi
# Without --files the layer cannot be looked into: still different (the config is not).
expect_diff "default timestamps, --ignore-timestamps alone" 1 layer-content --ignore-timestamps T1.tar T2.tar
expect_eq "--ignore-timestamps alone: config identical" identical \
	"$(jq -r '[.. | objects | select(.kind == "config")][0].own' "$out")"

# --- twice with --timestamp 0: reproducible, identical
build R1 Containerfile --timestamp 0
sleep 1
build R2 Containerfile --timestamp 0
expect_eq "R1/R2: manifests equal (skopeo | sha256sum)" "$(raw R1 | sha256sum)" "$(raw R2 | sha256sum)"
expect_eq "R1/R2: configs equal (skopeo | sha256sum)" "$(cfg R1 | sha256sum)" "$(cfg R2 | sha256sum)"
expect_diff "--timestamp 0 twice" 0 identical R1.tar R2.tar
check_schema "--timestamp 0 twice"
expect_eq "--timestamp 0: rootfs identical" true "$(jq '.platforms[0].rootfsIdentical' "$out")"
expect_eq "--timestamp 0: ChainID = the diff_id of the one layer (jq)" "$(cfg R1 | jq -r '.rootfs.diff_ids[0]')" \
	"$(jq -r '.platforms[0].rightChainID' "$out")"
show "--timestamp 0 twice" R1.tar R2.tar
expect_eq "--timestamp 0: text result" "result: identical" "$(sed -n 3p "$out")"
run_bl "$out" "$err" diff --quiet R1.tar R2.tar
expect_eq "--quiet identical: exit" 0 "$rc"
expect_eq "--quiet identical: prints nothing" "" "$(cat "$out")"
run_bl "$out" "$err" diff --quiet --files T1.tar T2.tar
expect_eq "--quiet different: exit" 1 "$rc"
expect_eq "--quiet different: prints nothing" "" "$(cat "$out")"

# --- a label changed: config only, naming the label
build L1 Containerfile --timestamp 0 --label org.example.build=1
build L2 Containerfile --timestamp 0 --label org.example.build=2
want_fields=$(config_diff L1 L2)
if jq -e 'index("config.Labels[\"org.example.build\"]")' <<<"$want_fields" >/dev/null; then pass
else fail "L1/L2: jq does not see the label differ: $want_fields"; fi
expect_eq "L1/L2: same layers (jq)" "$(cfg L1 | jq -c .rootfs)" "$(cfg L2 | jq -c .rootfs)"
expect_diff "label changed" 1 config L1.tar L2.tar
check_schema "label changed"
expect_eq "label changed: the only class" '["config"]' "$(jq -c .classes "$out")"
expect_eq "label changed: fields (jq)" "$want_fields" \
	"$(jq -c '[.. | objects | select(.kind == "config") | .fields[]] | sort' "$out")"
expect_eq "label changed: rootfs identical" true "$(jq '.platforms[0].rootfsIdentical' "$out")"
expect_eq "label changed: no divergent layer (jq)" "$(first_divergent L1 L2)" "$(jq '.platforms[0].firstDivergentLayer' "$out")"
show "label changed" L1.tar L2.tar
if grep -q '^result: different: config only: config.Labels\["org.example.build"\]' "$out"; then pass
else fail "label changed: result line: $(sed -n 3p "$out")"; fi

# --- one COPY'd file changed in the middle, rebuilt with the layer cache (--layers)
build V1 Containerfile --layers
cp ctx/b.txt b.orig && echo TWO >ctx/b.txt && touch -d @1700000000 ctx/b.txt
build V2 Containerfile --layers
cp b.orig ctx/b.txt && touch -d @1700000000 ctx/b.txt
n=$(first_divergent V1 V2)
m=$(cfg V2 | jq '.rootfs.diff_ids | length')
expect_eq "V1/V2: the cache breaks at the COPY of b.txt (jq)" "COPY b.txt" \
	"$(created_by V2 "$n" | grep -o 'COPY file:[0-9a-f]* in /app/b.txt' | sed 's/file:[0-9a-f]* in \/app\///')"
expect_diff "file changed in the middle" 1 layer-content V1.tar V2.tar
check_schema "file changed in the middle"
expect_eq "middle: first divergent layer (jq)" "$n" "$(jq '.platforms[0].firstDivergentLayer' "$out")"
expect_eq "middle: its history line (jq)" "$(created_by V2 "$n")" "$(jq -r '.platforms[0].divergentCreatedBy' "$out")"
expect_eq "middle: layers below it identical (jq: same diff_ids)" \
	"$(jq -n "[range(0; $n)] | map(\"identical\")" -c)" \
	"$(jq -c "[.. | objects | select(.kind == \"layer\") | select(.left.index < $n) | .own]" "$out")"
expect_eq "middle: rootfs differs" false "$(jq '.platforms[0].rootfsIdentical' "$out")"
show "file changed in the middle" V1.tar V2.tar
if grep -q "cache breaks at layer $((n + 1)) of $m: COPY file:[0-9a-f]* in /app/b.txt; root filesystems differ" "$out"
then pass; else fail "middle: cache-break sentence: $(sed -n 4p "$out")"; fi
run_bl "$out" "$err" diff --json --files V1.tar V2.tar
check_schema "file changed in the middle --files"
expect_eq "middle --files: b.txt's content changed, in layer $n" '[{"path":"app/b.txt","change":"content","what":["bytes"]}]' \
	"$(jq -c "[.. | objects | select(.kind == \"layer\" and .right.index == $n) | .files.changes[]
		| select(.path | endswith(\".txt\")) | {path, change, what}]" "$out")"
show "file changed in the middle, files" --files V1.tar V2.tar

# --- a COPY added at the end, rebuilt with the layer cache
build X1 Containerfile.extra --layers
expect_eq "V1/X1: X1's diff_ids start with V1's (jq)" "$(cfg V1 | jq -c .rootfs.diff_ids)" \
	"$(cfg X1 | jq -c '.rootfs.diff_ids[:-1]')"
expect_diff "a COPY added at the end" 1 layer-added V1.tar X1.tar
check_schema "a COPY added at the end"
expect_eq "added: one layer added, the last" "[$m]" \
	"$(jq -c '[.. | objects | select(.own == "layer-added") | .right.index]' "$out")"
expect_eq "added: first divergent layer (jq)" "$(first_divergent V1 X1)" "$(jq '.platforms[0].firstDivergentLayer' "$out")"
expect_eq "added: every other layer identical" "$m" \
	"$(jq '[.. | objects | select(.kind == "layer" and .own == "identical")] | length' "$out")"
show "a COPY added at the end" V1.tar X1.tar
expect_diff "the last COPY removed" 1 layer-removed X1.tar V1.tar
show "the last COPY removed" X1.tar V1.tar

# --- errors: exit 2 and above, nothing on standard output
head -c 6000 T1.tar >cut.tar
run_bl "$out" "$err" diff T1.tar cut.tar
if [ "$rc" -ge 3 ]; then pass; else fail "truncated archive: exit $rc"; fi
expect_eq "truncated archive: nothing on stdout" "" "$(cat "$out")"
if grep -q "right side: cut.tar" "$err"; then pass; else fail "truncated archive: side not named: $(cat "$err")"; fi
run_bl "$out" "$err" diff --json T1.tar
expect_eq "one side: usage" 2 "$rc"
finish
