/* SLSA provenance as BuildKit writes it, decoded.
 *
 * BuildKit writes the same facts as SLSA v0.2 (`materials`, `invocation`,
 * `buildConfig`, `metadata`) or v1 (`buildDefinition`, `runDetails`); both
 * decode into one struct bl_prov. What went into the build (dependencies,
 * arguments, the context, the Dockerfile, the frontend, secret and ssh names,
 * the builder platform, times) is there in every mode; in mode=max also the
 * LLB steps with their source locations, the Dockerfile text and the map of
 * steps to image layers, so that a layer can be traced to the Dockerfile
 * lines that made it.
 *
 * Decoding never stops at one bad field: a field of the wrong type is left
 * unset, a Dockerfile that is not base64 is an error of that field
 * (`dockerfile_error`), and every such problem is a sentence in `problems`.
 * Sizes are capped (steps, dependencies, arguments, the Dockerfile text,
 * string lengths) and `capped` says when a cap was reached. Strings are
 * input data, unescaped: escape them before printing.
 */
#ifndef BL_PROVENANCE_H
#define BL_PROVENANCE_H

#include <jansson.h>
#include <stdbool.h>
#include <stddef.h>

#include "bakelens/digest.h"
#include "bakelens/error.h"
#include "bakelens/vec.h"

#define BL_PROV_STEPS_MAX 4096        /* LLB steps decoded */
#define BL_PROV_LIST_MAX 1024         /* dependencies, arguments, secrets, layers entries */
#define BL_PROV_TEXT_MAX (256u << 10) /* decoded Dockerfile bytes kept */
#define BL_PROV_STRING_MAX 4096       /* bytes kept of any one string */

/* A resolved dependency (material): a base image, a git repository, a URL. */
struct bl_prov_dep {
	char *uri;    /* as written: "pkg:docker/alpine@latest?platform=linux%2Famd64" */
	char *name;   /* for people: "docker.io/library/alpine:latest" for an image,
	                 else the URI without its #fragment */
	char *digest; /* "sha256:<hex>" (first digest given), NULL */
	bool image;   /* a docker or oci image (pkg:docker/, pkg:oci/) */
};

/* A key and its value (build arguments, frontend attributes). */
struct bl_prov_kv {
	char *key;   /* as BuildKit received it: "build-arg:VERSION", "target", "label:x" */
	char *value; /* a non-string value in compact JSON */
};

enum bl_prov_op {
	BL_PROV_OP_NONE = 0, /* the terminal step, or an op not understood */
	BL_PROV_OP_SOURCE,
	BL_PROV_OP_EXEC,
	BL_PROV_OP_FILE,
	BL_PROV_OP_MERGE,
	BL_PROV_OP_DIFF,
	BL_PROV_OP_BUILD,
};

/* One LLB step (mode=max). */
struct bl_prov_step {
	char *id; /* "step3" */
	enum bl_prov_op op;
	char *identifier;  /* SOURCE: "docker-image://docker.io/library/alpine:latest@sha256:...",
	                      "local://context", "git://..."; NULL for other ops */
	struct bl_vec env; /* char *: EXEC: meta.env "NAME=value" */
	char *args;        /* EXEC: meta.args joined by spaces; NULL */
	int *inputs;       /* indexes into bl_prov.steps of the steps it reads, -1 unknown */
	size_t ninputs;
	int source_index;          /* which Dockerfile (infos[]) its lines are in */
	int line_first, line_last; /* 1-based lines that made it; 0 when unknown */
};

/* A layer chain of the `layers` map: the layers from the base up to what
 * step `step` made. */
struct bl_prov_chain {
	int step; /* index into bl_prov.steps, -1 when unknown */
	size_t n;
	struct bl_digest *digests; /* n layer blob digests, base first */
};

