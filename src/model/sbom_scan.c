/* SBOM packages scanned from the bytes of a document (sbom.h,
 * bl_sbom_scan): the one package decoder. No JSON tree is built: a 1 MB
 * SPDX statement is walked in place, every byte validated as the JSON
 * parser would (strict UTF-8, escapes, surrogate pairs, no \u0000, numbers
 * in range, nothing after the document, nesting bounded), and only the
 * fields a package needs are copied out.
 *
 * Objects are walked member by member; a member whose meaning depends on a
 * sibling that may come later (the packages of a document whose format key
 * follows them, a component's nested components, which come after it in
 * the list) is remembered by position and walked again once the object is
 * known. Values are validated on every walk, so the work is linear in the
 * document times the CycloneDX nesting followed (BL_SBOM_DEPTH_MAX). */
#include <errno.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "bakelens/base64.h"
#include "bakelens/buf.h"
#include "bakelens/mem.h"
#include "bakelens/sbom.h"
#include "bakelens/text.h"

/* Nesting accepted in a document, as the JSON parser accepts it. */
#define SCAN_DEPTH_MAX 2048

struct scan {
	const char *base, *p, *end;
	bool failed;
	bool escaped; /* the last string read held an escape */
	char msg[128];
	struct bl_buf key; /* the member name being looked at */
	struct bl_buf val; /* a string value being copied out */
};

static bool fail(struct scan *s, const char *what)
{
	if (!s->failed) {
		s->failed = true;
		snprintf(s->msg, sizeof s->msg, "invalid JSON at byte %zu: %s",
		        (size_t)(s->p - s->base), what);
	}
	return false;
}

static void ws(struct scan *s)
{
	while (s->p < s->end && (*s->p == ' ' || *s->p == '\t' || *s->p == '\n' || *s->p == '\r'))
		s->p++;
}

static bool at(const struct scan *s, char c)
{
	return s->p < s->end && *s->p == c;
}

static int hex4(const char *p)
{
	int v = 0;
	for (int i = 0; i < 4; i++) {
		char c = p[i];
		int d = c >= '0' && c <= '9'   ? c - '0'
		        : c >= 'a' && c <= 'f' ? c - 'a' + 10
		        : c >= 'A' && c <= 'F' ? c - 'A' + 10
		                               : -1;
		if (d < 0)
			return -1;
		v = v * 16 + d;
	}
	return v;
}

/* The \u escape at s->p (after the backslash and 'u'), a pair when it is a
 * high surrogate; the code point, or -1. */
static long unicode_escape(struct scan *s)
{
	if (s->end - s->p < 4)
		return fail(s, "truncated \\u escape"), -1;
	long cp = hex4(s->p);
	if (cp < 0)
		return fail(s, "invalid \\u escape"), -1;
	s->p += 4;
	if (cp >= 0xDC00 && cp <= 0xDFFF)
		return fail(s, "lone low surrogate in a \\u escape"), -1;
	if (cp >= 0xD800 && cp <= 0xDBFF) {
		if (s->end - s->p < 6 || s->p[0] != '\\' || s->p[1] != 'u')
			return fail(s, "high surrogate without its pair"), -1;
		long lo = hex4(s->p + 2);
		if (lo < 0xDC00 || lo > 0xDFFF)
			return fail(s, "high surrogate without its pair"), -1;
		s->p += 6;
		cp = 0x10000 + ((cp - 0xD800) << 10) + (lo - 0xDC00);
	}
	if (cp == 0)
		return fail(s, "\\u0000 in a string"), -1;
	return cp;
}

static bool special(unsigned char c)
{
	return c == '"' || c == '\\' || c < 0x20 || c >= 0x80;
}

/* The end of the plain run of string bytes at p (before a quote, a
 * backslash, a control character or a byte of a multi-byte character).
 * Eight bytes at a time where the byte order allows: each test flags the
 * bytes that may end the run, and a false flag only ever sits above a true
 * one (a borrow moves up), so the lowest flag is the end. */
