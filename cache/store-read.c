/*
 * store-read.c — the read half of the cache: scans in index order, exact
 * lookups through the secondary indexes, the stored macmap.
 */
#include <stdlib.h>
#include <string.h>

#include "cache/gram.h"
#include "cache/record.h"
#include "cache/store-int.h"
#include "cache/store.h"
#include "lib/util.h"
#include "lib/xmalloc.h"

ctys_err_t
cache_scan(struct cache_db *db, cache_rec_fn fn, void *arg)
{
	MDB_cursor *hc = NULL, *rc_ = NULL;
	MDB_val k, v, rk, rv;
	unsigned char start[8];
	unsigned long index = 0;
	struct buf line = BUF_INIT;
	MDB_txn *txn;
	int rc, stop = 0;

	if ((rc = cache_i_txn_begin(db, MDB_RDONLY, &txn)) != 0)
		return cache_i_dberr(db, rc, "cannot begin transaction");
	if ((rc = mdb_cursor_open(txn, db->host, &hc)) != 0 ||
	    (rc = mdb_cursor_open(txn, db->rec, &rc_)) != 0)
		goto out;
	for (rc = mdb_cursor_get(hc, &k, &v, MDB_FIRST); rc == 0 && !stop;
	    rc = mdb_cursor_get(hc, &k, &v, MDB_NEXT)) {
		int r2;

		memcpy(start, v.mv_data, 4);
		memset(start + 4, 0, 4);
		rk.mv_size = 8;
		rk.mv_data = start;
		for (r2 = mdb_cursor_get(rc_, &rk, &rv, MDB_SET_RANGE); r2 == 0 && !stop;
		    r2 = mdb_cursor_get(rc_, &rk, &rv, MDB_NEXT)) {
			if (memcmp(rk.mv_data, start, 4) != 0)
				break;
			buf_reset(&line);
			cache_i_with_index(&rv, ++index, &line);
			stop = fn(arg, index, line.d, line.len);
		}
	}
	if (rc == MDB_NOTFOUND)
		rc = 0;
out:
	if (rc_ != NULL)
		mdb_cursor_close(rc_);
	if (hc != NULL)
		mdb_cursor_close(hc);
	mdb_txn_abort(txn);
	buf_free(&line);
	return rc != 0 ? cache_i_dberr(db, rc, "scan failed") : CTYS_OK;
}

struct hit {
	unsigned long index;
	MDB_val val;
};

static int
hit_cmp(const void *a, const void *b)
{
	const struct hit *x = a, *y = b;

	return x->index < y->index ? -1 : x->index > y->index;
}

static int
add_hit(MDB_txn *txn, struct cache_db *db, const unsigned char key[8],
    const MDB_val *val, struct hit **v, size_t *n, size_t *cap)
{
	MDB_val hk = { 4, (void *)key }, hv, rk = { 8, (void *)key }, rv;
	int rc;

	if (val != NULL)
		rv = *val;
	else if ((rc = mdb_get(txn, db->rec, &rk, &rv)) != 0)
		return rc;
	if ((rc = mdb_get(txn, db->hid, &hk, &hv)) != 0)
		return rc;
	if (*n == *cap) {
		*cap = *cap ? *cap * 2 : 16;
		*v = xreallocarray(*v, *cap, sizeof **v);
	}
	(*v)[*n].index = (unsigned long)cache_get32(hv.mv_data) + cache_get32(key + 4) + 1;
	(*v)[*n].val = rv;
	(*n)++;
	return 0;
}

