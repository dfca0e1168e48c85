/* ere.c — see ere.h. */
#include "cache/ere.h"

#include <ctype.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

struct scan {
	const char *p;
	bool bad;
	int depth;
};

static double alt(struct scan *s);

/* Skip a bracket expression starting at '['. */
static void
bracket(struct scan *s)
{
	s->p++;
	if (*s->p == '^')
		s->p++;
	if (*s->p == ']')
		s->p++;
	while (*s->p && *s->p != ']') {
		if (s->p[0] == '[' && s->p[1] != '\0' && strchr(":.=", s->p[1]) != NULL) {
			char close = s->p[1];

			s->p += 2;
			while (*s->p && !(s->p[0] == close && s->p[1] == ']'))
				s->p++;
			if (*s->p)
				s->p += 2;
			continue;
		}
		s->p++;
	}
	if (*s->p)
		s->p++;
}

/* The repeat factor of a quantifier at s->p (0 = none). */
static double
quant(struct scan *s)
{
	unsigned long m, n;
	char *e;

	switch (*s->p) {
	case '*': case '+': case '?':
		s->p++;
		return 2;
	case '{':
		if (!isdigit((unsigned char)s->p[1]))
			return 0; /* a literal '{' for glibc */
		m = strtoul(s->p + 1, &e, 10);
		n = m;
		if (*e == ',') {
			e++;
			n = isdigit((unsigned char)*e) ? strtoul(e, &e, 10) : m + 1;
		}
		if (*e != '}')
			return 0;
		s->p = e + 1;
		return (double)(n > m ? n : m) + 1;
	}
	return 0;
}

static double
seq(struct scan *s)
{
	double total = 0, atom, q;

	while (*s->p && *s->p != '|' && *s->p != ')') {
		switch (*s->p) {
		case '(':
			s->p++;
			if (++s->depth > 32)
				s->bad = true;
			atom = alt(s) + 1;
			s->depth--;
			if (*s->p == ')')
				s->p++;
			break;
		case '[':
			bracket(s);
			atom = 1;
			break;
		case '\\':
			s->p += s->p[1] ? 2 : 1;
			atom = 1;
			break;
		default:
			s->p++;
			atom = 1;
		}
		q = quant(s);
		if (q > 0) {
			atom *= q;
			/* a quantifier directly after a quantifier */
			if ((*s->p != '\0' && strchr("*+?", *s->p) != NULL) ||
			    (*s->p == '{' && isdigit((unsigned char)s->p[1])))
				s->bad = true;
		}
		total += atom;
		if (total > ERE_MAX_COST)
			s->bad = true;
		if (s->bad)
			return total;
	}
	return total;
}

static double
alt(struct scan *s)
{
	double total = seq(s);

	while (*s->p == '|' && !s->bad) {
		s->p++;
		total += seq(s);
	}
	return total;
}

bool
ere_safe(const char *pat)
{
	struct scan s = { pat, false, 0 };
	double cost;

	if (strlen(pat) > ERE_MAX_LEN)
		return false;
	while (*s.p && !s.bad) {
		cost = alt(&s);
		if (cost > ERE_MAX_COST)
			return false;
		if (*s.p == ')')
			s.p++; /* unbalanced: regcomp decides */
	}
	return !s.bad;
}

int
ere_compile(regex_t *re, const char *pat, char *errbuf, size_t errlen)
{
	int rc;

	if (!ere_safe(pat)) {
		if (errbuf != NULL)
			snprintf(errbuf, errlen, "pattern too complex (repetitions "
			    "nested or stacked too deep, or longer than %d bytes)", ERE_MAX_LEN);
		return REG_ESIZE;
	}
	rc = regcomp(re, pat, REG_EXTENDED | REG_NOSUB);
	if (rc != 0 && errbuf != NULL)
		regerror(rc, re, errbuf, errlen);
	return rc;
}
