/*
 * Unit tests for the ctys grammar: ctys/cli, opts, target, plan.
 * Each case is a command line (the words after "ctys") and the exact plan
 * text (ctys -n) or the exact error it must give.
 */
#include "testutil.h"

#include <jansson.h>

#include "ctys/action.h"
#include "ctys/cli.h"
#include "lib/conf.h"
#include "lib/xmalloc.h"

static void
setup(void)
{
	setenv("USER", "tester", 1);
	setenv("PATH", "/usr/bin:/bin", 1);
}

TestSuite(cli, .init = setup);

/* Test group expansion: a few groups defined in memory. */
static ctys_err_t
fake_groups(void *ctx, const char *name, char **members, bool *vmstack)
{
	static const char *const g[][2] = {
		{ "grp", "m1 m2(-d 1)" },
		{ "outer", "grp x(-b seq)" },
		{ "cyc1", "a cyc2" },
		{ "cyc2", "b cyc1" },
		{ "lab.VMSTACK", "pm'(-t PM -a create=t:pm,wol)' pm'(-t QEMU -a create=l:vm1)' vm1'(-t QEMU -a create=l:vm2)'" },
		{ "comma.VMSTACK", "pm'(-t PM -a create=t:pm,wol)' pm'(-t QEMU -a create=l:x,,ping)' vm1'(-t QEMU -a create=l:vm2)'" },
		{ "mixed.VMSTACK", "pm'(-t QEMU -a create=l:vm1,resume)' vm1'(-t QEMU -a create=l:vm2)' vm2'(-t CLI -a create=l:c,cmd:true)'" },
		{ "bad", "h1 (" },
	};
	size_t i;

	(void)ctx;
	for (i = 0; i < sizeof g / sizeof *g; i++) {
		if (strcmp(name, g[i][0]) == 0) {
			*members = xstrdup(g[i][1]);
			*vmstack = strstr(name, ".VMSTACK") != NULL;
			return CTYS_OK;
		}
	}
	return ctys_seterr(CTYS_ERR_NOENT, "no group '%s'", name);
}

static const struct cli_hooks hooks = { NULL, fake_groups, NULL };

/* Parse `line`; return the plan text, or "ERR <code>: <message>". */
static char *
run(const char *line, bool json)
{
	struct conf *conf = conf_new();
	struct cli c;
	struct buf b = BUF_INIT;
	ctys_err_t e;

	e = cli_parse(&c, conf, &hooks, line);
	if (e != CTYS_OK)
		buf_addf(&b, "ERR %d: %s", ctys_exit_status(e), ctys_errmsg());
	else if (json)
		plan_render_json(&b, &c.plan);
	else
		plan_render_text(&b, &c.plan);
	cli_free(&c);
	conf_free(conf);
	/* drop the final newline for easier comparison */
	if (b.len && b.d[b.len - 1] == '\n')
		buf_truncate(&b, b.len - 1);
	return buf_detach(&b);
}

static void
plan_is(const char *line, const char *want)
{
	char *got = run(line, false);

	cr_assert_str_eq(got, want, "\n ctys %s\n got:  %s\n want: %s", line, got, want);
	free(got);
}

/* The error message must contain `want`, with exit status `status`. */
static void
error_is(const char *line, int status, const char *want)
{
	char *got = run(line, false), prefix[16];

	snprintf(prefix, sizeof prefix, "ERR %d: ", status);
	cr_assert(strncmp(got, prefix, strlen(prefix)) == 0, "ctys %s: got '%s', want status %d",
	    line, got, status);
	cr_assert(strstr(got, want) != NULL, "ctys %s:\n got:  %s\n want: ...%s...", line, got, want);
	free(got);
}

#define LISTOPTS "opts='-b SYNC,PAR -c BOTH -L DISPLAYFORWARDING -s ALL'"
#define LISTJOB(n, t) "job=" #n " target=tester@" t " via=ssh type=ALL action=LIST subopts=BOTH,TAB_TCP,DNS "

Test(cli, no_target_is_localhost_create_default_type)
{
	plan_is("-n", "job=1 target=tester@localhost via=local type=VNC action=CREATE "
	    "opts='-b ASYNC,PAR -c BOTH -L DISPLAYFORWARDING -s USER'");
}

Test(cli, list_defaults)
{
	plan_is("-a list h1", LISTJOB(1, "h1") LISTOPTS);
	plan_is("-a LiSt h1", LISTJOB(1, "h1") LISTOPTS);
}

