/*
 * xmalloc.h — allocation that cannot fail.
 *
 * As in tmux and OpenSSH, running out of memory is fatal: these print
 * "ctys: out of memory" and exit(2) instead of returning NULL, so no caller
 * checks allocation results by hand.  Sizes are overflow-checked.
 */
#ifndef CTYS_XMALLOC_H
#define CTYS_XMALLOC_H

#include <stddef.h>

void *xmalloc(size_t size);
void *xcalloc(size_t nmemb, size_t size);
void *xrealloc(void *ptr, size_t size);
void *xreallocarray(void *ptr, size_t nmemb, size_t size);
/*
 * Room for element `n` (0-based) of an array that grows one element at a
 * time: reallocates only when n is 0 or a power of two, to twice n, so n
 * appends copy O(n) bytes in all and need no capacity field.  The array
 * may shrink (n smaller) in between; the allocation is never too small.
 */
void *xgrowarray(void *ptr, size_t n, size_t size);
char *xstrdup(const char *s);
char *xstrndup(const char *s, size_t n);
/* Allocate and format; never returns NULL. */
char *xasprintf(const char *fmt, ...) __attribute__((format(printf, 1, 2)));

#endif
