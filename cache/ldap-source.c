/*
 * ldap-source.c — ctys-vhost queries answered by the directory (a
 * query_source, query.h) and the -c resolution step (dir_resolve).
 *
 * The record index of the cache is the 1-based position of a record in
 * the bytewise order of all lines.  All lines of one host start with
 * "<host>;", so a record's index is the sum of the counts of the hosts
 * whose "<name>;" sorts before its host's, plus its position among its
 * host's records: one read of the host entries and one of the host.
 */
#define LDAP_DEPRECATED 0
#include "cache/ldap-dir.h"

#include <stdlib.h>
#include <string.h>

#include "cache/ldap-int.h"
#include "cache/ldap-map.h"
#include "cache/record.h"
#include "lib/util.h"
#include "lib/buf.h"
#include "lib/paths.h"
#include "lib/xmalloc.h"

struct host_recs {
	char *name;
	struct dir_recs recs;  /* sorted by line */
};

struct dir_source {
	struct dir_conn *c;
	bool hosts_loaded;
	struct dir_hosts hosts;     /* sorted by "<name>;" */
	unsigned long *before;      /* records of the hosts before hosts.v[i] */
	struct host_recs *hr;
	size_t nhr;
};

struct dir_source *
dir_source_new(struct dir_conn *c)
{
	struct dir_source *ds = xcalloc(1, sizeof *ds);

	ds->c = c;
	return ds;
}

void
dir_source_free(struct dir_source *ds)
{
	size_t i;

	if (ds == NULL)
		return;
	dir_hosts_free(&ds->hosts);
	free(ds->before);
	for (i = 0; i < ds->nhr; i++) {
		free(ds->hr[i].name);
		dir_recs_free(&ds->hr[i].recs);
	}
	free(ds->hr);
	free(ds);
}

/* Compare "<a>;" with "<b>;" bytewise. */
static int
hostkey_cmp(const char *a, const char *b)
{
	const unsigned char *x = (const unsigned char *)a, *y = (const unsigned char *)b;

	while (*x && *x == *y)
		x++, y++;
	return (int)(*x ? *x : ';') - (int)(*y ? *y : ';');
}

static int
host_cmp(const void *a, const void *b)
{
	return hostkey_cmp(((const struct dir_host *)a)->name,
	    ((const struct dir_host *)b)->name);
}

/* The summary entry's "<count> <host>" values into ds->hosts. */
static ctys_err_t
summary_cb(void *arg, LDAP *ld, LDAPMessage *ent)
{
	struct dir_hosts *h = arg;
	struct berval **v = ldap_get_values_len(ld, ent, DIR_AT_HOSTCOUNT);
	size_t i, n = ldap_count_values_len(v);

	h->v = xcalloc(n + 1, sizeof *h->v);
	for (i = 0; i < n; i++) {
		char *s = xstrndup(v[i]->bv_val, v[i]->bv_len), *sp = strchr(s, ' ');

		if (sp == NULL) {
			free(s);
			continue;
		}
		*sp = '\0';
		h->v[h->n].count = strtoul(s, NULL, 10);
		h->v[h->n].name = xstrdup(sp + 1);
		h->n++;
		free(s);
	}
	ldap_value_free_len(v);
	return CTYS_OK;
}

static ctys_err_t
load_hosts(struct dir_source *ds)
{
	char *attrs[] = { (char *)DIR_AT_HOSTCOUNT, NULL };
	char *dn;
	ctys_err_t e;
	size_t i;

	if (ds->hosts_loaded)
		return CTYS_OK;
	/* one entry with every host's count; else the host entries themselves */
	dn = xasprintf(DIR_RDN_INDEX ",%s", dir_i_base(ds->c));
	memset(&ds->hosts, 0, sizeof ds->hosts);
	e = dir_i_search(ds->c, dn, LDAP_SCOPE_BASE, "(objectClass=" DIR_OC_INDEX ")", attrs,
	    summary_cb, &ds->hosts);
	free(dn);
	if (e != CTYS_OK)
		return e;
	if (ds->hosts.v == NULL && (e = dir_fetch_hosts(ds->c, NULL, &ds->hosts)) != CTYS_OK)
		return e;
	sort_array(ds->hosts.v, ds->hosts.n, sizeof *ds->hosts.v, host_cmp);
	ds->before = xcalloc(ds->hosts.n + 1, sizeof *ds->before);
	for (i = 0; i < ds->hosts.n; i++)
		ds->before[i + 1] = ds->before[i] + ds->hosts.v[i].count;
	ds->hosts_loaded = true;
	return CTYS_OK;
}

static ctys_err_t
push_cb(void *arg, LDAP *ld, LDAPMessage *ent)
{
	struct dir_rec r;
	ctys_err_t e;

	if ((e = dir_i_entry_rec(ld, ent, &r)) == CTYS_OK)
		dir_i_recs_push(arg, &r);
	return e;
}

