/* The compare view headless: hand-built comparison trees and builds, and
 * corpus builds compared by the engine; rows, folding, differences, the
 * detail area, the explorer's mark-and-compare and the file diff. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include <cmocka.h>
#include <stdio.h>

#include "bakelens/app.h"
#include "bakelens/compare.h"
#include "bakelens/digest.h"
#include "bakelens/text.h"
#include "bakelens/ui.h"
#include "bakelens/view.h"

/* ---- hand-built model nodes ---- */

static void mknode(struct bl_node *n, enum bl_node_kind kind, const char *label,
        struct bl_node *parent, const char *content)
{
	memset(n, 0, sizeof *n);
	n->kind = kind;
	n->label = (char *)label;
	bl_vec_init(&n->children, NULL);
	n->parent = parent;
	if (parent)
		bl_vec_push_take(&parent->children, n);
	if (content) {
		n->has_desc = true;
		n->desc.size = (int64_t)strlen(content);
		bl_digest_compute(BL_DIGEST_SHA256, content, strlen(content), &n->desc.digest);
	}
}

static void fini_node(struct bl_node *n)
{
	bl_vec_fini(&n->children);
}

/* ---- hand-built comparison nodes ---- */

static void mkcmp(struct bl_cmp_node *c, enum bl_node_kind kind, const char *label,
        struct bl_cmp_node *parent, const struct bl_node *l, const struct bl_node *r,
        enum bl_cmp_class own)
{
	memset(c, 0, sizeof *c);
	c->kind = kind;
	c->label = (char *)label;
	c->left = l;
	c->right = r;
	c->own = own;
	c->cls = own;
	c->flags = 1u << own;
	c->left_index = c->right_index = -1;
	bl_vec_init(&c->notes, NULL);
	bl_vec_init(&c->fields, NULL);
	bl_vec_init(&c->children, NULL);
	c->parent = parent;
	if (parent)
		bl_vec_push_take(&parent->children, c);
	/* Roll the class up as the engine does. */
	for (struct bl_cmp_node *p = parent; p; p = p->parent) {
		p->flags |= c->flags;
		if (c->cls > p->cls)
			p->cls = c->cls;
	}
}

static void fini_cmp(struct bl_cmp_node *c)
{
	bl_vec_fini(&c->notes);
	bl_vec_fini(&c->fields);
	bl_vec_fini(&c->children);
}

/* Left: manifest with layers a b; right: manifest with layers a b' c; and an
 * identical config with a child (to fold). */
struct hand {
	struct bl_node lm, ll1, ll2, lcfg, lcfgx;
	struct bl_node rm, rl1, rl2, rl3, rcfg, rcfgx;
	struct bl_cmp_node root, cfg, cfgx, c1, c2, c3;
};

