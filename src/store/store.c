/* bl_store_open (what an argument names) and the verifying front of every store. */
#include <errno.h>
#include <fcntl.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "bakelens/mem.h"
#include "bakelens/ref.h"
#include "bakelens/registry.h"
#include "bakelens/text.h"
#include "internal.h"

void bl_store_root_free(void *p)
{
	struct bl_store_root *r = p;
	if (!r)
		return;
	free(r->name);
	free(r->note);
	bl_descriptor_fini(&r->desc);
	free(r);
}

void bl_store_base_init(struct bl_store *s, const struct bl_store_ops *ops, const char *source,
	const char *describe)
{
	s->ops = ops;
	s->source = bl_strdup(source ? source : "");
	s->ref = NULL;
	s->describe = bl_strdup(describe ? describe : "");
}

void bl_store_short(const struct bl_digest *d, char *out, size_t outlen)
{
	if (!bl_digest_is_set(d)) {
		snprintf(out, outlen, "(no digest)");
		return;
	}
	char s[32];
	bl_digest_short(d, s, sizeof(s));
	snprintf(out, outlen, "%s\xe2\x80\xa6", s);
}

void bl_store_free(struct bl_store *s)
{
	if (!s)
		return;
	free(s->source);
	free(s->ref);
	free(s->describe);
	s->source = s->ref = s->describe = NULL;
	s->ops->destroy(s);
}

