/* Command-line dispatch, options and error reporting for the subcommands. */
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "bakelens/buf.h"
#include "bakelens/cli.h"
#include "bakelens/clock.h"
#include "bakelens/mem.h"
#include "bakelens/options.h"
#include "bakelens/text.h"
#include "cli_internal.h"

struct command {
	const char *name;
	int (*run)(const struct bl_options *o);
	const char *synopsis;
	const char *help;
	bool reports; /* takes --format markdown|html */
};

static const struct command commands[] = {
        {"tree", cli_cmd_tree, "tree [--ascii] [--depth N] SOURCE...",
                "print the tree of targets, indexes, manifests, configs and layers", false},
        {"inspect", cli_cmd_inspect, "inspect [--json | --format F] SOURCE...",
                "everything resolved: facts per node, JSON (docs/inspect-json.md),\n"
                "      or a markdown|html report",
                true},
        {"digest", cli_cmd_digest,
                "digest SOURCE... [--target T] [--platform P] [--what W[,W...]] [--layer N]\n"
                "         [--json | --compare PREVIOUS.json]",
                "print one digest: W is index|manifest|config|layer|diff-id|chain-id;\n"
                "      --json: every target's keys (docs/digest-json.md)",
                false},
        {"diff", cli_cmd_diff,
                "diff A B [--json | --format F] [--summary] [--files] [--ignore-timestamps]\n"
                "         [--quiet]   (A, B: SRC[+SRC...])",
                "compare two builds: exit 0 identical, 1 different, 2+ error (docs/diff-json.md)",
                true},
        {"tags", cli_cmd_tags, "tags [--json] REF",
                "the tags of a registry repository (every page of the listing)", false},
        {"ls", cli_cmd_ls,
                "ls SOURCE... [--target T] [--platform P] [--layer N | --merged] [--changes] "
                "[--tree] [--json]",
                "the files of the whole image with whiteouts applied (default), or of one layer",
                false},
        {"cat", cli_cmd_cat, "cat SOURCE... PATH [--target T] [--platform P] [--layer N]",
                "a file's bytes as the image (or layer N) has them, to stdout", false},
        {"check", cli_cmd_check,
                "check SOURCE... [--target T] [--platform P] [--rules FILE] [--json]",
                "dive's CI rules on wasted space: exit 0 pass, 1 a rule failed, 2+ error", false},
};

static const char usage_text[] =
        "Usage: bakelens [OPTIONS] SOURCE...        open the explorer (on a terminal)\n"
        "       bakelens COMMAND [OPTIONS] SOURCE...\n"
        "\n"
        "Sources:\n"
        "  metadata.json                 buildx build/bake --metadata-file output (by content)\n"
        "  DIR, oci:DIR[:REF]            OCI image layout directory\n"
        "  FILE, oci-archive:FILE[:REF]  OCI tarball (.tar, .tar.gz, .tar.xz, .tar.zst)\n"
        "  docker-archive:FILE[:REF]     docker save archive (legacy or Engine >= 25)\n"
        "  content:DIR[@DIGEST], DIR     a content store (blobs/sha256/...; a builder's)\n"
        "  containerd:[NS/]NAME[@DIGEST] an image in containerd, through its socket\n"
        "  buildkit:DIGEST               a blob in BuildKit's content store, through its socket\n"
        "  -                             an OCI or docker tar on standard input, read once\n"
        "  index/manifest/config.json    a single document\n"
        "  docker://REF, REF             an image in a registry (alpine, ghcr.io/o/r:tag,\n"
        "                                host:5000/r@sha256:...): manifests and configs only\n"
        "\n"
        "Commands:\n"
        "%s"
        "\n"
        "Options:\n"
        "%s"
        "\n"
        "Exit codes: 0 ok, 2 usage, 3 input unreadable or output unwritable, 4 invalid\n"
        "input, 5 digest or size mismatch, 6 target/platform/layer not found, 7 network,\n"
        "8 auth, 130 cancelled.\n"
        "See bakelens(1).\n";

