/* Command-line dispatch, options and error reporting for the subcommands. */
#include <getopt.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "bakelens/buf.h"
#include "bakelens/cli.h"
#include "bakelens/text.h"
#include "cli_internal.h"

struct command {
	const char *name;
	int (*run)(const struct cli_opts *o);
	const char *synopsis;
	const char *help;
};

static const struct command commands[] = {
	{"tree", cli_cmd_tree, "tree [--ascii] [--depth N] SOURCE...",
		"print the tree of targets, indexes, manifests, configs and layers"},
	{"inspect", cli_cmd_inspect, "inspect [--json] SOURCE...",
		"everything resolved: facts per node, or JSON (docs/inspect-json.md)"},
	{"digest", cli_cmd_digest,
		"digest SOURCE... [--target T] [--platform P] [--what W] [--layer N]",
		"print one digest: W is index|manifest|config|layer|diff-id|chain-id"},
	{"diff", cli_cmd_diff,
		"diff A B [--json] [--files] [--ignore-timestamps] [--quiet]   (A, B: SRC[+SRC...])",
		"compare two builds: exit 0 identical, 1 different, 2+ error (docs/diff-json.md)"},
	{"tags", cli_cmd_tags, "tags [--json] REF",
		"the tags of a registry repository (every page of the listing)"},
	{"ls", cli_cmd_ls, "ls SOURCE... [--target T] [--platform P] [--layer N | --merged] [--json]",
		"the files of the whole image with whiteouts applied (default), or of one layer"},
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
	"  -                             an OCI or docker tar on standard input, read once\n"
	"  index/manifest/config.json    a single document\n"
	"  docker://REF, REF             an image in a registry (alpine, ghcr.io/o/r:tag,\n"
	"                                host:5000/r@sha256:...): manifests and configs only\n"
	"\n"
	"Commands:\n"
	"%s"
	"\n"
	"Options:\n"
	"  -t, --target NAME       the target to answer for (digest)\n"
	"  -p, --platform OS/ARCH[/VARIANT]\n"
	"                          the platform to answer for (digest)\n"
	"  -w, --what WHAT         index|manifest|config|layer|diff-id|chain-id (digest)\n"
	"  -l, --layer N           layer position, 0-based; negative counts from the end (-1: last)\n"
	"      --json              JSON output (inspect, diff, ls, tags)\n"
	"      --files             diff: list the files of layers whose content differs\n"
	"      --ignore-timestamps diff: created, history[].created, the created annotation and\n"
	"                          file mtimes do not count\n"
	"      --merged            ls: all layers with whiteouts applied\n"
	"      --ascii             ASCII tree guides (tree)\n"
	"      --depth N           print N levels below the targets (tree)\n"
	"      --no-color          no colours (also NO_COLOR=1)\n"
	"      --theme NAME        explorer theme\n"
	"      --offline           no network: registries answer from the cache only\n"
	"      --no-cache          registries: neither read nor write the on-disk cache\n"
	"      --insecure HOST[:PORT]\n"
	"                          plain HTTP or unverified TLS for that registry (repeatable)\n"
	"      --cacert FILE       CA certificates (PEM) for registries, instead of the system's\n"
	"      --authfile FILE     registry credentials (containers auth.json format)\n"
	"  -q, --quiet             no diagnostics on stderr besides errors\n"
	"  -h, --help              this help\n"
	"  -V, --version           the version\n"
	"\n"
	"Exit codes: 0 ok, 2 usage, 3 input unreadable, 4 invalid input, 5 digest or size\n"
	"mismatch, 6 target/platform/layer not found, 7 network, 8 auth, 130 cancelled.\n"
	"See bakelens(1).\n";

static void print_usage(FILE *f)
{
	struct bl_buf cmds;
	bl_buf_init(&cmds);
	for (size_t i = 0; i < sizeof commands / sizeof commands[0]; i++)
		bl_buf_printf(&cmds, "  %-62s\n      %s\n", commands[i].synopsis, commands[i].help);
	fprintf(f, usage_text, bl_buf_str(&cmds));
	bl_buf_fini(&cmds);
}

bool bl_cli_is_command(const char *arg)
{
	if (!arg)
		return false;
	for (size_t i = 0; i < sizeof commands / sizeof commands[0]; i++)
		if (strcmp(arg, commands[i].name) == 0)
			return true;
	return strcmp(arg, "help") == 0;
}

void cli_error(const char *fmt, ...)
{
	char raw[2048];
	va_list ap;
	va_start(ap, fmt);
	vsnprintf(raw, sizeof raw, fmt, ap);
	va_end(ap);
	/* Messages quote input data: nothing raw reaches the terminal. */
	char *safe = bl_text_safe(raw);
	fprintf(stderr, "bakelens: %s\n", safe);
	free(safe);
}

int bl_cli_exit_code(int status)
{
	switch ((enum bl_status)status) {
	case BL_OK: return BL_EXIT_OK;
	case BL_E_USAGE: return BL_EXIT_USAGE;
	case BL_E_IO: return BL_EXIT_INPUT;
	case BL_E_FORMAT:
	case BL_E_TOO_BIG:
	case BL_E_LOOP:
	case BL_E_UNSUPPORTED: return BL_EXIT_FORMAT;
	case BL_E_DIGEST: return BL_EXIT_VERIFY;
	case BL_E_NOT_FOUND: return BL_EXIT_NOT_FOUND;
	case BL_E_NET: return BL_EXIT_NETWORK;
	case BL_E_AUTH: return BL_EXIT_AUTH;
	case BL_E_CANCELLED: return BL_EXIT_CANCELLED;
	}
	return BL_EXIT_FORMAT;
}

void cli_put_safe(const char *s)
{
	char *q = bl_text_safe(s);
	fputs(q, stdout);
	free(q);
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

void cli_json_print(json_t *j)
{
	bool tty = isatty(STDOUT_FILENO);
	size_t flags = JSON_INDENT(2) | JSON_PRESERVE_ORDER | (tty ? JSON_ENSURE_ASCII : 0);
	char *text = json_dumps(j, flags);
	if (!text) {
		cli_error("stdout: the JSON document could not be written");
		return;
	}
	/* jansson leaves DEL raw. Outside strings a JSON document has no DEL, so
	 * the \u form is always valid here. */
	for (const char *p = text; *p; p++) {
		if (tty && *p == 0x7f)
			fputs("\\u007f", stdout);
		else
			putchar(*p);
	}
	putchar('\n');
	free(text);
}

int cli_fail(const struct bl_error *err)
{
	cli_error("%s", err->msg[0] ? err->msg : bl_status_name(err->code));
	return bl_cli_exit_code(err->code);
}

void cli_load_opts(const struct cli_opts *o, struct bl_load_opts *lo, struct bl_registry_opts *reg)
{
	memset(lo, 0, sizeof *lo);
	memset(reg, 0, sizeof *reg);
	reg->insecure = o->insecure_hosts;
	reg->cacert = o->cacert;
	reg->authfile = o->authfile;
	reg->no_cache = o->no_cache;
	reg->offline = o->offline;
	lo->registry = reg;
	lo->offline = o->offline;
}

static long long mono_ms(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (long long)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

void cli_progress_begin(struct cli_progress *p, const struct cli_opts *o)
{
	memset(p, 0, sizeof *p);
	const char *term = getenv("TERM");
	p->on = !o->quiet && isatty(STDERR_FILENO) && !(term && strcmp(term, "dumb") == 0);
	p->start_ms = mono_ms();
}

bool cli_progress(void *ud, const char *what, uint64_t done, uint64_t total)
{
	struct cli_progress *p = ud;
	if (!p->on)
		return true;
	long long now = mono_ms();
	/* Nothing for what takes less than a blink; then at most 10 lines a second. */
	if (now - p->start_ms < 500 || now - p->last_ms < 100)
		return true;
	p->last_ms = now;
	char d[32], t[32] = "";
	bl_text_size((int64_t)done, d, sizeof d);
	if (total)
		bl_text_size((int64_t)total, t, sizeof t);
	char *w = bl_text_safe(what ? what : "loading");
	char line[256];
	snprintf(line, sizeof line, "bakelens: %s %s%s%s (%llds)", w, d, total ? " / " : "", t,
		(now - p->start_ms) / 1000);
	free(w);
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

bool cli_load(const struct cli_opts *o, struct bl_build **out, int *exit_code)
{
	struct bl_error err = {0};
	struct bl_load_opts lo;
	struct bl_registry_opts reg;
	cli_load_opts(o, &lo, &reg);
	if (o->nsources == 0) {
		cli_error("no source given (try: bakelens --help)");
		*exit_code = BL_EXIT_USAGE;
		return false;
	}
	struct cli_progress prog;
	cli_progress_begin(&prog, o);
	lo.progress = cli_progress;
	lo.progress_ud = &prog;
	bool loaded = bl_build_load((const char *const *)o->sources, (size_t)o->nsources, &lo, out,
		&err);
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

static int walk_statuses(const char *input, const struct bl_node *n, int *lines, int max_lines,
	int worst)
{
	int code = 0;
	switch (n->status) {
	case BL_STATUS_MISMATCH: code = BL_EXIT_VERIFY; break;
	case BL_STATUS_ERROR: code = BL_EXIT_FORMAT; break;
	default: break; /* missing and unresolved blobs are normal in exports; a
	                   referrer listed in its own subject's index is shown, not fatal */
	}
	if (code) {
		if (*lines < max_lines) {
			struct bl_buf where;
			bl_buf_init(&where);
			node_path(n, &where);
			cli_error("%s: %s: %s", input, bl_buf_str(&where),
				n->status_msg ? n->status_msg : bl_node_status_name(n->status));
			bl_buf_fini(&where);
		}
		++*lines;
		/* A digest mismatch outranks a format error: it is the one users must see. */
		if (worst != BL_EXIT_VERIFY)
			worst = code;
	}
	for (size_t i = 0; i < bl_node_count(n); i++)
		worst = walk_statuses(input, bl_node_child(n, i), lines, max_lines, worst);
	return worst;
}

int cli_check_statuses(const struct bl_build *b, int max_lines)
{
	int lines = 0;
	/* Name the input first: the build's label is the metadata file or the sources. */
	char *input = bl_text_safe(b->root->label ? b->root->label : "build");
	int worst = walk_statuses(input, b->root, &lines, max_lines, 0);
	free(input);
	if (lines > max_lines)
		cli_error("... and %d more problems", lines - max_lines);
	return worst;
}

enum { OPT_JSON = 256, OPT_ASCII, OPT_DEPTH, OPT_NO_COLOR, OPT_THEME, OPT_OFFLINE, OPT_INSECURE,
	OPT_CACERT, OPT_AUTHFILE, OPT_FILES, OPT_IGNORE_TIMESTAMPS, OPT_MERGED, OPT_NO_CACHE };

static const struct option long_opts[] = {
	{"target", required_argument, NULL, 't'},
	{"platform", required_argument, NULL, 'p'},
	{"what", required_argument, NULL, 'w'},
	{"layer", required_argument, NULL, 'l'},
	{"json", no_argument, NULL, OPT_JSON},
	{"ascii", no_argument, NULL, OPT_ASCII},
	{"depth", required_argument, NULL, OPT_DEPTH},
	{"no-color", no_argument, NULL, OPT_NO_COLOR},
	{"no-colour", no_argument, NULL, OPT_NO_COLOR},
	{"theme", required_argument, NULL, OPT_THEME},
	{"offline", no_argument, NULL, OPT_OFFLINE},
	{"insecure", required_argument, NULL, OPT_INSECURE},
	{"no-cache", no_argument, NULL, OPT_NO_CACHE},
	{"cacert", required_argument, NULL, OPT_CACERT},
	{"authfile", required_argument, NULL, OPT_AUTHFILE},
	{"files", no_argument, NULL, OPT_FILES},
	{"ignore-timestamps", no_argument, NULL, OPT_IGNORE_TIMESTAMPS},
	{"merged", no_argument, NULL, OPT_MERGED},
	{"quiet", no_argument, NULL, 'q'},
	{"help", no_argument, NULL, 'h'},
	{"version", no_argument, NULL, 'V'},
	{NULL, 0, NULL, 0},
};

/* Short options that take a value (getopt's string below). */
static const char short_with_value[] = "tpwl";

/* True when the option argument `a` ("-t", "--platform") takes the next
 * argument as its value ("-tX" and "--platform=X" carry their own). */
static bool takes_next(const char *a)
{
	if (a[1] != '-')
		return a[1] && strchr(short_with_value, a[1]) && a[2] == '\0';
	if (strchr(a, '='))
		return false;
	for (const struct option *lo = long_opts; lo->name; lo++)
		if (lo->has_arg == required_argument && strcmp(a + 2, lo->name) == 0)
			return true;
	return false;
}

int bl_cli_command_at(int argc, char **argv)
{
	for (int i = 1; i < argc; i++) {
		const char *a = argv[i];
		if (strcmp(a, "--") == 0)
			return 0;
		if (a[0] == '-' && a[1]) {
			if (takes_next(a))
				i++;
			continue;
		}
		return bl_cli_is_command(a) ? i : 0;
	}
	return 0;
}

int bl_cli_main(int argc, char **argv)
{
	struct cli_opts o = {.depth = -1};
	const char *cmd = "tree";
	int at = bl_cli_command_at(argc, argv);
	if (at)
		cmd = argv[at];
	if (strcmp(cmd, "help") == 0) {
		print_usage(stdout);
		return BL_EXIT_OK;
	}
	/* getopt_long over the arguments but the command; argv[0] stays the program. */
	int n = at ? argc - 1 : argc;
	char **args = calloc((size_t)n + 1, sizeof *args);
	/* --insecure values, at most one per argument, NULL-terminated */
	o.insecure_hosts = calloc((size_t)n + 1, sizeof *o.insecure_hosts);
	if (!args || !o.insecure_hosts)
		abort();
	for (int i = 0, k = 0; i < argc; i++)
		if (i != at || at == 0)
			args[k++] = argv[i];
	optind = 1;
	opterr = 0;
	int c, rc = BL_EXIT_OK;
	while ((c = getopt_long(n, args, ":t:p:w:l:qhV", long_opts, NULL)) != -1) {
		switch (c) {
		case 't': o.target = optarg; break;
		case 'p': o.platform = optarg; break;
		case 'w': o.what = optarg; break;
		case 'l': o.layer = optarg; break;
		case 'q': o.quiet = true; break;
		case OPT_JSON: o.json = true; break;
		case OPT_ASCII: o.ascii = true; break;
		case OPT_DEPTH: {
			char *end;
			long d = strtol(optarg, &end, 10);
			if (*end || d < 0 || d > 1000) {
				cli_error("--depth: expected a number from 0, got \"%s\"", optarg);
				rc = BL_EXIT_USAGE;
				goto out;
			}
			o.depth = (int)d;
			break;
		}
		case OPT_NO_COLOR: o.no_color = true; break;
		case OPT_THEME: o.theme = optarg; break;
		case OPT_OFFLINE: o.offline = true; break;
		case OPT_INSECURE:
			/* HOST or HOST:PORT, as in the reference; a '/' means a reference
			 * was taken for the value */
			if (!*optarg || strchr(optarg, '/') || strchr(optarg, '@')) {
				cli_error("--insecure: expected HOST[:PORT] (as in the reference), got \"%s\"",
					optarg);
				rc = BL_EXIT_USAGE;
				goto out;
			}
			o.insecure = true;
			o.insecure_hosts[o.ninsecure++] = optarg;
			break;
		case OPT_NO_CACHE: o.no_cache = true; break;
		case OPT_CACERT: o.cacert = optarg; break;
		case OPT_AUTHFILE: o.authfile = optarg; break;
		case OPT_FILES: o.files = true; break;
		case OPT_IGNORE_TIMESTAMPS: o.ignore_timestamps = true; break;
		case OPT_MERGED: o.merged = true; break;
		case 'h': print_usage(stdout); goto out;
		case 'V': printf("bakelens %s\n", BL_VERSION); goto out;
		case ':':
			cli_error("%s: option needs a value (try: bakelens --help)", args[optind - 1]);
			rc = BL_EXIT_USAGE;
			goto out;
		default:
			cli_error("%s: unknown option (try: bakelens --help)", args[optind - 1]);
			rc = BL_EXIT_USAGE;
			goto out;
		}
	}
	o.sources = args + optind;
	o.nsources = n - optind;
	for (size_t i = 0; i < sizeof commands / sizeof commands[0]; i++)
		if (strcmp(cmd, commands[i].name) == 0)
			rc = commands[i].run(&o);
out:
	free(args);
	free(o.insecure_hosts);
	if (fflush(stdout) != 0 && rc == BL_EXIT_OK) {
		cli_error("standard output: write failed");
		rc = BL_EXIT_INPUT;
	}
	return rc;
}
