/* Shared by the subcommands of src/cli: options, loading, error reporting. */
#ifndef BL_CLI_INTERNAL_H
#define BL_CLI_INTERNAL_H

#include <stdbool.h>
#include <stdint.h>
#include <jansson.h>
#include <stdio.h>

#include "bakelens/error.h"
#include "bakelens/layerfiles.h"
#include "bakelens/model.h"
#include "bakelens/options.h"
#include "bakelens/registry.h"

/* Print "bakelens: <msg>" on stderr, escaped. */
void cli_error(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
/* Write an input string to stdout, escaped (bl_text_safe). */
void cli_put_safe(const char *s);
/* A JSON string for any input string: exact when it is UTF-8 (jansson
 * escapes controls), escaped first when not (jansson refuses invalid UTF-8,
 * e.g. a tar member name); NULL gives JSON null. A new reference. */
json_t *cli_json_str(const char *s);
/* The fields every JSON form of a file entry has (type, size, mode, uid, gid,
 * mtime, linkname), set on `j`, in that order. */
void cli_json_entry_fields(json_t *j, const struct bl_file_entry *e);

/* Print a JSON document and a newline on stdout (2-space indent, keys in
 * order), streamed through cli_jw. On a terminal everything outside printable
 * ASCII is \u-escaped (C1 controls, bidi marks, DEL), so no label can drive
 * it; pipes get UTF-8. False when stdout failed (see cli_out_ok). */
bool cli_json_print(const json_t *j);

/* Standard output. cli_out_begin (at the start of a command run) forgets
 * earlier write errors and turns a failed allocation, bl_malloc's or
 * jansson's, into "bakelens: <first source>: out of memory" on stderr and
 * exit BL_EXIT_INPUT, instead of an abort. */
void cli_out_begin(const struct bl_options *o);
/* False once a write to stdout has failed (the first error is kept, with
 * its errno): loops over many lines stop early. Call it right after writing. */
bool cli_out_ok(void);
/* At the end of a command: flush stdout and check it (also the close, on a
 * duplicate of the descriptor, so stdout stays open). On a write error print
 * "bakelens: standard output: <strerror>" once and return BL_EXIT_INPUT in
 * place of 0 (ok) or 1 (different); an exit code of 2 or more stays. */
int cli_out_finish(int rc);

/* JSON written one piece at a time, laid out as jansson lays out a whole
 * document with JSON_INDENT(2): the envelope by hand (keys, brackets), the
 * pieces with json_dump_callback, so memory holds one piece, never the
 * document. Keys are any input string, written as JSON strings (escaped as
 * cli_json_str and the terminal rule above say). A failed write
 * is recorded as cli_out_ok says and later pieces are dropped. */
#define CLI_JW_DEPTH 256
struct cli_jw {
	bool tty;                     /* stdout is a terminal: ASCII only */
	bool key_pending;             /* a key was written; its value comes next */
	int depth;                    /* open brackets */
	bool has_items[CLI_JW_DEPTH]; /* the container at that depth has an item */
};
void cli_jw_init(struct cli_jw *w);
/* "key": in the open object; the value (cli_jw_put or cli_jw_open) follows. */
void cli_jw_key(struct cli_jw *w, const char *key);
/* Open '{' or '[' as the next value; cli_jw_close with '}' or ']'. */
void cli_jw_open(struct cli_jw *w, char bracket);
void cli_jw_close(struct cli_jw *w, char bracket);
/* Write `v` as the next value (any JSON value; borrowed). */
void cli_jw_put(struct cli_jw *w, const json_t *v);
/* The same, and drop the caller's reference to `v`. */
void cli_jw_put_new(struct cli_jw *w, json_t *v);
/* Each member of the object `obj`, in order, as members of the open object;
 * drops the caller's reference to `obj`. */
void cli_jw_fields_new(struct cli_jw *w, json_t *obj);
/* cli_jw_key then cli_jw_put_new. */
void cli_jw_set_new(struct cli_jw *w, const char *key, json_t *v);
/* The final newline; true when every write succeeded. */
bool cli_jw_end(struct cli_jw *w);

/* A progress line on stderr while something is slow (after half a second),
 * only when stderr is a terminal and not --quiet: "bakelens: indexing
 * archive 1.2 GiB / 4.8 GiB (3s)", rewritten in place and erased by
 * cli_progress_end. Use cli_progress as a bl_progress_fn with `p`. */
struct cli_progress {
	bool on;                   /* stderr is a terminal and the user did not ask for quiet */
	bool shown;                /* a line is on the screen */
	int64_t start_ms, last_ms; /* bl_clock_ms */
};
void cli_progress_begin(struct cli_progress *p, const struct bl_options *o);
bool cli_progress(void *ud, const char *what, uint64_t done, uint64_t total);
/* The text of that line, without \r or erase: "bakelens: WHAT DONE[ / TOTAL]
 * (Ns)", WHAT escaped ("loading" when NULL), TOTAL left out when 0. */
void cli_progress_line(char *line, size_t size, const char *what, uint64_t done, uint64_t total,
        int64_t elapsed_ms);
void cli_progress_end(struct cli_progress *p);
/* Report `err` and return its exit code. */
int cli_fail(const struct bl_error *err);
/* cli_fail with the input named first ("<input>: <what>"): the build's
 * label, else the first source. `b` may be NULL. */
int cli_fail_input(const struct bl_build *b, const struct bl_options *o, struct bl_error *err);
/* Load the sources named in opts; prints the error and returns false on failure. */
bool cli_load(const struct bl_options *o, struct bl_build **out, int *exit_code);
/* cli_load for a command that needs less than the whole graph: no
 * referrers, documents read down to `depth` only, and with --platform only
 * that platform's manifests (struct bl_source_opts in store.h). */
/* What both do, with `needs` (NULL: everything) and a tap given to the
 * sources read once (store.h). */
bool cli_load_tap(const struct bl_options *o, const struct bl_source_opts *needs,
        const struct bl_store_tap *tap, struct bl_build **out, int *exit_code);
bool cli_load_needs(const struct bl_options *o, enum bl_load_depth depth, struct bl_build **out,
        int *exit_code);
/* The depth `digest --what W,...` needs for the n keys of `list` (none: the
 * root digest, or the layer's with has_layer): the root and indexes for
 * index and manifest digests, the manifest and its config for the rest. */
enum bl_load_depth cli_what_depth(const enum bl_what *list, size_t n, bool has_layer);
/* 0 when every node of `top`'s tree (the whole build when NULL) is usable;
 * else the worst (bl_exit_worse) of the exit codes of the nodes' failure
 * classes (bl_node.cause), after printing one line per problem on stderr,
 * at most `max_lines`. Missing and unresolved blobs are not problems. */
int cli_check_statuses(const struct bl_build *b, const struct bl_node *top, int max_lines);

/* Reports for people reading CI (report.c, report_md.c, report_html.c):
 * --format markdown|html and --summary of diff and inspect. */
struct bl_cmp;
struct bl_cmp_node;
struct bl_cmp_platform;
struct cli_report_diff {
	const struct bl_cmp *cmp;
	const struct bl_vec *left, *right; /* char *: the sources of each side */
};
/* Before loading: with --summary, $GITHUB_STEP_SUMMARY must name a file.
 * False (after printing why) with *rc = BL_EXIT_USAGE when it does not. */
bool cli_report_check(const struct bl_options *o, int *rc);
/* With --summary, append the Markdown report to $GITHUB_STEP_SUMMARY; with
 * --format markdown|html, print the report on stdout (diff: not with --quiet).
 * Returns true when stdout got the report (the caller prints nothing else).
 * A summary file that cannot be written is reported on stderr and sets *rc
 * to BL_EXIT_INPUT. */
bool cli_report_diff(const struct bl_options *o, const struct cli_report_diff *d, int *rc);
bool cli_report_inspect(const struct bl_options *o, const struct bl_build *b, int *rc);
/* The one line a report starts with, unescaped (input data inside): for a
 * diff "identical" or "different: <what> — <target> <platform>: cache breaks
 * at layer N of M: ...", the model's words; for inspect the counts of
 * targets, images and problems. Caller frees. */
char *cli_report_diff_headline(const struct bl_cmp *cmp);
char *cli_report_inspect_headline(const struct bl_build *b);
/* The last layer's ChainID below an image manifest, NULL when unknown. */
const struct bl_digest *cli_report_last_chain(const struct bl_node *manifest);
/* The sign of a compared node: "+" right only, "-" left only, "=" identical,
 * "~" different. */
const char *cli_report_sign(const struct bl_cmp_node *n);
/* True when nothing below n (n included) differs or carries a note. */
bool cli_report_quiet(const struct bl_cmp_node *n);
/* A platform's final ChainID on one side (right or left); NULL when that
 * side has no such image or it is unknown. */
const struct bl_digest *cli_report_chain(const struct bl_cmp_platform *p, bool right);
/* A table of targets by platforms in one form: the strings around the
 * title, the table, the header cells, the row label and the cells; `rule`
 * "---" writes Markdown's delimiter row, "" none; an empty title_start, no
 * title. Input strings go through `esc`. */
struct cli_report_form {
	const char *title_start, *title_end, *table_start, *table_end;
	const char *row_start, *label_end, *head_start, *head_end, *cell_start, *cell_end, *row_end,
	        *rule;
	void (*esc)(struct bl_buf *out, const char *s);
};
/* The table of a comparison (a row per target, a column per platform, a
 * cell per platform summary that `cell` writes, a dash where a target has
 * no such platform), nothing when there is no platform. */
void cli_report_diff_table(struct bl_buf *out, const struct cli_report_form *f,
        const struct bl_cmp *cmp,
        void (*cell)(struct bl_buf *out, const struct bl_cmp_platform *p));
/* The same for one build: a cell per image manifest of a target. */
void cli_report_inspect_table(struct bl_buf *out, const struct cli_report_form *f,
        const struct bl_build *b, void (*cell)(struct bl_buf *out, const struct bl_node *m));
/* Render into `out`. */
void cli_report_diff_md(const struct cli_report_diff *d, struct bl_buf *out);
void cli_report_diff_html(const struct cli_report_diff *d, struct bl_buf *out);
void cli_report_inspect_md(const struct bl_build *b, struct bl_buf *out);
void cli_report_inspect_html(const struct bl_build *b, struct bl_buf *out);

int cli_cmd_tree(const struct bl_options *o);
int cli_cmd_inspect(const struct bl_options *o);
int cli_cmd_digest(const struct bl_options *o);
/* digest --json / --compare with the keys `asked` (query.h bits, 0: all). */
int cli_digest_json(const struct bl_options *o, unsigned asked);
int cli_cmd_tags(const struct bl_options *o);
int cli_cmd_diff(const struct bl_options *o);
int cli_cmd_ls(const struct bl_options *o);
int cli_cmd_check(const struct bl_options *o);
int cli_cmd_cat(const struct bl_options *o);

/* ---- images (cli_image.c), for ls, cat and check ---- */
struct bl_image_files;
/* The image manifest --target and --platform name, usable
 * (cli_image_usable). NULL with err set. */
const struct bl_node *cli_image_manifest(
        const struct bl_build *b, const struct bl_options *o, struct bl_error *err);
/* False (err: the manifest's failure, BL_E_NOT_FOUND for a missing blob)
 * when the manifest could not be read: it has no layers to list. */
bool cli_image_usable(const struct bl_node *m, struct bl_error *err);
size_t cli_image_layer_count(const struct bl_node *m);
/* The layer at 0-based `idx`, NULL past the end. */
const struct bl_node *cli_image_layer(const struct bl_node *m, size_t idx);
/* Parse --layer's value (prints the usage error and returns false). */
bool cli_layer_arg(const char *arg, long *out);
/* bl_layer_number_index, failing with BL_E_NOT_FOUND "--layer N: the image
 * has C layers (1 to C, or -1 to -C)". */
bool cli_layer_index(long number, size_t count, size_t *idx, struct bl_error *err);
/* The first `count` layers of `m` (SIZE_MAX: all) listed into `f`
 * (initialised), with a progress line; layers `pass` listed as they passed
 * (may be NULL) come from it. */
struct bl_passlist;
bool cli_image_list(const struct bl_options *o, const struct bl_node *m, bool hash, size_t count,
        const struct bl_passlist *pass, struct bl_image_files *f, struct bl_error *err);
/* cli_image_list without hashes or the layers' tar sizes, so that a layer
 * with a table of contents is listed from it (cat). */
bool cli_image_list_files(const struct bl_options *o, const struct bl_node *m,
        const struct bl_passlist *pass, struct bl_image_files *f, struct bl_error *err);
/* cli_load (cli_load_needs with BL_LOAD_CONFIGS when `configs`) with a
 * pass list (passlist.h) tapping the sources read once, so that the layers
 * of standard input are listed while it passes; `capture` (a normalised
 * path, or NULL) also keeps that file's bytes. *pass is the caller's to
 * free (bl_passlist_free), also on failure. */
bool cli_image_load(const struct bl_options *o, bool configs, const char *capture,
        struct bl_build **b, struct bl_passlist **pass, int *exit_code);
/* `bakelens __complete WORDS...` (hidden): the candidates for the last of
 * the words, one a line on stdout; always 0. See cmd_complete.c. */
int cli_cmd_complete(int nwords, char **words);
/* The name of the i-th command of cli.c's table, NULL past the last. */
const char *cli_command_name(size_t i);

/* cli_sbom.c: the `sbom` object of inspect --json for an SBOM statement
 * node (NULL for any other node; {"error": ...} when it does not decode),
 * and the `packages` object of diff --json. New references. */
struct bl_pkg_diff;
json_t *cli_sbom_json(const struct bl_node *n);
json_t *cli_pkg_diff_json(const struct bl_pkg_diff *d);
/* The `referrer` object of inspect --json for a node found as a referrer
 * (NULL for others). A new reference. */
json_t *cli_referrer_json(const struct bl_node *n);

#endif
