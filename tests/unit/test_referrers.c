/* Referrers read after loading (model.h: bl_build_referrers_read and
 * _attach_take): made apart from the tree, attached later. The registry is
 * stood in for by a store that wraps an OCI layout and says it is remote,
 * listing one referrer manifest written in the layout. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>

#include <cmocka.h>

#include "bakelens/store.h"
#include "model_fixture.h"

struct fake {
	struct bl_store base;
	struct bl_store *inner; /* the layout's, owned by the build */
	struct bl_descriptor ref;
	int calls;
	bool fail;
};

static struct bl_store *inner(struct bl_store *s)
{
	return ((struct fake *)s)->inner;
}

static bool f_roots(struct bl_store *s, struct bl_vec *roots, struct bl_error *err)
{
	return inner(s)->ops->list_roots(inner(s), roots, err);
}

static enum bl_blob_state f_stat(struct bl_store *s, const struct bl_digest *d, int64_t *size)
{
	return inner(s)->ops->stat_blob(inner(s), d, size);
}

static bool f_read(struct bl_store *s, const struct bl_digest *d, size_t max, struct bl_buf *out,
        struct bl_error *err)
{
	return inner(s)->ops->read_raw(inner(s), d, max, out, err);
}

static bool f_open(
        struct bl_store *s, const struct bl_digest *d, struct bl_stream **out, struct bl_error *err)
{
	return inner(s)->ops->open_raw(inner(s), d, out, err);
}

static void f_destroy(struct bl_store *s)
{
	(void)s; /* the test owns it */
}

static bool f_referrers(struct bl_store *s, const struct bl_digest *subject, struct bl_vec *descs,
        struct bl_error *err)
{
	(void)subject;
	struct fake *f = (struct fake *)s;
	f->calls++;
	if (f->fail)
		return bl_fail(err, BL_E_NET, "registry answered 500");
	struct bl_descriptor *d = bl_calloc(1, sizeof *d);
	bl_descriptor_copy(d, &f->ref);
	bl_vec_push_take(descs, d);
	return true;
}

static const struct bl_store_ops fake_ops = {
        .kind = "registry",
        .list_roots = f_roots,
        .stat_blob = f_stat,
        .read_raw = f_read,
        .open_raw = f_open,
        .destroy = f_destroy,
        .remote = true,
        .referrers = f_referrers,
};

struct env {
	struct fx f;
	struct fake store;
	struct bl_build *b;
	struct bl_node *m; /* the image manifest, its store the fake one */
};

static int setup(void **state)
{
	struct env *e = bl_calloc(1, sizeof *e);
	fx_init(&e->f);
	struct bl_digest cfg, layer, m, art, artcfg;
	const char *c = "{\"architecture\":\"amd64\",\"os\":\"linux\",\"rootfs\":{\"type\":"
	                "\"layers\",\"diff_ids\":[]}}";
	fx_blob(&e->f, c, &cfg);
	fx_blob(&e->f, "layer", &layer);
	char *cd = fx_desc("application/vnd.oci.image.config.v1+json", &cfg, c, NULL);
	char *ld = fx_desc("application/vnd.oci.image.layer.v1.tar", &layer, "layer", NULL);
	char *man = bl_asprintf("{\"schemaVersion\":2,\"mediaType\":\"application/vnd.oci.image."
	                        "manifest.v1+json\",\"config\":%s,\"layers\":[%s]}",
	        cd, ld);
	fx_blob(&e->f, man, &m);
	char *md = fx_desc("application/vnd.oci.image.manifest.v1+json", &m, man, NULL);
	fx_blob(&e->f, "{}", &artcfg);
	char *acd = fx_desc("application/vnd.oci.empty.v1+json", &artcfg, "{}", NULL);
	char *artm = bl_asprintf("{\"schemaVersion\":2,\"mediaType\":\"application/vnd.oci.image."
	                         "manifest.v1+json\",\"artifactType\":\"application/x-test\","
	                         "\"config\":%s,\"layers\":[],\"subject\":%s}",
	        acd, md);
	fx_blob(&e->f, artm, &art);
	char *idx = bl_asprintf("{\"schemaVersion\":2,\"manifests\":[%s]}", md);
	fx_index(&e->f, idx);
	struct bl_error err;
	const char *args[] = {e->f.dir};
	assert_true(fx_load(args, 1, &e->b, &err));
	e->m = fx_find_kind(e->b->root, BL_NODE_MANIFEST);
	assert_non_null(e->m);
	e->store.base.ops = &fake_ops;
	e->store.base.source = "fake";
	e->store.inner = e->m->store;
	e->store.ref.media_type = bl_strdup("application/vnd.oci.image.manifest.v1+json");
	e->store.ref.digest = art;
	e->store.ref.size = (int64_t)strlen(artm);
	e->store.ref.artifact_type = bl_strdup("application/x-test");
	e->m->store = &e->store.base;
	e->m->referrers_pending = true; /* as a load with no_referrers leaves it */
	free(cd);
	free(ld);
	free(man);
	free(md);
	free(acd);
	free(artm);
	free(idx);
	*state = e;
	return 0;
}

