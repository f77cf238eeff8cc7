/* gRPC framing and status (src/store/grpc.c), and the close names of a
 * missing containerd image (src/store/containerd_names.c): pure functions,
 * fed bytes cut at every place. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>
#include <stdlib.h>
#include <string.h>

#include "../../src/store/grpc_internal.h"
#include "bakelens/mem.h"

struct got {
	size_t n;
	char msgs[8][64];
	size_t lens[8];
};

static bool collect(void *ud, const uint8_t *msg, size_t len, struct bl_error *err)
{
	struct got *g = ud;
	(void)err;
	if (g->n < 8 && len < 64) {
		memcpy(g->msgs[g->n], msg, len);
		g->lens[g->n] = len;
	}
	g->n++;
	return true;
}

/* Three messages (one empty) framed, then fed in two parts split at every
 * byte: the same messages come out whatever the cut. */
static void test_messages_survive_every_split(void **state)
{
	(void)state;
	struct bl_buf wire;
	bl_buf_init(&wire);
	bl_grpc_frame(&wire, "hello", 5);
	bl_grpc_frame(&wire, "", 0);
	bl_grpc_frame(&wire, "world!", 6);
	assert_int_equal(wire.len, 5 + 5 + 5 + 0 + 5 + 6);
	/* The prefix: flag 0 and the big-endian length. */
	assert_memory_equal(wire.data, "\0\0\0\0\5hello", 10);
	for (size_t cut = 0; cut <= wire.len; cut++) {
		struct bl_grpc_reader r;
		bl_grpc_reader_init(&r, 100);
		struct got g = {0};
		struct bl_error err;
		assert_true(bl_grpc_reader_feed(&r, wire.data, cut, collect, &g, &err));
		assert_true(bl_grpc_reader_feed(
		        &r, wire.data + cut, wire.len - cut, collect, &g, &err));
		assert_int_equal(g.n, 3);
		assert_int_equal(g.lens[0], 5);
		assert_memory_equal(g.msgs[0], "hello", 5);
		assert_int_equal(g.lens[1], 0);
		assert_int_equal(g.lens[2], 6);
		assert_memory_equal(g.msgs[2], "world!", 6);
		assert_true(bl_grpc_reader_idle(&r));
		bl_grpc_reader_fini(&r);
	}
	bl_buf_fini(&wire);
}

/* A stream cut inside a prefix or a message is not idle: the caller knows
 * the answer was truncated. */
static void test_truncated_frame_is_not_idle(void **state)
{
	(void)state;
	struct bl_grpc_reader r;
	bl_grpc_reader_init(&r, 100);
	struct got g = {0};
	struct bl_error err;
	assert_true(bl_grpc_reader_feed(&r,
	        "\0\0\0\0\x0a"
	        "abc",
	        8, collect, &g, &err));
	assert_int_equal(g.n, 0);
	assert_false(bl_grpc_reader_idle(&r));
	bl_grpc_reader_fini(&r);
	bl_grpc_reader_init(&r, 100);
	assert_true(bl_grpc_reader_feed(&r, "\0\0", 2, collect, &g, &err));
	assert_false(bl_grpc_reader_idle(&r));
	bl_grpc_reader_fini(&r);
}

/* Over the cap: refused from the prefix alone, before any of it is kept. */
static void test_huge_message_is_refused_at_its_prefix(void **state)
{
	(void)state;
	struct bl_grpc_reader r;
	bl_grpc_reader_init(&r, BL_GRPC_MSG_MAX);
	struct got g = {0};
	struct bl_error err;
	assert_false(bl_grpc_reader_feed(&r, "\0\x7f\xff\xff\xff", 5, collect, &g, &err));
	assert_int_equal(err.code, BL_E_TOO_BIG);
	assert_non_null(strstr(err.msg, "2147483647"));
	assert_int_equal(r.msg.len, 0);
	bl_grpc_reader_fini(&r);
	/* Exactly the cap is accepted. */
	bl_grpc_reader_init(&r, 4);
	assert_true(bl_grpc_reader_feed(&r, "\0\0\0\0\4abcd", 9, collect, &g, &err));
	assert_int_equal(g.n, 1);
	bl_grpc_reader_fini(&r);
}

