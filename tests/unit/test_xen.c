/*
 * test_xen.c — the XEN plugin against a recording stand-in for xl
 * (tests/fixtures/hyp/fake-xl, installed as "xl" on PATH): the exact xl
 * command lines, parsing of "xl info" / "xl list -v" and of xl's errors,
 * and domain configuration files into full 47-field records (golden file).
 */

#include <sys/stat.h>

#define HYP_OPS xen_ops
#define HYP_TYPE "XEN"
#include "hyptest.h"

static void
setup(void)
{
	hyp_setup("fake-xl", "xl", "xen");
	setenv("XEN_SAVEDIR", tmp, 1);
	unsetenv("FAKE_XL_FAIL");
	unsetenv("FAKE_XL_DENY");
	unsetenv("XEN_IGNORE");
	unsetenv("DISPLAY");
	unsetenv("CTYS_VNCVIEWER");
	unsetenv("XEN_CONSOLE_DEFAULT");
	setenv("XEN_CONSOLE_DOMU_INIT_WAIT", "0", 1);
}

TestSuite(xen, .init = setup, .fini = teardown);

Test(xen, probe)
{
	struct plugin_state st;
	char *l;

	xen_ops.probe(&st);
	cr_assert(st.enabled && st.server && st.client);
	cr_assert_str_eq(st.magic, "XEN_4.17.3");
	cr_assert_str_eq(st.accel, "HVM");
	cr_assert_str_eq(l = take_log(), "xl info\n");
	free(l);
}

Test(xen, probe_not_running)
{
	struct plugin_state st;

	setenv("FAKE_XL_FAIL", "info", 1);
	xen_ops.probe(&st);
	cr_assert(st.enabled && !st.server);
	cr_assert_str_eq(st.why, "the Xen hypervisor is not running here (xl info: xencall: error: "
	    "Could not obtain handle on privileged command interface: No such file or directory)");
}

Test(xen, probe_no_tool)
{
	struct plugin_state st;

	setenv("PATH", "/nonexistent", 1);
	xen_ops.probe(&st);
	cr_assert(!st.enabled);
	cr_assert_str_eq(st.why, "xl (the Xen toolstack) is not installed: not found on PATH");
	setenv("PATH", "/usr/bin:/bin", 1);
	setenv("XEN_IGNORE", "1", 1);
	xen_ops.probe(&st);
	cr_assert(!st.enabled);
	cr_assert_str_eq(st.why, "XEN_IGNORE=1 is set");
}

Test(xen, enumerate_golden)
{
	struct strv bases = STRV_INIT;
	char *want = golden("xen-enum.golden"), *l;
	struct job_out o = { &sink, "1", "lab01" };
	json_t *j = job_of("XEN", "");
	struct pjob pj = { j, &o, "lab01" };

	strv_push_owned(&bases, xasprintf("%s/vms", tmp));
	cr_assert_eq(xen_ops.enumerate(&pj, &bases, rec_emit, NULL), CTYS_OK);
	cr_assert_str_eq(buf_cstr(&recs), want);
	cr_assert_str_eq(l = take_log(), "xl info\n");
	free(l);
	free(want);
	strv_free(&bases);
	json_decref(j);
}

Test(xen, list_golden)
{
	char *want = golden("xen-list.golden"), *l;
	struct job_out o = { &sink, "1", "lab01" };
	json_t *j = job_of("XEN", "");
	struct pjob pj = { j, &o, "lab01" };

	cr_assert_eq(xen_ops.list(&pj, rec_emit, NULL), CTYS_OK);
	cr_assert_str_eq(buf_cstr(&recs), want);
	l = take_log();
	cr_assert_str_eq(l, "xl info\nxl list -v\nxl info\nxl list -l\n", "%s", l);
	free(l);
	free(want);
	json_decref(j);
}

Test(xen, list_error)
{
	struct job_out o = { &sink, "1", "lab01" };
	json_t *j = job_of("XEN", "");
	struct pjob pj = { j, &o, "lab01" };

	setenv("FAKE_XL_FAIL", "list", 1);
	cr_assert_eq(xen_ops.list(&pj, rec_emit, NULL), CTYS_ERR_IO);
	cr_assert_str_eq(ctys_errmsg(), "xl list -v failed: the Xen hypervisor is not running here "
	    "(xencall: error: Could not obtain handle on privileged command interface: No such file "
	    "or directory)");
	cr_assert(strstr(buf_cstr(&msgs), "msg:stderr:libxl: error: libxl.c:102") != NULL);
	json_decref(j);
}

