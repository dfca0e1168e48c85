/*
 * ldap-sync.c — pull the directory into the LMDB cache (ldap-dir.h).
 *
 * Full: every record entry (paged) written as a new enum.fdb and imported
 * in one transaction; hosts the directory no longer has are gone.  Incremental:
 * the entries whose entryCSN (change sequence number, microseconds) is >=
 * the newest one seen last time (the entries of that one CSN are applied
 * again, which is harmless); publishing touches
 * the host entry whenever a host's records change, so deletions show as a
 * changed host whose record count no longer matches the patched set, and
 * that host is read again whole.  State: <dbdir>/ldap-sync.state.
 */
#define LDAP_DEPRECATED 0
#include "cache/ldap-dir.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "cache/ldap-int.h"
#include "cache/ldap-map.h"
#include "cache/record.h"
#include "lib/util.h"
#include "lib/buf.h"
#include "lib/log.h"
#include "lib/xmalloc.h"

struct sync_state {
	char *uris, *base;
	char mtime[64];
	time_t synced;
};

static char *
state_path(const char *dbdir)
{
	return xasprintf("%s/%s", dbdir, DIR_SYNC_STATE);
}

static bool
read_state(const char *dbdir, struct sync_state *s)
{
	char *p = state_path(dbdir), line[4096];
	FILE *f = fopen(p, "r");

	memset(s, 0, sizeof *s);
	free(p);
	if (f == NULL)
		return false;
	while (fgets(line, sizeof line, f) != NULL) {
		line[strcspn(line, "\n")] = '\0';
		if (strncmp(line, "uris ", 5) == 0)
			free(s->uris), s->uris = xstrdup(line + 5);
		else if (strncmp(line, "base ", 5) == 0)
			free(s->base), s->base = xstrdup(line + 5);
		else if (strncmp(line, "mtime ", 6) == 0)
			snprintf(s->mtime, sizeof s->mtime, "%s", line + 6);
		else if (strncmp(line, "synced ", 7) == 0)
			s->synced = (time_t)strtoll(line + 7, NULL, 10);
	}
	fclose(f);
	return s->uris != NULL && s->base != NULL;
}

static void
state_free(struct sync_state *s)
{
	free(s->uris);
	free(s->base);
}

static ctys_err_t
write_state(const char *dbdir, const char *uris, const char *base, const char *mtime)
{
	char *p = state_path(dbdir), *tmp = xasprintf("%s.tmp", p);
	FILE *f = fopen(tmp, "w");
	ctys_err_t e = CTYS_OK;

	if (f == NULL) {
		e = ctys_seterr(CTYS_ERR_IO, "cannot write '%s': %s", tmp, strerror(errno));
	} else {
		fprintf(f, "uris %s\nbase %s\nmtime %s\nsynced %lld\n", uris, base, mtime,
		    (long long)time(NULL));
		if (fclose(f) != 0 || rename(tmp, p) != 0)
			e = ctys_seterr(CTYS_ERR_IO, "cannot write '%s': %s", p, strerror(errno));
	}
	free(tmp);
	free(p);
	return e;
}

time_t
dir_sync_time(const char *dbdir)
{
	struct sync_state s;
	time_t t = 0;

	if (read_state(dbdir, &s))
		t = s.synced;
	state_free(&s);
	return t;
}

void
dir_stale_note(const char *dbdir, const char *why)
{
	time_t t = dir_sync_time(dbdir);
	char when[64] = "never";

	if (t != 0)
		strftime(when, sizeof when, "%Y-%m-%d %H:%M:%S UTC", gmtime(&t));
	log_warn(0, "%s; answering from the local cache (last sync: %s): the data may be "
	    "stale", why, when);
}

