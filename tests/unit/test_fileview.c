/* The file tree view: a layer's changes and the image as of a layer, on
 * listings made by hand; collapsing, depth, filters, search, selection by
 * path, marks, sizes and escaping, read back from a canvas. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "bakelens/changeset.h"
#include "bakelens/mem.h"
#include "bakelens/view.h"

/* Entries must come sorted by path (strcmp), as a listing leaves them. */
static void entry(struct bl_file_list *l, const char *path, enum bl_file_type t, int64_t size)
{
	if (l->len == l->cap) {
		l->cap = l->cap ? 2 * l->cap : 16;
		l->items = bl_realloc(l->items, l->cap * sizeof *l->items);
	}
	struct bl_file_entry *e = &l->items[l->len];
	memset(e, 0, sizeof *e);
	e->path = bl_arena_strdup(&l->arena, path);
	e->type = t;
	e->mode = t == BL_FILE_DIR ? 0755 : 0644;
	e->size = size;
	e->seq = (uint32_t)l->len;
	l->len++;
}

struct fixture {
	struct bl_image_files f;
	struct bl_fileview *fv;
	struct bl_view v;
	struct bl_canvas c;
	struct bl_buf screen;
	bool ascii;
};

static int setup(void **state)
{
	struct fixture *x = calloc(1, sizeof *x);
	bl_image_files_init(&x->f);
	struct bl_file_list l;
	bl_file_list_init(&l);
	entry(&l, "a", BL_FILE_DIR, 0);
	entry(&l, "a-b", BL_FILE_REGULAR, 2); /* strcmp puts it before a/x, the tree after */
	entry(&l, "a/x", BL_FILE_REGULAR, 10);
	entry(&l, "a/y", BL_FILE_REGULAR, 20);
	entry(&l, "b", BL_FILE_REGULAR, 5);
	entry(&l, "c", BL_FILE_DIR, 0);
	entry(&l, "c/deep", BL_FILE_DIR, 0);
	entry(&l, "c/deep/z", BL_FILE_REGULAR, 7);
	entry(&l, "e\x1b[7mvil", BL_FILE_REGULAR, 1);
	bl_image_files_add_take(&x->f, &l, 100);
	entry(&l, "a/.wh.x", BL_FILE_REGULAR, 0);
	entry(&l, "b", BL_FILE_REGULAR, 6);
	entry(&l, "d", BL_FILE_REGULAR, 3);
	bl_image_files_add_take(&x->f, &l, 100);
	bl_file_list_fini(&l);
	x->ascii = true;
	bl_canvas_init(&x->c, 60, 12);
	bl_buf_init(&x->screen);
	*state = x;
	return 0;
}

static int teardown(void **state)
{
	struct fixture *x = *state;
	if (x->fv) {
		bl_view_fini(&x->v);
		bl_fileview_free(x->fv);
	}
	bl_image_files_fini(&x->f);
	bl_canvas_fini(&x->c);
	bl_buf_fini(&x->screen);
	free(x);
	return 0;
}

static void open_at(struct fixture *x, size_t layer, bool merged)
{
	if (x->fv) {
		bl_view_fini(&x->v);
		bl_fileview_free(x->fv);
	}
	x->fv = bl_fileview_new(&x->f, layer, merged);
	bl_fileview_init(&x->v, x->fv, &x->ascii);
}

static const char *draw(struct fixture *x)
{
	bl_canvas_clear(&x->c, BL_ROLE_DEFAULT);
	bl_view_draw(&x->v, &x->c, 0, 0, x->c.w, x->c.h, BL_ROLE_CURSOR);
	bl_buf_clear(&x->screen);
	bl_canvas_dump(&x->c, &x->screen);
	return bl_buf_str(&x->screen);
}

/* Whether the screen has a line that starts with `start` (then spaces)
 * and ends with `end` ("" for any end). */
static bool has_line(const char *s, const char *start, const char *end)
{
	size_t sl = strlen(start), el = strlen(end);
	for (const char *p = s; *p;) {
		size_t n = strcspn(p, "\n");
		if (n >= sl + el && !strncmp(p, start, sl) && !strncmp(p + n - el, end, el) &&
		        (n == sl || p[sl] == ' '))
			return true;
		p += n + (p[n] ? 1 : 0);
	}
	return false;
}

static const char *selected(struct fixture *x)
{
	struct bl_fileview_item it;
	return bl_fileview_selected(&x->v, &it) ? it.path : "";
}

