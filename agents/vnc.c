/*
 * vnc.c — the VNC plugin on the executing machine (plugins.md §5.8,
 * ctys-VNC(1)): TigerVNC servers (Xvnc) started, listed and cancelled by
 * label, display and port; viewers listed and cancelled.
 *
 * CREATE starts `Xvnc :<n> -desktop <label> -rfbport <port> -localhost
 * -nolisten tcp -SecurityTypes VncAuth -PasswordFile <file>` detached, waits
 * until its port listens and runs ~/.vnc/xstartup (when executable) on
 * the new display.  It reports the client port as GETCLIENTPORT does:
 * "CLIENTPORT(VNC,<host>,<label>)=<port>".  The viewer part (on this
 * machine with DISPLAYFORWARDING, on the caller through a tunnel with
 * CONNECTIONFORWARDING) is started by the ctys client (ctys/hostclient.c).
 *
 * Displays: X display numbers and /tmp/.X11-unix are shared by every
 * network namespace and container on a machine, so a display is free only
 * when neither /tmp/.X<n>-lock nor /tmp/.X11-unix/X<n> exists and its
 * port is not listening here.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "agents/exec.h"
#include "agents/hosts.h"
#include "agents/plugins.h"
#include "agents/tool.h"
#include "lib/paths.h"
#include "lib/proto.h"
#include "lib/util.h"
#include "lib/xmalloc.h"

#define VNC_BASE 5900
#define VNC_DISPLAY_MAX 99
#define VNC_START_MS 10000

static const char *const server_names[] = { "Xvnc", "Xtigervnc", "Xrealvnc", NULL };
static const char *const viewer_names[] = { "xtigervncviewer", "vncviewer", "xvncviewer",
	"tigervncviewer", NULL };

/* A running server or viewer. */
struct vsess {
	pid_t pid;
	uid_t uid;
	int display;            /* -1 unknown */
	int port;               /* -1 unknown */
	char label[128];
	char exe[256];
	bool server;
};

static int
display_arg(const struct strv *argv)
{
	size_t i;

	for (i = 1; i < argv->n; i++)
		if (argv->v[i][0] == ':' && argv->v[i][1] >= '0' && argv->v[i][1] <= '9')
			return atoi(argv->v[i] + 1);
	return -1;
}

/* host:display or host::port of a viewer's command line */
static void
viewer_target(const struct strv *argv, int *display, int *port)
{
	size_t i;

	for (i = argv->n; i-- > 1;) {
		const char *a = argv->v[i], *c = strchr(a, ':');

		if (a[0] == '-' || c == NULL)
			continue;
		if (c[1] == ':') {
			*port = atoi(c + 2);
			*display = *port >= VNC_BASE ? *port - VNC_BASE : -1;
		} else {
			*display = atoi(c + 1);
			*port = VNC_BASE + *display;
		}
		return;
	}
}

/* All servers (and viewers when `viewers`). */
static size_t
sessions(bool servers, bool viewers, struct vsess **out)
{
	struct hproc *p = NULL;
	struct vsess *v = NULL;
	size_t n = 0, np, i, k, cnt = 0;

	for (k = 0; k < 2; k++) {
		if ((k == 0 && !servers) || (k == 1 && !viewers))
			continue;
		np = hosts_procs(k == 0 ? server_names : viewer_names, &p);
		v = xreallocarray(v, cnt + np + 1, sizeof *v);
		for (i = 0; i < np; i++) {
			struct vsess *s = &v[cnt++];
			const char *o;

			memset(s, 0, sizeof *s);
			s->pid = p[i].pid;
			s->uid = p[i].uid;
			s->server = k == 0;
			s->display = s->port = -1;
			snprintf(s->exe, sizeof s->exe, "%s", p[i].argv.v[0]);
			if (s->server) {
				s->display = display_arg(&p[i].argv);
				o = hosts_argv_opt(&p[i].argv, "-rfbport");
				s->port = o ? atoi(o) : s->display >= 0 ? VNC_BASE + s->display : -1;
				o = hosts_argv_opt(&p[i].argv, "-desktop");
				if (o == NULL)
					o = hosts_argv_opt(&p[i].argv, "-name");
				snprintf(s->label, sizeof s->label, "%s", o ? o : p[i].label);
			} else {
				viewer_target(&p[i].argv, &s->display, &s->port);
				snprintf(s->label, sizeof s->label, "%s", p[i].label);
			}
		}
		hosts_procs_free(p, np);
		n = cnt;
	}
	*out = v;
	return n;
}

