/* The command-line options of both front ends, in one table.
 *
 * The commands (src/cli) and the explorer (src/ui) take many of the same
 * options (--offline, --insecure, --platform, ...). One table says, for each,
 * its long and short name, whether it takes a value, which front ends accept
 * it and its help line; bl_options_parse reads a command line with it and
 * checks the values (--insecure, --depth, --format) once for both. Each front end then
 * does only its own extra checks (a source given, two sides for --diff).
 */
#ifndef BL_OPTIONS_H
#define BL_OPTIONS_H

#include <stdbool.h>

#include "bakelens/buf.h"
#include "bakelens/error.h"
#include "bakelens/store.h"

/* Which front end accepts an option (bits). */
enum bl_front {
	BL_FRONT_CLI = 1 << 0, /* the commands: tree, inspect, digest, diff, tags, ls, check, cat */
	BL_FRONT_UI = 1 << 1,  /* the explorer */
	BL_FRONT_BOTH = BL_FRONT_CLI | BL_FRONT_UI,
};

/* --format (--json is BL_FORMAT_JSON). */
enum bl_format {
	BL_FORMAT_TEXT = 0,
	BL_FORMAT_JSON,
	BL_FORMAT_MARKDOWN, /* diff, inspect: a report for CI summaries and comments */
	BL_FORMAT_HTML,     /* diff, inspect: one self-contained page */
};
/* "text", "json", "markdown", "html"; NULL past the last (iterate from 0). */
const char *bl_format_name(enum bl_format f);

/* What the command line asked for. Strings point into the argv given to
 * bl_options_parse (borrowed: argv must outlive this). */
struct bl_options {
	const char *target;   /* -t, --target */
	const char *platform; /* -p, --platform */
	const char *what;     /* -w, --what (digest): the last one given */
	const char **whats;   /* every --what value, in order; NULL-terminated */
	int nwhats;
	const char *layer;     /* -l, --layer (digest, ls) */
	const char *compare;   /* --compare FILE (digest) */
	int depth;             /* --depth (tree); -1: everything */
	bool json;             /* --json or --format json: always format == BL_FORMAT_JSON */
	enum bl_format format; /* --format; BL_FORMAT_TEXT when not given */
	bool summary;          /* --summary: append Markdown to $GITHUB_STEP_SUMMARY */
	bool ascii;
	bool files;                       /* diff: file-level differences of changed layers */
	bool ignore_timestamps;           /* diff and the explorer's comparison */
	bool merged;                      /* ls */
	bool changes;                     /* ls: the change set of a layer (or of each) */
	bool tree;                        /* ls: indented, with directory sizes */
	const char *lowest_efficiency;    /* check: a ratio, or "disabled" */
	const char *highest_wasted_bytes; /* check: a size, or "disabled" */
	const char *highest_user_wasted_percent; /* check: a ratio, or "disabled" */
	const char *rules;                       /* check: a .dive-ci file */
	bool quiet;
	bool verbose; /* -v: ls says how each layer was read */
	bool diff;    /* the explorer: --diff A B */
	bool help;    /* -h, --help: the parse stopped there */
	bool version; /* -V, --version: the parse stopped there */
	bool no_color;
	const char *theme;
	/* Loading (bl_source_opts): */
	bool offline;
	bool no_cache;
	const char *cacert;
	const char *authfile;
	const char *containerd_address; /* --containerd-address */
	const char *connect_cmd;        /* --connect-cmd */
	const char **insecure;          /* --insecure HOST[:PORT], repeatable; NULL-terminated */
	int ninsecure;
	/* The arguments that are not options, in order (options may come
	 * anywhere before "--"); NULL-terminated. */
	char **sources;
	int nsources;
};

/* Parse argv[1..argc-1] for the front end `front` (a bl_front bit): options
 * that front end does not take are unknown there. -h/--help and -V/--version
 * end the parse where they stand (o->help or o->version set, nothing after
 * them read), as the answer to them ignores the rest. On failure err is
 * BL_E_USAGE with the message to show ("--bogus: unknown option (try:
 * bakelens --help)", "-t: option needs a value ...", "--insecure: expected
 * HOST[:PORT] ..."). Either way `o` holds allocations: free them with
 * bl_options_fini. */
bool bl_options_parse(
        int argc, char **argv, unsigned front, struct bl_options *o, struct bl_error *err);
void bl_options_fini(struct bl_options *o);

/* The source options the command line asks for (--offline, --no-cache,
 * --insecure, --cacert, --authfile, --containerd-address, --connect-cmd);
 * everything else in `so` zero (no progress). `so` borrows from `o`, which must outlive it. */
void bl_options_source(const struct bl_options *o, struct bl_source_opts *so);

/* Standard input can be read once: false (BL_E_USAGE) when "-" names more
 * than one source. With `sides` (diff's A B), each source is a side whose
 * parts are joined by '+', and every part counts. */
bool bl_options_check_stdin(const struct bl_options *o, bool sides, struct bl_error *err);

/* True when the option argument `arg` ("-t", "--platform") takes the next
 * argument as its value (in any front end); "-tX" and "--platform=X" carry
 * their own, and anything not an option gives false. */
bool bl_options_takes_value(const char *arg);

/* Append the help lines of the options `front` takes, in table order:
 * "  -t, --target NAME       the target ..." (the help at column 27). */
void bl_options_help(unsigned front, struct bl_buf *out);
/* Append a one-option-per-bracket synopsis of what `front` takes,
 * "[-t NAME] [-p OS/ARCH[/VARIANT]] [--offline] ...", wrapped before 100
 * columns with continuation lines indented by `indent` spaces. */
void bl_options_synopsis(unsigned front, int indent, struct bl_buf *out);
/* The long name (without "--") of the i-th option `front` takes, in --help's
 * order, aliases left out (as --help leaves them out); NULL past the last.
 * *takes_value (may be NULL) says whether it takes a value. Static storage:
 * shell completion lists the options from here. */
const char *bl_options_name(unsigned front, size_t i, bool *takes_value);

#endif
