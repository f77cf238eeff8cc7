/* gRPC calls over HTTP/2 with prior knowledge (h2c), through libcurl: on a
 * unix socket, or over the stdin and stdout of a command (`docker exec -i
 * ... buildctl dial-stdio`, socat), given to libcurl as an already connected
 * socket. One curl multi handle per connection keeps the HTTP/2 connection
 * between calls and multiplexes a stream that is being read with the calls
 * made meanwhile. Status comes from the headers or trailers (grpc-status,
 * grpc-message), which libcurl hands to the header callback. */
#define _GNU_SOURCE /* accept4, struct ucred (SO_PEERCRED) */
#include <curl/curl.h>
#include <errno.h>
#include <fcntl.h>
#include <grp.h>
#include <pwd.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/un.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "bakelens/mem.h"
#include "bakelens/text.h"
#include "grpc_internal.h"

/* Children of the connect command alive at once, one per open connection. */
enum { MAX_CHILDREN = 16 };

struct child {
	int fd;    /* libcurl's socket */
	pid_t pid; /* 0 until its connection is accepted, -1 once reaped */
};

struct bl_grpc_conn {
	char *socket, *cmd, *ns, *daemon;
	char *name; /* for messages, escaped */
	long connect_timeout_ms, low_speed_time_s;
	bl_progress_fn progress;
	void *progress_ud;
	CURLM *multi;
	struct curl_slist *headers;
	struct child children[MAX_CHILDREN];
	int nchildren;
	int last_status; /* wait status of the last child reaped; -1 none since asked */
	FILE *child_err; /* the commands' stderr, quoted when one exits */
	bool reuse;      /* libcurl keeps h2c connections correctly (8.0 and later) */
	int listener;    /* the connect command's listening socket, -1 */
	char *bridge_dir, *bridge_path;
};

struct bl_grpc_call {
	struct bl_grpc_conn *conn;
	CURL *easy;
	struct bl_grpc_reader reader;
	struct bl_grpc_status status;
	bl_grpc_msg_fn fn;
	void *ud;
	size_t delivered; /* messages given to fn */
	bool failed;      /* fn or the reader failed: err_cb says why */
	struct bl_error err_cb;
	bool pause_wanted, paused;
	bool cancelled; /* the progress callback said stop */
	bool done;
	char *what; /* "containerd at SOCK: Read", for the progress callback */
	CURLcode result;
	char curl_err[CURL_ERROR_SIZE];
};

static void global_init(void)
{
	static bool done;
	if (!done) {
		curl_global_init(CURL_GLOBAL_DEFAULT);
		done = true;
	}
}

struct bl_grpc_conn *bl_grpc_conn_new(const struct bl_grpc_target *t)
{
	global_init();
	struct bl_grpc_conn *c = bl_calloc(1, sizeof *c);
	c->socket = t->socket ? bl_strdup(t->socket) : NULL;
	c->cmd = t->connect_cmd ? bl_strdup(t->connect_cmd) : NULL;
	c->ns = t->ns ? bl_strdup(t->ns) : NULL;
	c->daemon = bl_strdup(t->daemon ? t->daemon : "daemon");
	c->connect_timeout_ms = t->connect_timeout_ms > 0 ? t->connect_timeout_ms : 10000;
	c->low_speed_time_s = t->low_speed_time_s > 0 ? t->low_speed_time_s : 30;
	c->progress = t->progress;
	c->progress_ud = t->progress_ud;
	char *where = bl_text_safe(c->cmd ? c->cmd : c->socket ? c->socket : "");
	c->name = c->cmd ? bl_asprintf("%s through `%s`", c->daemon, where)
	                 : bl_asprintf("%s at %s", c->daemon, where);
	free(where);
	c->last_status = -1;
	c->listener = -1;
	/* libcurl before 8.0 breaks a prior-knowledge HTTP/2 connection that it
	 * reuses (the second request on it fails with CURLE_HTTP2): there,
	 * every call gets a connection of its own. */
	c->reuse = curl_version_info(CURLVERSION_NOW)->version_num >= 0x080000;
	c->multi = curl_multi_init();
	c->headers = curl_slist_append(NULL, "content-type: application/grpc");
	c->headers = curl_slist_append(c->headers, "te: trailers");
	c->headers = curl_slist_append(c->headers, "user-agent: bakelens/" BL_VERSION);
	c->headers = curl_slist_append(c->headers, "Expect:");
	if (c->ns) {
		char *h = bl_asprintf("containerd-namespace: %s", c->ns);
		c->headers = curl_slist_append(c->headers, h);
		free(h);
	}
	return c;
}

