/* The Engine API over a unix socket with libcurl: small GETs into memory,
 * and the docker save stream handed to libarchive a chunk at a time (the
 * transfer pauses while libarchive holds a chunk, so memory stays at one
 * chunk whatever the image's size). Failures are turned into what a user
 * can do about them: start the daemon, join the socket's group, look at
 * DOCKER_HOST. */
#include <curl/curl.h>
#include <errno.h>
#include <grp.h>
#include <pthread.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "bakelens/dockerd.h"
#include "bakelens/mem.h"
#include "bakelens/text.h"
#include "dockerd_internal.h"
#include "internal.h"

#define DEFAULT_SOCKET "/var/run/docker.sock"
#define ERROR_BODY_MAX (64u << 10)

static pthread_once_t curl_once = PTHREAD_ONCE_INIT;

/* curl_global_init is not thread-safe: once per process, whichever store
 * (registry or daemon) comes first; calling it twice is harmless. */
static void curl_init_once(void)
{
	curl_global_init(CURL_GLOBAL_DEFAULT);
}

bool dockerd_api_init(struct dockerd_api *api, const struct bl_source_opts *opts, const char *what,
        struct bl_error *err)
{
	memset(api, 0, sizeof(*api));
	const char *host = getenv("DOCKER_HOST");
	const char *path = DEFAULT_SOCKET;
	if (host && *host) {
		if (strncmp(host, "unix://", 7) != 0) {
			char *safe = bl_text_safe(host);
			bl_fail(err, BL_E_UNSUPPORTED,
			        "%s: DOCKER_HOST=%s: only a unix:// socket is supported (on the "
			        "daemon's machine, unset DOCKER_HOST or set it to "
			        "unix:///var/run/docker.sock)",
			        what, safe);
			free(safe);
			return false;
		}
		path = host + 7;
		if (!*path)
			return bl_fail(
			        err, BL_E_USAGE, "%s: DOCKER_HOST=unix:// names no socket", what);
	}
	pthread_once(&curl_once, curl_init_once);
	api->sock = bl_strdup(path);
	char *safe = bl_text_safe(path);
	api->shown = bl_asprintf("unix://%s", safe);
	free(safe);
	long ct = opts ? opts->connect_timeout_ms : 0;
	long ls = opts ? opts->low_speed_time_s : 0;
	api->connect_ms = ct > 0 ? ct : 10000;
	/* podman writes the whole image to a temporary file before the first
	 * byte of a save: a long silence is normal there. */
	api->low_speed_s = ls > 0 ? ls : 300;
	return true;
}

void dockerd_api_fini(struct dockerd_api *api)
{
	free(api->sock);
	free(api->shown);
	memset(api, 0, sizeof(*api));
}

static CURL *new_handle(const struct dockerd_api *api, const char *path)
{
	CURL *h = curl_easy_init();
	if (!h)
		return NULL;
	/* The host part is not used on a unix socket; "docker" is what the
	 * docker CLI sends. */
	char *url = bl_asprintf("http://docker%s", path);
	curl_easy_setopt(h, CURLOPT_URL, url);
	free(url);
	curl_easy_setopt(h, CURLOPT_UNIX_SOCKET_PATH, api->sock);
	curl_easy_setopt(h, CURLOPT_NOSIGNAL, 1L);
	curl_easy_setopt(h, CURLOPT_PROTOCOLS_STR, "http");
	curl_easy_setopt(h, CURLOPT_CONNECTTIMEOUT_MS, api->connect_ms);
	curl_easy_setopt(h, CURLOPT_LOW_SPEED_LIMIT, 1L);
	curl_easy_setopt(h, CURLOPT_LOW_SPEED_TIME, api->low_speed_s);
	curl_easy_setopt(h, CURLOPT_USERAGENT, "bakelens");
	return h;
}

