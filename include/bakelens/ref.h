/* Image references, parsed and normalised as docker does (distribution/reference):
 * `[domain[:port]/]path[:tag][@digest]`. The first component is a domain when
 * it holds '.' or ':' or is "localhost"; a bare name becomes
 * docker.io/library/name; no tag and no digest means tag "latest". */
#ifndef BL_REF_H
#define BL_REF_H

#include <stdbool.h>

#include "bakelens/digest.h"
#include "bakelens/error.h"

struct bl_ref {
	char *domain;            /* "docker.io", "ghcr.io", "127.0.0.1:5000" */
	char *path;              /* "library/alpine" */
	char *tag;               /* NULL when absent (a digest-only reference) */
	struct bl_digest digest; /* alg NONE when absent */
};

/* Fails with BL_E_FORMAT naming what is wrong (uppercase repository, bad tag,
 * bad digest, empty component...). `out` needs no init; call _fini after
 * success. */
bool bl_ref_parse(const char *s, struct bl_ref *out, struct bl_error *err);
void bl_ref_fini(struct bl_ref *r);
/* "domain/path[:tag][@digest]", caller owns. */
char *bl_ref_format(const struct bl_ref *r);
/* "domain/path", caller owns. */
char *bl_ref_name(const struct bl_ref *r);
/* The host to talk to: "registry-1.docker.io" for docker.io, else the domain. Borrowed. */
const char *bl_ref_api_host(const struct bl_ref *r);
/* True when `s` looks like a reference and not a path (no '/' start, parses). */
bool bl_ref_is_plausible(const char *s);

#endif