Test(xen, create)
{
	char *l, *want;

	run(CTYS_ACT_CREATE, "LABEL:nosuch");
	cr_assert_str_eq(buf_cstr(&msgs), "status:1:no XEN configuration matches the address "
	    "(searched the base paths)\n");
	run(CTYS_ACT_CREATE, "FILENAME:deb12,CONSOLE:XTERM");
	cr_assert_str_eq(buf_cstr(&msgs), "status:1:CONSOLE:XTERM of XEN needs an X display "
	    "(DISPLAY is not set)\n");
	run(CTYS_ACT_CREATE, "FILENAME:deb12,CONSOLE:CLI");
	cr_assert_str_eq(buf_cstr(&msgs), "status:1:CONSOLE:CLI is not supported by XEN (NONE VNC "
	    "XTERM GTERM)\n");
	free(take_log());
	/* deb12 runs already: nothing started */
	run(CTYS_ACT_CREATE, "FILENAME:deb12,REUSE");
	cr_assert_str_eq(buf_cstr(&msgs), "msg:info:domain 'deb12' is already running (id 3)\nstatus:0:\n");
	cr_assert_str_eq(l = take_log(), "xl info\nxl list -v\n");
	free(l);
	/* win10 is paused: RESUME unpauses */
	run(CTYS_ACT_CREATE, "LABEL:win10,RESUME");
	cr_assert_str_eq(buf_cstr(&msgs), "msg:info:xl unpause win10: done\nstatus:0:\n");
	cr_assert_str_eq(l = take_log(), "xl info\nxl list -v\nxl unpause win10\n");
	free(l);
	/* not running: xl create with CALLOPTS */
	setenv("FAKE_DIR", tmp, 1);
	cr_assert_eq(system("cp $PWD/tests/fixtures/hyp/xl-info.out $HOME/ && grep -v '^deb12 ' "
	    "$PWD/tests/fixtures/hyp/xl-list-v.out > $HOME/xl-list-v.out"), 0);
	run(CTYS_ACT_CREATE, "ID:/nonexistent/x.conf");
	cr_assert_str_eq(buf_cstr(&msgs), "status:1:no XEN configuration matches the address "
	    "(searched the base paths)\n");
	free(take_log());
	run(CTYS_ACT_CREATE, "UUID:4B2D8C1A-6F3E-4A77-9D0E-1C2B3A4D5E6F,CALLOPTS:vcpus=1 memory=1024");
	want = xasprintf("msg:info:xl create %s/vms/deb12/deb12.conf vcpus=1 memory=1024: done\n"
	    "status:0:\n", tmp);
	cr_assert_str_eq(buf_cstr(&msgs), want);
	free(want);
	want = xasprintf("xl info\nxl list -v\nxl create %s/vms/deb12/deb12.conf vcpus=1 memory=1024\n", tmp);
	cr_assert_str_eq(l = take_log(), want);
	free(l);
	free(want);
	/* CONNECT to a stopped domain: refused; RESUME with a save file: restore */
	run(CTYS_ACT_CREATE, "LABEL:deb12,CONNECT");
	cr_assert_str_eq(buf_cstr(&msgs), "status:1:domain 'deb12' is not running: nothing to CONNECT to\n");
	free(tu_write(tmp, "deb12", "saved\n"));
	free(take_log());
	run(CTYS_ACT_CREATE, "LABEL:deb12,RESUME");
	want = xasprintf("xl info\nxl list -v\nxl restore %s/vms/deb12/deb12.conf %s/deb12\n", tmp, tmp);
	cr_assert_str_eq(l = take_log(), want);
	free(l);
	free(want);
	/* xl create failing: its error is relayed */
	setenv("FAKE_XL_FAIL", "create", 1);
	run(CTYS_ACT_CREATE, "LABEL:deb12");
	want = xasprintf("msg:stderr:Parsing config from %s/vms/deb12/deb12.conf\n"
	    "msg:stderr:libxl: error: libxl_create.c:689:libxl__domain_make: Domain 9:Domain with "
	    "name \"deb12\" already exists.\n"
	    "msg:stderr:libxl: error: libxl_create.c:1290:initiate_domain_create: Domain 9:cannot "
	    "make domain: -6\n"
	    "status:2:'xl create %s/vms/deb12/deb12.conf' failed: libxl: error: libxl_create.c:689:"
	    "libxl__domain_make: Domain 9:Domain with name \"deb12\" already exists.\n", tmp, tmp);
	cr_assert_str_eq(buf_cstr(&msgs), want);
	free(want);
	buf_free(&msgs);
}

