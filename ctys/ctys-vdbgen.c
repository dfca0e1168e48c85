/*
 * ctys-vdbgen — build the cache DB by running ENUMERATE=MACHINE on targets
 * (cache-db.md §2, ctys-vdbgen(1)).
 *
 * The targets are scanned in parallel (--threads) through the normal
 * dispatcher; the records of each target are written to the LMDB cache in
 * one transaction per containing machine as soon as its job succeeds, so a
 * reader never sees half a host and a failed host keeps its old records.
 * enum.fdb is written back at the end, so the original's tools keep
 * working on the same directory.
 */
#include <errno.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "cache/ldap-dir.h"
#include "cache/store.h"
#include "ctys/net.h"
#include "ctys/cli.h"
#include "ctys/dispatch.h"
#include "ctys/expand.h"
#include "lib/buf.h"
#include "lib/log.h"
#include "lib/paths.h"
#include "lib/proto.h"
#include "lib/strv.h"
#include "lib/util.h"
#include "lib/xmalloc.h"

#ifndef CTYS_VERSION
#define CTYS_VERSION "0.0.0"
#endif

enum mode { MODE_NONE, MODE_APPEND, MODE_REPLACE };

struct vdb {
	enum mode mode;
	bool stdio, all_states, progress;
	unsigned threads;
	char *dbdir, *base, *type, *types;
	struct strv pass;        /* options passed through to ctys */
	struct strv targets;
	struct cache_db *db;
	struct strv *recs;       /* per job: its records */
	struct strv done_hosts;  /* containing machines written in this run */
	bool ldap;               /* --ldap: publish them to the directory */
	struct strv gone_hosts;  /* removed from the cache by --replace */
	size_t njobs, ok, failed, raw, written;
	bool write_error;
};

static int
usage(FILE *f, int status)
{
	fprintf(f, "usage: ctys-vdbgen [--append|--replace] [--base=<dir>[%%<dir>...]] "
	    "[--cacheDB=<dir>]\n"
	    "                   [--scan-all-states] [--stdio] [--threads=<n>] [--progress]\n"
	    "                   [--ldap]\n"
	    "                   [-t <type>] [-T <types>] [<ctys options>...] -- <target>...\n"
	    "See ctys-vdbgen(1).\n");
	return status;
}

static bool
long_opt(const char *arg, const char *name, const char **val)
{
	size_t n = strlen(name);

	if (strncmp(arg, name, n) != 0)
		return false;
	if (arg[n] == '\0') {
		*val = NULL;
		return true;
	}
	if (arg[n] == '=') {
		*val = arg + n + 1;
		return true;
	}
	return false;
}

