/* The layer TOC parsers (layertoc_parse.c) on hostile bytes: the first byte
 * picks one, the rest is its input:
 *   0 eStargz footer   1 zstd:chunked footer   2 manifest-position annotation
 *   3 eStargz TOC member (gzip'd tar)   4 zstd frame
 *   5 eStargz TOC JSON   6 zstd:chunked TOC JSON
 * Parsed TOCs are checked for what bl_layertoc_cat relies on: every chunk
 * inside [0, payload_end), ending after it starts, inside its file. */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "bakelens/layertoc.h"
#include "bakelens/mem.h"

#define PAYLOAD_END ((uint64_t)1 << 40)

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static void check_toc(const struct bl_layertoc *t)
{
	for (size_t i = 0; i < t->len; i++) {
		const struct bl_layertoc_entry *e = &t->entries[i];
		if (!e->file.path || !*e->file.path)
			abort();
		if (e->nchunks && (e->first_chunk + e->nchunks > t->nchunks ||
		                          e->file.type != BL_FILE_REGULAR))
			abort();
		for (size_t k = 0; k < e->nchunks; k++) {
			const struct bl_layertoc_chunk *c = &t->chunks[e->first_chunk + k];
			if (c->end <= c->offset || c->end > t->payload_end)
				abort();
			if (c->file_offset + c->size > (uint64_t)e->file.size)
				abort();
		}
	}
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	if (size < 1)
		return 0;
	unsigned pick = data[0] % 7;
	data++;
	size--;
	struct bl_error err = {0};
	struct bl_buf out;
	bl_buf_init(&out);
	switch (pick) {
	case 0: {
		uint64_t off;
		size_t fl;
		if (bl_layertoc_estargz_footer(data, size, &off, &fl, &err) &&
		        fl != BL_LAYERTOC_ESTARGZ_FOOTER && fl != BL_LAYERTOC_ESTARGZ_FOOTER_LEGACY)
			abort();
		break;
	}
	case 1: {
		struct bl_layertoc_pos pos;
		bl_layertoc_zstd_footer(data, size, &pos, &err);
		break;
	}
	case 2: {
		char *s = bl_strndup((const char *)data, size);
		struct bl_layertoc_pos pos;
		bl_layertoc_zstd_position(s, &pos, &err);
		free(s);
		break;
	}
	case 3:
		bl_layertoc_estargz_json(data, size, &out, &err);
		break;
	case 4:
		if (bl_layertoc_zstd_decompress(data, size, 1u << 20, &out, &err) &&
		        out.len > (1u << 20))
			abort();
		break;
	default: {
		struct bl_layertoc t;
		bl_layertoc_init(&t);
		if (bl_layertoc_parse(pick == 5 ? BL_LAYERTOC_ESTARGZ : BL_LAYERTOC_ZSTD_CHUNKED,
		            data, size, PAYLOAD_END, &t, &err))
			check_toc(&t);
		bl_layertoc_fini(&t);
		break;
	}
	}
	bl_buf_fini(&out);
	return 0;
}
