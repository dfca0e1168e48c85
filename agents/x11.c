/*
 * x11.c — the X11 plugin on the executing machine (plugins.md §5.7,
 * ctys-X11(1)).  The X client itself is started by the ctys client over
 * an SSH session with X11 forwarding (ctys/hostclient.c); here are LIST
 * (the processes started so, found by CTYS_TYPE=X11 in their environment,
 * label from CTYS_LABEL) and the probe.
 */
#include <stdio.h>
#include <string.h>

#include "agents/exec.h"
#include "agents/hosts.h"
#include "agents/plugins.h"
#include "agents/tool.h"

static ctys_err_t
x11_list(const struct pjob *j, rec_emit_fn emit, void *ctx)
{
	struct hproc *v;
	size_t n, i;

	if (job_has_subopt(j->job, "SERVER") || job_has_subopt(j->job, "TUNNEL"))
		return CTYS_OK; /* X11 sessions are clients */
	n = hosts_procs(NULL, &v);
	for (i = 0; i < n; i++) {
		struct hrec r = { j->hop, "X11", v[i].label, NULL, NULL, NULL, NULL, "CLIENT",
			v[i].argv.v[0], v[i].pid, v[i].uid };

		/* the exec'd client, not helpers it started with the same environment */
		if (strcmp(v[i].type, "X11") == 0 && v[i].label[0])
			hosts_emit(&r, emit, ctx);
	}
	hosts_procs_free(v, n);
	return CTYS_OK;
}

static void
x11_probe(struct plugin_state *st)
{
	char p[512];

	st->enabled = st->server = st->client = true;
	snprintf(st->magic, sizeof st->magic, "%s", tool_which("xterm", p, sizeof p) ? "X11" :
	    "X11_NOXTERM");
}

const struct plugin_ops x11_ops = {
	.probe = x11_probe,
	.list = x11_list,
};
