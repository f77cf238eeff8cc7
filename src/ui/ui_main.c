/* bl_ui_main: options, loading on a worker thread, the event loop, copying,
 * and putting the terminal back on every way out (ui.h). */
#include "bakelens/ui.h"

#include <langinfo.h>
#include <locale.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "bakelens/clipboard.h"
#include "bakelens/compare.h"
#include "bakelens/cli.h"
#include "bakelens/app.h"
#include "bakelens/mem.h"
#include "bakelens/registry.h"
#include "bakelens/text.h"

static volatile sig_atomic_t stop_signal;

/* How long a cancelled load may take to stop before the explorer stops
 * waiting for it (a source stalled inside one read sees no cancel). */
enum { CANCEL_GRACE_MS = 1000 };

static long long now_ms(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (long long)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

static void on_stop(int sig)
{
	if (stop_signal) {
		/* A second one: the first is not being honoured (a load stuck in a
		 * read): put the terminal back and go now. */
		bl_term_curses_emergency_restore();
		_exit(128 + sig);
	}
	stop_signal = sig;
}

static void on_fatal(int sig)
{
	bl_term_curses_emergency_restore();
	/* SA_RESETHAND put the default action back: die the usual way. */
	raise(sig);
}

static void on_oom(void)
{
	bl_term_curses_emergency_restore();
	static const char msg[] = "bakelens: out of memory\n";
	ssize_t r = write(STDERR_FILENO, msg, sizeof msg - 1);
	(void)r;
}

static void install_signals(void)
{
	struct sigaction sa;
	memset(&sa, 0, sizeof sa);
	sigemptyset(&sa.sa_mask);
	sa.sa_handler = on_stop;
	sigaction(SIGINT, &sa, NULL);
	sigaction(SIGTERM, &sa, NULL);
	sigaction(SIGHUP, &sa, NULL);
	/* A write to a closed pipe or socket fails with EPIPE instead. */
	sa.sa_handler = SIG_IGN;
	sigaction(SIGPIPE, &sa, NULL);
	/* Every other signal whose default action ends the process: put the
	 * terminal back, then die by the signal (exit status 128 + signal). */
	sa.sa_handler = on_fatal;
	sa.sa_flags = SA_RESETHAND;
	const int fatal[] = {SIGSEGV, SIGBUS, SIGFPE, SIGILL, SIGABRT, SIGQUIT, SIGTRAP, SIGSYS,
		SIGXCPU, SIGXFSZ, SIGUSR1, SIGUSR2, SIGALRM, SIGVTALRM, SIGPROF};
	for (size_t i = 0; i < sizeof fatal / sizeof fatal[0]; i++)
		sigaction(fatal[i], &sa, NULL);
	bl_mem_set_oom_hook(on_oom);
}

static int exit_code_for(enum bl_status st)
{
	switch (st) {
	case BL_OK:
		return BL_EXIT_OK;
	case BL_E_USAGE:
		return BL_EXIT_USAGE;
	case BL_E_IO:
	case BL_E_NOT_FOUND:
		return BL_EXIT_INPUT;
	case BL_E_DIGEST:
		return BL_EXIT_VERIFY;
	case BL_E_NET:
		return BL_EXIT_NETWORK;
	case BL_E_AUTH:
		return BL_EXIT_AUTH;
	case BL_E_CANCELLED:
		return BL_EXIT_CANCELLED;
	default:
		return BL_EXIT_FORMAT;
	}
}

static void usage_error(const char *what, const char *arg)
{
	char *safe = bl_text_safe(arg);
	fprintf(stderr, "bakelens: %s%s%s\n", what, *safe ? ": " : "", safe);
	fprintf(stderr, "usage: bakelens [--theme NAME] [--no-color] [-t TARGET] [-p PLATFORM] "
			"[--offline] [--no-cache]\n"
			"                [--insecure HOST[:PORT]]... [--cacert FILE] [--authfile FILE] "
			"SOURCE...\n");
	free(safe);
}

struct opts {
	const char *theme;
	bool no_color;
	const char *platform;
	const char *target;
	bool offline;
	bool no_cache;
	const char *cacert;
	const char *authfile;
	const char **insecure; /* NULL-terminated */
	size_t ninsecure;
	const char **sources;
	size_t nsources;
	bool diff; /* --diff A B: sources[0] and sources[1] are the sides */
	bool ignore_timestamps; /* --ignore-timestamps (with --diff; t toggles it) */
};

/* The registry options of this run, read by the loader thread (set before it
 * starts, not changed after). The loader's progress callback reaches the
 * registry store through bl_load_opts.progress: remote loading shows progress
 * and Esc cancels it. */
static struct bl_registry_opts ui_registry;
static bool ui_offline;

static bool load_with_options(const char *const *args, size_t nargs,
	const struct bl_load_opts *opts, struct bl_build **out, struct bl_error *err)
{
	struct bl_load_opts lo = *opts;
	lo.registry = &ui_registry;
	lo.offline = ui_offline;
	return bl_build_load(args, nargs, &lo, out, err);
}

/* Options with a value: "--name VALUE" or "--name=VALUE". */
static const char *const value_opts[] = {"--theme", "--platform", "--target", "--insecure",
	"--cacert", "--authfile"};

/* The short forms the command line has too: "-p P" or "-pP", "-t T". */
static const char *long_of_short(const char *a)
{
	if (a[0] != '-' || a[1] == '-' || !a[1])
		return NULL;
	return a[1] == 'p' ? "--platform" : a[1] == 't' ? "--target" : NULL;
}

static int parse_args(int argc, char **argv, struct opts *o)
{
	o->sources = bl_calloc((size_t)argc + 1, sizeof *o->sources);
	o->insecure = bl_calloc((size_t)argc + 1, sizeof *o->insecure);
	bool only_sources = false;
	for (int i = 1; i < argc; i++) {
		const char *a = argv[i];
		if (only_sources || a[0] != '-' || strcmp(a, "-") == 0) {
			o->sources[o->nsources++] = a;
			continue;
		}
		if (strcmp(a, "--") == 0) {
			only_sources = true;
		} else if (strcmp(a, "--no-color") == 0 || strcmp(a, "--no-colour") == 0) {
			o->no_color = true;
		} else if (strcmp(a, "--offline") == 0) {
			o->offline = true;
		} else if (strcmp(a, "--no-cache") == 0) {
			o->no_cache = true;
		} else if (strcmp(a, "--diff") == 0) {
			o->diff = true;
		} else if (strcmp(a, "--ignore-timestamps") == 0) {
			o->ignore_timestamps = true;
		} else if (long_of_short(a)) {
			if (!a[2] && i + 1 >= argc) {
				usage_error("option needs a value", a);
				return BL_EXIT_USAGE;
			}
			const char *value = a[2] ? a + 2 : argv[++i];
			if (!strcmp(long_of_short(a), "--platform"))
				o->platform = value;
			else
				o->target = value;
		} else {
			const char *name = NULL, *value = NULL;
			for (size_t k = 0; k < sizeof value_opts / sizeof value_opts[0]; k++) {
				size_t len = strlen(value_opts[k]);
				if (strncmp(a, value_opts[k], len) != 0)
					continue;
				if (a[len] == '=') {
					name = value_opts[k];
					value = a + len + 1;
				} else if (a[len] == '\0') {
					if (i + 1 >= argc) {
						usage_error("option needs a value", a);
						return BL_EXIT_USAGE;
					}
					name = value_opts[k];
					value = argv[++i];
				}
				break;
			}
			if (!name) {
				usage_error("unknown option", a);
				return BL_EXIT_USAGE;
			}
			if (strcmp(name, "--theme") == 0) {
				o->theme = value;
			} else if (strcmp(name, "--platform") == 0) {
				o->platform = value;
			} else if (strcmp(name, "--target") == 0) {
				o->target = value;
			} else if (strcmp(name, "--cacert") == 0) {
				o->cacert = value;
			} else if (strcmp(name, "--authfile") == 0) {
				o->authfile = value;
			} else {
				if (!*value || strchr(value, '/') || strchr(value, '@')) {
					usage_error("--insecure: expected HOST[:PORT] (as in the reference)", value);
					return BL_EXIT_USAGE;
				}
				o->insecure[o->ninsecure++] = value;
			}
		}
	}
	if (o->nsources == 0) {
		usage_error("no SOURCE given", "");
		return BL_EXIT_USAGE;
	}
	if (o->diff && o->nsources != 2) {
		usage_error("--diff needs two sides: --diff A B (a side joins sources with '+')", "");
		return BL_EXIT_USAGE;
	}
	return BL_EXIT_OK;
}

static void perform_copy(struct bl_ui *ui, struct bl_term *term, const struct bl_settings *s,
	struct bl_copy_request *req)
{
	struct bl_buf how;
	bl_buf_init(&how);
	if (s->osc52) {
		struct bl_buf seq;
		bl_buf_init(&seq);
		const char *tmux = getenv("TMUX");
		bl_clipboard_sequence(req->text, strlen(req->text), tmux && *tmux, &seq);
		term->ops->write_raw(term, seq.data, seq.len);
		bl_buf_fini(&seq);
		bl_buf_puts(&how, "OSC 52");
	}
	bool tool_failed = false;
	struct bl_error err = {0};
	if (s->clipboard_tools) {
		const char *const *tool = bl_clipboard_find_tool(NULL);
		if (tool) {
			if (bl_clipboard_run_tool(tool, req->text, strlen(req->text), &err)) {
				bl_buf_puts(&how, how.len ? " and " : "");
				bl_buf_puts(&how, tool[0]);
			} else {
				tool_failed = true;
			}
		}
	}
	if (!how.len) {
		bl_ui_status(ui, true, "Could not copy the %s: %s", req->what,
			tool_failed ? err.msg : "OSC 52 is off and no clipboard tool was found");
	} else {
		size_t len = strlen(req->text);
		char *shown = len > 80 || strchr(req->text, '\n') ?
			bl_asprintf("(%zu bytes)", len) : bl_strdup(req->text);
		bl_ui_status(ui, tool_failed, "Copied %s %s via %s%s%s", req->what, shown,
			bl_buf_str(&how), tool_failed ? "; " : "", tool_failed ? err.msg : "");
		free(shown);
	}
	bl_buf_fini(&how);
}

static char *join_sources(const struct opts *o)
{
	struct bl_buf b;
	bl_buf_init(&b);
	for (size_t i = 0; i < o->nsources; i++) {
		if (i)
			bl_buf_putc(&b, ' ');
		bl_buf_puts(&b, o->sources[i]);
	}
	return bl_buf_take(&b);
}

/* A side of --diff: one source, or several joined with '+' (a path that
 * exists is one source even when it holds '+'), as `bakelens diff` reads it. */
static void split_side(const char *arg, struct bl_vec *parts)
{
	struct stat st;
	if (!strchr(arg, '+') || stat(arg, &st) == 0) {
		bl_vec_push(parts, bl_strdup(arg));
		return;
	}
	for (const char *p = arg;;) {
		const char *plus = strchr(p, '+');
		size_t len = plus ? (size_t)(plus - p) : strlen(p);
		if (len)
			bl_vec_push(parts, bl_strndup(p, len));
		if (!plus)
			break;
		p = plus + 1;
	}
}

int bl_ui_main(int argc, char **argv)
{
	struct opts o = {0};
	int rc = parse_args(argc, argv, &o);
	if (rc != BL_EXIT_OK) {
		free(o.sources);
		free(o.insecure);
		return rc;
	}
	memset(&ui_registry, 0, sizeof ui_registry);
	ui_registry.insecure = o.insecure;
	ui_registry.cacert = o.cacert;
	ui_registry.authfile = o.authfile;
	ui_registry.no_cache = o.no_cache;
	ui_registry.offline = o.offline;
	ui_offline = o.offline;
	setlocale(LC_ALL, "");
	bool utf8 = strcmp(nl_langinfo(CODESET), "UTF-8") == 0;

	struct bl_settings settings;
	struct bl_keymap km;
	struct bl_theme theme;
	struct bl_vec diags;
	bl_settings_init(&settings);
	bl_keymap_init(&km);
	bl_keymap_load_defaults(&km);
	bl_vec_init(&diags, free);
	bl_config_load_user(&settings, &km, &diags);
	if (!utf8)
		settings.ascii = true;
	bl_theme_init_default(&theme);
	bl_theme_load(&theme, o.theme ? o.theme : settings.theme, &diags);
	const char *no_color_env = getenv("NO_COLOR");
	bool color = !o.no_color && !(no_color_env && *no_color_env);

	struct bl_error err = {0};
	struct bl_term *term = bl_term_curses_new();
	install_signals();
	int ncolors = 0;
	struct bl_ui *ui = NULL;
	/* One loader, or two for --diff (left, right), running side by side. */
	struct bl_build *builds[2] = {NULL, NULL};
	struct bl_loader *loaders[2] = {NULL, NULL};
	size_t nload = o.diff ? 2 : 1;
	struct bl_vec parts[2];
	bl_vec_init(&parts[0], free);
	bl_vec_init(&parts[1], free);
	/* bench/tui_first_screen.sh: quit once the first full screen is drawn. */
	const char *exit_first = getenv("BL_EXIT_AFTER_FIRST_FRAME");
	bool exit_after_first = exit_first && strcmp(exit_first, "1") == 0;
	char *title = join_sources(&o);
	bool gave_up = false; /* a cancelled load did not stop in time */
	if (!term->ops->start(term, color, settings.mouse, &ncolors, &err)) {
		rc = BL_EXIT_INPUT;
		fprintf(stderr, "bakelens: %s\n", err.msg);
		goto out;
	}
	bl_theme_degrade(&theme, ncolors);
	term->ops->set_theme(term, &theme);

	ui = bl_ui_new(&settings, &km);
	for (size_t i = 0; i < diags.len; i++)
		bl_ui_add_message(ui, diags.items[i]);
	if (diags.len)
		bl_ui_status(ui, true, "%zu problem(s) in the settings: press m to read them",
			diags.len);
	for (size_t k = 0; k < nload; k++) {
		if (o.diff) {
			split_side(o.sources[k], &parts[k]);
			if (parts[k].len == 0) {
				bl_fail(&err, BL_E_USAGE, "%s side: no source in \"%s\" (expected SRC or "
					"SRC+SRC...)", k ? "right" : "left", o.sources[k]);
				rc = BL_EXIT_USAGE;
				goto fail;
			}
			loaders[k] = bl_loader_start((const char *const *)parts[k].items, parts[k].len,
				load_with_options, &err);
		} else {
			loaders[k] = bl_loader_start(o.sources, o.nsources, load_with_options, &err);
		}
		if (!loaders[k]) {
			rc = BL_EXIT_INPUT;
			goto fail;
		}
	}
	struct bl_load_state st = {0};
	bl_loader_poll(loaders[0], &st);
	bl_ui_set_loading(ui, &st);

	struct bl_canvas canvas;
	bl_canvas_init(&canvas, 0, 0);
	/* Not UTF-8: curses would print other bytes as ~X or M-X. */
	canvas.ascii = !utf8;
	long long cancel_at = 0;
	for (;;) {
		if (stop_signal) {
			rc = 128 + stop_signal;
			break;
		}
		bool loading = false, progress_shown = false;
		for (size_t k = 0; k < nload; k++) {
			if (!loaders[k])
				continue;
			bl_loader_poll(loaders[k], &st);
			if (!st.done) {
				loading = true;
				if (!progress_shown) {
					if (o.diff) {
						/* "left: " or "right: " before the loader's text. */
						const char *side = k ? "right: " : "left: ";
						size_t sl = strlen(side);
						memmove(st.what + sl, st.what, sizeof st.what - sl);
						st.what[sizeof st.what - 1] = '\0';
						memcpy(st.what, side, sl);
					}
					bl_ui_set_loading(ui, &st);
					progress_shown = true;
				}
				continue;
			}
			builds[k] = bl_loader_finish(loaders[k], &err);
			loaders[k] = NULL;
			if (!builds[k]) {
				if (o.diff)
					bl_error_prefix(&err, "%s side", k ? "right" : "left");
				rc = exit_code_for(err.code);
				bl_canvas_fini(&canvas);
				goto fail;
			}
			if (!o.diff) {
				bl_ui_set_build(ui, builds[k], title);
				/* -t and -p select a row: the target, then a platform under it */
				if (o.target && !bl_ui_select_target(ui, o.target))
					bl_ui_status(ui, true, "No target named '%s'", o.target);
				if (o.platform && !bl_ui_select_platform(ui, o.platform))
					bl_ui_status(ui, true, "No platform matches '%s'%s", o.platform,
						o.target ? " in that target" : "");
			} else if (builds[0] && builds[1]) {
				bl_ui_set_ignore_timestamps(ui, o.ignore_timestamps);
				bl_ui_set_compare(ui, builds[0], builds[1], o.sources[0], o.sources[1]);
			} else {
				loading = true;
			}
		}
		bool busy = bl_ui_tick(ui);
		int w, h;
		term->ops->size(term, &w, &h);
		if (w != canvas.w || h != canvas.h)
			bl_canvas_resize(&canvas, w, h);
		bl_ui_render(ui, &canvas);
		term->ops->draw(term, &canvas);
		if (exit_after_first && !loading) {
			rc = BL_EXIT_OK;
			break;
		}

		struct bl_event ev;
		unsigned react = 0;
		/* Short waits while work runs: its end shows without a key. */
		if (term->ops->poll(term, loading || busy ? 10 : 250, &ev)) {
			if (ev.kind == BL_EV_KEY)
				react = bl_ui_key(ui, ev.key);
			else if (ev.kind == BL_EV_MOUSE)
				bl_ui_mouse(ui, ev.x, ev.y, ev.button);
			/* BL_EV_RESIZE: the size is read again above. */
		}
		if (react & BL_UI_REDRAW) {
			/* Forget what is on the screen: the next draw repaints it all. */
			bl_canvas_resize(&canvas, 0, 0);
			if (term->ops->invalidate)
				term->ops->invalidate(term);
		}
		if (react & BL_UI_CANCEL) {
			for (size_t k = 0; k < nload; k++)
				if (loaders[k])
					bl_loader_cancel(loaders[k]);
			if (!cancel_at)
				cancel_at = now_ms();
		}
		if (cancel_at && (loaders[0] || (nload > 1 && loaders[1])) &&
			now_ms() - cancel_at > CANCEL_GRACE_MS) {
			/* The load did not notice: stop waiting for it (see out:). */
			char *safe = bl_text_safe(title);
			bl_fail(&err, BL_E_CANCELLED, "%s: loading cancelled", safe);
			free(safe);
			rc = BL_EXIT_CANCELLED;
			gave_up = true;
			bl_canvas_fini(&canvas);
			goto fail;
		}
		struct bl_copy_request req;
		if ((react & BL_UI_COPY) && bl_ui_take_copy(ui, &req)) {
			perform_copy(ui, term, &settings, &req);
			bl_copy_request_fini(&req);
		}
		if (react & BL_UI_QUIT) {
			rc = BL_EXIT_OK;
			break;
		}
	}
	bl_canvas_fini(&canvas);
	goto out;

fail:
	term->ops->stop(term);
	fprintf(stderr, "bakelens: %s\n", err.msg[0] ? err.msg : "loading failed");
out:
	term->ops->destroy(term);
	for (size_t k = 0; k < nload; k++) {
		if (!loaders[k])
			continue;
		bl_loader_cancel(loaders[k]);
		if (!bl_loader_wait(loaders[k], gave_up ? 0 : CANCEL_GRACE_MS)) {
			/* Stuck in a read (a stalled pipe or server): the terminal is
			 * back and the message printed; leave without joining it. */
			fflush(NULL);
			_exit(rc);
		}
		struct bl_build *late = bl_loader_finish(loaders[k], NULL);
		bl_build_free(late);
	}
	/* The ui borrows the comparison, which borrows the builds. */
	bl_ui_free(ui);
	bl_build_free(builds[0]);
	bl_build_free(builds[1]);
	bl_vec_fini(&parts[0]);
	bl_vec_fini(&parts[1]);
	bl_theme_fini(&theme);
	bl_settings_fini(&settings);
	bl_keymap_fini(&km);
	bl_vec_fini(&diags);
	free(title);
	free(o.sources);
	free(o.insecure);
	return rc;
}
