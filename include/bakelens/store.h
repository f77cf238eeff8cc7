/* Content-addressed, verified blob access.
 *
 * A store answers one question: "give me the bytes of this descriptor,
 * verified". Every source kind (OCI layout directory, tarball, docker save,
 * standard input, registry) implements `struct bl_store_ops`; callers use the
 * bl_store_* functions, which verify size and digest on top of the raw ops.
 *
 * A store may be used from one thread at a time.
 */
#ifndef BL_STORE_H
#define BL_STORE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <sys/types.h>

#include "bakelens/buf.h"
#include "bakelens/descriptor.h"
#include "bakelens/digest.h"
#include "bakelens/error.h"
#include "bakelens/vec.h"

/* A named entry of a store: an index.json entry, a docker save image. */
struct bl_store_root {
	char *name; /* tag or reference ("latest", "docker.io/library/x:1"); NULL when untagged */
	struct bl_descriptor desc;
	bool synthesised; /* desc points at a manifest the store made (legacy docker save) */
	char *note;       /* why or how it was made, shown to users; NULL */
};

void bl_store_root_free(void *root); /* a bl_free_fn for vectors of roots */

enum bl_blob_state {
	BL_BLOB_MISSING = 0,
	BL_BLOB_PRESENT,  /* there, not yet hashed */
	BL_BLOB_VERIFIED, /* hashed and equal to its digest (stream stores hash everything) */
	BL_BLOB_MISMATCH, /* hashed and different */
};

/* A verified stream of a large blob (layers). read returns bytes read, 0 at
 * the end, -1 on error. When the end is reached the digest and size are
 * checked, and a mismatch is an error from that last read. */
struct bl_stream {
	ssize_t (*read)(struct bl_stream *s, void *buf, size_t n, struct bl_error *err);
	void (*close)(struct bl_stream *s); /* frees */
};

struct bl_store;

/* Rate-limit headers (Docker Hub style) from a store's last answer that had them. */
struct bl_store_ratelimit {
	bool present;
	char limit[64]; /* "100;w=21600", as sent */
	char remaining[64];
};

/* Progress of slow work (indexing a big tar, fetching). Return false to cancel:
 * the work then fails with BL_E_CANCELLED. `total` 0 when unknown. */
typedef bool (*bl_progress_fn)(void *ud, const char *what, uint64_t done, uint64_t total);

/* Where a daemon's store (docker-daemon:, containerd:, buildkit:) reads
 * from. Every string is borrowed from the store, as the store has it
 * (unescaped). */
struct bl_store_daemon {
	const char *socket; /* the unix socket's path; NULL when a connect command reaches it */
	const char *ns;     /* containerd's namespace; NULL for BuildKit and Docker */
	const char *image; /* the image as the daemon names it (docker-daemon:'s NAME[:TAG|@DIGEST],
	                      containerd's full image name); NULL when given by digest only */
};

struct bl_store_ops {
	const char *kind; /* "oci-dir", "content", "oci-archive", "docker-archive", "stdin",
	                     "registry", "docker-daemon" */
	/* Append struct bl_store_root * to roots (the vector owns them). */
	bool (*list_roots)(struct bl_store *s, struct bl_vec *roots, struct bl_error *err);
	/* Cheap presence check; *size gets the stored size when known (else -1). */
	enum bl_blob_state (*stat_blob)(
	        struct bl_store *s, const struct bl_digest *d, int64_t *size);
	/* The raw bytes, unverified, failing with BL_E_TOO_BIG over max and
	 * BL_E_NOT_FOUND when absent. */
	bool (*read_raw)(struct bl_store *s, const struct bl_digest *d, size_t max,
	        struct bl_buf *out, struct bl_error *err);
	/* A stream of the raw bytes, unverified. */
	bool (*open_raw)(struct bl_store *s, const struct bl_digest *d, struct bl_stream **out,
	        struct bl_error *err);
	void (*destroy)(struct bl_store *s);