static const char *plain_end(const char *p, const char *end)
{
#if defined(__BYTE_ORDER__) && __BYTE_ORDER__ == __ORDER_LITTLE_ENDIAN__
	const uint64_t ones = 0x0101010101010101u, high = 0x8080808080808080u;
	while (end - p >= 8) {
		uint64_t v;
		memcpy(&v, p, 8);
		uint64_t q = v ^ (ones * '"'), b = v ^ (ones * '\\');
		uint64_t hit = (v & high) | ((v - ones * 0x20) & ~v & high) |
		               ((q - ones) & ~q & high) | ((b - ones) & ~b & high);
		if (hit)
			return p + (__builtin_ctzll(hit) >> 3);
		p += 8;
	}
#endif
	while (p < end && !special((unsigned char)*p))
		p++;
	return p;
}

/* The string at s->p (on its quote), validated, decoded into `out` (when
 * not NULL; cleared first); s->escaped says whether it held an escape. */
static bool string(struct scan *s, struct bl_buf *out)
{
	if (out)
		bl_buf_clear(out);
	s->escaped = false;
	s->p++; /* the opening quote */
	for (;;) {
		const char *run = s->p;
		s->p = plain_end(s->p, s->end);
		if (out && s->p > run)
			bl_buf_append(out, run, (size_t)(s->p - run));
		if (s->p >= s->end)
			return fail(s, "unterminated string");
		unsigned char c = (unsigned char)*s->p;
		if (c == '"') {
			s->p++;
			return true;
		}
		if (c < 0x20)
			return fail(s, "control character in a string");
		if (c >= 0x80) {
			uint32_t cp;
			size_t n = bl_utf8_decode(s->p, (size_t)(s->end - s->p), &cp);
			if (!n)
				return fail(s, "invalid UTF-8");
			if (out)
				bl_buf_append(out, s->p, n);
			s->p += n;
			continue;
		}
		/* a backslash */
		s->escaped = true;
		if (s->end - s->p < 2)
			return fail(s, "unterminated string");
		char e = s->p[1];
		s->p += 2;
		static const char from[] = "\"\\/bfnrt", to[] = "\"\\/\b\f\n\r\t";
		const char *k = e ? strchr(from, e) : NULL;
		if (k) {
			if (out)
				bl_buf_putc(out, to[k - from]);
			continue;
		}
		if (e != 'u')
			return fail(s, "invalid escape in a string");
		long cp = unicode_escape(s);
		if (cp < 0)
			return false;
		char u[4];
		size_t n = bl_utf8_encode((uint32_t)cp, u);
		if (out)
			bl_buf_append(out, u, n);
	}
}

static bool digits(struct scan *s)
{
	if (s->p >= s->end || *s->p < '0' || *s->p > '9')
		return fail(s, "invalid number");
	while (s->p < s->end && *s->p >= '0' && *s->p <= '9')
		s->p++;
	return true;
}

/* A number, in the parser's grammar and range: an integer must fit in 64
 * bits, a real must not overflow. */
static bool number(struct scan *s)
{
	const char *start = s->p;
	bool real = false;
	if (at(s, '-'))
		s->p++;
	if (at(s, '0')) {
		s->p++;
		if (s->p < s->end && *s->p >= '0' && *s->p <= '9')
			return fail(s, "invalid number");
	} else if (!digits(s)) {
		return false;
	}
	if (at(s, '.')) {
		real = true;
		s->p++;
		if (!digits(s))
			return false;
	}
	if (at(s, 'e') || at(s, 'E')) {
		real = true;
		s->p++;
		if (at(s, '+') || at(s, '-'))
			s->p++;
		if (!digits(s))
			return false;
	}
	char *copy = bl_strndup(start, (size_t)(s->p - start));
	errno = 0;
	bool ok;
	if (real) {
		double v = strtod(copy, NULL);
		ok = !(errno == ERANGE && (v > 1.0 || v < -1.0));
	} else {
		(void)strtoll(copy, NULL, 10);
		ok = errno != ERANGE;
	}
	free(copy);
	return ok || fail(s, real ? "real number overflow" : "integer too big");
}

static bool literal(struct scan *s, const char *word)
{
	size_t n = strlen(word);
	if ((size_t)(s->end - s->p) < n || memcmp(s->p, word, n) != 0)
		return fail(s, "invalid literal");
	s->p += n;
	return true;
}

