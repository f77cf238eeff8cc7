/* changeset.c, waste.c, filetree.c: layers written here as entry lists
 * (what bl_layerfiles_read makes of a tar), then change sets, whiteouts,
 * opaque directories, hard links, dive's figures worked out by hand from
 * dive's definitions, the exact shadowed bytes, and the tree. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "bakelens/changeset.h"
#include "bakelens/filetree.h"
#include "bakelens/mem.h"

static bool near(double a, double b)
{
	return a - b < 1e-12 && b - a < 1e-12;
}

static int by_path(const void *a, const void *b)
{
	return strcmp(
	        ((const struct bl_file_entry *)a)->path, ((const struct bl_file_entry *)b)->path);
}

/* One layer from "path:type:size[:link]" strings (type f, d, l, h). */
static void layer(struct bl_image_files *f, const char *const *ents)
{
	struct bl_file_list l;
	bl_file_list_init(&l);
	for (size_t i = 0; ents[i]; i++) {
		char *s = bl_strdup(ents[i]);
		char *path = strtok(s, ":"), *type = strtok(NULL, ":"), *size = strtok(NULL, ":"),
		     *link = strtok(NULL, ":");
		l.items = bl_realloc(l.items, (l.len + 1) * sizeof *l.items);
		struct bl_file_entry *e = &l.items[l.len++];
		memset(e, 0, sizeof *e);
		e->path = bl_arena_strdup(&l.arena, path);
		e->type = *type == 'd'   ? BL_FILE_DIR
		          : *type == 'l' ? BL_FILE_SYMLINK
		          : *type == 'h' ? BL_FILE_HARDLINK
		                         : BL_FILE_REGULAR;
		e->size = atoll(size);
		e->mode = 0644;
		e->seq = (uint32_t)i;
		if (link)
			e->linkname = bl_arena_strdup(&l.arena, link);
		l.content_bytes += (uint64_t)e->size;
		free(s);
	}
	l.cap = l.len;
	qsort(l.items, l.len, sizeof *l.items, by_path);
	bl_image_files_add_take(f, &l, 1);
}

static const struct bl_change *change(const struct bl_changeset *c, const char *path)
{
	for (size_t i = 0; i < c->len; i++)
		if (strcmp(c->items[i].path, path) == 0)
			return &c->items[i];
	return NULL;
}

static void test_whiteouts_say_what_they_delete(void **state)
{
	(void)state;
	struct bl_image_files f;
	bl_image_files_init(&f);
	layer(&f, (const char *[]){
	                  "a:f:100", "d:d:0", "d/x:f:10", "d/s:d:0", "d/s/y:f:20", "k:f:1", NULL});
	layer(&f, (const char *[]){
	                  ".wh.a:f:0", ".wh.d:f:0", ".wh.nothing:f:0", "k:f:2", "n:f:3", NULL});
	struct bl_changeset c;
	bl_changeset_init(&c);
	bl_changeset_compute(&f, 1, &c);
	const struct bl_change *x = change(&c, "a");
	assert_non_null(x);
	assert_int_equal(x->kind, BL_CHANGE_DELETED);
	assert_int_equal(x->cause, BL_DELETE_WHITEOUT);
	assert_int_equal(x->del_entries, 1);
	assert_int_equal(x->del_bytes, 100);
	assert_int_equal(x->lower->layer, 0);
	x = change(&c, "d"); /* a directory: everything under it, one line */
	assert_int_equal(x->kind, BL_CHANGE_DELETED);
	assert_int_equal(x->del_entries, 4);
	assert_int_equal(x->del_bytes, 30);
	assert_null(change(&c, "d/x"));
	assert_null(change(&c, "d/s/y"));
	x = change(&c, "nothing"); /* a whiteout of a path no layer has */
	assert_int_equal(x->kind, BL_CHANGE_DELETED);
	assert_null(x->lower);
	assert_int_equal(x->del_entries, 0);
	assert_int_equal(change(&c, "k")->kind, BL_CHANGE_MODIFIED);
	assert_int_equal(change(&c, "k")->what, BL_FMETA_SIZE);
	assert_int_equal(change(&c, "n")->kind, BL_CHANGE_ADDED);
	assert_int_equal(c.counts[BL_CHANGE_DELETED], 3);
	assert_int_equal(c.deleted_entries, 5);
	assert_int_equal(c.deleted_bytes, 130);
	/* Sorted, and no whiteout name survives the merge. */
	for (size_t i = 1; i < c.len; i++)
		assert_true(strcmp(c.items[i - 1].path, c.items[i].path) < 0);
	for (size_t i = 0; i < c.upper.len; i++)
		assert_null(strstr(c.upper.items[i].path, ".wh."));
	bl_changeset_fini(&c);
	bl_image_files_fini(&f);
}

