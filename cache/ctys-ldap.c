/*
 * ctys-ldap — the LDAP nameservice of the machine cache (ctys-ldap(1),
 * ctys-ldap(5)): print the schema, publish the cache to the directory,
 * publish groups as netgroups, sync the directory into the cache, resolve
 * a name (cache, then directory), export LDIF.
 */
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "cache/ldap-dir.h"
#include "cache/ldap-map.h"
#include "cache/store.h"
#include "lib/buf.h"
#include "lib/conf.h"
#include "lib/log.h"
#include "lib/paths.h"
#include "lib/strv.h"
#include "lib/util.h"
#include "lib/xmalloc.h"
#include "macros/group.h"

struct ctx {
	struct conf *conf;
	const char *dbdir;
	int argc;
	char **argv;
};

static int
fail(ctys_err_t e)
{
	log_lasterr(e);
	return ctys_exit_status(e);
}

static int
usage(FILE *f, int rc)
{
	fprintf(f, "usage: ctys-ldap [-p <db-dir>] [-d <dbg>] [-h] [-V] <command> [<args>]\n"
	    "  schema [--ldif]              print the schema (slapd.conf or cn=config)\n"
	    "  publish [--prune] [<host>...] write the cache's records to the directory\n"
	    "  netgroup <group>...          publish ctys groups as nisNetgroup entries\n"
	    "  sync [--full]                pull the directory into the cache\n"
	    "  resolve [--no-cache] <name>... label/MAC/UUID/IP: cache, then directory\n"
	    "  ldif [--with-base]           print the cache as LDIF for slapadd\n"
	    "  status                       connect, show the URI and the last sync\n"
	    "See ctys-ldap(1) and ctys-ldap(5).\n");
	return rc;
}

static const char *
default_dbdir(struct ctx *x)
{
	static char first[4096];
	const char *l;

	if (x->dbdir != NULL)
		return x->dbdir;
	l = conf_get_or(x->conf, "DBPATHLST", conf_get(x->conf, "DEFAULT_DBPATHLST"));
	if (l == NULL)
		l = "";
	snprintf(first, sizeof first, "%.*s", (int)strcspn(l, ":"), l);
	return first;
}

static int
open_dir(struct ctx *x, struct dir_conf *dc, struct dir_conn **c)
{
	ctys_err_t e;

	if ((e = dir_conf_load(x->conf, dc)) != CTYS_OK)
		return fail(e);
	if ((e = dir_connect(dc, c)) != CTYS_OK) {
		dir_conf_free(dc);
		return fail(e);
	}
	return 0;
}

static bool
flag(struct ctx *x, const char *name)
{
	int i;

	for (i = 1; i < x->argc; i++)
		if (strcmp(x->argv[i], name) == 0)
			return true;
	return false;
}

static int
check_flags(struct ctx *x, const char *const *allowed)
{
	int i;
	size_t k;

	for (i = 1; i < x->argc; i++) {
		bool ok = x->argv[i][0] != '-';

		for (k = 0; allowed[k] != NULL && !ok; k++)
			ok = strcmp(x->argv[i], allowed[k]) == 0;
		if (!ok) {
			log_error("%s: unknown option '%s'", x->argv[0], x->argv[i]);
			return 1;
		}
	}
	return 0;
}

static int
cmd_schema(struct ctx *x)
{
	static const char *const fl[] = { "--ldif", NULL };
	struct buf b = BUF_INIT;

	if (check_flags(x, fl))
		return 1;
	if (flag(x, "--ldif"))
		dir_schema_ldif(&b);
	else
		dir_schema_text(&b);
	fwrite(b.d, 1, b.len, stdout);
	buf_free(&b);
	return 0;
}

static int
cmd_publish(struct ctx *x)
{
	static const char *const fl[] = { "--prune", NULL };
	struct dir_pub_stats st = { 0 };
	struct strv hosts = STRV_INIT;
	struct cache_db *db = NULL;
	struct dir_conn *c = NULL;
	struct dir_conf dc;
	ctys_err_t e;
	int i, rc;

	if (check_flags(x, fl))
		return 1;
	for (i = 1; i < x->argc; i++)
		if (x->argv[i][0] != '-')
			strv_push(&hosts, x->argv[i]);
	if ((e = cache_open(default_dbdir(x), 0, &db)) != CTYS_OK) {
		strv_free(&hosts);
		return fail(e);
	}
	if ((rc = open_dir(x, &dc, &c)) != 0)
		goto out;
	e = dir_publish_cache(c, db, &hosts, flag(x, "--prune"), &st);
	if (e != CTYS_OK)
		rc = fail(e);
	printf("published %zu host(s): %zu added, %zu modified, %zu deleted, %zu unchanged\n",
	    st.hosts, st.added, st.modified, st.deleted, st.unchanged);
	dir_close(c);
	dir_conf_free(&dc);
out:
	cache_close(db);
	strv_free(&hosts);
	return rc;
}

