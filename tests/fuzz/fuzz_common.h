/* Shared by the harnesses: the input cut into parts on "\n--\n" (or on
 * another separator). */
#ifndef FUZZ_COMMON_H
#define FUZZ_COMMON_H

#include <stddef.h>
#include <stdint.h>
#include <string.h>

struct fuzz_part {
	const uint8_t *data;
	size_t len;
};

/* At most `max` parts cut on `sep` (seplen bytes); the last one takes the
 * rest of the input. Returns the number of parts (at least 1). */
static inline size_t fuzz_split_on(const uint8_t *data, size_t size, const char *sep, size_t seplen,
        struct fuzz_part *parts, size_t max)
{
	const uint8_t *p = data, *end = data + size;
	size_t n = 0;
	while (n < max) {
		const uint8_t *found = NULL;
		if (n + 1 < max) {
			for (const uint8_t *q = p; q + seplen <= end; q++) {
				if (memcmp(q, sep, seplen) == 0) {
					found = q;
					break;
				}
			}
		}
		const uint8_t *stop = found ? found : end;
		parts[n].data = p;
		parts[n].len = (size_t)(stop - p);
		n++;
		if (!found)
			break;
		p = found + seplen;
	}
	return n;
}

/* fuzz_split_on "\n--\n". */
static inline size_t fuzz_split(
        const uint8_t *data, size_t size, struct fuzz_part *parts, size_t max)
{
	return fuzz_split_on(data, size, "\n--\n", 4, parts, max);
}

#endif