static void test_opaque_directory_and_replaced_directory(void **state)
{
	(void)state;
	struct bl_image_files f;
	bl_image_files_init(&f);
	layer(&f, (const char *[]){"o:d:0", "o/old:f:5", "o/same:f:6", "r:d:0", "r/in:f:7", NULL});
	layer(&f, (const char *[]){"o:d:0", "o/.wh..wh..opq:f:0", "o/same:f:6", "r:f:9", NULL});
	struct bl_changeset c;
	bl_changeset_init(&c);
	bl_changeset_compute(&f, 1, &c);
	const struct bl_change *x = change(&c, "o/old");
	assert_int_equal(x->kind, BL_CHANGE_DELETED);
	assert_int_equal(x->cause, BL_DELETE_OPAQUE);
	assert_int_equal(x->del_bytes, 5);
	assert_int_equal(change(&c, "o/same")->kind, BL_CHANGE_SAME); /* put back as it was */
	assert_int_equal(change(&c, "r")->kind, BL_CHANGE_MODIFIED);
	assert_true(change(&c, "r")->what & BL_FMETA_TYPE);
	x = change(&c, "r/in");
	assert_int_equal(x->kind, BL_CHANGE_DELETED);
	assert_int_equal(x->cause, BL_DELETE_REPLACED);
	bl_changeset_fini(&c);
	bl_image_files_fini(&f);
}

static void test_hard_link_whose_target_goes_is_marked(void **state)
{
	(void)state;
	struct bl_image_files f;
	bl_image_files_init(&f);
	layer(&f, (const char *[]){"t:f:600", "h:h:0:t", "u:f:1", "v:h:0:u", NULL});
	layer(&f, (const char *[]){".wh.t:f:0", "u:f:2", NULL});
	struct bl_file_list m;
	bl_file_list_init(&m);
	bl_image_files_merged(&f, 0, &m);
	assert_int_equal(bl_file_list_find(&m, "h")->link_state, BL_LINK_OK);
	bl_file_list_fini(&m);
	bl_file_list_init(&m);
	bl_image_files_merged(&f, 1, &m);
	assert_null(bl_file_list_find(&m, "t"));
	assert_int_equal(bl_file_list_find(&m, "h")->link_state, BL_LINK_GONE);
	assert_int_equal(bl_file_list_find(&m, "v")->link_state, BL_LINK_REPLACED);
	bl_file_list_fini(&m);
	bl_image_files_fini(&f);
}

/* dive: a: 100, then its whiteout (a file: 0), then 40: cumulative 140,
 * minimum 0. The whiteout of directory d sizes d's nodes under it (0 + 10 +
 * 20), and d appears once. minimums 0+10+20+30+5, cumulatives 140+10+20+30+5. */
static void test_dive_figures_by_hand(void **state)
{
	(void)state;
	struct bl_image_files f;
	bl_image_files_init(&f);
	layer(&f, (const char *[]){"a:f:100", "d:d:0", "d/x:f:10", "d/y:f:20", NULL});
	layer(&f, (const char *[]){".wh.a:f:0", ".wh.d:f:0", "b:f:5", NULL});
	layer(&f, (const char *[]){"a:f:40", NULL});
	struct bl_waste w;
	bl_waste_init(&w);
	bl_waste_compute(&f, &w);
	assert_true(near(w.efficiency, 65.0 / 205.0));
	assert_int_equal(w.size_bytes, 175);
	assert_int_equal(w.user_size_bytes, 45);
	assert_int_equal(w.wasted_bytes, 140);
	assert_true(near(w.user_wasted_percent, 140.0 / 45.0));
	assert_int_equal(w.nineff, 1);
	assert_string_equal(w.ineff[0].path, "a");
	assert_int_equal(w.ineff[0].count, 3);
	assert_int_equal(w.ineff[0].cumulative, 140);
	/* The exact figure: a (100), d/x and d/y (30) shipped by layer 1, gone. */
	assert_int_equal(w.shadowed_bytes, 130);
	assert_int_equal(w.shadowed_files, 3);
	assert_int_equal(w.layer_shadowed_bytes[0], 130);
	assert_int_equal(w.layer_shadowed_bytes[2], 0);
	assert_string_equal(w.shadowed[0].path, "a");
	assert_int_equal(w.shadowed[0].by_layer, 1);
	bl_waste_fini(&w);
	bl_image_files_fini(&f);
}

