/* macro.c — see macro.h; the file format is described in ctys-macros(5). */
#include "macros/macro.h"

#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/stat.h>

#include "lib/buf.h"
#include "lib/util.h"
#include "lib/xmalloc.h"
#include "macros/textfile.h"

struct macro_file {
	char *name;
	char *arena;            /* all names and values, NUL-separated */
	struct macro_def *defs; /* file order */
	size_t *byname;         /* indexes into defs sorted by (name, line) */
	size_t n;
};

void
macro_env_from_conf(struct macro_env *env, const struct conf *c)
{
	const char *v;
	unsigned long n;

	memset(env, 0, sizeof *env);
	if ((v = conf_get(c, "CTYS_MACRO_DB")) != NULL && *v)
		env->db = xstrdup(v);
	if ((v = conf_get(c, "CTYS_MACRO_PATH")) != NULL)
		env->path = xstrdup(v);
	v = conf_get(c, "CTYS_MAXRECURSE");
	env->max_recurse = v && parse_uint(v, 100000, &n) ? (unsigned)n : MACRO_MAXRECURSE_DEFAULT;
}

void
macro_env_free(struct macro_env *env)
{
	free(env->db);
	free(env->path);
	env->db = env->path = NULL;
}

/* ---- parsing ---------------------------------------------------------- */

static bool
is_blank(char c)
{
	return c == ' ' || c == '\t';
}

static const struct macro_file *sort_mf; /* qsort has no context argument */

static int
cmp_byname(const void *a, const void *b)
{
	const struct macro_def *x = &sort_mf->defs[*(const size_t *)a];
	const struct macro_def *y = &sort_mf->defs[*(const size_t *)b];
	int c = strcmp(x->name, y->name);

	return c ? c : (x->line > y->line) - (x->line < y->line);
}

static pthread_mutex_t parse_lock = PTHREAD_MUTEX_INITIALIZER;

/*
 * Squeeze one logical line (continuations already joined) into `out` and,
 * when it is a definition, record it as name\0value\0 offsets.
 */
static bool
parse_logical(const char *line, size_t len, struct buf *arena, size_t *name_off,
	size_t *val_off)
{
	size_t i = 0, start = arena->len, eq;

	if (len == 0 || is_blank(line[0]) || line[0] == '#' || line[0] == '=')
		return false; /* blank, comment, indented (never matched) or no name */
	/* name: up to a blank or '=' */
	while (i < len && !is_blank(line[i]) && line[i] != '=')
		i++;
	eq = i;
	while (eq < len && is_blank(line[eq]))
		eq++;
	if (eq >= len || line[eq] != '=')
		return false;
	*name_off = start;
	buf_add(arena, line, i);
	buf_addc(arena, '\0');
	*val_off = arena->len;
	i = eq + 1;
	while (i < len && is_blank(line[i]))
		i++;
	for (; i < len; i++) {
		if (is_blank(line[i])) {
			while (i + 1 < len && is_blank(line[i + 1]))
				i++;
			if (i + 1 < len)
				buf_addc(arena, ' ');
		} else {
			buf_addc(arena, line[i]);
		}
	}
	buf_addc(arena, '\0');
	return true;
}

