/*
 * pm.c — the PM plugin: the physical (or virtual) machine itself
 * (plugins.md §5.1).  So far: the host identity part of INFO.
 */
#include <stdio.h>
#include <string.h>
#include <sys/utsname.h>
#include <unistd.h>

#include "agents/agent.h"
#include "agents/exec.h"
#include "agents/plugins.h"
#include "lib/paths.h"

/* INFO: the host identity block (actions.md §7). */
static void
exec_info(const json_t *job, const struct job_out *o)
{
	struct utsname u;
	char line[512];

	(void)job;
	uname(&u);
	job_rec(o, "############################");
	snprintf(line, sizeof line, "Node:%s", agent_hostname());
	job_rec(o, line);
	snprintf(line, sizeof line, "System  :%s", u.sysname);
	job_rec(o, line);
	snprintf(line, sizeof line, "RELEASE :%s", u.release);
	job_rec(o, line);
	snprintf(line, sizeof line, "MACHINE :%s", u.machine);
	job_rec(o, line);
	snprintf(line, sizeof line, "USER    :%s", ctys_user());
	job_rec(o, line);
}

static ctys_err_t
pm_info(const struct pjob *j)
{
	exec_info(j->job, j->out);
	return CTYS_OK;
}

static void
pm_probe(struct plugin_state *st)
{
	struct utsname u;

	uname(&u);
	st->enabled = st->server = st->client = true;
	snprintf(st->magic, sizeof st->magic, "PM_%s", u.sysname);
}

const struct plugin_ops pm_ops = {
	.probe = pm_probe,
	.info = pm_info,
};
