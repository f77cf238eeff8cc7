#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <string.h>

#include "bakelens/options.h"

#define ARGV(...) ((char *[]){"bakelens", __VA_ARGS__, NULL})
#define ARGC(...) ((int)(sizeof((char *[]){"bakelens", __VA_ARGS__}) / sizeof(char *)))
#define PARSE(front, o, err, ...)                                                                  \
	bl_options_parse(ARGC(__VA_ARGS__), ARGV(__VA_ARGS__), front, o, err)

static void test_both_fronts_read_the_shared_options(void **state)
{
	(void)state;
	const unsigned fronts[] = {BL_FRONT_CLI, BL_FRONT_UI};
	for (size_t i = 0; i < 2; i++) {
		struct bl_options o;
		struct bl_error err = {0};
		assert_true(PARSE(fronts[i], &o, &err, "A", "--offline", "-t", "app",
		        "-plinux/arm64", "--no-cache", "--insecure", "r:5000", "--insecure=h2",
		        "--cacert", "ca.pem", "--authfile=auth.json", "--theme", "mono",
		        "--no-colour", "--ignore-timestamps", "--containerd-address",
		        "unix:///c.sock", "--connect-cmd=socat STDIO UNIX-CONNECT:/c.sock", "B"));
		assert_true(o.offline);
		assert_true(o.no_cache);
		assert_true(o.no_color);
		assert_true(o.ignore_timestamps);
		assert_string_equal(o.target, "app");
		assert_string_equal(o.platform, "linux/arm64");
		assert_string_equal(o.cacert, "ca.pem");
		assert_string_equal(o.authfile, "auth.json");
		assert_string_equal(o.theme, "mono");
		assert_int_equal(o.ninsecure, 2);
		assert_string_equal(o.insecure[0], "r:5000");
		assert_string_equal(o.insecure[1], "h2");
		assert_null(o.insecure[2]);
		assert_int_equal(o.nsources, 2);
		assert_string_equal(o.sources[0], "A");
		assert_string_equal(o.sources[1], "B");
		assert_null(o.sources[2]);
		assert_int_equal(o.depth, -1);
		/* The daemon options reach the stores through the source options. */
		struct bl_source_opts so;
		bl_options_source(&o, &so);
		assert_string_equal(so.containerd_address, "unix:///c.sock");
		assert_string_equal(so.connect_cmd, "socat STDIO UNIX-CONNECT:/c.sock");
		assert_true(so.offline);
		bl_options_fini(&o);
	}
}

static void test_format_and_json(void **state)
{
	(void)state;
	struct bl_options o;
	struct bl_error err = {0};
	assert_true(PARSE(BL_FRONT_CLI, &o, &err, "--format", "markdown", "--summary", "X"));
	assert_int_equal(o.format, BL_FORMAT_MARKDOWN);
	assert_true(o.summary);
	assert_false(o.json);
	bl_options_fini(&o);
	assert_true(PARSE(BL_FRONT_CLI, &o, &err, "--format=json", "X"));
	assert_true(o.json); /* the commands that read o.json get it */
	bl_options_fini(&o);
	assert_true(PARSE(BL_FRONT_CLI, &o, &err, "--json", "X"));
	assert_int_equal(o.format, BL_FORMAT_JSON);
	bl_options_fini(&o);
	assert_true(PARSE(BL_FRONT_CLI, &o, &err, "--format", "html", "X"));
	assert_int_equal(o.format, BL_FORMAT_HTML);
	bl_options_fini(&o);
	assert_false(PARSE(BL_FRONT_CLI, &o, &err, "--format", "pdf", "X"));
	assert_int_equal(err.code, BL_E_USAGE);
	assert_non_null(strstr(err.msg, "expected text, json, markdown or html"));
	bl_options_fini(&o);
	assert_false(PARSE(BL_FRONT_CLI, &o, &err, "--json", "--format", "html", "X"));
	assert_non_null(strstr(err.msg, "--json and --format html: choose one"));
	bl_options_fini(&o);
	/* The explorer has no report. */
	assert_false(PARSE(BL_FRONT_UI, &o, &err, "--format", "html", "X"));
	bl_options_fini(&o);
}