/* "group docker" of the socket, for the permission message. */
static char *socket_group(const char *path)
{
	struct stat st;
	if (stat(path, &st) != 0)
		return bl_strdup("its group");
	struct group gb, *g = NULL;
	char buf[4096];
	if (getgrgid_r(st.st_gid, &gb, buf, sizeof(buf), &g) == 0 && g && g->gr_name) {
		char *safe = bl_text_safe(g->gr_name);
		char *out = bl_asprintf("group %s", safe);
		free(safe);
		return out;
	}
	return bl_asprintf("group %lu", (unsigned long)st.st_gid);
}

/* The message for a transfer that got no (complete) answer. */
static bool fail_transport(
        const struct dockerd_api *api, CURL *h, CURLcode rc, const char *what, struct bl_error *err)
{
	long os = 0;
	curl_easy_getinfo(h, CURLINFO_OS_ERRNO, &os);
	if (rc == CURLE_COULDNT_CONNECT || rc == CURLE_OPERATION_TIMEDOUT) {
		if (os == ENOENT || os == ENOTDIR)
			return bl_fail(err, BL_E_IO,
			        "%s: no daemon socket at %s: is the Docker daemon running? (or "
			        "set DOCKER_HOST=unix://PATH to its socket, e.g. podman's)",
			        what, api->shown);
		if (os == ECONNREFUSED)
			return bl_fail(err, BL_E_IO,
			        "%s: nothing listens on %s: the daemon is not running (start it, "
			        "or set DOCKER_HOST to the socket of one that is)",
			        what, api->shown);
		if (os == EACCES || os == EPERM) {
			char *grp = socket_group(api->sock);
			bl_fail(err, BL_E_AUTH,
			        "%s: permission denied on %s: it belongs to %s; join that group "
			        "(then log in again) or run bakelens with sudo",
			        what, api->shown, grp);
			free(grp);
			return false;
		}
	}
	if (rc == CURLE_WEIRD_SERVER_REPLY || rc == CURLE_UNSUPPORTED_PROTOCOL ||
	        rc == CURLE_GOT_NOTHING)
		return bl_fail(err, BL_E_FORMAT,
		        "%s: %s answered something that is not the Engine API (%s): is it a "
		        "Docker socket?",
		        what, api->shown, curl_easy_strerror(rc));
	if (rc == CURLE_OPERATION_TIMEDOUT)
		return bl_fail(err, BL_E_IO, "%s: %s sent nothing for %ld s", what, api->shown,
		        api->low_speed_s);
	return bl_fail(err, BL_E_IO, "%s: %s: %s", what, api->shown, curl_easy_strerror(rc));
}

bool dockerd_fail_status(const char *what, const char *path, long status, const struct bl_buf *body,
        struct bl_error *err)
{
	char *msg = body && body->len ? bl_dockerd_error_message(body->data, body->len) : NULL;
	enum bl_status code = BL_E_IO;
	if (status == 404)
		code = BL_E_NOT_FOUND;
	else if (status == 401 || status == 403)
		code = BL_E_AUTH;
	else if (status == 400)
		code = BL_E_USAGE;
	char *sp = bl_text_safe(path);
	bl_fail(err, code, "%s: GET %s: the daemon answered %ld%s%s", what, sp, status,
	        msg ? ": " : "", msg ? msg : "");
	free(sp);
	free(msg);
	return false;
}

struct get_ctx {
	struct bl_buf *out;
	size_t max;
	bool over;
};

static size_t on_get_write(char *p, size_t sz, size_t n, void *ud)
{
	struct get_ctx *c = ud;
	size_t len = sz * n;
	if (c->out->len + len > c->max) {
		c->over = true;
		return 0; /* aborts the transfer */
	}
	bl_buf_append(c->out, p, len);
	return len;
}

