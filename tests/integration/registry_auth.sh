#!/usr/bin/env bash
# The real binary against docker-registry with htpasswd Basic auth:
# credentials from --authfile, REGISTRY_AUTH_FILE and ~/.docker/config.json
# (auths and a credential helper), a clear 401 without them, and no secret in
# any output.
. "$BL_TESTLIB"
. "$(dirname "$0")/registry-lib.sh"

start_registry basic htpasswd
R=127.0.0.1:$REG_PORT
L=$BL_TMP/layout
make_layout "$L"
push "oci:$L:multi" "$R/team/app:latest" --all --dest-creds 'tester:s3cr3t-Pa55'
O=$BL_TMP/out
E=$BL_TMP/err
want=$(skopeo_raw_digest "$R/team/app:latest" --creds 'tester:s3cr3t-Pa55')

# Without credentials: a clear authentication error naming repository and scope.
run_bl "$O" "$E" digest --no-cache "$R/team/app:latest"
expect_eq "anonymous: exit (auth)" 8 "$rc"
expect_eq "anonymous: message" \
	"bakelens: registry $R: repository team/app: authentication required for scope repository:team/app:pull (401, Basic) and no credentials found" \
	"$(cat "$E")"

# --authfile (containers auth.json format)
AUTH=$(printf 'tester:s3cr3t-Pa55' | base64)
printf '{"auths":{"%s":{"auth":"%s"}}}' "$R" "$AUTH" >"$BL_TMP/auth.json"
run_bl "$O" "$E" inspect --json --no-cache --authfile "$BL_TMP/auth.json" "$R/team/app:latest"
expect_eq "authfile: exit" 0 "$rc"
expect_eq "authfile: index digest" "$want" \
	"$(jq -r '[.. | objects | select(.kind? == "index") | .descriptor.digest] | .[]' "$O")"
expect_eq "authfile: configs" 2 "$(jq '[.. | objects | select(.kind? == "config" and .status == "ok")] | length' "$O")"

# REGISTRY_AUTH_FILE
REGISTRY_AUTH_FILE=$BL_TMP/auth.json run_bl "$O" "$E" digest --no-cache "$R/team/app:latest"
expect_eq "REGISTRY_AUTH_FILE: exit" 0 "$rc"
expect_eq "REGISTRY_AUTH_FILE: digest" "$want" "$(cat "$O")"

# ~/.docker/config.json with a credential helper (a script in PATH)
mkdir -p "$HOME/.docker" "$BL_TMP/bin"
cat >"$BL_TMP/bin/docker-credential-bltest" <<'H'
#!/bin/sh
read -r server
echo "$server" >>"$BL_HELPER_LOG"
printf '{"ServerURL":"%s","Username":"tester","Secret":"s3cr3t-Pa55"}\n' "$server"
H
chmod +x "$BL_TMP/bin/docker-credential-bltest"
printf '{"credHelpers":{"%s":"bltest"}}' "$R" >"$HOME/.docker/config.json"
BL_HELPER_LOG=$BL_TMP/helper.log PATH="$BL_TMP/bin:$PATH" run_bl "$O" "$E" digest --no-cache "$R/team/app:latest"
expect_eq "credential helper: exit" 0 "$rc"
expect_eq "credential helper: digest" "$want" "$(cat "$O")"
expect_eq "credential helper got the server on stdin" "$R" "$(cat "$BL_TMP/helper.log")"

# wrong password: 401 naming the scope; the password is never printed
printf '{"auths":{"%s":{"auth":"%s"}}}' "$R" "$(printf 'tester:wrong-Pa55-xyz' | base64)" >"$BL_TMP/bad.json"
run_bl "$O" "$E" tree --no-cache --authfile "$BL_TMP/bad.json" "$R/team/app:latest"
expect_eq "wrong password: exit (auth)" 8 "$rc"
expect_eq "wrong password: says refused" yes \
	"$(grep -q 'authentication required for scope repository:team/app:pull (401 UNAUTHORIZED); the credentials found were refused' "$E" && echo yes || echo no)"
# A metadata target only in this registry: fetched with the same credentials.
jq -n --arg d "$want" --arg n "$R/team/app:v1" '{app: {"containerimage.digest": $d, "image.name": $n}}' >"$BL_TMP/meta.json"
run_bl "$BL_TMP/o2" "$BL_TMP/e2" digest --authfile "$BL_TMP/auth.json" "$BL_TMP/meta.json" --platform linux/amd64 --what config
expect_eq "metadata target with credentials: exit" 0 "$rc"
expect_eq "metadata target with credentials: config" \
	"$(skopeo_config_digest "$R/team/app:latest" --creds 'tester:s3cr3t-Pa55' --override-arch amd64)" "$(cat "$BL_TMP/o2")"
rm -f "$HOME/.docker/config.json"
run_bl "$BL_TMP/o3" "$BL_TMP/e3" inspect --json --no-cache "$BL_TMP/meta.json"
expect_eq "metadata target without credentials: unresolved" unresolved "$(jq -r '.targets[0].children[0].status' "$BL_TMP/o3")"
expect_eq "metadata target without credentials: says 401" yes \
	"$(jq -r '.targets[0].children[0].message' "$BL_TMP/o3" | grep -q 'not in any source given.*authentication required for scope repository:team/app:pull' && echo yes || echo no)"

# Broken auth files with the password in them: exit 4, a message naming the
# file and the place, and not a byte of the password anywhere (the parser's
# own messages quote the text near the error).
broken_auth() {
	case $1 in
	escape) printf '{"auths":{"%s":{"username":"tester","password":"s3cr3t-Pa55\\q"}}}' "$R" ;;
	control) printf '{"auths":{"%s":{"username":"tester","password":"s3cr3t\001-Pa55"}}}' "$R" ;;
	truncated) printf '{"auths":{"%s":{"username":"tester","password":"s3cr3t-Pa55' "$R" ;;
	type) printf '{"auths":{"%s":{"auth":["s3cr3t-Pa55", "%s"]}}}' "$R" "$AUTH" ;;
	esac
}
for kind in escape control truncated type; do
	F=$BL_TMP/broken-$kind.json
	broken_auth $kind >"$F"
	run_bl "$BL_TMP/o4" "$BL_TMP/e4" tree --authfile "$F" "$R/team/app:latest"
	expect_eq "broken auth file ($kind): exit" 4 "$rc"
	expect_eq "broken auth file ($kind): names the file and the place" yes \
		"$(grep -qE "^bakelens: .*auth file $F: (line 1 column [0-9]+ \(byte [0-9]+\)|auths)" "$BL_TMP/e4" && echo yes || echo no)"
	for secret in s3cr3t Pa55 "$AUTH"; do
		expect_eq "broken auth file ($kind): no secret in outputs or the cache ($secret)" "" \
			"$(grep -rlaF -- "$secret" "$BL_TMP/o4" "$BL_TMP/e4" "$XDG_CACHE_HOME" || true)"
	done
done
for secret in s3cr3t-Pa55 wrong-Pa55-xyz "$AUTH"; do
	expect_eq "no secret in outputs ($secret)" "" "$(grep -rlF -- "$secret" "$O" "$E" "$BL_TMP"/o[23] "$BL_TMP"/e[23] || true)"
done
finish
