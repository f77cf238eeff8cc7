#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <fcntl.h>

#include "store_helpers.h"
#include "../../src/store/internal.h"

/* Open `rel` from the corpus as "-" through a real pipe (popen "cat"). */
static struct bl_store *open_piped(const char *path, FILE **pipe_out, struct bl_error *err)
{
	char *cmd = bl_asprintf("cat '%s'", path);
	FILE *p = popen(cmd, "r");
	free(cmd);
	assert_non_null(p);
	struct bl_source_opts o = {.stdin_fd = fileno(p)};
	struct bl_store *s = NULL;
	bool ok = bl_store_open("-", &o, &s, err);
	*pipe_out = p;
	return ok ? s : NULL;
}

static const struct {
	const char *path;
	size_t roots;
	int manifests, layers;
} piped[] = {
        {"dive/test-docker-image.tar", 1, 1, 14},
        {"dive/test-kaniko-image.tar", 1, 1, 14},
        {"containers-skopeo/docker-two-images.tar.xz", 2, 2, 1},
        {"actions-toolkit/oci-archive/hello-oci-multiplatform-gzip.tar", 1, 4, 4},
        {"actions-toolkit/dockerbuild/test-docker-action-COIO50.dockerbuild", 1, 1, 2},
        {"go-containerregistry/tarball/hello-world-v25.tar", 1, 1, 1},
        {"go-containerregistry/tarball/test_link.tar", 2, 2, 2},
        {"oras-go/hello-world-prefixed-path.tar", 1, 1, 1},
};

static void test_corpus_tars_read_once_from_a_pipe(void **state)
{
	(void)state;
	char *probe = corpus_path("");
	if (!probe)
		skip();
	free(probe);
	for (size_t i = 0; i < sizeof(piped) / sizeof(piped[0]); i++) {
		char *p = corpus_path(piped[i].path);
		FILE *pp;
		struct bl_error err;
		struct bl_store *s = open_piped(p, &pp, &err);
		pclose(pp);
		if (!s)
			fail_msg("%s: %s", piped[i].path, err.msg);
		assert_string_equal(s->ops->kind, "stdin");
		assert_non_null(strstr(s->describe, "read once"));
		struct walk_counts *w = bl_calloc(1, sizeof(*w));
		size_t n;
		walk_store(s, w, &n);
		/* manifests and configs are kept; tar layers were hashed, not kept
		 * (small JSON layers such as in-toto statements are kept) */
		if (n != piped[i].roots || w->manifests != piped[i].manifests || w->configs < 1 ||
		        w->unsupported + w->layers != piped[i].layers || w->unsupported < 1 ||
		        w->other + w->mismatch != 0)
			fail_msg("%s: roots %zu man %d cfg %d unsupported %d layers %d other %d",
			        piped[i].path, n, w->manifests, w->configs, w->unsupported,
			        w->layers, w->other);
		free(w);
		bl_store_free(s);
		free(p);
	}
}

static void test_stdin_keeps_config_so_diff_ids_are_known_and_layers_verified(void **state)
{
	(void)state;
	char *p = corpus_path("dive/test-docker-image.tar");
	if (!p)
		skip();
	FILE *pp;
	struct bl_error err;
	struct bl_store *s = open_piped(p, &pp, &err);
	pclose(pp);
	assert_non_null(s);
	struct bl_vec roots;
	bl_vec_init(&roots, bl_store_root_free);
	assert_true(bl_store_roots(s, &roots, &err));
	struct bl_store_root *r = roots.items[0];
	assert_string_equal(r->name, "dive-test:latest");
	struct bl_buf b;
	bl_buf_init(&b);
	assert_true(bl_store_read_blob(s, &r->desc, 1 << 20, &b, &err));
	json_t *m = json_loadb(b.data, b.len, 0, NULL);
	bl_buf_clear(&b);
	struct bl_descriptor cd;
	assert_true(bl_descriptor_parse(json_object_get(m, "config"), "config", &cd, &err));
	assert_true(bl_store_read_blob(s, &cd, 1 << 20, &b, &err));
	json_t *c = json_loadb(b.data, b.len, 0, NULL);
	json_t *diff = bl_json_arr(bl_json_obj(c, "rootfs"), "diff_ids");
	assert_int_equal(json_array_size(diff), 14);
	/* every layer was hashed on the way through and matches its diff_id */
	size_t i;
	json_t *l;
	json_array_foreach(json_object_get(m, "layers"), i, l)
	{
		struct bl_digest d;
		assert_true(bl_digest_parse(bl_json_str(l, "digest"), &d, &err));
		assert_string_equal(d.str, json_string_value(json_array_get(diff, i)));
		int64_t size;
		assert_int_equal(bl_store_stat(s, &d, &size), BL_BLOB_VERIFIED);
		assert_true(size > 0);
	}
	/* and cannot be read back */
	struct bl_descriptor ld;
	assert_true(bl_descriptor_parse(
	        json_array_get(json_object_get(m, "layers"), 0), "l", &ld, &err));
	assert_false(bl_store_read_blob(s, &ld, 64u << 20, &b, &err));
	assert_int_equal(err.code, BL_E_UNSUPPORTED);
	assert_non_null(strstr(err.msg, "layer not kept: standard input is read once"));
	struct bl_stream *st;
	assert_false(bl_store_open_blob(s, &ld, &st, &err));
	assert_int_equal(err.code, BL_E_UNSUPPORTED);
	bl_descriptor_fini(&ld);
	bl_descriptor_fini(&cd);
	json_decref(c);
	json_decref(m);
	bl_buf_fini(&b);
	bl_vec_fini(&roots);
	bl_store_free(s);
	free(p);
}

