/*
 * opts.h — the generic options of ctys: one table, one state struct.
 *
 * The accepted letters are exactly the original's
 *   a: A: b: c: C: d: D: E f F: g: h H: j: k: l: L: M: n o: O: p: r: s:
 *   S: t: T: v V w W: x: X y Y z: Z:
 * (":" = takes an argument).  `-o FORMAT` was reserved in the original
 * (always an error); here it selects the output format (text, json).
 *
 * Options are parsed with POSIX getopts semantics over whitespace-split
 * words (clusters "-XY", attached arguments "-d1", "--" ends), first as
 * global options and then again, cumulatively, as the context options of
 * each target.  In a context the remote-only letters -A -r -d -T -Z -z do
 * not change the local state; they are merged into the remote options
 * (struct ropts): a letter replaces its earlier occurrence.
 */
#ifndef CTYS_OPTS_H
#define CTYS_OPTS_H

#include <stdbool.h>
#include <stddef.h>

#include "ctys/action.h"
#include "lib/buf.h"
#include "lib/err.h"
#include "lib/strv.h"

/* -b: background (sync/async) and parallel (seq/par) mode. */
#define BM_SYNC  0x01
#define BM_ASYNC 0x02
#define BM_SEQ   0x04
#define BM_PAR   0x08
#define BM_STACK 0x10

/* -c: name-service cache location. */
enum cache_loc { CACHE_DEFAULT = 0, CACHE_BOTH, CACHE_LOCAL, CACHE_REMOTE, CACHE_OFF };

/* -L: location of client and server parts. */
enum location {
	LOC_DEFAULT = 0,
	LOC_LOCALONLY,
	LOC_CONNECTIONFORWARDING,
	LOC_DISPLAYFORWARDING,
	LOC_CLIENTONLY,
	LOC_SERVERONLY,
};

/* The complete option state.  Strings are owned; NULL/-1/0 = not given. */
struct ctys_opts {
	const struct action_def *action; /* -a */
	char *subopts;          /* -a text after '=' (verbatim), NULL when none */
	bool subopts_default;   /* subopts are the action's default, not given */
	char *type;             /* -t: canonical type name or "ALL" */
	char *multitype;        /* -T: "ALL" or canonical names joined by ',' */
	int ambiguity;          /* -A: 0/1, -1 unset */
	unsigned bmode;         /* -b: BM_* bits */
	bool bmode_locked;      /* -b STACK seen: later -b are ignored */
	enum cache_loc cache;   /* -c */
	bool cache_only;        /* -c ...,ONLY */
	char *datacache;        /* -C normalized list */
	char *debug;            /* -d canonical spec */
	char *display;          /* -D */
	bool exec_local;        /* -E */
	bool force;             /* -f */
	char *caller_version;   /* -F */
	char *geometry;         /* -g */
	char *jobid;            /* -j */
	int reuse;              /* -k REUSE:n, -1 unset */
	char *user;             /* -l */
	enum location location; /* -L */
	char *message;          /* -M */
	bool dryrun;            /* -n */
	char *output;           /* -o: "text" or "json" */
	struct strv extra;      /* -O words */
	char *dbpath;           /* -p */
	char *resolution;       /* -r */
	char *scope;            /* -s normalized: USER GROUP ALL USRLST=.. GRPLST=.. */
	char *sigignore;        /* -S */
	int verbose;            /* -v count */
	bool version;           /* -V */
	bool version_bare;      /* -V after -X: bare version, no newline */
	char *workspace;        /* -W */
	int resolver;           /* -x: 0 OFF, 1 STAR, 2 CHAIN, -1 unset */
	bool terse;             /* -X */
	bool colors;            /* -y */
	bool agentfwd;          /* -Y */
	int pty;                /* -z: ssh -t count 0..2, -1 unset */
	bool nopty;             /* -z NOPTY */
	char *su;               /* -Z normalized */
	bool help;              /* -h */
	char *helpopt;          /* -H */
};

/* Remote options: letters and arguments forwarded to the executing side. */
struct ropt {
	char letter;
	char *arg;              /* NULL for flags */
};
struct ropts {
	struct ropt *v;
	size_t n;
};

/* Settings from the configuration that option defaults depend on. */
struct opts_env {
	const char *default_type;       /* DEFAULT_C_SESSIONTYPE (VNC) */
	const char *default_scope;      /* DEFAULT_C_SCOPE (USER) */
	const char *default_list_args;  /* DEFAULT_C_MODE_ARGS_LIST */
	const char *prescan_type;       /* the last -t of the command line, or NULL */
};

/* Option flags. */
#define OPTF_REMOTE_ONLY 0x01  /* in a context: forwarded, not evaluated */
#define OPTF_STOP        0x02  /* parsing stops after it (-h -H -V) */
#define OPTF_INTERNAL    0x04  /* used between ctys processes */

struct opt_def {
	char letter;
	bool has_arg;
	unsigned flags;
	const char *argname;
	const char *help;
	ctys_err_t (*apply)(struct ctys_opts *o, const struct opts_env *env, const char *arg);
	/* Append " -x ARG" in canonical form when set; NULL: never rendered. */
	void (*render)(struct buf *out, const struct ctys_opts *o);
};

extern const struct opt_def opt_table[];
extern const size_t opt_count;

const struct opt_def *opt_lookup(char letter);

void opts_init(struct ctys_opts *o);
void opts_copy(struct ctys_opts *dst, const struct ctys_opts *src);
void opts_free(struct ctys_opts *o);

void ropts_merge(struct ropts *r, char letter, const char *arg);
void ropts_copy(struct ropts *dst, const struct ropts *src);
void ropts_free(struct ropts *r);
void ropts_render(struct buf *out, const struct ropts *r);

/* Where options come from: decides remote-only handling and messages. */
enum opts_mode {
	OPTS_GLOBAL,    /* command line; stops at the first non-option word */
	OPTS_CONTEXT,   /* a target's "(...)": every word must be an option */
	OPTS_REMOTE,    /* the leading "(...)": validated, all forwarded */
	OPTS_PRESCAN,   /* only record the last -t, validate nothing */
};

/*
 * Parse words[0..n) as options.  *consumed gets the number of words used
 * (GLOBAL: up to and including a "--"; other modes: all or error).
 * In CONTEXT and REMOTE mode forwarded letters go to `r`.  `where` names
 * the context in messages (e.g. "context of target 'h1'").  On error,
 * *bad_word is the index of the offending word.
 */
ctys_err_t opts_parse(struct ctys_opts *o, struct ropts *r, const struct opts_env *env,
	enum opts_mode mode, char *const *words, size_t n, size_t *consumed, size_t *bad_word,
	const char *where);

/* The canonical rendering of every option that is set, in table order. */
void opts_render(struct buf *out, const struct ctys_opts *o);

/* Names used in renders and messages. */
const char *location_name(enum location l);
void bmode_render(struct buf *out, unsigned bm);

#endif
