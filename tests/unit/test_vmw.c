/*
 * test_vmw.c — the VMW plugin against a recording stand-in for vmrun
 * (tests/fixtures/hyp/fake-vmrun, installed as "vmrun" on PATH): the exact
 * vmrun command lines, parsing of "vmrun list" and of vmrun's errors, and
 * .vmx files into full 47-field records (golden file).
 */

#include <sys/stat.h>

#define HYP_OPS vmw_ops
#define HYP_TYPE "VMW"
#include "hyptest.h"

static void
setup(void)
{
	hyp_setup("fake-vmrun", "vmrun", "vmw");
	unsetenv("FAKE_VMRUN_FAIL");
	unsetenv("FAKE_VMRUN_DENY");
	unsetenv("VMW_IGNORE");
	unsetenv("VMW_CONSOLE_DEFAULT");
	unsetenv("CTYS_VNCVIEWER");
	unsetenv("DISPLAY");
}

TestSuite(vmw, .init = setup, .fini = teardown);

Test(vmw, probe)
{
	struct plugin_state st;
	char *l;

	vmw_ops.probe(&st);
	cr_assert(st.enabled && st.server);
	cr_assert_str_eq(st.magic, "VMW_GENERIC");
	cr_assert_str_eq(l = take_log(), "vmrun list\n");
	free(l);
	setenv("FAKE_VMRUN_FAIL", "list", 1);
	vmw_ops.probe(&st);
	cr_assert(st.enabled && !st.server);
	cr_assert_str_eq(st.why, "VMware is not usable here (vmrun list: Error: Unable to connect to "
	    "host.)");
	setenv("PATH", "/nonexistent", 1);
	vmw_ops.probe(&st);
	cr_assert(!st.enabled);
	cr_assert_str_eq(st.why, "vmrun (VMware VIX) is not installed: not found on PATH");
	setenv("PATH", "/usr/bin:/bin", 1);
}

Test(vmw, enumerate_golden)
{
	struct strv bases = STRV_INIT;
	char *want = golden("vmw-enum.golden"), *l;
	struct job_out o = { &sink, "1", "lab01" };
	json_t *j = job_of("VMW", "");
	struct pjob pj = { j, &o, "lab01" };

	strv_push_owned(&bases, xasprintf("%s/vms", tmp));
	cr_assert_eq(vmw_ops.enumerate(&pj, &bases, rec_emit, NULL), CTYS_OK);
	cr_assert_str_eq(buf_cstr(&recs), want);
	cr_assert_str_eq(l = take_log(), "");
	free(l);
	free(want);
	strv_free(&bases);
	json_decref(j);
}

Test(vmw, list_golden)
{
	char *want = golden("vmw-list.golden"), *l;
	struct job_out o = { &sink, "1", "lab01" };
	json_t *j = job_of("VMW", "");
	struct pjob pj = { j, &o, "lab01" };

	cr_assert_eq(vmw_ops.list(&pj, rec_emit, NULL), CTYS_OK);
	cr_assert_str_eq(buf_cstr(&recs), want);
	cr_assert_str_eq(l = take_log(), "vmrun list\nvmrun list\n");
	free(l);
	free(want);
	json_decref(j);
}

