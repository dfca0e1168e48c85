/* hostclient.c — see hostclient.h. */
#include "ctys/hostclient.h"

#include <errno.h>
#include <netinet/in.h>
#include <arpa/inet.h>
#include <poll.h>
#include <pthread.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <termios.h>
#include <time.h>
#include <unistd.h>

#include "agents/exec.h"
#include "agents/hosts.h"
#include "agents/viewer.h"
#include "lib/buf.h"
#include "lib/paths.h"
#include "lib/proto.h"
#include "lib/shquote.h"
#include "lib/util.h"
#include "lib/xmalloc.h"

#define LOCAL_PORTREMAP 5950     /* first local tunnel port (the original's) */
#define LOCAL_PORTS 200

/* The user to log in as: only an explicit one; else ssh_config (or the local user). */
#define LOGIN(j, h) ((j)->hops[h].user_given ? (j)->hops[h].user : NULL)

static const char *
last_host(const struct job *j)
{
	return j->hops[j->nhops - 1].host;
}

static bool
is_cf(const struct job *j)
{
	return j->opts.location == LOC_CONNECTIONFORWARDING || j->opts.location == LOC_CLIENTONLY;
}

/* ---- statuses ---- */

static void
fail(const struct link_sink *sink, const json_t *wire, const char *hop, int code, const char *msg)
{
	link_fail(sink, proto_str(wire, "id"), hop, code, msg);
}

static void
info(const struct link_sink *sink, const json_t *wire, const char *hop, const char *text)
{
	json_t *m = proto_msg(proto_str(wire, "id"), hop, "info", text);

	sink->msg(sink->ctx, m);
	json_decref(m);
}

static void
out_line(const struct link_sink *sink, const json_t *wire, const char *hop, const char *text)
{
	json_t *m = proto_rec(proto_str(wire, "id"), hop, text);

	sink->msg(sink->ctx, m);
	json_decref(m);
}

/* ---- the hop path ---- */

struct path {
	struct sshc *s[TARGET_DEPTH_MAX];
	size_t n;
};

/* Sessions to every hop of j, each through the one below.  False: status sent. */
static bool
open_path(const struct hc_env *e, const struct job *j, const json_t *wire,
    const struct link_sink *sink, struct path *p)
{
	struct sshc *s = NULL;
	size_t h;

	p->n = 0;
	for (h = 0; h < j->nhops && h < TARGET_DEPTH_MAX; h++) {
		s = sshc_pool_get(e->pool, s, LOGIN(j, h), j->hops[h].host, j->hops[h].port,
		    j->opts.agentfwd);
		if (s == NULL) {
			fail(sink, wire, j->hops[h].host, LINK_CODE_UNREACHABLE, ctys_errmsg());
			return false;
		}
		p->s[p->n++] = s;
	}
	return true;
}

/*
 * Is every hop still answering?  Checked from the bottom, so the first
 * silent hop is the one named.  On failure *hop and a message.
 */
static bool
path_alive(const struct path *p, const char **hop, char **msg)
{
	size_t h;

	for (h = 0; h < p->n; h++) {
		if (sshc_ping(p->s[h]) != CTYS_OK) {
			*hop = sshc_host(p->s[h]);
			*msg = xstrdup(ctys_errmsg());
			return false;
		}
	}
	return true;
}

/* ---- tunnels: 127.0.0.1:<lport> here -> <rhost>:<rport> seen from the last hop ---- */

struct tunnel {
	int lfd, lport;
	struct sshc *s;
	char rhost[256];
	int rport;
	pthread_t t;
	bool running;
	volatile bool stop;
	pthread_mutex_t lock;
	struct sshc_fwd **fw;
	size_t nfw;
	char err[512];           /* the last channel that could not be opened */
};

