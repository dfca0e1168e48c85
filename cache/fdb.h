/*
 * fdb.h — the original's cacheDB text files (ctys-cachedb(5)):
 *
 *   enum.fdb     47-field records, one per line (record.h)
 *   macmap.fdb   <dns-name>;<MAC>;<IP>;   one per line
 *
 * and the static-cache derivation of ctys-vhost (cache-db.md §1.1): every
 * enum.fdb record with an empty TCP field (7) gets the IP of the FIRST
 * macmap line whose MAC field contains a match of the record's MAC used as
 * an awk ERE (case-sensitive, empty MAC never matches); the result is
 * sorted bytewise and made unique.
 */
#ifndef CTYS_CACHE_FDB_H
#define CTYS_CACHE_FDB_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <sys/types.h>

#include "lib/err.h"

/* A whole .fdb file read into memory, with the stamp it was read under. */
struct fdb_file {
	char *path;
	char *data;      /* size bytes + NUL */
	size_t size;
	int64_t mtime_sec;
	long mtime_nsec;
	uint64_t hash;   /* fdb_hash of data */
};

/*
 * Test hook: called by fdb_read() between the first stat and the read, so
 * tests can modify the file "during" an import.  NULL disables it.
 */
void fdb_set_read_hook(void (*hook)(const char *path, void *arg), void *arg);

/*
 * Read `path` whole.  The file is stat()ed before and after reading; a
 * different size or mtime afterwards is CTYS_ERR_IO "'<path>' changed while
 * it was read".  A missing file is CTYS_ERR_NOENT.  On success the caller
 * frees with fdb_file_free.
 */
ctys_err_t fdb_read(const char *path, struct fdb_file *f);
void fdb_file_free(struct fdb_file *f);

/* stat() stamp only: size and mtime.  CTYS_ERR_NOENT when missing. */
ctys_err_t fdb_stat(const char *path, uint64_t *size, int64_t *sec, long *nsec);

/* 64-bit content hash (not cryptographic; detects edits keeping size+mtime). */
uint64_t fdb_hash(const void *data, size_t n);

/* A statcache entry: a record line and where it came from. */
struct fdb_entry {
	const char *line;  /* points into enum data, or into owned */
	size_t len;
	uint32_t srcline;  /* 1-based line in enum.fdb */
	bool filled;       /* TCP was filled from macmap.fdb */
	char *owned;       /* allocated line when filled, else NULL */
};

/* One parsed macmap line (pointers into the file data). */
struct fdb_mac {
	const char *name, *mac, *ip;
	size_t name_len, mac_len, ip_len;
};

struct fdb_macmap {
	struct fdb_mac *v;
	size_t n;
	void *priv;       /* lookup structures */
};

/*
 * Parse macmap.fdb contents.  Empty lines are skipped; a line with fewer
 * than 3 ';'-separated fields is CTYS_ERR_PARSE "<name>:<line>: ...".
 * The entries point into data, which must outlive m.
 */
ctys_err_t fdb_macmap_parse(const char *name, const char *data, size_t size,
    struct fdb_macmap *m);
void fdb_macmap_free(struct fdb_macmap *m);

/*
 * The IP of the first macmap line whose MAC field matches `mac` used as an
 * ERE, or NULL (also for an empty or invalid mac).  *len gets its length.
 */
const char *fdb_macmap_ip(struct fdb_macmap *m, const char *mac, size_t maclen,
    size_t *len);

/*
 * Derive the static cache lines from enum.fdb contents: validate every
 * non-empty line (47 fields; CTYS_ERR_PARSE "<name>:<line>: record has N
 * fields, 47 required" on the first bad one) and fill TCP from m.  *out
 * (caller frees with fdb_entries_free) holds one entry per non-empty line in
 * file order; *nlines gets the number of lines of the file (empty ones
 * included).  Sorting and de-duplication are the caller's (fdb_sort_unique).
 * Entries point into data, which must outlive them.
 */
ctys_err_t fdb_statcache(const char *name, const char *data, size_t size,
    struct fdb_macmap *m, struct fdb_entry **out, size_t *n, uint32_t *nlines);

/* Fill one record (validated) from the macmap: returns an entry. */
void fdb_fill_entry(struct fdb_macmap *m, const char *line, size_t len,
    struct fdb_entry *e);

/*
 * Sort entry pointers bytewise by line (ties: by srcline) — the order of
 * `sort` in the C locale.  Returns true when they were already sorted.
 */
bool fdb_sort(struct fdb_entry **v, size_t n);

void fdb_entries_free(struct fdb_entry *v, size_t n);

#endif
