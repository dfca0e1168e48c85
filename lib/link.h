/*
 * link.h — run one job on a ctys-agent at the other end of an SSH session
 * and relay what it says.
 *
 * Used by the client for the first hop (or the last, with -x STAR) and by
 * each agent for the next hop (-x CHAIN).  The remote agent is started with
 * `<agent> --stdio` in an exec channel; the job travels as one protocol
 * line; every line coming back is handed to the sink unchanged.  The
 * caller always gets exactly one status for the job: the agent's, or one
 * made here naming the hop when the agent is missing, speaks another
 * protocol version, dies, or the job runs past its timeout.
 */
#ifndef CTYS_LINK_H
#define CTYS_LINK_H

#include <jansson.h>

#include "lib/err.h"
#include "lib/sshc.h"

struct link_sink {
	/* one decoded protocol message (borrowed) */
	void (*msg)(void *ctx, json_t *msg);
	void *ctx;
};

/* Exit codes of statuses made on this side. */
#define LINK_CODE_UNREACHABLE 255

/*
 * Start `agent_cmd` on session s, send hello and `job` (its "id" names the
 * job), relay replies to the sink until the job's status, the end of the
 * channel, or timeout_ms (0 = none).  `hop` is the host name used in a
 * status made here.  Returns CTYS_OK when a status was delivered (whatever
 * its code).
 */
ctys_err_t link_run_job(struct sshc *s, const char *agent_cmd, const json_t *job, const char *hop,
	int timeout_ms, const struct link_sink *sink);

/* Deliver a status made on this side (for connection failures). */
void link_fail(const struct link_sink *sink, const char *id, const char *hop, int code,
	const char *error);

#endif
