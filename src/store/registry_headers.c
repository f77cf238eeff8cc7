/* Header parsers of the distribution API: WWW-Authenticate challenges, Link
 * (and its targets, resolved with libcurl's URL parser) and Retry-After.
 * Pure functions, tested on their own. */
/* strptime */
#define _XOPEN_SOURCE 700
#include <ctype.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <time.h>

#include <curl/curl.h>

#include "bakelens/buf.h"
#include "bakelens/mem.h"
#include "bakelens/registry.h"

static const char *skip_ws(const char *p)
{
	while (*p == ' ' || *p == '\t')
		p++;
	return p;
}

static bool is_token_char(char c)
{
	return c && !isspace((unsigned char)c) && c != '=' && c != ',' && c != '"' && c != ';';
}

/* A value at p: quoted (backslash escapes any char) or a token. Advances *pp. */
static char *parse_value(const char **pp)
{
	const char *p = *pp;
	struct bl_buf b;
	bl_buf_init(&b);
	if (*p == '"') {
		p++;
		while (*p && *p != '"') {
			if (*p == '\\' && p[1])
				p++;
			bl_buf_putc(&b, *p++);
		}
		if (*p == '"')
			p++;
	} else {
		while (*p && *p != ',' && *p != ';' && !isspace((unsigned char)*p))
			bl_buf_putc(&b, *p++);
	}
	*pp = p;
	return bl_buf_take(&b);
}

bool bl_registry_challenge_parse(const char *header, struct bl_registry_challenge *out)
{
	memset(out, 0, sizeof *out);
	if (!header)
		return false;
	const char *p = skip_ws(header);
	const char *start = p;
	while (is_token_char(*p))
		p++;
	if (p == start)
		return false;
	out->scheme = bl_strndup(start, (size_t)(p - start));
	for (char *c = out->scheme; *c; c++)
		*c = (char)tolower((unsigned char)*c);
	for (;;) {
		while (*p == ' ' || *p == '\t' || *p == ',')
			p++;
		if (!*p)
			break;
		const char *ks = p;
		while (is_token_char(*p))
			p++;
		size_t kl = (size_t)(p - ks);
		p = skip_ws(p);
		if (kl == 0 || *p != '=') {
			/* another challenge, or junk: stop at what we have */
			break;
		}
		p = skip_ws(p + 1);
		char *v = parse_value(&p);
		char **slot = NULL;
		if (kl == 5 && !strncasecmp(ks, "realm", 5))
			slot = &out->realm;
		else if (kl == 7 && !strncasecmp(ks, "service", 7))
			slot = &out->service;
		else if (kl == 5 && !strncasecmp(ks, "scope", 5))
			slot = &out->scope;
		else if (kl == 5 && !strncasecmp(ks, "error", 5))
			slot = &out->error;
		if (slot && !*slot)
			*slot = v;
		else
			free(v);
	}
	if (strcmp(out->scheme, "bearer") && strcmp(out->scheme, "basic")) {
		bl_registry_challenge_fini(out);
		return false;
	}
	if (!strcmp(out->scheme, "bearer") && !out->realm) {
		bl_registry_challenge_fini(out);
		return false;
	}
	return true;
}

void bl_registry_challenge_fini(struct bl_registry_challenge *c)
{
	if (!c)
		return;
	free(c->scheme);
	free(c->realm);
	free(c->service);
	free(c->scope);
	free(c->error);
	memset(c, 0, sizeof *c);
}