static int
parse_args(struct vdb *v, int argc, char **argv)
{
	const char *val;
	int i;
	unsigned long n;

	for (i = 1; i < argc; i++) {
		const char *a = argv[i];

		if (strcmp(a, "--") == 0) {
			for (i++; i < argc; i++)
				strv_push(&v->targets, argv[i]);
			if (v->targets.n == 0) {
				log_error("missing targets after '--' (use localhost for this machine)");
				return 1;
			}
			return 0;
		}
		if (strcmp(a, "--append") == 0)
			v->mode = MODE_APPEND;
		else if (strcmp(a, "--replace") == 0)
			v->mode = MODE_REPLACE;
		else if (strcmp(a, "--stdio") == 0)
			v->stdio = true;
		else if (strcmp(a, "--scan-all-states") == 0)
			v->all_states = true;
		else if (strcmp(a, "--ldap") == 0)
			v->ldap = true;
		else if (strcmp(a, "--progress") == 0 || strcmp(a, "--progressall") == 0)
			v->progress = true;
		else if (long_opt(a, "--base", &val) && val && *val) {
			free(v->base);
			v->base = xstrdup(val);
		} else if (long_opt(a, "--cacheDB", &val) && val && *val) {
			free(v->dbdir);
			v->dbdir = xstrdup(val);
		} else if (long_opt(a, "--threads", &val)) {
			if (val == NULL || !parse_uint(val, 1000, &n) || n == 0) {
				log_error("--threads needs a number from 1 to 1000, got '%s'",
				    val ? val : "");
				return 1;
			}
			v->threads = (unsigned)n;
		} else if (strcmp(a, "-h") == 0 || strcmp(a, "--help") == 0) {
			return usage(stdout, 0) - 100;
		} else if (strcmp(a, "-V") == 0) {
			printf("ctys-vdbgen %s\n", CTYS_VERSION);
			return -100;
		} else if ((strcmp(a, "-t") == 0 || strcmp(a, "-T") == 0) && i + 1 < argc) {
			free(a[1] == 't' ? v->type : v->types);
			if (a[1] == 't')
				v->type = xstrdup(argv[++i]);
			else
				v->types = xstrdup(argv[++i]);
		} else if (strncmp(a, "--", 2) == 0) {
			log_error("unknown option '%s'", a);
			return 1;
		} else {
			strv_push(&v->pass, a);  /* a ctys option, passed through */
		}
	}
	log_error("missing '--' before the targets (use '-- localhost' for this machine)");
	return 1;
}

/* The ctys command line that scans the targets. */
static char *
scan_line(const struct vdb *v)
{
	struct buf b = BUF_INIT;
	size_t i;
	bool has_action = false;

	for (i = 0; i < v->pass.n; i++)
		if (strncmp(v->pass.v[i], "-a", 2) == 0)
			has_action = true;
	buf_addf(&b, "-t %s -T %s", v->type ? v->type : "ALL", v->types ? v->types : "ALL");
	if (!has_action) {
		buf_addf(&b, " -a enumerate=matchvstat:%sactive%%disabled%%empty,machine",
		    v->all_states ? "all%" : "");
		if (v->base) {
			buf_adds(&b, ",b:");
			for (const char *p = v->base; *p; p++)
				buf_addc(&b, *p == ' ' ? '%' : *p);
		}
	}
	buf_adds(&b, " -C off -c off -b sync,par");
	cli_add_targets(&b, &v->pass, &v->targets);
	return buf_detach(&b);
}

static void
on_record(void *ctx, const struct job *j, const json_t *rec)
{
	struct vdb *v = ctx;
	json_t *f = json_object_get(rec, "fields"), *x;
	struct buf b = BUF_INIT;
	size_t k;

	if (strcmp(proto_str(rec, "kind"), "enum") != 0)
		return;
	json_array_foreach(f, k, x) {
		if (k)
			buf_addc(&b, ';');
		buf_adds(&b, json_string_value(x) ? json_string_value(x) : "");
	}
	v->raw++;
	if (v->stdio)
		printf("%s\n", buf_cstr(&b));
	strv_push_owned(&v->recs[j->id - 1], buf_detach(&b));
}

static int
cmp_str(const void *a, const void *b)
{
	return strcmp(*(char *const *)a, *(char *const *)b);
}

/* Existing records of `host` (append mode keeps them). */
static int
collect_existing(void *arg, unsigned long index, const char *line, size_t len)
{
	struct strv *out = arg;
	struct buf b = BUF_INIT;
	size_t i, field = 1;

	(void)index;
	/* field 32 carries the record index when read back: store it empty again */
	for (i = 0; i < len; i++) {
		if (line[i] == ';')
			field++;
		else if (field == 32)
			continue;
		buf_addc(&b, line[i]);
	}
	strv_push_owned(out, buf_detach(&b));
	return 0;
}

