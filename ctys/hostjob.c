/*
 * hostjob.c — which jobs have a part on this machine (hostclient.h), and
 * whether a plan needs the network half of the client (net.h).  Pure
 * planning: no SSH here, so `ctys` can ask before it loads any.
 */
#include <stdlib.h>
#include <string.h>

#include "agents/plugin.h"
#include "ctys/action.h"
#include "ctys/hostclient.h"
#include "ctys/net.h"
#include "ctys/subopt.h"

bool
hostclient_wants(const struct job *j)
{
	int a = j->opts.action ? (int)j->opts.action->id : -1;
	bool cmd, stub;

	if (j->opts.location == LOC_SERVERONLY)
		return false;
	if (strcmp(j->type, "VNC") == 0 || strcmp(j->type, "RDP") == 0)
		return a == CTYS_ACT_CREATE || a == CTYS_ACT_CANCEL;
	if (strcmp(j->type, "X11") == 0)
		return a == CTYS_ACT_CREATE;
	if (strcmp(j->type, "CLI") != 0 || a != CTYS_ACT_CREATE)
		return false;
	cmd = action_find_subopt(j->opts.action, j->opts.subopts, "CMD", NULL);
	stub = action_find_subopt(j->opts.action, j->opts.subopts, "STUBMODE", NULL);
	return !cmd || stub;
}

bool
plan_needs_net(const struct plan *p, bool dryrun)
{
	const char *ldap = getenv("CTYS_LDAP_URI");
	size_t i;

	if (ldap && *ldap)
		return true;
	if (dryrun)
		return false;
	for (i = 0; i < p->n; i++) {
		const struct job *j = &p->v[i];

		if (!j->local || j->nhops > 1 || hostclient_wants(j))
			return true;
	}
	return false;
}
