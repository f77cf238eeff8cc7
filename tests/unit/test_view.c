/* The view core: cursor and scrolling moves, paging, search, mouse-wheel
 * scrolling and drawing, on views over a plain array of lines. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "bakelens/view.h"

/* Lines "line 0".."line N-1" (a test may change some). */
struct lines {
	size_t n;
	char text[32][16];
	int handled; /* actions the view's own handle saw */
};

static size_t arr_lines(struct bl_view *v)
{
	return ((struct lines *)v->data)->n;
}

static void arr_draw(struct bl_view *v, size_t i, struct bl_canvas *c, int x, int y, int w)
{
	bl_canvas_put(c, x, y, w, BL_ROLE_DEFAULT, ((struct lines *)v->data)->text[i]);
}

static void arr_text(struct bl_view *v, size_t i, struct bl_buf *out)
{
	bl_buf_clear(out);
	bl_buf_puts(out, ((struct lines *)v->data)->text[i]);
}

static enum bl_view_result arr_handle(struct bl_view *v, enum bl_action a)
{
	((struct lines *)v->data)->handled++;
	return a == BL_ACTION_TOGGLE ? BL_HANDLED : BL_UNHANDLED;
}

/* Finds only line 3, whatever the query. */
static bool line3_search(struct bl_view *v, const char *q, int dir, size_t *found)
{
	(void)v;
	(void)q;
	(void)dir;
	*found = 3;
	return true;
}

static const struct bl_view_ops list_ops = {
        .name = "list",
        .scope = BL_SCOPE_TREE,
        .has_cursor = true,
        .lines = arr_lines,
        .draw_line = arr_draw,
        .line_text = arr_text,
        .handle = arr_handle,
};

static const struct bl_view_ops page_ops = {
        .name = "page",
        .scope = BL_SCOPE_PAGER,
        .has_cursor = false,
        .lines = arr_lines,
        .draw_line = arr_draw,
        .line_text = arr_text,
};

static const struct bl_view_ops override_ops = {
        .name = "override",
        .scope = BL_SCOPE_TREE,
        .has_cursor = true,
        .lines = arr_lines,
        .draw_line = arr_draw,
        .search = line3_search,
};

/* A view of `ops` over `n` lines, `height` lines high. */
static void view_open(
        struct bl_view *v, const struct bl_view_ops *ops, struct lines *l, size_t n, int height)
{
	memset(l, 0, sizeof *l);
	l->n = n;
	for (size_t i = 0; i < n; i++)
		snprintf(l->text[i], sizeof l->text[i], "line %zu", i);
	bl_view_init(v, ops, l);
	v->height = height;
}

static void test_cursor_moves_and_keeps_on_screen(void **state)
{
	(void)state;
	struct lines l;
	struct bl_view v;
	view_open(&v, &list_ops, &l, 20, 5);
	assert_int_equal(bl_view_do(&v, BL_ACTION_MOVE_UP), BL_HANDLED);
	assert_int_equal(v.cursor, 0);
	assert_int_equal(bl_view_do(&v, BL_ACTION_MOVE_DOWN), BL_MOVED);
	assert_int_equal(v.cursor, 1);
	assert_int_equal(bl_view_do(&v, BL_ACTION_MOVE_LAST), BL_MOVED);
	assert_int_equal(v.cursor, 19);
	assert_int_equal(v.top, 15);
	/* at the end, down stays */
	assert_int_equal(bl_view_do(&v, BL_ACTION_MOVE_DOWN), BL_HANDLED);
	assert_int_equal(v.cursor, 19);
	assert_int_equal(bl_view_do(&v, BL_ACTION_MOVE_UP), BL_MOVED);
	assert_int_equal(v.cursor, 18);
	assert_int_equal(v.top, 15);
	assert_int_equal(bl_view_do(&v, BL_ACTION_MOVE_FIRST), BL_MOVED);
	assert_int_equal(v.cursor, 0);
	assert_int_equal(v.top, 0);
	bl_view_fini(&v);
}

/* A page is the height less one line, so one line stays in sight. */
static void test_paging_moves_by_a_page_and_stops_at_the_ends(void **state)
{
	(void)state;
	struct lines l;
	struct bl_view v;
	view_open(&v, &list_ops, &l, 20, 5);
	assert_int_equal(bl_view_do(&v, BL_ACTION_PAGE_DOWN), BL_MOVED);
	assert_int_equal(v.cursor, 4);
	assert_int_equal(v.top, 4);
	bl_view_do(&v, BL_ACTION_PAGE_DOWN);
	assert_int_equal(v.cursor, 8);
	assert_int_equal(v.top, 8);
	assert_int_equal(bl_view_do(&v, BL_ACTION_PAGE_UP), BL_MOVED);
	assert_int_equal(v.cursor, 4);
	assert_int_equal(v.top, 4);
	for (int k = 0; k < 4; k++)
		bl_view_do(&v, BL_ACTION_PAGE_DOWN);
	assert_int_equal(v.cursor, 19);
	assert_int_equal(v.top, 15);
	for (int k = 0; k < 6; k++)
		bl_view_do(&v, BL_ACTION_PAGE_UP);
	assert_int_equal(v.cursor, 0);
	assert_int_equal(v.top, 0);
	bl_view_fini(&v);
}

