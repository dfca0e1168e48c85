/*
 * timeit — run a command N times; print the median wall time in ms, the
 * peak RSS in KiB and the median CPU time (user + system) in ms of the runs,
 * one line: "<median_ms> <rss_kb> <median_cpu_ms>".  RSS and CPU come from
 * wait4, so the CPU time covers the command and every descendant it waited
 * for (ssh processes under pdsh, say), not processes on other hosts.
 * Output of the command goes to /dev/null.  Usage: timeit N cmd [args...]
 */
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <sys/resource.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

static double
tv_ms(struct timeval tv)
{
	return (double)tv.tv_sec * 1e3 + (double)tv.tv_usec / 1e3;
}

static int
cmp(const void *a, const void *b)
{
	double x = *(const double *)a, y = *(const double *)b;

	return x < y ? -1 : x > y;
}

/* sorts v (n > 0) and returns its median */
static double
median(double *v, int n)
{
	qsort(v, (size_t)n, sizeof *v, cmp);
	return n % 2 ? v[n / 2] : (v[n / 2 - 1] + v[n / 2]) / 2;
}

int
main(int argc, char **argv)
{
	int n, i, st, devnull;
	double *t, *cpu;
	long rss = 0;
	struct timespec a, b;
	struct rusage ru;
	pid_t pid;

	if (argc < 3 || (n = atoi(argv[1])) < 1 || n > 100000) {
		fprintf(stderr, "usage: timeit N cmd [args...]\n");
		return 2;
	}
	t = calloc((size_t)n, sizeof *t);
	cpu = calloc((size_t)n, sizeof *cpu);
	devnull = open("/dev/null", O_WRONLY);
	if (t == NULL || cpu == NULL || devnull < 0)
		return 2;
	for (i = 0; i < n; i++) {
		clock_gettime(CLOCK_MONOTONIC, &a);
		pid = fork();
		if (pid == 0) {
			dup2(devnull, 1);
			dup2(devnull, 2);
			execvp(argv[2], argv + 2);
			_exit(127);
		}
		if (pid < 0 || wait4(pid, &st, 0, &ru) < 0)
			return 2;
		clock_gettime(CLOCK_MONOTONIC, &b);
		t[i] = (double)(b.tv_sec - a.tv_sec) * 1e3 + (double)(b.tv_nsec - a.tv_nsec) / 1e6;
		cpu[i] = tv_ms(ru.ru_utime) + tv_ms(ru.ru_stime);
		if (ru.ru_maxrss > rss)
			rss = ru.ru_maxrss;
		if (WIFEXITED(st) && WEXITSTATUS(st) == 127)
			return 127;
	}
	printf("%.3f %ld %.3f\n", median(t, n), rss, median(cpu, n));
	return 0;
}