static void hand_init(struct hand *h)
{
	mknode(&h->lm, BL_NODE_MANIFEST, "linux/amd64", NULL, "lm");
	mknode(&h->lcfg, BL_NODE_CONFIG, "config", &h->lm, "cfg");
	mknode(&h->lcfgx, BL_NODE_BLOB, "extra", &h->lcfg, "x");
	mknode(&h->ll1, BL_NODE_LAYER, "layer 1/2", &h->lm, "a");
	mknode(&h->ll2, BL_NODE_LAYER, "layer 2/2", &h->lm, "b");
	mknode(&h->rm, BL_NODE_MANIFEST, "linux/amd64", NULL, "rm");
	mknode(&h->rcfg, BL_NODE_CONFIG, "config", &h->rm, "cfg");
	mknode(&h->rcfgx, BL_NODE_BLOB, "extra", &h->rcfg, "x");
	mknode(&h->rl1, BL_NODE_LAYER, "layer 1/3", &h->rm, "a");
	mknode(&h->rl2, BL_NODE_LAYER, "layer 2/3", &h->rm, "b2");
	mknode(&h->rl3, BL_NODE_LAYER, "layer 3/3", &h->rm, "c");
	mkcmp(&h->root, BL_NODE_MANIFEST, "linux/amd64", NULL, &h->lm, &h->rm, BL_CMP_IDENTICAL);
	mkcmp(&h->cfg, BL_NODE_CONFIG, "config", &h->root, &h->lcfg, &h->rcfg, BL_CMP_IDENTICAL);
	mkcmp(&h->cfgx, BL_NODE_BLOB, "extra", &h->cfg, &h->lcfgx, &h->rcfgx, BL_CMP_IDENTICAL);
	mkcmp(&h->c1, BL_NODE_LAYER, "layer 1/2 <> 1/3", &h->root, &h->ll1, &h->rl1,
	        BL_CMP_IDENTICAL);
	mkcmp(&h->c2, BL_NODE_LAYER, "layer 2/2 <> 2/3", &h->root, &h->ll2, &h->rl2,
	        BL_CMP_CONTENT);
	mkcmp(&h->c3, BL_NODE_LAYER, "layer 3/3", &h->root, NULL, &h->rl3, BL_CMP_LAYER_ADDED);
	bl_vec_push_take(&h->c2.notes, (char *)"content changed: diff_id differs");
}

static void hand_fini(struct hand *h)
{
	struct bl_cmp_node *c[] = {&h->root, &h->cfg, &h->cfgx, &h->c1, &h->c2, &h->c3};
	for (size_t i = 0; i < sizeof c / sizeof c[0]; i++)
		fini_cmp(c[i]);
	struct bl_node *n[] = {&h->lm, &h->ll1, &h->ll2, &h->lcfg, &h->lcfgx, &h->rm, &h->rl1,
	        &h->rl2, &h->rl3, &h->rcfg, &h->rcfgx};
	for (size_t i = 0; i < sizeof n / sizeof n[0]; i++)
		fini_node(n[i]);
}

static void row_text(struct bl_canvas *c, int y, struct bl_buf *out)
{
	bl_canvas_row_text(c, y, out);
}

/* The screen column of the first occurrence of `needle` in row y, or -1
 * (counted in cells: every character here is one cell wide). */
static int col_of(struct bl_canvas *c, int y, const char *needle)
{
	size_t n = strlen(needle);
	for (int x = 0; x + (int)n <= c->w; x++) {
		size_t k = 0;
		for (; k < n; k++) {
			const struct bl_cell *cell = bl_canvas_at(c, x + (int)k, y);
			if (cell->ch[0] != needle[k] || cell->ch[1])
				break;
		}
		if (k == n)
			return x;
	}
	return -1;
}