/* Does session s match the address (label any case, or display number)? */
static bool
matches(const struct vsess *s, const char *label, const char *id)
{
	if (label && strcasecmp(s->label, label) == 0)
		return true;
	return id && *id && s->display >= 0 && s->display == atoi(id[0] == ':' ? id + 1 : id);
}

static ctys_err_t
vnc_list(const struct pjob *j, rec_emit_fn emit, void *ctx)
{
	bool cl = job_has_subopt(j->job, "CLIENT"), sv = job_has_subopt(j->job, "SERVER");
	struct vsess *v;
	size_t n, i;

	if (job_has_subopt(j->job, "TUNNEL") && !cl && !sv)
		return CTYS_OK;
	if (!cl && !sv)
		cl = sv = true;
	n = sessions(sv, cl, &v);
	for (i = 0; i < n; i++) {
		char disp[16] = "", port[16] = "";
		struct hrec r = { j->hop, "VNC", v[i].label, disp, disp, port, port,
			v[i].server ? "SERVER" : "CLIENT", v[i].exe, v[i].pid, v[i].uid };

		if (v[i].display >= 0)
			snprintf(disp, sizeof disp, "%d", v[i].display);
		if (v[i].port >= 0)
			snprintf(port, sizeof port, "%d", v[i].port);
		if (!v[i].server)
			r.sport = "";
		hosts_emit(&r, emit, ctx);
	}
	free(v);
	return CTYS_OK;
}

static void
report_port(const struct pjob *j, const char *label, int port)
{
	char *m = xasprintf("CLIENTPORT(VNC,%s,%s)=%d", j->hop, label, port);

	job_rec(j->out, m);
	free(m);
}

static bool
display_free(int d, int base)
{
	char p[64];
	struct stat st;

	snprintf(p, sizeof p, "/tmp/.X%d-lock", d);
	if (stat(p, &st) == 0)
		return false;
	snprintf(p, sizeof p, "/tmp/.X11-unix/X%d", d);
	if (stat(p, &st) == 0)
		return false;
	return !hosts_port_listening(base + d);
}

/* The last lines of Xvnc's log, for a failed start. */
static char *
log_tail(const char *path)
{
	FILE *f = fopen(path, "r");
	char line[512], last[512] = "";

	if (f == NULL)
		return xstrdup("no log");
	while (fgets(line, sizeof line, f))
		if (line[0] != '\n' && strncmp(line, " ", 1) != 0)
			snprintf(last, sizeof last, "%.*s", (int)strcspn(line, "\n"), line);
	fclose(f);
	return xstrdup(last[0] ? last : "empty log");
}

/* Parsed CREATE request. */
struct vreq {
	const char *label, *id;
	int base, port, display;
	char geom[32];
};

static bool
parse_create(const struct pjob *j, struct vreq *q)
{
	const char *b = job_subopt(j->job, "VNCBASE"), *p = job_subopt(j->job, "VNCPORT");
	unsigned long v;
	char *m = NULL;

	memset(q, 0, sizeof *q);
	q->label = job_subopt(j->job, "LABEL");
	q->id = job_subopt(j->job, "ID");
	q->base = VNC_BASE;
	q->port = q->display = -1;
	if (b && (!parse_uint(b, 65000, &v) || v < 1024))
		m = xasprintf("bad VNCBASE '%s' (a port from 1024)", b);
	else if (b)
		q->base = (int)v;
	if (!m && p && (!parse_uint(p, 65535, &v) || (int)v < q->base ||
	    (int)v > q->base + VNC_DISPLAY_MAX))
		m = xasprintf("bad VNCPORT '%s' (VNCBASE %d to %d)", p, q->base,
		    q->base + VNC_DISPLAY_MAX);
	else if (p)
		q->display = (int)v - q->base;
	if (!m && q->id && (!parse_uint(q->id[0] == ':' ? q->id + 1 : q->id, VNC_DISPLAY_MAX, &v)))
		m = xasprintf("bad ID '%s' for VNC (a display number 0..%d)", q->id, VNC_DISPLAY_MAX);
	else if (!m && q->id)
		q->display = (int)v;
	if (!m && q->label == NULL && q->display < 0)
		m = xstrdup("VNC CREATE needs LABEL:<label> (or ID/VNCPORT)");
	if (!m && q->label && !hosts_label_ok(q->label))
		m = xasprintf("bad label '%s' (1 to 64 letters, digits, '.', '_', '-')", q->label);
	if (m) {
		job_status(j->out, 1, m);
		free(m);
		return false;
	}
	if (!hosts_job_geometry(j->job, q->geom, sizeof q->geom))
		snprintf(q->geom, sizeof q->geom, "1024x768");
	if (q->display >= 0)
		q->port = q->base + q->display;
	return true;
}

