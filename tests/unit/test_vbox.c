/*
 * test_vbox.c — the VBOX plugin against a recording stand-in for
 * VBoxManage (tests/fixtures/hyp/fake-VBoxManage, installed as
 * "VBoxManage" on PATH): the exact command lines, parsing of "list
 * runningvms", "showvminfo --machinereadable" and VBoxManage's errors,
 * and .vdi + .ctys files into full 47-field records (golden file).
 */

#include <sys/stat.h>

#define HYP_OPS vbox_ops
#define HYP_TYPE "VBOX"
#include "hyptest.h"

static void
setup(void)
{
	hyp_setup("fake-VBoxManage", "VBoxManage", "vbox");
	unsetenv("FAKE_VBOX_NODRV");
	unsetenv("FAKE_VBOX_NOSVC");
	unsetenv("FAKE_VBOX_DENY");
	unsetenv("VBOX_IGNORE");
	unsetenv("VBOX_CONSOLE_DEFAULT");
	unsetenv("DISPLAY");
}

TestSuite(vbox, .init = setup, .fini = teardown);

Test(vbox, probe)
{
	struct plugin_state st;
	char *l;

	vbox_ops.probe(&st);
	cr_assert(st.enabled && st.server);
	cr_assert_str_eq(st.magic, "VBOX_7.0.14");
	cr_assert_str_eq(l = take_log(), "VBoxManage --version\n");
	free(l);
	setenv("FAKE_VBOX_NODRV", "1", 1);
	vbox_ops.probe(&st);
	cr_assert(st.enabled && !st.server);
	cr_assert_str_eq(st.why, "VirtualBox is not usable here (VBoxManage --version: WARNING: The "
	    "vboxdrv kernel module is not loaded. Either there is no module)");
	setenv("PATH", "/nonexistent", 1);
	vbox_ops.probe(&st);
	cr_assert(!st.enabled);
	cr_assert_str_eq(st.why, "VBoxManage (VirtualBox) is not installed: not found on PATH");
	setenv("PATH", "/usr/bin:/bin", 1);
}

Test(vbox, enumerate_golden)
{
	struct strv bases = STRV_INIT;
	char *want = golden("vbox-enum.golden"), *l;
	struct job_out o = { &sink, "1", "lab01" };
	json_t *j = job_of("VBOX", "");
	struct pjob pj = { j, &o, "lab01" };

	strv_push_owned(&bases, xasprintf("%s/vms", tmp));
	cr_assert_eq(vbox_ops.enumerate(&pj, &bases, rec_emit, NULL), CTYS_OK);
	cr_assert_str_eq(buf_cstr(&recs), want);
	cr_assert_str_eq(l = take_log(), "VBoxManage showvminfo unregistered --machinereadable\n"
	    "VBoxManage showvminfo fedora39 --machinereadable\n");
	free(l);
	free(want);
	strv_free(&bases);
	json_decref(j);
}

Test(vbox, list_golden)
{
	char *want = golden("vbox-list.golden"), *l;
	struct job_out o = { &sink, "1", "lab01" };
	json_t *j = job_of("VBOX", "");
	struct pjob pj = { j, &o, "lab01" };

	cr_assert_eq(vbox_ops.list(&pj, rec_emit, NULL), CTYS_OK);
	cr_assert_str_eq(buf_cstr(&recs), want);
	cr_assert_str_eq(l = take_log(), "VBoxManage --version\nVBoxManage list runningvms\n"
	    "VBoxManage showvminfo fedora39 --machinereadable\n");
	free(l);
	free(want);
	json_decref(j);
}