/* Does the start of the file look like JSON (after whitespace and a UTF-8 BOM)? */
static bool looks_like_json(const unsigned char *p, size_t n)
{
	size_t i = 0;
	if (n >= 3 && p[0] == 0xef && p[1] == 0xbb && p[2] == 0xbf)
		i = 3;
	while (i < n && (p[i] == ' ' || p[i] == '\t' || p[i] == '\r' || p[i] == '\n'))
		i++;
	return i < n && (p[i] == '{' || p[i] == '[');
}

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
			bl_fail(err, BL_E_FORMAT, "%s: is a directory, expected an image tar", safe);
			goto done;
		}
		if (!is_layout_dir(path)) {
			bl_fail(err, BL_E_FORMAT,
				"%s: not an OCI image layout (no oci-layout or index.json file)", safe);
			goto done;
		}
		ok = bl_store_ocidir_open(path, out, err);
		goto done;
	}
	if (want == 'd') {
		bl_fail(err, BL_E_FORMAT, "%s: not a directory, expected an OCI layout directory", safe);
		goto done;
	}
	if (!S_ISREG(st.st_mode)) {
		/* A pipe or device (process substitution, /dev/stdin): read it once. */
		int fd = open(path, O_RDONLY | O_CLOEXEC);
		if (fd < 0) {
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
		if (looks_like_json(head, (size_t)n)) {
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
	static const char *const exts[] = {".tar", ".json", ".gz", ".tgz", ".xz", ".zst",
		".zstd", ".bz2", ".dockerbuild"};
	for (size_t i = 0; i < sizeof exts / sizeof exts[0]; i++)
		if (has_suffix(arg, exts[i]))
			return true;
	return false;
}

bool bl_store_open(const char *arg, const struct bl_source_opts *opts,
	struct bl_store **out, struct bl_error *err)
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

/* Does root `r` match the selector `ref`? */
static bool root_matches(const struct bl_store_root *r, const char *ref)
{
	if (bl_digest_is_valid(ref))
		return strcmp(r->desc.digest.str, ref) == 0;
	if (!r->name)
		return false;
	if (strcmp(r->name, ref) == 0)
		return true;
	const char *colon = strrchr(r->name, ':');
	if (colon && !strchr(colon, '/') && strcmp(colon + 1, ref) == 0)
		return true;
	/* Both full references: compare them normalised, so "example/img:1"
	 * selects "docker.io/example/img:1" (skopeo writes the long form). */
	bool match = false;
	struct bl_ref a, b;
	if (strchr(ref, '/') || strchr(r->name, '/')) {
		if (bl_ref_parse(ref, &a, NULL)) {
			if (bl_ref_parse(r->name, &b, NULL)) {
				char *fa = bl_ref_format(&a), *fb = bl_ref_format(&b);
				match = strcmp(fa, fb) == 0;
				free(fa);
				free(fb);
				bl_ref_fini(&b);
			}
			bl_ref_fini(&a);
		}
	}
	return match;
}

bool bl_store_roots(struct bl_store *s, struct bl_vec *roots, struct bl_error *err)
{
	struct bl_vec all;
	bl_vec_init(&all, NULL);
	if (!s->ops->list_roots(s, &all, err)) {
		for (size_t i = 0; i < all.len; i++)
			bl_store_root_free(all.items[i]);
		bl_vec_fini(&all);
		return false;
	}
	size_t kept = 0;
	for (size_t i = 0; i < all.len; i++) {
		struct bl_store_root *r = all.items[i];
		if (!s->ref || root_matches(r, s->ref)) {
			bl_vec_push(roots, r);
			kept++;
		} else {
			bl_store_root_free(r);
		}
	}
	size_t total = all.len;
	bl_vec_fini(&all);
	if (s->ref && kept == 0) {
		char *safe = bl_text_safe(s->ref);
		char *src = bl_text_safe(s->source);
		bl_fail(err, BL_E_NOT_FOUND, "%s: no image named \"%s\" (%zu image%s in the store)",
			src, safe, total, total == 1 ? "" : "s");
		free(safe);
		free(src);
		return false;
	}
	return true;
}

enum bl_blob_state bl_store_stat(struct bl_store *s, const struct bl_digest *d, int64_t *size)
{
	int64_t dummy;
	if (!size)
		size = &dummy;
	*size = -1;
	if (!bl_digest_is_set(d))
		return BL_BLOB_MISSING;
	return s->ops->stat_blob(s, d, size);
}

static bool check_desc(const struct bl_descriptor *desc, struct bl_error *err)
{
	if (!bl_digest_is_set(&desc->digest))
		return bl_fail(err, BL_E_FORMAT, "descriptor has no valid digest");
	return true;
}

bool bl_store_read_blob(struct bl_store *s, const struct bl_descriptor *desc, size_t max,
	struct bl_buf *out, struct bl_error *err)
{
	char sh[40];
	if (!check_desc(desc, err))
		return false;
	bl_store_short(&desc->digest, sh, sizeof(sh));
	if (desc->size >= 0 && (uint64_t)desc->size > max)
		return bl_fail(err, BL_E_TOO_BIG, "blob %s: %lld bytes, over the %zu-byte cap", sh,
			(long long)desc->size, max);
	/* Read one byte more than the descriptor says, so a longer blob is seen
	 * as a size mismatch rather than as "too big". */
	size_t cap = max;
	if (desc->size >= 0 && (uint64_t)desc->size < max)
		cap = (size_t)desc->size + 1;
	struct bl_buf tmp;
	bl_buf_init(&tmp);
	if (!s->ops->read_raw(s, &desc->digest, cap, &tmp, err)) {
		bl_buf_fini(&tmp);
		if (err && err->code == BL_E_TOO_BIG && cap < max) {
			int64_t have = -1;
			s->ops->stat_blob(s, &desc->digest, &have);
			if (have >= 0 && (uint64_t)have <= max)
				return bl_fail(err, BL_E_DIGEST, "blob %s: size %lld, descriptor says %lld",
					sh, (long long)have, (long long)desc->size);
			if (have < 0)
				return bl_fail(err, BL_E_DIGEST,
					"blob %s: larger than the %lld bytes the descriptor says", sh,
					(long long)desc->size);
			return bl_fail(err, BL_E_TOO_BIG, "blob %s: %lld bytes, over the %zu-byte cap",
				sh, (long long)have, max);
		}
		return false;
	}
	if (desc->size >= 0 && (int64_t)tmp.len != desc->size) {
		bl_fail(err, BL_E_DIGEST, "blob %s: size %zu, descriptor says %lld", sh, tmp.len,
			(long long)desc->size);
		bl_buf_fini(&tmp);
		return false;
	}
	struct bl_digest have;
	bl_digest_compute(desc->digest.alg, tmp.data ? tmp.data : "", tmp.len, &have);
	if (!bl_digest_equal(&have, &desc->digest)) {
		bl_fail(err, BL_E_DIGEST, "blob %s: content hashes to %s", sh, have.str);
		bl_buf_fini(&tmp);
		return false;
	}
	bl_buf_append(out, tmp.data ? tmp.data : "", tmp.len);
	bl_buf_fini(&tmp);
	return true;
}

bool bl_store_open_blob(struct bl_store *s, const struct bl_descriptor *desc,
	struct bl_stream **out, struct bl_error *err)
{
	*out = NULL;
	if (!check_desc(desc, err))
		return false;
	struct bl_stream *raw = NULL;
	if (!s->ops->open_raw(s, &desc->digest, &raw, err))
		return false;
	*out = bl_stream_verify_take(raw, desc);
	return true;
}
