/* Reading small files whole. */
#ifndef BL_FILE_H
#define BL_FILE_H

#include <stdbool.h>
#include <stddef.h>

#include "bakelens/buf.h"
#include "bakelens/error.h"

/* Append the contents of the file at `path` to out (NUL-terminated after
 * them, as bl_buf always is; out->data is set even for an empty file). A pipe
 * or device is read to its end like a file. May block on a FIFO that has no
 * writer yet. Fails with BL_E_IO "PATH: <strerror>" (sys_errno set) when the
 * file cannot be opened or read or is a directory (EISDIR), and with BL_E_TOO_BIG "PATH: over MAX
 * bytes" when it holds more than `max` bytes. PATH is the path as given, not escaped. On failure
 * out keeps its earlier length. */
bool bl_file_read(const char *path, size_t max, struct bl_buf *out, struct bl_error *err);

#endif
