/*
 * store-write.c — the write half of the cache: import of enum.fdb and
 * macmap.fdb, cache_put_host(), export.  Layout: ctys-cachedb(5).
 */
#include <errno.h>
#include <inttypes.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "cache/fdb.h"
#include "cache/record.h"
#include "cache/store-int.h"
#include "cache/store.h"
#include "lib/util.h"
#include "lib/xmalloc.h"


struct ixpair {
	uint64_t pfx;     /* bytes 0-7 of v, big-endian, zero padded */
	uint64_t pfx2;    /* bytes 8-15 */
	uint64_t rk;      /* the record key as a number (same order as bytes) */
	const char *v;
	uint32_t len;
};

/* LMDB's order (memcmp, then length), then the record key; integers first. */
static int
ixpair_cmp(const void *pa, const void *pb)
{
	const struct ixpair *a = pa, *b = pb;
	size_t n;
	int c;

	if (a->pfx != b->pfx)
		return a->pfx < b->pfx ? -1 : 1;
	if (a->pfx2 != b->pfx2)
		return a->pfx2 < b->pfx2 ? -1 : 1;
	if (a->len > 16 && b->len > 16) {
		n = (a->len < b->len ? a->len : b->len) - 16;
		if ((c = memcmp(a->v + 16, b->v + 16, n)) != 0)
			return c;
	}
	if (a->len != b->len)
		return a->len < b->len ? -1 : 1;
	return a->rk < b->rk ? -1 : a->rk > b->rk;
}

static int
ixpair_pcmp(const void *a, const void *b)
{
	return ixpair_cmp(*(const struct ixpair *const *)a, *(const struct ixpair *const *)b);
}

static uint64_t
be64(const void *p, size_t n)
{
	const unsigned char *s = p;
	uint64_t v = 0;
	size_t i;

	for (i = 0; i < 8; i++)
		v = v << 8 | (i < n ? s[i] : 0);
	return v;
}

/* Field views of a line: off[i] .. off[i]+len[i] is field i+1. */
static void
split_views(const char *line, size_t n, const char **f, size_t *len)
{
	size_t i, k = 0, start = 0;

	for (i = 0; i <= n && k < REC_NFIELDS; i++)
		if (i == n || line[i] == ';') {
			f[k] = line + start;
			len[k++] = i - start;
			start = i + 1;
		}
	for (; k < REC_NFIELDS; k++) {
		f[k] = line + n;
		len[k] = 0;
	}
}

static size_t
grow_for(struct cache_db *db, size_t need)
{
	MDB_envinfo info;
	size_t cur;

	mdb_env_info(db->env, &info);
	cur = info.me_mapsize;
	while (cur < need)
		cur *= 2;
	return cur;
}

/*
 * After MDB_MAP_FULL: double the map and say whether to retry; false when
 * that would pass CTYS_CACHE_MAXSIZE or the system refuses (the caller
 * then reports the map full).
 */
static bool
grow_map(struct cache_db *db)
{
	size_t want = grow_for(db, 1) * 2, max = cache_i_mapsize_max();

	if (max && want > max)
		return false;
	db->map_grown++;
	return mdb_env_set_mapsize(db->env, want) == 0;
}

static int
put_rec(MDB_txn *txn, struct cache_db *db, const unsigned char key[8],
    const char *line, size_t len, bool filled, unsigned flags)
{
	MDB_val k = { 8, (void *)key }, v = { len + CACHE_RECHDR, NULL };
	int rc = mdb_put(txn, db->rec, &k, &v, flags | MDB_RESERVE);
	size_t off = CACHE_NOOFF, fl;
	const char *f;

	if (rc == 0) {
		f = rec_field_view(line, len, REC_FIELD_INDEX, &fl);
		if (rec_count_fields(line, len) >= REC_FIELD_INDEX &&
		    (size_t)(f - line) < CACHE_NOOFF)
			off = (size_t)(f - line);
		((unsigned char *)v.mv_data)[0] = filled ? CACHE_RECF_FILLED : 0;
		((unsigned char *)v.mv_data)[1] = (unsigned char)(off >> 8);
		((unsigned char *)v.mv_data)[2] = (unsigned char)off;
		memcpy((char *)v.mv_data + CACHE_RECHDR, line, len);
	}
	return rc;
}

