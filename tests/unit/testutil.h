/*
 * testutil.h — helpers shared by the Criterion unit tests.
 */
#ifndef CTYS_TESTUTIL_H
#define CTYS_TESTUTIL_H

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <criterion/criterion.h>

/* Make a private temporary directory; returns a malloc'd path. */
static inline char *
tu_tmpdir(void)
{
	char tmpl[] = "/tmp/ctys-test-XXXXXX";
	char *d = mkdtemp(tmpl);

	cr_assert_not_null(d);
	return strdup(d);
}

/* Write `text` to dir/name (creating it); returns the malloc'd path. */
static inline char *
tu_write(const char *dir, const char *name, const char *text)
{
	char *path;
	FILE *f;

	cr_assert(asprintf(&path, "%s/%s", dir, name) > 0);
	f = fopen(path, "w");
	cr_assert_not_null(f, "cannot create %s", path);
	fputs(text, f);
	fclose(f);
	return path;
}

/* rm -rf a directory made by tu_tmpdir. */
static inline void
tu_rmrf(const char *dir)
{
	char *cmd;

	if (dir == NULL || strncmp(dir, "/tmp/ctys-test-", 15) != 0)
		return;
	/* by full path: a test may have emptied PATH */
	cr_assert(asprintf(&cmd, "/bin/rm -rf '%s'", dir) > 0);
	if (system(cmd) != 0)
		fprintf(stderr, "cannot remove %s\n", dir);
	free(cmd);
}

#endif
