/* Parsers of the Engine API's answers (dockerd.h): the image JSON, error
 * bodies, the image list for close names. Pure functions over bytes (fuzzed). */
#include <stdlib.h>
#include <string.h>

#include "bakelens/dockerd.h"
#include "bakelens/json.h"
#include "bakelens/mem.h"
#include "bakelens/text.h"

#define IMAGE_JSON_MAX (16u << 20)
#define IMAGE_LAYERS_MAX 100000u
#define MESSAGE_MAX 300u

void bl_dockerd_image_init(struct bl_dockerd_image *im)
{
	memset(im, 0, sizeof(*im));
	bl_vec_init(&im->tags, free);
	bl_vec_init(&im->digests, free);
	im->size = -1;
}

void bl_dockerd_image_fini(struct bl_dockerd_image *im)
{
	if (!im)
		return;
	bl_vec_fini(&im->tags);
	bl_vec_fini(&im->digests);
	free(im->layers);
	free(im->os);
	free(im->arch);
	free(im->variant);
	if (im->has_target)
		bl_descriptor_fini(&im->target);
	memset(im, 0, sizeof(*im));
}

static char *dup_or_null(const char *s)
{
	return s && *s ? bl_strdup(s) : NULL;
}

static void strings_into(json_t *arr, struct bl_vec *out)
{
	size_t i;
	json_t *v;
	json_array_foreach(arr, i, v)
	{
		if (json_is_string(v) && json_string_length(v) > 0 && i < IMAGE_LAYERS_MAX)
			bl_vec_push_take(out, bl_strdup(json_string_value(v)));
	}
}

bool bl_dockerd_parse_image(
        const void *data, size_t len, struct bl_dockerd_image *im, struct bl_error *err)
{
	json_t *j = bl_json_parse(data, len, IMAGE_JSON_MAX, err);
	if (!j)
		return false;
	bool ok = false;
	struct bl_dockerd_image r;
	bl_dockerd_image_init(&r);
	if (!json_is_object(j)) {
		bl_fail(err, BL_E_FORMAT, "expected an image object, found an array");
		goto out;
	}
	const char *id = bl_json_str(j, "Id");
	if (!id) {
		bl_fail(err, BL_E_FORMAT, "no \"Id\": not an Engine API image");
		goto out;
	}
	if (!bl_digest_parse(id, &r.id, err)) {
		bl_error_prefix(err, "Id");
		goto out;
	}
	json_t *layers = bl_json_arr(bl_json_obj(j, "RootFS"), "Layers");
	size_t n = json_array_size(layers);
	if (n > IMAGE_LAYERS_MAX) {
		bl_fail(err, BL_E_TOO_BIG, "RootFS.Layers: %zu layers, more than %u", n,
		        IMAGE_LAYERS_MAX);
		goto out;
	}
	r.layers = bl_calloc(n ? n : 1, sizeof(*r.layers));
	for (size_t i = 0; i < n; i++) {
		const char *s = json_string_value(json_array_get(layers, i));
		if (!s || !bl_digest_parse(s, &r.layers[i], err)) {
			if (!s)
				bl_fail(err, BL_E_FORMAT, "expected a digest string");
			bl_error_prefix(err, "RootFS.Layers[%zu]", i);
			goto out;
		}
		r.nlayers++;
	}
	strings_into(bl_json_arr(j, "RepoTags"), &r.tags);
	strings_into(bl_json_arr(j, "RepoDigests"), &r.digests);
	r.os = dup_or_null(bl_json_str(j, "Os"));
	r.arch = dup_or_null(bl_json_str(j, "Architecture"));
	r.variant = dup_or_null(bl_json_str(j, "Variant"));
	int64_t size;
	if (bl_json_int(j, "Size", &size) && size >= 0)
		r.size = size;
	json_t *target = bl_json_obj(j, "Descriptor");
	if (target) {
		if (!bl_descriptor_parse(target, "Descriptor", &r.target, err))
			goto out;
		r.has_target = true;
	}
	*im = r;
	memset(&r, 0, sizeof(r));
	ok = true;
out:
	if (!ok)
		bl_dockerd_image_fini(&r);
	json_decref(j);
	return ok;
}