/* Index key: <value> NUL <8-byte record key>; empty data. */
static int
put_ix(MDB_txn *txn, struct cache_db *db, struct ixpair **pp, size_t n, size_t ix,
    bool sorted_append)
{
	unsigned char kb[CACHE_IXKEY_MAX + 9];
	MDB_cursor *c;
	MDB_val k, v = { 0, "" };
	size_t i;
	int rc = 0;

	if ((rc = mdb_cursor_open(txn, db->ix[ix], &c)) != 0)
		return rc;
	for (i = 0; i < n && rc == 0; i++) {
		const struct ixpair *p = pp[i];

		memcpy(kb, p->v, p->len);
		kb[p->len] = '\0';
		{
			uint64_t rk = p->rk;
			int j;

			for (j = 7; j >= 0; j--, rk >>= 8)
				kb[p->len + 1 + j] = (unsigned char)rk;
		}
		k.mv_size = p->len + 9;
		k.mv_data = kb;
		rc = mdb_cursor_put(c, &k, &v, sorted_append ? MDB_APPEND : 0);
	}
	mdb_cursor_close(c);
	return rc;
}

/* Index entries of one record, appended to the per-index arrays. */
static void
collect_ix(MDB_env *env, const char *line, size_t len, const unsigned char key[8],
    struct ixpair **arr, size_t *n, size_t *cap)
{
	const char *f[REC_NFIELDS];
	size_t fl[REC_NFIELDS], i, max = CACHE_IXKEY_MAX;

	(void)env;

	split_views(line, len, f, fl);
	for (i = 0; i < CACHE_NIX; i++) {
		unsigned num = cache_ixdef[i].num;
		struct ixpair *p;

		if (fl[num - 1] == 0 || fl[num - 1] > max)
			continue;
		if (n[i] == cap[i]) {
			cap[i] = cap[i] ? cap[i] * 2 : 1024;
			arr[i] = xreallocarray(arr[i], cap[i], sizeof **arr);
		}
		p = &arr[i][n[i]++];
		p->v = f[num - 1];
		p->len = (uint32_t)fl[num - 1];
		p->pfx = be64(p->v, p->len);
		p->pfx2 = p->len > 8 ? be64(p->v + 8, p->len - 8) : 0;
		p->rk = be64(key, 8);
	}
}

/* Sorting the index entries: independent arrays, two threads. */
struct ixsort {
	struct ixpair *arr;
	size_t n;
	struct ixpair **pp;
};

static void
sort_one(struct ixsort *j)
{
	size_t k;
	bool sorted_ok = true;

	j->pp = xreallocarray(NULL, j->n + 1, sizeof *j->pp);
	for (k = 0; k < j->n; k++)
		j->pp[k] = &j->arr[k];
	for (k = 1; k < j->n && sorted_ok; k++)
		sorted_ok = ixpair_cmp(j->pp[k - 1], j->pp[k]) < 0;
	if (!sorted_ok)
		sort_array(j->pp, j->n, sizeof *j->pp, ixpair_pcmp);
}

struct ixsort_job {
	struct ixsort *v;
	size_t n;
};

static void *
sort_thread(void *arg)
{
	struct ixsort_job *job = arg;
	size_t k;

	for (k = 0; k < job->n; k++)
		sort_one(&job->v[k]);
	return NULL;
}

static void
sort_indexes(struct ixsort *v, size_t n)
{
	struct ixsort_job half = { v, n / 2 };
	pthread_t t;
	size_t k;
	bool threaded = pthread_create(&t, NULL, sort_thread, &half) == 0;

	for (k = threaded ? n / 2 : 0; k < n; k++)
		sort_one(&v[k]);
	if (threaded)
		pthread_join(t, NULL);
}

static int
drop_all(MDB_txn *txn, struct cache_db *db)
{
	MDB_dbi d[] = { db->rec, db->host, db->hid, db->src, db->mac };
	size_t i;
	int rc = 0;

	for (i = 0; i < sizeof d / sizeof d[0] && rc == 0; i++)
		rc = mdb_drop(txn, d[i], 0);
	for (i = 0; i < CACHE_NIX && rc == 0; i++)
		rc = mdb_drop(txn, db->ix[i], 0);
	return rc;
}

