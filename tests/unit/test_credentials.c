/* Credential lookup: file precedence, auths keys, helpers (a shell script in
 * a temporary PATH), and secrets kept out of error messages. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "bakelens/credentials.h"
#include "bakelens/mem.h"

struct env {
	char *dir;
	char *old_path;
};

static void write_file(const char *path, const char *text)
{
	FILE *f = fopen(path, "w");
	assert_non_null(f);
	fputs(text, f);
	fclose(f);
}

static char *sub(const struct env *e, const char *name)
{
	return bl_asprintf("%s/%s", e->dir, name);
}

static int setup(void **state)
{
	struct env *e = calloc(1, sizeof *e);
	char tmpl[] = "/tmp/bl-test-creds-XXXXXX";
	e->dir = strdup(mkdtemp(tmpl));
	char *p;
	const char *dirs[] = {"home", "home/.docker", "run", "run/containers", "cfg",
	        "cfg/containers", "bin", "dockercfg"};
	for (size_t i = 0; i < sizeof dirs / sizeof dirs[0]; i++) {
		p = sub(e, dirs[i]);
		mkdir(p, 0700);
		free(p);
	}
	p = sub(e, "home");
	setenv("HOME", p, 1);
	free(p);
	unsetenv("REGISTRY_AUTH_FILE");
	unsetenv("XDG_RUNTIME_DIR");
	unsetenv("XDG_CONFIG_HOME");
	unsetenv("DOCKER_CONFIG");
	const char *old = getenv("PATH");
	e->old_path = strdup(old ? old : "/usr/bin:/bin");
	char *bin = sub(e, "bin");
	char *np = bl_asprintf("%s:%s", bin, e->old_path);
	setenv("PATH", np, 1);
	free(np);
	free(bin);
	*state = e;
	return 0;
}

static int teardown(void **state)
{
	struct env *e = *state;
	char *cmd = bl_asprintf("rm -rf '%s'", e->dir);
	assert_int_equal(system(cmd), 0);
	free(cmd);
	setenv("PATH", e->old_path, 1);
	free(e->old_path);
	free(e->dir);
	free(e);
	return 0;
}

/* base64("alice:pw-docker") = YWxpY2U6cHctZG9ja2Vy (printf %s alice:pw-docker | base64) */
#define DOCKER_AUTH "{\"auths\":{\"r.example\":{\"auth\":\"YWxpY2U6cHctZG9ja2Vy\"}}}"
/* base64("bob:pw-podman") = Ym9iOnB3LXBvZG1hbg== */
#define PODMAN_AUTH "{\"auths\":{\"r.example\":{\"auth\":\"Ym9iOnB3LXBvZG1hbg==\"}}}"
/* base64("carol:pw-file") = Y2Fyb2w6cHctZmlsZQ== */
#define FILE_AUTH "{\"auths\":{\"https://r.example/v1/\":{\"auth\":\"Y2Fyb2w6cHctZmlsZQ==\"}}}"

static void lookup_ok(
        const char *host, const char *repo, const char *authfile, struct bl_credentials *c)
{
	struct bl_error err = {0};
	bool ok = bl_credentials_lookup(host, repo, authfile, c, &err);
	if (!ok)
		fail_msg("lookup failed: %s", err.msg);
}

static void test_docker_config_in_home(void **state)
{
	struct env *e = *state;
	char *p = sub(e, "home/.docker/config.json");
	write_file(p, DOCKER_AUTH);
	struct bl_credentials c;
	lookup_ok("r.example", "o/r", NULL, &c);
	assert_string_equal(c.username, "alice");
	assert_string_equal(c.password, "pw-docker");
	assert_string_equal(c.source, p);
	bl_credentials_fini(&c);
	/* another host: anonymous, not an error */
	lookup_ok("other.example", "o/r", NULL, &c);
	assert_true(bl_credentials_is_empty(&c));
	bl_credentials_fini(&c);
	free(p);
}

