/* Standard output of the subcommands: write errors, the final flush, the
 * out-of-memory exit, and JSON written one piece at a time (cli_internal.h). */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "bakelens/exitcode.h"
#include "bakelens/mem.h"
#include "bakelens/text.h"
#include "cli_internal.h"

/* The first error a write to stdout met (an errno), 0 while none. Kept
 * apart from the stream because errno is overwritten by what follows. */
static int out_errno;
/* The input named by the out-of-memory message, escaped; set before any
 * allocation can fail so that the hook itself needs none. */
static char oom_input[256] = "bakelens";

static void write_all(int fd, const char *s)
{
	size_t n = strlen(s);
	while (n) {
		ssize_t w = write(fd, s, n);
		if (w <= 0)
			return;
		s += w;
		n -= (size_t)w;
	}
}

/* Runs where an allocation failed: nothing here may allocate. */
static void cli_oom(void)
{
	write_all(STDERR_FILENO, "bakelens: ");
	write_all(STDERR_FILENO, oom_input);
	write_all(STDERR_FILENO, ": out of memory\n");
	_exit(BL_EXIT_INPUT);
}

/* jansson returns NULL on a failed allocation and the caller cannot tell a
 * half-built document from a whole one: fail the way bl_malloc does. */
static void *json_alloc(size_t n)
{
	return bl_malloc(n);
}

void cli_out_begin(const struct bl_options *o)
{
	out_errno = 0;
	clearerr(stdout);
	const char *what = "bakelens";
	if (o && o->nsources > 0)
		what = o->sources[0];
	if (o && o->nsources == 1 && strcmp(what, "-") == 0)
		what = "standard input";
	char *safe = bl_text_safe(what);
	snprintf(oom_input, sizeof oom_input, "%s", safe);
	free(safe);
	bl_mem_set_oom_hook(cli_oom);
	json_set_alloc_funcs(json_alloc, free);
}

bool cli_out_ok(void)
{
	if (out_errno)
		return false;
	if (ferror(stdout)) {
		/* Called right after the failed write: errno is still its error. */
		out_errno = errno ? errno : EIO;
		return false;
	}
	return true;
}

int cli_out_finish(int rc)
{
	if (!out_errno && fflush(stdout) != 0)
		out_errno = errno ? errno : EIO;
	cli_out_ok();
	/* Some file systems report a failed write only when the file is closed.
	 * Closing a duplicate gets that report and leaves stdout to the caller. */
	if (!out_errno) {
		int fd = dup(STDOUT_FILENO);
		if (fd >= 0 && close(fd) != 0 && errno != EINTR)
			out_errno = errno;
	}
	if (!out_errno)
		return rc;
	cli_error("standard output: %s", strerror(out_errno));
	out_errno = 0;
	clearerr(stdout);
	/* An error found before (exit 2 and above) keeps its code: it came first. */
	return rc == BL_EXIT_OK || rc == BL_EXIT_DIFFERENT ? BL_EXIT_INPUT : rc;
}

void cli_put_safe(const char *s)
{
	char *q = bl_text_safe(s);
	fputs(q, stdout);
	free(q);
}

/* ---- JSON, streamed ---- */

/* Bytes from jansson (or the writer) to stdout: after each newline the
 * indentation of the level the piece is written at; on a terminal DEL as
 * \u007f (jansson leaves it raw even with JSON_ENSURE_ASCII; outside strings
 * a JSON document has no DEL, so the \u form is always valid). */
static int emit(const char *p, size_t n, void *ud)
{
	struct cli_jw *w = ud;
	if (!cli_out_ok())
		return -1;
	size_t start = 0;
	for (size_t i = 0; i < n; i++) {
		bool nl = p[i] == '\n', del = w->tty && p[i] == 0x7f;
		if (!nl && !del)
			continue;
		fwrite(p + start, 1, i - start + (nl ? 1 : 0), stdout);
		if (del)
			fputs("\\u007f", stdout);
		else
			for (int d = 0; d < w->depth; d++)
				fputs("  ", stdout);
		start = i + 1;
	}
	fwrite(p + start, 1, n - start, stdout);
	return cli_out_ok() ? 0 : -1;
}

void cli_jw_init(struct cli_jw *w)
{
	memset(w, 0, sizeof *w);
	w->tty = isatty(STDOUT_FILENO);
}

/* What comes before a key, an element or an opening bracket: nothing after a
 * key; else ",", a newline and the indentation inside a container. */
static void separate(struct cli_jw *w)
{
	if (w->key_pending) {
		w->key_pending = false;
		return;
	}
	if (w->depth == 0)
		return;
	emit(w->has_items[w->depth] ? ",\n" : "\n", w->has_items[w->depth] ? 2 : 1, w);
	w->has_items[w->depth] = true;
}

void cli_jw_key(struct cli_jw *w, const char *key)
{
	separate(w);
	/* A key can come from input (a target's name): jansson escapes it. */
	json_t *k = cli_json_str(key);
	if (cli_out_ok())
		json_dump_callback(k, emit, w, JSON_ENCODE_ANY | (w->tty ? JSON_ENSURE_ASCII : 0));
	json_decref(k);
	emit(": ", 2, w);
	w->key_pending = true;
}

void cli_jw_open(struct cli_jw *w, char bracket)
{
	separate(w);
	emit(&bracket, 1, w);
	if (w->depth + 1 < CLI_JW_DEPTH)
		w->depth++;
	w->has_items[w->depth] = false;
}

void cli_jw_close(struct cli_jw *w, char bracket)
{
	bool items = w->has_items[w->depth];
	if (w->depth > 0)
		w->depth--;
	if (items)
		emit("\n", 1, w);
	emit(&bracket, 1, w);
}

void cli_jw_put(struct cli_jw *w, const json_t *v)
{
	separate(w);
	size_t flags = JSON_INDENT(2) | JSON_PRESERVE_ORDER | JSON_ENCODE_ANY |
	               (w->tty ? JSON_ENSURE_ASCII : 0);
	if (cli_out_ok())
		json_dump_callback(v, emit, w, flags);
}

void cli_jw_put_new(struct cli_jw *w, json_t *v)
{
	cli_jw_put(w, v);
	json_decref(v);
}

void cli_jw_fields_new(struct cli_jw *w, json_t *obj)
{
	const char *key;
	json_t *v;
	json_object_foreach(obj, key, v)
	{
		cli_jw_key(w, key);
		cli_jw_put(w, v);
	}
	json_decref(obj);
}

void cli_jw_set_new(struct cli_jw *w, const char *key, json_t *v)
{
	cli_jw_key(w, key);
	cli_jw_put_new(w, v);
}

bool cli_jw_end(struct cli_jw *w)
{
	emit("\n", 1, w);
	return cli_out_ok();
}

bool cli_json_print(const json_t *j)
{
	struct cli_jw w;
	cli_jw_init(&w);
	cli_jw_put(&w, j);
	return cli_jw_end(&w);
}
