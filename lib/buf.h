/*
 * buf.h — growable byte buffer, always NUL-terminated.
 *
 * A zero-initialised struct buf (BUF_INIT) is an empty, valid buffer.  The
 * contents stay a C string (d[len] == '\0') after every operation, so
 * buf_cstr() never allocates.  Growth is geometric; allocation failure is
 * fatal (xmalloc.h).
 */
#ifndef CTYS_BUF_H
#define CTYS_BUF_H

#include <stdarg.h>
#include <stddef.h>

struct buf {
	char *d;
	size_t len;
	size_t cap;
};

#define BUF_INIT { NULL, 0, 0 }

void buf_grow(struct buf *b, size_t extra);
void buf_add(struct buf *b, const void *data, size_t n);
void buf_addc(struct buf *b, char c);
void buf_adds(struct buf *b, const char *s);
void buf_addf(struct buf *b, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
void buf_vaddf(struct buf *b, const char *fmt, va_list ap);
/* Truncate to `len` bytes (len <= b->len). */
void buf_truncate(struct buf *b, size_t len);
void buf_reset(struct buf *b);
/* The contents as a C string; "" for an empty buffer.  Owned by b. */
const char *buf_cstr(const struct buf *b);
/* Hand the string to the caller (who frees it) and reset b. */
char *buf_detach(struct buf *b);
void buf_free(struct buf *b);

#endif