/* cli-grammar.md §3: options of target n stay in effect for n+1. */
Test(cli, context_options_are_cumulative)
{
	plan_is("-a list h1 h2(-b seq) h3",
	    LISTJOB(1, "h1") LISTOPTS "\n"
	    LISTJOB(2, "h2") "opts='-b SYNC,SEQ -c BOTH -L DISPLAYFORWARDING -s ALL'\n"
	    LISTJOB(3, "h3") "opts='-b SYNC,SEQ -c BOTH -L DISPLAYFORWARDING -s ALL'");
}

Test(cli, context_with_blank_and_quotes)
{
	plan_is("-a list h1 (-c off) h2'(-c local)'",
	    LISTJOB(1, "h1") "opts='-b SYNC,PAR -c OFF -L DISPLAYFORWARDING -s ALL'\n"
	    LISTJOB(2, "h2") "opts='-b SYNC,PAR -c LOCAL -L DISPLAYFORWARDING -s ALL'");
}

/* The remote-only letters replace an earlier occurrence and move to the end. */
Test(cli, remote_only_letters_merge_into_ropts)
{
	plan_is("-a list h1(-d 2) h2(-z PTY,PTY) h3(-d 3)",
	    LISTJOB(1, "h1") LISTOPTS " ropts='-d 2'\n"
	    LISTJOB(2, "h2") LISTOPTS " ropts='-d 2 -z PTY,PTY'\n"
	    LISTJOB(3, "h3") LISTOPTS " ropts='-z PTY,PTY -d 3'");
}

/* The reference's captured example, remote-execution.md §3. */
Test(cli, remote_global_options)
{
	plan_is("-a enumerate=machine -- (-d 0) lab01 lab02(-b 0)",
	    "job=1 target=tester@lab01 via=ssh type=ALL action=ENUMERATE subopts=MACHINE "
	    "opts='-b SYNC,PAR -c BOTH -L DISPLAYFORWARDING -s USER' ropts='-d 0'\n"
	    "job=2 target=tester@lab02 via=ssh type=ALL action=ENUMERATE subopts=MACHINE "
	    "opts='-b SYNC,PAR -c BOTH -L DISPLAYFORWARDING -s USER' ropts='-d 0'");
}

/* Documented: "-a enumerate -a list=machine" runs LIST with scope USER. */
Test(cli, second_action_keeps_first_defaults)
{
	plan_is("-a enumerate -a list=machine h",
	    "job=1 target=tester@h via=ssh type=ALL action=LIST subopts=MACHINE "
	    "opts='-b SYNC,PAR -c BOTH -L DISPLAYFORWARDING -s USER'");
}

Test(cli, cli_create_is_sync_sequential_with_two_ptys)
{
	plan_is("-t cli -a create=l:foo,cmd:uname lab99",
	    "job=1 target=tester@lab99 via=ssh type=CLI action=CREATE subopts=LABEL:foo,CMD:uname "
	    "opts='-b SYNC,SEQ -c BOTH -L DISPLAYFORWARDING -s USER -t CLI -z 2'");
	/* the pre-scan sees a -t given after -a too */
	plan_is("-a create=l:foo -t CLI lab99",
	    "job=1 target=tester@lab99 via=ssh type=CLI action=CREATE subopts=LABEL:foo "
	    "opts='-b SYNC,SEQ -c BOTH -L DISPLAYFORWARDING -s USER -t CLI -z 2'");
}

Test(cli, suboptions_are_normalized)
{
	plan_is("-t xen -a create=l:vm1,P:/a::b,reuse,m:00:50:56:aa:00:01,console:ls%-l,c:a,,b h",
	    "job=1 target=tester@h via=ssh type=XEN action=CREATE "
	    "subopts=LABEL:vm1,ID:/a::b,REUSE,MAC:00:50:56:aa:00:01,CONSOLE:ls%-l,CALLOPTS:a,,b "
	    "opts='-b ASYNC,PAR -c BOTH -L DISPLAYFORWARDING -s USER -t XEN'");
	/* VNC checks its suboptions too */
	error_is("-t vnc -a create=l:d1,m:00:50:56:aa:00:01 h", 1,
	    "suboption 'm' is not supported by VNC CREATE");
	/* the plugin's own check: QEMU takes no CMD */
	error_is("-t qemu -a create=l:vm1,cmd:ls h", 1, "suboption 'cmd' is not supported by QEMU CREATE");
}