	/* Optional: NULL (false) when the store has no such thing. */
	/* Its blobs live elsewhere: stat_blob answers PRESENT for a digest it has
	 * not seen (the read finds out), so local stores are asked first. */
	bool remote;
	/* Append struct bl_descriptor * (see bl_descriptor_free) of the manifests
	 * whose subject is `subject`; none is not an error. */
	bool (*referrers)(struct bl_store *s, const struct bl_digest *subject, struct bl_vec *descs,
	        struct bl_error *err);
	/* Fetch small documents ahead of their reads; failures of single
	 * documents are left to the reads, false only for a cancel. */
	bool (*prefetch)(struct bl_store *s, const struct bl_digest *const *digests, size_t n,
	        struct bl_error *err);
	/* Append every tag (char *) of the store's repository. */
	bool (*list_tags)(struct bl_store *s, struct bl_vec *tags, struct bl_error *err);
	/* The last rate-limit headers seen, or NULL. */
	const struct bl_store_ratelimit *(*ratelimit)(const struct bl_store *s);
	/* Why a blob may be absent from this kind of store and that it is fine
	 * (a builder's store lacks layers it never pulled), shown with missing
	 * blobs; NULL. */
	const char *missing_note;
	/* `len` bytes at `offset` of the raw blob into buf (exactly len, or
	 * fail), unverified: a seek on a local file, an HTTP Range request.
	 * BL_E_UNSUPPORTED when this blob cannot be read by parts (a member of
	 * a compressed tar; a registry that answered the whole blob). */
	bool (*read_range)(struct bl_store *s, const struct bl_digest *d, uint64_t offset,
	        size_t len, void *buf, struct bl_error *err);
	/* A daemon's store: where the daemon is, for commands a user runs by
	 * hand (bl_store_daemon_where). */
	bool (*daemon_where)(const struct bl_store *s, struct bl_store_daemon *out);
};

struct bl_store {
	const struct bl_store_ops *ops;
	char *source;   /* as the user named it, for messages: "oci:out/", "image.tar", "-" */
	char *ref;      /* the ":REF" selector, or NULL: list_roots keeps matching roots only */
	char *describe; /* one line for users: "OCI layout directory", "docker save (legacy) tar,
	                   gzip-compressed, streamed" */
};

/* How deep a load (bl_build_load, model.h) reads from a registry; local
 * sources are read whole (no request to spare), and stores ignore it. */
enum bl_load_depth {
	BL_LOAD_ALL = 0, /* every document: indexes, manifests, configs, attestations */
	/* The target's root document and the indexes under it only: the image
	 * manifests an index lists are named (their digests are in the verified
	 * index) but not read, nor what a manifest names; except that a root
	 * manifest's config is read when `platform` is set (its platform is
	 * checked against it). */
	BL_LOAD_INDEXES,
	/* Indexes, image manifests (of `platform` when set) and their configs;
	 * no attestation manifests, no in-toto statements. */
	BL_LOAD_CONFIGS,
};

/* A reader of the members of a tar read once (standard input, a pipe),
 * called while they pass: the way to learn more of a layer than its digest
 * without keeping its bytes. */
struct bl_store_tap {
	/* Called as each regular member's data starts; `data` streams its bytes
	 * (reading it hashes them too; it is only valid during the call and
	 * must not be closed). The tap reads as much as it wants; the rest is
	 * read after. A failure of `data` is the pass's (it fails); a tap that
	 * fails otherwise keeps its own error. Returns a token for `done`, or
	 * NULL when it keeps nothing of this member. */
	void *(*member)(void *ud, const char *name, int64_t size, struct bl_stream *data);
	/* The member `token` came from hashed to `d`; NULL when the pass failed
	 * on that member. Called once per token. */
	void (*done)(void *ud, void *token, const struct bl_digest *d);
	void *ud;
};

/* How sources are opened and read, one set for every kind of source: given
 * to bl_store_open, bl_store_registry_open (registry.h) and bl_build_load
 * (model.h), filled by the front ends from the command line. All zero (or a
 * NULL pointer to it) is the default everywhere. Strings and the insecure
 * list are borrowed: they must outlive the stores opened with them. */
