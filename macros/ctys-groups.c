/* ctys-groups — list, expand and edit group files; see ctys-groups(1). */
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "lib/buf.h"
#include "lib/conf.h"
#include "lib/err.h"
#include "lib/log.h"
#include "lib/paths.h"
#include "lib/strv.h"
#include "lib/util.h"
#include "lib/xmalloc.h"
#include "macros/group.h"
#include "macros/textfile.h"

#define OPTSTRING "cd:D:eFhH:lm:SVX"

static const char usage[] =
    "usage: ctys-groups [-c] [-d <level>] [-D <depth>] [-e] [-F] [-h] [-H <topic>] [-l]\n"
    "                   [-m 1|2|3|4|5|5x|6|7|7u|8|8u] [-S] [-V] [-X] [<group>[%| ]<group>...]\n"
    "  (no option)  <size-kB> <#hosts>/<#includes> <#total> <group-file>\n"
    "  -m <n>       expanded members in display mode n     -l  group definitions\n"
    "  -c           cached (generated) groups              -e  edit with CTYS_GROUPSEDIT\n"
    "  -S / -F / -D tree of the group directories (-F with files, -D depth)\n"
    "see ctys-groups(1) and ctys-groups(5)\n";

enum mode { M_NONE, M_1, M_2, M_3, M_4, M_5, M_5X, M_6, M_7U, M_8, M_8U };
static const struct kw modes[] = {
	{ "1", M_1 }, { "2", M_2 }, { "3", M_3 }, { "4", M_4 }, { "5", M_5 },
	{ "5x", M_5X }, { "6|7", M_6 }, { "7u", M_7U }, { "8", M_8 }, { "8u", M_8U },
};

struct opts {
	bool cached, edit, defs, tree, files, terse, version;
	unsigned depth;
	enum mode mode;
};

static int
fail(ctys_err_t e)
{
	log_lasterr(e);
	return ctys_exit_status(e);
}

/* Split a target into [user@]host, dropping :port, (opts) and {...}. */
static void
target_parts(const char *t, struct buf *user, struct buf *host, struct buf *opts)
{
	size_t n = strcspn(t, "({"), at, colon;
	const char *o;

	at = strcspn(t, "@");
	if (at < n) {
		buf_add(user, t, at);
		t += at + 1;
		n -= at + 1;
	}
	colon = strcspn(t, ":");
	buf_add(host, t, colon < n ? colon : n);
	if (t[n] == '(' && (o = strchr(t + n, ')')) != NULL)
		buf_add(opts, t + n + 1, (size_t)(o - t - n - 1));
}

static bool
seen(struct strv *v, const char *s)
{
	size_t i;

	for (i = 0; i < v->n; i++)
		if (strcmp(v->v[i], s) == 0)
			return true;
	strv_push(v, s);
	return false;
}

/* One group in display mode o->mode; *hidx counts targets over all groups. */
static void
show_members(const char *path, const char *text, const struct opts *o, size_t gidx,
	size_t *hidx, struct strv *uniq)
{
	struct buf user = BUF_INIT, host = BUF_INIT, opts = BUF_INIT, line = BUF_INIT;
	struct buf tok = BUF_INIT;
	const char *p, *t;
	size_t i, n;

	if (!o->terse && o->mode != M_5 && o->mode != M_5X && o->mode != M_2 &&
	    o->mode != M_7U && o->mode != M_8U)
		printf("%s:%s", path, o->mode == M_3 ? "\n" : " ");
	if (o->mode == M_2)
		printf("%s:GROUP(%s)", path, path);
	for (i = 0, p = text; (p = grp_next_target(p, &n)) != NULL; i++, p += n) {
		const char *sp = i ? " " : "";

		buf_reset(&tok);
		buf_add(&tok, p, n);
		t = buf_cstr(&tok);
		buf_reset(&user);
		buf_reset(&host);
		buf_reset(&opts);
		target_parts(t, &user, &host, &opts);
		++*hidx;
		switch (o->mode) {
		case M_1: case M_2: printf("%s%s", sp, t); break;
		case M_3: printf("  %s\n", t); break;
		case M_4:
			if (opts.len)
				printf("%s%.*s'(%s)'", sp, (int)strcspn(t, "("), t,
				    buf_cstr(&opts));
			else
				printf("%s%s", sp, t);
			break;
		case M_5: case M_5X:
			if (!o->terse && o->mode == M_5)
				printf("%4zu  ", i + 1);
			else if (!o->terse)
				printf("%4zu %4zu  ", gidx + 1, *hidx);
			if (opts.len)
				printf("ctys %.*s'(%s)'\n", (int)strcspn(t, "("), t,
				    buf_cstr(&opts));
			else
				printf("ctys %s\n", t);
			break;
		case M_6: case M_7U:
			buf_reset(&line);
			buf_addf(&line, "%s@%s", user.len ? buf_cstr(&user) : ctys_user(),
			    buf_cstr(&host));
			if (o->mode == M_6)
				printf("%s%s", sp, buf_cstr(&line));
			else if (!seen(uniq, buf_cstr(&line)))
				printf("%s%s", uniq->n > 1 ? " " : "", buf_cstr(&line));
			break;
		case M_8: printf("%s%s", sp, buf_cstr(&host)); break;
		case M_8U:
			if (!seen(uniq, buf_cstr(&host)))
				printf("%s%s", uniq->n > 1 ? " " : "", buf_cstr(&host));
			break;
		case M_NONE: break;
		}
	}
	if (o->mode != M_3 && o->mode != M_5 && o->mode != M_5X && o->mode != M_7U &&
	    o->mode != M_8U)
		putchar('\n');
	buf_free(&tok);
	buf_free(&user);
	buf_free(&host);
	buf_free(&opts);
	buf_free(&line);
}

