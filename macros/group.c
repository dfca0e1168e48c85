/* group.c — see group.h; the file format is described in ctys-groups(5). */
#include "macros/group.h"

#include <dirent.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "lib/buf.h"
#include "lib/util.h"
#include "lib/xmalloc.h"
#include "macros/textfile.h"

void
grp_env_from_conf(struct grp_env *env, const struct conf *c)
{
	const char *v;
	unsigned long n;

	memset(env, 0, sizeof *env);
	if ((v = conf_get(c, "CTYS_GROUPS_PATH")) != NULL)
		env->path = xstrdup(v);
	if ((v = conf_get(c, "CTYS_GROUPS_TMPPATH")) != NULL)
		env->tmppath = xstrdup(v);
	v = conf_get(c, "CTYS_MAXRECURSE");
	env->max_recurse = v && parse_uint(v, 100000, &n) ? (unsigned)n : GRP_MAXRECURSE_DEFAULT;
}

void
grp_env_free(struct grp_env *env)
{
	free(env->path);
	free(env->tmppath);
	env->path = env->tmppath = NULL;
}

bool
grp_is_vmstack(const char *name)
{
	size_t n = strlen(name);

	return n >= 8 && strcmp(name + n - 8, ".VMSTACK") == 0;
}

static bool
is_file(const char *p)
{
	struct stat st;

	return stat(p, &st) == 0 && S_ISREG(st.st_mode);
}

/* Try <dir>/<name> for each entry of the ':'-list `path`. */
static char *
search_path(const char *path, const char *name)
{
	const char *p, *colon;
	char *cand;

	for (p = path ? path : ""; *p; p = *colon ? colon + 1 : colon) {
		if ((colon = strchr(p, ':')) == NULL)
			colon = p + strlen(p);
		if (colon == p)
			continue;
		cand = xasprintf("%.*s/%s", (int)(colon - p), p, name);
		if (is_file(cand))
			return cand;
		free(cand);
	}
	return NULL;
}

/* grp_find with an extra search path in front (NULL: none). */
static ctys_err_t
find_in(const char *extra, const struct grp_env *env, const char *name, char **path_out)
{
	const char *at, *orig = name;
	char *p = NULL;

	for (;;) {
		if (*name && is_file(name))
			p = xstrdup(name);
		else if (*name && (p = search_path(extra, name)) == NULL)
			p = search_path(env->path, name);
		if (p) {
			*path_out = p;
			return CTYS_OK;
		}
		if ((at = strchr(name, '@')) == NULL)
			break;
		name = at + 1;
	}
	return ctys_seterr(CTYS_ERR_NOENT, "group '%s' not found (searched: %s%s%s)", orig,
	    extra ? extra : "", extra && env->path && *env->path ? ":" : "",
	    env->path ? env->path : "");
}

ctys_err_t
grp_find(const struct grp_env *env, const char *name, char **path_out)
{
	return find_in(NULL, env, name, path_out);
}

/* ---- parsing one group file --------------------------------------------- */

struct include {
	char *name;
	unsigned line;
};

struct gfile {
	char *path;          /* canonical path: identity for cycles and -A 1 */
	char *name;          /* as the user or the #include line wrote it */
	struct buf members;  /* tokens, each followed by '\0' */
	size_t nmembers;
	struct buf ctx;      /* CONTEXT options, concatenated with ' ' */
	struct include *inc;
	size_t ninc;
	struct gfile *hnext; /* hash chain */
};

static bool
blank(char c)
{
	return c == ' ' || c == '\t' || c == '\r';
}

static void
end_token(struct gfile *g, size_t start)
{
	if (g->members.len > start) {
		buf_addc(&g->members, '\0');
		g->nmembers++;
	}
}

/*
 * Members of one line: targets separated by blanks or ',' outside (...) and
 * {...}; '"' removed everywhere but inside {...}; '\'' removed outside
 * (...) and {...}; a '#' after a blank starts a comment to the end of line.
 */