Test(cli, users_and_localhost)
{
	plan_is("-l ops -a list h1 u@h2 localhost tester@localhost other@localhost",
	    "job=1 target=ops@h1 via=ssh type=ALL action=LIST subopts=BOTH,TAB_TCP,DNS "
	    "opts='-b SYNC,PAR -c BOTH -l ops -L DISPLAYFORWARDING -s ALL'\n"
	    "job=2 target=u@h2 via=ssh type=ALL action=LIST subopts=BOTH,TAB_TCP,DNS "
	    "opts='-b SYNC,PAR -c BOTH -l ops -L DISPLAYFORWARDING -s ALL'\n"
	    "job=3 target=ops@localhost via=ssh type=ALL action=LIST subopts=BOTH,TAB_TCP,DNS "
	    "opts='-b SYNC,PAR -c BOTH -l ops -L DISPLAYFORWARDING -s ALL'\n"
	    "job=4 target=tester@localhost via=local type=ALL action=LIST subopts=BOTH,TAB_TCP,DNS "
	    "opts='-b SYNC,PAR -c BOTH -l ops -L DISPLAYFORWARDING -s ALL'\n"
	    "job=5 target=other@localhost via=ssh type=ALL action=LIST subopts=BOTH,TAB_TCP,DNS "
	    "opts='-b SYNC,PAR -c BOTH -l ops -L DISPLAYFORWARDING -s ALL'");
}

Test(cli, stack_address_with_levels_ports_and_contexts)
{
	plan_is("-t qemu -a create=l:nvm1 root@pm1:2222(-d 1)[vm1](-Y)[adm@nvmhost:22](-z 2)",
	    "job=1 target='root@pm1:2222[tester@vm1][adm@nvmhost:22]' via=ssh type=QEMU "
	    "action=CREATE subopts=LABEL:nvm1 "
	    "opts='-b ASYNC,PAR -c BOTH -L DISPLAYFORWARDING -s USER -t QEMU' ropts='-z 2' "
	    "hop1='-d 1' hop2=-Y");
}

Test(cli, type_all_with_create_makes_one_job_per_plugin)
{
	plan_is("-T qemu,vnc -t all -a create=l:x h",
	    "job=1 target=tester@h via=ssh type=QEMU action=CREATE subopts=LABEL:x "
	    "opts='-b ASYNC,PAR -c BOTH -L DISPLAYFORWARDING -s USER -t ALL -T QEMU,VNC'\n"
	    "job=2 target=tester@h via=ssh type=VNC action=CREATE subopts=LABEL:x "
	    "opts='-b ASYNC,PAR -c BOTH -L DISPLAYFORWARDING -s USER -t ALL -T QEMU,VNC'");
}

Test(cli, clustered_and_attached_options)
{
	plan_is("-nXd1 -alist h",
	    "job=1 target=tester@h via=ssh type=ALL action=LIST subopts=BOTH,TAB_TCP,DNS "
	    "opts='-b SYNC,PAR -c BOTH -d 1,MAX,W:1,I:1 -L DISPLAYFORWARDING -s ALL -X'");
}

Test(cli, stack_mode_locks_b)
{
	plan_is("-a list SUBTASK{VMSTACK(-b par){a(-b async)}} c",
	    "ERR 1: VMSTACK SUBTASK#1/VMSTACK#1: level 0 is LIST: a stack supports CREATE "
	    "(bottom-up) and CANCEL (top-down), one of them for all levels");
	plan_is("-a list -b stack a b(-b async)",
	    "job=1 target=tester@a via=ssh type=ALL action=LIST "
	    "subopts=BOTH,TAB_TCP,DNS opts='-b SYNC,SEQ,STACK -c BOTH -L DISPLAYFORWARDING -s ALL'\n"
	    "job=2 target=tester@b via=ssh type=ALL action=LIST "
	    "subopts=BOTH,TAB_TCP,DNS opts='-b SYNC,SEQ,STACK -c BOTH -L DISPLAYFORWARDING -s ALL'");
}

