/*
 * dispatch.h — running the jobs of a plan.
 *
 * Each job goes to the agent of its first hop (CHAIN, the default: every
 * layer opens the next) or, with -x STAR, straight to the agent of its
 * last hop through tunnels this client opens hop by hop.  A job whose
 * first hop is localhost (as the calling user) starts in-process.  One SSH
 * session per distinct host per run.
 *
 * Order and concurrency follow -b: PAR jobs run concurrently, at most
 * `fanout` at a time; a SEQ job runs alone to completion (jobs started
 * before it keep running); STACK jobs run in order and a failing level
 * stops the levels after it in the same stack.  Output streams as it
 * arrives: records to stdout, remote stderr to stderr, errors as
 * "ctys: <target>: <message>".  The exit status is the worst job status.
 */
#ifndef CTYS_DISPATCH_H
#define CTYS_DISPATCH_H

#include <signal.h>
#include <stdbool.h>
#include <stdio.h>

#include "ctys/plan.h"
#include "lib/sshc.h"

struct dispatch_cfg {
	struct sshc_cfg ssh;
	const char *agent_cmd;   /* remote agent command, default "ctys-agent" */
	unsigned fanout;         /* concurrent jobs, default 32 */
	int timeout;             /* seconds per job, 0 = none */
	bool summary;            /* per-target summary on stderr at the end */
	FILE *out, *err;
	/*
	 * Optional consumers (ctys-vdbgen): collector records go to on_record
	 * instead of the output; on_status sees each job's final status.  Both
	 * are called under the dispatcher's lock, one at a time.
	 */
	void (*on_record)(void *ctx, const struct job *j, const json_t *rec);
	void (*on_status)(void *ctx, const struct job *j, int code, const char *hop,
		const char *error);
	void *hook_ctx;
	/*
	 * Cancellation (the interactive shell), NULL = none.  A watcher thread
	 * reads *cancel every 50 ms (a signal handler may raise it):
	 *   DISPATCH_CANCEL_STATUS (1)  one line per job goes to err,
	 *       "ctys: status: job <n> <target>: waiting|running <s> s|exit <code>";
	 *       the jobs go on;
	 *   DISPATCH_CANCEL_ABORT (2)   every job not finished is reported as
	 *       "ctys: <target>: cancelled" with status 130, no further job
	 *       starts, and on_abort(hook_ctx) is called from the watcher.
	 * A job's SSH channel is read inside lib/link.c, which has no cancel
	 * point: the jobs already running go on until on_abort ends the
	 * process (which closes their channels) or they end by themselves;
	 * their late statuses are ignored.  Raise the value once per step.
	 */
	volatile sig_atomic_t *cancel;
	void (*on_abort)(void *ctx);
};

#define DISPATCH_CANCEL_STATUS 1
#define DISPATCH_CANCEL_ABORT  2
#define DISPATCH_CANCELLED     130 /* exit status of a cancelled job */

struct conf;

/*
 * Zero *cfg and fill in the settings from the configuration:
 * CTYS_SSH_CONFIG, CTYS_CONNECT_TIMEOUT (10), CTYS_AGENT (ctys-agent),
 * CTYS_FANOUT (32), CTYS_TIMEOUT (300).  The strings are borrowed from conf.
 */
void dispatch_cfg_from_conf(struct dispatch_cfg *cfg, const struct conf *conf);

/* Run every job; returns the exit status (the worst job status, 0 if none). */
int dispatch_run(const struct dispatch_cfg *cfg, const struct plan *p);

#endif
