/*
 * stack.c — CANCEL propagation through VM stacks; see stack.h.
 */
#include "agents/stack.h"

#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

#include "agents/exec.h"
#include "lib/buf.h"
#include "lib/paths.h"
#include "lib/proto.h"
#include "lib/strv.h"
#include "lib/util.h"
#include "lib/xmalloc.h"

#define STACK_CHILD_SLACK_S 60   /* a guest's own cancel: its TIMEOUT plus this */
#define STACK_POLL_MS 20

const char *
stack_method_name(enum stack_method m)
{
	static const char *const names[] = { "POWEROFF", "REBOOT", "INIT", "PAUSE", "SUSPEND" };

	return names[m];
}

bool
stack_job_is_inner(const json_t *job)
{
	return json_is_true(json_object_get(job, "stacked"));
}

/* ---- the running guests ---- */

struct collect {
	const struct plugin_desc *p;
	const char *label, *id;
	struct stack_guest *v;
	size_t n, cap;
};

static void
collect_rec(void *ctx, const char *const *f, size_t n)
{
	struct collect *c = ctx;
	struct stack_guest *g;

	/* LIST record: 3 label, 4 id, 14 SERVER/CLIENT */
	if (n < 14 || strcmp(f[13], "SERVER") != 0)
		return;
	if ((c->label && strcmp(c->label, f[2]) != 0) || (c->id && strcmp(c->id, f[3]) != 0))
		return;
	if (c->n == c->cap) {
		c->cap = c->cap ? 2 * c->cap : 8;
		c->v = xrealloc(c->v, c->cap * sizeof *c->v);
	}
	g = &c->v[c->n++];
	memset(g, 0, sizeof *g);
	g->plugin = c->p;
	snprintf(g->label, sizeof g->label, "%s", f[2]);
	snprintf(g->id, sizeof g->id, "%s", f[3]);
	if (c->p->ops->guest == NULL || !c->p->ops->guest(c->p->name, g->id, g->dest, sizeof g->dest))
		g->dest[0] = '\0';
}

size_t
stack_guests(const struct pjob *j, const struct plugin_desc *only, const char *label,
    const char *id, struct stack_guest **out)
{
	struct collect c = { NULL, label, id, NULL, 0, 0 };
	size_t i;

	for (i = 0; i < plugin_count; i++) {
		const struct plugin_desc *p = &plugin_table[i];

		if ((only && p != only) || p->category != PLUGIN_VM || p->ops == NULL ||
		    p->ops->list == NULL || !plugin_state(p)->enabled)
			continue;
		c.p = p;
		p->ops->list(j, collect_rec, &c);
	}
	*out = c.v;
	return c.n;
}

/* ---- reports ---- */

static void
report(const struct pjob *j, const struct stack_guest *g, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));

static void
report(const struct pjob *j, const struct stack_guest *g, const char *fmt, ...)
{
	struct buf b = BUF_INIT;
	va_list ap;

	buf_addf(&b, "stack: %s: ", g->label);
	va_start(ap, fmt);
	buf_vaddf(&b, fmt, ap);
	va_end(ap);
	job_rec(j->out, buf_cstr(&b));
	buf_free(&b);
}

/* ---- the guests' own cancel, in parallel ---- */

struct child {
	pid_t pid;
	int out, err;      /* unlinked temp files */
	int rc;            /* exit status, -1 not run, 124 timed out */
	long long ms;
};

static int
tmpfd(void)
{
	char path[] = "/tmp/ctys-stack-XXXXXX";
	int fd = mkostemp(path, O_CLOEXEC);

	if (fd >= 0)
		unlink(path);
	return fd;
}

static void
guest_subopts(const struct stack_req *r, struct buf *b)
{
	switch (r->method) {
	case SM_POWEROFF:
		buf_addf(b, "SELF,POWEROFF:0");
		break;
	case SM_REBOOT:
		buf_addf(b, "SELF,REBOOT");
		break;
	case SM_INIT:
		buf_addf(b, "SELF,INIT:%d", r->runlevel);
		break;
	case SM_PAUSE:
		buf_addf(b, "PAUSE");
		break;
	case SM_SUSPEND:
		buf_addf(b, "SUSPEND");
		break;
	}
	buf_addf(b, ",TIMEOUT:%lu", r->timeout_s);
}

