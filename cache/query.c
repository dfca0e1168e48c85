/* query.c — see query.h. */
#include "cache/query.h"

#include <ctype.h>
#include <regex.h>
#include <stdlib.h>
#include <string.h>

#include "cache/ere.h"
#include "cache/gram.h"
#include "cache/record.h"
#include "lib/buf.h"
#include "lib/strv.h"
#include "lib/util.h"
#include "lib/xmalloc.h"

enum term_kind { T_RE, T_F, T_E, T_R };

struct term {
	enum term_kind kind;
	int neg;         /* effective negation (quirk rule applied) */
	bool or_before;  /* an OR was pending when this term came */
	unsigned fa, fb; /* F: field; E: fields a, b */
	unsigned long r1, r2;
	char *pat;
	regex_t re;
	bool has_re;
	char *lit;       /* a substring every match contains, or NULL */
	size_t litlen;
	bool pure;       /* pattern is the literal itself (no metachars) */
	bool exact;      /* pattern is ^<lit>$ */
	bool any;        /* pattern is "." (any non-empty text) */
};

struct query {
	struct term *t;
	size_t n;
	unsigned flags;
	bool any_or;
};

static bool
is_meta(int c)
{
	return c != '\0' && strchr("\\^$.[]|()*+?{}", c) != NULL;
}

/*
 * Longest run of characters every match must contain: only for patterns
 * without '|' and without groups at all; a quantified character is not
 * part of a run.  Conservative: NULL means "no prefilter".
 */
static void
analyse(struct term *t)
{
	const char *p = t->pat;
	size_t n = strlen(p), i, best = 0, bstart = 0, cur = 0, cstart = 0;
	bool meta = false;

	for (i = 0; i < n; i++)
		if (is_meta((unsigned char)p[i]))
			meta = true;
	t->pure = !meta;
	if (!meta) {
		t->lit = xstrdup(p);
		t->litlen = n;
		return;
	}
	if (n >= 2 && p[0] == '^' && p[n - 1] == '$') {
		for (i = 1; i + 1 < n && !is_meta((unsigned char)p[i]); i++)
			;
		if (i + 1 == n && n > 2) {
			t->exact = true;
			t->lit = xstrndup(p + 1, n - 2);
			t->litlen = n - 2;
			return;
		}
	}
	if (strpbrk(p, "|()\\") != NULL)
		return;
	for (i = 0; i < n; i++) {
		int c = (unsigned char)p[i];
		bool quant_next = i + 1 < n && strchr("?*{", p[i + 1]) != NULL;

		if (c == '[') {
			/* skip a bracket expression: ']' first is literal */
			size_t j = i + 1;

			if (j < n && p[j] == '^')
				j++;
			if (j < n && p[j] == ']')
				j++;
			while (j < n && p[j] != ']')
				j++;
			i = j;
			cur = 0;
			continue;
		}
		if (is_meta(c) || quant_next) {
			cur = 0;
			continue;
		}
		if (cur == 0)
			cstart = i;
		cur++;
		if (cur > best) {
			best = cur;
			bstart = cstart;
		}
		if (i + 1 < n && p[i + 1] == '+')
			cur = 0;
	}
	if (best > 0) {
		t->lit = xstrndup(p + bstart, best);
		t->litlen = best;
	}
}

static ctys_err_t
compile_re(struct term *t, const char *arg)
{
	char msg[200];
	int rc;

	analyse(t);
	t->any = strcmp(t->pat, ".") == 0;
	if (t->pure || t->exact)
		return CTYS_OK;
	rc = ere_compile(&t->re, t->pat, msg, sizeof msg);
	if (rc != 0) {
		return ctys_seterr(CTYS_ERR_USAGE, "invalid regular expression in '%s': %s",
		    arg, msg);
	}
	t->has_re = true;
	return CTYS_OK;
}

static bool
num_part(const char **p, unsigned long max, unsigned long *out)
{
	const char *s = *p;
	unsigned long v = 0;

	if (!isdigit((unsigned char)*s))
		return false;
	while (isdigit((unsigned char)*s)) {
		v = v * 10 + (unsigned long)(*s - '0');
		if (v > max)
			return false;
		s++;
	}
	*p = s;
	*out = v;
	return true;
}

