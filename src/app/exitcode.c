/* One status -> exit code map for the commands and the explorer: exitcode.h. */
#include "bakelens/exitcode.h"

#include <stddef.h>

int bl_exit_code(enum bl_status st)
{
	switch (st) {
	case BL_OK:
		return BL_EXIT_OK;
	case BL_E_USAGE:
		return BL_EXIT_USAGE;
	case BL_E_IO:
		return BL_EXIT_INPUT;
	case BL_E_FORMAT:
	case BL_E_TOO_BIG:
	case BL_E_LOOP:
	case BL_E_UNSUPPORTED:
		return BL_EXIT_FORMAT;
	case BL_E_DIGEST:
		return BL_EXIT_VERIFY;
	case BL_E_NOT_FOUND:
		return BL_EXIT_NOT_FOUND;
	case BL_E_NET:
		return BL_EXIT_NETWORK;
	case BL_E_AUTH:
		return BL_EXIT_AUTH;
	case BL_E_CANCELLED:
		return BL_EXIT_CANCELLED;
	}
	/* Not a status (a cast from elsewhere): "invalid" is the safe answer. */
	return BL_EXIT_FORMAT;
}

/* Worst first. A mismatch is proof the content is not what it claims, so it
 * outranks not having been able to look (auth, network); what could not be
 * fetched outranks what was fetched and found invalid; a blob merely absent
 * is the mildest problem. */
static const int worst_first[] = {
        BL_EXIT_CANCELLED,
        BL_EXIT_VERIFY,
        BL_EXIT_AUTH,
        BL_EXIT_NETWORK,
        BL_EXIT_INPUT,
        BL_EXIT_FORMAT,
        BL_EXIT_NOT_FOUND,
        BL_EXIT_USAGE,
        BL_EXIT_DIFFERENT,
        BL_EXIT_OK,
};

static size_t rank(int code)
{
	for (size_t i = 0; i < sizeof worst_first / sizeof worst_first[0]; i++)
		if (worst_first[i] == code)
			return i;
	return rank(BL_EXIT_FORMAT);
}

int bl_exit_worse(int a, int b)
{
	return rank(b) < rank(a) ? b : a;
}
