/* The full-screen explorer.
 *
 * bl_ui_main is the entry point src/main.c calls when there is no subcommand
 * and stdout is a terminal. The rest is the explorer's state without a
 * terminal: it takes keys, mouse events and actions, and renders into a
 * canvas, so tests drive it headless.
 */
#ifndef BL_UI_H
#define BL_UI_H

#include <stdbool.h>

#include "bakelens/actions.h"
#include "bakelens/app.h"
#include "bakelens/compare.h"
#include "bakelens/keymap.h"
#include "bakelens/model.h"
#include "bakelens/settings.h"
#include "bakelens/term.h"
#include "bakelens/theme.h"

/* argv[0] is the program; then options (--theme NAME, --no-color,
 * --platform P, --offline) and SOURCE arguments, or `--diff A B` (each side
 * a source or sources joined with '+', as `bakelens diff` takes them) to
 * open the compare view of two builds. Returns an exit code of
 * enum bl_exit (cli.h): 0, 2 for usage, 3 and above when loading fails, 130
 * when the user cancelled loading. Restores the terminal on every path.
 *
 * Signals: SIGINT, SIGTERM and SIGHUP end the event loop and the explorer
 * returns 128 + the signal (130, 143, 129) on a restored terminal; a second
 * one while it shuts down leaves at once (_exit, same status). Every other
 * signal whose default action ends the process (SIGQUIT, SIGSEGV, SIGABRT,
 * SIGBUS, SIGFPE, SIGILL, SIGUSR1...) restores the terminal from the handler
 * and the process then dies by that signal, so the shell reports 128 + it
 * (131, 139...). SIGPIPE is ignored. Quitting or cancelling never waits more
 * than a second for a load stuck inside one read: the process exits without
 * joining it. */
int bl_ui_main(int argc, char **argv);

struct bl_ui;

/* What an input caused that the front end must act on: bits of the mask
 * bl_ui_do and bl_ui_key return (0: nothing beyond the ui's own state,
 * which the next bl_ui_render shows). */
enum bl_ui_reaction {
	BL_UI_REDRAW = 1, /* repaint the whole screen from scratch (C-l) */
	BL_UI_CANCEL = 2, /* cancel the loading in progress */
	BL_UI_COPY = 4,   /* a copy is pending: bl_ui_take_copy */
	BL_UI_QUIT = 8,   /* leave the explorer */
};

/* A copy the front end should perform (it owns the terminal). */
struct bl_copy_request {
	char *text; /* owned */
	char *what; /* "digest", "name@digest"... owned */
};

/* `s` and `km` are borrowed and must outlive the ui. */
struct bl_ui *bl_ui_new(const struct bl_settings *s, const struct bl_keymap *km);
void bl_ui_free(struct bl_ui *ui);
/* Show `b` (borrowed; the caller frees it after bl_ui_free). */
void bl_ui_set_build(struct bl_ui *ui, struct bl_build *b, const char *title);
/* Loading progress for the status bar; NULL when loading is over. */
void bl_ui_set_loading(struct bl_ui *ui, const struct bl_load_state *st);
/* Add a line to the message view (config diagnostics...), escaped here. */
void bl_ui_add_message(struct bl_ui *ui, const char *msg);
/* A one-shot status bar message (cleared by the next key). */
void bl_ui_status(struct bl_ui *ui, bool error, const char *fmt, ...)
        __attribute__((format(printf, 3, 4)));

/* Open the compare view on two builds (borrowed; the caller frees them
 * after bl_ui_free). `lname` and `rname` name the sides (column headings).
 * Without a build shown (bakelens --diff), closing it quits. */
void bl_ui_set_compare(struct bl_ui *ui, const struct bl_build *left, const struct bl_build *right,
        const char *lname, const char *rname);
/* Whether timestamps count in comparisons (config created, history[].created,
 * file mtimes), as bakelens diff --ignore-timestamps; an open comparison is
 * made again, keeping its file diffs. The t key toggles it. */
void bl_ui_set_ignore_timestamps(struct bl_ui *ui, bool on);
bool bl_ui_ignores_timestamps(const struct bl_ui *ui);
/* True while the compare view is open. */
bool bl_ui_compare_open(const struct bl_ui *ui);
/* The selected row of the compare view, NULL when it is closed. */
const struct bl_cmp_node *bl_ui_compare_selected(struct bl_ui *ui);
/* Background work (a file diff): take finished results, update progress.
 * Call it every turn of the event loop; true while work is running. */
bool bl_ui_tick(struct bl_ui *ui);

/* A key (term.h codes): the action it is bound to in the current scope, or
 * prompt and menu input. Returns what it caused (enum bl_ui_reaction bits). */
unsigned bl_ui_key(struct bl_ui *ui, int key);
void bl_ui_mouse(struct bl_ui *ui, int x, int y, enum bl_mouse_button b);
/* Perform an action as if its key was pressed. Returns what it caused
 * (enum bl_ui_reaction bits); a reaction is reported once, by the call that
 * caused it. */
unsigned bl_ui_do(struct bl_ui *ui, enum bl_action a);
void bl_ui_render(struct bl_ui *ui, struct bl_canvas *c);

/* The copy a BL_UI_COPY asked for (ownership to the caller); false when
 * none is pending. A later copy replaces one not taken. */
bool bl_ui_take_copy(struct bl_ui *ui, struct bl_copy_request *out);
void bl_copy_request_fini(struct bl_copy_request *r);
/* Select the next row matching `query` (as `/` does); false when none. */
bool bl_ui_search(struct bl_ui *ui, const char *query);
/* Select the target row named `name` exactly; false when there is none. */
bool bl_ui_select_target(struct bl_ui *ui, const char *name);
/* Select the first image manifest whose platform matches "os/arch[/variant]"
 * (as --platform matches), within the selected target when one is selected;
 * false when there is none. */
bool bl_ui_select_platform(struct bl_ui *ui, const char *platform);
/* The selected node (in the compare view: the right side's, else the
 * left's), NULL before loading. */
struct bl_node *bl_ui_selected(struct bl_ui *ui);

#endif