static ctys_err_t
parse_term(const char *w, struct term *t)
{
	unsigned long a, b;
	const char *p = w + 2, *end;

	memset(t, 0, sizeof *t);
	if (strlen(w) >= 2 && w[1] == ':' && strchr("fFeErR", w[0]) != NULL) {
		switch (toupper((unsigned char)w[0])) {
		case 'F':
			if (!num_part(&p, 9999, &a) || *p != ':')
				return ctys_seterr(CTYS_ERR_USAGE, "invalid field term '%s': "
				    "expected F:<field>:<regex>", w);
			p++;
			end = strchr(p, ':');
			t->kind = T_F;
			t->fa = (unsigned)a;
			t->pat = end ? xstrndup(p, (size_t)(end - p)) : xstrdup(p);
			return compile_re(t, w);
		case 'E':
			if (!num_part(&p, 9999, &a) || *p++ != ':' || !num_part(&p, 9999, &b) ||
			    (*p != '\0' && *p != ':'))
				return ctys_seterr(CTYS_ERR_USAGE, "invalid field term '%s': "
				    "expected E:<field>:<field>", w);
			t->kind = T_E;
			t->fa = (unsigned)a;
			t->fb = (unsigned)b;
			return CTYS_OK;
		case 'R':
			if (!num_part(&p, 0xffffffffUL, &a))
				return ctys_seterr(CTYS_ERR_USAGE, "invalid index term '%s': "
				    "expected R:<index>[:<index>]", w);
			b = a;
			if (*p == ':') {
				p++;
				if (!num_part(&p, 0xffffffffUL, &b))
					return ctys_seterr(CTYS_ERR_USAGE, "invalid index "
					    "term '%s': expected R:<index>[:<index>]", w);
			}
			if (*p != '\0')
				return ctys_seterr(CTYS_ERR_USAGE, "invalid index term '%s'", w);
			t->kind = T_R;
			t->r1 = a;
			t->r2 = b;
			return CTYS_OK;
		}
	}
	t->kind = T_RE;
	t->pat = xstrdup(w);
	return compile_re(t, w);
}

ctys_err_t
query_compile(const char *const *args, size_t nargs, unsigned flags, struct query **out)
{
	struct strv words = STRV_INIT;
	struct query *q = xcalloc(1, sizeof *q);
	bool pending_or = false, pending_not = false, seen_fer = false;
	ctys_err_t e = CTYS_OK;
	size_t i, cap = 0;

	*out = NULL;
	for (i = 0; i < nargs; i++)
		strv_split_ws(&words, args[i]);
	if (words.n == 0)
		strv_push(&words, ".");
	q->flags = flags;
	for (i = 0; i < words.n && e == CTYS_OK; i++) {
		const char *w = words.v[i];
		struct term *t;

		if (str_ieq(w, "AND")) {
			pending_or = false;
			continue;
		}
		if (str_ieq(w, "OR")) {
			pending_or = true;
			continue;
		}
		if (str_ieq(w, "NOT")) {
			pending_not = true;
			continue;
		}
		if (q->n == cap) {
			cap = cap ? cap * 2 : 8;
			q->t = xreallocarray(q->t, cap, sizeof *q->t);
		}
		t = &q->t[q->n];
		if ((e = parse_term(w, t)) != CTYS_OK) {
			free(t->pat);
			free(t->lit);
			break;
		}
		q->n++;
		t->or_before = pending_or && q->n > 1;
		if (t->or_before)
			q->any_or = true;
		pending_or = false;
		/* NOT reach (quirk kept): see query.h */
		t->neg = pending_not ? 1 : 0;
		if (pending_not && t->kind == T_RE && !seen_fer)
			t->neg = 2; /* decided below: honoured only when last */
		if (t->kind != T_RE)
			seen_fer = true;
		pending_not = false;
	}
	if (e == CTYS_OK && q->n == 0) {
		/* only operators: "." as the one term */
		q->t = xreallocarray(q->t, 1, sizeof *q->t);
		e = parse_term(".", &q->t[0]);
		q->t[0].neg = pending_not ? 1 : 0;
		q->n = 1;
	}
	strv_free(&words);
	if (e != CTYS_OK) {
		query_free(q);
		return e;
	}
	for (i = 0; i < q->n; i++)
		q->t[i].neg = q->t[i].neg == 2 ? (i + 1 == q->n) : q->t[i].neg;
	*out = q;
	return CTYS_OK;
}

void
query_free(struct query *q)
{
	size_t i;

	if (q == NULL)
		return;
	for (i = 0; i < q->n; i++) {
		if (q->t[i].has_re)
			regfree(&q->t[i].re);
		free(q->t[i].pat);
		free(q->t[i].lit);
	}
	free(q->t);
	free(q);
}

size_t
query_nterms(const struct query *q)
{
	return q->n;
}

/* ---- matching ------------------------------------------------------------ */

static bool
ere_match(const regex_t *re, const char *s, size_t n)
{
	regmatch_t m[1];

	m[0].rm_so = 0;
	m[0].rm_eo = (regoff_t)n;
	return regexec(re, s, 1, m, REG_STARTEND) == 0;
}

