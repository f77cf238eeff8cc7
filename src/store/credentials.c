/* Registry credentials from docker and containers auth files and
 * docker-credential helpers. No value read here ever goes into an error
 * message: messages name the file or the helper only. */
#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/types.h>
#include <sys/wait.h>
#include <unistd.h>

#include "bakelens/base64.h"
#include "bakelens/buf.h"
#include "bakelens/credentials.h"
#include "bakelens/file.h"
#include "bakelens/json.h"
#include "bakelens/mem.h"
#include "bakelens/text.h"
#include "bakelens/vec.h"

#define AUTH_FILE_MAX (4u << 20)
#define HELPER_OUT_MAX (1u << 20)
#define DOCKER_HUB_KEY "https://index.docker.io/v1/"

void bl_credentials_free_secret(char *s)
{
	if (s) {
		/* volatile so the compiler keeps the wipe of a secret */
		volatile char *p = s;
		while (*p)
			*p++ = 0;
		free(s);
	}
}

void bl_credentials_fini(struct bl_credentials *c)
{
	if (!c)
		return;
	bl_credentials_free_secret(c->username);
	bl_credentials_free_secret(c->password);
	bl_credentials_free_secret(c->identity_token);
	bl_credentials_free_secret(c->registry_token);
	free(c->source);
	memset(c, 0, sizeof *c);
}

bool bl_credentials_is_empty(const struct bl_credentials *c)
{
	return !c->username && !c->password && !c->identity_token && !c->registry_token;
}

static bool is_docker_hub(const char *host)
{
	return !strcmp(host, "docker.io") || !strcmp(host, "index.docker.io") ||
	       !strcmp(host, "registry-1.docker.io");
}

/* "https://host:port/v1/" -> "host:port/v1" (scheme and trailing slash gone). */
static char *normalise_key(const char *key)
{
	const char *p = strstr(key, "://");
	p = p ? p + 3 : key;
	size_t n = strlen(p);
	while (n > 0 && p[n - 1] == '/')
		n--;
	return bl_strndup(p, n);
}

/* How well an auths key matches host/repo: -1 no match, else the length of
 * the namespace matched (0 for a bare host key). */
static int key_score(const char *key, const char *host, const char *repo)
{
	char *k = normalise_key(key);
	int score = -1;
	size_t hl = strlen(host);
	if (is_docker_hub(host)) {
		/* docker's own key, or any of the Hub's names */
		const char *hub[] = {"index.docker.io/v1", "index.docker.io", "docker.io",
		        "registry-1.docker.io", "registry-1.docker.io/v2"};
		for (size_t i = 0; i < sizeof hub / sizeof hub[0]; i++)
			if (!strcmp(k, hub[i]))
				score = 0;
		if (score < 0 && !strncmp(k, "docker.io/", 10) && repo) {
			const char *ns = k + 10;
			size_t nl = strlen(ns);
			if (!strncmp(repo, ns, nl) && (repo[nl] == '\0' || repo[nl] == '/'))
				score = (int)nl;
		}
	} else if (!strncmp(k, host, hl)) {
		const char *rest = k + hl;
		if (*rest == '\0' || !strcmp(rest, "/v1") || !strcmp(rest, "/v2")) {
			score = 0;
		} else if (*rest == '/' && repo) {
			const char *ns = rest + 1;
			size_t nl = strlen(ns);
			if (!strncmp(repo, ns, nl) && (repo[nl] == '\0' || repo[nl] == '/'))
				score = (int)nl;
		}
	}
	free(k);
	return score;
}

/* Read a whole small file; false with errno set when it cannot be read. */
/* The file whole, or an error that says it is the auth file. */
static bool slurp(const char *path, struct bl_buf *out, struct bl_error *err)
{
	if (bl_file_read(path, AUTH_FILE_MAX, out, err))
		return true;
	if (err) {
		struct bl_error inner = *err;
		bl_fail(err, inner.code, "auth file %s", inner.msg);
		err->sys_errno = inner.sys_errno;
	}
	return false;
}

/* A member that is absent or null (as Go's encoding/json reads it), or of
 * type `want`. Otherwise fails naming the file, the path to the member and
 * the type found: never the value. `where` is already safe to print. */
