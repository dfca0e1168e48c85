/* Unit tests for macros/group: group files, includes, CONTEXT. */
#include "testutil.h"

#include <sys/stat.h>

#include "lib/conf.h"
#include "macros/group.h"
#include "macros/textfile.h"

#define COMPAT "/work/shared/compat/groups"

static char *dir;
static struct grp_env env;

static void
setup(void)
{
	dir = tu_tmpdir();
	memset(&env, 0, sizeof env);
	env.path = strdup(dir);
	env.max_recurse = GRP_MAXRECURSE_DEFAULT;
	/* the reference's example files (§2.3) */
	free(tu_write(dir, "A", "# comment\nh1\nh2'(-d 2)'\n"));
	free(tu_write(dir, "B", "#include A\nh3\n"));
	free(tu_write(dir, "C", "CONTEXT'(-b sync)'\nh4\nu5@h5'(-c off)'\n"));
}

static void
teardown(void)
{
	tu_rmrf(dir);
	free(dir);
	grp_env_free(&env);
}

static void
put(const char *name, const char *text)
{
	free(tu_write(dir, name, text));
}

static void
expect(const char *names, const char *want)
{
	char *out = NULL;
	ctys_err_t e = grp_expand(&env, names, &out);

	cr_assert_eq(e, CTYS_OK, "'%s': %s", names, ctys_errmsg());
	cr_assert_str_eq(out, want, "'%s' gave '%s'", names, out);
	free(out);
}

static void
expect_err(const char *names, ctys_err_t code, int status, const char *msg)
{
	char *out = NULL;
	ctys_err_t e = grp_expand(&env, names, &out);

	cr_assert_eq(e, code, "'%s' gave %d (%s) '%s'", names, e, ctys_errmsg(), out ? out : "");
	cr_assert_eq(ctys_exit_status(e), status);
	cr_assert_str_eq(ctys_errmsg(), msg);
}

TestSuite(group, .init = setup, .fini = teardown);

Test(group, reference_examples)
{
	expect("A", "h1 h2(-d 2)");
	expect("B", "h3 h1 h2(-d 2)");
	expect("C", "h4( -b sync ) u5@h5( -b sync -c off -b sync )");
	expect("A A", "h1 h2(-d 2) h1 h2(-d 2)");
}

Test(group, dedup_sorts_files_by_path)
{
	env.dedup = true;
	expect("A A", "h1 h2(-d 2)");
	expect("B", "h1 h2(-d 2) h3");
}

Test(group, own_members_before_includes_wherever_the_include_is)
{
	put("D", "d1\n#include A\nd2\n");
	expect("D", "d1 d2 h1 h2(-d 2)");
}

Test(group, first_member_is_not_lost_before_included_context)
{
	/* the original dropped h0 here */
	put("E", "h0\n#include C\n");
	expect("E", "h0( -b sync ) h4( -b sync ) u5@h5( -b sync -c off -b sync )");
}

Test(group, context_lines_concatenate_and_apply_to_the_whole_tree)
{
	put("F", "CONTEXT(-a 1)\nf1 f2:22(-x)\nCONTEXT\"( -c 3 )\"\n#include A\n");
	expect("F", "f1( -a 1 -c 3 ) f2:22( -a 1 -c 3 -x -a 1 -c 3 ) h1( -a 1 -c 3 ) "
	    "h2( -a 1 -c 3 -d 2 -a 1 -c 3 )");
}

Test(group, context_line_with_members)
{
	put("G", "CONTEXT(-b STACK) a b\n");
	expect("G", "a( -b STACK ) b( -b STACK )");
}

Test(group, include_names_quotes_and_commas)
{
	put("H", "#include \"A\" 'C',B\n");
	expect("H", "h1( -b sync ) h2( -b sync -d 2 -b sync ) h4( -b sync ) "
	    "u5@h5( -b sync -c off -b sync ) h3( -b sync ) h1( -b sync ) "
	    "h2( -b sync -d 2 -b sync )");
	put("I", "#includeA\nx\n#include\n");
	expect("I", "x");
}

Test(group, trailing_comment_ends_the_line_only)
{
	put("J", "h1 h2 # comment h3\nh4 x#y\n  #indented comment\n");
	expect("J", "h1 h2 h4 x#y");
}

