/* resolve.c — see resolve.h. */
#include "ctys/resolve.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "agents/plugin.h"
#include "cache/ldap-dir.h"
#include "cache/query.h"
#include "cache/record.h"
#include "cache/store.h"
#include "ctys/action.h"
#include "ctys/net.h"
#include "ctys/stackcheck.h"
#include "ctys/subopt.h"
#include "lib/buf.h"
#include "lib/log.h"
#include "lib/strv.h"
#include "lib/util.h"
#include "lib/xmalloc.h"

/* The address suboptions of a job, canonical keys. */
struct addr {
	const char *label, *id, *uuid, *mac, *tcp, *fname, *base;
};

static void
addr_of(const struct job *j, const struct subopts *so, struct addr *a)
{
	size_t i;

	memset(a, 0, sizeof *a);
	for (i = 0; i < so->n; i++) {
		const struct subopt_def *d = action_subopt(j->opts.action, so->v[i].key);
		const char *v = so->v[i].arg;

		if (v == NULL || *v == '\0')
			continue;
		if (subopt_def_is(d, "LABEL"))
			a->label = v;
		else if (subopt_def_is(d, "ID"))
			a->id = v;
		else if (subopt_def_is(d, "UUID"))
			a->uuid = v;
		else if (subopt_def_is(d, "MAC"))
			a->mac = v;
		else if (subopt_def_is(d, "TCP"))
			a->tcp = v;
		else if (subopt_def_is(d, "FILENAME"))
			a->fname = v;
		else if (subopt_def_is(d, "BASEPATH"))
			a->base = v;
	}
}

/*
 * "F:<n>:^<value quoted for an ERE>$", or with `domain` "...(\..*)?$": the
 * value, or the value followed by a domain.
 */
static char *
match_term(unsigned field, const char *v, bool domain)
{
	struct buf b = BUF_INIT;

	buf_addf(&b, "F:%u:^", field);
	for (; *v; v++) {
		/* an F: pattern cannot hold ':' (cache-db.md §4.1): '.' stands in */
		if (*v == ':') {
			buf_addc(&b, '.');
			continue;
		}
		if (strchr("\\.[]()*+?{}|^$", *v))
			buf_addc(&b, '\\');
		buf_addc(&b, *v);
	}
	buf_adds(&b, domain ? "(\\..*)?$" : "$");
	return buf_detach(&b);
}

static char *
exact_term(unsigned field, const char *v)
{
	return match_term(field, v, false);
}

static bool
is_address(const char *s)
{
	return strspn(s, "0123456789.") == strlen(s) || strchr(s, ':') != NULL;
}

/* The distinct machines (by field 4, the config path) among the hits. */
static size_t
distinct_ids(const struct query_result *r, struct rec *first)
{
	struct strv ids = STRV_INIT;
	size_t i, k, n = 0;

	for (i = 0; i < r->n; i++) {
		size_t len;
		const char *id = rec_field_view(r->v[i].line, r->v[i].len, 4, &len);
		bool seen = false;

		for (k = 0; k < ids.n; k++)
			seen |= strlen(ids.v[k]) == len && strncmp(ids.v[k], id, len) == 0;
		if (!seen) {
			strv_pushn(&ids, id, len);
			if (n++ == 0)
				rec_parse(r->v[i].line, r->v[i].len, first);
		}
	}
	strv_free(&ids);
	return n;
}

static void
add_part(struct buf *b, const char *key, const char *v, size_t len)
{
	char *val;

	if (len == 0)
		return;
	val = xstrndup(v, len);
	if (b->len)
		buf_addc(b, ',');
	subopt_encode(b, key, val);
	free(val);
}

struct lookup {
	struct cache_db *db;       /* opened on first need */
	bool db_tried;
	struct dir_session dir;
	struct query_source dsrc;
	bool dir_tried, dir_ok;
};

static ctys_err_t
run_query(struct lookup *lk, const char *dbdir, struct strv *terms, bool *asked,
    struct query_result *res)
{
	struct query *q = NULL;
	struct query_source src;
	ctys_err_t e;

