/*
 * pm-run.c — PM CREATE (Wake-on-LAN) and CANCEL (shutdown of this
 * machine); see pm.h and ctys-PM(1).
 *
 * Both run on the final hop.  Commands (ethtool, halt, reboot, init, ping,
 * ssh) are run by /bin/sh -c with stdin from /dev/null and their output
 * captured (the agent's stdout is the protocol channel); each run is
 * bounded in time and its output relayed as "stderr" messages on failure.
 */
#include "agents/pm.h"

#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/utsname.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "agents/exec.h"
#include "agents/guestwait.h"
#include "agents/stack.h"
#include "agents/wol.h"
#include "lib/buf.h"
#include "lib/paths.h"
#include "lib/proto.h"
#include "lib/shquote.h"
#include "lib/util.h"
#include "lib/xmalloc.h"

struct conf *
pm_vars_load(void)
{
	struct conf *c = conf_new();
	struct utsname u;
	char *p;

	/* a broken ctys.conf.sh already stopped the agent; here we take what loads */
	ctys_conf_load(c);
	uname(&u);
	p = xasprintf("%s/pm/pm.conf-%s.sh", ctys_userdir(), u.sysname);
	conf_load_file(c, p);
	free(p);
	p = xasprintf("%s/pm/pm.conf-%s.sh", ctys_confdir(), u.sysname);
	conf_load_file(c, p);
	free(p);
	return c;
}

/*
 * Run `cmd` with /bin/sh -c, output (stdout+stderr, first 64 KiB) into
 * *out, killed after timeout_s seconds.  Returns the exit status, 128+sig
 * when killed by a signal, 124 on timeout, 127 when it could not start.
 */
static int
run_cmd(const char *cmd, unsigned timeout_s, struct buf *out)
{
	long long end = mono_ms() + (long long)timeout_s * 1000;
	int p[2], st = 0, nul;
	char chunk[4096];
	pid_t pid;
	bool timed_out = false;

	if (pipe2(p, O_CLOEXEC) != 0)
		return 127;
	pid = fork();
	if (pid == 0) {
		setpgid(0, 0);
		nul = open("/dev/null", O_RDONLY);
		dup2(nul, 0);
		dup2(p[1], 1);
		dup2(p[1], 2);
		execl("/bin/sh", "sh", "-c", cmd, (char *)NULL);
		_exit(127);
	}
	close(p[1]);
	if (pid < 0) {
		close(p[0]);
		return 127;
	}
	job_child_start(pid);
	for (;;) {
		struct pollfd pf = { p[0], POLLIN, 0 };
		long long left = end - mono_ms();
		ssize_t n;

		if (left <= 0) {
			kill(-pid, SIGKILL);
			timed_out = true;
			break;
		}
		if (poll(&pf, 1, left > 1000 ? 1000 : (int)left) < 0 && errno != EINTR)
			break;
		if (!(pf.revents & (POLLIN | POLLHUP | POLLERR)))
			continue;
		n = read(p[0], chunk, sizeof chunk);
		if (n <= 0)
			break;
		if (out && out->len < 65536)
			buf_add(out, chunk, (size_t)n);
	}
	close(p[0]);
	job_child_end(pid);
	while (waitpid(pid, &st, 0) < 0 && errno == EINTR)
		;
	if (timed_out)
		return 124;
	if (WIFSIGNALED(st))
		return 128 + WTERMSIG(st);
	return WEXITSTATUS(st);
}

/* Output lines of a failed command as "stderr" messages. */
static void
relay_output(const struct job_out *o, struct buf *b)
{
	char *s = b->d, *e;

	while (s && *s) {
		e = strchr(s, '\n');
		if (e)
			*e = '\0';
		if (*s)
			job_msg(o, "stderr", s);
		s = e ? e + 1 : NULL;
	}
}

/* Sleep secs seconds (bounded by PM_MAX_DELAY). */
static void
sleep_s(unsigned long secs)
{
	struct timespec ts = { (time_t)(secs > PM_MAX_DELAY ? PM_MAX_DELAY : secs), 0 };

	while (nanosleep(&ts, &ts) != 0 && errno == EINTR)
		;
}

/* ---- CANCEL ---- */

static ctys_err_t
parse_secs(const char *what, const char *v, unsigned long *out)
{
	if (!parse_uint(v, PM_MAX_DELAY, out))
		return ctys_seterr(CTYS_ERR_USAGE, "invalid %s '%s' (seconds, 0-%d)", what, v,
		    PM_MAX_DELAY);
	return CTYS_OK;
}

