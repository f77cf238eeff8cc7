/* OCI content descriptors and platforms, parsed from JSON into our structs. */
#ifndef BL_DESCRIPTOR_H
#define BL_DESCRIPTOR_H

#include <jansson.h>
#include <stdbool.h>
#include <stdint.h>

#include "bakelens/digest.h"
#include "bakelens/error.h"

struct bl_platform {
	char *os; /* NULL when absent */
	char *arch;
	char *variant;
	char *os_version;
};

struct bl_descriptor {
	char *media_type; /* NULL when absent */
	struct bl_digest digest;
	int64_t size;        /* -1 when absent */
	char *artifact_type; /* NULL when absent */
	bool has_platform;
	struct bl_platform platform;
	json_t *annotations; /* owned reference to the object, or NULL */
	json_t *raw;         /* owned reference to the whole descriptor object, or NULL */
};

/* Parse a descriptor object. `where` names the place for errors
 * ("index.json: manifests[2]"). A missing or invalid digest fails (BL_E_FORMAT);
 * missing mediaType or size does not. `out` needs no init; _fini after success. */
bool bl_descriptor_parse(
        const json_t *j, const char *where, struct bl_descriptor *out, struct bl_error *err);
void bl_descriptor_fini(struct bl_descriptor *d);
/* A bl_free_fn for vectors of malloc'd descriptors: _fini, then free. */
void bl_descriptor_free(void *desc);
void bl_descriptor_copy(struct bl_descriptor *dst, const struct bl_descriptor *src);
/* Borrowed annotation value, NULL when absent. */
const char *bl_descriptor_annotation(const struct bl_descriptor *d, const char *key);

bool bl_platform_parse_json(const json_t *j, struct bl_platform *out);
/* "os/arch[/variant]", caller owns. Missing parts print as "?". */
char *bl_platform_format(const struct bl_platform *p);
/* Parse "os/arch[/variant]" (as --platform takes it). */
bool bl_platform_parse(const char *s, struct bl_platform *out, struct bl_error *err);
/* True when `have` satisfies `want`: os and arch equal, and variant equal when
 * `want` names one ("arm64" with no variant matches "arm64/v8"). */
bool bl_platform_match(const struct bl_platform *want, const struct bl_platform *have);
void bl_platform_fini(struct bl_platform *p);
void bl_platform_copy(struct bl_platform *dst, const struct bl_platform *src);

#endif
