/* The options of both front ends, one table and one parser: options.h. */
#include "bakelens/options.h"

#include <getopt.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "bakelens/model.h"
#include "bakelens/mem.h"
#include "bakelens/vec.h"

enum kind {
	FLAG,   /* bool, no value */
	TEXT,   /* const char *, the value as given */
	HOSTS,  /* --insecure: HOST[:PORT], repeatable */
	WHATS,  /* --what: repeatable, each value also a comma-separated list */
	DEPTH,  /* int from 0 to 1000 */
	FORMAT, /* enum bl_format: text|json|markdown|html */
};

struct opt {
	const char *name; /* long name, without "--" */
	char short_name;  /* '\0': none */
	const char *arg;  /* the value's name in help; NULL: takes no value */
	unsigned fronts;  /* enum bl_front bits */
	enum kind kind;
	size_t field;     /* offsetof(struct bl_options, ...) */
	const char *help; /* NULL: an alias, not listed; '\n' continues at the help column */
};

#define F(member) offsetof(struct bl_options, member)
#define CLI BL_FRONT_CLI
#define BOTH BL_FRONT_BOTH

/* In the order of --help. */
static const struct opt table[] = {
        {"target", 't', "NAME", BOTH, TEXT, F(target), "the target to answer for (digest)"},
        {"platform", 'p', "OS/ARCH[/VARIANT]", BOTH, TEXT, F(platform),
                "the platform to answer for (digest)"},
        {"what", 'w', "WHAT", CLI, WHATS, F(what),
                "index|manifest|config|layer|diff-id|chain-id (digest); several:\n"
                "comma-separated or repeated"},
        {"layer", 'l', "N", CLI, TEXT, F(layer),
                "layer number: 1 is the bottom; negative counts from the top (-1)"},
        {"json", 0, NULL, CLI, FLAG, F(json),
                "JSON output (inspect, diff, ls, tags, digest, check)"},
        {"compare", 0, "FILE", CLI, TEXT, F(compare),
                "digest: compare with an earlier --json output; exit 1 when a key moved"},
        {"format", 0, "FORMAT", CLI, FORMAT, F(format),
                "text|json|markdown|html (markdown, html: diff, inspect)"},
        {"summary", 0, NULL, CLI, FLAG, F(summary),
                "diff, inspect: also append the Markdown report to the\n"
                "file $GITHUB_STEP_SUMMARY names"},
        {"files", 0, NULL, CLI, FLAG, F(files),
                "diff: list the files of layers whose content differs"},
        {"ignore-timestamps", 0, NULL, BOTH, FLAG, F(ignore_timestamps),
                "diff: created, history[].created, the created annotation and\n"
                "file mtimes do not count"},
        {"merged", 0, NULL, CLI, FLAG, F(merged), "ls: all layers with whiteouts applied"},
        {"changes", 0, NULL, CLI, FLAG, F(changes),
                "ls: what a layer adds, modifies and deletes (every layer's\n"
                "without --layer)"},
        {"tree", 0, NULL, CLI, FLAG, F(tree), "ls: indented, with directory sizes"},
        {"lowest-efficiency", 0, "R", CLI, TEXT, F(lowest_efficiency),
                "check: fail below this efficiency (0-1; default 0.9)"},
        {"highest-wasted-bytes", 0, "SIZE", CLI, TEXT, F(highest_wasted_bytes),
                "check: fail above this many wasted bytes (default disabled)"},
        {"highest-user-wasted-percent", 0, "R", CLI, TEXT, F(highest_user_wasted_percent),
                "check: fail above this wasted/user size ratio (0-1; default 0.1)"},
        {"rules", 0, "FILE", CLI, TEXT, F(rules), "check: the rules of a .dive-ci file"},
        {"ascii", 0, NULL, CLI, FLAG, F(ascii), "ASCII tree guides (tree)"},
        {"depth", 0, "N", CLI, DEPTH, F(depth), "print N levels below the targets (tree)"},
        {"diff", 0, NULL, BL_FRONT_UI, FLAG, F(diff),
                "compare two builds: the sources are A B (a side joins sources with '+')"},
        {"no-color", 0, NULL, BOTH, FLAG, F(no_color), "no colours (also NO_COLOR=1)"},
        {"no-colour", 0, NULL, BOTH, FLAG, F(no_color), NULL},
        {"theme", 0, "NAME", BOTH, TEXT, F(theme), "explorer theme"},
        {"offline", 0, NULL, BOTH, FLAG, F(offline),
                "no network: registries answer from the cache only"},
        {"no-cache", 0, NULL, BOTH, FLAG, F(no_cache),
                "registries: neither read nor write the on-disk cache"},
        {"insecure", 0, "HOST[:PORT]", BOTH, HOSTS, F(insecure),
                "plain HTTP or unverified TLS for that registry (repeatable)"},
        {"cacert", 0, "FILE", BOTH, TEXT, F(cacert),
                "CA certificates (PEM) for registries, instead of the system's"},
        {"authfile", 0, "FILE", BOTH, TEXT, F(authfile),
                "registry credentials (containers auth.json format)"},
        {"containerd-address", 0, "ADDR", BOTH, TEXT, F(containerd_address),
                "containerd:, buildkit: the daemon's socket (unix://PATH)"},
        {"connect-cmd", 0, "CMD", BOTH, TEXT, F(connect_cmd),
                "containerd:, buildkit: reach the daemon through CMD's stdin\n"
                "and stdout (docker exec -i NAME buildctl dial-stdio)"},
        {"quiet", 'q', NULL, CLI, FLAG, F(quiet),
                "no diagnostics on stderr besides errors; diff: nothing on stdout\n"
                "either, only the exit status"},
        {"verbose", 'v', NULL, CLI, FLAG, F(verbose),
                "ls: say on stderr how each layer was read (its TOC or whole) and the bytes"},
        {"help", 'h', NULL, CLI, FLAG, F(help), "this help"},
        {"version", 'V', NULL, CLI, FLAG, F(version), "the version"},
};