ctys_err_t
cache_lookup(struct cache_db *db, unsigned num, const char *value, size_t len,
    cache_rec_fn fn, void *arg)
{
	struct hit *hits = NULL;
	size_t nh = 0, cap = 0, i, ix;
	MDB_cursor *c = NULL;
	MDB_val k, v;
	MDB_txn *txn;
	char *hk = NULL;
	int rc;

	for (ix = 0; ix < CACHE_NIX && cache_ixdef[ix].num != num; ix++)
		;
	if (num != 1 && ix == CACHE_NIX)
		return ctys_seterr(CTYS_ERR_UNSUPPORTED, "field %u is not indexed", num);
	if (len == 0 || len > CACHE_IXKEY_MAX || memchr(value, '\0', len) != NULL)
		return CTYS_OK;
	if ((rc = cache_i_txn_begin(db, MDB_RDONLY, &txn)) != 0)
		return cache_i_dberr(db, rc, "cannot begin transaction");
	if (num == 1) {
		unsigned char start[8];
		MDB_val hv;

		hk = xmalloc(len + 1);
		memcpy(hk, value, len);
		hk[len] = ';';
		k.mv_size = len + 1;
		k.mv_data = hk;
		rc = mdb_get(txn, db->host, &k, &hv);
		if (rc == 0 && (rc = mdb_cursor_open(txn, db->rec, &c)) == 0) {
			memcpy(start, hv.mv_data, 4);
			memset(start + 4, 0, 4);
			k.mv_size = 8;
			k.mv_data = start;
			for (rc = mdb_cursor_get(c, &k, &v, MDB_SET_RANGE); rc == 0;
			    rc = mdb_cursor_get(c, &k, &v, MDB_NEXT)) {
				if (memcmp(k.mv_data, start, 4) != 0)
					break;
				if ((rc = add_hit(txn, db, k.mv_data, &v, &hits, &nh, &cap)) != 0)
					break;
			}
		}
	} else if ((rc = mdb_cursor_open(txn, db->ix[ix], &c)) == 0) {
		hk = xmalloc(len + 1);
		memcpy(hk, value, len);
		hk[len] = '\0';
		k.mv_size = len + 1;
		k.mv_data = hk;
		for (rc = mdb_cursor_get(c, &k, &v, MDB_SET_RANGE); rc == 0;
		    rc = mdb_cursor_get(c, &k, &v, MDB_NEXT)) {
			if (k.mv_size != len + 9 || memcmp(k.mv_data, hk, len + 1) != 0)
				break;
			if ((rc = add_hit(txn, db, (const unsigned char *)k.mv_data + len + 1,
			    NULL, &hits, &nh, &cap)) != 0)
				break;
		}
	}
	if (rc == MDB_NOTFOUND)
		rc = 0;
	if (rc == 0) {
		struct buf line = BUF_INIT;

		if (nh > 1)
			sort_array(hits, nh, sizeof *hits, hit_cmp);
		for (i = 0; i < nh; i++) {
			buf_reset(&line);
			cache_i_with_index(&hits[i].val, hits[i].index, &line);
			if (fn(arg, hits[i].index, line.d, line.len) != 0)
				break;
		}
		buf_free(&line);
	}
	if (c != NULL)
		mdb_cursor_close(c);
	mdb_txn_abort(txn);
	free(hits);
	free(hk);
	return rc != 0 ? cache_i_dberr(db, rc, "lookup failed") : CTYS_OK;
}

ctys_err_t
cache_macmap(struct cache_db *db, void (*fn)(void *arg, const char *data, size_t len),
    void *arg)
{
	MDB_val k = { strlen("macmap.fdb"), "macmap.fdb" }, v;
	MDB_txn *txn;
	int rc;

	if ((rc = cache_i_txn_begin(db, MDB_RDONLY, &txn)) != 0)
		return cache_i_dberr(db, rc, "cannot begin transaction");
	rc = mdb_get(txn, db->mac, &k, &v);
	if (rc == 0)
		fn(arg, v.mv_data, v.mv_size);
	else if (rc == MDB_NOTFOUND)
		fn(arg, "", 0), rc = 0;
	mdb_txn_abort(txn);
	return rc != 0 ? cache_i_dberr(db, rc, "cannot read macmap") : CTYS_OK;
}

/* ---- substring lookups through the gram index ---------------------------- */

struct raw_scan {
	struct cache_db *db;
	uint64_t gen;
};

