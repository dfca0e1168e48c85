/* conf.c — see conf.h. */
#include "lib/conf.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "lib/buf.h"
#include "lib/xmalloc.h"

#define CONF_MAX_FILE (1024 * 1024)
#define CONF_MAX_DEPTH 8
#define CONF_MAX_VALUE (1024 * 1024) /* a value built by expansions; bash has no limit */

struct var {
	char *name;
	char *value;
};

struct conf {
	struct var *v;
	size_t n, cap;
};

/* Parser state for one line. */
struct lex {
	const char *p;
	const struct conf *c;
	const char *err;
	int dry;             /* > 0: parsing a ${VAR:-word} whose word is not used */
};

struct conf *
conf_new(void)
{
	return xcalloc(1, sizeof(struct conf));
}

void
conf_free(struct conf *c)
{
	size_t i;

	if (c == NULL)
		return;
	for (i = 0; i < c->n; i++) {
		free(c->v[i].name);
		free(c->v[i].value);
	}
	free(c->v);
	free(c);
}

static struct var *
find(const struct conf *c, const char *name, size_t len)
{
	size_t i;

	for (i = 0; i < c->n; i++)
		if (strlen(c->v[i].name) == len && strncmp(c->v[i].name, name, len) == 0)
			return &c->v[i];
	return NULL;
}

void
conf_set(struct conf *c, const char *name, const char *value)
{
	struct var *v = find(c, name, strlen(name));

	if (v) {
		free(v->value);
		v->value = xstrdup(value);
		return;
	}
	if (c->n == c->cap) {
		c->cap = c->cap ? c->cap * 2 : 32;
		c->v = xreallocarray(c->v, c->cap, sizeof *c->v);
	}
	c->v[c->n].name = xstrdup(name);
	c->v[c->n].value = xstrdup(value);
	c->n++;
}

bool
conf_isset(const struct conf *c, const char *name)
{
	return find(c, name, strlen(name)) != NULL;
}

static const char *
lookup(const struct conf *c, const char *name, size_t len)
{
	struct var *v = find(c, name, len);
	char tmp[256];

	if (v)
		return v->value;
	if (len >= sizeof tmp)
		return NULL;
	memcpy(tmp, name, len);
	tmp[len] = '\0';
	return getenv(tmp);
}

const char *
conf_get(const struct conf *c, const char *name)
{
	return lookup(c, name, strlen(name));
}

void
conf_export(const struct conf *c)
{
	size_t i;

	for (i = 0; i < c->n; i++)
		setenv(c->v[i].name, c->v[i].value, 1);
}

const char *
conf_get_or(const struct conf *c, const char *name, const char *dflt)
{
	const char *v = conf_get(c, name);

	return v && *v ? v : dflt;
}

static int
is_name_start(char ch)
{
	return (ch >= 'a' && ch <= 'z') || (ch >= 'A' && ch <= 'Z') || ch == '_';
}

static int
is_name_char(char ch)
{
	return is_name_start(ch) || (ch >= '0' && ch <= '9');
}

static bool word(struct lex *lx, struct buf *out, const char *stop, int depth);

/* After '$': $NAME, ${NAME}, ${NAME:-w}, ${NAME-w}, ${NAME:=w}, ${NAME=w}. */
/*
 * Append an expanded value, bounded: `A=$A$A` repeated doubles A on every
 * line, and 30 lines would ask for gigabytes.
 */
static bool
add_value(struct lex *lx, struct buf *out, const char *v)
{
	size_t n = v ? strlen(v) : 0;

	if (out->len + n > CONF_MAX_VALUE) {
		lx->err = "value longer than 1 MiB after expansion";
		return false;
	}
	buf_add(out, v ? v : "", n);
	return true;
}

