/* Copying text to the user's clipboard.
 *
 * Always through the terminal with OSC 52 (works over SSH; in tmux both as a
 * plain sequence, which tmux takes with `set-clipboard on`, and wrapped for
 * passthrough to the outer terminal), plus the first of wl-copy, xclip, xsel
 * and pbcopy found on PATH (wl-copy needs WAYLAND_DISPLAY, xclip and xsel need
 * DISPLAY). The encoders are pure; only bl_clipboard_run_tool runs anything.
 */
#ifndef BL_CLIPBOARD_H
#define BL_CLIPBOARD_H

#include <stdbool.h>
#include <stddef.h>

#include "bakelens/buf.h"
#include "bakelens/error.h"

/* ESC ] 52 ; c ; BASE64 BEL, appended to out. */
void bl_clipboard_osc52(const void *data, size_t len, struct bl_buf *out);
/* The sequence wrapped for tmux passthrough: ESC P tmux; <seq with each ESC
 * doubled> ESC \, appended to out. */
void bl_clipboard_tmux_wrap(const char *seq, size_t len, struct bl_buf *out);
/* Everything to write to the terminal for one copy: the OSC 52 sequence, and
 * when `in_tmux` also its passthrough-wrapped form. */
void bl_clipboard_sequence(const void *data, size_t len, bool in_tmux, struct bl_buf *out);

/* The argv of the clipboard tool to use, NULL when none: looks at
 * WAYLAND_DISPLAY, DISPLAY and PATH (from `getenv_fn`, getenv when NULL).
 * Borrowed static strings. */
const char *const *bl_clipboard_find_tool(const char *(*getenv_fn)(const char *name));
/* Run the tool with `data` on its standard input, waiting for it (with a
 * time limit). False with a message when it could not run or failed. */
bool bl_clipboard_run_tool(
        const char *const *argv, const void *data, size_t len, struct bl_error *err);

#endif
