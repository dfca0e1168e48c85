/*
 * Unit tests for the LDAP mapping and settings (cache/ldap-map.c,
 * cache/ldap-conn.c without a server): RFC 4515 filter escaping, RFC 4514
 * DN escaping, filters, record keys, the generated schema equal to the
 * shipped conf/ files, settings and the bind password file rule.
 */
#include "testutil.h"

#include <sys/stat.h>

#include "cache/ldap-dir.h"
#include "cache/ldap-map.h"
#include "cache/record.h"
#include "lib/buf.h"
#include "lib/conf.h"

static char *
esc(const char *v, size_t n)
{
	struct buf b = BUF_INIT;

	dir_filter_escape(&b, v, n);
	return buf_detach(&b);
}

Test(ldap, filter_escape_specials)
{
	char *s = esc("a*b(c)d\\e", 9);

	cr_assert_str_eq(s, "a\\2ab\\28c\\29d\\5ce");
	free(s);
	s = esc("x\0y", 3);
	cr_assert_str_eq(s, "x\\00y");
	free(s);
	s = esc("", 0);
	cr_assert_str_eq(s, "");
	free(s);
	s = esc("ü=~<>&|!", strlen("ü=~<>&|!"));
	cr_assert_str_eq(s, "ü=~<>&|!"); /* only the four specials and NUL */
	free(s);
}

/* Decode RFC 4515 \xx escapes; -1 on a stray special. */
static long
unescape(const char *s, char *out)
{
	long n = 0;

	for (; *s; s++) {
		if (*s == '*' || *s == '(' || *s == ')')
			return -1;
		if (*s == '\\') {
			unsigned v;

			if (sscanf(s + 1, "%2x", &v) != 1)
				return -1;
			out[n++] = (char)v;
			s += 2;
		} else {
			out[n++] = *s;
		}
	}
	return n;
}

Test(ldap, filter_escape_round_trip_all_bytes)
{
	char in[256], out[256];
	char *s;
	int i;

	for (i = 0; i < 256; i++)
		in[i] = (char)i;
	s = esc(in, 256);
	cr_assert_eq(unescape(s, out), 256);
	cr_assert(memcmp(in, out, 256) == 0);
	free(s);
}

Test(ldap, filters)
{
	struct buf b = BUF_INIT;

	cr_assert(dir_filter_field(&b, 3, "*)(cn=*", 7));
	cr_assert_str_eq(buf_cstr(&b), "(&(objectClass=ctysMachine)(ctysLabel=\\2a\\29\\28cn=\\2a))");
	buf_reset(&b);
	cr_assert(!dir_filter_field(&b, REC_FIELD_INDEX, "1", 1));
	cr_assert(!dir_filter_field(&b, 0, "1", 1));
	cr_assert(!dir_filter_field(&b, 48, "1", 1));
	cr_assert_eq(b.len, 0);
	dir_filter_substr(&b, "a\\b", 3);
	cr_assert_str_eq(buf_cstr(&b), "(&(objectClass=ctysMachine)(ctysRecordLine=*a\\5cb*))");
	buf_free(&b);
}

Test(ldap, dn_escape)
{
	struct buf b = BUF_INIT;

	dir_dn_escape(&b, " #a,b+c\"d\\e<f>g;h=i ", 20);
	cr_assert_str_eq(buf_cstr(&b), "\\ #a\\,b\\+c\\\"d\\\\e\\<f\\>g\\;h\\=i\\ ");
	buf_reset(&b);
	dir_dn_escape(&b, "#x\ny", 4);
	cr_assert_str_eq(buf_cstr(&b), "\\#x\\0ay");
	buf_reset(&b);
	dir_dn_escape(&b, "lab01.soho", 10);
	cr_assert_str_eq(buf_cstr(&b), "lab01.soho");
	buf_free(&b);
}

