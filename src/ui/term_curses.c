/* The curses backend of struct bl_term: the only file that includes curses
 * (linked into the executable only, see meson.build). */
#define NCURSES_WIDECHAR 1
#include <curses.h>

#include <errno.h>
#include <signal.h>
#include <stdlib.h>
#include <string.h>
#include <termios.h>
#include <unistd.h>

#include "bakelens/keymap.h"
#include "bakelens/mem.h"
#include "bakelens/term.h"

struct cterm {
	struct bl_term base;
	bool started;
	bool color;
	int ncolors;
	attr_t attrs[BL_ROLE_COUNT];
};

/* For the signal handler: the terminal as it was before curses, and the
 * bytes that undo what curses set up (made at start from terminfo, since a
 * handler may not call curses). */
static struct termios saved_tio;
static volatile sig_atomic_t have_saved_tio;
static volatile sig_atomic_t screen_active;
#define XTERM_RESTORE                                                                              \
	"\033[?1000l\033[?1002l\033[?1006l\033[?25h\033[0m\033[?1l\033>\033[?1049l\r\n"
static char restore_seq[512] = XTERM_RESTORE; /* until make_restore_seq */
static size_t restore_len = sizeof XTERM_RESTORE - 1;

static void restore_add(const char *s)
{
	if (!s || s == (const char *)-1)
		return;
	size_t n = strlen(s);
	if (restore_len + n < sizeof restore_seq) {
		memcpy(restore_seq + restore_len, s, n);
		restore_len += n;
	}
}

/* What endwin would send: mouse reporting off, cursor shown, attributes
 * reset, keypad (application cursor keys) off, alternate screen left. The
 * terminfo strings for this terminal, the xterm ones when it has none. */
static void make_restore_seq(bool mouse)
{
	restore_len = 0; /* the handler writes nothing while this runs: at worst no restore */
	if (mouse)
		restore_add("\033[?1000l\033[?1002l\033[?1006l");
	const char *cnorm = tigetstr("cnorm");
	restore_add(cnorm && cnorm != (char *)-1 ? cnorm : "\033[?25h");
	const char *sgr0 = tigetstr("sgr0");
	restore_add(sgr0 && sgr0 != (char *)-1 ? sgr0 : "\033[0m");
	restore_add(tigetstr("rmkx"));
	restore_add(tigetstr("rmcup"));
	restore_add("\r\n");
}

void bl_term_curses_emergency_restore(void)
{
	if (!screen_active)
		return;
	screen_active = 0;
	/* Plain writes are async-signal-safe, endwin is not. */
	ssize_t r = write(STDOUT_FILENO, restore_seq, restore_len);
	(void)r;
	if (have_saved_tio)
		tcsetattr(STDIN_FILENO, TCSANOW, &saved_tio);
}

static bool c_start(struct bl_term *t, bool color, bool mouse, int *ncolors, struct bl_error *err)
{
	struct cterm *ct = (struct cterm *)t;
	if (tcgetattr(STDIN_FILENO, &saved_tio) == 0)
		have_saved_tio = 1;
	if (!initscr())
		return bl_fail(err, BL_E_IO, "cannot start the terminal (TERM=%s)",
		        getenv("TERM") ? getenv("TERM") : "");
	ct->started = true;
	screen_active = 1;
	cbreak();
	noecho();
	nonl();
	keypad(stdscr, TRUE);
	intrflush(stdscr, FALSE);
	curs_set(0);
	set_escdelay(25);
	ct->ncolors = 0;
	if (color && has_colors()) {
		start_color();
		use_default_colors();
		ct->ncolors = COLORS >= 256 ? 256 : COLORS >= 8 ? 8 : 0;
	}
	ct->color = ct->ncolors > 0;
	if (mouse) {
		mousemask(BUTTON1_PRESSED | BUTTON4_PRESSED | BUTTON5_PRESSED, NULL);
		mouseinterval(0);
	}
	make_restore_seq(mouse);
	*ncolors = ct->ncolors;
	return true;
}

static void c_stop(struct bl_term *t)
{
	struct cterm *ct = (struct cterm *)t;
	if (!ct->started)
		return;
	ct->started = false;
	mousemask(0, NULL);
	/* Without an alternate screen (vt100) the explorer would stay on the
	 * screen under the shell's prompt: clear it. */
	const char *rmcup = tigetstr("rmcup");
	if (!rmcup || rmcup == (char *)-1) {
		erase();
		refresh();
	}
	endwin();
	screen_active = 0;
}

static void c_set_theme(struct bl_term *t, const struct bl_theme *theme)
{
	struct cterm *ct = (struct cterm *)t;
	for (int r = 0; r < BL_ROLE_COUNT; r++) {
		const struct bl_style *st = &theme->roles[r];
		attr_t a = A_NORMAL;
		if (st->attrs & BL_ATTR_BOLD)
			a |= A_BOLD;
		if (st->attrs & BL_ATTR_DIM)
			a |= A_DIM;
		if (st->attrs & BL_ATTR_UNDERLINE)
			a |= A_UNDERLINE;
		if (st->attrs & BL_ATTR_REVERSE)
			a |= A_REVERSE;
		if (st->attrs & BL_ATTR_ITALIC)
			a |= A_ITALIC;
		if (st->attrs & BL_ATTR_BLINK)
			a |= A_BLINK;
		if (ct->color && r + 1 < COLOR_PAIRS) {
			init_pair((short)(r + 1), st->fg, st->bg);
			a |= COLOR_PAIR(r + 1);
		}
		ct->attrs[r] = a;
	}
}

