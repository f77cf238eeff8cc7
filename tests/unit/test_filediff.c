/* filediff.c: file diffs and listings of a real OCI layout's layers on the
 * worker thread, polled to the end as the explorer does; the result's lists
 * and changes, a cancel, bad arguments and a missing blob. The layers are
 * tars written here with libarchive; digests are computed from their bytes. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <archive.h>
#include <archive_entry.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "bakelens/app.h"
#include "bakelens/buf.h"
#include "bakelens/layerfiles.h"
#include "model_fixture.h"

struct tfile {
	const char *path;
	const char *data;
	long mtime;
};

static la_ssize_t buf_write(struct archive *a, void *ud, const void *data, size_t len)
{
	(void)a;
	bl_buf_append(ud, data, len);
	return (la_ssize_t)len;
}

/* An uncompressed tar of regular files (its digest is its diff_id). */
static void make_tar(const struct tfile *files, size_t n, struct bl_buf *out)
{
	struct archive *a = archive_write_new();
	archive_write_set_format_pax_restricted(a);
	archive_write_set_bytes_in_last_block(a, 1);
	assert_int_equal(archive_write_open(a, out, NULL, buf_write, NULL), ARCHIVE_OK);
	for (size_t i = 0; i < n; i++) {
		struct archive_entry *e = archive_entry_new();
		size_t len = strlen(files[i].data);
		archive_entry_set_pathname(e, files[i].path);
		archive_entry_set_mode(e, AE_IFREG | 0644);
		archive_entry_set_size(e, (la_int64_t)len);
		archive_entry_set_mtime(e, files[i].mtime, 0);
		assert_int_equal(archive_write_header(a, e), ARCHIVE_OK);
		assert_int_equal(archive_write_data(a, files[i].data, len), (la_ssize_t)len);
		archive_entry_free(e);
	}
	assert_int_equal(archive_write_close(a), ARCHIVE_OK);
	archive_write_free(a);
}

static void put_tar(struct fx *f, const struct bl_buf *tar, struct bl_digest *d)
{
	bl_digest_compute(BL_DIGEST_SHA256, tar->data, tar->len, d);
	char p[512];
	snprintf(p, sizeof p, "%s/blobs/sha256/%s", f->dir, bl_digest_hex(d));
	fx_write(p, tar->data, tar->len);
}

/* Layer 1: a.txt, b.txt, t.txt. Layer 2: a.txt with other bytes, c.txt
 * added, b.txt gone, t.txt the same but for its mtime. */
static const struct tfile LOWER[] = {
        {"a.txt", "one", 1700000000}, {"b.txt", "two", 1700000000}, {"t.txt", "same", 1700000000}};
static const struct tfile UPPER[] = {{"a.txt", "ONE!", 1700000000}, {"c.txt", "three", 1700000000},
        {"t.txt", "same", 1700000500}};

struct image {
	struct fx f;
	struct bl_digest l1, l2;
	struct bl_build *b;
	struct bl_node *manifest, *config, *layer1, *layer2;
};

static void image_init(struct image *im)
{
	fx_init(&im->f);
	struct bl_buf t1, t2;
	bl_buf_init(&t1);
	bl_buf_init(&t2);
	make_tar(LOWER, 3, &t1);
	make_tar(UPPER, 3, &t2);
	put_tar(&im->f, &t1, &im->l1);
	put_tar(&im->f, &t2, &im->l2);
	const char *tar_mt = "application/vnd.oci.image.layer.v1.tar";
	char *config = bl_asprintf("{\"architecture\":\"amd64\",\"os\":\"linux\",\"rootfs\":"
	                           "{\"type\":\"layers\",\"diff_ids\":[\"%s\",\"%s\"]}}",
	        im->l1.str, im->l2.str);
	struct bl_digest cd, md;
	fx_blob(&im->f, config, &cd);
	char *manifest = bl_asprintf(
	        "{\"schemaVersion\":2,\"mediaType\":"
	        "\"application/vnd.oci.image.manifest.v1+json\",\"config\":{\"mediaType\":"
	        "\"application/vnd.oci.image.config.v1+json\",\"digest\":\"%s\",\"size\":%zu},"
	        "\"layers\":[{\"mediaType\":\"%s\",\"digest\":\"%s\",\"size\":%zu},{\"mediaType\":"
	        "\"%s\",\"digest\":\"%s\",\"size\":%zu}]}",
	        cd.str, strlen(config), tar_mt, im->l1.str, t1.len, tar_mt, im->l2.str, t2.len);
	fx_blob(&im->f, manifest, &md);
	char *index = bl_asprintf(
	        "{\"schemaVersion\":2,\"manifests\":[{\"mediaType\":"
	        "\"application/vnd.oci.image.manifest.v1+json\",\"digest\":\"%s\",\"size\":%zu}]}",
	        md.str, strlen(manifest));
	fx_index(&im->f, index);
	free(index);
	free(manifest);
	free(config);
	bl_buf_fini(&t1);
	bl_buf_fini(&t2);
	const char *args[] = {im->f.dir};
	struct bl_error err;
	im->b = NULL;
	if (!fx_load(args, 1, &im->b, &err))
		fail_msg("load: %s", err.msg);
	im->manifest = fx_find_kind(im->b->root, BL_NODE_MANIFEST);
	assert_non_null(im->manifest);
	im->config = fx_find_kind(im->manifest, BL_NODE_CONFIG);
	im->layer1 = fx_child(im->manifest, 1);
	im->layer2 = fx_child(im->manifest, 2);
	assert_int_equal(im->layer1->kind, BL_NODE_LAYER);
	assert_int_equal(im->layer2->kind, BL_NODE_LAYER);
	assert_true(bl_digest_equal(&im->layer2->desc.digest, &im->l2));
}