static int
write_meta_counts(MDB_txn *txn, struct cache_db *db, size_t count, uint32_t next_hid,
    const char *src)
{
	char v[32];
	int rc;

	snprintf(v, sizeof v, "%zu", count);
	if ((rc = cache_i_meta_put(txn, db, "count", v)) != 0 ||
	    (rc = cache_i_bump_gen(txn, db)) != 0)
		return rc;
	snprintf(v, sizeof v, "%" PRIu32, next_hid);
	if ((rc = cache_i_meta_put(txn, db, "next_hid", v)) != 0)
		return rc;
	return cache_i_meta_put(txn, db, "src", src);
}

/* One attempt at the import transaction; returns an LMDB code. */
static int
import_txn(struct cache_db *db, struct fdb_file *ef, struct fdb_file *mf,
    struct fdb_entry *ent, size_t n, struct fdb_entry **sorted, bool presorted)
{
	struct ixpair *arr[CACHE_NIX] = { 0 };
	size_t nix[CACHE_NIX] = { 0 }, cap[CACHE_NIX] = { 0 }, i, uniq = 0, hlen = 0;
	unsigned char *keys = xmalloc(n * 8 + 8), hv[8], key[8], last[8];
	struct cache_stamp se, sm;
	uint32_t hid = 0, seq = 0, first = 0;
	const char *host = NULL, *prev = NULL;
	size_t prevlen = 0;
	struct buf hk = BUF_INIT;
	MDB_txn *txn;
	MDB_val k, v;
	int rc;

	if ((rc = cache_i_txn_begin(db, 0, &txn)) != 0) {
		free(keys);
		return rc;
	}
	if ((rc = drop_all(txn, db)) != 0)
		goto out;
	for (i = 0; i < n && rc == 0; i++) {
		struct fdb_entry *e = sorted[i];
		size_t idx = (size_t)(e - ent), fl;
		const char *f1 = rec_field_view(e->line, e->len, 1, &fl);

		if (prev != NULL && prevlen == e->len && memcmp(prev, e->line, e->len) == 0) {
			memcpy(keys + idx * 8, last, 8);
			continue;
		}
		if (host == NULL || fl != hlen || memcmp(host, f1, fl) != 0) {
			if (host != NULL) {
				cache_put32(hv, first);
				cache_put32(hv + 4, seq);
				cache_put32(key, hid);
				k.mv_size = 4; k.mv_data = key;
				v.mv_size = 8; v.mv_data = hv;
				if ((rc = mdb_put(txn, db->hid, &k, &v, MDB_APPEND)) != 0)
					break;
				first += seq;
			}
			host = f1;
			hlen = fl;
			hid++;
			seq = 0;
			buf_reset(&hk);
			buf_add(&hk, f1, fl);
			buf_addc(&hk, ';');
			cache_put32(key, hid);
			k.mv_size = hk.len; k.mv_data = hk.d;
			v.mv_size = 4; v.mv_data = key;
			if ((rc = mdb_put(txn, db->host, &k, &v, presorted ? MDB_APPEND : 0)) != 0)
				break;
		}
		cache_put32(key, hid);
		cache_put32(key + 4, seq++);
		if ((rc = put_rec(txn, db, key, e->line, e->len, e->filled, MDB_APPEND)) != 0)
			break;
		collect_ix(db->env, e->line, e->len, key, arr, nix, cap);
		memcpy(keys + idx * 8, key, 8);
		memcpy(last, key, 8);
		prev = e->line;
		prevlen = e->len;
		uniq++;
	}
	if (rc == 0 && host != NULL) {
		cache_put32(hv, first);
		cache_put32(hv + 4, seq);
		cache_put32(key, hid);
		k.mv_size = 4; k.mv_data = key;
		v.mv_size = 8; v.mv_data = hv;
		rc = mdb_put(txn, db->hid, &k, &v, MDB_APPEND);
	}
	/* src: enum.fdb line number -> record key + filled flag */
	for (i = 0; i < n && rc == 0; i++) {
		unsigned char sv[9];

		cache_put32(key, ent[i].srcline);
		memcpy(sv, keys + i * 8, 8);
		sv[8] = ent[i].filled;
		k.mv_size = 4; k.mv_data = key;
		v.mv_size = 9; v.mv_data = sv;
		rc = mdb_put(txn, db->src, &k, &v, MDB_APPEND);
	}
	if (rc == 0) {
		struct ixsort js[CACHE_NIX];

		for (i = 0; i < CACHE_NIX; i++) {
			js[i].arr = arr[i];
			js[i].n = nix[i];
		}
		sort_indexes(js, CACHE_NIX);
		for (i = 0; i < CACHE_NIX && rc == 0; i++)
			rc = put_ix(txn, db, js[i].pp, nix[i], i, true);
		for (i = 0; i < CACHE_NIX; i++)
			free(js[i].pp);
	}
	if (rc == 0) {
		k.mv_size = strlen("macmap.fdb"); k.mv_data = "macmap.fdb";
		v.mv_size = mf->size; v.mv_data = mf->data;
		rc = mdb_put(txn, db->mac, &k, &v, 0);
	}
	cache_i_stamp_of(ef, &se);
	cache_i_stamp_of(mf, &sm);
	if (rc == 0 && (rc = cache_i_stamp_put(txn, db, "stamp.enum", &se)) == 0 &&
	    (rc = cache_i_stamp_put(txn, db, "stamp.macmap", &sm)) == 0 &&
	    (rc = write_meta_counts(txn, db, uniq, hid + 1, "enum")) == 0) {
		rc = mdb_txn_commit(txn);
		txn = NULL;
	}
out:
	if (txn != NULL)
		mdb_txn_abort(txn);
	for (i = 0; i < CACHE_NIX; i++)
		free(arr[i]);
	free(keys);
	buf_free(&hk);
	return rc;
}

