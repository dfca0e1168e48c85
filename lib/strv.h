/*
 * strv.h — a growable vector of owned C strings, NULL-terminated.
 *
 * STRV_INIT is an empty vector; v.v is NULL until the first push, after which
 * v.v[v.n] == NULL so it can be passed as an argv.
 */
#ifndef CTYS_STRV_H
#define CTYS_STRV_H

#include <stddef.h>

struct strv {
	char **v;
	size_t n;
	size_t cap;
};

#define STRV_INIT { NULL, 0, 0 }

/* Append a copy of s. */
void strv_push(struct strv *sv, const char *s);
/* Append s itself; the vector takes ownership. */
void strv_push_owned(struct strv *sv, char *s);
void strv_pushn(struct strv *sv, const char *s, size_t n);
/* Split `s` on runs of blanks (space, tab, newline) and append the words. */
void strv_split_ws(struct strv *sv, const char *s);
/* Join with `sep` into a new string (caller frees). */
char *strv_join(const struct strv *sv, const char *sep);
void strv_free(struct strv *sv);

#endif
