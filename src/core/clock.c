/* Time for measuring intervals: see include/bakelens/clock.h. */
#include "bakelens/clock.h"

#include <time.h>

int64_t bl_clock_ms(void)
{
	struct timespec ts;
	/* CLOCK_MONOTONIC cannot fail on Linux for a valid pointer. */
	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (int64_t)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}