static bool
pat_match(const struct term *t, const char *s, size_t n)
{
	if (t->exact)
		return n == t->litlen && memcmp(s, t->lit, n) == 0;
	if (t->any)
		return n > 0;
	if (t->lit != NULL && t->litlen > 0 && memmem(s, n, t->lit, t->litlen) == NULL)
		return false;
	if (t->pure)
		return true;
	return ere_match(&t->re, s, n);
}

static bool
e_match(const struct term *t, const char *line, size_t n)
{
	size_t la, lb;
	const char *a = rec_field_view(line, n, t->fa, &la);
	const char *b = rec_field_view(line, n, t->fb, &lb);
	char *pat;
	regex_t re;
	bool ok;

	if (lb == 0)
		return true;
	pat = xstrndup(b, lb);
	if (ere_compile(&re, pat, NULL, 0) != 0) {
		free(pat);
		return false; /* an invalid regex from the data matches nothing */
	}
	free(pat);
	ok = ere_match(&re, a, la);
	regfree(&re);
	return ok;
}

/* Does the line (field 32 = index already) satisfy t (negation applied)? */
static bool
term_match(const struct term *t, unsigned long index, const char *line, size_t n)
{
	const char *f;
	size_t fl;
	bool m = false;

	switch (t->kind) {
	case T_RE:
		m = pat_match(t, line, n);
		break;
	case T_F:
		f = rec_field_view(line, n, t->fa, &fl);
		m = pat_match(t, f, fl);
		break;
	case T_E:
		m = e_match(t, line, n);
		break;
	case T_R:
		m = index >= t->r1 && index <= t->r2;
		break;
	}
	return t->neg ? !m : m;
}

static void
res_add(struct query_result *r, unsigned long index, const char *line, size_t n)
{
	if (r->n == r->cap) {
		r->cap = r->cap ? r->cap * 2 : 64;
		r->v = xreallocarray(r->v, r->cap, sizeof *r->v);
	}
	r->v[r->n].index = index;
	r->v[r->n].line = xstrndup(line, n);
	r->v[r->n].len = n;
	r->n++;
}

void
query_result_free(struct query_result *r)
{
	size_t i;

	for (i = 0; i < r->n; i++)
		free(r->v[i].line);
	free(r->v);
	memset(r, 0, sizeof *r);
}

/* Filtering the source: terms[from..to) must all match. */
struct scan_ctx {
	const struct term *t;
	size_t nt;
	struct query_result *out;
	struct buf line;
	size_t seen;
	bool with_index;
};

static int
scan_cb(void *arg, unsigned long index, const char *line, size_t len)
{
	struct scan_ctx *c = arg;
	size_t i;

	c->seen++;
	if (!c->with_index) {
		buf_reset(&c->line);
		rec_with_index(line, len, index, &c->line);
		line = c->line.d;
		len = c->line.len;
	}
	for (i = 0; i < c->nt; i++)
		if (!term_match(&c->t[i], index, line, len))
			return 0;
	res_add(c->out, index, line, len);
	return 0;
}

static ctys_err_t
filter_source(const struct query_source *src, const struct term *t, size_t nt,
    const struct term *drive, const struct term *substr, struct query_result *out,
    size_t *seen)
{
	struct scan_ctx c = { t, nt, out, BUF_INIT, 0, src->with_index };
	ctys_err_t e = CTYS_ERR_UNSUPPORTED;

	if (drive != NULL)
		e = src->lookup(src->ctx, drive->fa, drive->lit, drive->litlen, scan_cb, &c);
	else if (substr != NULL)
		e = src->lookup_substr(src->ctx, substr->lit, substr->litlen, scan_cb, &c);
	if (e == CTYS_ERR_UNSUPPORTED && drive == NULL)
		e = src->scan(src->ctx, scan_cb, &c);
	buf_free(&c.line);
	if (seen != NULL)
		*seen = c.seen;
	return e;
}

static void
filter_set(const struct query_result *in, const struct term *t, struct query_result *out)
{
	size_t i;

	for (i = 0; i < in->n; i++)
		if (term_match(t, in->v[i].index, in->v[i].line, in->v[i].len))
			res_add(out, in->v[i].index, in->v[i].line, in->v[i].len);
}

static const struct term *
driver(const struct query *q, const struct query_source *src)
{
	size_t i;

	if (q->any_or || src->lookup == NULL || src->indexed == NULL)
		return NULL;
	for (i = 0; i < q->n; i++) {
		const struct term *t = &q->t[i];

		if (t->kind == T_F && t->exact && !t->neg && t->litlen > 0 &&
		    t->fa != REC_FIELD_INDEX && src->indexed(t->fa))
			return t;
	}
	return NULL;
}

