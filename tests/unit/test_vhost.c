/*
 * Unit tests for cache/table.c (TAB_GEN/REC_GEN/SPEC_GEN/XML_GEN) and
 * cache/vhost-out.c (-o selection, titles, CTYSADDRESS, SORT).
 */
#include "testutil.h"

#include "cache/table.h"
#include "cache/vhost-macro.h"
#include "cache/vhost-out.h"
#include "lib/buf.h"
#include "lib/strv.h"

Test(table, parse_defaults_and_errors)
{
	struct tab_spec s;
	const char *bad[] = { "", "x", "0_a", "3_a_b", "3_a_5_Q", "3_a_5_L_x", "3%%4", "3%" };
	size_t i;

	cr_assert_eq(tab_parse("3%4_id%7_tcp_15_L%8_d_0_B", &s), CTYS_OK);
	cr_assert_eq(s.n, 4);
	cr_assert_str_eq(s.cols[0].title, "3");
	cr_assert_eq(s.cols[0].width, 0);
	cr_assert_not(s.cols[0].width_given);
	cr_assert_str_eq(s.cols[1].title, "id");
	cr_assert_eq(s.cols[2].width, 15);
	cr_assert_eq(s.cols[2].policy, TAB_LEFT);
	cr_assert(s.cols[3].width_given);
	cr_assert_eq(s.cols[3].policy, TAB_BREAK);
	tab_free(&s);
	for (i = 0; i < sizeof bad / sizeof bad[0]; i++) {
		cr_assert_eq(tab_parse(bad[i], &s), CTYS_ERR_USAGE, "'%s'", bad[i]);
		cr_assert_eq(s.n, 0);
	}
}

static char *
render(enum tab_fmt fmt, const char *spec, const char *const *f, size_t nf)
{
	struct tab_spec s;
	struct buf b = BUF_INIT;

	cr_assert_eq(tab_parse(spec, &s), CTYS_OK);
	if (fmt == TAB_FMT_TAB)
		tab_header(&b, &s);
	tab_row(&b, fmt, &s, f, nf, 1);
	tab_free(&s);
	return buf_detach(&b);
}

Test(table, widths_and_policies)
{
	const char *f[] = { "abcdefghijkl", "xy" };
	char *o;

	o = render(TAB_FMT_TAB, "1_a_4%2_b_0%1_c_4_L%3", f, 2);
	cr_assert_str_eq(o, "a   |b         |c   |3         \n"
	    "----+----------+----+----------\n"
	    "abcd|xy        |ijkl|          \n");
	free(o);
	o = render(TAB_FMT_TAB, "1_a_5_B%2_b_3", f, 2);
	cr_assert_str_eq(o, "a    |b  \n-----+---\nabcde|xy \nfghij|   \nkl   |   \n");
	free(o);
	/* explicit width 0 in a record format: unpadded, uncut */
	o = render(TAB_FMT_REC, "1_a_0%2_b", f, 2);
	cr_assert_str_eq(o, "record(1):={\n    {a,1,abcdefghijkl},\n    {b,2,xy        }\n}\n");
	free(o);
}

Test(table, break_is_limited)
{
	char big[2000];
	const char *f[] = { big };
	char *o;
	size_t lines = 0, i;

	memset(big, 'x', sizeof big - 1);
	big[sizeof big - 1] = '\0';
	o = render(TAB_FMT_TAB, "1_a_2_B", f, 1);
	for (i = 0; o[i]; i++)
		lines += o[i] == '\n';
	cr_assert_eq(lines, 2 + 1 + TAB_MAX_BREAK);
	free(o);
}

static struct query_result
one_record(void)
{
	static const char line[] = "lab01.soho;QEMU;tst100;/mntn/vmpool/tst100/tst100.ctys;"
		"U100;00:50:56:13:11:40;192.168.1.100;;;/var/tmp/qemumon.tst100;5900;debian;5.0;"
		"Linux;2.6.26;;;VM;ACTIVE;QEMU-0.12.2;;;;;;;22;tst100.soho;;KVM;;2;eth0;;;;;"
		"x86_64;;512;1;;;acue;ldapusers;;";
	struct query_result r = { 0 };

	r.v = calloc(1, sizeof *r.v);
	r.v[0].index = 2;
	r.v[0].line = strdup(line);
	r.v[0].len = strlen(line);
	r.n = r.cap = 1;
	return r;
}

static char *
out_for(const char *opt)
{
	struct vhost_out o;
	struct query_result r = one_record();
	struct buf b = BUF_INIT;

	vhost_out_init(&o);
	cr_assert_eq(vhost_out_parse(&o, opt), CTYS_OK, "%s: %s", opt, ctys_errmsg());
	vhost_out_render(&o, &r, &b);
	vhost_out_free(&o);
	query_result_free(&r);
	return buf_detach(&b);
}

