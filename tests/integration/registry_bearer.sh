#!/usr/bin/env bash
# The Bearer token flow, through the real binary: the real docker-registry with `auth: token`, in front
# of tests/integration/token_server.py (the one stand-in: Debian has no token
# server). Anonymous pull, Basic credentials to the realm, an identity token
# through the refresh_token POST (and the GET fallback when a token server has
# no POST), tokens cached per scope, clear errors.
. "$BL_TESTLIB"
. "$(dirname "$0")/registry-lib.sh"

mkdir -p "$BL_TMP/tok"
openssl req -x509 -newkey rsa:2048 -nodes -days 2 -subj /CN=bakelens-token \
	-keyout "$BL_TMP/tok/key.pem" -out "$BL_TMP/tok/cert.pem" >/dev/null 2>&1
TP=$(free_port)
TLOG=$BL_TMP/token.log
: >"$TLOG"
python3 "$(dirname "$0")/token_server.py" "$TP" "$BL_TMP/tok/key.pem" "$BL_TMP/tok/cert.pem" \
	bakelens-test-issuer tester 's3cr3t-Pa55' 'refresh-Tok-77' "$TLOG" &
BL_PIDS="$BL_PIDS $!"
wait_port "$TP"
start_registry bearer token "http://127.0.0.1:$TP/token" "$BL_TMP/tok/cert.pem"
R=127.0.0.1:$REG_PORT
L=$BL_TMP/layout
make_layout "$L"
push "oci:$L:multi" "$R/public/app:latest" --all --dest-creds 'tester:s3cr3t-Pa55'
push "oci:$L:amd64" "$R/private/app:latest" --dest-creds 'tester:s3cr3t-Pa55'
O=$BL_TMP/out
E=$BL_TMP/err

: >"$TLOG"
run_bl "$O" "$E" inspect --json --no-cache "$R/public/app:latest"
cp "$TLOG" "$BL_TMP/t1"
expect_eq "anonymous pull: exit" 0 "$rc"
expect_eq "anonymous pull: index" "$(skopeo_raw_digest "$R/public/app:latest")" \
	"$(jq -r '[.. | objects | select(.kind? == "index") | .descriptor.digest] | .[]' "$O")"
expect_eq "anonymous pull: configs" 2 "$(jq '[.. | objects | select(.kind? == "config" and .status == "ok")] | length' "$O")"
expect_eq "anonymous: one token request for the whole walk (cached per scope)" \
	"GET /token anonymous scope=repository:public/app:pull" "$(cat "$BL_TMP/t1")"

run_bl "$O" "$E" digest --no-cache "$R/private/app:latest"
expect_eq "anonymous on a private repository: exit (auth)" 8 "$rc"
expect_eq "anonymous on a private repository: message" yes \
	"$(grep -q "registry $R: repository private/app: manifest latest: authentication required for scope repository:private/app:pull (401" "$E" && echo yes || echo no)"

B64=$(printf 'tester:s3cr3t-Pa55' | base64)
printf '{"auths":{"%s":{"auth":"%s"}}}' "$R" "$B64" >"$BL_TMP/basic.json"
: >"$TLOG"
run_bl "$O" "$E" digest --what config --no-cache --authfile "$BL_TMP/basic.json" "$R/private/app:latest"
cp "$TLOG" "$BL_TMP/t2"
expect_eq "Basic to the realm: exit" 0 "$rc"
expect_eq "Basic to the realm: config" "$(skopeo_config_digest "$R/private/app:latest" --creds 'tester:s3cr3t-Pa55')" \
	"$(cat "$O")"
expect_eq "Basic to the realm: token log" "GET /token basic scope=repository:private/app:pull" "$(cat "$BL_TMP/t2")"

printf '{"auths":{"%s":{"identitytoken":"refresh-Tok-77"}}}' "$R" >"$BL_TMP/idtok.json"
: >"$TLOG"
run_bl "$O" "$E" digest --no-cache --authfile "$BL_TMP/idtok.json" "$R/private/app:latest"
expect_eq "identity token: exit" 0 "$rc"
expect_eq "identity token: refresh_token POST" "POST /token refresh_token ok client_id=bakelens" "$(cat "$TLOG")"

# An old token server without the refresh_token POST (404): bakelens falls
# back to GET, with the Basic credentials the same entry holds, or
# anonymously when it holds only the identity token.
TP2=$(free_port)
TLOG2=$BL_TMP/token2.log
: >"$TLOG2"
NOPOST=1 python3 "$(dirname "$0")/token_server.py" "$TP2" "$BL_TMP/tok/key.pem" "$BL_TMP/tok/cert.pem" \
	bakelens-test-issuer tester 's3cr3t-Pa55' 'refresh-Tok-77' "$TLOG2" &
BL_PIDS="$BL_PIDS $!"
wait_port "$TP2"
start_registry bearer-old token "http://127.0.0.1:$TP2/token" "$BL_TMP/tok/cert.pem"
R2=127.0.0.1:$REG_PORT
push "oci:$L:amd64" "$R2/private/app:latest" --dest-creds 'tester:s3cr3t-Pa55'
printf '{"auths":{"%s":{"auth":"%s","identitytoken":"refresh-Tok-77"}}}' "$R2" "$B64" >"$BL_TMP/both.json"
: >"$TLOG2"
run_bl "$O" "$E" digest --what config --no-cache --authfile "$BL_TMP/both.json" "$R2/private/app:latest"
cp "$TLOG2" "$BL_TMP/t3" # before skopeo asks the same token server
expect_eq "no refresh_token POST: exit" 0 "$rc"
expect_eq "no refresh_token POST: config" \
	"$(skopeo_config_digest "$R2/private/app:latest" --creds 'tester:s3cr3t-Pa55')" "$(cat "$O")"
expect_eq "no refresh_token POST: POST refused, then GET with Basic" \
	"POST /token refused|GET /token basic scope=repository:private/app:pull" "$(paste -sd'|' "$BL_TMP/t3")"
printf '{"auths":{"%s":{"identitytoken":"refresh-Tok-77"}}}' "$R2" >"$BL_TMP/idonly.json"
: >"$TLOG2"
run_bl "$O" "$E" digest --no-cache --authfile "$BL_TMP/idonly.json" "$R2/private/app:latest"
expect_eq "no refresh_token POST, identity token only: exit (auth)" 8 "$rc"
expect_eq "no refresh_token POST, identity token only: GET anonymous" \
	"POST /token refused|GET /token anonymous scope=repository:private/app:pull" "$(paste -sd'|' "$TLOG2")"

printf '{"auths":{"%s":{"auth":"%s"}}}' "$R" "$(printf 'tester:wrong-Pa55-xyz' | base64)" >"$BL_TMP/bad.json"
run_bl "$O" "$E" digest --no-cache --authfile "$BL_TMP/bad.json" "$R/private/app:latest"
expect_eq "bad credentials: exit (auth)" 8 "$rc"
expect_eq "bad credentials: names the token service" yes \
	"$(grep -q "token service for private/app (with credentials): registry $R: repository private/app: token: authentication required" "$E" && echo yes || echo no)"
for secret in s3cr3t-Pa55 wrong-Pa55-xyz refresh-Tok-77 "$B64"; do
	expect_eq "no secret in outputs ($secret)" "" "$(grep -lF -- "$secret" "$O" "$E" || true)"
done
finish