static void test_rows_put_left_and_right_side_by_side(void **state)
{
	(void)state;
	struct hand h;
	hand_init(&h);
	bl_cmp_fold(&h.root);
	bool ascii = true;
	struct bl_view v;
	bl_cmpview_init(&v, &h.root, &ascii);
	/* root, config (folded), 3 layer rows */
	assert_int_equal(bl_cmpview_len(&v), 5);
	struct bl_canvas c;
	bl_canvas_init(&c, 90, 8);
	bl_view_draw(&v, &c, 0, 0, 90, 8, BL_ROLE_CURSOR);
	struct bl_buf b;
	bl_buf_init(&b);
	/* Row 2: layer 1/2 on the left, layer 1/3 on the right, identical. */
	row_text(&c, 2, &b);
	assert_true(b.data[0] == '=');
	char *bar = strstr(b.data, " | ");
	assert_non_null(bar);
	assert_non_null(strstr(b.data, "layer 1/2"));
	assert_true(strstr(b.data, "layer 1/2") < bar);
	assert_true(strstr(b.data, "layer 1/3") > bar);
	/* Row 3: content changed: both present, marker '~', labels changed. */
	row_text(&c, 3, &b);
	assert_true(b.data[0] == '~');
	int x = col_of(&c, 3, "layer 2/3");
	assert_true(x > 45);
	assert_int_equal(bl_canvas_at(&c, x, 3)->role, BL_ROLE_DIFF_CHANGED);
	/* The digests differ: the short digest is in diff.changed too. */
	char sd[32];
	bl_digest_short(&h.rl2.desc.digest, sd, sizeof sd);
	int dx = col_of(&c, 3, strchr(sd, ':') + 1);
	assert_true(dx > x);
	assert_int_equal(bl_canvas_at(&c, dx, 3)->role, BL_ROLE_DIFF_CHANGED);
	/* Row 4: added: nothing on the left, diff.added on the right. */
	row_text(&c, 4, &b);
	assert_true(b.data[0] == '+');
	bar = strstr(b.data, " | ");
	assert_non_null(bar);
	assert_null(strstr(b.data, "layer 2/2"));
	assert_non_null(strstr(bar, "layer 3/3"));
	int ax = col_of(&c, 4, "layer 3/3");
	assert_int_equal(bl_canvas_at(&c, ax, 4)->role, BL_ROLE_DIFF_ADDED);
	assert_int_equal(bl_canvas_at(&c, 0, 4)->role, BL_ROLE_DIFF_ADDED);
	/* The identical layer keeps its kind's colour. */
	int ix = col_of(&c, 2, "layer 1/3");
	assert_int_equal(bl_canvas_at(&c, ix, 2)->role, BL_ROLE_NODE_LAYER);
	bl_buf_fini(&b);
	bl_canvas_fini(&c);
	bl_cmpview_fini(&v);
	hand_fini(&h);
}

static void test_identical_subtree_is_one_folded_line(void **state)
{
	(void)state;
	struct hand h;
	hand_init(&h);
	bl_cmp_fold(&h.root);
	assert_true(h.root.expanded);
	assert_false(h.cfg.expanded);
	bool ascii = true;
	struct bl_view v;
	bl_cmpview_init(&v, &h.root, &ascii);
	struct bl_canvas c;
	bl_canvas_init(&c, 90, 8);
	bl_view_draw(&v, &c, 0, 0, 90, 8, BL_ROLE_CURSOR);
	struct bl_buf b;
	bl_buf_init(&b);
	row_text(&c, 1, &b);
	assert_non_null(strstr(b.data, "config"));
	assert_non_null(strstr(b.data, "identical (1 below)"));
	assert_non_null(strstr(b.data, "+ config"));
	/* Its child is hidden until the row is opened. */
	assert_int_equal(bl_cmpview_row(&v, 2, NULL), &h.c1);
	v.cursor = 1;
	assert_int_equal(bl_view_do(&v, BL_ACTION_TOGGLE), BL_HANDLED);
	int depth = -1;
	assert_ptr_equal(bl_cmpview_row(&v, 2, &depth), &h.cfgx);
	assert_int_equal(depth, 2);
	bl_view_draw(&v, &c, 0, 0, 90, 8, BL_ROLE_CURSOR);
	row_text(&c, 1, &b);
	assert_null(strstr(b.data, "identical ("));
	/* Collapse again from the child: h goes to the parent, then folds. */
	v.cursor = 2;
	assert_int_equal(bl_view_do(&v, BL_ACTION_COLLAPSE), BL_MOVED);
	assert_int_equal(v.cursor, 1);
	bl_view_do(&v, BL_ACTION_COLLAPSE);
	assert_int_equal(bl_cmpview_len(&v), 5);
	bl_buf_fini(&b);
	bl_canvas_fini(&c);
	bl_cmpview_fini(&v);
	hand_fini(&h);
}

