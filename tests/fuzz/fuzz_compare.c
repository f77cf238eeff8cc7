/* libFuzzer: the comparison of two untrusted builds.
 *
 * The input is cut into sections on "\n==\n": LEFT, RIGHT, LISTINGS. LEFT
 * and RIGHT are each a build made as fuzz_manifest makes one (parts on
 * "\n--\n", blobs of an in-memory store, the first the target's root
 * document); without RIGHT the left build is compared with a copy of
 * itself. LISTINGS, one entry a line, are the two synthetic file lists
 * applied to every layer pair as its file diff:
 *     SIDE TYPE PATH [SIZE [MTIME]]   SIDE l, r or b (both), TYPE f, d or l
 * (a symlink's target is its SIZE word)
 * (without it: one file on each side differing only in mtime). Layer pairs
 * whose blobs are in the store are also listed for real and diffed.
 *
 * Each comparison (with and without ignored timestamps, both ways round)
 * is checked, and aborts when:
 *   - a node's class, own class or kind is out of its enum, a node has no
 *     side, its parent link is wrong, or its cls/flags are not the roll-up
 *     of its own class, its children and (a config that follows the layers)
 *     its sibling layers;
 *   - a text (label, notes, fields, summary, description, platform words)
 *     is not valid UTF-8, or escaped (bl_text_safe) still holds a control;
 *   - a platform summary's status does not go with its sides and layers, or
 *     its sentence shows a ChainID that is no digest;
 *   - a build compared with itself (the same object, or a second build of the
 *     same bytes) is not identical; A against B is identical and B against A
 *     is not;
 *   - moving from difference to difference does not visit each node whose
 *     own class is not identical once, in either direction;
 *   - applying a file diff reclassifies a layer without ignored timestamps,
 *     or leaves a reclassified layer's own class other than identical. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "../../src/model/compare_internal.h"
#include "bakelens/compare.h"
#include "bakelens/layerfiles.h"
#include "bakelens/text.h"
#include "fuzz_memstore.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

#define MAX_LISTING 64

static void die(const char *what, const struct bl_cmp_node *n)
{
	char *label = n ? bl_text_safe(n->label) : NULL;
	fprintf(stderr, "compare: %s (node \"%s\")\n", what, label ? label : "-");
	free(label);
	abort();
}

/* Valid UTF-8 raw, and no control once escaped. */
static void check_text(const char *what, const char *s, const struct bl_cmp_node *n)
{
	if (!s)
		die(what, n);
	size_t len = strlen(s);
	for (size_t i = 0; i < len;) {
		uint32_t cp;
		size_t k = bl_utf8_decode(s + i, len - i, &cp);
		if (!k) {
			fprintf(stderr, "compare: invalid UTF-8 at byte %zu\n", i);
			die(what, n);
		}
		i += k;
	}
	char *safe = bl_text_safe(s);
	size_t sl = strlen(safe);
	for (size_t i = 0; i < sl;) {
		uint32_t cp = 0;
		size_t k = bl_utf8_decode(safe + i, sl - i, &cp);
		if (!k || cp < 0x20 || cp == 0x7f || (cp >= 0x80 && cp < 0xa0)) {
			fprintf(stderr, "compare: %s escaped holds U+%04X\n", what, (unsigned)cp);
			die(what, n);
		}
		i += k;
	}
	free(safe);
}

static void check_texts(const struct bl_cmp_node *n)
{
	check_text("label", n->label ? n->label : "", n);
	for (size_t i = 0; i < n->notes.len; i++)
		check_text("note", bl_vec_get(&n->notes, i), n);
	for (size_t i = 0; i < n->fields.len; i++)
		check_text("field", bl_vec_get(&n->fields, i), n);
	char *s = bl_cmp_node_summary(n);
	check_text("summary", s, n);
	if (!*s)
		die("empty summary", n);
	free(s);
	s = bl_cmp_node_describe(n);
	check_text("description", s, n);
	free(s);
	const char *fw = bl_cmp_node_follow_words(n);
	if (fw)
		check_text("follow words", fw, n);
	check_text("class name", bl_cmp_class_name(n->own), n);
	check_text("class words", bl_cmp_class_words(n->cls), n);
	const struct bl_cmp_platform *p = n->platform;
	if (p) {
		check_text("platform sentence", p->sentence, n);
		check_text("platform target", p->target ? p->target : "", n);
		check_text("platform name", p->platform ? p->platform : "", n);
		if (p->divergent_created_by)
			check_text("divergent created_by", p->divergent_created_by, n);
		if (p->node != n)
			die("platform summary owned by another node", n);
	}
}

