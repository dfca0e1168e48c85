/*
 * cli.h — one ctys command line, from argv to a plan.
 *
 * The original's model (cli-grammar.md §2), not argv parsing: the words
 * are joined with single spaces into one string, MACROs are expanded on
 * that string, it is split on blanks for the getopts-style option parse,
 * and the rest of the string (spacing kept) is the target list.
 */
#ifndef CTYS_CLI_H
#define CTYS_CLI_H

#include <stddef.h>

#include "ctys/opts.h"
#include "ctys/plan.h"
#include "ctys/target.h"
#include "lib/conf.h"
#include "lib/err.h"

/* Longest command line accepted after macro expansion. */
#define CLI_MAX_LINE (4u * 1024 * 1024)

struct cli {
	struct conf *conf;       /* borrowed */
	char *line;              /* after macro expansion */
	struct ctys_opts opts;   /* after the global options */
	struct ropts ropts;
	size_t args_pos;         /* offset of the target list in line */
	struct targets targets;
	struct plan plan;
	struct opts_env oenv;
};

/*
 * Macro expansion hook: expand `in` into a new string.  The default (NULL)
 * rejects lines that contain a MACRO: reference.
 */
typedef ctys_err_t (*cli_expand_fn)(void *ctx, const char *in, char **out);
typedef ctys_err_t (*cli_group_fn)(void *ctx, const char *name, char **members, bool *vmstack);

struct cli_hooks {
	cli_expand_fn expand;
	cli_group_fn group;
	void *ctx;
};

/* Join argv[0..argc) with single spaces (caller frees). */
char *cli_join(int argc, char *const *argv);

struct strv;
/*
 * Append " <opt>... -- <target>..." to a command line that a tool builds
 * for ctys (ctys-vdbgen, ctys-plugins): options passed through, then the
 * targets as the user wrote them.
 */
void cli_add_targets(struct buf *line, const struct strv *opts, const struct strv *targets);

/*
 * Parse a whole command line (the words after "ctys").  Stops after the
 * global options when -h, -H or -V was given (c->opts says which), else
 * parses the targets and builds the plan.  Errors carry a message naming
 * the offending token and its 1-based position in the expanded line.
 */
ctys_err_t cli_parse(struct cli *c, struct conf *conf, const struct cli_hooks *hooks,
	const char *line);
void cli_free(struct cli *c);

/* The short help (-h), generated from the option, action and type tables. */
void cli_help(struct buf *out);
/* The version text (-V), or the bare version for -X -V. */
void cli_version(struct buf *out, bool bare);

#endif