/* Write the records of one job, one transaction per containing machine. */
static void
write_job(struct vdb *v, struct strv *recs)
{
	size_t i, k, start;
	struct strv host = STRV_INIT;
	ctys_err_t e;

	if (recs->n == 0)
		return;
	if (v->mode == MODE_APPEND) {
		/* add each host's stored records before sorting */
		size_t n0 = recs->n;

		for (i = 0; i < n0; i++) {
			size_t l = strcspn(recs->v[i], ";");
			char *h = xstrndup(recs->v[i], l);
			bool seen = false;

			for (k = 0; k < i; k++)
				seen |= strncmp(recs->v[k], h, l) == 0 && recs->v[k][l] == ';';
			if (!seen)
				cache_lookup(v->db, 1, h, l, collect_existing, recs);
			free(h);
		}
	}
	sort_array(recs->v, recs->n, sizeof *recs->v, cmp_str);
	for (start = 0; start < recs->n; start = i) {
		size_t l = strcspn(recs->v[start], ";");

		strv_free(&host);
		for (i = start; i < recs->n && strncmp(recs->v[i], recs->v[start], l) == 0 &&
		    recs->v[i][l] == ';'; i++) {
			/* sorted-unique, as the original's sort -u */
			if (host.n == 0 || strcmp(host.v[host.n - 1], recs->v[i]) != 0)
				strv_push(&host, recs->v[i]);
		}
		{
			char *h = xstrndup(recs->v[start], l);

			e = cache_put_host(v->db, h, (const char *const *)host.v, host.n);
			if (e != CTYS_OK) {
				log_error("cannot write the records of '%s': %s", h, ctys_errmsg());
				v->write_error = true;
			} else {
				v->written += host.n;
				strv_push(&v->done_hosts, h);
			}
			free(h);
		}
	}
	strv_free(&host);
}

static void
on_status(void *ctx, const struct job *j, int code, const char *hop, const char *error)
{
	struct vdb *v = ctx;
	struct buf addr = BUF_INIT;

	job_address(&addr, j);
	if (code != 0) {
		v->failed++;
		/* the dispatcher printed the reason already */
		fprintf(stderr, "ctys-vdbgen: %s: scan failed at '%s' (status %d); its old records "
		    "are kept\n", buf_cstr(&addr), hop, code);
		(void)error;
	} else {
		v->ok++;
		if (!v->stdio && v->db)
			write_job(v, &v->recs[j->id - 1]);
	}
	if (v->progress && isatty(2))
		fprintf(stderr, "\rctys-vdbgen: %zu/%zu targets done", v->ok + v->failed, v->njobs);
	strv_free(&v->recs[j->id - 1]);
	buf_free(&addr);
}