/* The roll-up of cmp_roll_up, computed again from the tree. */
static void check_node(const struct bl_cmp_node *n, size_t *differences)
{
	if ((unsigned)n->cls >= BL_CMP_CLASS_COUNT || (unsigned)n->own >= BL_CMP_CLASS_COUNT)
		die("class out of range", n);
	if ((unsigned)n->kind > BL_NODE_INFO)
		die("kind out of range", n);
	if (n->parent && !n->left && !n->right)
		die("a node with no side", n);
	if (n->own != BL_CMP_IDENTICAL)
		(*differences)++;
	enum bl_cmp_class cls = n->own;
	unsigned flags = n->own != BL_CMP_IDENTICAL ? 1u << n->own : 0;
	if (n->follows_layers && n->own == BL_CMP_IDENTICAL && n->parent) {
		for (size_t i = 0; i < n->parent->children.len; i++) {
			const struct bl_cmp_node *s = bl_vec_get(&n->parent->children, i);
			if (s->kind != BL_NODE_LAYER || !(CMP_DIFF_ID_CLASSES & 1u << s->own))
				continue;
			cls = s->own > cls ? s->own : cls;
			flags |= 1u << s->own;
		}
	}
	for (size_t i = 0; i < n->children.len; i++) {
		const struct bl_cmp_node *c = bl_vec_get(&n->children, i);
		if (c->parent != n)
			die("a child's parent link is wrong", c);
		check_node(c, differences);
		cls = c->cls > cls ? c->cls : cls;
		flags |= c->flags;
	}
	if (cls != n->cls || flags != n->flags) {
		fprintf(stderr, "compare: cls %d flags %#x, roll-up gives %d %#x\n", n->cls,
		        n->flags, cls, flags);
		die("classes are not the roll-up of the subtree", n);
	}
	check_texts(n);
}

static void check_tree(const struct bl_cmp_node *root)
{
	size_t differences = 0;
	check_node(root, &differences);
	for (int dir = -1; dir <= 1; dir += 2) {
		size_t seen = 0;
		for (const struct bl_cmp_node *d = bl_cmp_next_difference(root, NULL, dir); d;
		        d = bl_cmp_next_difference(root, d, dir)) {
			if (d->own == BL_CMP_IDENTICAL || ++seen > differences)
				die("next difference visits an identical node or one twice", d);
		}
		if (seen != differences)
			die("next difference misses a difference", root);
	}
}

static void check_cmp(const struct bl_cmp *c)
{
	check_tree(c->root);
	for (size_t i = 0; i < c->platforms.len; i++) {
		const struct bl_cmp_platform *p = bl_vec_get(&c->platforms, i);
		if (!p->node || p->node->platform != p)
			die("a platform summary without its node", p->node);
		/* A side's count is unknown when it is absent, or when its manifest
		 * was not read (then nothing about its root filesystem is known). */
		bool unread = !p->rootfs_known && (p->status == BL_CMP_ROOTFS_IDENTICAL ||
		                                          p->status == BL_CMP_ROOTFS_UNKNOWN);
		if ((p->left_layers < 0 && p->status != BL_CMP_ROOTFS_ADDED && !unread) ||
		        (p->right_layers < 0 && p->status != BL_CMP_ROOTFS_REMOVED && !unread) ||
		        (p->status == BL_CMP_ROOTFS_ADDED) != (p->left_layers < 0 && !unread) ||
		        (p->status == BL_CMP_ROOTFS_REMOVED) != (p->right_layers < 0 && !unread))
			die("a platform's status does not go with its sides", p->node);
		if (p->status == BL_CMP_ROOTFS_IDENTICAL && !p->rootfs_identical)
			die("a platform's root filesystems are identical and not", p->node);
		if (p->status == BL_CMP_ROOTFS_DIFFERENT &&
		        (p->first_divergent < 0 || (p->first_divergent >= p->left_layers &&
		                                           p->first_divergent >= p->right_layers)))
			die("a platform's first divergent layer is out of range", p->node);
		/* A ChainID shown is a digest, never an empty slot. */
		const char *chain = strstr(p->sentence, "ChainID ");
		if (chain && strncmp(chain + 8, "sha256:", 7) != 0)
			die("a platform sentence shows an empty ChainID", p->node);
	}
}