static void test_stdin_blob_states_say_verified_or_mismatch(void **state)
{
	(void)state;
	char *dir = make_tmpdir();
	char *tar = bl_asprintf("%s/x.tar.gz", dir);
	static char good[5u << 20]; /* over the keep cap: hashed, not kept */
	memset(good, 'g', sizeof(good));
	struct bl_digest gd, bd;
	bl_digest_compute(BL_DIGEST_SHA256, good, sizeof(good), &gd);
	bl_digest_compute(BL_DIGEST_SHA256, "expected", 8, &bd);
	char *gname = bl_asprintf("blobs/sha256/%s", bl_digest_hex(&gd));
	char *bname = bl_asprintf("blobs/sha256/%s", bl_digest_hex(&bd));
	const char *idx = "{\"schemaVersion\":2,\"manifests\":[]}";
	struct tar_ent e[] = {
	        {gname, good, sizeof(good), NULL},
	        {bname, "actually", 8, NULL},
	        {"index.json", idx, strlen(idx), NULL},
	};
	assert_true(write_tar(tar, e, 3, 'z')); /* compressed input on stdin */
	int fd = open(tar, O_RDONLY);
	assert_true(fd >= 0);
	struct bl_source_opts o = {.stdin_fd = fd};
	struct bl_store *s = NULL;
	struct bl_error err;
	if (!bl_store_open("-", &o, &s, &err))
		fail_msg("%s", err.msg);
	close(fd);
	int64_t size;
	assert_int_equal(bl_store_stat(s, &gd, &size), BL_BLOB_VERIFIED);
	assert_int_equal(size, (int64_t)sizeof(good));
	assert_int_equal(bl_store_stat(s, &bd, &size), BL_BLOB_MISMATCH);
	struct bl_descriptor d = {.digest = gd, .size = (int64_t)sizeof(good)};
	struct bl_buf b;
	bl_buf_init(&b);
	assert_false(bl_store_read_blob(s, &d, 8u << 20, &b, &err));
	assert_int_equal(err.code, BL_E_UNSUPPORTED);
	bl_buf_fini(&b);
	bl_store_free(s);
	free(gname);
	free(bname);
	free(tar);
	rm_tree(dir);
}

static void test_empty_or_garbage_stdin_is_a_format_error(void **state)
{
	(void)state;
	int fds[2];
	assert_int_equal(pipe(fds), 0);
	close(fds[1]);
	struct bl_source_opts o = {.stdin_fd = fds[0]};
	struct bl_store *s = NULL;
	struct bl_error err;
	assert_false(bl_store_open("-", &o, &s, &err));
	assert_int_equal(err.code, BL_E_FORMAT);
	assert_non_null(strstr(err.msg, "standard input"));
	close(fds[0]);
	assert_int_equal(pipe(fds), 0);
	assert_int_equal(write(fds[1], "{\"not\":\"a tar\"}", 15), 15);
	close(fds[1]);
	o.stdin_fd = fds[0];
	assert_false(bl_store_open("-", &o, &s, &err));
	assert_int_equal(err.code, BL_E_FORMAT);
	close(fds[0]);
}