ctys_err_t
macro_file_parse(const char *name, const char *text, size_t len, struct macro_file **out)
{
	struct buf arena = BUF_INIT, logical = BUF_INIT;
	struct macro_file *mf;
	size_t cap = 0, i = 0, lineno = 1, first = 1, eol, nameo, valo;
	size_t *offs = NULL; /* pairs of arena offsets */
	unsigned *lines = NULL;
	ctys_err_t e;

	if ((e = macro_text_check(name, text, len)) != CTYS_OK)
		return e;
	mf = xcalloc(1, sizeof *mf);
	mf->name = xstrdup(name);
	while (i < len) {
		eol = i;
		while (eol < len && text[eol] != '\n')
			eol++;
		if (logical.len == 0)
			first = lineno;
		if (eol > i && text[eol - 1] == '\\' && eol < len) {
			/* continuation: join with the next line, no space */
			buf_add(&logical, text + i, eol - 1 - i);
			if (logical.len > MACRO_LINE_MAX) {
				e = ctys_seterr(CTYS_ERR_TOOLONG,
				    "%s:%zu: continued line longer than %d bytes", name, first,
				    MACRO_LINE_MAX);
				goto fail;
			}
		} else {
			buf_add(&logical, text + i, eol - i);
			if (parse_logical(logical.d ? logical.d : "", logical.len, &arena, &nameo,
			    &valo)) {
				if (mf->n == cap) {
					cap = cap ? cap * 2 : 64;
					offs = xreallocarray(offs, cap, 2 * sizeof *offs);
					lines = xreallocarray(lines, cap, sizeof *lines);
				}
				offs[2 * mf->n] = nameo;
				offs[2 * mf->n + 1] = valo;
				lines[mf->n++] = (unsigned)first;
			}
			buf_reset(&logical);
		}
		i = eol + 1;
		lineno++;
	}
	buf_free(&logical);
	mf->arena = buf_detach(&arena);
	mf->defs = xcalloc(mf->n ? mf->n : 1, sizeof *mf->defs);
	mf->byname = xcalloc(mf->n ? mf->n : 1, sizeof *mf->byname);
	for (i = 0; i < mf->n; i++) {
		mf->defs[i].name = mf->arena + offs[2 * i];
		mf->defs[i].value = mf->arena + offs[2 * i + 1];
		mf->defs[i].line = lines[i];
		mf->byname[i] = i;
	}
	free(offs);
	free(lines);
	pthread_mutex_lock(&parse_lock);
	sort_mf = mf;
	sort_array(mf->byname, mf->n, sizeof *mf->byname, cmp_byname);
	pthread_mutex_unlock(&parse_lock);
	*out = mf;
	return CTYS_OK;
fail:
	buf_free(&logical);
	buf_free(&arena);
	free(offs);
	free(lines);
	free(mf->name);
	free(mf);
	return e;
}

void
macro_file_free(struct macro_file *mf)
{
	if (mf == NULL)
		return;
	free(mf->name);
	free(mf->arena);
	free(mf->defs);
	free(mf->byname);
	free(mf);
}

const char *
macro_file_name(const struct macro_file *mf)
{
	return mf->name;
}

size_t
macro_file_count(const struct macro_file *mf)
{
	return mf->n;
}

const struct macro_def *
macro_file_def(const struct macro_file *mf, size_t i)
{
	return i < mf->n ? &mf->defs[i] : NULL;
}

/* ---- the per-process cache -------------------------------------------- */

struct cached {
	struct cached *next;
	char *path;
	struct macro_file *mf;
};

static struct cached *cache;
static pthread_mutex_t cache_lock = PTHREAD_MUTEX_INITIALIZER;

ctys_err_t
macro_file_load(const char *path, const struct macro_file **out)
{
	struct cached *c;
	struct macro_file *mf;
	char *text;
	size_t len;
	ctys_err_t e;

	pthread_mutex_lock(&cache_lock);
	for (c = cache; c; c = c->next) {
		if (strcmp(c->path, path) == 0) {
			*out = c->mf;
			pthread_mutex_unlock(&cache_lock);
			return CTYS_OK;
		}
	}
	e = macro_read_file(path, &text, &len);
	if (e == CTYS_OK) {
		e = macro_file_parse(path, text, len, &mf);
		free(text);
	}
	if (e == CTYS_OK) {
		c = xmalloc(sizeof *c);
		c->path = xstrdup(path);
		c->mf = mf;
		c->next = cache;
		cache = c;
		*out = mf;
	}
	pthread_mutex_unlock(&cache_lock);
	return e;
}

/* ---- lookup ------------------------------------------------------------ */