Test(xen, cancel)
{
	static const struct {
		const char *subopts, *log, *msgs;
	} cases[] = {
		/* STACK, the default: the guest's agent first; unreachable, the hypervisor */
		{ "LABEL:deb12", "xl list -v\nxl info\nxl list -v\nxl info\nxl list -l\n"
		  "ctys-client -c OFF -t PM -a cancel=SELF,POWEROFF:0,TIMEOUT:20 192.168.122.12\n"
		  "xl list -v\nxl shutdown deb12\n",
		  "rec:stack: deb12: POWEROFF through its agent at 192.168.122.12\n"
		  "rec:stack: deb12: its agent at 192.168.122.12 failed (exit 255)\n"
		  "rec:stack: deb12: agent unreachable: hypervisor POWEROFF\n"
		  "msg:info:xl shutdown deb12: done\nstatus:0:\n" },
		{ "LABEL:deb12,FORCE,POWEROFF:0", "xl list -v\nxl shutdown deb12\nxl list deb12\n"
		  "xl destroy deb12\n", "msg:info:xl shutdown deb12: done\nmsg:info:xl destroy deb12: "
		  "done\nstatus:0:\n" },
		{ "UUID:9f8e7d6c-5b4a-4392-8170-6a5b4c3d2e1f,REBOOT", "xl list -v\nxl list -v\n"
		  "xl info\nxl list -l\nxl list -v\nxl reboot win10\n",
		  "rec:stack: win10: no guest address known: hypervisor REBOOT\n"
		  "msg:info:xl reboot win10: done\nstatus:0:\n" },
		{ "LABEL:deb12,RESET", "xl list -v\nxl trigger deb12 reset\n",
		  "msg:info:xl trigger deb12 reset: done\nstatus:0:\n" },
		{ "ALL,PAUSE", "xl list -v\nxl pause deb12\nxl pause win10\n",
		  "msg:info:xl pause deb12: done\nmsg:info:xl pause win10: done\nstatus:0:\n" },
		{ "LABEL:nosuch", "xl list -v\n", "status:1:no running XEN domain matches the address\n" },
		{ "LABEL:deb12,PAUSE,REBOOT", "", "status:1:only one of REBOOT, RESET, INIT, PAUSE, "
		  "SUSPEND, POWEROFF may be given\n" },
		{ "LABEL:deb12,FORCE,STACK", "", "status:1:FORCE and STACK exclude each other\n" },
		/* INIT:<n> is the guest's: unreachable, the hypervisor resets the domain */
		{ "LABEL:deb12,INIT:3", "xl list -v\nxl list -v\nxl info\nxl list -l\n"
		  "ctys-client -c OFF -t PM -a cancel=SELF,INIT:3,TIMEOUT:20 192.168.122.12\n"
		  "xl list -v\nxl trigger deb12 reset\n",
		  "rec:stack: deb12: INIT through its agent at 192.168.122.12\n"
		  "rec:stack: deb12: its agent at 192.168.122.12 failed (exit 255)\n"
		  "rec:stack: deb12: agent unreachable: hypervisor RESET\n"
		  "msg:info:xl trigger deb12 reset: done\nstatus:0:\n" },
		{ "LABEL:deb12,INIT:3,FORCE", "", "status:1:INIT:<n> is done by the guest's agent (stack "
		  "propagation): not with FORCE\n" },
		{ "LABEL:deb12,INIT:7", "", "status:1:invalid runlevel '7' for INIT (0-6)\n" },
		{ "POWEROFF", "", "status:1:Missing address parameter (LABEL, ID, FILENAME, UUID, MAC or "
		  "TCP, or ALL)\n" },
	};
	size_t i;
	char *l, *want;

	for (i = 0; i < sizeof cases / sizeof *cases; i++) {
		run(CTYS_ACT_CANCEL, cases[i].subopts);
		cr_assert_str_eq(buf_cstr(&msgs), cases[i].msgs, "%s: %s", cases[i].subopts, buf_cstr(&msgs));
		cr_assert_str_eq(l = take_log(), cases[i].log, "%s: %s", cases[i].subopts, l);
		free(l);
	}
	/* by configuration path; SUSPEND saves to $XEN_SAVEDIR/<name> */
	l = xasprintf("ID:%s/vms/deb12/deb12.conf,SUSPEND", tmp);
	run(CTYS_ACT_CANCEL, l);
	free(l);
	want = xasprintf("xl list -v\nxl info\nxl save deb12 %s/deb12\n", tmp);
	cr_assert_str_eq(l = take_log(), want);
	free(l);
	free(want);
	/* an error of xl is relayed with its text (through the stack's hypervisor step) */
	setenv("FAKE_XL_FAIL", "shutdown", 1);
	run(CTYS_ACT_CANCEL, "LABEL:win10");
	cr_assert_str_eq(buf_cstr(&msgs), "rec:stack: win10: no guest address known: hypervisor "
	    "POWEROFF\nmsg:stderr:win10 is an invalid domain identifier (rc=-6)\n"
	    "msg:error:stack: win10: POWEROFF failed: 'xl shutdown win10' failed: no such Xen domain "
	    "(win10 is an invalid domain identifier (rc=-6))\n"
	    "status:2:CANCEL failed for some machines\n");
	buf_reset(&msgs);
	run(CTYS_ACT_CANCEL, "LABEL:win10,FORCE");
	cr_assert_str_eq(buf_cstr(&msgs), "msg:stderr:win10 is an invalid domain identifier (rc=-6)\n"
	    "status:2:'xl shutdown win10' failed: no such Xen domain (win10 is an invalid domain "
	    "identifier (rc=-6))\n");
	buf_free(&msgs);
}

