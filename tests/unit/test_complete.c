/* `bakelens __complete`: every candidate is something the program accepts
 * there, and the lists are whole (commands, options, --what, themes,
 * the targets and platforms of the sources on the line). */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <jansson.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "bakelens/cli.h"
#include "bakelens/model.h"
#include "bakelens/options.h"
#include "bakelens/theme.h"
#include "bakelens/vec.h"
#include "example.h"

/* Run `bakelens __complete ARGS...`; its stdout, one candidate a line, into
 * `lines` (char *, owned). Returns the exit code. */
static int complete(struct bl_vec *lines, int argc, const char **args)
{
	char *argv[16] = {"bakelens", "__complete"};
	for (int i = 0; i < argc && i < 14; i++)
		argv[i + 2] = (char *)args[i];
	fflush(stdout);
	FILE *tmp = tmpfile();
	assert_non_null(tmp);
	int saved = dup(STDOUT_FILENO);
	assert_true(dup2(fileno(tmp), STDOUT_FILENO) >= 0);
	int rc = bl_cli_main(argc + 2, argv);
	fflush(stdout);
	dup2(saved, STDOUT_FILENO);
	close(saved);
	rewind(tmp);
	bl_vec_init(lines, free);
	char line[4096];
	while (fgets(line, sizeof line, tmp)) {
		line[strcspn(line, "\n")] = '\0';
		bl_vec_push_take(lines, strdup(line));
	}
	fclose(tmp);
	return rc;
}

static char *joined(const struct bl_vec *v)
{
	size_t n = 1;
	for (size_t i = 0; i < v->len; i++)
		n += strlen(v->items[i]) + 1;
	char *s = calloc(n, 1);
	for (size_t i = 0; i < v->len; i++) {
		if (i)
			strcat(s, " ");
		strcat(s, v->items[i]);
	}
	return s;
}

#define EXPECT_LINES(want, ...)                                                                    \
	do {                                                                                       \
		const char *args_[] = {__VA_ARGS__};                                               \
		struct bl_vec got_;                                                                \
		assert_int_equal(complete(&got_, sizeof args_ / sizeof args_[0], args_), 0);       \
		char *s_ = joined(&got_);                                                          \
		assert_string_equal(s_, want);                                                     \
		free(s_);                                                                          \
		bl_vec_fini(&got_);                                                                \
	} while (0)

static const char *example_metadata(void)
{
	/* Beside the example's OCI layout. */
	static char path[4200];
	const char *out = example_out();
	if (out)
		snprintf(path, sizeof path, "%.4000s/../metadata.json", out);
	return out ? path : NULL;
}

/* The commands: every one bl_cli_is_command knows, never the hidden ones. */
static void test_commands(void **state)
{
	(void)state;
	struct bl_vec got;
	const char *args[] = {""};
	assert_int_equal(complete(&got, 1, args), 0);
	assert_int_equal(got.len, 8); /* tree inspect digest diff tags ls cat check */
	for (size_t i = 0; i < got.len; i++) {
		assert_true(bl_cli_is_command(got.items[i]));
		assert_string_not_equal(got.items[i], "__complete");
	}
	bl_vec_fini(&got);
	EXPECT_LINES("digest diff", "di");
	/* After a command or a source, a word is a source: the shell's files. */
	EXPECT_LINES("", "tree", "");
	EXPECT_LINES("", "x.json", "d");
}

/* The options: each one parses for the command on the line; the explorer's
 * own (--diff) only without a command; aliases not offered. */
static void test_options(void **state)
{
	(void)state;
	EXPECT_LINES("--platform", "--pl");
	EXPECT_LINES("--platform", "digest", "--pl");
	EXPECT_LINES("--diff", "--dif");
	EXPECT_LINES("", "tree", "--dif");
	EXPECT_LINES("--no-color", "--no-col");
	struct bl_vec got;
	const char *args[] = {"digest", "-"};
	assert_int_equal(complete(&got, 2, args), 0);
	assert_true(got.len >= 15);
	for (size_t i = 0; i < got.len; i++) {
		char *argv[] = {"bakelens", got.items[i], "h:1", NULL};
		int argc = bl_options_takes_value(got.items[i]) ? 3 : 2;
		if (strcmp(got.items[i], "--depth") == 0)
			argv[2] = "1";
		if (strcmp(got.items[i], "--format") == 0)
			argv[2] = "markdown";
		struct bl_options o;
		struct bl_error err = {0};
		if (!bl_options_parse(argc, argv, BL_FRONT_CLI, &o, &err))
			fail_msg("%s: %s", (char *)got.items[i], err.msg);
		bl_options_fini(&o);
	}
	bl_vec_fini(&got);
}

/* --what: the names bl_what_parse takes, each a different query; also as
 * --what=VALUE in one word and as bash splits it ("--what" "=" "VALUE"). */
static void test_what(void **state)
{
	(void)state;
	struct bl_vec got;
	const char *args[] = {"digest", "--what", ""};
	assert_int_equal(complete(&got, 3, args), 0);
	assert_int_equal(got.len, BL_WHAT_CHAIN_ID);
	unsigned seen = 0;
	for (size_t i = 0; i < got.len; i++) {
		enum bl_what w;
		assert_true(bl_what_parse(got.items[i], &w));
		assert_false(seen & (1u << w));
		seen |= 1u << w;
	}
	bl_vec_fini(&got);
	EXPECT_LINES("config chain-id", "digest", "-w", "c");
	EXPECT_LINES("--what=config --what=chain-id", "digest", "--what=c");
	EXPECT_LINES("config chain-id", "digest", "--what", "=", "c");
	EXPECT_LINES("diff-id", "digest", "--what", "=", "d");
}