static int setup(void **state)
{
	struct image *im = bl_calloc(1, sizeof *im);
	image_init(im);
	*state = im;
	return 0;
}

static int teardown(void **state)
{
	struct image *im = *state;
	bl_build_free(im->b);
	fx_fini(&im->f);
	free(im);
	return 0;
}

/* Poll until the job says it is done, as the explorer's tick does. */
static void wait_done(struct bl_filediff *j, struct bl_load_state *st)
{
	struct timespec ts = {0, 2000000};
	for (int n = 0; n < 5000; n++) {
		bl_filediff_poll(j, st);
		if (st->done)
			return;
		nanosleep(&ts, NULL);
	}
	fail_msg("the file diff did not end");
}

/* Start to finish: the job polled to its end, then its result (NULL with
 * err set when it failed). */
static struct bl_filediff_result *run_job(
        struct bl_filediff *j, struct bl_load_state *st, struct bl_error *err)
{
	assert_non_null(j);
	wait_done(j, st);
	return bl_filediff_finish(j, err);
}

static const struct bl_file_change *change_of(const struct bl_file_diff *d, const char *path)
{
	for (size_t i = 0; i < d->len; i++) {
		const struct bl_file_change *c = &d->items[i];
		if (strcmp((c->right ? c->right : c->left)->path, path) == 0)
			return c;
	}
	return NULL;
}

static void test_diff_of_two_layers_lists_both_and_compares_them(void **state)
{
	struct image *im = *state;
	struct bl_error err = {0};
	struct bl_filediff *j = bl_filediff_start(im->layer1, im->layer2, false, &err);
	assert_non_null(j);
	struct bl_load_state st;
	wait_done(j, &st);
	/* The last side read was the right one. */
	assert_non_null(strstr(st.what, "right"));
	struct bl_filediff_result *r = bl_filediff_finish(j, &err);
	assert_non_null(r);
	assert_int_equal(r->left.len, 3);
	assert_int_equal(r->right.len, 3);
	/* Hashed for a diff. */
	const struct bl_file_entry *a = bl_file_list_find(&r->left, "a.txt");
	assert_non_null(a);
	assert_true(a->has_sha256);
	assert_int_equal(a->size, 3);
	const struct bl_file_diff *d = &r->diff;
	assert_int_equal(d->len, 4);
	assert_int_equal(d->counts[BL_FCHANGE_ADDED], 1);
	assert_int_equal(d->counts[BL_FCHANGE_REMOVED], 1);
	assert_int_equal(d->counts[BL_FCHANGE_CONTENT], 1);
	assert_int_equal(d->counts[BL_FCHANGE_METADATA], 1);
	assert_int_equal(d->same, 0);
	assert_int_equal(d->timestamps_ignored, 0);
	assert_int_equal(change_of(d, "a.txt")->kind, BL_FCHANGE_CONTENT);
	assert_true(change_of(d, "a.txt")->what & BL_FMETA_DATA);
	assert_int_equal(change_of(d, "b.txt")->kind, BL_FCHANGE_REMOVED);
	assert_null(change_of(d, "b.txt")->right);
	assert_int_equal(change_of(d, "c.txt")->kind, BL_FCHANGE_ADDED);
	assert_null(change_of(d, "c.txt")->left);
	assert_int_equal(change_of(d, "t.txt")->kind, BL_FCHANGE_METADATA);
	assert_int_equal(change_of(d, "t.txt")->what, BL_FMETA_MTIME);
	bl_filediff_result_free(r);
}