/* Member text of grp_expand() -> host names (user@, :port and (opts) cut). */
static void
member_hosts(const char *text, struct strv *out)
{
	struct strv t = STRV_INIT;
	size_t i;

	grp_split_targets(text, &t);
	for (i = 0; i < t.n; i++) {
		char *s = t.v[i], *at = strchr(s, '@');
		size_t n;

		if (strchr(s, '{') != NULL)
			continue; /* VMSTACK{...} and friends are not hosts */
		if (at != NULL)
			s = at + 1;
		n = strcspn(s, ":(");
		if (n > 0)
			strv_pushn(out, s, n);
	}
	strv_free(&t);
}

static int
cmd_netgroup(struct ctx *x)
{
	static const char *const fl[] = { NULL };
	struct grp_env env;
	struct dir_conn *c = NULL;
	struct dir_conf dc;
	int i, rc;

	if (check_flags(x, fl))
		return 1;
	if (x->argc < 2)
		return usage(stderr, 1);
	if ((rc = open_dir(x, &dc, &c)) != 0)
		return rc;
	grp_env_from_conf(&env, x->conf);
	for (i = 1; i < x->argc && rc == 0; i++) {
		struct strv hosts = STRV_INIT, groups = STRV_INIT;
		char *text = NULL;
		ctys_err_t e;

		if ((e = grp_expand(&env, x->argv[i], &text)) == CTYS_OK) {
			member_hosts(text, &hosts);
			e = dir_publish_netgroup(c, x->argv[i], &hosts, &groups);
		}
		if (e != CTYS_OK)
			rc = fail(e);
		else
			printf("netgroup %s: %zu host(s)\n", x->argv[i], hosts.n);
		free(text);
		strv_free(&hosts);
		strv_free(&groups);
	}
	grp_env_free(&env);
	dir_close(c);
	dir_conf_free(&dc);
	return rc;
}

static int
cmd_sync(struct ctx *x)
{
	static const char *const fl[] = { "--full", NULL };
	struct dir_sync_stats st;
	struct dir_conn *c = NULL;
	struct dir_conf dc;
	struct timespec t0, t1;
	ctys_err_t e;
	int rc;

	if (check_flags(x, fl))
		return 1;
	if ((rc = open_dir(x, &dc, &c)) != 0)
		return rc;
	clock_gettime(CLOCK_MONOTONIC, &t0);
	e = dir_sync(c, &dc, default_dbdir(x), flag(x, "--full"), &st);
	clock_gettime(CLOCK_MONOTONIC, &t1);
	if (e != CTYS_OK) {
		rc = fail(e);
	} else if (st.full) {
		printf("full sync: %zu records, %zu host(s) written, %zu removed, %.0f ms\n",
		    st.records, st.hosts_put, st.hosts_removed,
		    (double)(t1.tv_sec - t0.tv_sec) * 1e3 + (double)(t1.tv_nsec - t0.tv_nsec) / 1e6);
	} else {
		printf("incremental sync: %zu changed entries, %zu host(s) patched, %zu re-read, "
		    "%zu removed, %.0f ms\n", st.changed_entries, st.hosts_put,
		    st.hosts_refetched, st.hosts_removed,
		    (double)(t1.tv_sec - t0.tv_sec) * 1e3 + (double)(t1.tv_nsec - t0.tv_nsec) / 1e6);
	}
	dir_close(c);
	dir_conf_free(&dc);
	return rc;
}