char *bl_dockerd_error_message(const void *data, size_t len)
{
	json_t *j = bl_json_parse(data, len, 1u << 20, NULL);
	const char *m = bl_json_str(j, "message");
	char *out = NULL;
	if (m && *m) {
		char *cut = bl_strndup(m, strnlen(m, MESSAGE_MAX));
		out = bl_text_safe(cut);
		free(cut);
	}
	json_decref(j);
	return out;
}

/* Levenshtein distance of two short strings, stopping at `cap`. */
static size_t distance(const char *a, const char *b, size_t cap)
{
	size_t la = strlen(a), lb = strlen(b);
	if (la > 256 || lb > 256)
		return cap;
	size_t row[257];
	for (size_t j = 0; j <= lb; j++)
		row[j] = j;
	for (size_t i = 1; i <= la; i++) {
		size_t diag = row[0], best = row[0] = i;
		for (size_t j = 1; j <= lb; j++) {
			size_t up = row[j];
			size_t v = diag + (a[i - 1] != b[j - 1]);
			if (row[j - 1] + 1 < v)
				v = row[j - 1] + 1;
			if (up + 1 < v)
				v = up + 1;
			row[j] = v;
			diag = up;
			if (v < best)
				best = v;
		}
		if (best >= cap)
			return cap;
	}
	return row[lb] < cap ? row[lb] : cap;
}

/* "repo" of "host/repo:tag" (without the tag; a ':' after the last '/'). */
static size_t repo_len(const char *s)
{
	const char *slash = strrchr(s, '/');
	const char *colon = strrchr(slash ? slash : s, ':');
	return colon ? (size_t)(colon - s) : strlen(s);
}

/* The name without a registry host part podman and docker add. */
static const char *short_name(const char *s)
{
	static const char *const hosts[] = {"docker.io/library/", "docker.io/", "localhost/"};
	for (size_t i = 0; i < sizeof(hosts) / sizeof(hosts[0]); i++)
		if (!strncmp(s, hosts[i], strlen(hosts[i])))
			return s + strlen(hosts[i]);
	return s;
}

struct cand {
	size_t score;
	const char *name;
};

static int cmp_cand(const void *x, const void *y)
{
	const struct cand *a = x, *b = y;
	if (a->score != b->score)
		return a->score < b->score ? -1 : 1;
	return strcmp(a->name, b->name);
}

/* Lower is closer; (size_t)-1 not close. */
static size_t closeness(const char *tag, const char *want)
{
	const char *t = short_name(tag), *w = short_name(want);
	size_t tr = repo_len(t), wr = repo_len(w);
	if (tr == wr && !strncmp(t, w, tr))
		return 0; /* the same repository, another tag */
	if (strstr(t, w) || strstr(w, t))
		return 1;
	size_t cap = strlen(w) / 3 + 2;
	size_t d = distance(t, w, cap + 1);
	return d <= cap ? 2 + d : (size_t)-1;
}

void bl_dockerd_close_names(
        const void *data, size_t len, const char *want, size_t max, struct bl_vec *names)
{
	json_t *j = bl_json_parse(data, len, 64u << 20, NULL);
	if (!json_is_array(j) || !want || !*want || max == 0) {
		json_decref(j);
		return;
	}
	size_t cap = 64, n = 0;
	struct cand *c = bl_malloc(cap * sizeof(*c));
	size_t i, k;
	json_t *im, *tag;
	json_array_foreach(j, i, im)
	{
		json_array_foreach(bl_json_arr(im, "RepoTags"), k, tag)
		{
			const char *s = json_string_value(tag);
			if (!s || !*s || !strcmp(s, "<none>:<none>"))
				continue;
			size_t score = closeness(s, want);
			if (score == (size_t)-1)
				continue;
			if (n == cap) {
				cap *= 2;
				c = bl_realloc(c, cap * sizeof(*c));
			}
			c[n++] = (struct cand){score, s};
		}
	}
	qsort(c, n, sizeof(*c), cmp_cand);
	for (size_t x = 0, added = 0; x < n && added < max; x++) {
		if (x > 0 && !strcmp(c[x].name, c[x - 1].name))
			continue;
		bl_vec_push_take(names, bl_strdup(c[x].name));
		added++;
	}
	free(c);
	json_decref(j);
}