static void *
tunnel_main(void *arg)
{
	struct tunnel *t = arg;

	while (!t->stop) {
		struct pollfd p = { t->lfd, POLLIN, 0 };
		struct sshc_fwd *f;
		int c;

		if (poll(&p, 1, 100) <= 0)
			continue;
		c = accept(t->lfd, NULL, NULL);
		if (c < 0)
			continue;
		if (sshc_forward_fd(t->s, t->rhost, t->rport, c, &f) != CTYS_OK) {
			pthread_mutex_lock(&t->lock);
			snprintf(t->err, sizeof t->err, "%s", ctys_errmsg());
			pthread_mutex_unlock(&t->lock);
			continue;
		}
		pthread_mutex_lock(&t->lock);
		t->fw = xreallocarray(t->fw, t->nfw + 1, sizeof *t->fw);
		t->fw[t->nfw++] = f;
		pthread_mutex_unlock(&t->lock);
	}
	return NULL;
}

/* Listen on the first free port from CTYS_LOCAL_PORTREMAP (5950) and start forwarding. */
static ctys_err_t
tunnel_open(struct tunnel *t, struct sshc *s, const char *rhost, int rport)
{
	const char *base = getenv("CTYS_LOCAL_PORTREMAP");
	int p0 = base && atoi(base) > 0 ? atoi(base) : LOCAL_PORTREMAP, p, one = 1;
	struct sockaddr_in sa;

	memset(t, 0, sizeof *t);
	t->s = s;
	t->rport = rport;
	snprintf(t->rhost, sizeof t->rhost, "%s", rhost);
	pthread_mutex_init(&t->lock, NULL);
	t->lfd = socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
	if (t->lfd < 0)
		return ctys_seterr(CTYS_ERR_IO, "socket: %s", strerror(errno));
	setsockopt(t->lfd, SOL_SOCKET, SO_REUSEADDR, &one, sizeof one);
	for (p = p0; p < p0 + LOCAL_PORTS && p < 65536; p++) {
		memset(&sa, 0, sizeof sa);
		sa.sin_family = AF_INET;
		sa.sin_port = htons((uint16_t)p);
		sa.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
		if (bind(t->lfd, (struct sockaddr *)&sa, sizeof sa) == 0)
			break;
	}
	if (p >= p0 + LOCAL_PORTS || p >= 65536 || listen(t->lfd, 8) != 0) {
		close(t->lfd);
		return ctys_seterr(CTYS_ERR_IO, "no free local port for a tunnel in %d..%d", p0,
		    p0 + LOCAL_PORTS - 1);
	}
	t->lport = p;
	t->running = pthread_create(&t->t, NULL, tunnel_main, t) == 0;
	return CTYS_OK;
}

static void
tunnel_close(struct tunnel *t)
{
	size_t i;

	t->stop = true;
	if (t->running)
		pthread_join(t->t, NULL);
	close(t->lfd);
	for (i = 0; i < t->nfw; i++)
		sshc_forward_free(t->fw[i]);
	free(t->fw);
	pthread_mutex_destroy(&t->lock);
}

/* ---- a local client program ---- */

static pid_t
spawn_local(const struct strv *argv, const struct job *j, const char *label)
{
	struct buf addr = BUF_INIT;
	pid_t pid;

	job_address(&addr, j);
	pid = fork();
	if (pid == 0) {
		setenv("CTYS_TYPE", j->type, 1);
		setenv("CTYS_LABEL", label, 1);
		setenv("CTYS_TARGET", buf_cstr(&addr), 1);
		signal(SIGPIPE, SIG_DFL);
		execv(argv->v[0], argv->v);
		fprintf(stderr, "ctys: cannot start '%s': %s\n", argv->v[0], strerror(errno));
		_exit(127);
	}
	buf_free(&addr);
	return pid;
}

/*
 * Wait for the local client `pid` to end while checking the hops; returns
 * its exit status, or -1 with *hop and *msg when a hop stopped answering (the
 * client is then ended).
 */