/* dive stops visiting a layer at a whiteout of a path the layers under it
 * lack, leaving that path's minimum at -1: ".wh.zz" sorts before "b", so b
 * is never counted. minimums 7 - 1, cumulatives 7. */
static void test_dive_failed_whiteout_stops_the_layer(void **state)
{
	(void)state;
	struct bl_image_files f;
	bl_image_files_init(&f);
	layer(&f, (const char *[]){"a:f:7", NULL});
	layer(&f, (const char *[]){".wh.zz:f:0", "b:f:3", NULL});
	struct bl_waste w;
	bl_waste_init(&w);
	bl_waste_compute(&f, &w);
	assert_true(near(w.efficiency, 6.0 / 7.0));
	assert_int_equal(w.wasted_bytes, 0);
	assert_int_equal(w.size_bytes, 10);
	assert_int_equal(w.user_wasted_percent, 0);
	bl_waste_fini(&w);
	/* No user bytes and nothing wasted: Go's 0/0. */
	struct bl_image_files g;
	bl_image_files_init(&g);
	layer(&g, (const char *[]){"a:f:7", NULL});
	bl_waste_init(&w);
	bl_waste_compute(&g, &w);
	assert_true(isnan(w.user_wasted_percent));
	assert_true(w.efficiency == 1.0);
	bl_waste_fini(&w);
	bl_image_files_fini(&g);
	bl_image_files_fini(&f);
}

static void test_tree_order_children_and_sizes(void **state)
{
	(void)state;
	struct bl_image_files f;
	bl_image_files_init(&f);
	layer(&f, (const char *[]){"a:d:0", "a/b:f:5", "a/c/d:f:7", "a-c:f:100", NULL});
	struct bl_filetree t;
	bl_filetree_build(&f.layers[0], &t);
	const char *order[] = {"a", "a/b", "a/c", "a/c/d", "a-c"};
	assert_int_equal(t.len, 5);
	for (size_t i = 0; i < 5; i++)
		assert_string_equal(t.nodes[i].path, order[i]);
	assert_int_equal(t.nodes[0].bytes, 12);
	assert_int_equal(t.nodes[0].entries, 4);
	assert_int_equal(t.nodes[0].nchildren, 2);
	assert_null(t.nodes[2].entry); /* implied by a/c/d */
	assert_int_equal(t.nodes[2].depth, 1);
	assert_int_equal(t.nodes[t.nodes[0].first_child].next_sibling, 2);
	assert_int_equal(t.nodes[0].next_sibling, 4);
	assert_int_equal(t.bytes, 112);
	bl_filetree_fini(&t);
	bl_image_files_fini(&f);
}

static void test_layer_numbers_count_from_one(void **state)
{
	(void)state;
	size_t i = 99;
	assert_false(bl_layer_number_index(0, 3, &i));
	assert_true(bl_layer_number_index(1, 3, &i));
	assert_int_equal(i, 0);
	assert_true(bl_layer_number_index(-1, 3, &i));
	assert_int_equal(i, 2);
	assert_true(bl_layer_number_index(-3, 3, &i));
	assert_int_equal(i, 0);
	assert_false(bl_layer_number_index(4, 3, &i));
	assert_false(bl_layer_number_index(-4, 3, &i));
	assert_false(bl_layer_number_index(1, 0, &i));
	char *r = bl_layer_number_range(3);
	assert_string_equal(r, "(1 to 3, or -1 to -3)");
	free(r);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	        cmocka_unit_test(test_whiteouts_say_what_they_delete),
	        cmocka_unit_test(test_opaque_directory_and_replaced_directory),
	        cmocka_unit_test(test_hard_link_whose_target_goes_is_marked),
	        cmocka_unit_test(test_dive_figures_by_hand),
	        cmocka_unit_test(test_dive_failed_whiteout_stops_the_layer),
	        cmocka_unit_test(test_tree_order_children_and_sizes),
	        cmocka_unit_test(test_layer_numbers_count_from_one),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