static ctys_err_t
parse_members(struct gfile *g, const char *s, size_t len, unsigned lineno)
{
	size_t i, start = g->members.len;
	unsigned pd = 0, bd = 0;
	char c;

	for (i = 0; i < len; i++) {
		c = s[i];
		if (bd > 0) {
			if (c == '{')
				bd++;
			else if (c == '}')
				bd--;
			buf_addc(&g->members, c);
			continue;
		}
		if (c == '"')
			continue;
		if (pd > 0) {
			if (c == '(')
				pd++;
			else if (c == ')')
				pd--;
			buf_addc(&g->members, c);
			continue;
		}
		if (blank(c) || c == ',') {
			end_token(g, start);
			start = g->members.len;
		} else if (c == '#' && (i == 0 || blank(s[i - 1]))) {
			break;
		} else if (c == '\'') {
			continue;
		} else if (c == ')' || c == '}') {
			return ctys_seterr(CTYS_ERR_PARSE, "%s:%u: unbalanced '%c'", g->path, lineno,
			    c);
		} else {
			if (c == '(')
				pd++;
			else if (c == '{')
				bd++;
			buf_addc(&g->members, c);
		}
	}
	if (pd || bd)
		return ctys_seterr(CTYS_ERR_PARSE, "%s:%u: unbalanced '%c'", g->path, lineno,
		    pd ? '(' : '{');
	end_token(g, start);
	return CTYS_OK;
}

static void
parse_include(struct gfile *g, const char *s, size_t len, unsigned lineno)
{
	size_t i = 0, st;

	while (i < len) {
		while (i < len && (blank(s[i]) || s[i] == ',' || s[i] == '"' || s[i] == '\''))
			i++;
		st = i;
		while (i < len && !blank(s[i]) && s[i] != ',' && s[i] != '"' && s[i] != '\'')
			i++;
		if (i > st) {
			g->inc = xreallocarray(g->inc, g->ninc + 1, sizeof *g->inc);
			g->inc[g->ninc].name = xstrndup(s + st, i - st);
			g->inc[g->ninc++].line = lineno;
		}
	}
}

/* CONTEXT['](opts)['] [members]; false when the line is no CONTEXT line. */
static ctys_err_t
parse_context(struct gfile *g, const char *s, size_t len, unsigned lineno, bool *is_ctx)
{
	size_t i = 7, open, depth = 0;

	*is_ctx = false;
	if (len < 8 || strncmp(s, "CONTEXT", 7) != 0)
		return CTYS_OK;
	if (s[i] == '\'' || s[i] == '"')
		i++;
	if (i >= len || s[i] != '(')
		return CTYS_OK;
	*is_ctx = true;
	open = i;
	for (; i < len; i++) {
		if (s[i] == '(')
			depth++;
		else if (s[i] == ')' && --depth == 0)
			break;
	}
	if (i >= len)
		return ctys_seterr(CTYS_ERR_PARSE, "%s:%u: unbalanced '(' in CONTEXT", g->path,
		    lineno);
	/* the options, trimmed, double quotes dropped */
	size_t a = open + 1, b = i;
	while (a < b && blank(s[a]))
		a++;
	while (b > a && blank(s[b - 1]))
		b--;
	if (b > a) {
		if (g->ctx.len)
			buf_addc(&g->ctx, ' ');
		for (; a < b; a++)
			if (s[a] != '"')
				buf_addc(&g->ctx, s[a]);
	}
	i++;
	if (i < len && (s[i] == '\'' || s[i] == '"'))
		i++;
	return parse_members(g, s + i, len - i, lineno);
}