static bool member_type(const json_t *obj, const char *key, json_type want, const char *path,
        const char *where, struct bl_error *err)
{
	json_t *v = json_object_get(obj, key);
	if (!v || json_is_null(v) || json_typeof(v) == want)
		return true;
	static const char *const names[] = {[JSON_OBJECT] = "an object",
	        [JSON_ARRAY] = "an array",
	        [JSON_STRING] = "a string",
	        [JSON_INTEGER] = "a number",
	        [JSON_REAL] = "a number",
	        [JSON_TRUE] = "a boolean",
	        [JSON_FALSE] = "a boolean",
	        [JSON_NULL] = "null"};
	return bl_fail(err, BL_E_FORMAT, "auth file %s: %s%s: expected %s, found %s", path, where,
	        key, names[want], names[json_typeof(v)]);
}

/* Credentials from one auths entry: auth (base64 user:password), or
 * username/password, identitytoken, registrytoken. */
static bool from_entry(const json_t *e, const char *path, const char *key,
        struct bl_credentials *out, struct bl_error *err)
{
	/* Messages name the entry by its key without the scheme: what is left
	 * matched the registry asked for, so it holds nothing the file alone knew. */
	char *nk = normalise_key(key);
	char *k = bl_text_safe(nk);
	free(nk);
	char *where = bl_asprintf("auths[\"%s\"].", k);
	free(k);
	static const char *const fields[] = {
	        "auth", "username", "password", "identitytoken", "registrytoken"};
	bool ok = true;
	for (size_t i = 0; ok && i < sizeof fields / sizeof fields[0]; i++)
		ok = member_type(e, fields[i], JSON_STRING, path, where, err);
	if (!ok)
		goto out;
	const char *auth = bl_json_str(e, "auth");
	if (auth && *auth) {
		struct bl_buf dec;
		bl_buf_init(&dec);
		ok = false;
		if (!bl_base64_decode(auth, &dec)) {
			bl_buf_fini(&dec);
			bl_fail(err, BL_E_FORMAT, "auth file %s: %sauth: not base64", path, where);
			goto out;
		}
		const char *s = bl_buf_str(&dec);
		const char *colon = memchr(s, ':', dec.len);
		if (!colon) {
			bl_credentials_free_secret(bl_buf_take(&dec));
			bl_fail(err, BL_E_FORMAT,
			        "auth file %s: %sauth: expected base64 of user:password", path,
			        where);
			goto out;
		}
		ok = true;
		out->username = bl_strndup(s, (size_t)(colon - s));
		out->password = bl_strndup(colon + 1, dec.len - (size_t)(colon - s) - 1);
		bl_credentials_free_secret(bl_buf_take(&dec));
	} else if (bl_json_str(e, "username") && bl_json_str(e, "password")) {
		out->username = bl_strdup(bl_json_str(e, "username"));
		out->password = bl_strdup(bl_json_str(e, "password"));
	}
	const char *it = bl_json_str(e, "identitytoken");
	if (it && *it)
		out->identity_token = bl_strdup(it);
	const char *rt = bl_json_str(e, "registrytoken");
	if (rt && *rt)
		out->registry_token = bl_strdup(rt);
	if (!bl_credentials_is_empty(out))
		out->source = bl_strdup(path);
out:
	free(where);
	return ok;
}

/* Look in one file. *found tells whether it had an answer. A missing file is
 * no answer, not an error. */
