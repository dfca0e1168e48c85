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
	unsetenv("XEN_IGNORE");
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
	cr_assert_str_eq(l, "xl info\nxl list -v\nxl info\n", "%s", l);
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
	cr_assert_str_eq(ctys_errmsg(), "xl list -v failed: xencall: error: Could not obtain handle "
	    "on privileged command interface: No such file or directory");
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
	cr_assert_str_eq(buf_cstr(&msgs), "status:1:CONSOLE:XTERM of XEN needs a display or terminal "
	    "and is not available in this version of ctys (use CONSOLE:NONE)\n");
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
	want = xasprintf("msg:stderr:Invalid domain identifier: %s/vms/deb12/deb12.conf\n"
	    "status:2:'xl create %s/vms/deb12/deb12.conf' failed: Invalid domain identifier: "
	    "%s/vms/deb12/deb12.conf\n", tmp, tmp, tmp);
	cr_assert_str_eq(buf_cstr(&msgs), want);
	free(want);
	buf_free(&msgs);
}

Test(xen, cancel)
{
	static const struct {
		const char *subopts, *log, *msgs;
	} cases[] = {
		{ "LABEL:deb12", "xl list -v\nxl shutdown deb12\n",
		  "msg:info:xl shutdown deb12: done\nstatus:0:\n" },
		{ "LABEL:deb12,FORCE,POWEROFF:0", "xl list -v\nxl shutdown deb12\nxl list deb12\n"
		  "xl destroy deb12\n", "msg:info:xl shutdown deb12: done\nmsg:info:xl destroy deb12: "
		  "done\nstatus:0:\n" },
		{ "UUID:9f8e7d6c-5b4a-4392-8170-6a5b4c3d2e1f,REBOOT", "xl list -v\nxl reboot win10\n",
		  "msg:info:xl reboot win10: done\nstatus:0:\n" },
		{ "LABEL:deb12,RESET", "xl list -v\nxl trigger deb12 reset\n",
		  "msg:info:xl trigger deb12 reset: done\nstatus:0:\n" },
		{ "ALL,PAUSE", "xl list -v\nxl pause deb12\nxl pause win10\n",
		  "msg:info:xl pause deb12: done\nmsg:info:xl pause win10: done\nstatus:0:\n" },
		{ "LABEL:nosuch", "xl list -v\n", "status:1:no running XEN domain matches the address\n" },
		{ "LABEL:deb12,PAUSE,REBOOT", "", "status:1:only one of REBOOT, RESET, INIT, PAUSE, "
		  "SUSPEND, POWEROFF may be given\n" },
		{ "LABEL:deb12,FORCE,STACK", "", "status:1:FORCE and STACK exclude each other\n" },
		{ "LABEL:deb12,INIT:3", "", "status:1:INIT needs the guest system (stack propagation), "
		  "which this version of ctys does not do for VMs\n" },
		{ "POWEROFF", "", "status:1:Missing address parameter (LABEL, ID, FILENAME, UUID, MAC or "
		  "TCP, or ALL)\n" },
	};
	size_t i;
	char *l, *want;

	for (i = 0; i < sizeof cases / sizeof *cases; i++) {
		run(CTYS_ACT_CANCEL, cases[i].subopts);
		cr_assert_str_eq(buf_cstr(&msgs), cases[i].msgs, "%s", cases[i].subopts);
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
	/* an error of xl is relayed with its text */
	setenv("FAKE_XL_FAIL", "shutdown", 1);
	run(CTYS_ACT_CANCEL, "LABEL:win10");
	cr_assert_str_eq(buf_cstr(&msgs), "msg:stderr:Invalid domain identifier: win10\n"
	    "status:2:'xl shutdown win10' failed: Invalid domain identifier: win10\n");
	buf_free(&msgs);
}