/* Without a cursor the moves scroll, and never past the last screenful. */
static void test_a_document_scrolls_without_a_cursor(void **state)
{
	(void)state;
	struct lines l;
	struct bl_view v;
	view_open(&v, &page_ops, &l, 20, 5);
	assert_int_equal(bl_view_do(&v, BL_ACTION_MOVE_DOWN), BL_HANDLED);
	assert_int_equal(v.top, 1);
	assert_int_equal(bl_view_do(&v, BL_ACTION_PAGE_DOWN), BL_HANDLED);
	assert_int_equal(v.top, 5);
	bl_view_do(&v, BL_ACTION_MOVE_LAST);
	assert_int_equal(v.top, 15);
	bl_view_do(&v, BL_ACTION_MOVE_DOWN);
	assert_int_equal(v.top, 15);
	bl_view_do(&v, BL_ACTION_PAGE_UP);
	assert_int_equal(v.top, 11);
	bl_view_do(&v, BL_ACTION_MOVE_FIRST);
	assert_int_equal(v.top, 0);
	assert_int_equal(v.cursor, 0);
	/* other actions: no handle, unhandled */
	assert_int_equal(bl_view_do(&v, BL_ACTION_TOGGLE), BL_UNHANDLED);
	bl_view_fini(&v);
}

static void test_clamp_follows_fewer_lines(void **state)
{
	(void)state;
	struct lines l;
	struct bl_view v;
	view_open(&v, &list_ops, &l, 20, 5);
	bl_view_do(&v, BL_ACTION_MOVE_LAST);
	l.n = 7;
	bl_view_clamp(&v);
	assert_int_equal(v.cursor, 6);
	assert_int_equal(v.top, 2);
	l.n = 3;
	bl_view_clamp(&v);
	assert_int_equal(v.cursor, 2);
	assert_int_equal(v.top, 0);
	l.n = 0;
	bl_view_clamp(&v);
	assert_int_equal(v.cursor, 0);
	assert_int_equal(v.top, 0);
	assert_int_equal(bl_view_do(&v, BL_ACTION_MOVE_DOWN), BL_HANDLED);
	assert_int_equal(v.cursor, 0);
	bl_view_fini(&v);
}

/* Search: case-insensitive substring, from the line after the cursor,
 * wrapping; n and N repeat it either way. */
static void test_search_wraps_and_repeats_both_ways(void **state)
{
	(void)state;
	struct lines l;
	struct bl_view v;
	view_open(&v, &list_ops, &l, 10, 4);
	snprintf(l.text[2], sizeof l.text[2], "a Needle");
	snprintf(l.text[7], sizeof l.text[7], "NEEDLE b");
	assert_int_equal(bl_view_search(&v, "needle", 1), BL_MOVED);
	assert_int_equal(v.cursor, 2);
	assert_string_equal(v.query, "needle");
	assert_int_equal(bl_view_do(&v, BL_ACTION_FIND_NEXT), BL_MOVED);
	assert_int_equal(v.cursor, 7);
	assert_int_equal(v.top, 4);
	assert_int_equal(bl_view_do(&v, BL_ACTION_FIND_NEXT), BL_MOVED);
	assert_int_equal(v.cursor, 2);
	assert_int_equal(bl_view_do(&v, BL_ACTION_FIND_PREV), BL_MOVED);
	assert_int_equal(v.cursor, 7);
	/* the only match is the cursor's line: found again after a full turn */
	assert_int_equal(bl_view_search(&v, "b", 1), BL_MOVED);
	assert_int_equal(v.cursor, 7);
	/* nothing: the cursor stays */
	assert_int_equal(bl_view_search(&v, "haystack", 1), BL_NOT_FOUND);
	assert_int_equal(v.cursor, 7);
	assert_int_equal(bl_view_do(&v, BL_ACTION_FIND_NEXT), BL_NOT_FOUND);
	/* an empty query does nothing */
	assert_int_equal(bl_view_search(&v, "", 1), BL_HANDLED);
	assert_int_equal(v.cursor, 7);
	bl_view_fini(&v);
	assert_null(v.query);
}

