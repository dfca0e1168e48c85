/* tool.c — see tool.h. */
#include "agents/tool.h"

#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <poll.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "agents/exec.h"
#include "agents/plugin.h"
#include "lib/buf.h"
#include "lib/util.h"
#include "lib/xmalloc.h"

bool
tool_which(const char *name, char *path, size_t n)
{
	const char *p = getenv("PATH"), *e;
	struct stat st;

	if (strchr(name, '/'))
		return snprintf(path, n, "%s", name) < (int)n && access(name, X_OK) == 0;
	if (p == NULL)
		p = "/usr/bin:/bin";
	for (; ; p = e + 1) {
		e = p + strcspn(p, ":");
		if (e > p && snprintf(path, n, "%.*s/%s", (int)(e - p), p, name) < (int)n &&
		    stat(path, &st) == 0 && S_ISREG(st.st_mode) && access(path, X_OK) == 0)
			return true;
		if (*e == '\0')
			break;
	}
	path[0] = '\0';
	return false;
}

char *
tool_cmdline(const char *const *argv)
{
	struct buf b = BUF_INIT;
	size_t i;

	for (i = 0; argv[i]; i++) {
		if (i)
			buf_addc(&b, ' ');
		buf_adds(&b, argv[i]);
	}
	return buf_detach(&b);
}

static void
child(const char *const *argv, int out, int err)
{
	int nul = open("/dev/null", O_RDONLY);

	setpgid(0, 0);
	if (nul >= 0) {
		dup2(nul, 0);
		close(nul);
	}
	dup2(out, 1);
	dup2(err, 2);
	close(out);
	close(err);
	signal(SIGPIPE, SIG_DFL);
	execvp(argv[0], (char *const *)argv);
	fprintf(stderr, "%s: %s\n", argv[0], strerror(errno));
	_exit(TOOL_NOEXEC);
}

int
tool_run(const char *const *argv, int timeout_ms, struct tool_result *r)
{
	struct buf ob = BUF_INIT, eb = BUF_INIT;
	int po[2], pe[2], st = 0, open_fds = 2, i;
	long long start = mono_ms();
	bool timed_out = false;
	const char *env = getenv("CTYS_TOOL_TIMEOUT");
	struct pollfd p[2];
	char chunk[8192];
	pid_t pid;

	memset(r, 0, sizeof *r);
	snprintf(r->tool, sizeof r->tool, "%s", strrchr(argv[0], '/') ? strrchr(argv[0], '/') + 1 :
	    argv[0]);
	if (timeout_ms <= 0)
		timeout_ms = env && atoi(env) > 0 ? atoi(env) * 1000 : TOOL_DEFAULT_TIMEOUT_MS;
	if (pipe2(po, O_CLOEXEC) != 0) {
		r->status = TOOL_NOEXEC;
		goto out;
	}
	if (pipe2(pe, O_CLOEXEC) != 0) {
		close(po[0]);
		close(po[1]);
		r->status = TOOL_NOEXEC;
		goto out;
	}
	pid = fork();
	if (pid == 0)
		child(argv, po[1], pe[1]);
	close(po[1]);
	close(pe[1]);
	if (pid < 0) {
		close(po[0]);
		close(pe[0]);
		buf_addf(&eb, "cannot fork: %s", strerror(errno));
		r->status = TOOL_NOEXEC;
		goto out;
	}
	job_child_start(pid);
	p[0].fd = po[0];
	p[1].fd = pe[0];
	while (open_fds > 0) {
		long long left = start + timeout_ms - mono_ms();

		if (left <= 0) {
			kill(-pid, SIGTERM);
			kill(pid, SIGTERM);
			usleep(100000);
			kill(-pid, SIGKILL);
			kill(pid, SIGKILL);
			timed_out = true;
			break;
		}
		p[0].events = p[0].fd >= 0 ? POLLIN : 0;
		p[1].events = p[1].fd >= 0 ? POLLIN : 0;
		if (poll(p, 2, left < 1000 ? (int)left : 1000) < 0 && errno != EINTR)
			break;
		for (i = 0; i < 2; i++) {
			struct buf *b = i ? &eb : &ob;
			ssize_t n;

			if (p[i].fd < 0 || !(p[i].revents & (POLLIN | POLLHUP | POLLERR)))
				continue;
			n = read(p[i].fd, chunk, sizeof chunk);
			if (n < 0 && errno == EINTR)
				continue;
			if (n <= 0) {
				close(p[i].fd);
				p[i].fd = -1;
				open_fds--;
				continue;
			}
			if (b->len < TOOL_MAX_OUTPUT)
				buf_add(b, chunk, (size_t)n);
		}
	}
	for (i = 0; i < 2; i++)
		if (p[i].fd >= 0)
			close(p[i].fd);
	job_child_end(pid);
	while (waitpid(pid, &st, 0) < 0 && errno == EINTR)
		;
	if (timed_out)
		r->status = TOOL_TIMEOUT;
	else if (WIFSIGNALED(st))
		r->status = 128 + WTERMSIG(st);
	else
		r->status = WEXITSTATUS(st);
out:
	r->out_len = ob.len;
	r->err_len = eb.len;
	r->out = ob.len ? buf_detach(&ob) : xstrdup("");
	r->err = eb.len ? buf_detach(&eb) : xstrdup("");
	buf_free(&ob);
	buf_free(&eb);
	return r->status;
}