/* Progress for the FIFO tests: counts the calls; answers false from the
 * third on, or at the first opens the FIFO's writer end and writes `data`. */
struct fifo_probe {
	int calls;
	const char *path, *data;
	char what[128];
};
static bool fifo_progress(void *ud, const char *what, uint64_t done, uint64_t total)
{
	(void)done;
	(void)total;
	struct fifo_probe *p = ud;
	snprintf(p->what, sizeof p->what, "%s", what);
	if (++p->calls >= 3 && !p->data)
		return false;
	if (p->data && p->calls == 1) {
		/* A reader is there: this open does not block. */
		int w = open(p->path, O_WRONLY | O_NONBLOCK);
		assert_true(w >= 0);
		assert_int_equal(write(w, p->data, strlen(p->data)), (ssize_t)strlen(p->data));
		close(w);
	}
	return true;
}

/* A new FIFO "f" in a new temp dir (*dir); drop_fifo removes both. */
static char *make_fifo(char **dir)
{
	*dir = make_tmpdir();
	assert_non_null(*dir);
	char *path = bl_asprintf("%s/f", *dir);
	assert_int_equal(mkfifo(path, 0600), 0);
	return path;
}
static void drop_fifo(char *dir, char *path)
{
	unlink(path);
	free(path);
	rmdir(dir);
	free(dir);
}

/* A FIFO no writer has opened: opening it waits in slices that report
 * "waiting for a writer", and a progress callback answering false cancels
 * it (a plain open() would wait inside the kernel, out of reach). */
static void test_fifo_without_writer_waits_cancellably(void **state)
{
	(void)state;
	char *dir, *path = make_fifo(&dir);
	struct fifo_probe p = {.path = path};
	struct bl_source_opts o = {.progress = fifo_progress, .progress_ud = &p};
	struct bl_store *s = NULL;
	struct bl_error err = {0};
	assert_false(bl_store_open(path, &o, &s, &err));
	assert_int_equal(err.code, BL_E_CANCELLED);
	assert_non_null(strstr(err.msg, "cancelled while waiting for a writer"));
	assert_int_equal(p.calls, 3);
	assert_non_null(strstr(p.what, "/f: waiting for a writer"));
	assert_null(s);
	drop_fifo(dir, path);
}

/* A writer that comes while the FIFO is waited for: its bytes are read (here
 * not a tar: a format error, not a wait that never ends). */
static void test_fifo_reads_the_writer_that_comes_later(void **state)
{
	(void)state;
	char *dir, *path = make_fifo(&dir);
	struct fifo_probe p = {.path = path, .data = "{\"not\":\"a tar\"}"};
	struct bl_source_opts o = {.progress = fifo_progress, .progress_ud = &p};
	struct bl_store *s = NULL;
	struct bl_error err = {0};
	assert_false(bl_store_open(path, &o, &s, &err));
	assert_int_equal(err.code, BL_E_FORMAT);
	assert_non_null(strstr(err.msg, "not a readable tar archive"));
	assert_int_equal(p.calls, 1);
	drop_fifo(dir, path);
}

/* Open a tar file as "-" (read once, as from a pipe). */
static bool open_as_stdin(const char *tar, struct bl_store **s, struct bl_error *err)
{
	int fd = open(tar, O_RDONLY);
	assert_true(fd >= 0);
	struct bl_source_opts o = {.stdin_fd = fd};
	bool ok = bl_store_open("-", &o, s, err);
	close(fd);
	return ok;
}

/* A 64 KiB member name (a PAX path) is refused with a clear error naming the
 * member by an escaped prefix; so is a 64 KiB symlink target. */
