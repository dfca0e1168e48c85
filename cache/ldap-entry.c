/*
 * ldap-entry.c — records as LDAP entries: the modifications of an entry,
 * parsing and keying a host's records, DNs, the base entry (ldap-int.h).
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

char *
dir_i_host_dn(const char *base, const char *host)
{
	struct buf b = BUF_INIT;

	buf_adds(&b, "cn=");
	dir_dn_escape(&b, host, strlen(host));
	buf_addf(&b, ",%s", base);
	return buf_detach(&b);
}

void
dir_i_ms_add(struct modset *ms, int op, const char *attr, const char *v, size_t len)
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

void
dir_i_ms_oc(struct modset *ms, int op, const char *const *ocs, size_t n)
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
void
dir_i_record_mods(struct modset *ms, int op, const struct rec *r, const char *key,
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
	dir_i_ms_oc(ms, op, ocs, noc);
	if (r->len[2] > 0)
		dir_i_ms_add(ms, op, "cn", r->f[2], r->len[2]);
	else
		dir_i_ms_add(ms, op, "cn", key, strlen(key));
	if (op == LDAP_MOD_ADD)
		dir_i_ms_add(ms, op, DIR_AT_KEY, key, strlen(key));
	dir_i_ms_add(ms, op, DIR_AT_PARENT, hostdn, strlen(hostdn));
	dir_i_ms_add(ms, op, DIR_AT_LINE, line, len);
	for (i = 0; i < REC_NFIELDS; i++) {
		if (dir_fields[i].attr == NULL || (op == LDAP_MOD_ADD && r->len[i] == 0))
			continue;
		dir_i_ms_add(ms, op, dir_fields[i].attr, r->f[i], r->len[i]);
	}
	if (ip || op != LDAP_MOD_ADD)
		dir_i_ms_add(ms, op, "ipHostNumber", ip ? r->f[6] : NULL, ip ? r->len[6] : 0);
	if (mac || op != LDAP_MOD_ADD)
		dir_i_ms_add(ms, op, "macAddress", mac ? r->f[5] : NULL, mac ? r->len[5] : 0);
}

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
	sort_array(ks, n, sizeof *ks, key_cmp);
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

ctys_err_t
dir_i_parse_new(const char *host, const char *const *lines, size_t n, struct newrec **out,
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
	sort_array(v, k, sizeof *v, newrec_cmp);
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

void
dir_i_newrecs_free(struct newrec *v, size_t n)
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

ctys_err_t
dir_i_entry_exists(struct dir_conn *c, const char *dn, bool *yes)
{
	char *attrs[] = { (char *)"1.1", NULL };

	*yes = false;
	return dir_i_search(c, dn, LDAP_SCOPE_BASE, "(objectClass=*)", attrs, exists_cb, yes);
}

ctys_err_t
dir_i_ensure_base(struct dir_conn *c)
{
	const char *base = dir_i_base(c);
	bool yes;
	ctys_err_t e;
	int rc;

	if (*dir_i_base_ok(c))
		return CTYS_OK;
	if ((e = dir_i_entry_exists(c, base, &yes)) != CTYS_OK)
		return e;
	if (!yes) {
		struct modset ms;
		const char *ocs[] = { "organizationalUnit" };
		const char *eq = strchr(base, '='), *comma = strchr(base, ',');

		if (strncasecmp(base, "ou=", 3) != 0 || eq == NULL)
			return ctys_seterr(CTYS_ERR_NOENT, "base DN '%s' does not exist", base);
		ms.n = 0;
		dir_i_ms_oc(&ms, LDAP_MOD_ADD, ocs, 1);
		dir_i_ms_add(&ms, LDAP_MOD_ADD, "ou", eq + 1,
		    comma ? (size_t)(comma - eq - 1) : strlen(eq + 1));
		if ((rc = ldap_add_ext_s(dir_i_ld(c), base, ms.p, NULL, NULL)) != LDAP_SUCCESS)
			return dir_i_lderr(c, rc, "add", base);
	}
	*dir_i_base_ok(c) = true;
	return CTYS_OK;
}

char *
dir_i_rec_dn(const char *key, const char *hostdn)
{
	return xasprintf(DIR_AT_KEY "=%s,%s", key, hostdn);
}

int
dir_i_collect_cb(void *arg, unsigned long index, const char *line, size_t len)
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