static ctys_err_t
host_records(struct dir_source *ds, const char *host, struct dir_recs **out)
{
	struct host_recs *h;
	char *dn, *f;
	ctys_err_t e;
	size_t i;

	for (i = 0; i < ds->nhr; i++)
		if (strcmp(ds->hr[i].name, host) == 0) {
			*out = &ds->hr[i].recs;
			return CTYS_OK;
		}
	ds->hr = xreallocarray(ds->hr, ds->nhr + 1, sizeof *ds->hr);
	h = &ds->hr[ds->nhr++];
	memset(h, 0, sizeof *h);
	h->name = xstrdup(host);
	dn = dir_i_host_dn(dir_i_base(ds->c), host);
	f = dir_i_host_filter(host);
	e = dir_i_search(ds->c, dn, LDAP_SCOPE_ONELEVEL, f, dir_i_record_attrs(false), push_cb,
	    &h->recs);
	free(f);
	free(dn);
	dir_recs_sort(&h->recs);
	*out = &h->recs;
	return e;
}

/* The cache index of record r (0 when it cannot be placed). */
static ctys_err_t
rank(struct dir_source *ds, const struct dir_rec *r, unsigned long *index)
{
	struct dir_host probe = { (char *)r->host, 0, "", false };
	struct dir_host *h;
	struct dir_recs *hr;
	struct dir_rec *pos;
	ctys_err_t e;

	*index = 0;
	if ((e = load_hosts(ds)) != CTYS_OK)
		return e;
	h = find_sorted(&probe, ds->hosts.v, ds->hosts.n, sizeof *ds->hosts.v, host_cmp);
	if (h == NULL)
		return CTYS_OK;
	if ((e = host_records(ds, r->host, &hr)) != CTYS_OK)
		return e;
	pos = NULL;
	{
		size_t lo = 0, hi = hr->n;

		while (lo < hi) {
			size_t mid = (lo + hi) / 2;
			const struct dir_rec *m = &hr->v[mid];
			size_t n = m->len < r->len ? m->len : r->len;
			int c = memcmp(m->line, r->line, n);

			if (c == 0)
				c = m->len < r->len ? -1 : m->len > r->len;
			if (c == 0) {
				pos = &hr->v[mid];
				break;
			}
			if (c < 0)
				lo = mid + 1;
			else
				hi = mid;
		}
	}
	if (pos != NULL)
		*index = ds->before[h - ds->hosts.v] + (unsigned long)(pos - hr->v) + 1;
	return CTYS_OK;
}

/* Deliver recs (sorted) to fn with their indexes. */
static ctys_err_t
deliver(struct dir_source *ds, struct dir_recs *recs, bool ranked, cache_rec_fn fn,
    void *arg)
{
	struct buf b = BUF_INIT;
	ctys_err_t e = CTYS_OK;
	size_t i;

	dir_recs_sort(recs);
	for (i = 0; i < recs->n && e == CTYS_OK; i++) {
		unsigned long index = i + 1;

		if (ranked && (e = rank(ds, &recs->v[i], &index)) != CTYS_OK)
			break;
		buf_reset(&b);
		rec_with_index(recs->v[i].line, recs->v[i].len, index, &b);
		if (fn(arg, index, b.d, b.len) != 0)
			break;
	}
	buf_free(&b);
	return e;
}

static ctys_err_t
src_scan(void *ctx, cache_rec_fn fn, void *arg)
{
	struct dir_source *ds = ctx;
	struct dir_recs recs = { 0 };
	ctys_err_t e;

	if ((e = dir_fetch(ds->c, NULL, false, &recs)) == CTYS_OK)
		e = deliver(ds, &recs, false, fn, arg);
	dir_recs_free(&recs);
	return e;
}

static ctys_err_t
src_filter(struct dir_source *ds, const char *filter, cache_rec_fn fn, void *arg)
{
	struct dir_recs recs = { 0 };
	ctys_err_t e;

	if ((e = dir_fetch(ds->c, filter, false, &recs)) == CTYS_OK)
		e = deliver(ds, &recs, true, fn, arg);
	dir_recs_free(&recs);
	return e;
}

static ctys_err_t
src_lookup(void *ctx, unsigned field, const char *v, size_t len, cache_rec_fn fn,
    void *arg)
{
	struct buf f = BUF_INIT;
	ctys_err_t e;

	if (len == 0 || !dir_filter_field(&f, field, v, len)) {
		buf_free(&f);
		return field == REC_FIELD_INDEX ? src_scan(ctx, fn, arg) : CTYS_OK;
	}
	e = src_filter(ctx, f.d, fn, arg);
	buf_free(&f);
	return e;
}