const char *bl_grpc_conn_name(const struct bl_grpc_conn *c)
{
	return c->name;
}

static void sleep_ms(long ms)
{
	struct timespec ts = {ms / 1000, (ms % 1000) * 1000000L};
	while (nanosleep(&ts, &ts) != 0 && errno == EINTR)
		;
}

/* A child that does not stop when its stdin closes gets SIGTERM after a
 * grace, then SIGKILL: bakelens never leaves one behind. */
static int reap(pid_t pid)
{
	int st = -1;
	for (int i = 0; i < 40; i++) {
		pid_t r = waitpid(pid, &st, WNOHANG);
		if (r == pid)
			return st;
		if (r < 0 && errno != EINTR)
			return -1;
		if (i == 20)
			kill(pid, SIGTERM);
		sleep_ms(50);
	}
	kill(pid, SIGKILL);
	while (waitpid(pid, &st, 0) < 0 && errno == EINTR)
		;
	return st;
}

void bl_grpc_conn_free(struct bl_grpc_conn *c)
{
	if (!c)
		return;
	curl_multi_cleanup(c->multi); /* closes the sockets: close_command reaps */
	curl_slist_free_all(c->headers);
	for (int i = 0; i < c->nchildren; i++) {
		close(c->children[i].fd);
		if (c->children[i].pid > 0)
			reap(c->children[i].pid);
	}
	if (c->child_err)
		fclose(c->child_err);
	if (c->listener >= 0)
		close(c->listener);
	if (c->bridge_path)
		unlink(c->bridge_path);
	if (c->bridge_dir)
		rmdir(c->bridge_dir);
	free(c->bridge_path);
	free(c->bridge_dir);
	free(c->socket);
	free(c->cmd);
	free(c->ns);
	free(c->daemon);
	free(c->name);
	free(c);
}

/* ---- the connect command ----
 *
 * libcurl 7.88 ignores CURL_SOCKOPT_ALREADY_CONNECTED and calls connect()
 * on a socket handed to it, so it cannot be given one end of a socket pair.
 * Instead it connects to a listening socket of our own, in a directory only
 * this user can enter; each connection accepted there becomes the stdin and
 * stdout of one run of the command, and libcurl's bytes go straight to it. */

/* The listening socket, made at the first connection. */
static bool bridge_listen(struct bl_grpc_conn *c)
{
	if (c->listener >= 0)
		return true;
	const char *tmp = getenv("TMPDIR");
	if (!tmp || !*tmp || strlen(tmp) > 60)
		tmp = "/tmp";
	c->bridge_dir = bl_asprintf("%s/bakelens-XXXXXX", tmp);
	if (!mkdtemp(c->bridge_dir)) {
		free(c->bridge_dir);
		c->bridge_dir = NULL;
		return false;
	}
	c->bridge_path = bl_asprintf("%s/s", c->bridge_dir);
	struct sockaddr_un sa = {.sun_family = AF_UNIX};
	snprintf(sa.sun_path, sizeof sa.sun_path, "%s", c->bridge_path);
	int l = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC | SOCK_NONBLOCK, 0);
	if (l < 0)
		return false;
	if (bind(l, (struct sockaddr *)&sa, sizeof sa) != 0 || listen(l, MAX_CHILDREN) != 0) {
		close(l);
		return false;
	}
	c->listener = l;
	return true;
}

/* libcurl's socket for a new connection, to be connected to the listener
 * (CURLOPT_UNIX_SOCKET_PATH is the listener's path). */
static curl_socket_t open_bridge(void *ud, curlsocktype purpose, struct curl_sockaddr *addr)
{
	struct bl_grpc_conn *c = ud;
	(void)purpose;
	if (c->nchildren == MAX_CHILDREN || addr->family != AF_UNIX)
		return CURL_SOCKET_BAD;
	int fd = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0);
	if (fd >= 0)
		c->children[c->nchildren++] = (struct child){fd, 0};
	return fd;
}

/* Start the command on each connection libcurl made to the listener (they
 * are accepted in the order they were opened). Only connections from this
 * process are taken. */