/* A scalar value (string, number, literal) at s->p. */
static bool scalar(struct scan *s)
{
	if (s->p >= s->end)
		return fail(s, "value expected");
	switch (*s->p) {
	case '"':
		return string(s, NULL);
	case 't':
		return literal(s, "true");
	case 'f':
		return literal(s, "false");
	case 'n':
		return literal(s, "null");
	default:
		if (*s->p == '-' || (*s->p >= '0' && *s->p <= '9'))
			return number(s);
		return fail(s, "value expected");
	}
}

/* The string at s->p (on its quote), validated: *str and *len point into
 * the input when it holds no escape (the usual case: nothing copied), else
 * at its decoded bytes in `buf`. */
static bool string_ref(struct scan *s, struct bl_buf *buf, const char **str, size_t *len)
{
	const char *start = s->p + 1;
	if (!string(s, NULL))
		return false;
	size_t n = (size_t)(s->p - 1 - start);
	if (!s->escaped) {
		*str = start;
		*len = n;
		return true;
	}
	s->p = start - 1;
	if (!string(s, buf))
		return false;
	*str = bl_buf_str(buf);
	*len = buf->len;
	return true;
}

/* After '{' or ',' in an object: a member name (into *key, *klen when key
 * is not NULL; decoded in s->key when it has escapes) and its colon. */
static bool member_name(struct scan *s, const char **key, size_t *klen)
{
	ws(s);
	if (!at(s, '"'))
		return fail(s, "member name expected");
	if (key ? !string_ref(s, &s->key, key, klen) : !string(s, NULL))
		return false;
	ws(s);
	if (!at(s, ':'))
		return fail(s, "':' expected");
	s->p++;
	return true;
}

/* Any value at s->p, validated and passed over; `depth` is the nesting it
 * sits in. Iterative: a depth bomb costs no stack. */
static bool skip_value(struct scan *s, int depth)
{
	char stack[SCAN_DEPTH_MAX];
	int top = 0;
	for (;;) {
		ws(s);
		if (at(s, '{') || at(s, '[')) {
			if (depth + top >= SCAN_DEPTH_MAX)
				return fail(s, "nested too deeply");
			char open = *s->p++;
			stack[top++] = open;
			ws(s);
			if (at(s, open == '{' ? '}' : ']')) {
				s->p++;
				top--;
			} else {
				if (open == '{' && !member_name(s, NULL, NULL))
					return false;
				continue;
			}
		} else if (!scalar(s)) {
			return false;
		}
		/* after a value: close containers or move to the next item */
		for (;;) {
			if (top == 0)
				return true;
			ws(s);
			char close = stack[top - 1] == '{' ? '}' : ']';
			if (at(s, close)) {
				s->p++;
				top--;
				continue;
			}
			if (!at(s, ','))
				return fail(s, "',' or end of container expected");
			s->p++;
			if (stack[top - 1] == '{' && !member_name(s, NULL, NULL))
				return false;
			break;
		}
	}
}

/* Members of the object at s->p: fn(s, key, klen, ud, depth) with s->p on
 * the value, which fn consumes. */
typedef bool (*member_fn)(struct scan *s, const char *key, size_t klen, void *ud, int depth);

/* key (klen bytes) is the literal `lit` */
#define KEY_IS(key, klen, lit) ((klen) == sizeof(lit) - 1 && memcmp((key), (lit), (klen)) == 0)

static bool object(struct scan *s, int depth, member_fn fn, void *ud)
{
	if (depth >= SCAN_DEPTH_MAX)
		return fail(s, "nested too deeply");
	s->p++; /* '{' */
	ws(s);
	if (at(s, '}')) {
		s->p++;
		return true;
	}
	for (;;) {
		const char *key;
		size_t klen;
		if (!member_name(s, &key, &klen))
			return false;
		ws(s);
		if (!fn(s, key, klen, ud, depth + 1))
			return false;
		ws(s);
		if (at(s, '}')) {
			s->p++;
			return true;
		}
		if (!at(s, ','))
			return fail(s, "',' or '}' expected");
		s->p++;
	}
}

/* Elements of the array at s->p: fn(s, ud, depth) on each, which it consumes. */
typedef bool (*element_fn)(struct scan *s, void *ud, int depth);

