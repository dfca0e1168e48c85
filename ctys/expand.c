/* expand.c — see expand.h. */
#include "ctys/expand.h"

#include <stdlib.h>
#include <string.h>

static ctys_err_t
expand_macros(void *ctx, const char *in, char **out)
{
	struct expander *e = ctx;

	return macro_expand(&e->macros, in, out);
}

static ctys_err_t
expand_group(void *ctx, const char *name, char **members, bool *vmstack)
{
	struct expander *e = ctx;
	char *path = NULL;
	ctys_err_t err;

	*members = NULL;
	if ((err = grp_find(&e->groups, name, &path)) != CTYS_OK)
		return err; /* CTYS_ERR_NOENT: not a group, a host */
	*vmstack = grp_is_vmstack(path);
	free(path);
	return grp_expand(&e->groups, name, members);
}

void
expander_init(struct expander *e, const struct conf *conf)
{
	memset(e, 0, sizeof *e);
	macro_env_from_conf(&e->macros, conf);
	grp_env_from_conf(&e->groups, conf);
	e->hooks.expand = expand_macros;
	e->hooks.group = expand_group;
	e->hooks.ctx = e;
}

void
expander_free(struct expander *e)
{
	macro_env_free(&e->macros);
	grp_env_free(&e->groups);
}
