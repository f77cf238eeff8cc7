/* One status -> exit code map for the commands and the explorer: exitcode.h. */
#include "bakelens/exitcode.h"

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