/* Make dbdir a cacheDB directory (empty .fdb files) when it is not one. */
static ctys_err_t
ensure_dbdir(const char *dbdir)
{
	const char *names[] = { "enum.fdb", "macmap.fdb" };
	size_t i;

	if (mkdir(dbdir, 0755) != 0 && errno != EEXIST)
		return ctys_seterr(CTYS_ERR_IO, "cannot create DB directory '%s': %s", dbdir,
		    strerror(errno));
	for (i = 0; i < 2; i++) {
		char *p = xasprintf("%s/%s", dbdir, names[i]);
		FILE *f;

		if (access(p, F_OK) != 0) {
			if ((f = fopen(p, "w")) == NULL || fclose(f) != 0) {
				ctys_seterr(CTYS_ERR_IO, "cannot create '%s': %s", p, strerror(errno));
				free(p);
				return CTYS_ERR_IO;
			}
		}
		free(p);
	}
	return CTYS_OK;
}

static void
max_mtime(char *acc, const char *m)
{
	if (m[0] != '\0' && strcmp(m, acc) > 0)
		snprintf(acc, 64, "%s", m);
}

/* Distinct hosts of the cache (its lines are sorted, hosts adjacent). */
static int
hosts_cb(void *arg, unsigned long index, const char *line, size_t len)
{
	struct strv *h = arg;
	size_t hl;
	const char *host = rec_field_view(line, len, 1, &hl);

	(void)index;
	if (h->n == 0 || strlen(h->v[h->n - 1]) != hl || memcmp(h->v[h->n - 1], host, hl) != 0)
		strv_pushn(h, host, hl);
	return 0;
}

static int
host_name_cmp(const void *a, const void *b)
{
	return strcmp(((const struct dir_host *)a)->name, ((const struct dir_host *)b)->name);
}

/* dh is sorted by name (dir_sync sorts it once). */
static struct dir_host *
find_host(const struct dir_hosts *dh, const char *name)
{
	struct dir_host probe;

	memset(&probe, 0, sizeof probe);
	probe.name = (char *)name;
	return find_sorted(&probe, dh->v, dh->n, sizeof *dh->v, host_name_cmp);
}

static bool
host_in(const struct dir_hosts *dh, const char *name)
{
	return find_host(dh, name) != NULL;
}

/*
 * Where the new records of a host go: straight into the cache (one
 * transaction per host), or, for a full sync or many changed hosts, into
 * a new enum.fdb imported in one transaction at the end (one fdatasync
 * instead of one per host: 1,000 hosts took 1.7 s the other way).
 */
#define BULK_MIN_HOSTS 64
struct sink {
	struct cache_db *db;
	bool bulk, full;
	struct strv lines;     /* bulk: the new lines */
	struct strv replaced;  /* bulk: hosts whose lines are in `lines` */
};

static ctys_err_t put_recs(struct cache_db *db, const char *host, struct dir_rec *v,
    size_t n);

static ctys_err_t
sink_put(struct sink *sk, const char *host, struct dir_rec *v, size_t n)
{
	size_t i;

	if (!sk->bulk)
		return put_recs(sk->db, host, v, n);
	for (i = 0; i < n; i++)
		strv_pushn(&sk->lines, v[i].line, v[i].len);
	strv_push(&sk->replaced, host);
	return CTYS_OK;
}

static int
str_cmp(const void *a, const void *b)
{
	return strcmp(*(char *const *)a, *(char *const *)b);
}

struct keep_ctx {
	struct sink *sk;
	const struct dir_hosts *dh;
	struct buf b;
};

static bool host_in(const struct dir_hosts *dh, const char *name);

/* Bulk: keep the cache lines of hosts that are neither replaced nor gone. */
static int
keep_cb(void *arg, unsigned long index, const char *line, size_t len)
{
	struct keep_ctx *k = arg;
	char *host, *key;
	size_t hl;
	const char *h = rec_field_view(line, len, 1, &hl);
	struct rec r;

	(void)index;
	host = xstrndup(h, hl);
	key = host;
	if (host_in(k->dh, host) && find_sorted(&key, k->sk->replaced.v, k->sk->replaced.n,
	    sizeof *k->sk->replaced.v, str_cmp) == NULL &&
	    rec_parse(line, len, &r) == CTYS_OK) {
		r.f[REC_FIELD_INDEX - 1] = "";
		r.len[REC_FIELD_INDEX - 1] = 0;
		buf_reset(&k->b);
		rec_format(&r, &k->b);
		strv_pushn(&k->sk->lines, k->b.d, k->b.len);
		rec_free(&r);
	}
	free(host);
	return 0;
}