static void bridge_accept(struct bl_grpc_conn *c)
{
	if (c->listener < 0)
		return;
	for (;;) {
		int a = accept4(c->listener, NULL, NULL, SOCK_CLOEXEC);
		if (a < 0)
			return;
		struct ucred cred;
		socklen_t cl = sizeof cred;
		struct child *ch = NULL;
		for (int i = 0; i < c->nchildren && !ch; i++)
			if (c->children[i].pid == 0)
				ch = &c->children[i];
		if (!ch || getsockopt(a, SOL_SOCKET, SO_PEERCRED, &cred, &cl) != 0 ||
		        cred.pid != getpid()) {
			close(a);
			continue;
		}
		if (!c->child_err)
			c->child_err = tmpfile();
		fflush(NULL);
		pid_t pid = fork();
		if (pid == 0) {
			/* The child: only async-signal-safe calls until exec. */
			if (dup2(a, 0) < 0 || dup2(a, 1) < 0)
				_exit(127);
			if (c->child_err)
				dup2(fileno(c->child_err), 2);
			execl("/bin/sh", "sh", "-c", c->cmd, (char *)NULL);
			_exit(127);
		}
		close(a);
		ch->pid = pid > 0 ? pid : -1;
		c->last_status = -1;
	}
}

/* libcurl is done with a connection: close it, which ends the command's
 * input, and reap the command by its pid. */
static int close_bridge(void *ud, curl_socket_t fd)
{
	struct bl_grpc_conn *c = ud;
	close(fd);
	for (int i = 0; i < c->nchildren; i++) {
		if (c->children[i].fd != fd)
			continue;
		if (c->children[i].pid > 0)
			c->last_status = reap(c->children[i].pid);
		c->children[i] = c->children[--c->nchildren];
		break;
	}
	return 0;
}

/* The last line the connect command wrote on stderr, escaped; NULL. */
static char *child_last_words(struct bl_grpc_conn *c)
{
	if (!c->child_err)
		return NULL;
	fflush(c->child_err);
	char buf[512];
	long end = (fseek(c->child_err, 0, SEEK_END), ftell(c->child_err));
	long from = end > (long)sizeof buf - 1 ? end - (long)sizeof buf + 1 : 0;
	if (end <= 0 || fseek(c->child_err, from, SEEK_SET) != 0)
		return NULL;
	size_t n = fread(buf, 1, sizeof buf - 1, c->child_err);
	buf[n] = '\0';
	while (n > 0 && (buf[n - 1] == '\n' || buf[n - 1] == '\r'))
		buf[--n] = '\0';
	char *line = strrchr(buf, '\n');
	line = line ? line + 1 : buf;
	return *line ? bl_text_safe(line) : NULL;
}

/* A connect command that has exited (still connected, or reaped since the
 * call began), with a failure status unless `any`: true, with err saying
 * how. */
static bool child_exited(struct bl_grpc_conn *c, bool any, struct bl_error *err)
{
	int wst = -1;
	for (int i = 0; i < c->nchildren && wst == -1; i++) {
		pid_t pid = c->children[i].pid;
		if (pid > 0 && waitpid(pid, &wst, WNOHANG) == pid)
			c->children[i].pid = -1; /* reaped: its socket stays libcurl's */
		else
			wst = -1;
	}
	if (wst == -1)
		wst = c->last_status;
	c->last_status = -1;
	if (wst == -1 || (!any && WIFEXITED(wst) && WEXITSTATUS(wst) == 0))
		return false;
	char *words = child_last_words(c);
	char how[64];
	if (WIFEXITED(wst))
		snprintf(how, sizeof how, "exited with status %d", WEXITSTATUS(wst));
	else
		snprintf(how, sizeof how, "was killed by signal %d", WTERMSIG(wst));
	bl_fail(err, BL_E_IO, "%s: the connect command %s%s%s", c->name, how, words ? ": " : "",
	        words ? words : "");
	free(words);
	return true;
}

/* ---- one call ---- */

static bool deliver(void *ud, const uint8_t *msg, size_t len, struct bl_error *err)
{
	struct bl_grpc_call *call = ud;
	call->delivered++;
	return call->fn(call->ud, msg, len, err);
}

static size_t on_body(char *data, size_t size, size_t nmemb, void *ud)
{
	struct bl_grpc_call *call = ud;
	size_t n = size * nmemb;
	if (call->failed)
		return 0;
	if (call->pause_wanted) {
		call->pause_wanted = false;
		call->paused = true;
		return CURL_WRITEFUNC_PAUSE;
	}
	if (!bl_grpc_reader_feed(&call->reader, data, n, deliver, call, &call->err_cb)) {
		call->failed = true;
		return 0;
	}
	return n;
}

