/* The explorer reads a manifest's referrers in the background
 * (ui_referrers.c): while the listing is held the node says so, the keys
 * still move the cursor and the tree is unchanged; Esc leaves the node
 * pending; expanding again reads the referrer and attaches it. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>

#include <cmocka.h>

#include "bakelens/keymap.h"
#include "bakelens/settings.h"
#include "bakelens/term.h"
#include "bakelens/ui.h"
#include "referrers_fixture.h"

struct uienv {
	struct env e;
	struct bl_settings s;
	struct bl_keymap km;
	struct bl_ui *ui;
	struct bl_canvas c;
	struct bl_buf screen;
};

static int setup(void **state)
{
	struct uienv *u = bl_calloc(1, sizeof *u);
	rx_setup(&u->e);
	bl_settings_init(&u->s);
	bl_keymap_init(&u->km);
	bl_keymap_load_defaults(&u->km);
	u->ui = bl_ui_new(&u->s, &u->km);
	bl_ui_set_build(u->ui, u->e.b, "test");
	bl_canvas_init(&u->c, 120, 20);
	bl_buf_init(&u->screen);
	char hex[16];
	snprintf(hex, sizeof hex, "%.12s", bl_digest_hex(&u->e.m->desc.digest));
	assert_true(bl_ui_search(u->ui, hex));
	assert_ptr_equal(bl_ui_selected(u->ui), u->e.m);
	*state = u;
	return 0;
}

static int teardown(void **state)
{
	struct uienv *u = *state;
	rx_release(&u->e); /* a job still held can end */
	bl_ui_free(u->ui);
	bl_canvas_fini(&u->c);
	bl_buf_fini(&u->screen);
	bl_keymap_fini(&u->km);
	bl_settings_fini(&u->s);
	rx_teardown(&u->e);
	free(u);
	return 0;
}

static const char *render(struct uienv *u)
{
	bl_ui_render(u->ui, &u->c);
	bl_buf_clear(&u->screen);
	bl_canvas_dump(&u->c, &u->screen);
	return bl_buf_str(&u->screen);
}

/* Tick until the job is taken in (5 s at most). */
static void settle(struct uienv *u)
{
	for (int i = 0; bl_ui_tick(u->ui) && i < 500; i++) {
		struct timespec ts = {0, 10 * 1000 * 1000};
		nanosleep(&ts, NULL);
	}
	assert_false(bl_ui_tick(u->ui));
}

static void test_held_read_keys_work_escape_then_retry(void **state)
{
	struct uienv *u = *state;
	struct bl_node *m = u->e.m;
	size_t kids = bl_node_count(m);
	u->e.store.hold = true;
	bl_ui_do(u->ui, BL_ACTION_EXPAND);
	assert_true(rx_wait_held(&u->e));
	assert_true(bl_ui_tick(u->ui)); /* running */
	const char *s = render(u);
	assert_non_null(strstr(s, "reading referrers"));
	assert_non_null(strstr(s, "Referrers:"));
	/* the keys move the cursor while the registry is silent */
	bl_ui_do(u->ui, BL_ACTION_MOVE_DOWN);
	assert_ptr_not_equal(bl_ui_selected(u->ui), m);
	bl_ui_do(u->ui, BL_ACTION_MOVE_UP);
	assert_ptr_equal(bl_ui_selected(u->ui), m);
	/* another expansion waits for the stores: the status says why */
	bl_ui_do(u->ui, BL_ACTION_EXPAND_ALL);
	assert_non_null(strstr(render(u), "Referrers are being read"));
	assert_int_equal(bl_node_count(m), kids);
	/* Esc, then the listing ends: nothing attached, the node pending */
	bl_ui_do(u->ui, BL_ACTION_BACK);
	rx_release(&u->e);
	settle(u);
	s = render(u);
	assert_non_null(strstr(s, "referrers pending"));
	assert_non_null(strstr(s, "cancelled"));
	assert_null(strstr(s, "application/x-test"));
	assert_int_equal(bl_node_count(m), kids);
	assert_true(m->referrers_pending);
	/* expanding again reads and attaches it */
	bl_ui_do(u->ui, BL_ACTION_EXPAND);
	settle(u);
	s = render(u);
	assert_non_null(strstr(s, "referrer: application/x-test"));
	assert_non_null(strstr(s, "1 referrer read"));
	assert_null(strstr(s, "referrers pending"));
	assert_int_equal(bl_node_count(m), kids + 1);
	assert_false(m->referrers_pending);
	assert_int_equal(u->e.store.calls, 2);
}

static void test_failed_read_says_why_on_the_node(void **state)
{
	struct uienv *u = *state;
	u->e.store.fail = true;
	bl_ui_do(u->ui, BL_ACTION_EXPAND);
	settle(u);
	bl_canvas_resize(&u->c, 300, 20);
	const char *s = render(u);
	assert_non_null(strstr(s, "! referrers not read: "));
	assert_non_null(strstr(s, "Referrers not read: "));
	assert_non_null(strstr(s, "registry answered 500"));
	assert_true(u->e.m->referrers_pending);
}

static void test_quit_while_held_joins(void **state)
{
	struct uienv *u = *state;
	u->e.store.hold = true;
	bl_ui_do(u->ui, BL_ACTION_EXPAND);
	assert_true(rx_wait_held(&u->e));
	rx_release(&u->e);
	bl_ui_free(u->ui); /* cancels and joins: the build is freed after */
	u->ui = bl_ui_new(&u->s, &u->km);
	assert_true(u->e.m->referrers_pending);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	        cmocka_unit_test_setup_teardown(
	                test_held_read_keys_work_escape_then_retry, setup, teardown),
	        cmocka_unit_test_setup_teardown(
	                test_failed_read_says_why_on_the_node, setup, teardown),
	        cmocka_unit_test_setup_teardown(test_quit_while_held_joins, setup, teardown),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
