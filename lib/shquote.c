/* shquote.c — see shquote.h. */
#include "lib/shquote.h"

#include <string.h>

/* Characters that never need quoting in any POSIX shell context. */
static int
is_safe(unsigned char c)
{
	return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') ||
	    (c >= '0' && c <= '9') || strchr("-_./,:@+%=", c) != NULL;
}

void
shquote_arg(struct buf *out, const char *s)
{
	const unsigned char *p;
	int safe = *s != '\0';

	for (p = (const unsigned char *)s; *p && safe; p++)
		safe = is_safe(*p);
	/* A leading '=' or '%' is harmless, but '~' and '#' are not safe. */
	if (safe) {
		buf_adds(out, s);
		return;
	}
	buf_addc(out, '\'');
	for (p = (const unsigned char *)s; *p; p++) {
		if (*p == '\'')
			buf_adds(out, "'\\''");
		else
			buf_addc(out, (char)*p);
	}
	buf_addc(out, '\'');
}

void
shquote_argv(struct buf *out, const char *const *argv, size_t argc)
{
	size_t i;

	for (i = 0; i < argc; i++) {
		if (i)
			buf_addc(out, ' ');
		shquote_arg(out, argv[i]);
	}
}

char *
shquote_strv(const struct strv *sv)
{
	struct buf b = BUF_INIT;

	shquote_argv(&b, (const char *const *)sv->v, sv->n);
	return buf_detach(&b);
}
