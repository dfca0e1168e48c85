/*
 * stackcheck.h — the STACKCHECK consistency checks of a VMSTACK CREATE
 * (stacks.md §2.3), made on the cache DB records of its levels before
 * anything starts.
 *
 * For each level k above the bottom, against the machine that level k-1
 * starts (its "container"):
 *   CONTEXT   level k runs on that machine: its execution target is the
 *             container's LABEL, TCP address or NETNAME (or NETNAME's
 *             first label);
 *   STACKCAP  a VM level's session type is in the container's STACKCAP;
 *   HWCAP     a VM level's VCPU and VRAM (an M suffix ignored) are at most
 *             the container's, and its ARCH fits on the container's
 *             (i386/i86pc on i386, i86pc, x86_64, amd64; x86_64/amd64 on
 *             x86_64, amd64; others equal).
 * A check needs both values: a level or container without a cache record,
 * or an empty field, is not checked (said at -d level 2).  The level's
 * STACKCHECK suboption selects: OFF, or CONTEXT|NOCONTEXT, HWCAP|NOHWCAP,
 * STACKCAP|NOSTACKCAP joined by '%'; default all.
 */
#ifndef CTYS_STACKCHECK_H
#define CTYS_STACKCHECK_H

#include <stdbool.h>

#include "cache/record.h"
#include "ctys/plan.h"
#include "lib/err.h"

/* Which checks a STACKCHECK value selects. */
struct stackcheck_sel {
	bool context, hwcap, stackcap;
	bool pm_position;        /* a PM only at level 0 (planner; all but OFF) */
};

/*
 * Parse a STACKCHECK value (NULL: the default, all checks).  Unknown
 * words are CTYS_ERR_USAGE naming the word.
 */
ctys_err_t stackcheck_parse(const char *value, struct stackcheck_sel *out);

/* The selection of job j's STACKCHECK suboption (last one wins). */
ctys_err_t stackcheck_of_job(const struct job *j, struct stackcheck_sel *out);

/* Does a machine of arch `guest` run on one of arch `host`?  Empty fits. */
bool stackcheck_arch_fits(const char *guest, const char *host);

/*
 * Check every VMSTACK CREATE of the plan.  recs[i] is job i's machine
 * record from the cache DB (buf == NULL when unknown).  The first
 * violation is CTYS_ERR_USAGE naming the stack, the level, the values
 * and the suboption that skips the check.
 */
ctys_err_t stackcheck_plan(const struct plan *p, const struct rec *recs);

#endif