static void
cat_file(const char *path, bool terse)
{
	char *text;
	size_t len;

	if (macro_read_file(path, &text, &len) != CTYS_OK) {
		log_lasterr(CTYS_ERR_IO);
		return;
	}
	if (!terse)
		printf("%s:\n", path);
	fwrite(text, 1, len, stdout);
	if (len && text[len - 1] != '\n')
		putchar('\n');
	free(text);
}

static int
list_cached(const struct grp_env *env)
{
	struct grp_env tmp = *env;
	struct grp_list l = { NULL, 0 };
	char *text;
	size_t i, j, len, lines;

	tmp.path = env->tmppath;
	if (tmp.path == NULL || grp_list(&tmp, NULL, &l) != CTYS_OK)
		return 0;
	for (i = 0; i < l.n; i++) {
		lines = 0;
		if (macro_read_file(l.v[i].path, &text, &len) == CTYS_OK) {
			for (j = 0; j < len; j++)
				lines += text[j] == '\n';
			free(text);
		}
		printf("%lld %zu %s\n", (long long)l.v[i].size, lines, l.v[i].path);
	}
	grp_list_free(&l);
	return 0;
}

static int
run(const struct grp_env *env, const struct opts *o, struct strv *sel)
{
	struct grp_list l = { NULL, 0 };
	struct strv uniq = STRV_INIT;
	const char *p, *colon, *ed;
	size_t i, hidx = 0;
	char *text, *d;
	int rc = 0;
	ctys_err_t e;

	if (o->cached)
		return list_cached(env);
	if (o->tree) {
		for (p = env->path ? env->path : ""; *p; p = *colon ? colon + 1 : colon) {
			if ((colon = strchr(p, ':')) == NULL)
				colon = p + strlen(p);
			if (colon == p)
				continue;
			d = xstrndup(p, (size_t)(colon - p));
			if (access(d, R_OK) == 0)
				macro_tree_print(d, o->files, o->depth);
			free(d);
		}
		return 0;
	}
	e = sel->n == 0 ? grp_list(env, NULL, &l) : CTYS_OK;
	for (i = 0; i < sel->n && e == CTYS_OK; i++) {
		size_t len = strlen(sel->v[i]);

		if (o->mode != M_NONE && len && sel->v[i][len - 1] != '/') {
			/* members only: no need for grp_list's counts */
			if ((e = grp_find(env, sel->v[i], &d)) != CTYS_OK)
				break;
			l.v = xreallocarray(l.v, l.n + 1, sizeof *l.v);
			memset(&l.v[l.n], 0, sizeof *l.v);
			l.v[l.n++].path = d;
		} else {
			e = grp_list(env, sel->v[i], &l);
		}
	}
	if (e != CTYS_OK) {
		grp_list_free(&l);
		return fail(e);
	}
	if (o->edit) {
		struct strv av = STRV_INIT;

		ed = getenv("CTYS_GROUPSEDIT");
		strv_push(&av, ed && *ed ? ed : "vi");
		for (i = 0; i < l.n; i++)
			strv_push(&av, l.v[i].path);
		execvp(av.v[0], av.v);
		log_error("cannot run editor '%s'", av.v[0]);
		return 2;
	}
	for (i = 0; i < l.n; i++) {
		const struct grp_info *g = &l.v[i];

		if (o->defs) {
			cat_file(g->path, o->terse);
		} else if (o->mode == M_NONE) {
			if (o->terse)
				printf("%s\n", g->path);
			else if (g->err == CTYS_OK)
				printf("%lld %zu/%zu %zu %s\n", (long long)(g->size + 1023) / 1024,
				    g->nhosts, g->nincludes, g->ntotal, g->path);
			else
				printf("%lld %zu/%zu ? %s\n", (long long)(g->size + 1023) / 1024,
				    g->nhosts, g->nincludes, g->path);
		} else if (g->err == CTYS_OK) {
			if ((e = grp_expand(env, g->path, &text)) != CTYS_OK) {
				fflush(stdout);
				log_lasterr(e);
				rc = ctys_exit_status(e);
				continue;
			}
			show_members(g->path, text, o, i, &hidx, &uniq);
			free(text);
		}
		if (g->err != CTYS_OK) {
			fflush(stdout);
			log_error("%s", g->errmsg);
			rc = ctys_exit_status(g->err);
		}
	}
	if ((o->mode == M_7U || o->mode == M_8U) && uniq.n)
		putchar('\n');
	strv_free(&uniq);
	grp_list_free(&l);
	return rc;
}

