/*
 * ldap-publish.c — write a host's records to the directory in one pass:
 * add, modify, delete stale (ldap-dir.h, ctys-ldap(5) for the layout).
 */
#define LDAP_DEPRECATED 0
#include "cache/ldap-dir.h"

#include <ldap.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "cache/ldap-int.h"
#include "cache/ldap-map.h"
#include "cache/record.h"
#include "lib/buf.h"
#include "lib/xmalloc.h"

char *
dir_i_host_dn(const char *base, const char *host)
{
	struct buf b = BUF_INIT;

	buf_adds(&b, "cn=");
	dir_dn_escape(&b, host, strlen(host));
	buf_addf(&b, ",%s", base);
	return buf_detach(&b);
}

/* A set of modifications of one entry (single values, objectClass list). */
#define MS_MAX 64
struct modset {
	LDAPMod m[MS_MAX];
	LDAPMod *p[MS_MAX + 1];
	struct berval bv[MS_MAX];
	struct berval *bvp[MS_MAX][2];
	struct berval oc[4];
	struct berval *ocp[5];
	size_t n;
};

static void
ms_add(struct modset *ms, int op, const char *attr, const char *v, size_t len)
{
	size_t i = ms->n++;

	ms->m[i].mod_op = op | LDAP_MOD_BVALUES;
	ms->m[i].mod_type = (char *)attr;
	if (v != NULL && len > 0) {
		ms->bv[i].bv_val = (char *)v;
		ms->bv[i].bv_len = len;
		ms->bvp[i][0] = &ms->bv[i];
	} else {
		ms->bvp[i][0] = NULL;
	}
	ms->bvp[i][1] = NULL;
	ms->m[i].mod_bvalues = ms->bvp[i];
	ms->p[i] = &ms->m[i];
	ms->p[ms->n] = NULL;
}

static void
ms_oc(struct modset *ms, int op, const char *const *ocs, size_t n)
{
	size_t i = ms->n++, k;

	for (k = 0; k < n; k++) {
		ms->oc[k].bv_val = (char *)ocs[k];
		ms->oc[k].bv_len = strlen(ocs[k]);
		ms->ocp[k] = &ms->oc[k];
	}
	ms->ocp[n] = NULL;
	ms->m[i].mod_op = op | LDAP_MOD_BVALUES;
	ms->m[i].mod_type = (char *)"objectClass";
	ms->m[i].mod_bvalues = ms->ocp;
	ms->p[i] = &ms->m[i];
	ms->p[ms->n] = NULL;
}

static bool
is_ascii(const char *s, size_t n)
{
	size_t i;

	for (i = 0; i < n; i++)
		if ((unsigned char)s[i] >= 0x80 || s[i] == '\0')
			return false;
	return true;
}

/*
 * The attributes of record r (line = its text, field 32 empty).  op is
 * LDAP_MOD_ADD for a new entry (empty values left out) or
 * LDAP_MOD_REPLACE (empty values delete).
 */
static void
record_mods(struct modset *ms, int op, const struct rec *r, const char *key,
    const char *hostdn, const char *line, size_t len)
{
	const char *ocs[4] = { "device", DIR_OC_REC, NULL, NULL };
	bool ip = dir_is_ipv4(r->f[6], r->len[6]);
	bool mac = r->len[5] > 0 && is_ascii(r->f[5], r->len[5]);
	size_t noc = 2, i;

	if (ip)
		ocs[noc++] = "ipHost";
	if (mac)
		ocs[noc++] = "ieee802Device";
	ms->n = 0;
	ms_oc(ms, op, ocs, noc);
	if (r->len[2] > 0)
		ms_add(ms, op, "cn", r->f[2], r->len[2]);
	else
		ms_add(ms, op, "cn", key, strlen(key));
	if (op == LDAP_MOD_ADD)
		ms_add(ms, op, DIR_AT_KEY, key, strlen(key));
	ms_add(ms, op, DIR_AT_PARENT, hostdn, strlen(hostdn));
	ms_add(ms, op, DIR_AT_LINE, line, len);
	for (i = 0; i < REC_NFIELDS; i++) {
		if (dir_fields[i].attr == NULL || (op == LDAP_MOD_ADD && r->len[i] == 0))
			continue;
		ms_add(ms, op, dir_fields[i].attr, r->f[i], r->len[i]);
	}
	if (ip || op != LDAP_MOD_ADD)
		ms_add(ms, op, "ipHostNumber", ip ? r->f[6] : NULL, ip ? r->len[6] : 0);
	if (mac || op != LDAP_MOD_ADD)
		ms_add(ms, op, "macAddress", mac ? r->f[5] : NULL, mac ? r->len[5] : 0);
}

