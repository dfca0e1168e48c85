/* Unit tests for cache/record.c: the 47-field record and its field table. */
#include "testutil.h"

#include "cache/record.h"
#include "lib/buf.h"
#include "lib/err.h"

#include "test_cache_fixture.h"

static const char *L1 = "lab01.soho;QEMU;tst100;/mntn/vmpool/tst100/tst100.ctys;U100;"
	"00:50:56:13:11:40;192.168.1.100;;;/var/tmp/qemumon.tst100;5900;debian;5.0;Linux;"
	"2.6.26;;;VM;ACTIVE;QEMU-0.12.2;;;;;;;22;tst100.soho;;KVM;;;eth0;;;;;x86_64;;512;1;;;"
	"acue;ldapusers;;";

Test(record, parse_format_round_trip)
{
	struct rec r;
	struct buf b = BUF_INIT;

	cr_assert_eq(rec_parse(L1, strlen(L1), &r), CTYS_OK);
	cr_assert_str_eq(r.f[0], "lab01.soho");
	cr_assert_str_eq(r.f[1], "QEMU");
	cr_assert_str_eq(r.f[2], "tst100");
	cr_assert_str_eq(r.f[29], "KVM");
	cr_assert_str_eq(r.f[31], "");
	cr_assert_str_eq(r.f[32], "eth0");
	cr_assert_str_eq(r.f[46], "");
	cr_assert_eq(r.len[3], strlen("/mntn/vmpool/tst100/tst100.ctys"));
	rec_format(&r, &b);
	cr_assert_str_eq(buf_cstr(&b), L1);
	rec_free(&r);
	buf_free(&b);
}

Test(record, every_fixture_line_round_trips)
{
	const char *p = FX_ENUM, *nl;
	struct buf b = BUF_INIT;
	struct rec r;

	for (; (nl = strchr(p, '\n')) != NULL; p = nl + 1) {
		cr_assert_eq(rec_parse(p, (size_t)(nl - p), &r), CTYS_OK);
		buf_reset(&b);
		rec_format(&r, &b);
		cr_assert_eq(b.len, (size_t)(nl - p));
		cr_assert(memcmp(b.d, p, b.len) == 0);
		rec_free(&r);
	}
	buf_free(&b);
}

Test(record, empty_values_and_all_empty)
{
	char line[64];
	struct rec r;
	int i;

	for (i = 0; i < 46; i++)
		line[i] = ';';
	line[46] = '\0';
	cr_assert_eq(rec_parse(line, 46, &r), CTYS_OK);
	for (i = 0; i < REC_NFIELDS; i++)
		cr_assert_eq(r.len[i], 0);
	rec_free(&r);
}

Test(record, wrong_field_count_is_an_error)
{
	struct rec r;
	char *more;

	cr_assert_eq(rec_parse("a;b;c", 5, &r), CTYS_ERR_PARSE);
	cr_assert_str_eq(ctys_errmsg(), "record has 3 fields, 47 required");
	cr_assert_null(r.buf);
	/* a trailing ';' makes 48 fields */
	cr_assert(asprintf(&more, "%s;", L1) > 0);
	cr_assert_eq(rec_parse(more, strlen(more), &r), CTYS_ERR_PARSE);
	cr_assert_str_eq(ctys_errmsg(), "record has 48 fields, 47 required");
	free(more);
}

Test(record, binary_bytes_are_rejected)
{
	char buf[400];
	struct rec r;
	size_t n = strlen(L1);

	memcpy(buf, L1, n);
	buf[5] = '\0';
	cr_assert_eq(rec_parse(buf, n, &r), CTYS_ERR_PARSE);
	memcpy(buf, L1, n);
	buf[5] = '\n';
	cr_assert_eq(rec_parse(buf, n, &r), CTYS_ERR_PARSE);
	/* other bytes (UTF-8, 0xff) are values like any other */
	memcpy(buf, L1, n);
	buf[5] = (char)0xff;
	cr_assert_eq(rec_parse(buf, n, &r), CTYS_OK);
	rec_free(&r);
}

