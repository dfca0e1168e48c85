/* shell_lex.c — see shell.h (lexical helpers). */
#include "ctys/shell.h"

#include <stdlib.h>
#include <string.h>

#include "lib/buf.h"

/* Nesting deeper than this is reported by the grammar, not tracked here. */
#define OPEN_MAX 256

char
shell_open_char(const char *s)
{
	char stack[OPEN_MAX];
	size_t n = 0;
	char q = 0;

	for (; *s; s++) {
		if (q == '\'') {
			if (*s == '\'')
				q = 0;
			continue;
		}
		if (*s == '\\' && s[1]) {
			s++;
			continue;
		}
		if (q == '"') {
			if (*s == '"')
				q = 0;
			continue;
		}
		switch (*s) {
		case '\'':
		case '"':
			q = *s;
			break;
		case '(':
		case '{':
		case '[':
			if (n < OPEN_MAX)
				stack[n] = *s;
			n++;
			break;
		case ')':
		case '}':
		case ']':
			if (n > 0)
				n--;
			break;
		default:
			break;
		}
	}
	if (q)
		return q;
	if (n == 0)
		return 0;
	return n <= OPEN_MAX ? stack[n - 1] : '(';
}

bool
shell_split(const char *s, struct strv *out)
{
	struct strv w = STRV_INIT;
	struct buf b = BUF_INIT;
	bool inword = false;
	char q = 0;
	size_t i;

	for (; *s; s++) {
		if (q == '\'') {
			if (*s == '\'')
				q = 0;
			else
				buf_addc(&b, *s);
			continue;
		}
		if (q == '"') {
			if (*s == '"')
				q = 0;
			else if (*s == '\\' && s[1] && strchr("\"\\$`", s[1]))
				buf_addc(&b, *++s);
			else
				buf_addc(&b, *s);
			continue;
		}
		if (*s == ' ' || *s == '\t' || *s == '\n') {
			if (inword)
				strv_pushn(&w, b.d ? b.d : "", b.len);
			buf_reset(&b);
			inword = false;
			continue;
		}
		inword = true;
		if (*s == '\'' || *s == '"')
			q = *s;
		else if (*s == '\\' && s[1])
			buf_addc(&b, *++s);
		else if (*s != '\\')
			buf_addc(&b, *s);
	}
	if (inword && !q)
		strv_pushn(&w, b.d ? b.d : "", b.len);
	buf_free(&b);
	if (q) {
		strv_free(&w);
		return false;
	}
	for (i = 0; i < w.n; i++)
		strv_push(out, w.v[i]);
	strv_free(&w);
	return true;
}
