/* Private to the gRPC files of src/store: the framing and status of gRPC
 * (grpc.c, pure functions over bytes, fuzzed), the calls over HTTP/2 with
 * libcurl on a unix socket or a command's stdio (grpc_call.c), and the
 * containerd and BuildKit store over them (containerd.c, containerd_names.c).
 * Calls go one way: containerd.c -> containerd_names.c -> grpc_call.c -> grpc.c. */
#ifndef BL_STORE_GRPC_INTERNAL_H
#define BL_STORE_GRPC_INTERNAL_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "bakelens/buf.h"
#include "bakelens/error.h"
#include "bakelens/store.h"

/* The largest gRPC message accepted: containerd's own limit (16 MiB). A
 * length prefix over it fails before anything of the message is kept. */
#define BL_GRPC_MSG_MAX (16u << 20)

/* ---- grpc.c ---- */

/* Append the 5-byte prefix (not compressed, big-endian length) and `msg`. */
void bl_grpc_frame(struct bl_buf *out, const void *msg, size_t len);

/* One complete message, borrowed for the call. Return false (with err set)
 * to stop the stream. */
typedef bool (*bl_grpc_msg_fn)(void *ud, const uint8_t *msg, size_t len, struct bl_error *err);

/* Cuts a byte stream into length-prefixed messages, whatever the chunks. */
struct bl_grpc_reader {
	uint8_t head[5];
	size_t head_len; /* bytes of the prefix seen, 5 while in a message */
	uint32_t want;   /* the current message's length */
	struct bl_buf msg;
	size_t max;     /* longest message accepted */
	uint64_t total; /* bytes fed, for messages */
};

void bl_grpc_reader_init(struct bl_grpc_reader *r, size_t max);
void bl_grpc_reader_fini(struct bl_grpc_reader *r);
/* Feed bytes; calls fn for each complete message, in order. Fails with
 * BL_E_UNSUPPORTED on a compressed message (none was asked for),
 * BL_E_FORMAT on a flag byte other than 0 or 1, BL_E_TOO_BIG when a prefix
 * announces more than r->max, or as fn fails. */
bool bl_grpc_reader_feed(struct bl_grpc_reader *r, const void *data, size_t len, bl_grpc_msg_fn fn,
        void *ud, struct bl_error *err);
/* True when the bytes fed so far end between two messages. */
bool bl_grpc_reader_idle(const struct bl_grpc_reader *r);

/* What the response headers and trailers said. */
struct bl_grpc_status {
	int http;          /* the :status, 0 before it came */
	int code;          /* grpc-status, -1 while absent */
	char *message;     /* grpc-message, percent-decoded and escaped; NULL */
	bool content_grpc; /* content-type application/grpc[+...] */
};

void bl_grpc_status_init(struct bl_grpc_status *st);
void bl_grpc_status_fini(struct bl_grpc_status *st);
/* Take one header line as libcurl gives it ("HTTP/2 200\r\n",
 * "grpc-status: 5\r\n", "\r\n"); lines of no interest are ignored. */
void bl_grpc_status_header(struct bl_grpc_status *st, const char *line, size_t len);
/* The name of a gRPC status code ("NOT_FOUND"), "UNKNOWN" past the table. */
const char *bl_grpc_code_name(int code);
/* gRPC status codes bakelens tells apart. */
enum {
	BL_GRPC_OK = 0,
	BL_GRPC_INVALID_ARGUMENT = 3,
	BL_GRPC_NOT_FOUND = 5,
	BL_GRPC_PERMISSION_DENIED = 7,
	BL_GRPC_RESOURCE_EXHAUSTED = 8,
	BL_GRPC_FAILED_PRECONDITION = 9,
	BL_GRPC_UNIMPLEMENTED = 12,
	BL_GRPC_UNAVAILABLE = 14,
	BL_GRPC_UNAUTHENTICATED = 16,
};

/* ---- grpc_call.c ---- */

/* Where the daemon is: a unix socket, or a command whose stdin and stdout
 * carry the connection. Strings are copied. */
