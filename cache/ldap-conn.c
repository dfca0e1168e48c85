/*
 * ldap-conn.c — settings, connecting and binding, and paged reads of the
 * record and host entries (ldap-dir.h).
 */
#define LDAP_DEPRECATED 0
#include "cache/ldap-dir.h"

#include <errno.h>
#include <fcntl.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/stat.h>
#include <unistd.h>

#include "cache/ldap-int.h"
#include "cache/ldap-map.h"
#include "cache/record.h"
#include "lib/buf.h"
#include "lib/util.h"
#include "lib/xmalloc.h"

static char *
dup_or_null(const char *s)
{
	return (s != NULL && *s != '\0') ? xstrdup(s) : NULL;
}

ctys_err_t
dir_conf_load(const struct conf *c, struct dir_conf *out)
{
	const char *v;
	unsigned long t;
	size_t i;

	memset(out, 0, sizeof *out);
	out->timeout_s = 5;
	strv_split_ws(&out->uris, conf_get_or(c, "CTYS_LDAP_URI", ""));
	if (out->uris.n == 0) {
		dir_conf_free(out);
		return ctys_seterr(CTYS_ERR_USAGE, "CTYS_LDAP_URI is not set");
	}
	for (i = 0; i < out->uris.n; i++) {
		const char *u = out->uris.v[i];

		if (strncasecmp(u, "ldap://", 7) != 0 && strncasecmp(u, "ldaps://", 8) != 0 &&
		    strncasecmp(u, "ldapi://", 8) != 0) {
			ctys_seterr(CTYS_ERR_USAGE, "CTYS_LDAP_URI: '%s' is not an ldap://, "
			    "ldaps:// or ldapi:// URI", u);
			dir_conf_free(out);
			return CTYS_ERR_USAGE;
		}
	}
	if ((out->base = dup_or_null(conf_get(c, "CTYS_LDAP_BASE"))) == NULL) {
		dir_conf_free(out);
		return ctys_seterr(CTYS_ERR_USAGE, "CTYS_LDAP_BASE is not set");
	}
	out->binddn = dup_or_null(conf_get(c, "CTYS_LDAP_BINDDN"));
	out->pwfile = dup_or_null(conf_get(c, "CTYS_LDAP_BINDPW_FILE"));
	out->sasl_mech = dup_or_null(conf_get(c, "CTYS_LDAP_SASL_MECH"));
	out->cacert = dup_or_null(conf_get(c, "CTYS_LDAP_CACERT"));
	v = conf_get_or(c, "CTYS_LDAP_TLS", "none");
	if (str_ieq(v, "starttls"))
		out->tls = DIR_TLS_STARTTLS;
	else if (!str_ieq(v, "none") && !str_ieq(v, "ldaps")) {
		ctys_seterr(CTYS_ERR_USAGE, "CTYS_LDAP_TLS: '%s' is not none, starttls or "
		    "ldaps", v);
		dir_conf_free(out);
		return CTYS_ERR_USAGE;
	}
	v = conf_get_or(c, "CTYS_LDAP_TIMEOUT", "5");
	if (!parse_uint(v, 3600, &t) || t == 0) {
		ctys_seterr(CTYS_ERR_USAGE, "CTYS_LDAP_TIMEOUT: '%s' is not a number of "
		    "seconds (1-3600)", v);
		dir_conf_free(out);
		return CTYS_ERR_USAGE;
	}
	out->timeout_s = (int)t;
	if (out->binddn != NULL && out->pwfile == NULL && out->sasl_mech == NULL) {
		dir_conf_free(out);
		return ctys_seterr(CTYS_ERR_USAGE, "CTYS_LDAP_BINDDN is set but "
		    "CTYS_LDAP_BINDPW_FILE is not");
	}
	return CTYS_OK;
}

void
dir_conf_free(struct dir_conf *dc)
{
	strv_free(&dc->uris);
	free(dc->base);
	free(dc->binddn);
	free(dc->pwfile);
	free(dc->sasl_mech);
	free(dc->cacert);
	memset(dc, 0, sizeof *dc);
}