Test(vmw, create_cancel)
{
	char *l, *want, *u = xasprintf("%s/vms/ws/ubuntu22/ubuntu22.vmx", tmp),
	    *w = xasprintf("%s/vms/ws/win7/win7.vmx", tmp);

	run(CTYS_ACT_CREATE, "LABEL:win7");
	want = xasprintf("msg:info:vmrun start %s nogui: done\nstatus:0:\n", w);
	cr_assert_str_eq(buf_cstr(&msgs), want);
	free(want);
	want = xasprintf("vmrun list\nvmrun start %s nogui\n", w);
	cr_assert_str_eq(l = take_log(), want);
	free(l);
	free(want);
	run(CTYS_ACT_CREATE, "UUID:564d1234-5678-9abc-def0-123456789abc,RESUME");
	want = xasprintf("vmrun list\nvmrun unpause %s\n", u);
	cr_assert_str_eq(l = take_log(), want);
	free(l);
	free(want);
	run(CTYS_ACT_CREATE, "LABEL:lowscore");
	cr_assert_str_eq(buf_cstr(&msgs), "status:1:no VMW configuration matches the address "
	    "(searched the base paths)\n");
	run(CTYS_ACT_CREATE, "LABEL:win7,CONSOLE:VMWRC");
	cr_assert_str_eq(buf_cstr(&msgs), "status:1:CONSOLE:VMWRC is not supported by VMW (NONE VMW "
	    "VNC)\n");
	free(take_log());
	/* STACK, the default: no guest address known, so the hypervisor's POWEROFF */
	buf_reset(&msgs);
	run(CTYS_ACT_CANCEL, "LABEL:ubuntu22");
	want = xasprintf("vmrun list\nvmrun list\nvmrun list\nvmrun list\nvmrun stop %s soft\n", u);
	cr_assert_str_eq(l = take_log(), want);
	free(l);
	free(want);
	cr_assert(strstr(buf_cstr(&msgs), "rec:stack: ubuntu22: no guest address known: hypervisor "
	    "POWEROFF\n") != NULL, "%s", buf_cstr(&msgs));
	cr_assert(strstr(buf_cstr(&msgs), "status:0:\n") != NULL, "%s", buf_cstr(&msgs));
	run(CTYS_ACT_CANCEL, "ALL,FORCE,POWEROFF:0");
	want = xasprintf("vmrun list\nvmrun stop %s soft\nvmrun list\nvmrun stop %s hard\n", u, u);
	cr_assert_str_eq(l = take_log(), want);
	free(l);
	free(want);
	l = xasprintf("ID:%s,SUSPEND", u);
	run(CTYS_ACT_CANCEL, l);
	free(l);
	want = xasprintf("vmrun list\nvmrun suspend %s soft\n", u);
	cr_assert_str_eq(l = take_log(), want);
	free(l);
	free(want);
	run(CTYS_ACT_CANCEL, "MAC:00:50:56:00:00:01,PAUSE");
	want = xasprintf("vmrun list\nvmrun pause %s\n", u);
	cr_assert_str_eq(l = take_log(), want);
	free(l);
	free(want);
	run(CTYS_ACT_CANCEL, "LABEL:ubuntu22,RESET");
	/* REBOOT goes through the stack: no guest address, so the hypervisor's soft reset */
	run(CTYS_ACT_CANCEL, "LABEL:ubuntu22,REBOOT");
	want = xasprintf("vmrun list\nvmrun reset %s hard\nvmrun list\nvmrun list\nvmrun list\n"
	    "vmrun reset %s soft\n", u, u);
	cr_assert_str_eq(l = take_log(), want);
	free(l);
	free(want);
	run(CTYS_ACT_CANCEL, "LABEL:win7");
	cr_assert_str_eq(buf_cstr(&msgs), "status:1:no running VMW machine matches the address\n");
	/* vmrun's errors come on stdout */
	setenv("FAKE_VMRUN_FAIL", "stop", 1);
	run(CTYS_ACT_CANCEL, "LABEL:ubuntu22,FORCE");
	want = xasprintf("msg:stderr:Error: The virtual machine is not powered on: %s\n"
	    "status:2:'vmrun stop %s soft' failed: the VMware machine is not running (Error: The "
	    "virtual machine is not powered on: %s)\n", u, u, u);
	cr_assert_str_eq(buf_cstr(&msgs), want);
	free(want);
	/* the same through the stack's hypervisor step */
	run(CTYS_ACT_CANCEL, "LABEL:ubuntu22");
	want = xasprintf("rec:stack: ubuntu22: no guest address known: hypervisor POWEROFF\n"
	    "msg:stderr:Error: The virtual machine is not powered on: %s\n"
	    "msg:error:stack: ubuntu22: POWEROFF failed: 'vmrun stop %s soft' failed: the VMware "
	    "machine is not running (Error: The virtual machine is not powered on: %s)\n"
	    "status:2:CANCEL failed for some machines\n", u, u, u);
	cr_assert_str_eq(buf_cstr(&msgs), want);
	free(want);
	setenv("FAKE_VMRUN_FAIL", "list", 1);
	run(CTYS_ACT_CANCEL, "ALL");
	cr_assert_str_eq(buf_cstr(&msgs), "msg:stderr:Error: Unable to connect to host.\n"
	    "status:2:vmrun list failed: vmrun cannot reach VMware: no usable VMware product is "
	    "running for this account (Error: Unable to connect to host.)\n");
	free(u);
	free(w);
	buf_free(&msgs);
}