static void test_next_and_previous_difference_open_folded_parents(void **state)
{
	(void)state;
	struct hand h;
	hand_init(&h);
	/* A difference under the (otherwise identical) config, folded away. */
	h.cfgx.own = BL_CMP_DIFFERENT;
	bl_cmp_fold(&h.root);
	h.cfg.expanded = false;
	bool ascii = false;
	struct bl_view v;
	bl_cmpview_init(&v, &h.root, &ascii);
	v.height = 10;
	assert_int_equal(bl_view_do(&v, BL_ACTION_NEXT_DIFF), BL_MOVED);
	assert_ptr_equal(bl_cmpview_node(&v), &h.cfgx);
	assert_true(h.cfg.expanded);
	assert_int_equal(bl_view_do(&v, BL_ACTION_NEXT_DIFF), BL_MOVED);
	assert_ptr_equal(bl_cmpview_node(&v), &h.c2);
	assert_int_equal(bl_view_do(&v, BL_ACTION_NEXT_DIFF), BL_MOVED);
	assert_ptr_equal(bl_cmpview_node(&v), &h.c3);
	assert_int_equal(bl_view_do(&v, BL_ACTION_NEXT_DIFF), BL_NOT_FOUND);
	assert_ptr_equal(bl_cmpview_node(&v), &h.c3);
	assert_int_equal(bl_view_do(&v, BL_ACTION_PREV_DIFF), BL_MOVED);
	assert_ptr_equal(bl_cmpview_node(&v), &h.c2);
	bl_cmpview_fini(&v);
	hand_fini(&h);
}

static void test_detail_says_class_notes_and_full_digests(void **state)
{
	(void)state;
	struct hand h;
	hand_init(&h);
	struct bl_doc d;
	bl_doc_init(&d);
	/* Narrow: the digests wrap, and are whole when the lines are joined. */
	bl_cmp_detail_build(&d, &h.c2, NULL, NULL, NULL, 40);
	struct bl_buf all, line;
	bl_buf_init(&all);
	bl_buf_init(&line);
	for (size_t i = 0; i < d.len; i++) {
		bl_doc_line_text(&d, i, &line);
		assert_true(bl_text_width(bl_buf_str(&line)) <= 40);
		/* Join continuation lines without their indent. */
		const char *t = bl_buf_str(&line);
		while (*t == ' ')
			t++;
		bl_buf_puts(&all, t);
	}
	const char *s = bl_buf_str(&all);
	assert_non_null(strstr(s, "layer content changed"));
	assert_non_null(strstr(s, "content changed: diff_id differs"));
	assert_non_null(strstr(s, h.ll2.desc.digest.str + 7));
	assert_non_null(strstr(s, h.rl2.desc.digest.str + 7));
	bl_buf_fini(&all);
	bl_buf_fini(&line);
	bl_doc_fini(&d);
	hand_fini(&h);
}

/* The role of the span holding `text` in the document, or -1. */
static int role_of(const struct bl_doc *d, const char *text)
{
	for (size_t i = 0; i < d->len; i++)
		for (size_t k = 0; k < d->lines[i].len; k++)
			if (strstr(d->lines[i].spans[k].text, text))
				return (int)d->lines[i].spans[k].role;
	return -1;
}

