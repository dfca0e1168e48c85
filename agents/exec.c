/* exec.c — see exec.h. */
#include "agents/exec.h"

#include <pthread.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <time.h>
#include <unistd.h>

#include "lib/paths.h"
#include "lib/proto.h"
#include "lib/util.h"
#include "lib/xmalloc.h"
#include "agents/agent.h"
#include "agents/collect.h"
#include "agents/plugin.h"

void
job_rec(const struct job_out *o, const char *line)
{
	json_t *m = proto_rec(o->id, o->hop, line);

	o->sink->msg(o->sink->ctx, m);
	json_decref(m);
}

void
job_msg(const struct job_out *o, const char *level, const char *text)
{
	json_t *m = proto_msg(o->id, o->hop, level, text);

	o->sink->msg(o->sink->ctx, m);
	json_decref(m);
}

void
job_status(const struct job_out *o, int code, const char *error)
{
	json_t *m = proto_status(o->id, o->hop, code, error);

	o->sink->msg(o->sink->ctx, m);
	json_decref(m);
}

const char *
job_subopt(const json_t *job, const char *key)
{
	json_t *subs = json_object_get(job, "subopts"), *it;
	const char *found = NULL;
	size_t i;

	json_array_foreach(subs, i, it) {
		if (strcmp(proto_str(it, "key"), key) == 0)
			found = json_string_value(json_object_get(it, "arg"));
	}
	return found;
}

const char *
job_subopt_present(const json_t *job, const char *key)
{
	const char *v = job_subopt(job, key);

	return v ? v : job_has_subopt(job, key) ? "" : NULL;
}

bool
job_has_subopt(const json_t *job, const char *key)
{
	json_t *subs = json_object_get(job, "subopts"), *it;
	size_t i;

	json_array_foreach(subs, i, it) {
		if (strcmp(proto_str(it, "key"), key) == 0)
			return true;
	}
	return false;
}

/* Records of collector actions: the fields in canonical order. */
void
job_record(const struct job_out *o, const char *kind, const char *type, const char *const *fields,
    size_t n)
{
	json_t *m = proto_record(o->id, o->hop, kind, type, fields, n);

	o->sink->msg(o->sink->ctx, m);
	json_decref(m);
}

/* ---- the process groups of running jobs ---------------------------------- */

static pthread_mutex_t kids_lock = PTHREAD_MUTEX_INITIALIZER;
static pid_t *kids;
static size_t nkids, capkids;
static bool kids_killed;

void
job_child_start(pid_t pgid)
{
	if (pgid <= 0)
		return;
	/* the child may not have run setpgid() yet: make it so from here too */
	setpgid(pgid, pgid);
	pthread_mutex_lock(&kids_lock);
	if (kids_killed) {
		pthread_mutex_unlock(&kids_lock);
		kill(-pgid, SIGKILL);
		kill(pgid, SIGKILL);
		return;
	}
	if (nkids == capkids) {
		capkids = capkids ? 2 * capkids : 8;
		kids = xrealloc(kids, capkids * sizeof *kids);
	}
	kids[nkids++] = pgid;
	pthread_mutex_unlock(&kids_lock);
}

void
job_child_end(pid_t pgid)
{
	size_t i;

	pthread_mutex_lock(&kids_lock);
	for (i = 0; i < nkids; i++) {
		if (kids[i] == pgid) {
			kids[i] = kids[--nkids];
			break;
		}
	}
	pthread_mutex_unlock(&kids_lock);
}

/* Signal every registered group (under kids_lock). */
static void
signal_kids(int sig)
{
	size_t i;

	for (i = 0; i < nkids; i++) {
		if (kill(-kids[i], sig) != 0)
			kill(kids[i], sig);
	}
}

void
job_children_kill(int grace_ms)
{
	struct timespec ts = { 0, 20 * 1000000L };
	int waited = 0;

	pthread_mutex_lock(&kids_lock);
	kids_killed = true;
	signal_kids(SIGTERM);
	/* each job's thread unregisters its child once it has ended */
	while (nkids > 0 && waited < grace_ms) {
		pthread_mutex_unlock(&kids_lock);
		nanosleep(&ts, NULL);
		waited += 20;
		pthread_mutex_lock(&kids_lock);
	}
	signal_kids(SIGKILL);
	pthread_mutex_unlock(&kids_lock);
}

