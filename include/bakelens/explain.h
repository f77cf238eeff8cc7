/* Teaching texts: what a node is and why it matters, in plain words.
 *
 * The texts are docs/explain/\*.md, compiled in (one source of truth). A node
 * is explained by its kind, then by what is special about it (missing,
 * mismatch, synthesised, an empty config layer...).
 */
#ifndef BL_EXPLAIN_H
#define BL_EXPLAIN_H

#include "bakelens/buf.h"
#include "bakelens/model.h"

/* The text called `topic` ("layer", "chainid"), or NULL. Borrowed, static. */
const char *bl_explain_topic(const char *topic);
/* The topics that apply to `n`, most specific last, into out (a bl_vec of
 * borrowed const char * names, no free function). */
void bl_explain_topics_for(const struct bl_node *n, struct bl_vec *out);
/* All texts for `n`, separated by blank lines, into out (cleared first). */
void bl_explain_node(const struct bl_node *n, struct bl_buf *out);

/* The node's own values explained (src/app/explain_node.c): what its digest
 * is the sha256 of, its size, a layer's diff_id and ChainID with the formula
 * and the ChainID under it, a config's fields, a target's pointer, what
 * would change each value, then the commands that check them by hand. One
 * item a line: "# " starts a heading, "$ " a command (the rest of the line is
 * what to type), an empty line separates, any other line is a paragraph.
 * Every value taken from the input is escaped (bl_text_safe). `b` (the build
 * `n` is in) gives the sources and metadata file for `bakelens digest`; NULL
 * uses the node's own source. Appends to out; nothing for NULL or for nodes
 * with no values of their own (the build, build information). */
void bl_explain_values(const struct bl_build *b, const struct bl_node *n, struct bl_buf *out);

/* The check commands of bl_explain_values alone, one a line, each ending in
 * '\n', shell-quoted (a path with spaces or quotes is one word), ready to
 * paste: a new string the caller frees, or NULL when there is none (no
 * digest, a source that cannot be read again such as standard input, or a
 * path holding control characters, which is never put in a command). */
char *bl_explain_checks(const struct bl_build *b, const struct bl_node *n);

/* The layer under `n` in the same manifest (borrowed), NULL for the bottom
 * one or a node that is not a layer. */
const struct bl_node *bl_explain_layer_below(const struct bl_node *n);
/* "layer 2/3 of linux/amd64": the node's label and the platform of its
 * image, escaped; a new string the caller frees. */
char *bl_explain_title(const struct bl_node *n);

/* `s` as one shell word: unchanged when it holds only [A-Za-z0-9_./:@%+=,-],
 * else in single quotes (a ' as '\''). New string, caller frees. */
char *bl_explain_shell_quote(const char *s);

#endif