static void
spawn_guest_cancel(const struct stack_guest *g, const struct stack_req *r, struct child *c)
{
	const char *client = getenv("CTYS_CLIENT");
	struct buf subs = BUF_INIT;
	char act[256], tmo[32];

	c->rc = -1;
	c->out = tmpfd();
	c->err = tmpfd();
	if (c->out < 0 || c->err < 0)
		return;
	guest_subopts(r, &subs);
	snprintf(act, sizeof act, "cancel=%s", buf_cstr(&subs));
	snprintf(tmo, sizeof tmo, "%lu", r->timeout_s + STACK_CHILD_SLACK_S);
	buf_free(&subs);
	c->ms = mono_ms();
	c->pid = fork();
	if (c->pid == 0) {
		int nul = open("/dev/null", O_RDONLY);

		setpgid(0, 0);
		dup2(nul, 0);
		dup2(c->out, 1);
		dup2(c->err, 2);
		setenv("CTYS_TIMEOUT", tmo, 1);
		/* ctys-client: the client with SSH, without the hand-over of ctys */
		{
			char *argv[] = { (char *)"ctys", (char *)"-c", (char *)"OFF", (char *)"-t",
				(char *)"PM", (char *)"-a", act, (char *)g->dest, NULL };

			if (client && *client)
				execvp(client, argv);
			else
				ctys_exec_sibling("ctys-client", argv);
		}
		fprintf(stderr, "cannot run %s: %s\n", client && *client ? client : "ctys-client",
		    strerror(errno));
		_exit(127);
	}
	if (c->pid < 0)
		c->rc = 127;
}

static void
wait_children(struct child *c, size_t n, long long deadline)
{
	size_t i, left;
	int st;

	for (;;) {
		left = 0;
		for (i = 0; i < n; i++) {
			if (c[i].pid <= 0 || c[i].rc >= 0)
				continue;
			if (waitpid(c[i].pid, &st, WNOHANG) == c[i].pid) {
				c[i].rc = WIFEXITED(st) ? WEXITSTATUS(st) : 128 + WTERMSIG(st);
				c[i].ms = mono_ms() - c[i].ms;
			} else {
				left++;
			}
		}
		if (left == 0)
			return;
		if (mono_ms() >= deadline)
			break;
		sleep_ms(10);
	}
	for (i = 0; i < n; i++) {
		if (c[i].pid <= 0 || c[i].rc >= 0)
			continue;
		kill(-c[i].pid, SIGKILL);
		while (waitpid(c[i].pid, &st, 0) < 0 && errno == EINTR)
			;
		c[i].rc = 124;
		c[i].ms = mono_ms() - c[i].ms;
	}
}

/* The lines of fd: stdout lines as records (the inner levels' reports), stderr as messages. */
static void
relay_file(const struct pjob *j, int fd, bool is_err)
{
	struct buf b = BUF_INIT;
	char chunk[4096], *s, *e;
	ssize_t k;

	if (fd < 0)
		return;
	lseek(fd, 0, SEEK_SET);
	while ((k = read(fd, chunk, sizeof chunk)) > 0 && b.len < 1024 * 1024)
		buf_add(&b, chunk, (size_t)k);
	for (s = b.d; s && *s; s = e ? e + 1 : NULL) {
		e = strchr(s, '\n');
		if (e)
			*e = '\0';
		if (*s == '\0')
			continue;
		if (is_err)
			job_msg(j->out, "stderr", s);
		else
			job_rec(j->out, s);
	}
	buf_free(&b);
}

/* ---- the hypervisor's step ---- */

struct capture {
	const struct job_out *parent;
	int code;
	char *error;
};

static void
capture_msg(void *ctx, json_t *m)
{
	struct capture *c = ctx;

	if (strcmp(proto_str(m, "t"), "status") == 0) {
		const char *err = json_string_value(json_object_get(m, "error"));

		c->code = (int)proto_int(m, "code");
		free(c->error);
		c->error = err ? xstrdup(err) : NULL;
		return;
	}
	c->parent->sink->msg(c->parent->sink->ctx, m);
}

/* Run the plugin's CANCEL for g with `method` (+FORCE), marked as inner. */
static int
hypervisor(const struct pjob *j, const struct stack_guest *g, const char *method,
    const char *arg, bool force, char **error)
{
	struct capture cap = { j->out, -1, NULL };
	struct link_sink sink = { capture_msg, &cap };
	struct job_out o = { &sink, j->out->id, j->out->hop };
	json_t *job = json_deep_copy(j->job), *subs = json_array();
	struct pjob pj = { job, &o, j->hop };

	json_array_append_new(subs, json_pack("{s:s,s:s}", "key", "LABEL", "arg", g->label));
	json_array_append_new(subs, arg ? json_pack("{s:s,s:s}", "key", method, "arg", arg)
					: json_pack("{s:s,s:n}", "key", method, "arg"));
	if (force)
		json_array_append_new(subs, json_pack("{s:s,s:n}", "key", "FORCE", "arg"));
	json_object_set_new(job, "subopts", subs);
	json_object_set_new(job, "action", json_string("CANCEL"));
	json_object_set_new(job, "stacked", json_true());
	g->plugin->ops->run[CTYS_ACT_CANCEL](&pj);
	json_decref(job);
	if (cap.code < 0)
		cap.code = 2;
	if (error)
		*error = cap.error;
	else
		free(cap.error);
	return cap.code;
}