static int
wait_client(const struct hc_env *e, const struct path *p, pid_t pid, const char **hop, char **msg)
{
	long long next = mono_ms() + (e->ping_ms > 0 ? e->ping_ms : 2000);
	int st;

	for (;;) {
		pid_t r = waitpid(pid, &st, WNOHANG);

		if (r == pid)
			return WIFEXITED(st) ? WEXITSTATUS(st) : 128 + WTERMSIG(st);
		if (r < 0 && errno != EINTR)
			return -2;
		if (mono_ms() >= next) {
			if (!path_alive(p, hop, msg)) {
				kill(pid, SIGTERM);
				while (waitpid(pid, &st, 0) < 0 && errno == EINTR)
					;
				return -1;
			}
			next = mono_ms() + (e->ping_ms > 0 ? e->ping_ms : 2000);
		}
		sleep_ms(50);
	}
}

/* ---- the server part of VNC: a job on the target that reports the port ---- */

struct capture {
	const struct link_sink *up;
	int port;
	int code;
	bool got;
	char *error;
	char *hop;
};

static void
capture_msg(void *ctx, json_t *m)
{
	struct capture *c = ctx;
	const char *t = proto_type(m), *d;

	if (strcmp(t, "status") == 0) {
		const char *err = json_string_value(json_object_get(m, "error"));

		c->got = true;
		c->code = (int)proto_int(m, "code");
		c->error = err ? xstrdup(err) : NULL;
		c->hop = xstrdup(proto_str(m, "hop"));
		return;
	}
	if (strcmp(t, "rec") == 0 && strncmp(d = proto_str(m, "data"), "CLIENTPORT(", 11) == 0 &&
	    strchr(d, '='))
		c->port = atoi(strchr(d, '=') + 1);
	c->up->msg(c->up->ctx, m);
}

/*
 * Run `wire` changed to action/location on the target; the port its
 * CLIENTPORT line reports, or -1 after passing the failure on.
 */
static int
server_part(const struct hc_env *e, const struct job *j, json_t *wire, const char *action,
    const char *arg, const struct link_sink *sink)
{
	json_t *w = json_deep_copy(wire);
	struct capture c = { sink, -1, 0, false, NULL, NULL };
	struct link_sink cs = { capture_msg, &c };

	json_object_set_new(w, "action", json_string(action));
	json_object_set_new(json_object_get(w, "options"), "L", json_string("SERVERONLY"));
	if (arg) {
		json_t *s = json_array(), *it = json_object();

		json_object_set_new(it, "key", json_string(arg));
		json_array_append_new(s, it);
		json_object_set_new(w, "subopts", s);
	}
	e->send(e->ctx, j, w, &cs);
	json_decref(w);
	if (!c.got || c.code != 0 || c.port <= 0) {
		fail(sink, wire, c.hop ? c.hop : last_host(j), c.got && c.code ? c.code : 2,
		    c.error ? c.error : "the server part reported no client port");
		c.port = -1;
	}
	free(c.error);
	free(c.hop);
	return c.port;
}

/* ---- remote commands on the last hop: X11 clients, stub commands, viewers ---- */