bool dockerd_get(const struct dockerd_api *api, const char *path, size_t max, long *status,
        struct bl_buf *out, const char *what, struct bl_error *err)
{
	CURL *h = new_handle(api, path);
	if (!h)
		return bl_fail(err, BL_E_IO, "%s: cannot start a transfer (libcurl)", what);
	struct get_ctx c = {.out = out, .max = max};
	curl_easy_setopt(h, CURLOPT_WRITEFUNCTION, on_get_write);
	curl_easy_setopt(h, CURLOPT_WRITEDATA, &c);
	/* A small answer: a daemon that sends nothing for this long is stuck. */
	curl_easy_setopt(h, CURLOPT_TIMEOUT_MS, api->connect_ms * 6);
	CURLcode rc = curl_easy_perform(h);
	*status = 0;
	curl_easy_getinfo(h, CURLINFO_RESPONSE_CODE, status);
	bool ok = true;
	if (c.over) {
		char *sp = bl_text_safe(path);
		ok = bl_fail(err, BL_E_TOO_BIG, "%s: GET %s: the answer is over %zu bytes", what,
		        sp, max);
		free(sp);
	} else if (rc != CURLE_OK) {
		ok = fail_transport(api, h, rc, what, err);
	}
	curl_easy_cleanup(h);
	return ok;
}

struct dockerd_body {
	const struct dockerd_api *api;
	char *what;
	CURLM *multi;
	CURL *h;
	long status;
	unsigned char *chunk; /* handed to libarchive; valid until the next read */
	size_t chunk_len, chunk_cap;
	bool pending; /* chunk holds bytes not handed out yet */
	bool paused, done;
	CURLcode result;
	uint64_t received;
	struct bl_buf errbody; /* a non-200 answer's body (capped) */
	bl_progress_fn progress;
	void *progress_ud;
	bool cancelled;
	struct archive *a;
};

static size_t on_body_write(char *p, size_t sz, size_t n, void *ud)
{
	struct dockerd_body *b = ud;
	size_t len = sz * n;
	if (!b->status)
		curl_easy_getinfo(b->h, CURLINFO_RESPONSE_CODE, &b->status);
	if (b->status != 200) {
		if (b->errbody.len + len <= ERROR_BODY_MAX)
			bl_buf_append(&b->errbody, p, len);
		return len;
	}
	if (b->pending) {
		b->paused = true;
		return CURL_WRITEFUNC_PAUSE; /* curl keeps it and sends it again */
	}
	if (len > b->chunk_cap) {
		b->chunk = bl_realloc(b->chunk, len);
		b->chunk_cap = len;
	}
	memcpy(b->chunk, p, len);
	b->chunk_len = len;
	b->pending = len > 0;
	b->received += len;
	return len;
}

/* Run the transfer until a chunk is pending or it has ended. */
static void pump(struct dockerd_body *b)
{
	while (!b->pending && !b->done) {
		int running = 0;
		curl_multi_perform(b->multi, &running);
		int left;
		CURLMsg *m;
		while ((m = curl_multi_info_read(b->multi, &left)))
			if (m->msg == CURLMSG_DONE) {
				b->done = true;
				b->result = m->data.result;
			}
		if (b->pending || b->done)
			break;
		int fds = 0;
		curl_multi_poll(b->multi, NULL, 0, 1000, &fds);
		/* A silent second (podman saving to its temporary file): the
		 * user may give up. */
		if (fds == 0 && b->progress &&
		        !b->progress(b->progress_ud, "waiting for the daemon's saved image",
		                b->received, 0)) {
			b->cancelled = true;
			b->done = true;
			b->result = CURLE_ABORTED_BY_CALLBACK;
		}
	}
}

void dockerd_body_free(struct dockerd_body *b)
{
	if (!b)
		return;
	if (b->a)
		archive_read_free(b->a);
	if (b->multi && b->h)
		curl_multi_remove_handle(b->multi, b->h);
	if (b->h)
		curl_easy_cleanup(b->h);
	if (b->multi)
		curl_multi_cleanup(b->multi);
	bl_buf_fini(&b->errbody);
	free(b->chunk);
	free(b->what);
	free(b);
}