Test(group, quotes_commas_and_blanks)
{
	put("K", "  \"h1\"\th2\"(-d 1, x)\" , h3,h4  'h5(-a \"q\" 'x')'\r\n");
	expect("K", "h1 h2(-d 1, x) h3 h4 h5(-a q 'x')");
}

Test(group, inline_subtasks_pass_unchanged)
{
	put("L", "VMSTACK'(-d 1)'{a b(c d),\"e\" #x} SUBTASK{x y} SUBGROUP{g}\n");
	expect("L", "VMSTACK(-d 1){a b(c d),\"e\" #x} SUBTASK{x y} SUBGROUP{g}");
	put("M", "CONTEXT(-w)\nVMSTACK(-d 1){a b} SUBTASK{x}\n");
	expect("M", "VMSTACK( -w -d 1 -w ){a b} SUBTASK( -w ){x}");
}

Test(group, include_cycle_names_the_path)
{
	put("a", "x\n#include b\n");
	put("b", "#include a\ny\n");
	expect_err("a", CTYS_ERR_CYCLE, 2, "group 'a' includes itself: a -> b -> a");
	put("self", "#include self\n");
	expect_err("self", CTYS_ERR_CYCLE, 2, "group 'self' includes itself: self -> self");
}

Test(group, diamond_is_no_cycle)
{
	put("top", "#include B A\n");
	expect("top", "h3 h1 h2(-d 2) h1 h2(-d 2)");
}

Test(group, nesting_too_deep)
{
	char name[16], text[32], *want;
	int i;

	for (i = 0; i < 20; i++) {
		snprintf(name, sizeof name, "n%d", i);
		snprintf(text, sizeof text, "m%d\n#include n%d\n", i, i + 1);
		put(name, text);
	}
	put("n20", "last\n");
	env.max_recurse = 20;
	expect("n0", "m0 m1 m2 m3 m4 m5 m6 m7 m8 m9 m10 m11 m12 m13 m14 m15 m16 m17 m18 m19 last");
	env.max_recurse = 3;
	cr_assert(asprintf(&want, "%s/n3:2: exceeding nesting level 3: n0 -> n1 -> n2 -> n3 -> n4",
	    dir) > 0);
	expect_err("n0", CTYS_ERR_NESTING, 2, want);
	free(want);
}

Test(group, missing_group_and_missing_include)
{
	char *want;

	cr_assert(asprintf(&want, "group 'nope' not found (searched: %s)", dir) > 0);
	expect_err("nope", CTYS_ERR_NOENT, 2, want);
	free(want);
	cr_assert(asprintf(&want, "group 'u@nope' not found (searched: %s)", dir) > 0);
	expect_err("u@nope", CTYS_ERR_NOENT, 2, want);
	free(want);
	put("inc", "h\n#include A zz\n");
	cr_assert(asprintf(&want, "%s/inc:2: missing included group 'zz': group 'zz' not found "
	    "(searched: %s)", dir, dir) > 0);
	expect_err("inc", CTYS_ERR_NOENT, 2, want);
	free(want);
}

Test(group, lookup_rules)
{
	char *p, *abs;

	/* user@ prefix retried without it */
	cr_assert_eq(grp_find(&env, "root@A", &p), CTYS_OK);
	cr_assert(asprintf(&abs, "%s/A", dir) > 0);
	cr_assert_str_eq(p, abs);
	free(p);
	/* an existing path is used as it is */
	cr_assert_eq(grp_find(&env, abs, &p), CTYS_OK);
	cr_assert_str_eq(p, abs);
	free(p);
	free(abs);
	/* first directory of the path wins; empty entries are skipped */
	char *d2 = tu_tmpdir();
	free(tu_write(d2, "A", "other\n"));
	free(env.path);
	cr_assert(asprintf(&env.path, "::%s:%s", d2, dir) > 0);
	expect("A", "other");
	tu_rmrf(d2);
	free(d2);
}

Test(group, name_with_directory_searches_its_directory_for_includes)
{
	char *sub;

	cr_assert(asprintf(&sub, "%s/desk", dir) > 0);
	cr_assert_eq(mkdir(sub, 0755), 0);
	free(tu_write(sub, "lab", "l1\n#include peer\n"));
	free(tu_write(sub, "peer", "p1\n"));
	cr_assert_eq(chdir(dir), 0);
	expect("desk/lab", "l1 p1");
	free(sub);
}