static void test_containers_auth_before_docker_config(void **state)
{
	struct env *e = *state;
	char *d = sub(e, "home/.docker/config.json");
	write_file(d, DOCKER_AUTH);
	char *cfg = sub(e, "cfg");
	setenv("XDG_CONFIG_HOME", cfg, 1);
	char *pc = sub(e, "cfg/containers/auth.json");
	write_file(pc, PODMAN_AUTH);
	struct bl_credentials c;
	lookup_ok("r.example", NULL, NULL, &c);
	assert_string_equal(c.username, "bob");
	bl_credentials_fini(&c);
	/* XDG_RUNTIME_DIR's file comes before XDG_CONFIG_HOME's */
	char *run = sub(e, "run");
	setenv("XDG_RUNTIME_DIR", run, 1);
	char *pr = sub(e, "run/containers/auth.json");
	write_file(pr, FILE_AUTH);
	lookup_ok("r.example", NULL, NULL, &c);
	assert_string_equal(c.username, "carol");
	bl_credentials_fini(&c);
	/* REGISTRY_AUTH_FILE replaces both */
	char *ra = sub(e, "registry-auth.json");
	write_file(ra, PODMAN_AUTH);
	setenv("REGISTRY_AUTH_FILE", ra, 1);
	lookup_ok("r.example", NULL, NULL, &c);
	assert_string_equal(c.username, "bob");
	bl_credentials_fini(&c);
	/* --authfile wins over everything */
	char *af = sub(e, "authfile.json");
	write_file(af, FILE_AUTH);
	lookup_ok("r.example", NULL, af, &c);
	assert_string_equal(c.username, "carol");
	assert_string_equal(c.password, "pw-file");
	bl_credentials_fini(&c);
	/* an authfile without the host falls through to the docker config */
	lookup_ok("r.example", NULL, "/nonexistent/auth.json", &c);
	assert_string_equal(c.username, "alice");
	bl_credentials_fini(&c);
	unsetenv("REGISTRY_AUTH_FILE");
	unsetenv("XDG_RUNTIME_DIR");
	unsetenv("XDG_CONFIG_HOME");
	free(d);
	free(cfg);
	free(pc);
	free(run);
	free(pr);
	free(ra);
	free(af);
}

static void test_docker_config_env_and_hub_key(void **state)
{
	struct env *e = *state;
	char *dc = sub(e, "dockercfg");
	setenv("DOCKER_CONFIG", dc, 1);
	char *p = sub(e, "dockercfg/config.json");
	write_file(p,
	        "{\"auths\":{\"https://index.docker.io/v1/\":{\"auth\":\"YWxpY2U6cHctZG9ja2Vy\"},"
	        "\"127.0.0.1:5000\":{\"identitytoken\":\"idtok\"},"
	        "\"ghcr.io\":{\"registrytoken\":\"regtok\"}}}");
	struct bl_credentials c;
	lookup_ok("docker.io", "library/alpine", NULL, &c);
	assert_string_equal(c.username, "alice");
	bl_credentials_fini(&c);
	lookup_ok("127.0.0.1:5000", "x", NULL, &c);
	assert_null(c.username);
	assert_string_equal(c.identity_token, "idtok");
	bl_credentials_fini(&c);
	lookup_ok("ghcr.io", "o/r", NULL, &c);
	assert_string_equal(c.registry_token, "regtok");
	bl_credentials_fini(&c);
	/* the port is part of the host */
	lookup_ok("127.0.0.1:5001", "x", NULL, &c);
	assert_true(bl_credentials_is_empty(&c));
	bl_credentials_fini(&c);
	unsetenv("DOCKER_CONFIG");
	free(dc);
	free(p);
}

static void test_namespace_keys_longest_match(void **state)
{
	struct env *e = *state;
	char *af = sub(e, "ns.json");
	/* Y2Fyb2w6cHctZmlsZQ== carol, Ym9iOnB3LXBvZG1hbg== bob, YWxpY2U6cHctZG9ja2Vy alice */
	write_file(af, "{\"auths\":{\"r.example\":{\"auth\":\"Y2Fyb2w6cHctZmlsZQ==\"},"
	               "\"r.example/team\":{\"auth\":\"Ym9iOnB3LXBvZG1hbg==\"},"
	               "\"r.example/team/app\":{\"auth\":\"YWxpY2U6cHctZG9ja2Vy\"}}}");
	struct bl_credentials c;
	lookup_ok("r.example", "team/app", af, &c);
	assert_string_equal(c.username, "alice");
	bl_credentials_fini(&c);
	lookup_ok("r.example", "team/other", af, &c);
	assert_string_equal(c.username, "bob");
	bl_credentials_fini(&c);
	lookup_ok("r.example", "teamx/a", af, &c);
	assert_string_equal(c.username, "carol");
	bl_credentials_fini(&c);
	free(af);
}

static void make_helper(const struct env *e, const char *name, const char *body)
{
	char *p = bl_asprintf("%s/bin/docker-credential-%s", e->dir, name);
	write_file(p, body);
	chmod(p, 0755);
	free(p);
}