/* The DB directory: --cacheDB, DEFAULT_VDBGEN_DB, first of DEFAULT_DBPATHLST. */
static ctys_err_t
prepare_db(struct vdb *v, const struct conf *conf)
{
	char *parent, *fdb;
	struct stat st;
	const char *d = v->dbdir;

	if (d == NULL)
		d = conf_get(conf, "DEFAULT_VDBGEN_DB");
	if (d == NULL || *d == '\0') {
		const char *l = conf_get_or(conf, "DEFAULT_DBPATHLST", "");

		v->dbdir = xstrndup(l, strcspn(l, ":"));
	} else if (d != v->dbdir) {
		v->dbdir = xstrdup(d);
	}
	if (*v->dbdir == '\0')
		return ctys_seterr(CTYS_ERR_NOENT, "no cache DB directory: give --cacheDB=<dir>");
	parent = xstrdup(v->dbdir);
	if (strrchr(parent, '/'))
		*strrchr(parent, '/') = '\0';
	fdb = xasprintf("%s/enum.fdb", *parent ? parent : "/");
	if (access(fdb, F_OK) == 0) {
		ctys_seterr(CTYS_ERR_USAGE, "'%s' is inside another cache DB (%s): not nested", v->dbdir,
		    fdb);
		free(parent);
		free(fdb);
		return CTYS_ERR_USAGE;
	}
	free(fdb);
	if (stat(v->dbdir, &st) != 0) {
		if (*parent && stat(parent, &st) != 0) {
			ctys_seterr(CTYS_ERR_NOENT, "cannot create '%s': its parent does not exist",
			    v->dbdir);
			free(parent);
			return CTYS_ERR_NOENT;
		}
		if (mkdir(v->dbdir, 0755) != 0) {
			free(parent);
			return ctys_seterr(CTYS_ERR_IO, "cannot create '%s': %s", v->dbdir,
			    strerror(errno));
		}
	}
	free(parent);
	fdb = xasprintf("%s/enum.fdb", v->dbdir);
	if (access(fdb, F_OK) == 0 && v->mode == MODE_NONE) {
		ctys_seterr(CTYS_ERR_USAGE, "'%s' exists: give --append or --replace", fdb);
		free(fdb);
		return CTYS_ERR_USAGE;
	}
	free(fdb);
	/* a new DB: empty enum.fdb and macmap.fdb, as the original starts */
	for (const char *const *n = (const char *const[]){ "enum.fdb", "macmap.fdb", NULL }; *n; n++) {
		fdb = xasprintf("%s/%s", v->dbdir, *n);
		if (access(fdb, F_OK) != 0) {
			FILE *f = fopen(fdb, "w");

			if (f == NULL || fclose(f) != 0) {
				ctys_seterr(CTYS_ERR_IO, "cannot create '%s': %s", fdb, strerror(errno));
				free(fdb);
				return CTYS_ERR_IO;
			}
		}
		free(fdb);
	}
	if (v->mode == MODE_NONE)
		v->mode = MODE_REPLACE;
	return cache_open(v->dbdir, 0, &v->db);
}

struct hostset {
	struct vdb *v;
	const struct plan *p;
	struct strv stale;
};

/* --replace: hosts neither rescanned nor named by a failed target go. */
static int
find_stale(void *arg, unsigned long index, const char *line, size_t len)
{
	struct hostset *hs = arg;
	size_t l = strcspn(line, ";"), i;

	(void)index;
	(void)len;
	for (i = 0; i < hs->v->done_hosts.n; i++)
		if (strlen(hs->v->done_hosts.v[i]) == l && strncmp(hs->v->done_hosts.v[i], line, l) == 0)
			return 0;
	for (i = 0; i < hs->p->n; i++) {
		const struct hop *h = &hs->p->v[i].hops[hs->p->v[i].nhops - 1];

		if (strlen(h->host) == l && strncmp(h->host, line, l) == 0)
			return 0;
	}
	for (i = 0; i < hs->stale.n; i++)
		if (strlen(hs->stale.v[i]) == l && strncmp(hs->stale.v[i], line, l) == 0)
			return 0;
	strv_pushn(&hs->stale, line, l);
	return 0;
}

/*
 * --ldap: publish the hosts written in this run (and delete those that
 * --replace removed) to the directory, each in one pass (ctys-ldap(5)).
 */
static int
publish_ldap(struct vdb *v, struct conf *conf)
{
	struct dir_pub_stats st = { 0 };
	struct dir_conn *c = NULL;
	struct dir_conf dc;
	ctys_err_t e;
	size_t i;

	if ((e = dir_conf_load(conf, &dc)) != CTYS_OK) {
		log_lasterr(e);
		return 1;
	}
	if ((e = dir_connect(&dc, &c)) == CTYS_OK) {
		if (v->done_hosts.n > 0)
			e = dir_publish_cache(c, v->db, &v->done_hosts, false, &st);
		for (i = 0; i < v->gone_hosts.n && e == CTYS_OK; i++)
			e = dir_publish_host(c, v->gone_hosts.v[i], NULL, 0, &st);
	}
	if (e != CTYS_OK)
		log_lasterr(e);
	else
		fprintf(stderr, "ctys-vdbgen: published %zu host(s) to %s: %zu added, "
		    "%zu modified, %zu deleted, %zu unchanged\n", st.hosts, dir_conn_uri(c),
		    st.added, st.modified, st.deleted, st.unchanged);
	dir_close(c);
	dir_conf_free(&dc);
	return e == CTYS_OK ? 0 : 1;
}

