/* posix_openpt and friends (XSI): a terminal for cli_json_print. */
#define _XOPEN_SOURCE 600
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "bakelens/cli.h"
#include "../../src/cli/cli_internal.h"
#include "example.h"

/* Standard output (or error) into a temporary file while a test writes. */
struct capture {
	int fd, saved;
	FILE *stream;
	FILE *tmp;
};

static void capture_start(struct capture *c, FILE *stream)
{
	c->stream = stream;
	c->fd = fileno(stream);
	fflush(stream);
	c->tmp = tmpfile();
	assert_non_null(c->tmp);
	c->saved = dup(c->fd);
	assert_true(c->saved >= 0);
	assert_true(dup2(fileno(c->tmp), c->fd) >= 0);
}

/* Restore the stream; the text written meanwhile (caller frees). */
static char *capture_end(struct capture *c)
{
	fflush(c->stream);
	dup2(c->saved, c->fd);
	close(c->saved);
	long n = ftell(c->tmp);
	if (n < 0)
		n = 0;
	char *text = calloc((size_t)n + 1, 1);
	rewind(c->tmp);
	size_t got = fread(text, 1, (size_t)n, c->tmp);
	text[got] = '\0';
	fclose(c->tmp);
	return text;
}

/* argv for bl_cli_main: "bakelens" then the arguments. */
static int run_cli(char **out, char **err, int argc, char **args)
{
	char *argv[16] = {"bakelens"};
	for (int i = 0; i < argc && i < 15; i++)
		argv[i + 1] = args[i];
	struct capture co, ce;
	capture_start(&co, stdout);
	capture_start(&ce, stderr);
	int rc = bl_cli_main(argc + 1, argv);
	*err = capture_end(&ce);
	*out = capture_end(&co);
	return rc;
}

/* A message is printed whole, however long the input it names, and escaped. */
static void test_error_is_whole_and_escaped(void **state)
{
	(void)state;
	char name[5001];
	memset(name, 'n', sizeof name - 1);
	name[sizeof name - 1] = '\0';
	name[0] = '\x1b';
	struct capture ce;
	capture_start(&ce, stderr);
	cli_error("%s: %s", name, "not found");
	char *err = capture_end(&ce);
	char *want = malloc(sizeof name + 64);
	snprintf(want, sizeof name + 64, "bakelens: \\e%s: not found\n", name + 1);
	assert_string_equal(err, want);
	free(want);
	free(err);
}

static void test_commands_and_where_they_stand(void **state)
{
	(void)state;
	assert_true(bl_cli_is_command("tree"));
	assert_true(bl_cli_is_command("ls"));
	assert_true(bl_cli_is_command("help"));
	assert_false(bl_cli_is_command("trees"));
	assert_false(bl_cli_is_command(NULL));
	/* Options and their values are skipped: the command may come after them. */
	char *a1[] = {"bakelens", "--offline", "-t", "tree", "digest", "X", NULL};
	assert_int_equal(bl_cli_command_at(6, a1), 4);
	char *a2[] = {"bakelens", "--platform=linux/amd64", "ls", "X", NULL};
	assert_int_equal(bl_cli_command_at(4, a2), 2);
	/* The first non-option is a source: no command (the explorer or tree). */
	char *a3[] = {"bakelens", "X", "tree", NULL};
	assert_int_equal(bl_cli_command_at(3, a3), 0);
	char *a4[] = {"bakelens", "--", "tree", NULL};
	assert_int_equal(bl_cli_command_at(3, a4), 0);
}

static void test_put_safe_escapes_controls(void **state)
{
	(void)state;
	struct capture c;
	capture_start(&c, stdout);
	cli_put_safe("a\033[2Jb\n");
	char *text = capture_end(&c);
	assert_null(strchr(text, '\033'));
	assert_non_null(strstr(text, "a\\e[2Jb"));
	free(text);
}

static void test_json_str_keeps_utf8_escapes_invalid(void **state)
{
	(void)state;
	json_t *j = cli_json_str("caf\xc3\xa9");
	assert_string_equal(json_string_value(j), "caf\xc3\xa9");
	json_decref(j);
	/* jansson refuses invalid UTF-8: the escaped form instead of nothing. */
	j = cli_json_str("bad\xff");
	assert_true(json_is_string(j));
	assert_string_equal(json_string_value(j), "bad\\xff");
	json_decref(j);
	j = cli_json_str(NULL);
	assert_true(json_is_null(j));
	json_decref(j);
}