static void test_cli_only_options(void **state)
{
	(void)state;
	struct bl_options o;
	struct bl_error err = {0};
	assert_true(PARSE(BL_FRONT_CLI, &o, &err, "--json", "-q", "--depth", "3", "-w", "config",
	        "--layer=-1", "--files", "--merged", "--ascii", "X"));
	assert_true(o.json && o.quiet && o.files && o.merged && o.ascii);
	assert_int_equal(o.depth, 3);
	assert_string_equal(o.what, "config");
	assert_string_equal(o.layer, "-1");
	assert_int_equal(o.nsources, 1);
	bl_options_fini(&o);

	/* The explorer does not take them. */
	assert_false(PARSE(BL_FRONT_UI, &o, &err, "--json", "X"));
	assert_int_equal(err.code, BL_E_USAGE);
	assert_string_equal(err.msg, "--json: unknown option (try: bakelens --help)");
	bl_options_fini(&o);
	/* Nor the commands --diff. */
	assert_false(PARSE(BL_FRONT_CLI, &o, &err, "--diff", "A", "B"));
	assert_string_equal(err.msg, "--diff: unknown option (try: bakelens --help)");
	bl_options_fini(&o);
	assert_true(PARSE(BL_FRONT_UI, &o, &err, "--diff", "A", "B"));
	assert_true(o.diff);
	assert_int_equal(o.nsources, 2);
	bl_options_fini(&o);
}

static void test_bad_values_are_usage_errors(void **state)
{
	(void)state;
	static const struct {
		unsigned front;
		char *args[3];
		const char *msg;
	} bad[] = {
	        {BL_FRONT_UI, {"X", "--insecure", "r:5000/repo:tag"},
	                "--insecure: expected HOST[:PORT] (as in the reference), got "
	                "\"r:5000/repo:tag\""},
	        {BL_FRONT_CLI, {"--insecure=", "X"},
	                "--insecure: expected HOST[:PORT] (as in the reference), got \"\""},
	        {BL_FRONT_CLI, {"--depth", "x"}, "--depth: expected a number from 0, got \"x\""},
	        {BL_FRONT_CLI, {"--depth=1001"}, "--depth: expected a number from 0, got \"1001\""},
	        {BL_FRONT_UI, {"X", "-t"}, "-t: option needs a value (try: bakelens --help)"},
	        {BL_FRONT_CLI, {"X", "--cacert"},
	                "--cacert: option needs a value (try: bakelens --help)"},
	        {BL_FRONT_CLI, {"--bogus", "X"}, "--bogus: unknown option (try: bakelens --help)"},
	};
	for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++) {
		char *argv[5] = {"bakelens"};
		int argc = 1;
		for (size_t k = 0; k < 3 && bad[i].args[k]; k++)
			argv[argc++] = bad[i].args[k];
		struct bl_options o;
		struct bl_error err = {0};
		assert_false(bl_options_parse(argc, argv, bad[i].front, &o, &err));
		assert_int_equal(err.code, BL_E_USAGE);
		assert_string_equal(err.msg, bad[i].msg);
		bl_options_fini(&o);
	}
}

static void test_dash_and_double_dash(void **state)
{
	(void)state;
	struct bl_options o;
	struct bl_error err = {0};
	/* "-" is standard input, a source; after "--" everything is a source. */
	assert_true(PARSE(BL_FRONT_UI, &o, &err, "-", "--offline", "--", "--no-cache", "-t"));
	assert_true(o.offline);
	assert_false(o.no_cache);
	assert_null(o.target);
	assert_int_equal(o.nsources, 3);
	assert_string_equal(o.sources[0], "-");
	assert_string_equal(o.sources[1], "--no-cache");
	assert_string_equal(o.sources[2], "-t");
	bl_options_fini(&o);
}

/* Standard input is read once: a second "-" is a usage error, counted across
 * the parts of diff's sides ("A+-") only when the sources are sides. */