/* A subtask's context wins over its members' own options; the state is restored after it. */
Test(cli, subtask_is_a_scope_and_its_context_wins)
{
	plan_is("-a list SUBTASK(-c off){a b(-c local -b seq)} c SUBGROUP{d}",
	    "job=1 target=tester@a via=ssh group='SUBTASK#1' type=ALL action=LIST "
	    "subopts=BOTH,TAB_TCP,DNS opts='-b SYNC,PAR -c OFF -L DISPLAYFORWARDING -s ALL'\n"
	    "job=2 target=tester@b via=ssh group='SUBTASK#1' type=ALL action=LIST "
	    "subopts=BOTH,TAB_TCP,DNS opts='-b SYNC,SEQ -c OFF -L DISPLAYFORWARDING -s ALL'\n"
	    LISTJOB(3, "c") LISTOPTS "\n"
	    "job=4 target=tester@d via=ssh group='SUBGROUP#1' type=ALL action=LIST "
	    "subopts=BOTH,TAB_TCP,DNS " LISTOPTS);
}

Test(cli, groups_expand_in_place_and_nest)
{
	plan_is("-a list outer(-c off) y",
	    "job=1 target=tester@m1 via=ssh group=outer/grp type=ALL action=LIST "
	    "subopts=BOTH,TAB_TCP,DNS opts='-b SYNC,PAR -c OFF -L DISPLAYFORWARDING -s ALL'\n"
	    "job=2 target=tester@m2 via=ssh group=outer/grp type=ALL action=LIST "
	    "subopts=BOTH,TAB_TCP,DNS opts='-b SYNC,PAR -c OFF -L DISPLAYFORWARDING -s ALL' "
	    "ropts='-d 1'\n"
	    "job=3 target=tester@x via=ssh group=outer type=ALL action=LIST "
	    "subopts=BOTH,TAB_TCP,DNS opts='-b SYNC,SEQ -c OFF -L DISPLAYFORWARDING -s ALL' "
	    "ropts='-d 1'\n"
	    "job=4 target=tester@y via=ssh type=ALL action=LIST "
	    "subopts=BOTH,TAB_TCP,DNS opts='-b SYNC,SEQ -c OFF -L DISPLAYFORWARDING -s ALL' "
	    "ropts='-d 1'");
}

Test(cli, vmstack_group_runs_levels_in_order)
{
	plan_is("lab.VMSTACK",
	    "job=1 target=tester@pm via=ssh group='VMSTACK#1' type=PM action=CREATE subopts=TCP:pm,WOL "
	    "opts='-b SYNC,SEQ,STACK -c BOTH -L DISPLAYFORWARDING -s USER -t PM'\n"
	    "job=2 target=tester@pm via=ssh group='VMSTACK#1' type=QEMU action=CREATE subopts=LABEL:vm1,SSHPING "
	    "opts='-b SYNC,SEQ,STACK -c BOTH -L DISPLAYFORWARDING -s USER -t QEMU'\n"
	    "job=3 target=tester@vm1 via=ssh group='VMSTACK#1' type=QEMU action=CREATE subopts=LABEL:vm2 "
	    "opts='-b SYNC,SEQ,STACK -c BOTH -L DISPLAYFORWARDING -s USER -t QEMU'");
}

/* "ping" inside a value is no PING suboption: the level still gets SSHPING */
Test(cli, vmstack_default_sshping_reads_items)
{
	plan_is("comma.VMSTACK",
	    "job=1 target=tester@pm via=ssh group='VMSTACK#1' type=PM action=CREATE subopts=TCP:pm,WOL "
	    "opts='-b SYNC,SEQ,STACK -c BOTH -L DISPLAYFORWARDING -s USER -t PM'\n"
	    "job=2 target=tester@pm via=ssh group='VMSTACK#1' type=QEMU action=CREATE "
	    "subopts=LABEL:x,,ping,SSHPING "
	    "opts='-b SYNC,SEQ,STACK -c BOTH -L DISPLAYFORWARDING -s USER -t QEMU'\n"
	    "job=3 target=tester@vm1 via=ssh group='VMSTACK#1' type=QEMU action=CREATE subopts=LABEL:vm2 "
	    "opts='-b SYNC,SEQ,STACK -c BOTH -L DISPLAYFORWARDING -s USER -t QEMU'");
}

/*
 * -k REUSE:1 gives the bottom level of a stack REUSE, REUSE:2 every level
 * that takes it (not CLI) and has no REUSE/CONNECT/RECONNECT/RESUME of its
 * own; REUSE:0 none.
 */
