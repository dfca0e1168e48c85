/* Unit tests for lib/conf: the shell-assignment subset of ctys.conf.sh. */
#include "testutil.h"

#include "lib/buf.h"
#include "lib/conf.h"

Test(conf, assignment_forms)
{
	struct conf *c = conf_new();

	setenv("CTYS_T_ENV", "fromenv", 1);
	unsetenv("CTYS_T_UNSET");
	cr_assert_eq(conf_load_string(c, "t",
	    "# comment\n"
	    "\n"
	    "A=plain\n"
	    "export B=\"double $A ${A}\"\n"
	    "C='single $A'\n"
	    "D=${CTYS_T_ENV:-dflt}\n"
	    "E=${CTYS_T_UNSET:-dflt}   # trailing comment\n"
	    "F=a\\ b\n"
	    "  G=${H:=assigned}\n"
	    "I=\"\"\n"
	    "J=${I-nonempty}${I:-empty}\n"
	    "K=cost$\n"
	    "export A\n"), CTYS_OK, "%s", ctys_errmsg());
	cr_assert_str_eq(conf_get(c, "A"), "plain");
	cr_assert_str_eq(conf_get(c, "B"), "double plain plain");
	cr_assert_str_eq(conf_get(c, "C"), "single $A");
	cr_assert_str_eq(conf_get(c, "D"), "fromenv");
	cr_assert_str_eq(conf_get(c, "E"), "dflt");
	cr_assert_str_eq(conf_get(c, "F"), "a b");
	cr_assert_str_eq(conf_get(c, "G"), "assigned");
	cr_assert_str_eq(conf_get(c, "H"), "assigned");
	cr_assert_str_eq(conf_get(c, "J"), "empty");
	cr_assert_str_eq(conf_get(c, "K"), "cost$");
	cr_assert_str_eq(conf_get(c, "CTYS_T_ENV"), "fromenv");
	cr_assert_null(conf_get(c, "CTYS_T_UNSET"));
	conf_free(c);
}

Test(conf, first_default_wins_plain_assignment_overrides)
{
	struct conf *c = conf_new();

	unsetenv("CTYS_T_X");
	cr_assert_eq(conf_load_string(c, "user", "CTYS_T_X=${CTYS_T_X:-user}\nP=user\n"), CTYS_OK);
	cr_assert_eq(conf_load_string(c, "inst", "CTYS_T_X=${CTYS_T_X:-inst}\nP=inst\n"), CTYS_OK);
	cr_assert_str_eq(conf_get(c, "CTYS_T_X"), "user");
	cr_assert_str_eq(conf_get(c, "P"), "inst");
	conf_free(c);
}

static void
bad(const char *text, const char *want)
{
	struct conf *c = conf_new();

	cr_assert_eq(conf_load_string(c, "cfg.sh", text), CTYS_ERR_PARSE, "accepted: %s", text);
	cr_assert(strstr(ctys_errmsg(), want), "message '%s' lacks '%s'", ctys_errmsg(), want);
	conf_free(c);
}

Test(conf, other_lines_are_errors_with_file_and_line)
{
	bad("A=1\n[ \"$MYHOST\" == h ] && export X=1\n", "cfg.sh:2: expected a variable assignment");
	bad("A=$(hostname)\n", "cfg.sh:1: command substitution");
	bad("A=`hostname`\n", "cfg.sh:1: command substitution");
	bad("A=\"open\n", "cfg.sh:1: unterminated double quote");
	bad("A='open\n", "unterminated single quote");
	bad("A=one two\n", "more than one word");
	bad("A=1; B=2\n", "only variable assignments");
	bad("A=${B/x/y}\n", "unsupported parameter expansion");
	bad("A=${B:-x\n", "unterminated");
	bad("if true; then\n", "expected a variable assignment");
	bad("A=$((1+2))\n", "arithmetic");
}

Test(conf, files_missing_binary_and_ok)
{
	char *dir = tu_tmpdir(), *p;
	struct conf *c = conf_new();

	p = tu_write(dir, "ok.sh", "Q=1\n");
	cr_assert_eq(conf_load_file(c, p), CTYS_OK);
	cr_assert_str_eq(conf_get(c, "Q"), "1");
	free(p);
	cr_assert_eq(conf_load_file(c, "/nonexistent/ctys.conf.sh"), CTYS_ERR_NOENT);
	cr_assert(strstr(ctys_errmsg(), "/nonexistent/ctys.conf.sh"));
	p = tu_write(dir, "bin.sh", "A=1\n");
	{
		FILE *f = fopen(p, "ab");
		fwrite("\0\1\2", 1, 3, f);
		fclose(f);
	}
	cr_assert_eq(conf_load_file(c, p), CTYS_ERR_PARSE);
	cr_assert(strstr(ctys_errmsg(), "binary"));
	free(p);
	conf_free(c);
	tu_rmrf(dir);
	free(dir);
}

/* A=$A$A doubles A per line: bounded at 1 MiB, the error names file and line. */
Test(conf, expansion_growth_is_bounded)
{
	struct conf *c = conf_new();
	struct buf b = BUF_INIT;
	int i;

	buf_adds(&b, "A=xxxxxxxxxxxxxxxx\n");
	for (i = 0; i < 30; i++)
		buf_adds(&b, "A=$A${A}\n");
	cr_assert_eq(conf_load_string(c, "grow.sh", buf_cstr(&b)), CTYS_ERR_PARSE);
	cr_assert(strstr(ctys_errmsg(), "grow.sh:18: value longer than 1 MiB after expansion") !=
	    NULL, "%s", ctys_errmsg());
	conf_free(c);
	buf_free(&b);
}

/*
 * ${A:-word} expands word only when A is unset or empty, as bash does: a
 * ${A:=x} inside an unused word assigns nothing (it once freed the value
 * being expanded: fuzz_conf).
 */
Test(conf, unused_default_word_has_no_effect)
{
	struct conf *c = conf_new();

	cr_assert_eq(conf_load_string(c, "t", "A=set\nB=${A:-${A:=other}x}\nC=${U:-${U:=u}y}\n"),
	    CTYS_OK, "%s", ctys_errmsg());
	cr_assert_str_eq(conf_get(c, "A"), "set");
	cr_assert_str_eq(conf_get(c, "B"), "set");
	cr_assert_str_eq(conf_get(c, "U"), "u");
	cr_assert_str_eq(conf_get(c, "C"), "uy");
	conf_free(c);
}
