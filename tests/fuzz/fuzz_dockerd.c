/* libFuzzer harness for the Engine API answers the Docker daemon store
 * parses (dockerd.h): the image JSON, error bodies and the image list that
 * close names come from.
 *
 * The first byte picks the parser; the rest is the input. Invariants checked
 * (abort() on violation, so libFuzzer reports it):
 * - an image that fails says why; one that parses has a valid Id, and every
 *   layer is a valid digest;
 * - an error message has no control character and is at most 300 bytes
 *   before escaping (4 bytes each after);
 * - close names are at most the number asked for, each non-empty and a
 *   string of the list. */
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "bakelens/dockerd.h"
#include "bakelens/mem.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static void image(const uint8_t *data, size_t size)
{
	struct bl_dockerd_image im;
	bl_dockerd_image_init(&im);
	struct bl_error err = {0};
	if (!bl_dockerd_parse_image(data, size, &im, &err)) {
		if (!err.msg[0])
			abort();
		bl_dockerd_image_fini(&im);
		return;
	}
	if (!bl_digest_is_valid(im.id.str))
		abort();
	for (size_t i = 0; i < im.nlayers; i++)
		if (!bl_digest_is_valid(im.layers[i].str))
			abort();
	if (im.has_target && !bl_digest_is_set(&im.target.digest))
		abort();
	bl_dockerd_image_fini(&im);
}

static void message(const uint8_t *data, size_t size)
{
	char *m = bl_dockerd_error_message(data, size);
	if (!m)
		return;
	if (strlen(m) > 300 * 4)
		abort();
	for (const char *p = m; *p; p++)
		if ((unsigned char)*p < 0x20 || *p == 0x7f)
			abort();
	free(m);
}

static void close_names(const uint8_t *data, size_t size)
{
	if (size < 1)
		return;
	size_t wl = data[0] % 32;
	if (wl + 1 > size)
		return;
	char *want = bl_strndup((const char *)data + 1, wl);
	struct bl_vec v;
	bl_vec_init(&v, free);
	bl_dockerd_close_names(data + 1 + wl, size - 1 - wl, want, 3, &v);
	if (v.len > 3)
		abort();
	for (size_t i = 0; i < v.len; i++) {
		const char *n = bl_vec_get(&v, i);
		if (!n || !*n)
			abort();
	}
	bl_vec_fini(&v);
	free(want);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	if (size < 1)
		return 0;
	switch (data[0] % 3) {
	case 0:
		image(data + 1, size - 1);
		break;
	case 1:
		message(data + 1, size - 1);
		break;
	default:
		close_names(data + 1, size - 1);
	}
	return 0;
}