static ctys_err_t
parse_group(struct gfile *g, const char *text, size_t len)
{
	size_t i = 0, eol, n;
	unsigned lineno = 0;
	const char *s;
	bool is_ctx;
	ctys_err_t e;

	if ((e = macro_text_check(g->path, text, len)) != CTYS_OK)
		return e;
	for (; i < len; i = eol + 1) {
		lineno++;
		s = text + i;
		eol = i;
		while (eol < len && text[eol] != '\n')
			eol++;
		n = eol - i;
		if (n >= 8 && strncmp(s, "#include", 8) == 0 && (n == 8 || blank(s[8]))) {
			parse_include(g, s + 8, n - 8, lineno);
			continue;
		}
		if (n == 0 || s[0] == '#')
			continue;
		if ((e = parse_context(g, s, n, lineno, &is_ctx)) != CTYS_OK)
			return e;
		if (!is_ctx && (e = parse_members(g, s, n, lineno)) != CTYS_OK)
			return e;
	}
	return CTYS_OK;
}

static void
gfile_free(struct gfile *g)
{
	size_t i;

	for (i = 0; i < g->ninc; i++)
		free(g->inc[i].name);
	free(g->inc);
	buf_free(&g->members);
	buf_free(&g->ctx);
	free(g->path);
	free(g->name);
	free(g);
}

/* ---- the include tree ---------------------------------------------------- */

#define NBUCKETS 1024

struct tree {
	const struct grp_env *env;
	char *extra;                    /* directory of a name with '/', or NULL */
	struct gfile *hash[NBUCKETS];   /* parsed files by canonical path */
	struct gfile **order;           /* tree order */
	size_t norder, cap;
	const struct gfile **chain;     /* current include chain (for cycles) */
	size_t depth, chaincap;
};

static unsigned
hash_str(const char *s)
{
	unsigned h = 5381;

	while (*s)
		h = h * 33 + (unsigned char)*s++;
	return h % NBUCKETS;
}

/* Parsed file for `path` (read and parsed on first use). */
static ctys_err_t
load(struct tree *t, const char *path, const char *name, const char *text, size_t len,
	struct gfile **out)
{
	char real[PATH_MAX], *owned = NULL;
	struct gfile *g;
	unsigned h;
	ctys_err_t e;

	if (text == NULL && realpath(path, real) != NULL)
		path = real;
	h = hash_str(path);
	for (g = t->hash[h]; g; g = g->hnext)
		if (strcmp(g->path, path) == 0) {
			*out = g;
			return CTYS_OK;
		}
	if (text == NULL) {
		if ((e = macro_read_file(path, &owned, &len)) != CTYS_OK)
			return e;
		text = owned;
	}
	g = xcalloc(1, sizeof *g);
	g->path = xstrdup(path);
	g->name = xstrdup(name);
	e = parse_group(g, text, len);
	free(owned);
	if (e != CTYS_OK) {
		gfile_free(g);
		return e;
	}
	g->hnext = t->hash[h];
	t->hash[h] = g;
	*out = g;
	return CTYS_OK;
}

static void
chain_text(struct buf *m, const struct tree *t, const char *last)
{
	size_t i;

	for (i = 0; i < t->depth && m->len < 700; i++)
		buf_addf(m, "%s -> ", t->chain[i]->name);
	if (i < t->depth)
		buf_adds(m, "... -> ");
	buf_adds(m, last);
}

