/* dispatch.c — see dispatch.h. */
#include "ctys/dispatch.h"

#include <pthread.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "agents/agent.h"
#include "ctys/hostclient.h"
#include "ctys/net.h"
#include "ctys/render.h"
#include "lib/buf.h"
#include "lib/conf.h"
#include "lib/link.h"
#include "lib/proto.h"
#include "lib/util.h"
#include "lib/xmalloc.h"

const struct ctys_net *ctys_net;

struct result {
	int code;
	bool done;
	char *hop;
	char *error;
	double secs;
	bool malformed;          /* a record was dropped: status at least 2 */
	double t0;               /* start time, 0 = not started */
};

struct run {
	const struct dispatch_cfg *cfg;
	const struct plan *plan;
	struct sshc_pool *pool;
	struct agent *local;     /* in-process agent for localhost first hops */
	struct result *res;
	struct render *render;   /* LIST/ENUMERATE output, or NULL */
	char idbase[64];
	pthread_mutex_t lock;    /* output, res, active */
	pthread_cond_t cond;
	unsigned active;
	bool watching;           /* the cancel watcher runs */
	bool finished;           /* dispatch_run is done: the watcher ends */
};

struct task {
	struct run *r;
	size_t idx;
	pthread_t t;
};

static double
now_s(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

struct sinkctx {
	struct run *r;
	size_t idx;
	char target[512];
};

/* Everything an agent says about job idx arrives here. */
static void
on_msg(void *ctx, json_t *m)
{
	struct sinkctx *sc = ctx;
	struct run *r = sc->r;
	const char *t = proto_type(m);
	struct result *res = &r->res[sc->idx];

	pthread_mutex_lock(&r->lock);
	if (r->cfg->on_record && strcmp(t, "rec") == 0 && json_object_get(m, "fields")) {
		r->cfg->on_record(r->cfg->hook_ctx, &r->plan->v[sc->idx], m);
	} else if (strcmp(t, "rec") == 0 && r->render &&
	    (json_object_get(m, "fields") || json_object_get(m, "kind"))) {
		if (render_record_json(r->render, sc->idx, m) != CTYS_OK)
			res->malformed = true;
	} else if (strcmp(t, "rec") == 0 && json_is_array(json_object_get(m, "fields"))) {
		json_t *f = json_object_get(m, "fields"), *v;
		size_t k;

		/* no LIST/ENUMERATE job in this run: the terse MACHINE form */
		json_array_foreach(f, k, v)
			fprintf(r->cfg->out, "%s%s", k ? ";" : "", json_string_value(v));
		fputc('\n', r->cfg->out);
		fflush(r->cfg->out);
	} else if (strcmp(t, "rec") == 0 && r->render) {
		render_text_line(r->render, sc->idx, proto_str(m, "data"));
	} else if (strcmp(t, "rec") == 0) {
		fprintf(r->cfg->out, "%s\n", proto_str(m, "data"));
		fflush(r->cfg->out);
	} else if (strcmp(t, "msg") == 0) {
		const char *level = proto_str(m, "level");

		if (strcmp(level, "stderr") == 0)
			fprintf(r->cfg->err, "%s\n", proto_str(m, "text"));
		else if (strcmp(level, "info") != 0 || r->cfg->summary)
			fprintf(r->cfg->err, "ctys: %s: %s%s\n", sc->target,
			    strcmp(level, "warning") == 0 ? "warning: " : "", proto_str(m, "text"));
		fflush(r->cfg->err);
	} else if (strcmp(t, "status") == 0 && !res->done) {
		const char *err = json_string_value(json_object_get(m, "error"));

		res->done = true;
		res->code = (int)proto_int(m, "code");
		res->hop = xstrdup(proto_str(m, "hop"));
		res->error = err ? xstrdup(err) : NULL;
		if (err)
			fprintf(r->cfg->err, "ctys: %s: %s\n", sc->target, err);
		fflush(r->cfg->err);
		if (r->cfg->on_status)
			r->cfg->on_status(r->cfg->hook_ctx, &r->plan->v[sc->idx], res->code, res->hop,
			    res->error);
	}
	pthread_mutex_unlock(&r->lock);
}

static json_t *
wire_job(struct run *r, const struct job *j, bool star)
{
	json_t *o = plan_job_json(j);
	char id[96];

	snprintf(id, sizeof id, "%s:%u", r->idbase, j->id);
	json_object_set_new(o, "t", json_string("job"));
	json_object_set_new(o, "id", json_string(id));
	json_object_set_new(o, "mode", json_string(star ? "star" : "chain"));
	json_object_set_new(o, "at", json_integer(star ? (json_int_t)j->nhops - 1 : 0));
	json_object_set_new(o, "timeout", json_integer(r->cfg->timeout));
	json_object_set_new(o, "async", json_boolean((j->opts.bmode & BM_ASYNC) != 0));
	return o;
}

/* The user to log in as: only an explicit one; else ssh_config (or the local user). */

/* Send a wire job to the agent of its first hop (CHAIN) or last hop (STAR). */
static void
send_job(void *ctx, const struct job *j, json_t *job, const struct link_sink *sink)
{
	struct run *r = ctx;
	bool star = j->opts.resolver == 1;
	size_t first = 0;
	int tmo = r->cfg->timeout > 0 ? (r->cfg->timeout + 3 * (int)j->nhops) * 1000 : 0;

	if (j->local) {
		if (!star || j->nhops == 1) {
			agent_handle_job(r->local, job, sink);
			return;
		}
		first = 1; /* STAR from here: the first remote hop is connected directly */
	}
	if (ctys_net == NULL) {
		link_fail(sink, proto_str(job, "id"), j->hops[first].host, LINK_CODE_UNREACHABLE,
		    "this program has no SSH transport (run it through ctys-client)");
		return;
	}
	ctys_net->send(r->pool, r->cfg->agent_cmd, j, job, star, first, tmo, sink);
}

static void
run_job(struct run *r, size_t idx)
{
	const struct job *j = &r->plan->v[idx];
	struct sinkctx sc = { r, idx, "" };
	struct link_sink sink = { on_msg, &sc };
	struct buf addr = BUF_INIT;
	json_t *job = wire_job(r, j, j->opts.resolver == 1);
	double t0 = now_s();

	job_address(&addr, j);
	snprintf(sc.target, sizeof sc.target, "%s", buf_cstr(&addr));
	buf_free(&addr);
	if (r->render) {
		struct render_job ri = { sc.target, j->hops[j->nhops - 1].host,
			j->hops[j->nhops - 1].user, j->type, j->opts.scope };

		pthread_mutex_lock(&r->lock);
		render_job_begin(r->render, idx, &ri);
		pthread_mutex_unlock(&r->lock);
	}
	pthread_mutex_lock(&r->lock);
	r->res[idx].t0 = t0;
	pthread_mutex_unlock(&r->lock);
	if (hostclient_wants(j) && ctys_net) {
		struct hc_env he = { r->pool, send_job, r, 0 };

		ctys_net->hostclient_run(&he, j, job, &sink);
	} else {
		send_job(r, j, job, &sink);
	}
	pthread_mutex_lock(&r->lock);
	if (r->render)
		render_job_end(r->render, idx);
	r->res[idx].secs = now_s() - t0;
	pthread_mutex_unlock(&r->lock);
	json_decref(job);
}

static void *
task_main(void *arg)
{
	struct task *t = arg;
	struct run *r = t->r;

	run_job(r, t->idx);
	pthread_mutex_lock(&r->lock);
	r->active--;
	pthread_cond_broadcast(&r->cond);
	pthread_mutex_unlock(&r->lock);
	return NULL;
}

static void
wait_active(struct run *r, unsigned below)
{
	pthread_mutex_lock(&r->lock);
	while (r->active > below)
		pthread_cond_wait(&r->cond, &r->lock);
	pthread_mutex_unlock(&r->lock);
}

static void
summary(struct run *r)
{
	size_t i;
	struct buf addr = BUF_INIT;

	for (i = 0; i < r->plan->n; i++) {
		const struct result *res = &r->res[i];

		buf_reset(&addr);
		job_address(&addr, &r->plan->v[i]);
		fprintf(r->cfg->err, "ctys: summary: job %u %s: %s %d (%.2f s)%s%s%s\n",
		    r->plan->v[i].id, buf_cstr(&addr), res->code == 0 ? "ok" : "failed", res->code,
		    res->secs, res->error ? " at " : "", res->error ? res->hop : "",
		    res->error ? "" : "");
	}
	buf_free(&addr);
}

static bool
aborted(const struct run *r)
{
	return r->watching && *r->cfg->cancel >= DISPATCH_CANCEL_ABORT;
}

/* The cancel hook (dispatch.h): report on each step, abort at the last. */
static void *
watch_main(void *arg)
{
	struct run *r = arg;
	struct buf addr = BUF_INIT;
	sig_atomic_t seen = 0;
	size_t i;

	pthread_mutex_lock(&r->lock);
	while (!r->finished && seen < DISPATCH_CANCEL_ABORT) {
		struct timespec ts;
		sig_atomic_t c = *r->cfg->cancel;

		if (c > seen) {
			seen = c;
			for (i = 0; i < r->plan->n; i++) {
				struct result *res = &r->res[i];

				buf_reset(&addr);
				job_address(&addr, &r->plan->v[i]);
				if (seen < DISPATCH_CANCEL_ABORT && !res->done && res->t0 == 0)
					fprintf(r->cfg->err, "ctys: status: job %u %s: waiting\n",
					    r->plan->v[i].id, buf_cstr(&addr));
				else if (seen < DISPATCH_CANCEL_ABORT && !res->done)
					fprintf(r->cfg->err, "ctys: status: job %u %s: running %.1f s\n",
					    r->plan->v[i].id, buf_cstr(&addr), now_s() - res->t0);
				else if (seen < DISPATCH_CANCEL_ABORT)
					fprintf(r->cfg->err, "ctys: status: job %u %s: exit %d\n",
					    r->plan->v[i].id, buf_cstr(&addr), res->code);
				else if (!res->done) {
					res->done = true;
					res->code = DISPATCH_CANCELLED;
					res->error = xstrdup("cancelled");
					res->hop = xstrdup(buf_cstr(&addr));
					fprintf(r->cfg->err, "ctys: %s: cancelled\n", buf_cstr(&addr));
				}
			}
			fflush(r->cfg->err);
			continue;
		}
		clock_gettime(CLOCK_REALTIME, &ts);
		ts.tv_nsec += 50 * 1000000L;
		if (ts.tv_nsec >= 1000000000L) {
			ts.tv_sec++;
			ts.tv_nsec -= 1000000000L;
		}
		pthread_cond_timedwait(&r->cond, &r->lock, &ts);
	}
	pthread_mutex_unlock(&r->lock);
	buf_free(&addr);
	if (seen >= DISPATCH_CANCEL_ABORT && r->cfg->on_abort)
		r->cfg->on_abort(r->cfg->hook_ctx);
	return NULL;
}

void
dispatch_cfg_from_conf(struct dispatch_cfg *cfg, const struct conf *conf)
{
	memset(cfg, 0, sizeof *cfg);
	cfg->ssh.config_file = conf_get(conf, "CTYS_SSH_CONFIG");
	cfg->ssh.connect_timeout = atol(conf_get_or(conf, "CTYS_CONNECT_TIMEOUT", "10"));
	cfg->agent_cmd = conf_get_or(conf, "CTYS_AGENT", "ctys-agent");
	cfg->fanout = (unsigned)atoi(conf_get_or(conf, "CTYS_FANOUT", "32"));
	cfg->timeout = atoi(conf_get_or(conf, "CTYS_TIMEOUT", "300"));
}

int
dispatch_run(const struct dispatch_cfg *cfg, const struct plan *p)
{
	pthread_t watcher;
	struct run r;
	struct task *tasks;
	struct agent_cfg acfg;
	unsigned fanout = cfg->fanout ? cfg->fanout : 32;
	int worst = 0;
	size_t i, k;
	bool stack_failed = false;
	time_t now = time(NULL);
	struct tm tm;

	ctys_raise_nofile(); /* one session per host stays open until the end */
	memset(&r, 0, sizeof r);
	r.cfg = cfg;
	r.plan = p;
	r.pool = ctys_net ? ctys_net->pool_new(&cfg->ssh) : NULL;
	acfg.ssh = cfg->ssh;
	acfg.agent_cmd = cfg->agent_cmd;
	r.local = agent_new(&acfg);
	if (ctys_net)
		ctys_net->relay_enable(r.local, &cfg->ssh);
	r.res = xcalloc(p->n ? p->n : 1, sizeof *r.res);
	localtime_r(&now, &tm);
	strftime(r.idbase, 32, "%Y%m%d%H%M%S", &tm);
	snprintf(r.idbase + strlen(r.idbase), sizeof r.idbase - strlen(r.idbase), ":%ld:0",
	    (long)getpid());
	pthread_mutex_init(&r.lock, NULL);
	pthread_cond_init(&r.cond, NULL);
	tasks = xcalloc(p->n ? p->n : 1, sizeof *tasks);
	/* the format of the first LIST/ENUMERATE job applies to the run (render.h) */
	for (i = 0; i < p->n && r.render == NULL; i++) {
		const struct ctys_opts *o = &p->v[i].opts;

		if (o->action && (o->action->id == CTYS_ACT_LIST || o->action->id == CTYS_ACT_ENUMERATE)) {
			r.render = render_new(o->action, o->subopts, o->terse, o->output, p->n, cfg->out,
			    cfg->err);
			if (r.render == NULL)
				fprintf(cfg->err, "ctys: %s\n", ctys_errmsg());
		}
	}
	if (r.render)
		render_begin(r.render);
	r.watching = cfg->cancel && pthread_create(&watcher, NULL, watch_main, &r) == 0;

	for (i = 0; i < p->n; i++) {
		const struct job *j = &p->v[i];

		if (aborted(&r))
			break; /* the watcher reported the jobs not started */

		if ((j->opts.bmode & BM_STACK) && stack_failed) {
			r.res[i].done = true;
			r.res[i].code = 1;
			r.res[i].error = xstrdup("not started: a lower stack level failed");
			r.res[i].hop = xstrdup(j->hops[j->nhops - 1].host);
			fprintf(cfg->err, "ctys: job %u: %s\n", j->id, r.res[i].error);
			continue;
		}
		if (j->opts.bmode & (BM_SEQ | BM_STACK)) {
			run_job(&r, i);
			if ((j->opts.bmode & BM_STACK) && r.res[i].code != 0)
				stack_failed = true;
			continue;
		}
		wait_active(&r, fanout - 1);
		tasks[i].r = &r;
		tasks[i].idx = i;
		pthread_mutex_lock(&r.lock);
		r.active++;
		pthread_mutex_unlock(&r.lock);
		if (pthread_create(&tasks[i].t, NULL, task_main, &tasks[i]) != 0) {
			pthread_mutex_lock(&r.lock);
			r.active--;
			pthread_mutex_unlock(&r.lock);
			run_job(&r, i);
		}
	}
	wait_active(&r, 0);
	if (r.watching) {
		pthread_mutex_lock(&r.lock);
		r.finished = true;
		pthread_cond_broadcast(&r.cond);
		pthread_mutex_unlock(&r.lock);
		pthread_join(watcher, NULL);
	}
	for (k = 0; k < p->n; k++) {
		if (tasks[k].r)
			pthread_join(tasks[k].t, NULL);
		if (r.res[k].malformed && r.res[k].code < 2)
			r.res[k].code = 2;
		if (r.res[k].code > worst)
			worst = r.res[k].code;
	}
	if (r.render) {
		render_finish(r.render);
		render_free(r.render);
	}
	if (cfg->summary)
		summary(&r);
	for (k = 0; k < p->n; k++) {
		free(r.res[k].hop);
		free(r.res[k].error);
	}
	free(r.res);
	free(tasks);
	agent_free(r.local);
	if (r.pool)
		ctys_net->pool_free(r.pool);
	pthread_mutex_destroy(&r.lock);
	pthread_cond_destroy(&r.cond);
	return worst > 255 ? 255 : worst;
}