struct bl_prov {
	char *predicate_type; /* "https://slsa.dev/provenance/v1" */
	bool v1;              /* v1 shape (buildDefinition/runDetails), else v0.2 */
	char *build_type, *builder_id;
	struct bl_vec deps;    /* struct bl_prov_dep * */
	char *frontend;        /* "dockerfile.v0", "gateway.v0", NULL */
	struct bl_vec args;    /* struct bl_prov_kv *: the request's args, in document order */
	struct bl_vec secrets; /* char *: secret ids (names only) */
	struct bl_vec ssh;     /* char *: ssh ids */
	struct bl_vec locals;  /* char *: local source names ("context", "dockerfile") */
	char *source_uri;      /* configSource uri: the context (git URL#ref), NULL for local */
	char *source_digest;   /* configSource digest "sha1:<hex>", NULL */
	char *source_path;     /* the Dockerfile's path (v1 path, v0.2 entryPoint), NULL */
	char *vcs_source, *vcs_revision; /* buildx's unverified hints (metadata vcs), NULL */
	char *builder_platform;          /* "linux/amd64", NULL */
	char *invocation_id, *started, *finished;
	bool max_mode;                        /* LLB steps present (mode=max) */
	bool complete_request, complete_deps; /* the completeness the statement claims */
	char *dockerfile_name;                /* infos[0].filename, NULL */
	char *dockerfile;       /* infos[0].data decoded (capped to BL_PROV_TEXT_MAX), NULL */
	char *dockerfile_error; /* why dockerfile is NULL though data was there, NULL */
	struct bl_digest dockerfile_digest; /* sha256 of the decoded bytes kept (the whole file
	                                       unless `capped`); alg NONE when none */
	struct bl_vec steps;                /* struct bl_prov_step *, in document order */
	struct bl_vec chains;               /* struct bl_prov_chain * */
	bool capped;                        /* a cap cut something */
	struct bl_vec problems;             /* char *: fields that could not be decoded */
};

/* True when predicate type `pt` is SLSA provenance (either version). */
bool bl_prov_is_type(const char *pt);

/* Decode `doc`: an in-toto statement whose predicate is SLSA provenance, or
 * such a predicate alone (build records and metadata files hold those).
 * Returns a new struct (bl_prov_free it); NULL with BL_E_FORMAT when doc is
 * not an object or a statement of another predicate type. Problems with
 * single fields never fail it (see `problems`). */
struct bl_prov *bl_prov_decode(const json_t *doc, struct bl_error *err);
void bl_prov_free(struct bl_prov *p);

/* The step that made layer `i` of an image whose layer blob digests are
 * `layers[0..n)`: the step of a chain of length i+1 ending in layers[i]
 * whose earlier digests are layers[0..i), preferring a step with source
 * lines. -1 when the provenance does not say (mode=min, no such chain). */
int bl_prov_layer_step(const struct bl_prov *p, const struct bl_digest *layers, size_t n, size_t i);

/* Line `line` (1-based) of the Dockerfile, without its newline, as a new
 * string; NULL when unknown. */
char *bl_prov_dockerfile_line(const struct bl_prov *p, int line);

/* The instruction of step `step` as "hello.Dockerfile:3 `RUN echo hi`"
 * (several lines joined by spaces, shortened); NULL when the step has no
 * source lines. Owned by the caller; unescaped. */
char *bl_prov_step_words(const struct bl_prov *p, int step);

/* The image name of dependency URI `uri` when it is an image purl
 * ("pkg:docker/alpine@latest?..." -> "docker.io/library/alpine:latest"),
 * else NULL. Owned by the caller. */
char *bl_prov_purl_image(const char *uri);

struct bl_node;

/* The provenance statement of image manifest `m`: a statement of an
 * attestation manifest beside m in its index whose
 * vnd.docker.reference.digest is m's digest. NULL when there is none (or its
 * document was not read). Borrowed from the build. */
const struct bl_node *bl_prov_statement_of(const struct bl_node *m);
/* That statement decoded (bl_prov_free it); NULL when there is none or it
 * cannot be decoded. */
struct bl_prov *bl_prov_of_image(const struct bl_node *m);
/* The blob digests of m's layers, in order, as a new array in *out (free
 * it); returns their number (0 and *out NULL when none). */
size_t bl_prov_image_layers(const struct bl_node *m, struct bl_digest **out);
/* The Dockerfile instruction that made `layer` (a LAYER node), as
 * bl_prov_step_words says it, from its image's provenance; NULL when
 * unknown. Owned by the caller; unescaped. */
char *bl_prov_layer_words(const struct bl_node *layer);

/* The decoded provenance as JSON (docs/inspect-json.md, `provenance`): a
 * new object. */
json_t *bl_prov_json(const struct bl_prov *p);

#endif
