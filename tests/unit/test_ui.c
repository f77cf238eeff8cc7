/* The explorer headless: a hand-made build, keys in, a canvas out. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>
#include <stdio.h>
#include <time.h>

#include "bakelens/digest.h"
#include "bakelens/model.h"
#include "bakelens/text.h"
#include "bakelens/ui.h"
#include "bakelens/view.h"

struct fixture {
	struct bl_node root, target, manifest, config, layer;
	struct bl_layer_info linfo;
	struct bl_warning warn;
	struct bl_build build;
	struct bl_settings s;
	struct bl_keymap km;
	struct bl_ui *ui;
	struct bl_canvas c;
	struct bl_buf screen;
};

static void node(struct bl_node *n, enum bl_node_kind kind, const char *label,
        struct bl_node *parent, const char *content)
{
	n->kind = kind;
	n->label = (char *)label;
	bl_vec_init(&n->children, NULL);
	n->parent = parent;
	if (parent)
		bl_vec_push_take(&parent->children, n);
	if (content) {
		n->has_desc = true;
		n->desc.size = (int64_t)strlen(content);
		bl_digest_compute(BL_DIGEST_SHA256, content, strlen(content), &n->desc.digest);
	}
}

static int setup(void **state)
{
	struct fixture *f = calloc(1, sizeof *f);
	node(&f->root, BL_NODE_BUILD, "build", NULL, NULL);
	node(&f->target, BL_NODE_TARGET, "web", &f->root, "index");
	f->target.name = (char *)"ghcr.io/o/web:1";
	node(&f->manifest, BL_NODE_MANIFEST, "linux/amd64", &f->target, "manifest");
	node(&f->config, BL_NODE_CONFIG, "config", &f->manifest, "config");
	node(&f->layer, BL_NODE_LAYER, "evil\x1b]52;c;QQ==\a layer", &f->manifest, "layer");
	f->layer.status = BL_STATUS_MISSING;
	f->linfo.has_diff_id = true;
	bl_digest_compute(BL_DIGEST_SHA256, "diff", 4, &f->linfo.diff_id);
	f->layer.layer = &f->linfo;
	f->build.root = &f->root;
	bl_vec_init(&f->build.warnings, NULL);
	bl_vec_init(&f->build.messages, NULL);
	f->warn.rule = (char *)"FromAsCasing: 'as' and 'FROM' keywords' casing do not match";
	f->warn.file = (char *)"Dockerfile";
	f->warn.line = 3;
	bl_vec_push_take(&f->build.warnings, &f->warn);
	bl_settings_init(&f->s);
	bl_keymap_init(&f->km);
	bl_keymap_load_defaults(&f->km);
	f->ui = bl_ui_new(&f->s, &f->km);
	bl_ui_set_build(f->ui, &f->build, "test.json");
	bl_canvas_init(&f->c, 100, 20);
	bl_buf_init(&f->screen);
	*state = f;
	return 0;
}

static int teardown(void **state)
{
	struct fixture *f = *state;
	bl_ui_free(f->ui);
	bl_keymap_fini(&f->km);
	bl_settings_fini(&f->s);
	bl_canvas_fini(&f->c);
	bl_buf_fini(&f->screen);
	struct bl_node *all[] = {&f->root, &f->target, &f->manifest, &f->config, &f->layer};
	for (size_t i = 0; i < 5; i++)
		bl_vec_fini(&all[i]->children);
	bl_vec_fini(&f->build.warnings);
	bl_vec_fini(&f->build.messages);
	free(f);
	return 0;
}

static const char *render(struct fixture *f)
{
	bl_ui_render(f->ui, &f->c);
	bl_buf_clear(&f->screen);
	bl_canvas_dump(&f->c, &f->screen);
	return bl_buf_str(&f->screen);
}

/* Type `s` and render; what the keys caused (enum bl_ui_reaction bits). */
static unsigned keys(struct fixture *f, const char *s)
{
	unsigned react = 0;
	for (; *s; s++)
		react |= bl_ui_key(f->ui, (unsigned char)*s);
	render(f);
	return react;
}