	*asked = false;
	if ((e = query_compile((const char *const *)terms->v, terms->n, 0, &q)) != CTYS_OK)
		return e;
	if (!lk->db_tried) {
		lk->db_tried = true;
		if (dbdir && cache_open(dbdir, 0, &lk->db) != CTYS_OK) {
			log_warn(2, "no cache DB for name resolution: %s", ctys_errmsg());
			lk->db = NULL;
		}
	}
	if (lk->db) {
		query_source_cache(&src, lk->db);
		*asked = true;
		e = query_run(q, &src, res);
	}
	if (e == CTYS_OK && res->n == 0 && getenv("CTYS_LDAP_URI")) {
		if (!lk->dir_tried) {
			lk->dir_tried = true;
			lk->dir_ok = ctys_net ? ctys_net->dir_open(&lk->dir, &lk->dsrc) == CTYS_OK :
			    ctys_seterr(CTYS_ERR_INTERNAL, "no LDAP client in this program") == CTYS_OK;
			if (!lk->dir_ok)
				log_warn(1, "LDAP directory not used for name resolution: %s",
				    ctys_errmsg());
		}
		if (lk->dir_ok) {
			*asked = true;
			e = query_run(q, &lk->dsrc, res);
		}
	}
	query_free(q);
	return e;
}

/* Resolve job j's machine address; its record is moved to *keep. */
static ctys_err_t
resolve_job(struct job *j, struct lookup *lk, const char *dbdir, struct rec *keep)
{
	const struct hop *top = &j->hops[j->nhops - 1];
	struct subopts so;
	struct addr a;
	struct strv terms = STRV_INIT;
	struct query_result res = { 0 };
	struct rec r = { 0 };
	struct buf pre = BUF_INIT;
	size_t n, len;
	const char *v;
	bool asked;
	ctys_err_t e;

	if (j->opts.subopts == NULL || subopt_scan(j->opts.subopts, &so) != CTYS_OK)
		return CTYS_OK;
	addr_of(j, &so, &a);
	if ((a.id && a.id[0] == '/') ||
	    !(a.label || a.uuid || a.mac || a.tcp || a.fname || a.id)) {
		subopt_free(&so);
		return CTYS_OK;
	}
	strv_push_owned(&terms, exact_term(1, top->host));
	strv_push_owned(&terms, exact_term(2, j->type));
	if (a.label)
		strv_push_owned(&terms, exact_term(3, a.label));
	if (a.uuid)
		strv_push_owned(&terms, exact_term(5, a.uuid));
	if (a.mac)
		strv_push_owned(&terms, exact_term(6, a.mac));
	/* TCP:<name> (the original's "t:lab01") names the machine's NETNAME */
	if (a.tcp)
		strv_push_owned(&terms, is_address(a.tcp) ? exact_term(7, a.tcp) :
		    match_term(28, a.tcp, true));
	if (a.fname)  /* FILENAME is a pattern in the config path */
		strv_push_owned(&terms, xasprintf("F:4:%s", a.fname));
	strv_push_owned(&terms, exact_term(44, top->user));
	e = run_query(lk, dbdir, &terms, &asked, &res);
	strv_free(&terms);
	if (e != CTYS_OK)
		goto out;
	n = distinct_ids(&res, &r);
	if (n > 1) {
		e = ctys_seterr(CTYS_ERR_AMBIGUOUS, "address of job %u on '%s' is ambiguous: %zu "
		    "machines in the cache DB match (name more of it, or use ID:<path>)", j->id,
		    top->host, n);
		goto out;
	}
	if (n == 0) {
		if (j->opts.cache_only)
			e = ctys_seterr(CTYS_ERR_NOTFOUND, "job %u: no machine in the cache DB matches "
			    "its address on '%s' (-c ONLY)", j->id, top->host);
		else if (asked)
			log_warn(2, "job %u: cache error for requested resolution, continue with scan",
			    j->id);
		goto out;
	}
	if (a.base)
		add_part(&pre, "B", a.base, strlen(a.base));
	add_part(&pre, "T", r.f[6], r.len[6]);
	add_part(&pre, "M", r.f[5], r.len[5]);
	add_part(&pre, "U", r.f[4], r.len[4]);
	add_part(&pre, "L", r.f[2], r.len[2]);
	add_part(&pre, "P", r.f[3], r.len[3]);
	v = strrchr(r.f[3], '/');
	v = v ? v + 1 : r.f[3];
	len = strlen(v);
	add_part(&pre, "F", v, len);
	if (pre.len) {
		char *s = xasprintf("%s,%s", buf_cstr(&pre), j->opts.subopts);

		free(j->opts.subopts);
		j->opts.subopts = s;
	}
	*keep = r;
	memset(&r, 0, sizeof r);
out:
	rec_free(&r);
	buf_free(&pre);
	query_result_free(&res);
	subopt_free(&so);
	return e;
}