/* Label in use, REUSE/CONNECT: answer without starting.  True when done. */
static bool
existing(const struct pjob *j, struct vreq *q)
{
	bool reuse = job_has_subopt(j->job, "REUSE") || job_has_subopt(j->job, "CONNECT") ||
	    job_has_subopt(j->job, "RECONNECT") || job_has_subopt(j->job, "RESUME");
	const char *amb = hosts_job_opt(j->job, 'A');
	struct vsess *v, *hit = NULL;
	size_t n, i;
	char *m;

	n = sessions(true, false, &v);
	for (i = 0; i < n && !hit; i++)
		if (matches(&v[i], q->label, q->id))
			hit = &v[i];
	if (hit && reuse) {
		report_port(j, hit->label, hit->port);
		job_status(j->out, 0, NULL);
	} else if (hit == NULL && job_has_subopt(j->job, "CONNECT")) {
		m = xasprintf("no VNC session '%s' on '%s' to connect to", q->label ? q->label : q->id,
		    j->hop);
		job_status(j->out, 1, m);
		free(m);
		hit = v; /* done */
	} else if (hit && q->label && strcasecmp(hit->label, q->label) == 0 &&
	    !(amb && (strcmp(amb, "1") == 0 || strcasecmp(amb, "ON") == 0))) {
		m = xasprintf("label '%s' is already used by VNC display :%d on '%s' (REUSE connects "
		    "to it, -A 1 allows a second one)", q->label, hit->display, j->hop);
		job_status(j->out, 1, m);
		free(m);
	} else {
		hit = NULL;
	}
	free(v);
	return hit != NULL;
}

static bool
choose_display(const struct pjob *j, struct vreq *q)
{
	char *m = NULL;
	int d;

	if (q->display >= 0) {
		if (hosts_port_listening(q->port))
			m = xasprintf("port %d is already in use on '%s'", q->port, j->hop);
		else if (!display_free(q->display, q->base))
			m = xasprintf("display :%d is taken on '%s' (/tmp/.X%d-lock or "
			    "/tmp/.X11-unix/X%d exists)", q->display, j->hop, q->display, q->display);
	} else {
		for (d = 1; d <= VNC_DISPLAY_MAX && !display_free(d, q->base); d++)
			;
		if (d > VNC_DISPLAY_MAX)
			m = xasprintf("no free VNC display on '%s' (1..%d)", j->hop, VNC_DISPLAY_MAX);
		q->display = d;
		q->port = q->base + d;
	}
	if (m) {
		job_status(j->out, 2, m);
		free(m);
		return false;
	}
	return true;
}