static bool
still_runs(const struct pjob *j, const struct stack_guest *g)
{
	struct stack_guest *v = NULL;
	size_t n = stack_guests(j, g->plugin, g->label, NULL, &v);

	free(v);
	return n > 0;
}

size_t
stack_cancel(const struct pjob *j, const struct stack_guest *g, size_t n,
    const struct stack_req *r)
{
	struct child *c = xcalloc(n ? n : 1, sizeof *c);
	bool *pending = xcalloc(n ? n : 1, sizeof *pending);
	long long t0 = mono_ms(), end;
	char delay[24], *err = NULL;
	size_t i, failed = 0, left;
	const char *m = stack_method_name(r->method), *m2;
	int code;

	snprintf(delay, sizeof delay, "%lu", r->delay_s);
	/* 1. every reachable guest cancels its own contents, then itself: in parallel */
	for (i = 0; i < n; i++) {
		c[i].pid = -1;
		c[i].out = c[i].err = -1;
		c[i].rc = -1;
		if (g[i].dest[0] == '\0')
			continue;
		report(j, &g[i], "%s through its agent at %s", m, g[i].dest);
		spawn_guest_cancel(&g[i], r, &c[i]);
	}
	wait_children(c, n, mono_ms() + (long long)(r->timeout_s + STACK_CHILD_SLACK_S + 10) * 1000);
	for (i = 0; i < n; i++) {
		if (c[i].pid < 0 && c[i].rc < 0)
			continue;
		relay_file(j, c[i].out, false);
		relay_file(j, c[i].err, true);
		if (c[i].rc == 0)
			report(j, &g[i], "its agent finished %s after %lld ms", m, c[i].ms);
		else if (c[i].rc == 124)
			report(j, &g[i], "its agent did not finish within %lu s", r->timeout_s +
			    STACK_CHILD_SLACK_S);
		else
			report(j, &g[i], "its agent at %s failed (exit %d)", g[i].dest, c[i].rc);
	}
	/* 2. POWEROFF: wait for the guests that halt themselves, up to TIMEOUT */
	if (r->method == SM_POWEROFF) {
		end = mono_ms() + (long long)r->timeout_s * 1000;
		for (i = 0; i < n; i++)
			pending[i] = c[i].rc == 0;
		do {
			left = 0;
			for (i = 0; i < n; i++) {
				if (!pending[i])
					continue;
				if (!still_runs(j, &g[i])) {
					pending[i] = false;
					report(j, &g[i], "ended (%lld ms)", mono_ms() - t0);
				} else {
					left++;
				}
			}
			if (left && mono_ms() < end)
				sleep_ms(STACK_POLL_MS);
		} while (left && mono_ms() < end);
	}
	/* 3. the hypervisor: escalation, fallback, or the level's own step */
	for (i = 0; i < n; i++) {
		bool reached = c[i].rc == 0;

		switch (r->method) {
		case SM_POWEROFF:
			if (reached && !pending[i])
				continue;
			if (reached) {
				report(j, &g[i], "did not stop within %lu s: escalated to FORCE",
				    r->timeout_s);
				code = hypervisor(j, &g[i], "POWEROFF", "0", true, &err);
			} else {
				report(j, &g[i], "%s: hypervisor POWEROFF", g[i].dest[0] ?
				    "agent unreachable" : "no guest address known");
				code = hypervisor(j, &g[i], "POWEROFF", delay, false, &err);
			}
			break;
		case SM_REBOOT:
		case SM_INIT:
			if (reached)
				continue;
			/* REBOOT as the hypervisor has it (XEN: xl reboot; QEMU: a reset) */
			m2 = r->method == SM_REBOOT ? "REBOOT" : "RESET";
			report(j, &g[i], "%s: hypervisor %s", g[i].dest[0] ? "agent unreachable" :
			    "no guest address known", m2);
			code = hypervisor(j, &g[i], m2, NULL, false, &err);
			break;
		case SM_SUSPEND:
			code = hypervisor(j, &g[i], "SUSPEND", NULL, false, &err);
			if (code != 0) {
				report(j, &g[i], "SUSPEND refused (%s): PAUSE instead", err ? err : "");
				free(err);
				err = NULL;
				code = hypervisor(j, &g[i], "PAUSE", NULL, false, &err);
			}
			break;
		case SM_PAUSE:
		default:
			code = hypervisor(j, &g[i], "PAUSE", NULL, false, &err);
			break;
		}
		if (code != 0) {
			char *msg = xasprintf("stack: %s: %s failed: %s", g[i].label, m, err ? err : "");

			job_msg(j->out, "error", msg);
			free(msg);
			failed++;
		}
		free(err);
		err = NULL;
	}
	for (i = 0; i < n; i++) {
		if (c[i].out >= 0)
			close(c[i].out);
		if (c[i].err >= 0)
			close(c[i].err);
	}
	free(c);
	free(pending);
	return failed;
}
