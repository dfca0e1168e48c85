/* vhost-macro.c — see vhost-macro.h (single macro call site of ctys-vhost). */
#include "cache/vhost-macro.h"

#include <stdlib.h>
#include <string.h>

#include "lib/buf.h"
#include "lib/conf.h"
#include "lib/paths.h"
#include "lib/xmalloc.h"
#include "macros/macro.h"

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

/* Join, expand with the configured macro file, split at blanks again. */
static ctys_err_t
expand(int argc, char *const *argv, struct strv *words)
{
	struct strv in = STRV_INIT;
	struct macro_env env;
	struct conf *conf = conf_new();
	char *line, *out = NULL;
	ctys_err_t e;
	int i;

	if ((e = ctys_conf_load(conf)) != CTYS_OK) {
		conf_free(conf);
		return e;
	}
	for (i = 0; i < argc; i++)
		strv_push(&in, argv[i]);
	line = strv_join(&in, " ");
	strv_free(&in);
	macro_env_from_conf(&env, conf);
	e = macro_expand(&env, line, &out);
	if (e == CTYS_OK)
		strv_split_ws(words, out);
	free(out);
	free(line);
	macro_env_free(&env);
	conf_free(conf);
	return e;
}

ctys_err_t
vhost_expand_args(int argc, char *const *argv, struct strv *out)
{
	struct strv words = STRV_INIT;
	bool refs = false;
	ctys_err_t e;
	size_t i;
	int k;

	for (k = 0; k < argc && !refs; k++)
		refs = macro_has_ref(argv[k]);
	if (!refs) {
		/* the common case: no configuration to read, nothing to split */
		for (k = 0; k < argc; k++)
			strv_push_owned(out, unpercent(argv[k]));
		return CTYS_OK;
	}
	if ((e = expand(argc, argv, &words)) != CTYS_OK)
		return e;
	for (i = 0; i < words.n; i++)
		strv_push_owned(out, unpercent(words.v[i]));
	strv_free(&words);
	return CTYS_OK;
}
