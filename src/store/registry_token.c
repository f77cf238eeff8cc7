/* Authentication of the registry store: credentials (looked up once, on the
 * first challenge), Basic, and Bearer tokens fetched from the challenge's
 * realm (POST with a refresh token when there is one, else GET), cached per
 * scope until shortly before they expire. bl_reg_request wraps the HTTP
 * engine's attempts: it sends the Authorization line the store holds and
 * answers one 401 challenge. */
#include <stdlib.h>
#include <string.h>

#include "bakelens/base64.h"
#include "bakelens/clock.h"
#include "bakelens/json.h"
#include "bakelens/mem.h"
#include "bakelens/text.h"
#include "registry_internal.h"

struct token {
	char *scope;
	char *value;
	int64_t expires; /* bl_clock_ms */
};

static bool load_creds(struct reg *s, struct bl_error *err)
{
	if (s->creds_loaded)
		return true;
	if (!bl_credentials_lookup(s->ref.domain, s->repo, s->authfile, &s->creds, err)) {
		bl_error_prefix(err, "registry %s: credentials", s->ref.domain);
		return false;
	}
	s->creds_loaded = true;
	return true;
}

static char *basic_header(const struct bl_credentials *c)
{
	static const char prefix[] = "Authorization: Basic ";
	char *up = bl_asprintf("%s:%s", c->username, c->password ? c->password : "");
	size_t n = strlen(up);
	struct bl_buf h;
	bl_buf_init(&h);
	/* room for all of it up front: no reallocation leaves a copy behind */
	bl_buf_reserve(&h, sizeof prefix + (n + 2) / 3 * 4);
	bl_buf_puts(&h, prefix);
	bl_base64_encode(up, n, &h);
	bl_credentials_free_secret(up);
	return bl_buf_take(&h);
}

static struct token *token_find(struct reg *s, const char *scope)
{
	int64_t now = bl_clock_ms();
	for (size_t i = 0; i < s->tokens.len; i++) {
		struct token *t = bl_vec_get(&s->tokens, i);
		if (!strcmp(t->scope, scope) && t->expires > now)
			return t;
	}
	return NULL;
}

void bl_reg_token_free(void *p)
{
	struct token *t = p;
	if (t) {
		free(t->scope);
		bl_credentials_free_secret(t->value);
		free(t);
	}
}

char *bl_reg_authz(struct reg *s)
{
	if (s->creds.registry_token)
		return bl_asprintf("Authorization: Bearer %s", s->creds.registry_token);
	if (s->auth == BL_REG_AUTH_BASIC && s->creds.username)
		return basic_header(&s->creds);
	if (s->auth == BL_REG_AUTH_BEARER) {
		char *scope = bl_reg_scope_pull(s);
		struct token *t = token_find(s, scope);
		free(scope);
		if (t)
			return bl_asprintf("Authorization: Bearer %s", t->value);
	}
	return NULL;
}

static char *url_escape(const char *s)
{
	char *e = curl_easy_escape(NULL, s, 0);
	if (!e)
		abort();
	char *r = bl_strdup(e);
	curl_free(e);
	return r;
}

/* Parse a token response into the cache. */
static bool take_token(struct reg *s, const char *scope, struct xfer *x, struct bl_error *err)
{
	char *tok = NULL;
	int64_t exp = 60;
	if (!bl_registry_token_parse(x->body.data, x->body.len, &tok, &exp)) {
		bl_reg_fail(s, err, BL_E_AUTH, "token service answer has no token");
		return false;
	}
	struct token *t = bl_calloc(1, sizeof *t);
	t->scope = bl_strdup(scope);
	t->value = tok;
	/* a little early, so a token never expires in flight */
	t->expires = bl_clock_ms() + (exp - 5) * 1000;
	bl_vec_push_take(&s->tokens, t);
	return true;
}

