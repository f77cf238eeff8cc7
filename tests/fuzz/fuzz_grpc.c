/* libFuzzer harness for what a containerd or BuildKit daemon sends back:
 * the gRPC framing (the reader fed in chunks of a size the input picks, with
 * a small cap), each message decoded as every response the store reads
 * (ReadContentResponse, InfoResponse, GetImageResponse, ListImagesResponse,
 * ListNamespacesResponse), the header and trailer lines (status, message,
 * content type), and the close names of a missing image over the decoded
 * names.
 *
 * Input: byte 0 the chunk size (1 + its value), then the bytes of the
 * stream; lines after a "\n--\n" are header lines. Invariants (abort() on
 * violation): no message over the cap reaches the callback; a failure says
 * why; the bytes delivered plus the partial message account for every byte
 * fed before a failure; a decoded grpc-message holds no control byte; a
 * status code is -1 or 0..9999. */
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "../../src/store/grpc_internal.h"
#include "bakelens/mem.h"
#include "bakelens/vec.h"
#include "containerd.pb-c.h"
#include "fuzz_common.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

enum { CAP = 1 << 16 };

struct seen {
	uint64_t bytes; /* prefixes and messages delivered */
	struct bl_vec names;
};

static bool on_message(void *ud, const uint8_t *msg, size_t len, struct bl_error *err)
{
	struct seen *s = ud;
	(void)err;
	if (len > CAP)
		abort();
	s->bytes += 5 + len;
	Blctrd__ReadContentResponse *rd = blctrd__read_content_response__unpack(NULL, len, msg);
	if (rd && rd->data.len && !rd->data.data)
		abort();
	blctrd__read_content_response__free_unpacked(rd, NULL);
	Blctrd__InfoResponse *info = blctrd__info_response__unpack(NULL, len, msg);
	blctrd__info_response__free_unpacked(info, NULL);
	Blctrd__GetImageResponse *img = blctrd__get_image_response__unpack(NULL, len, msg);
	if (img && img->image && img->image->name && s->names.len < 64)
		bl_vec_push_take(&s->names, bl_strdup(img->image->name));
	blctrd__get_image_response__free_unpacked(img, NULL);
	Blctrd__ListImagesResponse *list = blctrd__list_images_response__unpack(NULL, len, msg);
	for (size_t i = 0; list && i < list->n_images && s->names.len < 64; i++)
		if (list->images[i]->name)
			bl_vec_push_take(&s->names, bl_strdup(list->images[i]->name));
	blctrd__list_images_response__free_unpacked(list, NULL);
	Blctrd__ListNamespacesResponse *ns =
	        blctrd__list_namespaces_response__unpack(NULL, len, msg);
	blctrd__list_namespaces_response__free_unpacked(ns, NULL);
	return true;
}

static void headers(const uint8_t *data, size_t size)
{
	struct bl_grpc_status st;
	bl_grpc_status_init(&st);
	const uint8_t *p = data, *end = data + size;
	while (p < end) {
		const uint8_t *nl = memchr(p, '\n', (size_t)(end - p));
		size_t n = nl ? (size_t)(nl - p) + 1 : (size_t)(end - p);
		bl_grpc_status_header(&st, (const char *)p, n);
		p += n;
	}
	if (st.code < -1 || st.code > 9999)
		abort();
	for (const char *m = st.message; m && *m; m++)
		if ((unsigned char)*m < 0x20 || *m == 0x7f)
			abort();
	bl_grpc_status_fini(&st);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	if (size < 1)
		return 0;
	size_t chunk = 1 + data[0];
	struct fuzz_part parts[2];
	size_t n = fuzz_split_on(data + 1, size - 1, "\n--\n", 4, parts, 2);
	struct seen s = {0};
	bl_vec_init(&s.names, free);
	struct bl_grpc_reader r;
	bl_grpc_reader_init(&r, CAP);
	struct bl_error err = {0};
	uint64_t fed = 0;
	bool ok = true;
	for (size_t off = 0; ok && off < parts[0].len; off += chunk) {
		size_t k = parts[0].len - off < chunk ? parts[0].len - off : chunk;
		ok = bl_grpc_reader_feed(&r, parts[0].data + off, k, on_message, &s, &err);
		fed += k;
	}
	if (!ok && !err.msg[0])
		abort();
	if (ok && s.bytes + (r.head_len < 5 ? r.head_len : 5 + r.msg.len) != fed)
		abort();
	bl_grpc_reader_fini(&r);
	if (n > 1)
		headers(parts[1].data, parts[1].len);
	if (s.names.len) {
		bool near;
		char *close = ctrd_close_names((const char *const *)s.names.items, s.names.len,
		        bl_vec_get(&s.names, 0), 5, &near);
		if (!near) /* the first name is always close to itself */
			abort();
		free(close);
	}
	bl_vec_fini(&s.names);
	return 0;
}
