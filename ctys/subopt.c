/* subopt.c — see subopt.h. */
#include "ctys/subopt.h"

#include <ctype.h>
#include <stdlib.h>
#include <string.h>

#include "lib/strv.h"
#include "lib/xmalloc.h"

/* Split on single commas; ",," and "\," become a literal comma. */
static void
split_items(const char *text, struct strv *items)
{
	struct buf cur = BUF_INIT;
	const char *p;

	for (p = text; *p; p++) {
		if (p[0] == ',' && p[1] == ',') {
			buf_addc(&cur, ',');
			p++;
		} else if (p[0] == '\\' && p[1] == ',') {
			buf_addc(&cur, ',');
			p++;
		} else if (*p == ',') {
			strv_push(items, buf_cstr(&cur));
			buf_reset(&cur);
		} else
			buf_addc(&cur, *p);
	}
	strv_push(items, buf_cstr(&cur));
	buf_free(&cur);
}

static bool
is_hex2(const char *s, size_t n)
{
	return n == 2 && isxdigit((unsigned char)s[0]) && isxdigit((unsigned char)s[1]);
}

bool
subopt_is_mac(const char *s)
{
	int i;
	size_t n;

	for (i = 0; i < 6; i++) {
		n = strcspn(s, ":");
		if (!is_hex2(s, n))
			return false;
		s += n;
		if (i < 5) {
			if (*s != ':')
				return false;
			s++;
		}
	}
	return *s == '\0';
}

char *
subopt_decode_percent(const char *s, size_t len)
{
	struct buf b = BUF_INIT;
	size_t i;

	for (i = 0; i < len; i++) {
		if (s[i] != '%') {
			buf_addc(&b, s[i]);
		} else if (i + 1 < len && s[i + 1] == '%') {
			buf_addc(&b, '%');
			i++;
		} else if (i > 0 && i + 1 < len && s[i - 1] != '%')
			buf_addc(&b, ' ');
		else
			buf_addc(&b, '%');
	}
	if (b.len == 0)
		buf_adds(&b, "");
	return buf_detach(&b);
}

/* Decode the argument part: "::"/"\:" -> ":", a single ":" is an error. */
static ctys_err_t
decode_arg(const char *item, const char *raw, char **out)
{
	struct buf b = BUF_INIT;
	const char *p;
	size_t n;
	char *dec;

	if (subopt_is_mac(raw)) {
		*out = xstrdup(raw);
		return CTYS_OK;
	}
	for (p = raw; *p; p++) {
		if ((p[0] == ':' && p[1] == ':') || (p[0] == '\\' && p[1] == ':')) {
			buf_addc(&b, '\x01'); /* placeholder, cannot be typed usefully */
			p++;
		} else if (*p == ':') {
			buf_free(&b);
			return ctys_seterr(CTYS_ERR_USAGE,
			    "unexpected ':' in suboption '%s' (write '::' for a literal colon)", item);
		} else
			buf_addc(&b, *p);
	}
	n = b.len;
	/* A trailing quote without a matching leading one is dropped. */
	if (n > 0 && (b.d[n - 1] == '\'' || b.d[n - 1] == '"') && b.d[0] != b.d[n - 1])
		n--;
	dec = subopt_decode_percent(buf_cstr(&b), n);
	for (p = dec; *p; p++)
		if (*p == '\x01')
			*(char *)p = ':';
	buf_free(&b);
	/* no escape writes a backslash before these again (subopt_encode) */
	for (p = dec; *p; p++)
		if (p[0] == '\\' && (p[1] == ',' || p[1] == ':')) {
			free(dec);
			return ctys_seterr(CTYS_ERR_USAGE,
			    "suboption '%s': a '\\' right before ',' or ':' cannot be passed on", item);
		}
	*out = dec;
	return CTYS_OK;
}

ctys_err_t
subopt_scan(const char *text, struct subopts *out)
{
	struct strv items = STRV_INIT;
	size_t i;
	ctys_err_t e = CTYS_OK;

	out->v = NULL;
	out->n = 0;
	if (text == NULL || *text == '\0')
		return CTYS_OK;
	split_items(text, &items);
	out->v = xcalloc(items.n, sizeof *out->v);
	for (i = 0; i < items.n; i++) {
		const char *it = items.v[i], *colon;
		struct subopt *so = &out->v[out->n];

		if (*it == '\0') {
			e = ctys_seterr(CTYS_ERR_USAGE, "empty suboption in '%s'", text);
			break;
		}
		/* the key ends at the first ':' */
		colon = strchr(it, ':');
		if (colon == it) {
			e = ctys_seterr(CTYS_ERR_USAGE, "suboption '%s' has no keyword", it);
			break;
		}
		if (memchr(it, '\\', colon ? (size_t)(colon - it) : strlen(it))) {
			e = ctys_seterr(CTYS_ERR_USAGE, "suboption '%s': a '\\' in a keyword", it);
			break;
		}
		if (colon == NULL) {
			so->key = xstrdup(it);
			so->arg = NULL;
		} else {
			so->key = xstrndup(it, (size_t)(colon - it));
			if ((e = decode_arg(it, colon + 1, &so->arg)) != CTYS_OK) {
				free(so->key);
				break;
			}
		}
		out->n++;
	}
	strv_free(&items);
	if (e != CTYS_OK)
		subopt_free(out);
	return e;
}

void
subopt_free(struct subopts *so)
{
	size_t i;

	for (i = 0; i < so->n; i++) {
		free(so->v[i].key);
		free(so->v[i].arg);
	}
	free(so->v);
	so->v = NULL;
	so->n = 0;
}

void
subopt_encode(struct buf *out, const char *key, const char *arg)
{
	const char *p;
	size_t len, start;

	/* ",," after the "," that joins items would read as ",", "," */
	for (p = key; *p; p++) {
		if (*p == ',')
			buf_addc(out, p == key ? '\\' : ',');
		buf_addc(out, *p);
	}
	if (arg == NULL)
		return;
	buf_addc(out, ':');
	if (subopt_is_mac(arg)) {
		buf_adds(out, arg);
		return;
	}
	len = strlen(arg);
	start = out->len;
	for (p = arg; *p; p++) {
		size_t i = (size_t)(p - arg);

		switch (*p) {
		case ',':
			buf_adds(out, ",,");
			break;
		case ':':
			buf_adds(out, "::");
			break;
		case ' ':
			/*
			 * '%' reads back as a space only between two characters
			 * that are not '%' (subopt_decode_percent): else the
			 * space goes as it is.
			 */
			buf_addc(out, i == 0 || i + 1 == len || out->d[out->len - 1] == '%' ||
			    p[1] == '%' ? ' ' : '%');
			break;
		case '%':
			buf_adds(out, "%%");
			break;
		default:
			buf_addc(out, *p);
		}
	}
	/*
	 * The scanner drops a trailing quote without a leading one: double it.
	 * A trailing '\\' would escape the ',' that joins the next item: end
	 * with a quote the scanner drops.
	 */
	if (out->len > start && (out->d[out->len - 1] == '\'' || out->d[out->len - 1] == '"') &&
	    out->d[start] != out->d[out->len - 1])
		buf_addc(out, out->d[out->len - 1]);
	else if (out->len > start && out->d[out->len - 1] == '\\')
		buf_addc(out, out->d[start] == '\'' ? '"' : '\'');
}
