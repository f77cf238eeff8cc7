#!/usr/bin/env bash
# `meson install` gives a user everything: the program runs from the
# installed tree alone (its --version, tree on the example build, a theme by
# name), the man page, every document and the shell completions sit where
# distributions look, and the installed bash completion, driven as bash
# drives it, completes targets (the example's, from jq), --what values and
# --pl to --platform; the zsh and fish scripts parse.
. "$BL_TESTLIB"
need_tool jq meson

build=$(dirname "$BAKELENS")
D=$BL_TMP/dest
DESTDIR=$D meson install -C "$build" --no-rebuild --quiet >"$BL_TMP/install.log" 2>&1 ||
	{ cat "$BL_TMP/install.log" >&2; fail "meson install"; finish; }
bin=$(find "$D" -path '*/bin/bakelens' -type f | head -1)
[ -n "$bin" ] || { fail "no bin/bakelens under the install"; finish; }
prefix=$(dirname "$(dirname "$bin")")
share=$prefix/share
expect_eq "the installed program is executable" yes "$([ -x "$bin" ] && echo yes || echo no)"

# The installed program alone: run from elsewhere, with nothing on PATH
# from the build, and the example copied out of the source tree.
cp -r "$BL_SRC/examples" "$BL_TMP/ex"
cd "$BL_TMP"
version=$(sed -n "s/^ *version : '\(.*\)',/\1/p" "$BL_SRC/meson.build")
expect_eq "--version" "bakelens $version" "$("$bin" --version)"
rc=0
"$bin" tree ex/metadata.json ex/out >"$BL_TMP/tree.txt" 2>"$BL_TMP/tree.err" || rc=$?
expect_eq "tree on the example: exit" 0 "$rc"
for t in $(jq -r 'to_entries[] | select(.value | type == "object") | .key' ex/metadata.json); do
	expect_eq "tree shows target $t" yes "$(grep -q -- "$t" "$BL_TMP/tree.txt" && echo yes || echo no)"
done
# Themes are compiled in: a name works with no theme file anywhere.
expect_eq "themes known to the installed program" "default light high-contrast mono" \
	"$("$bin" __complete --theme '' | tr '\n' ' ' | sed 's/ $//')"
expect_eq "no theme file is needed (none installed)" "" "$(find "$D" -name '*.theme')"

# Files where they belong.
for f in bash-completion/completions/bakelens zsh/site-functions/_bakelens \
	fish/vendor_completions.d/bakelens.fish man/man1/bakelens.1 doc/bakelens/README.md; do
	expect_eq "installed: share/$f" yes "$([ -s "$share/$f" ] && echo yes || echo no)"
done
for f in "$BL_SRC"/docs/*.md; do
	expect_eq "installed: doc/bakelens/$(basename "$f")" yes \
		"$(cmp -s "$f" "$share/doc/bakelens/$(basename "$f")" && echo yes || echo no)"
done

# bash: the installed script, as bash runs it on TAB. Each call prints
# COMPREPLY one item a line.
complete_bash() { # WORD... (the last is the word being completed)
	PATH=$(dirname "$bin"):/usr/bin:/bin bash -c '
		source "$1"; shift
		complete -p bakelens >/dev/null || exit 9
		COMP_WORDS=(bakelens "$@"); COMP_CWORD=$#
		COMP_LINE="${COMP_WORDS[*]}"; COMP_POINT=${#COMP_LINE}
		fn=$(complete -p bakelens | sed -n "s/.*-F \([^ ]*\) .*/\1/p")
		"$fn" bakelens "${COMP_WORDS[COMP_CWORD]}" "${COMP_WORDS[COMP_CWORD-1]}"
		printf "%s\n" "${COMPREPLY[@]}"' _ "$share/bash-completion/completions/bakelens" "$@"
}
want=$(jq -r 'to_entries[] | select(.value | type == "object") | .key' ex/metadata.json | sort)
expect_eq "bash: digest META --target <TAB>" "$want" \
	"$(complete_bash digest ex/metadata.json --target '' | sort)"
expect_eq "bash: the targets come from the file on the line" "" \
	"$(complete_bash digest --target '' | grep -x -F "$(echo "$want" | head -1)" || true)"
want_p=$(for d in $(jq -r '.app["containerimage.digest"]' ex/metadata.json | sed 's/sha256://'); do
	jq -r '.manifests[] | .platform | select(. != null) | "\(.os)/\(.architecture)"' \
		"ex/out/blobs/sha256/$d"; done | grep -v unknown | sort -u)
expect_eq "bash: --target app --platform <TAB>" "$want_p" \
	"$(complete_bash digest ex/metadata.json ex/out --target app --platform '' | sort)"
expect_eq "bash: --what <TAB>" "chain-id config diff-id index layer manifest" \
	"$(complete_bash digest ex/metadata.json --what '' | sort | tr '\n' ' ' | sed 's/ $//')"
expect_eq "bash: --what c<TAB>" "chain-id config" \
	"$(complete_bash digest --what c | sort | tr '\n' ' ' | sed 's/ $//')"
expect_eq "bash: --pl<TAB>" "--platform" "$(complete_bash digest --pl)"
expect_eq "bash: di<TAB>" "diff digest" "$(complete_bash di | sort | tr '\n' ' ' | sed 's/ $//')"
expect_eq "bash: __complete is not offered" "" "$(complete_bash _)"

# zsh and fish: the scripts parse.
if command -v zsh >/dev/null; then
	expect_eq "zsh -n _bakelens" 0 "$(zsh -n "$share/zsh/site-functions/_bakelens" && echo 0 || echo 1)"
else
	echo "note: zsh not installed, its script not checked"
fi
if command -v fish >/dev/null; then
	expect_eq "fish -n bakelens.fish" 0 \
		"$(fish -n "$share/fish/vendor_completions.d/bakelens.fish" && echo 0 || echo 1)"
	expect_eq "fish: digest META --target <TAB>" "$want" "$(PATH=$(dirname "$bin"):/usr/bin:/bin fish -c \
		"source $share/fish/vendor_completions.d/bakelens.fish; complete -C'bakelens digest ex/metadata.json --target '" | sort)"
else
	echo "note: fish not installed, its script not checked"
fi
finish
