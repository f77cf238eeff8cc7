/* Text that reaches a terminal or a log: escaping and formatting.
 *
 * Input data (names, tags, annotations, labels, paths) can hold anything. Every
 * such string is escaped before it is printed: C0 and C1 controls, DEL and
 * invalid UTF-8 never reach the terminal raw. */
#ifndef BL_TEXT_H
#define BL_TEXT_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "bakelens/buf.h"

/* Append `s` (len bytes) to out with controls as \n \t \r \e \xNN, a
 * backslash as itself, and invalid UTF-8 bytes as \xNN. Valid UTF-8 passes. */
void bl_text_escape(struct bl_buf *out, const char *s, size_t len);
/* Escaped copy of a NUL-terminated string ("" for NULL), caller owns. */
char *bl_text_safe(const char *s);
/* Escaping for reports (bakelens diff/inspect --format markdown|html). Both
 * first escape as bl_text_escape does (controls, invalid UTF-8), so no raw
 * newline or escape sequence survives, then:
 * - HTML: & < > " ' as entities; safe in element content and in quoted
 *   attribute values.
 * - Markdown (CommonMark/GFM): every ASCII punctuation character that can be
 *   syntax is backslash-escaped (\ ` * _ [ ] ( ) { } # + - . ! | ~ : = $ @
 *   and "), < > & become &lt; &gt; &amp;. The result is literal text in a
 *   paragraph, a list item, a table cell (a '|' never ends the cell) or a
 *   heading: no emphasis, link, image, autolink, raw HTML or code span can
 *   come out of input data. Not for use inside code spans or raw HTML. */
void bl_text_escape_html(struct bl_buf *out, const char *s, size_t len);
void bl_text_escape_md(struct bl_buf *out, const char *s, size_t len);
/* True when the string needs no escaping. */
bool bl_text_is_safe(const char *s, size_t len);
/* Display width in terminal columns of valid UTF-8 (wcwidth of each). */
size_t bl_text_width(const char *s);

/* Decode the UTF-8 sequence at the start of `s` (len bytes available) into
 * *cp. Strict: no over-long forms, no surrogates (U+D800..U+DFFF), nothing
 * over U+10FFFF, no truncated sequence. Returns the bytes read (1..4), or 0
 * when the bytes do not start a valid sequence or len is 0 (*cp untouched). */
size_t bl_utf8_decode(const char *s, size_t len, uint32_t *cp);
/* Write the UTF-8 form of `cp` to out (not NUL-terminated). Returns the bytes
 * written (1..4), or 0 for a surrogate or a value over U+10FFFF. */
size_t bl_utf8_encode(uint32_t cp, char out[4]);

/* "0 B", "512 B", "1.5 KiB", "12.0 MiB"... into out. Negative: "?". */
void bl_text_size(int64_t bytes, char *out, size_t outlen);

#endif