ctys_err_t
cache_i_import(struct cache_db *db, struct fdb_file *ef, struct fdb_file *mf)
{
	struct fdb_macmap mm;
	struct fdb_entry *ent = NULL, **sorted;
	size_t n = 0, i;
	uint32_t nlines;
	ctys_err_t e;
	bool presorted;
	int rc;

	if ((e = fdb_macmap_parse(mf->path, mf->data, mf->size, &mm)) != CTYS_OK)
		return e;
	e = fdb_statcache(ef->path, ef->data, ef->size, &mm, &ent, &n, &nlines);
	fdb_macmap_free(&mm);
	if (e != CTYS_OK)
		return e;
	sorted = xreallocarray(NULL, n + 1, sizeof *sorted);
	for (i = 0; i < n; i++)
		sorted[i] = &ent[i];
	presorted = fdb_sort(sorted, n);
	/* Reserve generously up front; grow and retry on MDB_MAP_FULL. */
	if (cache_i_mapsize_hint() == 0) {
		size_t want = grow_for(db, 4 * (ef->size + mf->size) + ((size_t)64 << 20));
		size_t max = cache_i_mapsize_max();

		/* on failure the current size stays */
		mdb_env_set_mapsize(db->env, max && want > max ? max : want);
	}
	for (;;) {
		rc = import_txn(db, ef, mf, ent, n, sorted, presorted);
		if (rc != MDB_MAP_FULL || !grow_map(db))
			break;
	}
	free(sorted);
	fdb_entries_free(ent, n);
	if (rc != 0)
		return cache_i_dberr(db, rc, "import failed");
	db->imported = true;
	return CTYS_OK;
}

/* ---- put_host ------------------------------------------------------------ */

static int
del_host_records(MDB_txn *txn, struct cache_db *db, const unsigned char hidk[4])
{
	unsigned char start[8];
	MDB_cursor *c;
	MDB_val k, v;
	int rc;

	memcpy(start, hidk, 4);
	memset(start + 4, 0, 4);
	if ((rc = mdb_cursor_open(txn, db->rec, &c)) != 0)
		return rc;
	k.mv_size = 8;
	k.mv_data = start;
	for (rc = mdb_cursor_get(c, &k, &v, MDB_SET_RANGE); rc == 0;
	    rc = mdb_cursor_get(c, &k, &v, MDB_NEXT)) {
		const char *f[REC_NFIELDS];
		size_t fl[REC_NFIELDS], i;
		unsigned char key[8];

		if (k.mv_size != 8 || memcmp(k.mv_data, hidk, 4) != 0)
			break;
		memcpy(key, k.mv_data, 8);
		split_views((const char *)v.mv_data + CACHE_RECHDR, v.mv_size - CACHE_RECHDR,
		    f, fl);
		for (i = 0; i < CACHE_NIX; i++) {
			unsigned num = cache_ixdef[i].num;
			unsigned char kb[CACHE_IXKEY_MAX + 9];
			MDB_val ik;

			if (fl[num - 1] == 0 || fl[num - 1] > CACHE_IXKEY_MAX)
				continue;
			memcpy(kb, f[num - 1], fl[num - 1]);
			kb[fl[num - 1]] = '\0';
			memcpy(kb + fl[num - 1] + 1, key, 8);
			ik.mv_size = fl[num - 1] + 9;
			ik.mv_data = kb;
			rc = mdb_del(txn, db->ix[i], &ik, NULL);
			if (rc != 0 && rc != MDB_NOTFOUND)
				goto out;
		}
		if ((rc = mdb_cursor_del(c, 0)) != 0)
			goto out;
	}
	if (rc == MDB_NOTFOUND)
		rc = 0;
out:
	mdb_cursor_close(c);
	return rc;
}