static bool array(struct scan *s, int depth, element_fn fn, void *ud)
{
	if (depth >= SCAN_DEPTH_MAX)
		return fail(s, "nested too deeply");
	s->p++; /* '[' */
	ws(s);
	if (at(s, ']')) {
		s->p++;
		return true;
	}
	for (;;) {
		ws(s);
		if (!fn(s, ud, depth + 1))
			return false;
		ws(s);
		if (at(s, ']')) {
			s->p++;
			return true;
		}
		if (!at(s, ','))
			return fail(s, "',' or ']' expected");
		s->p++;
	}
}

/* ---- package fields ---- */

struct decode {
	struct scan *s;
	struct bl_sbom *sb;
	size_t cap;
	const char *decoded; /* where the list the packages come from starts */
};

/* The string at s->p kept in the arena, cut at BL_SBOM_FIELD_MAX bytes (on
 * a UTF-8 boundary) so that one hostile field cannot hold a megabyte per
 * row; NULL (the value passed over) when it is no string. */
static bool keep(struct scan *s, struct bl_sbom *sb, const char **out, int depth)
{
	*out = NULL;
	if (!at(s, '"'))
		return skip_value(s, depth);
	const char *str;
	size_t len;
	if (!string_ref(s, &s->val, &str, &len))
		return false;
	if (len > BL_SBOM_FIELD_MAX) {
		len = BL_SBOM_FIELD_MAX;
		while (len > 0 && ((unsigned char)str[len] & 0xC0) == 0x80)
			len--;
	}
	*out = bl_arena_strndup(&sb->strings, str, len);
	return true;
}

/* "pkg:apk/alpine/musl@1.2.4" -> "apk" (in the arena), NULL when the purl
 * has no type. */
static const char *purl_type(struct bl_sbom *sb, const char *purl)
{
	if (!purl || strncmp(purl, "pkg:", 4) != 0)
		return NULL;
	const char *t = purl + 4;
	while (*t == '/')
		t++;
	size_t n = strcspn(t, "/@?#");
	if (n == 0 || t[n] != '/')
		return NULL;
	return bl_arena_strndup(&sb->strings, t, n);
}

/* A type word in lower case with '-' for '_' ("OPERATING_SYSTEM" ->
 * "operating-system"), in place. */
static const char *lower(const char *v)
{
	for (char *p = (char *)v; p && *p; p++) {
		if (*p >= 'A' && *p <= 'Z')
			*p = (char)(*p - 'A' + 'a');
		else if (*p == '_')
			*p = '-';
	}
	return v;
}

/* A new package at the end, or SIZE_MAX when BL_SBOM_PACKAGES_MAX are kept. */
static size_t push(struct decode *d)
{
	struct bl_sbom *sb = d->sb;
	if (sb->n >= BL_SBOM_PACKAGES_MAX) {
		sb->truncated = true;
		return SIZE_MAX;
	}
	if (sb->n == d->cap) {
		d->cap = d->cap ? d->cap * 2 : 64;
		sb->pkgs = bl_realloc(sb->pkgs, d->cap * sizeof *sb->pkgs);
	}
	memset(&sb->pkgs[sb->n], 0, sizeof sb->pkgs[0]);
	return sb->n++;
}

/* ---- SPDX ---- */

struct spdx_ref {
	struct decode *d;
	bool purl_type;
	const char *locator;
};

static bool spdx_ref_member(struct scan *s, const char *key, size_t klen, void *ud, int depth)
{
	struct spdx_ref *r = ud;
	if (KEY_IS(key, klen, "referenceLocator"))
		return keep(s, r->d->sb, &r->locator, depth);
	if (KEY_IS(key, klen, "referenceType")) {
		r->purl_type = false;
		if (!at(s, '"'))
			return skip_value(s, depth);
		if (!string(s, &s->val))
			return false;
		r->purl_type = strcmp(bl_buf_str(&s->val), "purl") == 0;
		return true;
	}
	return skip_value(s, depth);
}

struct spdx_pkg {
	struct decode *d;
	const char *name, *version, *purpose, *purl;
	bool purl_found;
};

