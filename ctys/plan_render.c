/* plan_render.c — the dry-run plan as text and as JSON lines (ctys(1) DRY RUN). */
#include "ctys/plan.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <jansson.h>

#include "ctys/subopt.h"
#include "lib/shquote.h"
#include "lib/util.h"
#include "lib/xmalloc.h"

void
job_address(struct buf *out, const struct job *j)
{
	size_t i;

	for (i = 0; i < j->nhops; i++) {
		if (i)
			buf_addc(out, '[');
		buf_addf(out, "%s@%s", j->hops[i].user, j->hops[i].host);
		if (j->hops[i].port)
			buf_addf(out, ":%s", j->hops[i].port);
		if (i)
			buf_addc(out, ']');
	}
}

static void
subopts_norm(struct buf *out, const struct job *j)
{
	struct subopts so;

	if (j->opts.subopts == NULL)
		return;
	if (subopt_scan(j->opts.subopts, &so) != CTYS_OK) {
		buf_adds(out, j->opts.subopts); /* validated at parse time; cannot happen */
		return;
	}
	action_normalize(out, j->opts.action, &so, j->opts.subopts);
	subopt_free(&so);
}

static void
field(struct buf *out, const char *key, const char *value)
{
	buf_addf(out, " %s=", key);
	shquote_arg(out, value);
}

void
plan_render_text(struct buf *out, const struct plan *p)
{
	struct buf t = BUF_INIT;
	size_t i, h;

	for (i = 0; i < p->n; i++) {
		const struct job *j = &p->v[i];

		buf_addf(out, "job=%u", j->id);
		buf_reset(&t);
		job_address(&t, j);
		field(out, "target", buf_cstr(&t));
		field(out, "via", j->local ? "local" : "ssh");
		if (j->group)
			field(out, "group", j->group);
		field(out, "type", j->type);
		field(out, "action", j->opts.action->name);
		buf_reset(&t);
		subopts_norm(&t, j);
		if (t.len)
			field(out, "subopts", buf_cstr(&t));
		buf_reset(&t);
		opts_render(&t, &j->opts);
		field(out, "opts", buf_cstr(&t));
		buf_reset(&t);
		ropts_render(&t, &j->ropts);
		if (t.len)
			field(out, "ropts", buf_cstr(&t));
		for (h = 0; h + 1 < j->nhops; h++) {
			char key[32];

			if (j->hops[h].ctx == NULL)
				continue;
			snprintf(key, sizeof key, "hop%zu", h + 1);
			field(out, key, j->hops[h].ctx);
		}
		buf_addc(out, '\n');
	}
	buf_free(&t);
}

/* {"b":"ASYNC,PAR", ...}: each set option by letter, in table order. */
static json_t *
options_object(const struct ctys_opts *o)
{
	json_t *obj = json_object();
	struct buf t = BUF_INIT;
	size_t i;

	for (i = 0; i < opt_count; i++) {
		const struct opt_def *d = &opt_table[i];
		char key[2] = { d->letter, '\0' };

		if (d->render == NULL || d->letter == 'a')
			continue;
		buf_reset(&t);
		d->render(&t, o);
		if (t.len == 0)
			continue;
		/* " -x ARG" or " -x" (repeatable -O: the last one) */
		if (t.len > 3)
			json_object_set_new(obj, key, json_string(t.d + 4));
		else
			json_object_set_new(obj, key, json_true());
	}
	buf_free(&t);
	return obj;
}

static json_t *
str_or_null(const char *s)
{
	return s ? json_string(s) : json_null();
}

json_t *
plan_job_json(const struct job *j)
{
	struct buf t = BUF_INIT;
	json_t *o = json_object(), *hops = json_array(), *subs = json_array();
	struct subopts so = { 0 };
	size_t h, k;

	json_object_set_new(o, "v", json_integer(1));
	json_object_set_new(o, "job", json_integer(j->id));
	job_address(&t, j);
	json_object_set_new(o, "target", json_string(buf_cstr(&t)));
	for (h = 0; h < j->nhops; h++) {
		json_t *hop = json_object();

		json_object_set_new(hop, "user", json_string(j->hops[h].user));
		/* the login sent to ssh: only an explicit user; else ssh_config decides */
		json_object_set_new(hop, "login", j->hops[h].user_given ? json_string(j->hops[h].user) :
		    json_null());
		json_object_set_new(hop, "host", json_string(j->hops[h].host));
		json_object_set_new(hop, "port", str_or_null(j->hops[h].port));
		json_object_set_new(hop, "opts", str_or_null(j->hops[h].ctx));
		json_array_append_new(hops, hop);
	}
	json_object_set_new(o, "hops", hops);
	json_object_set_new(o, "via", json_string(j->local ? "local" : "ssh"));
	json_object_set_new(o, "group", str_or_null(j->group));
	json_object_set_new(o, "type", json_string(j->type));
	json_object_set_new(o, "action", json_string(j->opts.action->name));
	if (j->opts.subopts && subopt_scan(j->opts.subopts, &so) == CTYS_OK) {
		for (k = 0; k < so.n; k++) {
			const struct subopt_def *d = action_subopt(j->opts.action, so.v[k].key);
			json_t *it = json_object();

			/* unknown keys (free arguments of ISACTIVE, INFO...) stay as written */
			json_object_set_new(it, "key", d ? json_stringn(d->names, kw_canon_len(d->names)) :
			    json_string(so.v[k].key));
			json_object_set_new(it, "arg", str_or_null(so.v[k].arg));
			json_array_append_new(subs, it);
		}
		subopt_free(&so);
	}
	json_object_set_new(o, "subopts", subs);
	buf_reset(&t);
	subopts_norm(&t, j);
	json_object_set_new(o, "subopts_text", json_string(buf_cstr(&t)));
	buf_reset(&t);
	opts_render(&t, &j->opts);
	json_object_set_new(o, "opts", json_string(buf_cstr(&t)));
	json_object_set_new(o, "options", options_object(&j->opts));
	buf_reset(&t);
	ropts_render(&t, &j->ropts);
	json_object_set_new(o, "ropts", json_string(buf_cstr(&t)));
	buf_free(&t);
	return o;
}

void
plan_render_json(struct buf *out, const struct plan *p)
{
	size_t i;

	for (i = 0; i < p->n; i++) {
		json_t *o = plan_job_json(&p->v[i]);
		char *line = json_dumps(o, JSON_COMPACT | JSON_PRESERVE_ORDER | JSON_ENSURE_ASCII);

		buf_adds(out, line);
		buf_addc(out, '\n');
		free(line);
		json_decref(o);
	}
}