void
tool_result_free(struct tool_result *r)
{
	free(r->out);
	free(r->err);
	memset(r, 0, sizeof *r);
}

/* Case-insensitive strstr within [s, e). */
static const char *
find_ci(const char *s, const char *e, const char *needle)
{
	size_t n = strlen(needle);

	for (; s + n <= e; s++)
		if (strncasecmp(s, needle, n) == 0)
			return s;
	return NULL;
}

/* The first non-empty line of s (trimmed) that contains `want` (NULL: any). */
static bool
first_line(const char *s, const char *want, char **out)
{
	const char *e;

	while (*s) {
		e = s + strcspn(s, "\n");
		while (s < e && (*s == ' ' || *s == '\t' || *s == '\r'))
			s++;
		if (e > s && (want == NULL || find_ci(s, e, want))) {
			const char *t = e;

			while (t > s && (t[-1] == ' ' || t[-1] == '\r'))
				t--;
			*out = xstrndup(s, (size_t)(t - s));
			return true;
		}
		s = *e ? e + 1 : e;
	}
	return false;
}

char *
tool_reason(const struct tool_result *r)
{
	char *l;

	if (r->status == TOOL_TIMEOUT)
		return xstrdup("timed out");
	if (first_line(r->err, "error", &l) || first_line(r->err, NULL, &l) ||
	    first_line(r->out, "error", &l) || first_line(r->out, NULL, &l))
		return l;
	return xasprintf("exit status %d", r->status);
}

/*
 * What the known failures of the tools mean; the first match (in stderr,
 * then stdout, any case) wins, so the more specific come first.
 */
static const struct {
	const char *tool, *match, *meaning;
} tool_hints[] = {
	{ "xl", "Permission denied", "permission denied: xl needs root rights on the Xen host" },
	{ "xl", "privileged command interface", "the Xen hypervisor is not running here" },
	{ "xl", "cannot open libxc handle", "the Xen hypervisor is not running here" },
	{ "xl", "invalid domain identifier", "no such Xen domain" },
	{ "VBoxManage", "Could not find a registered machine", "no VirtualBox machine of that "
	  "name or UUID is registered for this account" },
	{ "VBoxManage", "is not currently running", "the VirtualBox machine is not running" },
	{ "VBoxManage", "vboxdrv", "the VirtualBox kernel driver (vboxdrv) is not loaded: "
	  "VirtualBox cannot run machines here" },
	{ "VBoxManage", "Permission denied", "permission denied: this account may not use "
	  "VirtualBox (is it in group vboxusers?)" },
	{ "VBoxManage", "VERR_ACCESS_DENIED", "permission denied: this account may not open the "
	  "machine's files" },
	{ "VBoxManage", "Failed to create the VirtualBox object", "VirtualBox's service "
	  "(VBoxSVC) cannot be started for this account" },
	{ "vmrun", "Unable to connect to host", "vmrun cannot reach VMware: no usable VMware "
	  "product is running for this account" },
	{ "vmrun", "Insufficient permissions", "permission denied: this account may not use the "
	  "VMware machine" },
	{ "vmrun", "cannot be found", "no such VMware machine (.vmx)" },
	{ "vmrun", "is not powered on", "the VMware machine is not running" },
};