static void print_usage(FILE *f)
{
	struct bl_buf cmds, opts;
	bl_buf_init(&cmds);
	bl_buf_init(&opts);
	for (size_t i = 0; i < sizeof commands / sizeof commands[0]; i++)
		bl_buf_printf(&cmds, "  %-62s\n      %s\n", commands[i].synopsis, commands[i].help);
	bl_options_help(BL_FRONT_CLI, &opts);
	fprintf(f, usage_text, bl_buf_str(&cmds), bl_buf_str(&opts));
	bl_buf_fini(&cmds);
	bl_buf_fini(&opts);
}

bool bl_cli_is_command(const char *arg)
{
	if (!arg)
		return false;
	for (size_t i = 0; i < sizeof commands / sizeof commands[0]; i++)
		if (strcmp(arg, commands[i].name) == 0)
			return true;
	return strcmp(arg, "help") == 0 || strcmp(arg, "__complete") == 0;
}

const char *cli_command_name(size_t i)
{
	return i < sizeof commands / sizeof commands[0] ? commands[i].name : NULL;
}

void cli_error(const char *fmt, ...)
{
	va_list ap;
	va_start(ap, fmt);
	char *raw = bl_vasprintf(fmt, ap);
	va_end(ap);
	/* Messages quote input data: nothing raw reaches the terminal. */
	char *safe = bl_text_safe(raw);
	fprintf(stderr, "bakelens: %s\n", safe);
	free(safe);
	free(raw);
}

json_t *cli_json_str(const char *s)
{
	if (!s)
		return json_null();
	json_t *j = json_string(s);
	if (j)
		return j;
	char *safe = bl_text_safe(s);
	j = json_string(safe);
	free(safe);
	return j ? j : json_null();
}

void cli_json_entry_fields(json_t *j, const struct bl_file_entry *e)
{
	json_object_set_new(j, "type", json_string(bl_file_type_name(e->type)));
	json_object_set_new(j, "size", json_integer(e->size));
	json_object_set_new(j, "mode", json_integer(e->mode));
	json_object_set_new(j, "uid", json_integer(e->uid));
	json_object_set_new(j, "gid", json_integer(e->gid));
	json_object_set_new(j, "mtime", json_integer(e->mtime));
	json_object_set_new(j, "linkname", cli_json_str(e->linkname));
}

int cli_fail(const struct bl_error *err)
{
	cli_error("%s", err->msg[0] ? err->msg : bl_status_name(err->code));
	return bl_exit_code(err->code);
}

int cli_fail_input(const struct bl_build *b, const struct bl_options *o, struct bl_error *err)
{
	/* The build's label is the metadata file or the sources. */
	const char *input = b && b->root->label ? b->root->label
	                    : o->nsources       ? o->sources[0]
	                                        : "build";
	bl_error_prefix(err, "%s", input);
	return cli_fail(err);
}

void cli_progress_begin(struct cli_progress *p, const struct bl_options *o)
{
	memset(p, 0, sizeof *p);
	const char *term = getenv("TERM");
	p->on = !o->quiet && isatty(STDERR_FILENO) && !(term && strcmp(term, "dumb") == 0);
	p->start_ms = bl_clock_ms();
}

void cli_progress_line(char *line, size_t size, const char *what, uint64_t done, uint64_t total,
        int64_t elapsed_ms)
{
	char d[32] = "", t[32] = "";
	/* Nothing counted yet (waiting for a writer, a connection): no "0 B". */
	if (done || total)
		bl_text_size((int64_t)done, d, sizeof d);
	if (total)
		bl_text_size((int64_t)total, t, sizeof t);
	char *w = bl_text_safe(what ? what : "loading");
	snprintf(line, size, "bakelens: %s %s%s%s%s(%llds)", w, d, total ? " / " : "", t,
	        *d ? " " : "", (long long)(elapsed_ms / 1000));
	free(w);
}

