/* Private to the Docker daemon store: dockerd.c (the store and its ops)
 * calls dockerd_http.c (the Engine API over a unix socket with libcurl) and
 * dockerd_body.c (pure parsers, dockerd.h); dockerd_http.c calls
 * dockerd_body.c for error messages. */
#ifndef BL_STORE_DOCKERD_INTERNAL_H
#define BL_STORE_DOCKERD_INTERNAL_H

#include <archive.h>
#include <stdbool.h>

#include "bakelens/buf.h"
#include "bakelens/store.h"

struct dockerd_api {
	char *sock;  /* the socket's path */
	char *shown; /* "unix://PATH", escaped, for messages */
	long connect_ms;
	long low_speed_s; /* a stream silent this long fails */
};

/* The socket from DOCKER_HOST (unix://PATH) or /var/run/docker.sock.
 * BL_E_UNSUPPORTED for another scheme (tcp://, ssh://), BL_E_USAGE for an
 * empty path. `what` names the source in messages (already safe). */
bool dockerd_api_init(struct dockerd_api *api, const struct bl_source_opts *opts, const char *what,
        struct bl_error *err);
void dockerd_api_fini(struct dockerd_api *api);

/* GET `path` (already URL-escaped): the status in *status, the body in out
 * (at most `max` bytes: BL_E_TOO_BIG). Fails only when no HTTP answer came,
 * with the message a user can act on (no socket, refused, permission denied
 * naming the socket's group, not HTTP); `what` prefixes it. */
bool dockerd_get(const struct dockerd_api *api, const char *path, size_t max, long *status,
        struct bl_buf *out, const char *what, struct bl_error *err);

/* Fail for a non-2xx answer `status` with `body` to `path`: the daemon's
 * "message" escaped; 404 BL_E_NOT_FOUND, 401/403 BL_E_AUTH, 400 BL_E_USAGE,
 * others BL_E_IO. Returns false. */
bool dockerd_fail_status(const char *what, const char *path, long status, const struct bl_buf *body,
        struct bl_error *err);

/* A streamed GET whose body is read by libarchive, a chunk at a time (one
 * chunk held in memory, the transfer paused while it is). */
struct dockerd_body;
/* Start GET `path` and wait for its first bytes. A non-200 answer fails as
 * dockerd_fail_status does, a transport failure as dockerd_get does. While
 * the daemon is silent, `opts->progress` (opts may be NULL) is asked every
 * second whether to go on; its false ends the transfer (BL_E_CANCELLED). */
struct dockerd_body *dockerd_body_open(const struct dockerd_api *api, const char *path,
        const char *what, const struct bl_source_opts *opts, struct bl_error *err);
/* A tar reader over the body (owned by `b`: freed with it); NULL with err
 * when libarchive cannot start on it. */
struct archive *dockerd_body_archive(struct dockerd_body *b, struct bl_error *err);
/* After a failed read: when the transfer itself broke (the daemon stopped
 * mid-stream, a timeout), replace err with that, saying how many bytes had
 * come, and return true; false when the transfer is fine (the error was in
 * the bytes). */
bool dockerd_body_broke(struct dockerd_body *b, struct bl_error *err);
void dockerd_body_free(struct dockerd_body *b);

#endif