Test(ldap, field_table)
{
	size_t i, k;

	for (i = 0; i < REC_NFIELDS; i++) {
		cr_assert_eq(dir_fields[i].num, i + 1);
		if (i + 1 == REC_FIELD_INDEX) {
			cr_assert_null(dir_fields[i].attr);
			continue;
		}
		cr_assert_not_null(dir_fields[i].attr);
		cr_assert_eq(dir_field_by_attr(dir_fields[i].attr), i + 1);
		for (k = 0; k < i; k++)
			if (dir_fields[k].attr != NULL)
				cr_assert_str_neq(dir_fields[k].attr, dir_fields[i].attr);
	}
	cr_assert_eq(dir_field_by_attr("CTYSLABEL"), 3);
	cr_assert_eq(dir_field_by_attr("cn"), 0);
}

static char *
slurp(const char *path)
{
	FILE *f = fopen(path, "r");
	char *d;
	long n;

	cr_assert_not_null(f, "cannot open %s (run from the source tree)", path);
	fseek(f, 0, SEEK_END);
	n = ftell(f);
	rewind(f);
	d = calloc(1, (size_t)n + 1);
	cr_assert_eq(fread(d, 1, (size_t)n, f), (size_t)n);
	fclose(f);
	return d;
}

Test(ldap, shipped_schema_is_generated)
{
	struct buf b = BUF_INIT;
	char *s;

	dir_schema_text(&b);
	s = slurp("conf/ctys.schema");
	cr_assert_str_eq(s, buf_cstr(&b), "conf/ctys.schema is stale: ctys-ldap schema >conf/ctys.schema");
	free(s);
	buf_reset(&b);
	dir_schema_ldif(&b);
	s = slurp("conf/ctys.ldif");
	cr_assert_str_eq(s, buf_cstr(&b), "conf/ctys.ldif is stale: ctys-ldap schema --ldif");
	free(s);
	buf_free(&b);
}

Test(ldap, record_key)
{
	char l1[256], l2[256];
	struct rec a, b;
	char ka[17], kb[17], wa[17], wb[17];

	/* 47 fields: 1-5 set, field 19 (VM state) differs */
	snprintf(l1, sizeof l1, "h;QEMU;vm1;/p;U1%.13s;ACTIVE%.28s", ";;;;;;;;;;;;;",
	    ";;;;;;;;;;;;;;;;;;;;;;;;;;;;");
	snprintf(l2, sizeof l2, "h;QEMU;vm1;/p;U1%.13s;BACKUP%.28s", ";;;;;;;;;;;;;",
	    ";;;;;;;;;;;;;;;;;;;;;;;;;;;;");
	cr_assert_eq(rec_count_fields(l1, strlen(l1)), 47);

	cr_assert_eq(rec_parse(l1, strlen(l1), &a), CTYS_OK);
	cr_assert_eq(rec_parse(l2, strlen(l2), &b), CTYS_OK);
	dir_record_key(&a, false, ka);
	dir_record_key(&b, false, kb);
	cr_assert_str_eq(ka, kb, "the identity (fields 1-5) keys a record across changes");
	cr_assert_eq(strlen(ka), 16);
	dir_record_key(&a, true, wa);
	dir_record_key(&b, true, wb);
	cr_assert_str_neq(wa, wb);
	rec_free(&a);
	rec_free(&b);
}

Test(ldap, ipv4_and_utf8)
{
	cr_assert(dir_is_ipv4("10.0.0.1", 8));
	cr_assert(dir_is_ipv4("255.255.255.255", 15));
	cr_assert(!dir_is_ipv4("256.0.0.1", 9));
	cr_assert(!dir_is_ipv4("1.2.3", 5));
	cr_assert(!dir_is_ipv4("1.2.3.4.5", 9));
	cr_assert(!dir_is_ipv4("lab01", 5));
	cr_assert(!dir_is_ipv4("", 0));
	cr_assert(dir_utf8_ok("abc", 3));
	cr_assert(dir_utf8_ok("\xc3\xbc", 2));
	cr_assert(!dir_utf8_ok("\xc3", 1));
	cr_assert(!dir_utf8_ok("\xff", 1));
	cr_assert(!dir_utf8_ok("a\0b", 3));
	cr_assert(!dir_utf8_ok("\xed\xa0\x80", 3)); /* surrogate */
	cr_assert(!dir_utf8_ok("\xe0\x80\x80", 3)); /* overlong */
}