Test(cli, vmstack_k_reuse)
{
	static const char *const want[][3] = {
		{ "-k reuse:0", "TCP:pm,WOL", "LABEL:vm1,SSHPING" },
		{ "-k reuse:1", "TCP:pm,WOL,REUSE", "LABEL:vm1,SSHPING" },
		{ "-k reuse:2", "TCP:pm,WOL,REUSE", "LABEL:vm1,SSHPING,REUSE" },
	};
	size_t i;

	for (i = 0; i < sizeof want / sizeof *want; i++) {
		char *line = xasprintf("%s lab.VMSTACK", want[i][0]), *got = run(line, false);
		char *a = xasprintf("type=PM action=CREATE subopts=%s ", want[i][1]);
		char *b = xasprintf("type=QEMU action=CREATE subopts=%s ", want[i][2]);

		cr_assert(strstr(got, a) && strstr(got, b), "%s: %s", line, got);
		cr_assert_eq(strstr(got, "subopts=LABEL:vm2,REUSE ") != NULL, i == 2, "%s: %s", line, got);
		free(a);
		free(b);
		free(got);
		free(line);
	}
	plan_is("-k reuse:2 mixed.VMSTACK",
	    "job=1 target=tester@pm via=ssh group='VMSTACK#1' type=QEMU action=CREATE "
	    "subopts=LABEL:vm1,RESUME,SSHPING "
	    "opts='-b SYNC,SEQ,STACK -c BOTH -k REUSE:2 -L DISPLAYFORWARDING -s USER -t QEMU'\n"
	    "job=2 target=tester@vm1 via=ssh group='VMSTACK#1' type=QEMU action=CREATE "
	    "subopts=LABEL:vm2,SSHPING,REUSE "
	    "opts='-b SYNC,SEQ,STACK -c BOTH -k REUSE:2 -L DISPLAYFORWARDING -s USER -t QEMU'\n"
	    "job=3 target=tester@vm2 via=ssh group='VMSTACK#1' type=CLI action=CREATE "
	    "subopts=LABEL:c,CMD:true "
	    "opts='-b SYNC,SEQ,STACK -c BOTH -k REUSE:2 -L DISPLAYFORWARDING -s USER -t CLI'");
}

Test(cli, group_errors)
{
	error_is("-a list cyc1", 2, "group 'cyc1' contains itself: cyc1 -> cyc2 -> cyc1");
	error_is("-a list bad", 1, "in the members of group 'bad': unbalanced '('");
}

/* Every option letter, normalized as the plan shows it. */
Test(cli, every_option_normalized)
{
	static const char *const cases[][2] = {
		{ "-A on", "ropts" }, /* global -A: local state */
		{ "-b 0", "-b SYNC,PAR" },
		{ "-b async,seq", "-b ASYNC,SEQ" },
		{ "-b 1,3", "-b ASYNC,PAR" },
		{ "-b stack", "-b SYNC,SEQ,STACK" },
		{ "-c local,only", "-c LOCAL,ONLY" },
		{ "-c remote", "-c REMOTE" },
		{ "-c on", "-c BOTH" },
		{ "-C keep,fout:x.out,lifetime:30", "-C KEEP,FOUT:x.out,LIFETIME:30" },
		{ "-d 16#40,P,S:2", "-d 64,PATTERN,S:2,W:1,I:0" },
		{ "-d 3", "-d 3,MAX,W:1,I:1" },
		{ "-D :0", "-D :0" },
		{ "-D localhost:10", "-D localhost:10" },
		{ "-D 127.0.0.1:3", "-D 127.0.0.1:3" },
		{ "-f", " -f" },
		{ "-g 800x600+10-20:1", "-g 800x600+10-20:1" },
		{ "-j 20261122:1:0:1", "-j 20261122:1:0:1" },
		{ "-k reuse:2", "-k REUSE:2" },
		{ "-L cf", "-L CONNECTIONFORWARDING" },
		{ "-L so", "-L SERVERONLY" },
		{ "-L CLIENTONLY", "-L CLIENTONLY" },
		{ "-M hello", "-M hello" },
		{ "-O --extra", "-O --extra" },
		{ "-p /tmp", "-p /tmp" },
		{ "-r 1024x768", "-r 1024x768" },
		{ "-s usrlst=a,,b", "-s USRLST=a,,b" },
		{ "-s grplst=g1", "-s GRPLST=g1" },
		{ "-s all", "-s USRLST=ALL" },
		{ "-s group", "-s GROUP" },
		{ "-S on,2,3,19", "-S ON,2,3,19" },
		{ "-t kvm", "-t QEMU" },
		{ "-T all", "-T ALL" },
		{ "-T xen,vbox", "-T XEN,VBOX" },
		{ "-x star", "-x STAR" },
		{ "-x 2", "-x CHAIN" },
		{ "-X", " -X" },
		{ "-y", " -y" },
		{ "-Y", " -Y" },
		{ "-z nopty", "-z NOPTY" },
		{ "-z pty,pty", "-z 2" },
		{ "-z 1", "-z 1" },
		{ "-Z ksu,nosudo", "-Z KSU,NOSUDO" },
		{ "-v -v", "-L DISPLAYFORWARDING" },
		{ "-w", "-L DISPLAYFORWARDING" },
		{ "-E -F " CTYS_VERSION, "-E -F " CTYS_VERSION },
	};
	size_t i;

	for (i = 0; i < sizeof cases / sizeof *cases; i++) {
		char *line = xasprintf("-a list %s h", cases[i][0]), *got = run(line, false);

		if (strcmp(cases[i][1], "ropts") == 0)
			cr_assert(strstr(got, "opts=") && !strstr(got, "ropts="), "%s -> %s", line, got);
		else
			cr_assert(strstr(got, cases[i][1]) != NULL, "ctys %s\n got: %s\n want: ...%s...",
			    line, got, cases[i][1]);
		free(got);
		free(line);
	}
}