static void test_first_screen_shows_tree_detail_and_key_hints(void **state)
{
	struct fixture *f = *state;
	const char *scr = render(f);
	assert_non_null(strstr(scr, " bakelens test.json"));
	assert_non_null(strstr(scr, "web ghcr.io/o/web:1"));
	assert_non_null(strstr(scr, "linux/amd64"));
	assert_non_null(strstr(scr, "q quit"));
	assert_non_null(strstr(scr, "? help"));
	assert_ptr_equal(bl_ui_selected(f->ui), &f->target);
}

static void test_hostile_label_is_shown_escaped(void **state)
{
	struct fixture *f = *state;
	const char *scr = render(f);
	assert_null(strchr(scr, '\x1b'));
	assert_null(strchr(scr, '\a'));
	assert_non_null(strstr(scr, "evil\\e]52;c;QQ==\\x07 layer"));
	assert_non_null(strstr(scr, "! missing"));
}

static void test_vi_keys_move_and_collapse(void **state)
{
	struct fixture *f = *state;
	keys(f, "j");
	assert_ptr_equal(bl_ui_selected(f->ui), &f->manifest);
	keys(f, "h"); /* collapse the manifest */
	assert_false(f->manifest.expanded);
	keys(f, "G");
	assert_ptr_equal(bl_ui_selected(f->ui), &f->manifest);
	keys(f, "g");
	assert_ptr_equal(bl_ui_selected(f->ui), &f->target);
}

static void test_search_finds_a_digest_prefix_and_n_wraps(void **state)
{
	struct fixture *f = *state;
	char q[32];
	snprintf(q, sizeof q, "/%.10s\r", bl_digest_hex(&f->config.desc.digest));
	keys(f, q);
	assert_ptr_equal(bl_ui_selected(f->ui), &f->config);
	keys(f, "/nothing-like-this\r");
	assert_non_null(strstr(bl_buf_str(&f->screen), "No match for 'nothing-like-this'"));
	assert_ptr_equal(bl_ui_selected(f->ui), &f->config);
}

static void test_filter_keeps_matching_subtrees(void **state)
{
	struct fixture *f = *state;
	keys(f, "fconfig\r");
	const char *scr = render(f);
	assert_non_null(strstr(scr, "[filter: config]"));
	assert_null(strstr(scr, "evil"));
	bl_ui_key(f->ui, BL_KEY_ESC);
	scr = render(f);
	assert_non_null(strstr(scr, "evil"));
}

static void test_copy_keys_request_digest_reference_and_diff_id(void **state)
{
	struct fixture *f = *state;
	struct bl_copy_request r;
	keys(f, "y");
	assert_true(bl_ui_take_copy(f->ui, &r));
	assert_string_equal(r.text, f->target.desc.digest.str);
	assert_string_equal(r.what, "digest");
	bl_copy_request_fini(&r);
	keys(f, "jY");
	assert_true(bl_ui_take_copy(f->ui, &r));
	char want[256];
	snprintf(want, sizeof want, "ghcr.io/o/web@%s", f->manifest.desc.digest.str);
	assert_string_equal(r.text, want);
	bl_copy_request_fini(&r);
	keys(f, "G");
	assert_ptr_equal(bl_ui_selected(f->ui), &f->layer);
	keys(f, "c");
	assert_non_null(strstr(bl_buf_str(&f->screen), "diff_id"));
	keys(f, "i");
	assert_true(bl_ui_take_copy(f->ui, &r));
	assert_string_equal(r.text, f->linfo.diff_id.str);
	bl_copy_request_fini(&r);
	assert_false(bl_ui_take_copy(f->ui, &r));
}