/* externalRefs[]: the purl is the locator of the first "purl" reference. */
static bool spdx_ref(struct scan *s, void *ud, int depth)
{
	struct spdx_pkg *p = ud;
	if (!at(s, '{'))
		return skip_value(s, depth);
	struct spdx_ref r = {.d = p->d};
	if (!object(s, depth, spdx_ref_member, &r))
		return false;
	if (r.purl_type && !p->purl_found) {
		p->purl_found = true;
		p->purl = r.locator;
	}
	return true;
}

static bool spdx_pkg_member(struct scan *s, const char *key, size_t klen, void *ud, int depth)
{
	struct spdx_pkg *p = ud;
	struct bl_sbom *sb = p->d->sb;
	if (KEY_IS(key, klen, "name"))
		return keep(s, sb, &p->name, depth);
	if (KEY_IS(key, klen, "versionInfo"))
		return keep(s, sb, &p->version, depth);
	if (KEY_IS(key, klen, "primaryPackagePurpose"))
		return keep(s, sb, &p->purpose, depth);
	if (KEY_IS(key, klen, "externalRefs")) {
		p->purl = NULL;
		p->purl_found = false;
		if (at(s, '['))
			return array(s, depth, spdx_ref, p);
	}
	return skip_value(s, depth);
}

static bool spdx_package(struct scan *s, void *ud, int depth)
{
	struct decode *d = ud;
	if (!at(s, '{') || d->sb->truncated)
		return skip_value(s, depth);
	size_t at_i = push(d);
	if (at_i == SIZE_MAX)
		return skip_value(s, depth);
	struct spdx_pkg p = {.d = d};
	if (!object(s, depth, spdx_pkg_member, &p))
		return false;
	struct bl_package *o = &d->sb->pkgs[at_i];
	o->name = p.name ? p.name : "";
	o->version = p.version;
	o->purl = p.purl;
	o->type = purl_type(d->sb, o->purl);
	if (!o->type)
		o->type = lower(p.purpose);
	return true;
}

/* ---- CycloneDX ---- */

struct cdx_comp {
	struct decode *d;
	const char *name, *group, *version, *purl, *type;
	const char *nested; /* the last `components` member, when an array */
};

static bool cdx_comp_member(struct scan *s, const char *key, size_t klen, void *ud, int depth)
{
	struct cdx_comp *c = ud;
	struct bl_sbom *sb = c->d->sb;
	if (KEY_IS(key, klen, "name"))
		return keep(s, sb, &c->name, depth);
	if (KEY_IS(key, klen, "group"))
		return keep(s, sb, &c->group, depth);
	if (KEY_IS(key, klen, "version"))
		return keep(s, sb, &c->version, depth);
	if (KEY_IS(key, klen, "purl"))
		return keep(s, sb, &c->purl, depth);
	if (KEY_IS(key, klen, "type"))
		return keep(s, sb, &c->type, depth);
	if (KEY_IS(key, klen, "components"))
		c->nested = at(s, '[') ? s->p : NULL;
	return skip_value(s, depth);
}

struct cdx_list {
	struct decode *d;
	int level; /* components nesting: 0 for the document's own */
};

static bool cdx_component(struct scan *s, void *ud, int depth)
{
	struct cdx_list *l = ud;
	struct decode *d = l->d;
	if (!at(s, '{') || d->sb->truncated)
		return skip_value(s, depth);
	size_t at_i = push(d);
	if (at_i == SIZE_MAX)
		return skip_value(s, depth);
	struct cdx_comp c = {.d = d};
	if (!object(s, depth, cdx_comp_member, &c))
		return false;
	struct bl_package *o = &d->sb->pkgs[at_i];
	const char *name = c.name;
	if (name && c.group && *c.group) {
		/* the group is part of the name (maven, npm scopes) */
		char *full = bl_asprintf("%s/%s", c.group, name);
		size_t len = strlen(full);
		if (len > BL_SBOM_FIELD_MAX) {
			len = BL_SBOM_FIELD_MAX;
			while (len > 0 && ((unsigned char)full[len] & 0xC0) == 0x80)
				len--;
		}
		name = bl_arena_strndup(&d->sb->strings, full, len);
		free(full);
	}
	o->name = name ? name : "";
	o->version = c.version;
	o->purl = c.purl;
	o->type = purl_type(d->sb, o->purl);
	if (!o->type)
		o->type = lower(c.type);
	if (!c.nested || l->level + 1 > BL_SBOM_DEPTH_MAX)
		return true;
	/* Depth first: the nested components follow their parent. */
	const char *resume = s->p;
	s->p = c.nested;
	struct cdx_list sub = {.d = d, .level = l->level + 1};
	bool ok = array(s, depth + 1, cdx_component, &sub);
	s->p = resume;
	return ok;
}