Test(group, bad_input_names_file_and_line)
{
	static const char bin[] = "h1\nh2\0\n";
	char *want, *big;

	put("u1", "h1\nh2(-d 1\n");
	cr_assert(asprintf(&want, "%s/u1:2: unbalanced '('", dir) > 0);
	expect_err("u1", CTYS_ERR_PARSE, 2, want);
	free(want);
	put("u2", "h1)\n");
	cr_assert(asprintf(&want, "%s/u2:1: unbalanced ')'", dir) > 0);
	expect_err("u2", CTYS_ERR_PARSE, 2, want);
	free(want);
	cr_assert_eq(grp_expand_text(&env, "bin", bin, sizeof bin - 1, &(char *){ NULL }),
	    CTYS_ERR_PARSE);
	cr_assert_str_eq(ctys_errmsg(), "bin:2: binary data (NUL byte)");
	big = malloc(MACRO_LINE_MAX + 10);
	memset(big, 'h', MACRO_LINE_MAX + 9);
	big[MACRO_LINE_MAX + 9] = '\0';
	put("big", big);
	free(big);
	cr_assert(asprintf(&want, "%s/big:1: line longer than 65536 bytes", dir) > 0);
	expect_err("big", CTYS_ERR_TOOLONG, 1, want);
	free(want);
}

Test(group, unreadable_file)
{
	char *p, *want;

	put("secret", "h1\n");
	cr_assert(asprintf(&p, "%s/secret", dir) > 0);
	chmod(p, 0);
	if (geteuid() == 0) {
		/* root reads anything; a directory named like a group is skipped */
		free(p);
		cr_assert(asprintf(&p, "%s/adir", dir) > 0);
		cr_assert_eq(mkdir(p, 0755), 0);
		cr_assert(asprintf(&want, "group 'adir' not found (searched: %s)", dir) > 0);
		expect_err("adir", CTYS_ERR_NOENT, 2, want);
	} else {
		cr_assert(asprintf(&want, "cannot read '%s': Permission denied", p) > 0);
		expect_err("secret", CTYS_ERR_IO, 2, want);
	}
	free(want);
	free(p);
}

Test(group, in_memory_text)
{
	char *out;
	static const char t[] = "CONTEXT(-z)\nm1\n#include A\n";

	cr_assert_eq(grp_expand_text(&env, "mem", t, sizeof t - 1, &out), CTYS_OK, "%s",
	    ctys_errmsg());
	cr_assert_str_eq(out, "m1( -z ) h1( -z ) h2( -z -d 2 -z )");
	free(out);
	cr_assert_eq(grp_expand_text(&env, "mem", "", 0, &out), CTYS_OK);
	cr_assert_str_eq(out, "");
	free(out);
}

Test(group, vmstack_and_split)
{
	struct strv v = STRV_INIT;

	cr_assert(grp_is_vmstack("mystack.VMSTACK"));
	cr_assert(grp_is_vmstack("/x/y/s.VMSTACK"));
	cr_assert(!grp_is_vmstack("VMSTACK"));
	cr_assert(!grp_is_vmstack("s.vmstack"));
	grp_split_targets(" a b( -x y ) VMSTACK(-d 1){c d(e f)} u@h:2", &v);
	cr_assert_eq(v.n, 4);
	cr_assert_str_eq(v.v[1], "b( -x y )");
	cr_assert_str_eq(v.v[2], "VMSTACK(-d 1){c d(e f)}");
	cr_assert_str_eq(v.v[3], "u@h:2");
	strv_free(&v);
}

Test(group, env_from_conf)
{
	struct conf *c = conf_new();
	struct grp_env e;

	unsetenv("CTYS_MAXRECURSE");
	conf_set(c, "CTYS_GROUPS_PATH", "/a:/b");
	conf_set(c, "CTYS_GROUPS_TMPPATH", "/t/groups");
	grp_env_from_conf(&e, c);
	cr_assert_str_eq(e.path, "/a:/b");
	cr_assert_str_eq(e.tmppath, "/t/groups");
	cr_assert_eq(e.max_recurse, 15);
	cr_assert(!e.dedup);
	grp_env_free(&e);
	conf_free(c);
}