static size_t on_header(char *line, size_t size, size_t nmemb, void *ud)
{
	struct bl_grpc_call *call = ud;
	bl_grpc_status_header(&call->status, line, size * nmemb);
	return size * nmemb;
}

static int on_progress(
        void *ud, curl_off_t dltotal, curl_off_t dlnow, curl_off_t ultotal, curl_off_t ulnow)
{
	struct bl_grpc_call *call = ud;
	(void)dltotal;
	(void)ultotal;
	(void)ulnow;
	struct bl_grpc_conn *c = call->conn;
	if (!c->progress(c->progress_ud, call->what, (uint64_t)dlnow, 0)) {
		call->cancelled = true;
		return 1;
	}
	return 0;
}

struct bl_grpc_call *bl_grpc_call_start(struct bl_grpc_conn *c, const char *path, const void *req,
        size_t len, bl_grpc_msg_fn fn, void *ud)
{
	struct bl_grpc_call *call = bl_calloc(1, sizeof *call);
	call->conn = c;
	call->fn = fn;
	call->ud = ud;
	bl_grpc_reader_init(&call->reader, BL_GRPC_MSG_MAX);
	bl_grpc_status_init(&call->status);
	bl_error_clear(&call->err_cb);
	struct bl_buf body;
	bl_buf_init(&body);
	bl_grpc_frame(&body, req, len);
	char *url = bl_asprintf("http://localhost%s", path);
	CURL *e = call->easy = curl_easy_init();
	curl_easy_setopt(e, CURLOPT_URL, url);
	curl_easy_setopt(e, CURLOPT_HTTP_VERSION, (long)CURL_HTTP_VERSION_2_PRIOR_KNOWLEDGE);
	curl_easy_setopt(e, CURLOPT_POSTFIELDSIZE, (long)body.len);
	curl_easy_setopt(e, CURLOPT_COPYPOSTFIELDS, body.data);
	curl_easy_setopt(e, CURLOPT_HTTPHEADER, c->headers);
	curl_easy_setopt(e, CURLOPT_WRITEFUNCTION, on_body);
	curl_easy_setopt(e, CURLOPT_WRITEDATA, call);
	curl_easy_setopt(e, CURLOPT_HEADERFUNCTION, on_header);
	curl_easy_setopt(e, CURLOPT_HEADERDATA, call);
	curl_easy_setopt(e, CURLOPT_PRIVATE, call);
	curl_easy_setopt(e, CURLOPT_ERRORBUFFER, call->curl_err);
	curl_easy_setopt(e, CURLOPT_NOSIGNAL, 1L);
	curl_easy_setopt(e, CURLOPT_PIPEWAIT, 1L);
	if (!c->reuse)
		curl_easy_setopt(e, CURLOPT_FORBID_REUSE, 1L);
	curl_easy_setopt(e, CURLOPT_CONNECTTIMEOUT_MS, c->connect_timeout_ms);
	curl_easy_setopt(e, CURLOPT_LOW_SPEED_LIMIT, 1L);
	curl_easy_setopt(e, CURLOPT_LOW_SPEED_TIME, c->low_speed_time_s);
	curl_easy_setopt(e, CURLOPT_PROTOCOLS_STR, "http");
	if (c->progress) {
		const char *method = strrchr(path, '/');
		call->what = bl_asprintf("%s: %s", c->name, method ? method + 1 : path);
		curl_easy_setopt(e, CURLOPT_XFERINFOFUNCTION, on_progress);
		curl_easy_setopt(e, CURLOPT_XFERINFODATA, call);
		curl_easy_setopt(e, CURLOPT_NOPROGRESS, 0L);
	}
	if (c->cmd && bridge_listen(c)) {
		curl_easy_setopt(e, CURLOPT_UNIX_SOCKET_PATH, c->bridge_path);
		curl_easy_setopt(e, CURLOPT_OPENSOCKETFUNCTION, open_bridge);
		curl_easy_setopt(e, CURLOPT_OPENSOCKETDATA, c);
		curl_easy_setopt(e, CURLOPT_CLOSESOCKETFUNCTION, close_bridge);
		curl_easy_setopt(e, CURLOPT_CLOSESOCKETDATA, c);
	} else if (c->cmd) {
		call->failed = true;
		bl_fail(&call->err_cb, BL_E_IO, "cannot make a socket for the connect command: %s",
		        strerror(errno));
		curl_easy_setopt(e, CURLOPT_UNIX_SOCKET_PATH, "/nonexistent");
	} else {
		curl_easy_setopt(e, CURLOPT_UNIX_SOCKET_PATH, c->socket);
	}
	curl_multi_add_handle(c->multi, e);
	free(url);
	bl_buf_fini(&body);
	return call;
}

