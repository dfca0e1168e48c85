/* Unit tests for lib/: err, buf, strv, util, log (the -d debug syntax). */
#include "testutil.h"

#include "lib/buf.h"
#include "lib/err.h"
#include "lib/log.h"
#include "lib/strv.h"
#include "lib/util.h"
#include "lib/xmalloc.h"

Test(err, strerror_and_exit_status)
{
	cr_assert_str_eq(ctys_strerror(CTYS_OK), "success");
	cr_assert_str_eq(ctys_strerror(CTYS_ERR_USAGE), "command line error");
	cr_assert_str_eq(ctys_strerror((ctys_err_t)999), "unknown error");
	cr_assert_eq(ctys_exit_status(CTYS_ERR_USAGE), 1);
	cr_assert_eq(ctys_exit_status(CTYS_ERR_NOENT), 2);
	cr_assert_eq(ctys_exit_status(CTYS_ERR_AMBIGUOUS), 11);
}

Test(err, seterr_and_prefix)
{
	cr_assert_eq(ctys_seterr(CTYS_ERR_PARSE, "bad '%s'", "x"), CTYS_ERR_PARSE);
	cr_assert_str_eq(ctys_errmsg(), "bad 'x'");
	ctys_errprefix("%s:%d: ", "file", 3);
	cr_assert_str_eq(ctys_errmsg(), "file:3: bad 'x'");
	ctys_errclear();
	cr_assert_str_eq(ctys_errmsg(), "");
}

Test(buf, grows_and_stays_terminated)
{
	struct buf b = BUF_INIT;
	int i;

	cr_assert_str_eq(buf_cstr(&b), "");
	for (i = 0; i < 1000; i++)
		buf_addf(&b, "%d,", i % 10);
	cr_assert_eq(b.len, 2000);
	cr_assert_eq(b.d[b.len], '\0');
	buf_truncate(&b, 4);
	cr_assert_str_eq(buf_cstr(&b), "0,1,");
	buf_free(&b);
}

Test(xmalloc, growarray_doubles_and_survives_shrinking)
{
	size_t *v = NULL, n = 0, i;

	for (i = 0; i < 1000; i++) {
		size_t *before = v;

		v = xgrowarray(v, n, sizeof *v);
		/* reallocation only at 0 and at powers of two */
		if (i != 0 && (i & (i - 1)) != 0)
			cr_assert_eq(v, before, "reallocated at %zu", i);
		v[n++] = i;
	}
	for (i = 0; i < n; i++)
		cr_assert_eq(v[i], i);
	/* shrink to a size that is not a power of two, then grow past the old one */
	n = 3;
	for (i = 3; i < 1500; i++) {
		v = xgrowarray(v, n, sizeof *v);
		v[n++] = i;
	}
	for (i = 0; i < n; i++)
		cr_assert_eq(v[i], i);
	free(v);
}

Test(strv, split_and_join)
{
	struct strv sv = STRV_INIT;
	char *j;

	strv_split_ws(&sv, "  -a  list\thost1 \n host2  ");
	cr_assert_eq(sv.n, 4);
	cr_assert_str_eq(sv.v[0], "-a");
	cr_assert_str_eq(sv.v[3], "host2");
	cr_assert_null(sv.v[4]);
	j = strv_join(&sv, " ");
	cr_assert_str_eq(j, "-a list host1 host2");
	free(j);
	strv_free(&sv);
}

Test(util, keyword_tables_with_aliases)
{
	static const struct kw tab[] = { { "LABEL|L", 1 }, { "CONNECTIONFORWARDING|CF", 2 } };

	cr_assert_eq(kw_lookup(tab, 2, "label", 5), 1);
	cr_assert_eq(kw_lookup(tab, 2, "l", 1), 1);
	cr_assert_eq(kw_lookup(tab, 2, "Cf", 2), 2);
	cr_assert_eq(kw_lookup(tab, 2, "LAB", 3), -1);
	cr_assert_eq(kw_canon_len("LABEL|L"), 5);
}

