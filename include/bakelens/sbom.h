/* SBOM packages: SPDX 2.x and CycloneDX JSON documents decoded into a flat
 * list of packages, and two such lists compared.
 *
 * A document is found in an in-toto statement (its `predicate`, BuildKit's
 * form), in a DSSE envelope whose payload is such a statement (cosign's
 * `.att`), or on its own (`spdxVersion` / `bomFormat` at the top). Every
 * package is kept: SPDX `packages[]`, CycloneDX `components[]` with their
 * nested `components` (to BL_SBOM_DEPTH_MAX levels). The work is linear in
 * the document and the memory is the package strings; the document itself
 * is bounded by the caller's JSON cap (statements: BL_JSON_CONFIG_MAX), and
 * at most BL_SBOM_PACKAGES_MAX packages are kept (`truncated` says so).
 */
#ifndef BL_SBOM_H
#define BL_SBOM_H

#include <jansson.h>
#include <stdbool.h>
#include <stddef.h>

#include "bakelens/arena.h"
#include "bakelens/error.h"

#define BL_SBOM_PACKAGES_MAX 1000000 /* packages kept per document */
#define BL_SBOM_DEPTH_MAX 32         /* CycloneDX component nesting followed */
#define BL_SBOM_FIELD_MAX 4096       /* bytes kept of one field (longer ones are cut) */

struct bl_package {
	const char *name;    /* never NULL (may be "") */
	const char *version; /* SPDX versionInfo / CycloneDX version, NULL when absent */
	const char *type;    /* the purl's type ("apk", "npm"), else CycloneDX `type` or SPDX
	                        primaryPackagePurpose in lower case, NULL when none */
	const char *purl;    /* the package URL, NULL when absent */
};

struct bl_sbom {
	const char *format;       /* "spdx" or "cyclonedx" (static storage) */
	const char *spec_version; /* "SPDX-2.3", "1.5", NULL */
	struct bl_package *pkgs;  /* in document order (depth first for CycloneDX) */
	size_t n;
	bool truncated;          /* more than BL_SBOM_PACKAGES_MAX: the rest dropped */
	struct bl_arena strings; /* owns every string above */
};

/* True when predicate type `pt` names an SBOM (SPDX or CycloneDX). */
bool bl_sbom_predicate(const char *pt);

/* Decode the packages of the JSON document in data[0..len) (a statement,
 * a DSSE envelope whose payload is one, or a bare SBOM document) into `out`
 * (initialised here; bl_sbom_fini it, also after a failure), without
 * building a JSON tree. The whole document is validated as the JSON parser
 * would (strict UTF-8 and escapes, nesting at most 2048 levels, nothing
 * after it). Fails with BL_E_FORMAT, `err` saying why: invalid JSON ("invalid
 * JSON at byte N: ..."), no SPDX or CycloneDX document, or a package list that
 * is not an array; a package that is not an object is skipped. Input strings
 * are kept as they are (escape before showing them). O(len) for SPDX. */
bool bl_sbom_scan(const void *data, size_t len, struct bl_sbom *out, struct bl_error *err);
/* The same for a parsed document (written out and scanned: one decoder). */
bool bl_sbom_decode(const json_t *doc, struct bl_sbom *out, struct bl_error *err);
void bl_sbom_fini(struct bl_sbom *s);

struct bl_node;
/* True when n is an in-toto statement of an SBOM predicate type. */
bool bl_node_is_sbom(const struct bl_node *n);
/* The packages of SBOM statement n: its bytes read from its store and
 * verified against its digest and size (bl_node_read), then scanned; a
 * statement without a descriptor (inside another document) from its parsed
 * document. Fails with the read's error (BL_E_DIGEST for bytes that do not
 * hash to the digest, BL_E_NOT_FOUND ...) or bl_sbom_scan's; `out` as
 * there. Costs a read of the statement each call. */
bool bl_node_sbom(const struct bl_node *n, struct bl_sbom *out, struct bl_error *err);

enum bl_pkg_change_kind {
	BL_PKG_ADDED,   /* on the right only */
	BL_PKG_REMOVED, /* on the left only */
	BL_PKG_CHANGED, /* the same package (type and name) at another version */
};

struct bl_pkg_change {
	enum bl_pkg_change_kind kind;
	char *name;
	char *type;                      /* NULL when unknown */
	char *old_version, *new_version; /* NULL for the side without it (or no version) */
	char *old_purl, *new_purl;
};

/* Package changes between two SBOMs. Packages are the same when type and
 * name are; those present on both sides at the same version are no change.
 * Of what is left under one type and name, one package on each side is a
 * version change, anything else is added and removed. Sorted by type, name,
 * then kind. O(n log n). */
struct bl_pkg_diff {
	struct bl_pkg_change *v; /* owned */
	size_t n;
	size_t left_count, right_count; /* packages on each side */
	size_t added, removed, changed;
};

/* Compare l and r (borrowed) into `out` (initialised here; every string is
 * a copy). Never fails. */
void bl_sbom_diff(const struct bl_sbom *l, const struct bl_sbom *r, struct bl_pkg_diff *out);
void bl_pkg_diff_fini(struct bl_pkg_diff *d);

/* One change in words: "package musl 1.2.4 -> 1.2.5 (apk)", "package
 * added: curl 8.5.0 (apk)", "package removed: zlib 1.3 (apk)". Owned by the caller; input data
 * inside is unescaped. */
char *bl_pkg_change_words(const struct bl_pkg_change *c);

#endif