/* Stream a channel's output as lines of the job; exit status, or -1 (hop lost). */
static int
stream_channel(const struct hc_env *e, const struct path *p, struct sshc_chan *c,
    const json_t *wire, const char *hop, const struct link_sink *sink, const char **lost,
    char **msg)
{
	struct buf ob = BUF_INIT, eb = BUF_INIT;
	long long next = mono_ms() + (e->ping_ms > 0 ? e->ping_ms : 2000);
	char chunk[8192];
	bool is_err;
	ssize_t n;
	int st = -1;

	for (;;) {
		struct buf *b;
		char *nl;

		n = sshc_read(c, chunk, sizeof chunk, &is_err, 200);
		if (n == 0)
			break;
		if (n == SSHC_ERROR || (n == SSHC_AGAIN && mono_ms() >= next && !path_alive(p, lost,
		    msg))) {
			if (n == SSHC_ERROR) {
				*lost = hop;
				*msg = xstrdup(ctys_errmsg());
			}
			buf_free(&ob);
			buf_free(&eb);
			return -1;
		}
		if (n == SSHC_AGAIN) {
			if (mono_ms() >= next)
				next = mono_ms() + (e->ping_ms > 0 ? e->ping_ms : 2000);
			continue;
		}
		b = is_err ? &eb : &ob;
		buf_add(b, chunk, (size_t)n);
		while (b->len && (nl = memchr(b->d, '\n', b->len)) != NULL) {
			size_t l = (size_t)(nl - b->d);
			json_t *m;

			*nl = '\0';
			m = is_err ? proto_msg(proto_str(wire, "id"), hop, "stderr", b->d) :
			    proto_rec(proto_str(wire, "id"), hop, b->d);
			sink->msg(sink->ctx, m);
			json_decref(m);
			memmove(b->d, nl + 1, b->len - l - 1);
			buf_truncate(b, b->len - l - 1);
		}
	}
	if (ob.len)
		out_line(sink, wire, hop, buf_cstr(&ob));
	if (eb.len) {
		json_t *m = proto_msg(proto_str(wire, "id"), hop, "stderr", buf_cstr(&eb));

		sink->msg(sink->ctx, m);
		json_decref(m);
	}
	buf_free(&ob);
	buf_free(&eb);
	st = sshc_exit_status(c);
	return st;
}

/* Run cmd on the last hop (X11 forwarded when x11), to its end; sends the status. */
static void
run_remote(const struct hc_env *e, const struct job *j, const json_t *wire, const char *cmd,
    bool x11, const char *what, const struct link_sink *sink)
{
	const char *hop = last_host(j), *lost = NULL;
	struct path p;
	struct sshc_chan *c = NULL;
	char *msg = NULL, *m;
	ctys_err_t err;
	int st;

	if (!open_path(e, j, wire, sink, &p))
		return;
	err = x11 ? sshc_exec_x11(p.s[p.n - 1], cmd, getenv("DISPLAY"), &c) :
	    sshc_exec(p.s[p.n - 1], cmd, &c);
	if (err != CTYS_OK) {
		fail(sink, wire, hop, err == CTYS_ERR_USAGE ? 1 : LINK_CODE_UNREACHABLE, ctys_errmsg());
		return;
	}
	st = stream_channel(e, &p, c, wire, hop, sink, &lost, &msg);
	sshc_chan_close(c);
	if (st == -1) {
		m = xasprintf("session closed: %s", msg);
		fail(sink, wire, lost, LINK_CODE_UNREACHABLE, m);
		free(m);
		free(msg);
		return;
	}
	if (st == 127 && what) {
		m = xasprintf("%s on '%s'", what, hop);
		fail(sink, wire, hop, 127, m);
		free(m);
		return;
	}
	fail(sink, wire, hop, st < 0 ? 255 : st, st == 0 ? NULL : st < 0 ?
	    "the remote command ended without an exit status" : NULL);
}

/* [cd DIR&&]exec env CTYS_TYPE=T CTYS_LABEL=L CTYS_TARGET=A (then the program) */
static void
remote_prefix(struct buf *b, const struct job *j, const json_t *wire, const char *label)
{
	const char *dir = job_subopt(wire, "CHDIR");
	struct buf addr = BUF_INIT, t = BUF_INIT;

	if (dir) {
		buf_adds(b, "cd ");
		shquote_arg(b, dir);
		buf_adds(b, "&&");
	}
	job_address(&addr, j);
	buf_adds(b, "exec env CTYS_TYPE=");
	buf_adds(b, j->type);
	buf_adds(b, " ");
	buf_addf(&t, "CTYS_LABEL=%s", label ? label : "");
	shquote_arg(b, buf_cstr(&t));
	buf_adds(b, " ");
	buf_reset(&t);
	buf_addf(&t, "CTYS_TARGET=%s", buf_cstr(&addr));
	shquote_arg(b, buf_cstr(&t));
	buf_adds(b, " ");
	buf_free(&t);
	buf_free(&addr);
}

/* ---- CLI ---- */