static struct conf *
mkconf(const char *uri, const char *base)
{
	struct conf *c = conf_new();

	conf_set(c, "CTYS_LDAP_URI", uri);
	conf_set(c, "CTYS_LDAP_BASE", base);
	return c;
}

Test(ldap, settings)
{
	struct dir_conf dc;
	struct conf *c = mkconf("ldap://127.0.0.1:1 ldapi://%2Ftmp%2Fs", "ou=m,dc=x");

	cr_assert_eq(dir_conf_load(c, &dc), CTYS_OK);
	cr_assert_eq(dc.uris.n, 2);
	cr_assert_str_eq(dc.base, "ou=m,dc=x");
	cr_assert_eq(dc.tls, DIR_TLS_NONE);
	cr_assert_eq(dc.timeout_s, 5);
	dir_conf_free(&dc);
	conf_set(c, "CTYS_LDAP_TLS", "StartTLS");
	conf_set(c, "CTYS_LDAP_TIMEOUT", "2");
	cr_assert_eq(dir_conf_load(c, &dc), CTYS_OK);
	cr_assert_eq(dc.tls, DIR_TLS_STARTTLS);
	cr_assert_eq(dc.timeout_s, 2);
	dir_conf_free(&dc);
	conf_set(c, "CTYS_LDAP_TIMEOUT", "0");
	cr_assert_eq(dir_conf_load(c, &dc), CTYS_ERR_USAGE);
	cr_assert(strstr(ctys_errmsg(), "CTYS_LDAP_TIMEOUT") != NULL);
	conf_set(c, "CTYS_LDAP_TIMEOUT", "5");
	conf_set(c, "CTYS_LDAP_URI", "http://x/");
	cr_assert_eq(dir_conf_load(c, &dc), CTYS_ERR_USAGE);
	conf_set(c, "CTYS_LDAP_URI", "ldap://127.0.0.1");
	conf_set(c, "CTYS_LDAP_BINDDN", "cn=admin");
	cr_assert_eq(dir_conf_load(c, &dc), CTYS_ERR_USAGE);
	cr_assert(strstr(ctys_errmsg(), "CTYS_LDAP_BINDPW_FILE") != NULL);
	conf_free(c);
}

Test(ldap, password_file_mode)
{
	char *dir = tu_tmpdir(), *p = tu_write(dir, "pw", "s3cret\nignored\n"), *pw, *ln;

	cr_assert_eq(chmod(p, 0644), 0);
	cr_assert_eq(dir_read_password(p, &pw), CTYS_ERR_USAGE);
	cr_assert(strstr(ctys_errmsg(), "mode 0600") != NULL);
	cr_assert_null(pw);
	cr_assert_eq(chmod(p, 0640), 0);
	cr_assert_eq(dir_read_password(p, &pw), CTYS_ERR_USAGE);
	cr_assert_eq(chmod(p, 0600), 0);
	cr_assert_eq(dir_read_password(p, &pw), CTYS_OK);
	cr_assert_str_eq(pw, "s3cret");
	free(pw);
	cr_assert(asprintf(&ln, "%s/link", dir) > 0);
	cr_assert_eq(symlink(p, ln), 0);
	cr_assert_neq(dir_read_password(ln, &pw), CTYS_OK, "a symlink is not followed");
	free(ln);
	cr_assert_eq(dir_read_password("/nonexistent/pw", &pw), CTYS_ERR_NOENT);
	free(p);
	tu_rmrf(dir);
	free(dir);
}