#undef F
#undef CLI
#undef BOTH

enum { NOPTS = sizeof table / sizeof table[0], LONG_BASE = 256 };

const char *bl_format_name(enum bl_format f)
{
	static const char *const names[] = {"text", "json", "markdown", "html"};
	return (unsigned)f < sizeof names / sizeof names[0] ? names[f] : NULL;
}

static const struct opt *by_short(int c)
{
	for (size_t i = 0; i < NOPTS; i++)
		if (table[i].short_name && table[i].short_name == c)
			return &table[i];
	return NULL;
}

/* Check and store one option's value. */
static bool apply(
        const struct opt *op, const char *value, struct bl_options *o, struct bl_error *err)
{
	char *at = (char *)o + op->field;
	switch (op->kind) {
	case FLAG:
		*(bool *)at = true;
		return true;
	case TEXT:
		*(const char **)at = value;
		return true;
	case HOSTS:
		/* HOST or HOST:PORT, as in the reference; a '/' or '@' means a
		 * reference was taken for the value. */
		if (!*value || strchr(value, '/') || strchr(value, '@'))
			return bl_fail(err, BL_E_USAGE,
			        "--insecure: expected HOST[:PORT] (as in the reference), got "
			        "\"%s\"",
			        value);
		o->insecure[o->ninsecure++] = value;
		return true;
	case WHATS:
		o->what = value;
		o->whats[o->nwhats++] = value;
		return true;
	case DEPTH: {
		char *end;
		long d = strtol(value, &end, 10);
		if (*end || d < 0 || d > 1000)
			return bl_fail(err, BL_E_USAGE,
			        "--depth: expected a number from 0, got \"%s\"", value);
		o->depth = (int)d;
		return true;
	}
	case FORMAT: {
		for (int i = 0; bl_format_name((enum bl_format)i); i++)
			if (strcmp(value, bl_format_name((enum bl_format)i)) == 0) {
				o->format = (enum bl_format)i;
				return true;
			}
		return bl_fail(err, BL_E_USAGE,
		        "--format: expected text, json, markdown or html, got \"%s\"", value);
	}
	}
	return true;
}