/* Consoles: "vmrun start <vmx> gui", and a VNC viewer to the .vmx's RemoteDisplay port. */
Test(vmw, consoles)
{
	char *l, *want, *u = xasprintf("%s/vms/ws/ubuntu22/ubuntu22.vmx", tmp),
	    *w = xasprintf("%s/vms/ws/win7/win7.vmx", tmp);

	hyp_install("fake-client", "vncviewer");
	run(CTYS_ACT_CREATE, "LABEL:win7,CONSOLE:VMW");
	cr_assert_str_eq(buf_cstr(&msgs), "status:1:CONSOLE:VMW of VMW needs an X display (DISPLAY "
	    "is not set)\n");
	setenv("DISPLAY", ":0", 1);
	run(CTYS_ACT_CREATE, "LABEL:win7,CONSOLE:VMW");
	want = xasprintf("vmrun list\nvmrun start %s gui\n", w);
	cr_assert_str_eq(l = take_log(), want);
	free(l);
	free(want);
	run(CTYS_ACT_CREATE, "LABEL:win7,CONSOLE:VNC");
	want = xasprintf("status:1:CONSOLE:VNC of VMW needs RemoteDisplay.vnc.enabled = \"TRUE\" and "
	    "RemoteDisplay.vnc.port in %s\n", w);
	cr_assert_str_eq(buf_cstr(&msgs), want);
	free(want);
	run(CTYS_ACT_CREATE, "LABEL:ubuntu22,CONSOLE:VNC");
	want = xasprintf("msg:info:'%s' is already running\nmsg:info:VNC console of 'ubuntu22': "
	    "vncviewer localhost::5901 started\nstatus:0:\n", u);
	cr_assert_str_eq(buf_cstr(&msgs), want);
	free(want);
	cr_assert(wait_log_line("vncviewer localhost::5901"));
	run(CTYS_ACT_CREATE, "LABEL:ubuntu22,CONSOLE:VMW");
	want = xasprintf("status:1:'%s' is already running: its VMW console can only be chosen when "
	    "it starts (use CONSOLE:VNC to reach it now)\n", u);
	cr_assert_str_eq(buf_cstr(&msgs), want);
	free(want);
	free(u);
	free(w);
	buf_free(&msgs);
}

Test(vmw, clientport)
{
	char *want;

	run(CTYS_ACT_GETCLIENTPORT, "LABEL:ubuntu22");
	want = xasprintf("rec:CLIENTPORT(VMW,%s,ubuntu22)=5901\nstatus:0:\n", agent_hostname());
	cr_assert_str_eq(buf_cstr(&msgs), want);
	free(want);
	run(CTYS_ACT_GETCLIENTPORT, "win7");
	cr_assert_str_eq(buf_cstr(&msgs), "status:1:win7: no running VMW machine with that ID or "
	    "label\n");
	buf_free(&msgs);
}

/* Permission and a missing machine: said plainly. */
Test(vmw, errors)
{
	char *want, *w = xasprintf("%s/vms/ws/win7/win7.vmx", tmp);

	setenv("FAKE_VMRUN_FAIL", "start", 1);
	run(CTYS_ACT_CREATE, "LABEL:win7");
	want = xasprintf("status:2:'vmrun start %s nogui' failed: no such VMware machine (.vmx) "
	    "(Error: Cannot open VM: %s, The virtual machine cannot be found)\n", w, w);
	cr_assert(strstr(buf_cstr(&msgs), want) != NULL, "%s", buf_cstr(&msgs));
	free(want);
	setenv("FAKE_VMRUN_DENY", "1", 1);
	run(CTYS_ACT_CANCEL, "ALL");
	cr_assert(strstr(buf_cstr(&msgs), "status:2:vmrun list failed: permission denied: this "
	    "account may not use the VMware machine (Error: Insufficient permissions in host "
	    "operating system)\n") != NULL, "%s", buf_cstr(&msgs));
	free(w);
	buf_free(&msgs);
}

Test(vmw, info_show)
{
	char *want;

	cr_assert_eq(run_info(true), CTYS_OK);
	want = xasprintf("rec:VMW     :vmrun %s/bin/vmrun, VMW_GENERIC, server ENABLED\n", tmp);
	cr_assert_str_eq(buf_cstr(&msgs), want);
	free(want);
	cr_assert_eq(run_info(false), CTYS_OK);
	want = xasprintf("rec:VMW     :1 running: %s/vms/ws/ubuntu22/ubuntu22.vmx\n", tmp);
	cr_assert_str_eq(buf_cstr(&msgs), want);
	free(want);
	buf_free(&msgs);
}
