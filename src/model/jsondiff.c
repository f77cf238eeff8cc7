/* Where two JSON documents differ, as paths ("config.Env[2]",
 * "annotations[\"org.example.x\"]") and "path: a -> b" sentences. Knows
 * nothing of nodes or classes: the caller says where the results go and
 * what they mean. */
#include <stdlib.h>
#include <string.h>

#include "bakelens/buf.h"
#include "bakelens/mem.h"
#include "compare_internal.h"

#define NOTE_FIELDS_MAX 24 /* "field: a -> b" sentences per document */

static bool ident_key(const char *k)
{
	if (!*k)
		return false;
	for (const char *p = k; *p; p++) {
		char c = *p;
		if (!((c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') ||
		            c == '_'))
			return false;
	}
	return true;
}

static void path_key(struct bl_buf *p, const char *k)
{
	if (ident_key(k)) {
		bl_buf_printf(p, "%s%s", p->len ? "." : "", k);
		return;
	}
	bl_buf_puts(p, "[\"");
	for (const char *c = k; *c; c++) {
		if (*c == '"' || *c == '\\')
			bl_buf_putc(p, '\\');
		bl_buf_putc(p, *c);
	}
	bl_buf_puts(p, "\"]");
}

static bool is_timestamp_path(const char *path)
{
	if (strcmp(path, "created") == 0)
		return true;
	/* history[N].created */
	if (strncmp(path, "history[", 8) != 0)
		return false;
	const char *p = path + 8;
	while (*p >= '0' && *p <= '9')
		p++;
	return strcmp(p, "].created") == 0;
}

/* The annotation keys that hold a time (of the keys the OCI image spec
 * defines, only "created" does). */
static bool is_timestamp_annotation(const char *key)
{
	return strcmp(key, "org.opencontainers.image.created") == 0;
}

static void keep_field(struct cmp_jdiff *d, char *path)
{
	if (d->fields->len < d->max_fields)
		bl_vec_push_take(d->fields, path);
	else
		free(path);
}

static void jdiff_record(struct cmp_jdiff *d, const char *path, const json_t *a, const json_t *b)
{
	if (d->config && d->ignore_timestamps && is_timestamp_path(path)) {
		d->ignored++;
		return;
	}
	d->count++;
	keep_field(d, bl_strdup(path));
	if (d->noted < NOTE_FIELDS_MAX && (!a || !json_is_object(a) || !b || !json_is_object(b))) {
		bool hist = d->config && strncmp(path, "history[", 8) == 0;
		bl_vec_push_take(d->notes, cmp_words_change("", path, a, b, hist));
		d->noted++;
	}
}

static bool skipped(const struct cmp_jdiff *d, size_t depth, const char *key)
{
	if (depth != 0 || !d->skip)
		return false;
	for (const char *const *s = d->skip; *s; s++)
		if (strcmp(*s, key) == 0)
			return true;
	return false;
}

static void cut(struct bl_buf *path, size_t mark)
{
	path->len = mark;
	path->data[mark] = '\0';
}

static void jdiff_walk(
        struct cmp_jdiff *d, struct bl_buf *path, size_t depth, const json_t *a, const json_t *b)
{
	if (a && b && json_equal((json_t *)a, (json_t *)b))
		return;
	size_t mark = path->len;
	if (depth == 0 && d->config && !json_is_object(a) && !json_is_object(b)) {
		jdiff_record(d, "(document)", a, b);
		return;
	}
	if (json_is_object(a) && json_is_object(b)) {
		const char *k;
		json_t *va;
		json_object_foreach((json_t *)a, k, va)
		{
			if (skipped(d, depth, k))
				continue;
			if (depth == 0 && d->config && strcmp(k, "rootfs") == 0) {
				if (!json_equal(va, json_object_get(b, "rootfs")))
					d->rootfs = true;
				continue;
			}
			path_key(path, k);
			jdiff_walk(d, path, depth + 1, va, json_object_get(b, k));
			cut(path, mark);
		}
		json_t *vb;
		json_object_foreach((json_t *)b, k, vb)
		{
			if (json_object_get(a, k) || skipped(d, depth, k))
				continue;
			if (depth == 0 && d->config && strcmp(k, "rootfs") == 0) {
				d->rootfs = true;
				continue;
			}
			path_key(path, k);
			jdiff_record(d, bl_buf_str(path), NULL, vb);
			cut(path, mark);
		}
		return;
	}
	if (json_is_array(a) && json_is_array(b)) {
		size_t na = json_array_size(a), nb = json_array_size(b);
		for (size_t i = 0; i < na || i < nb; i++) {
			bl_buf_printf(path, "[%zu]", i);
			jdiff_walk(d, path, depth + 1, i < na ? json_array_get(a, i) : NULL,
			        i < nb ? json_array_get(b, i) : NULL);
			cut(path, mark);
		}
		return;
	}
	jdiff_record(d, path->len ? bl_buf_str(path) : "(document)", a, b);
}

size_t cmp_json_diff(struct cmp_jdiff *d, const json_t *a, const json_t *b)
{
	d->count = d->noted = d->ignored = 0;
	d->rootfs = false;
	struct bl_buf path;
	bl_buf_init(&path);
	jdiff_walk(d, &path, 0, a, b);
	bl_buf_fini(&path);
	return d->count;
}

size_t cmp_annotations_diff(struct cmp_jdiff *d, const json_t *a, const json_t *b)
{
	d->count = d->noted = d->ignored = 0;
	if (a && !json_is_object(a))
		a = NULL;
	if (b && !json_is_object(b))
		b = NULL;
	if ((!a && !b) || (a && b && json_equal((json_t *)a, (json_t *)b)))
		return 0;
	json_t *empty = json_object();
	const json_t *sides[2] = {a ? a : empty, b ? b : empty};
	for (int s = 0; s < 2; s++) {
		const char *k;
		json_t *v;
		json_object_foreach((json_t *)sides[s], k, v)
		{
			json_t *va = json_object_get(sides[0], k),
			       *vb = json_object_get(sides[1], k);
			if (s == 1 && va)
				continue; /* seen from the left */
			if ((va && vb && json_equal(va, vb)) || skipped(d, 0, k))
				continue;
			if (d->ignore_timestamps && is_timestamp_annotation(k)) {
				d->ignored++;
				continue;
			}
			d->count++;
			struct bl_buf path;
			bl_buf_init(&path);
			bl_buf_puts(&path, "annotations");
			path_key(&path, k);
			keep_field(d, bl_buf_take(&path));
			bl_buf_fini(&path);
			if (d->count <= NOTE_FIELDS_MAX)
				bl_vec_push_take(d->notes,
				        cmp_words_change("annotation ", k, va, vb, false));
		}
	}
	json_decref(empty);
	return d->count;
}