/* ---- the document ---- */

/* Where the members that say what a document is sit (NULL: absent). */
struct top {
	const char *spdx_version, *spdx_id, *bom_format, *spec_version;
	const char *packages, *components, *predicate, *payload, *payload_type;
};

/* One object that may be the SBOM document: the top, or a statement's
 * predicate. Its package list is decoded as it is met (one walk over the
 * bytes, the common case); `decoded` says which list the packages are
 * from, so that a list met before the key saying the format, or one that
 * turns out not to be the document's, is walked again or dropped. */
struct level {
	struct top t;
	struct decode *d;
	struct level *pred; /* the predicate's level (the top's only), else NULL */
};

/* Drop the packages decoded so far (their strings stay in the arena). */
static void reset_packages(struct decode *d)
{
	d->sb->n = 0;
	d->sb->truncated = false;
	d->decoded = NULL;
}

static bool list_at(struct scan *s, struct decode *d, bool cdx, int depth)
{
	reset_packages(d);
	const char *at_list = s->p;
	struct cdx_list top = {.d = d, .level = 0};
	bool ok = cdx ? array(s, depth, cdx_component, &top) : array(s, depth, spdx_package, d);
	d->decoded = at_list;
	return ok;
}

static bool top_member(struct scan *s, const char *key, size_t klen, void *ud, int depth)
{
	struct level *l = ud;
	struct top *t = &l->t;
	const char **slot = KEY_IS(key, klen, "spdxVersion")   ? &t->spdx_version
	                    : KEY_IS(key, klen, "SPDXID")      ? &t->spdx_id
	                    : KEY_IS(key, klen, "bomFormat")   ? &t->bom_format
	                    : KEY_IS(key, klen, "specVersion") ? &t->spec_version
	                    : KEY_IS(key, klen, "packages")    ? &t->packages
	                    : KEY_IS(key, klen, "components")  ? &t->components
	                    : KEY_IS(key, klen, "predicate")   ? &t->predicate
	                    : KEY_IS(key, klen, "payload")     ? &t->payload
	                    : KEY_IS(key, klen, "payloadType") ? &t->payload_type
	                                                       : NULL;
	if (slot)
		*slot = s->p;
	if (slot == &t->predicate && l->pred && at(s, '{')) {
		memset(&l->pred->t, 0, sizeof l->pred->t);
		return object(s, depth, top_member, l->pred);
	}
	if ((slot == &t->packages || slot == &t->components) && at(s, '['))
		return list_at(s, l->d, slot == &t->components, depth);
	return skip_value(s, depth);
}

/* The string at `pos` (validated already) decoded into s->val; false when
 * pos is absent or no string. */
static bool string_at(struct scan *s, const char *pos)
{
	if (!pos || *pos != '"')
		return false;
	const char *resume = s->p;
	s->p = pos;
	bool ok = string(s, &s->val);
	s->p = resume;
	return ok;
}

static bool is_spdx(const struct top *t)
{
	return (t->spdx_version && *t->spdx_version == '"') || t->spdx_id;
}

static bool is_cdx(struct scan *s, const struct top *t)
{
	return string_at(s, t->bom_format) && strcmp(bl_buf_str(&s->val), "CycloneDX") == 0;
}

static bool scan_doc(
        const char *data, size_t len, struct bl_sbom *sb, bool envelope_ok, struct bl_error *err);