ctys_err_t
pm_cancel_check(const json_t *job, const struct conf *vars, struct pm_cancel_plan *plan)
{
	static const char *const methods[] = { "RESET", "REBOOT", "INIT", "PAUSE", "SUSPEND",
		"POWEROFF" };
	const char *given = NULL, *v;
	unsigned long n;
	size_t i;

	memset(plan, 0, sizeof *plan);
	plan->self = job_has_subopt(job, "SELF");
	plan->force = job_has_subopt(job, "FORCE");
	plan->wol = job_has_subopt(job, "WOL");
	if (plan->force && job_has_subopt(job, "STACK"))
		return ctys_seterr(CTYS_ERR_USAGE, "FORCE and STACK exclude each other");
	if (plan->force && !plan->self)
		return ctys_seterr(CTYS_ERR_USAGE, "FORCE requires SELF for a PM (without SELF only "
		    "the guests are cancelled, and FORCE skips them)");
	for (i = 0; i < sizeof methods / sizeof *methods; i++) {
		if (!job_has_subopt(job, methods[i]))
			continue;
		if (given)
			return ctys_seterr(CTYS_ERR_USAGE, "only one of REBOOT, RESET, INIT, PAUSE, "
			    "SUSPEND, POWEROFF may be given ('%s' and '%s')", given, methods[i]);
		given = methods[i];
	}
	if (given == NULL)
		plan->method = plan->self ? PM_M_NONE : PM_M_POWEROFF;
	else if (strcmp(given, "RESET") == 0 || strcmp(given, "REBOOT") == 0)
		plan->method = PM_M_REBOOT;
	else if (strcmp(given, "INIT") == 0)
		plan->method = PM_M_INIT;
	else
		plan->method = PM_M_POWEROFF;
	plan->mapped = given && (strcmp(given, "PAUSE") == 0 || strcmp(given, "SUSPEND") == 0);
	if (plan->self && plan->method == PM_M_NONE)
		return ctys_seterr(CTYS_ERR_USAGE, "SELF needs one of REBOOT, INIT:<n>, POWEROFF "
		    "to say what the machine itself should do");
	if (plan->method == PM_M_INIT) {
		v = job_subopt(job, "INIT");
		if (v == NULL || !parse_uint(v, 6, &n) || n > 6) /* lib parse_uint lets 7-9 through */
			return ctys_seterr(CTYS_ERR_USAGE, "invalid runlevel '%s' for INIT (0-6)",
			    v ? v : "");
		plan->runlevel = (int)n;
	}
	if (job_has_subopt(job, "IF") && !plan->wol)
		return ctys_seterr(CTYS_ERR_USAGE, "IF requires WOL for CANCEL");
	if (plan->wol) {
		plan->ifname = job_subopt(job, "IF");
		if (plan->ifname == NULL || *plan->ifname == '\0')
			plan->ifname = conf_get(vars, "CTYS_ETHTOOL_WOLIF");
		if (plan->ifname == NULL || *plan->ifname == '\0')
			return ctys_seterr(CTYS_ERR_USAGE, "WOL needs the interface: IF:<if> or "
			    "CTYS_ETHTOOL_WOLIF");
		if (strspn(plan->ifname, "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ"
		    "0123456789_.-:@") != strlen(plan->ifname) || strlen(plan->ifname) > 15)
			return ctys_seterr(CTYS_ERR_USAGE, "invalid interface name '%s'", plan->ifname);
	}
	plan->delay = 20;
	if ((v = job_subopt(job, "POWEROFF")) && *v)
		return parse_secs("POWEROFF delay", v, &plan->delay);
	if ((v = job_subopt(job, "TIMEOUT")) && *v)
		return parse_secs("TIMEOUT", v, &plan->delay);
	if ((v = conf_get(vars, "PM_POWOFFDELAY")) && *v)
		return parse_secs("PM_POWOFFDELAY", v, &plan->delay);
	if ((v = conf_get(vars, "DEFAULT_KILL_DELAY_POWEROFF")) && *v)
		return parse_secs("DEFAULT_KILL_DELAY_POWEROFF", v, &plan->delay);
	return CTYS_OK;
}

static const char *
method_name(const struct pm_cancel_plan *plan)
{
	switch (plan->method) {
	case PM_M_REBOOT:
		return "REBOOT";
	case PM_M_INIT:
		return "INIT";
	case PM_M_POWEROFF:
		return "POWEROFF";
	default:
		return "NONE";
	}
}

