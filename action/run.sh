#!/usr/bin/env bash
# The steps of the bakelens GitHub Action (action.yml). Each step runs one mode:
#   bash action/run.sh cache-key   key of the cached build/ (output `key`)
#   bash action/run.sh install     install the packages and build bakelens into build/
#   bash action/run.sh run         the keys, the metadata with layer.digest, the compare,
#                                  the job summary
# Inputs come as a runner passes a composite action's inputs to its steps: in the
# environment, INPUT_<NAME> (action.yml maps `${{ inputs.x }}` into `env:`). The
# runner's files and directories: GITHUB_OUTPUT, GITHUB_STEP_SUMMARY, RUNNER_TEMP,
# GITHUB_ACTION_PATH. BAKELENS names the program (default: build/bakelens under
# GITHUB_ACTION_PATH, else bakelens on PATH), so the steps run outside GitHub too.
set -euo pipefail

here=${GITHUB_ACTION_PATH:-$(cd "$(dirname "$0")/.." && pwd)}

die() {
	echo "::error::bakelens action: $*" >&2
	exit 2
}
# true/false inputs, as GitHub writes booleans (also yes/no, 1/0).
truthy() {
	case "${1,,}" in
	true | yes | 1 | on) return 0 ;;
	false | no | 0 | off | '') return 1 ;;
	*) die "not a boolean: '$1'" ;;
	esac
}
# output NAME VALUE: one output in $GITHUB_OUTPUT, in the multi-line form with a
# delimiter that the value does not contain (a value may hold any text).
output() {
	local delim
	: "${GITHUB_OUTPUT:?GITHUB_OUTPUT is not set}"
	while :; do
		delim=bakelens_$(od -An -N8 -tx1 /dev/urandom | tr -d ' \n')
		case "$2" in *"$delim"*) ;; *) break ;; esac
	done
	printf '%s<<%s\n%s\n%s\n' "$1" "$delim" "$2" "$delim" >>"$GITHUB_OUTPUT"
}

# The build's key: the runner's system and a hash of every file the build reads.
# An action checked out from a ref is a plain copy (no .git), so the ref alone
# could name different code (a branch); the hash cannot.
cmd_cache_key() {
	local hash
	hash=$(cd "$here" && find meson.build meson_options.txt src include completions docs .ci \
		-type f -print0 2>/dev/null | LC_ALL=C sort -z | xargs -0 sha256sum | sha256sum | cut -c1-32)
	output key "bakelens-${RUNNER_OS:-$(uname -s)}-${RUNNER_ARCH:-$(uname -m)}-${hash}"
}

cmd_install() {
	# A restored build/ is older than the freshly checked-out sources; without
	# this ninja would rebuild it all. The key hashes the sources, so a restored
	# build/ was built from these very files: give them an old date.
	find "$here" -path "$here/build" -prune -o -type f -exec touch -h -d '2000-01-01 00:00:00' {} +
	bash "$here/.ci/setup"
	if ! command -v jq >/dev/null 2>&1; then
		local sudo=()
		[ "$(id -u)" -eq 0 ] || sudo=(sudo)
		DEBIAN_FRONTEND=noninteractive "${sudo[@]}" apt-get install -y -qq --no-install-recommends jq >/dev/null
	fi
	"$here/build/bakelens" --version
}

