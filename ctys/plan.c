/* plan.c — see plan.h. */
#include "ctys/plan.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "agents/plugin.h"
#include "ctys/render.h"
#include "ctys/stackcheck.h"
#include "lib/log.h"
#include "lib/strv.h"
#include "lib/util.h"
#include "lib/xmalloc.h"

struct walk {
	const struct plan_env *env;
	struct plan *plan;
	struct ctys_opts st;     /* the current (cumulative) state */
	struct ropts r;
	size_t base;             /* position offset for messages */
	unsigned counters[3];    /* per subtask kind */
	struct strv groups;      /* group names being expanded (cycle check) */
	int depth;
};

static ctys_err_t walk_nodes(struct walk *w, const struct tnode *v, size_t n, const char *wrap,
	const char *group, size_t pos_off);

/* Apply a context text to the current state (mode CONTEXT). */
static ctys_err_t
apply_ctx(struct walk *w, struct ctys_opts *st, struct ropts *r, const char *ctx,
    const char *target, size_t pos)
{
	struct strv words = STRV_INIT;
	size_t used, bad;
	char where[400];
	ctys_err_t e;

	if (ctx == NULL)
		return CTYS_OK;
	strv_split_ws(&words, ctx);
	snprintf(where, sizeof where, "context options of '%s' (position %zu)", target, pos + 1);
	e = opts_parse(st, r, w->env->oenv, OPTS_CONTEXT, words.v, words.n, &used, &bad, where);
	strv_free(&words);
	return e;
}

/*
 * Longest combined context text.  "wrap own wrap" doubles with every
 * nested level that has options of its own, so the nesting limit alone
 * does not bound it: 20 levels would be a million copies.
 */
#define CTX_MAX 16384

/*
 * ctx, own and wrap combined: "wrap own wrap" (the CONTEXT rule) or "own",
 * in *out (malloc'd, or NULL for none).  CTYS_ERR_NESTING when the text
 * would pass CTX_MAX, naming the position.
 */
static ctys_err_t
wrapped_ctx(const char *own, const char *wrap, size_t pos, char **out)
{
	size_t ol = own ? strlen(own) : 0, wl = wrap ? strlen(wrap) : 0;

	*out = NULL;
	if (own != NULL && wl > 0 && ol + 2 * wl + 2 > CTX_MAX)
		return ctys_seterr(CTYS_ERR_NESTING, "context options at position %zu, with those "
		    "of the levels around them, exceed %d bytes (each nested level with options "
		    "repeats the outer ones before and after its own)", pos + 1, CTX_MAX);
	if (wrap == NULL || *wrap == '\0')
		*out = own ? xstrdup(own) : NULL;
	else if (own == NULL)
		*out = xstrdup(wrap);
	else
		*out = xasprintf("%s %s %s", wrap, own, wrap);
	return CTYS_OK;
}

static void
job_push(struct walk *w, const struct tnode *t, const char *type, const char *group)
{
	struct plan *p = w->plan;
	struct job *j;
	size_t i;
	const char *user = w->st.user ? w->st.user : w->env->local_user;

	p->v = xgrowarray(p->v, p->n, sizeof *p->v);
	j = &p->v[p->n];
	memset(j, 0, sizeof *j);
	j->id = (unsigned)++p->n;
	j->nhops = t->nhops;
	j->hops = xcalloc(t->nhops, sizeof *j->hops);
	for (i = 0; i < t->nhops; i++) {
		j->hops[i].user = xstrdup(t->hops[i].user ? t->hops[i].user : user);
		j->hops[i].user_given = t->hops[i].user != NULL || w->st.user != NULL;
		j->hops[i].host = xstrdup(t->hops[i].host);
		j->hops[i].port = t->hops[i].port ? xstrdup(t->hops[i].port) : NULL;
		/* the top level's context is the job's; lower levels keep theirs */
		j->hops[i].ctx = i + 1 < t->nhops && t->hops[i].ctx ? xstrdup(t->hops[i].ctx) : NULL;
		j->hops[i].pos = t->hops[i].pos;
	}
	/* localhost runs locally; another user on localhost goes through ssh */
	j->local = t->nhops == 1 && strcmp(t->hops[0].host, "localhost") == 0 &&
	    strcmp(j->hops[0].user, w->env->local_user) == 0;
	j->group = group ? xstrdup(group) : NULL;
	j->type = xstrdup(type);
	opts_copy(&j->opts, &w->st);
	ropts_copy(&j->ropts, &w->r);
}

