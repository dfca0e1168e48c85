/*
 * rdp.c — the RDP plugin on the executing machine (plugins.md §5.9,
 * ctys-RDP(1)): client only.  The client (xfreerdp or rdesktop) is started
 * by the ctys client, here through tunnels (CONNECTIONFORWARDING) or on
 * the target with its display forwarded (ctys/hostclient.c).  Here: LIST
 * and CANCEL of the clients (label from CTYS_LABEL in their environment),
 * GETCLIENTPORT, and CREATE for a SERVERONLY job, which has nothing to
 * start and reports the port (RDPPORT, default 3389).
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "agents/exec.h"
#include "agents/hosts.h"
#include "agents/plugins.h"
#include "agents/viewer.h"
#include "lib/xmalloc.h"

#define RDP_PORT 3389

/* The RDP clients of this machine. */
static size_t
clients(struct hproc **out)
{
	const char *names[8];

	viewer_names("RDP", names, 8);
	return hosts_procs(names, out);
}

static ctys_err_t
rdp_list(const struct pjob *j, rec_emit_fn emit, void *ctx)
{
	struct hproc *v;
	size_t n, i;

	if (job_has_subopt(j->job, "SERVER") || job_has_subopt(j->job, "TUNNEL"))
		return CTYS_OK;
	n = clients(&v);
	for (i = 0; i < n; i++) {
		struct hrec r = { j->hop, "RDP", v[i].label, NULL, NULL, NULL, NULL, "CLIENT",
			v[i].argv.v[0], v[i].pid, v[i].uid };

		hosts_emit(&r, emit, ctx);
	}
	hosts_procs_free(v, n);
	return CTYS_OK;
}

static void
rdp_create(const struct pjob *j)
{
	const char *l = job_subopt(j->job, "LABEL"), *p = job_subopt(j->job, "RDPPORT");
	char *m;

	if (l == NULL) {
		job_status(j->out, 1, "RDP CREATE needs LABEL:<label>");
		return;
	}
	m = xasprintf("CLIENTPORT(RDP,%s,%s)=%d", j->hop, l, p ? atoi(p) : RDP_PORT);
	job_rec(j->out, m);
	free(m);
	job_status(j->out, 0, NULL);
}

static void
rdp_cancel(const struct pjob *j)
{
	const char *l = job_subopt(j->job, "LABEL");
	bool all = job_has_subopt(j->job, "ALL");
	struct hproc *v;
	size_t n, i, done = 0;
	int worst = 0;
	char *m;

	if (l == NULL && !all) {
		job_status(j->out, 1, "RDP CANCEL needs LABEL:<label> or ALL");
		return;
	}
	n = clients(&v);
	for (i = 0; i < n; i++) {
		if (!all && strcasecmp(v[i].label, l) != 0)
			continue;
		done++;
		if (!hosts_stop(v[i].pid, 2000, true))
			worst = 2;
	}
	hosts_procs_free(v, n);
	if (done == 0 && !all) {
		m = xasprintf("no RDP client '%s' on '%s'", l, j->hop);
		job_status(j->out, 1, m);
		free(m);
		return;
	}
	job_status(j->out, worst, worst ? "not every RDP client ended" : NULL);
}

static void
rdp_getclientport(const struct pjob *j)
{
	const char *a = job_free_arg(j->job);
	char *m = xasprintf("CLIENTPORT(RDP,%s,%s)=%d", j->hop, a ? a : "", RDP_PORT);

	job_rec(j->out, m);
	free(m);
	job_status(j->out, 0, NULL);
}

static void
rdp_probe(struct plugin_state *st)
{
	char p[512];
	const struct viewer *v = viewer_for("RDP", NULL, true, p, sizeof p);

	st->enabled = true;
	st->client = v != NULL;
	snprintf(st->magic, sizeof st->magic, "%s", v ? v->console : "NOLOC");
}

const struct plugin_ops rdp_ops = {
	.probe = rdp_probe,
	.run = { [CTYS_ACT_CREATE] = rdp_create, [CTYS_ACT_CANCEL] = rdp_cancel,
		[CTYS_ACT_GETCLIENTPORT] = rdp_getclientport },
	.list = rdp_list,
};
