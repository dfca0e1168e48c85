/* collect.c — see collect.h. */
#include "agents/collect.h"

#include <regex.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "agents/exec.h"
#include "lib/buf.h"
#include "lib/paths.h"
#include "lib/proto.h"
#include "lib/util.h"
#include "lib/xmalloc.h"

#ifndef CTYS_VERSION
#define CTYS_VERSION "0.0.0"
#endif

struct emitter {
	const struct pjob *j;
	const struct plugin_desc *p;
	const char *kind;
	size_t want;
	regex_t *vstat;         /* ENUMERATE filter on field 19, or NULL */
	unsigned dropped;
};

static void
emit(void *ctx, const char *const *fields, size_t n)
{
	struct emitter *e = ctx;
	char *m;

	if (n != e->want) {
		m = xasprintf("plugin %s: record with %zu fields dropped (%zu required)", e->p->name,
		    n, e->want);
		job_msg(e->j->out, "error", m);
		free(m);
		e->dropped++;
		return;
	}
	if (e->vstat && regexec(e->vstat, fields[18] ? fields[18] : "", 0, NULL, 0) != 0)
		return;
	job_record(e->j->out, e->kind, e->p->name, fields, n);
}

/* Is plugin p selected by the job (-t, -T, PKG)? */
static bool
selected(const struct pjob *j, const struct plugin_desc *p)
{
	const char *type = proto_str(j->job, "type"), *T, *pkg;
	json_t *opts = json_object_get(j->job, "options");
	struct strv l = STRV_INIT;
	bool ok = true;
	size_t i;

	if (*type && strcmp(type, "ALL") != 0)
		return strcmp(type, p->name) == 0;
	T = json_string_value(json_object_get(opts, "T"));
	if (T && strcmp(T, "ALL") != 0) {
		char *c = xstrdup(T), *s;

		for (s = c; *s; s++)
			if (*s == ',')
				*s = ' ';
		strv_split_ws(&l, c);
		free(c);
		ok = false;
		for (i = 0; i < l.n; i++)
			ok |= str_ieq(l.v[i], p->name);
		strv_free(&l);
	}
	pkg = job_subopt(j->job, "PKG");
	if (ok && pkg) {
		strv_split_ws(&l, pkg);
		ok = false;
		for (i = 0; i < l.n; i++) {
			const struct plugin_desc *q = plugin_lookup(l.v[i], strlen(l.v[i]));

			ok |= q == p;
		}
		strv_free(&l);
	}
	return ok;
}

ctys_err_t
collect_vstat_regex(const char *spec, char **re, bool *any, bool *need_server)
{
	static const char *const known[] = { "ACTIVE", "DISABLED", "BACKUP", "TEMPLATE",
		"TESTDUMMY", "IGNORE" };
	struct strv w = STRV_INIT;
	struct buf b = BUF_INIT;
	bool custom = false;
	size_t i, k;

	*any = false;
	*need_server = true;
	*re = NULL;
	if (spec == NULL) {
		*re = xstrdup("^(ACTIVE|DISABLED)$|^$");
		return CTYS_OK;
	}
	strv_split_ws(&w, spec);
	for (i = 0; i < w.n; i++) {
		char *u = str_upper(w.v[i]);

		if (strcmp(u, "PRESENT") == 0 || strcmp(u, "ALL") == 0) {
			*any = true;
			*need_server = strcmp(u, "PRESENT") == 0;
			free(u);
			break;
		}
		if (strcmp(u, "CUSTOM") == 0) {
			custom = true;
			free(u);
			continue;
		}
		if (b.len)
			buf_addc(&b, '|');
		if (strcmp(u, "EMPTY") == 0) {
			buf_adds(&b, "^$");
		} else if (strcmp(u, "ENABLED") == 0) {
			buf_adds(&b, "^ACTIVE$");
		} else {
			for (k = 0; k < sizeof known / sizeof *known; k++)
				if (strcmp(u, known[k]) == 0)
					break;
			if (k == sizeof known / sizeof *known && !custom) {
				ctys_seterr(CTYS_ERR_NOENT, "unknown MATCHVSTAT state '%s' (ACTIVE, "
				    "DISABLED, EMPTY, BACKUP, TEMPLATE, TESTDUMMY, IGNORE, ENABLED, "
				    "PRESENT, ALL, or CUSTOM before own states)", w.v[i]);
				free(u);
				strv_free(&w);
				buf_free(&b);
				return CTYS_ERR_NOENT;
			}
			buf_addf(&b, "^%s$", u);
		}
		free(u);
	}
	strv_free(&w);
	*re = buf_detach(&b);
	return CTYS_OK;
}

