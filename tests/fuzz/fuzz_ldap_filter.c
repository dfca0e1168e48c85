/*
 * fuzz_ldap_filter — RFC 4515 escaping and the filters built from query
 * values (cache/ldap-map.c).  Invariants: an escaped value contains no
 * '*', '(', ')' or NUL and no '\' that does not start a two-digit hex
 * escape, and decodes back to the input; a field filter has exactly the
 * parentheses of its fixed frame; a DN value escape decodes back too.
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "cache/ldap-map.h"
#include "cache/record.h"
#include "lib/buf.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static int
hexval(int c)
{
	if (c >= '0' && c <= '9')
		return c - '0';
	if (c >= 'a' && c <= 'f')
		return c - 'a' + 10;
	if (c >= 'A' && c <= 'F')
		return c - 'A' + 10;
	return -1;
}

static void
check_value(const char *in, size_t n, const char *e, size_t elen)
{
	char *out = malloc(elen + 1);
	size_t i, k = 0;

	for (i = 0; i < elen; i++) {
		unsigned char c = (unsigned char)e[i];

		if (c == '*' || c == '(' || c == ')' || c == '\0')
			abort();
		if (c == '\\') {
			if (i + 2 >= elen)
				abort();
			if (hexval(e[i + 1]) < 0 || hexval(e[i + 2]) < 0)
				abort();
			out[k++] = (char)(hexval(e[i + 1]) * 16 + hexval(e[i + 2]));
			i += 2;
		} else {
			out[k++] = (char)c;
		}
	}
	if (k != n || memcmp(out, in, n) != 0)
		abort();
	free(out);
}

static size_t
count(const char *s, size_t n, char c)
{
	size_t i, k = 0;

	for (i = 0; i < n; i++)
		k += s[i] == c;
	return k;
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	const char *v = (const char *)data;
	struct buf b = BUF_INIT;
	size_t i, pre;

	dir_filter_escape(&b, v, size);
	check_value(v, size, b.d ? b.d : "", b.len);

	buf_reset(&b);
	if (dir_filter_field(&b, size > 0 ? (unsigned)data[0] % 50 : 1, v, size)) {
		/* (&(objectClass=ctysMachine)(<attr>=<escaped>)): 3 '(' and 3 ')' */
		if (count(b.d, b.len, '(') != 3 || count(b.d, b.len, ')') != 3)
			abort();
		pre = strcspn(b.d, "=");
		pre += 1 + strcspn(b.d + pre + 1, "=") + 1; /* second '=' */
		check_value(v, size, b.d + pre, b.len - pre - 2);
	}
	buf_reset(&b);
	dir_filter_substr(&b, v, size);
	if (count(b.d, b.len, '(') != 3 || count(b.d, b.len, ')') != 3 ||
	    count(b.d, b.len, '*') != 2)
		abort();

	/* RFC 4514: the value decodes back (\<char> or \<hex><hex>) */
	buf_reset(&b);
	dir_dn_escape(&b, v, size);
	{
		char *out = malloc(b.len + 1);
		size_t k = 0;

		for (i = 0; i < b.len; i++) {
			if (b.d[i] == '\\' && i + 2 < b.len && k < size &&
			    ((unsigned char)v[k] < 0x20 || v[k] == 0x7f)) {
				out[k++] = (char)(hexval(b.d[i + 1]) * 16 + hexval(b.d[i + 2]));
				i += 2;
			} else if (b.d[i] == '\\' && i + 1 < b.len) {
				out[k++] = b.d[++i];
			} else {
				if (b.d[i] == ',' || b.d[i] == '+' || b.d[i] == ';' || b.d[i] == '=' ||
				    b.d[i] == '\0')
					abort(); /* unescaped separator */
				out[k++] = b.d[i];
			}
		}
		if (k != size || memcmp(out, v, size) != 0)
			abort();
		free(out);
	}
	(void)dir_is_ipv4(v, size);
	(void)dir_utf8_ok(v, size);
	buf_free(&b);
	return 0;
}
