/*
 * store-int.h — private to store*.c: the cache handle, the named databases
 * and the helpers shared by the open, write and read halves.
 */
#ifndef CTYS_CACHE_STORE_INT_H
#define CTYS_CACHE_STORE_INT_H

#include <lmdb.h>
#include <stdbool.h>
#include <stdint.h>

#include "cache/fdb.h"
#include "lib/buf.h"
#include "lib/err.h"

/*
 * Secondary indexes: one DB per field, keys <value> NUL <8-byte record
 * key>, empty data; values longer than CACHE_IXKEY_MAX are not indexed
 * (LMDB's default key limit is 511 bytes).
 */
#define CACHE_NIX 6
#define CACHE_IXKEY_MAX 400
struct cache_ixdef {
	unsigned num;
	const char *name;
};
extern const struct cache_ixdef cache_ixdef[CACHE_NIX];

struct cache_db {
	char *dir, *envpath, *datapath, *enum_path, *macmap_path;
	MDB_env *env;
	MDB_dbi meta, rec, host, hid, src, mac, ix[CACHE_NIX];
	bool rdonly, imported;
	unsigned map_grown;   /* times a write hit MDB_MAP_FULL and grew the map */
};

/* A file stamp as kept in meta ("stamp.enum", "stamp.macmap"). */
struct cache_stamp {
	uint64_t size;
	int64_t sec;
	long nsec;
	uint64_t hash;
	uint32_t lines;
	int noeol;
};

static inline void
cache_put32(unsigned char *p, uint32_t v)
{
	p[0] = (unsigned char)(v >> 24);
	p[1] = (unsigned char)(v >> 16);
	p[2] = (unsigned char)(v >> 8);
	p[3] = (unsigned char)v;
}

static inline uint32_t
cache_get32(const unsigned char *p)
{
	return (uint32_t)p[0] << 24 | (uint32_t)p[1] << 16 | (uint32_t)p[2] << 8 | p[3];
}

/*
 * A record value: flags (1 byte, CACHE_RECF_*), the offset of field 32 in
 * the line (2 bytes; 0xffff = none), then the line (field 32 as stored).
 */
#define CACHE_RECHDR 3
#define CACHE_RECF_FILLED 1
#define CACHE_NOOFF 0xffffu

/* Append the line of record value v with field 32 = index. */
void cache_i_with_index(const MDB_val *v, unsigned long index, struct buf *out);

/* Turn an LMDB return code into a CTYS_ERR_DB message naming data.mdb. */
ctys_err_t cache_i_dberr(struct cache_db *db, int rc, const char *what);
/* mdb_txn_begin, adopting a map grown by another process. */
int cache_i_txn_begin(struct cache_db *db, unsigned flags, MDB_txn **txn);
bool cache_i_meta_get(MDB_txn *txn, struct cache_db *db, const char *key, struct buf *out);
int cache_i_meta_put(MDB_txn *txn, struct cache_db *db, const char *key, const char *val);
bool cache_i_stamp_get(MDB_txn *txn, struct cache_db *db, const char *key,
    struct cache_stamp *s);
int cache_i_stamp_put(MDB_txn *txn, struct cache_db *db, const char *key,
    const struct cache_stamp *s);
void cache_i_stamp_of(const struct fdb_file *f, struct cache_stamp *s);
/* Increment meta "gen" (every write transaction does, see gram.h). */
int cache_i_bump_gen(MDB_txn *txn, struct cache_db *db);
/* meta "gen" (0 when missing). */
uint64_t cache_i_gen(MDB_txn *txn, struct cache_db *db);

/* cache_set_mapsize_hint()'s value (0 = automatic). */
size_t cache_i_mapsize_hint(void);
/* The largest map allowed: $CTYS_CACHE_MAXSIZE MiB, 0 = no limit. */
size_t cache_i_mapsize_max(void);
/* Replace the whole cache by the contents of the two files (one txn). */
ctys_err_t cache_i_import(struct cache_db *db, struct fdb_file *ef, struct fdb_file *mf);

#endif
