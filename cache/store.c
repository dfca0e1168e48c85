/* store.c — see store.h; the layout is documented in ctys-cachedb(5). */
#include "cache/store.h"
#include "cache/store-int.h"

#include <errno.h>
#include <inttypes.h>
#include <lmdb.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/statvfs.h>
#include <unistd.h>

#include "cache/fdb.h"
#include "cache/record.h"
#include "lib/buf.h"
#include "lib/xmalloc.h"

const struct cache_ixdef cache_ixdef[CACHE_NIX] = {
	{ 2, "ix.stype" }, { 3, "ix.label" }, { 5, "ix.uuid" }, { 6, "ix.mac" },
	{ 7, "ix.tcp" }, { 28, "ix.dns" },
};

/* ---- helpers ------------------------------------------------------------ */

ctys_err_t
cache_i_dberr(struct cache_db *db, int rc, const char *what)
{
	struct statvfs vfs;

	/* LMDB reports a short pwrite() as EIO: tell a full disk apart */
	if (rc == EIO && statvfs(db->envpath, &vfs) == 0 && vfs.f_bavail == 0)
		rc = ENOSPC;
	if (rc == MDB_MAP_FULL && cache_i_mapsize_max())
		return ctys_seterr(CTYS_ERR_DB, "cannot write cache '%s': map full (it may not "
		    "grow past CTYS_CACHE_MAXSIZE=%zu MiB); previous contents kept", db->datapath,
		    cache_i_mapsize_max() >> 20);
	if (rc == MDB_MAP_FULL || rc == ENOSPC || rc == EIO)
		return ctys_seterr(CTYS_ERR_DB, "cannot write cache '%s': %s; "
		    "previous contents kept", db->datapath,
		    rc == ENOSPC ? "no space left on device" : rc == EIO ?
		    "input/output error" : "map full");
	return ctys_seterr(CTYS_ERR_DB, "cache '%s': %s: %s", db->datapath, what,
	    mdb_strerror(rc));
}

int
cache_i_txn_begin(struct cache_db *db, unsigned flags, MDB_txn **txn)
{
	int rc = mdb_txn_begin(db->env, NULL, flags, txn);

	if (rc == MDB_MAP_RESIZED) {
		mdb_env_set_mapsize(db->env, 0);
		rc = mdb_txn_begin(db->env, NULL, flags, txn);
	}
	return rc;
}

bool
cache_i_meta_get(MDB_txn *txn, struct cache_db *db, const char *key, struct buf *out)
{
	MDB_val k = { strlen(key), (void *)key }, v;

	if (mdb_get(txn, db->meta, &k, &v) != 0)
		return false;
	buf_reset(out);
	buf_add(out, v.mv_data, v.mv_size);
	return true;
}

int
cache_i_meta_put(MDB_txn *txn, struct cache_db *db, const char *key, const char *val)
{
	MDB_val k = { strlen(key), (void *)key }, v = { strlen(val), (void *)val };

	return mdb_put(txn, db->meta, &k, &v, 0);
}

bool
cache_i_stamp_get(MDB_txn *txn, struct cache_db *db, const char *key, struct cache_stamp *s)
{
	struct buf b = BUF_INIT;
	int64_t sec = 0;
	bool ok = false;

	memset(s, 0, sizeof *s);
	if (cache_i_meta_get(txn, db, key, &b))
		ok = sscanf(buf_cstr(&b), "size=%" SCNu64 " mtime=%" SCNd64 ".%ld hash=%"
		    SCNx64 " lines=%" SCNu32 " noeol=%d", &s->size, &sec, &s->nsec,
		    &s->hash, &s->lines, &s->noeol) == 6;
	s->sec = sec;
	buf_free(&b);
	return ok;
}

int
cache_i_stamp_put(MDB_txn *txn, struct cache_db *db, const char *key, const struct cache_stamp *s)
{
	char v[200];

	snprintf(v, sizeof v, "size=%" PRIu64 " mtime=%" PRId64 ".%09ld hash=%016"
	    PRIx64 " lines=%" PRIu32 " noeol=%d", s->size, s->sec, s->nsec, s->hash,
	    s->lines, s->noeol);
	return cache_i_meta_put(txn, db, key, v);
}

