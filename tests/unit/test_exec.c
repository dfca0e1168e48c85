/*
 * test_exec.c — agents/exec.c: the registry of the process groups of
 * running jobs, and job_children_kill(), which ends them (agent hang-up,
 * client interrupted).  Each test runs in its own Criterion process, so
 * the registry's "killed" state does not leak between tests.
 */
#include <signal.h>
#include <sys/wait.h>
#include <time.h>

#include "agents/exec.h"
#include "testutil.h"

/* A child in its own process group running `sh -c cmd`. */
static pid_t
spawn_group(const char *cmd)
{
	pid_t pid = fork();

	cr_assert(pid >= 0);
	if (pid == 0) {
		setpgid(0, 0);
		execl("/bin/sh", "sh", "-c", cmd, (char *)NULL);
		_exit(127);
	}
	return pid;
}

/* The pid written to `path` by the test's shell (bounded wait). */
static pid_t
read_pid(const char *path)
{
	struct timespec ts = { 0, 20 * 1000000L };
	long p = 0;
	int i;

	for (i = 0; i < 250 && p == 0; i++) {
		FILE *f = fopen(path, "r");

		if (f) {
			if (fscanf(f, "%ld", &p) != 1)
				p = 0;
			fclose(f);
		}
		if (p == 0)
			nanosleep(&ts, NULL);
	}
	cr_assert(p > 0, "no pid in %s", path);
	return (pid_t)p;
}

static bool
gone(pid_t pid)
{
	char path[64], st = 0;
	FILE *f;

	snprintf(path, sizeof path, "/proc/%ld/stat", (long)pid);
	if ((f = fopen(path, "r")) == NULL)
		return true;
	/* "pid (comm) S ...": a zombie counts as gone */
	if (fscanf(f, "%*d (%*[^)]) %c", &st) != 1)
		st = 0;
	fclose(f);
	return st == 'Z';
}

Test(exec, kill_ends_the_whole_group)
{
	char *dir = tu_tmpdir(), cmd[256], path[128];
	pid_t leader, grandchild;
	int st;

	/* the leader's background child ignores nothing: SIGTERM ends both */
	snprintf(path, sizeof path, "%s/pid", dir);
	snprintf(cmd, sizeof cmd, "sleep 30 & echo $! >%s; wait", path);
	leader = spawn_group(cmd);
	job_child_start(leader);
	grandchild = read_pid(path);
	job_children_kill(500);
	cr_assert_eq(waitpid(leader, &st, 0), leader);
	cr_assert(WIFSIGNALED(st), "the leader was not killed");
	cr_assert(gone(grandchild), "the background child of the job survived");
	job_child_end(leader);
	tu_rmrf(dir);
	free(dir);
}

Test(exec, sigterm_ignored_then_sigkill)
{
	pid_t leader = spawn_group("trap '' TERM; while :; do sleep 0.05; done");
	struct timespec t0, t1;
	int st;

	job_child_start(leader);
	usleep(100000); /* let the shell install its trap */
	clock_gettime(CLOCK_MONOTONIC, &t0);
	job_children_kill(300);
	clock_gettime(CLOCK_MONOTONIC, &t1);
	cr_assert_eq(waitpid(leader, &st, 0), leader);
	cr_assert(WIFSIGNALED(st) && WTERMSIG(st) == SIGKILL, "status %d", st);
	cr_assert((t1.tv_sec - t0.tv_sec) * 1000 + (t1.tv_nsec - t0.tv_nsec) / 1000000 < 3000,
	    "the grace period was not bounded");
	job_child_end(leader);
}

Test(exec, unregistered_and_late_children)
{
	pid_t done = spawn_group("exit 0"), late;
	int st;

	/* a job that ended and unregistered is not signalled (its pid may be reused) */
	job_child_start(done);
	cr_assert_eq(waitpid(done, &st, 0), done);
	job_child_end(done);
	job_children_kill(100);
	/* after the kill, a child registered late is killed at once */
	late = spawn_group("sleep 30");
	job_child_start(late);
	cr_assert_eq(waitpid(late, &st, 0), late);
	cr_assert(WIFSIGNALED(st) && WTERMSIG(st) == SIGKILL);
	job_child_end(late);
}