static void test_json_print_to_a_pipe_is_utf8(void **state)
{
	(void)state;
	json_t *j = json_pack("{s:s, s:i}", "name", "caf\xc3\xa9\x7f", "n", 1);
	struct capture c;
	capture_start(&c, stdout);
	cli_json_print(j);
	char *text = capture_end(&c);
	/* Not a terminal: UTF-8 and DEL as they are, keys in order, a newline. */
	assert_string_equal(text, "{\n  \"name\": \"caf\xc3\xa9\x7f\",\n  \"n\": 1\n}\n");
	free(text);
	json_decref(j);
}

static void test_json_print_to_a_terminal_is_ascii(void **state)
{
	(void)state;
	int master = posix_openpt(O_RDWR | O_NOCTTY);
	if (master < 0 || grantpt(master) != 0 || unlockpt(master) != 0)
		skip();
	int slave = open(ptsname(master), O_RDWR | O_NOCTTY);
	assert_true(slave >= 0);
	fflush(stdout);
	int saved = dup(STDOUT_FILENO);
	dup2(slave, STDOUT_FILENO);
	json_t *j = json_pack("{s:s}", "k", "\xe2\x80\xae\x7f");
	cli_json_print(j);
	fflush(stdout);
	dup2(saved, STDOUT_FILENO);
	close(saved);
	json_decref(j);
	char buf[256];
	ssize_t n = read(master, buf, sizeof buf - 1);
	assert_true(n > 0);
	buf[n] = '\0';
	/* The bidi override and DEL as \u escapes: nothing can drive the terminal. */
	assert_non_null(strstr(buf, "\"k\": \"\\u202E\\u007f\""));
	close(slave);
	close(master);
}

/* The streamed writer lays a document out byte for byte as jansson lays out
 * the whole document: empty containers, nesting, keys after keys. */
static void test_json_writer_matches_a_whole_dump(void **state)
{
	(void)state;
	json_t *whole = json_pack("{s:i, s:[], s:{}, s:[i, {s:[s, {}], s:n}], s:{s:[], s:s}}", "a",
	        1, "empty", "none", "list", 2, "k", "x", "y", "obj", "in", "s", "t");
	assert_non_null(whole);
	char *want = json_dumps(whole, JSON_INDENT(2) | JSON_PRESERVE_ORDER);
	struct capture c;
	capture_start(&c, stdout);
	struct cli_jw w;
	cli_jw_init(&w);
	cli_jw_open(&w, '{');
	cli_jw_set_new(&w, "a", json_integer(1));
	cli_jw_key(&w, "empty");
	cli_jw_open(&w, '[');
	cli_jw_close(&w, ']');
	cli_jw_key(&w, "none");
	cli_jw_open(&w, '{');
	cli_jw_close(&w, '}');
	cli_jw_key(&w, "list");
	cli_jw_open(&w, '[');
	cli_jw_put_new(&w, json_integer(2));
	cli_jw_put(&w, json_array_get(json_object_get(whole, "list"), 1));
	cli_jw_close(&w, ']');
	cli_jw_key(&w, "obj");
	cli_jw_open(&w, '{');
	cli_jw_fields_new(&w, json_incref(json_object_get(whole, "obj")));
	cli_jw_close(&w, '}');
	cli_jw_close(&w, '}');
	assert_true(cli_jw_end(&w));
	char *text = capture_end(&c);
	/* the writer ends the document with a newline, jansson does not */
	size_t n = strlen(text);
	assert_true(n > 0 && text[n - 1] == '\n');
	text[n - 1] = '\0';
	assert_string_equal(text, want);
	free(text);
	free(want);
	json_decref(whole);
}

static void test_progress_line(void **state)
{
	(void)state;
	char line[256];
	cli_progress_line(line, sizeof line, "indexing archive", 1536, 4096, 3400);
	assert_string_equal(line, "bakelens: indexing archive 1.5 KiB / 4.0 KiB (3s)");
	cli_progress_line(line, sizeof line, NULL, 10, 0, 999);
	assert_string_equal(line, "bakelens: loading 10 B (0s)");
	cli_progress_line(line, sizeof line, "f: waiting for a writer", 0, 0, 2100);
	assert_string_equal(line, "bakelens: f: waiting for a writer (2s)");
	cli_progress_line(line, sizeof line, "x\033]0;T\a", 0, 0, 0);
	assert_null(strchr(line, '\033'));
}

