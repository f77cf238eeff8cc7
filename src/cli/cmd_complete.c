/* bakelens __complete WORDS...: the candidates for the last word, one a line,
 * for the shell completion scripts in completions/. Hidden from --help.
 *
 * WORDS are the command line after "bakelens", the word being completed last
 * (empty when the cursor is after a space). Every list comes from where the
 * program defines it: the commands from cli.c's table, the options from
 * options.c's, --what from bl_what_name, the themes from the embedded ones
 * and the user's theme directory, targets and platforms from loading the
 * sources already on the line (offline, quietly: a failure gives nothing).
 * When nothing is printed the scripts fall back to file names. */
#include <dirent.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "bakelens/cli.h"
#include "bakelens/embed.h"
#include "bakelens/mem.h"
#include "bakelens/model.h"
#include "bakelens/vec.h"
#include "cli_internal.h"

struct cands {
	const char *prefix; /* what the word starts with: only matching candidates */
	const char *lead;   /* printed before each ("--what=" for "--what=ch"), or "" */
	struct bl_vec seen; /* char *: printed already */
};

/* Print `s` when it matches and was not printed yet. A candidate with a
 * control character or a space would be split or mangled by the shell, and
 * one from a hostile file could drive the terminal: such are left out. */
static void offer(struct cands *c, const char *s)
{
	if (!s || strncmp(s, c->prefix, strlen(c->prefix)) != 0)
		return;
	for (const unsigned char *p = (const unsigned char *)s; *p; p++)
		if (*p <= ' ' || *p == 0x7f)
			return;
	for (size_t i = 0; i < c->seen.len; i++)
		if (strcmp(bl_vec_get(&c->seen, i), s) == 0)
			return;
	bl_vec_push_take(&c->seen, bl_strdup(s));
	printf("%s%s\n", c->lead, s);
}

/* The embedded themes, then NAME for each NAME.theme where bl_theme_load
 * looks for the user's. */
static void offer_themes(struct cands *c)
{
	for (const struct bl_embed_file *f = bl_embed_themes; f->name; f++)
		offer(c, f->name);
	const char *xdg = getenv("XDG_CONFIG_HOME");
	const char *home = getenv("HOME");
	char *dir = xdg && *xdg ? bl_asprintf("%s/bakelens/themes", xdg)
	                        : bl_asprintf("%s/.config/bakelens/themes", home ? home : ".");
	DIR *d = opendir(dir);
	free(dir);
	if (!d)
		return;
	struct dirent *e;
	while ((e = readdir(d))) {
		size_t len = strlen(e->d_name);
		if (e->d_name[0] == '.' || len <= 6 || strcmp(e->d_name + len - 6, ".theme") != 0)
			continue;
		char *name = bl_strdup(e->d_name);
		name[len - 6] = '\0';
		offer(c, name);
		free(name);
	}
	closedir(d);
}

/* Every image platform under `n` (attestation manifests skipped). */
static void offer_platforms(struct cands *c, const struct bl_node *n)
{
	if (n->kind == BL_NODE_ATTESTATION)
		return;
	if (n->kind == BL_NODE_MANIFEST) {
		struct bl_platform p;
		if (bl_node_image_platform(n, &p)) {
			char *s = bl_platform_format(&p);
			if (!strchr(s, '?')) /* a part unknown: nothing --platform takes */
				offer(c, s);
			free(s);
			bl_platform_fini(&p);
		}
		return;
	}
	for (size_t i = 0; i < bl_node_count(n); i++)
		offer_platforms(c, bl_node_child(n, i));
}

/* Targets, or the platforms of --target's (of every target without one),
 * from the sources on the line. Standard input is never read: completion
 * must not consume what the command will. */
static void offer_from_sources(struct cands *c, const struct bl_options *o, bool platforms)
{
	struct bl_vec args;
	bl_vec_init(&args, free);
	for (int i = 0; i < o->nsources; i++) {
		if (i == 0 && bl_cli_is_command(o->sources[i]))
			continue;
		struct bl_vec parts;
		bl_vec_init(&parts, free);
		bl_build_split_side(o->sources[i], &parts); /* diff's sides: A+B */
		for (size_t k = 0; k < parts.len; k++)
			if (strcmp(bl_vec_get(&parts, k), "-") != 0)
				bl_vec_push_take(&args, bl_strdup(bl_vec_get(&parts, k)));
		bl_vec_fini(&parts);
	}
	struct bl_source_opts so;
	bl_options_source(o, &so);
	so.offline = true; /* a TAB never goes to the network */
	struct bl_build *b = NULL;
	struct bl_error err = {0};
	if (args.len && bl_build_load((const char *const *)args.items, args.len, &so, &b, &err)) {
		const struct bl_node *only = NULL;
		if (platforms && o->target)
			only = bl_build_find_target(b, o->target, &err);
		for (size_t i = 0; i < bl_node_count(b->root); i++) {
			const struct bl_node *t = bl_node_child(b->root, i);
			if (t->kind != BL_NODE_TARGET || (only && t != only))
				continue;
			if (platforms)
				offer_platforms(c, t);
			else
				offer(c, t->label);
		}
	}
	bl_build_free(b);
	bl_vec_fini(&args);
}

