/* relay.c — see relay.h. */
#include "agents/relay.h"

#include <stdlib.h>

#include "lib/proto.h"
#include "lib/xmalloc.h"

static void
relay_forward(void *ctx, const struct agent_cfg *cfg, const json_t *job,
    const struct link_sink *sink)
{
	struct sshc_pool *pool = ctx;
	json_t *hops = json_object_get(job, "hops"), *next, *fwd;
	long long at = proto_int(job, "at"), timeout = proto_int(job, "timeout");
	size_t n = json_array_size(hops);
	const char *id = proto_str(job, "id");
	const char *here = proto_str(json_array_get(hops, (size_t)at), "host");
	struct sshc *s;
	char *m, *cmd;

	next = json_array_get(hops, (size_t)at + 1);
	s = sshc_pool_get(pool, NULL, json_string_value(json_object_get(next, "login")),
	    proto_str(next, "host"), json_string_value(json_object_get(next, "port")),
	    json_is_true(json_object_get(json_object_get(job, "options"), "Y")));
	if (s == NULL) {
		m = xasprintf("'%s' cannot reach '%s': %s", here, proto_str(next, "host"), ctys_errmsg());
		link_fail(sink, id, proto_str(next, "host"), LINK_CODE_UNREACHABLE, m);
		free(m);
		return;
	}
	fwd = json_deep_copy(job);
	json_object_set_new(fwd, "at", json_integer(at + 1));
	cmd = agent_command(cfg->agent_cmd, (size_t)at + 2 < n);
	/*
	 * 3 s more per hop beyond this one (the client adds 3 s per hop of the
	 * job): the innermost hop times out first, so a layer that stopped
	 * answering is named by the hop right below it, not by a relay further
	 * out whose deadline would fall at the same moment.
	 */
	link_run_job(s, cmd, fwd, proto_str(next, "host"),
	    timeout > 0 ? (int)(timeout * 1000 + 3000 * ((long long)n - at - 1)) : 0, sink);
	free(cmd);
	json_decref(fwd);
}

static void
pool_free(void *ctx)
{
	sshc_pool_free(ctx);
}

void
relay_enable(struct agent *a, const struct sshc_cfg *ssh)
{
	agent_set_forward(a, relay_forward, sshc_pool_new(ssh), pool_free);
}