/* ---- file lists ---- */

static int entry_order(const void *a, const void *b)
{
	const struct bl_file_entry *x = a, *y = b;
	int c = strcmp(x->path, y->path);
	return c ? c : (x->seq < y->seq ? -1 : x->seq > y->seq);
}

/* Sorted, one entry a path (the later line wins, as in a tar). */
static void list_finish(struct bl_file_list *l)
{
	if (!l->len)
		return;
	qsort(l->items, l->len, sizeof *l->items, entry_order);
	size_t w = 0;
	for (size_t i = 0; i < l->len; i++) {
		if (w && strcmp(l->items[w - 1].path, l->items[i].path) == 0)
			w--;
		l->items[w++] = l->items[i];
	}
	l->len = w;
}

static void list_add(struct bl_file_list *l, char type, const char *path, int64_t size,
        int64_t mtime, const char *link)
{
	if (l->len == l->cap) {
		l->cap = l->cap ? l->cap * 2 : 16;
		l->items = bl_realloc(l->items, l->cap * sizeof *l->items);
	}
	struct bl_file_entry *e = &l->items[l->len];
	memset(e, 0, sizeof *e);
	e->path = bl_arena_strdup(&l->arena, path);
	e->type = type == 'd' ? BL_FILE_DIR : type == 'l' ? BL_FILE_SYMLINK : BL_FILE_REGULAR;
	e->linkname = type == 'l' ? bl_arena_strdup(&l->arena, link ? link : "") : NULL;
	e->mode = type == 'd' ? 0755 : 0644;
	e->size = size;
	e->mtime = mtime;
	e->layer = -1;
	e->seq = (uint32_t)l->len;
	l->len++;
}

static void parse_listings(
        const struct fuzz_part *part, struct bl_file_list *l, struct bl_file_list *r)
{
	if (!part) {
		list_add(l, 'f', "etc/os-release", 10, 1, NULL);
		list_add(r, 'f', "etc/os-release", 10, 2, NULL);
		return;
	}
	char *text = bl_strndup((const char *)part->data, part->len);
	char *save = NULL;
	size_t n = 0;
	for (char *line = strtok_r(text, "\n", &save); line && n < MAX_LISTING;
	        line = strtok_r(NULL, "\n", &save), n++) {
		char *s2 = NULL;
		char *side = strtok_r(line, " ", &s2);
		char *type = strtok_r(NULL, " ", &s2);
		char *path = strtok_r(NULL, " ", &s2);
		char *size = strtok_r(NULL, " ", &s2);
		char *mtime = strtok_r(NULL, " ", &s2);
		if (!side || !type || !path)
			continue;
		int64_t sz = size ? strtoll(size, NULL, 10) : 0;
		int64_t mt = mtime ? strtoll(mtime, NULL, 10) : 0;
		if (side[0] != 'r')
			list_add(l, type[0], path, sz, mt, size);
		if (side[0] != 'l')
			list_add(r, type[0], path, sz, mt, size);
	}
	free(text);
	list_finish(l);
	list_finish(r);
}

/* Apply one file diff to n and check what it did. */
static void apply(struct bl_cmp_node *n, const struct bl_file_list *l, const struct bl_file_list *r,
        bool ignore_ts)
{
	struct bl_file_diff d;
	bl_file_diff_init(&d);
	struct bl_file_diff_opts fo = {.ignore_timestamps = ignore_ts};
	bl_layerfiles_diff(l, r, &fo, &d);
	enum bl_cmp_class before = n->own;
	bool changed = bl_cmp_apply_file_diff(n, &d, ignore_ts);
	if (changed && (!ignore_ts || before != BL_CMP_CONTENT || n->own != BL_CMP_IDENTICAL ||
	                       d.len != 0))
		die("a file diff reclassified a layer it should not have", n);
	if (!changed && n->own != before)
		die("a file diff changed a layer yet said it did not", n);
	bl_file_diff_fini(&d);
}

