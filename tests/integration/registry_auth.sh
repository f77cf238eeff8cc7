#!/usr/bin/env bash
# The registry store against docker-registry with htpasswd Basic auth:
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
run_probe "$O" "$E" --no-cache "$R/team/app:latest"
expect_eq "anonymous: exit" 1 "$rc"
expect_eq "anonymous: message" \
	"registry_probe: auth: registry $R: repository team/app: authentication required for scope repository:team/app:pull (401, Basic) and no credentials found" \
	"$(cat "$E")"

# --authfile (containers auth.json format)
AUTH=$(printf 'tester:s3cr3t-Pa55' | base64)
printf '{"auths":{"%s":{"auth":"%s"}}}' "$R" "$AUTH" >"$BL_TMP/auth.json"
run_probe "$O" "$E" --no-cache --authfile "$BL_TMP/auth.json" "$R/team/app:latest"
expect_eq "authfile: exit" 0 "$rc"
expect_eq "authfile: index digest" "$want" "$(awk '$1=="root"{print $4}' "$O")"
expect_eq "authfile: configs" 2 "$(grep -c '^config ' "$O")"

# REGISTRY_AUTH_FILE
REGISTRY_AUTH_FILE=$BL_TMP/auth.json run_probe "$O" "$E" --no-cache "$R/team/app:latest"
expect_eq "REGISTRY_AUTH_FILE: exit" 0 "$rc"

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
BL_HELPER_LOG=$BL_TMP/helper.log PATH="$BL_TMP/bin:$PATH" run_probe "$O" "$E" --no-cache "$R/team/app:latest"
expect_eq "credential helper: exit" 0 "$rc"
expect_eq "credential helper got the server on stdin" "$R" "$(cat "$BL_TMP/helper.log")"

# wrong password: 401 naming the scope; the password is never printed
printf '{"auths":{"%s":{"auth":"%s"}}}' "$R" "$(printf 'tester:wrong-Pa55-xyz' | base64)" >"$BL_TMP/bad.json"
run_probe "$O" "$E" --no-cache --authfile "$BL_TMP/bad.json" "$R/team/app:latest"
expect_eq "wrong password: exit" 1 "$rc"
expect_eq "wrong password: says refused" yes \
	"$(grep -q 'authentication required for scope repository:team/app:pull (401 UNAUTHORIZED); the credentials found were refused' "$E" && echo yes || echo no)"
for secret in s3cr3t-Pa55 wrong-Pa55-xyz "$AUTH"; do
	expect_eq "no secret in outputs ($secret)" "" "$(grep -rlF -- "$secret" "$O" "$E" || true)"
done
finish
