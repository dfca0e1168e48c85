/*
 * net.c — the network half of the client behind ctys_net; see net.h.
 * Only the programs that call ctys_net_enable() link this file, and with it
 * libssh and libldap.
 */
#include "ctys/net.h"

#include <stdlib.h>

#include "agents/agent.h"
#include "agents/relay.h"
#include "cache/ldap-dir.h"
#include "ctys/hostclient.h"
#include "lib/link.h"
#include "lib/proto.h"
#include "lib/sshc.h"

#define LOGIN(j, h) ((j)->hops[h].user_given ? (j)->hops[h].user : NULL)

static void
net_send(struct sshc_pool *pool, const char *agent_cmd, const struct job *j, json_t *job,
    bool star, size_t first, int tmo, const struct link_sink *sink)
{
	const char *id = proto_str(job, "id");
	struct sshc *s = NULL;
	size_t h;

	if (!star) {
		s = sshc_pool_get(pool, NULL, LOGIN(j, 0), j->hops[0].host, j->hops[0].port,
		    j->opts.agentfwd);
		if (s == NULL) {
			link_fail(sink, id, j->hops[0].host, LINK_CODE_UNREACHABLE, ctys_errmsg());
		} else {
			/* the relay (with SSH) only where the job goes further */
			char *cmd = agent_command(agent_cmd, j->nhops > 1);

			link_run_job(s, cmd, job, j->hops[0].host, tmo, sink);
			free(cmd);
		}
		return;
	}
	for (h = first; h < j->nhops; h++) {
		s = sshc_pool_get(pool, s, LOGIN(j, h), j->hops[h].host, j->hops[h].port, false);
		if (s == NULL) {
			link_fail(sink, id, j->hops[h].host, LINK_CODE_UNREACHABLE, ctys_errmsg());
			return;
		}
	}
	link_run_job(s, agent_cmd, job, j->hops[j->nhops - 1].host, tmo, sink);
}

static const struct ctys_net net = {
	.pool_new = sshc_pool_new,
	.pool_free = sshc_pool_free,
	.relay_enable = relay_enable,
	.send = net_send,
	.hostclient_run = hostclient_run,
	.dir_open = dir_session_open,
	.dir_close = dir_session_close,
};

void
ctys_net_enable(void)
{
	ctys_net = &net;
}
