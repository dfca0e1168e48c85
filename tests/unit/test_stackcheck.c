/* Unit tests for ctys/stackcheck.c: STACKCHECK of a VMSTACK CREATE. */
#include "testutil.h"

#include <stdarg.h>

#include "cache/record.h"
#include "ctys/cli.h"
#include "ctys/stackcheck.h"
#include "lib/buf.h"
#include "lib/conf.h"
#include "lib/xmalloc.h"

/* The stack of the test: level 2's own suboptions are set per test. */
static const char *level2 = "l:vm2";

static ctys_err_t
groups(void *ctx, const char *name, char **members, bool *vmstack)
{
	(void)ctx;
	if (strcmp(name, "lab.VMSTACK") != 0)
		return ctys_seterr(CTYS_ERR_NOENT, "no group '%s'", name);
	*members = xasprintf("pm'(-t PM -a create=t:pm,wol)' pm'(-t QEMU -a create=l:vm1)' "
	    "vm1'(-t QEMU -a create=%s)'", level2);
	*vmstack = true;
	return CTYS_OK;
}

static const struct cli_hooks hooks = { NULL, groups, NULL };

/*
 * A record: "host;type;label" then field=value pairs for the rest
 * ("21=QEMU,XEN" is STACKCAP), every other field empty.
 */
static void
mkrec(struct rec *r, const char *host, const char *type, const char *label, ...)
{
	const char *f[REC_NFIELDS] = { 0 };
	struct buf b = BUF_INIT;
	const char *kv;
	va_list ap;
	int i;

	f[0] = host;
	f[1] = type;
	f[2] = label;
	va_start(ap, label);
	while ((kv = va_arg(ap, const char *)) != NULL) {
		char *eq;

		i = (int)strtol(kv, &eq, 10);
		cr_assert(*eq == '=' && i >= 1 && i <= REC_NFIELDS, "bad field spec %s", kv);
		f[i - 1] = eq + 1;
	}
	va_end(ap);
	for (i = 0; i < REC_NFIELDS; i++)
		buf_addf(&b, "%s%s", i ? ";" : "", f[i] ? f[i] : "");
	cr_assert_eq(rec_parse(b.d, b.len, r), CTYS_OK, "%s", b.d);
	buf_free(&b);
}

/* Check the lab stack with the records; "OK" or the error message. */
static char *
check(struct rec *recs)
{
	struct conf *conf = conf_new();
	struct cli c;
	char *out;
	ctys_err_t e;

	cr_assert_eq(cli_parse(&c, conf, &hooks, "lab.VMSTACK"), CTYS_OK, "%s", ctys_errmsg());
	cr_assert_eq(c.plan.n, 3);
	e = stackcheck_plan(&c.plan, recs);
	out = xstrdup(e == CTYS_OK ? "OK" : ctys_errmsg());
	cli_free(&c);
	conf_free(conf);
	return out;
}

/* pm: 4 CPUs, 8192 MB, x86_64, hosts QEMU; vm1 on it: 2 CPUs, 2048M; vm2 in vm1. */
static void
good(struct rec r[3])
{
	mkrec(&r[0], "pm", "PM", "pm", "7=10.0.0.1", "21=QEMU,XEN", "28=pm.lab", "38=x86_64",
	    "40=8192", "41=4", NULL);
	mkrec(&r[1], "pm", "QEMU", "vm1", "7=10.0.0.5", "21=QEMU", "28=vm1.lab", "38=x86_64",
	    "40=2048M", "41=2", NULL);
	mkrec(&r[2], "vm1", "QEMU", "vm2", "7=10.0.0.9", "38=i386", "40=512", "41=1", NULL);
}

static void
free3(struct rec r[3])
{
	for (int i = 0; i < 3; i++)
		rec_free(&r[i]);
}

static void
expect(struct rec r[3], const char *want)
{
	char *got = check(r);

	if (strcmp(want, "OK") == 0)
		cr_assert_str_eq(got, "OK");
	else
		cr_assert(strstr(got, want), "got '%s', want '%s' in it", got, want);
	free(got);
	free3(r);
}

Test(stackcheck, parse_selects_checks)
{
	struct stackcheck_sel s;

	cr_assert_eq(stackcheck_parse(NULL, &s), CTYS_OK);
	cr_assert(s.context && s.hwcap && s.stackcap);
	cr_assert_eq(stackcheck_parse("off", &s), CTYS_OK);
	cr_assert(!s.context && !s.hwcap && !s.stackcap);
	cr_assert_eq(stackcheck_parse("NOHWCAP%nocontext", &s), CTYS_OK);
	cr_assert(!s.context && !s.hwcap && s.stackcap);
	cr_assert_eq(stackcheck_parse("HWCAP%BOGUS", &s), CTYS_ERR_USAGE);
	cr_assert(strstr(ctys_errmsg(), "unknown check 'BOGUS'"), "%s", ctys_errmsg());
}

