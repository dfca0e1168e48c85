/* textfile.c — see textfile.h. */
#include "macros/textfile.h"

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "lib/util.h"
#include "lib/xmalloc.h"

ctys_err_t
macro_read_file(const char *path, char **text, size_t *len)
{
	struct stat st;
	char *d;
	size_t n = 0;
	ssize_t r;
	int fd;

	if (stat(path, &st) != 0)
		return ctys_seterr(errno == ENOENT || errno == ENOTDIR ? CTYS_ERR_NOENT :
		    CTYS_ERR_IO, "cannot access '%s': %s", path, strerror(errno));
	if (!S_ISREG(st.st_mode))
		return ctys_seterr(CTYS_ERR_NOENT, "cannot access '%s': not a regular file",
		    path);
	if (st.st_size > MACRO_FILE_MAX)
		return ctys_seterr(CTYS_ERR_TOOLONG, "'%s' is larger than %d bytes", path,
		    MACRO_FILE_MAX);
	if ((fd = open(path, O_RDONLY | O_CLOEXEC)) < 0)
		return ctys_seterr(CTYS_ERR_IO, "cannot read '%s': %s", path, strerror(errno));
	d = xmalloc((size_t)st.st_size + 1);
	for (;;) {
		if (n == (size_t)st.st_size) {
			/* the file may have grown since stat(); read no more than the limit */
			if (n >= MACRO_FILE_MAX)
				break;
			st.st_size = (off_t)(n * 2 + 4096);
			if (st.st_size > MACRO_FILE_MAX)
				st.st_size = MACRO_FILE_MAX;
			d = xrealloc(d, (size_t)st.st_size + 1);
		}
		r = read(fd, d + n, (size_t)st.st_size - n);
		if (r < 0 && errno == EINTR)
			continue;
		if (r < 0) {
			int e = errno;

			close(fd);
			free(d);
			return ctys_seterr(CTYS_ERR_IO, "cannot read '%s': %s", path, strerror(e));
		}
		if (r == 0)
			break;
		n += (size_t)r;
	}
	close(fd);
	d[n] = '\0';
	*text = d;
	*len = n;
	return CTYS_OK;
}

ctys_err_t
macro_text_check(const char *name, const char *text, size_t len)
{
	size_t i, line = 1, start = 0;

	for (i = 0; i < len; i++) {
		if (text[i] == '\0')
			return ctys_seterr(CTYS_ERR_PARSE, "%s:%zu: binary data (NUL byte)", name,
			    line);
		if (text[i] == '\n') {
			line++;
			start = i + 1;
		} else if (i - start >= MACRO_LINE_MAX) {
			return ctys_seterr(CTYS_ERR_TOOLONG, "%s:%zu: line longer than %d bytes",
			    name, line, MACRO_LINE_MAX);
		}
	}
	return CTYS_OK;
}

static int
cmp_name(const void *a, const void *b)
{
	return strcmp(*(char *const *)a, *(char *const *)b);
}

static void
tree_level(const char *dir, bool files, unsigned depth, unsigned level)
{
	struct dirent *de;
	struct stat st;
	char **names = NULL, *p;
	size_t n = 0, i;
	DIR *d;

	if ((depth && level >= depth) || level > 32 || (d = opendir(dir)) == NULL)
		return;
	while ((de = readdir(d)) != NULL) {
		if (de->d_name[0] == '.')
			continue;
		names = xreallocarray(names, n + 1, sizeof *names);
		names[n++] = xstrdup(de->d_name);
	}
	closedir(d);
	if (n)
		sort_array(names, n, sizeof *names, cmp_name);
	for (i = 0; i < n; i++) {
		p = xasprintf("%s/%s", dir, names[i]);
		if (stat(p, &st) == 0 && S_ISDIR(st.st_mode)) {
			printf("%*s%s/\n", (int)(2 * (level + 1)), "", names[i]);
			tree_level(p, files, depth, level + 1);
		} else if (files) {
			printf("%*s%s\n", (int)(2 * (level + 1)), "", names[i]);
		}
		free(p);
		free(names[i]);
	}
	free(names);
}

void
macro_tree_print(const char *dir, bool files, unsigned depth)
{
	printf("%s/\n", dir);
	tree_level(dir, files, depth, 0);
}
