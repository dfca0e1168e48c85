/*
 * ldap-publish.c — write a host's records to the directory in one pass:
 * add, modify, delete stale (ldap-dir.h, ctys-ldap(5) for the layout).
 */
#define LDAP_DEPRECATED 0
#include "cache/ldap-dir.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "cache/ldap-int.h"
#include "cache/ldap-map.h"
#include "cache/record.h"
#include "lib/util.h"
#include "lib/buf.h"
#include "lib/xmalloc.h"

/* Existing record entries of a host, sorted by key. */
static int
drec_key_cmp(const void *a, const void *b)
{
	return strcmp(((const struct dir_rec *)a)->key, ((const struct dir_rec *)b)->key);
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
fetch_host_recs(struct dir_conn *c, const char *host, const char *hostdn,
    struct dir_recs *out)
{
	char *f = dir_i_host_filter(host);
	ctys_err_t e;

	e = dir_i_search(c, hostdn, LDAP_SCOPE_ONELEVEL, f, dir_i_record_attrs(false), push_cb,
	    out);
	free(f);
	return e;
}

char *
dir_i_host_filter(const char *host)
{
	struct buf b = BUF_INIT;

	/* the indexed equality keeps slapd from walking every record entry
	 * that a bare (objectClass=ctysMachine) would make a candidate */
	buf_adds(&b, "(&(objectClass=" DIR_OC_REC ")(ctysHostName=");
	dir_filter_escape(&b, host, strlen(host));
	buf_adds(&b, "))");
	return buf_detach(&b);
}

static ctys_err_t
put_host_entry(struct dir_conn *c, const char *host, const char *hostdn, size_t n,
    bool exists)
{
	const char *ocs[] = { "device", DIR_OC_HOST };
	char cnt[32];
	struct modset ms;
	int rc;

	snprintf(cnt, sizeof cnt, "%zu", n);
	ms.n = 0;
	if (!exists) {
		dir_i_ms_oc(&ms, LDAP_MOD_ADD, ocs, 2);
		dir_i_ms_add(&ms, LDAP_MOD_ADD, "cn", host, strlen(host));
		dir_i_ms_add(&ms, LDAP_MOD_ADD, "ctysHostName", host, strlen(host));
		dir_i_ms_add(&ms, LDAP_MOD_ADD, DIR_AT_COUNT, cnt, strlen(cnt));
		rc = ldap_add_ext_s(dir_i_ld(c), hostdn, ms.p, NULL, NULL);
		return rc == LDAP_SUCCESS ? CTYS_OK : dir_i_lderr(c, rc, "add", hostdn);
	}
	dir_i_ms_add(&ms, LDAP_MOD_REPLACE, DIR_AT_COUNT, cnt, strlen(cnt));
	rc = ldap_modify_ext_s(dir_i_ld(c), hostdn, ms.p, NULL, NULL);
	return rc == LDAP_SUCCESS ? CTYS_OK : dir_i_lderr(c, rc, "modify", hostdn);
}

/* ---- the host-count summary entry (ldap-map.h) ---- */

/* Rebuild the summary from the host entries (add or replace). */
static ctys_err_t
rebuild_summary(struct dir_conn *c, const char *dn)
{
	struct dir_hosts dh = { 0 };
	struct berval *bv = NULL, **bvp = NULL;
	char **vals = NULL;
	LDAPMod oc, cn, key, hc, *mods[5];
	struct berval ocv[2], cnv, keyv, *ocp[3], *cnp[2], *keyp[2];
	ctys_err_t e;
	size_t i;
	int rc;

	if ((e = dir_fetch_hosts(c, NULL, &dh)) != CTYS_OK)
		return e;
	vals = xcalloc(dh.n + 1, sizeof *vals);
	bv = xcalloc(dh.n + 1, sizeof *bv);
	bvp = xcalloc(dh.n + 1, sizeof *bvp);
	for (i = 0; i < dh.n; i++) {
		vals[i] = xasprintf("%lu %s", dh.v[i].count, dh.v[i].name);
		bv[i].bv_val = vals[i];
		bv[i].bv_len = strlen(vals[i]);
		bvp[i] = &bv[i];
	}
	hc.mod_op = LDAP_MOD_REPLACE | LDAP_MOD_BVALUES;
	hc.mod_type = (char *)DIR_AT_HOSTCOUNT;
	hc.mod_bvalues = bvp;
	mods[0] = &hc;
	mods[1] = NULL;
	rc = ldap_modify_ext_s(dir_i_ld(c), dn, mods, NULL, NULL);
	if (rc == LDAP_NO_SUCH_OBJECT) {
		ocv[0].bv_val = (char *)"device", ocv[0].bv_len = 6;
		ocv[1].bv_val = (char *)DIR_OC_INDEX, ocv[1].bv_len = strlen(DIR_OC_INDEX);
		ocp[0] = &ocv[0], ocp[1] = &ocv[1], ocp[2] = NULL;
		cnv.bv_val = (char *)"ctys host counts", cnv.bv_len = 16;
		cnp[0] = &cnv, cnp[1] = NULL;
		keyv.bv_val = (char *)"host-counts", keyv.bv_len = 11;
		keyp[0] = &keyv, keyp[1] = NULL;
		oc.mod_op = cn.mod_op = key.mod_op = LDAP_MOD_ADD | LDAP_MOD_BVALUES;
		hc.mod_op = LDAP_MOD_ADD | LDAP_MOD_BVALUES;
		oc.mod_type = (char *)"objectClass", oc.mod_bvalues = ocp;
		cn.mod_type = (char *)"cn", cn.mod_bvalues = cnp;
		key.mod_type = (char *)DIR_AT_KEY, key.mod_bvalues = keyp;
		mods[0] = &oc, mods[1] = &cn, mods[2] = &key;
		mods[3] = dh.n > 0 ? &hc : NULL;
		mods[4] = NULL;
		rc = ldap_add_ext_s(dir_i_ld(c), dn, mods, NULL, NULL);
	}
	e = rc == LDAP_SUCCESS ? CTYS_OK : dir_i_lderr(c, rc, "update", dn);
	for (i = 0; i < dh.n; i++)
		free(vals[i]);
	free(vals);
	free(bv);
	free(bvp);
	dir_hosts_free(&dh);
	return e;
}

/*
 * The host's count went from old_n (had_old) to new_n (has_new): swap its
 * summary value; when the summary disagrees or is missing, rebuild it.
 */
static ctys_err_t
update_summary(struct dir_conn *c, const char *host, bool had_old, size_t old_n,
    bool has_new, size_t new_n)
{
	char *dn = xasprintf(DIR_RDN_INDEX ",%s", dir_i_base(c));
	char *ov = xasprintf("%zu %s", old_n, host), *nv = xasprintf("%zu %s", new_n, host);
	struct berval obv = { strlen(ov), ov }, nbv = { strlen(nv), nv };
	struct berval *op[2] = { &obv, NULL }, *np[2] = { &nbv, NULL };
	LDAPMod del, add, *mods[3];
	size_t k = 0;
	ctys_err_t e = CTYS_OK;
	int rc;

	del.mod_op = LDAP_MOD_DELETE | LDAP_MOD_BVALUES;
	del.mod_type = (char *)DIR_AT_HOSTCOUNT;
	del.mod_bvalues = op;
	add.mod_op = LDAP_MOD_ADD | LDAP_MOD_BVALUES;
	add.mod_type = (char *)DIR_AT_HOSTCOUNT;
	add.mod_bvalues = np;
	if (had_old)
		mods[k++] = &del;
	if (has_new)
		mods[k++] = &add;
	mods[k] = NULL;
	if (k > 0) {
		rc = ldap_modify_ext_s(dir_i_ld(c), dn, mods, NULL, NULL);
		if (rc != LDAP_SUCCESS)
			e = rebuild_summary(c, dn);
	}
	free(dn);
	free(ov);
	free(nv);
	return e;
}

/* What a caller already read of a host: whether its entry exists, its records. */
struct known {
	bool exists;
	struct dir_rec *v;
	size_t n;
};

static ctys_err_t publish_one(struct dir_conn *c, const char *host, const char *const *lines,
    size_t n, struct dir_pub_stats *st, const struct known *k);

ctys_err_t
dir_publish_host(struct dir_conn *c, const char *host, const char *const *lines,
    size_t n, struct dir_pub_stats *st)
{
	return publish_one(c, host, lines, n, st, NULL);
}

static ctys_err_t
publish_one(struct dir_conn *c, const char *host, const char *const *lines, size_t n,
    struct dir_pub_stats *st, const struct known *k)
{
	struct newrec *nv = NULL;
	struct dir_recs old = { 0 };
	struct modset ms;
	char *hostdn = NULL;
	size_t nn = 0, i;
	bool exists = false, changed = false;
	ctys_err_t e;
	int rc;

	if (*host == '\0')
		return ctys_seterr(CTYS_ERR_PARSE, "record with an empty containing "
		    "machine (field 1) cannot be published");
	if ((e = dir_i_parse_new(host, lines, n, &nv, &nn)) != CTYS_OK)
		return e;
	if ((e = dir_i_ensure_base(c)) != CTYS_OK)
		goto out;
	hostdn = dir_i_host_dn(dir_i_base(c), host);
	if (k != NULL) {
		exists = k->exists;
	} else if ((e = dir_i_entry_exists(c, hostdn, &exists)) != CTYS_OK) {
		goto out;
	}
	if (exists && k != NULL) {
		old.v = k->v; /* borrowed: not freed below */
		old.n = k->n;
	} else if (exists && (e = fetch_host_recs(c, host, hostdn, &old)) != CTYS_OK) {
		goto out;
	}
	sort_array(old.v, old.n, sizeof *old.v, drec_key_cmp);
	if (!exists && nn > 0) {
		if ((e = put_host_entry(c, host, hostdn, nn, false)) != CTYS_OK)
			goto out;
		changed = true;
	}
	for (i = 0; i < nn && e == CTYS_OK; i++) {
		struct dir_rec probe, *o;
		char *dn = dir_i_rec_dn(nv[i].key, hostdn);

		memcpy(probe.key, nv[i].key, 17);
		o = find_sorted(&probe, old.v, old.n, sizeof *old.v, drec_key_cmp);
		if (o != NULL && o->len == nv[i].len && memcmp(o->line, nv[i].line, o->len) == 0) {
			st->unchanged++;
		} else if (o != NULL) {
			dir_i_record_mods(&ms, LDAP_MOD_REPLACE, &nv[i].r, nv[i].key, hostdn,
			    nv[i].line, nv[i].len);
			if ((rc = ldap_modify_ext_s(dir_i_ld(c), dn, ms.p, NULL, NULL)) !=
			    LDAP_SUCCESS)
				e = dir_i_lderr(c, rc, "modify", dn);
			st->modified++;
			changed = true;
		} else {
			dir_i_record_mods(&ms, LDAP_MOD_ADD, &nv[i].r, nv[i].key, hostdn, nv[i].line,
			    nv[i].len);
			if ((rc = ldap_add_ext_s(dir_i_ld(c), dn, ms.p, NULL, NULL)) != LDAP_SUCCESS)
				e = dir_i_lderr(c, rc, "add", dn);
			st->added++;
			changed = true;
		}
		if (o != NULL)
			o->mtime[0] = 'S'; /* seen: not stale */
		free(dn);
	}
	for (i = 0; i < old.n && e == CTYS_OK; i++) {
		char *dn;

		if (old.v[i].mtime[0] == 'S')
			continue;
		dn = dir_i_rec_dn(old.v[i].key, hostdn);
		if ((rc = ldap_delete_ext_s(dir_i_ld(c), dn, NULL, NULL)) != LDAP_SUCCESS &&
		    rc != LDAP_NO_SUCH_OBJECT)
			e = dir_i_lderr(c, rc, "delete", dn);
		st->deleted++;
		changed = true;
		free(dn);
	}
	if (e == CTYS_OK && exists && nn == 0) {
		if ((rc = ldap_delete_ext_s(dir_i_ld(c), hostdn, NULL, NULL)) != LDAP_SUCCESS &&
		    rc != LDAP_NO_SUCH_OBJECT)
			e = dir_i_lderr(c, rc, "delete", hostdn);
	} else if (e == CTYS_OK && exists && changed) {
		e = put_host_entry(c, host, hostdn, nn, true);
	}
	if (e == CTYS_OK && (exists || nn > 0) && (!exists || old.n != nn))
		e = update_summary(c, host, exists, old.n, nn > 0, nn);
	if (e == CTYS_OK)
		st->hosts++;
out:
	dir_i_newrecs_free(nv, nn);
	if (k == NULL)
		dir_recs_free(&old);
	free(hostdn);
	return e;
}

/* ---- the whole cache ---- */

static bool
in_strv(const struct strv *s, const char *x)
{
	size_t i;

	for (i = 0; i < s->n; i++)
		if (strcmp(s->v[i], x) == 0)
			return true;
	return false;
}

#define PREFETCH_MIN_HOSTS 64

static int
rec_host_cmp(const void *a, const void *b)
{
	return strcmp(((const struct dir_rec *)a)->host, ((const struct dir_rec *)b)->host);
}

static int
host_cmp(const void *a, const void *b)
{
	return strcmp(((const struct dir_host *)a)->name, ((const struct dir_host *)b)->name);
}

static int
str_cmp(const void *a, const void *b)
{
	return strcmp(*(char *const *)a, *(char *const *)b);
}

/* The records of `host` in all (sorted by host): *v, *n. */
static void
host_range(struct dir_recs *all, const char *host, struct dir_rec **v, size_t *n)
{
	size_t lo = 0, hi = all->n, end;

	while (lo < hi) {
		size_t mid = (lo + hi) / 2;

		if (strcmp(all->v[mid].host, host) < 0)
			lo = mid + 1;
		else
			hi = mid;
	}
	for (end = lo; end < all->n && strcmp(all->v[end].host, host) == 0; end++)
		;
	*v = all->v + lo;
	*n = end - lo;
}

ctys_err_t
dir_publish_cache(struct dir_conn *c, struct cache_db *db, const struct strv *hosts,
    bool prune, struct dir_pub_stats *st)
{
	struct host_lines h = { STRV_INIT, NULL, 0 };
	struct dir_hosts dh = { 0 };
	struct dir_recs all = { 0 };
	bool pre = false;
	ctys_err_t e;
	size_t i;

	/* the cache is sorted by line, so each host's records are adjacent */
	if ((e = cache_scan(db, dir_i_collect_cb, &h)) != CTYS_OK)
		goto out;
	if (hosts == NULL || hosts->n == 0 || hosts->n >= PREFETCH_MIN_HOSTS) {
		/* many hosts: read the directory once instead of twice per host */
		if ((e = dir_fetch(c, NULL, false, &all)) != CTYS_OK ||
		    (e = dir_fetch_hosts(c, NULL, &dh)) != CTYS_OK)
			goto out;
		sort_array(all.v, all.n, sizeof *all.v, rec_host_cmp);
		sort_array(dh.v, dh.n, sizeof *dh.v, host_cmp);
		pre = true;
	}
	for (i = 0; i < h.hosts.n && e == CTYS_OK; i++) {
		struct known k = { false, NULL, 0 };

		if (hosts != NULL && hosts->n > 0 && !in_strv(hosts, h.hosts.v[i]))
			continue;
		if (pre) {
			struct dir_host probe = { h.hosts.v[i], 0, "", false };

			k.exists = find_sorted(&probe, dh.v, dh.n, sizeof *dh.v, host_cmp) != NULL;
			host_range(&all, h.hosts.v[i], &k.v, &k.n);
		}
		e = publish_one(c, h.hosts.v[i], (const char *const *)h.lines[i].v,
		    h.lines[i].n, st, pre ? &k : NULL);
	}
	if (e == CTYS_OK && prune && !pre)
		e = dir_fetch_hosts(c, NULL, &dh);
	if (e == CTYS_OK && prune) {
		sort_array(h.hosts.v, h.hosts.n, sizeof *h.hosts.v, str_cmp);
		for (i = 0; i < dh.n && e == CTYS_OK; i++) {
			char *name = dh.v[i].name;

			if (find_sorted(&name, h.hosts.v, h.hosts.n, sizeof *h.hosts.v, str_cmp) == NULL)
				e = dir_publish_host(c, dh.v[i].name, NULL, 0, st);
		}
	}
out:
	dir_recs_free(&all);
	for (i = 0; i < h.hosts.n; i++)
		strv_free(&h.lines[i]);
	free(h.lines);
	strv_free(&h.hosts);
	dir_hosts_free(&dh);
	return e;
}

ctys_err_t
dir_publish_netgroup(struct dir_conn *c, const char *name, const struct strv *hosts,
    const struct strv *groups)
{
	const char *base = dir_i_base(c);
	char *ou = xasprintf("ou=netgroups,%s", base), *dn;
	struct buf b = BUF_INIT;
	LDAPMod oc = { 0 }, cn = { 0 }, tr = { 0 }, mg = { 0 }, *mods[5];
	struct berval ocv[1], cnv, *ocp[2], *cnp[2], *trp, *mgp;
	struct berval **tp = xcalloc(hosts->n + 1, sizeof *tp);
	struct berval **gp = xcalloc(groups->n + 1, sizeof *gp);
	struct berval *tv = xcalloc(hosts->n + 1, sizeof *tv);
	struct berval *gv = xcalloc(groups->n + 1, sizeof *gv);
	char **trip = xcalloc(hosts->n + 1, sizeof *trip);
	size_t i, k = 0;
	bool yes;
	ctys_err_t e;
	int rc;

	(void)trp, (void)mgp;
	if ((e = dir_i_ensure_base(c)) != CTYS_OK)
		goto out;
	if ((e = dir_i_entry_exists(c, ou, &yes)) != CTYS_OK)
		goto out;
	if (!yes) {
		struct modset ms;
		const char *ocs[] = { "organizationalUnit" };

		ms.n = 0;
		dir_i_ms_oc(&ms, LDAP_MOD_ADD, ocs, 1);
		dir_i_ms_add(&ms, LDAP_MOD_ADD, "ou", "netgroups", 9);
		if ((rc = ldap_add_ext_s(dir_i_ld(c), ou, ms.p, NULL, NULL)) != LDAP_SUCCESS) {
			e = dir_i_lderr(c, rc, "add", ou);
			goto out;
		}
	}
	buf_adds(&b, "cn=");
	dir_dn_escape(&b, name, strlen(name));
	buf_addf(&b, ",%s", ou);
	dn = buf_detach(&b);
	rc = ldap_delete_ext_s(dir_i_ld(c), dn, NULL, NULL);
	if (rc != LDAP_SUCCESS && rc != LDAP_NO_SUCH_OBJECT) {
		e = dir_i_lderr(c, rc, "delete", dn);
		free(dn);
		goto out;
	}
	ocv[0].bv_val = (char *)"nisNetgroup";
	ocv[0].bv_len = 11;
	ocp[0] = &ocv[0], ocp[1] = NULL;
	cnv.bv_val = (char *)name, cnv.bv_len = strlen(name);
	cnp[0] = &cnv, cnp[1] = NULL;
	oc.mod_op = cn.mod_op = tr.mod_op = mg.mod_op = LDAP_MOD_ADD | LDAP_MOD_BVALUES;
	oc.mod_type = (char *)"objectClass", oc.mod_bvalues = ocp;
	cn.mod_type = (char *)"cn", cn.mod_bvalues = cnp;
	mods[k++] = &oc;
	mods[k++] = &cn;
	for (i = 0; i < hosts->n; i++) {
		trip[i] = xasprintf("(%s,,)", hosts->v[i]);
		tv[i].bv_val = trip[i], tv[i].bv_len = strlen(trip[i]);
		tp[i] = &tv[i];
	}
	for (i = 0; i < groups->n; i++) {
		gv[i].bv_val = groups->v[i], gv[i].bv_len = strlen(groups->v[i]);
		gp[i] = &gv[i];
	}
	if (hosts->n > 0) {
		tr.mod_type = (char *)"nisNetgroupTriple", tr.mod_bvalues = tp;
		mods[k++] = &tr;
	}
	if (groups->n > 0) {
		mg.mod_type = (char *)"memberNisNetgroup", mg.mod_bvalues = gp;
		mods[k++] = &mg;
	}
	mods[k] = NULL;
	if ((rc = ldap_add_ext_s(dir_i_ld(c), dn, mods, NULL, NULL)) != LDAP_SUCCESS)
		e = dir_i_lderr(c, rc, "add", dn);
	free(dn);
out:
	for (i = 0; i < hosts->n; i++)
		free(trip[i]);
	free(trip);
	free(tp);
	free(gp);
	free(tv);
	free(gv);
	free(ou);
	return e;
}