/* A DSSE envelope's in-toto payload, scanned in place of the envelope. */
static bool scan_payload(
        struct scan *s, const struct top *t, struct bl_sbom *sb, struct bl_error *err, bool *done)
{
	*done = false;
	if (!string_at(s, t->payload_type) || !strstr(bl_buf_str(&s->val), "in-toto") ||
	        !string_at(s, t->payload))
		return true;
	*done = true;
	struct bl_buf raw;
	bl_buf_init(&raw);
	bool ok = bl_base64_decode(bl_buf_str(&s->val), &raw);
	if (!ok)
		bl_fail(err, BL_E_FORMAT, "DSSE envelope: the payload is not base64");
	else {
		struct bl_error e;
		bl_error_clear(&e);
		reset_packages(&(struct decode){.sb = sb});
		ok = scan_doc(raw.data, raw.len, sb, false, &e);
		if (!ok)
			bl_fail(err, BL_E_FORMAT, "DSSE payload: %s", e.msg);
	}
	bl_buf_fini(&raw);
	return ok;
}

/* The packages of the document at level t: those decoded on the way when
 * they are its list, else its list walked now. */
static bool decode_top(
        struct scan *s, const struct top *t, struct decode *d, int depth, struct bl_error *err)
{
	struct bl_sbom *sb = d->sb;
	bool cdx = !is_spdx(t) && is_cdx(s, t);
	sb->format = cdx ? "cyclonedx" : "spdx";
	const char *ver = cdx ? t->spec_version : t->spdx_version;
	if (ver && *ver == '"') {
		const char *resume = s->p;
		s->p = ver;
		keep(s, sb, &sb->spec_version, depth);
		s->p = resume;
	}
	const char *list = cdx ? t->components : t->packages;
	if (!list) {
		reset_packages(d);
		return true; /* a document of files only */
	}
	if (*list != '[') {
		reset_packages(d);
		return bl_fail(err, BL_E_FORMAT, "%s document: %s is not an array",
		        cdx ? "CycloneDX" : "SPDX", cdx ? "components" : "packages");
	}
	if (d->decoded == list)
		return true;
	s->p = list;
	if (!list_at(s, d, cdx, depth))
		return bl_fail(err, BL_E_FORMAT, "%s", s->msg);
	return true;
}

static bool scan_doc(
        const char *data, size_t len, struct bl_sbom *sb, bool envelope_ok, struct bl_error *err)
{
	struct scan s = {.base = data, .p = data, .end = data + len};
	bl_buf_init(&s.key);
	bl_buf_init(&s.val);
	struct decode d = {.s = &s, .sb = sb, .cap = 0};
	struct level pred = {.d = &d};
	struct level top = {.d = &d, .pred = &pred};
	bool ok;
	ws(&s);
	if (at(&s, '{')) {
		ok = object(&s, 0, top_member, &top);
	} else if (at(&s, '[')) {
		ok = skip_value(&s, 0);
	} else {
		ok = fail(&s, s.p < s.end ? "'{' or '[' expected" : "empty document");
	}
	if (ok) {
		ws(&s);
		if (s.p < s.end)
			ok = fail(&s, "data after the document");
	}
	if (!ok) {
		reset_packages(&d);
		bl_fail(err, BL_E_FORMAT, "%s", s.msg);
		goto out;
	}
	bool done = false;
	if (envelope_ok && !(ok = scan_payload(&s, &top.t, sb, err, &done)))
		goto out;
	if (done)
		goto out;
	struct level *use = &top;
	int depth = 1;
	if (!is_spdx(&top.t) && !is_cdx(&s, &top.t) && top.t.predicate && *top.t.predicate == '{') {
		use = &pred; /* an in-toto statement: the document is its predicate */
		depth = 2;
	}
	if (!is_spdx(&use->t) && !is_cdx(&s, &use->t)) {
		reset_packages(&d);
		ok = bl_fail(err, BL_E_FORMAT, "not an SPDX or CycloneDX document");
	} else {
		ok = decode_top(&s, &use->t, &d, depth, err);
	}
out:
	bl_buf_fini(&s.key);
	bl_buf_fini(&s.val);
	return ok;
}

bool bl_sbom_scan(const void *data, size_t len, struct bl_sbom *out, struct bl_error *err)
{
	memset(out, 0, sizeof *out);
	bl_arena_init(&out->strings);
	return scan_doc(data ? data : "", data ? len : 0, out, true, err);
}
