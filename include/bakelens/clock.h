/* Time for measuring intervals. */
#ifndef BL_CLOCK_H
#define BL_CLOCK_H

#include <stdint.h>

/* Milliseconds on CLOCK_MONOTONIC: never goes back, unaffected by changes to
 * the wall clock, meaningful only as a difference between two calls. */
int64_t bl_clock_ms(void);

#endif