bool bl_options_parse(
        int argc, char **argv, unsigned front, struct bl_options *o, struct bl_error *err)
{
	memset(o, 0, sizeof *o);
	o->depth = -1;
	/* getopt_long permutes: work on a copy, which then holds the sources at
	 * its end. At most one --insecure value per argument. */
	o->sources = bl_calloc((size_t)argc + 1, sizeof *o->sources);
	o->insecure = bl_calloc((size_t)argc + 1, sizeof *o->insecure);
	o->whats = bl_calloc((size_t)argc + 1, sizeof *o->whats);
	if (argc < 1)
		return true;
	memcpy(o->sources, argv, (size_t)argc * sizeof *argv);

	struct option longs[NOPTS + 1];
	char shorts[2 * NOPTS + 2];
	size_t nl = 0, ns = 0;
	shorts[ns++] = ':'; /* a missing value returns ':', not '?' */
	for (size_t i = 0; i < NOPTS; i++) {
		if (!(table[i].fronts & front))
			continue;
		longs[nl++] = (struct option){table[i].name,
		        table[i].arg ? required_argument : no_argument, NULL, LONG_BASE + (int)i};
		if (table[i].short_name) {
			shorts[ns++] = table[i].short_name;
			if (table[i].arg)
				shorts[ns++] = ':';
		}
	}
	longs[nl] = (struct option){NULL, 0, NULL, 0};
	shorts[ns] = '\0';

	char **args = o->sources;
	bool ok = true;
	int c;
	optind = 0; /* a full reset (glibc, musl): parsed more than once in tests */
	opterr = 0;
	while (ok && (c = getopt_long(argc, args, shorts, longs, NULL)) != -1) {
		const struct opt *op = c >= LONG_BASE ? &table[c - LONG_BASE] : by_short(c);
		if (c == ':')
			ok = bl_fail(err, BL_E_USAGE,
			        "%s: option needs a value (try: bakelens --help)",
			        args[optind - 1]);
		else if (c == '?' || !op)
			ok = bl_fail(err, BL_E_USAGE, "%s: unknown option (try: bakelens --help)",
			        args[optind - 1]);
		else
			ok = apply(op, optarg, o, err);
		if (ok && (o->help || o->version))
			break;
	}
	if (!ok)
		return false;
	/* --json is --format json; the commands read either. */
	if (o->json && o->format != BL_FORMAT_TEXT && o->format != BL_FORMAT_JSON)
		return bl_fail(err, BL_E_USAGE, "--json and --format %s: choose one",
		        bl_format_name(o->format));
	if (o->json)
		o->format = BL_FORMAT_JSON;
	o->json = o->format == BL_FORMAT_JSON;
	/* The non-options, in order, to the front of the array. */
	int n = argc - optind;
	memmove(o->sources, args + optind, (size_t)n * sizeof *args);
	o->sources[n] = NULL;
	o->nsources = n;
	return true;
}

void bl_options_fini(struct bl_options *o)
{
	free(o->sources);
	free(o->insecure);
	free(o->whats);
	o->sources = NULL;
	o->insecure = NULL;
	o->whats = NULL;
	o->nsources = o->ninsecure = o->nwhats = 0;
}

void bl_options_source(const struct bl_options *o, struct bl_source_opts *so)
{
	memset(so, 0, sizeof *so);
	so->offline = o->offline;
	so->no_cache = o->no_cache;
	so->insecure = o->insecure;
	so->cacert = o->cacert;
	so->authfile = o->authfile;
	so->containerd_address = o->containerd_address;
	so->connect_cmd = o->connect_cmd;
}