/* Is `name` a Host (exact, no pattern) of the ssh configuration at path? */
static bool
ssh_config_has(const char *path, const char *name)
{
	FILE *f;
	char line[1024], *p, *tok, *save;
	bool found = false;

	if (path == NULL || (f = fopen(path, "r")) == NULL)
		return false;
	while (!found && fgets(line, sizeof line, f)) {
		p = line + strspn(line, " \t");
		if (strncasecmp(p, "Host", 4) != 0 || (p[4] != ' ' && p[4] != '\t' && p[4] != '='))
			continue;
		for (tok = strtok_r(p + 5, " \t=\r\n", &save); tok && !found;
		    tok = strtok_r(NULL, " \t\r\n", &save))
			found = strcmp(tok, name) == 0;
	}
	fclose(f);
	return found;
}

/*
 * Stack mode: every level above the first of a VMSTACK job must be known
 * here (stacks.md: "VMSTACK operation depends on the cacheDB") — a machine
 * in the cache DB or the directory by LABEL or TCP, a Host of the client's
 * ssh configuration, or an address — so that a misspelt level fails before
 * anything starts.
 */
static ctys_err_t
stack_hops_known(const struct job *j, struct lookup *lk, const char *dbdir, const char *sshcfg)
{
	static const unsigned fields[] = { 3, 7 };
	size_t h, k;
	ctys_err_t e;

	for (h = 1; h < j->nhops; h++) {
		const char *name = j->hops[h].host;
		bool known = is_address(name) || ssh_config_has(sshcfg, name), asked;

		for (k = 0; !known && k < sizeof fields / sizeof *fields; k++) {
			struct strv terms = STRV_INIT;
			struct query_result res = { 0 };

			strv_push_owned(&terms, exact_term(fields[k], name));
			e = run_query(lk, dbdir, &terms, &asked, &res);
			strv_free(&terms);
			known = e == CTYS_OK && res.n > 0;
			query_result_free(&res);
		}
		if (!known)
			return ctys_seterr(CTYS_ERR_NOTFOUND, "job %u: stack level %zu '%s' cannot be "
			    "found: not in the cache DB (LABEL or TCP), not a Host of %s, not an "
			    "address", j->id, h, name, sshcfg ? sshcfg : "the ssh configuration");
	}
	return CTYS_OK;
}

ctys_err_t
resolve_plan(struct plan *p, const struct conf *conf)
{
	struct lookup lk;
	const char *l = conf_get(conf, "DBPATHLST"), *sshcfg = conf_get(conf, "CTYS_SSH_CONFIG");
	struct rec *recs;
	char *dflt = l ? xstrndup(l, strcspn(l, ":")) : NULL, *home_cfg = NULL;
	ctys_err_t e = CTYS_OK;
	size_t i;

	memset(&lk, 0, sizeof lk);
	recs = p->n ? xcalloc(p->n, sizeof *recs) : NULL;
	if (sshcfg == NULL && getenv("HOME"))
		sshcfg = home_cfg = xasprintf("%s/.ssh/config", getenv("HOME"));
	for (i = 0; i < p->n && e == CTYS_OK; i++) {
		struct job *j = &p->v[i];
		const struct plugin_desc *pd = plugin_lookup(j->type, strlen(j->type));
		enum ctys_action a = j->opts.action->id;

		if ((j->opts.bmode & BM_STACK) && j->nhops > 1 && j->opts.cache != CACHE_OFF &&
		    (e = stack_hops_known(j, &lk, j->opts.dbpath ? j->opts.dbpath : dflt, sshcfg)) !=
		    CTYS_OK)
			break;
		if ((a != CTYS_ACT_CREATE && a != CTYS_ACT_CANCEL) || pd == NULL ||
		    pd->category == PLUGIN_HOST || j->opts.cache == CACHE_OFF ||
		    j->opts.cache == CACHE_REMOTE)
			continue;
		e = resolve_job(j, &lk, j->opts.dbpath ? j->opts.dbpath : dflt, &recs[i]);
	}
	if (e == CTYS_OK)
		e = stackcheck_plan(p, recs);
	for (i = 0; i < p->n; i++)
		rec_free(&recs[i]);
	free(recs);
	if (lk.db)
		cache_close(lk.db);
	if (lk.dir_ok)
		ctys_net->dir_close(&lk.dir);
	free(dflt);
	free(home_cfg);
	return e;
}
