/*
 * Unit tests for cache/query.c: every rule of the filter language,
 * including the original's NOT/OR quirks, on the §8 static cache.
 */
#include "testutil.h"

#include "cache/query.h"
#include "cache/record.h"
#include "lib/buf.h"
#include "lib/strv.h"

#include "test_cache_fixture.h"

/* Run the query `q` (blank separated words) and return "label,label,...". */
static char *
labels(const char *q, unsigned flags)
{
	struct strv w = STRV_INIT;
	struct query *qq;
	struct query_source src;
	struct query_lines lines;
	struct query_result res = { 0 };
	struct buf out = BUF_INIT;
	size_t i, n;
	const char *f;

	strv_split_ws(&w, q);
	cr_assert_eq(query_compile((const char *const *)w.v, w.n, flags, &qq), CTYS_OK,
	    "compile '%s': %s", q, ctys_errmsg());
	query_source_lines(&src, &lines, FX_STATCACHE, strlen(FX_STATCACHE));
	cr_assert_eq(query_run(qq, &src, &res), CTYS_OK);
	for (i = 0; i < res.n; i++) {
		f = rec_field_view(res.v[i].line, res.v[i].len, 3, &n);
		if (i > 0)
			buf_addc(&out, ',');
		buf_add(&out, f, n);
	}
	query_result_free(&res);
	query_free(qq);
	strv_free(&w);
	return buf_detach(&out);
}

#define EXPECT(q, want) do {                                              \
		char *got_ = labels((q), 0);                              \
		cr_assert_str_eq(got_, (want), "query '%s'", (q));        \
		free(got_);                                               \
	} while (0)

Test(query, bare_regex_matches_whole_record_case_sensitive)
{
	EXPECT("tst1", "tst100,tst101");
	EXPECT("TST1", "");
	EXPECT("soho;QEMU", "tst100,tst101");      /* across ';' */
	EXPECT("^lab02", "lab02,tst300,tst200");
	EXPECT(";;$", "lab01,tst100,tst101,lab02,tst300,tst200");
	EXPECT("tst[23]00", "tst300,tst200");
	EXPECT("", "lab01,tst100,tst101,lab02,tst300,tst200"); /* no args = "." */
}

Test(query, consecutive_terms_and)
{
	EXPECT("tst QEMU", "tst100,tst101");
	EXPECT("tst AND QEMU", "tst100,tst101");
	EXPECT("F:2:PM and lab02", "lab02");
}

Test(query, field_terms)
{
	EXPECT("F:2:QEMU", "tst100,tst101");
	EXPECT("f:2:^PM$", "lab01,lab02");                  /* prefix any case */
	EXPECT("F:3:1$", "lab01,tst101");
	EXPECT("F:7:200", "tst200");                        /* TCP filled from macmap */
	EXPECT("F:2:QEMU:ignored", "tst100,tst101");        /* pattern ends at ':' */
	EXPECT("F:0:XEN", "tst200");                        /* $0 = whole record */
	EXPECT("F:99:.", "");                               /* beyond 47: empty */
	EXPECT("F:3:", "lab01,tst100,tst101,lab02,tst300,tst200");
}

Test(query, e_terms)
{
	EXPECT("E:28:1", "lab01,lab02");
	/* empty field 28 = empty regex, matches */
	EXPECT("E:3:28", "tst101,tst300,tst200");
	EXPECT("e:28:1", "lab01,lab02");
}

Test(query, r_terms_and_the_index)
{
	EXPECT("R:2:4", "tst100,tst101,lab02");
	EXPECT("R:6", "tst200");
	EXPECT("r:7", "");
	/* field 32 carries the index for every term */
	EXPECT(";2;eth0", "tst100");
	EXPECT("F:32:^5$", "tst300");
}

