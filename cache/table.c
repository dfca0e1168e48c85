/* table.c — see table.h. */
#include "cache/table.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "lib/util.h"
#include "lib/xmalloc.h"

static ctys_err_t
parse_col(const char *c, size_t n, struct tab_col *col)
{
	char *s = xstrndup(c, n), *parts[5], *p = s;
	unsigned long v;
	size_t k = 0;
	ctys_err_t e = CTYS_OK;

	memset(col, 0, sizeof *col);
	while (k < 5) {
		parts[k++] = p;
		p = strchr(p, '_');
		if (p == NULL)
			break;
		*p++ = '\0';
	}
	if (k > 4 || p != NULL) {
		e = ctys_seterr(CTYS_ERR_USAGE, "invalid column '%.*s': at most "
		    "<index>_<title>_<width>_<policy>", (int)n, c);
		goto out;
	}
	if (!parse_uint(parts[0], 9999, &v) || v == 0) {
		e = ctys_seterr(CTYS_ERR_USAGE, "invalid column '%.*s': field index must "
		    "be a number from 1", (int)n, c);
		goto out;
	}
	col->field = (unsigned)v;
	col->title = xstrdup(k > 1 && *parts[1] != '\0' ? parts[1] : parts[0]);
	if (k > 2 && *parts[2] != '\0') {
		if (!parse_uint(parts[2], 9999, &v)) {
			e = ctys_seterr(CTYS_ERR_USAGE, "invalid column '%.*s': width must "
			    "be a number", (int)n, c);
			goto out;
		}
		col->width = (unsigned)v;
		col->width_given = true;
	}
	if (k > 3 && *parts[3] != '\0') {
		if (str_ieq(parts[3], "L"))
			col->policy = TAB_LEFT;
		else if (str_ieq(parts[3], "B"))
			col->policy = TAB_BREAK;
		else
			e = ctys_seterr(CTYS_ERR_USAGE, "invalid column '%.*s': policy "
			    "must be L or B", (int)n, c);
	}
out:
	if (e != CTYS_OK) {
		free(col->title);
		col->title = NULL;
	}
	free(s);
	return e;
}

ctys_err_t
tab_parse(const char *spec, struct tab_spec *out)
{
	const char *p = spec, *pc;
	ctys_err_t e;

	memset(out, 0, sizeof *out);
	for (;;) {
		pc = strchr(p, '%');
		out->cols = xreallocarray(out->cols, out->n + 1, sizeof *out->cols);
		if ((size_t)((pc ? pc : p + strlen(p)) - p) == 0) {
			tab_free(out);
			return ctys_seterr(CTYS_ERR_USAGE, "empty column in '%s'", spec);
		}
		e = parse_col(p, (size_t)((pc ? pc : p + strlen(p)) - p), &out->cols[out->n]);
		if (e != CTYS_OK) {
			tab_free(out);
			return e;
		}
		out->n++;
		if (pc == NULL)
			return CTYS_OK;
		p = pc + 1;
	}
}

void
tab_free(struct tab_spec *s)
{
	size_t i;

	for (i = 0; i < s->n; i++)
		free(s->cols[i].title);
	free(s->cols);
	memset(s, 0, sizeof *s);
}

static unsigned
tab_width(const struct tab_col *c)
{
	return c->width ? c->width : TAB_DEFAULT_WIDTH;
}

static void
pad(struct buf *out, const char *s, size_t n, unsigned w)
{
	buf_add(out, s, n);
	while (n++ < w)
		buf_addc(out, ' ');
}

void
tab_header(struct buf *out, const struct tab_spec *s)
{
	size_t i;
	unsigned j, w;

	for (i = 0; i < s->n; i++) {
		if (i > 0)
			buf_addc(out, '|');
		w = tab_width(&s->cols[i]);
		pad(out, s->cols[i].title, strlen(s->cols[i].title), w);
	}
	buf_addc(out, '\n');
	for (i = 0; i < s->n; i++) {
		if (i > 0)
			buf_addc(out, '+');
		w = tab_width(&s->cols[i]);
		for (j = 0; j < w; j++)
			buf_addc(out, '-');
	}
	buf_addc(out, '\n');
}

