/* target.c — see target.h. */
#include "ctys/target.h"

#include <stdbool.h>
#include <stdlib.h>
#include <string.h>

#include "lib/xmalloc.h"

struct parser {
	const char *s;
	size_t i;
	int depth;
	size_t base;    /* added to offsets in messages */
};

static const char *const subtask_names[] = { "VMSTACK", "SUBTASK", "SUBGROUP" };

const char *
subtask_name(enum subtask_kind k)
{
	return subtask_names[k];
}

static bool
is_blank(char c)
{
	return c == ' ' || c == '\t' || c == '\n';
}

static bool
is_special(char c)
{
	return c == '\0' || is_blank(c) || strchr("()[]{}'\"", c) != NULL;
}

static void
skip_blanks(struct parser *p)
{
	while (is_blank(p->s[p->i]))
		p->i++;
}

/* Does a context start here (optionally after a quote)? */
static bool
at_ctx(const struct parser *p, size_t i)
{
	if (p->s[i] == '\'' || p->s[i] == '"')
		i++;
	return p->s[i] == '(';
}

static ctys_err_t
err_at(const struct parser *p, size_t pos, const char *what)
{
	return ctys_seterr(CTYS_ERR_USAGE, "%s at position %zu: '%.20s'", what, p->base + pos + 1,
	    p->s + pos);
}

/* ctx at p->i: returns the text inside the parentheses. */
static ctys_err_t
parse_ctx(struct parser *p, char **out)
{
	size_t start = p->i, open;
	char quote = 0;
	const char *close;

	if (p->s[p->i] == '\'' || p->s[p->i] == '"')
		quote = p->s[p->i++];
	open = p->i++;
	for (close = p->s + p->i; *close && *close != ')'; close++)
		if (*close == '(')
			return err_at(p, (size_t)(close - p->s), "nested '(' in context options");
	if (*close != ')')
		return err_at(p, open, "unbalanced '('");
	*out = xstrndup(p->s + p->i, (size_t)(close - (p->s + p->i)));
	p->i = (size_t)(close - p->s) + 1;
	if (quote && p->s[p->i] == quote)
		p->i++;
	(void)start;
	return CTYS_OK;
}

/* Optional blanks + ctx; leaves p->i unchanged when there is none. */
static ctys_err_t
maybe_ctx(struct parser *p, char **out)
{
	size_t save = p->i;

	*out = NULL;
	skip_blanks(p);
	if (at_ctx(p, p->i))
		return parse_ctx(p, out);
	p->i = save;
	return CTYS_OK;
}

static void
hop_free(struct hop *h)
{
	free(h->user);
	free(h->host);
	free(h->port);
	free(h->ctx);
}

/* Split "[user@]host[:port]" of length n at s (offset pos). */
static ctys_err_t
split_hop(const struct parser *p, size_t pos, size_t n, struct hop *h)
{
	const char *s = p->s + pos, *at, *colon, *host;
	size_t hl, pl = 0;

	memset(h, 0, sizeof *h);
	h->pos = pos;
	at = memchr(s, '@', n);
	if (at && memchr(at + 1, '@', n - (size_t)(at - s) - 1))
		return err_at(p, pos, "more than one '@' in target");
	if (at == s)
		return err_at(p, pos, "empty user before '@'");
	host = at ? at + 1 : s;
	hl = n - (size_t)(host - s);
	colon = memchr(host, ':', hl);
	if (colon) {
		pl = hl - (size_t)(colon - host) - 1;
		if (pl == 0 || strspn(colon + 1, "0123456789") < pl || pl > 5)
			return err_at(p, (size_t)(colon - p->s), "bad port after ':' in target");
		hl = (size_t)(colon - host);
	}
	if (hl == 0)
		return err_at(p, pos, "empty target");
	if (hl > TARGET_NAME_MAX || (at && (size_t)(at - s) > TARGET_NAME_MAX))
		return err_at(p, pos, "target name too long");
	h->user = at ? xstrndup(s, (size_t)(at - s)) : NULL;
	h->host = xstrndup(host, hl);
	h->port = colon ? xstrndup(colon + 1, pl) : NULL;
	return CTYS_OK;
}

static ctys_err_t parse_list(struct parser *p, struct tnode **v, size_t *n, char end);

static void
push_node(struct tnode **v, size_t *n, const struct tnode *t)
{
	*v = xgrowarray(*v, *n, sizeof **v);
	(*v)[(*n)++] = *t;
}

static void
push_hop(struct tnode *t, const struct hop *h)
{
	t->hops = xgrowarray(t->hops, t->nhops, sizeof *t->hops);
	t->hops[t->nhops++] = *h;
}

static ctys_err_t
parse_subtask(struct parser *p, enum subtask_kind k, size_t pos, struct tnode *t)
{
	ctys_err_t e;
	size_t open;

	memset(t, 0, sizeof *t);
	t->kind = TN_SUBTASK;
	t->sub = k;
	t->pos = pos;
	if ((e = maybe_ctx(p, &t->ctx)) != CTYS_OK)
		return e;
	skip_blanks(p);
	if (p->s[p->i] != '{')
		return err_at(p, p->i, "expected '{' after subtask keyword");
	if (++p->depth > TARGET_DEPTH_MAX)
		return err_at(p, p->i, "subtasks nested too deep");
	open = p->i++;
	e = parse_list(p, &t->kids, &t->nkids, '}');
	p->depth--;
	if (e != CTYS_OK)
		return e;
	if (p->s[p->i] != '}')
		return err_at(p, open, "unbalanced '{'");
	p->i++;
	if (t->nkids == 0)
		return err_at(p, open, "empty subtask");
	return CTYS_OK;
}

