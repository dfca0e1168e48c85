/* Unit tests for macros/macro: MACRO: references and macro files. */
#include "testutil.h"

#include <sys/stat.h>

#include "lib/conf.h"
#include "macros/macro.h"
#include "macros/textfile.h"

#define COMPAT "/work/shared/compat"

static char *dir;
static struct macro_env env;

/* The macro file of the reference's worked examples (§3.6). */
static const char ref_file[] =
    "hello = -a list\n"
    "two=one macro:hello two\n"
    "nested=macro:two%echo\n"
    "F_L = 3_label_10\n"
    "TAB=tab_gen:macro:F_L%%2_type_5\n"
    "ev=echo EVALUATED\n";

static void
setup(void)
{
	dir = tu_tmpdir();
	memset(&env, 0, sizeof env);
	env.db = tu_write(dir, "default", ref_file);
	env.path = strdup(dir);
	env.max_recurse = MACRO_MAXRECURSE_DEFAULT;
}

static void
teardown(void)
{
	tu_rmrf(dir);
	free(dir);
	macro_env_free(&env);
}

static void
expect(const char *in, const char *want)
{
	char *out = NULL;
	ctys_err_t e = macro_expand(&env, in, &out);

	cr_assert_eq(e, CTYS_OK, "'%s': %s", in, ctys_errmsg());
	cr_assert_str_eq(out, want, "'%s' gave '%s'", in, out);
	free(out);
}

static void
expect_err(const char *in, ctys_err_t code, int status, const char *msg)
{
	char *out = NULL;
	ctys_err_t e = macro_expand(&env, in, &out);

	cr_assert_eq(e, code, "'%s' gave %d (%s) '%s'", in, e, ctys_errmsg(), out ? out : "");
	cr_assert_eq(ctys_exit_status(e), status);
	cr_assert_str_eq(ctys_errmsg(), msg);
}

TestSuite(macro, .init = setup, .fini = teardown);

Test(macro, reference_table)
{
	expect("MACRO:hello host1", "-a list host1");
	expect("x macro:two y", "x one -a list two y");
	expect("macro:nested", "one -a list two");
	expect("-o macro:TAB", "-o tab_gen:3_label_10%%2_type_5");
	expect("{macro:hello} rest", "-a list rest");
	expect("macro:ev%eval", "EVALUATED");
	expect("macro:missing%optional x", "x");
	expect("macro:hello,x", "-a list,x");
}

Test(macro, no_reference_is_trimmed)
{
	expect("  plain text\t ", "plain text");
	expect("", "");
	expect("macro", "macro");
}

Test(macro, keyword_and_modifiers_any_case)
{
	expect("MaCrO:hello%EcHo", "-a list");
	expect("{mAcRo:nope%Optional}", "");
	expect("macro:ev%EVAL", "EVALUATED");
}

Test(macro, names_are_case_sensitive)
{
	char *want;

	cr_assert(asprintf(&want, "missing macro 'HELLO' in '%s' (macro names are case-sensitive)",
	    env.db) > 0);
	expect_err("macro:HELLO", CTYS_ERR_USAGE, 1, want);
	free(want);
}

Test(macro, glued_references_and_double_percent)
{
	expect("a:macro:F_L%%macro:F_L%%x", "a:3_label_10%%3_label_10%%x");
	expect("{macro:F_L},{macro:hello}", "3_label_10,-a list");
}

Test(macro, brace_followed_by_text_is_fixed)
{
	/* the original took "rest" as a file name; we end the reference at '}' */
	expect("{macro:hello}rest", "-a listrest");
	expect_err("{macro:hello rest", CTYS_ERR_USAGE, 1,
	    "macro reference '{macro:hello' lacks its closing '}'");
}

Test(macro, empty_name)
{
	expect_err("x macro: y", CTYS_ERR_USAGE, 1, "macro reference without a name at 'macro: y'");
}

