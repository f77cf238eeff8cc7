/* What the explorer copies from a node: its digest, name@digest, short
 * digest, diff_id, ChainID, JSON or the commands that check it, as text ready for a clipboard.
 *
 * Pure functions of the model: no terminal, no clipboard (clipboard.h puts
 * the text there). Every text is safe to paste into a shell or a terminal: a
 * name that is not a plain reference is never copied, and JSON has its C1
 * and bidi controls \u-escaped.
 */
#ifndef BL_COPYTEXT_H
#define BL_COPYTEXT_H

#include "bakelens/model.h"

/* An entry of the copy menu: the key that picks it and what it copies. */
struct bl_copytext_entry {
	char key;
	const char *label;
};

#define BL_COPYTEXT_COUNT 7

/* The menu in display order: 'd' digest, 'r' name@digest, 's' short digest,
 * 'i' diff_id, 'c' ChainID, 'j' node JSON, 'k' check commands. */
extern const struct bl_copytext_entry bl_copytext_menu[BL_COPYTEXT_COUNT];

/* The menu label of `key`, "" when no entry has that key. Static. */
const char *bl_copytext_label(char key);

/* What entry `key` copies for `n`: a new string the caller frees, or NULL
 * when `n` (or NULL) has no such value or the key is unknown. *what is set
 * to the value's name for messages ("digest", "name@digest", "short digest",
 * "diff_id", "ChainID", "JSON"; static) whenever `n` is not NULL and the key
 * is known, also when NULL is returned; left alone otherwise.
 *
 * A target without a descriptor copies its root document's values; its
 * name@digest is the repository of the nearest name above (tag dropped) at
 * that digest. A name holding a byte outside printable ASCII (a newline, an
 * escape sequence) is not a reference: no name@digest then. JSON is the
 * node's document, else its descriptor, pretty-printed. */
char *bl_copytext_make(const struct bl_node *n, char key, const char **what);
/* The same for a node of build `b` (may be NULL): 'k' copies the commands
 * that check the node's digests by hand (bl_explain_checks), which name the
 * build's sources; *what is "check commands". */
char *bl_copytext_make_in(
        const struct bl_build *b, const struct bl_node *n, char key, const char **what);

#endif
