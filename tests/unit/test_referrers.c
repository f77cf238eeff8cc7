/* Referrers read after loading (model.h: bl_build_referrers_read and
 * _attach_take): made apart from the tree, attached later. The registry is
 * stood in for by a store that wraps an OCI layout and says it is remote,
 * listing one referrer manifest written in the layout. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>

#include <cmocka.h>

#include "referrers_fixture.h"

static int setup(void **state)
{
	struct env *e = bl_calloc(1, sizeof *e);
	rx_setup(e);
	*state = e;
	return 0;
}

static int teardown(void **state)
{
	struct env *e = *state;
	rx_teardown(e);
	free(e);
	return 0;
}

static void test_read_apart_then_attach(void **state)
{
	struct env *e = *state;
	size_t kids = bl_node_count(e->m), msgs = e->b->messages.len;
	struct bl_referrers *r = NULL;
	struct bl_error err = {0};
	assert_true(bl_build_referrers_read(e->b, e->m, NULL, NULL, &r, &err));
	assert_int_equal(e->store.calls, 1);
	assert_int_equal(bl_referrers_count(r), 1);
	/* read, not attached: the tree is as it was */
	assert_int_equal(bl_node_count(e->m), kids);
	assert_true(e->m->referrers_pending);
	assert_int_equal(e->b->messages.len, msgs);
	assert_int_equal(bl_build_referrers_attach_take(e->b, e->m, r), 1);
	assert_int_equal(bl_node_count(e->m), kids + 1);
	assert_false(e->m->referrers_pending);
	struct bl_node *c = bl_node_child(e->m, kids);
	assert_ptr_equal(c->parent, e->m);
	assert_non_null(c->referrer);
	assert_int_equal(c->status, BL_STATUS_OK);
	assert_string_equal(c->desc.digest.str, e->store.ref.digest.str);
	assert_non_null(strstr(c->label, "application/x-test"));
	/* asked once: a second read has nothing to do */
	assert_true(bl_build_referrers_read(e->b, e->m, NULL, NULL, &r, &err));
	assert_int_equal(bl_referrers_count(r), 0);
	assert_int_equal(bl_build_referrers_attach_take(e->b, e->m, r), 0);
	assert_int_equal(e->store.calls, 1);
	assert_int_equal(bl_node_count(e->m), kids + 1);
}

static void test_attach_to_another_node_or_twice_adds_nothing(void **state)
{
	struct env *e = *state;
	size_t kids = bl_node_count(e->m);
	struct bl_referrers *r1 = NULL, *r2 = NULL;
	struct bl_error err = {0};
	assert_true(bl_build_referrers_read(e->b, e->m, NULL, NULL, &r1, &err));
	assert_true(bl_build_referrers_read(e->b, e->m, NULL, NULL, &r2, &err));
	struct bl_node *target = e->m->parent;
	assert_int_equal(bl_build_referrers_attach_take(e->b, target, r1), 0);
	assert_int_equal(bl_node_count(e->m), kids);
	assert_true(e->m->referrers_pending);
	assert_true(bl_build_referrers_read(e->b, e->m, NULL, NULL, &r1, &err));
	assert_int_equal(bl_build_referrers_attach_take(e->b, e->m, r1), 1);
	/* the second set, read before the first was attached, is dropped */
	assert_int_equal(bl_build_referrers_attach_take(e->b, e->m, r2), 0);
	assert_int_equal(bl_node_count(e->m), kids + 1);
	assert_int_equal(bl_build_referrers_attach_take(e->b, e->m, NULL), 0);
}

static void test_failure_leaves_the_node_pending(void **state)
{
	struct env *e = *state;
	e->store.fail = true;
	size_t kids = bl_node_count(e->m), msgs = e->b->messages.len;
	struct bl_referrers *r = (struct bl_referrers *)&r; /* overwritten */
	struct bl_error err = {0};
	assert_false(bl_build_referrers_read(e->b, e->m, NULL, NULL, &r, &err));
	assert_null(r);
	assert_int_equal(err.code, BL_E_NET);
	assert_non_null(strstr(err.msg, "registry answered 500"));
	assert_int_equal(bl_node_count(e->m), kids);
	assert_true(e->m->referrers_pending);
	assert_int_equal(e->b->messages.len, msgs);
	/* the call that attaches too records the failure as a message */
	size_t added = 9;
	assert_false(bl_build_read_referrers(e->b, e->m, &added, &err));
	assert_int_equal(added, 0);
	assert_int_equal(e->b->messages.len, msgs + 1);
	assert_true(e->m->referrers_pending);
	/* and asks again once the registry answers */
	e->store.fail = false;
	assert_true(bl_build_read_referrers(e->b, e->m, &added, &err));
	assert_int_equal(added, 1);
	assert_int_equal(e->store.calls, 3);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	        cmocka_unit_test_setup_teardown(test_read_apart_then_attach, setup, teardown),
	        cmocka_unit_test_setup_teardown(
	                test_attach_to_another_node_or_twice_adds_nothing, setup, teardown),
	        cmocka_unit_test_setup_teardown(
	                test_failure_leaves_the_node_pending, setup, teardown),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