bool cli_progress(void *ud, const char *what, uint64_t done, uint64_t total)
{
	struct cli_progress *p = ud;
	if (!p->on)
		return true;
	int64_t now = bl_clock_ms();
	/* Nothing for what takes less than a blink; then at most 10 lines a second. */
	if (now - p->start_ms < 500 || now - p->last_ms < 100)
		return true;
	p->last_ms = now;
	char line[256];
	cli_progress_line(line, sizeof line, what, done, total, now - p->start_ms);
	/* \r and erase to the end of the line: the line is rewritten in place. */
	fprintf(stderr, "\r%s\033[K", line);
	fflush(stderr);
	p->shown = true;
	return true;
}

void cli_progress_end(struct cli_progress *p)
{
	if (p->shown) {
		fputs("\r\033[K", stderr);
		fflush(stderr);
	}
	p->shown = false;
}

bool cli_load_tap(const struct bl_options *o, const struct bl_source_opts *needs,
        const struct bl_store_tap *tap, struct bl_build **out, int *exit_code)
{
	struct bl_error err = {0};
	struct bl_source_opts lo;
	bl_options_source(o, &lo);
	lo.tap = tap;
	if (needs) {
		lo.no_referrers = needs->no_referrers;
		lo.depth = needs->depth;
		lo.platform = needs->platform;
	}
	if (o->nsources == 0) {
		cli_error("no source given (try: bakelens --help)");
		*exit_code = BL_EXIT_USAGE;
		return false;
	}
	struct cli_progress prog;
	cli_progress_begin(&prog, o);
	lo.progress = cli_progress;
	lo.progress_ud = &prog;
	bool loaded =
	        bl_build_load((const char *const *)o->sources, (size_t)o->nsources, &lo, out, &err);
	cli_progress_end(&prog);
	if (!loaded) {
		*exit_code = cli_fail(&err);
		return false;
	}
	if (!o->quiet) {
		struct bl_build *b = *out;
		for (size_t i = 0; i < b->messages.len; i++)
			cli_error("%s", (const char *)bl_vec_get(&b->messages, i));
	}
	return true;
}

bool cli_load(const struct bl_options *o, struct bl_build **out, int *exit_code)
{
	return cli_load_tap(o, NULL, NULL, out, exit_code);
}

bool cli_load_needs(
        const struct bl_options *o, enum bl_load_depth depth, struct bl_build **out, int *exit_code)
{
	struct bl_source_opts needs = {
	        .no_referrers = true, .depth = depth, .platform = o->platform};
	return cli_load_tap(o, &needs, NULL, out, exit_code);
}

enum bl_load_depth cli_what_depth(const enum bl_what *list, size_t n, bool has_layer)
{
	if (n == 0)
		return has_layer ? BL_LOAD_CONFIGS : BL_LOAD_INDEXES;
	for (size_t i = 0; i < n; i++) {
		enum bl_what w = list[i] == BL_WHAT_DEFAULT && has_layer ? BL_WHAT_LAYER : list[i];
		if (w != BL_WHAT_DEFAULT && w != BL_WHAT_INDEX && w != BL_WHAT_MANIFEST)
			return BL_LOAD_CONFIGS;
	}
	return BL_LOAD_INDEXES;
}

/* "app > linux/amd64 > config": the labels from below the root down to `n`, escaped. */
static void node_path(const struct bl_node *n, struct bl_buf *out)
{
	if (!n->parent)
		return;
	node_path(n->parent, out);
	char *label = bl_text_safe(n->label ? n->label : "?");
	bl_buf_printf(out, "%s%s", out->len ? " > " : "", label);
	free(label);
}

