/* Shared by the harnesses: the input cut into parts on "\n--\n". */
#ifndef FUZZ_COMMON_H
#define FUZZ_COMMON_H

#include <stddef.h>
#include <stdint.h>
#include <string.h>

struct fuzz_part {
	const uint8_t *data;
	size_t len;
};

/* At most `max` parts; the last one takes the rest of the input. Returns the
 * number of parts (at least 1). */
static inline size_t fuzz_split(
        const uint8_t *data, size_t size, struct fuzz_part *parts, size_t max)
{
	const uint8_t *p = data, *end = data + size;
	size_t n = 0;
	while (n < max) {
		const uint8_t *sep = NULL;
		if (n + 1 < max) {
			for (const uint8_t *q = p; q + 4 <= end; q++) {
				if (memcmp(q, "\n--\n", 4) == 0) {
					sep = q;
					break;
				}
			}
		}
		const uint8_t *stop = sep ? sep : end;
		parts[n].data = p;
		parts[n].len = (size_t)(stop - p);
		n++;
		if (!sep)
			break;
		p = sep + 4;
	}
	return n;
}

#endif