ctys_err_t
dir_read_password(const char *path, char **pw)
{
	struct stat st;
	char buf[1024];
	ssize_t n;
	size_t len;
	int fd;

	*pw = NULL;
	if ((fd = open(path, O_RDONLY | O_NOFOLLOW | O_CLOEXEC)) < 0)
		return ctys_seterr(errno == ENOENT ? CTYS_ERR_NOENT : CTYS_ERR_IO,
		    "cannot open bind password file '%s': %s", path, strerror(errno));
	if (fstat(fd, &st) != 0 || !S_ISREG(st.st_mode) || (st.st_mode & 077) != 0) {
		close(fd);
		return ctys_seterr(CTYS_ERR_USAGE, "bind password file '%s' must be a "
		    "regular file of mode 0600", path);
	}
	n = read(fd, buf, sizeof buf - 1);
	close(fd);
	if (n < 0)
		return ctys_seterr(CTYS_ERR_IO, "cannot read '%s': %s", path, strerror(errno));
	buf[n] = '\0';
	len = strcspn(buf, "\r\n");
	*pw = xstrndup(buf, len);
	explicit_bzero(buf, sizeof buf);
	return CTYS_OK;
}

struct dir_conn {
	LDAP *ld;
	bool base_ok;
	char *uri;
	char *base;
	int timeout_s;
};

/* Mechanisms that prompt (user, realm, password) are not supported: none
 * of the prompts is answered, EXTERNAL and GSSAPI need none. */
static int
sasl_interact(LDAP *ld, unsigned flags, void *defaults, void *in)
{
	(void)ld, (void)flags, (void)defaults, (void)in;
	return LDAP_SUCCESS;
}

/* Try one URI; on failure sets the error and returns non-OK. */
static ctys_err_t
try_uri(const struct dir_conf *dc, const char *uri, const char *pw, LDAP **out)
{
	struct timeval tv = { dc->timeout_s, 0 };
	int v3 = LDAP_VERSION3, demand = LDAP_OPT_X_TLS_DEMAND, zero = 0, rc;
	LDAP *ld;

	*out = NULL;
	if ((rc = ldap_initialize(&ld, uri)) != LDAP_SUCCESS)
		return ctys_seterr(CTYS_ERR_USAGE, "bad LDAP URI '%s': %s", uri,
		    ldap_err2string(rc));
	ldap_set_option(ld, LDAP_OPT_PROTOCOL_VERSION, &v3);
	ldap_set_option(ld, LDAP_OPT_NETWORK_TIMEOUT, &tv);
	ldap_set_option(ld, LDAP_OPT_TIMEOUT, &tv);
	ldap_set_option(ld, LDAP_OPT_REFERRALS, LDAP_OPT_OFF);
	if (dc->cacert != NULL)
		ldap_set_option(ld, LDAP_OPT_X_TLS_CACERTFILE, dc->cacert);
	ldap_set_option(ld, LDAP_OPT_X_TLS_REQUIRE_CERT, &demand);
	ldap_set_option(ld, LDAP_OPT_X_TLS_NEWCTX, &zero);
	if ((rc = ldap_connect(ld)) != LDAP_SUCCESS) {
		ctys_seterr(CTYS_ERR_IO, "directory unreachable: %s: %s", uri,
		    ldap_err2string(rc));
		goto fail;
	}
	{
		/* many small synchronous requests: never wait for Nagle */
		int fd = -1, one = 1;

		if (ldap_get_option(ld, LDAP_OPT_DESC, &fd) == LDAP_OPT_SUCCESS && fd >= 0 &&
		    strncasecmp(uri, "ldapi://", 8) != 0)
			(void)setsockopt(fd, IPPROTO_TCP, TCP_NODELAY, &one, sizeof one);
	}
	if (dc->tls == DIR_TLS_STARTTLS && strncasecmp(uri, "ldaps://", 8) != 0 &&
	    (rc = ldap_start_tls_s(ld, NULL, NULL)) != LDAP_SUCCESS) {
		char *diag = NULL;

		ldap_get_option(ld, LDAP_OPT_DIAGNOSTIC_MESSAGE, &diag);
		ctys_seterr(CTYS_ERR_IO, "StartTLS with %s failed: %s%s%s", uri,
		    ldap_err2string(rc), diag ? ": " : "", diag ? diag : "");
		ldap_memfree(diag);
		goto fail;
	}
	if (dc->sasl_mech != NULL) {
		rc = ldap_sasl_interactive_bind_s(ld, dc->binddn, dc->sasl_mech, NULL, NULL,
		    LDAP_SASL_QUIET, sasl_interact, NULL);
	} else if (dc->binddn != NULL) {
		struct berval cred = { pw ? strlen(pw) : 0, (char *)(pw ? pw : "") };

		rc = ldap_sasl_bind_s(ld, dc->binddn, LDAP_SASL_SIMPLE, &cred, NULL, NULL,
		    NULL);
	} else {
		rc = LDAP_SUCCESS; /* anonymous */
	}
	if (rc != LDAP_SUCCESS) {
		ctys_seterr(rc == LDAP_SERVER_DOWN || rc == LDAP_CONNECT_ERROR ||
		    rc == LDAP_TIMEOUT ? CTYS_ERR_IO : CTYS_ERR_USAGE,
		    "bind to %s as '%s' failed: %s", uri,
		    dc->binddn ? dc->binddn : "(sasl)", ldap_err2string(rc));
		goto fail;
	}
	*out = ld;
	return CTYS_OK;
fail:
	ldap_unbind_ext_s(ld, NULL, NULL);
	return CTYS_ERR_IO;
}