struct bl_source_opts {
	/* Called while reading (archives, registries); returning false cancels
	 * (BL_E_CANCELLED). May be NULL. */
	bl_progress_fn progress;
	void *progress_ud;
	int stdin_fd;                   /* fd for "-" (tests); 0 normally */
	const struct bl_store_tap *tap; /* shown the members of a tar read once; NULL */
	/* Registries (registry references and metadata targets fetched from them): */
	bool offline;  /* no network at all: only what is cached (docker-daemon: no save stream) */
	bool no_cache; /* neither read nor write the on-disk cache */
	/* host[:port] names (as in the reference) spoken to over plain HTTP or
	 * TLS without verification; NULL-terminated, may be NULL. */
	const char *const *insecure;
	const char *cacert;      /* PEM bundle used instead of the system CAs; NULL */
	const char *authfile;    /* --authfile: replaces the containers auth.json lookup; NULL */
	const char *cache_dir;   /* instead of $XDG_CACHE_HOME/bakelens; NULL */
	long connect_timeout_ms; /* 0: 10 s */
	long low_speed_time_s;   /* a transfer below 1 byte/s for this long fails; 0: 30 s */
	long retry_after_cap_s;  /* longest Retry-After honoured; 0: 30 s */
	/* What a command needs of a load (bl_build_load; stores ignore these):
	 * all zero reads everything, as the explorer, `tree` and `inspect` do. */
	bool no_referrers;        /* never ask a registry for referrers */
	enum bl_load_depth depth; /* BL_LOAD_ALL, or stop early (see above) */
	/* With a depth: the image manifests of other platforms ("os/arch[/variant]",
	 * as --platform) below an index are not read; NULL reads them all. */
	const char *platform;
	/* containerd and BuildKit (containerd:, buildkit:): the daemon's socket
	 * ("unix:///run/x.sock" or a path) instead of the environment's and the
	 * default; or a command whose stdin and stdout reach it (run with
	 * /bin/sh -c), instead of any socket. NULL: not given. */
	const char *containerd_address;
	const char *connect_cmd;
};

/* Open a source: "DIR", "oci:DIR[:REF]", "content:DIR[@DIGEST]", "FILE",
 * "containerd:[NS/]NAME[@DIGEST]", "buildkit:[DIGEST]" (a daemon's API),
 * "docker-daemon:NAME[:TAG|@DIGEST]" (the Docker daemon, dockerd.h),
 * "oci-archive:FILE[:REF]", "docker-archive:FILE[:REF]", "-", or a registry
 * reference: "docker://REF", or a bare REF ("alpine", "ghcr.io/o/r:tag",
 * "host:5000/r@sha256:...") when no file or directory of that name exists and
 * the argument does not look like a path (starts with '.' or '/' and holds a
 * '/', or ends in .tar, .json, .gz, .tgz, .xz, .zst, .bz2, .dockerbuild: those
 * fail with BL_E_IO "no such file or directory"). A directory with neither
 * index.json nor oci-layout in which bl_store_content_find finds a store is a
 * content store, and "DIR@DIGEST" names its root. Opening a registry
 * reference does no network traffic.
 * Fails with BL_E_NOT_FOUND when nothing is there, BL_E_FORMAT when it is not
 * a layout or image tar (the message names the source and what was expected). */
bool bl_store_open(const char *arg, const struct bl_source_opts *opts, struct bl_store **out,
        struct bl_error *err);
void bl_store_free(struct bl_store *s);

/* Roots, filtered by the store's REF selector when one was given (a selector
 * that matches nothing fails with BL_E_NOT_FOUND). */
bool bl_store_roots(struct bl_store *s, struct bl_vec *roots, struct bl_error *err);
enum bl_blob_state bl_store_stat(struct bl_store *s, const struct bl_digest *d, int64_t *size);
/* The bytes of `desc`, checked: size equal to desc->size when that is >= 0,
 * sha of the bytes equal to desc->digest. BL_E_NOT_FOUND when absent,
 * BL_E_DIGEST on a mismatch, BL_E_TOO_BIG over max. */
bool bl_store_read_blob(struct bl_store *s, const struct bl_descriptor *desc, size_t max,
        struct bl_buf *out, struct bl_error *err);
/* A stream that checks size and digest at its end. */
bool bl_store_open_blob(struct bl_store *s, const struct bl_descriptor *desc,
        struct bl_stream **out, struct bl_error *err);

/* The optional operations. */
/* True when the store's blobs are elsewhere (a registry): its stat guesses. */
bool bl_store_is_remote(const struct bl_store *s);
/* Manifests that name `subject` as their subject, appended to `descs` as
 * struct bl_descriptor * (give the vector bl_descriptor_free). BL_E_UNSUPPORTED
 * when the store cannot list referrers. */
bool bl_store_referrers(struct bl_store *s, const struct bl_digest *subject, struct bl_vec *descs,
        struct bl_error *err);
/* Fetch small documents (manifests, configs) ahead, so that later reads need
 * no round trip. A store without the operation does nothing and succeeds;
 * false only when cancelled (BL_E_CANCELLED). */
bool bl_store_prefetch(
        struct bl_store *s, const struct bl_digest *const *digests, size_t n, struct bl_error *err);
/* All tags of the store's repository (char *, the vector owns them: use
 * free). BL_E_UNSUPPORTED when the store has no tags (not a registry). */
bool bl_store_list_tags(struct bl_store *s, struct bl_vec *tags, struct bl_error *err);
/* Rate-limit headers from the store's last answer that had them; NULL when
 * the store has none to report. */