/* --format: every value the parser takes, and each offered one parses. */
static void test_format(void **state)
{
	(void)state;
	EXPECT_LINES("text json markdown html", "diff", "--format", "");
	EXPECT_LINES("--format=markdown", "inspect", "--format=m");
	struct bl_vec got;
	const char *args[] = {"inspect", "--format", ""};
	assert_int_equal(complete(&got, 3, args), 0);
	for (size_t i = 0; i < got.len; i++) {
		struct bl_options o;
		struct bl_error err = {0};
		char *argv[] = {"bakelens", "--format", got.items[i], NULL};
		assert_true(bl_options_parse(3, argv, BL_FRONT_CLI, &o, &err));
		assert_string_equal(bl_format_name(o.format), got.items[i]);
		bl_options_fini(&o);
	}
	bl_vec_fini(&got);
}

/* --theme: the built-in themes and the user's, each loading cleanly. */
static void test_themes(void **state)
{
	(void)state;
	char dir[] = "/tmp/bl-complete-XXXXXX";
	assert_non_null(mkdtemp(dir));
	char path[256];
	snprintf(path, sizeof path, "%s/bakelens", dir);
	assert_int_equal(mkdir(path, 0700), 0);
	snprintf(path, sizeof path, "%s/bakelens/themes", dir);
	assert_int_equal(mkdir(path, 0700), 0);
	snprintf(path, sizeof path, "%s/bakelens/themes/mine.theme", dir);
	FILE *f = fopen(path, "w");
	assert_non_null(f);
	fputs("color title red\n", f);
	fclose(f);
	setenv("XDG_CONFIG_HOME", dir, 1);

	EXPECT_LINES("default light high-contrast mono mine", "--theme", "");
	EXPECT_LINES("mono mine", "tree", "--theme", "m");
	struct bl_vec got;
	const char *args[] = {"--theme", ""};
	assert_int_equal(complete(&got, 2, args), 0);
	for (size_t i = 0; i < got.len; i++) {
		struct bl_theme t = {0};
		struct bl_vec diags;
		bl_vec_init(&diags, free);
		assert_true(bl_theme_load(&t, got.items[i], &diags));
		assert_int_equal(diags.len, 0);
		bl_vec_fini(&diags);
		bl_theme_fini(&t);
	}
	bl_vec_fini(&got);
	unlink(path);
	snprintf(path, sizeof path, "%s/bakelens/themes", dir);
	rmdir(path);
	snprintf(path, sizeof path, "%s/bakelens", dir);
	rmdir(path);
	rmdir(dir);
	unsetenv("XDG_CONFIG_HOME");
}

/* Targets: the metadata file's keys whose values are objects (jansson, not
 * the model); only with the file on the line. */
static void test_targets(void **state)
{
	(void)state;
	const char *meta = example_metadata();
	if (!meta)
		skip();
	json_t *j = json_load_file(meta, 0, NULL);
	assert_non_null(j);
	char want[256] = "";
	const char *key;
	json_t *v;
	json_object_foreach(j, key, v)
	{
		if (json_is_object(v))
			snprintf(want + strlen(want), sizeof want - strlen(want), "%s%s",
			        want[0] ? " " : "", key);
	}
	json_decref(j);
	assert_string_not_equal(want, "");
	EXPECT_LINES(want, "digest", meta, "--target", "");
	EXPECT_LINES(want, "digest", "--offline", meta, "-t", "");
	EXPECT_LINES("", "digest", "--target", "");
	EXPECT_LINES("", "digest", "/nonexistent.json", "--target", "");
}

/* Platforms of --target's image: each one answers `digest --platform`. */
static void test_platforms(void **state)
{
	(void)state;
	const char *meta = example_metadata();
	if (!meta)
		skip();
	const char *out = example_out();
	struct bl_vec got;
	const char *args[] = {"digest", meta, out, "--target", "app", "--platform", ""};
	assert_int_equal(complete(&got, 7, args), 0);
	assert_int_equal(got.len, 2);
	for (size_t i = 0; i < got.len; i++) {
		struct bl_build *b = NULL;
		struct bl_error err = {0};
		const char *srcs[] = {meta, out};
		assert_true(bl_build_load(srcs, 2, NULL, &b, &err));
		struct bl_query q = {.target = "app", .platform = got.items[i]};
		struct bl_digest d;
		if (!bl_build_query(b, &q, &d, &err))
			fail_msg("%s: %s", (char *)got.items[i], err.msg);
		bl_build_free(b);
	}
	bl_vec_fini(&got);
	EXPECT_LINES("linux/arm64", "digest", meta, out, "-t", "app", "-p", "linux/ar");
}

/* Standard input named on the line is not read by a TAB. */
static void test_stdin_untouched(void **state)
{
	(void)state;
	FILE *tmp = tmpfile();
	assert_non_null(tmp);
	fputs("not read", tmp);
	rewind(tmp);
	int saved = dup(STDIN_FILENO);
	dup2(fileno(tmp), STDIN_FILENO);
	EXPECT_LINES("", "digest", "-", "--target", "");
	off_t pos = lseek(STDIN_FILENO, 0, SEEK_CUR);
	dup2(saved, STDIN_FILENO);
	close(saved);
	fclose(tmp);
	assert_int_equal(pos, 0);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	        cmocka_unit_test(test_commands),
	        cmocka_unit_test(test_options),
	        cmocka_unit_test(test_what),
	        cmocka_unit_test(test_format),
	        cmocka_unit_test(test_themes),
	        cmocka_unit_test(test_targets),
	        cmocka_unit_test(test_platforms),
	        cmocka_unit_test(test_stdin_untouched),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