ctys_err_t
dir_connect(const struct dir_conf *dc, struct dir_conn **out)
{
	char *pw = NULL;
	ctys_err_t e = CTYS_ERR_IO;
	LDAP *ld = NULL;
	size_t i;

	*out = NULL;
	if ((e = ldap_dl_load()) != CTYS_OK)
		return e;
	if (dc->pwfile != NULL && dc->sasl_mech == NULL &&
	    (e = dir_read_password(dc->pwfile, &pw)) != CTYS_OK)
		return e;
	for (i = 0; i < dc->uris.n; i++) {
		e = try_uri(dc, dc->uris.v[i], pw, &ld);
		if (e == CTYS_OK)
			break;
	}
	if (pw != NULL) {
		explicit_bzero(pw, strlen(pw));
		free(pw);
	}
	if (e != CTYS_OK)
		return e;
	*out = xcalloc(1, sizeof **out);
	(*out)->ld = ld;
	(*out)->uri = xstrdup(dc->uris.v[i]);
	(*out)->base = xstrdup(dc->base);
	(*out)->timeout_s = dc->timeout_s;
	return CTYS_OK;
}

void
dir_close(struct dir_conn *c)
{
	if (c == NULL)
		return;
	ldap_unbind_ext_s(c->ld, NULL, NULL);
	free(c->uri);
	free(c->base);
	free(c);
}

const char *
dir_conn_uri(const struct dir_conn *c)
{
	return c->uri;
}

LDAP *
dir_i_ld(struct dir_conn *c)
{
	return c->ld;
}

bool *
dir_i_base_ok(struct dir_conn *c)
{
	return &c->base_ok;
}

const char *
dir_i_base(const struct dir_conn *c)
{
	return c->base;
}

ctys_err_t
dir_i_lderr(struct dir_conn *c, int rc, const char *what, const char *dn)
{
	char *diag = NULL;
	ctys_err_t e;

	ldap_get_option(c->ld, LDAP_OPT_DIAGNOSTIC_MESSAGE, &diag);
	e = ctys_seterr(CTYS_ERR_IO, "%s '%s' on %s failed: %s%s%s", what, dn, c->uri,
	    ldap_err2string(rc), diag && *diag ? ": " : "", diag ? diag : "");
	ldap_memfree(diag);
	return e;
}

#define PAGE_SIZE 1000

