/*
 * cli.c — the CLI plugin: command line sessions (plugins.md §5.6).
 *
 * CREATE with CMD runs "bash -c <cmd>" (or SHELL) in the home directory
 * (or CHDIR) on the final hop, streams standard output as records and
 * standard error as "stderr" messages, and reports the command's exit
 * status (128+signal when killed, 124 on timeout).  An interactive CLI
 * session needs a terminal and comes with the -z PTY support.
 */
#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/prctl.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "agents/exec.h"
#include "agents/plugins.h"
#include "lib/buf.h"
#include "lib/paths.h"
#include "lib/proto.h"
#include "lib/util.h"
#include "lib/xmalloc.h"

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

/*
 * The command's environment: the agent's, with SHLVL one more, as for a
 * command a shell script starts (the original ran it from its scripts).
 * sshd's shell has read the bashrc files; a level-1 bash that sees
 * SSH_CLIENT reads them again ("run by sshd"), which costs from a few to
 * hundreds of milliseconds per job.  The strings are environ's, and
 * `shlvl`'s; the array is malloc'd.
 */
static char **
command_env(char *shlvl, size_t n)
{
	const char *cur = getenv("SHLVL");
	long lvl = cur ? strtol(cur, NULL, 10) : 0;
	size_t i, k = 0, len = 0;
	char **env;

	if (lvl < 0 || lvl >= 999)
		lvl = 0;
	snprintf(shlvl, n, "SHLVL=%ld", lvl + 1);
	while (environ[len])
		len++;
	env = xcalloc(len + 2, sizeof *env);
	for (i = 0; i < len; i++)
		if (strncmp(environ[i], "SHLVL=", 6) != 0)
			env[k++] = environ[i];
	env[k] = shlvl;
	return env;
}

/* CLI CREATE with CMD: "bash -c <cmd>" in $HOME (or CHDIR), input /dev/null, streamed. */
static void
exec_cli_cmd(const json_t *job, const struct job_out *o)
{
	const char *cmd = job_subopt(job, "CMD"), *dir = job_subopt(job, "CHDIR");
	const char *shell = job_subopt(job, "SHELL");
	long long timeout = proto_int(job, "timeout") * 1000, start = mono_ms();
	struct buf ob = BUF_INIT, eb = BUF_INIT;
	int out[2], err[2], st = 0, open_fds = 2, nul;
	struct pollfd p[2];
	char chunk[8192];
	char shlvl[32], **env;
	const char *argv[] = { shell ? shell : "bash", "-c", cmd, NULL };
	pid_t pid;

	/* close-on-exec: a command started by a concurrent job must not hold them */
	if (pipe2(out, O_CLOEXEC) != 0 || pipe2(err, O_CLOEXEC) != 0) {
		job_status(o, 2, "cannot create pipes");
		return;
	}
	env = command_env(shlvl, sizeof shlvl);
	pid = fork();
	if (pid == 0) {
		setpgid(0, 0);
		/* the agent killed (SIGKILL): its command goes too */
		prctl(PR_SET_PDEATHSIG, SIGKILL);
		/* no input: the agent's stdin is the protocol stream */
		if ((nul = open("/dev/null", O_RDONLY)) >= 0 && nul != 0) {
			dup2(nul, 0);
			close(nul);
		}
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
		execvpe(argv[0], (char *const *)argv, env);
		argv[0] = "sh";
		execve("/bin/sh", (char *const *)argv, env);
		_exit(127);
	}
	free(env);
	close(out[1]);
	close(err[1]);
	if (pid < 0) {
		close(out[0]);
		close(err[0]);
		job_status(o, 2, "cannot fork");
		return;
	}
	job_child_start(pid);
	p[0].fd = out[0];
	p[1].fd = err[0];
	while (open_fds > 0) {
		int wait = 1000, i;

		if (timeout > 0) {
			long long left = start + timeout - mono_ms();

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
	job_child_end(pid);
	while (waitpid(pid, &st, 0) < 0 && errno == EINTR)
		;
	buf_free(&ob);
	buf_free(&eb);
	if (timeout > 0 && mono_ms() - start >= timeout) {
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

static void
cli_create(const struct pjob *j)
{
	if (job_subopt(j->job, "CMD") == NULL) {
		job_status(j->out, 1, "interactive CLI sessions need a terminal: give CMD:<command>");
		return;
	}
	exec_cli_cmd(j->job, j->out);
}

static void
cli_probe(struct plugin_state *st)
{
	st->enabled = st->server = st->client = access("/bin/sh", X_OK) == 0;
	snprintf(st->magic, sizeof st->magic, "CLIBASH");
	if (!st->enabled)
		snprintf(st->why, sizeof st->why, "no /bin/sh");
}

const struct plugin_ops cli_ops = {
	.probe = cli_probe,
	.run = { [CTYS_ACT_CREATE] = cli_create },
};