char *
tool_explain(const struct tool_result *r)
{
	char *why = tool_reason(r), *m;
	size_t i;

	for (i = 0; i < sizeof tool_hints / sizeof *tool_hints; i++) {
		if (strcmp(tool_hints[i].tool, r->tool) != 0)
			continue;
		if (find_ci(r->err, r->err + r->err_len, tool_hints[i].match) ||
		    find_ci(r->out, r->out + r->out_len, tool_hints[i].match)) {
			m = xasprintf("%s (%s)", tool_hints[i].meaning, why);
			free(why);
			return m;
		}
	}
	return why;
}

bool
tool_spawn(const char *const *argv, char *why, size_t n)
{
	char path[4096];
	int p[2], err = 0, st;
	pid_t pid;
	ssize_t got;

	if (!tool_which(argv[0], path, sizeof path)) {
		snprintf(why, n, "%s is not installed: not found on PATH", argv[0]);
		return false;
	}
	if (pipe2(p, O_CLOEXEC) != 0) {
		snprintf(why, n, "cannot start %s: %s", argv[0], strerror(errno));
		return false;
	}
	pid = fork();
	if (pid == 0) {
		int nul = open("/dev/null", O_RDWR);

		close(p[0]);
		setsid();
		if (fork() != 0)
			_exit(0);
		if (nul >= 0) {
			dup2(nul, 0);
			dup2(nul, 1);
			dup2(nul, 2);
			if (nul > 2)
				close(nul);
		}
		signal(SIGPIPE, SIG_DFL);
		execv(path, (char *const *)argv);
		err = errno;
		if (write(p[1], &err, sizeof err) < 0)
			_exit(TOOL_NOEXEC);
		_exit(TOOL_NOEXEC);
	}
	close(p[1]);
	if (pid < 0) {
		close(p[0]);
		snprintf(why, n, "cannot start %s: %s", argv[0], strerror(errno));
		return false;
	}
	while (waitpid(pid, &st, 0) < 0 && errno == EINTR)
		;
	/* EOF: the exec succeeded (close-on-exec); an int: its errno */
	while ((got = read(p[0], &err, sizeof err)) < 0 && errno == EINTR)
		;
	close(p[0]);
	if (got == (ssize_t)sizeof err) {
		snprintf(why, n, "cannot start %s: %s", path, strerror(err));
		return false;
	}
	return true;
}

static void
relay_lines(const struct pjob *j, const char *s)
{
	const char *e;

	for (; *s; s = *e ? e + 1 : e) {
		e = s + strcspn(s, "\n");
		if (e > s) {
			char *l = xstrndup(s, (size_t)(e - s));

			job_msg(j->out, "stderr", l);
			free(l);
		}
	}
}

int
tool_job_call(const struct pjob *j, const char *const *argv, struct tool_result *r)
{
	int st = tool_run(argv, 0, r);

	if (st != 0 && j)
		relay_lines(j, r->err_len ? r->err : r->out);
	return st;
}

bool
tool_job_do(const struct pjob *j, const char *const *argv)
{
	struct tool_result r;
	char *cmd = tool_cmdline(argv), *why, *m;
	bool ok = tool_job_call(j, argv, &r) == 0;

	if (ok) {
		m = xasprintf("%s: done", cmd);
		job_msg(j->out, "info", m);
	} else {
		why = tool_explain(&r);
		m = xasprintf("'%s' failed: %s", cmd, why);
		job_status(j->out, 2, m);
		free(why);
	}
	free(m);
	free(cmd);
	tool_result_free(&r);
	return ok;
}