/* The plugin's own suboption check (the original's CHECKPARAM). */
static ctys_err_t
check_accepts(const struct plugin_desc *pd, const struct action_def *a, const char *text)
{
	struct subopts so;
	const struct subopt_def *d;
	char key[64];
	size_t i, n;
	ctys_err_t e = CTYS_OK;

	if (text == NULL || subopt_scan(text, &so) != CTYS_OK)
		return CTYS_OK;
	for (i = 0; i < so.n && e == CTYS_OK; i++) {
		if ((d = action_subopt(a, so.v[i].key)) == NULL)
			continue;
		n = strcspn(d->names, "|");
		snprintf(key, sizeof key, "%.*s", (int)n, d->names);
		if (!plugin_accepts(pd, a->id, key))
			e = ctys_seterr(CTYS_ERR_USAGE, "suboption '%s' is not supported by %s %s",
			    so.v[i].key, pd->name, a->name);
	}
	subopt_free(&so);
	return e;
}

/* The session types a job runs with; one job per type for "-t ALL". */
static ctys_err_t
emit_jobs(struct walk *w, const struct tnode *t, const char *group)
{
	const struct action_def *a = w->st.action;
	const char *type = w->st.type;
	const struct plugin_desc *pd;
	size_t i;

	if (w->plan->n >= PLAN_MAX_JOBS)
		return ctys_seterr(CTYS_ERR_TOOLONG, "more than %d jobs", PLAN_MAX_JOBS);
	if (w->st.datacache && strstr(w->st.datacache, "ONLY") && !(a->flags & ACTF_COLLECTOR))
		return ctys_seterr(CTYS_ERR_USAGE, "'-C ONLY' is only allowed with LIST, ENUMERATE, "
		    "INFO and SHOW (target '%s')", t->hops[t->nhops - 1].host);
	if (a->flags & ACTF_COLLECTOR) {
		/* LIST/ENUMERATE formats: a bad colspec or SORT fails here, before any job runs */
		if (render_check(a, w->st.subopts) != CTYS_OK)
			return CTYS_ERR_USAGE;
		job_push(w, t, type ? type : "ALL", group);
		return CTYS_OK;
	}
	if (type == NULL)
		type = w->env->oenv->default_type ? w->env->oenv->default_type : "VNC";
	if (strcmp(type, "ALL") != 0) {
		pd = plugin_lookup(type, strlen(type));
		if (pd == NULL)
			return ctys_seterr(CTYS_ERR_USAGE, "unknown session type '%s'", type);
		if (!(pd->actions & CTYS_ACT_BIT(a->id)))
			return ctys_seterr(CTYS_ERR_USAGE, "session type %s does not support %s "
			    "(target '%s')", pd->name, a->name, t->hops[t->nhops - 1].host);
		if (check_accepts(pd, a, w->st.subopts) != CTYS_OK)
			return CTYS_ERR_USAGE;
		job_push(w, t, pd->name, group);
		return CTYS_OK;
	}
	/* -t ALL with CREATE/CANCEL: one job per loaded plugin supporting it */
	for (i = 0; i < plugin_count; i++) {
		pd = &plugin_table[i];
		if (!(pd->actions & CTYS_ACT_BIT(a->id)))
			continue;
		if (w->st.multitype && strcmp(w->st.multitype, "ALL") != 0) {
			struct strv l = STRV_INIT;
			char *m = xstrdup(w->st.multitype), *c;
			bool found = false;

			for (c = m; *c; c++)
				if (*c == ',')
					*c = ' ';
			strv_split_ws(&l, m);
			for (size_t k = 0; k < l.n; k++)
				found |= strcmp(l.v[k], pd->name) == 0;
			strv_free(&l);
			free(m);
			if (!found)
				continue;
		}
		job_push(w, t, pd->name, group);
	}
	return CTYS_OK;
}

static char *
join_group(const char *outer, const char *inner)
{
	return outer ? xasprintf("%s/%s", outer, inner) : xstrdup(inner);
}

