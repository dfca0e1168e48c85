/*
 * agent.h — the ctys agent: runs a job on this layer or forwards it to the
 * next one.
 *
 * ctys-agent --stdio reads protocol lines (ctys-protocol(5)) on stdin and
 * answers on stdout.  The same engine runs in-process in the client for
 * jobs whose first hop is this machine (localhost).
 *
 * A job message carries its hop chain and "at", the index of the hop that
 * receives it.  At the last hop the job is executed (agent_exec); below it,
 * in CHAIN mode, this agent connects to hop at+1 with its own SSH
 * configuration and keys, starts the agent there and relays every message
 * back unchanged.
 */
#ifndef CTYS_AGENT_H
#define CTYS_AGENT_H

#include <stdbool.h>

#include <jansson.h>

#include "lib/link.h"
#include "lib/sshc.h"

struct agent;

/* Settings: configuration file ($CTYS_SSH_CONFIG), agent command on the next hop. */
struct agent_cfg {
	struct sshc_cfg ssh;
	const char *agent_cmd;   /* CTYS_AGENT, default "ctys-agent" */
};

struct agent *agent_new(const struct agent_cfg *cfg);
void agent_free(struct agent *a);

/*
 * Passing a job on to hop at+1 (CHAIN).  ctys-agent has none, so it loads
 * no SSH library and starts fast on last hops; ctys-agent-relay and the
 * client install relay_forward (agents/relay.h).
 */
typedef void (*agent_forward_fn)(void *ctx, const struct agent_cfg *cfg, const json_t *job,
	const struct link_sink *sink);
void agent_set_forward(struct agent *a, agent_forward_fn fn, void *ctx, void (*free_ctx)(void *));

/*
 * The command that starts an agent for a job on the next hop: the relay
 * when the job must go further from there, else the plain agent.  Returns
 * a new string.
 */
char *agent_command(const char *agent_cmd, bool relay);

/* This machine's name as reported in "hop" fields. */
const char *agent_hostname(void);

/*
 * Handle one job message: execute it here or forward it.  Every message,
 * the final status included, goes to the sink (possibly from this thread
 * only; the call returns after the status).
 */
void agent_handle_job(struct agent *a, const json_t *job, const struct link_sink *sink);

/*
 * Serve the protocol on in_fd/out_fd until EOF on in_fd and every job has
 * finished.  Jobs run concurrently, each in its own thread.  Returns the
 * process exit status (0, or 2 when the peer broke the protocol).
 * When the reader of out_fd goes away (the client's channel closed) while
 * jobs run, the processes of the jobs are ended (job_children_kill) and the
 * process exits with AGENT_EXIT_HANGUP: nobody is left to report to.
 */
#define AGENT_EXIT_HANGUP 129
int agent_serve(struct agent *a, int in_fd, int out_fd);

#endif