struct bl_grpc_target {
	const char *socket;      /* path of the unix socket; NULL with connect_cmd */
	const char *connect_cmd; /* run with /bin/sh -c; NULL with socket */
	const char *ns;          /* the containerd-namespace header; NULL: none sent */
	const char *daemon;      /* "containerd", "BuildKit": said in messages */
	long connect_timeout_ms; /* 0: 10 s */
	long low_speed_time_s;   /* a call with no byte for this long fails; 0: 30 s */
	/* Told about every call while it runs; its false cancels the call
	 * (BL_E_CANCELLED). NULL: none. */
	bl_progress_fn progress;
	void *progress_ud;
};

struct bl_grpc_conn;
struct bl_grpc_call;

/* A connection (made at the first call, kept for the next ones). Never fails. */
struct bl_grpc_conn *bl_grpc_conn_new(const struct bl_grpc_target *t);
/* Closes the connection; a connect command is told to stop (its stdin
 * closes, then SIGTERM by its pid after a grace) and reaped. NULL is fine. */
void bl_grpc_conn_free(struct bl_grpc_conn *c);
/* "containerd at /run/containerd/containerd.sock" or "BuildKit through
 * `CMD`", escaped: borrowed from the connection. */
const char *bl_grpc_conn_name(const struct bl_grpc_conn *c);

/* Start a call of `path` ("/containerd.services.content.v1.Content/Read")
 * with one request message (unframed). Each response message (at most
 * BL_GRPC_MSG_MAX) goes to fn as it arrives, during bl_grpc_call_step. */
struct bl_grpc_call *bl_grpc_call_start(struct bl_grpc_conn *c, const char *path, const void *req,
        size_t len, bl_grpc_msg_fn fn, void *ud);
/* Move the call on until fn was called at least once or the call ended:
 * 1 messages came, 0 the call ended with status OK (fn saw every message),
 * -1 it failed: err says why, *code (may be NULL) gets the gRPC status
 * (-1 when none came). The classes, as for the Docker daemon's store: a
 * status NOT_FOUND -> BL_E_NOT_FOUND, PERMISSION_DENIED and UNAUTHENTICATED
 * -> BL_E_AUTH, others BL_E_IO; no daemon at the socket, a daemon that
 * stops or a connect command that exits BL_E_IO; a socket the user may not
 * open BL_E_AUTH (naming its group); bytes that are not HTTP/2 or gRPC, or
 * a truncated message, BL_E_FORMAT; a message over the cap BL_E_TOO_BIG;
 * the progress callback's cancel BL_E_CANCELLED. A paused call (fn asked, see
 * bl_grpc_call_pause) is resumed first. */
int bl_grpc_call_step(struct bl_grpc_call *call, int *code, struct bl_error *err);
/* Ask the call to hold further messages until the next step (bounded
 * memory: a reader that has not yet taken the bytes it got). */
void bl_grpc_call_pause(struct bl_grpc_call *call);
void bl_grpc_call_free(struct bl_grpc_call *call); /* cancels it when not ended; NULL is fine */
/* A call with one response message, put into out (unframed). Fails as
 * bl_grpc_call_step, and with BL_E_FORMAT when not exactly one came. */
bool bl_grpc_unary(struct bl_grpc_conn *c, const char *path, const void *req, size_t len,
        struct bl_buf *out, int *code, struct bl_error *err);

/* ---- containerd_names.c ---- */

/* Fail `err` with BL_E_NOT_FOUND saying why image `name` is not in
 * namespace `ns` of the daemon: the namespace does not exist (the ones that
 * do are listed), or it does and these close names are there (or the first
 * few names it holds). When the lists cannot be read, the message says only
 * that the image is not there. */
void ctrd_explain_missing(
        struct bl_grpc_conn *c, const char *ns, const char *name, struct bl_error *err);
/* The names of `list` closest to `name` (its repository with another tag,
 * the same last component, or one holding the other), ", "-joined, at most
 * `max`, and *any_close true; when none is close, the first `max` names and
 * false; "" for an empty list. Caller frees. */
char *ctrd_close_names(
        const char *const *list, size_t n, const char *name, size_t max, bool *any_close);

#endif
