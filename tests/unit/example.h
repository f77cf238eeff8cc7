/* The example build (examples/out, made with umoci) for unit tests. */
#ifndef BL_TEST_EXAMPLE_H
#define BL_TEST_EXAMPLE_H

#include <stdio.h>
#include <stdlib.h>

/* Its path, found from BL_TESTDATA (set by meson); NULL when that is unset. */
static inline const char *example_out(void)
{
	static char path[4096];
	const char *data = getenv("BL_TESTDATA");
	if (!data)
		return NULL;
	snprintf(path, sizeof path, "%s/../../examples/out", data);
	return path;
}

#endif