void
cache_i_stamp_of(const struct fdb_file *f, struct cache_stamp *s)
{
	const char *p;

	s->size = f->size;
	s->sec = f->mtime_sec;
	s->nsec = f->mtime_nsec;
	s->hash = f->hash;
	s->noeol = f->size > 0 && f->data[f->size - 1] != '\n';
	s->lines = 0;
	for (p = f->data; (p = memchr(p, '\n', f->size - (size_t)(p - f->data))) != NULL; p++)
		s->lines++;
	if (s->noeol)
		s->lines++;
}

void
cache_i_with_index(const MDB_val *v, unsigned long index, struct buf *out)
{
	const unsigned char *p = v->mv_data;
	const char *line = (const char *)p + CACHE_RECHDR;
	size_t n = v->mv_size - CACHE_RECHDR, off = (size_t)p[1] << 8 | p[2], flen;
	char num[24], *d = num + sizeof num;

	if (off == CACHE_NOOFF || off > n) {
		rec_with_index(line, n, index, out);
		return;
	}
	for (flen = 0; off + flen < n && line[off + flen] != ';'; flen++)
		;
	do
		*--d = (char)('0' + index % 10);
	while ((index /= 10) != 0);
	buf_grow(out, n + sizeof num);
	buf_add(out, line, off);
	buf_add(out, d, (size_t)(num + sizeof num - d));
	buf_add(out, line + off + flen, n - off - flen);
}

/* ---- open --------------------------------------------------------------- */

static ctys_err_t
open_dbis(struct cache_db *db)
{
	unsigned create = db->rdonly ? 0 : MDB_CREATE;
	MDB_dbi maindbi;
	MDB_txn *txn;
	MDB_stat st;
	struct buf b = BUF_INIT;
	ctys_err_t e = CTYS_OK;
	size_t i;
	int rc;

	if ((rc = cache_i_txn_begin(db, db->rdonly ? MDB_RDONLY : 0, &txn)) != 0)
		return cache_i_dberr(db, rc, "cannot begin transaction");
	rc = mdb_dbi_open(txn, "meta", 0, &db->meta);
	if (rc == MDB_NOTFOUND) {
		/* New environment: it must be empty, else it is someone else's. */
		if (mdb_dbi_open(txn, NULL, 0, &maindbi) == 0 &&
		    mdb_stat(txn, maindbi, &st) == 0 && st.ms_entries > 0) {
			e = ctys_seterr(CTYS_ERR_DB, "'%s' is not a ctys cache (foreign "
			    "LMDB database); remove '%s' to rebuild it", db->datapath,
			    db->envpath);
			goto out;
		}
		if (db->rdonly) {
			e = ctys_seterr(CTYS_ERR_DB, "cache '%s' is empty and read-only",
			    db->datapath);
			goto out;
		}
		rc = mdb_dbi_open(txn, "meta", MDB_CREATE, &db->meta);
		if (rc == 0)
			rc = cache_i_meta_put(txn, db, "layout", CACHE_LAYOUT);
	} else if (rc == MDB_INCOMPATIBLE) {
		e = ctys_seterr(CTYS_ERR_DB, "'%s' is not a ctys cache (foreign LMDB "
		    "database); remove '%s' to rebuild it", db->datapath, db->envpath);
		goto out;
	}
	if (rc != 0) {
		e = cache_i_dberr(db, rc, "cannot open meta database");
		goto out;
	}
	if (!cache_i_meta_get(txn, db, "layout", &b) || strcmp(buf_cstr(&b), CACHE_LAYOUT) != 0) {
		e = ctys_seterr(CTYS_ERR_DB, "'%s' has cache layout '%s', expected '%s'; "
		    "remove '%s' to rebuild it", db->datapath, buf_cstr(&b),
		    CACHE_LAYOUT, db->envpath);
		goto out;
	}
	if ((rc = mdb_dbi_open(txn, "rec", create, &db->rec)) != 0 ||
	    (rc = mdb_dbi_open(txn, "host", create, &db->host)) != 0 ||
	    (rc = mdb_dbi_open(txn, "hid", create, &db->hid)) != 0 ||
	    (rc = mdb_dbi_open(txn, "src", create, &db->src)) != 0 ||
	    (rc = mdb_dbi_open(txn, "mac", create, &db->mac)) != 0) {
		e = cache_i_dberr(db, rc, "cannot open databases");
		goto out;
	}
	for (i = 0; i < CACHE_NIX; i++)
		if ((rc = mdb_dbi_open(txn, cache_ixdef[i].name, create,
		    &db->ix[i])) != 0) {
			e = cache_i_dberr(db, rc, "cannot open index");
			goto out;
		}
	rc = mdb_txn_commit(txn);
	txn = NULL;
	if (rc != 0)
		e = cache_i_dberr(db, rc, "cannot commit");
out:
	if (txn != NULL)
		mdb_txn_abort(txn);
	buf_free(&b);
	return e;
}

