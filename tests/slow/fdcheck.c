/*
 * ctys-fdcheck — `ctys` with a resource report, for tests/slow/: runs
 * ctys_run() on its arguments like the real ctys, counting this process's
 * open file descriptors (/proc/self/fd) before and after and reading its
 * peak RSS (getrusage), and prints on stderr
 *     fdcheck: fds before <n> after <m>, peak rss <k> KiB
 * Exit status: the one of ctys_run().
 */
#include <dirent.h>
#include <stdio.h>
#include <sys/resource.h>

#include "ctys/run.h"

static int
count_fds(void)
{
	DIR *d = opendir("/proc/self/fd");
	struct dirent *e;
	int n = 0;

	if (d == NULL)
		return -1;
	while ((e = readdir(d)) != NULL)
		n += e->d_name[0] != '.';
	closedir(d);
	return n - 1; /* the directory's own descriptor */
}

int
main(int argc, char **argv)
{
	struct rusage ru;
	int before = count_fds(), status, after;

	status = ctys_run(argc, argv);
	after = count_fds();
	getrusage(RUSAGE_SELF, &ru);
	fprintf(stderr, "fdcheck: fds before %d after %d, peak rss %ld KiB\n", before, after,
	    ru.ru_maxrss);
	return status;
}