static bool
dollar(struct lex *lx, struct buf *out, int depth)
{
	const char *name, *val;
	size_t len;
	bool colon = false, assign = false, used, ok;
	struct buf alt = BUF_INIT;

	if (*lx->p == '(' || *lx->p == '[') {
		lx->err = "command substitution and arithmetic are not supported";
		return false;
	}
	if (*lx->p != '{') {
		if (!is_name_start(*lx->p)) {
			buf_addc(out, '$'); /* a lone '$' is literal, as in bash */
			return true;
		}
		name = lx->p;
		while (is_name_char(*lx->p))
			lx->p++;
		val = lookup(lx->c, name, (size_t)(lx->p - name));
		return add_value(lx, out, val);
	}
	lx->p++;
	name = lx->p;
	if (!is_name_start(*lx->p)) {
		lx->err = "bad parameter expansion";
		return false;
	}
	while (is_name_char(*lx->p))
		lx->p++;
	len = (size_t)(lx->p - name);
	val = lookup(lx->c, name, len);
	if (*lx->p == '}') {
		lx->p++;
		return add_value(lx, out, val);
	}
	if (*lx->p == ':') {
		colon = true;
		lx->p++;
	}
	if (*lx->p == '=')
		assign = true;
	else if (*lx->p != '-') {
		lx->err = "unsupported parameter expansion (only ${VAR:-word} and ${VAR:=word})";
		return false;
	}
	lx->p++;
	if (depth > CONF_MAX_DEPTH) {
		lx->err = "parameter expansion nested too deep";
		return false;
	}
	/*
	 * As in bash the word is expanded only when it is used: otherwise it is
	 * parsed without its ${X:=...} assignments, which would also free the
	 * value `val` points to.
	 */
	used = val == NULL || (colon && *val == '\0');
	if (!used)
		lx->dry++;
	ok = word(lx, &alt, "}", depth + 1);
	if (!used)
		lx->dry--;
	if (!ok) {
		buf_free(&alt);
		return false;
	}
	if (*lx->p != '}') {
		lx->err = "unterminated '${'";
		buf_free(&alt);
		return false;
	}
	lx->p++;
	if (used) {
		if (!add_value(lx, out, buf_cstr(&alt))) {
			buf_free(&alt);
			return false;
		}
		if (assign && lx->dry == 0) {
			char *n = xstrndup(name, len);
			conf_set((struct conf *)lx->c, n, buf_cstr(&alt));
			free(n);
		}
	} else if (!add_value(lx, out, val)) {
		buf_free(&alt);
		return false;
	}
	buf_free(&alt);
	return true;
}

/*
 * One shell word (quotes removed, expansions done) up to an unquoted blank,
 * end of line, or a character in `stop`.
 */
static bool
word(struct lex *lx, struct buf *out, const char *stop, int depth)
{
	for (;;) {
		char ch = *lx->p;

		if (ch == '\0' || ch == ' ' || ch == '\t' || strchr(stop, ch))
			return true;
		lx->p++;
		switch (ch) {
		case '\\':
			if (*lx->p == '\0') {
				lx->err = "line continuation is not supported";
				return false;
			}
			buf_addc(out, *lx->p++);
			break;
		case '\'':
			while (*lx->p && *lx->p != '\'')
				buf_addc(out, *lx->p++);
			if (*lx->p != '\'') {
				lx->err = "unterminated single quote";
				return false;
			}
			lx->p++;
			break;
		case '"':
			while (*lx->p && *lx->p != '"') {
				if (*lx->p == '\\' && lx->p[1] && strchr("$`\"\\", lx->p[1])) {
					buf_addc(out, lx->p[1]);
					lx->p += 2;
				} else if (*lx->p == '$') {
					lx->p++;
					if (!dollar(lx, out, depth))
						return false;
				} else if (*lx->p == '`') {
					lx->err = "command substitution is not supported";
					return false;
				} else
					buf_addc(out, *lx->p++);
			}
			if (*lx->p != '"') {
				lx->err = "unterminated double quote";
				return false;
			}
			lx->p++;
			break;
		case '$':
			if (!dollar(lx, out, depth))
				return false;
			break;
		case '`':
			lx->err = "command substitution is not supported";
			return false;
		case ';': case '&': case '|': case '<': case '>': case '(': case ')':
			lx->err = "only variable assignments are supported";
			return false;
		default:
			buf_addc(out, ch);
		}
	}
}