/* Validate the contexts of the lower stack levels (they travel with the hop). */
static ctys_err_t
check_hop_ctx(struct walk *w, const struct tnode *t, size_t pos_off)
{
	struct ctys_opts scratch;
	struct ropts r = { 0 };
	size_t i;
	ctys_err_t e = CTYS_OK;

	for (i = 0; i + 1 < t->nhops && e == CTYS_OK; i++) {
		if (t->hops[i].ctx == NULL)
			continue;
		opts_init(&scratch);
		e = apply_ctx(w, &scratch, &r, t->hops[i].ctx, t->hops[i].host,
		    pos_off + t->hops[i].pos);
		opts_free(&scratch);
		ropts_free(&r);
	}
	return e;
}

static ctys_err_t
expand_group(struct walk *w, const struct tnode *t, const char *ctx, const char *group,
    size_t pos_off, bool *done)
{
	const char *name = t->hops[0].host;
	char *members = NULL, *g, *full;
	bool vmstack = false;
	struct targets ts;
	ctys_err_t e;
	size_t i;

	*done = false;
	if (t->nhops != 1 || w->env->group_expand == NULL)
		return CTYS_OK;
	full = t->hops[0].user ? xasprintf("%s@%s", t->hops[0].user, name) : xstrdup(name);
	e = w->env->group_expand(w->env->group_ctx, full, &members, &vmstack);
	free(full);
	if (e == CTYS_ERR_NOENT) {
		ctys_errclear();
		return CTYS_OK; /* not a group: a host */
	}
	if (e != CTYS_OK)
		return e;
	*done = true;
	for (i = 0; i < w->groups.n; i++) {
		if (strcmp(w->groups.v[i], name) == 0) {
			struct buf b = BUF_INIT;

			for (size_t k = i; k < w->groups.n; k++)
				buf_addf(&b, "%s -> ", w->groups.v[k]);
			e = ctys_seterr(CTYS_ERR_CYCLE, "group '%s' contains itself: %s%s", name,
			    buf_cstr(&b), name);
			buf_free(&b);
			free(members);
			return e;
		}
	}
	if (w->groups.n >= w->env->max_recurse) {
		free(members);
		return ctys_seterr(CTYS_ERR_NESTING, "groups nested deeper than %u at '%s'",
		    w->env->max_recurse, name);
	}
	if ((e = targets_parse(members, 0, &ts)) != CTYS_OK) {
		ctys_errprefix("in the members of group '%s': ", name);
		free(members);
		return e;
	}
	free(members);
	if (vmstack && ts.n == 0) {
		targets_free(&ts);
		return ctys_seterr(CTYS_ERR_USAGE, "VMSTACK group '%s' has no levels", name);
	}
	strv_push(&w->groups, name);
	g = join_group(group, name);
	if (vmstack) {
		/* a .VMSTACK group behaves like VMSTACK{members} */
		struct tnode st = { 0 };

		st.kind = TN_SUBTASK;
		st.sub = ST_VMSTACK;
		st.ctx = (char *)ctx;
		st.kids = ts.v;
		st.nkids = ts.n;
		st.pos = t->pos;
		e = walk_nodes(w, &st, 1, NULL, group, pos_off);
	} else {
		/* the group's own context options apply to every member */
		e = walk_nodes(w, ts.v, ts.n, ctx, g, pos_off);
	}
	free(g);
	free(w->groups.v[--w->groups.n]);
	w->groups.v[w->groups.n] = NULL;
	targets_free(&ts);
	return e;
}

static ctys_err_t
walk_host(struct walk *w, const struct tnode *t, const char *wrap, const char *group,
    size_t pos_off)
{
	const struct hop *top = &t->hops[t->nhops - 1];
	char *ctx, label[600];
	bool done;
	ctys_err_t e;

	if ((e = wrapped_ctx(top->ctx, wrap, pos_off + top->pos, &ctx)) != CTYS_OK)
		return e;
	snprintf(label, sizeof label, "%s%s%s", top->user ? top->user : "", top->user ? "@" : "",
	    top->host);
	e = expand_group(w, t, ctx, group, pos_off, &done);
	if (e == CTYS_OK && !done) {
		e = apply_ctx(w, &w->st, &w->r, ctx, label, pos_off + top->pos);
		if (e == CTYS_OK)
			e = check_hop_ctx(w, t, pos_off);
		if (e == CTYS_OK)
			e = emit_jobs(w, t, group);
	}
	free(ctx);
	return e;
}