static bool fetch_token(struct reg *s, const struct bl_registry_challenge *c, const char *scope,
        struct bl_error *err)
{
	if (!load_creds(s, err))
		return false;
	char *service = url_escape(c->service ? c->service : "");
	char *escope = url_escape(scope);
	char *realm_safe = bl_text_safe(c->realm);
	bool ok = false;
	struct xfer *x = NULL;
	struct bl_error e2 = {0};
	if (s->creds.identity_token) {
		char *rt = url_escape(s->creds.identity_token);
		char *form = bl_asprintf("grant_type=refresh_token&refresh_token=%s&service=%s&"
		                         "scope=%s&client_id=bakelens",
		        rt, service, escope);
		bl_credentials_free_secret(rt);
		struct req r = {.url = c->realm, .post = form, .max = 1u << 20, .what = "token"};
		ok = bl_reg_http_request(s, &r, &x, &e2);
		bl_credentials_free_secret(form);
		if (ok) {
			ok = take_token(s, scope, x, err);
			bl_reg_xfer_free(x);
			goto out;
		}
		/* fall back to GET on 400/401/404 (old token servers) */
		if (e2.code != BL_E_AUTH && e2.code != BL_E_NOT_FOUND && e2.code != BL_E_FORMAT) {
			if (err)
				*err = e2;
			goto out;
		}
	}
	{
		const char *sep = strchr(c->realm, '?') ? "&" : "?";
		char *url = bl_asprintf("%s%sservice=%s&scope=%s", c->realm, sep, service, escope);
		char *authz = s->creds.username ? basic_header(&s->creds) : NULL;
		struct req r = {.url = url, .authz = authz, .max = 1u << 20, .what = "token"};
		ok = bl_reg_http_request(s, &r, &x, err);
		bl_credentials_free_secret(authz);
		free(url);
		if (ok) {
			ok = take_token(s, scope, x, err);
			bl_reg_xfer_free(x);
		} else if (err) {
			/* the message from request() names the realm only by host */
			bl_error_prefix(err, "token service for %s%s", s->repo,
			        s->creds.source ? " (with credentials)" : " (anonymous)");
		}
	}
out:
	free(service);
	free(escope);
	free(realm_safe);
	return ok;
}

/* Answer a 401 challenge; false when we cannot. */
static bool answer_challenge(struct reg *s, const char *header, struct bl_error *err)
{
	struct bl_registry_challenge c;
	char *scope = bl_reg_scope_pull(s);
	bool ok = false;
	if (!bl_registry_challenge_parse(header, &c)) {
		bl_reg_fail(
		        s, err, BL_E_AUTH, "authentication required (401) and no usable challenge");
		free(scope);
		return false;
	}
	if (!strcmp(c.scheme, "basic")) {
		if (!load_creds(s, err))
			goto out;
		if (!s->creds.username) {
			bl_reg_fail(s, err, BL_E_AUTH,
			        "authentication required for scope %s (401, Basic) and no "
			        "credentials found",
			        scope);
			goto out;
		}
		s->auth = BL_REG_AUTH_BASIC;
		ok = true;
	} else {
		ok = fetch_token(s, &c, scope, err);
		if (ok)
			s->auth = BL_REG_AUTH_BEARER;
	}
out:
	bl_registry_challenge_fini(&c);
	free(scope);
	return ok;
}

bool bl_reg_request(struct reg *s, const struct req *r, struct xfer **out, struct bl_error *err)
{
	struct bl_reg_attempt a;
	bl_reg_attempt_begin(&a, r);
	enum bl_reg_outcome o;
	for (;;) {
		char *authz = r->registry_auth ? bl_reg_authz(s) : NULL;
		o = bl_reg_attempt_run(s, r, &a, authz, out, err);
		bl_credentials_free_secret(authz);
		if (o != BL_REG_CHALLENGE)
			break;
		if (!answer_challenge(s, a.challenge, err)) {
			o = BL_REG_FAILED;
			break;
		}
	}
	bl_reg_attempt_end(&a);
	return o == BL_REG_OK;
}