static void test_changes_mark_added_modified_and_deleted(void **state)
{
	struct fixture *x = *state;
	open_at(x, 1, false);
	const char *s = draw(x);
	/* a/ holds only the deletion; b modified, d added; nothing else */
	assert_true(has_line(s, "  - a/", " 10 B"));
	assert_true(has_line(s, "D     x  (whiteout: 1 entry, 10 B)", " 10 B"));
	assert_true(has_line(s, "M   b", " 6 B"));
	assert_true(has_line(s, "A   d", " 3 B"));
	assert_int_equal(bl_fileview_rows(x->fv), 4);
	struct bl_buf b;
	bl_buf_init(&b);
	bl_fileview_describe(x->fv, &b);
	assert_string_equal(bl_buf_str(&b), "its changes: 1 added, 1 modified, 1 deleted");
	bl_buf_fini(&b);
	struct bl_fileview_item it;
	assert_true(bl_fileview_select(&x->v, "a/x"));
	assert_true(bl_fileview_selected(&x->v, &it));
	assert_int_equal(it.kind, FV_KIND_DELETED);
	assert_non_null(it.change);
	assert_int_equal(it.change->cause, BL_DELETE_WHITEOUT);
	assert_int_equal(it.entry->layer, 0); /* what it deleted came from below */
}

static void test_merged_view_sizes_depth_and_collapse(void **state)
{
	struct fixture *x = *state;
	open_at(x, 1, true);
	const char *s = draw(x);
	/* directories at the top open, deeper ones closed; sizes summed */
	assert_true(has_line(s, "  - a/", " 20 B"));
	assert_true(has_line(s, "      y", " 20 B"));
	assert_true(has_line(s, "M   b", " 6 B"));
	assert_true(has_line(s, "    + deep/", " 7 B"));
	const char *ab = strstr(s, "  a-b "), *y = strstr(s, "      y ");
	assert_non_null(ab);
	assert_non_null(y);
	assert_true(ab > y); /* a's children first: tree order */
	assert_null(strstr(s, " z "));
	assert_null(strstr(s, " x ")); /* deleted: not in the image */
	bl_view_do(&x->v, BL_ACTION_DEPTH_MORE);
	assert_true(has_line(draw(x), "        z", " 7 B"));
	bl_view_do(&x->v, BL_ACTION_COLLAPSE_ALL);
	s = draw(x);
	assert_null(strstr(s, " y "));
	assert_non_null(strstr(s, "  + a/"));
	/* selecting a path opens what hides it */
	assert_true(bl_fileview_select(&x->v, "c/deep/z"));
	assert_string_equal(selected(x), "c/deep/z");
	assert_true(has_line(draw(x), "        z", ""));
	/* h on a file goes to its parent; h again collapses it */
	bl_view_do(&x->v, BL_ACTION_COLLAPSE);
	assert_string_equal(selected(x), "c/deep");
	bl_view_do(&x->v, BL_ACTION_COLLAPSE);
	assert_null(strstr(draw(x), " z "));
	/* a path the view has not: its nearest directory */
	assert_false(bl_fileview_select(&x->v, "a/nothing"));
	assert_string_equal(selected(x), "a");
}

static void test_filters_and_search(void **state)
{
	struct fixture *x = *state;
	open_at(x, 1, true);
	bl_view_do(&x->v, BL_ACTION_CHANGES_ONLY);
	const char *s = draw(x);
	assert_non_null(strstr(s, "M   b "));
	assert_non_null(strstr(s, "A   d "));
	assert_null(strstr(s, " y "));
	assert_null(strstr(s, " a/"));
	bl_view_do(&x->v, BL_ACTION_CHANGES_ONLY);
	bl_view_do(&x->v, BL_ACTION_CHANGE_KIND); /* added only */
	s = draw(x);
	assert_non_null(strstr(s, "A   d "));
	assert_null(strstr(s, " b "));
	bl_view_do(&x->v, BL_ACTION_CHANGE_KIND); /* modified */
	bl_view_do(&x->v, BL_ACTION_CHANGE_KIND); /* deleted: none in the image */
	assert_int_equal(bl_fileview_rows(x->fv), 0);
	bl_view_do(&x->v, BL_ACTION_CHANGE_KIND); /* all again */
	bl_fileview_set_glob(&x->v, "*z");
	s = draw(x);
	assert_non_null(strstr(s, "z "));
	assert_non_null(strstr(s, "deep/"));
	assert_null(strstr(s, " y "));
	bl_fileview_set_glob(&x->v, NULL);
	/* search finds inside collapsed directories and opens them */
	bl_view_do(&x->v, BL_ACTION_COLLAPSE_ALL);
	assert_int_equal(bl_view_search(&x->v, "DEEP/Z", 1), BL_MOVED);
	assert_string_equal(selected(x), "c/deep/z");
	assert_int_equal(bl_view_search(&x->v, "nowhere", 1), BL_NOT_FOUND);
}

static void test_hostile_names_are_escaped(void **state)
{
	struct fixture *x = *state;
	open_at(x, 0, false);
	const char *s = draw(x);
	assert_non_null(strstr(s, "A   e\\e[7mvil "));
	assert_null(strchr(s, '\x1b'));
}

int main(void)
{
#define T(f) cmocka_unit_test_setup_teardown(f, setup, teardown)
	const struct CMUnitTest tests[] = {
	        T(test_changes_mark_added_modified_and_deleted),
	        T(test_merged_view_sizes_depth_and_collapse),
	        T(test_filters_and_search),
	        T(test_hostile_names_are_escaped),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