void
agent_exec(const json_t *job, const struct job_out *o)
{
	const char *type = proto_str(job, "type"), *action = proto_str(job, "action");
	int act = plugin_action_by_name(action);
	const struct plugin_desc *pd = plugin_lookup(type, strlen(type));
	struct pjob pj = { job, o, o->hop };
	char *m;

	if (act < 0) {
		m = xasprintf("unknown action '%s'", action);
		job_status(o, 1, m);
		free(m);
		return;
	}
	if (plugin_action_is_collector(act)) {
		collect_run(&pj, (enum ctys_action)act);
		return;
	}
	if (pd == NULL) {
		m = xasprintf("unknown session type '%s'", type);
		job_status(o, 1, m);
		free(m);
		return;
	}
	if (pd->ops == NULL || pd->ops->run[act] == NULL) {
		m = xasprintf("%s of session type %s is not available on this agent yet", action, type);
		job_status(o, 2, m);
		free(m);
		return;
	}
	if (!plugin_state(pd)->enabled) {
		m = xasprintf("session type %s is not usable on '%s': %s", type, o->hop,
		    plugin_state(pd)->why);
		job_status(o, 2, m);
		free(m);
		return;
	}
	pd->ops->run[act](&pj);
}

const char *
job_free_arg(const json_t *job)
{
	json_t *it = json_array_get(json_object_get(job, "subopts"), 0);
	const char *k, *a;

	if (it == NULL)
		return NULL;
	k = proto_str(it, "key");
	a = json_string_value(json_object_get(it, "arg"));
	if (a && (str_ieq(k, "LABEL") || str_ieq(k, "L") || str_ieq(k, "ID") || str_ieq(k, "I") ||
	    str_ieq(k, "PATHNAME") || str_ieq(k, "PNAME") || str_ieq(k, "P")))
		return a;
	return k;
}

/* The first listed session with the ID (field 4) or label (field 3, any case). */
struct listed {
	const char *arg;
	bool found;
	char cport[32];          /* its field 9 */
};

static void
listed_rec(void *ctx, const char *const *f, size_t n)
{
	struct listed *ia = ctx;

	if (n >= 9 && !ia->found && ia->arg && (strcmp(f[3], ia->arg) == 0 ||
	    strcasecmp(f[2], ia->arg) == 0)) {
		ia->found = true;
		snprintf(ia->cport, sizeof ia->cport, "%s", f[8]);
	}
}

/* Look arg up in the plugin's LIST; false (status sent) when it cannot. */
static bool
listed_find(const struct pjob *j, const struct plugin_ops *ops, const char *action,
    struct listed *ia)
{
	char *m;

	memset(ia, 0, sizeof *ia);
	ia->arg = job_free_arg(j->job);
	if (ia->arg == NULL || *ia->arg == '\0') {
		m = xasprintf("%s needs an ID or a label: %s=<id>", action, action);
		job_status(j->out, 1, m);
		free(m);
		return false;
	}
	if (ops->list == NULL || ops->list(j, listed_rec, ia) != CTYS_OK) {
		job_status(j->out, 2, ops->list ? ctys_errmsg() : "no LIST for this type");
		return false;
	}
	return true;
}

void
job_isactive_by_list(const struct pjob *j, const struct plugin_ops *ops, const char *type)
{
	struct listed ia;
	char *m;

	if (!listed_find(j, ops, "ISACTIVE", &ia))
		return;
	m = xasprintf("ISACTIVE(%s,%s)=%d", type, ia.arg, ia.found ? 0 : 1);
	job_rec(j->out, m);
	free(m);
	job_status(j->out, 0, NULL);
}

void
job_clientport_by_list(const struct pjob *j, const struct plugin_ops *ops, const char *type,
    const char *what)
{
	struct listed ia;
	char *m;

	if (!listed_find(j, ops, "GETCLIENTPORT", &ia))
		return;
	if (!ia.found) {
		m = xasprintf("%s: no running %s machine with that ID or label", ia.arg, type);
		job_status(j->out, 1, m);
	} else if (ia.cport[0] == '\0') {
		m = xasprintf("%s: the %s machine runs without %s", ia.arg, type, what);
		job_status(j->out, 1, m);
	} else {
		m = xasprintf("CLIENTPORT(%s,%s,%s)=%s", type, agent_hostname(), ia.arg, ia.cport);
		job_rec(j->out, m);
		job_status(j->out, 0, NULL);
	}
	free(m);
}

void
job_bases(const json_t *job, struct strv *out)
{
	const char *b = job_subopt(job, "BASEPATH"), *dflt = getenv("DEFAULT_ENUM_BASE");
	struct strv w = STRV_INIT;
	size_t i;

	strv_split_ws(&w, b ? b : dflt ? dflt : "~ /etc/ctys.d /mntn/vmpool");
	for (i = 0; i < w.n; i++) {
		if (w.v[i][0] == '~')
			strv_push_owned(out, xasprintf("%s%s", ctys_home(), w.v[i] + 1));
		else if (w.v[i][0] != '/')
			strv_push_owned(out, xasprintf("%s/%s", ctys_home(), w.v[i]));
		else
			strv_push(out, w.v[i]);
	}
	strv_free(&w);
}
