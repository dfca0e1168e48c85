/* agent.c — see agent.h. */
#include "agents/agent.h"

#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "agents/exec.h"
#include "lib/buf.h"
#include "lib/paths.h"
#include "lib/proto.h"
#include "lib/xmalloc.h"

struct agent {
	struct agent_cfg cfg;
	agent_forward_fn forward;   /* NULL: this agent cannot pass jobs on */
	void *forward_ctx;
	void (*forward_free)(void *ctx);
};

static char hostname_buf[256];
static pthread_once_t hostname_once = PTHREAD_ONCE_INIT;

static void
init_hostname(void)
{
	if (gethostname(hostname_buf, sizeof hostname_buf - 1) != 0)
		strcpy(hostname_buf, "localhost");
}

const char *
agent_hostname(void)
{
	pthread_once(&hostname_once, init_hostname);
	return hostname_buf;
}

struct agent *
agent_new(const struct agent_cfg *cfg)
{
	struct agent *a = xcalloc(1, sizeof *a);

	a->cfg = *cfg;
	if (a->cfg.agent_cmd == NULL || *a->cfg.agent_cmd == '\0')
		a->cfg.agent_cmd = "ctys-agent";
	return a;
}

void
agent_free(struct agent *a)
{
	if (a == NULL)
		return;
	if (a->forward_free)
		a->forward_free(a->forward_ctx);
	free(a);
}

void
agent_handle_job(struct agent *a, const json_t *job, const struct link_sink *sink)
{
	json_t *hops = json_object_get(job, "hops");
	long long at = proto_int(job, "at");
	size_t n = json_array_size(hops);
	const char *id = proto_str(job, "id"), *here;
	struct job_out o;

	if (n == 0 || at < 0 || (size_t)at >= n) {
		link_fail(sink, id, agent_hostname(), 2, "job without a valid hop chain");
		return;
	}
	here = proto_str(json_array_get(hops, (size_t)at), "host");
	if ((size_t)at + 1 == n) {
		o.sink = sink;
		o.id = id;
		o.hop = here;
		agent_exec(job, &o);
		return;
	}
	if (strcmp(proto_str(job, "mode"), "star") == 0) {
		link_fail(sink, id, here, 2, "a STAR job reached an intermediate hop");
		return;
	}
	if (a->forward == NULL) {
		link_fail(sink, id, here, 2, "this agent cannot pass jobs on: the client must start "
		    "ctys-agent-relay on intermediate hops");
		return;
	}
	a->forward(a->forward_ctx, &a->cfg, job, sink);
}

void
agent_set_forward(struct agent *a, agent_forward_fn fn, void *ctx, void (*free_ctx)(void *))
{
	a->forward = fn;
	a->forward_ctx = ctx;
	a->forward_free = free_ctx;
}

char *
agent_command(const char *agent_cmd, bool relay)
{
	return relay ? xasprintf("%s-relay", agent_cmd) : xstrdup(agent_cmd);
}

/* Serving stdin/stdout: one thread per job, output lines serialized. */
struct server {
	struct agent *a;
	int out_fd;
	pthread_mutex_t out_lock;
	int done_pipe[2];        /* a job thread writes one byte when it ends */
};

struct jobthread {
	struct server *srv;
	json_t *job;
	pthread_t t;
	struct jobthread *next;
};

static void
write_all(int fd, const char *p, size_t n)
{
	while (n > 0) {
		ssize_t w = write(fd, p, n);

		if (w < 0 && errno == EINTR)
			continue;
		if (w <= 0)
			return; /* the peer is gone; the job still finishes */
		p += w;
		n -= (size_t)w;
	}
}

static void
server_send(void *ctx, json_t *msg)
{
	struct server *srv = ctx;
	struct buf b = BUF_INIT;

	proto_encode(&b, msg);
	pthread_mutex_lock(&srv->out_lock);
	write_all(srv->out_fd, b.d, b.len);
	pthread_mutex_unlock(&srv->out_lock);
	buf_free(&b);
}

static void *
job_thread(void *arg)
{
	struct jobthread *jt = arg;
	struct link_sink sink = { server_send, jt->srv };
	char one = 1;

	agent_handle_job(jt->srv->a, jt->job, &sink);
	while (write(jt->srv->done_pipe[1], &one, 1) < 0 && errno == EINTR)
		;
	return NULL;
}

