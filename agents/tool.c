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
#include <sys/stat.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "agents/exec.h"
#include "agents/plugin.h"
#include "lib/buf.h"
#include "lib/xmalloc.h"

static long long
tool_now_ms(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (long long)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

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
	long long start = tool_now_ms();
	bool timed_out = false;
	const char *env = getenv("CTYS_TOOL_TIMEOUT");
	struct pollfd p[2];
	char chunk[8192];
	pid_t pid;

	memset(r, 0, sizeof *r);
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
		long long left = start + timeout_ms - tool_now_ms();

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

static bool
first_line(const char *s, char **out)
{
	const char *e;

	while (*s) {
		e = s + strcspn(s, "\n");
		while (s < e && (*s == ' ' || *s == '\t' || *s == '\r'))
			s++;
		if (e > s) {
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
	if (first_line(r->err, &l) || first_line(r->out, &l))
		return l;
	return xasprintf("exit status %d", r->status);
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
		why = tool_reason(&r);
		m = xasprintf("'%s' failed: %s", cmd, why);
		job_status(j->out, 2, m);
		free(why);
	}
	free(m);
	free(cmd);
	tool_result_free(&r);
	return ok;
}