static void test_cred_helper_gets_server_url_on_stdin(void **state)
{
	struct env *e = *state;
	/* echoes the server URL it was given as the user name */
	make_helper(e, "echo",
	        "#!/bin/sh\n[ \"$1\" = get ] || exit 3\nread -r url\n"
	        "printf '{\"ServerURL\":\"%s\",\"Username\":\"%s\",\"Secret\":\"hs-secret\"}' "
	        "\"$url\" \"$url\"\n");
	char *af = sub(e, "helpers.json");
	write_file(af, "{\"credHelpers\":{\"r.example\":\"echo\"},\"credsStore\":\"echo\","
	               "\"auths\":{\"r.example\":{\"auth\":\"YWxpY2U6cHctZG9ja2Vy\"}}}");
	struct bl_credentials c;
	lookup_ok("r.example", NULL, af, &c);
	assert_string_equal(c.username, "r.example");
	assert_string_equal(c.password, "hs-secret");
	assert_string_equal(c.source, "docker-credential-echo");
	bl_credentials_fini(&c);
	/* credsStore for other hosts; Docker Hub's server URL */
	lookup_ok("docker.io", "library/x", af, &c);
	assert_string_equal(c.username, "https://index.docker.io/v1/");
	bl_credentials_fini(&c);
	free(af);
}

static void test_cred_helper_token_and_not_found(void **state)
{
	struct env *e = *state;
	make_helper(e, "tok",
	        "#!/bin/sh\nread -r url\nprintf "
	        "'{\"ServerURL\":\"x\",\"Username\":\"<token>\",\"Secret\":\"refresh-1\"}'\n");
	make_helper(e, "none",
	        "#!/bin/sh\nread -r url\necho 'credentials not found in native keychain'\nexit "
	        "1\n");
	struct bl_credentials c;
	struct bl_error err = {0};
	assert_true(bl_credentials_from_helper("tok", "r.example", &c, &err));
	assert_null(c.username);
	assert_string_equal(c.identity_token, "refresh-1");
	bl_credentials_fini(&c);
	assert_true(bl_credentials_from_helper("none", "r.example", &c, &err));
	assert_true(bl_credentials_is_empty(&c));
	bl_credentials_fini(&c);
	/* a helper that knows nothing: the auths entry beside it answers */
	char *af = sub(e, "none.json");
	write_file(af, "{\"credsStore\":\"none\",\"auths\":{\"r.example\":{\"auth\":"
	               "\"YWxpY2U6cHctZG9ja2Vy\"}}}");
	lookup_ok("r.example", NULL, af, &c);
	assert_string_equal(c.username, "alice");
	bl_credentials_fini(&c);
	free(af);
}

static void test_cred_helper_failure_keeps_secrets_out(void **state)
{
	struct env *e = *state;
	make_helper(e, "broken",
	        "#!/bin/sh\necho 'oops leaked-secret-42'\necho 'leaked-secret-42' >&2\nexit 2\n");
	make_helper(e, "garbage", "#!/bin/sh\necho 'not json leaked-secret-42'\n");
	struct bl_credentials c;
	struct bl_error err = {0};
	assert_false(bl_credentials_from_helper("broken", "r.example", &c, &err));
	assert_int_equal(err.code, BL_E_AUTH);
	assert_non_null(strstr(err.msg, "docker-credential-broken"));
	assert_non_null(strstr(err.msg, "exit status 2"));
	assert_null(strstr(err.msg, "leaked-secret-42"));
	assert_false(bl_credentials_from_helper("garbage", "r.example", &c, &err));
	assert_null(strstr(err.msg, "leaked-secret-42"));
	assert_false(bl_credentials_from_helper("absent-helper", "r.example", &c, &err));
	assert_non_null(strstr(err.msg, "not found in PATH"));
	assert_false(bl_credentials_from_helper("../evil", "r.example", &c, &err));
	assert_int_equal(err.code, BL_E_FORMAT);
}

static void test_bad_auth_file_errors_name_file_not_secret(void **state)
{
	struct env *e = *state;
	char *af = sub(e, "bad.json");
	write_file(af, "{\"auths\":{\"r.example\":{\"auth\":\"leaked-secret-42\"");
	struct bl_credentials c;
	struct bl_error err = {0};
	assert_false(bl_credentials_lookup("r.example", NULL, af, &c, &err));
	assert_int_equal(err.code, BL_E_FORMAT);
	assert_non_null(strstr(err.msg, af));
	write_file(af, "{\"auths\":{\"r.example\":{\"auth\":\"!!!leaked-secret-42\"}}}");
	assert_false(bl_credentials_lookup("r.example", NULL, af, &c, &err));
	assert_int_equal(err.code, BL_E_FORMAT);
	assert_non_null(strstr(err.msg, "not base64"));
	assert_null(strstr(err.msg, "leaked-secret-42"));
	/* bm9jb2xvbg== is "nocolon" */
	write_file(af, "{\"auths\":{\"r.example\":{\"auth\":\"bm9jb2xvbg==\"}}}");
	assert_false(bl_credentials_lookup("r.example", NULL, af, &c, &err));
	assert_null(strstr(err.msg, "nocolon"));
	free(af);
}