Test(group, list_counts)
{
	struct grp_list l = { NULL, 0 };
	char *p;

	cr_assert_eq(grp_list(&env, NULL, &l), CTYS_OK);
	cr_assert_eq(l.n, 3);
	cr_assert(asprintf(&p, "%s/B", dir) > 0);
	cr_assert_str_eq(l.v[1].path, p);
	cr_assert_eq(l.v[1].nhosts, 1);
	cr_assert_eq(l.v[1].nincludes, 1);
	cr_assert_eq(l.v[1].ntotal, 3);
	cr_assert_eq(l.v[1].size, 14);
	free(p);
	grp_list_free(&l);
	cr_assert_eq(grp_list(&env, "nosuch/", &l), CTYS_ERR_NOENT);
}

/* ---- the original's example groups ---- */

Test(group, compat_groups_all_load)
{
	struct grp_list l = { NULL, 0 };
	size_t i;

	free(env.path);
	env.path = strdup(COMPAT);
	cr_assert_eq(grp_list(&env, NULL, &l), CTYS_OK);
	cr_assert_eq(l.n, 5);
	for (i = 0; i < l.n; i++)
		cr_assert_eq(l.v[i].err, CTYS_OK, "%s: %s", l.v[i].path, l.v[i].errmsg);
	grp_list_free(&l);
	expect("db/ctys-allVMs",
	    "root@lab02( -d 2,s:16,w:0,p -b sync,par -c off -C on ) "
	    "root@lab03( -d 2,s:16,w:0,p -b sync,par -c off -C on ) "
	    "root@lab05( -d 2,s:16,w:0,p -b sync,par -c off -C on ) "
	    "lab02( -d 2,s:16,w:0,p -b sync,par -c off -C on ) "
	    "lab03( -d 2,s:16,w:0,p -b sync,par -c off -C on ) "
	    "lab05( -d 2,s:16,w:0,p -b sync,par -c off -C on )");
	expect("tst/tst002/ctys-tst-002", "tst000 tst001 tst002 tst003 tst004 tst005");
	expect("desktops/tst/ctys-lab",
	    "root@lab02(-a create=l:LAB02,reuse -c local -g 1268x992:A11:ALL -b 1,2 ) "
	    "root@lab03(-a create=l:LAB03,reuse -c local -g 1268x994:A21:ALL -b 1,2 )");
	expect("netscan/ctys-all tst/tst001/ctys-tst-001", "lab01 lab02 lab03 lab04 tst000 tst001");
}

Test(group, compat_groups_included_from_a_user_group)
{
	char *path;

	cr_assert(asprintf(&path, "%s:%s", dir, COMPAT) > 0);
	free(env.path);
	env.path = path;
	put("mine", "#include netscan/ctys-all db/ctys-allVMs\nmyhost\n");
	expect("mine", "myhost( -d 2,s:16,w:0,p -b sync,par -c off -C on ) "
	    "lab01( -d 2,s:16,w:0,p -b sync,par -c off -C on ) "
	    "lab02( -d 2,s:16,w:0,p -b sync,par -c off -C on ) "
	    "lab03( -d 2,s:16,w:0,p -b sync,par -c off -C on ) "
	    "lab04( -d 2,s:16,w:0,p -b sync,par -c off -C on ) "
	    "root@lab02( -d 2,s:16,w:0,p -b sync,par -c off -C on ) "
	    "root@lab03( -d 2,s:16,w:0,p -b sync,par -c off -C on ) "
	    "root@lab05( -d 2,s:16,w:0,p -b sync,par -c off -C on ) "
	    "lab02( -d 2,s:16,w:0,p -b sync,par -c off -C on ) "
	    "lab03( -d 2,s:16,w:0,p -b sync,par -c off -C on ) "
	    "lab05( -d 2,s:16,w:0,p -b sync,par -c off -C on )");
}

Test(group, next_target_iterates_in_place)
{
	const char *text = "a b(c d) VMSTACK{x y}  ", *p;
	size_t n, k = 0;
	static const char *const want[] = { "a", "b(c d)", "VMSTACK{x y}" };

	for (p = text; (p = grp_next_target(p, &n)) != NULL; p += n, k++) {
		cr_assert_lt(k, 3);
		cr_assert_eq(n, strlen(want[k]));
		cr_assert_eq(strncmp(p, want[k], n), 0);
	}
	cr_assert_eq(k, 3);
}

Test(group, empty_and_comment_only_groups)
{
	put("empty", "");
	put("comments", "# a\n\n   \n#include\n");
	expect("empty", "");
	expect("comments", "");
	expect("empty A", "h1 h2(-d 2)");
}