uint64_t
cache_i_gen(MDB_txn *txn, struct cache_db *db)
{
	struct buf b = BUF_INIT;
	uint64_t g = 0;

	if (cache_i_meta_get(txn, db, "gen", &b))
		g = strtoull(buf_cstr(&b), NULL, 10);
	buf_free(&b);
	return g;
}

int
cache_i_bump_gen(MDB_txn *txn, struct cache_db *db)
{
	char v[32];

	snprintf(v, sizeof v, "%" PRIu64, cache_i_gen(txn, db) + 1);
	return cache_i_meta_put(txn, db, "gen", v);
}

static size_t mapsize_hint;

void
cache_set_mapsize_hint(size_t bytes)
{
	mapsize_hint = bytes;
}

size_t
cache_i_mapsize_hint(void)
{
	return mapsize_hint;
}

size_t
cache_i_mapsize_max(void)
{
	const char *v = getenv("CTYS_CACHE_MAXSIZE");
	char *end;
	unsigned long long mib;

	if (v == NULL || *v == '\0')
		return 0;
	mib = strtoull(v, &end, 10);
	if (*end != '\0' || mib == 0 || mib > ((size_t)-1 >> 21))
		return 0; /* not a number of MiB: no limit (checked by the tools) */
	return (size_t)mib << 20;
}

/* One mdb_env_open attempt; a failed handle is discarded (LMDB's rule). */
static int
env_try(struct cache_db *db, unsigned flags)
{
	size_t size;
	int rc;

	if (db->env != NULL)
		mdb_env_close(db->env);
	db->env = NULL;
	if ((rc = mdb_env_create(&db->env)) != 0)
		return rc;
	mdb_env_set_maxdbs(db->env, 16);
	size = mapsize_hint ? mapsize_hint : (size_t)256 << 20;
	if (cache_i_mapsize_max() && size > cache_i_mapsize_max())
		size = cache_i_mapsize_max();
	mdb_env_set_mapsize(db->env, size);
	rc = mdb_env_open(db->env, db->envpath, flags, 0644);
	if (rc != 0) {
		mdb_env_close(db->env);
		db->env = NULL;
	}
	return rc;
}

static ctys_err_t
open_env(struct cache_db *db)
{
	struct stat st;
	int rc;

	if (stat(db->envpath, &st) != 0) {
		if (mkdir(db->envpath, 0755) != 0)
			return ctys_seterr(CTYS_ERR_DB, "cannot create cache '%s': %s",
			    db->envpath, strerror(errno));
	} else if (!S_ISDIR(st.st_mode)) {
		return ctys_seterr(CTYS_ERR_DB, "'%s' is not a directory; remove it to "
		    "rebuild the cache", db->envpath);
	}
	rc = env_try(db, MDB_NOTLS);
	if (rc == EACCES || rc == EROFS) {
		db->rdonly = true;
		rc = env_try(db, MDB_NOTLS | MDB_RDONLY);
		if (rc == EACCES || rc == EROFS)
			rc = env_try(db, MDB_NOTLS | MDB_RDONLY | MDB_NOLOCK);
	}
	if (rc == MDB_INVALID || rc == MDB_VERSION_MISMATCH)
		return ctys_seterr(CTYS_ERR_DB, "'%s' is not a valid cache (%s); "
		    "remove '%s' to rebuild it", db->datapath, mdb_strerror(rc),
		    db->envpath);
	if (rc == ENOENT && db->rdonly)
		return ctys_seterr(CTYS_ERR_DB, "cannot create cache '%s': read-only",
		    db->datapath);
	if (rc != 0)
		return cache_i_dberr(db, rc, "cannot open");
	return open_dbis(db);
}


static bool
stamp_same(const struct cache_stamp *s, uint64_t size, int64_t sec, long nsec)
{
	return s->size == size && s->sec == sec && s->nsec == nsec;
}

