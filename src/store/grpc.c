/* gRPC's framing and status over bytes (grpc_internal.h): no I/O, so the
 * fuzz harness drives it with any input. */
#include <ctype.h>
#include <strings.h>
#include <stdlib.h>
#include <string.h>

#include "bakelens/mem.h"
#include "bakelens/text.h"
#include "grpc_internal.h"

void bl_grpc_frame(struct bl_buf *out, const void *msg, size_t len)
{
	uint8_t head[5] = {
	        0, (uint8_t)(len >> 24), (uint8_t)(len >> 16), (uint8_t)(len >> 8), (uint8_t)len};
	bl_buf_append(out, head, sizeof head);
	bl_buf_append(out, msg, len);
}

void bl_grpc_reader_init(struct bl_grpc_reader *r, size_t max)
{
	memset(r, 0, sizeof *r);
	bl_buf_init(&r->msg);
	r->max = max;
}

void bl_grpc_reader_fini(struct bl_grpc_reader *r)
{
	bl_buf_fini(&r->msg);
}

bool bl_grpc_reader_idle(const struct bl_grpc_reader *r)
{
	return r->head_len == 0;
}

/* A complete prefix in r->head: check it and start the message. */
static bool start_message(struct bl_grpc_reader *r, struct bl_error *err)
{
	if (r->head[0] == 1)
		return bl_fail(err, BL_E_UNSUPPORTED,
		        "a compressed gRPC message at byte %llu (none was asked for)",
		        (unsigned long long)r->total);
	if (r->head[0] != 0)
		return bl_fail(err, BL_E_FORMAT,
		        "not a gRPC message at byte %llu (flag byte 0x%02x)",
		        (unsigned long long)r->total, r->head[0]);
	r->want = (uint32_t)r->head[1] << 24 | (uint32_t)r->head[2] << 16 |
	          (uint32_t)r->head[3] << 8 | r->head[4];
	if (r->want > r->max)
		return bl_fail(err, BL_E_TOO_BIG,
		        "a gRPC message of %lu bytes, over the limit of %zu",
		        (unsigned long)r->want, r->max);
	bl_buf_clear(&r->msg);
	return true;
}

bool bl_grpc_reader_feed(struct bl_grpc_reader *r, const void *data, size_t len, bl_grpc_msg_fn fn,
        void *ud, struct bl_error *err)
{
	const uint8_t *p = data;
	for (;;) {
		if (r->head_len < 5) {
			if (len == 0)
				return true;
			size_t n = 5 - r->head_len < len ? 5 - r->head_len : len;
			memcpy(r->head + r->head_len, p, n);
			r->head_len += n;
			p += n;
			len -= n;
			r->total += n;
			if (r->head_len < 5)
				return true; /* all fed: the rest of the prefix comes later */
			if (!start_message(r, err))
				return false;
		}
		size_t need = r->want - r->msg.len;
		size_t n = need < len ? need : len;
		bl_buf_append(&r->msg, p, n);
		p += n;
		len -= n;
		r->total += n;
		if (r->msg.len < r->want)
			return true;
		/* Complete (an empty message is complete with its prefix). */
		r->head_len = 0;
		if (!fn(ud, (const uint8_t *)r->msg.data, r->msg.len, err))
			return false;
	}
}

/* gRPC's percent-encoding of grpc-message: %XX for bytes outside printable
 * ASCII and '%'. Bad escapes are kept as they are. */
static char *percent_decode(const char *s, size_t n)
{
	struct bl_buf out;
	bl_buf_init(&out);
	for (size_t i = 0; i < n; i++) {
		if (s[i] == '%' && i + 2 < n && isxdigit((unsigned char)s[i + 1]) &&
		        isxdigit((unsigned char)s[i + 2])) {
			char hex[3] = {s[i + 1], s[i + 2], 0};
			bl_buf_putc(&out, (char)strtol(hex, NULL, 16));
			i += 2;
		} else {
			bl_buf_putc(&out, s[i]);
		}
	}
	char *raw = bl_buf_take(&out);
	char *safe = bl_text_safe(raw);
	free(raw);
	return safe;
}

void bl_grpc_status_init(struct bl_grpc_status *st)
{
	memset(st, 0, sizeof *st);
	st->code = -1;
}

void bl_grpc_status_fini(struct bl_grpc_status *st)
{
	free(st->message);
	st->message = NULL;
}

/* `line` (len bytes) starts with `name` and a colon, case-insensitively:
 * the value's start, spaces skipped; NULL otherwise. */
static const char *header_value(const char *line, size_t len, const char *name, size_t *vlen)
{
	size_t nl = strlen(name);
	if (len <= nl || strncasecmp(line, name, nl) != 0 || line[nl] != ':')
		return NULL;
	size_t i = nl + 1;
	while (i < len && (line[i] == ' ' || line[i] == '\t'))
		i++;
	size_t end = len;
	while (end > i && (line[end - 1] == '\r' || line[end - 1] == '\n' || line[end - 1] == ' ' ||
	                          line[end - 1] == '\t'))
		end--;
	*vlen = end - i;
	return line + i;
}

void bl_grpc_status_header(struct bl_grpc_status *st, const char *line, size_t len)
{
	size_t vl;
	const char *v;
	if (len > 5 && strncmp(line, "HTTP/", 5) == 0) {
		const char *sp = memchr(line, ' ', len);
		if (sp && (size_t)(sp - line) + 4 <= len && isdigit((unsigned char)sp[1]) &&
		        isdigit((unsigned char)sp[2]) && isdigit((unsigned char)sp[3]))
			st->http = (sp[1] - '0') * 100 + (sp[2] - '0') * 10 + (sp[3] - '0');
	} else if ((v = header_value(line, len, "grpc-status", &vl))) {
		int code = 0;
		size_t i = 0;
		for (; i < vl && i < 4 && isdigit((unsigned char)v[i]); i++)
			code = code * 10 + (v[i] - '0');
		st->code = i > 0 && i == vl ? code : 2; /* garbage: UNKNOWN */
	} else if ((v = header_value(line, len, "grpc-message", &vl))) {
		free(st->message);
		st->message = percent_decode(v, vl > 400 ? 400 : vl);
	} else if ((v = header_value(line, len, "content-type", &vl))) {
		st->content_grpc = vl >= 16 && strncasecmp(v, "application/grpc", 16) == 0 &&
		                   (vl == 16 || v[16] == '+' || v[16] == ';');
	}
}

const char *bl_grpc_code_name(int code)
{
	static const char *const names[] = {"OK", "CANCELLED", "UNKNOWN", "INVALID_ARGUMENT",
	        "DEADLINE_EXCEEDED", "NOT_FOUND", "ALREADY_EXISTS", "PERMISSION_DENIED",
	        "RESOURCE_EXHAUSTED", "FAILED_PRECONDITION", "ABORTED", "OUT_OF_RANGE",
	        "UNIMPLEMENTED", "INTERNAL", "UNAVAILABLE", "DATA_LOSS", "UNAUTHENTICATED"};
	return code >= 0 && (size_t)code < sizeof names / sizeof names[0] ? names[code] : "UNKNOWN";
}
