/* bl_store_open: the one place that decides what an argument names (a layout
 * directory, a content store directory, an image tar, standard input, a
 * registry reference, a containerd or BuildKit daemon) and hands it to that store's constructor. */
#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "bakelens/dockerd.h"
#include "bakelens/json.h"
#include "bakelens/mem.h"
#include "bakelens/ref.h"
#include "bakelens/registry.h"
#include "bakelens/text.h"
#include "internal.h"

static bool path_exists(const char *p)
{
	struct stat st;
	return lstat(p, &st) == 0;
}

static bool is_layout_dir(const char *dir)
{
	char *a = bl_asprintf("%s/oci-layout", dir);
	char *b = bl_asprintf("%s/index.json", dir);
	bool ok = path_exists(a) || path_exists(b);
	free(a);
	free(b);
	return ok;
}

/* How often a FIFO without a writer yet asks the progress callback whether
 * to go on waiting: the longest a cancel waits. */
enum { FIFO_TICK_MS = 50 };

/* A FIFO for reading, once its writer has opened it and written (or closed
 * it again), in blocking mode; -1 with err set on failure. A plain open()
 * would wait for the writer inside the kernel, where no cancel reaches it:
 * this opens without blocking and waits in poll() slices, reporting
 * "waiting for a writer" to opts->progress between them; its false cancels
 * (BL_E_CANCELLED). Without a progress callback it waits as long as cat
 * does. Linux reports no hang-up on a FIFO that never had a writer, so
 * poll() sleeps until one comes. */
static int open_fifo(
        const char *path, const char *safe, const struct bl_source_opts *opts, struct bl_error *err)
{
	int fd = open(path, O_RDONLY | O_NONBLOCK | O_CLOEXEC);
	if (fd < 0) {
		bl_fail_errno(err, BL_E_IO, "%s", safe);
		return -1;
	}
	bl_progress_fn progress = opts ? opts->progress : NULL;
	char *what = bl_asprintf("%s: waiting for a writer", safe);
	bool ok = true;
	for (;;) {
		struct pollfd p = {.fd = fd, .events = POLLIN};
		int r = poll(&p, 1, progress ? FIFO_TICK_MS : -1);
		if (r > 0)
			break; /* data, or a writer came and went (read then sees the end) */
		if (r < 0 && errno != EINTR) {
			ok = bl_fail_errno(err, BL_E_IO, "%s", safe);
			break;
		}
		if (progress && !progress(opts->progress_ud, what, 0, 0)) {
			ok = bl_fail(err, BL_E_CANCELLED,
			        "%s: cancelled while waiting for a writer", safe);
			break;
		}
	}
	free(what);
	int fl = ok ? fcntl(fd, F_GETFL) : -1;
	if (ok && (fl < 0 || fcntl(fd, F_SETFL, fl & ~O_NONBLOCK) < 0))
		ok = bl_fail_errno(err, BL_E_IO, "%s", safe);
	if (!ok) {
		close(fd);
		return -1;
	}
	return fd;
}

/* Open a plain path (no transport prefix). `want`: 0 any, 'd' a layout, 't' a tar. */
static bool open_path(const char *path, const char *shown, int want,
        const struct bl_source_opts *opts, struct bl_store **out, struct bl_error *err)
{
	char *safe = bl_text_safe(shown);
	struct stat st;
	bool ok = false;
	if (stat(path, &st) != 0) {
		if (errno == ENOENT || errno == ENOTDIR)
			bl_fail(err, BL_E_IO, "%s: no such file or directory", safe);
		else
			bl_fail_errno(err, BL_E_IO, "%s", safe);
		goto done;
	}
	if (S_ISDIR(st.st_mode)) {
		if (want == 't') {
			bl_fail(err, BL_E_FORMAT, "%s: is a directory, expected an image tar",
			        safe);
			goto done;
		}
		if (!is_layout_dir(path)) {
			/* Blobs and no index: a builder's content store (or its root). */
			char *store = bl_store_content_find(path);
			bool blobs = store != NULL;
			free(store);
			if (blobs && want == 0) {
				ok = bl_store_content_open(path, NULL, out, err);
				goto done;
			}
			bl_fail(err, BL_E_FORMAT,
			        "%s: not an OCI image layout (no oci-layout or index.json file)%s",
			        safe, blobs ? "; a content store: read it as content:DIR" : "");
			goto done;
		}
		ok = bl_store_ocidir_open(path, out, err);
		goto done;
	}
	if (want == 'd') {
		bl_fail(err, BL_E_FORMAT, "%s: not a directory, expected an OCI layout directory",
		        safe);
		goto done;
	}
	if (!S_ISREG(st.st_mode)) {
		/* A pipe or device (process substitution, /dev/stdin): read it once. */
		int fd = S_ISFIFO(st.st_mode) ? open_fifo(path, safe, opts, err)
		                              : open(path, O_RDONLY | O_CLOEXEC);
		if (fd < 0) {
			if (!S_ISFIFO(st.st_mode))
				bl_fail_errno(err, BL_E_IO, "%s", safe);
			goto done;
		}
		struct bl_source_opts o = opts ? *opts : (struct bl_source_opts){0};
		ok = bl_store_stream_open(fd, shown, &o, out, err);
		close(fd); /* the stream store reads everything while opening */
		goto done;
	}
	if (want == 0) {
		int fd = open(path, O_RDONLY | O_CLOEXEC);
		if (fd < 0) {
			bl_fail_errno(err, BL_E_IO, "%s", safe);
			goto done;
		}
		unsigned char head[64];
		ssize_t n = pread(fd, head, sizeof(head), 0);
		close(fd);
		if (n < 0) {
			bl_fail_errno(err, BL_E_IO, "%s", safe);
			goto done;
		}
		if (bl_json_looks_like(head, (size_t)n)) {
			bl_fail(err, BL_E_FORMAT,
			        "%s: a JSON document, not an image layout or archive", safe);
			goto done;
		}
	}
	ok = bl_store_tar_open(path, opts, out, err);
done:
	free(safe);
	return ok;
}

