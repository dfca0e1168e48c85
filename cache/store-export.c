/*
 * store-export.c — writing enum.fdb and macmap.fdb back from the cache
 * (byte-identical after an import; see ctys-cachedb(5)).
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "cache/record.h"
#include "cache/store-int.h"
#include "cache/store.h"
#include "lib/xmalloc.h"

/* ---- export -------------------------------------------------------------- */

static ctys_err_t
write_file(const char *path, const char *data, size_t len)
{
	char *tmp = xasprintf("%s.tmp.%ld", path, (long)getpid());
	FILE *f = fopen(tmp, "w");
	ctys_err_t e = CTYS_OK;

	if (f == NULL) {
		e = ctys_seterr(CTYS_ERR_IO, "cannot create '%s': %s", tmp, strerror(errno));
		free(tmp);
		return e;
	}
	if (fwrite(data, 1, len, f) != len || fflush(f) != 0 || fsync(fileno(f)) != 0)
		e = ctys_seterr(CTYS_ERR_IO, "cannot write '%s': %s", tmp, strerror(errno));
	if (fclose(f) != 0 && e == CTYS_OK)
		e = ctys_seterr(CTYS_ERR_IO, "cannot write '%s': %s", tmp, strerror(errno));
	if (e == CTYS_OK && rename(tmp, path) != 0)
		e = ctys_seterr(CTYS_ERR_IO, "cannot rename '%s': %s", tmp, strerror(errno));
	if (e != CTYS_OK)
		unlink(tmp);
	free(tmp);
	return e;
}

/* Append a record value as an enum.fdb line (TCP emptied when it was filled). */
static void
add_enum_line(struct buf *out, const char *val, size_t len, bool filled)
{
	const char *line = val + CACHE_RECHDR, *tcp;
	size_t n = len - CACHE_RECHDR, tl;

	if (!filled) {
		buf_add(out, line, n);
		return;
	}
	tcp = rec_field_view(line, n, 7, &tl);
	buf_add(out, line, (size_t)(tcp - line));
	buf_add(out, tcp + tl, n - (size_t)(tcp - line) - tl);
}

static int
export_sorted(MDB_txn *txn, struct cache_db *db, struct buf *out)
{
	MDB_cursor *hc, *rc_;
	MDB_val k, v, rk, rv;
	unsigned char start[8];
	int rc;

	if ((rc = mdb_cursor_open(txn, db->host, &hc)) != 0)
		return rc;
	if ((rc = mdb_cursor_open(txn, db->rec, &rc_)) != 0) {
		mdb_cursor_close(hc);
		return rc;
	}
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
			add_enum_line(out, rv.mv_data, rv.mv_size,
			    ((const char *)rv.mv_data)[0] & CACHE_RECF_FILLED);
			buf_addc(out, '\n');
		}
	}
	mdb_cursor_close(rc_);
	mdb_cursor_close(hc);
	return rc == MDB_NOTFOUND ? 0 : rc;
}

static int
export_src(MDB_txn *txn, struct cache_db *db, const struct cache_stamp *se,
    struct buf *out)
{
	MDB_cursor *c;
	MDB_val k, v, rk, rv;
	uint32_t line = 1, want;
	int rc;

	if ((rc = mdb_cursor_open(txn, db->src, &c)) != 0)
		return rc;
	for (rc = mdb_cursor_get(c, &k, &v, MDB_FIRST); rc == 0;
	    rc = mdb_cursor_get(c, &k, &v, MDB_NEXT)) {
		want = cache_get32(k.mv_data);
		for (; line < want; line++)
			buf_addc(out, '\n');
		rk.mv_size = 8;
		rk.mv_data = v.mv_data;
		if ((rc = mdb_get(txn, db->rec, &rk, &rv)) != 0)
			break;
		add_enum_line(out, rv.mv_data, rv.mv_size,
		    ((const unsigned char *)v.mv_data)[8] != 0);
		buf_addc(out, '\n');
		line++;
	}
	mdb_cursor_close(c);
	if (rc != MDB_NOTFOUND && rc != 0)
		return rc;
	for (; line <= se->lines; line++)
		buf_addc(out, '\n');
	if (se->noeol && out->len > 0)
		buf_truncate(out, out->len - 1);
	return 0;
}

ctys_err_t
cache_export(struct cache_db *db, const char *dir)
{
	struct buf out = BUF_INIT, src = BUF_INIT, path = BUF_INIT;
	struct cache_stamp se;
	MDB_txn *txn;
	MDB_val k = { strlen("macmap.fdb"), "macmap.fdb" }, v;
	ctys_err_t e = CTYS_OK;
	int rc;

	if ((rc = cache_i_txn_begin(db, MDB_RDONLY, &txn)) != 0)
		return cache_i_dberr(db, rc, "cannot begin transaction");
	cache_i_stamp_get(txn, db, "stamp.enum", &se);
	if (cache_i_meta_get(txn, db, "src", &src) && strcmp(buf_cstr(&src), "enum") == 0)
		rc = export_src(txn, db, &se, &out);
	else
		rc = export_sorted(txn, db, &out);
	if (rc != 0) {
		e = cache_i_dberr(db, rc, "export failed");
		goto done;
	}
	buf_addf(&path, "%s/enum.fdb", dir);
	if ((e = write_file(buf_cstr(&path), out.d ? out.d : "", out.len)) != CTYS_OK)
		goto done;
	rc = mdb_get(txn, db->mac, &k, &v);
	if (rc == MDB_NOTFOUND) {
		v.mv_size = 0;
		v.mv_data = "";
	} else if (rc != 0) {
		e = cache_i_dberr(db, rc, "export failed");
		goto done;
	}
	buf_reset(&path);
	buf_addf(&path, "%s/macmap.fdb", dir);
	e = write_file(buf_cstr(&path), v.mv_data, v.mv_size);
done:
	mdb_txn_abort(txn);
	buf_free(&out);
	buf_free(&src);
	buf_free(&path);
	return e;
}