static void test_help_lists_every_bound_action(void **state)
{
	struct fixture *f = *state;
	bl_canvas_resize(&f->c, 120, 200);
	keys(f, "?");
	const char *scr = bl_buf_str(&f->screen);
	for (int a = 1; a < BL_ACTION_COUNT; a++)
		if (!strstr(scr, bl_action_name((enum bl_action)a)))
			fail_msg("help does not show %s", bl_action_name((enum bl_action)a));
	assert_false(keys(f, "q") & BL_UI_QUIT);
	assert_null(strstr(bl_buf_str(&f->screen), "- help"));
	assert_true(keys(f, "q") & BL_UI_QUIT);
}

static void test_messages_show_decoded_build_warnings(void **state)
{
	struct fixture *f = *state;
	keys(f, "m");
	const char *scr = bl_buf_str(&f->screen);
	assert_non_null(strstr(scr, "FromAsCasing"));
	assert_non_null(strstr(scr, "at Dockerfile:3"));
}

static void test_explain_opens_the_text_for_the_node(void **state)
{
	struct fixture *f = *state;
	keys(f, "Ge");
	/* The node's own values first, then the texts of its kind below. */
	assert_non_null(strstr(bl_buf_str(&f->screen), "This layer: evil"));
	assert_non_null(strstr(bl_buf_str(&f->screen), "Its digest sha256:"));
	bool fixed = strstr(bl_buf_str(&f->screen), "Layer digest and diff_id") != NULL;
	for (int i = 0; i < 5 && !fixed; i++) {
		keys(f, " ");
		fixed = strstr(bl_buf_str(&f->screen), "Layer digest and diff_id") != NULL;
	}
	assert_true(fixed);
}

static void test_mouse_click_selects_and_second_click_toggles(void **state)
{
	struct fixture *f = *state;
	render(f);
	bl_ui_mouse(f->ui, 5, 2, BL_MOUSE_CLICK); /* row 1: the manifest */
	assert_ptr_equal(bl_ui_selected(f->ui), &f->manifest);
	bl_ui_mouse(f->ui, 5, 2, BL_MOUSE_CLICK);
	assert_false(f->manifest.expanded);
}

static void test_small_and_resized_screens_draw_without_garbage(void **state)
{
	struct fixture *f = *state;
	bl_canvas_resize(&f->c, 40, 8);
	const char *scr = render(f);
	assert_non_null(strstr(scr, "web"));
	bl_canvas_resize(&f->c, 5, 2);
	render(f);
	bl_canvas_resize(&f->c, 160, 50);
	scr = render(f);
	assert_non_null(strstr(scr, "linux/amd64"));
}

/* A digest in the raw JSON (deeply indented) or in the facts is never cut at
 * the pane's edge, at any width: every line fits, and the lines joined (indent
 * dropped) hold the whole digest. */
static void test_detail_never_cuts_a_full_digest(void **state)
{
	struct fixture *f = *state;
	const char *dg = f->layer.desc.digest.str;
	json_t *raw = json_pack("{s:{s:{s:s}}}", "a", "b", "digest", dg);
	f->layer.desc.raw = raw;
	struct bl_doc d;
	bl_doc_init(&d);
	const int widths[] = {16, 23, 30, 41, 60, 90};
	for (size_t k = 0; k < sizeof widths / sizeof widths[0]; k++) {
		bl_detail_build(&d, &f->layer, widths[k]);
		struct bl_buf line, joined;
		bl_buf_init(&line);
		bl_buf_init(&joined);
		size_t found = 0;
		for (size_t i = 0; i < d.len; i++) {
			bl_doc_line_text(&d, i, &line);
			assert_true(bl_text_width(bl_buf_str(&line)) <= (size_t)widths[k]);
			const char *t = bl_buf_str(&line);
			while (*t == ' ')
				t++;
			bl_buf_puts(&joined, t);
		}
		for (const char *p = bl_buf_str(&joined); (p = strstr(p, dg + 7)); p++)
			found++;
		/* Once in the facts, once in the descriptor JSON. */
		assert_true(found >= 2);
		bl_buf_fini(&line);
		bl_buf_fini(&joined);
	}
	bl_doc_fini(&d);
	f->layer.desc.raw = NULL;
	json_decref(raw);
}

