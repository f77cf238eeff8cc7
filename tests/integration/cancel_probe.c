/* Opens a source as the explorer does, with a progress callback that
 * cancels once CANCEL_MS milliseconds have passed, and says how the open
 * ended: "cancel_probe: <status> after <ms> ms: <message>" on stderr, exit
 * 0 when it was cancelled, 1 otherwise. The integration tests use it where
 * a source can hang (a daemon that never answers).
 * Usage: cancel_probe SOURCE CANCEL_MS */
#include <stdio.h>
#include <stdlib.h>

#include "bakelens/clock.h"
#include "bakelens/store.h"

static long long start_ms, cancel_ms;

static bool progress(void *ud, const char *what, uint64_t done, uint64_t total)
{
	(void)ud;
	(void)what;
	(void)done;
	(void)total;
	return bl_clock_ms() - start_ms < cancel_ms;
}

int main(int argc, char **argv)
{
	if (argc != 3) {
		fprintf(stderr, "usage: cancel_probe SOURCE CANCEL_MS\n");
		return 2;
	}
	cancel_ms = atoll(argv[2]);
	start_ms = bl_clock_ms();
	struct bl_source_opts o = {.progress = progress};
	struct bl_store *s = NULL;
	struct bl_error err = {0};
	bool ok = bl_store_open(argv[1], &o, &s, &err);
	long long took = bl_clock_ms() - start_ms;
	if (ok) {
		fprintf(stderr, "cancel_probe: opened after %lld ms\n", took);
		bl_store_free(s);
		return 1;
	}
	fprintf(stderr, "cancel_probe: %s after %lld ms: %s\n", bl_status_name(err.code), took,
	        err.msg);
	return err.code == BL_E_CANCELLED ? 0 : 1;
}