Test(vbox, create_cancel)
{
	static const struct {
		int act;
		const char *subopts, *log, *msgs;
	} cases[] = {
		{ CTYS_ACT_CREATE, "LABEL:debian", "VBoxManage list runningvms\n"
		  "VBoxManage startvm debian --type headless\n",
		  "msg:info:VBoxManage startvm debian --type headless: done\nstatus:0:\n" },
		{ CTYS_ACT_CREATE, "LABEL:fedora39,RESUME", "VBoxManage list runningvms\n"
		  "VBoxManage showvminfo fedora39 --machinereadable\n",
		  "msg:info:'fedora39' is already running\nstatus:0:\n" },
		{ CTYS_ACT_CREATE, "LABEL:nosuch", "VBoxManage list runningvms\n"
		  "VBoxManage startvm nosuch --type headless\n",
		  "status:2:'VBoxManage startvm nosuch --type headless' failed: no VirtualBox machine "
		  "of that name or UUID is registered for this account (VBoxManage: error: Could not "
		  "find a registered machine named 'nosuch')\n" },
		{ CTYS_ACT_CREATE, "LABEL:debian,CONSOLE:VBOXSDL", "",
		  "status:1:CONSOLE:VBOXSDL of VBOX needs an X display (DISPLAY is not set)\n" },
		{ CTYS_ACT_CREATE, "LABEL:debian,CONSOLE:XTERM", "",
		  "status:1:CONSOLE:XTERM is not supported by VBOX (NONE VBOX VBOXSDL RDP)\n" },
		/* STACK, the default: no guest address known, so the hypervisor's POWEROFF */
		{ CTYS_ACT_CANCEL, "LABEL:fedora39", "VBoxManage list runningvms\n"
		  "VBoxManage --version\nVBoxManage list runningvms\n"
		  "VBoxManage showvminfo fedora39 --machinereadable\nVBoxManage list runningvms\n"
		  "VBoxManage controlvm fedora39 acpipowerbutton\n",
		  "rec:stack: fedora39: no guest address known: hypervisor POWEROFF\n"
		  "msg:info:VBoxManage controlvm fedora39 acpipowerbutton: done\nstatus:0:\n" },
		{ CTYS_ACT_CANCEL, "UUID:3f1c2b4a-5d6e-4f70-8a9b-0c1d2e3f4a5b,FORCE,POWEROFF:0",
		  "VBoxManage list runningvms\nVBoxManage controlvm fedora39 acpipowerbutton\n"
		  "VBoxManage list runningvms\nVBoxManage controlvm fedora39 poweroff\n",
		  "msg:info:VBoxManage controlvm fedora39 poweroff: done\nstatus:0:\n" },
		{ CTYS_ACT_CANCEL, "ALL,FORCE,POWEROFF:0", "VBoxManage list runningvms\n"
		  "VBoxManage controlvm fedora39 acpipowerbutton\nVBoxManage list runningvms\n"
		  "VBoxManage controlvm fedora39 poweroff\n", "" },
		{ CTYS_ACT_CANCEL, "LABEL:fedora39,PAUSE", "VBoxManage list runningvms\n"
		  "VBoxManage controlvm fedora39 pause\n", "" },
		{ CTYS_ACT_CANCEL, "LABEL:fedora39,SUSPEND", "VBoxManage list runningvms\n"
		  "VBoxManage controlvm fedora39 savestate\n", "" },
		{ CTYS_ACT_CANCEL, "LABEL:fedora39,RESET", "VBoxManage list runningvms\n"
		  "VBoxManage controlvm fedora39 reset\n", "" },
		{ CTYS_ACT_CANCEL, "LABEL:debian", "VBoxManage list runningvms\n",
		  "status:1:no running VBOX machine matches the address\n" },
	};
	size_t i;
	char *l;

	for (i = 0; i < sizeof cases / sizeof *cases; i++) {
		run(cases[i].act, cases[i].subopts);
		if (cases[i].msgs[0])
			cr_assert(strstr(buf_cstr(&msgs), cases[i].msgs) != NULL, "%s: %s",
			    cases[i].subopts, buf_cstr(&msgs));
		cr_assert_str_eq(l = take_log(), cases[i].log, "%s: %s", cases[i].subopts, l);
		free(l);
	}
	buf_free(&msgs);
}

/* Write a file below the test directory. */
static void
write_tmp(const char *rel, const char *text)
{
	char *path = xasprintf("%s/%s", tmp, rel);
	FILE *f = fopen(path, "w");

	cr_assert_not_null(f, "%s", path);
	fputs(text, f);
	fclose(f);
	free(path);
}

/*
 * CANCEL with STACK (the default) of a VM whose metadata gives its guest's
 * address on a real network: the guest's agent first (fake-ctys-client,
 * answering as if the guest had cancelled itself), then, as the stand-in halts nothing, FORCE after
 * TIMEOUT.  REBOOT reached through the guest needs no hypervisor step;
 * FORCE never asks the guest.
 */