static ctys_err_t
refresh(struct cache_db *db, unsigned flags)
{
	struct cache_stamp se, sm, ne, nm;
	struct fdb_file ef, mf;
	uint64_t esz, msz;
	int64_t esec, msec;
	long ensec, mnsec;
	bool have_e, have_m;
	MDB_txn *txn;
	ctys_err_t e;
	int rc;

	if ((e = fdb_stat(db->macmap_path, &msz, &msec, &mnsec)) != CTYS_OK ||
	    (e = fdb_stat(db->enum_path, &esz, &esec, &ensec)) != CTYS_OK)
		return e;
	if ((rc = cache_i_txn_begin(db, MDB_RDONLY, &txn)) != 0)
		return cache_i_dberr(db, rc, "cannot begin transaction");
	have_e = cache_i_stamp_get(txn, db, "stamp.enum", &se);
	have_m = cache_i_stamp_get(txn, db, "stamp.macmap", &sm);
	mdb_txn_abort(txn);
	if (have_e && have_m && (flags & CACHE_NOREFRESH))
		return CTYS_OK;
	if (!(flags & CACHE_REBUILD) && have_e && have_m &&
	    stamp_same(&se, esz, esec, ensec) && stamp_same(&sm, msz, msec, mnsec))
		return CTYS_OK;
	if ((e = fdb_read(db->macmap_path, &mf)) != CTYS_OK)
		return e;
	if ((e = fdb_read(db->enum_path, &ef)) != CTYS_OK) {
		fdb_file_free(&mf);
		return e;
	}
	cache_i_stamp_of(&ef, &ne);
	cache_i_stamp_of(&mf, &nm);
	if (!(flags & CACHE_REBUILD) && have_e && have_m && ne.hash == se.hash &&
	    nm.hash == sm.hash && ne.size == se.size && nm.size == sm.size) {
		/* Touched, not changed: only renew the stamps if we can. */
		e = CTYS_OK;
		if (!db->rdonly && cache_i_txn_begin(db, 0, &txn) == 0) {
			if (cache_i_stamp_put(txn, db, "stamp.enum", &ne) != 0 ||
			    cache_i_stamp_put(txn, db, "stamp.macmap", &nm) != 0 ||
			    mdb_txn_commit(txn) != 0)
				mdb_txn_abort(txn);
		}
	} else if (db->rdonly) {
		e = ctys_seterr(CTYS_ERR_DB, "cache '%s' is out of date and read-only; "
		    "use -C OFF to query '%s' directly", db->datapath, db->enum_path);
	} else {
		e = cache_i_import(db, &ef, &mf);
	}
	fdb_file_free(&ef);
	fdb_file_free(&mf);
	return e;
}

ctys_err_t
cache_open(const char *dbdir, unsigned flags, struct cache_db **out)
{
	struct cache_db *db;
	struct stat st;
	ctys_err_t e;

	*out = NULL;
	if (stat(dbdir, &st) != 0 || !S_ISDIR(st.st_mode))
		return ctys_seterr(CTYS_ERR_NOENT, "missing DB directory '%s'", dbdir);
	db = xcalloc(1, sizeof *db);
	db->dir = xstrdup(dbdir);
	db->envpath = xasprintf("%s/%s", dbdir, CACHE_ENV_NAME);
	db->datapath = xasprintf("%s/data.mdb", db->envpath);
	db->enum_path = xasprintf("%s/enum.fdb", dbdir);
	db->macmap_path = xasprintf("%s/macmap.fdb", dbdir);
	if ((e = open_env(db)) == CTYS_OK)
		e = refresh(db, flags);
	if (e != CTYS_OK) {
		cache_close(db);
		return e;
	}
	*out = db;
	return CTYS_OK;
}

void
cache_close(struct cache_db *db)
{
	if (db == NULL)
		return;
	if (db->env != NULL)
		mdb_env_close(db->env);
	free(db->dir);
	free(db->envpath);
	free(db->datapath);
	free(db->enum_path);
	free(db->macmap_path);
	free(db);
}

bool
cache_imported(const struct cache_db *db)
{
	return db->imported;
}

unsigned
cache_map_grown(const struct cache_db *db)
{
	return db->map_grown;
}

const char *
cache_env_path(const struct cache_db *db)
{
	return db->envpath;
}

size_t
cache_count(struct cache_db *db)
{
	MDB_txn *txn;
	MDB_stat st;
	size_t n = 0;

	if (cache_i_txn_begin(db, MDB_RDONLY, &txn) != 0)
		return 0;
	if (mdb_stat(txn, db->rec, &st) == 0)
		n = st.ms_entries;
	mdb_txn_abort(txn);
	return n;
}

bool
cache_field_indexed(unsigned num)
{
	size_t i;

	if (num == 1)
		return true;
	for (i = 0; i < CACHE_NIX; i++)
		if (cache_ixdef[i].num == num)
			return true;
	return false;
}

