/*
 * query.h — the ctys-vhost filter language (cache-db.md §4, ctys-vhost(1)).
 *
 *   args     = term { [ operator ] term }         no args = "."
 *   operator = AND | OR | NOT                      (any case, whole words)
 *   term     = F:<n>:<ere>       field n contains a match of <ere>
 *            | E:<a>:<b>         field a contains a match of field b's value
 *            | R:<i>[:<j>]       record index (field 32) == i, or in [i, j]
 *            | <ere>             the whole record line contains a match
 *
 * EREs are POSIX extended (awk), case-sensitive, unanchored.  The F:/E:/R:
 * prefixes are case-insensitive; an F: pattern ends at the next ':'.
 * Evaluation, including the original's quirks that are kept:
 *   - consecutive terms AND; "a OR b" unions (duplicates kept) with the set
 *     the preceding AND context started from; "x AND a OR b" = x AND (a OR b)
 *   - NOT negates the next term only if that term is the last one, an
 *     F:/E:/R: term, or comes after the first F:/E:/R: term (else ignored)
 *   - the records of an OR term that is the last term are dropped unless
 *     QUERY_KEEP_LAST_OR is given (ctys-vhost passes it for -o MACHINE)
 * Every record carries its index (1-based position in the queried source)
 * in field 32 for all terms and for the output.
 *
 * Plan: when no OR is present and some non-negated term is F:<n>:^<lit>$
 * with <lit> free of ERE metacharacters and field n indexed by the source,
 * the candidates come from the index and every term is then applied to
 * them in index order — the same records, in the same order, as a scan.
 * Else, without OR, a non-negated bare or F: term whose matches must
 * contain a literal of >= 3 bytes (no ';', not only digits) takes its
 * candidates from the source's substring lookup (the trigram index), the
 * longest such literal first; the terms filter them as above.  Otherwise
 * the source is scanned once (plus once per OR term).
 */
#ifndef CTYS_CACHE_QUERY_H
#define CTYS_CACHE_QUERY_H

#include <stdbool.h>
#include <stddef.h>

#include "cache/store.h"
#include "lib/err.h"

struct query;

enum {
	QUERY_KEEP_LAST_OR = 1,
};

/*
 * Unions keep duplicates (as the original), so "a OR b AND c OR d ..."
 * can double the result per OR; a result over QUERY_MAX_GROWTH times the
 * number of records is CTYS_ERR_TOOLONG instead of exhausting memory.
 */
#define QUERY_MAX_GROWTH 64

/*
 * Compile the arguments (each is split further at blanks, as the original
 * re-splits its command line).  CTYS_ERR_USAGE naming the argument for a
 * bad F:/E:/R: term or an invalid ERE.  *out is freed with query_free().
 */
ctys_err_t query_compile(const char *const *args, size_t nargs, unsigned flags,
    struct query **out);
void query_free(struct query *q);

/* A record source in index order, with optional exact-match lookups. */
struct query_source {
	ctys_err_t (*scan)(void *ctx, cache_rec_fn fn, void *arg);
	/* NULL when the source has no index; else as cache_lookup() */
	ctys_err_t (*lookup)(void *ctx, unsigned field, const char *v, size_t len,
	    cache_rec_fn fn, void *arg);
	bool (*indexed)(unsigned field);
	/* NULL, or a superset of the records containing a literal, in index
	 * order; CTYS_ERR_UNSUPPORTED (before any callback) = scan instead */
	ctys_err_t (*lookup_substr)(void *ctx, const char *lit, size_t len,
	    cache_rec_fn fn, void *arg);
	void *ctx;
	bool with_index;  /* the lines already carry the index in field 32 */
};

/* The source of an open cache (scan + indexes). */
void query_source_cache(struct query_source *s, struct cache_db *db);

/* A source over lines in memory (index = 1-based line number, empty lines skipped). */
struct query_lines {
	const char *data;
	size_t len;
};
void query_source_lines(struct query_source *s, struct query_lines *ctx,
    const char *data, size_t len);

/* One result: its index and its line with field 32 = index (owned). */
struct query_rec {
	unsigned long index;
	char *line;
	size_t len;
};

struct query_result {
	struct query_rec *v;
	size_t n, cap;
};

void query_result_free(struct query_result *r);

/* Run q on src, appending the records of RES to *out (in result order). */
ctys_err_t query_run(const struct query *q, const struct query_source *src,
    struct query_result *out);

/*
 * The plan query_run() uses on src: the field whose index drives it,
 * QUERY_PLAN_SUBSTR for the substring lookup (which may still fall back to
 * a scan at run time), or 0 for a scan.
 */
#define QUERY_PLAN_SUBSTR 1000
unsigned query_plan(const struct query *q, const struct query_source *src);

/* Number of terms (for tests and -I). */
size_t query_nterms(const struct query *q);

#endif
