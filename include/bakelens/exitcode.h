/* The exit status of the program, one map for both front ends (the
 * commands of src/cli and the explorer of src/ui).
 *
 * The codes are stable and documented in docs/bakelens.1 (EXIT STATUS) and
 * docs/guide.md. diff(1)-like: 0 ok (or identical), 1 different, 2 and above
 * errors; 128 + N when the explorer was ended by signal N.
 */
#ifndef BL_EXITCODE_H
#define BL_EXITCODE_H

#include "bakelens/error.h"

enum bl_exit {
	BL_EXIT_OK = 0,
	BL_EXIT_DIFFERENT = 1,   /* diff: the builds differ */
	BL_EXIT_USAGE = 2,       /* bad option, no source, an ambiguous question */
	BL_EXIT_INPUT = 3,       /* a source cannot be opened or read (missing file, I/O error) */
	BL_EXIT_FORMAT = 4,      /* a source is not valid (bad JSON, bad tar, bad digest string) */
	BL_EXIT_VERIFY = 5,      /* content does not match its digest or size */
	BL_EXIT_NOT_FOUND = 6,   /* the target, platform, layer or blob asked for is not there */
	BL_EXIT_NETWORK = 7,     /* a registry unreachable, a timeout, an untrusted certificate */
	BL_EXIT_AUTH = 8,        /* authentication or authorisation failure */
	BL_EXIT_CANCELLED = 130, /* Esc while loading, or Ctrl-C */
};

/* The exit code for a failure of status `st` (BL_EXIT_OK for BL_OK). A status
 * outside the enum gives BL_EXIT_FORMAT. */
int bl_exit_code(enum bl_status st);

/* Of two exit codes for problems found in one run (e.g. on different nodes
 * of a tree), the one to exit with: the worse. The order, worst first (also
 * in docs/bakelens.1, EXIT STATUS): 130 cancelled, 5 digest mismatch,
 * 8 auth, 7 network, 3 input unreadable, 4 invalid, 6 not found, 2 usage,
 * 1 different, 0 ok. A code outside that list ranks as 4. */
int bl_exit_worse(int a, int b);

#endif