void
tab_header_idx(struct buf *out, const struct tab_spec *s)
{
	char cell[32];
	size_t i;

	for (i = 0; i < s->n; i++) {
		if (i > 0)
			buf_addc(out, '|');
		snprintf(cell, sizeof cell, "%zu(%u)", i + 1, s->cols[i].field);
		pad(out, cell, strlen(cell), tab_width(&s->cols[i]));
	}
	buf_addc(out, '\n');
}

/* The value's piece shown for a cut/left policy. */
static void
cut(const struct tab_col *c, unsigned w, const char **v, size_t *n)
{
	if (w == 0 || *n <= w)
		return;
	if (c->policy == TAB_LEFT)
		*v += *n - w;
	*n = w;
}

static void
tab_line(struct buf *out, const struct tab_spec *s, const char *const *fields,
    size_t nfields)
{
	size_t i, line, n, off;
	bool more = true;
	const char *v;
	unsigned w;

	for (line = 0; more && line <= TAB_MAX_BREAK; line++) {
		more = false;
		for (i = 0; i < s->n; i++) {
			const struct tab_col *c = &s->cols[i];

			if (i > 0)
				buf_addc(out, '|');
			w = tab_width(c);
			v = c->field <= nfields && fields[c->field - 1] ? fields[c->field - 1] : "";
			n = strlen(v);
			if (c->policy == TAB_BREAK) {
				off = line * w;
				v = off < n ? v + off : "";
				n = off < n ? n - off : 0;
				if (n > w) {
					n = w;
					more = true;
				}
			} else if (line > 0) {
				n = 0;
			} else {
				cut(c, w, &v, &n);
			}
			pad(out, v, n, w);
		}
		buf_addc(out, '\n');
	}
}

void
tab_row(struct buf *out, enum tab_fmt fmt, const struct tab_spec *s,
    const char *const *fields, size_t nfields, size_t recno)
{
	size_t i, n;
	const char *v;
	unsigned w;

	if (fmt == TAB_FMT_TAB) {
		tab_line(out, s, fields, nfields);
		return;
	}
	if (fmt == TAB_FMT_XML)
		buf_addf(out, "<record index='%zu'>\n", recno);
	else
		buf_addf(out, "record(%zu):={\n", recno);
	for (i = 0; i < s->n; i++) {
		const struct tab_col *c = &s->cols[i];

		w = c->width_given ? c->width : TAB_DEFAULT_WIDTH;
		v = c->field <= nfields && fields[c->field - 1] ? fields[c->field - 1] : "";
		n = strlen(v);
		if (c->policy != TAB_BREAK)
			cut(c, w, &v, &n);
		switch (fmt) {
		case TAB_FMT_REC:
			buf_addf(out, "    {%s,%u,", c->title, c->field);
			pad(out, v, n, w);
			buf_adds(out, i + 1 < s->n ? "},\n" : "}\n");
			break;
		case TAB_FMT_SPEC:
			buf_addf(out, "    %03zu:     %3u: %25s: ", i + 1, c->field, c->title);
			pad(out, v, n, w);
			buf_addc(out, '\n');
			break;
		default:
			buf_addf(out, "   <%s index=%u>", c->title, c->field);
			pad(out, v, n, w);
			buf_addf(out, "</%s>\n", c->title);
			break;
		}
	}
	buf_adds(out, fmt == TAB_FMT_XML ? "</record>\n\n" : "}\n");
}

/* ---- SORT ----------------------------------------------------------------- */

static const struct kw sort_kw[] = {
	{ "ALL|A", 0 }, { "EACH", 1 }, { "UNIQUE|U", 2 }, { "REVERSE|R", 3 },
};

