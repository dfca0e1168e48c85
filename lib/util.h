/*
 * util.h — small helpers shared by every module: keyword tables with
 * aliases, bash-style numbers, case-insensitive comparison.
 */
#ifndef CTYS_UTIL_H
#define CTYS_UTIL_H

#include <stdbool.h>
#include <stddef.h>

#include "lib/err.h"

/*
 * A keyword with aliases, as the tables of actions, options and plugins use
 * them: `names` is "CANONICAL|ALIAS|ALIAS".  Matching is case-insensitive.
 */
struct kw {
	const char *names;
	int id;
};

/* Id of the entry whose names include word[0..len), or -1. */
int kw_lookup(const struct kw *tab, size_t ntab, const char *word, size_t len);
/* True when `word[0..len)` is one of the '|'-separated `names` (any case). */
bool kw_match(const char *names, const char *word, size_t len);
/* Length of the canonical (first) name in a "A|B|C" list. */
size_t kw_canon_len(const char *names);

/*
 * Parse a number in bash arithmetic notation: decimal, 0x hex, leading-0
 * octal, or base#digits (base 2..64, digits 0-9a-zA-Z@_).  Whole string
 * must be consumed.  Returns CTYS_ERR_USAGE (with message) otherwise.
 */
ctys_err_t parse_bash_number(const char *s, unsigned long *out);

/* Strict unsigned decimal, no sign, no spaces, <= max. */
bool parse_uint(const char *s, unsigned long max, unsigned long *out);

/*
 * qsort() that accepts an empty array with a NULL base (qsort's base must
 * never be NULL, even for n == 0: UBSan reports it).  Use it everywhere.
 */
void sort_array(void *base, size_t n, size_t size, int (*cmp)(const void *, const void *));

/* bsearch() that accepts an empty array with a NULL base; NULL when absent. */
void *find_sorted(const void *key, const void *base, size_t n, size_t size,
	int (*cmp)(const void *, const void *));

/* Milliseconds of CLOCK_MONOTONIC: for deadlines and elapsed times. */
long long mono_ms(void);
/* Sleep ms milliseconds (restarted after signals; ms <= 0 returns at once). */
void sleep_ms(long ms);

/* ASCII uppercase copy (caller frees). */
char *str_upper(const char *s);
bool str_ieq(const char *a, const char *b);
bool str_has_prefix(const char *s, const char *prefix);

/*
 * At most max bytes of the file at path, NUL-terminated, length in *len
 * (may be NULL); NULL when it cannot be opened.  Caller frees.
 */
char *util_read_file(const char *path, size_t max, size_t *len);

/*
 * The tools take the original's -h for their short help; a leading
 * "--help" (argv[1]) is replaced by "-h" so that the GNU spelling works as
 * well, before the tool's own option parsing.
 */
void argv_help_alias(int argc, char **argv);

/*
 * Raise the soft limit of open files to the hard limit (at most 65536):
 * a run to many hosts keeps one SSH session per host open until it ends,
 * and the common soft default of 1024 would fail the hosts past it.
 * Quietly does nothing when it cannot.
 */
void ctys_raise_nofile(void);

#endif