static ctys_err_t
walk(struct tree *t, struct gfile *g)
{
	struct buf m = BUF_INIT;
	struct gfile *sub;
	char *path;
	size_t i, k;
	ctys_err_t e;

	if (t->norder >= GRP_NODES_MAX)
		return ctys_seterr(CTYS_ERR_TOOLONG, "group '%s' expands to more than %d files",
		    t->chain[0]->name, GRP_NODES_MAX);
	if (t->norder == t->cap) {
		t->cap = t->cap ? t->cap * 2 : 64;
		t->order = xreallocarray(t->order, t->cap, sizeof *t->order);
	}
	t->order[t->norder++] = g;
	if (t->depth == t->chaincap) {
		t->chaincap = t->chaincap ? t->chaincap * 2 : 16;
		t->chain = xreallocarray(t->chain, t->chaincap, sizeof *t->chain);
	}
	t->chain[t->depth++] = g;
	for (i = 0; i < g->ninc; i++) {
		const struct include *in = &g->inc[i];

		if ((e = find_in(t->extra, t->env, in->name, &path)) != CTYS_OK) {
			ctys_errprefix("%s:%u: missing included group '%s': ", g->path, in->line,
			    in->name);
			goto out;
		}
		e = load(t, path, in->name, NULL, 0, &sub);
		free(path);
		if (e != CTYS_OK)
			goto out;
		for (k = 0; k < t->depth; k++)
			if (t->chain[k] == sub)
				break;
		if (k < t->depth) {
			chain_text(&m, t, in->name);
			e = ctys_seterr(CTYS_ERR_CYCLE, "group '%s' includes itself: %s",
			    in->name, buf_cstr(&m));
			goto out;
		}
		if (t->depth > t->env->max_recurse) {
			chain_text(&m, t, in->name);
			e = ctys_seterr(CTYS_ERR_NESTING,
			    "%s:%u: exceeding nesting level %u: %s", g->path, in->line,
			    t->env->max_recurse, buf_cstr(&m));
			goto out;
		}
		if ((e = walk(t, sub)) != CTYS_OK)
			goto out;
	}
	e = CTYS_OK;
out:
	t->depth--;
	buf_free(&m);
	return e;
}

static int
cmp_path(const void *a, const void *b)
{
	return strcmp((*(struct gfile *const *)a)->path, (*(struct gfile *const *)b)->path);
}

/* Emit one member token, with the tree's CONTEXT applied when there is one. */
static void
emit(struct buf *out, const char *tok, size_t len, const struct buf *ctx)
{
	size_t i, open = len, close = len;
	unsigned pd = 0;

	if (ctx->len == 0) {
		buf_add(out, tok, len);
		return;
	}
	/* name part ends at the first '(' or '{' */
	for (i = 0; i < len && tok[i] != '(' && tok[i] != '{'; i++)
		;
	if (i < len && tok[i] == '(') {
		open = i;
		for (; i < len; i++) {
			if (tok[i] == '(')
				pd++;
			else if (tok[i] == ')' && --pd == 0)
				break;
		}
		close = i;
	} else {
		open = close = i;
	}
	buf_add(out, tok, open);
	buf_adds(out, "( ");
	buf_add(out, ctx->d, ctx->len);
	if (close > open) {
		size_t a = open + 1, b = close;

		while (a < b && blank(tok[a]))
			a++;
		while (b > a && blank(tok[b - 1]))
			b--;
		if (b > a) {
			buf_addc(out, ' ');
			buf_add(out, tok + a, b - a);
			buf_addc(out, ' ');
			buf_add(out, ctx->d, ctx->len);
		}
		close++;
	}
	buf_adds(out, " )");
	buf_add(out, tok + close, len - close);
}

static ctys_err_t
render(struct tree *t, char **text, size_t *count)
{
	struct buf out = BUF_INIT, ctx = BUF_INIT;
	size_t i, j, n = 0;
	const char *p;

	if (t->env->dedup && t->norder > 1) {
		sort_array(t->order, t->norder, sizeof *t->order, cmp_path);
		for (i = j = 1; i < t->norder; i++)
			if (t->order[i] != t->order[j - 1])
				t->order[j++] = t->order[i];
		t->norder = j;
	}
	for (i = 0; i < t->norder; i++) {
		if (t->order[i]->ctx.len) {
			if (ctx.len)
				buf_addc(&ctx, ' ');
			buf_add(&ctx, t->order[i]->ctx.d, t->order[i]->ctx.len);
		}
		n += t->order[i]->nmembers;
	}
	if (n > GRP_MEMBERS_MAX) {
		buf_free(&ctx);
		return ctys_seterr(CTYS_ERR_TOOLONG, "group '%s' expands to more than %d members",
		    t->order[0]->name, GRP_MEMBERS_MAX);
	}
	if (text == NULL) {
		buf_free(&ctx);
		*count = n;
		return CTYS_OK;
	}
	for (i = 0; i < t->norder; i++) {
		const struct gfile *g = t->order[i];

		p = g->members.d;
		for (j = 0; j < g->nmembers; j++) {
			size_t len = strlen(p);

			if (out.len)
				buf_addc(&out, ' ');
			emit(&out, p, len, &ctx);
			p += len + 1;
			if (out.len > GRP_EXPAND_MAX) {
				buf_free(&out);
				buf_free(&ctx);
				return ctys_seterr(CTYS_ERR_TOOLONG,
				    "group '%s' expands to more than %d bytes", t->order[0]->name,
				    GRP_EXPAND_MAX);
			}
		}
	}
	buf_free(&ctx);
	*text = buf_detach(&out);
	if (*text == NULL)
		*text = xstrdup("");
	if (count)
		*count = n;
	return CTYS_OK;
}