ctys_err_t
tab_sort_parse(const char *arg, bool key_required_pos, struct tab_sort *o)
{
	const char *p = arg;
	unsigned long v;
	char num[8];
	int id;

	memset(o, 0, sizeof *o);
	o->on = true;
	while (p != NULL && *p != '\0') {
		size_t n = strcspn(p, "% ");

		if (n > 0 && strspn(p, "0123456789") >= n) {
			if (n > 3)
				return ctys_seterr(CTYS_ERR_USAGE, "invalid SORT argument '%.*s': a "
				    "field number has 1 to 3 digits", (int)n, p);
			memcpy(num, p, n);
			num[n] = '\0';
			parse_uint(num, 999, &v);
			if (v == 0 && key_required_pos)
				return ctys_seterr(CTYS_ERR_USAGE, "invalid SORT argument '0': "
				    "fields are numbered from 1");
			o->key = (unsigned)v;
		} else if ((id = kw_lookup(sort_kw, 4, p, n)) >= 0) {
			o->each = id == 1 ? true : id == 0 ? false : o->each;
			o->unique |= id == 2;
			o->reverse |= id == 3;
		} else if (n > 0) {
			return ctys_seterr(CTYS_ERR_USAGE, "invalid SORT argument '%.*s' (ALL, EACH, "
			    "UNIQUE, REVERSE or a field number)", (int)n, p);
		}
		p = p[n] ? p + n + 1 : NULL;
	}
	return CTYS_OK;
}

static int
bytes_cmp(const char *a, size_t an, const char *b, size_t bn)
{
	int c = memcmp(a, b, an < bn ? an : bn);

	return c ? c : an == bn ? 0 : an < bn ? -1 : 1;
}

static int
item_cmp(const void *a, const void *b)
{
	const struct tab_sort_item *x = a, *y = b;
	int c = bytes_cmp(x->key, x->kn, y->key, y->kn);

	if (c == 0)
		c = bytes_cmp(x->s, x->n, y->s, y->n);
	if (c == 0) /* equal lines: keep the input order (qsort is not stable) */
		c = x->idx < y->idx ? -1 : x->idx > y->idx;
	return c;
}

size_t
tab_sort_items(struct tab_sort_item *v, size_t n, char sep, const struct tab_sort *o)
{
	size_t i, k, kept;

	for (i = 0; i < n; i++) {
		const char *end = v[i].s + v[i].n;

		v[i].key = v[i].s;
		for (k = 1; k < o->key; k++) {
			const char *q = memchr(v[i].key, sep, (size_t)(end - v[i].key));

			v[i].key = q ? q + 1 : end;
		}
		v[i].kn = (size_t)(end - v[i].key);
	}
	if (n > 1)
		sort_array(v, n, sizeof *v, item_cmp);
	/* -r: the reverse of the ascending order (ties are identical lines) */
	for (i = 0; o->reverse && i < n / 2; i++) {
		struct tab_sort_item t = v[i];

		v[i] = v[n - 1 - i];
		v[n - 1 - i] = t;
	}
	if (!o->unique)
		return n;
	for (i = kept = 0; i < n; i++)
		if (kept == 0 || bytes_cmp(v[kept - 1].key, v[kept - 1].kn, v[i].key, v[i].kn) != 0)
			v[kept++] = v[i];
	return kept;
}

void
tab_sort_lines(struct buf *text, char sep, const struct tab_sort *o)
{
	struct tab_sort_item *v = NULL;
	struct buf out = BUF_INIT;
	size_t n = 0, cap = 0, i;
	const char *p = text->d, *end = text->d + text->len, *nl;

	if (text->len == 0)
		return;
	while (p < end) {
		nl = memchr(p, '\n', (size_t)(end - p));
		if (nl == NULL)
			nl = end;
		if (n == cap) {
			cap = cap ? cap * 2 : 64;
			v = xreallocarray(v, cap, sizeof *v);
		}
		v[n].s = p;
		v[n].n = (size_t)(nl - p);
		v[n].idx = n;
		n++;
		p = nl + 1;
	}
	n = tab_sort_items(v, n, sep, o);
	for (i = 0; i < n; i++) {
		buf_add(&out, v[i].s, v[i].n);
		buf_addc(&out, '\n');
	}
	free(v);
	buf_free(text);
	*text = out;
}
