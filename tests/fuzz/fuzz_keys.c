/* libFuzzer: `digest --compare` reading an earlier `digest --json` output.
 *
 * The input is cut on "\n--\n" into two documents. Each is read with
 * bl_keys_read; one that reads must compare with itself as unchanged, and
 * two that read are compared both ways and narrowed (the lines are not
 * checked, only that nothing crashes or leaks). */
#include <stdio.h>
#include <stdlib.h>

#include "bakelens/query.h"
#include "fuzz_common.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct fuzz_part parts[2];
	size_t n = fuzz_split_on(data, size, "\n--\n", 4, parts, 2);
	struct bl_keys k[2];
	bool ok[2] = {false, false};
	for (size_t i = 0; i < 2; i++) {
		struct bl_error err;
		ok[i] = i < n && bl_keys_read(parts[i].data, parts[i].len, &k[i], &err);
		if (i >= n)
			bl_keys_init(&k[i]);
		if (!ok[i])
			continue;
		struct bl_vec lines;
		bl_vec_init(&lines, free);
		if (bl_keys_compare(&k[i], &k[i], &lines) != 0) {
			fprintf(stderr, "keys: a document differs from itself: %s\n",
			        (const char *)bl_vec_get(&lines, 0));
			abort();
		}
		bl_vec_fini(&lines);
	}
	if (ok[0] && ok[1]) {
		struct bl_vec lines;
		bl_vec_init(&lines, free);
		bl_keys_compare(&k[0], &k[1], &lines);
		bl_keys_compare(&k[1], &k[0], &lines);
		bl_keys_narrow(&k[0], &k[1], true, true);
		bl_keys_compare(&k[0], &k[1], &lines);
		bl_vec_fini(&lines);
	}
	bl_keys_fini(&k[0]);
	bl_keys_fini(&k[1]);
	return 0;
}