/* Every layer pair below n: the synthetic lists, then its real files. */
static void apply_file_diffs(struct bl_cmp_node *n, const struct bl_file_list *l,
        const struct bl_file_list *r, bool ignore_ts, int *real_budget)
{
	if (n->kind == BL_NODE_LAYER && n->left && n->right) {
		apply(n, l, r, ignore_ts);
		if (*real_budget > 0) {
			(*real_budget)--;
			struct bl_file_list rl, rr;
			bl_file_list_init(&rl);
			bl_file_list_init(&rr);
			struct bl_layerfiles_opts lo = {.hash = true, .layer = -1};
			struct bl_error err;
			if (bl_layerfiles_list_node(n->left, &lo, &rl, &err) &&
			        bl_layerfiles_list_node(n->right, &lo, &rr, &err))
				apply(n, &rl, &rr, ignore_ts);
			bl_file_list_fini(&rl);
			bl_file_list_fini(&rr);
		}
	}
	for (size_t i = 0; i < n->children.len; i++)
		apply_file_diffs(bl_vec_get(&n->children, i), l, r, ignore_ts, real_budget);
}

/* ---- one input ---- */

static void compare(const struct bl_build *a, const struct bl_build *b,
        const struct bl_file_list *l, const struct bl_file_list *r, bool ignore_ts)
{
	struct bl_cmp_opts o = {.ignore_timestamps = ignore_ts, .max_fields = ignore_ts ? 3 : 0};
	struct bl_cmp *c = bl_cmp_builds(a, b, &o);
	check_cmp(c);
	struct bl_cmp *back = bl_cmp_builds(b, a, &o);
	check_cmp(back);
	if (bl_cmp_is_identical(c) != bl_cmp_is_identical(back))
		die("identical one way round only", c->root);
	bl_cmp_free(back);
	int real_budget = 4;
	apply_file_diffs(c->root, l, r, ignore_ts, &real_budget);
	bl_cmp_platforms_refresh(c);
	check_cmp(c);
	bl_cmp_free(c);
}

static void compare_targets(const struct bl_build *a, const struct bl_build *b, bool ignore_ts)
{
	const struct bl_node *ta = bl_node_count(a->root) ? bl_node_child(a->root, 0) : NULL;
	const struct bl_node *tb = bl_node_count(b->root) ? bl_node_child(b->root, 0) : NULL;
	if (!ta || !tb || !bl_node_count(ta) || !bl_node_count(tb))
		return;
	struct bl_cmp_opts o = {.ignore_timestamps = ignore_ts};
	struct bl_cmp_node *n = bl_cmp_nodes(bl_node_child(ta, 0), bl_node_child(tb, 0), &o);
	check_tree(n);
	bl_cmp_node_free(n);
}

static void check_identical(const struct bl_build *a, const struct bl_build *b)
{
	struct bl_cmp_opts o = {0};
	struct bl_cmp *c = bl_cmp_builds(a, b, &o);
	if (!bl_cmp_is_identical(c)) {
		const struct bl_cmp_node *d = bl_cmp_next_difference(c->root, NULL, 1);
		char *s = d ? bl_cmp_node_summary(d) : NULL;
		char *safe = bl_text_safe(s);
		fprintf(stderr, "compare: first difference: %s\n", safe);
		free(safe);
		free(s);
		die("a build compared with itself is not identical", d);
	}
	bl_cmp_free(c);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct fuzz_part sections[3];
	size_t ns = fuzz_split_on(data, size, "\n==\n", 4, sections, 3);
	struct fuzz_part lparts[MAX_PARTS], rparts[MAX_PARTS];
	size_t nl = fuzz_split(sections[0].data, sections[0].len, lparts, MAX_PARTS);
	struct bl_build *left = fuzz_build_new(lparts, nl);
	struct bl_build *again = fuzz_build_new(lparts, nl);
	struct bl_build *right = left;
	if (ns > 1) {
		size_t nr = fuzz_split(sections[1].data, sections[1].len, rparts, MAX_PARTS);
		right = fuzz_build_new(rparts, nr);
	}
	check_identical(left, left);
	check_identical(left, again);

	struct bl_file_list l, r;
	bl_file_list_init(&l);
	bl_file_list_init(&r);
	parse_listings(ns > 2 ? &sections[2] : NULL, &l, &r);
	for (int ts = 0; ts < 2; ts++) {
		compare(left, right, &l, &r, ts);
		compare_targets(left, right, ts);
	}
	bl_file_list_fini(&l);
	bl_file_list_fini(&r);
	if (right != left)
		bl_build_free(right);
	bl_build_free(again);
	bl_build_free(left);
	return 0;
}