static ctys_err_t
src_substr(void *ctx, const char *lit, size_t len, cache_rec_fn fn, void *arg)
{
	struct buf f = BUF_INIT;
	ctys_err_t e;

	if (len == 0 || memchr(lit, ';', len) != NULL)
		return CTYS_ERR_UNSUPPORTED;
	dir_filter_substr(&f, lit, len);
	e = src_filter(ctx, f.d, fn, arg);
	buf_free(&f);
	return e;
}

static bool
src_indexed(unsigned field)
{
	return field >= 1 && field <= REC_NFIELDS && dir_fields[field - 1].attr != NULL;
}

void
dir_source_init(struct query_source *s, struct dir_source *ds)
{
	memset(s, 0, sizeof *s);
	s->scan = src_scan;
	s->lookup = src_lookup;
	s->indexed = src_indexed;
	s->lookup_substr = src_substr;
	s->ctx = ds;
	s->with_index = true;
}

ctys_err_t
dir_session_open(struct dir_session *s, struct query_source *src)
{
	struct conf *conf = conf_new();
	ctys_err_t e;

	memset(s, 0, sizeof *s);
	if ((e = ctys_conf_load(conf)) == CTYS_OK &&
	    (e = dir_conf_load(conf, &s->dc)) == CTYS_OK &&
	    (e = dir_connect(&s->dc, &s->c)) == CTYS_OK) {
		s->ds = dir_source_new(s->c);
		dir_source_init(src, s->ds);
	}
	conf_free(conf);
	if (e != CTYS_OK)
		dir_session_close(s);
	return e;
}

void
dir_session_close(struct dir_session *s)
{
	dir_source_free(s->ds);
	dir_close(s->c);
	dir_conf_free(&s->dc);
	memset(s, 0, sizeof *s);
}

/* ---- resolution ---- */

struct collect {
	struct strv *out;
};

/* Append line with field 32 emptied (the published form). */
static void
push_plain(struct strv *out, const char *line, size_t len)
{
	struct buf b = BUF_INIT;
	struct rec r;

	if (rec_parse(line, len, &r) != CTYS_OK) {
		strv_pushn(out, line, len);
		return;
	}
	r.f[REC_FIELD_INDEX - 1] = "";
	r.len[REC_FIELD_INDEX - 1] = 0;
	rec_format(&r, &b);
	strv_push_owned(out, buf_detach(&b));
	rec_free(&r);
}

static int
collect_cb(void *arg, unsigned long index, const char *line, size_t len)
{
	struct collect *c = arg;

	(void)index;
	push_plain(c->out, line, len);
	return 0;
}

/* Does one of the resolution fields of line equal key exactly? */
static bool
key_matches(const char *line, size_t len, const char *key, size_t klen)
{
	static const unsigned fields[] = { 3, 6, 5, 7 };
	size_t i, fl;

	for (i = 0; i < 4; i++) {
		const char *f = rec_field_view(line, len, fields[i], &fl);

		if (fl == klen && memcmp(f, key, klen) == 0)
			return true;
	}
	return false;
}

ctys_err_t
dir_resolve(struct cache_db *db, struct dir_conn *c, const char *key, struct strv *out,
    const char **from)
{
	static const unsigned fields[] = { 3, 6, 5, 7 };
	struct collect col = { out };
	size_t i, n0 = out->n, klen = strlen(key);
	struct buf f = BUF_INIT;
	struct dir_recs recs = { 0 };
	ctys_err_t e;

	*from = NULL;
	if (klen == 0)
		return ctys_seterr(CTYS_ERR_USAGE, "empty name to resolve");
	if (db != NULL) {
		for (i = 0; i < 4 && out->n == n0; i++)
			if ((e = cache_lookup(db, fields[i], key, klen, collect_cb, &col)) !=
			    CTYS_OK && e != CTYS_ERR_UNSUPPORTED)
				return e;
		if (out->n > n0) {
			*from = "cache";
			return CTYS_OK;
		}
	}
	if (c != NULL) {
		buf_adds(&f, "(&(objectClass=" DIR_OC_REC ")(|");
		for (i = 0; i < 4; i++) {
			buf_addf(&f, "(%s=", dir_fields[fields[i] - 1].attr);
			dir_filter_escape(&f, key, klen);
			buf_addc(&f, ')');
		}
		buf_adds(&f, "))");
		e = dir_fetch(c, f.d, false, &recs);
		buf_free(&f);
		if (e != CTYS_OK) {
			dir_recs_free(&recs);
			return e;
		}
		dir_recs_sort(&recs);
		for (i = 0; i < recs.n; i++)
			if (key_matches(recs.v[i].line, recs.v[i].len, key, klen))
				strv_pushn(out, recs.v[i].line, recs.v[i].len);
		dir_recs_free(&recs);
		if (out->n > n0) {
			*from = "ldap";
			return CTYS_OK;
		}
	}
	return ctys_seterr(CTYS_ERR_NOTFOUND, "'%s' is neither in the cache nor in the "
	    "directory", key);
}