const struct bl_store_ratelimit *bl_store_ratelimit(const struct bl_store *s);
/* True with *out filled when `s` reads from a daemon (docker-daemon:,
 * containerd:, buildkit:); false, *out zeroed, for every other store. */
bool bl_store_daemon_where(const struct bl_store *s, struct bl_store_daemon *out);

/* `len` bytes of `desc` from `offset` into buf, read alone (a seek, one
 * HTTP Range request), never the whole blob. The bytes CANNOT be checked
 * against desc's digest: the caller verifies them another way (a digest it
 * trusts for that part, such as a layer's TOC digest annotation). Fails with
 * BL_E_UNSUPPORTED when the store cannot read parts of this blob (no such
 * operation, a compressed tar, standard input, a registry that ignores
 * Range: the caller falls back to bl_store_open_blob), BL_E_FORMAT when the
 * range passes desc->size (when known), else as the store's reads do. */
bool bl_store_read_range(struct bl_store *s, const struct bl_descriptor *desc, uint64_t offset,
        size_t len, void *buf, struct bl_error *err);

/* Wrap a raw stream so that it verifies `desc` at the end (takes `raw`). */
struct bl_stream *bl_stream_verify_take(struct bl_stream *raw, const struct bl_descriptor *desc);
/* A stream over a file descriptor range (takes nothing: the fd stays open). */
struct bl_stream *bl_stream_fd_range(int fd, off_t offset, int64_t len);
struct bl_stream *bl_stream_memory(const void *data, size_t len); /* copies */

/* Constructors used by bl_store_open (and tests). */
bool bl_store_ocidir_open(const char *dir, struct bl_store **out, struct bl_error *err);
/* The content store directory of `dir` (caller frees), NULL when none: `dir`
 * itself when it holds blobs/sha256/, else the store inside a builder's root
 * given instead (containerd: io.containerd.content.v1.content, BuildKit:
 * runc-overlayfs/content, Docker: containerd/daemon/io.containerd.content.v1.content). */
char *bl_store_content_find(const char *dir);
/* A content store (blobs/sha256/<hex>, no index.json) found in `dir` as
 * above. `root` NULL: no roots (listing them fails with BL_E_USAGE "no root";
 * a metadata file's targets are found by digest); else that blob is read,
 * hashed (BL_E_NOT_FOUND when absent, BL_E_DIGEST when its bytes differ) and
 * must be an index or manifest (BL_E_FORMAT), and is the one root. BL_E_IO
 * when `dir` is missing or unreadable, BL_E_FORMAT when it holds no store. */
bool bl_store_content_open(
        const char *dir, const struct bl_digest *root, struct bl_store **out, struct bl_error *err);
/* A containerd or BuildKit daemon over its gRPC API. `arg` is the whole
 * source: "containerd:[NAMESPACE/][NAME][@DIGEST]" (NAMESPACE: a first path
 * component with no '.' or ':' that is not "localhost"; else
 * $CONTAINERD_NAMESPACE, else "default") or "buildkit:[@][DIGEST]". The
 * roots: the image NAME (the Images service; a short name is also tried
 * normalised, "alpine" -> "docker.io/library/alpine:latest"), which must
 * point at DIGEST when both are given; or DIGEST alone, read, hashed and
 * sniffed as bl_store_content_open does; or none (a metadata file's targets
 * are found by digest). Blobs come from the Content service (Info, Read),
 * streamed and never cached. The socket is opts->containerd_address, else
 * $CONTAINERD_ADDRESS (containerd:) or $BUILDKIT_HOST (buildkit:), else
 * /run/containerd/containerd.sock or /run/buildkit/buildkitd.sock;
 * opts->connect_cmd replaces the socket. Fails with BL_E_USAGE on a bad
 * source or address, BL_E_UNSUPPORTED on an address that is not unix://,
 * BL_E_IO when the daemon cannot be reached, BL_E_AUTH when the socket may
 * not be opened, BL_E_FORMAT when it does not speak gRPC, BL_E_NOT_FOUND for an unknown namespace
 * or image (the message lists the namespaces or close names), as bl_store_content_open for DIGEST.
 */
bool bl_store_containerd_open(const char *arg, const struct bl_source_opts *opts,
        struct bl_store **out, struct bl_error *err);
bool bl_store_tar_open(const char *path, const struct bl_source_opts *opts, struct bl_store **out,
        struct bl_error *err);
bool bl_store_stream_open(int fd, const char *name, const struct bl_source_opts *opts,
        struct bl_store **out, struct bl_error *err);

#endif
