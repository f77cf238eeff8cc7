/* The terminal, abstracted: a canvas of cells that views draw into, input
 * events, and a table of operations that a backend implements.
 *
 * Only src/ui/term_curses.c talks to curses (built into the executable only);
 * everything else draws into a struct bl_canvas, which tests read back as text
 * with bl_canvas_dump. The canvas is the last line of defence against hostile
 * text: a control character or invalid UTF-8 that reaches it is drawn as '?'.
 *
 * Column widths: in a UTF-8 locale (after setlocale) the canvas measures
 * characters with wcwidth(), as curses does when it places them, so a row
 * never shifts on the screen; otherwise with bl_text_width. A combining mark
 * joins the character before it in the same cell.
 */
#ifndef BL_TERM_H
#define BL_TERM_H

#include <stdbool.h>
#include <stddef.h>

#include "bakelens/buf.h"
#include "bakelens/error.h"
#include "bakelens/theme.h"

struct bl_cell {
	/* One UTF-8 character and the combining marks on it (up to 3 more
	 * characters), NUL-terminated; "" for the right half of a wide one. */
	char ch[16];
	unsigned char width; /* 1, 2, or 0 for a continuation cell */
	unsigned char role;  /* enum bl_role */
};

struct bl_canvas {
	int w, h;
	struct bl_cell *cells; /* h rows of w cells */
	/* Only ASCII is drawn (the terminal's locale is not UTF-8): any other
	 * character becomes '?' (two for a wide one, so columns stay where the
	 * layout put them) and combining marks are left out. Kept by resize. */
	bool ascii;
};

void bl_canvas_init(struct bl_canvas *c, int w, int h);
void bl_canvas_fini(struct bl_canvas *c);
void bl_canvas_resize(struct bl_canvas *c, int w, int h); /* contents cleared */
/* Every cell a space in `role`. */
void bl_canvas_clear(struct bl_canvas *c, enum bl_role role);
/* Draw `s` at (x, y), at most `maxw` columns (clipped to the canvas). A wide
 * character that does not fit is left out. Returns the columns used. */
int bl_canvas_put(struct bl_canvas *c, int x, int y, int maxw, enum bl_role role, const char *s);
/* Spaces in `role` over w columns. */
void bl_canvas_fill(struct bl_canvas *c, int x, int y, int w, enum bl_role role);
/* Change the role of w cells, keeping their characters (selection bars). */
void bl_canvas_paint(struct bl_canvas *c, int x, int y, int w, enum bl_role role);
/* The cell at (x, y); asserts it is on the canvas. */
const struct bl_cell *bl_canvas_at(const struct bl_canvas *c, int x, int y);
/* The text of every row, trailing spaces trimmed, each ending in '\n'. */
void bl_canvas_dump(const struct bl_canvas *c, struct bl_buf *out);
/* The text of one row (trailing spaces trimmed) into out (cleared first). */
void bl_canvas_row_text(const struct bl_canvas *c, int y, struct bl_buf *out);

enum bl_event_kind {
	BL_EV_NONE = 0, /* timeout */
	BL_EV_KEY,
	BL_EV_MOUSE,
	BL_EV_RESIZE,
};

enum bl_mouse_button {
	BL_MOUSE_CLICK = 1,
	BL_MOUSE_WHEEL_UP,
	BL_MOUSE_WHEEL_DOWN,
};

struct bl_event {
	enum bl_event_kind kind;
	int key;  /* BL_EV_KEY: see keymap.h */
	int x, y; /* BL_EV_MOUSE: cell */
	enum bl_mouse_button button;
};

struct bl_term;

struct bl_term_ops {
	/* Take over the screen. `ncolors` gets 0, 8 or 256 (0 when `color` is false). */
	bool (*start)(
	        struct bl_term *t, bool color, bool mouse, int *ncolors, struct bl_error *err);
	/* Give the screen back as it was. Safe to call twice. */
	void (*stop)(struct bl_term *t);
	void (*set_theme)(struct bl_term *t, const struct bl_theme *theme);
	void (*size)(struct bl_term *t, int *w, int *h);
	void (*draw)(struct bl_term *t, const struct bl_canvas *c);
	/* Wait up to timeout_ms (-1: forever) for an event; false on timeout or interruption. */
	bool (*poll)(struct bl_term *t, int timeout_ms, struct bl_event *ev);
	/* Bytes straight to the terminal (OSC 52), after the screen is up to date. */
	void (*write_raw)(struct bl_term *t, const char *s, size_t len);
	/* Forget what the terminal shows: the next draw clears it and paints
	 * every cell (C-l after another program wrote on it). May be NULL. */
	void (*invalidate)(struct bl_term *t);
	void (*destroy)(struct bl_term *t);
};

struct bl_term {
	const struct bl_term_ops *ops;
};

/* The curses backend (src/ui/term_curses.c, linked into the executable only). */
struct bl_term *bl_term_curses_new(void);
/* Put the terminal back from a signal handler or the allocation-failure hook:
 * only async-signal-safe calls (write, tcsetattr). */
void bl_term_curses_emergency_restore(void);

#endif