static void
info_plugins(const struct pjob *j)
{
	struct buf b = BUF_INIT;
	size_t i;

	buf_adds(&b, "Plugins :");
	for (i = 0; i < plugin_count; i++) {
		const struct plugin_state *st = plugin_state(&plugin_table[i]);

		buf_addf(&b, " %s(%s%s%s)", plugin_table[i].name, st->enabled ? "ENABLED" : "DISABLED",
		    st->magic[0] ? "," : "", st->magic);
	}
	job_rec(j->out, "ctys    :" CTYS_VERSION);
	job_rec(j->out, buf_cstr(&b));
	buf_free(&b);
}

/* Does the job carry free argument `word` (INFO=PLUGINS), in any case? */
static bool
has_word(const json_t *job, const char *word)
{
	json_t *it;
	size_t i;

	json_array_foreach(json_object_get(job, "subopts"), i, it)
		if (str_ieq(proto_str(it, "key"), word))
			return true;
	return false;
}

/* INFO=PLUGINS: one "plugin" record per selected plugin (collect.h). */
static void
report_plugins(const struct pjob *j)
{
	size_t i;

	for (i = 0; i < plugin_count; i++) {
		const struct plugin_desc *p = &plugin_table[i];
		const struct plugin_state *st;
		const char *f[COLLECT_PLUGIN_FIELDS];

		if (!selected(j, p))
			continue;
		st = plugin_state(p);
		f[0] = p->name;
		f[1] = plugin_category_name(p->category);
		f[2] = st->enabled ? "1" : "0";
		f[3] = st->server ? "1" : "0";
		f[4] = st->client ? "1" : "0";
		f[5] = p->split ? "1" : "0";
		f[6] = st->magic;
		f[7] = st->accel;
		f[8] = st->why;
		f[9] = CTYS_VERSION;
		job_record(j->out, "plugin", p->name, f, COLLECT_PLUGIN_FIELDS);
	}
	job_status(j->out, 0, NULL);
}

void
collect_run(const struct pjob *j, enum ctys_action a)
{
	struct emitter em = { j, NULL, a == CTYS_ACT_LIST ? "list" : "enum",
		a == CTYS_ACT_LIST ? 22 : 47, NULL, 0 };
	struct strv bases = STRV_INIT;
	regex_t vre;
	char *re = NULL, *m;
	bool any = true, need_server = false;
	int worst = 0;
	size_t i;
	ctys_err_t e;

	if (a == CTYS_ACT_INFO && has_word(j->job, "PLUGINS")) {
		report_plugins(j);
		return;
	}
	if (a == CTYS_ACT_ENUMERATE) {
		if (collect_vstat_regex(job_subopt(j->job, "MATCHVSTAT"), &re, &any, &need_server) !=
		    CTYS_OK) {
			job_status(j->out, 2, ctys_errmsg());
			return;
		}
		if (!any && re && *re && regcomp(&vre, re, REG_EXTENDED | REG_NOSUB) == 0)
			em.vstat = &vre;
		job_bases(j->job, &bases);
	}
	for (i = 0; i < plugin_count; i++) {
		const struct plugin_desc *p = &plugin_table[i];
		const struct plugin_state *st;

		if (!selected(j, p) || p->ops == NULL)
			continue;
		if (a == CTYS_ACT_ENUMERATE && p->category == PLUGIN_HOST)
			continue;
		st = plugin_state(p);
		if (!st->enabled || (need_server && a == CTYS_ACT_ENUMERATE && !st->server)) {
			/* quiet for -T ALL; a type asked for by name says why it is skipped */
			const char *type = proto_str(j->job, "type");

			if (*type && strcmp(type, "ALL") != 0) {
				m = xasprintf("session type %s is not usable on '%s': %s", p->name,
				    j->hop, st->why[0] ? st->why : "its server part is not available");
				job_msg(j->out, "warning", m);
				free(m);
			}
			continue;
		}
		em.p = p;
		e = CTYS_OK;
		switch (a) {
		case CTYS_ACT_LIST:
			if (p->ops->list)
				e = p->ops->list(j, emit, &em);
			break;
		case CTYS_ACT_ENUMERATE:
			if (p->ops->enumerate)
				e = p->ops->enumerate(j, &bases, emit, &em);
			break;
		case CTYS_ACT_INFO:
			if (p->ops->info)
				e = p->ops->info(j);
			break;
		case CTYS_ACT_SHOW:
			if (p->ops->show)
				e = p->ops->show(j);
			break;
		default:
			break;
		}
		if (e != CTYS_OK) {
			m = xasprintf("plugin %s: %s", p->name, ctys_errmsg());
			job_msg(j->out, "error", m);
			free(m);
			worst = 2;
		}
	}
	if (a == CTYS_ACT_INFO)
		info_plugins(j);
	if (em.vstat)
		regfree(&vre);
	free(re);
	strv_free(&bases);
	job_status(j->out, worst ? worst : em.dropped ? 2 : 0,
	    worst ? "a plugin failed" : em.dropped ? "records were dropped" : NULL);
}