static volatile sig_atomic_t winch;

static void
on_winch(int sig)
{
	(void)sig;
	winch = 1;
}

/* The interactive login: this terminal raw, the remote side with a pty. */
static void
cli_interactive(const struct hc_env *e, const struct job *j, const json_t *wire,
    const struct link_sink *sink)
{
	const char *dir = job_subopt(wire, "CHDIR"), *sh = job_subopt(wire, "SHELL");
	const char *co = job_subopt(wire, "CALLOPTS"), *label = job_subopt(wire, "LABEL");
	const char *hop = last_host(j), *lost = NULL, *term = getenv("TERM");
	struct termios saved, raw;
	struct winsize ws = { 24, 80, 0, 0 };
	struct sigaction sa, old;
	struct sshc_chan *c = NULL;
	struct buf cmd = BUF_INIT;
	long long next;
	struct path p;
	char buf[8192], *msg = NULL;
	bool is_err, in_open = true;
	int st = -1;
	ssize_t n;

	if (!isatty(0) || !isatty(1)) {
		fail(sink, wire, hop, 1, "interactive CLI sessions need a terminal (give CMD:<command> "
		    "to run a command)");
		return;
	}
	if (!open_path(e, j, wire, sink, &p))
		return;
	if (dir || sh || co) {
		if (dir) {
			buf_adds(&cmd, "cd ");
			shquote_arg(&cmd, dir);
			buf_adds(&cmd, "&&");
		}
		buf_addf(&cmd, "exec %s", sh ? sh : "bash -i");
		if (co)
			buf_addf(&cmd, " %s", co);
	}
	ioctl(0, TIOCGWINSZ, &ws);
	if (sshc_exec_pty(p.s[p.n - 1], cmd.len ? buf_cstr(&cmd) : NULL, term ? term : "xterm",
	    ws.ws_col, ws.ws_row, &c) != CTYS_OK) {
		fail(sink, wire, hop, LINK_CODE_UNREACHABLE, ctys_errmsg());
		buf_free(&cmd);
		return;
	}
	buf_free(&cmd);
	if (term && strncmp(term, "xterm", 5) == 0 && label) {
		printf("\033]0;%s@%s:%s\007", j->hops[j->nhops - 1].user, hop, label);
		fflush(stdout);
	}
	memset(&sa, 0, sizeof sa);
	sa.sa_handler = on_winch;
	sigaction(SIGWINCH, &sa, &old);
	tcgetattr(0, &saved);
	raw = saved;
	cfmakeraw(&raw);
	tcsetattr(0, TCSANOW, &raw);
	next = mono_ms() + (e->ping_ms > 0 ? e->ping_ms : 2000);
	for (;;) {
		struct pollfd pf = { 0, POLLIN, 0 };

		if (winch) {
			winch = 0;
			if (ioctl(0, TIOCGWINSZ, &ws) == 0)
				sshc_pty_resize(c, ws.ws_col, ws.ws_row);
		}
		if (in_open && poll(&pf, 1, 0) > 0) {
			ssize_t k = read(0, buf, sizeof buf);

			if (k > 0) {
				if (sshc_write(c, buf, (size_t)k) != CTYS_OK)
					break;
			} else if (k == 0) {
				sshc_send_eof(c);
				in_open = false;
			}
		}
		n = sshc_read(c, buf, sizeof buf, &is_err, 10);
		if (n == 0) {
			st = sshc_exit_status(c);
			break;
		}
		if (n == SSHC_ERROR) {
			lost = hop;
			msg = xstrdup(ctys_errmsg());
			break;
		}
		if (n > 0) {
			if (write(1, buf, (size_t)n) < 0)
				break;
			continue;
		}
		if (mono_ms() >= next) {
			if (!path_alive(&p, &lost, &msg))
				break;
			next = mono_ms() + (e->ping_ms > 0 ? e->ping_ms : 2000);
		}
	}
	tcsetattr(0, TCSANOW, &saved);
	sigaction(SIGWINCH, &old, NULL);
	sshc_chan_close(c);
	if (msg) {
		char *m = xasprintf("session closed: %s", msg);

		fail(sink, wire, lost, LINK_CODE_UNREACHABLE, m);
		free(m);
		free(msg);
		return;
	}
	fail(sink, wire, hop, st < 0 ? 0 : st, NULL);
}