struct dockerd_body *dockerd_body_open(const struct dockerd_api *api, const char *path,
        const char *what, const struct bl_source_opts *opts, struct bl_error *err)
{
	struct dockerd_body *b = bl_calloc(1, sizeof(*b));
	b->api = api;
	b->progress = opts ? opts->progress : NULL;
	b->progress_ud = opts ? opts->progress_ud : NULL;
	b->what = bl_strdup(what);
	bl_buf_init(&b->errbody);
	b->h = new_handle(api, path);
	b->multi = curl_multi_init();
	if (!b->h || !b->multi) {
		bl_fail(err, BL_E_IO, "%s: cannot start a transfer (libcurl)", what);
		dockerd_body_free(b);
		return NULL;
	}
	curl_easy_setopt(b->h, CURLOPT_WRITEFUNCTION, on_body_write);
	curl_easy_setopt(b->h, CURLOPT_WRITEDATA, b);
	curl_multi_add_handle(b->multi, b->h);
	pump(b);
	if (!b->status)
		curl_easy_getinfo(b->h, CURLINFO_RESPONSE_CODE, &b->status);
	bool ok = true;
	if (b->cancelled || (b->done && b->result != CURLE_OK && b->status == 200))
		ok = !dockerd_body_broke(b, err); /* it did break: false */
	else if (b->done && b->result != CURLE_OK && b->status != 200 && b->status != 0)
		ok = dockerd_fail_status(what, path, b->status, &b->errbody, err);
	else if (b->done && b->result != CURLE_OK)
		ok = fail_transport(api, b->h, b->result, what, err);
	else if (b->status != 200)
		ok = dockerd_fail_status(what, path, b->status, &b->errbody, err);
	if (!ok) {
		dockerd_body_free(b);
		return NULL;
	}
	return b;
}

static la_ssize_t body_read(struct archive *a, void *ud, const void **out)
{
	struct dockerd_body *b = ud;
	if (!b->pending) {
		/* libarchive is done with the last chunk: let curl go on. */
		b->chunk_len = 0;
		if (b->paused) {
			b->paused = false;
			curl_easy_pause(b->h, CURLPAUSE_CONT);
		}
		pump(b);
	}
	if (b->pending) {
		b->pending = false;
		*out = b->chunk;
		return (la_ssize_t)b->chunk_len;
	}
	if (b->result != CURLE_OK) {
		archive_set_error(a, EIO, "the transfer broke: %s", curl_easy_strerror(b->result));
		return -1;
	}
	return 0;
}

struct archive *dockerd_body_archive(struct dockerd_body *b, struct bl_error *err)
{
	b->a = bl_tarix_reader();
	if (archive_read_open(b->a, b, NULL, body_read, NULL) != ARCHIVE_OK) {
		if (!dockerd_body_broke(b, err)) {
			char *why = bl_tarix_why(b->a);
			bl_fail(err, BL_E_FORMAT, "%s: the saved image is not a readable tar: %s",
			        b->what, why);
			free(why);
		}
		return NULL;
	}
	return b->a;
}

bool dockerd_body_broke(struct dockerd_body *b, struct bl_error *err)
{
	if (!b->done || b->result == CURLE_OK)
		return false;
	const char *why = curl_easy_strerror(b->result);
	if (b->cancelled)
		bl_fail(err, BL_E_CANCELLED, "%s: cancelled while reading the saved image",
		        b->what);
	else if (b->result == CURLE_OPERATION_TIMEDOUT)
		bl_fail(err, BL_E_IO, "%s: the daemon sent nothing for %ld s after %llu bytes",
		        b->what, b->api->low_speed_s, (unsigned long long)b->received);
	else
		bl_fail(err, BL_E_IO,
		        "%s: the daemon stopped sending the saved image after %llu bytes (%s): "
		        "was it stopped or restarted?",
		        b->what, (unsigned long long)b->received, why);
	return true;
}