/* Bulk: write <dbdir>/enum.fdb atomically and import it in one transaction. */
static ctys_err_t
sink_flush(struct sink *sk, const char *dbdir, const struct dir_hosts *dh,
    struct dir_sync_stats *st)
{
	char *path, *tmp;
	FILE *f;
	ctys_err_t e = CTYS_OK;
	size_t i;

	if (!sk->bulk)
		return CTYS_OK;
	if (!sk->full) {
		struct keep_ctx k = { sk, dh, BUF_INIT };
		struct strv have = STRV_INIT;

		if (sk->replaced.n > 1)
			sort_array(sk->replaced.v, sk->replaced.n, sizeof *sk->replaced.v, str_cmp);
		e = cache_scan(sk->db, keep_cb, &k);
		buf_free(&k.b);
		if (e == CTYS_OK && (e = cache_scan(sk->db, hosts_cb, &have)) == CTYS_OK)
			for (i = 0; i < have.n; i++)
				st->hosts_removed += !host_in(dh, have.v[i]);
		strv_free(&have);
		if (e != CTYS_OK)
			return e;
	}
	path = xasprintf("%s/enum.fdb", dbdir);
	tmp = xasprintf("%s.ldap-sync.tmp", path);
	if ((f = fopen(tmp, "w")) == NULL) {
		e = ctys_seterr(CTYS_ERR_IO, "cannot write '%s': %s", tmp, strerror(errno));
		goto out;
	}
	for (i = 0; i < sk->lines.n; i++) {
		fputs(sk->lines.v[i], f);
		fputc('\n', f);
	}
	if (fflush(f) != 0 || fsync(fileno(f)) != 0 || ferror(f)) {
		e = ctys_seterr(CTYS_ERR_IO, "cannot write '%s': %s", tmp, strerror(errno));
		fclose(f);
		unlink(tmp);
		goto out;
	}
	fclose(f);
	if (rename(tmp, path) != 0) {
		e = ctys_seterr(CTYS_ERR_IO, "cannot rename '%s': %s", tmp, strerror(errno));
		unlink(tmp);
		goto out;
	}
	cache_close(sk->db);
	sk->db = NULL;
	e = cache_open(dbdir, CACHE_REBUILD, &sk->db);
out:
	free(path);
	free(tmp);
	return e;
}

static ctys_err_t
put_recs(struct cache_db *db, const char *host, struct dir_rec *v, size_t n)
{
	const char **lines = xcalloc(n + 1, sizeof *lines);
	ctys_err_t e;
	size_t i;

	for (i = 0; i < n; i++)
		lines[i] = v[i].line;
	e = cache_put_host(db, host, lines, n);
	free(lines);
	return e;
}

/* Remove cache hosts the directory does not have. */
static ctys_err_t
prune_hosts(struct sink *sk, const struct dir_hosts *dh, struct dir_sync_stats *st)
{
	struct cache_db *db = sk->db;
	struct strv have = STRV_INIT;
	ctys_err_t e;
	size_t i;

	if (sk->bulk)
		return CTYS_OK; /* sink_flush() leaves them out */
	if ((e = cache_scan(db, hosts_cb, &have)) == CTYS_OK)
		for (i = 0; i < have.n && e == CTYS_OK; i++)
			if (!host_in(dh, have.v[i])) {
				e = cache_put_host(db, have.v[i], NULL, 0);
				st->hosts_removed++;
			}
	strv_free(&have);
	return e;
}

static ctys_err_t
sync_full(struct dir_conn *c, struct sink *sk, const struct dir_hosts *dh,
    char *mt, struct dir_sync_stats *st)
{
	struct dir_recs all = { 0 };
	ctys_err_t e;
	size_t i, j;

	if ((e = dir_fetch(c, NULL, true, &all)) != CTYS_OK)
		goto out;
	dir_recs_sort(&all);
	st->records = all.n;
	for (i = 0; i < all.n && e == CTYS_OK; i = j) {
		for (j = i; j < all.n && strcmp(all.v[j].host, all.v[i].host) == 0; j++)
			max_mtime(mt, all.v[j].mtime);
		e = sink_put(sk, all.v[i].host, &all.v[i], j - i);
		st->hosts_put++;
	}
	if (e == CTYS_OK)
		e = prune_hosts(sk, dh, st);
out:
	dir_recs_free(&all);
	return e;
}