/* Start Xvnc and wait until its port listens; pid in *pid. */
static bool
start_server(const struct pjob *j, const struct vreq *q, const char *label, pid_t *pid)
{
	struct conf *c = hosts_conf(j, "vnc");
	const char *pw = conf_get(c, "VNC_PASSWDFILE"), *opts = conf_get(c, "VNCSERVER_OPT");
	char *vdir = xasprintf("%s/.vnc", ctys_home()), *pwf, *log, *m = NULL;
	char disp[16], port[16], exe[512];
	const char *envv[3];
	struct strv a = STRV_INIT;
	char envl[160], envt[] = "CTYS_TYPE=VNC";
	long long waited = 0;
	struct stat st;
	bool ok = false;

	pwf = pw ? xstrdup(pw) : xasprintf("%s/passwd", vdir);
	log = xasprintf("%s/%s:%d.log", vdir, j->hop, q->display);
	if (!tool_which("Xvnc", exe, sizeof exe))
		m = xasprintf("Xvnc not found on '%s': install the Debian package "
		    "tigervnc-standalone-server", j->hop);
	else if (stat(pwf, &st) != 0)
		m = xasprintf("no VNC password file '%s' on '%s': create it with vncpasswd (Debian "
		    "package tigervnc-tools)", pwf, j->hop);
	if (m == NULL) {
		mkdir(vdir, 0700);
		snprintf(disp, sizeof disp, ":%d", q->display);
		snprintf(port, sizeof port, "%d", q->port);
		strv_push(&a, exe);
		strv_push(&a, disp);
		strv_push(&a, "-desktop");
		strv_push(&a, label);
		strv_push(&a, "-geometry");
		strv_push(&a, q->geom);
		strv_push(&a, "-depth");
		strv_push(&a, "24");
		strv_push(&a, "-rfbport");
		strv_push(&a, port);
		strv_push(&a, "-localhost");
		strv_push(&a, "-nolisten");
		strv_push(&a, "tcp");
		strv_push(&a, "-SecurityTypes");
		strv_push(&a, "VncAuth");
		strv_push(&a, "-PasswordFile");
		strv_push(&a, pwf);
		strv_push(&a, "-AlwaysShared");
		if (opts)
			strv_split_ws(&a, opts);
		snprintf(envl, sizeof envl, "CTYS_LABEL=%s", label);
		envv[0] = envl;
		envv[1] = envt;
		envv[2] = NULL;
		if (hosts_spawn((const char *const *)a.v, envv, log, pid) != CTYS_OK)
			m = xasprintf("cannot start Xvnc on '%s': %s", j->hop, ctys_errmsg());
	}
	while (m == NULL && !ok) {
		struct timespec ts = { 0, 20 * 1000000L };

		if (hosts_port_listening(q->port)) {
			ok = true;
		} else if (!hosts_pid_alive(*pid)) {
			char *t = log_tail(log);

			m = xasprintf("Xvnc on '%s' ended at start: %s (log %s)", j->hop, t, log);
			free(t);
		} else if (waited >= VNC_START_MS) {
			hosts_stop(*pid, 1000, true);
			m = xasprintf("Xvnc on '%s' did not listen on port %d within %d s", j->hop,
			    q->port, VNC_START_MS / 1000);
		} else {
			nanosleep(&ts, NULL);
			waited += 20;
		}
	}
	if (m) {
		job_status(j->out, 2, m);
		free(m);
	}
	strv_free(&a);
	free(vdir);
	free(pwf);
	free(log);
	conf_free(c);
	return ok;
}

/* ~/.vnc/xstartup on the new display, when there is one. */
static void
run_xstartup(const struct pjob *j, const char *label, int display)
{
	char *xs = xasprintf("%s/.vnc/xstartup", ctys_home());
	char *log = xasprintf("%s/.vnc/%s:%d.log", ctys_home(), j->hop, display);
	char denv[32], lenv[160], tenv[] = "CTYS_TYPE=VNC";
	const char *argv[2] = { xs, NULL }, *envv[4] = { denv, lenv, tenv, NULL };
	pid_t pid;

	snprintf(denv, sizeof denv, "DISPLAY=:%d", display);
	snprintf(lenv, sizeof lenv, "CTYS_LABEL=%s", label);
	if (access(xs, X_OK) == 0 && hosts_spawn(argv, envv, log, &pid) != CTYS_OK)
		job_msg(j->out, "warning", ctys_errmsg());
	free(xs);
	free(log);
}

static void
vnc_create(const struct pjob *j)
{
	struct vreq q;
	char label[128], *m;
	pid_t pid;
	const char *w = job_subopt(j->job, "WAITS");

	if (!parse_create(j, &q) || existing(j, &q) || !choose_display(j, &q))
		return;
	if (q.label)
		snprintf(label, sizeof label, "%s", q.label);
	else
		snprintf(label, sizeof label, "%s:%d", j->hop, q.display);
	if (!start_server(j, &q, label, &pid))
		return;
	run_xstartup(j, label, q.display);
	if (w && atoi(w) > 0)
		sleep((unsigned)(atoi(w) > 60 ? 60 : atoi(w)));
	m = xasprintf("VNC server '%s' on '%s': display :%d, port %d, pid %ld", label, j->hop,
	    q.display, q.port, (long)pid);
	job_msg(j->out, "info", m);
	free(m);
	report_port(j, label, q.port);
	job_status(j->out, 0, NULL);
}

