/* Line and word splitting for config and theme files: see lex.h. */
#include "lex.h"

#include <stdarg.h>
#include <stdlib.h>
#include <string.h>

#include "bakelens/buf.h"
#include "bakelens/mem.h"
#include "bakelens/text.h"

void lex_each_line(const char *text, void (*fn)(void *ud, const struct lex_line *l), void *ud)
{
	int lineno = 0;
	const char *p = text ? text : "";
	while (*p) {
		const char *end = strchr(p, '\n');
		size_t len = end ? (size_t)(end - p) : strlen(p);
		lineno++;
		struct lex_line l = {.lineno = lineno, .buf = bl_strndup(p, len)};
		char *s = l.buf;
		size_t i = 0;
		while (s[i]) {
			while (s[i] == ' ' || s[i] == '\t' || s[i] == '\r')
				i++;
			if (!s[i] || s[i] == '#')
				break;
			size_t start = i;
			while (s[i] && s[i] != ' ' && s[i] != '\t' && s[i] != '\r')
				i++;
			if (l.nwords < LEX_MAX_WORDS) {
				l.words[l.nwords] = s + start;
				l.cols[l.nwords] = (int)start + 1;
				l.nwords++;
			} else if (l.extra++ == 0) {
				l.extra_col = (int)start + 1;
			}
			if (s[i])
				s[i++] = '\0';
		}
		if (l.nwords)
			fn(ud, &l);
		free(l.buf);
		p += len;
		if (*p == '\n')
			p++;
	}
}

void lex_diag(struct bl_vec *diags, const char *file, int line, int col, const char *fmt, ...)
{
	struct bl_buf b;
	bl_buf_init(&b);
	char *safe = bl_text_safe(file);
	bl_buf_printf(&b, "%s:%d:%d: ", safe, line, col);
	free(safe);
	va_list ap;
	va_start(ap, fmt);
	bl_buf_vprintf(&b, fmt, ap);
	va_end(ap);
	bl_vec_push_take(diags, bl_buf_take(&b));
}
