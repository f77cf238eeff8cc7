/* Shared by the subcommands of src/cli: options, loading, error reporting. */
#ifndef BL_CLI_INTERNAL_H
#define BL_CLI_INTERNAL_H

#include <stdbool.h>
#include <stdint.h>
#include <jansson.h>
#include <stdio.h>

#include "bakelens/error.h"
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

/* Print a JSON document and a newline on stdout (2-space indent, keys in
 * order). On a terminal everything outside printable ASCII is \u-escaped (C1
 * controls, bidi marks, DEL), so no label can drive it; pipes get UTF-8. */
void cli_json_print(json_t *j);
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
/* 0 when every node of `top`'s tree (the whole build when NULL) is usable;
 * else the worst (bl_exit_worse) of the exit codes of the nodes' failure
 * classes (bl_node.cause), after printing one line per problem on stderr,
 * at most `max_lines`. Missing and unresolved blobs are not problems. */
int cli_check_statuses(const struct bl_build *b, const struct bl_node *top, int max_lines);

int cli_cmd_tree(const struct bl_options *o);
int cli_cmd_inspect(const struct bl_options *o);
int cli_cmd_digest(const struct bl_options *o);
int cli_cmd_tags(const struct bl_options *o);
int cli_cmd_diff(const struct bl_options *o);
int cli_cmd_ls(const struct bl_options *o);

#endif