void bl_grpc_call_pause(struct bl_grpc_call *call)
{
	call->pause_wanted = true;
}

void bl_grpc_call_free(struct bl_grpc_call *call)
{
	if (!call)
		return;
	curl_multi_remove_handle(call->conn->multi, call->easy);
	curl_easy_cleanup(call->easy);
	bl_grpc_reader_fini(&call->reader);
	bl_grpc_status_fini(&call->status);
	free(call->what);
	free(call);
}

/* Why a unix socket could not be connected to, in words a user acts on. */
static void fail_connect(struct bl_grpc_call *call, struct bl_error *err)
{
	struct bl_grpc_conn *c = call->conn;
	long os = 0;
	curl_easy_getinfo(call->easy, CURLINFO_OS_ERRNO, &os);
	struct stat st;
	if (c->cmd) {
		if (!child_exited(c, true, err))
			bl_fail(err, BL_E_IO, "%s: cannot start the connect command: %s", c->name,
			        call->curl_err);
		return;
	}
	if (stat(c->socket, &st) != 0 && errno == EACCES) {
		bl_fail(err, BL_E_AUTH,
		        "%s: permission denied on a directory above the socket; use sudo", c->name);
	} else if (stat(c->socket, &st) != 0) {
		bl_fail(err, BL_E_IO,
		        "%s: no such socket: is %s running? (give its socket with "
		        "--containerd-address)",
		        c->name, c->daemon);
	} else if (os == EACCES || access(c->socket, R_OK | W_OK) != 0) {
		struct group *g = getgrgid(st.st_gid);
		struct passwd *p;
		if (g && st.st_gid != 0 && (st.st_mode & S_IWGRP))
			bl_fail(err, BL_E_AUTH,
			        "%s: permission denied: the socket belongs to group %s; join that "
			        "group or use sudo",
			        c->name, g->gr_name);
		else if ((p = getpwuid(st.st_uid)))
			bl_fail(err, BL_E_AUTH,
			        "%s: permission denied: only %s may open the socket; use sudo",
			        c->name, p->pw_name);
		else
			bl_fail(err, BL_E_AUTH, "%s: permission denied; use sudo", c->name);
	} else if (!S_ISSOCK(st.st_mode)) {
		bl_fail(err, BL_E_IO, "%s: not a socket", c->name);
	} else {
		bl_fail(err, BL_E_IO,
		        "%s: connection refused: %s is not running (its socket is left "
		        "behind)",
		        c->name, c->daemon);
	}
}

