/*
 * test_vbox.c — the VBOX plugin against a recording stand-in for
 * VBoxManage (tests/fixtures/hyp/fake-VBoxManage, installed as
 * "VBoxManage" on PATH): the exact command lines, parsing of "list
 * runningvms", "showvminfo --machinereadable" and VBoxManage's errors,
 * and .vdi + .ctys files into full 47-field records (golden file).
 */
#include <sys/stat.h>

#include <jansson.h>

#include "agents/exec.h"
#include "agents/plugins.h"
#include "agents/agent.h"
#include "lib/buf.h"
#include "lib/proto.h"
#include "lib/xmalloc.h"
#include "testutil.h"

static char *tmp, *fix, *fakelog;
static struct buf msgs, recs;

static void
setup(void)
{
	char *cmd;

	tmp = tu_tmpdir();
	fix = realpath("tests/fixtures/hyp", NULL);
	cr_assert_not_null(fix);
	cmd = xasprintf("mkdir -p %s/bin && cp %s/fake-VBoxManage %s/bin/VBoxManage && cp -r %s/vbox %s/vms", tmp, fix,
	    tmp, fix, tmp);
	cr_assert_eq(system(cmd), 0);
	free(cmd);
	fakelog = xasprintf("%s/log", tmp);
	setenv("FAKE_LOG", fakelog, 1);
	setenv("FAKE_DIR", fix, 1);
	{
		char *v = xasprintf("%s/bin:/usr/bin:/bin", tmp);

		setenv("PATH", v, 1);
		free(v);
	}
	setenv("HOME", tmp, 1);
	{
		char *v = xasprintf("%s/vms", tmp);

		setenv("FAKE_VMS", v, 1);
		free(v);
	}
	{
		char *v = xasprintf("%s/vms", tmp);

		setenv("DEFAULT_ENUM_BASE", v, 1);
		free(v);
	}
	unsetenv("FAKE_VBOX_NODRV");
	unsetenv("VBOX_IGNORE");
}

static void
teardown(void)
{
	tu_rmrf(tmp);
	free(tmp);
	free(fix);
	free(fakelog);
	buf_free(&msgs);
	buf_free(&recs);
}

/* The fake's log (and empty it). */
static char *
take_log(void)
{
	char *t = NULL, *cmd = xasprintf("cat %s 2>/dev/null; : > %s", fakelog, fakelog);
	FILE *p = popen(cmd, "r");
	struct buf b = BUF_INIT;
	char line[4096];

	while (fgets(line, sizeof line, p))
		buf_adds(&b, line);
	pclose(p);
	free(cmd);
	t = buf_detach(&b);
	return t ? t : xstrdup("");
}

static void
sink_msg(void *ctx, json_t *m)
{
	(void)ctx;
	if (strcmp(proto_type(m), "status") == 0)
		buf_addf(&msgs, "status:%lld:%s\n", (long long)proto_int(m, "code"),
		    json_string_value(json_object_get(m, "error")) ?
		    json_string_value(json_object_get(m, "error")) : "");
	else
		buf_addf(&msgs, "%s:%s:%s\n", proto_type(m), proto_str(m, "level"),
		    proto_str(m, "text"));
}

/* Records with the varying parts replaced: @TMP@ @HOST@ @USER@ @GROUP@. */
static void
rec_emit(void *ctx, const char *const *f, size_t n)
{
	size_t i;

	(void)ctx;
	for (i = 0; i < n; i++) {
		const char *v = f[i], *p;
		size_t tl = strlen(tmp);

		if (i)
			buf_addc(&recs, ';');
		if (i == 0 && strcmp(v, agent_hostname()) == 0) {
			buf_adds(&recs, "@HOST@");
			continue;
		}
		if ((n == 47 && (i == 43 || i == 44)) || (n == 22 && (i == 11 || i == 12))) {
			buf_adds(&recs, (n == 47 ? i == 43 : i == 11) ? "@USER@" : "@GROUP@");
			continue;
		}
		while ((p = strstr(v, tmp)) != NULL) {
			buf_add(&recs, v, (size_t)(p - v));
			buf_adds(&recs, "@TMP@");
			v = p + tl;
		}
		buf_adds(&recs, v);
	}
	buf_addc(&recs, '\n');
}

static json_t *
job_of(const char *type, const char *subopts)
{
	json_t *j = json_object(), *a = json_array();
	char *copy = xstrdup(subopts), *save = NULL, *it;

	for (it = strtok_r(copy, ",", &save); it; it = strtok_r(NULL, ",", &save)) {
		json_t *o = json_object();
		char *colon = strchr(it, ':');

		if (colon)
			*colon++ = '\0';
		json_object_set_new(o, "key", json_string(it));
		if (colon)
			json_object_set_new(o, "arg", json_string(colon));
		json_array_append_new(a, o);
	}
	json_object_set_new(j, "subopts", a);
	json_object_set_new(j, "type", json_string(type));
	free(copy);
	return j;
}

static const struct link_sink sink = { sink_msg, NULL };

static void
run(int act, const char *subopts)
{
	struct job_out o = { &sink, "1", "lab01" };
	json_t *j = job_of("VBOX", subopts);
	struct pjob pj = { j, &o, "lab01" };

	buf_reset(&msgs);
	vbox_ops.run[act](&pj);
	json_decref(j);
}

static char *
golden(const char *name)
{
	char *p = xasprintf("%s/%s", fix, name);
	FILE *f = fopen(p, "r");
	struct buf b = BUF_INIT;
	char line[8192];

	cr_assert_not_null(f, "%s", p);
	while (fgets(line, sizeof line, f))
		buf_adds(&b, line);
	fclose(f);
	free(p);
	return buf_detach(&b);
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