Test(vbox, cancel_goes_through_the_guest)
{
	char *l;
	const char *tail = "VBoxManage controlvm fedora39 acpipowerbutton\n"
	    "VBoxManage list runningvms\nVBoxManage controlvm fedora39 poweroff\n";

	setenv("FAKE_CLIENT_RC", "0", 1);
	write_tmp("vms/fedora39/fedora39.ctys", "#@#MAGICID-VBOX\n#@#LABEL=\"fedora39\"\n"
	    "#@#IP0=\"127.0.0.1%255.0.0.0%br0%eth0%2222\"\n");
	run(CTYS_ACT_CANCEL, "LABEL:fedora39,TIMEOUT:1");
	cr_assert(strstr(buf_cstr(&msgs), "rec:stack: fedora39: POWEROFF through its agent at "
	    "127.0.0.1:2222\nrec:stack: fedora39: its agent finished POWEROFF after ") != NULL,
	    "%s", buf_cstr(&msgs));
	cr_assert(strstr(buf_cstr(&msgs), "rec:stack: fedora39: did not stop within 1 s: escalated "
	    "to FORCE\n") != NULL, "%s", buf_cstr(&msgs));
	cr_assert(strstr(buf_cstr(&msgs), "status:0:\n") != NULL, "%s", buf_cstr(&msgs));
	l = take_log();
	cr_assert(strstr(l, "ctys-client -c OFF -t PM -a cancel=SELF,POWEROFF:0,TIMEOUT:1 "
	    "127.0.0.1:2222\n") != NULL, "%s", l);
	cr_assert(strlen(l) > strlen(tail) && strcmp(l + strlen(l) - strlen(tail), tail) == 0,
	    "%s", l);
	free(l);
	buf_reset(&msgs);

	run(CTYS_ACT_CANCEL, "LABEL:fedora39,REBOOT,TIMEOUT:1");
	l = take_log();
	cr_assert(strstr(l, "ctys-client -c OFF -t PM -a cancel=SELF,REBOOT,TIMEOUT:1 "
	    "127.0.0.1:2222\n") != NULL, "%s", l);
	cr_assert_null(strstr(l, "controlvm"), "%s", l);
	free(l);
	buf_reset(&msgs);

	run(CTYS_ACT_CANCEL, "LABEL:fedora39,FORCE,POWEROFF:0");
	cr_assert_str_eq(l = take_log(), "VBoxManage list runningvms\n"
	    "VBoxManage controlvm fedora39 acpipowerbutton\nVBoxManage list runningvms\n"
	    "VBoxManage controlvm fedora39 poweroff\n");
	free(l);
	buf_free(&msgs);
}

/* Consoles through "startvm --type" and VRDE; the exact command lines. */
Test(vbox, consoles)
{
	static const struct {
		const char *subopts, *log, *msgs;
	} cases[] = {
		{ "LABEL:debian,CONSOLE:VBOX", "VBoxManage list runningvms\n"
		  "VBoxManage startvm debian --type gui\n",
		  "msg:info:VBoxManage startvm debian --type gui: done\nstatus:0:\n" },
		{ "LABEL:debian,CONSOLE:SDL", "VBoxManage list runningvms\n"
		  "VBoxManage startvm debian --type sdl\n",
		  "msg:info:VBoxManage startvm debian --type sdl: done\nstatus:0:\n" },
		{ "LABEL:debian,CONSOLE:RDP", "VBoxManage list runningvms\n"
		  "VBoxManage startvm debian --type headless\nVBoxManage controlvm debian vrde on\n"
		  "VBoxManage showvminfo debian --machinereadable\n",
		  "msg:info:VBoxManage startvm debian --type headless: done\n"
		  "msg:info:VBoxManage controlvm debian vrde on: done\n"
		  "msg:info:RDP console of 'debian': VRDE is on, its port is not known yet "
		  "(GETCLIENTPORT gives it)\nstatus:0:\n" },
		{ "LABEL:fedora39,CONSOLE:RDP", "VBoxManage list runningvms\n"
		  "VBoxManage controlvm fedora39 vrde on\n"
		  "VBoxManage showvminfo fedora39 --machinereadable\n",
		  "msg:info:'fedora39' is already running\n"
		  "msg:info:VBoxManage controlvm fedora39 vrde on: done\n"
		  "msg:info:RDP console of 'fedora39' on port 3389 (VRDE): connect an RDP client to "
		  "it\nstatus:0:\n" },
		{ "LABEL:fedora39,CONSOLE:VBOX", "VBoxManage list runningvms\n",
		  "status:1:'fedora39' is already running: its VBOX console can only be chosen when it "
		  "starts (use CONSOLE:RDP to reach it now)\n" },
	};
	size_t i;
	char *l;

	setenv("DISPLAY", ":0", 1);
	for (i = 0; i < sizeof cases / sizeof *cases; i++) {
		run(CTYS_ACT_CREATE, cases[i].subopts);
		cr_assert_str_eq(buf_cstr(&msgs), cases[i].msgs, "%s", cases[i].subopts);
		cr_assert_str_eq(l = take_log(), cases[i].log, "%s: %s", cases[i].subopts, l);
		free(l);
	}
	buf_free(&msgs);
}

