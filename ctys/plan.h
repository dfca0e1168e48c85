/*
 * plan.h — from parsed options and targets to canonical jobs.
 *
 * One job per target (per target and plugin for "-t ALL" with CREATE or
 * CANCEL).  Context options are superposed on the *current* state, which is
 * not reset between targets (cli-grammar.md §3: "superposed, but not
 * reset"); the remote-only letters go to the job's remote options.
 * Subtasks ({...}) are scopes: their context applies to every member (in
 * front of and behind the member's own options, like a group CONTEXT) and
 * the state is restored after the closing brace.  Groups are expanded in
 * place through the plan_env seam, so their members are cumulative like
 * any other target.
 */
#ifndef CTYS_PLAN_H
#define CTYS_PLAN_H

#include <stdbool.h>
#include <stddef.h>

#include <jansson.h>

#include "ctys/opts.h"
#include "ctys/target.h"
#include "lib/buf.h"
#include "lib/err.h"

#define PLAN_MAX_JOBS 1000000

struct job {
	unsigned id;             /* 1-based, in dispatch order */
	struct hop *hops;        /* bottom first; user filled in */
	size_t nhops;
	bool local;              /* runs on this machine without ssh */
	char *group;             /* enclosing groups/subtasks, "lab/VMSTACK#1", or NULL */
	char *type;              /* canonical session type, or "ALL" for collectors */
	struct ctys_opts opts;   /* the effective state for this job */
	struct ropts ropts;      /* remote options for this job */
};

struct plan {
	struct job *v;
	size_t n;
	bool stack_master;       /* ".VMSTACK" anywhere: stack controller mode */
};

/*
 * The seam to group expansion.  `expand` returns CTYS_ERR_NOENT (and no
 * text) when `name` is not a group; otherwise the member text (target
 * syntax) in *members and whether it is a VMSTACK group.  NULL: no groups.
 */
struct plan_env {
	const struct opts_env *oenv;
	const char *local_user;
	unsigned max_recurse;
	ctys_err_t (*group_expand)(void *ctx, const char *name, char **members, bool *vmstack);
	void *group_ctx;
};

/*
 * Build the jobs.  `global` and `gr` are the state after the global options;
 * they are not modified.  On error *out is empty and the message names the
 * target and position (offsets are relative to the target text; `base` is
 * added to make them command-line positions).
 */
ctys_err_t plan_build(const struct plan_env *env, const struct ctys_opts *global,
	const struct ropts *gr, const struct targets *ts, size_t base, struct plan *out);
void plan_free(struct plan *p);

/*
 * The levels of a VMSTACK: when job i is the first level of one (a run of
 * -b STACK jobs of one VMSTACK scope), the index one past its last level;
 * 0 when job i is not in a VMSTACK.  Levels are bottom first for CREATE.
 */
size_t plan_stack_end(const struct plan *p, size_t i);

/* "user@host:port[user@vm]..." of a job (appended to out). */
void job_address(struct buf *out, const struct job *j);

/*
 * Render the plan: one line per job, "key=value" fields (values quoted for
 * a POSIX shell when needed), or JSON lines when json is true.  The format
 * is documented in ctys(1) under DRY RUN.
 */
void plan_render_text(struct buf *out, const struct plan *p);
void plan_render_json(struct buf *out, const struct plan *p);

/* One job as a JSON object (the -o json line; also the body of a wire job). */
json_t *plan_job_json(const struct job *j);

#endif