ctys_err_t
dir_i_search(struct dir_conn *c, const char *base, int scope, const char *filter,
    char **attrs, dir_i_entry_fn fn, void *arg)
{
	struct berval *cookie = NULL;
	struct timeval tv = { c->timeout_s, 0 };
	ctys_err_t e = CTYS_OK;
	size_t pages = 0;

	do {
		LDAPControl *page = NULL, *ctrls[2] = { NULL, NULL }, **sctrls = NULL, *pr;
		LDAPMessage *res = NULL, *ent;
		ber_int_t total = 0;
		int rc, err = LDAP_SUCCESS;

		if ((rc = ldap_create_page_control(c->ld, PAGE_SIZE, cookie, 0, &page)) !=
		    LDAP_SUCCESS) {
			e = dir_i_lderr(c, rc, "paged search", base);
			break;
		}
		ctrls[0] = page;
		rc = ldap_search_ext_s(c->ld, base, scope, filter, attrs, 0, ctrls, NULL, &tv,
		    LDAP_NO_LIMIT, &res);
		ldap_control_free(page);
		if (cookie != NULL)
			ber_bvfree(cookie), cookie = NULL;
		if (rc == LDAP_NO_SUCH_OBJECT) {
			ldap_msgfree(res);
			break; /* nothing published yet */
		}
		if (rc != LDAP_SUCCESS) {
			ldap_msgfree(res);
			e = dir_i_lderr(c, rc, "search", base);
			break;
		}
		for (ent = ldap_first_entry(c->ld, res); ent != NULL && e == CTYS_OK;
		    ent = ldap_next_entry(c->ld, ent))
			e = fn(arg, c->ld, ent);
		if (ldap_parse_result(c->ld, res, &err, NULL, NULL, NULL, &sctrls, 0) ==
		    LDAP_SUCCESS && (pr = ldap_control_find(LDAP_CONTROL_PAGEDRESULTS, sctrls,
		    NULL)) != NULL) {
			struct berval ck = { 0, NULL };

			if (ldap_parse_pageresponse_control(c->ld, pr, &total, &ck) ==
			    LDAP_SUCCESS && ck.bv_len > 0)
				cookie = ber_bvdup(&ck);
			ldap_memfree(ck.bv_val);
		}
		ldap_controls_free(sctrls);
		ldap_msgfree(res);
		/* bounded: each page returns entries; a server looping on a
		 * cookie for more than 10 million pages is broken */
	} while (e == CTYS_OK && cookie != NULL && ++pages < 10000000);
	if (cookie != NULL)
		ber_bvfree(cookie);
	return e;
}

/* ---- records ---- */

static char **
record_attrs(bool with_mtime)
{
	static char *a[REC_NFIELDS + 4];
	size_t i, k = 0;

	for (i = 0; i < REC_NFIELDS; i++)
		if (dir_fields[i].attr != NULL)
			a[k++] = (char *)dir_fields[i].attr;
	a[k++] = (char *)DIR_AT_KEY;
	a[k++] = with_mtime ? (char *)"entryCSN" : NULL;
	a[k] = NULL;
	return a;
}

char **
dir_i_record_attrs(bool with_mtime)
{
	return record_attrs(with_mtime);
}

/* Field number of an attribute; `hint` is the field expected next. */
static unsigned
attr_field(const char *a, unsigned hint)
{
	if (hint >= 1 && hint <= REC_NFIELDS && dir_fields[hint - 1].attr != NULL &&
	    strcasecmp(dir_fields[hint - 1].attr, a) == 0)
		return hint;
	return dir_field_by_attr(a);
}

ctys_err_t
dir_i_entry_rec(LDAP *ld, LDAPMessage *ent, struct dir_rec *r)
{
	struct berval *vals[REC_NFIELDS + 1] = { NULL };
	struct berval **keep[REC_NFIELDS + 2];
	struct buf line = BUF_INIT;
	BerElement *ber = NULL;
	char *a;
	unsigned f, hint = 1;
	size_t nkeep = 0, i;

	memset(r, 0, sizeof *r);
	for (a = ldap_first_attribute(ld, ent, &ber); a != NULL;
	    a = ldap_next_attribute(ld, ent, ber)) {
		struct berval **bv = ldap_get_values_len(ld, ent, a);

		if (bv != NULL && bv[0] != NULL) {
			if ((f = attr_field(a, hint)) != 0) {
				vals[f] = bv[0];
				keep[nkeep++] = bv;
				bv = NULL;
				hint = f + 1 == REC_FIELD_INDEX ? f + 2 : f + 1;
			} else if (strcasecmp(a, DIR_AT_KEY) == 0) {
				snprintf(r->key, sizeof r->key, "%.*s", (int)bv[0]->bv_len,
				    bv[0]->bv_val);
			} else if (strcasecmp(a, "entryCSN") == 0) {
				snprintf(r->mtime, sizeof r->mtime, "%.*s", (int)bv[0]->bv_len,
				    bv[0]->bv_val);
			}
		}
		ldap_value_free_len(bv);
		ldap_memfree(a);
	}
	ber_free(ber, 0);
	for (f = 1; f <= REC_NFIELDS; f++) {
		if (f > 1)
			buf_addc(&line, ';');
		if (vals[f] != NULL)
			buf_add(&line, vals[f]->bv_val, vals[f]->bv_len);
	}
	r->host = vals[1] ? xstrndup(vals[1]->bv_val, vals[1]->bv_len) : xstrdup("");
	for (i = 0; i < nkeep; i++)
		ldap_value_free_len(keep[i]);
	r->len = line.len;
	r->line = buf_detach(&line);
	return CTYS_OK;
}