Test(cli, bad_options_and_values)
{
	error_is("-q", 1, "unknown option '-q' in the command line (word '-q' at position 1)");
	error_is("-a", 1, "option '-a' in the command line requires an argument");
	error_is("-a bogus h", 2, "unknown action 'bogus'");
	error_is("-a create=bogus h", 1, "unknown suboption 'bogus' for action CREATE (word "
	    "'create=bogus' at position 4)");
	error_is("-a create=l h", 1, "suboption 'l' of CREATE requires an argument");
	error_is("-a create=l:x,reuse:1 h", 1, "suboption 'reuse' of CREATE takes no argument");
	error_is("-a create=l:x,reuse,connect h", 1, "'REUSE' and 'CONNECT' of CREATE exclude each other");
	error_is("-a cancel=all,reboot,poweroff h", 1, "'REBOOT' and 'POWEROFF'");
	error_is("-a cancel=all,client,both h", 1, "'CLIENT' and 'BOTH'");
	error_is("-a cancel=all,force,stack h", 1, "'FORCE' and 'STACK'");
	error_is("-a create=p:/a:b h", 1, "unexpected ':' in suboption 'p:/a:b'");
	error_is("-t bogus", 1, "unknown session type 'bogus'");
	error_is("-T qemu,bogus", 1, "unknown session type 'bogus' for '-T'");
	error_is("-b a", 1, "unknown item 'a' in '-b a'");
	error_is("-b 0,1,2", 1, "too many items in '-b 0,1,2' (at most 2)");
	error_is("-c maybe", 1, "unknown item 'maybe' in '-c maybe'");
	error_is("-C off,keep", 1, "'-C OFF' cannot be combined");
	error_is("-C lifetime:x", 1, "LIFETIME");
	error_is("-a create=l:x -C only h", 1, "'-C ONLY' is only allowed with LIST");
	error_is("-d x", 1, "debug level requires numeric value, got 'x'");
	error_is("-d 1,bogus", 1, "unknown debug key 'bogus'");
	error_is("-D display", 1, "bad display 'display'");
	error_is("-F 9.9.9", 1, "remote and local versions are incompatible");
	error_is("-g 800", 1, "bad geometry '800'");
	error_is("-j nocolon", 1, "bad job id 'nocolon'");
	error_is("-k 3", 1, "bad value '3' for '-k'");
	error_is("-l a@b", 1, "bad user name 'a@b'");
	error_is("-L nowhere", 1, "bad value 'nowhere' for '-L' (LOCALONLY");
	error_is("-o xml", 1, "unknown output format 'xml'");
	error_is("-p /nonexistent/db", 1, "cache DB directory '/nonexistent/db' for '-p' does not exist");
	error_is("-r 1024", 1, "bad resolution '1024'");
	error_is("-s usrlst", 1, "scope 'usrlst' requires a list");
	error_is("-s user=x", 1, "scope 'user' takes no value");
	error_is("-S on,x", 1, "bad item 'x' in '-S on,x'");
	error_is("-W 2", 1, "needs wmctrl");
	error_is("-x maybe", 1, "bad value 'maybe' for '-x'");
	error_is("-z 3", 1, "bad item '3' in '-z 3'");
	error_is("-Z root", 1, "bad item 'root' in '-Z root'");
	error_is("-A 2", 1, "bad value '2' for '-A'");
	error_is("-t cli -a cancel=all h", 1, "session type CLI does not support CANCEL (target 'h')");
}

