/* libFuzzer: the text parsers of the explorer's configuration.
 *
 * The input is cut on "\n--\n" into: a config file (set, bind, theme
 * lines), a theme file, then lines each tried as a --platform value, a key
 * name and a colour name. A key name or platform that parses must print as
 * text that parses back to the same thing; anything else aborts. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "bakelens/buf.h"
#include "bakelens/descriptor.h"
#include "bakelens/keymap.h"
#include "bakelens/mem.h"
#include "bakelens/settings.h"
#include "bakelens/theme.h"
#include "bakelens/vec.h"
#include "fuzz_common.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static void die(const char *what, const char *text)
{
	fprintf(stderr, "config: %s: \"%s\"\n", what, text);
	abort();
}

static void platform_round_trip(const char *s)
{
	struct bl_platform p, again;
	struct bl_error err;
	if (!bl_platform_parse(s, &p, &err))
		return;
	char *text = bl_platform_format(&p);
	if (!bl_platform_parse(text, &again, &err))
		die("a parsed platform prints as text that does not parse", text);
	if (!bl_platform_match(&p, &again) || !bl_platform_match(&again, &p))
		die("a parsed platform prints as another platform", text);
	bl_platform_fini(&again);
	bl_platform_fini(&p);
	free(text);
}

static void key_round_trip(const char *s)
{
	int key, again;
	if (!bl_key_parse(s, &key))
		return;
	char name[32];
	bl_key_name(key, name, sizeof name);
	if (!bl_key_parse(name, &again) || again != key)
		die("a parsed key prints as another name", name);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct fuzz_part parts[3];
	size_t n = fuzz_split(data, size, parts, 3);
	char *text[3] = {NULL, NULL, NULL};
	for (size_t i = 0; i < 3; i++)
		text[i] = i < n ? bl_strndup((const char *)parts[i].data, parts[i].len)
		                : bl_strdup("");

	struct bl_settings s;
	struct bl_keymap km;
	struct bl_vec diags;
	bl_settings_init(&s);
	bl_keymap_init(&km);
	bl_vec_init(&diags, free);
	bl_config_parse(&s, &km, "config", text[0], &diags);
	struct bl_buf md;
	bl_buf_init(&md);
	bl_keymap_markdown(&km, &md);
	bl_buf_fini(&md);

	struct bl_theme t;
	bl_theme_init_default(&t);
	bl_theme_parse(&t, "fuzz.theme", text[1], &diags);
	bl_theme_degrade(&t, 8);
	bl_theme_degrade(&t, 0);
	bl_theme_fini(&t);

	char *save = NULL;
	for (char *line = strtok_r(text[2], "\n", &save); line;
	        line = strtok_r(NULL, "\n", &save)) {
		platform_round_trip(line);
		key_round_trip(line);
		short c;
		(void)bl_color_parse(line, &c);
		char *msg = NULL;
		if (!bl_settings_set(&s, "theme", line, &msg))
			free(msg);
	}
	bl_vec_fini(&diags);
	bl_keymap_fini(&km);
	bl_settings_fini(&s);
	for (size_t i = 0; i < 3; i++)
		free(text[i]);
	return 0;
}
