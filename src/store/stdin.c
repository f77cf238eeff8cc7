/* A tar read once from a file descriptor (standard input, a pipe): every
 * member is hashed while it streams by; small JSON-looking members are kept
 * (internal.h: at most 4 MiB each, 64 MiB in all); layers are never stored,
 * so reading them later fails with BL_E_UNSUPPORTED. A tap in the options
 * (store.h) reads each member while it passes: that is how layers of a pipe
 * are listed. */
#include <stdlib.h>
#include <string.h>

#include "bakelens/mem.h"
#include "bakelens/text.h"
#include "internal.h"

bool bl_store_stream_open(int fd, const char *name, const struct bl_source_opts *opts,
        struct bl_store **out, struct bl_error *err)
{
	*out = NULL;
	const char *shown = name && strcmp(name, "-") != 0 ? name : "standard input";
	char *safe = bl_text_safe(shown);
	struct bl_tarix ix;
	bl_tarix_init(&ix);
	struct bl_tarix_opts o = {
	        .mode = BL_TARIX_STREAM,
	        .what = safe,
	        .progress = opts ? opts->progress : NULL,
	        .progress_ud = opts ? opts->progress_ud : NULL,
	        .tap = opts ? opts->tap : NULL,
	};
	bool ok = bl_tarix_build_fd(&ix, fd, &o, err);
	if (ok)
		ok = bl_tar_store_new(&ix, -1, NULL, BL_TAR_ONCE, name ? name : "-", out, err);
	bl_tarix_fini(&ix);
	free(safe);
	return ok;
}
