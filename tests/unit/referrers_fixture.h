/* Test helpers for referrers read after loading: an OCI layout with an
 * image manifest and an artifact whose subject it is, loaded, and the
 * manifest's store replaced by one that wraps the layout's, says it is
 * remote and lists that artifact as its referrer (a registry stood in for).
 * A listing can be held until the test lets it go, so that a test sees a
 * background read while it runs. */
#ifndef BL_TEST_REFERRERS_FIXTURE_H
#define BL_TEST_REFERRERS_FIXTURE_H

#include <pthread.h>
#include <time.h>

#include "bakelens/store.h"
#include "model_fixture.h"

struct fake {
	struct bl_store base;
	struct bl_store *inner; /* the layout's, owned by the build */
	struct bl_descriptor ref;
	int calls;
	bool fail;
	/* While hold is set a listing waits (waiting set) until rx_release. */
	pthread_mutex_t lock;
	pthread_cond_t cond;
	bool hold, waiting;
};

static inline struct bl_store *inner(struct bl_store *s)
{
	return ((struct fake *)s)->inner;
}

static inline bool f_roots(struct bl_store *s, struct bl_vec *roots, struct bl_error *err)
{
	return inner(s)->ops->list_roots(inner(s), roots, err);
}

static inline enum bl_blob_state f_stat(
        struct bl_store *s, const struct bl_digest *d, int64_t *size)
{
	return inner(s)->ops->stat_blob(inner(s), d, size);
}

static inline bool f_read(struct bl_store *s, const struct bl_digest *d, size_t max,
        struct bl_buf *out, struct bl_error *err)
{
	return inner(s)->ops->read_raw(inner(s), d, max, out, err);
}

static inline bool f_open(
        struct bl_store *s, const struct bl_digest *d, struct bl_stream **out, struct bl_error *err)
{
	return inner(s)->ops->open_raw(inner(s), d, out, err);
}

static inline void f_destroy(struct bl_store *s)
{
	(void)s; /* the test owns it */
}

static inline bool f_referrers(struct bl_store *s, const struct bl_digest *subject,
        struct bl_vec *descs, struct bl_error *err)
{
	(void)subject;
	struct fake *f = (struct fake *)s;
	pthread_mutex_lock(&f->lock);
	f->calls++;
	f->waiting = f->hold;
	while (f->hold)
		pthread_cond_wait(&f->cond, &f->lock);
	f->waiting = false;
	pthread_mutex_unlock(&f->lock);
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

/* The layout, the build loaded from it, the fake store in place. */
static inline void rx_setup(struct env *e)
{
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
	pthread_mutex_init(&e->store.lock, NULL);
	pthread_cond_init(&e->store.cond, NULL);
}

static inline void rx_teardown(struct env *e)
{
	bl_build_free(e->b);
	bl_descriptor_fini(&e->store.ref);
	pthread_cond_destroy(&e->store.cond);
	pthread_mutex_destroy(&e->store.lock);
	fx_fini(&e->f);
}

/* Let a held listing go on. */
static inline void rx_release(struct env *e)
{
	pthread_mutex_lock(&e->store.lock);
	e->store.hold = false;
	pthread_cond_broadcast(&e->store.cond);
	pthread_mutex_unlock(&e->store.lock);
}

/* Wait (5 s at most) until a listing is held; false when none came. */
static inline bool rx_wait_held(struct env *e)
{
	for (int i = 0; i < 500; i++) {
		pthread_mutex_lock(&e->store.lock);
		bool w = e->store.waiting;
		pthread_mutex_unlock(&e->store.lock);
		if (w)
			return true;
		struct timespec ts = {0, 10 * 1000 * 1000};
		nanosleep(&ts, NULL);
	}
	return false;
}

#endif
