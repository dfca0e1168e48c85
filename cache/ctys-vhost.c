/*
 * ctys-vhost — query the cacheDB (ctys-vhost(1), cache-db.md §3-§8).
 *
 * main() only parses, expands, plans, dispatches and renders; the filter
 * language is query.c, the cache store.c, the output vhost-out.c.
 */
#include <dirent.h>
#include <errno.h>
#include <getopt.h>
#include <regex.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "cache/ere.h"
#include "cache/fdb.h"
#include "cache/ldap-dir.h"
#include "cache/record.h"
#include "cache/query.h"
#include "cache/store.h"
#include "cache/vhost-macro.h"
#include "cache/vhost-out.h"
#include "lib/conf.h"
#include "lib/log.h"
#include "lib/paths.h"
#include "lib/strv.h"
#include "lib/util.h"
#include "lib/xmalloc.h"

/* Exit codes of the original (cache-db.md §6.5). */
enum { EX_OK = 0, EX_PARAM = 1, EX_NOFILE = 2, EX_NODIR = 7, EX_NOMACMAP = 10,
	EX_AMBIGUOUS = 11 };

enum { M_ALL = 1, M_FIRST = 2, M_LAST = 4, M_SORT = 8, M_USORT = 16,
	M_UNIQUE = 32, M_COMPLEMENT = 64 };
static const struct kw mode_kw[] = {
	{ "ALL", M_ALL }, { "FIRST", M_FIRST }, { "LAST", M_LAST }, { "SORT", M_SORT },
	{ "USORT", M_USORT }, { "UNIQUE", M_UNIQUE }, { "COMPLEMENT", M_COMPLEMENT },
};

enum { C_OFF = 1, C_MACMAP = 2, C_MACMAPONLY = 4, C_GROUPS = 8, C_ADJUST = 16,
	C_REBUILD = 32, C_KEEPALL = 64, C_CLEARTMP = 128, C_CLEARALL = 256,
	C_LIST = 512, C_LISTTARGETS = 1024, C_LISTGROUPS = 2048, C_MEMBERSDB = 4096,
	C_LDAP = 8192 };
static const struct kw cache_kw[] = {
	{ "OFF", C_OFF }, { "MACMAP", C_MACMAP }, { "MACMAPONLY", C_MACMAPONLY },
	{ "GROUPS", C_GROUPS }, { "ADJUST", C_ADJUST }, { "REBUILDCACHE", C_REBUILD },
	{ "KEEPALL", C_KEEPALL }, { "CLEARTMP", C_CLEARTMP }, { "CLEARALL", C_CLEARALL },
	{ "LIST", C_LIST }, { "LISTTARGETS", C_LISTTARGETS },
	{ "LISTGROUPS", C_LISTGROUPS }, { "MEMBERSDB", C_MEMBERSDB },
	{ "LDAP", C_LDAP }, /* answer from the directory (ctys-ldap(5)) */
};

struct vhost {
	struct vhost_out out;
	unsigned mode, cflags;
	bool ctysaddr, terse;
	char *dbdir;          /* -p */
	const char *mgmt;     /* -S */
	struct strv dbs;
	struct strv args;     /* filter words */
};

static int
usage_err(const char *fmt, const char *arg)
{
	log_error(fmt, arg);
	fprintf(stderr, "see ctys-vhost -h or man ctys-vhost\n");
	return EX_PARAM;
}

static void
help(void)
{
	printf("usage: ctys-vhost [-C <cache>[,...]] [-d <dbg>] [-h] [-i CTYSADDRESS] "
	    "[-M <mode>[,...]]\n"
	    "                  [-o <out>[,...]] [-p <db-dir>] [-s] [-S <mgmt>] [-V] [-X]"
	    " [<filter>...]\n"
	    "  filter   <ere> | F:<n>:<ere> | E:<a>:<b> | R:<i>[:<j>], joined by AND, OR, NOT\n"
	    "  -o       fields (PM, STYPE, LABEL, IDS, UUID, MAC, TCP, DNS, ... INDEX),\n"
	    "           MACHINE, MAXKEY, TITLE, TITLEIDX, TITLEIDXASC, CTYSADDRESS,\n"
	    "           TAB_GEN|REC_GEN|SPEC_GEN|XML_GEN:<colspec>, SORT[:<args>]\n"
	    "  -M       ALL, FIRST, LAST, SORT, USORT, UNIQUE, COMPLEMENT\n"
	    "  -C       OFF, MACMAP, MACMAPONLY, REBUILDCACHE, LIST, CLEARALL, MEMBERSDB,\n"
	    "           LDAP (answer from the directory, ctys-ldap(5)), ...\n"
	    "See ctys-vhost(1) and ctys-cachedb(5).\n");
}

