/* viewer.c — see viewer.h. */
#include "agents/viewer.h"

#include <stdio.h>
#include <string.h>

#include "agents/exec.h"
#include "agents/hosts.h"
#include "agents/tool.h"
#include "lib/util.h"
#include "lib/xmalloc.h"

static void
tigervnc_args(struct strv *a, const char *host, int port, const char *label, const char *geom,
    const char *passwd)
{
	(void)label; /* the window shows the server's desktop name, which is the label */
	/* end with the server: no dialogs that would keep a dead viewer open */
	strv_push(a, "-AlertOnFatalError=0");
	strv_push(a, "-ReconnectOnError=0");
	if (passwd) {
		strv_push(a, "-passwd");
		strv_push(a, passwd);
	}
	if (geom) {
		strv_push(a, "-geometry");
		strv_push(a, geom);
	}
	strv_push_owned(a, xasprintf("%s::%d", host, port));
}

static void
freerdp_args(struct strv *a, const char *host, int port, const char *label, const char *geom,
    const char *passwd)
{
	(void)passwd;
	strv_push_owned(a, xasprintf("/v:%s:%d", host, port));
	strv_push_owned(a, xasprintf("/title:%s", label));
	if (geom)
		strv_push_owned(a, xasprintf("/size:%s", geom));
}

static void
rdesktop_args(struct strv *a, const char *host, int port, const char *label, const char *geom,
    const char *passwd)
{
	(void)passwd;
	strv_push(a, "-T");
	strv_push(a, label);
	if (geom) {
		strv_push(a, "-g");
		strv_push(a, geom);
	}
	strv_push_owned(a, xasprintf("%s:%d", host, port));
}

static const struct viewer viewers[] = {
	{ "VNC", "xtigervncviewer", "TIGERVNC", "tigervnc-viewer", tigervnc_args },
	{ "VNC", "vncviewer", "VNCVIEWER", "tigervnc-viewer", tigervnc_args },
	{ "RDP", "xfreerdp", "XFREERDP", "freerdp2-x11", freerdp_args },
	{ "RDP", "rdesktop", "RDESKTOP", "rdesktop", rdesktop_args },
};
#define NVIEWERS (sizeof viewers / sizeof viewers[0])

const struct viewer *
viewer_for(const char *type, const json_t *job, bool here, char *path, size_t n)
{
	const char *con = job_subopt(job, "CONSOLE");
	const struct viewer *first = NULL;
	size_t i;

	for (i = 0; i < NVIEWERS; i++) {
		const struct viewer *v = &viewers[i];

		if (strcmp(v->type, type) != 0 || (con && !str_ieq(con, v->console)))
			continue;
		if (first == NULL)
			first = v;
		if (!here) {
			snprintf(path, n, "%s", v->prog);
			return v;
		}
		if (tool_which(v->prog, path, n))
			return v;
	}
	if (first == NULL) {
		ctys_seterr(CTYS_ERR_USAGE, "unknown CONSOLE '%s' for %s", con ? con : "", type);
		return NULL;
	}
	ctys_seterr(CTYS_ERR_NOENT, "%s not found on this machine: install the Debian package %s",
	    first->prog, first->package);
	return NULL;
}

void
viewer_argv(const struct viewer *v, const char *path, const json_t *job, const char *host,
    int port, const char *label, const char *passwd, struct strv *out)
{
	const char *co = job_subopt(job, "CALLOPTS"), *xo = job_subopt(job, "XOPTS");
	const char *g = hosts_job_opt(job, 'g');
	char geom[64];

	/* the client geometry -g without its screen part */
	if (g)
		snprintf(geom, sizeof geom, "%.*s", (int)strcspn(g, ":"), g);
	strv_push(out, path);
	v->args(out, host, port, label, g && *g ? geom : NULL, passwd);
	if (co)
		strv_split_ws(out, co);
	if (xo)
		strv_split_ws(out, xo);
}

void
viewer_names(const char *type, const char **out, size_t max)
{
	size_t i, k = 0;

	for (i = 0; i < NVIEWERS && k + 1 < max; i++)
		if (strcmp(viewers[i].type, type) == 0)
			out[k++] = viewers[i].prog;
	out[k] = NULL;
}