/* STUBMODE with CMD: "[cd <dir>&&]exec <shell> -c <cmd>" through SSH, no agent. */
static void
cli_stub(const struct hc_env *e, const struct job *j, const json_t *wire,
    const struct link_sink *sink)
{
	const char *dir = job_subopt(wire, "CHDIR"), *sh = job_subopt(wire, "SHELL");
	const char *cmd = job_subopt(wire, "CMD");
	struct buf b = BUF_INIT;

	if (cmd == NULL) {
		cli_interactive(e, j, wire, sink);
		return;
	}
	if (dir) {
		buf_adds(&b, "cd ");
		shquote_arg(&b, dir);
		buf_adds(&b, "&&");
	}
	buf_addf(&b, "exec %s -c ", sh ? sh : "bash");
	shquote_arg(&b, cmd);
	run_remote(e, j, wire, buf_cstr(&b), false, NULL, sink);
	buf_free(&b);
}

/* ---- X11 ---- */

static void
x11_create(const struct hc_env *e, const struct job *j, const json_t *wire,
    const struct link_sink *sink)
{
	const char *label = job_subopt(wire, "LABEL"), *cmd = job_subopt(wire, "CMD");
	const char *con = job_subopt(wire, "CONSOLE"), *sh = job_subopt(wire, "SHELL");
	const char *co = job_subopt(wire, "CALLOPTS"), *xo = job_subopt(wire, "XOPTS");
	bool notitle = job_has_subopt(wire, "NOTITLE"), gnome = con && !strcasecmp(con, "GTERM");
	struct buf b = BUF_INIT, title = BUF_INIT;
	char *what = NULL;

	if (label == NULL) {
		fail(sink, wire, last_host(j), 1, "X11 CREATE needs LABEL:<label>");
		return;
	}
	if (getenv("DISPLAY") == NULL) {
		fail(sink, wire, last_host(j), 1, "X11 sessions need a display here: DISPLAY is not "
		    "set");
		return;
	}
	if (con && strcasecmp(con, "XTERM") && strcasecmp(con, "GTERM")) {
		char *m = xasprintf("CONSOLE:%s is not supported for X11 here (XTERM, GTERM, or "
		    "CMD:<x-program>)", con);

		fail(sink, wire, last_host(j), 1, m);
		free(m);
		return;
	}
	buf_addf(&title, "CTYS-X11-%s-%s", proto_str(wire, "id"), label);
	for (char *s = title.d; *s; s++)
		if (*s == ':')
			*s = '-';
	remote_prefix(&b, j, wire, label);
	if (cmd && !con) {
		buf_adds(&b, cmd);
		what = xasprintf("cannot start '%s'", cmd);
	} else if (gnome) {
		buf_adds(&b, "gnome-terminal");
		if (!notitle) {
			buf_adds(&b, " --title=");
			shquote_arg(&b, buf_cstr(&title));
		}
		buf_addf(&b, " -- %s", sh ? sh : "bash");
		what = xstrdup("gnome-terminal not found (Debian package gnome-terminal)");
	} else {
		buf_adds(&b, "xterm");
		if (!notitle) {
			buf_adds(&b, " -title ");
			shquote_arg(&b, buf_cstr(&title));
		}
		buf_addf(&b, " -e %s", sh ? sh : "bash");
		what = xstrdup("xterm not found (Debian package xterm)");
	}
	if (co)
		buf_addf(&b, " %s", co);
	if (xo)
		buf_addf(&b, " %s", xo);
	run_remote(e, j, wire, buf_cstr(&b), true, what, sink);
	free(what);
	buf_free(&b);
	buf_free(&title);
}

