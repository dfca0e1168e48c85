/*
 * timeit — run a command N times; print the median wall time in ms and the
 * peak RSS in KiB of the runs (from wait4), one line: "<median_ms> <rss_kb>".
 * Output of the command goes to /dev/null.  Usage: timeit N cmd [args...]
 */
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <sys/resource.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

static int
cmp(const void *a, const void *b)
{
	double x = *(const double *)a, y = *(const double *)b;

	return x < y ? -1 : x > y;
}

int
main(int argc, char **argv)
{
	int n, i, st, devnull;
	double *t;
	long rss = 0;
	struct timespec a, b;
	struct rusage ru;
	pid_t pid;

	if (argc < 3 || (n = atoi(argv[1])) < 1 || n > 100000) {
		fprintf(stderr, "usage: timeit N cmd [args...]\n");
		return 2;
	}
	t = calloc((size_t)n, sizeof *t);
	devnull = open("/dev/null", O_WRONLY);
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
		if (ru.ru_maxrss > rss)
			rss = ru.ru_maxrss;
		if (WIFEXITED(st) && WEXITSTATUS(st) == 127)
			return 127;
	}
	qsort(t, (size_t)n, sizeof *t, cmp);
	printf("%.3f %ld\n", n % 2 ? t[n / 2] : (t[n / 2 - 1] + t[n / 2]) / 2, rss);
	return 0;
}