bool bl_options_check_stdin(const struct bl_options *o, bool sides, struct bl_error *err)
{
	size_t n = 0;
	for (int i = 0; i < o->nsources; i++) {
		if (!sides) {
			n += strcmp(o->sources[i], "-") == 0;
			continue;
		}
		struct bl_vec parts;
		bl_vec_init(&parts, free);
		bl_build_split_side(o->sources[i], &parts);
		for (size_t k = 0; k < parts.len; k++)
			n += strcmp(bl_vec_get(&parts, k), "-") == 0;
		bl_vec_fini(&parts);
	}
	/* Refused before anything is read: the second "-" would find the
	 * stream already consumed and look like a broken archive. */
	if (n > 1)
		return bl_fail(err, BL_E_USAGE,
		        "-: standard input given more than once; it can be read only once "
		        "(save it to a file for the other sources)");
	return true;
}

bool bl_options_takes_value(const char *a)
{
	if (a[0] != '-' || !a[1])
		return false;
	if (a[1] != '-') {
		const struct opt *op = by_short(a[1]);
		return op && op->arg && a[2] == '\0';
	}
	if (strchr(a, '='))
		return false;
	for (size_t i = 0; i < NOPTS; i++)
		if (table[i].arg && strcmp(a + 2, table[i].name) == 0)
			return true;
	return false;
}

void bl_options_help(unsigned front, struct bl_buf *out)
{
	enum { HELP_COL = 26 };
	for (size_t i = 0; i < NOPTS; i++) {
		const struct opt *op = &table[i];
		if (!(op->fronts & front) || !op->help)
			continue;
		size_t start = out->len;
		if (op->short_name)
			bl_buf_printf(out, "  -%c, ", op->short_name);
		else
			bl_buf_puts(out, "      ");
		bl_buf_printf(
		        out, "--%s%s%s", op->name, op->arg ? " " : "", op->arg ? op->arg : "");
		size_t used = out->len - start;
		/* The help on the same line when the names leave room, else below. */
		if (used >= HELP_COL) {
			bl_buf_putc(out, '\n');
			used = 0;
		}
		bl_buf_printf(out, "%*s", (int)(HELP_COL - used), "");
		for (const char *p = op->help; *p; p++) {
			bl_buf_putc(out, *p);
			if (*p == '\n')
				bl_buf_printf(out, "%*s", HELP_COL, "");
		}
		bl_buf_putc(out, '\n');
	}
}

void bl_options_synopsis(unsigned front, int indent, struct bl_buf *out)
{
	int col = indent;
	for (size_t i = 0; i < NOPTS; i++) {
		const struct opt *op = &table[i];
		if (!(op->fronts & front) || !op->help)
			continue;
		char item[96];
		int len;
		if (op->short_name)
			len = snprintf(item, sizeof item, "[-%c%s%s]", op->short_name,
			        op->arg ? " " : "", op->arg ? op->arg : "");
		else
			len = snprintf(item, sizeof item, "[--%s%s%s]%s", op->name,
			        op->arg ? " " : "", op->arg ? op->arg : "",
			        op->kind == HOSTS || op->kind == WHATS ? "..." : "");
		if (col > indent && col + 1 + len > 99) {
			bl_buf_printf(out, "\n%*s", indent, "");
			col = indent;
		}
		bl_buf_printf(out, "%s%s", col > indent ? " " : "", item);
		col += (col > indent ? 1 : 0) + len;
	}
}

const char *bl_options_name(unsigned front, size_t i, bool *takes_value)
{
	for (size_t k = 0; k < NOPTS; k++) {
		const struct opt *op = &table[k];
		if (!(op->fronts & front) || !op->help)
			continue;
		if (i-- == 0) {
			if (takes_value)
				*takes_value = op->arg != NULL;
			return op->name;
		}
	}
	return NULL;
}
