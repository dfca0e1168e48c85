/*
 * hyptest.h — the shared harness of the hypervisor plugin tests
 * (test_xen.c, test_vbox.c, test_vmw.c): a private temp dir with the
 * recording stand-in installed under the real tool's name on PATH, the
 * stand-in's log, a sink collecting messages and statuses, records with
 * the varying parts replaced, jobs built from "KEY:arg,..." text, and the
 * golden files of tests/fixtures/hyp.
 *
 * Before including it, define HYP_OPS (the plugin's ops) and HYP_TYPE
 * (its session type); the including file's setup() calls hyp_setup().
 */
#ifndef CTYS_TEST_HYPTEST_H
#define CTYS_TEST_HYPTEST_H

#include <stdlib.h>
#include <unistd.h>

#include <jansson.h>

#include "agents/agent.h"
#include "agents/exec.h"
#include "agents/plugins.h"
#include "lib/buf.h"
#include "lib/proto.h"
#include "lib/xmalloc.h"
#include "testutil.h"

static char *tmp, *fix, *fakelog;
static struct buf msgs, recs;

/* setenv(name, tmp + suffix) */
static void
set_tmp_env(const char *name, const char *suffix)
{
	char *v = xasprintf("%s%s", tmp, suffix);

	setenv(name, v, 1);
	free(v);
}

/*
 * The temp dir with tests/fixtures/hyp/<fake> installed as bin/<tool> and
 * the configuration tree <dir> copied to vms/; PATH, HOME, FAKE_LOG,
 * FAKE_DIR, FAKE_VMS and DEFAULT_ENUM_BASE point into it.  CTYS_CLIENT
 * names the stand-in fake-ctys-client: a CANCEL that goes into a guest
 * (stack propagation) is recorded, never sent.
 */
static void
hyp_setup(const char *fake, const char *tool, const char *dir)
{
	char *cmd;

	tmp = tu_tmpdir();
	fix = realpath("tests/fixtures/hyp", NULL);
	cr_assert_not_null(fix);
	cmd = xasprintf("mkdir -p %s/bin && cp %s/%s %s/bin/%s && cp %s/fake-ctys-client %s/bin && "
	    "cp -r %s/%s %s/vms", tmp, fix, fake, tmp, tool, fix, tmp, fix, dir, tmp);
	cr_assert_eq(system(cmd), 0);
	free(cmd);
	fakelog = xasprintf("%s/log", tmp);
	setenv("FAKE_LOG", fakelog, 1);
	setenv("FAKE_DIR", fix, 1);
	set_tmp_env("PATH", "/bin:/usr/bin:/bin");
	setenv("HOME", tmp, 1);
	set_tmp_env("FAKE_VMS", "/vms");
	set_tmp_env("DEFAULT_ENUM_BASE", "/vms");
	set_tmp_env("CTYS_CLIENT", "/bin/fake-ctys-client");
	unsetenv("FAKE_CLIENT_RC");
}

/* tests/fixtures/hyp/<fake> installed as bin/<name> too (console clients). */
static inline void
hyp_install(const char *fake, const char *name)
{
	char *cmd = xasprintf("cp %s/%s %s/bin/%s", fix, fake, tmp, name);

	cr_assert_eq(system(cmd), 0);
	free(cmd);
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

/*
 * Wait (at most 10 s) until the fake's log has the line `want`: detached
 * console clients write it after the job ended.
 */
static inline bool
wait_log_line(const char *want)
{
	char *cmd = xasprintf("grep -qxF -- '%s' %s 2>/dev/null", want, fakelog);
	int i, rc = 1;

	for (i = 0; i < 200 && (rc = system(cmd)) != 0; i++)
		usleep(50000);
	free(cmd);
	return rc == 0;
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
	if (strcmp(proto_type(m), "rec") == 0)
		buf_addf(&msgs, "rec:%s\n", proto_str(m, "data"));
	else if (strcmp(proto_type(m), "status") == 0)
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
	json_t *j = job_of(HYP_TYPE, subopts);
	struct pjob pj = { j, &o, "lab01" };

	buf_reset(&msgs);
	HYP_OPS.run[act](&pj);
	json_decref(j);
}

/* INFO (info true) or SHOW of the plugin; its lines into msgs. */
static inline ctys_err_t
run_info(bool info)
{
	struct job_out o = { &sink, "1", "lab01" };
	json_t *j = job_of(HYP_TYPE, "");
	struct pjob pj = { j, &o, "lab01" };
	ctys_err_t e;

	buf_reset(&msgs);
	e = info ? HYP_OPS.info(&pj) : HYP_OPS.show(&pj);
	json_decref(j);
	return e;
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

#endif
