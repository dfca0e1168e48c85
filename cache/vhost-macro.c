/* vhost-macro.c — see vhost-macro.h (single macro call site of ctys-vhost). */
#include "cache/vhost-macro.h"

#include <string.h>

#include "lib/buf.h"
#include "lib/xmalloc.h"

static char *
unpercent(const char *w)
{
	struct buf b = BUF_INIT;

	for (; *w != '\0'; w++) {
		buf_addc(&b, *w);
		if (w[0] == '%' && w[1] == '%')
			w++;
	}
	return buf_detach(&b);
}

ctys_err_t
vhost_expand_args(int argc, char *const *argv, struct strv *out)
{
	int i;

	for (i = 0; i < argc; i++)
		if (strcasestr(argv[i], "macro:") != NULL)
			return ctys_seterr(CTYS_ERR_UNSUPPORTED, "macro expansion not "
			    "available in this build: '%s'", argv[i]);
	/* (macro_expand() goes here; see vhost-macro.h) */
	for (i = 0; i < argc; i++)
		strv_push_owned(out, unpercent(argv[i]));
	return CTYS_OK;
}