static void
tree_free(struct tree *t)
{
	struct gfile *g, *next;
	size_t i;

	for (i = 0; i < NBUCKETS; i++)
		for (g = t->hash[i]; g; g = next) {
			next = g->hnext;
			gfile_free(g);
		}
	free(t->order);
	free(t->chain);
	free(t->extra);
}

/* Add the tree of one root (from a file, or from `text` when not NULL). */
static ctys_err_t
add_root(struct tree *t, const char *name, const char *text, size_t len)
{
	struct gfile *g;
	char *path = NULL, cwd[PATH_MAX];
	const char *slash = strrchr(name, '/');
	ctys_err_t e;

	free(t->extra);
	t->extra = NULL;
	if (slash && slash != name) {
		if (name[0] == '/' || getcwd(cwd, sizeof cwd) == NULL)
			t->extra = xstrndup(name, (size_t)(slash - name));
		else
			t->extra = xasprintf("%s/%.*s", cwd, (int)(slash - name), name);
	}
	if (text == NULL && (e = find_in(NULL, t->env, name, &path)) != CTYS_OK)
		return e;
	e = load(t, text ? name : path, name, text, len, &g);
	free(path);
	if (e != CTYS_OK)
		return e;
	t->depth = 0;
	return walk(t, g);
}

static ctys_err_t
expand_count(const struct grp_env *env, const char *names, char **text, size_t *count)
{
	struct tree t;
	struct strv v = STRV_INIT;
	size_t i;
	ctys_err_t e = CTYS_OK;

	memset(&t, 0, sizeof t);
	t.env = env;
	strv_split_ws(&v, names);
	for (i = 0; i < v.n && e == CTYS_OK; i++)
		e = add_root(&t, v.v[i], NULL, 0);
	if (e == CTYS_OK)
		e = render(&t, text, count);
	strv_free(&v);
	tree_free(&t);
	return e;
}

ctys_err_t
grp_expand(const struct grp_env *env, const char *names, char **members_text)
{
	return expand_count(env, names, members_text, NULL);
}

ctys_err_t
grp_expand_text(const struct grp_env *env, const char *name, const char *text, size_t len,
	char **members_text)
{
	struct tree t;
	ctys_err_t e;

	memset(&t, 0, sizeof t);
	t.env = env;
	e = add_root(&t, name, text, len);
	if (e == CTYS_OK)
		e = render(&t, members_text, NULL);
	tree_free(&t);
	return e;
}

const char *
grp_next_target(const char *s, size_t *len)
{
	const char *st;
	unsigned d;

	while (*s == ' ' || *s == '\t' || *s == '\n')
		s++;
	if (*s == '\0')
		return NULL;
	st = s;
	for (d = 0; *s && (d > 0 || (*s != ' ' && *s != '\t' && *s != '\n')); s++) {
		if (*s == '(' || *s == '{')
			d++;
		else if ((*s == ')' || *s == '}') && d > 0)
			d--;
	}
	*len = (size_t)(s - st);
	return st;
}

void
grp_split_targets(const char *s, struct strv *out)
{
	size_t len;

	while ((s = grp_next_target(s, &len)) != NULL) {
		strv_pushn(out, s, len);
		s += len;
	}
}