# The platform a target's layer.digest comes from: INPUT_PLATFORM when the target
# has it (linux/arm64 also matches linux/arm64/v8), else linux/amd64, else the first.
# jq: metadata ($keys) -> the metadata with "layer.digest" on each target that has keys.
# Without a metadata file the targets are the names the keys give, each an object.
layer_digest_jq='
def pick($want):
  (.platforms // {}) as $p
  | ($p | keys_unsorted) as $names
  | (if $want != "" then
       ([$names[] | select(. == $want or startswith($want + "/"))] | first)
     elif $p["linux/amd64"] then "linux/amd64"
     else $names | first end) as $name
  | if $name == null then null else $p[$name].layer.digest end;
reduce ($keys.targets | to_entries[]) as $t (.;
  ($t.value | pick($platform)) as $d
  | if $d == null then . else .[$t.key] = ((.[$t.key] // {}) + {"layer.digest": $d}) end)
'

# fence TEXT: a backtick fence longer than any run of backticks in TEXT, so a
# target name cannot close the code block it is shown in.
fence() {
	local longest
	longest=$(printf '%s' "$1" | grep -o '`*' | awk '{ if (length > n) n = length } END { print n + 0 }')
	[ "$longest" -ge 3 ] || longest=2
	printf '%*s' $((longest + 1)) '' | tr ' ' '`'
}

cmd_run() {
	: "${RUNNER_TEMP:?RUNNER_TEMP is not set}"
	local bl=${BAKELENS:-}
	if [ -z "$bl" ]; then
		if [ -x "$here/build/bakelens" ]; then bl=$here/build/bakelens; else bl=bakelens; fi
	fi
	command -v jq >/dev/null 2>&1 || die "jq is needed (the install step installs it)"

	local work=$RUNNER_TEMP/bakelens
	mkdir -p "$work"
	local srcs=() opts=() line
	if [ -n "${INPUT_METADATA:-}" ]; then
		printf '%s\n' "$INPUT_METADATA" >"$work/metadata.json"
		jq -e 'type == "object"' "$work/metadata.json" >/dev/null 2>&1 ||
			die "metadata: not a JSON object (give the metadata output of docker/bake-action or docker/build-push-action)"
		srcs+=("$work/metadata.json")
	fi
	while IFS= read -r line; do
		line=${line#"${line%%[![:space:]]*}"}
		line=${line%"${line##*[![:space:]]}"}
		[ -n "$line" ] && srcs+=("$line")
	done <<<"${INPUT_SOURCES:-}"
	[ ${#srcs[@]} -gt 0 ] || die "give metadata or sources"
	truthy "${INPUT_OFFLINE:-false}" && opts+=(--offline)
	while IFS= read -r line; do
		line=${line//[[:space:]]/}
		[ -n "$line" ] && opts+=(--insecure "$line")
	done <<<"${INPUT_INSECURE:-}"
	[ -n "${INPUT_AUTHFILE:-}" ] && opts+=(--authfile "$INPUT_AUTHFILE")

	# The keys: printed whatever the exit status, with "error" where a key failed.
	local rc=0
	"$bl" digest --json "${opts[@]}" "${srcs[@]}" >"$work/keys.json" || rc=$?
	jq -e '.version == 1' "$work/keys.json" >/dev/null 2>&1 ||
		die "bakelens digest --json printed no keys (exit $rc)"
	output keys "$(cat "$work/keys.json")"
	output keys-file "$work/keys.json"

	local meta='{}'
	[ -n "${INPUT_METADATA:-}" ] && meta=$(cat "$work/metadata.json")
	jq --argjson keys "$(cat "$work/keys.json")" --arg platform "${INPUT_PLATFORM:-}" \
		"$layer_digest_jq" <<<"$meta" >"$work/metadata-out.json"
	output metadata "$(cat "$work/metadata-out.json")"

	local moved='' changes='' crc=0
	if [ -n "${INPUT_PREVIOUS:-}" ]; then
		"$bl" digest --compare "$INPUT_PREVIOUS" "${opts[@]}" "${srcs[@]}" >"$work/changes.txt" || crc=$?
		case $crc in
		0) moved=false ;;
		1) moved=true ;;
		*) die "bakelens digest --compare $INPUT_PREVIOUS failed (exit $crc)" ;;
		esac
		changes=$(cat "$work/changes.txt")
		output moved "$moved"
		output changes "$changes"
		[ -z "$changes" ] || printf '%s\n' "$changes"
	fi

	if truthy "${INPUT_SUMMARY:-true}"; then
		: "${GITHUB_STEP_SUMMARY:?GITHUB_STEP_SUMMARY is not set}"
		# The report of the build; its text goes to the log.
		local irc=0
		"$bl" inspect --summary "${opts[@]}" "${srcs[@]}" || irc=$?
		[ "$irc" = 0 ] || echo "::warning::bakelens inspect exited $irc"
		if [ -n "$moved" ]; then
			{
				echo
				if [ "$moved" = false ]; then
					echo "**bakelens digest --compare**: no cache key moved since the previous run"
				else
					local f
					f=$(fence "$changes")
					echo "**bakelens digest --compare**: cache keys moved since the previous run"
					echo
					echo "$f"
					printf '%s\n' "$changes"
					echo "$f"
				fi
			} >>"$GITHUB_STEP_SUMMARY"
		fi
	fi
	[ "$rc" = 0 ] || echo "::error::bakelens digest --json exited $rc (see the errors above and the keys' \"error\" fields)" >&2
	return "$rc"
}

case "${1:-}" in
cache-key) cmd_cache_key ;;
install) cmd_install ;;
run) cmd_run ;;
*)
	echo "usage: bash action/run.sh cache-key|install|run" >&2
	exit 2
	;;
esac