/* A name that is not a reference (a newline, an escape sequence) is never
 * copied as name@digest: pasted into a shell it would run a command. */
static void test_copy_never_puts_a_hostile_name_on_the_clipboard(void **state)
{
	struct fixture *f = *state;
	struct bl_copy_request r;
	f->target.name = (char *)"ghcr.io/o/web:1\nrm -rf ~\n\x1b]0;t\a";
	keys(f, "jY");
	assert_false(bl_ui_take_copy(f->ui, &r));
	assert_non_null(strstr(bl_buf_str(&f->screen), "Nothing to copy"));
	keys(f, "c");
	assert_null(strstr(bl_buf_str(&f->screen), "name@digest"));
	bl_ui_key(f->ui, BL_KEY_ESC);
	/* The node's JSON is copied whole, with C1 and bidi controls as \u
	 * escapes: the same JSON, nothing a terminal acts on. */
	json_t *doc = json_pack("{s:s}", "label",
	        "a\xc2\x9b"
	        "31m\xe2\x80\xae"
	        "b\x1b");
	f->config.doc = doc;
	keys(f, "jcj");
	assert_true(bl_ui_take_copy(f->ui, &r));
	assert_null(strstr(r.text, "\xc2\x9b"));
	assert_null(strstr(r.text, "\xe2\x80\xae"));
	assert_null(strchr(r.text, '\x1b'));
	assert_non_null(strstr(r.text, "\\u009b"));
	json_t *back = json_loads(r.text, 0, NULL);
	assert_non_null(back);
	assert_true(json_equal(back, doc));
	json_decref(back);
	bl_copy_request_fini(&r);
	f->config.doc = NULL;
	json_decref(doc);
}

/* A target labelled by its tag does not show the tag twice. */
static void test_target_named_like_its_label_shows_the_name_once(void **state)
{
	struct fixture *f = *state;
	f->target.label = (char *)"ghcr.io/o/web:1";
	const char *scr = render(f);
	assert_non_null(strstr(scr, "ghcr.io/o/web:1"));
	assert_null(strstr(scr, "ghcr.io/o/web:1 ghcr.io/o/web:1"));
}

/* Esc while loading asks to cancel and says so at once: a source stuck in a
 * long read may take a while to notice. */
static void test_escape_while_loading_says_cancelling(void **state)
{
	struct fixture *f = *state;
	struct bl_ui *ui = bl_ui_new(&f->s, &f->km);
	struct bl_load_state st = {0};
	snprintf(st.what, sizeof st.what, "indexing archive");
	st.done_bytes = 2048;
	bl_ui_set_loading(ui, &st);
	bl_ui_render(ui, &f->c);
	bl_buf_clear(&f->screen);
	bl_canvas_dump(&f->c, &f->screen);
	assert_non_null(strstr(bl_buf_str(&f->screen), "Loading: indexing archive 2.0 KiB"));
	assert_non_null(strstr(bl_buf_str(&f->screen), "Esc cancel"));
	assert_true(bl_ui_key(ui, BL_KEY_ESC) & BL_UI_CANCEL);
	bl_ui_render(ui, &f->c);
	bl_buf_clear(&f->screen);
	bl_canvas_dump(&f->c, &f->screen);
	assert_non_null(strstr(bl_buf_str(&f->screen), "Cancelling: indexing archive"));
	assert_null(strstr(bl_buf_str(&f->screen), "Esc cancel"));
	bl_ui_free(ui);
}

/* Tick the ui until its background job ends (10 s at most). */
static void wait_job(struct bl_ui *ui)
{
	struct timespec ts = {0, 5000000};
	for (int n = 0; bl_ui_tick(ui) && n < 2000; n++)
		nanosleep(&ts, NULL);
}