static int
cmd_resolve(struct ctx *x)
{
	static const char *const fl[] = { "--no-cache", NULL };
	struct dir_conn *c = NULL;
	struct cache_db *db = NULL;
	struct dir_conf dc;
	bool nocache = flag(x, "--no-cache"), dc_ok = false, down = false;
	const char *dbdir = default_dbdir(x);
	int i, rc = 0;
	ctys_err_t e;

	if (check_flags(x, fl))
		return 1;
	if (!nocache && cache_open(dbdir, CACHE_NOREFRESH, &db) != CTYS_OK)
		db = NULL;
	for (i = 1; i < x->argc; i++) {
		struct strv out = STRV_INIT;
		const char *from = NULL;
		size_t k;

		if (x->argv[i][0] == '-')
			continue;
		e = dir_resolve(db, NULL, x->argv[i], &out, &from);
		if (e == CTYS_ERR_NOTFOUND && !down) {
			if (!dc_ok) {
				if ((e = dir_conf_load(x->conf, &dc)) != CTYS_OK) {
					rc = fail(e);
					break;
				}
				dc_ok = true;
				if ((e = dir_connect(&dc, &c)) != CTYS_OK) {
					if (db == NULL) {
						rc = fail(e);
						break;
					}
					down = true;
					dir_stale_note(dbdir, ctys_errmsg());
				}
			}
			e = dir_resolve(NULL, c, x->argv[i], &out, &from);
		}
		if (e != CTYS_OK) {
			rc = fail(e);
		} else {
			for (k = 0; k < out.n; k++)
				printf("%s\n", out.v[k]);
			log_info(1, "'%s' resolved from the %s", x->argv[i], from);
		}
		strv_free(&out);
	}
	dir_close(c);
	if (dc_ok)
		dir_conf_free(&dc);
	cache_close(db);
	return rc;
}

static int
cmd_ldif(struct ctx *x)
{
	static const char *const fl[] = { "--with-base", NULL };
	const char *base = conf_get(x->conf, "CTYS_LDAP_BASE");
	struct cache_db *db = NULL;
	ctys_err_t e;

	if (check_flags(x, fl))
		return 1;
	if (base == NULL || *base == '\0') {
		log_error("CTYS_LDAP_BASE is not set");
		return 1;
	}
	if ((e = cache_open(default_dbdir(x), 0, &db)) != CTYS_OK)
		return fail(e);
	e = dir_ldif_cache(db, base, flag(x, "--with-base"), stdout);
	cache_close(db);
	return e == CTYS_OK ? 0 : fail(e);
}

static int
cmd_status(struct ctx *x)
{
	static const char *const fl[] = { NULL };
	struct dir_conn *c = NULL;
	struct dir_conf dc;
	time_t t = dir_sync_time(default_dbdir(x));
	char when[64] = "never";
	int rc;

	if (check_flags(x, fl))
		return 1;
	if (t != 0)
		strftime(when, sizeof when, "%Y-%m-%d %H:%M:%S UTC", gmtime(&t));
	printf("cache %s: last sync %s\n", default_dbdir(x), when);
	fflush(stdout);
	if ((rc = open_dir(x, &dc, &c)) != 0)
		return rc;
	printf("directory: %s, base %s\n", dir_conn_uri(c), dc.base);
	dir_close(c);
	dir_conf_free(&dc);
	return 0;
}

static const struct {
	const char *names;
	int (*fn)(struct ctx *);
} commands[] = {
	{ "schema", cmd_schema }, { "publish|pub", cmd_publish },
	{ "netgroup|netgroups", cmd_netgroup }, { "sync", cmd_sync },
	{ "resolve", cmd_resolve }, { "ldif", cmd_ldif }, { "status", cmd_status },
};

int
main(int argc, char **argv)
{
	struct dbg_spec dbg;
	struct ctx x = { 0 };
	ctys_err_t e;
	size_t i;
	int c, rc = 1;

	log_init("ctys-ldap");
	argv_help_alias(argc, argv);
	while ((c = getopt(argc, argv, "+p:d:hV")) != -1) {
		switch (c) {
		case 'p':
			x.dbdir = optarg;
			break;
		case 'd':
			if (dbg_parse(optarg, &dbg) != CTYS_OK)
				return fail(CTYS_ERR_USAGE);
			log_set_dbg(&dbg);
			break;
		case 'h':
			return usage(stdout, 0);
		case 'V':
			printf("ctys-ldap %s\n", CTYS_VERSION);
			return 0;
		default:
			return usage(stderr, 1);
		}
	}
	if (optind >= argc)
		return usage(stderr, 1);
	x.argc = argc - optind;
	x.argv = argv + optind;
	for (i = 0; i < sizeof commands / sizeof commands[0]; i++)
		if (kw_match(commands[i].names, x.argv[0], strlen(x.argv[0])))
			break;
	if (i == sizeof commands / sizeof commands[0]) {
		log_error("unknown command '%s'", x.argv[0]);
		return usage(stderr, 1);
	}
	x.conf = conf_new();
	if (commands[i].fn != cmd_schema && (e = ctys_conf_load(x.conf)) != CTYS_OK) {
		conf_free(x.conf);
		return fail(e);
	}
	rc = commands[i].fn(&x);
	conf_free(x.conf);
	return rc;
}