int
main(int argc, char **argv)
{
	struct vdb v;
	struct conf *conf = conf_new();
	struct expander ex;
	struct dispatch_cfg dc;
	struct cli c;
	char *line;
	int rc, status = 0;
	ctys_err_t e;
	size_t i;

	ctys_net_enable();

	log_init(argv[0]);
	signal(SIGPIPE, SIG_IGN);
	memset(&v, 0, sizeof v);
	if ((rc = parse_args(&v, argc, argv)) != 0) {
		conf_free(conf);
		strv_free(&v.pass);
		strv_free(&v.targets);
		free(v.dbdir);
		free(v.base);
		free(v.type);
		free(v.types);
		return rc < 0 ? 0 : rc;
	}
	if ((e = ctys_conf_load(conf)) != CTYS_OK) {
		log_lasterr(e);
		return ctys_exit_status(e);
	}
	if (v.threads == 0)
		v.threads = (unsigned)atoi(conf_get_or(conf, "CTYS_VDBGEN_PARTARGETS", "10"));
	line = scan_line(&v);
	expander_init(&ex, conf);
	e = cli_parse(&c, conf, &ex.hooks, line);
	free(line);
	if (e != CTYS_OK) {
		log_lasterr(e);
		status = ctys_exit_status(e);
		goto out;
	}
	if (!v.stdio && (e = prepare_db(&v, conf)) != CTYS_OK) {
		log_lasterr(e);
		status = ctys_exit_status(e);
		goto out;
	}
	v.njobs = c.plan.n;
	v.recs = xcalloc(c.plan.n ? c.plan.n : 1, sizeof *v.recs);
	dispatch_cfg_from_conf(&dc, conf);
	dc.fanout = v.threads;
	dc.out = stdout;
	dc.err = stderr;
	dc.on_record = on_record;
	dc.on_status = on_status;
	dc.hook_ctx = &v;
	status = dispatch_run(&dc, &c.plan);
	if (v.progress && isatty(2))
		fputc('\n', stderr);
	if (v.db && v.mode == MODE_REPLACE) {
		struct hostset hs = { &v, &c.plan, STRV_INIT };

		cache_scan(v.db, find_stale, &hs);
		for (i = 0; i < hs.stale.n; i++) {
			if (cache_put_host(v.db, hs.stale.v[i], NULL, 0) != CTYS_OK)
				v.write_error = true;
			strv_push(&v.gone_hosts, hs.stale.v[i]);
		}
		strv_free(&hs.stale);
	}
	if (v.db && (e = cache_export(v.db, v.dbdir)) != CTYS_OK) {
		log_lasterr(e);
		v.write_error = true;
	}
	if (v.db && v.ldap && !v.write_error && publish_ldap(&v, conf) != 0)
		v.write_error = true;
	if (!v.stdio)
		fprintf(stderr, "ctys-vdbgen: %s %s: %zu targets, %zu scanned, %zu failed, "
		    "%zu records received, %zu written, %zu in the cache\n",
		    v.mode == MODE_APPEND ? "append to" : "replace", v.dbdir, v.njobs, v.ok, v.failed,
		    v.raw, v.written, v.db ? cache_count(v.db) : 0);
	if (v.write_error && status == 0)
		status = 2;
	free(v.recs);
out:
	if (v.db)
		cache_close(v.db);
	cli_free(&c);
	expander_free(&ex);
	conf_free(conf);
	strv_free(&v.pass);
	strv_free(&v.targets);
	strv_free(&v.done_hosts);
	strv_free(&v.gone_hosts);
	free(v.dbdir);
	free(v.base);
	free(v.type);
	free(v.types);
	return status;
}