/* An account without rights on the hypervisor: every call says so. */
Test(xen, permission_denied)
{
	static const char deny[] = "permission denied: xl needs root rights on the Xen host "
	    "(xencall: error: Could not obtain handle on privileged command interface: Permission "
	    "denied)";
	char *want;

	setenv("FAKE_XL_DENY", "1", 1);
	run(CTYS_ACT_CANCEL, "LABEL:deb12");
	want = xasprintf("status:2:xl list -v failed: %s\n", deny);
	cr_assert(strstr(buf_cstr(&msgs), want) != NULL, "%s", buf_cstr(&msgs));
	free(want);
	run(CTYS_ACT_CREATE, "LABEL:deb12");
	want = xasprintf("status:2:xl list -v failed: %s\n", deny);
	cr_assert(strstr(buf_cstr(&msgs), want) != NULL, "%s", buf_cstr(&msgs));
	free(want);
	buf_free(&msgs);
}

/* Consoles: the clients get the exact argv; without a display, VNC says where to connect. */
Test(xen, consoles)
{
	char *l, *want;

	hyp_install("fake-client", "vncviewer");
	hyp_install("fake-client", "xterm");
	hyp_install("fake-client", "gnome-terminal");
	run(CTYS_ACT_CREATE, "LABEL:deb12,CONSOLE:VNC");
	cr_assert_str_eq(buf_cstr(&msgs), "msg:info:domain 'deb12' is already running (id 3)\n"
	    "msg:info:VNC console of 'deb12' on port 5901; no X display here (DISPLAY is not set): "
	    "connect a viewer to that port\nstatus:0:\n");
	cr_assert_str_eq(l = take_log(), "xl info\nxl list -v\nxl list -l\n");
	free(l);
	setenv("DISPLAY", ":0", 1);
	run(CTYS_ACT_CREATE, "LABEL:win10,CONSOLE:vncviewer");
	cr_assert_str_eq(buf_cstr(&msgs), "msg:info:domain 'win10' is already running (id 5)\n"
	    "msg:info:VNC console of 'win10': vncviewer localhost::5907 started\nstatus:0:\n");
	cr_assert(wait_log_line("vncviewer localhost::5907"));
	free(take_log());
	run(CTYS_ACT_CREATE, "LABEL:win10,CONSOLE:XTERM");
	cr_assert_str_eq(buf_cstr(&msgs), "msg:info:domain 'win10' is already running (id 5)\n"
	    "msg:info:console of domain 'win10': xterm -T win10 -e xl console win10 started\n"
	    "status:0:\n");
	cr_assert(wait_log_line("xterm -T win10 -e xl console win10"));
	run(CTYS_ACT_CREATE, "LABEL:deb12,CONSOLE:GTERM");
	cr_assert(wait_log_line("gnome-terminal --title deb12 -- xl console deb12"));
	free(take_log());
	/* a fresh domain: created, then its viewer (display as the file fixes it) */
	setenv("FAKE_DIR", tmp, 1);
	cr_assert_eq(system("cp $PWD/tests/fixtures/hyp/xl-info.out $HOME/ && : > $HOME/xl-list-l.json"
	    " && grep -v '^deb12 ' $PWD/tests/fixtures/hyp/xl-list-v.out > $HOME/xl-list-v.out"), 0);
	setenv("XEN_CONSOLE_DEFAULT", "VNC", 1);
	run(CTYS_ACT_CREATE, "LABEL:deb12");
	want = xasprintf("msg:info:xl create %s/vms/deb12/deb12.conf: done\n"
	    "msg:info:VNC console of 'deb12': vncviewer localhost::5901 started\nstatus:0:\n", tmp);
	cr_assert_str_eq(buf_cstr(&msgs), want);
	free(want);
	cr_assert(wait_log_line("vncviewer localhost::5901"));
	/* no such viewer: the domain runs, the console fails with the reason */
	setenv("CTYS_VNCVIEWER", "no-such-vncviewer", 1);
	run(CTYS_ACT_CREATE, "LABEL:win10");
	cr_assert_str_eq(buf_cstr(&msgs), "msg:info:domain 'win10' is already running (id 5)\n"
	    "status:2:domain 'win10' runs, but its VNC console cannot be started: no-such-vncviewer "
	    "is not installed: not found on PATH\n");
	buf_free(&msgs);
}