static void test_platform_summary_is_coloured_by_its_status(void **state)
{
	(void)state;
	struct hand h;
	hand_init(&h);
	/* A history line that says "identical" does not make the platform so. */
	struct bl_cmp_platform p = {.target = "app",
	        .platform = "linux/amd64",
	        .node = &h.root,
	        .status = BL_CMP_ROOTFS_DIFFERENT,
	        .first_divergent = 1,
	        .left_layers = 2,
	        .right_layers = 3,
	        .sentence = "cache breaks at layer 2 of 3: RUN echo identical; "
	                    "root filesystems differ"};
	h.root.platform = &p;
	struct bl_doc d;
	bl_doc_init(&d);
	/* Two nodes compared by hand: the summary on the image pair above the row. */
	bl_cmp_detail_build(&d, &h.c2, NULL, NULL, NULL, 200);
	assert_int_equal(role_of(&d, "Per platform"), BL_ROLE_HEADING);
	assert_int_equal(role_of(&d, "cache breaks at layer 2 of 3"), BL_ROLE_DIFF_CHANGED);
	/* From the engine's list, with the target named. */
	struct bl_vec list;
	bl_vec_init(&list, NULL);
	bl_vec_push_take(&list, &p);
	p.status = BL_CMP_ROOTFS_IDENTICAL;
	p.sentence = "root filesystems identical (3 layers, ChainID sha256:0)";
	bl_cmp_detail_build(&d, &h.c2, &list, NULL, NULL, 200);
	assert_int_equal(role_of(&d, "app linux/amd64"), BL_ROLE_NODE_MANIFEST);
	assert_int_equal(role_of(&d, "root filesystems identical"), BL_ROLE_DEFAULT);
	p.status = BL_CMP_ROOTFS_TIMESTAMPS_ONLY;
	p.sentence = "root filesystems differ only in file timestamps (ignored); the cache still "
	             "breaks at layer 2 of 3";
	bl_cmp_detail_build(&d, &h.c2, &list, NULL, NULL, 200);
	assert_int_equal(role_of(&d, "root filesystems differ only"), BL_ROLE_DIFF_CHANGED);
	bl_vec_fini(&list);
	h.root.platform = NULL;
	bl_doc_fini(&d);
	hand_fini(&h);
}

/* ---- through the explorer: M, =, ], q ---- */

struct two {
	struct bl_node root, t, m1, m2, l11, l12, l21, l22;
	struct bl_layer_info i11, i12, i21, i22;
	struct bl_build build;
	struct bl_settings s;
	struct bl_keymap km;
	struct bl_ui *ui;
	struct bl_canvas c;
	struct bl_buf screen;
};

static void chain(struct bl_layer_info *li, const char *diff, const struct bl_layer_info *below,
        int index, const char *created_by)
{
	li->index = index;
	li->count = 2;
	li->has_diff_id = true;
	bl_digest_compute(BL_DIGEST_SHA256, diff, strlen(diff), &li->diff_id);
	li->has_chain_id = true;
	bl_digest_chain(below ? &below->chain_id : NULL, &li->diff_id, &li->chain_id);
	li->created_by = (char *)created_by;
}

static void two_setup(struct two *f)
{
	memset(f, 0, sizeof *f);
	mknode(&f->root, BL_NODE_BUILD, "build", NULL, NULL);
	mknode(&f->t, BL_NODE_TARGET, "web", &f->root, NULL);
	mknode(&f->m1, BL_NODE_MANIFEST, "old", &f->t, "m1");
	mknode(&f->l11, BL_NODE_LAYER, "layer 1/2", &f->m1, "a");
	mknode(&f->l12, BL_NODE_LAYER, "layer 2/2", &f->m1, "b");
	mknode(&f->m2, BL_NODE_MANIFEST, "new", &f->t, "m2");
	mknode(&f->l21, BL_NODE_LAYER, "layer 1/2", &f->m2, "a");
	mknode(&f->l22, BL_NODE_LAYER, "layer 2/2", &f->m2, "b2");
	chain(&f->i11, "da", NULL, 0, "FROM scratch");
	chain(&f->i12, "db", &f->i11, 1, "RUN make old");
	chain(&f->i21, "da", NULL, 0, "FROM scratch");
	chain(&f->i22, "db2", &f->i21, 1, "RUN make new");
	f->l11.layer = &f->i11;
	f->l12.layer = &f->i12;
	f->l21.layer = &f->i21;
	f->l22.layer = &f->i22;
	f->build.root = &f->root;
	bl_vec_init(&f->build.warnings, NULL);
	bl_vec_init(&f->build.messages, NULL);
	bl_settings_init(&f->s);
	f->s.expand_depth = 3;
	bl_keymap_init(&f->km);
	bl_keymap_load_defaults(&f->km);
	f->ui = bl_ui_new(&f->s, &f->km);
	bl_ui_set_build(f->ui, &f->build, "two");
	bl_canvas_init(&f->c, 100, 30);
	bl_buf_init(&f->screen);
}