/*
 * The client went away (its SSH channel or connection closed: the reading
 * end of our stdout is gone).  Nobody can receive a result any more: end
 * the jobs' processes and exit at once.  Exiting also closes the SSH
 * sessions this agent opened to the next layer, whose agents then do the
 * same (ctys-agent(8), "Cancellation").
 */
static void
hangup(void)
{
	job_children_kill(500);
	_exit(AGENT_EXIT_HANGUP);
}

/* Decode and act on one line; false when the conversation must end. */
static bool
serve_line(struct server *srv, const char *line, size_t len, bool toolong, bool *hello,
    struct jobthread **threads, unsigned *running, int *status)
{
	struct jobthread *jt;
	json_t *m;

	if (toolong || (m = proto_decode(line, len)) == NULL) {
		json_t *e = proto_msg("", agent_hostname(), "error",
		    toolong ? "protocol line too long" : ctys_errmsg());
		server_send(srv, e);
		json_decref(e);
		*status = 2;
		return true;
	}
	if (!*hello) {
		json_t *h = proto_hello_agent(agent_hostname(), ctys_user());

		server_send(srv, h);
		json_decref(h);
		*hello = true;
		if (proto_check_hello(m, "the client") != CTYS_OK) {
			json_t *e = proto_msg("", agent_hostname(), "error", ctys_errmsg());
			server_send(srv, e);
			json_decref(e);
			json_decref(m);
			*status = 2;
			return false;
		}
		json_decref(m);
		return true;
	}
	if (strcmp(proto_type(m), "job") != 0) {
		json_decref(m);
		return true; /* unknown message types are ignored (forward compatible) */
	}
	jt = xcalloc(1, sizeof *jt);
	jt->srv = srv;
	jt->job = m;
	if (pthread_create(&jt->t, NULL, job_thread, jt) != 0) {
		json_t *e = proto_status(proto_str(m, "id"), agent_hostname(), 2,
		    "the agent cannot start a thread for the job");
		server_send(srv, e);
		json_decref(e);
		json_decref(m);
		free(jt);
		*status = 2;
		return true;
	}
	jt->next = *threads;
	*threads = jt;
	(*running)++;
	return true;
}

int
agent_serve(struct agent *a, int in_fd, int out_fd)
{
	struct server srv = { a, out_fd, PTHREAD_MUTEX_INITIALIZER, { -1, -1 } };
	struct linebuf lb = { BUF_INIT, 0 };
	struct jobthread *threads = NULL, *jt, *nx;
	const char *line;
	size_t len;
	bool hello = false, toolong, eof = false, go = true;
	unsigned running = 0;
	char chunk[16384];
	ssize_t n;
	int status = 0;

	signal(SIGPIPE, SIG_IGN);
	if (pipe2(srv.done_pipe, O_CLOEXEC) != 0)
		return 2;
	while (go && (!eof || running > 0)) {
		/* out_fd with no events: poll reports only POLLERR/POLLHUP, the peer gone */
		struct pollfd p[3] = {
			{ eof ? -1 : in_fd, POLLIN, 0 },
			{ out_fd, 0, 0 },
			{ srv.done_pipe[0], POLLIN, 0 },
		};

		if (poll(p, 3, -1) < 0) {
			if (errno == EINTR)
				continue;
			break;
		}
		if (p[1].revents & (POLLERR | POLLHUP))
			hangup();
		if (p[2].revents & POLLIN) {
			char d[64];

			n = read(srv.done_pipe[0], d, sizeof d);
			if (n > 0)
				running -= (unsigned)n < running ? (unsigned)n : running;
		}
		if (!(p[0].revents & (POLLIN | POLLHUP | POLLERR)))
			continue;
		n = read(in_fd, chunk, sizeof chunk);
		if (n < 0 && errno == EINTR)
			continue;
		if (n <= 0) {
			eof = true;
			continue;
		}
		linebuf_feed(&lb, chunk, (size_t)n);
		while (go && linebuf_next(&lb, &line, &len, &toolong))
			go = serve_line(&srv, line, len, toolong, &hello, &threads, &running, &status);
	}
	for (jt = threads; jt; jt = nx) {
		nx = jt->next;
		pthread_join(jt->t, NULL);
		json_decref(jt->job);
		free(jt);
	}
	close(srv.done_pipe[0]);
	close(srv.done_pipe[1]);
	linebuf_free(&lb);
	return status;
}