Test(record, field_table)
{
	size_t i;

	for (i = 0; i < REC_NFIELDS; i++) {
		cr_assert_eq(rec_fields[i].num, i + 1);
		cr_assert_not_null(rec_fields[i].title);
	}
	cr_assert_str_eq(rec_fields[0].title, "ContainingMachine");
	cr_assert_str_eq(rec_fields[2].col, "C");
	cr_assert_str_eq(rec_fields[26].col, "AA");
	cr_assert_str_eq(rec_fields[46].col, "AU");
	cr_assert_eq(rec_field_by_key("label", 5), 3);
	cr_assert_eq(rec_field_by_key("L", 1), 3);
	cr_assert_eq(rec_field_by_key("st", 2), 2);
	cr_assert_eq(rec_field_by_key("T", 1), 7);
	cr_assert_eq(rec_field_by_key("ip", 2), 7);
	cr_assert_eq(rec_field_by_key("pname", 5), 4);
	cr_assert_eq(rec_field_by_key("index", 5), 32);
	cr_assert_eq(rec_field_by_key("defc", 4), 47);
	cr_assert_eq(rec_field_by_key("gw", 2), 36);
	cr_assert_eq(rec_field_by_key("hyrelrun", 8), 29);
	cr_assert_eq(rec_field_by_key("nosuch", 6), 0);
}

Test(record, field_view_and_index)
{
	struct buf b = BUF_INIT;
	const char *f;
	size_t n;

	f = rec_field_view(L1, strlen(L1), 3, &n);
	cr_assert_eq(n, 6);
	cr_assert(strncmp(f, "tst100", 6) == 0);
	f = rec_field_view(L1, strlen(L1), 0, &n);
	cr_assert_eq(n, strlen(L1));
	f = rec_field_view(L1, strlen(L1), 48, &n);
	cr_assert_eq(n, 0);
	f = rec_field_view("a;b", 3, 2, &n);
	cr_assert_eq(n, 1);
	cr_assert_eq(*f, 'b');
	rec_with_index(L1, strlen(L1), 2, &b);
	cr_assert(strstr(buf_cstr(&b), ";KVM;;2;eth0;") != NULL);
	cr_assert_eq(b.len, strlen(L1) + 1);
	buf_reset(&b);
	rec_with_index("a;b", 3, 7, &b);
	cr_assert_str_eq(buf_cstr(&b), "a;b");
	buf_reset(&b);
	rec_with_index("a;;", 3, 7, &b);     /* 3 fields: no field 32 */
	cr_assert_str_eq(buf_cstr(&b), "a;;");
	buf_reset(&b);
	{
		char l32[40];

		memset(l32, ';', 31);              /* exactly 32 fields, the last empty */
		l32[31] = '\0';
		rec_with_index(l32, 31, 7, &b);
		cr_assert_eq(b.len, 32);
		cr_assert_eq(b.d[31], '7');
	}
	buf_free(&b);
	cr_assert_eq(rec_count_fields("", 0), 1);
	cr_assert_eq(rec_count_fields(L1, strlen(L1)), 47);
}

Test(record, plugin_order_mapping)
{
	/* plugin order: host;label;id;uuid;mac;disp;cport;sport;vncbase;tcp;type;... */
	const char *plug = "h;lab;/id;uu;ma;di;cp;sp;vb;1.2.3.4;QEMU;deb;5;Linux;2.6;"
		";;VM;ACTIVE;;;;;;;;22;net;;KVM;;;eth0;;;;;x86_64;;512;1;;;u;g;;";
	const char *canon = "h;QEMU;lab;/id;uu;ma;1.2.3.4;di;cp;sp;vb;deb;5;Linux;2.6;"
		";;VM;ACTIVE;;;;;;;;22;net;;KVM;;;eth0;;;;;x86_64;;512;1;;;u;g;;";
	struct buf b = BUF_INIT;
	struct rec r;

	cr_assert_eq(rec_parse(plug, strlen(plug), &r), CTYS_OK);
	rec_from_plugin_order(&r);
	rec_format(&r, &b);
	cr_assert_str_eq(buf_cstr(&b), canon);
	rec_to_plugin_order(&r);
	buf_reset(&b);
	rec_format(&r, &b);
	cr_assert_str_eq(buf_cstr(&b), plug);
	rec_free(&r);
	buf_free(&b);
	cr_assert_eq(rec_plugin_src[1], 11);
	cr_assert_eq(rec_plugin_src[6], 10);
}