static ctys_err_t
parse_target(struct parser *p, struct tnode *t)
{
	size_t start = p->i, n, open;
	struct hop h;
	ctys_err_t e;
	int k;

	while (!is_special(p->s[p->i]))
		p->i++;
	n = p->i - start;
	if (n == 0)
		return err_at(p, start, p->s[start] == ')' ? "unbalanced ')'" :
		    p->s[start] == ']' ? "unbalanced ']'" : p->s[start] == '}' ? "unbalanced '}'" :
		    p->s[start] == '[' ? "empty target before '['" :
		    p->s[start] == '{' ? "'{' without SUBTASK, SUBGROUP or VMSTACK" :
		    "unexpected character");
	for (k = 0; k < 3; k++) {
		if (strlen(subtask_names[k]) == n && strncmp(p->s + start, subtask_names[k], n) == 0) {
			size_t save = p->i;
			char *dummy = NULL;

			/* a keyword only when a "{" (maybe after a ctx) follows */
			if (maybe_ctx(p, &dummy) == CTYS_OK) {
				skip_blanks(p);
				if (p->s[p->i] == '{') {
					free(dummy);
					p->i = save;
					return parse_subtask(p, (enum subtask_kind)k, start, t);
				}
			}
			free(dummy);
			p->i = save;
		}
	}
	memset(t, 0, sizeof *t);
	t->kind = TN_HOST;
	t->pos = start;
	if (p->s[start] == '-')
		return err_at(p, start, "option among the targets (options come before the first target)");
	if ((e = split_hop(p, start, n, &h)) != CTYS_OK)
		return e;
	if ((e = maybe_ctx(p, &h.ctx)) != CTYS_OK) {
		hop_free(&h);
		return e;
	}
	push_hop(t, &h);
	while (p->s[p->i] == '[') {
		const char *close;

		open = p->i++;
		close = p->s + p->i;
		while (*close && *close != ']' && !strchr("[(){}'\" \t\n", *close))
			close++;
		if (*close != ']')
			return err_at(p, *close && *close != '\0' ? (size_t)(close - p->s) : open,
			    *close == '\0' ? "unbalanced '['" : "unexpected character in stack level");
		if ((e = split_hop(p, p->i, (size_t)(close - (p->s + p->i)), &h)) != CTYS_OK)
			return e;
		p->i = (size_t)(close - p->s) + 1;
		if ((e = maybe_ctx(p, &h.ctx)) != CTYS_OK) {
			hop_free(&h);
			return e;
		}
		push_hop(t, &h);
	}
	if (p->s[p->i] == '{')
		return err_at(p, p->i, "'{' without SUBTASK, SUBGROUP or VMSTACK");
	if (!is_blank(p->s[p->i]) && p->s[p->i] != '\0' && p->s[p->i] != '}')
		return err_at(p, p->i, p->s[p->i] == ')' ? "unbalanced ')'" :
		    p->s[p->i] == ']' ? "unbalanced ']'" : "unexpected character after target");
	return CTYS_OK;
}

/* Targets up to `end` ('}' or '\0'); leaves p->i at the terminator. */
static ctys_err_t
parse_list(struct parser *p, struct tnode **v, size_t *n, char end)
{
	struct tnode t;
	ctys_err_t e;

	for (;;) {
		memset(&t, 0, sizeof t);
		skip_blanks(p);
		if (p->s[p->i] == '\0' || (end == '}' && p->s[p->i] == '}'))
			return CTYS_OK;
		e = parse_target(p, &t);
		if (e != CTYS_OK) {
			tnode_free(&t);
			return e;
		}
		push_node(v, n, &t);
	}
}

void
tnode_free(struct tnode *t)
{
	size_t i;

	for (i = 0; i < t->nhops; i++)
		hop_free(&t->hops[i]);
	free(t->hops);
	for (i = 0; i < t->nkids; i++)
		tnode_free(&t->kids[i]);
	free(t->kids);
	free(t->ctx);
	memset(t, 0, sizeof *t);
}

void
targets_free(struct targets *ts)
{
	size_t i;

	for (i = 0; i < ts->n; i++)
		tnode_free(&ts->v[i]);
	free(ts->v);
	free(ts->remote);
	memset(ts, 0, sizeof *ts);
}

ctys_err_t
targets_parse(const char *text, size_t base, struct targets *out)
{
	struct parser p = { text, 0, 0, base };
	ctys_err_t e;

	memset(out, 0, sizeof *out);
	skip_blanks(&p);
	if (at_ctx(&p, p.i) && (e = parse_ctx(&p, &out->remote)) != CTYS_OK)
		return e;
	e = parse_list(&p, &out->v, &out->n, '\0');
	if (e == CTYS_OK && p.s[p.i] != '\0')
		e = err_at(&p, p.i, "unexpected character");
	if (e != CTYS_OK)
		targets_free(out);
	return e;
}