/* Old cache lines of a host, field 32 emptied, keyed as published. */
static int
old_cb(void *arg, unsigned long index, const char *line, size_t len)
{
	struct dir_recs *r = arg;
	struct dir_rec x;
	struct rec p;
	struct buf b = BUF_INIT;

	(void)index;
	memset(&x, 0, sizeof x);
	if (rec_parse(line, len, &p) != CTYS_OK)
		return 0;
	p.f[REC_FIELD_INDEX - 1] = "";
	p.len[REC_FIELD_INDEX - 1] = 0;
	rec_format(&p, &b);
	x.host = xstrdup(p.f[0]);
	rec_free(&p);
	x.len = b.len;
	x.line = buf_detach(&b);
	dir_i_recs_push(r, &x);
	return 0;
}

static ctys_err_t
refetch_host(struct dir_conn *c, struct sink *sk, const char *host,
    struct dir_sync_stats *st)
{
	struct dir_recs r = { 0 };
	struct buf f = BUF_INIT;
	ctys_err_t e;

	buf_adds(&f, "(&(objectClass=" DIR_OC_REC ")(ctysHostName=");
	dir_filter_escape(&f, host, strlen(host));
	buf_adds(&f, "))");
	if ((e = dir_fetch(c, f.d, false, &r)) == CTYS_OK) {
		dir_recs_sort(&r);
		e = sink_put(sk, host, r.v, r.n);
	}
	st->hosts_refetched++;
	buf_free(&f);
	dir_recs_free(&r);
	return e;
}

static int
key_cmp(const void *a, const void *b)
{
	return strcmp(((const struct dir_rec *)a)->key, ((const struct dir_rec *)b)->key);
}

/* Patch one changed host: cache lines + delta[0..n); refetch on a mismatch. */
static ctys_err_t
patch_host(struct dir_conn *c, struct sink *sk, const struct dir_host *h,
    struct dir_rec *delta, size_t n, struct dir_sync_stats *st)
{
	struct dir_recs old = { 0 };
	ctys_err_t e;
	size_t i;

	if (h == NULL)
		return CTYS_OK; /* deleted meanwhile: prune_hosts removes it */
	e = cache_lookup(sk->db, 1, h->name, strlen(h->name), old_cb, &old);
	if (e != CTYS_OK)
		goto out;
	dir_recs_sort(&old);
	dir_i_rekey(&old);
	sort_array(old.v, old.n, sizeof *old.v, key_cmp);
	for (i = 0; i < n; i++) {
		struct dir_rec *o = find_sorted(&delta[i], old.v, old.n, sizeof *old.v, key_cmp);

		if (o != NULL) {
			free(o->line);
			o->line = xstrndup(delta[i].line, delta[i].len);
			o->len = delta[i].len;
			continue;
		}
		/* new: append (keeps the key order of the part searched) */
		{
			struct dir_rec x = delta[i];

			x.host = xstrdup(delta[i].host);
			x.line = xstrndup(delta[i].line, delta[i].len);
			dir_i_recs_push(&old, &x);
			/* re-sort so later bsearches see it */
			sort_array(old.v, old.n, sizeof *old.v, key_cmp);
		}
	}
	if (old.n != h->count) {
		e = refetch_host(c, sk, h->name, st);
		goto out;
	}
	dir_recs_sort(&old);
	e = sink_put(sk, h->name, old.v, old.n);
	st->hosts_put++;
out:
	dir_recs_free(&old);
	return e;
}

static int
host_rec_cmp(const void *a, const void *b)
{
	return strcmp(((const struct dir_rec *)a)->host, ((const struct dir_rec *)b)->host);
}