/* The term whose literal narrows a substring lookup, or NULL. */
static const struct term *
substr_driver(const struct query *q, const struct query_source *src)
{
	const struct term *best = NULL;
	size_t i;

	if (q->any_or || src->lookup_substr == NULL)
		return NULL;
	for (i = 0; i < q->n; i++) {
		const struct term *t = &q->t[i];

		if ((t->kind == T_RE || t->kind == T_F) && !t->neg && t->lit != NULL &&
		    gram_usable(t->lit, t->litlen) && (best == NULL || t->litlen > best->litlen))
			best = t;
	}
	return best;
}

unsigned
query_plan(const struct query *q, const struct query_source *src)
{
	const struct term *t = driver(q, src);

	if (t != NULL)
		return t->fa;
	return substr_driver(q, src) != NULL ? QUERY_PLAN_SUBSTR : 0;
}

ctys_err_t
query_run(const struct query *q, const struct query_source *src, struct query_result *out)
{
	struct query_result res = { 0 }, save = { 0 };
	const struct term *drive = driver(q, src);
	bool save_is_db = true;
	size_t ndb = 0;
	ctys_err_t e = CTYS_OK;
	size_t k, i;

	if (drive != NULL || !q->any_or) {
		/* a pure AND chain: one pass */
		e = filter_source(src, q->t, q->n, drive,
		    drive == NULL ? substr_driver(q, src) : NULL, &res, NULL);
		goto done;
	}
	for (k = 0; k < q->n && e == CTYS_OK; k++) {
		const struct term *t = &q->t[k];

		if (k == 0) {
			e = filter_source(src, t, 1, NULL, NULL, &res, &ndb);
		} else if (!t->or_before) {
			query_result_free(&save);
			save = res;
			save_is_db = false;
			memset(&res, 0, sizeof res);
			filter_set(&save, t, &res);
		} else if (k + 1 == q->n && !(q->flags & QUERY_KEEP_LAST_OR)) {
			/* quirk kept: the last OR term's records are lost */
		} else if (save_is_db) {
			e = filter_source(src, t, 1, NULL, NULL, &res, NULL);
		} else {
			filter_set(&save, t, &res);
		}
		/* unions keep duplicates: OR chains after ANDs can double the set */
		if (e == CTYS_OK && res.n > QUERY_MAX_GROWTH * (ndb + 1))
			e = ctys_seterr(CTYS_ERR_TOOLONG, "query result grows beyond %zu "
			    "records (every OR keeps duplicates); simplify the filter",
			    (size_t)QUERY_MAX_GROWTH * (ndb + 1));
	}
done:
	query_result_free(&save);
	if (e != CTYS_OK) {
		query_result_free(&res);
		return e;
	}
	/* append to out */
	for (i = 0; i < res.n; i++) {
		if (out->n == out->cap) {
			out->cap = out->cap ? out->cap * 2 : 64;
			out->v = xreallocarray(out->v, out->cap, sizeof *out->v);
		}
		out->v[out->n++] = res.v[i];
	}
	free(res.v);
	return CTYS_OK;
}

/* ---- sources ------------------------------------------------------------- */

static ctys_err_t
cache_scan_fn(void *ctx, cache_rec_fn fn, void *arg)
{
	return cache_scan(ctx, fn, arg);
}

static ctys_err_t
cache_substr_fn(void *ctx, const char *lit, size_t len, cache_rec_fn fn, void *arg)
{
	return cache_lookup_substr(ctx, lit, len, fn, arg);
}

static ctys_err_t
cache_lookup_fn(void *ctx, unsigned field, const char *v, size_t len, cache_rec_fn fn,
    void *arg)
{
	return cache_lookup(ctx, field, v, len, fn, arg);
}

void
query_source_cache(struct query_source *s, struct cache_db *db)
{
	s->scan = cache_scan_fn;
	s->lookup = cache_lookup_fn;
	s->lookup_substr = cache_substr_fn;
	s->indexed = cache_field_indexed;
	s->ctx = db;
	s->with_index = true;
}

static ctys_err_t
lines_scan(void *ctx, cache_rec_fn fn, void *arg)
{
	struct query_lines *l = ctx;
	const char *p = l->data, *end = l->data + l->len, *nl;
	unsigned long lineno = 0;

	while (p < end) {
		lineno++;
		nl = memchr(p, '\n', (size_t)(end - p));
		if (nl == NULL)
			nl = end;
		if (nl > p && fn(arg, lineno, p, (size_t)(nl - p)) != 0)
			break;
		p = nl + 1;
	}
	return CTYS_OK;
}

void
query_source_lines(struct query_source *s, struct query_lines *ctx, const char *data,
    size_t len)
{
	ctx->data = data;
	ctx->len = len;
	s->scan = lines_scan;
	s->lookup = NULL;
	s->lookup_substr = NULL;
	s->indexed = NULL;
	s->ctx = ctx;
	s->with_index = false;
}