static void test_stdin_once(void **state)
{
	(void)state;
	struct bl_options o;
	struct bl_error err = {0};
	assert_true(PARSE(BL_FRONT_CLI, &o, &err, "-", "x.tar"));
	assert_true(bl_options_check_stdin(&o, false, &err));
	bl_options_fini(&o);

	assert_true(PARSE(BL_FRONT_UI, &o, &err, "-", "-"));
	assert_false(bl_options_check_stdin(&o, false, &err));
	assert_int_equal(err.code, BL_E_USAGE);
	assert_non_null(strstr(err.msg, "standard input given more than once"));
	bl_options_fini(&o);

	struct bl_error e2 = {0};
	assert_true(PARSE(BL_FRONT_UI, &o, &e2, "--diff", "a+-", "-"));
	assert_true(bl_options_check_stdin(&o, false, &e2)); /* "a+-" is a file name */
	assert_false(bl_options_check_stdin(&o, true, &e2)); /* sides: a, - and - */
	assert_int_equal(e2.code, BL_E_USAGE);
	bl_options_fini(&o);
}

static void test_help_and_version_end_the_parse(void **state)
{
	(void)state;
	struct bl_options o;
	struct bl_error err = {0};
	assert_true(PARSE(BL_FRONT_CLI, &o, &err, "--help", "--bogus"));
	assert_true(o.help);
	bl_options_fini(&o);
	assert_true(PARSE(BL_FRONT_CLI, &o, &err, "-V"));
	assert_true(o.version);
	bl_options_fini(&o);
	/* Parsed twice in one process: the second parse starts afresh. */
	assert_true(PARSE(BL_FRONT_CLI, &o, &err, "X"));
	assert_false(o.help || o.version);
	assert_int_equal(o.nsources, 1);
	bl_options_fini(&o);
}

static void test_takes_value(void **state)
{
	(void)state;
	assert_true(bl_options_takes_value("-t"));
	assert_true(bl_options_takes_value("-p"));
	assert_true(bl_options_takes_value("-w"));
	assert_true(bl_options_takes_value("--platform"));
	assert_true(bl_options_takes_value("--insecure"));
	assert_true(bl_options_takes_value("--depth"));
	assert_false(bl_options_takes_value("-tX"));
	assert_false(bl_options_takes_value("--platform=linux/amd64"));
	assert_false(bl_options_takes_value("--offline"));
	assert_false(bl_options_takes_value("-q"));
	assert_false(bl_options_takes_value("tree"));
	assert_false(bl_options_takes_value("-"));
}

static void test_help_lines_from_the_table(void **state)
{
	(void)state;
	struct bl_buf b;
	bl_buf_init(&b);
	bl_options_help(BL_FRONT_CLI, &b);
	const char *h = bl_buf_str(&b);
	assert_non_null(strstr(h, "  -t, --target NAME       the target to answer for (digest)\n"));
	assert_non_null(
	        strstr(h, "  -p, --platform OS/ARCH[/VARIANT]\n"
	                  "                          the platform to answer for (digest)\n"));
	assert_non_null(strstr(h,
	        "      --ignore-timestamps diff: created, history[].created, the "
	        "created annotation and\n                          file mtimes do not count\n"));
	assert_non_null(strstr(h, "  -V, --version           the version\n"));
	/* An alias is not listed; an explorer-only option is not in the commands' help. */
	assert_null(strstr(h, "no-colour"));
	assert_null(strstr(h, "--diff"));
	bl_buf_fini(&b);

	bl_buf_init(&b);
	bl_options_synopsis(BL_FRONT_UI, 16, &b);
	h = bl_buf_str(&b);
	assert_non_null(strstr(h, "[-t NAME]"));
	assert_non_null(strstr(h, "[--insecure HOST[:PORT]]..."));
	assert_non_null(strstr(h, "[--diff]"));
	assert_null(strstr(h, "--json"));
	assert_null(strstr(h, "--help"));
	bl_buf_fini(&b);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	        cmocka_unit_test(test_both_fronts_read_the_shared_options),
	        cmocka_unit_test(test_cli_only_options),
	        cmocka_unit_test(test_format_and_json),
	        cmocka_unit_test(test_bad_values_are_usage_errors),
	        cmocka_unit_test(test_dash_and_double_dash),
	        cmocka_unit_test(test_stdin_once),
	        cmocka_unit_test(test_help_and_version_end_the_parse),
	        cmocka_unit_test(test_takes_value),
	        cmocka_unit_test(test_help_lines_from_the_table),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