/* ---- VNC and RDP ---- */

static const char *
session_label(const json_t *wire)
{
	const char *l = job_subopt(wire, "LABEL");

	return l ? l : job_subopt(wire, "ID");
}

/* The viewer here on a tunnel (CF) or on the target (DF), for a server at rhost:rport there. */
static void
viewer_part(const struct hc_env *e, const struct job *j, const json_t *wire, const char *rhost,
    int rport, const struct link_sink *sink)
{
	const char *label = session_label(wire), *hop = last_host(j), *lost = NULL;
	const struct viewer *v;
	struct strv argv = STRV_INIT;
	char path[512], *pw = NULL, *msg = NULL, *m;
	struct tunnel t;
	struct path p;
	struct stat st;
	pid_t pid;
	int rc;

	if (!label)
		label = "";
	if (!is_cf(j)) {
		/* DISPLAYFORWARDING: the viewer runs on the target, shown here */
		struct buf b = BUF_INIT;

		if (getenv("DISPLAY") == NULL) {
			info(sink, wire, hop, "no DISPLAY here: the server runs, no viewer started "
			    "(use -L CF for a viewer here)");
			fail(sink, wire, hop, 0, NULL);
			return;
		}
		v = viewer_for(j->type, wire, false, path, sizeof path);
		if (v == NULL) {
			fail(sink, wire, hop, 1, ctys_errmsg());
			return;
		}
		viewer_argv(v, path, wire, rhost, rport, label,
		    strcmp(j->type, "VNC") == 0 ? ".vnc/passwd" : NULL, &argv);
		buf_adds(&b, "cd&&");
		remote_prefix(&b, j, wire, label);
		shquote_argv(&b, (const char *const *)argv.v, argv.n);
		m = xasprintf("%s not found: install the Debian package %s", v->prog, v->package);
		run_remote(e, j, wire, buf_cstr(&b), true, m, sink);
		free(m);
		buf_free(&b);
		strv_free(&argv);
		return;
	}
	v = viewer_for(j->type, wire, true, path, sizeof path);
	if (v == NULL) {
		fail(sink, wire, "localhost", 2, ctys_errmsg());
		return;
	}
	if (strcmp(j->type, "VNC") == 0) {
		pw = xasprintf("%s/.vnc/passwd", ctys_home());
		if (stat(pw, &st) != 0) {
			free(pw);
			pw = NULL;
		}
	}
	p.n = 0;
	if (!j->local) {
		if (!open_path(e, j, wire, sink, &p)) {
			free(pw);
			return;
		}
		if (tunnel_open(&t, p.s[p.n - 1], rhost, rport) != CTYS_OK) {
			fail(sink, wire, "localhost", 2, ctys_errmsg());
			free(pw);
			return;
		}
		m = xasprintf("tunnel 127.0.0.1:%d -> %s:%d on '%s'", t.lport, rhost, rport, hop);
		info(sink, wire, hop, m);
		free(m);
	}
	viewer_argv(v, path, wire, "127.0.0.1", j->local ? rport : t.lport, label, pw, &argv);
	free(pw);
	pid = spawn_local(&argv, j, label);
	strv_free(&argv);
	rc = pid > 0 ? wait_client(e, &p, pid, &lost, &msg) : -2;
	if (!j->local)
		tunnel_close(&t);
	if (rc == -1) {
		m = xasprintf("tunnel closed: %s", msg);
		fail(sink, wire, lost, LINK_CODE_UNREACHABLE, m);
		free(m);
	} else if (rc == 127 || rc == -2) {
		m = xasprintf("%s could not be started", v->prog);
		fail(sink, wire, "localhost", 2, m);
		free(m);
	} else {
		/* viewers end non-zero when their server goes away: that is the normal end */
		if (rc != 0) {
			m = xasprintf("%s ended with status %d", v->prog, rc);
			info(sink, wire, hop, m);
			free(m);
		}
		fail(sink, wire, hop, 0, NULL);
	}
	free(msg);
}

