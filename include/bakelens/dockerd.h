/* The Docker daemon store: `docker-daemon:NAME[:TAG|@DIGEST]` read through
 * the Engine API (Docker, or podman's Docker-compatible service) on a unix
 * socket, with libcurl.
 *
 * Opening asks `GET /images/NAME/json` once: the image's ID, tags, repo
 * digests, platform and layer diff_ids. Those are the daemon's claims. The
 * store shows them at once as one root, a v2s2 manifest bakelens makes
 * (synthesised) naming the ID as the config digest and the diff_ids as
 * uncompressed layers; or, when the daemon names the image's real target
 * descriptor (Docker's containerd image store), that descriptor. Bytes of
 * anything else (the config, a real manifest) come from `GET
 * /images/NAME/get`, a docker save stream read once through the stream
 * store's bounded-memory path: members hashed as they pass, small JSON kept.
 * So the config is verified against the ID, every layer against its diff_id,
 * and nothing is buffered whole. A layer's bytes (ls, cat) are a second pass
 * over a new save stream, up to that member. With opts->offline the save is never
 * read: reads other than the root fail with BL_E_NET (the tree shows the
 * claims at once).
 *
 * The socket: DOCKER_HOST when it is `unix://PATH`, else
 * /var/run/docker.sock; any other DOCKER_HOST scheme fails with
 * BL_E_UNSUPPORTED. One thread at a time, like every store.
 */
#ifndef BL_DOCKERD_H
#define BL_DOCKERD_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "bakelens/descriptor.h"
#include "bakelens/digest.h"
#include "bakelens/error.h"
#include "bakelens/store.h"
#include "bakelens/vec.h"

/* Open `arg` ("docker-daemon:NAME[:TAG|@DIGEST]", or an image ID) and ask the
 * daemon for the image's JSON. Fails with
 * - BL_E_USAGE: no name, or a name with characters no image name has;
 * - BL_E_UNSUPPORTED: DOCKER_HOST is not unix://;
 * - BL_E_IO: no socket there, or nothing listening (the daemon is not
 *   running), or the daemon answered 5xx (its message, escaped);
 * - BL_E_AUTH: the socket refuses us (the message names its group);
 * - BL_E_NOT_FOUND: no such image (the message lists close names);
 * - BL_E_FORMAT: the answer is not the image JSON of the Engine API.
 * `opts` may be NULL (connect_timeout_ms, low_speed_time_s, progress used). */
bool bl_store_dockerd_open(const char *arg, const struct bl_source_opts *opts,
        struct bl_store **out, struct bl_error *err);

/* ---- Pure parsers of Engine API answers, public so they can be tested ---- */

/* What GET /images/NAME/json says. */
struct bl_dockerd_image {
	struct bl_digest id;      /* "Id" */
	struct bl_vec tags;       /* char *: "RepoTags" */
	struct bl_vec digests;    /* char *: "RepoDigests" (repo@sha256:...) */
	struct bl_digest *layers; /* "RootFS.Layers": diff_ids, in order */
	size_t nlayers;
	char *os, *arch, *variant; /* NULL when absent */
	int64_t size;              /* "Size", -1 when absent */
	/* "Descriptor" (Docker's containerd image store, API >= 1.48): the
	 * image's target (an index or manifest); has_target false otherwise. */
	bool has_target;
	struct bl_descriptor target;
};

void bl_dockerd_image_init(struct bl_dockerd_image *im);
void bl_dockerd_image_fini(struct bl_dockerd_image *im);
/* Parse the image JSON into `im` (initialised by the caller; filled only on
 * success). Fails with BL_E_FORMAT (saying which field) when it is not JSON,
 * has no valid "Id", or a RootFS layer is not a digest; BL_E_TOO_BIG over
 * 16 MiB or 100000 layers. Unknown fields are ignored. */
bool bl_dockerd_parse_image(
        const void *data, size_t len, struct bl_dockerd_image *im, struct bl_error *err);

/* The "message" of an Engine API error body, escaped for a terminal and cut
 * at 300 bytes (caller owns); NULL when the body holds none. */
char *bl_dockerd_error_message(const void *data, size_t len);

/* From a GET /images/json answer, up to `max` RepoTags close to `want`
 * (char *, appended to `names`, which owns them): the same repository with
 * another tag, a name that contains `want` or is contained in it, or a name
 * a few edits away; closest first. Nothing appended for an answer that is
 * not a list of images. */
void bl_dockerd_close_names(
        const void *data, size_t len, const char *want, size_t max, struct bl_vec *names);

#endif
