/* bakelens cat SOURCE... PATH [--target T] [--platform P] [--layer N]
 *
 * A file's bytes as the image shows them (every layer merged), or as layer
 * N's tar has them, streamed from the verified layer to stdout a block at a
 * time. Symbolic links are followed inside the image, hard links read their
 * target's member. Absent or deleted: exit 6 naming the layer that deleted
 * it. A terminal gets no binary content (a NUL in the first block). */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "bakelens/buf.h"
#include "bakelens/changeset.h"
#include "bakelens/cli.h"
#include "bakelens/layerfiles.h"
#include "bakelens/layertoc.h"
#include "bakelens/mem.h"
#include "bakelens/passlist.h"
#include "bakelens/text.h"
#include "cli_internal.h"

struct sink {
	bool checked; /* the first block was looked at */
	bool tty;
	const char *path;
};

static bool write_block(void *ud, const void *buf, size_t len, struct bl_error *err)
{
	struct sink *s = ud;
	if (!s->checked) {
		s->checked = true;
		if (s->tty && memchr(buf, '\0', len)) {
			char *p = bl_text_safe(s->path);
			bl_fail(err, BL_E_USAGE,
			        "%s: binary content; not written to a terminal (redirect it: "
			        "bakelens "
			        "cat ... > FILE, or pipe it)",
			        p);
			free(p);
			return false;
		}
	}
	if (fwrite(buf, 1, len, stdout) != len || !cli_out_ok())
		return bl_fail(err, BL_E_IO, "standard output: %s", strerror(errno));
	return true;
}

/* "a/./b/../c" -> "a/c", no leading or trailing '/'. A new string. */
static char *clean_path(const char *p)
{
	struct bl_buf out;
	bl_buf_init(&out);
	char *copy = bl_strdup(p);
	char *save = NULL;
	for (char *c = strtok_r(copy, "/", &save); c; c = strtok_r(NULL, "/", &save)) {
		if (strcmp(c, ".") == 0)
			continue;
		if (strcmp(c, "..") == 0) {
			char *s = strrchr(out.data ? out.data : "", '/');
			size_t keep = s ? (size_t)(s - out.data) : 0;
			out.len = keep;
			if (out.data)
				out.data[keep] = '\0';
			continue;
		}
		bl_buf_printf(&out, "%s%s", out.len ? "/" : "", c);
	}
	free(copy);
	return bl_buf_take(&out);
}

/* Where the merged view lost `path`: the layer that deleted it, or -1 when
 * no layer ever had it. */
static long deleted_by(const struct bl_image_files *f, const char *path, long *had)
{
	struct bl_file_list acc;
	bl_file_list_init(&acc);
	long by = -1;
	*had = -1;
	for (size_t i = 0; i < f->len; i++) {
		bool before = bl_file_list_find(&acc, path) != NULL;
		bl_layerfiles_merge(&acc, &f->layers[i]);
		const struct bl_file_entry *e = bl_file_list_find(&acc, path);
		if (e)
			*had = (long)i;
		if (before && !e)
			by = (long)i;
	}
	bl_file_list_fini(&acc);
	return by;
}

/* `path` with the symbolic links on its way followed inside the image
 * (relative to their directory, or from the image's root); NULL after 40
 * links (a loop), as the kernel says ELOOP. */
static char *resolve(const struct bl_file_list *view, const char *path)
{
	char *at = bl_strdup(path);
	for (int hops = 0;; hops++) {
		if (hops == 40) {
			free(at);
			return NULL;
		}
		bool moved = false;
		for (char *s = at; *at; s++) {
			if (*s && *s != '/')
				continue;
			char *prefix = bl_strndup(at, (size_t)(s - at));
			const struct bl_file_entry *e = bl_file_list_find(view, prefix);
			if (e && e->type == BL_FILE_SYMLINK && e->linkname) {
				char *slash = strrchr(prefix, '/');
				size_t dl = slash ? (size_t)(slash - prefix) : 0;
				char *joined = e->linkname[0] == '/'
				                       ? bl_asprintf("%s%s", e->linkname, s)
				                       : bl_asprintf("%.*s/%s%s", (int)dl, prefix,
				                                 e->linkname, s);
				free(at);
				at = clean_path(joined);
				free(joined);
				moved = true;
			}
			free(prefix);
			if (moved || !*s)
				break;
		}
		if (!moved)
			break;
	}
	return at;
}