/* A known password, and the check that no run of 4 or more of its bytes is
 * in a message. */
#define PW "Sup3rS3cret-XyZ"

static void assert_no_password(const char *msg)
{
	const char *pw = PW;
	size_t n = strlen(pw);
	for (size_t i = 0; i + 4 <= n; i++) {
		char part[5];
		memcpy(part, pw + i, 4);
		part[4] = '\0';
		if (strstr(msg, part))
			fail_msg("message quotes \"%s\" of the password: %s", part, msg);
	}
}

/* Write `text` as the auth file, look up r.example: fails with `code`, the
 * message names the file and holds `want`, and none of the password. */
static void expect_bad_file(const char *af, const char *text, enum bl_status code, const char *want)
{
	write_file(af, text);
	struct bl_credentials c;
	struct bl_error err = {0};
	assert_false(bl_credentials_lookup("r.example", NULL, af, &c, &err));
	assert_int_equal(err.code, code);
	if (!strstr(err.msg, af) || !strstr(err.msg, want))
		fail_msg("want \"%s\" and the file in: %s", want, err.msg);
	assert_no_password(err.msg);
}

static void test_bad_auth_file_never_quotes_the_password(void **state)
{
	struct env *e = *state;
	char *af = sub(e, "auth.json");
	/* (a) a bad escape inside the password: jansson would quote it "near" */
	expect_bad_file(af,
	        "{\"auths\":{\"r.example\":{\"username\":\"u\",\"password\":\"" PW "\\q\"}}}",
	        BL_E_FORMAT, "line 1 column 67 (byte 67): invalid escape in a string");
	/* (b) a raw control character */
	expect_bad_file(af,
	        "{\n \"auths\": {\"r.example\": {\"password\": \"Sup3rS3\x01"
	        "cret-XyZ\"}}}",
	        BL_E_FORMAT, "line 2 column 45 (byte 47): control character in a string");
	/* (c) truncated in the middle of the password */
	expect_bad_file(af, "{\"auths\":{\"r.example\":{\"username\":\"u\",\"password\":\"" PW,
	        BL_E_FORMAT, "premature end of input");
	expect_bad_file(af, "{\"auths\":{\"r.example\":{\"username\":\"u\",\"password\":\"" PW,
	        BL_E_FORMAT, "line 1 column ");
	/* (d) wrong types: the path to the member and the types, not the value */
	expect_bad_file(af, "{\"auths\":{\"r.example\":{\"auth\":[\"" PW "\"]}}}", BL_E_FORMAT,
	        "auths[\"r.example\"].auth: expected a string, found an array");
	expect_bad_file(af,
	        "{\"auths\":{\"https://r.example/v1/\":{\"password\":{\"p\":\"" PW "\"}}}}",
	        BL_E_FORMAT,
	        "auths[\"r.example/v1\"].password: expected a string, found an object");
	expect_bad_file(af, "{\"auths\":{\"r.example\":\"" PW "\"}}", BL_E_FORMAT,
	        "auths[\"r.example\"]: expected an object");
	expect_bad_file(af, "{\"auths\":[\"" PW "\"]}", BL_E_FORMAT,
	        "auths: expected an object, found an array");
	expect_bad_file(af, "[\"" PW "\"]", BL_E_FORMAT, "expected a JSON object");
	/* an entry for another registry is not looked at */
	write_file(af, "{\"auths\":{\"other.example\":\"x\",\"r.example\":{\"auth\":null}}}");
	struct bl_credentials c;
	struct bl_error err = {0};
	assert_true(bl_credentials_lookup("r.example", NULL, af, &c, &err));
	assert_true(bl_credentials_is_empty(&c));
	bl_credentials_fini(&c);
	free(af);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	        cmocka_unit_test_setup_teardown(test_docker_config_in_home, setup, teardown),
	        cmocka_unit_test_setup_teardown(
	                test_containers_auth_before_docker_config, setup, teardown),
	        cmocka_unit_test_setup_teardown(
	                test_docker_config_env_and_hub_key, setup, teardown),
	        cmocka_unit_test_setup_teardown(test_namespace_keys_longest_match, setup, teardown),
	        cmocka_unit_test_setup_teardown(
	                test_cred_helper_gets_server_url_on_stdin, setup, teardown),
	        cmocka_unit_test_setup_teardown(
	                test_cred_helper_token_and_not_found, setup, teardown),
	        cmocka_unit_test_setup_teardown(
	                test_cred_helper_failure_keeps_secrets_out, setup, teardown),
	        cmocka_unit_test_setup_teardown(
	                test_bad_auth_file_errors_name_file_not_secret, setup, teardown),
	        cmocka_unit_test_setup_teardown(
	                test_bad_auth_file_never_quotes_the_password, setup, teardown),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
