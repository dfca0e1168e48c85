/*
 * test_vmw.c — the VMW plugin against a recording stand-in for vmrun
 * (tests/fixtures/hyp/fake-vmrun, installed as "vmrun" on PATH): the exact
 * vmrun command lines, parsing of "vmrun list" and of vmrun's errors, and
 * .vmx files into full 47-field records (golden file).
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
	cmd = xasprintf("mkdir -p %s/bin && cp %s/fake-vmrun %s/bin/vmrun && cp -r %s/vmw %s/vms", tmp, fix,
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
	unsetenv("FAKE_VMRUN_FAIL");
	unsetenv("VMW_IGNORE");
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
	json_t *j = job_of("VMW", subopts);
	struct pjob pj = { j, &o, "lab01" };

	buf_reset(&msgs);
	vmw_ops.run[act](&pj);
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
	cr_assert(strstr(buf_cstr(&msgs), "status:1:CONSOLE:VMWRC of VMW needs a display") != NULL);
	free(take_log());
	run(CTYS_ACT_CANCEL, "LABEL:ubuntu22");
	want = xasprintf("vmrun list\nvmrun stop %s soft\n", u);
	cr_assert_str_eq(l = take_log(), want);
	free(l);
	free(want);
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
	run(CTYS_ACT_CANCEL, "LABEL:ubuntu22,REBOOT");
	want = xasprintf("vmrun list\nvmrun reset %s hard\nvmrun list\nvmrun reset %s soft\n", u, u);
	cr_assert_str_eq(l = take_log(), want);
	free(l);
	free(want);
	run(CTYS_ACT_CANCEL, "LABEL:win7");
	cr_assert_str_eq(buf_cstr(&msgs), "status:1:no running VMW machine matches the address\n");
	/* vmrun's errors come on stdout */
	setenv("FAKE_VMRUN_FAIL", "stop", 1);
	run(CTYS_ACT_CANCEL, "LABEL:ubuntu22");
	want = xasprintf("msg:stderr:Error: The virtual machine is not powered on: %s\n"
	    "status:2:'vmrun stop %s soft' failed: Error: The virtual machine is not powered on: "
	    "%s\n", u, u, u);
	cr_assert_str_eq(buf_cstr(&msgs), want);
	free(want);
	setenv("FAKE_VMRUN_FAIL", "list", 1);
	run(CTYS_ACT_CANCEL, "ALL");
	cr_assert_str_eq(buf_cstr(&msgs), "msg:stderr:Error: Unable to connect to host.\n"
	    "status:2:vmrun list failed: Error: Unable to connect to host.\n");
	free(u);
	free(w);
	buf_free(&msgs);
}