Test(xen, clientport)
{
	char *want, *id = xasprintf("ID:%s/vms/deb12/deb12.conf", tmp);

	run(CTYS_ACT_GETCLIENTPORT, "LABEL:deb12");
	want = xasprintf("rec:CLIENTPORT(XEN,%s,deb12)=5901\nstatus:0:\n", agent_hostname());
	cr_assert_str_eq(buf_cstr(&msgs), want);
	free(want);
	/* as xl runs it (CALLOPTS vncdisplay=7), not as the file says (2) */
	run(CTYS_ACT_GETCLIENTPORT, "win10");
	want = xasprintf("rec:CLIENTPORT(XEN,%s,win10)=5907\nstatus:0:\n", agent_hostname());
	cr_assert_str_eq(buf_cstr(&msgs), want);
	free(want);
	run(CTYS_ACT_GETCLIENTPORT, id);
	want = xasprintf("rec:CLIENTPORT(XEN,%s,%s)=5901\nstatus:0:\n", agent_hostname(), id + 3);
	cr_assert_str_eq(buf_cstr(&msgs), want);
	free(want);
	run(CTYS_ACT_GETCLIENTPORT, "LABEL:nosuch");
	cr_assert_str_eq(buf_cstr(&msgs), "status:1:nosuch: no running XEN machine with that ID or "
	    "label\n");
	free(id);
	buf_free(&msgs);
}

Test(xen, info_show)
{
	char *want;

	cr_assert_eq(run_info(true), CTYS_OK);
	want = xasprintf("rec:XEN     :xl %s/bin/xl, XEN_4.17.3, accel HVM, server ENABLED\n", tmp);
	cr_assert_str_eq(buf_cstr(&msgs), want);
	free(want);
	cr_assert_eq(run_info(false), CTYS_OK);
	cr_assert_str_eq(buf_cstr(&msgs), "rec:XEN     :2 running: deb12(3,-b----) win10(5,--p---)\n");
	buf_free(&msgs);
}

Test(xen, info_show_not_running)
{
	char *l;

	setenv("FAKE_XL_FAIL", "info", 1);
	cr_assert_eq(run_info(false), CTYS_OK);
	cr_assert_str_eq(buf_cstr(&msgs), "rec:XEN     :server DISABLED: the Xen hypervisor is not "
	    "running here (xl info: xencall: error: Could not obtain handle on privileged command "
	    "interface: No such file or directory)\n");
	cr_assert_str_eq(l = take_log(), "xl info\n");
	free(l);
	buf_free(&msgs);
}