Test(cli, bad_targets_name_token_and_position)
{
	error_is("-a list h1(-d 2", 1, "unbalanced '(' at position 11: '(-d 2'");
	error_is("-a list h1)", 1, "unbalanced ')' at position 11");
	error_is("-a list h1(-d (2))", 1, "nested '(' in context options at position 15");
	error_is("-a list VMSTACK{a b", 1, "unbalanced '{' at position 16");
	error_is("-a list a }", 1, "unbalanced '}' at position 11");
	error_is("-a list pm[vm", 1, "unbalanced '[' at position 11");
	error_is("-a list pm]", 1, "unbalanced ']' at position 11");
	error_is("-a list [vm]", 1, "empty target before '[' at position 9");
	error_is("-a list pm[]", 1, "empty target at position 12");
	error_is("-a list @h", 1, "empty user before '@' at position 9");
	error_is("-a list u@", 1, "empty target at position 9");
	error_is("-a list h:x", 1, "bad port after ':' in target at position 10");
	error_is("-a list a@b@c", 1, "more than one '@'");
	error_is("-a list {a}", 1, "'{' without SUBTASK, SUBGROUP or VMSTACK at position 9");
	error_is("-a list SUBTASK{}", 1, "empty subtask");
	error_is("-a list h1 -- h2", 1, "option among the targets");
	error_is("-a list h1(-q)", 1, "unknown option '-q' in context options of 'h1' (position 9)");
	error_is("-a list h1(x)", 1, "unexpected 'x' in context options of 'h1'");
	error_is("-a list h1(-d)", 1, "option '-d' in context options of 'h1' (position 9) requires an argument");
	error_is("-a list pm(-q)[vm]", 1, "unknown option '-q' in context options of 'pm' (position 9)");
	error_is("-a list (-q) h", 1, "unknown option '-q' in the options for all targets");
}

Test(cli, overlong_input_and_names)
{
	char *line = xmalloc(CLI_MAX_LINE + 16), *name = xmalloc(300);

	memset(line, 'a', CLI_MAX_LINE + 8);
	line[CLI_MAX_LINE + 8] = '\0';
	error_is(line, 1, "command line longer than");
	memset(name, 'h', 299);
	name[299] = '\0';
	free(line);
	line = xasprintf("-a list %s", name);
	error_is(line, 1, "target name too long at position 9");
	free(line);
	free(name);
	line = xmalloc(400);
	strcpy(line, "-a list ");
	for (int i = 0; i < 40; i++)
		strcat(line, "SUBTASK{");
	error_is(line, 1, "subtasks nested too deep");
	free(line);
}

Test(cli, macros_need_the_expander)
{
	error_is("-a list MACRO:x", 1, "MACRO references are not expanded here");
}

Test(cli, json_plan)
{
	char *got = run("-t qemu -a create=l:vm1,reuse u@pm1(-d 1)[vm1](-z 2)", true);
	json_error_t err;
	json_t *o = json_loads(got, 0, &err), *hops, *subs;

	cr_assert_not_null(o, "not JSON: %s (%s)", got, err.text);
	cr_assert_eq(json_integer_value(json_object_get(o, "v")), 1);
	cr_assert_eq(json_integer_value(json_object_get(o, "job")), 1);
	cr_assert_str_eq(json_string_value(json_object_get(o, "target")), "u@pm1[tester@vm1]");
	cr_assert_str_eq(json_string_value(json_object_get(o, "type")), "QEMU");
	cr_assert_str_eq(json_string_value(json_object_get(o, "action")), "CREATE");
	hops = json_object_get(o, "hops");
	cr_assert_eq(json_array_size(hops), 2);
	cr_assert_str_eq(json_string_value(json_object_get(json_array_get(hops, 0), "opts")), "-d 1");
	cr_assert(json_is_null(json_object_get(json_array_get(hops, 1), "opts")));
	subs = json_object_get(o, "subopts");
	cr_assert_eq(json_array_size(subs), 2);
	cr_assert_str_eq(json_string_value(json_object_get(json_array_get(subs, 0), "key")), "LABEL");
	cr_assert_str_eq(json_string_value(json_object_get(json_array_get(subs, 0), "arg")), "vm1");
	cr_assert_str_eq(json_string_value(json_object_get(json_array_get(subs, 1), "key")), "REUSE");
	cr_assert(json_is_null(json_object_get(json_array_get(subs, 1), "arg")));
	cr_assert_str_eq(json_string_value(json_object_get(json_object_get(o, "options"), "b")),
	    "ASYNC,PAR");
	cr_assert_str_eq(json_string_value(json_object_get(o, "ropts")), "-z 2");
	json_decref(o);
	free(got);
}

