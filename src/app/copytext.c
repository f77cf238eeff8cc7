/* Copy texts: see include/bakelens/copytext.h. */
#include "bakelens/copytext.h"

#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "bakelens/buf.h"
#include "bakelens/explain.h"
#include "bakelens/json.h"
#include "bakelens/mem.h"
#include "bakelens/text.h"

const struct bl_copytext_entry bl_copytext_menu[BL_COPYTEXT_COUNT] = {
        {'d', "digest"},
        {'r', "name@digest"},
        {'s', "short digest"},
        {'i', "diff_id"},
        {'c', "ChainID"},
        {'j', "node JSON"},
        {'k', "check commands"},
};

const char *bl_copytext_label(char key)
{
	for (size_t i = 0; i < BL_COPYTEXT_COUNT; i++)
		if (bl_copytext_menu[i].key == key)
			return bl_copytext_menu[i].label;
	return "";
}

/* A reference is printable ASCII without spaces (distribution spec); a name
 * with anything else (a newline, an escape sequence) would run commands or
 * drive the terminal when pasted, so it is never copied as one. */
static bool plain_reference(const char *s)
{
	for (; *s; s++)
		if ((unsigned char)*s <= 0x20 || (unsigned char)*s >= 0x7f)
			return false;
	return true;
}

static const char *nearest_name(const struct bl_node *n)
{
	for (; n; n = n->parent)
		if (n->name && *n->name)
			return plain_reference(n->name) ? n->name : NULL;
	return NULL;
}

/* JSON to copy: C1 and bidi controls inside strings (jansson keeps them
 * raw) written as \uXXXX, the same JSON, so a paste shows them and a
 * terminal echoing it does not act on them. */
static char *paste_safe_json(char *json)
{
	if (bl_text_is_safe(json, strlen(json)))
		return json;
	struct bl_buf b;
	bl_buf_init(&b);
	size_t len = strlen(json);
	for (size_t i = 0; i < len;) {
		uint32_t cp;
		size_t n = bl_utf8_decode(json + i, len - i, &cp);
		/* Every code point that needs escaping is under U+10000: one
		 * \uXXXX. Controls under 0x80 jansson has escaped already. */
		if (n > 1 && !bl_text_is_safe(json + i, n)) {
			bl_buf_printf(&b, "\\u%04x", (unsigned)cp);
		} else {
			n = n ? n : 1;
			bl_buf_append(&b, json + i, n);
		}
		i += n;
	}
	free(json);
	return bl_buf_take(&b);
}

/* "ghcr.io/o/r:tag" -> "ghcr.io/o/r"; the first of "a,b". */
static char *repo_of(const char *name)
{
	size_t len = strcspn(name, ",");
	char *r = bl_strndup(name, len);
	char *at = strchr(r, '@');
	if (at)
		*at = '\0';
	char *slash = strrchr(r, '/');
	char *colon = strrchr(slash ? slash : r, ':');
	if (colon)
		*colon = '\0';
	return r;
}

char *bl_copytext_make(const struct bl_node *n, char key, const char **what)
{
	return bl_copytext_make_in(NULL, n, key, what);
}

char *bl_copytext_make_in(
        const struct bl_build *b, const struct bl_node *n, char key, const char **what)
{
	if (!n)
		return NULL;
	if (key == 'k') {
		/* Commands are built from paths without control characters and
		 * shell-quoted (explain_node.c): safe to paste. */
		*what = "check commands";
		return bl_explain_checks(b, n);
	}
	/* A target's digest is its root document's (index or manifest). */
	if (n->kind == BL_NODE_TARGET && !n->has_desc && n->children.len && key != 'j') {
		const struct bl_node *root = n->children.items[0];
		if (root->has_desc && !root->name && key == 'r') {
			const char *name = nearest_name(n);
			if (!name || !bl_digest_is_set(&root->desc.digest))
				return (*what = "name@digest", NULL);
			char *repo = repo_of(name);
			char *s = bl_asprintf("%s@%s", repo, root->desc.digest.str);
			free(repo);
			*what = "name@digest";
			return s;
		}
		n = root;
	}
	bool has_digest = n->has_desc && bl_digest_is_set(&n->desc.digest);
	switch (key) {
	case 'd':
		*what = "digest";
		return has_digest ? bl_strdup(n->desc.digest.str) : NULL;
	case 'r': {
		*what = "name@digest";
		const char *name = nearest_name(n);
		if (!has_digest || !name)
			return NULL;
		char *repo = repo_of(name);
		char *s = bl_asprintf("%s@%s", repo, n->desc.digest.str);
		free(repo);
		return s;
	}
	case 's': {
		*what = "short digest";
		if (!has_digest)
			return NULL;
		char sd[32];
		bl_digest_short(&n->desc.digest, sd, sizeof sd);
		return bl_strdup(sd);
	}
	case 'i':
		*what = "diff_id";
		return n->layer && n->layer->has_diff_id ? bl_strdup(n->layer->diff_id.str) : NULL;
	case 'c':
		*what = "ChainID";
		return n->layer && n->layer->has_chain_id ? bl_strdup(n->layer->chain_id.str)
		                                          : NULL;
	case 'j':
		*what = "JSON";
		if (n->doc)
			return paste_safe_json(bl_json_pretty(n->doc));
		if (n->has_desc && n->desc.raw)
			return paste_safe_json(bl_json_pretty(n->desc.raw));
		return NULL;
	default:
		return NULL;
	}
}