static void test_stdin_refuses_a_64k_member_name(void **state)
{
	(void)state;
	char *dir = make_tmpdir();
	char *tar = bl_asprintf("%s/long.tar", dir);
	size_t n = 64u << 10;
	char *long_name = bl_malloc(n + 1);
	memset(long_name, 'n', n);
	memcpy(long_name, "\x1b[31mred/", 9); /* shown escaped, never raw */
	long_name[n] = '\0';
	const char *idx = "{\"schemaVersion\":2,\"manifests\":[]}";
	struct tar_ent e[] = {
	        {"index.json", idx, strlen(idx), NULL},
	        {long_name, "x", 1, NULL},
	};
	assert_true(write_tar(tar, e, 2, 0));
	struct bl_store *s = NULL;
	struct bl_error err;
	assert_false(open_as_stdin(tar, &s, &err));
	assert_int_equal(err.code, BL_E_FORMAT);
	if (!strstr(err.msg, "standard input: member \"\\e[31mred/nnnnnnnnnnnnnnnnnnnnn") ||
	        !strstr(err.msg, "nnn...\" (offset ") ||
	        !strstr(err.msg, "its name is 65536 bytes, over the 16384 byte limit"))
		fail_msg("unclear: %s", err.msg);
	assert_null(strchr(err.msg, '\x1b'));
	assert_true(strlen(err.msg) < 200);

	e[1].name = "link";
	e[1].link = long_name;
	assert_true(write_tar(tar, e, 2, 0));
	assert_false(open_as_stdin(tar, &s, &err));
	assert_int_equal(err.code, BL_E_FORMAT);
	if (!strstr(err.msg, "member \"link\" (offset ") ||
	        !strstr(err.msg, "its symlink target is 65536 bytes, over the 16384 byte limit"))
		fail_msg("unclear: %s", err.msg);

	/* 16 KiB is allowed (pax names may be longer than PATH_MAX) */
	long_name[16384 + 9] = '\0';
	e[1].name = long_name + 9;
	e[1].link = NULL;
	assert_true(write_tar(tar, e, 2, 0));
	if (!open_as_stdin(tar, &s, &err))
		fail_msg("%s", err.msg);
	bl_store_free(s);
	free(long_name);
	free(tar);
	rm_tree(dir);
}

/* Index `tar` as standard input is indexed, with a budget of `max` bytes. */
static bool index_stream(const char *tar, uint64_t max, struct bl_tarix *ix, struct bl_error *err)
{
	int fd = open(tar, O_RDONLY);
	assert_true(fd >= 0);
	struct bl_tarix_opts o = {
	        .mode = BL_TARIX_STREAM, .what = "standard input", .index_max = max};
	struct archive *a = bl_tarix_reader();
	assert_int_equal(archive_read_open_fd(a, fd, 1 << 16), ARCHIVE_OK);
	bool ok = bl_tarix_build(ix, a, &o, err);
	archive_read_free(a);
	close(fd);
	return ok;
}

/* Many long names, each allowed: what the index keeps stays within its
 * budget, and going over it is an error, not more memory. */
static void test_stdin_index_of_many_long_names_is_bounded(void **state)
{
	(void)state;
	char *dir = make_tmpdir();
	char *tar = bl_asprintf("%s/many.tar", dir);
	enum { MEMBERS = 600, NAME = 4000 };
	struct tar_ent *e = bl_calloc(MEMBERS, sizeof *e);
	for (size_t i = 0; i < MEMBERS; i++) {
		char *name = bl_malloc(NAME + 1);
		memset(name, 'a' + (char)(i % 26), NAME);
		snprintf(name, 16, "%06zu/", i);
		name[7] = 'x';
		name[NAME] = '\0';
		e[i] = (struct tar_ent){name, "", 0, NULL};
	}
	assert_true(write_tar(tar, e, MEMBERS, 0));
	uint64_t each = sizeof(struct bl_tar_member) + sizeof(size_t) + NAME + 1;

	/* within the default budget: every name kept, and counted */
	struct bl_tarix ix;
	struct bl_error err;
	bl_tarix_init(&ix);
	if (!index_stream(tar, 0, &ix, &err))
		fail_msg("%s", err.msg);
	assert_int_equal(ix.n, MEMBERS);
	assert_int_equal(ix.index_bytes, MEMBERS * each);
	bl_tarix_fini(&ix);

	/* over a budget of 1 MiB: stops there, having kept at most that */
	bl_tarix_init(&ix);
	assert_false(index_stream(tar, 1u << 20, &ix, &err));
	assert_int_equal(err.code, BL_E_TOO_BIG);
	if (!strstr(err.msg, "standard input: member ") ||
	        !strstr(err.msg, "...\": the index of member names would be over 1048576 bytes"))
		fail_msg("unclear: %s", err.msg);
	assert_true(ix.index_bytes <= 1u << 20);
	assert_int_equal(ix.n, (1u << 20) / each);
	bl_tarix_fini(&ix);
	for (size_t i = 0; i < MEMBERS; i++)
		free((char *)e[i].name);
	free(e);
	free(tar);
	rm_tree(dir);
}