static bool lookup_file(const char *path, const char *host, const char *repo,
        struct bl_credentials *out, bool *found, struct bl_error *err)
{
	*found = false;
	struct stat st;
	if (stat(path, &st) != 0)
		return true;
	struct bl_buf b;
	bl_buf_init(&b);
	if (!slurp(path, &b, err)) {
		bl_buf_fini(&b);
		return false;
	}
	/* (never the parser's own words: they quote the text near the error) */
	json_t *root = bl_json_parse_secret(b.data ? b.data : "", b.len, AUTH_FILE_MAX, err);
	/* the file holds secrets: wipe our copy */
	if (b.data)
		memset(b.data, 0, b.len);
	bl_buf_fini(&b);
	if (!root) {
		bl_error_prefix(err, "auth file %s", path);
		return false;
	}
	if (!json_is_object(root)) {
		json_decref(root);
		return bl_fail(err, BL_E_FORMAT, "auth file %s: expected a JSON object", path);
	}
	bool ok = member_type(root, "credHelpers", JSON_OBJECT, path, "", err) &&
	          member_type(root, "credsStore", JSON_STRING, path, "", err) &&
	          member_type(root, "auths", JSON_OBJECT, path, "", err);
	if (!ok)
		goto done;
	const char *server = is_docker_hub(host) ? DOCKER_HUB_KEY : host;
	const char *helper = NULL;
	json_t *helpers = bl_json_obj(root, "credHelpers");
	if (helpers) {
		const char *hk;
		json_t *hv;
		json_object_foreach(helpers, hk, hv)
		{
			if (json_is_string(hv) && key_score(hk, host, NULL) == 0) {
				helper = json_string_value(hv);
				break;
			}
		}
	}
	if (!helper)
		helper = bl_json_str(root, "credsStore");
	if (helper && *helper) {
		ok = bl_credentials_from_helper(helper, server, out, err);
		if (ok && !bl_credentials_is_empty(out))
			*found = true;
		/* a helper that knows nothing: fall through to auths, as docker does
		 * for credsStore with plain auths entries beside it */
		if (!ok || *found)
			goto done;
	}
	json_t *auths = bl_json_obj(root, "auths");
	if (auths) {
		const char *best_key = NULL;
		json_t *best = NULL;
		int best_score = -1;
		const char *k;
		json_t *v;
		json_object_foreach(auths, k, v)
		{
			int sc = key_score(k, host, repo);
			if (sc >= 0 && !json_is_object(v) && !json_is_null(v)) {
				/* a bad entry for this registry is an error, as it is to docker */
				char *nk = normalise_key(k);
				char *sk = bl_text_safe(nk);
				free(nk);
				ok = bl_fail(err, BL_E_FORMAT,
				        "auth file %s: auths[\"%s\"]: expected an object", path,
				        sk);
				free(sk);
				goto done;
			}
			if (sc > best_score && json_is_object(v)) {
				best_score = sc;
				best = v;
				best_key = k;
			}
		}
		if (best) {
			ok = from_entry(best, path, best_key, out, err);
			if (ok && !bl_credentials_is_empty(out))
				*found = true;
		}
	}
done:
	json_decref(root);
	return ok;
}

bool bl_credentials_lookup(const char *host, const char *repo, const char *authfile,
        struct bl_credentials *out, struct bl_error *err)
{
	memset(out, 0, sizeof *out);
	struct bl_vec paths;
	bl_vec_init(&paths, free);
	const char *env;
	if (authfile) {
		bl_vec_push_take(&paths, bl_strdup(authfile));
	} else if ((env = getenv("REGISTRY_AUTH_FILE")) && *env) {
		bl_vec_push_take(&paths, bl_strdup(env));
	} else {
		if ((env = getenv("XDG_RUNTIME_DIR")) && *env)
			bl_vec_push_take(&paths, bl_asprintf("%s/containers/auth.json", env));
		if ((env = getenv("XDG_CONFIG_HOME")) && *env)
			bl_vec_push_take(&paths, bl_asprintf("%s/containers/auth.json", env));
		else if ((env = getenv("HOME")) && *env)
			bl_vec_push_take(
			        &paths, bl_asprintf("%s/.config/containers/auth.json", env));
	}
	if ((env = getenv("DOCKER_CONFIG")) && *env)
		bl_vec_push_take(&paths, bl_asprintf("%s/config.json", env));
	else if ((env = getenv("HOME")) && *env)
		bl_vec_push_take(&paths, bl_asprintf("%s/.docker/config.json", env));

	bool ok = true;
	for (size_t i = 0; i < paths.len; i++) {
		bool found = false;
		ok = lookup_file(bl_vec_get(&paths, i), host, repo, out, &found, err);
		if (!ok) {
			bl_credentials_fini(out);
			break;
		}
		if (found)
			break;
		bl_credentials_fini(out);
	}
	bl_vec_fini(&paths);
	return ok;
}

static bool valid_helper_name(const char *h)
{
	if (!*h)
		return false;
	for (const char *p = h; *p; p++)
		if (*p == '/' || *p == '\0' || (unsigned char)*p < 0x21)
			return false;
	return true;
}