void
dir_recs_free(struct dir_recs *r)
{
	size_t i;

	for (i = 0; i < r->n; i++) {
		free(r->v[i].host);
		free(r->v[i].line);
	}
	free(r->v);
	memset(r, 0, sizeof *r);
}

void
dir_i_recs_push(struct dir_recs *r, struct dir_rec *x)
{
	if (r->n == r->cap) {
		r->cap = r->cap ? r->cap * 2 : 256;
		r->v = xreallocarray(r->v, r->cap, sizeof *r->v);
	}
	r->v[r->n++] = *x;
}

static int
rec_cmp(const void *a, const void *b)
{
	const struct dir_rec *x = a, *y = b;
	size_t n = x->len < y->len ? x->len : y->len;
	int c = memcmp(x->line, y->line, n);

	if (c != 0)
		return c;
	return x->len < y->len ? -1 : x->len > y->len;
}

void
dir_recs_sort(struct dir_recs *r)
{
	if (r->n > 1)
		sort_array(r->v, r->n, sizeof *r->v, rec_cmp);
}

static ctys_err_t
fetch_cb(void *arg, LDAP *ld, LDAPMessage *ent)
{
	struct dir_rec r;
	ctys_err_t e;

	if ((e = dir_i_entry_rec(ld, ent, &r)) != CTYS_OK)
		return e;
	dir_i_recs_push(arg, &r);
	return CTYS_OK;
}

ctys_err_t
dir_fetch(struct dir_conn *c, const char *filter, bool with_mtime, struct dir_recs *out)
{
	return dir_i_search(c, c->base, LDAP_SCOPE_SUBTREE,
	    filter ? filter : "(objectClass=" DIR_OC_REC ")", record_attrs(with_mtime),
	    fetch_cb, out);
}

/* ---- hosts ---- */

void
dir_hosts_free(struct dir_hosts *h)
{
	size_t i;

	for (i = 0; i < h->n; i++)
		free(h->v[i].name);
	free(h->v);
	memset(h, 0, sizeof *h);
}

static ctys_err_t
host_cb(void *arg, LDAP *ld, LDAPMessage *ent)
{
	struct dir_hosts *h = arg;
	struct berval **n = ldap_get_values_len(ld, ent, "ctysHostName");
	struct berval **k = ldap_get_values_len(ld, ent, DIR_AT_COUNT);
	struct berval **m = ldap_get_values_len(ld, ent, "entryCSN");
	struct dir_host *x;

	if (n != NULL && n[0] != NULL) {
		h->v = xreallocarray(h->v, h->n + 1, sizeof *h->v);
		x = &h->v[h->n++];
		memset(x, 0, sizeof *x);
		x->name = xstrndup(n[0]->bv_val, n[0]->bv_len);
		if (k != NULL && k[0] != NULL) {
			char tmp[32];

			snprintf(tmp, sizeof tmp, "%.*s", (int)k[0]->bv_len, k[0]->bv_val);
			x->count = strtoul(tmp, NULL, 10);
		}
		if (m != NULL && m[0] != NULL)
			snprintf(x->mtime, sizeof x->mtime, "%.*s", (int)m[0]->bv_len,
			    m[0]->bv_val);
	}
	ldap_value_free_len(n);
	ldap_value_free_len(k);
	ldap_value_free_len(m);
	return CTYS_OK;
}

ctys_err_t
dir_fetch_hosts(struct dir_conn *c, const char *filter, struct dir_hosts *out)
{
	char *attrs[] = { (char *)"ctysHostName", (char *)DIR_AT_COUNT,
		(char *)"entryCSN", NULL };

	memset(out, 0, sizeof *out);
	return dir_i_search(c, c->base, LDAP_SCOPE_ONELEVEL,
	    filter ? filter : "(objectClass=" DIR_OC_HOST ")", attrs, host_cb, out);
}