static int teardown(void **state)
{
	struct env *e = *state;
	bl_build_free(e->b);
	bl_descriptor_fini(&e->store.ref);
	fx_fini(&e->f);
	free(e);
	return 0;
}

static void test_read_apart_then_attach(void **state)
{
	struct env *e = *state;
	size_t kids = bl_node_count(e->m), msgs = e->b->messages.len;
	struct bl_referrers *r = NULL;
	struct bl_error err = {0};
	assert_true(bl_build_referrers_read(e->b, e->m, NULL, NULL, &r, &err));
	assert_int_equal(e->store.calls, 1);
	assert_int_equal(bl_referrers_count(r), 1);
	/* read, not attached: the tree is as it was */
	assert_int_equal(bl_node_count(e->m), kids);
	assert_true(e->m->referrers_pending);
	assert_int_equal(e->b->messages.len, msgs);
	assert_int_equal(bl_build_referrers_attach_take(e->b, e->m, r), 1);
	assert_int_equal(bl_node_count(e->m), kids + 1);
	assert_false(e->m->referrers_pending);
	struct bl_node *c = bl_node_child(e->m, kids);
	assert_ptr_equal(c->parent, e->m);
	assert_non_null(c->referrer);
	assert_int_equal(c->status, BL_STATUS_OK);
	assert_string_equal(c->desc.digest.str, e->store.ref.digest.str);
	assert_non_null(strstr(c->label, "application/x-test"));
	/* asked once: a second read has nothing to do */
	assert_true(bl_build_referrers_read(e->b, e->m, NULL, NULL, &r, &err));
	assert_int_equal(bl_referrers_count(r), 0);
	assert_int_equal(bl_build_referrers_attach_take(e->b, e->m, r), 0);
	assert_int_equal(e->store.calls, 1);
	assert_int_equal(bl_node_count(e->m), kids + 1);
}

static void test_attach_to_another_node_or_twice_adds_nothing(void **state)
{
	struct env *e = *state;
	size_t kids = bl_node_count(e->m);
	struct bl_referrers *r1 = NULL, *r2 = NULL;
	struct bl_error err = {0};
	assert_true(bl_build_referrers_read(e->b, e->m, NULL, NULL, &r1, &err));
	assert_true(bl_build_referrers_read(e->b, e->m, NULL, NULL, &r2, &err));
	struct bl_node *target = e->m->parent;
	assert_int_equal(bl_build_referrers_attach_take(e->b, target, r1), 0);
	assert_int_equal(bl_node_count(e->m), kids);
	assert_true(e->m->referrers_pending);
	assert_true(bl_build_referrers_read(e->b, e->m, NULL, NULL, &r1, &err));
	assert_int_equal(bl_build_referrers_attach_take(e->b, e->m, r1), 1);
	/* the second set, read before the first was attached, is dropped */
	assert_int_equal(bl_build_referrers_attach_take(e->b, e->m, r2), 0);
	assert_int_equal(bl_node_count(e->m), kids + 1);
	assert_int_equal(bl_build_referrers_attach_take(e->b, e->m, NULL), 0);
}

static void test_failure_leaves_the_node_pending(void **state)
{
	struct env *e = *state;
	e->store.fail = true;
	size_t kids = bl_node_count(e->m), msgs = e->b->messages.len;
	struct bl_referrers *r = (struct bl_referrers *)&r; /* overwritten */
	struct bl_error err = {0};
	assert_false(bl_build_referrers_read(e->b, e->m, NULL, NULL, &r, &err));
	assert_null(r);
	assert_int_equal(err.code, BL_E_NET);
	assert_non_null(strstr(err.msg, "registry answered 500"));
	assert_int_equal(bl_node_count(e->m), kids);
	assert_true(e->m->referrers_pending);
	assert_int_equal(e->b->messages.len, msgs);
	/* the call that attaches too records the failure as a message */
	size_t added = 9;
	assert_false(bl_build_read_referrers(e->b, e->m, &added, &err));
	assert_int_equal(added, 0);
	assert_int_equal(e->b->messages.len, msgs + 1);
	assert_true(e->m->referrers_pending);
	/* and asks again once the registry answers */
	e->store.fail = false;
	assert_true(bl_build_read_referrers(e->b, e->m, &added, &err));
	assert_int_equal(added, 1);
	assert_int_equal(e->store.calls, 3);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	        cmocka_unit_test_setup_teardown(test_read_apart_then_attach, setup, teardown),
	        cmocka_unit_test_setup_teardown(
	                test_attach_to_another_node_or_twice_adds_nothing, setup, teardown),
	        cmocka_unit_test_setup_teardown(
	                test_failure_leaves_the_node_pending, setup, teardown),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