/* The value of option `opt` ("--what", "-t"). */
static void offer_values(struct cands *c, const char *opt, const struct bl_options *o)
{
	const char *name = opt[1] == '-' ? opt + 2 : NULL;
	char s = opt[1] == '-' ? 0 : opt[1];
	if ((name && strcmp(name, "what") == 0) || s == 'w') {
		for (size_t i = 0; bl_what_name(i); i++)
			offer(c, bl_what_name(i));
	} else if (name && strcmp(name, "theme") == 0) {
		offer_themes(c);
	} else if (name && strcmp(name, "format") == 0) {
		for (int i = 0; bl_format_name((enum bl_format)i); i++)
			offer(c, bl_format_name((enum bl_format)i));
	} else if ((name && strcmp(name, "target") == 0) || s == 't') {
		offer_from_sources(c, o, false);
	} else if ((name && strcmp(name, "platform") == 0) || s == 'p') {
		offer_from_sources(c, o, true);
	}
}

int cli_cmd_complete(int nwords, char **words)
{
	const char *cur = nwords > 0 ? words[nwords - 1] : "";
	int nprev = nwords > 0 ? nwords - 1 : 0;
	/* bash, right after "--what=": the word is "=", the value starts after it. */
	if (strcmp(cur, "=") == 0 && nprev > 0 && bl_options_takes_value(words[nprev - 1]))
		cur = "";
	/* bash splits "--what=ch" into "--what" "=" "ch": the same as "--what ch". */
	if (nprev >= 2 && strcmp(words[nprev - 1], "=") == 0 &&
	        bl_options_takes_value(words[nprev - 2]))
		nprev--;
	const char *opt =
	        nprev > 0 && bl_options_takes_value(words[nprev - 1]) ? words[nprev - 1] : NULL;

	/* The words before, read as the command would read them, without the
	 * option still waiting for its value; a line that does not parse
	 * (an unknown option) still completes, with no sources. */
	int n = 1 + nprev - (opt ? 1 : 0);
	char **args = bl_calloc((size_t)n + 1, sizeof *args);
	args[0] = "bakelens";
	for (int i = 1; i < n; i++)
		args[i] = words[i - 1];
	struct bl_options o;
	struct bl_error err = {0};
	bool parsed = bl_options_parse(n, args, BL_FRONT_BOTH, &o, &err);
	if (!parsed)
		o.nsources = 0;
	bool command = parsed && o.nsources > 0 && bl_cli_is_command(o.sources[0]);

	struct cands c = {.prefix = cur, .lead = ""};
	bl_vec_init(&c.seen, free);
	const char *eq = strchr(cur, '=');
	if (opt) {
		offer_values(&c, opt, &o);
	} else if (cur[0] == '-' && cur[1] == '-' && eq) {
		char *name = bl_strndup(cur, (size_t)(eq - cur));
		char *lead = bl_asprintf("%s=", name);
		c.prefix = eq + 1;
		c.lead = lead;
		if (bl_options_takes_value(name))
			offer_values(&c, name, &o);
		free(lead);
		free(name);
	} else if (cur[0] == '-') {
		/* The commands take the CLI's options; before one, the explorer's too. */
		unsigned front = command ? BL_FRONT_CLI : BL_FRONT_BOTH;
		bool value;
		for (size_t i = 0; bl_options_name(front, i, &value); i++) {
			char *s = bl_asprintf("--%s", bl_options_name(front, i, &value));
			offer(&c, s);
			free(s);
		}
	} else if (o.nsources == 0) {
		for (size_t i = 0; cli_command_name(i); i++)
			offer(&c, cli_command_name(i));
	}
	bl_vec_fini(&c.seen);
	bl_options_fini(&o);
	free(args);
	return BL_EXIT_OK;
}
