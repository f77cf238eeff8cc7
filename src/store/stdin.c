/* A tar read once from a file descriptor (standard input, a pipe) or from a
 * reader already opened on a stream (the Docker daemon's save stream): every
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

/* One pass over the reader `a` when given, else over `fd`, then the store. */
static bool stream_store(struct archive *a, int fd, const char *what, const char *source,
        const struct bl_source_opts *opts, struct bl_store **out, struct bl_error *err)
{
	*out = NULL;
	struct bl_tarix ix;
	bl_tarix_init(&ix);
	struct bl_tarix_opts o = {
	        .mode = BL_TARIX_STREAM,
	        .what = what,
	        .progress = opts ? opts->progress : NULL,
	        .progress_ud = opts ? opts->progress_ud : NULL,
	        .tap = opts ? opts->tap : NULL,
	};
	bool ok = a ? bl_tarix_build(&ix, a, &o, err) : bl_tarix_build_fd(&ix, fd, &o, err);
	if (ok)
		ok = bl_tar_store_new(&ix, -1, NULL, BL_TAR_ONCE, source, out, err);
	bl_tarix_fini(&ix);
	return ok;
}

bool bl_store_stream_read(struct archive *a, const char *what, const char *source,
        const struct bl_source_opts *opts, struct bl_store **out, struct bl_error *err)
{
	return stream_store(a, -1, what, source, opts, out, err);
}

bool bl_store_stream_open(int fd, const char *name, const struct bl_source_opts *opts,
        struct bl_store **out, struct bl_error *err)
{
	const char *shown = name && strcmp(name, "-") != 0 ? name : "standard input";
	char *safe = bl_text_safe(shown);
	bool ok = stream_store(NULL, fd, safe, name ? name : "-", opts, out, err);
	free(safe);
	return ok;
}
