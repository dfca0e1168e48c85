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
	unsetenv("VBOX_IGNORE");
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
		  "msg:stderr:VBoxManage: error: Could not find a registered machine named 'nosuch'\n" },
		{ CTYS_ACT_CREATE, "LABEL:debian,CONSOLE:VBOXSDL", "",
		  "status:1:CONSOLE:VBOXSDL of VBOX needs a display or terminal and is not available "
		  "in this version of ctys (use CONSOLE:NONE)\n" },
		{ CTYS_ACT_CANCEL, "LABEL:fedora39", "VBoxManage list runningvms\n"
		  "VBoxManage controlvm fedora39 acpipowerbutton\n",
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