Test(stackcheck, arch_table)
{
	cr_assert(stackcheck_arch_fits("i386", "x86_64"));
	cr_assert(stackcheck_arch_fits("i86pc", "amd64"));
	cr_assert(stackcheck_arch_fits("amd64", "x86_64"));
	cr_assert(stackcheck_arch_fits("", "sparc"));
	cr_assert(stackcheck_arch_fits("ppc", "PPC"));
	cr_assert(!stackcheck_arch_fits("x86_64", "i386"));
	cr_assert(!stackcheck_arch_fits("sparc", "x86_64"));
	cr_assert(!stackcheck_arch_fits("i386", "ppc"));
}

Test(stackcheck, consistent_stack_passes)
{
	struct rec r[3];

	level2 = "l:vm2";
	good(r);
	expect(r, "OK");
}

Test(stackcheck, unknown_records_are_not_checked)
{
	struct rec r[3] = { 0 };

	level2 = "l:vm2";
	expect(r, "OK");
	good(r);
	rec_free(&r[1]); /* vm1 unknown: level 2 is not checked */
	rec_free(&r[2]);
	mkrec(&r[2], "vm1", "QEMU", "vm2", "41=64", NULL);
	expect(r, "OK");
}

Test(stackcheck, context_names_the_level)
{
	struct rec r[3];

	level2 = "l:vm2";
	good(r);
	rec_free(&r[1]);
	mkrec(&r[1], "pm", "QEMU", "vmX", "7=10.0.0.5", "28=vmx.lab", NULL);
	expect(r, "VMSTACK VMSTACK#1: level 2 (QEMU, job 3): runs on 'vm1', not on the machine "
	    "the level below starts (vmX) (STACKCHECK:NOCONTEXT skips this check)");
	/* the NETNAME's first label, the TCP address or the label name it */
	good(r);
	rec_free(&r[1]);
	mkrec(&r[1], "pm", "QEMU", "other", "28=vm1.lab", NULL);
	expect(r, "OK");
	level2 = "l:vm2,STACKCHECK:NOCONTEXT";
	good(r);
	rec_free(&r[1]);
	mkrec(&r[1], "pm", "QEMU", "vmX", NULL);
	expect(r, "OK");
}

Test(stackcheck, stackcap)
{
	struct rec r[3];

	level2 = "l:vm2";
	good(r);
	rec_free(&r[0]);
	mkrec(&r[0], "pm", "PM", "pm", "21=XEN%VMW", NULL);
	expect(r, "level 1 (QEMU, job 2): its container cannot host QEMU (STACKCAP XEN%VMW) "
	    "(STACKCHECK:NOSTACKCAP skips this check)");
	good(r);
	rec_free(&r[0]);
	mkrec(&r[0], "pm", "PM", "pm", "21=KVM", NULL);
	expect(r, "OK");
}

Test(stackcheck, hwcap)
{
	struct rec r[3];

	level2 = "l:vm2";
	good(r);
	rec_free(&r[2]);
	mkrec(&r[2], "vm1", "QEMU", "vm2", "41=3", NULL);
	expect(r, "level 2 (QEMU, job 3): needs VCPU 3, its container has 2 "
	    "(STACKCHECK:NOHWCAP skips this check)");
	good(r);
	rec_free(&r[2]);
	mkrec(&r[2], "vm1", "QEMU", "vm2", "40=4096M", NULL);
	expect(r, "needs VRAM 4096M, its container has 2048M");
	good(r);
	rec_free(&r[1]);
	rec_free(&r[2]);
	mkrec(&r[1], "pm", "QEMU", "vm1", "38=i386", NULL);
	mkrec(&r[2], "vm1", "QEMU", "vm2", "38=x86_64", NULL);
	expect(r, "level 2 (QEMU, job 3): ARCH x86_64 does not run on its container's i386");
}

Test(stackcheck, selection_per_level)
{
	struct rec r[3];

	level2 = "l:vm2,STACKCHECK:NOHWCAP";
	good(r);
	rec_free(&r[2]);
	mkrec(&r[2], "vm1", "QEMU", "vm2", "41=64", NULL);
	expect(r, "OK");
	level2 = "l:vm2,STACKCHECK:OFF";
	good(r);
	rec_free(&r[1]);
	mkrec(&r[1], "pm", "QEMU", "vmX", "21=XEN", "41=1", NULL);
	expect(r, "OK");
	level2 = "l:vm2,STACKCHECK:BOGUS";
	good(r);
	expect(r, "unknown check 'BOGUS'");
}
