/*
 * action.h — the table of actions and their suboption keywords.
 *
 * One const entry per action (CREATE, CANCEL, LIST, ENUMERATE, INFO, SHOW,
 * GETCLIENTPORT, ISACTIVE) with the superset of suboptions any plugin
 * accepts (actions.md); each plugin checks its own subset when it runs.
 * Help text, the man page lists and shell completion read these tables.
 */
#ifndef CTYS_ACTION_H
#define CTYS_ACTION_H

#include <stdbool.h>
#include <stddef.h>

#include "agents/plugin.h"
#include "ctys/subopt.h"
#include "lib/buf.h"
#include "lib/err.h"

enum subopt_argkind { SA_NONE, SA_REQ, SA_OPT };

/* Suboption kinds that checks need to know about. */
enum subopt_class {
	SC_PLAIN = 0,
	SC_ADDRESS,     /* machine address key (LABEL, ID, UUID, ...) */
	SC_METHOD,      /* CANCEL method: only one may be given */
	SC_SITE,        /* CLIENT|SERVER|BOTH: exclusive */
	SC_CREATEMODE,  /* REUSE|CONNECT|RECONNECT|RESUME: exclusive */
	SC_FIELD,       /* LIST/ENUMERATE field selector */
};

struct subopt_def {
	const char *names;          /* "LABEL|L" */
	enum subopt_argkind arg;
	enum subopt_class cls;
	const char *help;
};

/* Action flags. */
#define ACTF_COLLECTOR 0x01  /* LIST ENUMERATE INFO SHOW: run by all plugins */
#define ACTF_INTERNAL  0x02  /* GETCLIENTPORT ISACTIVE */
#define ACTF_FREEARGS  0x04  /* suboptions are not interpreted (INFO, SHOW, ...) */

struct action_def {
	const char *name;
	enum ctys_action id;
	unsigned flags;
	const struct subopt_def *subopts;
	size_t nsubopts;
	const char *default_subopts; /* sent when none are given, or NULL */
	const char *help;
};

extern const struct action_def action_table[CTYS_ACT__COUNT];

/* Entry for an action name (any case), or NULL. */
const struct action_def *action_lookup(const char *name, size_t len);

/* Suboption definition for `key` in action `a`, or NULL. */
const struct subopt_def *action_subopt(const struct action_def *a, const char *key);

/* Whether `d` (may be NULL) is the suboption whose canonical name is `name`. */
bool subopt_def_is(const struct subopt_def *d, const char *name);

/*
 * Whether suboption text `text` (may be NULL) of action `a` holds the
 * suboption with canonical name `name`, under any of its names and in any
 * case.  When `arg` is not NULL it gets the argument of the last such item,
 * malloc'd, or NULL if that item has none.  Text that does not scan holds
 * nothing (it was refused when the options were parsed).
 */
bool action_find_subopt(const struct action_def *a, const char *text, const char *name,
	char **arg);

/*
 * Check scanned suboptions against the action's table: known keys,
 * arguments where required and only where allowed, mutually exclusive
 * groups.  CTYS_ERR_USAGE naming the item on failure.
 */
ctys_err_t action_check(const struct action_def *a, const struct subopts *so);

/*
 * Canonical text of suboptions: keys by their canonical upper-case name,
 * arguments re-encoded (subopt_encode), joined by ",".  Free-argument
 * actions keep the text as given.
 */
void action_normalize(struct buf *out, const struct action_def *a, const struct subopts *so,
	const char *raw);

#endif