Test(macro, file_chosen_once_at_rightmost_reference)
{
	free(tu_write(dir, "f1", "a = from-f1\nb = b-from-f1\n"));
	free(tu_write(dir, "f2", "a = from-f2\nb = b-from-f2\n"));
	expect("macro:a%f1 macro:b%f2", "from-f2 b-from-f2");
	expect("macro:a%f2 macro:b%f1", "from-f1 b-from-f1");
	/* an existing path wins over the search path */
	char *p = tu_write(dir, "f3", "a = from-path\n");
	char *in;
	cr_assert(asprintf(&in, "macro:a%%%s", p) > 0);
	expect(in, "from-path");
	free(in);
	free(p);
}

Test(macro, missing_macro_file)
{
	char *want;

	cr_assert(asprintf(&want, "cannot access macro file 'nofile': no such file, nor along "
	    "CTYS_MACRO_PATH '%s'", dir) > 0);
	expect_err("macro:a%nofile", CTYS_ERR_NOENT, 2, want);
	free(want);
	free(env.db);
	cr_assert(asprintf(&env.db, "%s/absent", dir) > 0);
	cr_assert(asprintf(&want, "cannot access macro file db: cannot access '%s': "
	    "No such file or directory", env.db) > 0);
	expect_err("macro:a", CTYS_ERR_NOENT, 2, want);
	free(want);
	/* no reference: no file needed */
	expect("no refs", "no refs");
}

Test(macro, recursion_threshold_names_the_chain)
{
	char *want;

	free(tu_write(dir, "rec", "a=x macro:b\nb=macro:a y\n"));
	env.max_recurse = 4;
	cr_assert(asprintf(&want, "recursion threshold exceeded (4) expanding macros of '%s/rec': "
	    "a -> b -> a -> b -> a", dir) > 0);
	expect_err("macro:a%rec", CTYS_ERR_USAGE, 1, want);
	free(want);
}

Test(macro, recursion_limit_counts_replacements)
{
	free(tu_write(dir, "lim", "a=1 macro:b\nb=2 macro:c\nc=3\n"));
	env.max_recurse = 3;
	expect("macro:a%lim", "1 2 3");
	env.max_recurse = 2;
	cr_assert_eq(macro_expand(&env, "macro:a%lim", &(char *){ NULL }), CTYS_ERR_USAGE);
}

Test(macro, eval_applies_to_whole_result_and_can_be_disabled)
{
	free(tu_write(dir, "ev", "e=echo  one;echo two\nq=printf '%s\\n\\n\\n' macro:w\nw=word\n"));
	expect("macro:e%ev%eval", "one\ntwo");
	expect("macro:q%ev%eval", "word");
	env.no_eval = true;
	expect_err("macro:e%ev%eval", CTYS_ERR_UNSUPPORTED, 1, "macro %EVAL is disabled ('e')");
}

Test(macro, two_files_in_one_reference)
{
	expect_err("macro:a%f1%f2", CTYS_ERR_USAGE, 1, "macro reference 'macro:a%f1%f2' names two files");
}

/* ---- the file format ---- */

static struct macro_file *
parse(const char *text)
{
	struct macro_file *mf = NULL;

	cr_assert_eq(macro_file_parse("t", text, strlen(text), &mf), CTYS_OK, "%s", ctys_errmsg());
	return mf;
}

static void
has(const struct macro_file *mf, const char *name, const char *value)
{
	const char *v;

	cr_assert_eq(macro_lookup(mf, name, &v), CTYS_OK, "%s: %s", name, ctys_errmsg());
	cr_assert_str_eq(v, value, "%s = '%s'", name, v);
}

