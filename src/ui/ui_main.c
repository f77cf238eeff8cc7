/* bl_ui_main: options, loading on a worker thread, the event loop, copying,
 * and putting the terminal back on every way out (ui.h). */
#include "bakelens/ui.h"

#include <langinfo.h>
#include <locale.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "bakelens/clipboard.h"
#include "bakelens/clock.h"
#include "bakelens/compare.h"
#include "bakelens/app.h"
#include "bakelens/exitcode.h"
#include "bakelens/mem.h"
#include "bakelens/options.h"
#include "bakelens/text.h"

static volatile sig_atomic_t stop_signal;

/* How long a cancelled load may take to stop before the explorer stops
 * waiting for it (a source stalled inside one read sees no cancel). */
enum { CANCEL_GRACE_MS = 1000 };
/* How long leaving (q, a signal, a failed side) waits for a load still
 * running to stop: its result is not wanted, and a load that answers cancels
 * (every store does between reads, and while waiting for a FIFO's writer)
 * stops well within this; one stuck inside one read is left behind. */
enum { LEAVE_GRACE_MS = 150 };

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

/* A bad command line: the reason, then what the explorer takes. */
static void usage_error(const char *msg)
{
	char *safe = bl_text_safe(msg);
	struct bl_buf syn;
	bl_buf_init(&syn);
	bl_options_synopsis(BL_FRONT_UI, 16, &syn);
	fprintf(stderr, "bakelens: %s\nusage: bakelens %s SOURCE...\n", safe, bl_buf_str(&syn));
	bl_buf_fini(&syn);
	free(safe);
}

/* The command line, then what only the explorer checks: a source, two
 * sides for --diff. */
static int parse_args(int argc, char **argv, struct bl_options *o)
{
	struct bl_error err = {0};
	if (!bl_options_parse(argc, argv, BL_FRONT_UI, o, &err) ||
	        !bl_options_check_stdin(o, o->diff, &err)) {
		usage_error(err.msg);
		return bl_exit_code(err.code);
	}
	if (o->nsources == 0) {
		usage_error("no SOURCE given");
		return BL_EXIT_USAGE;
	}
	if (o->diff && o->nsources != 2) {
		usage_error("--diff needs two sides: --diff A B (a side joins sources with '+')");
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
		char *shown = len > 80 || strchr(req->text, '\n') ? bl_asprintf("(%zu bytes)", len)
		                                                  : bl_strdup(req->text);
		bl_ui_status(ui, tool_failed, "Copied %s %s via %s%s%s", req->what, shown,
		        bl_buf_str(&how), tool_failed ? "; " : "", tool_failed ? err.msg : "");
		free(shown);
	}
	bl_buf_fini(&how);
}

static char *join_sources(const struct bl_options *o)
{
	struct bl_buf b;
	bl_buf_init(&b);
	for (int i = 0; i < o->nsources; i++) {
		if (i)
			bl_buf_putc(&b, ' ');
		bl_buf_puts(&b, o->sources[i]);
	}
	return bl_buf_take(&b);
}

int bl_ui_main(int argc, char **argv)
{
	struct bl_options o;
	int rc = parse_args(argc, argv, &o);
	if (rc != BL_EXIT_OK) {
		bl_options_fini(&o);
		return rc;
	}
	/* --offline, --insecure...: the loaders copy it, with their own progress
	 * (remote loading shows progress and Esc cancels it). */
	struct bl_source_opts source;
	bl_options_source(&o, &source);
	/* One build: a manifest's referrers are read when it is expanded
	 * (ui.c). Two (--diff): the comparison needs them all now. */
	if (!o.diff)
		source.no_referrers = true;
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
			bl_build_split_side(o.sources[k], &parts[k]);
			if (parts[k].len == 0) {
				bl_fail(&err, BL_E_USAGE,
				        "%s side: no source in \"%s\" (expected SRC or "
				        "SRC+SRC...)",
				        k ? "right" : "left", o.sources[k]);
				rc = BL_EXIT_USAGE;
				goto fail;
			}
			loaders[k] = bl_loader_start((const char *const *)parts[k].items,
			        parts[k].len, &source, NULL, &err);
		} else {
			loaders[k] = bl_loader_start((const char *const *)o.sources,
			        (size_t)o.nsources, &source, NULL, &err);
		}
		if (!loaders[k]) {
			rc = bl_exit_code(err.code);
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
	int64_t cancel_at = 0;
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
						/* "left: " or "right: " before the loader's text.
						 */
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
				rc = bl_exit_code(err.code);
				bl_canvas_fini(&canvas);
				goto fail;
			}
			if (!o.diff) {
				bl_ui_set_build(ui, builds[k], title);
				/* -t and -p select a row: the target, then a platform under it */
				if (o.target && !bl_ui_select_target(ui, o.target))
					bl_ui_status(ui, true, "No target named '%s'", o.target);
				if (o.platform && !bl_ui_select_platform(ui, o.platform))
					bl_ui_status(ui, true, "No platform matches '%s'%s",
					        o.platform, o.target ? " in that target" : "");
			} else if (builds[0] && builds[1]) {
				bl_ui_set_ignore_timestamps(ui, o.ignore_timestamps);
				bl_ui_set_compare(
				        ui, builds[0], builds[1], o.sources[0], o.sources[1]);
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
				cancel_at = bl_clock_ms();
		}
		if (cancel_at && (loaders[0] || (nload > 1 && loaders[1])) &&
		        bl_clock_ms() - cancel_at > CANCEL_GRACE_MS) {
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
		if (!bl_loader_wait(loaders[k], gave_up ? 0 : LEAVE_GRACE_MS)) {
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
	bl_options_fini(&o);
	return rc;
}