Test(util, bash_numbers)
{
	unsigned long v;

	cr_assert_eq(parse_bash_number("64", &v), CTYS_OK);
	cr_assert_eq(v, 64);
	cr_assert_eq(parse_bash_number("2#1000000", &v), CTYS_OK);
	cr_assert_eq(v, 64);
	cr_assert_eq(parse_bash_number("16#40", &v), CTYS_OK);
	cr_assert_eq(v, 64);
	cr_assert_eq(parse_bash_number("0x40", &v), CTYS_OK);
	cr_assert_eq(v, 64);
	cr_assert_eq(parse_bash_number("0100", &v), CTYS_OK);
	cr_assert_eq(v, 64);
	cr_assert_eq(parse_bash_number("64#_", &v), CTYS_OK);
	cr_assert_eq(v, 63);
	cr_assert_eq(parse_bash_number("2#102", &v), CTYS_ERR_USAGE);
	cr_assert_eq(parse_bash_number("abc", &v), CTYS_ERR_USAGE);
	cr_assert_eq(parse_bash_number("", &v), CTYS_ERR_USAGE);
	cr_assert_eq(parse_bash_number("1#1", &v), CTYS_ERR_USAGE);
	cr_assert_eq(parse_bash_number("99999999999999", &v), CTYS_ERR_USAGE);
}

Test(util, parse_uint_bounds)
{
	unsigned long v;

	cr_assert(parse_uint("6", 6, &v) && v == 6);
	cr_assert(!parse_uint("7", 6, &v), "a single digit above max");
	cr_assert(!parse_uint("9", 6, &v));
	cr_assert(parse_uint("64", 64, &v) && v == 64);
	cr_assert(!parse_uint("65", 64, &v));
	cr_assert(!parse_uint("", 10, &v));
	cr_assert(!parse_uint("1a", 10, &v));
	cr_assert(!parse_uint("-1", 10, &v));
}

Test(log, debug_spec_plain_number)
{
	struct dbg_spec d;

	cr_assert_eq(dbg_parse("2", &d), CTYS_OK);
	cr_assert_eq(d.level, 2);
	cr_assert_eq(d.mode, DBG_MAX);
	cr_assert_eq(d.warn, 1);
	cr_assert_eq(d.info, 1);
}

Test(log, debug_spec_full)
{
	struct dbg_spec d;
	struct buf b = BUF_INIT;

	cr_assert_eq(dbg_parse("16#40,P,S:2#100000000,W:3,I:0,F:a.c%b.c,EXCLUDE,PF:2", &d), CTYS_OK);
	cr_assert_eq(d.level, 64);
	cr_assert_eq(d.mode, DBG_PATTERN);
	cr_assert_eq(d.subsys, S_QEMU);
	cr_assert_eq(d.warn, 3);
	cr_assert_eq(d.info, 0);
	cr_assert_str_eq(d.files, "a.c%b.c");
	cr_assert(d.files_exclude);
	cr_assert_eq(d.printfinal, 2);
	dbg_format(&b, &d);
	cr_assert_str_eq(buf_cstr(&b), "64,PATTERN,S:256,W:3,I:0,F:a.c%b.c,EXCLUDE,PF:2");
	buf_free(&b);
	cr_assert_eq(dbg_parse("ALL,min,pfin", &d), CTYS_OK);
	cr_assert_eq(d.level, 65535);
	cr_assert_eq(d.mode, DBG_MIN);
	cr_assert_eq(d.printfinal, 0);
}

Test(log, debug_spec_errors_name_the_item)
{
	struct dbg_spec d;

	cr_assert_eq(dbg_parse("x", &d), CTYS_ERR_USAGE);
	cr_assert(strstr(ctys_errmsg(), "'x'"));
	cr_assert_eq(dbg_parse("1,W:x", &d), CTYS_ERR_USAGE);
	cr_assert(strstr(ctys_errmsg(), "requires numeric value"), "%s", ctys_errmsg());
	cr_assert_eq(dbg_parse("1,BOGUS", &d), CTYS_ERR_USAGE);
	cr_assert(strstr(ctys_errmsg(), "unknown debug key 'BOGUS'"));
	cr_assert_eq(dbg_parse("1,S:", &d), CTYS_ERR_USAGE);
	cr_assert_eq(dbg_parse("", &d), CTYS_ERR_USAGE);
}

Test(log, enabled_by_mode)
{
	struct dbg_spec d;

	dbg_parse("8", &d);
	log_set_dbg(&d);
	cr_assert(dbg_enabled(D_UI, S_CORE));
	cr_assert(dbg_enabled(D_DATA, S_CORE));
	cr_assert(!dbg_enabled(D_MAINT, S_CORE));
	dbg_parse("8,P,S:8", &d);
	log_set_dbg(&d);
	cr_assert(dbg_enabled(D_DATA, S_CORE));
	cr_assert(!dbg_enabled(D_UI, S_CORE));
	cr_assert(!dbg_enabled(D_DATA, S_QEMU));
	dbg_default(&d);
	log_set_dbg(&d);
	cr_assert(!dbg_enabled(D_UI, 0));
}