#define OUT(opt, want) do {                                          \
		char *o_ = out_for(opt);                             \
		cr_assert_str_eq(o_, want, "-o %s", opt);            \
		free(o_);                                            \
	} while (0)

Test(vhost_out, canonical_order_and_aliases)
{
	OUT("l,t", "tst100;192.168.1.100\n");
	OUT("T,L", "tst100;192.168.1.100\n");
	OUT("index,uuid,h", "lab01.soho;U100;2\n");
	OUT("defc,if,gw,arch", "eth0;;x86_64;\n");
	OUT("maxkey", "lab01.soho;QEMU;tst100;/mntn/vmpool/tst100/tst100.ctys;U100;"
	    "00:50:56:13:11:40\n");
	OUT("titleidxasc,pm,accel", "ContainingMachine(A-1);Accellerator(AD-30)\n"
	    "lab01.soho;KVM\n");
	OUT("ctys", "lab01.soho[/mntn/vmpool/tst100/tst100.ctys,tst100,U100,"
	    "00:50:56:13:11:40,192.168.1.100]\n");
}

Test(vhost_out, unknown_keywords)
{
	struct vhost_out o;
	const char *bad[] = { "nosuch", "l,nosuch", "sort:x", "tab_gen:0", "machine:1x" };
	size_t i;

	for (i = 0; i < sizeof bad / sizeof bad[0]; i++) {
		vhost_out_init(&o);
		cr_assert_eq(vhost_out_parse(&o, bad[i]), CTYS_ERR_USAGE, "%s", bad[i]);
		vhost_out_free(&o);
	}
	vhost_out_init(&o);
	cr_assert_eq(vhost_out_parse(&o, "l"), CTYS_OK);
	cr_assert_not(vhost_out_only_addr(&o));
	cr_assert_eq(vhost_out_parse(&o, "nosuch"), CTYS_ERR_USAGE);
	cr_assert_str_eq(ctys_errmsg(), "unknown OUTPUT 'nosuch'");
	vhost_out_free(&o);
	vhost_out_init(&o);
	cr_assert_eq(vhost_out_parse(&o, "m,t,dns"), CTYS_OK);
	cr_assert(vhost_out_only_addr(&o));
	vhost_out_free(&o);
}

Test(vhost_out, sort_lines)
{
	struct buf b = BUF_INIT;

	buf_adds(&b, "b;2\na;3\nc;1\na;3\n");
	vhost_sort_lines(&b, ';', 2, false, false);
	cr_assert_str_eq(buf_cstr(&b), "c;1\nb;2\na;3\na;3\n");
	vhost_sort_lines(&b, ';', 0, true, true);
	cr_assert_str_eq(buf_cstr(&b), "c;1\nb;2\na;3\n");
	buf_free(&b);
}

Test(vhost_macro, percent_and_macro_site)
{
	char *argv1[] = { "-o", "tab_gen:3_l_4%%2_t_5", "a%b" };
	char *argv2[] = { "-o", "l", "MACRO:vconn" };
	struct strv out = STRV_INIT;

	cr_assert_eq(vhost_expand_args(3, argv1, &out), CTYS_OK);
	cr_assert_eq(out.n, 3);
	cr_assert_str_eq(out.v[1], "tab_gen:3_l_4%2_t_5");
	cr_assert_str_eq(out.v[2], "a%b");
	strv_free(&out);
	strv_free(&out);
	{
		/* the whole line is expanded, split again, then %% -> % */
		char *dir = tu_tmpdir(), *mf = tu_write(dir, "m", "vconn = -o tab_gen:3_l_4%%2_t_5\n");

		setenv("CTYS_MACRO_DB", mf, 1);
		cr_assert_eq(vhost_expand_args(3, argv2, &out), CTYS_OK, "%s", ctys_errmsg());
		cr_assert_eq(out.n, 4);
		cr_assert_str_eq(out.v[2], "-o");
		cr_assert_str_eq(out.v[3], "tab_gen:3_l_4%2_t_5");
		strv_free(&out);
		argv2[2] = "MACRO:nosuch";
		cr_assert_eq(vhost_expand_args(3, argv2, &out), CTYS_ERR_USAGE);
		cr_assert(strstr(ctys_errmsg(), "nosuch") != NULL, "%s", ctys_errmsg());
		strv_free(&out);
		unsetenv("CTYS_MACRO_DB");
		tu_rmrf(dir);
		free(mf);
		free(dir);
	}
}