/* Whether the layer's own tar whites `path` out (or a directory above it). */
static bool whiteout_in(const struct bl_file_list *l, const char *path)
{
	for (const char *c = path;;) {
		const char *end = strchr(c, '/');
		int n = end ? (int)(end - c) : (int)strlen(c);
		char *m = bl_asprintf("%.*s.wh.%.*s", (int)(c - path), path, n, c);
		bool hit = bl_file_list_find(l, m) != NULL;
		free(m);
		if (hit)
			return true;
		if (!end)
			return false;
		c = end + 1;
	}
}

/* The file `member` of layer `ln` from the layer's TOC (layertoc.h): only
 * its chunks are read, each checked against its digest before any of it is
 * written. 1 written, 0 failed, -1 the layer has no usable TOC (read it
 * whole instead). */
static int cat_from_toc(const struct bl_options *o, const struct bl_node *ln, const char *member,
        struct sink *s, struct bl_error *err)
{
	if (!ln->has_desc || !ln->store)
		return -1;
	struct bl_layertoc t;
	bl_layertoc_init(&t);
	char sh[32];
	bl_digest_short(&ln->desc.digest, sh, sizeof sh);
	int rc = -1;
	if (!bl_layertoc_load(ln->store, &ln->desc, &t, err)) {
		bl_error_prefix(err, "layer %s", sh);
		rc = 0;
	} else if (t.kind != BL_LAYERTOC_NONE) {
		const struct bl_layertoc_entry *e = bl_layertoc_find(&t, member);
		uint64_t bytes = 0;
		if (e && e->file.type == BL_FILE_REGULAR) {
			rc = bl_layertoc_cat(
			        ln->store, &ln->desc, &t, e, write_block, s, &bytes, err);
			if (!rc && err && err->code != BL_E_IO)
				bl_error_prefix(err, "layer %s", sh);
			if (rc && o->verbose)
				fprintf(stderr, "bakelens: layer %s: read %s, %llu of %lld bytes\n",
				        sh, bl_layertoc_kind_name(t.kind),
				        (unsigned long long)(bytes + t.bytes_read),
				        (long long)ln->desc.size);
		}
	}
	bl_layertoc_fini(&t);
	return rc;
}

