/* Feed bytes as an image tar through the tar indexer and classifier, from a
 * file (seeking or re-streaming when compressed) and from a pipe-like fd
 * (read once), then read every root and blob it names. Must never crash. */
#define _GNU_SOURCE 1
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <unistd.h>

#include "bakelens/store.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static void exercise(struct bl_store *s)
{
	struct bl_vec roots;
	bl_vec_init(&roots, bl_store_root_free);
	struct bl_error err;
	if (bl_store_roots(s, &roots, &err)) {
		for (size_t i = 0; i < roots.len; i++) {
			struct bl_store_root *r = roots.items[i];
			struct bl_buf b;
			bl_buf_init(&b);
			bl_store_stat(s, &r->desc.digest, NULL);
			bl_store_read_blob(s, &r->desc, 1 << 20, &b, &err);
			bl_buf_fini(&b);
			struct bl_stream *st = NULL;
			if (bl_store_open_blob(s, &r->desc, &st, &err)) {
				char buf[4096];
				while (st->read(st, buf, sizeof(buf), &err) > 0)
					;
				st->close(st);
			}
		}
	}
	bl_vec_fini(&roots);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	int fd = memfd_create("fuzz-tar", 0);
	if (fd < 0)
		return 0;
	if (size && write(fd, data, size) != (ssize_t)size) {
		close(fd);
		return 0;
	}
	char path[64];
	snprintf(path, sizeof(path), "/proc/self/fd/%d", fd);
	struct bl_store *s = NULL;
	struct bl_error err;
	if (bl_store_tar_open(path, NULL, &s, &err)) {
		exercise(s);
		bl_store_free(s);
	}
	lseek(fd, 0, SEEK_SET);
	struct bl_source_opts o = {.stdin_fd = fd};
	if (bl_store_stream_open(fd, "-", &o, &s, &err)) {
		exercise(s);
		bl_store_free(s);
	}
	close(fd);
	return 0;
}