static ctys_err_t
walk_subtask(struct walk *w, const struct tnode *t, const char *wrap, const char *group,
    size_t pos_off)
{
	struct ctys_opts save;
	struct ropts rsave;
	char *name, *g, *ctx;
	ctys_err_t e;

	if (++w->depth > (int)w->env->max_recurse)
		return ctys_seterr(CTYS_ERR_NESTING, "subtasks nested deeper than %u",
		    w->env->max_recurse);
	opts_copy(&save, &w->st);
	ropts_copy(&rsave, &w->r);
	name = xasprintf("%s#%u", subtask_name(t->sub), ++w->counters[t->sub]);
	g = join_group(group, name);
	if (t->sub == ST_VMSTACK) {
		w->plan->stack_master = true;
		w->st.bmode = BM_STACK | BM_SYNC | BM_SEQ;
		w->st.bmode_locked = true;
	}
	e = wrapped_ctx(t->ctx, wrap, pos_off + t->pos, &ctx);
	if (e == CTYS_OK)
		e = walk_nodes(w, t->kids, t->nkids, ctx, g, pos_off);
	free(ctx);
	free(name);
	free(g);
	opts_free(&w->st);
	ropts_free(&w->r);
	w->st = save;
	w->r = rsave;
	w->depth--;
	return e;
}

static ctys_err_t
walk_nodes(struct walk *w, const struct tnode *v, size_t n, const char *wrap, const char *group,
    size_t pos_off)
{
	size_t i;
	ctys_err_t e;

	for (i = 0; i < n; i++) {
		e = v[i].kind == TN_HOST ? walk_host(w, &v[i], wrap, group, pos_off) :
		    walk_subtask(w, &v[i], wrap, group, pos_off);
		if (e != CTYS_OK)
			return e;
	}
	return CTYS_OK;
}

static void
job_free(struct job *j)
{
	size_t i;

	for (i = 0; i < j->nhops; i++) {
		free(j->hops[i].user);
		free(j->hops[i].host);
		free(j->hops[i].port);
		free(j->hops[i].ctx);
	}
	free(j->hops);
	free(j->group);
	free(j->type);
	opts_free(&j->opts);
	ropts_free(&j->ropts);
}

void
plan_free(struct plan *p)
{
	size_t i;

	for (i = 0; i < p->n; i++)
		job_free(&p->v[i]);
	free(p->v);
	memset(p, 0, sizeof *p);
}

static bool
same_scope(const struct job *a, const struct job *b)
{
	return (b->opts.bmode & BM_STACK) &&
	    ((a->group == NULL && b->group == NULL) ||
	    (a->group && b->group && strcmp(a->group, b->group) == 0));
}

size_t
plan_stack_end(const struct plan *p, size_t i)
{
	const struct job *j = &p->v[i];
	size_t end;

	if (!(j->opts.bmode & BM_STACK) || j->group == NULL || !strstr(j->group, "VMSTACK"))
		return 0;
	for (end = i + 1; end < p->n && same_scope(j, &p->v[end]); end++)
		;
	return end;
}

/* Append the suboption `name` (no argument) to a job's suboptions. */
static void
add_subopt(struct job *m, const char *name)
{
	const char *subs = m->opts.subopts;
	char *n = xasprintf("%s%s%s", subs ? subs : "", subs && *subs ? "," : "", name);

	free(m->opts.subopts);
	m->opts.subopts = n;
	m->opts.subopts_default = false;
}

/* A CREATE job already says how to treat a running session (REUSE, CONNECT...). */
static bool
has_createmode(const struct job *m)
{
	struct subopts so;
	bool hit = false;
	size_t i;

	if (m->opts.subopts == NULL || subopt_scan(m->opts.subopts, &so) != CTYS_OK)
		return false;
	for (i = 0; i < so.n && !hit; i++) {
		const struct subopt_def *d = action_subopt(m->opts.action, so.v[i].key);

		hit = d && d->cls == SC_CREATEMODE;
	}
	subopt_free(&so);
	return hit;
}

/*
 * Stack mode (stacks.md §2): the jobs of one VMSTACK (a run of BM_STACK
 * jobs of the same VMSTACK scope; a plain -b STACK only runs in order) are
 * levels, bottom first.  CREATE of a VM level waits until its guest
 * answers (SSHPING with its defaults is added unless PING or SSHPING is
 * given); a PM level is allowed only at level 0 (unless STACKCHECK:OFF);
 * -k REUSE:1 gives the bottom level REUSE, -k REUSE:2 every level, where
 * the type takes it and the level has no REUSE, CONNECT, RECONNECT or
 * RESUME of its own.  CANCEL runs the levels top-down (the run is
 * reversed, our extension of the original's CREATE-only stacks); other
 * actions are refused before anything runs.
 */