int cli_cmd_cat(const struct bl_options *o)
{
	if (o->nsources < 2) {
		cli_error("cat: expected SOURCE... PATH");
		return BL_EXIT_USAGE;
	}
	long layer = 0;
	if (o->layer && !cli_layer_arg(o->layer, &layer))
		return BL_EXIT_USAGE;
	struct bl_options so = *o;
	so.nsources--;
	const char *want = o->sources[o->nsources - 1];
	char *path = clean_path(want);
	char *member = NULL;
	char *safe = bl_text_safe(want);
	struct bl_build *b = NULL;
	struct bl_passlist *pass = NULL; /* standard input's layers, and the file's bytes */
	int rc;
	struct bl_error err = {0};
	struct bl_image_files f;
	bl_image_files_init(&f);
	struct bl_file_list view, one; /* one: --layer's own listing */
	bl_file_list_init(&view);
	bl_file_list_init(&one);
	if (!cli_image_load(&so, false, path, &b, &pass, &rc))
		goto out;
	const struct bl_node *m = cli_image_manifest(b, &so, &err);
	size_t idx = 0;
	if (!m || (o->layer && !cli_layer_index(layer, cli_image_layer_count(m), &idx, &err))) {
		rc = cli_fail_input(b, &so, &err);
		goto out;
	}
	/* --layer N reads that layer alone; the merged view needs them all. */
	struct bl_layerfiles_opts lo = {.layer = (int)idx, .pass = pass};
	if (o->layer ? !bl_passlist_list_node(cli_image_layer(m, idx), &lo, &one, &err)
	             : !cli_image_list_files(&so, m, pass, &f, &err)) {
		rc = cli_fail_input(b, &so, &err);
		goto out;
	}
	if (o->layer)
		bl_layerfiles_merge(&view, &one); /* whiteout entries are no files */
	else
		bl_image_files_merged(&f, f.len, &view);
	char *at = resolve(&view, path);
	if (!at) {
		bl_fail(&err, BL_E_LOOP, "%s: too many levels of symbolic links (a loop)", safe);
		rc = cli_fail_input(b, &so, &err);
		goto out;
	}
	const struct bl_file_entry *e = *at ? bl_file_list_find(&view, at) : NULL;
	if (!e) {
		long had = -1, by = o->layer ? -1 : deleted_by(&f, at, &had);
		if (by >= 0)
			bl_fail(&err, BL_E_NOT_FOUND,
			        "%s: deleted by layer %ld (it was last in layer %ld)", safe, by + 1,
			        had + 1);
		else if (o->layer && whiteout_in(&one, at))
			bl_fail(&err, BL_E_NOT_FOUND, "%s: deleted by layer %ld (a whiteout)", safe,
			        (long)idx + 1);
		else if (o->layer)
			bl_fail(&err, BL_E_NOT_FOUND, "%s: not in layer %ld", safe, (long)idx + 1);
		else
			bl_fail(&err, BL_E_NOT_FOUND, "%s: not in the image", safe);
		free(at);
		rc = cli_fail_input(b, &so, &err);
		goto out;
	}
	free(at);
	size_t from = (size_t)e->layer;
	uint32_t seq = e->seq;
	member = bl_strdup(e->path); /* the entry that holds the data */
	if (e->type == BL_FILE_HARDLINK && e->linkname) {
		/* The member that holds the data: in the link's own layer, else
		 * the target as the layers under it had it. */
		const struct bl_file_entry *t =
		        bl_file_list_find(o->layer ? &one : &f.layers[from], e->linkname);
		if (!t && from > 0 && !o->layer) {
			struct bl_file_list below;
			bl_file_list_init(&below);
			bl_image_files_merged(&f, from - 1, &below);
			const struct bl_file_entry *u = bl_file_list_find(&below, e->linkname);
			if (u && u->type == BL_FILE_REGULAR) {
				from = (size_t)u->layer;
				seq = u->seq;
				t = u;
				free(member);
				member = bl_strdup(u->path);
			}
			bl_file_list_fini(&below);
		} else if (t) {
			seq = t->seq;
			free(member);
			member = bl_strdup(t->path);
		}
		if (!t) {
			bl_fail(&err, BL_E_NOT_FOUND, "%s: a hard link to a file %s has", safe,
			        o->layer ? "not this layer" : "no layer under it");
			rc = cli_fail_input(b, &so, &err);
			goto out;
		}
	} else if (e->type != BL_FILE_REGULAR) {
		bl_fail(&err, BL_E_USAGE, "%s: a %s, not a file", safe, bl_file_type_name(e->type));
		rc = cli_fail_input(b, &so, &err);
		goto out;
	}
	struct sink s = {.tty = isatty(STDOUT_FILENO), .path = want};
	const struct bl_node *ln = cli_image_layer(m, from);
	int toc = bl_passlist_used(pass) ? -1 : cat_from_toc(o, ln, member, &s, &err);
	/* Standard input has passed: the bytes are those kept on the way. */
	if (toc == 0 || (toc < 0 && (bl_passlist_used(pass) && ln->has_desc
	                                            ? !bl_passlist_cat(pass, &ln->desc, seq,
	                                                      write_block, &s, &err)
	                                            : !bl_layerfiles_cat_node(
	                                                      ln, seq, write_block, &s, &err)))) {
		rc = err.code == BL_E_IO && !cli_out_ok() ? BL_EXIT_OK
		                                          : cli_fail_input(b, &so, &err);
		goto out;
	}
	rc = BL_EXIT_OK;
out:
	bl_file_list_fini(&view);
	bl_file_list_fini(&one);
	bl_image_files_fini(&f);
	bl_build_free(b);
	bl_passlist_free(pass);
	free(member);
	free(path);
	free(safe);
	return rc;
}