bool bl_credentials_from_helper(
        const char *helper, const char *server, struct bl_credentials *out, struct bl_error *err)
{
	memset(out, 0, sizeof *out);
	char *hsafe = bl_text_safe(helper);
	if (!valid_helper_name(helper)) {
		bl_fail(err, BL_E_FORMAT, "credential helper name \"%s\" is not valid", hsafe);
		free(hsafe);
		return false;
	}
	char *prog = bl_asprintf("docker-credential-%s", helper);
	int in[2], outp[2];
	if (pipe(in) != 0) {
		bl_fail_errno(err, BL_E_IO, "credential helper %s: pipe", prog);
		goto fail_early;
	}
	if (pipe(outp) != 0) {
		bl_fail_errno(err, BL_E_IO, "credential helper %s: pipe", prog);
		close(in[0]);
		close(in[1]);
		goto fail_early;
	}
	pid_t pid = fork();
	if (pid < 0) {
		bl_fail_errno(err, BL_E_IO, "credential helper %s: fork", prog);
		close(in[0]);
		close(in[1]);
		close(outp[0]);
		close(outp[1]);
		goto fail_early;
	}
	if (pid == 0) {
		dup2(in[0], 0);
		dup2(outp[1], 1);
		int devnull = open("/dev/null", O_WRONLY);
		if (devnull >= 0)
			dup2(devnull, 2); /* helpers may echo secrets on errors */
		close(in[0]);
		close(in[1]);
		close(outp[0]);
		close(outp[1]);
		execlp(prog, prog, "get", (char *)NULL);
		_exit(127);
	}
	close(in[0]);
	close(outp[1]);
	/* a helper that exits early must not kill us with SIGPIPE */
	struct sigaction sa = {0}, old;
	sa.sa_handler = SIG_IGN;
	sigaction(SIGPIPE, &sa, &old);
	size_t sl = strlen(server);
	ssize_t w = write(in[1], server, sl);
	(void)w;
	close(in[1]);
	struct bl_buf b;
	bl_buf_init(&b);
	char tmp[4096];
	for (;;) {
		ssize_t n = read(outp[0], tmp, sizeof tmp);
		if (n < 0 && errno == EINTR)
			continue;
		if (n <= 0)
			break;
		if (b.len + (size_t)n <= HELPER_OUT_MAX)
			bl_buf_append(&b, tmp, (size_t)n);
	}
	close(outp[0]);
	int status = 0;
	while (waitpid(pid, &status, 0) < 0 && errno == EINTR)
		;
	sigaction(SIGPIPE, &old, NULL);

	bool ok = false;
	if (!WIFEXITED(status) || WEXITSTATUS(status) != 0) {
		if (b.data && strstr(b.data, "credentials not found")) {
			ok = true; /* anonymous */
		} else if (WIFEXITED(status) && WEXITSTATUS(status) == 127) {
			bl_fail(err, BL_E_AUTH, "credential helper %s: not found in PATH", prog);
		} else {
			bl_fail(err, BL_E_AUTH, "credential helper %s get failed (exit status %d)",
			        prog, WIFEXITED(status) ? WEXITSTATUS(status) : -1);
		}
		goto out;
	}
	struct bl_error jerr = {0};
	json_t *j = bl_json_parse(b.data ? b.data : "", b.len, HELPER_OUT_MAX, &jerr);
	if (!j || !json_is_object(j)) {
		/* jerr may quote the output: do not pass it on */
		bl_fail(err, BL_E_AUTH, "credential helper %s: output is not a JSON object", prog);
		json_decref(j);
		goto out;
	}
	const char *user = bl_json_str(j, "Username");
	const char *secret = bl_json_str(j, "Secret");
	if (secret && *secret) {
		if (user && !strcmp(user, "<token>")) {
			out->identity_token = bl_strdup(secret);
		} else {
			out->username = bl_strdup(user ? user : "");
			out->password = bl_strdup(secret);
		}
		out->source = bl_strdup(prog);
	}
	json_decref(j);
	ok = true;
out:
	if (b.data)
		memset(b.data, 0, b.len);
	bl_buf_fini(&b);
	free(prog);
	free(hsafe);
	return ok;
fail_early:
	free(prog);
	free(hsafe);
	return false;
}