/* gram_src.each: every record in index order, raw line and key. */
static ctys_err_t
raw_each(void *ctx, void (*fn)(void *arg, uint32_t index, const unsigned char key[8],
    const char *line, size_t len), void *arg)
{
	struct raw_scan *rs = ctx;
	struct cache_db *db = rs->db;
	MDB_cursor *hc = NULL, *rc_ = NULL;
	MDB_val k, v, rk, rv;
	unsigned char start[8];
	uint32_t index = 0;
	MDB_txn *txn;
	int rc;

	if ((rc = cache_i_txn_begin(db, MDB_RDONLY, &txn)) != 0)
		return cache_i_dberr(db, rc, "cannot begin transaction");
	if (cache_i_gen(txn, db) != rs->gen) {
		mdb_txn_abort(txn);
		return ctys_seterr(CTYS_ERR_DB, "cache changed while indexing");
	}
	if ((rc = mdb_cursor_open(txn, db->host, &hc)) != 0 ||
	    (rc = mdb_cursor_open(txn, db->rec, &rc_)) != 0)
		goto out;
	for (rc = mdb_cursor_get(hc, &k, &v, MDB_FIRST); rc == 0;
	    rc = mdb_cursor_get(hc, &k, &v, MDB_NEXT)) {
		int r2;

		memcpy(start, v.mv_data, 4);
		memset(start + 4, 0, 4);
		rk.mv_size = 8;
		rk.mv_data = start;
		for (r2 = mdb_cursor_get(rc_, &rk, &rv, MDB_SET_RANGE); r2 == 0;
		    r2 = mdb_cursor_get(rc_, &rk, &rv, MDB_NEXT)) {
			if (memcmp(rk.mv_data, start, 4) != 0)
				break;
			fn(arg, ++index, rk.mv_data, (const char *)rv.mv_data + CACHE_RECHDR,
			    rv.mv_size - CACHE_RECHDR);
		}
	}
	if (rc == MDB_NOTFOUND)
		rc = 0;
out:
	if (rc_ != NULL)
		mdb_cursor_close(rc_);
	if (hc != NULL)
		mdb_cursor_close(hc);
	mdb_txn_abort(txn);
	return rc != 0 ? cache_i_dberr(db, rc, "scan failed") : CTYS_OK;
}

/* Open the gram index of the current generation, building it if needed. */
static struct gram_idx *
gram_for(struct cache_db *db, uint64_t gen)
{
	struct raw_scan rs = { db, gen };
	struct gram_src src = { raw_each, &rs };
	struct gram_idx *g = NULL;
	char *path = xasprintf("%s/%s", db->envpath, GRAM_FILE);

	if (gram_open(path, gen, &g) != CTYS_OK && !db->rdonly &&
	    gram_build(path, gen, &src) == CTYS_OK)
		gram_open(path, gen, &g);
	free(path);
	ctys_errclear();
	return g;
}

ctys_err_t
cache_lookup_substr(struct cache_db *db, const char *lit, size_t len,
    cache_rec_fn fn, void *arg)
{
	struct gram_idx *g;
	struct buf line = BUF_INIT;
	uint32_t *cand = NULL;
	size_t n = 0, i;
	uint64_t gen;
	MDB_txn *txn;
	MDB_stat st;
	int rc;

	if (!gram_usable(lit, len))
		return CTYS_ERR_UNSUPPORTED;
	if ((rc = cache_i_txn_begin(db, MDB_RDONLY, &txn)) != 0)
		return cache_i_dberr(db, rc, "cannot begin transaction");
	gen = cache_i_gen(txn, db);
	if (mdb_stat(txn, db->rec, &st) != 0 || st.ms_entries < GRAM_MIN_RECORDS) {
		mdb_txn_abort(txn);
		return CTYS_ERR_UNSUPPORTED;
	}
	mdb_txn_abort(txn);
	if ((g = gram_for(db, gen)) == NULL)
		return CTYS_ERR_UNSUPPORTED;
	if ((rc = cache_i_txn_begin(db, MDB_RDONLY, &txn)) != 0) {
		gram_close(g);
		return cache_i_dberr(db, rc, "cannot begin transaction");
	}
	if (cache_i_gen(txn, db) != gen) {
		/* a writer committed meanwhile: the caller scans */
		mdb_txn_abort(txn);
		gram_close(g);
		return CTYS_ERR_UNSUPPORTED;
	}
	gram_candidates(g, lit, len, &cand, &n);
	if (n > GRAM_MAX_SHARE(st.ms_entries)) {
		/* a common literal: fetching by key would be slower than a scan */
		mdb_txn_abort(txn);
		gram_close(g);
		free(cand);
		return CTYS_ERR_UNSUPPORTED;
	}
	for (i = 0, rc = 0; i < n; i++) {
		const unsigned char *key = gram_key(g, cand[i]);
		MDB_val k = { 8, (void *)key }, v;

		if (key == NULL) {
			rc = MDB_CORRUPTED;
			break;
		}
		if ((rc = mdb_get(txn, db->rec, &k, &v)) != 0)
			break;
		buf_reset(&line);
		cache_i_with_index(&v, cand[i], &line);
		if (fn(arg, cand[i], line.d, line.len) != 0)
			break;
	}
	mdb_txn_abort(txn);
	gram_close(g);
	free(cand);
	buf_free(&line);
	if (rc != 0)
		return cache_i_dberr(db, rc, "gram index lookup failed");
	return CTYS_OK;
}
