/*
 * pm.c — the PM plugin: the physical (or virtual) machine itself
 * (plugins.md §5.1, ctys-PM(1)).  The ops table and the glue between jobs
 * and the parts in pm-host.c, pm-conf.c and pm-run.c (see pm.h).
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "agents/agent.h"
#include "agents/exec.h"
#include "agents/plugins.h"
#include "agents/pm.h"
#include "lib/xmalloc.h"

#ifndef CTYS_VERSION
#define CTYS_VERSION "0.0.0"
#endif

#define PM_CONF_DEFAULT "/etc/ctys.d/pm.conf"

static void
emit_lines(const struct pjob *j, struct strv *lines)
{
	size_t i;

	for (i = 0; i < lines->n; i++)
		job_rec(j->out, lines->v[i]);
	strv_free(lines);
}

static ctys_err_t
pm_info(const struct pjob *j)
{
	struct pm_host *h = xmalloc(sizeof *h);
	struct strv l = STRV_INIT;

	pm_host_read(h);
	pm_info_lines(h, agent_hostname(), &l);
	emit_lines(j, &l);
	free(h);
	return CTYS_OK;
}

static ctys_err_t
pm_show(const struct pjob *j)
{
	struct pm_host *h = xmalloc(sizeof *h);
	struct conf *vars = pm_vars_load();
	struct strv l = STRV_INIT;
	struct pm_show_cfg cfg;

	pm_host_read(h);
	pm_show_cfg_init(&cfg, vars);
	pm_show_lines(h, agent_hostname(), &cfg, &l);
	emit_lines(j, &l);
	conf_free(vars);
	free(h);
	return CTYS_OK;
}

/*
 * Read and parse one pm.conf.  False (with a warning naming the file) when
 * it cannot be read, is too big or lacks #@#MAGICID-<OS>; false silently
 * for MAGICID-IGNORE/NOENUM.
 */
static bool
load_conf(const struct pjob *j, const char *path, const char *os, struct pm_conf *c)
{
	FILE *f = fopen(path, "r");
	char *text, *m = NULL;
	size_t n;

	if (f == NULL) {
		m = xasprintf("cannot read '%s'", path);
	} else {
		text = xmalloc(PM_CONF_MAX + 1);
		n = fread(text, 1, PM_CONF_MAX + 1, f);
		fclose(f);
		if (pm_conf_parse(text, n, os, c) != CTYS_OK)
			m = xasprintf("'%s': %s", path, ctys_errmsg());
		else if (!c->ignore && !c->magic)
			m = xasprintf("'%s' has no #@#MAGICID-%s line: not used", path, os);
		free(text);
	}
	if (m) {
		job_msg(j->out, "warning", m);
		free(m);
	}
	if (m || c->ignore) {
		pm_conf_free(c);
		return false;
	}
	return true;
}

static ctys_err_t
pm_enumerate(const struct pjob *j, const struct strv *bases, rec_emit_fn emit, void *ctx)
{
	struct pm_host *h = xmalloc(sizeof *h);
	struct strv files = STRV_INIT;
	struct pm_conf c;
	size_t i, used = 0;
	char *etc = xasprintf("%s" PM_CONF_DEFAULT, pm_root());

	pm_host_read(h);
	pm_conf_files(bases, &files);
	for (i = 0; i < files.n; i++) {
		if (!load_conf(j, files.v[i], h->sysname, &c))
			continue;
		/* field 4 is the path as found (the default one without a test root) */
		pm_enum_records(h, &c, strcmp(files.v[i], etc) == 0 ? PM_CONF_DEFAULT : files.v[i],
		    CTYS_VERSION, emit, ctx);
		pm_conf_free(&c);
		used++;
	}
	if (used == 0)
		pm_enum_records(h, NULL, PM_CONF_DEFAULT, CTYS_VERSION, emit, ctx);
	free(etc);
	strv_free(&files);
	free(h);
	return CTYS_OK;
}

static ctys_err_t
pm_list(const struct pjob *j, rec_emit_fn emit, void *ctx)
{
	struct pm_host *h = xmalloc(sizeof *h);
	struct strv files = STRV_INIT;
	struct pm_conf c;
	bool have = false;

	pm_host_read(h);
	pm_conf_files(NULL, &files);
	if (files.n)
		have = load_conf(j, files.v[0], h->sysname, &c);
	pm_list_record(h, have ? &c : NULL, PM_CONF_DEFAULT, emit, ctx);
	if (have)
		pm_conf_free(&c);
	strv_free(&files);
	free(h);
	return CTYS_OK;
}

static void
pm_probe(struct plugin_state *st)
{
	struct pm_host *h = xmalloc(sizeof *h);

	pm_host_read(h);
	st->enabled = st->server = st->client = strcmp(h->sysname, "Linux") == 0;
	snprintf(st->magic, sizeof st->magic, "PM_%s", h->sysname);
	snprintf(st->accel, sizeof st->accel, "%s", pm_accel(h));
	if (!st->enabled)
		snprintf(st->why, sizeof st->why, "the PM plugin supports Linux only, this is %s",
		    h->sysname);
	free(h);
}

const struct plugin_ops pm_ops = {
	.probe = pm_probe,
	.run = { [CTYS_ACT_CREATE] = pm_run_create, [CTYS_ACT_CANCEL] = pm_run_cancel },
	.list = pm_list,
	.enumerate = pm_enumerate,
	.info = pm_info,
	.show = pm_show,
};