static void test_diff_ignoring_timestamps_counts_them_instead(void **state)
{
	struct image *im = *state;
	struct bl_error err = {0};
	struct bl_load_state st;
	struct bl_filediff *j = bl_filediff_start(im->layer1, im->layer2, true, &err);
	struct bl_filediff_result *r = run_job(j, &st, &err);
	assert_non_null(r);
	assert_int_equal(r->diff.len, 3);
	assert_int_equal(r->diff.counts[BL_FCHANGE_METADATA], 0);
	assert_int_equal(r->diff.timestamps_ignored, 1);
	assert_int_equal(r->diff.same, 1);
	assert_null(change_of(&r->diff, "t.txt"));
	bl_filediff_result_free(r);
	/* A layer against itself: nothing differs. */
	r = run_job(bl_filediff_start(im->layer2, im->layer2, false, &err), &st, &err);
	assert_non_null(r);
	assert_int_equal(r->diff.len, 0);
	assert_int_equal(r->diff.same, 3);
	bl_filediff_result_free(r);
}

static void test_cancel_before_the_result_is_taken_wins(void **state)
{
	struct image *im = *state;
	struct bl_error err = {0};
	struct bl_filediff *j = bl_filediff_start(im->layer1, im->layer2, false, &err);
	assert_non_null(j);
	bl_filediff_cancel(j);
	assert_null(bl_filediff_finish(j, &err));
	assert_int_equal(err.code, BL_E_CANCELLED);
	assert_string_equal(err.msg, "file diff cancelled");
	/* Even when the thread had already finished. */
	bl_error_clear(&err);
	j = bl_filediff_start(im->layer1, im->layer2, false, &err);
	struct bl_load_state st;
	wait_done(j, &st);
	bl_filediff_cancel(j);
	assert_null(bl_filediff_finish(j, &err));
	assert_int_equal(err.code, BL_E_CANCELLED);
}

static void test_listing_one_layer_or_a_whole_image(void **state)
{
	struct image *im = *state;
	struct bl_error err = {0};
	struct bl_load_state st;
	struct bl_filediff_result *r = run_job(bl_filelist_start(im->layer1, &err), &st, &err);
	assert_non_null(r);
	assert_int_equal(r->left.len, 3);
	assert_int_equal(r->right.len, 0);
	assert_int_equal(r->diff.len, 0);
	/* Not hashed: nothing to compare. */
	assert_false(bl_file_list_find(&r->left, "a.txt")->has_sha256);
	bl_filediff_result_free(r);
	/* The image: both layers merged, the upper one winning. */
	r = run_job(bl_filelist_start(im->manifest, &err), &st, &err);
	assert_non_null(r);
	assert_int_equal(r->left.len, 4);
	const struct bl_file_entry *a = bl_file_list_find(&r->left, "a.txt");
	assert_int_equal(a->size, 4);
	assert_int_equal(a->layer, 1);
	assert_int_equal(bl_file_list_find(&r->left, "b.txt")->layer, 0);
	assert_int_equal(bl_file_list_find(&r->left, "t.txt")->mtime, 1700000500);
	bl_filediff_result_free(r);
}

static void test_bad_arguments_start_nothing(void **state)
{
	struct image *im = *state;
	struct bl_error err = {0};
	assert_null(bl_filediff_start(im->layer1, NULL, false, &err));
	assert_int_equal(err.code, BL_E_USAGE);
	assert_string_equal(err.msg, "a file diff needs a layer on both sides");
	bl_error_clear(&err);
	assert_null(bl_filediff_start(im->manifest, im->layer2, false, &err));
	assert_int_equal(err.code, BL_E_USAGE);
	bl_error_clear(&err);
	assert_null(bl_filelist_start(im->config, &err));
	assert_int_equal(err.code, BL_E_USAGE);
	assert_string_equal(err.msg, "a file listing needs a layer or an image manifest");
	bl_error_clear(&err);
	assert_null(bl_filelist_start(NULL, &err));
	assert_int_equal(err.code, BL_E_USAGE);
}

static void test_a_missing_blob_fails_naming_its_side(void **state)
{
	struct image *im = *state;
	char p[512];
	snprintf(p, sizeof p, "%s/blobs/sha256/%s", im->f.dir, bl_digest_hex(&im->l2));
	assert_int_equal(remove(p), 0);
	struct bl_error err = {0};
	struct bl_load_state st;
	assert_null(run_job(bl_filediff_start(im->layer1, im->layer2, false, &err), &st, &err));
	assert_int_not_equal(err.code, BL_OK);
	assert_int_not_equal(err.code, BL_E_CANCELLED);
	assert_true(strncmp(err.msg, "right side", 10) == 0);
}

/* Each test with an image of its own. */
#define T(name) cmocka_unit_test_setup_teardown(name, setup, teardown)

int main(void)
{
	const struct CMUnitTest tests[] = {
	        T(test_diff_of_two_layers_lists_both_and_compares_them),
	        T(test_diff_ignoring_timestamps_counts_them_instead),
	        T(test_cancel_before_the_result_is_taken_wins),
	        T(test_listing_one_layer_or_a_whole_image),
	        T(test_bad_arguments_start_nothing),
	        T(test_a_missing_blob_fails_naming_its_side),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
