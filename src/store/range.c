/* Reading part of a blob: the verifying front's bl_store_read_range and the
 * pread helper the local stores share. A part cannot be checked against the
 * blob's digest; the contract in store.h leaves that to the caller. */
#include <errno.h>
#include <unistd.h>

#include "bakelens/mem.h"
#include "internal.h"

bool bl_store_pread_exact(
        int fd, uint64_t offset, size_t len, void *buf, const char *what, struct bl_error *err)
{
	size_t got = 0;
	while (got < len) {
		ssize_t r = pread(fd, (char *)buf + got, len - got, (off_t)(offset + got));
		if (r < 0 && errno == EINTR)
			continue;
		if (r < 0)
			return bl_fail_errno(err, BL_E_IO, "%s", what);
		if (r == 0)
			return bl_fail(err, BL_E_FORMAT,
			        "%s: ends before byte %llu (asked for %zu bytes at %llu)", what,
			        (unsigned long long)(offset + got), len,
			        (unsigned long long)offset);
		got += (size_t)r;
	}
	return true;
}

bool bl_store_read_range(struct bl_store *s, const struct bl_descriptor *desc, uint64_t offset,
        size_t len, void *buf, struct bl_error *err)
{
	char sh[40];
	bl_store_short(&desc->digest, sh, sizeof sh);
	if (!s->ops->read_range)
		return bl_fail(err, BL_E_UNSUPPORTED, "blob %s: %s sources cannot be read by parts",
		        sh, s->ops->kind);
	if (desc->size >= 0 &&
	        (offset > (uint64_t)desc->size || len > (uint64_t)desc->size - offset))
		return bl_fail(err, BL_E_FORMAT,
		        "blob %s: bytes %llu+%zu are past its %lld-byte size", sh,
		        (unsigned long long)offset, len, (long long)desc->size);
	if (len == 0)
		return true;
	return s->ops->read_range(s, &desc->digest, offset, len, buf, err);
}
