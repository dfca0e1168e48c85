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
	const json_t *none = NULL;
	int a = j->opts.action ? (int)j->opts.action->id : -1;
	struct subopts so;
	bool cmd = false, stub = false;
	size_t i;

	(void)none;
	if (j->opts.location == LOC_SERVERONLY)
		return false;
	if (strcmp(j->type, "VNC") == 0 || strcmp(j->type, "RDP") == 0)
		return a == CTYS_ACT_CREATE || a == CTYS_ACT_CANCEL;
	if (strcmp(j->type, "X11") == 0)
		return a == CTYS_ACT_CREATE;
	if (strcmp(j->type, "CLI") != 0 || a != CTYS_ACT_CREATE)
		return false;
	if (j->opts.subopts && subopt_scan(j->opts.subopts, &so) == CTYS_OK) {
		for (i = 0; i < so.n; i++) {
			const struct subopt_def *d = action_subopt(j->opts.action, so.v[i].key);

			if (d && strncmp(d->names, "CMD", 3) == 0 && d->names[3] == '\0')
				cmd = true;
			if (d && strncmp(d->names, "STUBMODE", 8) == 0)
				stub = true;
		}
		subopt_free(&so);
	}
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