static int walk_statuses(
        const char *input, const struct bl_node *n, int *lines, int max_lines, int worst)
{
	/* missing and unresolved blobs are normal in exports; a referrer listed
	 * in its own subject's index is shown, not fatal */
	if (n->status == BL_STATUS_MISMATCH || n->status == BL_STATUS_ERROR) {
		if (*lines < max_lines) {
			struct bl_buf where;
			bl_buf_init(&where);
			node_path(n, &where);
			cli_error("%s: %s: %s", input, bl_buf_str(&where),
			        n->status_msg ? n->status_msg : bl_node_status_name(n->status));
			bl_buf_fini(&where);
		}
		++*lines;
		/* The class of the failure, not where it happened: a registry
		 * that failed on a config exits as it would on the root. */
		worst = bl_exit_worse(worst, bl_exit_code(n->cause));
	}
	for (size_t i = 0; i < bl_node_count(n); i++)
		worst = walk_statuses(input, bl_node_child(n, i), lines, max_lines, worst);
	return worst;
}

int cli_check_statuses(const struct bl_build *b, const struct bl_node *top, int max_lines)
{
	int lines = 0;
	/* Name the input first: the build's label is the metadata file or the sources. */
	char *input = bl_text_safe(b->root->label ? b->root->label : "build");
	int worst = walk_statuses(input, top ? top : b->root, &lines, max_lines, BL_EXIT_OK);
	free(input);
	if (lines > max_lines)
		cli_error("... and %d more problems", lines - max_lines);
	return worst;
}

int bl_cli_command_at(int argc, char **argv)
{
	for (int i = 1; i < argc; i++) {
		const char *a = argv[i];
		if (strcmp(a, "--") == 0)
			return 0;
		if (a[0] == '-' && a[1]) {
			if (bl_options_takes_value(a))
				i++;
			continue;
		}
		return bl_cli_is_command(a) ? i : 0;
	}
	return 0;
}

/* How many of the sources are standard input ("-"); diff's sides are
 * counted piece by piece ("-+oci:dir" reads it too). */
int bl_cli_main(int argc, char **argv)
{
	const char *cmd = "tree";
	int at = bl_cli_command_at(argc, argv);
	if (at)
		cmd = argv[at];
	if (strcmp(cmd, "__complete") == 0) /* shell completion: completions/ */
		return cli_out_finish(cli_cmd_complete(argc - at - 1, argv + at + 1));
	if (strcmp(cmd, "help") == 0) {
		print_usage(stdout);
		return cli_out_finish(BL_EXIT_OK);
	}
	/* The options are read from the arguments but the command; argv[0] stays the program. */
	int n = at ? argc - 1 : argc;
	char **args = calloc((size_t)n + 1, sizeof *args);
	if (!args)
		abort();
	for (int i = 0, k = 0; i < argc; i++)
		if (i != at || at == 0)
			args[k++] = argv[i];
	struct bl_options o;
	struct bl_error err = {0};
	int rc = BL_EXIT_OK;
	if (!bl_options_parse(n, args, BL_FRONT_CLI, &o, &err) ||
	        !bl_options_check_stdin(&o, strcmp(cmd, "diff") == 0, &err)) {
		rc = cli_fail(&err);
	} else if (o.help) {
		print_usage(stdout);
	} else if (o.version) {
		printf("bakelens %s\n", BL_VERSION);
	} else {
		const struct command *c = NULL;
		for (size_t i = 0; i < sizeof commands / sizeof commands[0]; i++)
			if (strcmp(cmd, commands[i].name) == 0)
				c = &commands[i];
		if (c && !c->reports && o.format >= BL_FORMAT_MARKDOWN) {
			cli_error("--format %s: %s writes no report (diff and inspect do; try "
			          "--format json)",
			        bl_format_name(o.format), cmd);
			rc = BL_EXIT_USAGE;
		} else if (c) {
			cli_out_begin(&o);
			rc = c->run(&o);
		}
	}
	bl_options_fini(&o);
	free(args);
	return cli_out_finish(rc);
}