static const char *render_ui(struct fixture *f, struct bl_ui *ui)
{
	bl_ui_render(ui, &f->c);
	bl_buf_clear(&f->screen);
	bl_canvas_dump(&f->c, &f->screen);
	return bl_buf_str(&f->screen);
}

/* The line of the screen that holds `text`, NULL when none. */
static const char *line_with(const char *scr, const char *text, char *out, size_t outlen)
{
	const char *p = strstr(scr, text);
	if (!p)
		return NULL;
	while (p > scr && p[-1] != '\n')
		p--;
	size_t n = strcspn(p, "\n");
	snprintf(out, outlen, "%.*s", (int)n, p);
	return out;
}

static void test_files_key_opens_the_file_tree(void **state)
{
	struct fixture *f = *state;
	/* The layer without a blob: a clear message, nothing opened. */
	keys(f, "G");
	keys(f, "F");
	assert_null(strstr(render(f), "its changes"));
	wait_job(f->ui);
	assert_non_null(strstr(render(f), "blob not in any source given"));
	/* The example build (examples/out, made with umoci): real layers. */
	const char *data = getenv("BL_TESTDATA");
	assert_non_null(data);
	char path[4096], line[256];
	snprintf(path, sizeof path, "%s/../../examples/out", data);
	struct bl_build *b = NULL;
	struct bl_error err = {0};
	struct bl_source_opts lo = {0};
	const char *args[] = {path};
	assert_true(bl_build_load(args, 1, &lo, &b, &err));
	struct bl_ui *ui = bl_ui_new(&f->s, &f->km);
	bl_ui_set_build(ui, b, "examples/out");
	/* amd64 manifest (sha256:470c258103a5... in examples/out/blobs/sha256/c1a5e1f6..., by
	 * sha256sum and jq): the image as of its top layer (the RUN that deletes deps.cache and
	 * writes version; its tar holds app/ too), directories with their sizes summed */
	assert_true(bl_ui_search(ui, "470c258103a5"));
	assert_int_equal(bl_ui_selected(ui)->kind, BL_NODE_MANIFEST);
	bl_ui_key(ui, 'F');
	wait_job(ui);
	const char *scr = render_ui(f, ui);
	assert_non_null(strstr(scr, "layer 5/5 of linux/amd64, image as of it: 5 entries, 90 B"));
	assert_non_null(line_with(scr, "app/", line, sizeof line));
	assert_non_null(strstr(line, "55 B")); /* hello.sh 32 + config.toml 19 + version 4 */
	assert_non_null(line_with(scr, "version", line, sizeof line));
	assert_true(line[0] == 'A'); /* the top layer added it */
	assert_non_null(line_with(scr, "hello.sh", line, sizeof line));
	assert_true(line[0] == ' '); /* from a layer below */
	/* i: the layer's own changes, the whiteout of deps.cache among them; [ the layer
	 * below, which added deps.cache; [ again: the layer that added hello.sh */
	bl_ui_key(ui, 'i');
	scr = render_ui(f, ui);
	assert_non_null(strstr(scr, "its changes: 2 added, 0 modified, 1 deleted"));
	assert_non_null(line_with(scr, "deps.cache", line, sizeof line));
	assert_true(line[0] == 'D');
	assert_null(strstr(scr, "hello.sh"));
	bl_ui_key(ui, '[');
	scr = render_ui(f, ui);
	assert_non_null(strstr(scr, "layer 4/5 of linux/amd64, its changes: 1 added"));
	assert_non_null(line_with(scr, "deps.cache", line, sizeof line));
	assert_true(line[0] == 'A');
	bl_ui_key(ui, '[');
	bl_ui_key(ui, '[');
	scr = render_ui(f, ui);
	assert_non_null(strstr(scr, "layer 2/5 of linux/amd64, its changes: 1 added"));
	assert_non_null(line_with(scr, "hello.sh", line, sizeof line));
	assert_true(line[0] == 'A');
	/* Enter on the script: its bytes, escaped */
	bl_ui_key(ui, 'j');
	bl_ui_key(ui, BL_KEY_ENTER);
	wait_job(ui); /* its bytes are read in the background */
	scr = render_ui(f, ui);
	assert_non_null(strstr(scr, "app/hello.sh (layer 2/5 of linux/amd64)"));
	assert_non_null(strstr(scr, "Text (controls escaped)"));
	assert_non_null(strstr(scr, "#!/bin/sh"));
	bl_ui_key(ui, BL_KEY_ESC);
	bl_ui_key(ui, BL_KEY_ESC);
	/* The layer's own tree opens at once: its listing was kept. */
	assert_true(bl_ui_search(ui, "93f4651cc71b"));
	assert_int_equal(bl_ui_selected(ui)->kind, BL_NODE_LAYER);
	bl_ui_key(ui, 'F');
	assert_false(bl_ui_tick(ui));
	scr = render_ui(f, ui);
	assert_non_null(strstr(scr, "layer 2/5 of linux/amd64, its changes: 1 added"));
	bl_ui_key(ui, 'q');
	bl_ui_free(ui);
	/* Esc right after F cancels, whatever the job's speed */
	ui = bl_ui_new(&f->s, &f->km);
	bl_ui_set_build(ui, b, "examples/out");
	assert_true(bl_ui_search(ui, "470c258103a5"));
	bl_ui_key(ui, 'F');
	bl_ui_key(ui, BL_KEY_ESC);
	wait_job(ui);
	scr = render_ui(f, ui);
	assert_non_null(strstr(scr, "File listing cancelled"));
	assert_null(strstr(scr, "image as of it"));
	bl_ui_free(ui);
	bl_build_free(b);
}

