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

#endif