/* Recompute the first index of every host (host DB order). */
static int
renumber(MDB_txn *txn, struct cache_db *db)
{
	MDB_cursor *c;
	MDB_val k, v, hk, hv;
	uint32_t first = 0;
	int rc;

	if ((rc = mdb_cursor_open(txn, db->host, &c)) != 0)
		return rc;
	for (rc = mdb_cursor_get(c, &k, &v, MDB_FIRST); rc == 0;
	    rc = mdb_cursor_get(c, &k, &v, MDB_NEXT)) {
		unsigned char nv[8];

		hk = v;
		if ((rc = mdb_get(txn, db->hid, &hk, &hv)) != 0)
			break;
		memcpy(nv, hv.mv_data, 8);
		if (cache_get32(nv) != first) {
			cache_put32(nv, first);
			hv.mv_data = nv;
			if ((rc = mdb_put(txn, db->hid, &hk, &hv, 0)) != 0)
				break;
		}
		first += cache_get32(nv + 4);
	}
	mdb_cursor_close(c);
	return rc == MDB_NOTFOUND ? 0 : rc;
}

static int
put_host_txn(struct cache_db *db, const char *host, struct fdb_entry **sorted, size_t n)
{
	unsigned char hidk[4], key[8], hv[8];
	struct buf hk = BUF_INIT, b = BUF_INIT;
	struct ixpair *arr[CACHE_NIX] = { 0 };
	size_t nix[CACHE_NIX] = { 0 }, cap[CACHE_NIX] = { 0 }, i, uniq = 0;
	uint32_t hid, seq = 0;
	MDB_txn *txn;
	MDB_stat st;
	MDB_val k, v;
	int rc;

	if ((rc = cache_i_txn_begin(db, 0, &txn)) != 0)
		return rc;
	buf_addf(&hk, "%s;", host);
	k.mv_size = hk.len;
	k.mv_data = hk.d;
	rc = mdb_get(txn, db->host, &k, &v);
	if (rc == 0) {
		memcpy(hidk, v.mv_data, 4);
		hid = cache_get32(hidk);
		rc = del_host_records(txn, db, hidk);
	} else if (rc == MDB_NOTFOUND) {
		unsigned long nh = 1;

		if (cache_i_meta_get(txn, db, "next_hid", &b))
			nh = strtoul(buf_cstr(&b), NULL, 10);
		hid = (uint32_t)nh;
		cache_put32(hidk, hid);
		buf_reset(&b);
		buf_addf(&b, "%lu", nh + 1);
		rc = cache_i_meta_put(txn, db, "next_hid", buf_cstr(&b));
	}
	for (i = 0; i < n && rc == 0; i++) {
		if (i > 0 && sorted[i]->len == sorted[i - 1]->len &&
		    memcmp(sorted[i]->line, sorted[i - 1]->line, sorted[i]->len) == 0)
			continue;
		cache_put32(key, hid);
		cache_put32(key + 4, seq++);
		rc = put_rec(txn, db, key, sorted[i]->line, sorted[i]->len,
		    sorted[i]->filled, 0);
		collect_ix(db->env, sorted[i]->line, sorted[i]->len, key, arr, nix, cap);
		uniq++;
	}
	for (i = 0; i < CACHE_NIX && rc == 0; i++) {
		struct ixpair **pp = xreallocarray(NULL, nix[i] + 1, sizeof *pp);
		size_t j;

		for (j = 0; j < nix[i]; j++)
			pp[j] = &arr[i][j];
		rc = put_ix(txn, db, pp, nix[i], i, false);
		free(pp);
	}
	if (rc == 0) {
		k.mv_size = hk.len;
		k.mv_data = hk.d;
		if (uniq == 0) {
			rc = mdb_del(txn, db->host, &k, NULL);
			if (rc == MDB_NOTFOUND)
				rc = 0;
			k.mv_size = 4;
			k.mv_data = hidk;
			if (rc == 0 && (rc = mdb_del(txn, db->hid, &k, NULL)) == MDB_NOTFOUND)
				rc = 0;
		} else {
			v.mv_size = 4;
			v.mv_data = hidk;
			if ((rc = mdb_put(txn, db->host, &k, &v, 0)) == 0) {
				cache_put32(hv, 0);
				cache_put32(hv + 4, (uint32_t)uniq);
				k.mv_size = 4;
				k.mv_data = hidk;
				v.mv_size = 8;
				v.mv_data = hv;
				rc = mdb_put(txn, db->hid, &k, &v, 0);
			}
		}
	}
	if (rc == 0)
		rc = renumber(txn, db);
	if (rc == 0)
		rc = mdb_drop(txn, db->src, 0);
	if (rc == 0 && (rc = mdb_stat(txn, db->rec, &st)) == 0) {
		buf_reset(&b);
		buf_addf(&b, "%zu", (size_t)st.ms_entries);
		if ((rc = cache_i_meta_put(txn, db, "count", buf_cstr(&b))) == 0 &&
		    (rc = cache_i_meta_put(txn, db, "src", "cache")) == 0 &&
		    (rc = cache_i_bump_gen(txn, db)) == 0) {
			rc = mdb_txn_commit(txn);
			txn = NULL;
		}
	}
	if (txn != NULL)
		mdb_txn_abort(txn);
	for (i = 0; i < CACHE_NIX; i++)
		free(arr[i]);
	buf_free(&hk);
	buf_free(&b);
	return rc;
}

