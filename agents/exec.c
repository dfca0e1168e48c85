/* exec.c — see exec.h. */
#include "agents/exec.h"

#include "agents/agent.h"

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

#include "lib/buf.h"
#include "lib/paths.h"
#include "lib/proto.h"
#include "lib/xmalloc.h"

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

static long long
now_ms(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (long long)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

/* Emit complete lines of b (stdout as records, stderr as "stderr" messages). */
static void
flush_lines(const struct job_out *o, struct buf *b, bool is_err, bool all)
{
	size_t start = 0, i;

	for (i = 0; i < b->len; i++) {
		if (b->d[i] != '\n')
			continue;
		b->d[i] = '\0';
		if (is_err)
			job_msg(o, "stderr", b->d + start);
		else
			job_rec(o, b->d + start);
		start = i + 1;
	}
	if (all && start < b->len) {
		if (is_err)
			job_msg(o, "stderr", b->d + start);
		else
			job_rec(o, b->d + start);
		start = b->len;
	}
	memmove(b->d ? b->d : (char *)"", b->d ? b->d + start : (char *)"", b->len - start);
	buf_truncate(b, b->len - start);
}

/* CLI CREATE with CMD: "bash -c <cmd>" in $HOME (or CHDIR), streamed. */
static void
exec_cli_cmd(const json_t *job, const struct job_out *o)
{
	const char *cmd = job_subopt(job, "CMD"), *dir = job_subopt(job, "CHDIR");
	const char *shell = job_subopt(job, "SHELL");
	long long timeout = proto_int(job, "timeout") * 1000, start = now_ms();
	struct buf ob = BUF_INIT, eb = BUF_INIT;
	int out[2], err[2], st = 0, open_fds = 2;
	struct pollfd p[2];
	char chunk[8192];
	pid_t pid;

	if (pipe(out) != 0 || pipe(err) != 0) {
		job_status(o, 2, "cannot create pipes");
		return;
	}
	pid = fork();
	if (pid == 0) {
		setpgid(0, 0);
		dup2(out[1], 1);
		dup2(err[1], 2);
		close(out[0]);
		close(err[0]);
		close(out[1]);
		close(err[1]);
		if (chdir(dir ? dir : ctys_home()) != 0) {
			fprintf(stderr, "cannot change to directory '%s': %s\n", dir ? dir : ctys_home(),
			    strerror(errno));
			_exit(126);
		}
		execlp(shell ? shell : "bash", shell ? shell : "bash", "-c", cmd, (char *)NULL);
		execl("/bin/sh", "sh", "-c", cmd, (char *)NULL);
		_exit(127);
	}
	close(out[1]);
	close(err[1]);
	if (pid < 0) {
		close(out[0]);
		close(err[0]);
		job_status(o, 2, "cannot fork");
		return;
	}
	p[0].fd = out[0];
	p[1].fd = err[0];
	while (open_fds > 0) {
		int wait = 1000, i;

		if (timeout > 0) {
			long long left = start + timeout - now_ms();

			if (left <= 0) {
				kill(-pid, SIGTERM);
				usleep(100000);
				kill(-pid, SIGKILL);
				break;
			}
			wait = left < 1000 ? (int)left : 1000;
		}
		p[0].events = p[0].fd >= 0 ? POLLIN : 0;
		p[1].events = p[1].fd >= 0 ? POLLIN : 0;
		if (poll(p, 2, wait) < 0 && errno != EINTR)
			break;
		for (i = 0; i < 2; i++) {
			ssize_t n;

			if (p[i].fd < 0 || !(p[i].revents & (POLLIN | POLLHUP | POLLERR)))
				continue;
			n = read(p[i].fd, chunk, sizeof chunk);
			if (n <= 0) {
				close(p[i].fd);
				p[i].fd = -1;
				open_fds--;
				continue;
			}
			buf_add(i ? &eb : &ob, chunk, (size_t)n);
			flush_lines(o, i ? &eb : &ob, i == 1, false);
		}
	}
	flush_lines(o, &ob, false, true);
	flush_lines(o, &eb, true, true);
	if (p[0].fd >= 0)
		close(p[0].fd);
	if (p[1].fd >= 0)
		close(p[1].fd);
	while (waitpid(pid, &st, 0) < 0 && errno == EINTR)
		;
	buf_free(&ob);
	buf_free(&eb);
	if (timeout > 0 && now_ms() - start >= timeout) {
		char *m = xasprintf("command timed out after %lld s", timeout / 1000);
		job_status(o, 124, m);
		free(m);
	} else if (WIFSIGNALED(st)) {
		char *m = xasprintf("command killed by signal %d", WTERMSIG(st));
		job_status(o, 128 + WTERMSIG(st), m);
		free(m);
	} else
		job_status(o, WEXITSTATUS(st), NULL);
}

/* INFO: the host identity block (actions.md §7). */
static void
exec_info(const json_t *job, const struct job_out *o)
{
	struct utsname u;
	char line[512];

	(void)job;
	uname(&u);
	job_rec(o, "############################");
	snprintf(line, sizeof line, "Node:%s", agent_hostname());
	job_rec(o, line);
	snprintf(line, sizeof line, "System  :%s", u.sysname);
	job_rec(o, line);
	snprintf(line, sizeof line, "RELEASE :%s", u.release);
	job_rec(o, line);
	snprintf(line, sizeof line, "MACHINE :%s", u.machine);
	job_rec(o, line);
	snprintf(line, sizeof line, "USER    :%s", ctys_user());
	job_rec(o, line);
	job_status(o, 0, NULL);
}

struct exec_entry {
	const char *type;      /* session type, or "*" for any */
	const char *action;
	void (*run)(const json_t *job, const struct job_out *o);
};

static const struct exec_entry exec_table[] = {
	{ "CLI", "CREATE", exec_cli_cmd },
	{ "*", "INFO", exec_info },
};

void
agent_exec(const json_t *job, const struct job_out *o)
{
	const char *type = proto_str(job, "type"), *action = proto_str(job, "action");
	size_t i;
	char *m;

	if (strcmp(type, "CLI") == 0 && strcmp(action, "CREATE") == 0 &&
	    job_subopt(job, "CMD") == NULL) {
		job_status(o, 1, "interactive CLI sessions need a terminal: give CMD:<command>");
		return;
	}
	for (i = 0; i < sizeof exec_table / sizeof *exec_table; i++) {
		if ((strcmp(exec_table[i].type, "*") == 0 || strcmp(exec_table[i].type, type) == 0) &&
		    strcmp(exec_table[i].action, action) == 0) {
			exec_table[i].run(job, o);
			return;
		}
	}
	m = xasprintf("%s of session type %s is not available on this agent yet", action, type);
	job_status(o, 2, m);
	free(m);
}
