/* Image references as docker normalises them: see include/bakelens/ref.h.
 *
 * Grammar (distribution/reference):
 *   reference      := name [ ":" tag ] [ "@" digest ]
 *   name           := [ domain "/" ] path-component [ "/" path-component ]*
 *   domain         := host [ ":" port ], host := domain-name | "[" ipv6 "]"
 *   domain-comp    := [a-zA-Z0-9] | [a-zA-Z0-9][a-zA-Z0-9-]*[a-zA-Z0-9]
 *   path-component := [a-z0-9]+ ( separator [a-z0-9]+ )*, separator := "." | "_" | "__" | "-"+
 *   tag            := [\w][\w.-]{0,127}
 * The digest is checked by bl_digest_parse, so only sha256 and sha512 pass. */
#include "bakelens/ref.h"

#include <stdlib.h>
#include <string.h>

#include "bakelens/mem.h"
#include "bakelens/text.h"

#define NAME_MAX_LEN 255 /* distribution's NameTotalLengthMax */
#define TAG_MAX_LEN 128
#define INPUT_MAX_LEN 4096 /* nothing valid comes close; keeps error work bounded */
#define QUOTE_MAX 80

static bool is_lower_alnum(char c)
{
	return (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9');
}

static bool is_alnum(char c)
{
	return is_lower_alnum(c) || (c >= 'A' && c <= 'Z');
}

static bool is_word(char c)
{
	return is_alnum(c) || c == '_';
}

static char *quote(const char *s)
{
	char *esc = bl_text_safe(s);
	if (strlen(esc) > QUOTE_MAX) {
		size_t cut = QUOTE_MAX - 3; /* room for "..." and the NUL */
		while (cut > 0 && ((unsigned char)esc[cut] & 0xc0) == 0x80)
			cut--;
		memcpy(esc + cut, "...", 4);
	}
	return esc;
}

static bool fail_ref(struct bl_error *err, const char *s, const char *why)
{
	if (!err)
		return false;
	char *q = quote(s);
	bl_fail(err, BL_E_FORMAT, "invalid reference \"%s\": %s", q, why);
	free(q);
	return false;
}

static bool valid_tag(const char *t, size_t n)
{
	if (n == 0 || n > TAG_MAX_LEN || !is_word(t[0]))
		return false;
	for (size_t i = 1; i < n; i++) {
		if (!is_word(t[i]) && t[i] != '.' && t[i] != '-')
			return false;
	}
	return true;
}

/* One path component: alnum runs joined by ".", "_", "__" or "-"+. */
static bool valid_path_component(const char *p, size_t n)
{
	if (n == 0 || !is_lower_alnum(p[0]) || !is_lower_alnum(p[n - 1]))
		return false;
	size_t i = 0;
	while (i < n) {
		if (is_lower_alnum(p[i])) {
			i++;
			continue;
		}
		size_t j = i;
		while (j < n && !is_lower_alnum(p[j]))
			j++;
		size_t sep = j - i;
		bool ok = false;
		if (sep == 1 && (p[i] == '.' || p[i] == '_' || p[i] == '-'))
			ok = true;
		else if (sep == 2 && p[i] == '_' && p[i + 1] == '_')
			ok = true;
		else {
			ok = true;
			for (size_t k = i; k < j; k++)
				ok = ok && p[k] == '-';
		}
		if (!ok)
			return false;
		i = j;
	}
	return true;
}

static bool valid_path(const char *p, size_t n)
{
	size_t start = 0;
	for (size_t i = 0; i <= n; i++) {
		if (i == n || p[i] == '/') {
			if (!valid_path_component(p + start, i - start))
				return false;
			start = i + 1;
		}
	}
	return true;
}

static bool valid_domain_component(const char *p, size_t n)
{
	if (n == 0 || !is_alnum(p[0]) || !is_alnum(p[n - 1]))
		return false;
	for (size_t i = 0; i < n; i++) {
		if (!is_alnum(p[i]) && p[i] != '-')
			return false;
	}
	return true;
}

static bool valid_domain(const char *d, size_t n)
{
	size_t host_end = n;
	if (n > 0 && d[0] == '[') {
		/* Bracketed IPv6 literal, optionally with a port. */
		const char *close = memchr(d, ']', n);
		if (!close || close == d + 1)
			return false;
		for (const char *p = d + 1; p < close; p++) {
			char c = *p;
			if (!((c >= '0' && c <= '9') || (c >= 'a' && c <= 'f') ||
			            (c >= 'A' && c <= 'F') || c == ':'))
				return false;
		}
		host_end = (size_t)(close - d) + 1;
		if (host_end == n)
			return true;
		if (d[host_end] != ':')
			return false;
	} else {
		const char *colon = memchr(d, ':', n);
		if (colon)
			host_end = (size_t)(colon - d);
		size_t start = 0;
		for (size_t i = 0; i <= host_end; i++) {
			if (i == host_end || d[i] == '.') {
				if (!valid_domain_component(d + start, i - start))
					return false;
				start = i + 1;
			}
		}
		if (host_end == n)
			return true;
	}
	/* ":port" */
	size_t port = host_end + 1;
	if (port >= n)
		return false;
	for (size_t i = port; i < n; i++) {
		if (d[i] < '0' || d[i] > '9')
			return false;
	}
	return true;
}

static bool all_lower_hex64(const char *s)
{
	size_t i = 0;
	for (; s[i]; i++) {
		if (!((s[i] >= '0' && s[i] <= '9') || (s[i] >= 'a' && s[i] <= 'f')))
			return false;
	}
	return i == 64;
}

static bool has_upper(const char *s, size_t n)
{
	for (size_t i = 0; i < n; i++) {
		if (s[i] >= 'A' && s[i] <= 'Z')
			return true;
	}
	return false;
}

bool bl_ref_parse(const char *s, struct bl_ref *out, struct bl_error *err)
{
	memset(out, 0, sizeof *out);
	bl_digest_clear(&out->digest);
	if (!s || !*s)
		return bl_fail(err, BL_E_FORMAT, "invalid reference \"\": empty");
	size_t len = strlen(s);
	if (len > INPUT_MAX_LEN)
		return fail_ref(err, s, "too long");
	if (all_lower_hex64(s))
		return fail_ref(err, s, "a 64-digit hex string is an image ID, not a reference");

	/* "@digest" ends the reference. */
	const char *at = strchr(s, '@');
	size_t name_end = at ? (size_t)(at - s) : len;
	struct bl_digest digest;
	bl_digest_clear(&digest);
	if (at) {
		if (!bl_digest_parse(at + 1, &digest, err)) {
			if (err) {
				char *q = quote(s);
				bl_error_prefix(err, "reference \"%s\"", q);
				free(q);
			}
			return false;
		}
	}

	/* ":tag" is a colon after the last slash of the name. */
	const char *tag = NULL;
	size_t tag_len = 0;
	for (size_t i = name_end; i > 0; i--) {
		char c = s[i - 1];
		if (c == '/')
			break;
		if (c == ':') {
			tag = s + i;
			tag_len = name_end - i;
			name_end = i - 1;
			break;
		}
	}
	if (tag && !valid_tag(tag, tag_len))
		return fail_ref(err, s, "bad tag (expected [A-Za-z0-9_][A-Za-z0-9_.-]{0,127})");
	if (name_end == 0)
		return fail_ref(err, s, "empty repository name");

	/* Domain: a first component with '.' or ':', or "localhost". */
	const char *domain = "docker.io";
	size_t domain_len = strlen(domain);
	const char *rest = s;
	size_t rest_len = name_end;
	const char *slash = memchr(s, '/', name_end);
	if (slash) {
		size_t first = (size_t)(slash - s);
		if (memchr(s, '.', first) || memchr(s, ':', first) ||
		        (first == 9 && memcmp(s, "localhost", 9) == 0)) {
			domain = s;
			domain_len = first;
			rest = slash + 1;
			rest_len = name_end - first - 1;
			if (!valid_domain(domain, domain_len))
				return fail_ref(err, s, "bad registry host (expected host[:port])");
		}
	}
	if (domain_len == 15 && memcmp(domain, "index.docker.io", 15) == 0) {
		domain = "docker.io";
		domain_len = 9;
	}
	if (rest_len == 0)
		return fail_ref(err, s, "empty repository name");
	if (has_upper(rest, rest_len))
		return fail_ref(err, s, "repository name must be lowercase");
	if (!valid_path(rest, rest_len))
		return fail_ref(err, s,
		        "bad repository name (expected lowercase components of [a-z0-9] "
		        "joined by '.', '_', '__' or '-', separated by '/')");

	bool add_library = domain_len == 9 && memcmp(domain, "docker.io", 9) == 0 &&
	                   !memchr(rest, '/', rest_len);
	size_t total = domain_len + 1 + (add_library ? 8 : 0) + rest_len;
	if (total > NAME_MAX_LEN)
		return fail_ref(err, s, "repository name longer than 255 characters");

	out->domain = bl_strndup(domain, domain_len);
	struct bl_buf path;
	bl_buf_init(&path);
	if (add_library)
		bl_buf_puts(&path, "library/");
	bl_buf_append(&path, rest, rest_len);
	out->path = bl_buf_take(&path);
	if (tag)
		out->tag = bl_strndup(tag, tag_len);
	else if (!at)
		out->tag = bl_strdup("latest");
	out->digest = digest;
	return true;
}

void bl_ref_fini(struct bl_ref *r)
{
	if (!r)
		return;
	free(r->domain);
	free(r->path);
	free(r->tag);
	r->domain = NULL;
	r->path = NULL;
	r->tag = NULL;
	bl_digest_clear(&r->digest);
}

char *bl_ref_format(const struct bl_ref *r)
{
	struct bl_buf b;
	bl_buf_init(&b);
	bl_buf_puts(&b, r->domain ? r->domain : "");
	bl_buf_putc(&b, '/');
	bl_buf_puts(&b, r->path ? r->path : "");
	if (r->tag) {
		bl_buf_putc(&b, ':');
		bl_buf_puts(&b, r->tag);
	}
	if (bl_digest_is_set(&r->digest)) {
		bl_buf_putc(&b, '@');
		bl_buf_puts(&b, r->digest.str);
	}
	return bl_buf_take(&b);
}

char *bl_ref_name(const struct bl_ref *r)
{
	return bl_asprintf("%s/%s", r->domain ? r->domain : "", r->path ? r->path : "");
}

const char *bl_ref_api_host(const struct bl_ref *r)
{
	if (!r->domain || strcmp(r->domain, "docker.io") == 0)
		return "registry-1.docker.io";
	return r->domain;
}

bool bl_ref_is_plausible(const char *s)
{
	if (!s || !*s || s[0] == '/')
		return false;
	struct bl_ref r;
	if (!bl_ref_parse(s, &r, NULL))
		return false;
	bl_ref_fini(&r);
	return true;
}
