/*
 * gram.h — the trigram accelerator for substring filters.
 *
 * A bare filter word (or F: pattern) is a substring match over the record,
 * which no exact index can answer.  The file <dbdir>/ctys.lmdb/gram.idx
 * lists, for every hashed byte trigram without ';', the records (by index)
 * whose line contains it.  For a literal L of >= 3 bytes without ';' and
 * not all digits (so it cannot lie in field 32, the index digits), every
 * record containing L is among the records listed under all of L's
 * trigrams: the lists give a superset, which the query then filters with
 * all its terms — the result is exactly the scan's.
 *
 * The file is derived data: built on first use, stamped with the cache's
 * generation (meta "gen", bumped by every write transaction) and ignored
 * when stale.  Layout (little-endian):
 *   header  "CTYSGRM1", u64 gen, u32 nrec, u32 nbuckets
 *   dir     nbuckets x { u64 offset, u32 count, u32 bytes }
 *   keys    nrec x 8-byte record key (index i at position i - 1)
 *   lists   per bucket: ascending indexes as LEB128 deltas
 */
#ifndef CTYS_CACHE_GRAM_H
#define CTYS_CACHE_GRAM_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "lib/err.h"

#define GRAM_FILE "gram.idx"
#define GRAM_BUCKET_BITS 20
#define GRAM_MIN_RECORDS 20000 /* below this a scan is as fast */
/* more candidates than this (of n records) and a scan is faster */
#define GRAM_MAX_SHARE(n) ((n) / 16)

struct gram_idx;

/* Records streamed to gram_build(), in index order (1, 2, ...). */
struct gram_src {
	/* call fn for each record; stop and return its error on failure */
	ctys_err_t (*each)(void *ctx, void (*fn)(void *arg, uint32_t index,
	    const unsigned char key[8], const char *line, size_t len), void *arg);
	void *ctx;
};

/* True when a literal can be answered from the gram index. */
bool gram_usable(const char *lit, size_t len);

/*
 * Build `path` (via a temporary file and rename) for generation `gen` from
 * two passes over src.  CTYS_ERR_IO when the file cannot be written.
 */
ctys_err_t gram_build(const char *path, uint64_t gen, const struct gram_src *src);

/*
 * Open `path`; CTYS_ERR_NOENT when it is missing, CTYS_ERR_VERSION when it
 * is foreign, damaged or of another generation (the caller rebuilds or
 * scans).
 */
ctys_err_t gram_open(const char *path, uint64_t gen, struct gram_idx **out);
void gram_close(struct gram_idx *g);

/*
 * Candidate record indexes (ascending) for lit (gram_usable() must hold):
 * a superset of the records whose line contains lit.  *out is malloc'd.
 */
void gram_candidates(struct gram_idx *g, const char *lit, size_t len,
    uint32_t **out, size_t *n);

/*
 * The record key of index i (1-based), or NULL when out of range or
 * unreadable.  Points into g, valid until the next call.
 */
const unsigned char *gram_key(struct gram_idx *g, uint32_t index);

#endif