static int
parse_kwlist(const struct kw *tab, size_t n, const char *arg, unsigned *out,
    const char *what)
{
	const char *p = arg, *c;
	int id;

	for (;;) {
		c = strchr(p, ',');
		size_t l = c ? (size_t)(c - p) : strlen(p);

		if (l > 0) {
			if ((id = kw_lookup(tab, n, p, l)) < 0) {
				log_error("unknown %s '%.*s'", what, (int)l, p);
				return EX_PARAM;
			}
			*out |= (unsigned)id;
		}
		if (c == NULL)
			return EX_OK;
		p = c + 1;
	}
}

static int
parse_options(struct vhost *v, struct strv *argv)
{
	struct dbg_spec dbg;
	ctys_err_t e;
	int c, rc;
	size_t i;

	optind = 0;
	opterr = 0;
	while ((c = getopt((int)argv->n, argv->v, "+c:C:d:hH:i:I:l:L:M:o:p:R:sS:T:Vx:X")) != -1) {
		switch (c) {
		case 'o':
			if ((e = vhost_out_parse(&v->out, optarg)) != CTYS_OK)
				return usage_err("%s", ctys_errmsg());
			break;
		case 'M':
			if ((rc = parse_kwlist(mode_kw, 7, optarg, &v->mode, "-M mode")) != 0)
				return rc;
			break;
		case 'C':
			if ((rc = parse_kwlist(cache_kw, sizeof cache_kw / sizeof cache_kw[0], optarg, &v->cflags, "-C keyword")) != 0)
				return rc;
			break;
		case 'p':
			v->dbdir = optarg;
			break;
		case 'i':
			if (!str_ieq(optarg, "CTYSADDRESS") && !str_ieq(optarg, "CTYS"))
				return usage_err("invalid -i '%s': expected CTYSADDRESS", optarg);
			v->ctysaddr = true;
			break;
		case 'S':
			v->mgmt = optarg;
			break;
		case 'd':
			if (dbg_parse(optarg, &dbg) != CTYS_OK)
				return usage_err("%s", ctys_errmsg());
			log_set_dbg(&dbg);
			break;
		case 'h':
		case 'H':
			help();
			exit(EX_OK);
		case 'V':
			printf(v->terse ? "%s\n" : "ctys-vhost %s\n", CTYS_VERSION);
			exit(EX_OK);
		case 'X':
			v->terse = true;
			break;
		case 'c':
		case 'x':
			return usage_err("option '-%s' (load/reachability checks) is not "
			    "supported yet", c == 'c' ? "c" : "x");
		case 's': case 'I': case 'l': case 'T':
			break; /* accepted; no effect here (see ctys-vhost(1)) */
		default: {
			char opt[3] = { '-', (char)optopt, '\0' };

			return usage_err(c == ':' || optopt == 0 ? "erroneous parameter '%s'" :
			    "erroneous parameter '%s' (unknown option or missing value)", opt);
		}
		}
	}
	for (i = (size_t)optind; i < argv->n; i++) {
		if (argv->v[i][0] == '-' && argv->v[i][1] != '\0')
			log_warn(1, "possibly options misplaced: '%s'", argv->v[i]);
		if (v->ctysaddr) {
			char *w = xstrdup(argv->v[i]), *p;

			for (p = w; *p; p++)
				if (*p == '[' || *p == ']')
					*p = ' ';
			strv_split_ws(&v->args, w);
			free(w);
		} else {
			strv_push(&v->args, argv->v[i]);
		}
	}
	return EX_OK;
}

/* Check one DB directory the way the original does; returns an exit code. */
static int
check_db(const char *dir)
{
	struct stat st;
	char *p;
	int rc = EX_OK;

	if (stat(dir, &st) != 0 || !S_ISDIR(st.st_mode)) {
		log_error("missing DB directory '%s'", dir);
		return EX_NODIR;
	}
	p = xasprintf("%s/macmap.fdb", dir);
	if (access(p, F_OK) != 0) {
		log_error("missing macmap '%s'", p);
		rc = EX_NOMACMAP;
	}
	free(p);
	if (rc != EX_OK)
		return rc;
	p = xasprintf("%s/enum.fdb", dir);
	if (access(p, F_OK) != 0) {
		log_error("missing '%s'", p);
		rc = EX_NOFILE;
	}
	free(p);
	return rc;
}