/* A tap sees each regular member as it passes: it may read a part of it or
 * all of it, and is then told the digest of the whole member, which is the
 * digest the store verifies, whatever the tap read. */
struct tap_seen {
	int members, done;
	char names[4][32];
	size_t read[4];
	struct bl_digest d[4];
};

static void *tap_member(void *ud, const char *name, int64_t size, struct bl_stream *data)
{
	struct tap_seen *t = ud;
	int i = t->members++;
	assert_true(i < 4);
	snprintf(t->names[i], sizeof t->names[i], "%s", name);
	/* the first member read whole, the second 3 bytes of it, the rest not at all */
	size_t want = i == 0 ? (size_t)size : i == 1 ? 3 : 0;
	char buf[64];
	while (t->read[i] < want) {
		size_t n = want - t->read[i] < sizeof buf ? want - t->read[i] : sizeof buf;
		ssize_t r = data->read(data, buf, n, NULL);
		assert_true(r > 0);
		t->read[i] += (size_t)r;
	}
	return &t->d[i];
}

static void tap_done(void *ud, void *token, const struct bl_digest *d)
{
	struct tap_seen *t = ud;
	assert_non_null(d);
	*(struct bl_digest *)token = *d;
	t->done++;
}

static void test_stdin_tap_sees_members_as_they_pass(void **state)
{
	(void)state;
	char *dir = make_tmpdir();
	char *tar = bl_asprintf("%s/tap.tar", dir);
	static const char a[] = "first member, read whole by the tap";
	static const char b[] = "second member, three bytes of it read";
	static const char idx[] = "{\"schemaVersion\":2,\"manifests\":[]}";
	const struct tar_ent ents[] = {
	        {"blobs/sha256/aa", a, sizeof a - 1, NULL},
	        {"blobs/sha256/bb", b, sizeof b - 1, NULL},
	        {"index.json", idx, sizeof idx - 1, NULL},
	};
	assert_true(write_tar(tar, ents, 3, 0));
	struct tap_seen seen = {0};
	struct bl_store_tap tap = {.member = tap_member, .done = tap_done, .ud = &seen};
	int fd = open(tar, O_RDONLY);
	assert_true(fd >= 0);
	struct bl_source_opts o = {.stdin_fd = fd, .tap = &tap};
	struct bl_store *s = NULL;
	struct bl_error err;
	bl_error_clear(&err);
	if (!bl_store_open("-", &o, &s, &err))
		fail_msg("%s", err.msg);
	close(fd);
	assert_int_equal(seen.members, 3);
	assert_int_equal(seen.done, 3);
	assert_string_equal(seen.names[0], "blobs/sha256/aa");
	assert_string_equal(seen.names[1], "blobs/sha256/bb");
	assert_int_equal(seen.read[0], sizeof a - 1);
	assert_int_equal(seen.read[1], 3);
	struct bl_digest want;
	bl_digest_compute(BL_DIGEST_SHA256, a, sizeof a - 1, &want);
	assert_string_equal(seen.d[0].str, want.str);
	bl_digest_compute(BL_DIGEST_SHA256, b, sizeof b - 1, &want);
	assert_string_equal(seen.d[1].str, want.str); /* the whole member, not the 3 bytes */
	/* the small JSON member the tap did not read is still kept by the store */
	struct bl_vec roots;
	bl_vec_init(&roots, bl_store_root_free);
	if (!bl_store_roots(s, &roots, &err))
		fail_msg("%s", err.msg);
	assert_int_equal(roots.len, 0);
	bl_vec_fini(&roots);
	bl_store_free(s);
	free(tar);
	rm_tree(dir);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	        cmocka_unit_test(test_corpus_tars_read_once_from_a_pipe),
	        cmocka_unit_test(test_stdin_keeps_config_so_diff_ids_are_known_and_layers_verified),
	        cmocka_unit_test(test_stdin_blob_states_say_verified_or_mismatch),
	        cmocka_unit_test(test_empty_or_garbage_stdin_is_a_format_error),
	        cmocka_unit_test(test_stdin_refuses_a_64k_member_name),
	        cmocka_unit_test(test_stdin_index_of_many_long_names_is_bounded),
	        cmocka_unit_test(test_stdin_tap_sees_members_as_they_pass),
	        cmocka_unit_test(test_fifo_without_writer_waits_cancellably),
	        cmocka_unit_test(test_fifo_reads_the_writer_that_comes_later),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