static void
vnc_create(const struct hc_env *e, const struct job *j, json_t *wire,
    const struct link_sink *sink)
{
	bool connect = job_has_subopt(wire, "CONNECT") || j->opts.location == LOC_CLIENTONLY;
	const char *label = session_label(wire);
	char path[512];
	int port;

	if (is_cf(j) && viewer_for("VNC", wire, true, path, sizeof path) == NULL) {
		fail(sink, wire, "localhost", 2, ctys_errmsg());
		return;
	}
	if (connect && label == NULL) {
		fail(sink, wire, last_host(j), 1, "VNC CONNECT needs LABEL:<label> or ID:<display>");
		return;
	}
	port = connect ? server_part(e, j, wire, "GETCLIENTPORT", label, sink) :
	    server_part(e, j, wire, "CREATE", NULL, sink);
	if (port > 0)
		viewer_part(e, j, wire, "127.0.0.1", port, sink);
}

static void
rdp_create(const struct hc_env *e, const struct job *j, json_t *wire,
    const struct link_sink *sink)
{
	const char *p = job_subopt(wire, "RDPPORT"), *ins = job_subopt(wire, "INSECURE");
	int port = p ? atoi(p) : 3389;

	if (job_subopt(wire, "LABEL") == NULL) {
		fail(sink, wire, last_host(j), 1, "RDP CREATE needs LABEL:<label>");
		return;
	}
	if (port <= 0 || port > 65535) {
		char *m = xasprintf("bad RDPPORT '%s' (1..65535)", p);

		fail(sink, wire, last_host(j), 1, m);
		free(m);
		return;
	}
	viewer_part(e, j, wire, ins ? ins : "127.0.0.1", port, sink);
}

/* CANCEL: the job on the target, then the viewers started here for it. */
static void
cancel_local_viewers(const struct hc_env *e, const struct job *j, json_t *wire,
    const struct link_sink *sink)
{
	const char *label = session_label(wire), *names[8];
	bool all = job_has_subopt(wire, "ALL"), server_only = job_has_subopt(wire, "SERVER");
	struct capture c = { sink, -1, 0, false, NULL, NULL };
	struct link_sink cs = { capture_msg, &c };
	struct buf addr = BUF_INIT;
	struct hproc *v;
	size_t n, i, killed = 0;

	e->send(e->ctx, j, wire, &cs);
	job_address(&addr, j);
	viewer_names(j->type, names, 8);
	n = server_only ? 0 : hosts_procs(names, &v);
	for (i = 0; i < n; i++) {
		if (strcmp(v[i].target, buf_cstr(&addr)) != 0 || strcmp(v[i].type, j->type) != 0)
			continue;
		if (!all && !(label && strcasecmp(v[i].label, label) == 0))
			continue;
		if (hosts_stop(v[i].pid, 2000, true))
			killed++;
	}
	if (n)
		hosts_procs_free(v, n);
	buf_free(&addr);
	if (killed && c.got && c.code == 1 && strcmp(j->type, "RDP") == 0) {
		c.code = 0; /* the client was here, not there */
		free(c.error);
		c.error = NULL;
	}
	fail(sink, wire, c.hop ? c.hop : last_host(j), c.got ? c.code : 2,
	    c.got ? c.error : "no status from the target");
	free(c.error);
	free(c.hop);
}

void
hostclient_run(const struct hc_env *e, const struct job *j, json_t *wire,
    const struct link_sink *sink)
{
	int a = (int)j->opts.action->id;

	if (a == CTYS_ACT_CANCEL)
		cancel_local_viewers(e, j, wire, sink);
	else if (strcmp(j->type, "CLI") == 0)
		cli_stub(e, j, wire, sink);
	else if (strcmp(j->type, "X11") == 0)
		x11_create(e, j, wire, sink);
	else if (strcmp(j->type, "VNC") == 0)
		vnc_create(e, j, wire, sink);
	else
		rdp_create(e, j, wire, sink);
}