void
pm_cancel_commands(const struct pm_cancel_plan *plan, const struct conf *vars, struct strv *cmds)
{
	const char *t, *pct;
	struct buf b = BUF_INIT;

	if (plan->wol) {
		buf_adds(&b, conf_get_or(vars, "CTYS_ETHTOOL", "ethtool"));
		buf_adds(&b, " -s ");
		shquote_arg(&b, plan->ifname);
		buf_adds(&b, " wol g");
		strv_push_owned(cmds, buf_detach(&b));
	}
	if (!plan->self)
		return;
	switch (plan->method) {
	case PM_M_REBOOT:
		strv_push(cmds, conf_get_or(vars, "CTYS_PM_REBOOT", "reboot"));
		break;
	case PM_M_INIT:
		t = conf_get_or(vars, "CTYS_PM_INIT", "init %d");
		if ((pct = strstr(t, "%d")) != NULL)
			strv_push_owned(cmds, xasprintf("%.*s%d%s", (int)(pct - t), t, plan->runlevel,
			    pct + 2));
		else
			strv_push_owned(cmds, xasprintf("%s %d", t, plan->runlevel));
		break;
	case PM_M_POWEROFF:
		strv_push(cmds, conf_get_or(vars, "CTYS_PM_HALT", "halt -p"));
		break;
	default:
		break;
	}
}

/*
 * Stack propagation (stacks.md §3.2): cancel the guests of every VM plugin
 * here, top-down, through their agents (stack.h): POWEROFF, REBOOT and
 * RESET power the guests off, INIT:<n> passes the runlevel on, PAUSE and
 * SUSPEND pause or save them.  False (status sent) when some guest could
 * not be brought down: the machine itself then stays up.
 */
static bool
cancel_guests(const struct pjob *j, const struct pm_cancel_plan *plan)
{
	struct stack_req r = { SM_POWEROFF, plan->runlevel, plan->delay, plan->delay };
	struct stack_guest *g = NULL;
	const char *t = job_subopt(j->job, "TIMEOUT");
	unsigned long secs;
	size_t n, failed;
	char *m;

	if (t && *t && parse_uint(t, PM_MAX_DELAY, &secs))
		r.timeout_s = secs;
	if (job_has_subopt(j->job, "SUSPEND"))
		r.method = SM_SUSPEND;
	else if (job_has_subopt(j->job, "PAUSE"))
		r.method = SM_PAUSE;
	else if (plan->method == PM_M_INIT)
		r.method = SM_INIT;
	n = stack_guests(j, NULL, NULL, NULL, &g);
	if (n == 0) {
		job_msg(j->out, "info", "no guests to cancel (no VM plugin here reports a running session)");
		free(g);
		return true;
	}
	failed = stack_cancel(j, g, n, &r);
	free(g);
	if (failed == 0)
		return true;
	m = xasprintf("%zu of %zu guest(s) could not be cancelled%s", failed, n,
	    plan->self ? ": this machine stays up" : "");
	job_status(j->out, 2, m);
	free(m);
	return false;
}

void
pm_run_cancel(const struct pjob *j)
{
	struct pm_cancel_plan plan;
	struct conf *vars = pm_vars_load();
	struct strv cmds = STRV_INIT;
	long long timeout = proto_int(j->job, "timeout");
	struct buf out = BUF_INIT;
	char *m;
	size_t i;
	int rc;

	if (pm_cancel_check(j->job, vars, &plan) != CTYS_OK) {
		job_status(j->out, 1, ctys_errmsg());
		goto done;
	}
	if (plan.self && timeout > 0 && (long long)plan.delay + 5 > timeout) {
		m = xasprintf("the delay of %lu s does not fit the job timeout of %lld s: give "
		    "POWEROFF:<s> or raise CTYS_TIMEOUT", plan.delay, timeout);
		job_status(j->out, 1, m);
		free(m);
		goto done;
	}
	if (plan.mapped && plan.self)
		job_msg(j->out, "warning", "PAUSE and SUSPEND are not available for a PM itself: "
		    "powering off after its guests");
	if (!plan.force && !stack_job_is_inner(j->job) && !cancel_guests(j, &plan))
		goto done;
	pm_cancel_commands(&plan, vars, &cmds);
	for (i = 0; i < cmds.n; i++) {
		if (plan.self && i == cmds.n - 1) {
			m = xasprintf("System maintenance:%s in %lu seconds", method_name(&plan),
			    plan.delay);
			job_msg(j->out, "info", m);
			free(m);
			sleep_s(plan.delay);
		}
		buf_reset(&out);
		rc = run_cmd(cmds.v[i], 60, &out);
		if (rc != 0) {
			relay_output(j->out, &out);
			m = xasprintf("'%s' failed with exit status %d%s", cmds.v[i], rc,
			    plan.self && i + 1 < cmds.n ? "; the machine was not shut down" : "");
			job_status(j->out, 2, m);
			free(m);
			goto done;
		}
	}
	job_status(j->out, 0, NULL);
done:
	buf_free(&out);
	strv_free(&cmds);
	conf_free(vars);
}

/* ---- CREATE ---- */

static void
create_fail(const struct pjob *j, int code)
{
	job_status(j->out, code, ctys_errmsg());
}

