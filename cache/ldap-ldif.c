/*
 * ldap-ldif.c — the cache as LDIF for slapadd (ctys-ldap ldif), laid out
 * as publishing writes it (ctys-ldap(5)).
 */
#define LDAP_DEPRECATED 0
#include "cache/ldap-dir.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "cache/ldap-int.h"
#include "cache/ldap-map.h"
#include "lib/buf.h"
#include "lib/xmalloc.h"

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

	if ((e = cache_scan(db, dir_i_collect_cb, &h)) != CTYS_OK)
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
		dir_i_ms_oc(&ms, LDAP_MOD_ADD, ocs, 1);
		dir_i_ms_add(&ms, LDAP_MOD_ADD, "ou", eq + 1,
		    comma ? (size_t)(comma - eq - 1) : strlen(eq + 1));
		ldif_entry(out, base, &ms);
	}
	for (i = 0; i < h.hosts.n && e == CTYS_OK; i++) {
		const char *host = h.hosts.v[i];
		const char *ocs[] = { "device", DIR_OC_HOST };
		char *hostdn = dir_i_host_dn(base, host), cnt[32];
		struct newrec *nv = NULL;
		size_t nn = 0;

		if ((e = dir_i_parse_new(host, (const char *const *)h.lines[i].v, h.lines[i].n, &nv,
		    &nn)) != CTYS_OK) {
			free(hostdn);
			break;
		}
		snprintf(cnt, sizeof cnt, "%zu", nn);
		host_count[i] = nn;
		ms.n = 0;
		dir_i_ms_oc(&ms, LDAP_MOD_ADD, ocs, 2);
		dir_i_ms_add(&ms, LDAP_MOD_ADD, "cn", host, strlen(host));
		dir_i_ms_add(&ms, LDAP_MOD_ADD, "ctysHostName", host, strlen(host));
		dir_i_ms_add(&ms, LDAP_MOD_ADD, DIR_AT_COUNT, cnt, strlen(cnt));
		ldif_entry(out, hostdn, &ms);
		for (k = 0; k < nn; k++) {
			char *dn = dir_i_rec_dn(nv[k].key, hostdn);

			dir_i_record_mods(&ms, LDAP_MOD_ADD, &nv[k].r, nv[k].key, hostdn, nv[k].line,
			    nv[k].len);
			ldif_entry(out, dn, &ms);
			free(dn);
		}
		dir_i_newrecs_free(nv, nn);
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