static void two_teardown(struct two *f)
{
	bl_ui_free(f->ui);
	bl_keymap_fini(&f->km);
	bl_settings_fini(&f->s);
	bl_canvas_fini(&f->c);
	bl_buf_fini(&f->screen);
	bl_vec_fini(&f->build.warnings);
	bl_vec_fini(&f->build.messages);
	struct bl_node *n[] = {&f->root, &f->t, &f->m1, &f->m2, &f->l11, &f->l12, &f->l21, &f->l22};
	for (size_t i = 0; i < sizeof n / sizeof n[0]; i++)
		fini_node(n[i]);
}

static const char *render(struct two *f)
{
	bl_ui_render(f->ui, &f->c);
	bl_buf_clear(&f->screen);
	bl_canvas_dump(&f->c, &f->screen);
	return bl_buf_str(&f->screen);
}

/* Type `ks`; what the keys caused (enum bl_ui_reaction bits). */
static unsigned keys(struct bl_ui *ui, const char *ks)
{
	unsigned react = 0;
	for (const char *k = ks; *k; k++)
		react |= bl_ui_key(ui, (unsigned char)*k);
	return react;
}

static void test_mark_then_compare_opens_the_compare_view(void **state)
{
	(void)state;
	struct two f;
	two_setup(&f);
	render(&f);
	/* = before M says what to do. */
	assert_true(bl_ui_search(f.ui, "old"));
	keys(f.ui, "=");
	assert_false(bl_ui_compare_open(f.ui));
	assert_non_null(strstr(render(&f), "Nothing marked: press M"));
	keys(f.ui, "M");
	assert_non_null(strstr(render(&f), "Marked old"));
	assert_true(bl_ui_search(f.ui, "new"));
	keys(f.ui, "=");
	assert_true(bl_ui_compare_open(f.ui));
	const char *s = render(&f);
	assert_non_null(strstr(s, "compare old"));
	/* The root row pairs the marked manifest (left) with the selected one. */
	const struct bl_cmp_node *sel = bl_ui_compare_selected(f.ui);
	assert_non_null(sel);
	assert_ptr_equal(sel->left, &f.m1);
	assert_ptr_equal(sel->right, &f.m2);
	/* ] goes to the changed layer; the detail has the cache break. */
	keys(f.ui, "]");
	sel = bl_ui_compare_selected(f.ui);
	assert_ptr_equal(sel->left, &f.l12);
	assert_ptr_equal(sel->right, &f.l22);
	s = render(&f);
	assert_non_null(strstr(s, "cache breaks at layer 2 of 2: RUN make new"));
	/* The hand-made manifests have no documents: the root pair itself is
	 * "cannot tell" (difference 1), the layer is difference 2. */
	assert_non_null(strstr(s, "difference 2 of 2"));
	/* n with no search is the next difference too; nothing after. */
	keys(f.ui, "n");
	assert_non_null(strstr(render(&f), "No next difference"));
	/* y copies the right side's digest. */
	keys(f.ui, "y");
	struct bl_copy_request req;
	assert_true(bl_ui_take_copy(f.ui, &req));
	assert_string_equal(req.text, f.l22.desc.digest.str);
	bl_copy_request_fini(&req);
	/* q closes the compare view and the tree is back. */
	unsigned react = keys(f.ui, "q");
	assert_false(bl_ui_compare_open(f.ui));
	assert_false(react & BL_UI_QUIT);
	assert_ptr_equal(bl_ui_selected(f.ui), &f.m2);
	two_teardown(&f);
}