/* Index range [*lo, *hi) of byname entries equal to name[0..len). */
static void
find_range(const struct macro_file *mf, const char *name, size_t len, size_t *lo, size_t *hi)
{
	size_t a = 0, b = mf->n, m;
	int c;

	while (a < b) {
		m = a + (b - a) / 2;
		const char *s = mf->defs[mf->byname[m]].name;
		c = strncmp(s, name, len);
		if (c == 0 && s[len] != '\0')
			c = 1;
		if (c < 0)
			a = m + 1;
		else
			b = m;
	}
	*lo = a;
	for (b = a; b < mf->n; b++) {
		const char *s = mf->defs[mf->byname[b]].name;
		if (strncmp(s, name, len) != 0 || s[len] != '\0')
			break;
	}
	*hi = b;
}

static ctys_err_t
lookup_n(const struct macro_file *mf, const char *name, size_t len, bool optional,
	const char **value)
{
	size_t lo, hi;

	find_range(mf, name, len, &lo, &hi);
	if (hi - lo == 1) {
		*value = mf->defs[mf->byname[lo]].value;
		return CTYS_OK;
	}
	if (hi == lo) {
		if (optional) {
			*value = "";
			return CTYS_OK;
		}
		return ctys_seterr(CTYS_ERR_USAGE,
		    "missing macro '%.*s' in '%s' (macro names are case-sensitive)", (int)len,
		    name, mf->name);
	}
	return ctys_seterr(CTYS_ERR_USAGE,
	    "multiple definitions of macro '%.*s' in '%s' (lines %u and %u)", (int)len, name,
	    mf->name, mf->defs[mf->byname[lo]].line, mf->defs[mf->byname[lo + 1]].line);
}

ctys_err_t
macro_lookup(const struct macro_file *mf, const char *name, const char **value)
{
	return lookup_n(mf, name, strlen(name), false, value);
}

ctys_err_t
macro_find_file(const struct macro_env *env, const char *file, char **path_out)
{
	struct stat st;
	const char *p, *colon;
	char *cand;
	size_t n;

	if (stat(file, &st) == 0 && S_ISREG(st.st_mode)) {
		*path_out = xstrdup(file);
		return CTYS_OK;
	}
	for (p = env->path ? env->path : ""; *p; p = *colon ? colon + 1 : colon) {
		colon = strchr(p, ':');
		if (colon == NULL)
			colon = p + strlen(p);
		n = (size_t)(colon - p);
		if (n == 0)
			continue;
		cand = xasprintf("%.*s/%s", (int)n, p, file);
		if (stat(cand, &st) == 0 && S_ISREG(st.st_mode)) {
			*path_out = cand;
			return CTYS_OK;
		}
		free(cand);
	}
	return ctys_seterr(CTYS_ERR_NOENT,
	    "cannot access macro file '%s': no such file, nor along CTYS_MACRO_PATH '%s'", file,
	    env->path ? env->path : "");
}

bool
macro_has_ref(const char *text)
{
	return strcasestr(text, "macro:") != NULL;
}

/* ---- expansion --------------------------------------------------------- */

/* One parsed reference: text[start, end) is replaced. */
struct ref {
	size_t start, end;
	size_t name, name_len;
	size_t file, file_len; /* file_len 0: none */
	bool eval, optional;
};

enum { MOD_ECHO, MOD_EVAL, MOD_OPTIONAL };
static const struct kw modifiers[] = {
	{ "ECHO", MOD_ECHO },
	{ "EVAL", MOD_EVAL },
	{ "OPTIONAL", MOD_OPTIONAL },
};

/* Right-most case-insensitive occurrence of `pat` in s, or NULL. */
static const char *
rfind_ci(const char *s, size_t len, const char *pat)
{
	size_t m = strlen(pat), i;

	if (len < m)
		return NULL;
	for (i = len - m + 1; i-- > 0;)
		if (strncasecmp(s + i, pat, m) == 0)
			return s + i;
	return NULL;
}

static bool
is_delim(char c, bool brace)
{
	return c == '\0' || c == ',' || c == '%' || c == ' ' || c == '\t' || c == '\n' ||
	    (brace && c == '}');
}