/* ---- listing ------------------------------------------------------------- */

static void
collect(const char *dir, unsigned depth, struct strv *files)
{
	struct dirent *de;
	struct stat st;
	char *p;
	DIR *d;

	if (depth > 32 || (d = opendir(dir)) == NULL)
		return;
	while ((de = readdir(d)) != NULL) {
		if (de->d_name[0] == '.')
			continue;
		p = xasprintf("%s%s%s", dir, dir[0] && dir[strlen(dir) - 1] == '/' ? "" : "/",
		    de->d_name);
		if (stat(p, &st) != 0)
			;
		else if (S_ISDIR(st.st_mode))
			collect(p, depth + 1, files);
		else if (S_ISREG(st.st_mode))
			strv_push(files, p);
		free(p);
	}
	closedir(d);
}

static bool
is_dir(const char *p)
{
	struct stat st;

	return stat(p, &st) == 0 && S_ISDIR(st.st_mode);
}

static void
add_info(const struct grp_env *env, struct grp_list *out, const char *path)
{
	struct grp_info *gi;
	struct tree t;
	struct gfile *g;
	struct stat st;

	out->v = xgrowarray(out->v, out->n, sizeof *out->v);
	gi = &out->v[out->n++];
	memset(gi, 0, sizeof *gi);
	gi->path = xstrdup(path);
	if (stat(path, &st) == 0)
		gi->size = st.st_size;
	memset(&t, 0, sizeof t);
	t.env = env;
	if ((gi->err = load(&t, path, path, NULL, 0, &g)) == CTYS_OK) {
		gi->nhosts = g->nmembers;
		gi->nincludes = g->ninc;
	}
	tree_free(&t);
	if (gi->err == CTYS_OK)
		gi->err = expand_count(env, path, NULL, &gi->ntotal);
	if (gi->err != CTYS_OK)
		gi->errmsg = xstrdup(ctys_errmsg());
}

static int
cmp_str(const void *a, const void *b)
{
	return strcmp(*(char *const *)a, *(char *const *)b);
}

ctys_err_t
grp_list(const struct grp_env *env, const char *sel, struct grp_list *out)
{
	struct strv files = STRV_INIT;
	const char *p, *colon;
	char *dir, *path;
	size_t i, n;
	ctys_err_t e;

	if (sel != NULL && *sel && sel[strlen(sel) - 1] != '/') {
		if ((e = grp_find(env, sel, &path)) != CTYS_OK)
			return e;
		add_info(env, out, path);
		free(path);
		return CTYS_OK;
	}
	if (sel != NULL && sel[0] == '/') {
		collect(sel, 0, &files);
	} else {
		for (p = env->path ? env->path : ""; *p; p = *colon ? colon + 1 : colon) {
			if ((colon = strchr(p, ':')) == NULL)
				colon = p + strlen(p);
			n = (size_t)(colon - p);
			if (n == 0)
				continue;
			dir = xasprintf("%.*s/%s", (int)n, p, sel ? sel : "");
			if (is_dir(dir))
				collect(dir, 0, &files);
			free(dir);
		}
	}
	if (files.n == 0 && sel != NULL && *sel) {
		strv_free(&files);
		return ctys_seterr(CTYS_ERR_NOENT, "no group files below '%s' (searched: %s)", sel,
		    sel[0] == '/' ? sel : env->path ? env->path : "");
	}
	if (files.n)
		sort_array(files.v, files.n, sizeof *files.v, cmp_str);
	for (i = 0; i < files.n; i++)
		add_info(env, out, files.v[i]);
	strv_free(&files);
	return CTYS_OK;
}

void
grp_list_free(struct grp_list *l)
{
	size_t i;

	for (i = 0; i < l->n; i++) {
		free(l->v[i].path);
		free(l->v[i].errmsg);
	}
	free(l->v);
	l->v = NULL;
	l->n = 0;
}