/* One new record of the host: parsed, its line (field 32 empty), key. */
struct newrec {
	struct rec r;
	char *line;
	size_t len;
	char key[17];
};

static int
newrec_cmp(const void *a, const void *b)
{
	const struct newrec *x = a, *y = b;
	size_t n = x->len < y->len ? x->len : y->len;
	int c = memcmp(x->line, y->line, n);

	return c ? c : (x->len < y->len ? -1 : x->len > y->len);
}

static int
key_cmp(const void *a, const void *b)
{
	return strcmp(*(char *const *)a, *(char *const *)b);
}

/*
 * Assign keys: identity hash; a record whose identity key is taken by an
 * earlier one (line order) gets the whole-line hash.  Used by sync too.
 */
static void
assign_keys(struct newrec *v, size_t n)
{
	char **ks = xcalloc(n + 1, sizeof *ks);
	size_t i;

	for (i = 0; i < n; i++) {
		if (v[i].r.buf == NULL)
			snprintf(v[i].key, sizeof v[i].key, "bad%013zx", i);
		else
			dir_record_key(&v[i].r, false, v[i].key);
		ks[i] = v[i].key;
	}
	qsort(ks, n, sizeof *ks, key_cmp);
	for (i = 1; i < n; i++) {
		if (strcmp(ks[i - 1], ks[i]) == 0) {
			/* a collision: re-key all but the first in line order */
			char dup[17];
			size_t k;
			bool first = true;

			memcpy(dup, ks[i], 17);
			for (k = 0; k < n; k++) {
				if (strcmp(v[k].key, dup) != 0)
					continue;
				if (!first && v[k].r.buf != NULL)
					dir_record_key(&v[k].r, true, v[k].key);
				first = false;
			}
		}
	}
	free(ks);
}

static ctys_err_t
parse_new(const char *host, const char *const *lines, size_t n, struct newrec **out,
    size_t *nout)
{
	struct newrec *v = xcalloc(n + 1, sizeof *v);
	struct buf b = BUF_INIT;
	size_t i, k = 0, f;
	ctys_err_t e = CTYS_OK;

	for (i = 0; i < n && e == CTYS_OK; i++) {
		struct rec *r = &v[k].r;

		if ((e = rec_parse(lines[i], strlen(lines[i]), r)) != CTYS_OK) {
			ctys_errprefix("record %zu of host '%s': ", i + 1, host);
			break;
		}
		if (strcmp(r->f[0], host) != 0) {
			e = ctys_seterr(CTYS_ERR_PARSE, "record %zu: field 1 is '%s', not "
			    "host '%s'", i + 1, r->f[0], host);
			rec_free(r);
			break;
		}
		r->f[REC_FIELD_INDEX - 1] = "";
		r->len[REC_FIELD_INDEX - 1] = 0;
		for (f = 0; f < REC_NFIELDS; f++)
			if (!dir_utf8_ok(r->f[f], r->len[f])) {
				e = ctys_seterr(CTYS_ERR_UNSUPPORTED, "record %zu of host '%s': "
				    "field %zu is not UTF-8", i + 1, host, f + 1);
				break;
			}
		if (e != CTYS_OK) {
			rec_free(r);
			break;
		}
		buf_reset(&b);
		rec_format(r, &b);
		v[k].len = b.len;
		v[k].line = buf_detach(&b);
		k++;
	}
	if (e != CTYS_OK) {
		for (i = 0; i < k; i++) {
			rec_free(&v[i].r);
			free(v[i].line);
		}
		free(v);
		return e;
	}
	qsort(v, k, sizeof *v, newrec_cmp);
	/* unique */
	for (i = 0, f = 0; i < k; i++) {
		if (f > 0 && newrec_cmp(&v[f - 1], &v[i]) == 0) {
			rec_free(&v[i].r);
			free(v[i].line);
			continue;
		}
		v[f++] = v[i];
	}
	assign_keys(v, f);
	*out = v;
	*nout = f;
	return CTYS_OK;
}