Test(vbox, clientport)
{
	char *want, *id = xasprintf("ID:%s/vms/fedora39/fedora39.vdi", tmp);

	run(CTYS_ACT_GETCLIENTPORT, "LABEL:fedora39");
	want = xasprintf("rec:CLIENTPORT(VBOX,%s,fedora39)=3389\nstatus:0:\n", agent_hostname());
	cr_assert_str_eq(buf_cstr(&msgs), want);
	free(want);
	/* LIST gives the ID ENUMERATE gives: the .vdi */
	run(CTYS_ACT_GETCLIENTPORT, id);
	want = xasprintf("rec:CLIENTPORT(VBOX,%s,%s)=3389\nstatus:0:\n", agent_hostname(), id + 3);
	cr_assert_str_eq(buf_cstr(&msgs), want);
	free(want);
	run(CTYS_ACT_ISACTIVE, id);
	want = xasprintf("rec:ISACTIVE(VBOX,%s)=0\nstatus:0:\n", id + 3);
	cr_assert_str_eq(buf_cstr(&msgs), want);
	free(want);
	run(CTYS_ACT_GETCLIENTPORT, "debian");
	cr_assert_str_eq(buf_cstr(&msgs), "status:1:debian: no running VBOX machine with that ID or "
	    "label\n");
	free(id);
	buf_free(&msgs);
}

/* VBoxSVC not starting, a disk the account may not open: said plainly. */
Test(vbox, errors)
{
	char *want;

	setenv("FAKE_VBOX_DENY", "debian", 1);
	run(CTYS_ACT_CREATE, "LABEL:debian");
	want = xasprintf("status:2:'VBoxManage startvm debian --type headless' failed: permission "
	    "denied: this account may not open the machine's files (VBoxManage: error: Could not "
	    "open the medium '%s/vms/debian/debian.vdi'.)\n", tmp);
	cr_assert(strstr(buf_cstr(&msgs), want) != NULL, "%s", buf_cstr(&msgs));
	free(want);
	setenv("FAKE_VBOX_NOSVC", "1", 1);
	run(CTYS_ACT_CANCEL, "ALL");
	cr_assert(strstr(buf_cstr(&msgs), "status:2:VBoxManage list runningvms failed: VirtualBox's "
	    "service (VBoxSVC) cannot be started for this account (VBoxManage: error: Failed to "
	    "create the VirtualBox object!)\n") != NULL, "%s", buf_cstr(&msgs));
	buf_free(&msgs);
}

Test(vbox, info_show)
{
	char *want;

	cr_assert_eq(run_info(true), CTYS_OK);
	want = xasprintf("rec:VBOX    :VBoxManage %s/bin/VBoxManage, VBOX_7.0.14, server ENABLED\n",
	    tmp);
	cr_assert_str_eq(buf_cstr(&msgs), want);
	free(want);
	cr_assert_eq(run_info(false), CTYS_OK);
	cr_assert_str_eq(buf_cstr(&msgs), "rec:VBOX    :1 running: fedora39\n");
	setenv("FAKE_VBOX_NOSVC", "1", 1);
	cr_assert_eq(run_info(false), CTYS_ERR_IO);
	buf_free(&msgs);
}