int
main(int argc, char **argv)
{
	struct opts o = { .mode = M_NONE };
	struct strv sel = STRV_INIT;
	struct dbg_spec dbg;
	struct grp_env env;
	struct conf *c;
	unsigned long n;
	int ch, rc, m, i;
	char *s, *tok;
	ctys_err_t e;

	log_init("ctys-groups");
	argv_help_alias(argc, argv);
	dbg_default(&dbg);
	opterr = 0;
	while ((ch = getopt(argc, argv, OPTSTRING)) != -1) {
		switch (ch) {
		case 'c': o.cached = true; break;
		case 'd':
			if ((e = dbg_parse(optarg, &dbg)) != CTYS_OK)
				return fail(e);
			log_set_dbg(&dbg);
			break;
		case 'D':
			if (!parse_uint(optarg, 1000, &n)) {
				log_error("bad depth '%s' for -D", optarg);
				return 1;
			}
			o.depth = (unsigned)n;
			o.tree = true;
			break;
		case 'e': o.edit = true; break;
		case 'F': o.files = o.tree = true; break;
		case 'h': fputs(usage, stdout); return 0;
		case 'H':
			fputs(usage, stdout);
			printf("extended help on '%s': man ctys-groups\n", optarg);
			return 0;
		case 'l': o.defs = true; break;
		case 'm':
			if ((m = kw_lookup(modes, sizeof modes / sizeof *modes, optarg,
			    strlen(optarg))) < 0) {
				log_error("unknown display mode '%s' for -m", optarg);
				return 1;
			}
			o.mode = (enum mode)m;
			break;
		case 'S': o.tree = true; break;
		case 'V': o.version = true; break;
		case 'X': o.terse = true; break;
		default:
			if (optopt && strchr(OPTSTRING, optopt))
				log_error("option '-%c' needs an argument; see %s -h", optopt, argv[0]);
			else
				log_error("unknown option '-%c'; see %s -h", optopt, argv[0]);
			return 1;
		}
	}
	if (o.version) {
		printf(o.terse ? "%s\n" : "ctys-groups %s\n", CTYS_VERSION);
		return 0;
	}
	for (i = optind; i < argc; i++) {
		s = xstrdup(argv[i]);
		for (tok = strtok(s, "% \t"); tok; tok = strtok(NULL, "% \t"))
			strv_push(&sel, tok);
		free(s);
	}
	c = conf_new();
	if ((e = ctys_conf_load(c)) != CTYS_OK) {
		conf_free(c);
		return fail(e);
	}
	grp_env_from_conf(&env, c);
	conf_free(c);
	rc = run(&env, &o, &sel);
	grp_env_free(&env);
	strv_free(&sel);
	fflush(stdout);
	return rc;
}
