/* util.c — see util.h. */
#include "lib/util.h"

#include <ctype.h>
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <stdio.h>
#include <time.h>
#include <sys/resource.h>

#include "lib/xmalloc.h"

bool
kw_match(const char *names, const char *word, size_t len)
{
	const char *p = names, *bar;
	size_t n;

	for (;;) {
		bar = strchr(p, '|');
		n = bar ? (size_t)(bar - p) : strlen(p);
		if (n == len && strncasecmp(p, word, len) == 0)
			return true;
		if (bar == NULL)
			return false;
		p = bar + 1;
	}
}

size_t
kw_canon_len(const char *names)
{
	const char *bar = strchr(names, '|');

	return bar ? (size_t)(bar - names) : strlen(names);
}

int
kw_lookup(const struct kw *tab, size_t ntab, const char *word, size_t len)
{
	size_t i;

	for (i = 0; i < ntab; i++)
		if (kw_match(tab[i].names, word, len))
			return tab[i].id;
	return -1;
}

static int
digit_value(int c)
{
	if (c >= '0' && c <= '9')
		return c - '0';
	if (c >= 'a' && c <= 'z')
		return c - 'a' + 10;
	if (c >= 'A' && c <= 'Z')
		return c - 'A' + 36;
	if (c == '@')
		return 62;
	if (c == '_')
		return 63;
	return 99;
}

ctys_err_t
parse_bash_number(const char *s, unsigned long *out)
{
	const char *p = s, *hash = strchr(s, '#');
	unsigned long base = 10, v = 0;
	int d;

	if (*s == '\0')
		return ctys_seterr(CTYS_ERR_USAGE, "empty number");
	if (hash) {
		if (hash == s)
			return ctys_seterr(CTYS_ERR_USAGE, "bad number '%s'", s);
		base = 0;
		for (p = s; p < hash; p++) {
			if (!isdigit((unsigned char)*p) || base > 64)
				return ctys_seterr(CTYS_ERR_USAGE, "bad number base in '%s'", s);
			base = base * 10 + (unsigned long)(*p - '0');
		}
		if (base < 2 || base > 64)
			return ctys_seterr(CTYS_ERR_USAGE, "number base out of range in '%s'", s);
		p = hash + 1;
	} else if (s[0] == '0' && (s[1] == 'x' || s[1] == 'X')) {
		base = 16;
		p = s + 2;
	} else if (s[0] == '0' && s[1]) {
		base = 8;
		p = s + 1;
	}
	if (*p == '\0')
		return ctys_seterr(CTYS_ERR_USAGE, "bad number '%s'", s);
	for (; *p; p++) {
		d = digit_value((unsigned char)*p);
		/* bases <= 36 accept upper case as the lower-case digits */
		if (base <= 36 && *p >= 'A' && *p <= 'Z')
			d = *p - 'A' + 10;
		if (d < 0 || (unsigned long)d >= base)
			return ctys_seterr(CTYS_ERR_USAGE, "bad digit '%c' in number '%s'", *p, s);
		if (v > (0xFFFFFFFFUL - (unsigned long)d) / base)
			return ctys_seterr(CTYS_ERR_USAGE, "number '%s' out of range", s);
		v = v * base + (unsigned long)d;
	}
	*out = v;
	return CTYS_OK;
}

bool
parse_uint(const char *s, unsigned long max, unsigned long *out)
{
	unsigned long v = 0;

	if (*s == '\0')
		return false;
	for (; *s; s++) {
		unsigned long d = (unsigned long)(*s - '0');

		if (*s < '0' || *s > '9')
			return false;
		/* v * 10 + d <= max, without wrapping for d > max */
		if (d > max || v > (max - d) / 10)
			return false;
		v = v * 10 + d;
	}
	*out = v;
	return true;
}

char *
str_upper(const char *s)
{
	char *u = xstrdup(s), *p;

	for (p = u; *p; p++)
		*p = (char)toupper((unsigned char)*p);
	return u;
}

bool
str_ieq(const char *a, const char *b)
{
	return strcasecmp(a, b) == 0;
}

bool
str_has_prefix(const char *s, const char *prefix)
{
	return strncmp(s, prefix, strlen(prefix)) == 0;
}

void
sort_array(void *base, size_t n, size_t size, int (*cmp)(const void *, const void *))
{
	if (n > 1)
		qsort(base, n, size, cmp);
}

void *
find_sorted(const void *key, const void *base, size_t n, size_t size,
    int (*cmp)(const void *, const void *))
{
	return n == 0 ? NULL : bsearch(key, base, n, size, cmp);
}

long long
mono_ms(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (long long)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

void
sleep_ms(long ms)
{
	struct timespec ts;

	if (ms <= 0)
		return;
	ts.tv_sec = ms / 1000;
	ts.tv_nsec = (ms % 1000) * 1000000L;
	while (nanosleep(&ts, &ts) != 0 && errno == EINTR)
		;
}

char *
util_read_file(const char *path, size_t max, size_t *len)
{
	FILE *f = fopen(path, "r");
	char *b;
	size_t n;

	if (f == NULL)
		return NULL;
	b = xmalloc(max + 1);
	n = fread(b, 1, max, f);
	fclose(f);
	b[n] = '\0';
	if (len)
		*len = n;
	return b;
}

void
argv_help_alias(int argc, char **argv)
{
	static char h[] = "-h";

	if (argc >= 2 && strcmp(argv[1], "--help") == 0)
		argv[1] = h;
}

void
ctys_raise_nofile(void)
{
	struct rlimit rl;
	rlim_t want;

	if (getrlimit(RLIMIT_NOFILE, &rl) != 0)
		return;
	want = rl.rlim_max == RLIM_INFINITY || rl.rlim_max > 65536 ? 65536 : rl.rlim_max;
	if (rl.rlim_cur != RLIM_INFINITY && rl.rlim_cur < want) {
		rl.rlim_cur = want;
		setrlimit(RLIMIT_NOFILE, &rl);
	}
}