static void
vnc_cancel(const struct pjob *j)
{
	const char *label = job_subopt(j->job, "LABEL"), *id = job_subopt(j->job, "ID");
	const char *poff = job_subopt(j->job, "POWEROFF");
	bool all = job_has_subopt(j->job, "ALL"), client = job_has_subopt(j->job, "CLIENT");
	bool server = job_has_subopt(j->job, "SERVER") || job_has_subopt(j->job, "BOTH") ||
	    (!client && !job_has_subopt(j->job, "SERVER"));
	bool kill9 = job_has_subopt(j->job, "POWEROFF") || job_has_subopt(j->job, "FORCE");
	int delay = poff && atoi(poff) > 0 ? atoi(poff) * 1000 : 3000;
	struct vsess *v;
	size_t n, i, done = 0;
	int worst = 0;
	char *m;

	if (!label && !id && !all) {
		job_status(j->out, 1, "VNC CANCEL needs LABEL:<label>, ID:<display> or ALL");
		return;
	}
	n = sessions(true, true, &v);
	/* clients first, then the servers they show */
	for (i = 0; i < n; i++) {
		struct vsess *s = &v[i];

		if (s->server || !(all || matches(s, label, id)))
			continue;
		done++;
		if (!hosts_stop(s->pid, 2000, true))
			worst = 2;
	}
	for (i = 0; server && i < n; i++) {
		struct vsess *s = &v[i];

		if (!s->server || !(all || matches(s, label, id)))
			continue;
		done++;
		if (!hosts_stop(s->pid, delay, kill9)) {
			m = xasprintf("Xvnc pid %ld (display :%d) on '%s' did not end", (long)s->pid,
			    s->display, j->hop);
			job_msg(j->out, "error", m);
			free(m);
			worst = 2;
		} else {
			m = xasprintf("VNC server '%s' (display :%d) on '%s' ended", s->label,
			    s->display, j->hop);
			job_msg(j->out, "info", m);
			free(m);
		}
	}
	free(v);
	if (done == 0 && !all) {
		m = xasprintf("no VNC session '%s' on '%s'", label ? label : id, j->hop);
		job_status(j->out, 1, m);
		free(m);
		return;
	}
	job_status(j->out, worst, worst ? "not every VNC session ended" : NULL);
}

static void
vnc_getclientport(const struct pjob *j)
{
	const char *a = job_free_arg(j->job);
	struct vsess *v;
	size_t n, i;
	char *m;

	if (a == NULL || *a == '\0') {
		job_status(j->out, 1, "GETCLIENTPORT needs a label or a display: GETCLIENTPORT=<label>");
		return;
	}
	n = sessions(true, false, &v);
	for (i = 0; i < n; i++)
		if (matches(&v[i], a, a) && v[i].port >= 0)
			break;
	if (i < n) {
		report_port(j, v[i].label, v[i].port);
		job_status(j->out, 0, NULL);
	} else {
		m = xasprintf("no VNC session '%s' on '%s'", a, j->hop);
		job_status(j->out, 1, m);
		free(m);
	}
	free(v);
}

static void
vnc_isactive(const struct pjob *j)
{
	job_isactive_by_list(j, &vnc_ops, "VNC");
}

static void
vnc_probe(struct plugin_state *st)
{
	char p[512];
	size_t i;

	st->server = tool_which("Xvnc", p, sizeof p);
	for (i = 0; viewer_names[i] && !st->client; i++)
		st->client = tool_which(viewer_names[i], p, sizeof p);
	/* LIST and CANCEL work without either: they read /proc */
	st->enabled = true;
	snprintf(st->magic, sizeof st->magic, "%s", st->server || st->client ? "TIGERVNC" : "NOLOC");
	if (!st->server)
		snprintf(st->why, sizeof st->why, "no Xvnc (Debian package tigervnc-standalone-server)");
}

const struct plugin_ops vnc_ops = {
	.probe = vnc_probe,
	.run = { [CTYS_ACT_CREATE] = vnc_create, [CTYS_ACT_CANCEL] = vnc_cancel,
		[CTYS_ACT_GETCLIENTPORT] = vnc_getclientport, [CTYS_ACT_ISACTIVE] = vnc_isactive },
	.list = vnc_list,
};