Test(macro, file_format)
{
	struct macro_file *mf = parse(
	    "# comment\n"
	    "   # indented comment\n"
	    "\n"
	    "a   =   x    y\t\tz  \n"
	    "b=1\\\n"
	    "2\\\n"
	    "  3\n"
	    "  c = indented is never matched\n"
	    "d = k=v=w\n"
	    "e =\n"
	    "no equals sign here\n"
	    "f = after\n");

	cr_assert_eq(macro_file_count(mf), 5);
	has(mf, "a", "x y z");
	has(mf, "b", "12 3");
	has(mf, "d", "k=v=w");
	has(mf, "e", "");
	has(mf, "f", "after");
	cr_assert_eq(macro_file_def(mf, 1)->line, 5);
	cr_assert_eq(macro_file_def(mf, 4)->line, 12);
	cr_assert_eq(macro_lookup(mf, "c", &(const char *){ NULL }), CTYS_ERR_USAGE);
	cr_assert_str_eq(ctys_errmsg(), "missing macro 'c' in 't' (macro names are case-sensitive)");
	cr_assert_eq(macro_lookup(mf, "A", &(const char *){ NULL }), CTYS_ERR_USAGE);
	macro_file_free(mf);
}

Test(macro, multiple_definitions)
{
	struct macro_file *mf = parse("x=1\ny=2\nx = 3\n");

	cr_assert_eq(macro_lookup(mf, "x", &(const char *){ NULL }), CTYS_ERR_USAGE);
	cr_assert_str_eq(ctys_errmsg(), "multiple definitions of macro 'x' in 't' (lines 1 and 3)");
	has(mf, "y", "2");
	macro_file_free(mf);
}

Test(macro, binary_garbage_and_long_lines)
{
	static const char bin[] = "a=1\nb=2\nc=\0x\n";
	struct macro_file *mf = NULL;
	char *big;

	cr_assert_eq(macro_file_parse("bin", bin, sizeof bin - 1, &mf), CTYS_ERR_PARSE);
	cr_assert_str_eq(ctys_errmsg(), "bin:3: binary data (NUL byte)");
	big = malloc(MACRO_LINE_MAX + 100);
	memset(big, 'x', MACRO_LINE_MAX + 99);
	memcpy(big, "a=1\nb=", 6);
	big[MACRO_LINE_MAX + 99] = '\0';
	cr_assert_eq(macro_file_parse("big", big, strlen(big), &mf), CTYS_ERR_TOOLONG);
	cr_assert_str_eq(ctys_errmsg(), "big:2: line longer than 65536 bytes");
	cr_assert_eq(ctys_exit_status(CTYS_ERR_TOOLONG), 1);
	free(big);
}

Test(macro, unreadable_file)
{
	char *p = tu_write(dir, "secret", "a=1\n"), *want;

	chmod(p, 0);
	if (geteuid() == 0) {
		/* root reads anything: use a directory instead */
		free(p);
		cr_assert(asprintf(&p, "%s", dir) > 0);
		cr_assert(asprintf(&want, "cannot access macro file db: cannot access '%s': not a "
		    "regular file", dir) > 0);
		free(env.db);
		env.db = p;
		expect_err("macro:a", CTYS_ERR_NOENT, 2, want);
	} else {
		free(env.db);
		env.db = p;
		cr_assert(asprintf(&want, "cannot access macro file db: cannot read '%s': "
		    "Permission denied", p) > 0);
		expect_err("macro:a", CTYS_ERR_IO, 2, want);
	}
	free(want);
}

Test(macro, file_is_parsed_once)
{
	const struct macro_file *a, *b;

	cr_assert_eq(macro_file_load(env.db, &a), CTYS_OK);
	free(tu_write(dir, "default", "hello = changed\n"));
	cr_assert_eq(macro_file_load(env.db, &b), CTYS_OK);
	cr_assert_eq(a, b);
	expect("macro:hello", "-a list");
}

