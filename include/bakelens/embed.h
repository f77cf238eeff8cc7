/* Text files compiled into the program (src/app/embed.py): default key
 * bindings, themes and the teaching texts of docs/explain. The files in the
 * source tree are the one source of truth; the build turns them into tables. */
#ifndef BL_EMBED_H
#define BL_EMBED_H

#include <stddef.h>

struct bl_embed_file {
	const char *name; /* the file name without directory and extension: "layer", "default" */
	const char *text; /* NUL-terminated contents */
	size_t len;
};

/* Tables end with an entry whose name is NULL. */
extern const struct bl_embed_file bl_embed_explain[]; /* docs/explain/\*.md */
extern const struct bl_embed_file bl_embed_themes[];  /* themes/\*.theme */
extern const struct bl_embed_file bl_embed_keys[];    /* src/app/keys.conf as "keys" */

/* The entry called `name` in `table`, or NULL. */
const struct bl_embed_file *bl_embed_find(const struct bl_embed_file *table, const char *name);

#endif