static void test_search_in_a_document_moves_the_top(void **state)
{
	(void)state;
	struct lines l;
	struct bl_view v;
	view_open(&v, &page_ops, &l, 12, 5);
	snprintf(l.text[9], sizeof l.text[9], "the end");
	assert_int_equal(bl_view_search(&v, "END", 1), BL_MOVED);
	/* line 9 wanted at the top, clamped to the last screenful */
	assert_int_equal(v.top, 7);
	assert_int_equal(bl_view_search(&v, "line 1", -1), BL_MOVED);
	assert_int_equal(v.top, 1);
	bl_view_fini(&v);
}

static void test_a_views_own_search_and_handle_are_used(void **state)
{
	(void)state;
	struct lines l;
	struct bl_view v;
	view_open(&v, &override_ops, &l, 10, 4);
	assert_int_equal(bl_view_search(&v, "anything", 1), BL_MOVED);
	assert_int_equal(v.cursor, 3);
	bl_view_fini(&v);
	bl_view_init(&v, &list_ops, &l);
	assert_int_equal(bl_view_do(&v, BL_ACTION_TOGGLE), BL_HANDLED);
	assert_int_equal(bl_view_do(&v, BL_ACTION_EXPAND_ALL), BL_UNHANDLED);
	/* core moves never reach the handle */
	bl_view_do(&v, BL_ACTION_MOVE_DOWN);
	assert_int_equal(l.handled, 2);
	bl_view_fini(&v);
}

/* The wheel scrolls the lines and drags the cursor along when it leaves. */
static void test_scroll_drags_the_cursor_and_stops_at_the_ends(void **state)
{
	(void)state;
	struct lines l;
	struct bl_view v;
	view_open(&v, &list_ops, &l, 20, 5);
	bl_view_scroll(&v, 3);
	assert_int_equal(v.top, 3);
	assert_int_equal(v.cursor, 3);
	bl_view_scroll(&v, 100);
	assert_int_equal(v.top, 15);
	assert_int_equal(v.cursor, 15);
	bl_view_do(&v, BL_ACTION_MOVE_LAST);
	bl_view_scroll(&v, -3);
	assert_int_equal(v.top, 12);
	assert_int_equal(v.cursor, 16);
	bl_view_scroll(&v, -100);
	assert_int_equal(v.top, 0);
	assert_int_equal(v.cursor, 4);
	bl_view_fini(&v);
}

/* Drawing sets the height, shows the lines from the top and paints the
 * cursor's line. */
static void test_draw_shows_the_visible_lines_and_the_cursor(void **state)
{
	(void)state;
	struct lines l;
	struct bl_view v;
	view_open(&v, &list_ops, &l, 6, 1);
	struct bl_canvas c;
	bl_canvas_init(&c, 12, 5);
	v.cursor = 5;
	bl_view_draw(&v, &c, 1, 1, 10, 3, BL_ROLE_CURSOR);
	assert_int_equal(v.height, 3);
	assert_int_equal(v.top, 3);
	struct bl_buf b;
	bl_buf_init(&b);
	bl_canvas_dump(&c, &b);
	assert_string_equal(bl_buf_str(&b), "\n line 3\n line 4\n line 5\n\n");
	assert_int_equal(bl_canvas_at(&c, 1, 3)->role, BL_ROLE_CURSOR);
	assert_int_equal(bl_canvas_at(&c, 10, 3)->role, BL_ROLE_CURSOR);
	assert_int_equal(bl_canvas_at(&c, 1, 2)->role, BL_ROLE_DEFAULT);
	/* fewer lines than rows: the rest is blank */
	l.n = 1;
	bl_view_draw(&v, &c, 1, 1, 10, 3, BL_ROLE_CURSOR);
	bl_buf_clear(&b);
	bl_canvas_dump(&c, &b);
	assert_string_equal(bl_buf_str(&b), "\n line 0\n\n\n\n");
	bl_buf_fini(&b);
	bl_canvas_fini(&c);
	bl_view_fini(&v);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	        cmocka_unit_test(test_cursor_moves_and_keeps_on_screen),
	        cmocka_unit_test(test_paging_moves_by_a_page_and_stops_at_the_ends),
	        cmocka_unit_test(test_a_document_scrolls_without_a_cursor),
	        cmocka_unit_test(test_clamp_follows_fewer_lines),
	        cmocka_unit_test(test_search_wraps_and_repeats_both_ways),
	        cmocka_unit_test(test_search_in_a_document_moves_the_top),
	        cmocka_unit_test(test_a_views_own_search_and_handle_are_used),
	        cmocka_unit_test(test_scroll_drags_the_cursor_and_stops_at_the_ends),
	        cmocka_unit_test(test_draw_shows_the_visible_lines_and_the_cursor),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