Test(macro, env_from_conf)
{
	struct conf *c = conf_new();
	struct macro_env e;

	unsetenv("CTYS_MAXRECURSE");
	unsetenv("CTYS_MACRO_DB");
	unsetenv("CTYS_MACRO_PATH");
	macro_env_from_conf(&e, c);
	cr_assert_eq(e.max_recurse, 15);
	cr_assert_null(e.db);
	macro_env_free(&e);
	conf_set(c, "CTYS_MAXRECURSE", "20");
	conf_set(c, "CTYS_MACRO_DB", "/x/default");
	conf_set(c, "CTYS_MACRO_PATH", ":/a:/b");
	macro_env_from_conf(&e, c);
	cr_assert_eq(e.max_recurse, 20);
	cr_assert_str_eq(e.db, "/x/default");
	cr_assert_str_eq(e.path, ":/a:/b");
	macro_env_free(&e);
	conf_free(c);
}

/* ---- the original's default macro file ---- */

Test(macro, compat_default_file_expands_completely)
{
	const struct macro_file *mf;
	char *out, *ref;
	size_t i;

	free(env.db);
	env.db = strdup(COMPAT "/macros-default");
	cr_assert_eq(macro_file_load(env.db, &mf), CTYS_OK, "%s", ctys_errmsg());
	cr_assert_eq(macro_file_count(mf), 124);
	for (i = 0; i < macro_file_count(mf); i++) {
		const struct macro_def *d = macro_file_def(mf, i);

		cr_assert(asprintf(&ref, "macro:%s", d->name) > 0);
		cr_assert_eq(macro_expand(&env, ref, &out), CTYS_OK, "%s: %s", d->name, ctys_errmsg());
		cr_assert(!macro_has_ref(out), "%s left a reference: %s", d->name, out);
		free(out);
		free(ref);
	}
	expect("macro:vconn",
	    "-o tab_gen:3_label_10%%2_stype_8%%8_DISP_4%%9_cport_5_L%%10_sport_5_L%%1_PM_15"
	    "%%33_if_7%%7_TCP_15");
	expect("macro:vhw x",
	    "-o tab_gen:3_label_10%%2_stype_8%%18_category_8%%38_Arch_7%%39_Platform_10"
	    "%%40_VRAM_13%%41_VCPU_5 x");
	expect("-a list=macro:F_ID", "-a list=4_ID_25_L");
}

Test(macro, shipped_default_expands_like_the_original)
{
	const struct macro_file *ours, *orig;
	char *a, *b, *ref;
	size_t i;

	/* tests run from the top of the source tree (tests/run.sh) */
	cr_assert_eq(macro_file_load("conf/macros/default", &ours), CTYS_OK, "%s", ctys_errmsg());
	cr_assert_eq(macro_file_load(COMPAT "/macros-default", &orig), CTYS_OK);
	cr_assert_eq(macro_file_count(ours), macro_file_count(orig));
	for (i = 0; i < macro_file_count(orig); i++) {
		const struct macro_def *d = macro_file_def(orig, i);

		cr_assert(asprintf(&ref, "macro:%s", d->name) > 0);
		cr_assert_eq(macro_expand_in(&env, orig, ref, &a), CTYS_OK);
		cr_assert_eq(macro_expand_in(&env, ours, ref, &b), CTYS_OK, "%s: %s", d->name,
		    ctys_errmsg());
		cr_assert_str_eq(b, a, "%s differs", d->name);
		free(a);
		free(b);
		free(ref);
	}
}

Test(macro, long_continued_line)
{
	char *d;
	struct macro_file *mf = NULL;
	size_t i, n = 0;

	/* 40 physical lines of 2000 bytes each, joined: over the limit */
	d = malloc(41 * 2002 + 8);
	n += (size_t)sprintf(d, "a=");
	for (i = 0; i < 40; i++) {
		memset(d + n, 'x', 2000);
		n += 2000;
		d[n++] = '\\';
		d[n++] = '\n';
	}
	d[n++] = 'y';
	cr_assert_eq(macro_file_parse("cont", d, n, &mf), CTYS_ERR_TOOLONG);
	cr_assert_str_eq(ctys_errmsg(), "cont:1: continued line longer than 65536 bytes");
	free(d);
}