Test(query, or_binds_to_the_preceding_and_context)
{
	EXPECT("tst100 or tst200 .", "tst100,tst200");
	EXPECT("tst100 OR tst200 OR F:3:lab01 .", "tst100,tst200,lab01");
	EXPECT("tst100 OR tst200 OR lab01 .", "tst100,tst200,lab01,tst100,tst101");
	/* x AND (a OR b) */
	EXPECT("lab01 AND tst100 OR tst101 .", "tst100,tst101");
	EXPECT("lab02 tst100 OR tst300 .", "tst300");
	/* (a OR b) AND c */
	EXPECT("tst100 OR lab02 AND PM", "lab02");
	/* union keeps duplicates */
	EXPECT("tst100 OR tst10 .", "tst100,tst100,tst101");
}

Test(query, quirk_last_or_term_is_lost)
{
	char *got;

	EXPECT("tst100 or tst200", "tst100");
	got = labels("tst100 or tst200", QUERY_KEEP_LAST_OR);   /* -o MACHINE */
	cr_assert_str_eq(got, "tst100,tst200");
	free(got);
}

Test(query, or_inside_a_pattern_is_no_operator)
{
	EXPECT("for", "");
	EXPECT("ORACLE", "");
	EXPECT("F:12:^CentOS$ or F:2:XEN .", "lab01,tst101,lab02,tst200");
	EXPECT("F:12:^CentOS$ or .", "lab01,tst101,lab02");   /* last OR lost */
}

Test(query, not_reach_quirk)
{
	/* honoured: F/E/R terms, the last term, terms after the first F/E/R */
	EXPECT("not F:2:PM", "tst100,tst101,tst300,tst200");
	EXPECT(". not tst1", "lab01,lab02,tst300,tst200");
	EXPECT("F:2:. not tst1 lab", "lab01,lab02,tst300,tst200");
	EXPECT("not E:28:1", "tst100,tst101,tst300,tst200");
	EXPECT("not R:1:5", "tst200");
	EXPECT("NOT tst100", "lab01,tst101,lab02,tst300,tst200");
	/* ignored: a bare, non-last term before any F/E/R term */
	EXPECT("not tst1 lab", "tst100,tst101");
}

Test(query, operators_only)
{
	EXPECT("and", "lab01,tst100,tst101,lab02,tst300,tst200");
	EXPECT("not", "");
}

Test(query, args_are_resplit_at_blanks)
{
	const char *args[] = { "tst100 or", "tst200 ." };
	struct query *q;

	cr_assert_eq(query_compile(args, 2, 0, &q), CTYS_OK);
	cr_assert_eq(query_nterms(q), 3);
	query_free(q);
}

Test(query, bad_terms_are_usage_errors)
{
	const char *bad[] = { "F:x:abc", "F:3", "E:1", "E:a:b", "R:", "R:1:x", "R:1:2:3",
		"tst(", "F:3:[a", "z+++++++++++++++++++++++++++++}", "((a{99}){99}){99}",
		"a{2}{3}",
		/* skippable nodes: regcomp's memory grows with their square (fuzz_query) */
		"(a?){1400}" };
	struct query *q;
	size_t i;

	for (i = 0; i < sizeof bad / sizeof bad[0]; i++) {
		cr_assert_eq(query_compile(&bad[i], 1, 0, &q), CTYS_ERR_USAGE, "%s", bad[i]);
		cr_assert_null(q);
		cr_assert(strstr(ctys_errmsg(), bad[i]) != NULL, "message '%s' names '%s'",
		    ctys_errmsg(), bad[i]);
	}
}

Test(query, regex_guard_allows_normal_patterns)
{
	EXPECT("(tst){1}(1|2){1,2}0+", "tst100,tst101,tst200");
	EXPECT("[[:digit:]]{3}\\.soho", "tst100");
	EXPECT("(x?){1000}tst1", "tst100,tst101");
}