/* The call has ended (libcurl's result in call->result): OK, or err. */
static bool finish(struct bl_grpc_call *call, int *code, struct bl_error *err)
{
	struct bl_grpc_conn *c = call->conn;
	struct bl_grpc_status *st = &call->status;
	if (code)
		*code = st->code;
	if (call->failed) {
		if (err)
			*err = call->err_cb;
		bl_error_prefix(err, "%s", c->name);
		return false;
	}
	if (call->cancelled)
		return bl_fail(err, BL_E_CANCELLED, "%s: cancelled", c->name);
	if (call->result == CURLE_COULDNT_CONNECT) {
		fail_connect(call, err);
		return false;
	}
	if (call->result != CURLE_OK) {
		const char *why = call->curl_err[0] ? call->curl_err : "the connection closed";
		/* Nothing HTTP/2 came back: a command that failed says so;
		 * otherwise the other end speaks another protocol (invalid, as
		 * any input), unless it said nothing in time. */
		if (st->http == 0 && c->cmd && child_exited(c, false, err))
			return false;
		if (st->http == 0 && call->result == CURLE_OPERATION_TIMEDOUT)
			return bl_fail(err, BL_E_IO, "%s: no answer: %s", c->name, why);
		if (st->http == 0)
			return bl_fail(err, BL_E_FORMAT,
			        "%s: no HTTP/2 answer (not a gRPC server?): %s", c->name, why);
		if (c->cmd && child_exited(c, true, err))
			return false;
		return bl_fail(
		        err, BL_E_IO, "%s: %s stopped mid-answer: %s", c->name, c->daemon, why);
	}
	if (st->http != 200 || !st->content_grpc)
		return bl_fail(err, BL_E_FORMAT, "%s: not a gRPC answer (HTTP status %d%s)",
		        c->name, st->http, st->content_grpc ? "" : ", not application/grpc");
	if (st->code < 0) {
		if (c->cmd && child_exited(c, true, err))
			return false;
		return bl_fail(err, BL_E_IO,
		        "%s: the answer ended without a gRPC status: %s stopped mid-answer",
		        c->name, c->daemon);
	}
	if (st->code != BL_GRPC_OK) {
		enum bl_status cls = st->code == BL_GRPC_NOT_FOUND ? BL_E_NOT_FOUND
		                     : st->code == BL_GRPC_PERMISSION_DENIED ||
		                                     st->code == BL_GRPC_UNAUTHENTICATED
		                             ? BL_E_AUTH
		                             : BL_E_IO;
		return bl_fail(err, cls, "%s: %s%s%s", c->name, bl_grpc_code_name(st->code),
		        st->message ? ": " : "", st->message ? st->message : "");
	}
	if (!bl_grpc_reader_idle(&call->reader))
		return bl_fail(err, BL_E_FORMAT,
		        "%s: the answer ended inside a gRPC message (%zu of %lu bytes)", c->name,
		        call->reader.msg.len, (unsigned long)call->reader.want);
	return true;
}

/* Mark the calls libcurl says have ended. */
static void collect(struct bl_grpc_conn *c)
{
	CURLMsg *m;
	int left;
	while ((m = curl_multi_info_read(c->multi, &left))) {
		if (m->msg != CURLMSG_DONE)
			continue;
		struct bl_grpc_call *other = NULL;
		curl_easy_getinfo(m->easy_handle, CURLINFO_PRIVATE, (char **)&other);
		if (other) {
			other->done = true;
			other->result = m->data.result;
		}
	}
}

int bl_grpc_call_step(struct bl_grpc_call *call, int *code, struct bl_error *err)
{
	struct bl_grpc_conn *c = call->conn;
	size_t before = call->delivered;
	if (call->paused) {
		call->paused = false;
		curl_easy_pause(call->easy, CURLPAUSE_CONT);
	}
	for (;;) {
		if (call->delivered > before)
			return 1;
		if (call->done)
			return finish(call, code, err) ? 0 : -1;
		int running;
		CURLMcode mc = curl_multi_perform(c->multi, &running);
		if (mc != CURLM_OK)
			return bl_fail(err, BL_E_IO, "%s: %s", c->name, curl_multi_strerror(mc)),
			       -1;
		bridge_accept(c);
		collect(c);
		if (call->delivered > before || call->done || call->failed)
			continue;
		if (call->paused) /* fn asked to hold the rest: the caller takes what came */
			return 1;
		struct curl_waitfd w = {.fd = c->listener, .events = CURL_WAIT_POLLIN};
		curl_multi_poll(
		        c->multi, c->listener >= 0 ? &w : NULL, c->listener >= 0, 1000, NULL);
	}
}

struct one {
	struct bl_buf *out;
	size_t n;
};

static bool keep_one(void *ud, const uint8_t *msg, size_t len, struct bl_error *err)
{
	struct one *o = ud;
	if (o->n++ > 0)
		return bl_fail(err, BL_E_FORMAT, "more than one message in a unary answer");
	bl_buf_append(o->out, msg, len);
	return true;
}

bool bl_grpc_unary(struct bl_grpc_conn *c, const char *path, const void *req, size_t len,
        struct bl_buf *out, int *code, struct bl_error *err)
{
	struct one o = {out, 0};
	bl_buf_clear(out);
	struct bl_grpc_call *call = bl_grpc_call_start(c, path, req, len, keep_one, &o);
	int r;
	while ((r = bl_grpc_call_step(call, code, err)) > 0)
		;
	bl_grpc_call_free(call);
	if (r == 0 && o.n != 1)
		return bl_fail(
		        err, BL_E_FORMAT, "%s: no message in the answer to %s", c->name, path);
	return r == 0;
}