static ctys_err_t
sync_incr(struct dir_conn *c, struct sink *sk, const struct dir_hosts *dh,
    const char *since, char *mt, struct dir_sync_stats *st)
{
	struct dir_recs delta = { 0 };
	struct buf f = BUF_INIT;
	ctys_err_t e;
	size_t i, j;

	buf_adds(&f, "(&(objectClass=" DIR_OC_REC ")(entryCSN>=");
	dir_filter_escape(&f, since, strlen(since));
	buf_adds(&f, "))");
	if ((e = dir_fetch(c, f.d, true, &delta)) != CTYS_OK)
		goto out;
	st->changed_entries = delta.n;
	sort_array(delta.v, delta.n, sizeof *delta.v, host_rec_cmp);
	{
		/* many changed hosts: one import instead of a commit per host */
		size_t nh = 0;

		for (i = 0; i < delta.n; i++) {
			struct dir_host *h = find_host(dh, delta.v[i].host);

			if (h != NULL && !h->seen)
				h->seen = true, nh++;
		}
		for (i = 0; i < dh->n; i++) {
			nh += !dh->v[i].seen && strcmp(dh->v[i].mtime, since) >= 0;
			dh->v[i].seen = false;
		}
		sk->bulk = nh >= BULK_MIN_HOSTS;
	}
	for (i = 0; i < delta.n && e == CTYS_OK; i = j) {
		for (j = i; j < delta.n && strcmp(delta.v[j].host, delta.v[i].host) == 0; j++)
			max_mtime(mt, delta.v[j].mtime);
		struct dir_host *h = find_host(dh, delta.v[i].host);

		e = patch_host(c, sk, h, &delta.v[i], j - i, st);
		if (h != NULL)
			h->seen = true;
	}
	/* hosts changed without a changed record: deletions only */
	for (i = 0; i < dh->n && e == CTYS_OK; i++) {
		if (strcmp(dh->v[i].mtime, since) < 0)
			continue;
		max_mtime(mt, dh->v[i].mtime);
		if (!dh->v[i].seen)
			e = patch_host(c, sk, &dh->v[i], NULL, 0, st);
	}
	if (e == CTYS_OK)
		e = prune_hosts(sk, dh, st);
out:
	buf_free(&f);
	dir_recs_free(&delta);
	return e;
}

ctys_err_t
dir_sync(struct dir_conn *c, const struct dir_conf *dc, const char *dbdir, bool full,
    struct dir_sync_stats *st)
{
	struct sync_state s;
	struct sink sk = { NULL, false, false, STRV_INIT, STRV_INIT };
	struct dir_hosts dh = { 0 };
	char *uris = strv_join(&dc->uris, " ");
	char mt[64] = "";
	bool have = read_state(dbdir, &s);
	ctys_err_t e;
	size_t i;

	memset(st, 0, sizeof *st);
	if (have && (strcmp(s.uris, uris) != 0 || strcmp(s.base, dc->base) != 0 ||
	    s.mtime[0] == '\0'))
		have = false;
	st->full = full || !have;
	if ((e = ensure_dbdir(dbdir)) != CTYS_OK)
		goto out;
	if ((e = cache_open(dbdir, 0, &sk.db)) != CTYS_OK)
		goto out;
	if ((e = dir_fetch_hosts(c, NULL, &dh)) != CTYS_OK)
		goto out;
	for (i = 0; i < dh.n; i++)
		max_mtime(mt, dh.v[i].mtime);
	sort_array(dh.v, dh.n, sizeof *dh.v, host_name_cmp);
	if (st->full) {
		sk.bulk = sk.full = true;
		e = sync_full(c, &sk, &dh, mt, st);
	} else {
		snprintf(mt, sizeof mt, "%s", s.mtime);
		e = sync_incr(c, &sk, &dh, s.mtime, mt, st);
	}
	if (e == CTYS_OK)
		e = sink_flush(&sk, dbdir, &dh, st);
	if (e == CTYS_OK)
		e = write_state(dbdir, uris, dc->base, mt);
out:
	cache_close(sk.db);
	strv_free(&sk.lines);
	strv_free(&sk.replaced);
	dir_hosts_free(&dh);
	state_free(&s);
	free(uris);
	return e;
}