Test(query, prefilter_keeps_regex_semantics)
{
	EXPECT("ts+t1", "tst100,tst101");
	EXPECT("x?tst10[01]", "tst100,tst101");
	EXPECT("tst1(00|01)", "tst100,tst101");
	EXPECT("lab0[12]\\.soho;PM", "lab01,lab02");
	EXPECT("t{1}st2", "tst200");
	EXPECT("F:3:^tst100$", "tst100");
	EXPECT("F:3:^tst10$", "");
}

static int fake_calls;

static ctys_err_t
fake_lookup(void *ctx, unsigned field, const char *v, size_t len, cache_rec_fn fn,
    void *arg)
{
	(void)ctx;
	fake_calls++;
	cr_assert_eq(field, 3);
	cr_assert_eq(len, 6);
	cr_assert(memcmp(v, "tst101", 6) == 0);
	/* index 3 is tst101 in the static cache */
	{
		const char *p = FX_STATCACHE;
		int i;

		for (i = 1; i < 3; i++)
			p = strchr(p, '\n') + 1;
		fn(arg, 3, p, (size_t)(strchr(p, '\n') - p));
	}
	return CTYS_OK;
}

static bool
fake_indexed(unsigned f)
{
	return f == 3;
}

Test(query, plan_uses_an_index_only_when_exact)
{
	struct query_lines lines;
	struct query_source src;
	struct query_result res = { 0 };
	struct query *q;
	const char *a1[] = { "F:3:^tst101$", "QEMU" };
	const char *a2[] = { "F:3:tst101" };
	const char *a3[] = { "F:3:^tst101$", "or", "lab01" };
	const char *a4[] = { "not", "F:3:^tst101$" };
	const char *a5[] = { "tst101" };
	const char *a6[] = { "F:3:^tst.01$" };

	query_source_lines(&src, &lines, FX_STATCACHE, strlen(FX_STATCACHE));
	src.lookup = fake_lookup;
	src.indexed = fake_indexed;
#define PLAN(a, want) do {                                                    \
		cr_assert_eq(query_compile(a, sizeof a / sizeof a[0], 0, &q), CTYS_OK); \
		cr_assert_eq(query_plan(q, &src), want, "%s", a[0]);          \
		query_free(q);                                                 \
	} while (0)
	PLAN(a1, 3);
	PLAN(a2, 0);   /* unanchored: substring */
	PLAN(a3, 0);   /* OR needs the whole DB */
	PLAN(a4, 0);   /* negated */
	PLAN(a5, 0);   /* bare: matches anywhere */
	PLAN(a6, 0);   /* metacharacters */
	cr_assert_eq(query_compile(a1, 2, 0, &q), CTYS_OK);
	cr_assert_eq(query_run(q, &src, &res), CTYS_OK);
	cr_assert_eq(fake_calls, 1);
	cr_assert_eq(res.n, 1);
	cr_assert_eq(res.v[0].index, 3);
	cr_assert(strstr(res.v[0].line, ";QEMU;;3;eth0;") != NULL);
	query_result_free(&res);
	query_free(q);
}

Test(query, or_growth_is_bounded)
{
	struct strv w = STRV_INIT;
	struct query *q;
	struct query_source src;
	struct query_lines lines;
	struct query_result res = { 0 };
	int i;

	/* every "AND . OR ." doubles the set: 6 records * 2^12 > 64 * 7 */
	strv_push(&w, ".");
	for (i = 0; i < 12; i++) {
		strv_push(&w, "AND");
		strv_push(&w, ".");
		strv_push(&w, "OR");
		strv_push(&w, ".");
	}
	strv_push(&w, ".");
	cr_assert_eq(query_compile((const char *const *)w.v, w.n, 0, &q), CTYS_OK);
	query_source_lines(&src, &lines, FX_STATCACHE, strlen(FX_STATCACHE));
	cr_assert_eq(query_run(q, &src, &res), CTYS_ERR_TOOLONG);
	cr_assert(strstr(ctys_errmsg(), "every OR keeps duplicates") != NULL);
	cr_assert_eq(res.n, 0);
	query_free(q);
	strv_free(&w);
}