/* "DIR[:REF]": the whole string when it exists, else split at the first ':'
 * (as skopeo's oci: transport does). */
static void split_ref(const char *rest, char **path, char **ref)
{
	const char *colon = strchr(rest, ':');
	if (!colon || path_exists(rest)) {
		*path = bl_strdup(rest);
		*ref = NULL;
		return;
	}
	*path = bl_strndup(rest, (size_t)(colon - rest));
	*ref = colon[1] ? bl_strdup(colon + 1) : NULL;
}

/* "DIR[@DIGEST]" of a content store; `arg` is the whole argument, for messages. */
static bool open_content(
        const char *rest, const char *arg, struct bl_store **out, struct bl_error *err)
{
	const char *at = strrchr(rest, '@');
	if (!at || path_exists(rest))
		at = rest + strlen(rest);
	char *dir = bl_strndup(rest, (size_t)(at - rest));
	struct bl_digest root;
	bool have_root = *at != '\0', ok = false;
	if (!*dir) {
		char *safe = bl_text_safe(arg);
		bl_fail(err, BL_E_USAGE, "%s: no directory before the digest", safe);
		free(safe);
	} else if (have_root && !bl_digest_parse(at + 1, &root, err)) {
		char *safe = bl_text_safe(arg);
		bl_error_prefix(err, "%s: after '@'", safe);
		free(safe);
	} else {
		ok = bl_store_content_open(dir, have_root ? &root : NULL, out, err);
	}
	free(dir);
	if (ok) {
		free((*out)->source);
		(*out)->source = bl_strdup(arg);
	}
	return ok;
}

/* "DIR@DIGEST" naming a content store directory that exists. */
static bool is_content_at(const char *arg)
{
	const char *at = strrchr(arg, '@');
	if (!at || !bl_digest_is_valid(at + 1))
		return false;
	char *dir = bl_strndup(arg, (size_t)(at - arg));
	char *store = is_layout_dir(dir) ? NULL : bl_store_content_find(dir);
	bool found = store != NULL;
	free(dir);
	free(store);
	return found;
}

static bool has_suffix(const char *s, const char *suffix)
{
	size_t n = strlen(s), m = strlen(suffix);
	return n >= m && strcmp(s + n - m, suffix) == 0;
}

/* A name meant as a file or directory even when nothing is there: opened as
 * a path, so that a typo gives "no such file or directory", not a network
 * request for docker.io/library/<typo>. */
static bool looks_like_path(const char *arg)
{
	if ((arg[0] == '.' || arg[0] == '/' || arg[0] == '~') && strchr(arg, '/'))
		return true;
	if (!strcmp(arg, ".") || !strcmp(arg, ".."))
		return true;
	static const char *const exts[] = {
	        ".tar", ".json", ".gz", ".tgz", ".xz", ".zst", ".zstd", ".bz2", ".dockerbuild"};
	for (size_t i = 0; i < sizeof exts / sizeof exts[0]; i++)
		if (has_suffix(arg, exts[i]))
			return true;
	return false;
}

bool bl_store_open(const char *arg, const struct bl_source_opts *opts, struct bl_store **out,
        struct bl_error *err)
{
	*out = NULL;
	if (!arg || !*arg)
		return bl_fail(err, BL_E_USAGE, "empty source name");
	if (strcmp(arg, "-") == 0) {
		int fd = opts ? opts->stdin_fd : 0;
		return bl_store_stream_open(fd, "-", opts, out, err);
	}
	if (strncmp(arg, "docker://", 9) == 0)
		return bl_store_registry_open(arg, opts, out, err);
	if (strncmp(arg, "containerd:", 11) == 0 || strncmp(arg, "buildkit:", 9) == 0)
		return bl_store_containerd_open(arg, opts, out, err);
	if (strncmp(arg, "docker-daemon:", 14) == 0)
		return bl_store_dockerd_open(arg, opts, out, err);
	if (strncmp(arg, "content:", 8) == 0)
		return open_content(arg + 8, arg, out, err);
	if (!path_exists(arg) && is_content_at(arg))
		return open_content(arg, arg, out, err);
	static const struct {
		const char *prefix;
		int want;
	} transports[] = {
	        {"oci:", 'd'},
	        {"oci-archive:", 't'},
	        {"docker-archive:", 't'},
	};
	for (size_t i = 0; i < sizeof(transports) / sizeof(transports[0]); i++) {
		size_t pl = strlen(transports[i].prefix);
		if (strncmp(arg, transports[i].prefix, pl) != 0)
			continue;
		char *path, *ref;
		split_ref(arg + pl, &path, &ref);
		if (!*path) {
			free(path);
			free(ref);
			char *safe = bl_text_safe(arg);
			bl_fail(err, BL_E_USAGE, "%s: no path after the transport", safe);
			free(safe);
			return false;
		}
		bool ok = open_path(path, path, transports[i].want, opts, out, err);
		free(path);
		if (!ok) {
			free(ref);
			return false;
		}
		free((*out)->source);
		(*out)->source = bl_strdup(arg);
		(*out)->ref = ref;
		return true;
	}
	if (!path_exists(arg) && !looks_like_path(arg) && bl_ref_is_plausible(arg))
		return bl_store_registry_open(arg, opts, out, err);
	if (!open_path(arg, arg, 0, opts, out, err))
		return false;
	return true;
}