static void test_progress_off_when_quiet_or_not_a_terminal(void **state)
{
	(void)state;
	struct bl_options o = {.quiet = true};
	struct cli_progress p;
	cli_progress_begin(&p, &o);
	assert_false(p.on);
	struct capture c;
	capture_start(&c, stderr);
	o.quiet = false;
	cli_progress_begin(&p, &o); /* stderr is now a file */
	assert_false(p.on);
	assert_true(cli_progress(&p, "reading", 1, 2));
	cli_progress_end(&p);
	char *text = capture_end(&c);
	assert_string_equal(text, "");
	free(text);
}

static void test_main_answers_options(void **state)
{
	(void)state;
	char *out, *err;
	assert_int_equal(run_cli(&out, &err, 1, (char *[]){"--version"}), BL_EXIT_OK);
	assert_string_equal(out, "bakelens " BL_VERSION "\n");
	free(out);
	free(err);

	assert_int_equal(run_cli(&out, &err, 1, (char *[]){"--help"}), BL_EXIT_OK);
	assert_non_null(
	        strstr(out, "  -t, --target NAME       the target to answer for (digest)\n"));
	assert_non_null(strstr(out, "Exit codes: 0 ok, 2 usage"));
	free(out);
	free(err);

	assert_int_equal(run_cli(&out, &err, 3, (char *[]){"tree", "--depth", "x"}), BL_EXIT_USAGE);
	assert_string_equal(err, "bakelens: --depth: expected a number from 0, got \"x\"\n");
	assert_string_equal(out, "");
	free(out);
	free(err);

	assert_int_equal(run_cli(&out, &err, 2, (char *[]){"tree", "--bogus"}), BL_EXIT_USAGE);
	assert_string_equal(err, "bakelens: --bogus: unknown option (try: bakelens --help)\n");
	free(out);
	free(err);

	assert_int_equal(run_cli(&out, &err, 1, (char *[]){"tree"}), BL_EXIT_USAGE);
	assert_string_equal(err, "bakelens: no source given (try: bakelens --help)\n");
	free(out);
	free(err);
}

static void test_main_runs_a_command_on_the_example(void **state)
{
	(void)state;
	const char *ex = example_out();
	if (!ex)
		skip();
	char *out, *err;
	char *args[] = {"--offline", "tree", "--ascii", "--depth", "1", (char *)ex};
	assert_int_equal(run_cli(&out, &err, 6, args), BL_EXIT_OK);
	assert_non_null(strstr(out, "|- latest\n"));
	/* examples/out/index.json's first entry: sha256sum of its blob, 1245 bytes */
	assert_non_null(strstr(out, "`- index  sha256:c1a5e1f62a0d  1.2 KiB\n"));
	/* Depth 1: nothing below the targets' top nodes. */
	assert_null(strstr(out, "linux/amd64"));
	assert_string_equal(err, "");
	free(out);
	free(err);

	/* An image the store does not hold: not found, exit 6. */
	char sel[4200];
	snprintf(sel, sizeof sel, "oci:%s:nope", ex);
	assert_int_equal(run_cli(&out, &err, 2, (char *[]){"digest", sel}), BL_EXIT_NOT_FOUND);
	assert_non_null(strstr(err, "no image named \"nope\""));
	free(out);
	free(err);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	        cmocka_unit_test(test_commands_and_where_they_stand),
	        cmocka_unit_test(test_error_is_whole_and_escaped),
	        cmocka_unit_test(test_put_safe_escapes_controls),
	        cmocka_unit_test(test_json_str_keeps_utf8_escapes_invalid),
	        cmocka_unit_test(test_json_print_to_a_pipe_is_utf8),
	        cmocka_unit_test(test_json_print_to_a_terminal_is_ascii),
	        cmocka_unit_test(test_json_writer_matches_a_whole_dump),
	        cmocka_unit_test(test_progress_line),
	        cmocka_unit_test(test_progress_off_when_quiet_or_not_a_terminal),
	        cmocka_unit_test(test_main_answers_options),
	        cmocka_unit_test(test_main_runs_a_command_on_the_example),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