static char *
read_whole(const char *path)
{
	struct fdb_file f;
	char *d;

	if (fdb_read(path, &f) != CTYS_OK)
		return NULL;
	d = f.data;
	f.data = NULL;
	fdb_file_free(&f);
	return d;
}

/* -C MACMAPONLY: the lines of macmap.fdb matching the joined arguments. */
static int
macmap_only(struct vhost *v, struct buf *out)
{
	struct buf b = BUF_INIT;
	regex_t re;
	size_t i, d;
	unsigned p;
	int rc_;
	char *pat = strv_join(&v->args, " ");

	for (p = 1; p <= VHOST_NPOS; p++)
		if (v->out.sel[p] && p != 6 && p != 7 && p != 8) {
			free(pat);
			return usage_err("-C MACMAPONLY allows only TCP, MAC and DNS output, "
			    "not '%s'", vhost_pos_name(p));
		}
	if (ere_compile(&re, *pat ? pat : ".", NULL, 0) != 0) {
		rc_ = usage_err("invalid regular expression '%s'", pat);
		free(pat);
		return rc_;
	}
	for (d = 0; d < v->dbs.n; d++) {
		char *path = xasprintf("%s/macmap.fdb", v->dbs.v[d]);
		char *data = read_whole(path);
		struct fdb_macmap m;

		free(path);
		if (data == NULL || fdb_macmap_parse("macmap.fdb", data, strlen(data), &m) != CTYS_OK) {
			free(data);
			continue;
		}
		for (i = 0; i < m.n; i++) {
			const struct fdb_mac *e = &m.v[i];
			char *line = xstrndup(e->name, (size_t)(e->ip + e->ip_len - e->name));
			bool all = !v->out.sel[6] && !v->out.sel[7] && !v->out.sel[8];

			if (regexec(&re, line, 0, NULL, 0) == 0) {
				if (v->mode & M_LAST)
					buf_reset(&b); /* keep only the last match */
				if (all || v->out.sel[6])
					buf_add(&b, e->mac, e->mac_len), buf_addc(&b, ';');
				if (all || v->out.sel[7])
					buf_add(&b, e->ip, e->ip_len), buf_addc(&b, ';');
				if (all || v->out.sel[8])
					buf_add(&b, e->name, e->name_len), buf_addc(&b, ';');
				buf_truncate(&b, b.len - 1);
				buf_addc(&b, '\n');
			}
			free(line);
			if ((v->mode & M_FIRST) && b.len > 0) {
				i = m.n;
				d = v->dbs.n;
			}
		}
		fdb_macmap_free(&m);
		free(data);
	}
	regfree(&re);
	free(pat);
	buf_add(out, b.d ? b.d : "", b.len);
	buf_free(&b);
	return EX_OK;
}

struct idxset {
	unsigned long *v;
	size_t n;
	struct query_result *out;
};

static int
complement_cb(void *arg, unsigned long index, const char *line, size_t len)
{
	struct idxset *s = arg;
	struct buf b = BUF_INIT;
	size_t i;

	for (i = 0; i < s->n; i++)
		if (s->v[i] == index)
			return 0;
	rec_with_index(line, len, index, &b); /* a no-op on cache lines */
	if (s->out->n == s->out->cap) {
		s->out->cap = s->out->cap ? s->out->cap * 2 : 64;
		s->out->v = xreallocarray(s->out->v, s->out->cap, sizeof *s->out->v);
	}
	s->out->v[s->out->n].index = index;
	s->out->v[s->out->n].len = b.len;
	s->out->v[s->out->n].line = buf_detach(&b);
	s->out->n++;
	return 0;
}