Test(cli, help_and_version_stop_parsing)
{
	struct conf *conf = conf_new();
	struct cli c;
	struct buf b = BUF_INIT;

	cr_assert_eq(cli_parse(&c, conf, &hooks, "-V -a bogus"), CTYS_OK);
	cr_assert(c.opts.version && !c.opts.version_bare);
	cli_free(&c);
	cr_assert_eq(cli_parse(&c, conf, &hooks, "-X -V"), CTYS_OK);
	cr_assert(c.opts.version_bare);
	cli_version(&b, true);
	cr_assert_str_eq(buf_cstr(&b), CTYS_VERSION);
	cli_free(&c);
	cr_assert_eq(cli_parse(&c, conf, &hooks, "-h -q"), CTYS_OK);
	cr_assert(c.opts.help);
	buf_reset(&b);
	cli_help(&b);
	cr_assert(strstr(buf_cstr(&b), "  -a ACTION[=subopts]"));
	cr_assert(strstr(buf_cstr(&b), "  QEMU|KVM"));
	cr_assert(strstr(buf_cstr(&b), "  ENUMERATE"));
	cr_assert(!strstr(buf_cstr(&b), "GETCLIENTPORT"), "internal actions are not in the help");
	cli_free(&c);
	buf_free(&b);
	conf_free(conf);
}

/* One lookup for "does this job carry suboption X": any name, any case, last wins. */
Test(cli, find_subopt_by_canonical_name)
{
	const struct action_def *create = action_lookup("create", 6);
	char *arg = (char *)"unset";

	cr_assert(create != NULL);
	cr_assert(subopt_def_is(action_subopt(create, "stub"), "STUBMODE"));
	cr_assert(!subopt_def_is(action_subopt(create, "stub"), "STUB"), "aliases are not canonical");
	cr_assert(!subopt_def_is(NULL, "CMD"));
	cr_assert(action_find_subopt(create, "l:a,Stub,cmd:x", "STUBMODE", NULL));
	cr_assert(action_find_subopt(create, "l:a,cmd:one,CMD:two%2", "CMD", &arg));
	cr_assert_str_eq(arg, "two 2");
	free(arg);
	cr_assert(action_find_subopt(create, "l:a,stubmode", "STUBMODE", &arg));
	cr_assert_null(arg, "no argument given");
	cr_assert(!action_find_subopt(create, "l:a,cmd:x", "STACKCHECK", &arg));
	cr_assert_null(arg);
	cr_assert(!action_find_subopt(create, NULL, "CMD", NULL));
	cr_assert(!action_find_subopt(create, "l:a\\\\,", "LABEL", NULL), "unscannable text holds nothing");
	cr_assert(!action_find_subopt(NULL, "cmd:x", "CMD", NULL));
}

/* "wrap own wrap" doubles per nested level: bounded, with the position named */
Test(cli, nested_contexts_are_bounded)
{
	struct buf b = BUF_INIT;
	char *got;
	int i;

	for (i = 0; i < 8; i++)
		buf_adds(&b, "SUBTASK(-c off -b sync){");
	buf_adds(&b, " h ");
	for (i = 0; i < 8; i++)
		buf_addc(&b, '}');
	got = run(buf_cstr(&b), false);
	cr_assert(strncmp(got, "job=1 target=tester@h ", 22) == 0, "8 levels: %s", got);
	free(got);
	buf_reset(&b);
	for (i = 0; i < 12; i++)
		buf_adds(&b, "SUBTASK(-c off -b sync){");
	buf_adds(&b, " h ");
	for (i = 0; i < 12; i++)
		buf_addc(&b, '}');
	error_is(buf_cstr(&b), 2, "context options at position 241, with those of the levels "
	    "around them, exceed 16384 bytes");
	buf_free(&b);
}
