/*
 * target.h — the argument part of a ctys command line: targets.
 *
 *   args      = [ remote ] { target } ;
 *   remote    = ctx ;                               (first item only)
 *   target    = subtask | stackaddr ;
 *   subtask   = ( "VMSTACK" | "SUBTASK" | "SUBGROUP" ) [ ctx ] "{" { target } "}" ;
 *   stackaddr = hop [ ctx ] { "[" hop "]" [ ctx ] } ;
 *   hop       = [ user "@" ] name [ ":" port ] ;
 *   ctx       = [ "'" | '"' ] "(" options ")" [ "'" | '"' ] ;
 *
 * Blanks separate targets; blanks between a name and its "(" are allowed
 * ("host (opts)" is "host(opts)").  Contexts do not nest and hold no ")".
 * Stack addresses pm[vm][nvm] name a target reached through each level in
 * turn; each level may carry its own context.  Every error names the
 * offending character and its 0-based offset in the parsed text.
 */
#ifndef CTYS_TARGET_H
#define CTYS_TARGET_H

#include <stdbool.h>
#include <stddef.h>

#include "lib/err.h"

/* Limits: a name (host, user, port), nesting of "{}", targets in total. */
#define TARGET_NAME_MAX 255
#define TARGET_DEPTH_MAX 32

struct hop {
	char *user;     /* NULL when not given */
	char *host;
	char *port;     /* NULL when not given */
	char *ctx;      /* context options of this level, NULL when none */
	size_t pos;
	bool user_given; /* in a job: the user came from user@ or -l (else a default) */
};

enum tnode_kind { TN_HOST, TN_SUBTASK };
enum subtask_kind { ST_VMSTACK, ST_SUBTASK, ST_SUBGROUP };

struct tnode {
	enum tnode_kind kind;
	size_t pos;
	/* TN_HOST: hops[0] is the bottom (the PM), hops[nhops-1] the target */
	struct hop *hops;
	size_t nhops;
	/* TN_SUBTASK */
	enum subtask_kind sub;
	char *ctx;
	struct tnode *kids;
	size_t nkids;
};

struct targets {
	char *remote;   /* leading "(...)" text, NULL when none */
	struct tnode *v;
	size_t n;
};

/*
 * Parse `text`; on error nothing is allocated in *out.  Positions in
 * messages are 1-based and have `base` added (the offset of `text` in the
 * whole command line).
 */
ctys_err_t targets_parse(const char *text, size_t base, struct targets *out);
void targets_free(struct targets *t);
void tnode_free(struct tnode *n);

const char *subtask_name(enum subtask_kind k);

#endif
