/* Splitting config and theme lines into words with their columns (internal
 * to src/app). */
#ifndef BL_APP_LEX_H
#define BL_APP_LEX_H

#include <stddef.h>

#include "bakelens/vec.h"

#define LEX_MAX_WORDS 8

struct lex_line {
	int lineno;
	size_t nwords;
	char *words[LEX_MAX_WORDS]; /* point into `buf` */
	int cols[LEX_MAX_WORDS];    /* 1-based */
	size_t extra;               /* words beyond LEX_MAX_WORDS */
	int extra_col;
	char *buf; /* owned */
};

/* Split `text` into lines; calls fn for each line with at least one word.
 * A word starting with '#' starts a comment. */
void lex_each_line(const char *text, void (*fn)(void *ud, const struct lex_line *l), void *ud);
/* Append "<file>:<line>:<col>: <msg>" to diags. */
void lex_diag(struct bl_vec *diags, const char *file, int line, int col, const char *fmt, ...)
        __attribute__((format(printf, 5, 6)));

#endif