static void test_compressed_and_bad_flags_are_refused(void **state)
{
	(void)state;
	struct bl_grpc_reader r;
	struct got g = {0};
	struct bl_error err;
	bl_grpc_reader_init(&r, 100);
	assert_false(bl_grpc_reader_feed(&r, "\1\0\0\0\1x", 6, collect, &g, &err));
	assert_int_equal(err.code, BL_E_UNSUPPORTED);
	assert_non_null(strstr(err.msg, "compressed"));
	bl_grpc_reader_fini(&r);
	bl_grpc_reader_init(&r, 100);
	assert_false(bl_grpc_reader_feed(&r, "HTTP/1.1 400", 12, collect, &g, &err));
	assert_int_equal(err.code, BL_E_FORMAT);
	assert_non_null(strstr(err.msg, "0x48"));
	bl_grpc_reader_fini(&r);
	assert_int_equal(g.n, 0);
}

static void feed_header(struct bl_grpc_status *st, const char *line)
{
	bl_grpc_status_header(st, line, strlen(line));
}

/* Headers and trailers as libcurl hands them: status line, grpc-status,
 * a percent-encoded grpc-message (escaped for the terminal). */
static void test_status_from_headers_and_trailers(void **state)
{
	(void)state;
	struct bl_grpc_status st;
	bl_grpc_status_init(&st);
	assert_int_equal(st.code, -1);
	feed_header(&st, "HTTP/2 200 \r\n");
	feed_header(&st, "content-type: application/grpc\r\n");
	feed_header(&st, "\r\n");
	feed_header(&st, "grpc-status: 5\r\n");
	feed_header(&st, "grpc-message: content digest sha256:ab: not found%0A%1B[31m\r\n");
	assert_int_equal(st.http, 200);
	assert_true(st.content_grpc);
	assert_int_equal(st.code, BL_GRPC_NOT_FOUND);
	assert_string_equal(bl_grpc_code_name(st.code), "NOT_FOUND");
	assert_non_null(st.message);
	assert_non_null(strstr(st.message, "content digest sha256:ab: not found"));
	assert_null(strchr(st.message, '\x1b'));
	assert_null(strchr(st.message, '\n'));
	/* A status that is not a number is UNKNOWN, not OK. */
	feed_header(&st, "Grpc-Status: 0x\r\n");
	assert_int_equal(st.code, 2);
	feed_header(&st, "content-type: text/html\r\n");
	assert_false(st.content_grpc);
	feed_header(&st, "content-type: application/grpc+proto\r\n");
	assert_true(st.content_grpc);
	bl_grpc_status_fini(&st);
	assert_string_equal(bl_grpc_code_name(99), "UNKNOWN");
}

/* Close names: the same repository with another tag first, then the same
 * last component; none close gives the first few names. */
static void test_close_names(void **state)
{
	(void)state;
	const char *list[] = {"docker.io/library/busybox:1", "example.com/app:v1",
	        "example.com/other:v1", "registry.local:5000/team/app:v2", "localhost/apple:x"};
	bool near;
	char *s = ctrd_close_names(list, 5, "example.com/app:v9", 5, &near);
	assert_true(near);
	assert_string_equal(
	        s, "example.com/app:v1, registry.local:5000/team/app:v2, localhost/apple:x");
	free(s);
	s = ctrd_close_names(list, 5, "zzz", 2, &near);
	assert_false(near);
	assert_string_equal(s, "docker.io/library/busybox:1, example.com/app:v1");
	free(s);
	s = ctrd_close_names(list, 0, "zzz", 2, &near);
	assert_false(near);
	assert_string_equal(s, "");
	free(s);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	        cmocka_unit_test(test_messages_survive_every_split),
	        cmocka_unit_test(test_truncated_frame_is_not_idle),
	        cmocka_unit_test(test_huge_message_is_refused_at_its_prefix),
	        cmocka_unit_test(test_compressed_and_bad_flags_are_refused),
	        cmocka_unit_test(test_status_from_headers_and_trailers),
	        cmocka_unit_test(test_close_names),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