static void
macmap_cb(void *arg, const char *data, size_t len)
{
	struct buf *b = arg;

	buf_add(b, data, len);
}

ctys_err_t
cache_put_host(struct cache_db *db, const char *host, const char *const *lines, size_t n)
{
	struct fdb_entry *ent = xcalloc(n + 1, sizeof *ent), **sorted;
	struct buf mb = BUF_INIT;
	struct fdb_macmap mm;
	ctys_err_t e = CTYS_OK;
	size_t i, fl;
	const char *f1;
	int rc = 0;

	if (db->rdonly)
		return ctys_seterr(CTYS_ERR_DB, "cache '%s' is read-only", db->datapath);
	if (*host == '\0' || strchr(host, ';') != NULL || strchr(host, '\n') != NULL) {
		free(ent);
		return ctys_seterr(CTYS_ERR_USAGE, "invalid host name '%s'", host);
	}
	if ((e = cache_macmap(db, macmap_cb, &mb)) != CTYS_OK ||
	    (e = fdb_macmap_parse("macmap.fdb", mb.d ? mb.d : "", mb.len, &mm)) != CTYS_OK) {
		free(ent);
		buf_free(&mb);
		return e;
	}
	sorted = xcalloc(n + 1, sizeof *sorted);
	for (i = 0; i < n && e == CTYS_OK; i++) {
		struct rec r;

		if ((e = rec_parse(lines[i], strlen(lines[i]), &r)) != CTYS_OK) {
			ctys_errprefix("record %zu for host '%s': ", i + 1, host);
			break;
		}
		rec_free(&r);
		f1 = rec_field_view(lines[i], strlen(lines[i]), 1, &fl);
		if (fl != strlen(host) || memcmp(f1, host, fl) != 0) {
			e = ctys_seterr(CTYS_ERR_PARSE, "record %zu for host '%s' has "
			    "containing machine '%.*s'", i + 1, host, (int)fl, f1);
			break;
		}
		fdb_fill_entry(&mm, lines[i], strlen(lines[i]), &ent[i]);
		ent[i].srcline = (uint32_t)i + 1;
		sorted[i] = &ent[i];
	}
	if (e == CTYS_OK) {
		fdb_sort(sorted, n);
		for (;;) {
			rc = put_host_txn(db, host, sorted, n);
			if (rc != MDB_MAP_FULL || !grow_map(db))
				break;
		}
		if (rc != 0)
			e = cache_i_dberr(db, rc, "cannot store host records");
	}
	fdb_macmap_free(&mm);
	fdb_entries_free(ent, n);
	free(sorted);
	buf_free(&mb);
	return e;
}