static void c_size(struct bl_term *t, int *w, int *h)
{
	(void)t;
	getmaxyx(stdscr, *h, *w);
}

static void c_draw(struct bl_term *t, const struct bl_canvas *c)
{
	struct cterm *ct = (struct cterm *)t;
	char run[1024];
	for (int y = 0; y < c->h; y++) {
		move(y, 0);
		size_t len = 0;
		int role = -1;
		for (int x = 0; x < c->w; x++) {
			const struct bl_cell *cl = bl_canvas_at(c, x, y);
			if (cl->width == 0)
				continue;
			size_t n = strlen(cl->ch);
			if (cl->role != role || len + n >= sizeof run) {
				if (len) {
					addnstr(run, (int)len);
					len = 0;
				}
				role = cl->role;
				attrset(ct->attrs[role]);
			}
			memcpy(run + len, cl->ch, n);
			len += n;
		}
		if (len)
			addnstr(run, (int)len); /* the bottom-right cell returns ERR: harmless */
	}
	attrset(A_NORMAL);
	refresh();
}

static int map_key(int k)
{
	switch (k) {
	case KEY_UP:
		return BL_KEY_UP;
	case KEY_DOWN:
		return BL_KEY_DOWN;
	case KEY_LEFT:
		return BL_KEY_LEFT;
	case KEY_RIGHT:
		return BL_KEY_RIGHT;
	case KEY_PPAGE:
		return BL_KEY_PGUP;
	case KEY_NPAGE:
		return BL_KEY_PGDN;
	case KEY_HOME:
		return BL_KEY_HOME;
	case KEY_END:
		return BL_KEY_END;
	case KEY_ENTER:
		return BL_KEY_ENTER;
	case KEY_BTAB:
		return BL_KEY_BACKTAB;
	case KEY_BACKSPACE:
		return BL_KEY_BACKSPACE;
	case KEY_DC:
		return BL_KEY_DELETE;
	case KEY_IC:
		return BL_KEY_INSERT;
	default:
		if (k >= KEY_F(1) && k <= KEY_F(12))
			return BL_KEY_F1 + (k - KEY_F(1));
		return BL_KEY_NONE;
	}
}

static bool c_poll(struct bl_term *t, int timeout_ms, struct bl_event *ev)
{
	(void)t;
	memset(ev, 0, sizeof *ev);
	timeout(timeout_ms);
	wint_t ch;
	int r = get_wch(&ch);
	if (r == ERR)
		return false;
	if (r == KEY_CODE_YES) {
		if (ch == KEY_RESIZE) {
			/* Repaint it all: what a terminal keeps of the old screen
			 * (attributes of cleared cells, reflowed lines) is not what
			 * curses assumes, and a storm of resizes leaves traces. */
			clearok(curscr, TRUE);
			ev->kind = BL_EV_RESIZE;
			return true;
		}
		if (ch == KEY_MOUSE) {
			MEVENT me;
			if (getmouse(&me) != OK)
				return false;
			ev->kind = BL_EV_MOUSE;
			ev->x = me.x;
			ev->y = me.y;
			if (me.bstate & BUTTON4_PRESSED)
				ev->button = BL_MOUSE_WHEEL_UP;
			else if (me.bstate & BUTTON5_PRESSED)
				ev->button = BL_MOUSE_WHEEL_DOWN;
			else if (me.bstate & BUTTON1_PRESSED)
				ev->button = BL_MOUSE_CLICK;
			else
				return false;
			return true;
		}
		int k = map_key((int)ch);
		if (k == BL_KEY_NONE)
			return false;
		ev->kind = BL_EV_KEY;
		ev->key = k;
		return true;
	}
	ev->kind = BL_EV_KEY;
	ev->key = bl_key_normalize((int)ch);
	return true;
}

static void c_write_raw(struct bl_term *t, const char *s, size_t len)
{
	(void)t;
	refresh();
	while (len > 0) {
		ssize_t n = write(STDOUT_FILENO, s, len);
		if (n < 0 && errno == EINTR)
			continue;
		if (n <= 0)
			break;
		s += n;
		len -= (size_t)n;
	}
}

static void c_invalidate(struct bl_term *t)
{
	(void)t;
	clearok(curscr, TRUE);
}

static void c_destroy(struct bl_term *t)
{
	if (!t)
		return;
	c_stop(t);
	free(t);
}

static const struct bl_term_ops curses_ops = {
        .start = c_start,
        .stop = c_stop,
        .set_theme = c_set_theme,
        .size = c_size,
        .draw = c_draw,
        .poll = c_poll,
        .write_raw = c_write_raw,
        .invalidate = c_invalidate,
        .destroy = c_destroy,
};

struct bl_term *bl_term_curses_new(void)
{
	struct cterm *ct = bl_calloc(1, sizeof *ct);
	ct->base.ops = &curses_ops;
	return &ct->base;
}