/* -t and -p choose as --target and --platform do: the model's rule. */
static void test_select_target_by_image_name_then_platform(void **state)
{
	struct fixture *f = *state;
	keys(f, "G");
	assert_true(bl_ui_select_target(f->ui, "ghcr.io/o/web:1"));
	assert_ptr_equal(bl_ui_selected(f->ui), &f->target);
	assert_true(bl_ui_select_platform(f->ui, "linux/amd64"));
	assert_ptr_equal(bl_ui_selected(f->ui), &f->manifest);
	assert_false(bl_ui_select_target(f->ui, "nosuch"));
	assert_ptr_equal(bl_ui_selected(f->ui), &f->manifest);
	assert_true(bl_ui_select_target(f->ui, "web"));
	assert_false(bl_ui_select_platform(f->ui, "not a platform"));
	assert_ptr_equal(bl_ui_selected(f->ui), &f->target);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
#define T(fn) cmocka_unit_test_setup_teardown(fn, setup, teardown)
	        T(test_first_screen_shows_tree_detail_and_key_hints),
	        T(test_files_key_opens_the_file_tree),
	        T(test_select_target_by_image_name_then_platform),
	        T(test_hostile_label_is_shown_escaped),
	        T(test_vi_keys_move_and_collapse),
	        T(test_search_finds_a_digest_prefix_and_n_wraps),
	        T(test_filter_keeps_matching_subtrees),
	        T(test_copy_keys_request_digest_reference_and_diff_id),
	        T(test_help_lists_every_bound_action),
	        T(test_messages_show_decoded_build_warnings),
	        T(test_explain_opens_the_text_for_the_node),
	        T(test_mouse_click_selects_and_second_click_toggles),
	        T(test_small_and_resized_screens_draw_without_garbage),
	        T(test_copy_never_puts_a_hostile_name_on_the_clipboard),
	        T(test_target_named_like_its_label_shows_the_name_once),
	        T(test_escape_while_loading_says_cancelling),
	        T(test_detail_never_cuts_a_full_digest),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
