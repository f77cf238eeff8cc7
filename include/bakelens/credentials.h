/* Registry credentials from the files docker and podman use (auth.json,
 * config.json, credential helpers). Credentials never appear in output, logs or error messages:
 * errors name the file or helper, never a value.
 */
#ifndef BL_CREDENTIALS_H
#define BL_CREDENTIALS_H

#include <stdbool.h>

#include "bakelens/error.h"

struct bl_credentials {
	char *username; /* Basic credentials; NULL when none */
	char *password;
	char *identity_token; /* a refresh token for the Bearer flow; NULL */
	char *registry_token; /* a bearer token sent as is; NULL */
	char *source; /* where they came from ("/x/auth.json", "docker-credential-pass"), for
	                 messages */
};

/* Look up credentials for `host` ("ghcr.io", "127.0.0.1:5000", "docker.io")
 * and repository `repo` ("o/r", may be NULL) in order:
 *   `authfile` when not NULL, else $REGISTRY_AUTH_FILE, else
 *   ${XDG_RUNTIME_DIR}/containers/auth.json then
 *   ${XDG_CONFIG_HOME:-~/.config}/containers/auth.json; then
 *   $DOCKER_CONFIG/config.json or ~/.docker/config.json.
 * In each file: credHelpers[host], then credsStore, then auths (keys may carry
 * a scheme, a path like /v1/, or a repository namespace: the longest
 * namespace match wins). The first file with an answer wins. Docker Hub's key
 * is https://index.docker.io/v1/.
 * Nothing found is success with all fields NULL (anonymous). Fails (BL_E_AUTH
 * or BL_E_FORMAT) for an unreadable file, bad JSON, or a failing helper.
 * `out` needs no init; _fini after success. */
bool bl_credentials_lookup(const char *host, const char *repo, const char *authfile,
        struct bl_credentials *out, struct bl_error *err);
void bl_credentials_fini(struct bl_credentials *c);
/* Zero a secret string (password, token, header holding one), then free it;
 * NULL is fine. */
void bl_credentials_free_secret(char *secret);
/* True when no credential is set (anonymous). */
bool bl_credentials_is_empty(const struct bl_credentials *c);

/* Run `docker-credential-<helper> get` with `server` on stdin. A helper that
 * says "credentials not found" is success with nothing set. */
bool bl_credentials_from_helper(
        const char *helper, const char *server, struct bl_credentials *out, struct bl_error *err);

#endif