static void
newrecs_free(struct newrec *v, size_t n)
{
	size_t i;

	for (i = 0; i < n; i++) {
		rec_free(&v[i].r);
		free(v[i].line);
	}
	free(v);
}

void
dir_i_rekey(struct dir_recs *r)
{
	struct newrec *v = xcalloc(r->n + 1, sizeof *v);
	size_t i;

	for (i = 0; i < r->n; i++) {
		if (rec_parse(r->v[i].line, r->v[i].len, &v[i].r) != CTYS_OK) {
			/* not a record: give it a key no record hashes to */
			memset(&v[i].r, 0, sizeof v[i].r);
			snprintf(r->v[i].key, sizeof r->v[i].key, "bad%013zx", i);
			continue;
		}
		v[i].line = r->v[i].line;
		v[i].len = r->v[i].len;
	}
	assign_keys(v, r->n);
	for (i = 0; i < r->n; i++) {
		if (v[i].r.buf != NULL)
			memcpy(r->v[i].key, v[i].key, 17);
		rec_free(&v[i].r);
	}
	free(v);
}

static ctys_err_t
exists_cb(void *arg, LDAP *ld, LDAPMessage *ent)
{
	(void)ld, (void)ent;
	*(bool *)arg = true;
	return CTYS_OK;
}

static ctys_err_t
entry_exists(struct dir_conn *c, const char *dn, bool *yes)
{
	char *attrs[] = { (char *)"1.1", NULL };

	*yes = false;
	return dir_i_search(c, dn, LDAP_SCOPE_BASE, "(objectClass=*)", attrs, exists_cb, yes);
}

static ctys_err_t
ensure_base(struct dir_conn *c)
{
	const char *base = dir_i_base(c);
	bool yes;
	ctys_err_t e;
	int rc;

	if (*dir_i_base_ok(c))
		return CTYS_OK;
	if ((e = entry_exists(c, base, &yes)) != CTYS_OK)
		return e;
	if (!yes) {
		struct modset ms;
		const char *ocs[] = { "organizationalUnit" };
		const char *eq = strchr(base, '='), *comma = strchr(base, ',');

		if (strncasecmp(base, "ou=", 3) != 0 || eq == NULL)
			return ctys_seterr(CTYS_ERR_NOENT, "base DN '%s' does not exist", base);
		ms.n = 0;
		ms_oc(&ms, LDAP_MOD_ADD, ocs, 1);
		ms_add(&ms, LDAP_MOD_ADD, "ou", eq + 1,
		    comma ? (size_t)(comma - eq - 1) : strlen(eq + 1));
		if ((rc = ldap_add_ext_s(dir_i_ld(c), base, ms.p, NULL, NULL)) != LDAP_SUCCESS)
			return dir_i_lderr(c, rc, "add", base);
	}
	*dir_i_base_ok(c) = true;
	return CTYS_OK;
}

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