static void test_file_diff_needs_a_layer_pair(void **state)
{
	(void)state;
	struct two f;
	two_setup(&f);
	render(&f);
	bl_ui_search(f.ui, "old");
	keys(f.ui, "M");
	bl_ui_search(f.ui, "new");
	keys(f.ui, "=F");
	assert_non_null(strstr(render(&f), "A file diff needs a layer on both sides"));
	assert_false(bl_ui_tick(f.ui));
	two_teardown(&f);
}

/* ---- corpus: --diff of two builds, and a real file diff ---- */

static char *corpus_path(const char *rel)
{
	const char *base = getenv("BL_CORPUS");
	if (!base)
		return NULL;
	char *p = malloc(strlen(base) + strlen(rel) + 2);
	sprintf(p, "%s/%s", base, rel);
	FILE *f = fopen(p, "rb");
	if (!f) {
		free(p);
		return NULL;
	}
	fclose(f);
	return p;
}

static struct bl_build *load(const char *path)
{
	struct bl_build *b = NULL;
	struct bl_error err = {0};
	struct bl_source_opts lo = {0};
	const char *args[] = {path};
	assert_true(bl_build_load(args, 1, &lo, &b, &err));
	return b;
}

static void test_diff_of_corpus_builds_shows_the_added_platform(void **state)
{
	(void)state;
	char *a = corpus_path("actions-toolkit/oci-archive/hello-oci-gzip.tar");
	char *b = corpus_path("actions-toolkit/oci-archive/hello-oci-multiplatform-gzip.tar");
	if (!a || !b) {
		free(a);
		free(b);
		skip();
	}
	struct bl_build *left = load(a), *right = load(b);
	struct bl_settings s;
	struct bl_keymap km;
	bl_settings_init(&s);
	bl_keymap_init(&km);
	bl_keymap_load_defaults(&km);
	struct bl_ui *ui = bl_ui_new(&s, &km);
	bl_ui_set_compare(ui, left, right, "single", "multi");
	struct bl_canvas c;
	bl_canvas_init(&c, 120, 40);
	bl_ui_render(ui, &c);
	struct bl_buf out;
	bl_buf_init(&out);
	bl_canvas_dump(&c, &out);
	assert_non_null(strstr(out.data, "compare single"));
	/* The added platform is a '+' row with nothing on the left. */
	bool found = false;
	for (int y = 0; y < c.h; y++) {
		struct bl_buf row;
		bl_buf_init(&row);
		bl_canvas_row_text(&c, y, &row);
		if (row.len && row.data[0] == '+' && strstr(row.data, "linux/arm64"))
			found = true;
		bl_buf_fini(&row);
	}
	assert_true(found);
	/* Per-platform sentences from the engine on the root. */
	assert_non_null(strstr(out.data, "root filesystems identical"));
	/* Walking every difference ends; Esc with nothing beneath quits. */
	int steps = 0;
	while (bl_ui_compare_selected(ui) && steps < 100) {
		const struct bl_cmp_node *before = bl_ui_compare_selected(ui);
		bl_ui_key(ui, ']');
		if (bl_ui_compare_selected(ui) == before)
			break;
		assert_int_not_equal(bl_ui_compare_selected(ui)->own, BL_CMP_IDENTICAL);
		steps++;
	}
	assert_true(steps >= 2 && steps < 100);
	assert_true(bl_ui_key(ui, BL_KEY_ESC) & BL_UI_QUIT);
	bl_buf_fini(&out);
	bl_canvas_fini(&c);
	bl_ui_free(ui);
	bl_build_free(left);
	bl_build_free(right);
	bl_keymap_fini(&km);
	bl_settings_fini(&s);
	free(a);
	free(b);
}

static const struct bl_node *find_label(
        const struct bl_node *n, const char *platform, const char *label, bool under)
{
	if (n->label && strcmp(n->label, platform) == 0)
		under = true;
	if (under && n->kind == BL_NODE_LAYER && n->label && strcmp(n->label, label) == 0)
		return n;
	for (size_t i = 0; i < n->children.len; i++) {
		const struct bl_node *r =
		        find_label(bl_vec_get(&n->children, i), platform, label, under);
		if (r)
			return r;
	}
	return NULL;
}