void
pm_run_create(const struct pjob *j)
{
	const json_t *job = j->job;
	const char *mac = job_subopt(job, "BMAC"), *bc = job_subopt(job, "BROADCAST");
	const char *ifn = job_subopt(job, "IF"), *port = job_subopt(job, "PORT");
	const char *tcp = job_subopt(job, "TCP"), *user = job_subopt(job, "USER");
	const char *con = job_subopt(job, "CONSOLE"), *v;
	struct gw_spec ping, sshping;
	unsigned long wait = 0, pnum = 0;
	long long timeout = proto_int(job, "timeout");
	long long deadline = timeout > 0 ? mono_ms() + timeout * 1000 : 0;
	struct wol_target t = { NULL, 0, NULL };
	unsigned char bin[WOL_MAC_LEN];
	struct conf *vars;
	char macs[18], *m;
	bool ok = true;
	ctys_err_t e;

	if (mac == NULL)
		mac = job_subopt(job, "MAC");
	if (job_has_subopt(job, "CONNECT") || job_has_subopt(job, "RECONNECT")) {
		job_status(j->out, 1, "CONNECT and RECONNECT attach consoles, which the PM plugin "
		    "does not start yet");
		return;
	}
	if (mac == NULL) {
		job_status(j->out, 1, "give the MAC address to wake: MAC:<mac> or BMAC:<mac> "
		    "(resolving TCP, LABEL, UUID or DBREC through the cache DB is not implemented yet)");
		return;
	}
	if (wol_parse_mac(mac, bin) != CTYS_OK)
		return create_fail(j, 1);
	if (bc && ifn) {
		job_status(j->out, 1, "BROADCAST and IF exclude each other");
		return;
	}
	if (port && !bc) {
		job_status(j->out, 1, "PORT is only valid with BROADCAST");
		return;
	}
	if (port && (!parse_uint(port, 65535, &pnum) || pnum == 0)) {
		ctys_seterr(CTYS_ERR_USAGE, "invalid PORT '%s' (1-65535)", port);
		return create_fail(j, 1);
	}
	if (gw_parse("PING", job_subopt_present(job, "PING"), "PM", &ping) != CTYS_OK ||
	    gw_parse("SSHPING", job_subopt_present(job, "SSHPING"), "PM", &sshping) != CTYS_OK)
		return create_fail(j, 1);
	if ((ping.rep || sshping.rep) && tcp == NULL) {
		job_status(j->out, 1, "PING and SSHPING need the machine's address: TCP:<addr>");
		return;
	}
	if ((v = job_subopt(job, "WOL")) && *v && parse_secs("WOL delay", v, &wait) != CTYS_OK)
		return create_fail(j, 1);
	if ((v = job_subopt(job, "WAITS")) && *v) {
		unsigned long ws;

		if (parse_secs("WAITS", v, &ws) != CTYS_OK)
			return create_fail(j, 1);
		wait += ws;
	}
	if (deadline && mono_ms() + (long long)wait * 1000 >= deadline) {
		job_status(j->out, 1, "the WOL/WAITS delay does not fit the job timeout (CTYS_TIMEOUT)");
		return;
	}
	t.addr = bc;
	t.port = (unsigned)pnum;
	t.ifname = ifn;
	if ((e = wol_send(bin, &t)) != CTYS_OK)
		return create_fail(j, e == CTYS_ERR_USAGE ? 1 : 2);
	wol_format_mac(bin, macs);
	m = xasprintf("magic packet for %s sent to %s:%u%s%s", macs, bc ? bc : WOL_DEFAULT_ADDR,
	    pnum ? (unsigned)pnum : WOL_DEFAULT_PORT, ifn ? " on " : "", ifn ? ifn : "");
	job_msg(j->out, "info", m);
	free(m);
	if (con && !str_ieq(con, "NONE"))
		job_msg(j->out, "warning", "consoles are not started by the PM plugin yet: the machine "
		    "was only woken");
	if (ping.rep || sshping.rep) {
		char *u = user ? xstrndup(user, strcspn(user, " ")) : NULL;
		struct gw_dest d = { tcp, 0, u, false };

		sleep_s(wait);
		vars = pm_vars_load();
		ok = gw_ping(j, conf_get_or(vars, "CTYS_PING", "ping -c 1 -W 2 %s"), &d, &ping,
		    deadline);
		if (ok)
			ok = gw_sshping(j, conf_get_or(vars, "CTYS_SSHPING",
			    "ssh -o BatchMode=yes -o ConnectTimeout=5 %s true"), &d, &sshping, deadline);
		free(u);
		conf_free(vars);
	}
	job_status(j->out, ok ? 0 : 2, ok ? NULL : "the machine did not answer after the wake-up");
}
