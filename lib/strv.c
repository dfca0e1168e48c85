/* strv.c — see strv.h. */
#include "lib/strv.h"

#include <stdlib.h>
#include <string.h>

#include "lib/buf.h"
#include "lib/xmalloc.h"

void
strv_push_owned(struct strv *sv, char *s)
{
	if (sv->n + 2 > sv->cap) {
		sv->cap = sv->cap ? sv->cap * 2 : 8;
		sv->v = xreallocarray(sv->v, sv->cap, sizeof *sv->v);
	}
	sv->v[sv->n++] = s;
	sv->v[sv->n] = NULL;
}

void
strv_push(struct strv *sv, const char *s)
{
	strv_push_owned(sv, xstrdup(s));
}

void
strv_pushn(struct strv *sv, const char *s, size_t n)
{
	strv_push_owned(sv, xstrndup(s, n));
}

void
strv_split_ws(struct strv *sv, const char *s)
{
	const char *p = s, *start;

	for (;;) {
		while (*p == ' ' || *p == '\t' || *p == '\n')
			p++;
		if (*p == '\0')
			break;
		start = p;
		while (*p && *p != ' ' && *p != '\t' && *p != '\n')
			p++;
		strv_pushn(sv, start, (size_t)(p - start));
	}
}

char *
strv_join(const struct strv *sv, const char *sep)
{
	struct buf b = BUF_INIT;
	size_t i;

	for (i = 0; i < sv->n; i++) {
		if (i)
			buf_adds(&b, sep);
		buf_adds(&b, sv->v[i]);
	}
	return buf_detach(&b);
}

void
strv_free(struct strv *sv)
{
	size_t i;

	for (i = 0; i < sv->n; i++)
		free(sv->v[i]);
	free(sv->v);
	sv->v = NULL;
	sv->n = sv->cap = 0;
}