/* Query one DB directory, appending to *res.  Returns an exit code. */
static int
query_db(struct vhost *v, const struct query *q, const char *dir,
    struct query_result *res, struct fdb_macmap *mm, char **mmdata,
    const struct query_source *ext)
{
	struct query_source src;
	struct query_lines lines;
	struct cache_db *db = NULL;
	struct query_result one = { 0 };
	char *data = NULL, *path;
	ctys_err_t e;
	int rc;

	if (ext != NULL) {
		src = *ext; /* -C LDAP: the directory */
	} else if ((rc = check_db(dir)) != EX_OK) {
		return rc;
	} else if (v->cflags & C_OFF) {
		path = xasprintf("%s/enum.fdb", dir);
		data = read_whole(path);
		free(path);
		if (data == NULL) {
			log_lasterr(CTYS_ERR_IO);
			return EX_NOFILE;
		}
		query_source_lines(&src, &lines, data, strlen(data));
	} else {
		if ((e = cache_open(dir, (v->cflags & C_REBUILD) ? CACHE_REBUILD : 0,
		    &db)) != CTYS_OK) {
			log_lasterr(e);
			return ctys_exit_status(e);
		}
		query_source_cache(&src, db);
	}
	e = query_run(q, &src, &one);
	if (e == CTYS_OK && (v->mode & M_COMPLEMENT)) {
		struct idxset s = { xcalloc(one.n + 1, sizeof *s.v), one.n, res };
		size_t i;

		for (i = 0; i < one.n; i++)
			s.v[i] = one.v[i].index;
		e = src.scan(src.ctx, complement_cb, &s);
		free(s.v);
		query_result_free(&one);
	} else if (e == CTYS_OK) {
		size_t i;

		for (i = 0; i < one.n; i++) {
			if (res->n == res->cap) {
				res->cap = res->cap ? res->cap * 2 : 64;
				res->v = xreallocarray(res->v, res->cap, sizeof *res->v);
			}
			res->v[res->n++] = one.v[i];
		}
		free(one.v);
	}
	if (e == CTYS_OK && dir != NULL && (v->cflags & C_MACMAP) && mmdata != NULL &&
	    *mmdata == NULL) {
		path = xasprintf("%s/macmap.fdb", dir);
		*mmdata = read_whole(path);
		free(path);
		if (*mmdata != NULL &&
		    fdb_macmap_parse("macmap.fdb", *mmdata, strlen(*mmdata), mm) == CTYS_OK)
			v->out.macmap = mm;
	}
	cache_close(db);
	free(data);
	if (e != CTYS_OK) {
		log_lasterr(e);
		return ctys_exit_status(e);
	}
	return EX_OK;
}

static int
list_caches(struct vhost *v, bool clear)
{
	size_t d;

	for (d = 0; d < v->dbs.n; d++) {
		const char *names[] = { "enum.fdb", "macmap.fdb", CACHE_ENV_NAME "/data.mdb" };
		size_t i;

		for (i = 0; i < 3; i++) {
			char *p = xasprintf("%s/%s", v->dbs.v[d], names[i]);
			struct stat st;

			if (stat(p, &st) == 0) {
				if (!clear)
					printf("%8lldk %s\n", (long long)(st.st_size + 1023) / 1024, p);
				else if (i == 2) {
					char *lock = xasprintf("%s/%s/lock.mdb", v->dbs.v[d],
					    CACHE_ENV_NAME);
					char *env = xasprintf("%s/%s", v->dbs.v[d], CACHE_ENV_NAME);

					if (unlink(p) == 0)
						printf("%s\n", p);
					unlink(lock);
					rmdir(env);
					free(lock);
					free(env);
				}
			}
			free(p);
		}
	}
	return EX_OK;
}