static void
skip_blanks(struct lex *lx)
{
	while (*lx->p == ' ' || *lx->p == '\t')
		lx->p++;
}

/* One logical line.  Returns false with lx->err set on anything unsupported. */
static bool
parse_line(struct conf *c, struct lex *lx)
{
	const char *name;
	size_t len;
	struct buf val = BUF_INIT;
	char *n;
	bool is_export = false;

	skip_blanks(lx);
	if (*lx->p == '\0' || *lx->p == '#')
		return true;
	if (strncmp(lx->p, "export", 6) == 0 && (lx->p[6] == ' ' || lx->p[6] == '\t')) {
		is_export = true;
		lx->p += 6;
		skip_blanks(lx);
	}
	name = lx->p;
	if (!is_name_start(*lx->p)) {
		lx->err = "expected a variable assignment NAME=value";
		return false;
	}
	while (is_name_char(*lx->p))
		lx->p++;
	len = (size_t)(lx->p - name);
	if (*lx->p != '=') {
		skip_blanks(lx);
		if (is_export && (*lx->p == '\0' || *lx->p == '#'))
			return true; /* "export VAR": nothing to do for us */
		lx->err = "expected a variable assignment NAME=value";
		return false;
	}
	lx->p++;
	if (!word(lx, &val, "#", 0)) {
		buf_free(&val);
		return false;
	}
	skip_blanks(lx);
	if (*lx->p != '\0' && *lx->p != '#') {
		lx->err = "more than one word after '=' (quote the value)";
		buf_free(&val);
		return false;
	}
	n = xstrndup(name, len);
	conf_set(c, n, buf_cstr(&val));
	free(n);
	buf_free(&val);
	return true;
}

ctys_err_t
conf_load_string(struct conf *c, const char *name, const char *text)
{
	const char *p = text, *nl;
	struct lex lx;
	char *line;
	unsigned lineno = 0;

	while (*p) {
		nl = strchr(p, '\n');
		line = xstrndup(p, nl ? (size_t)(nl - p) : strlen(p));
		lineno++;
		lx.p = line;
		lx.c = c;
		lx.err = NULL;
		lx.dry = 0;
		if (!parse_line(c, &lx)) {
			ctys_seterr(CTYS_ERR_PARSE, "%s:%u: %s: %s", name, lineno, lx.err, line);
			free(line);
			return CTYS_ERR_PARSE;
		}
		free(line);
		if (nl == NULL)
			break;
		p = nl + 1;
	}
	return CTYS_OK;
}

ctys_err_t
conf_load_file(struct conf *c, const char *path)
{
	FILE *f = fopen(path, "r");
	struct buf b = BUF_INIT;
	char chunk[4096];
	size_t n;
	ctys_err_t e;

	if (f == NULL) {
		if (errno == ENOENT)
			return ctys_seterr(CTYS_ERR_NOENT, "%s: no such file", path);
		return ctys_seterr(CTYS_ERR_IO, "%s: cannot read: %s", path, strerror(errno));
	}
	while ((n = fread(chunk, 1, sizeof chunk, f)) > 0) {
		buf_add(&b, chunk, n);
		if (b.len > CONF_MAX_FILE) {
			fclose(f);
			buf_free(&b);
			return ctys_seterr(CTYS_ERR_TOOLONG, "%s: file larger than %d bytes", path,
			    CONF_MAX_FILE);
		}
	}
	if (ferror(f)) {
		fclose(f);
		buf_free(&b);
		return ctys_seterr(CTYS_ERR_IO, "%s: read error", path);
	}
	fclose(f);
	if (memchr(b.d ? b.d : "", '\0', b.len)) {
		buf_free(&b);
		return ctys_seterr(CTYS_ERR_PARSE, "%s: binary file (contains NUL bytes)", path);
	}
	e = conf_load_string(c, path, buf_cstr(&b));
	buf_free(&b);
	return e;
}