/* Find and parse the reference to replace next; false when there is none. */
static ctys_err_t
find_ref(const char *text, size_t len, struct ref *r, bool *found)
{
	const char *at, *p, *part;
	bool brace = true;
	size_t n;

	memset(r, 0, sizeof *r);
	*found = false;
	if ((at = rfind_ci(text, len, "{macro:")) == NULL) {
		brace = false;
		if ((at = rfind_ci(text, len, "macro:")) == NULL)
			return CTYS_OK;
	}
	*found = true;
	r->start = (size_t)(at - text);
	p = at + (brace ? 7 : 6);
	r->name = (size_t)(p - text);
	while (!is_delim(*p, brace))
		p++;
	r->name_len = (size_t)(p - text) - r->name;
	if (r->name_len == 0)
		return ctys_seterr(CTYS_ERR_USAGE, "macro reference without a name at '%.40s'", at);
	while (*p == '%' && p[1] != '%') {
		part = ++p;
		while (!is_delim(*p, brace))
			p++;
		n = (size_t)(p - part);
		if (n == 0)
			continue;
		switch (kw_lookup(modifiers, sizeof modifiers / sizeof *modifiers, part, n)) {
		case MOD_ECHO:
			r->eval = false;
			break;
		case MOD_EVAL:
			r->eval = true;
			break;
		case MOD_OPTIONAL:
			r->optional = true;
			break;
		default:
			if (r->file_len)
				return ctys_seterr(CTYS_ERR_USAGE,
				    "macro reference '%.*s' names two files", (int)(p - at), at);
			r->file = (size_t)(part - text);
			r->file_len = n;
		}
	}
	if (brace) {
		if (*p != '}')
			return ctys_seterr(CTYS_ERR_USAGE,
			    "macro reference '%.*s' lacks its closing '}'", (int)(p - at), at);
		p++;
	}
	r->end = (size_t)(p - text);
	return CTYS_OK;
}

static char *
trim_dup(const char *s, size_t len)
{
	while (len && (is_blank(*s) || *s == '\n')) {
		s++;
		len--;
	}
	while (len && (is_blank(s[len - 1]) || s[len - 1] == '\n'))
		len--;
	return xstrndup(s, len);
}

/* Run `cmd` with /bin/sh -c; *out = its stdout without trailing newlines. */
static ctys_err_t
run_eval(const char *cmd, char **out)
{
	struct buf b = BUF_INIT;
	char chunk[4096];
	size_t n;
	FILE *f;

	fflush(NULL);
	if ((f = popen(cmd, "r")) == NULL)
		return ctys_seterr(CTYS_ERR_IO, "cannot run /bin/sh for macro %%EVAL");
	while ((n = fread(chunk, 1, sizeof chunk, f)) > 0) {
		if (b.len + n > MACRO_EXPAND_MAX) {
			pclose(f);
			buf_free(&b);
			return ctys_seterr(CTYS_ERR_TOOLONG,
			    "output of macro %%EVAL longer than %d bytes", MACRO_EXPAND_MAX);
		}
		buf_add(&b, chunk, n);
	}
	pclose(f);
	*out = trim_dup(buf_cstr(&b), b.len);
	buf_free(&b);
	return CTYS_OK;
}

/* The names replaced so far, for the recursion message. */
struct strv_lite {
	const char **name;
	size_t *len;
	size_t n;
};

static void
chain_msg(struct buf *m, const struct strv_lite *c)
{
	size_t i;

	for (i = 0; i < c->n && m->len < 600; i++)
		buf_addf(m, "%s%.*s", i ? " -> " : "", (int)c->len[i], c->name[i]);
	if (i < c->n)
		buf_adds(m, " -> ...");
}