static char *
rec_dn(const char *key, const char *hostdn)
{
	return xasprintf(DIR_AT_KEY "=%s,%s", key, hostdn);
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
		ms_oc(&ms, LDAP_MOD_ADD, ocs, 2);
		ms_add(&ms, LDAP_MOD_ADD, "cn", host, strlen(host));
		ms_add(&ms, LDAP_MOD_ADD, "ctysHostName", host, strlen(host));
		ms_add(&ms, LDAP_MOD_ADD, DIR_AT_COUNT, cnt, strlen(cnt));
		rc = ldap_add_ext_s(dir_i_ld(c), hostdn, ms.p, NULL, NULL);
		return rc == LDAP_SUCCESS ? CTYS_OK : dir_i_lderr(c, rc, "add", hostdn);
	}
	ms_add(&ms, LDAP_MOD_REPLACE, DIR_AT_COUNT, cnt, strlen(cnt));
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

ctys_err_t
dir_publish_host(struct dir_conn *c, const char *host, const char *const *lines,
    size_t n, struct dir_pub_stats *st)
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
	if ((e = parse_new(host, lines, n, &nv, &nn)) != CTYS_OK)
		return e;
	if ((e = ensure_base(c)) != CTYS_OK)
		goto out;
	hostdn = dir_i_host_dn(dir_i_base(c), host);
	if ((e = entry_exists(c, hostdn, &exists)) != CTYS_OK)
		goto out;
	if (exists && (e = fetch_host_recs(c, host, hostdn, &old)) != CTYS_OK)
		goto out;
	qsort(old.v, old.n, sizeof *old.v, drec_key_cmp);
	if (!exists && nn > 0) {
		if ((e = put_host_entry(c, host, hostdn, nn, false)) != CTYS_OK)
			goto out;
		changed = true;
	}
	for (i = 0; i < nn && e == CTYS_OK; i++) {
		struct dir_rec probe, *o;
		char *dn = rec_dn(nv[i].key, hostdn);

		memcpy(probe.key, nv[i].key, 17);
		o = bsearch(&probe, old.v, old.n, sizeof *old.v, drec_key_cmp);
		if (o != NULL && o->len == nv[i].len && memcmp(o->line, nv[i].line, o->len) == 0) {
			st->unchanged++;
		} else if (o != NULL) {
			record_mods(&ms, LDAP_MOD_REPLACE, &nv[i].r, nv[i].key, hostdn,
			    nv[i].line, nv[i].len);
			if ((rc = ldap_modify_ext_s(dir_i_ld(c), dn, ms.p, NULL, NULL)) !=
			    LDAP_SUCCESS)
				e = dir_i_lderr(c, rc, "modify", dn);
			st->modified++;
			changed = true;
		} else {
			record_mods(&ms, LDAP_MOD_ADD, &nv[i].r, nv[i].key, hostdn, nv[i].line,
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
		dn = rec_dn(old.v[i].key, hostdn);
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
	newrecs_free(nv, nn);
	dir_recs_free(&old);
	free(hostdn);
	return e;
}

/* ---- the whole cache ---- */

struct host_lines {
	struct strv hosts;        /* distinct, in cache order */
	struct strv *lines;       /* per host */
	size_t cap;
};

static int
collect_cb(void *arg, unsigned long index, const char *line, size_t len)
{
	struct host_lines *h = arg;
	size_t hl;
	const char *host = rec_field_view(line, len, 1, &hl);
	struct buf b = BUF_INIT;

	(void)index;
	if (h->hosts.n == 0 || strlen(h->hosts.v[h->hosts.n - 1]) != hl ||
	    memcmp(h->hosts.v[h->hosts.n - 1], host, hl) != 0) {
		strv_pushn(&h->hosts, host, hl);
		if (h->hosts.n > h->cap) {
			h->cap = h->cap ? h->cap * 2 : 64;
			h->lines = xreallocarray(h->lines, h->cap, sizeof *h->lines);
		}
		memset(&h->lines[h->hosts.n - 1], 0, sizeof *h->lines);
	}
	buf_add(&b, line, len);
	strv_push_owned(&h->lines[h->hosts.n - 1], buf_detach(&b));
	return 0;
}

static bool
in_strv(const struct strv *s, const char *x)
{
	size_t i;

	for (i = 0; i < s->n; i++)
		if (strcmp(s->v[i], x) == 0)
			return true;
	return false;
}

ctys_err_t
dir_publish_cache(struct dir_conn *c, struct cache_db *db, const struct strv *hosts,
    bool prune, struct dir_pub_stats *st)
{
	struct host_lines h = { STRV_INIT, NULL, 0 };
	struct dir_hosts dh = { 0 };
	ctys_err_t e;
	size_t i;

	/* the cache is sorted by line, so each host's records are adjacent */
	if ((e = cache_scan(db, collect_cb, &h)) != CTYS_OK)
		goto out;
	for (i = 0; i < h.hosts.n && e == CTYS_OK; i++) {
		if (hosts != NULL && hosts->n > 0 && !in_strv(hosts, h.hosts.v[i]))
			continue;
		e = dir_publish_host(c, h.hosts.v[i], (const char *const *)h.lines[i].v,
		    h.lines[i].n, st);
	}
	if (e == CTYS_OK && prune && (e = dir_fetch_hosts(c, NULL, &dh)) == CTYS_OK) {
		for (i = 0; i < dh.n && e == CTYS_OK; i++)
			if (!in_strv(&h.hosts, dh.v[i].name))
				e = dir_publish_host(c, dh.v[i].name, NULL, 0, st);
	}
out:
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
	if ((e = ensure_base(c)) != CTYS_OK)
		goto out;
	if ((e = entry_exists(c, ou, &yes)) != CTYS_OK)
		goto out;
	if (!yes) {
		struct modset ms;
		const char *ocs[] = { "organizationalUnit" };

		ms.n = 0;
		ms_oc(&ms, LDAP_MOD_ADD, ocs, 1);
		ms_add(&ms, LDAP_MOD_ADD, "ou", "netgroups", 9);
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

/* ---- LDIF export (slapadd) ---- */

static bool
ldif_safe(const char *v, size_t n)
{
	size_t i;

	if (n > 0 && (v[0] == ' ' || v[0] == ':' || v[0] == '<' || v[n - 1] == ' '))
		return false;
	for (i = 0; i < n; i++)
		if ((unsigned char)v[i] >= 0x80 || v[i] == '\0' || v[i] == '\n' || v[i] == '\r')
			return false;
	return true;
}

static void
ldif_attr(FILE *out, const char *attr, const char *v, size_t n)
{
	static const char b64[] =
	    "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
	size_t i;

	if (ldif_safe(v, n)) {
		fprintf(out, "%s: %.*s\n", attr, (int)n, v);
		return;
	}
	fprintf(out, "%s:: ", attr);
	for (i = 0; i < n; i += 3) {
		unsigned x = (unsigned char)v[i] << 16;

		if (i + 1 < n)
			x |= (unsigned char)v[i + 1] << 8;
		if (i + 2 < n)
			x |= (unsigned char)v[i + 2];
		fputc(b64[(x >> 18) & 63], out);
		fputc(b64[(x >> 12) & 63], out);
		fputc(i + 1 < n ? b64[(x >> 6) & 63] : '=', out);
		fputc(i + 2 < n ? b64[x & 63] : '=', out);
	}
	fputc('\n', out);
}

static void
ldif_entry(FILE *out, const char *dn, const struct modset *ms)
{
	size_t i, k;

	ldif_attr(out, "dn", dn, strlen(dn));
	for (i = 0; i < ms->n; i++)
		for (k = 0; ms->m[i].mod_bvalues[k] != NULL; k++)
			ldif_attr(out, ms->m[i].mod_type, ms->m[i].mod_bvalues[k]->bv_val,
			    ms->m[i].mod_bvalues[k]->bv_len);
	fputc('\n', out);
}

ctys_err_t
dir_ldif_cache(struct cache_db *db, const char *base, bool with_base, FILE *out)
{
	struct host_lines h = { STRV_INIT, NULL, 0 };
	struct modset ms;
	size_t *host_count = NULL;
	ctys_err_t e;
	size_t i, k;

	if ((e = cache_scan(db, collect_cb, &h)) != CTYS_OK)
		goto out;
	host_count = xcalloc(h.hosts.n + 1, sizeof *host_count);
	if (with_base) {
		const char *ocs[] = { "organizationalUnit" };
		const char *eq = strchr(base, '='), *comma = strchr(base, ',');

		if (strncasecmp(base, "ou=", 3) != 0 || eq == NULL) {
			e = ctys_seterr(CTYS_ERR_USAGE, "--base needs an ou= base DN, not '%s'",
			    base);
			goto out;
		}
		ms.n = 0;
		ms_oc(&ms, LDAP_MOD_ADD, ocs, 1);
		ms_add(&ms, LDAP_MOD_ADD, "ou", eq + 1,
		    comma ? (size_t)(comma - eq - 1) : strlen(eq + 1));
		ldif_entry(out, base, &ms);
	}
	for (i = 0; i < h.hosts.n && e == CTYS_OK; i++) {
		const char *host = h.hosts.v[i];
		const char *ocs[] = { "device", DIR_OC_HOST };
		char *hostdn = dir_i_host_dn(base, host), cnt[32];
		struct newrec *nv = NULL;
		size_t nn = 0;

		if ((e = parse_new(host, (const char *const *)h.lines[i].v, h.lines[i].n, &nv,
		    &nn)) != CTYS_OK) {
			free(hostdn);
			break;
		}
		snprintf(cnt, sizeof cnt, "%zu", nn);
		host_count[i] = nn;
		ms.n = 0;
		ms_oc(&ms, LDAP_MOD_ADD, ocs, 2);
		ms_add(&ms, LDAP_MOD_ADD, "cn", host, strlen(host));
		ms_add(&ms, LDAP_MOD_ADD, "ctysHostName", host, strlen(host));
		ms_add(&ms, LDAP_MOD_ADD, DIR_AT_COUNT, cnt, strlen(cnt));
		ldif_entry(out, hostdn, &ms);
		for (k = 0; k < nn; k++) {
			char *dn = rec_dn(nv[k].key, hostdn);

			record_mods(&ms, LDAP_MOD_ADD, &nv[k].r, nv[k].key, hostdn, nv[k].line,
			    nv[k].len);
			ldif_entry(out, dn, &ms);
			free(dn);
		}
		newrecs_free(nv, nn);
		free(hostdn);
	}
	if (e == CTYS_OK) {
		/* the host-count summary */
		char *dn = xasprintf(DIR_RDN_INDEX ",%s", base);
		struct buf b = BUF_INIT;

		fprintf(out, "dn: %s\nobjectClass: device\nobjectClass: " DIR_OC_INDEX
		    "\ncn: ctys host counts\n" DIR_AT_KEY ": host-counts\n", dn);
		for (i = 0; i < h.hosts.n; i++) {
			buf_reset(&b);
			buf_addf(&b, "%zu %s", host_count[i], h.hosts.v[i]);
			ldif_attr(out, DIR_AT_HOSTCOUNT, b.d, b.len);
		}
		fputc('\n', out);
		buf_free(&b);
		free(dn);
	}
	if (e == CTYS_OK && (fflush(out) != 0 || ferror(out)))
		e = ctys_seterr(CTYS_ERR_IO, "cannot write the LDIF");
	free(host_count);
out:
	for (i = 0; i < h.hosts.n; i++)
		strv_free(&h.lines[i]);
	free(h.lines);
	strv_free(&h.hosts);
	return e;
}