static ctys_err_t
stack_finish(struct plan *p)
{
	size_t i = 0, k, end;
	struct stackcheck_sel sel;
	ctys_err_t e;

	while (i < p->n) {
		struct job *j = &p->v[i];
		enum ctys_action act;

		if ((end = plan_stack_end(p, i)) == 0) {
			i++;
			continue;
		}
		act = j->opts.action->id;
		for (k = i; k < end; k++) {
			struct job *m = &p->v[k];
			const struct plugin_desc *pd = plugin_lookup(m->type, strlen(m->type));
			const char *subs = m->opts.subopts;

			if (m->opts.action->id != act || (act != CTYS_ACT_CREATE && act != CTYS_ACT_CANCEL))
				return ctys_seterr(CTYS_ERR_USAGE, "VMSTACK %s: level %zu is %s: a stack "
				    "supports CREATE (bottom-up) and CANCEL (top-down), one of them for "
				    "all levels", j->group ? j->group : "", k - i, m->opts.action->name);
			if (act != CTYS_ACT_CREATE || pd == NULL)
				continue;
			if (pd->category == PLUGIN_PM && k > i &&
			    (e = stackcheck_of_job(m, &sel)) != CTYS_OK)
				return e;
			if (pd->category == PLUGIN_PM && k > i && sel.pm_position)
				return ctys_seterr(CTYS_ERR_USAGE, "VMSTACK %s: level %zu is a PM: a PM "
				    "is allowed only at level 0 (STACKCHECK:OFF skips this check)",
				    j->group ? j->group : "", k - i);
			if (pd->category == PLUGIN_VM && k + 1 < end &&
			    !action_find_subopt(m->opts.action, subs, "PING", NULL) &&
			    !action_find_subopt(m->opts.action, subs, "SSHPING", NULL))
				add_subopt(m, "SSHPING");
			if (j->opts.reuse >= 1 && (k == i || j->opts.reuse == 2) &&
			    plugin_accepts(pd, CTYS_ACT_CREATE, "REUSE") && !has_createmode(m))
				add_subopt(m, "REUSE");
		}
		if (act == CTYS_ACT_CANCEL) {
			for (k = 0; k < (end - i) / 2; k++) {
				struct job t = p->v[i + k];

				p->v[i + k] = p->v[end - 1 - k];
				p->v[end - 1 - k] = t;
			}
			for (k = i; k < end; k++)
				p->v[k].id = (unsigned)(k + 1);
		}
		i = end;
	}
	return CTYS_OK;
}

ctys_err_t
plan_build(const struct plan_env *env, const struct ctys_opts *global, const struct ropts *gr,
    const struct targets *ts, size_t base, struct plan *out)
{
	struct walk w;
	struct tnode local = { 0 };
	struct hop lh = { 0 };
	ctys_err_t e = CTYS_OK;

	memset(out, 0, sizeof *out);
	memset(&w, 0, sizeof w);
	w.env = env;
	w.plan = out;
	w.base = base;
	opts_copy(&w.st, global);
	ropts_copy(&w.r, gr);
	if (w.st.action == NULL) {
		opts_free(&w.st);
		ropts_free(&w.r);
		return ctys_seterr(CTYS_ERR_INTERNAL, "plan without an action");
	}
	if (ts->remote) {
		struct strv words = STRV_INIT;
		size_t used, bad;

		strv_split_ws(&words, ts->remote);
		e = opts_parse(&w.st, &w.r, env->oenv, OPTS_REMOTE, words.v, words.n, &used, &bad,
		    "the options for all targets");
		strv_free(&words);
	}
	if (e == CTYS_OK && ts->n == 0) {
		/* no target: localhost */
		lh.host = (char *)"localhost";
		local.kind = TN_HOST;
		local.hops = &lh;
		local.nhops = 1;
		e = walk_nodes(&w, &local, 1, NULL, NULL, base);
	} else if (e == CTYS_OK)
		e = walk_nodes(&w, ts->v, ts->n, NULL, NULL, base);
	if (e == CTYS_OK)
		e = stack_finish(out);
	opts_free(&w.st);
	ropts_free(&w.r);
	strv_free(&w.groups);
	if (e != CTYS_OK)
		plan_free(out);
	return e;
}
