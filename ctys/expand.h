/*
 * expand.h — the MACRO and GROUP steps of the client, plugged into the
 * grammar (struct cli_hooks): macros expand the whole command line before
 * it is split; a target name that is a group file is replaced by its
 * members.  A name is looked up as a group first and is a host otherwise
 * (the original asked DNS first; ctys does not send a lookup per target).
 */
#ifndef CTYS_EXPAND_H
#define CTYS_EXPAND_H

#include "ctys/cli.h"
#include "lib/conf.h"
#include "macros/group.h"
#include "macros/macro.h"

struct expander {
	struct macro_env macros;
	struct grp_env groups;
	struct cli_hooks hooks;
};

/* Set up from the configuration; e->hooks is ready for cli_parse(). */
void expander_init(struct expander *e, const struct conf *conf);
void expander_free(struct expander *e);

#endif