static int
run(struct vhost *v)
{
	struct query_result res = { 0 };
	struct fdb_macmap mm = { 0 };
	struct buf out = BUF_INIT;
	struct query *q = NULL;
	char *mmdata = NULL;
	ctys_err_t e;
	size_t d;
	int rc = EX_OK;

	if (v->cflags & (C_CLEARTMP | C_CLEARALL))
		return (v->cflags & C_CLEARALL) ? list_caches(v, true) : EX_OK;
	if (v->cflags & (C_LIST | C_LISTTARGETS | C_LISTGROUPS))
		return list_caches(v, false);
	if (v->mgmt != NULL && str_ieq(v->mgmt, "LISTDB"))
		return list_caches(v, false);
	if ((v->cflags & C_MEMBERSDB) ||
	    (v->mgmt != NULL && str_ieq(v->mgmt, "MEMBERSDB"))) {
		vhost_out_free(&v->out);
		vhost_out_init(&v->out);
		v->out.ctys = true;
		v->mode = M_SORT;
		strv_free(&v->args);
	} else if (v->mgmt != NULL) {
		return usage_err("-S '%s' (group listings) is not supported yet", v->mgmt);
	}
	if (v->cflags & C_MACMAPONLY) {
		rc = macmap_only(v, &out);
		goto print;
	}
	if ((e = query_compile((const char *const *)v->args.v, v->args.n,
	    v->out.machine ? QUERY_KEEP_LAST_OR : 0, &q)) != CTYS_OK)
		return usage_err("%s", ctys_errmsg());
	if (v->cflags & C_LDAP) {
		struct dir_session ds;
		struct query_source src;

		if ((e = dir_session_open(&ds, &src)) == CTYS_OK) {
			rc = query_db(v, q, NULL, &res, &mm, &mmdata, &src);
			dir_session_close(&ds);
			goto answered;
		}
		if (e != CTYS_ERR_IO)
			return usage_err("%s", ctys_errmsg());
		dir_stale_note(v->dbs.v[0], ctys_errmsg());
	}
	for (d = 0; d < v->dbs.n && rc == EX_OK; d++)
		rc = query_db(v, q, v->dbs.v[d], &res, &mm, &mmdata, NULL);
answered:
	if (rc != EX_OK)
		goto done;
	if ((v->mode & M_FIRST) && res.n > 1) {
		while (res.n > 1)
			free(res.v[--res.n].line);
	} else if ((v->mode & M_LAST) && res.n > 1) {
		size_t i;

		for (i = 0; i + 1 < res.n; i++)
			free(res.v[i].line);
		res.v[0] = res.v[res.n - 1];
		res.n = 1;
	}
	if ((v->mode & M_UNIQUE) && res.n >= 2) {
		char *a = strv_join(&v->args, " ");

		log_warn(1, "Query result on cache for UNIQUE key \"%s\" is AMBIGUOUS(#%zu)",
		    a, res.n);
		free(a);
		rc = EX_AMBIGUOUS;
		goto done;
	}
	vhost_out_render(&v->out, &res, &out);
	if (v->mode & M_SORT)
		vhost_sort_lines(&out, ';', 0, (v->mode & M_USORT) != 0, false);
print:
	fwrite(out.d ? out.d : "", 1, out.len, stdout);
	if (fflush(stdout) != 0 && rc == EX_OK) {
		log_error("cannot write output: %s", strerror(errno));
		rc = EX_NOFILE;
	}
done:
	query_result_free(&res);
	query_free(q);
	if (v->out.macmap != NULL)
		fdb_macmap_free(&mm);
	free(mmdata);
	buf_free(&out);
	return rc;
}

int
main(int argc, char **argv)
{
	struct vhost v;
	struct strv words = STRV_INIT, av = STRV_INIT;
	struct conf *conf;
	ctys_err_t e;
	size_t i;
	int rc;

	log_init("ctys-vhost");
	argv_help_alias(argc, argv);
	memset(&v, 0, sizeof v);
	vhost_out_init(&v.out);
	if ((e = vhost_expand_args(argc - 1, argv + 1, &words)) != CTYS_OK) {
		log_lasterr(e);
		return EX_PARAM;
	}
	strv_push(&av, argv[0]);
	for (i = 0; i < words.n; i++)
		strv_push(&av, words.v[i]);
	if ((rc = parse_options(&v, &av)) != EX_OK)
		goto out;
	if (v.dbdir != NULL) {
		strv_push(&v.dbs, v.dbdir);
	} else {
		conf = conf_new();
		if ((e = ctys_conf_load(conf)) != CTYS_OK) {
			log_lasterr(e);
			conf_free(conf);
			rc = EX_PARAM;
			goto out;
		}
		{
			const char *l = conf_get_or(conf, "DBPATHLST",
			    conf_get(conf, "DEFAULT_DBPATHLST"));
			char *s = xstrdup(l ? l : ""), *tok, *save = NULL;

			for (tok = strtok_r(s, ":", &save); tok; tok = strtok_r(NULL, ":", &save))
				strv_push(&v.dbs, tok);
			free(s);
		}
		conf_free(conf);
	}
	if (v.dbs.n == 0) {
		log_error("no DB directory (DBPATHLST is empty)");
		rc = EX_NODIR;
		goto out;
	}
	rc = run(&v);
out:
	vhost_out_free(&v.out);
	strv_free(&v.dbs);
	strv_free(&v.args);
	strv_free(&words);
	strv_free(&av);
	return rc;
}
