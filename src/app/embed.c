/* Lookup in the embedded file tables: see include/bakelens/embed.h. */
#include "bakelens/embed.h"

#include <string.h>

const struct bl_embed_file *bl_embed_find(const struct bl_embed_file *table, const char *name)
{
	if (!name)
		return NULL;
	for (const struct bl_embed_file *f = table; f->name; f++)
		if (strcmp(f->name, name) == 0)
			return f;
	return NULL;
}
