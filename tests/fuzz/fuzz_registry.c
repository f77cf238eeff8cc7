/* libFuzzer harness for what a registry (or a credentials file) sends us,
 * parsed before anything is trusted: WWW-Authenticate challenges, Link
 * headers, Retry-After values, and auth.json / docker config.json files.
 *
 * The first byte picks the parser; the rest is the input. Invariants checked
 * (abort() on violation, so libFuzzer reports it):
 * - a challenge that parses is "basic" or "bearer", and a bearer one has a realm;
 * - a Link target is a substring of the header, without '>';
 * - Retry-After is -1 (unparsable) or a wait of 0 seconds or more;
 * - a credentials lookup fails with a message or succeeds, and a failure
 *   never carries a credential (errors name the file, never a value). */
#define _GNU_SOURCE 1
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <unistd.h>

#include "bakelens/credentials.h"
#include "bakelens/mem.h"
#include "bakelens/registry.h"

int LLVMFuzzerInitialize(int *argc, char ***argv);
int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerInitialize(int *argc, char ***argv)
{
	(void)argc;
	(void)argv;
	/* A credsStore or credHelpers entry must not run a program. */
	setenv("PATH", "/nonexistent", 1);
	return 0;
}

static void challenge(const char *s)
{
	struct bl_registry_challenge c;
	if (!bl_registry_challenge_parse(s, &c))
		return;
	if (strcmp(c.scheme, "basic") != 0 && strcmp(c.scheme, "bearer") != 0)
		abort();
	if (!strcmp(c.scheme, "bearer") && !c.realm)
		abort();
	bl_registry_challenge_fini(&c);
}

static void link_next(const char *s)
{
	char *next = bl_registry_link_next(s);
	if (!next)
		return;
	if (!strstr(s, next) || strchr(next, '>'))
		abort();
	free(next);
}

static void retry_after(const char *s)
{
	if (bl_registry_retry_after(s, 1700000000LL) < -1)
		abort();
}

static void credentials(const uint8_t *data, size_t size)
{
	int fd = memfd_create("auth.json", 0);
	if (fd < 0)
		return;
	if (write(fd, data, size) != (ssize_t)size) {
		close(fd);
		return;
	}
	char path[64];
	snprintf(path, sizeof path, "/proc/self/fd/%d", fd);
	static const char *const hosts[] = {"docker.io", "127.0.0.1:5000", "ghcr.io"};
	for (size_t i = 0; i < sizeof hosts / sizeof hosts[0]; i++) {
		struct bl_credentials c;
		struct bl_error err = {0};
		if (bl_credentials_lookup(hosts[i], "o/r", path, &c, &err)) {
			bl_credentials_fini(&c);
			continue;
		}
		if (!err.msg[0])
			abort();
	}
	close(fd);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	if (size < 1)
		return 0;
	uint8_t which = data[0] % 4;
	data++;
	size--;
	if (which == 3) {
		credentials(data, size);
		return 0;
	}
	char *s = bl_strndup((const char *)data, size);
	if (which == 0)
		challenge(s);
	else if (which == 1)
		link_next(s);
	else
		retry_after(s);
	free(s);
	return 0;
}