ctys_err_t
macro_expand_in(const struct macro_env *env, const struct macro_file *mf, const char *text,
	char **out)
{
	struct buf cur = BUF_INIT, next = BUF_INIT, msg = BUF_INIT;
	struct strv_lite chain = { NULL, NULL, 0 };
	bool *evals = NULL, found;
	const char *value;
	char *res, *tmp;
	size_t nrepl = 0, i;
	struct ref r;
	ctys_err_t e = CTYS_OK;

	buf_adds(&cur, text);
	for (;;) {
		if ((e = find_ref(buf_cstr(&cur), cur.len, &r, &found)) != CTYS_OK)
			goto done;
		if (!found)
			break;
		if (nrepl >= env->max_recurse) {
			buf_addf(&msg, "recursion threshold exceeded (%u) expanding macros of '%s': ",
			    env->max_recurse, macro_file_name(mf));
			chain_msg(&msg, &chain);
			buf_addf(&msg, " -> %.*s", (int)r.name_len, cur.d + r.name);
			e = ctys_seterr(CTYS_ERR_USAGE, "%s", buf_cstr(&msg));
			goto done;
		}
		if ((e = lookup_n(mf, cur.d + r.name, r.name_len, r.optional, &value)) != CTYS_OK)
			goto done;
		chain.name = xreallocarray(chain.name, nrepl + 1, sizeof *chain.name);
		chain.len = xreallocarray(chain.len, nrepl + 1, sizeof *chain.len);
		evals = xreallocarray(evals, nrepl + 1, sizeof *evals);
		chain.name[nrepl] = xstrndup(cur.d + r.name, r.name_len);
		chain.len[nrepl] = r.name_len;
		evals[nrepl++] = r.eval;
		chain.n = nrepl;
		buf_reset(&next);
		buf_add(&next, cur.d, r.start);
		buf_adds(&next, value);
		buf_adds(&next, cur.d + r.end);
		if (next.len > MACRO_EXPAND_MAX) {
			e = ctys_seterr(CTYS_ERR_TOOLONG, "macro expansion longer than %d bytes",
			    MACRO_EXPAND_MAX);
			goto done;
		}
		struct buf t = cur;
		cur = next;
		next = t;
	}
	res = trim_dup(buf_cstr(&cur), cur.len);
	/* %EVAL applies to the result of the expansion below it: innermost first */
	for (i = nrepl; i-- > 0;) {
		if (!evals[i])
			continue;
		if (env->no_eval) {
			free(res);
			e = ctys_seterr(CTYS_ERR_UNSUPPORTED, "macro %%EVAL is disabled ('%s')",
			    chain.name[i]);
			goto done;
		}
		e = run_eval(res, &tmp);
		free(res);
		if (e != CTYS_OK)
			goto done;
		res = tmp;
	}
	*out = res;
done:
	for (i = 0; i < chain.n; i++)
		free((char *)chain.name[i]);
	free(chain.name);
	free(chain.len);
	free(evals);
	buf_free(&cur);
	buf_free(&next);
	buf_free(&msg);
	return e;
}

ctys_err_t
macro_expand(const struct macro_env *env, const char *text, char **out)
{
	const struct macro_file *mf;
	struct ref r;
	bool found;
	char *path, *file;
	ctys_err_t e;

	if ((e = find_ref(text, strlen(text), &r, &found)) != CTYS_OK)
		return e;
	if (!found) {
		*out = trim_dup(text, strlen(text));
		return CTYS_OK;
	}
	/* the file is chosen once, by the right-most reference */
	if (r.file_len) {
		file = xstrndup(text + r.file, r.file_len);
		e = macro_find_file(env, file, &path);
		free(file);
		if (e != CTYS_OK)
			return e;
	} else {
		if (env->db == NULL || *env->db == '\0')
			return ctys_seterr(CTYS_ERR_NOENT,
			    "cannot access macro file db: CTYS_MACRO_DB is not set");
		path = xstrdup(env->db);
	}
	e = macro_file_load(path, &mf);
	if (e != CTYS_OK)
		ctys_errprefix("cannot access macro file db: ");
	free(path);
	if (e != CTYS_OK)
		return e;
	return macro_expand_in(env, mf, text, out);
}