char *bl_registry_link_next(const char *header)
{
	if (!header)
		return NULL;
	const char *p = header;
	while (*p) {
		p = skip_ws(p);
		if (*p != '<') {
			/* skip to the next link */
			while (*p && *p != ',')
				p++;
			if (*p)
				p++;
			continue;
		}
		const char *us = p + 1;
		const char *ue = strchr(us, '>');
		if (!ue)
			return NULL;
		p = ue + 1;
		bool next = false;
		/* params: ; key=value ... until ',' outside quotes */
		while (*p && *p != ',') {
			p = skip_ws(p);
			if (*p == ';') {
				p = skip_ws(p + 1);
				const char *ks = p;
				while (is_token_char(*p))
					p++;
				size_t kl = (size_t)(p - ks);
				p = skip_ws(p);
				if (*p == '=') {
					p = skip_ws(p + 1);
					char *v = parse_value(&p);
					if (kl == 3 && !strncasecmp(ks, "rel", 3)) {
						/* rel may list several space-separated relations */
						char *save = NULL;
						for (char *t = strtok_r(v, " ", &save); t;
						        t = strtok_r(NULL, " ", &save))
							if (!strcasecmp(t, "next"))
								next = true;
					}
					free(v);
				}
			} else if (*p && *p != ',') {
				p++;
			}
		}
		if (next)
			return bl_strndup(us, (size_t)(ue - us));
		if (*p == ',')
			p++;
	}
	return NULL;
}

/* "scheme://host:port" of a parsed URL, lowercased, the port always there;
 * NULL when a part is missing. */
static char *origin_of(CURLU *u)
{
	char *scheme = NULL, *host = NULL, *port = NULL, *o = NULL;
	if (curl_url_get(u, CURLUPART_SCHEME, &scheme, 0) == CURLUE_OK &&
	        curl_url_get(u, CURLUPART_HOST, &host, 0) == CURLUE_OK &&
	        curl_url_get(u, CURLUPART_PORT, &port, CURLU_DEFAULT_PORT) == CURLUE_OK) {
		o = bl_asprintf("%s://%s:%s", scheme, host, port);
		for (char *c = o; *c; c++)
			*c = (char)tolower((unsigned char)*c);
	}
	curl_free(scheme);
	curl_free(host);
	curl_free(port);
	return o;
}

static bool http_scheme(CURLU *u)
{
	char *scheme = NULL;
	bool ok = curl_url_get(u, CURLUPART_SCHEME, &scheme, 0) == CURLUE_OK &&
	          (!strcasecmp(scheme, "http") || !strcasecmp(scheme, "https"));
	curl_free(scheme);
	return ok;
}

char *bl_registry_link_resolve(const char *base, const char *link, bool *same_origin)
{
	*same_origin = false;
	if (!base || !link || !*link)
		return NULL;
	CURLU *b = curl_url(), *u = curl_url();
	char *out = NULL, *ob = NULL, *ou = NULL;
	if (!b || !u)
		goto done;
	/* resolving on a copy of the base handles every form of reference:
	 * "/path", "path", "?query", "//host/path" and absolute URLs */
	if (curl_url_set(b, CURLUPART_URL, base, 0) != CURLUE_OK ||
	        curl_url_set(u, CURLUPART_URL, base, 0) != CURLUE_OK ||
	        curl_url_set(u, CURLUPART_URL, link, 0) != CURLUE_OK || !http_scheme(u))
		goto done;
	char *url = NULL;
	if (curl_url_get(u, CURLUPART_URL, &url, 0) != CURLUE_OK)
		goto done;
	out = bl_strdup(url);
	curl_free(url);
	ob = origin_of(b);
	ou = origin_of(u);
	*same_origin = ob && ou && !strcmp(ob, ou);
done:
	free(ob);
	free(ou);
	curl_url_cleanup(b);
	curl_url_cleanup(u);
	return out;
}

long bl_registry_retry_after(const char *value, long long now)
{
	if (!value)
		return -1;
	const char *p = skip_ws(value);
	if (isdigit((unsigned char)*p)) {
		char *end;
		long v = strtol(p, &end, 10);
		end = (char *)skip_ws(end);
		if (*end != '\0' || v < 0)
			return -1;
		return v;
	}
	struct tm tm;
	memset(&tm, 0, sizeof tm);
	const char *end = strptime(p, "%a, %d %b %Y %H:%M:%S GMT", &tm);
	if (!end || *skip_ws(end) != '\0')
		return -1;
	long long t = (long long)timegm(&tm);
	if (t <= now)
		return 0;
	return (long)(t - now);
}