static void test_file_diff_of_two_corpus_layers_runs_in_the_background(void **state)
{
	(void)state;
	char *a = corpus_path("actions-toolkit/oci-archive/hello-oci-multiplatform-gzip.tar");
	if (!a)
		skip();
	struct bl_build *b = load(a);
	const struct bl_node *amd = find_label(b->root, "linux/amd64", "layer 1/1", false);
	const struct bl_node *arm = find_label(b->root, "linux/arm64", "layer 1/1", false);
	assert_non_null(amd);
	assert_non_null(arm);
	struct bl_settings s;
	struct bl_keymap km;
	bl_settings_init(&s);
	bl_keymap_init(&km);
	bl_keymap_load_defaults(&km);
	struct bl_ui *ui = bl_ui_new(&s, &km);
	bl_ui_set_build(ui, b, "corpus");
	/* Mark the amd64 layer, compare the arm64 one with it. */
	char hex[13];
	memcpy(hex, bl_digest_hex(&amd->desc.digest), 12);
	hex[12] = '\0';
	assert_true(bl_ui_search(ui, hex));
	assert_ptr_equal(bl_ui_selected(ui), amd);
	bl_ui_do(ui, BL_ACTION_MARK);
	memcpy(hex, bl_digest_hex(&arm->desc.digest), 12);
	assert_true(bl_ui_search(ui, hex));
	bl_ui_do(ui, BL_ACTION_COMPARE);
	assert_true(bl_ui_compare_open(ui));
	bl_ui_key(ui, 'F');
	/* Esc right away cancels: the job checks once more before it ends. */
	bl_ui_key(ui, BL_KEY_ESC);
	struct timespec ts = {0, 5000000};
	int n = 0;
	while (bl_ui_tick(ui) && n++ < 2000)
		nanosleep(&ts, NULL);
	struct bl_canvas c;
	bl_canvas_init(&c, 100, 40);
	bl_ui_render(ui, &c);
	struct bl_buf out;
	bl_buf_init(&out);
	bl_canvas_dump(&c, &out);
	assert_non_null(strstr(out.data, "File diff cancelled"));
	assert_true(bl_ui_compare_open(ui));
	/* Again, to the end: the detail lists the files. */
	bl_ui_key(ui, 'F');
	n = 0;
	while (bl_ui_tick(ui) && n++ < 2000)
		nanosleep(&ts, NULL);
	bl_ui_render(ui, &c);
	bl_buf_clear(&out);
	bl_canvas_dump(&c, &out);
	assert_non_null(strstr(out.data, "Files compared:"));
	assert_non_null(strstr(out.data, "Files"));
	assert_non_null(strstr(out.data, "content changed"));
	bl_buf_fini(&out);
	bl_canvas_fini(&c);
	bl_ui_free(ui);
	bl_build_free(b);
	bl_keymap_fini(&km);
	bl_settings_fini(&s);
	free(a);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	        cmocka_unit_test(test_rows_put_left_and_right_side_by_side),
	        cmocka_unit_test(test_identical_subtree_is_one_folded_line),
	        cmocka_unit_test(test_next_and_previous_difference_open_folded_parents),
	        cmocka_unit_test(test_detail_says_class_notes_and_full_digests),
	        cmocka_unit_test(test_platform_summary_is_coloured_by_its_status),
	        cmocka_unit_test(test_mark_then_compare_opens_the_compare_view),
	        cmocka_unit_test(test_file_diff_needs_a_layer_pair),
	        cmocka_unit_test(test_diff_of_corpus_builds_shows_the_added_platform),
	        cmocka_unit_test(test_file_diff_of_two_corpus_layers_runs_in_the_background),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
