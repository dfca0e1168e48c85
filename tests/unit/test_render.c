/*
 * test_render — the LIST/ENUMERATE renderer (ctys/render.c): every format
 * on fixed 47- and 22-field records, compared byte for byte with
 * tests/golden/render/ (see the README there for where each file comes
 * from); plan-time checks; malformed records.
 */
#include "testutil.h"

#include "ctys/action.h"
#include "ctys/render.h"
#include "lib/err.h"

/* The worked example of cache-db.md §8 (tst200 with its TCP from the macmap). */
static const char *const E100 =
    "lab01.soho;QEMU;tst100;/mntn/vmpool/tst100/tst100.ctys;U100;00:50:56:13:11:40;"
    "192.168.1.100;;;/var/tmp/qemumon.tst100;5900;debian;5.0;Linux;2.6.26;;;VM;ACTIVE;"
    "QEMU-0.12.2;;;;;;;22;tst100.soho;;KVM;;;eth0;;;;;x86_64;;512;1;;;acue;ldapusers;;";
static const char *const E101 =
    "lab01.soho;QEMU;tst101;/mntn/vmpool/tst101/tst101.ctys;U101;00:50:56:13:11:41;"
    "192.168.1.101;;;;5900;CentOS;5.4;Linux;2.6.18;;;VM;ACTIVE;QEMU-0.12.2;;;;;;;;;;QEMU;;;"
    "eth0;;;;;i386;;256;1;;;acue;ldapusers;;";
static const char *const E300 =
    "lab02.soho;VMW;tst300;/mntn/vmpool/tst300/tst300.vmx;U300;00:50:56:13:13:00;"
    "192.168.1.130;;904;;;SuSE;9.3;Linux;2.6;;;VM;BACKUP;VMW-WS6;;;;;;;;;;;;;0;;;;;i386;;256;"
    "1;;;acue;ldapusers;;";
static const char *const E200 =
    "lab02.soho;XEN;tst200;/mntn/vmpool/tst200/tst200.conf;U200;00:16:3E:00:02:00;"
    "192.168.1.200;;;;;SuSE;10.3;Linux;2.6.22;;;VM;ACTIVE;Xen-3.0-x86_64;;;;;;;;;;PARA;;;eth0;"
    ";;;;x86_64;;1024;2;;;root;root;;";
/* Two running sessions (22 fields, canonical LIST order). */
static const char *const L1 =
    "lab01.soho;QEMU;tst100;/mntn/vmpool/tst100/tst100.ctys;U100;00:50:56:13:11:40;"
    "192.168.1.100;1;5901;/var/tmp/qemumon.tst100;4711;acue;ldapusers;SERVER;"
    "20260101120000:4711:0;eth0;;;/usr/bin/qemu-kvm;0.12.2;KVM;x86_64";
static const char *const L2 =
    "lab01.soho;VNC;desk1;5;;;;5;5905;;4800;acue;users;CLIENT;;;;;/usr/bin/vncviewer;;;x86_64";

#define MAXREC 4

struct gcase {
	const char *golden;
	bool list;
	const char *subopts;
	bool terse;
	const char *output;
	const char *recs[MAXREC];
	bool fake_dns;
	bool empty_job;    /* a second job without records */
};

static char *
fake_resolve(void *ctx, const char *value, bool want_name)
{
	(void)ctx;
	if (want_name && strcmp(value, "192.168.1.100") == 0)
		return strdup("tst100.soho.");
	return NULL;
}

/* Split a ';' line into fields (pointers into a copy the caller frees). */
static size_t
split(char *line, const char **f, size_t max)
{
	size_t n = 0;
	char *p = line, *s;

	for (;;) {
		cr_assert(n < max);
		f[n++] = p;
		if ((s = strchr(p, ';')) == NULL)
			break;
		*s = '\0';
		p = s + 1;
	}
	return n;
}

static char *
slurp(const char *path)
{
	FILE *f = fopen(path, "r");
	char *d = NULL;
	size_t n = 0;
	FILE *m = open_memstream(&d, &n);
	int c;

	cr_assert_not_null(f, "cannot open %s", path);
	while ((c = fgetc(f)) != EOF)
		fputc(c, m);
	fclose(f);
	fclose(m);
	return d;
}

/* Render the case; returns stdout text, *errout the stderr text. */
static char *
run_case(const struct gcase *c, char **errout)
{
	const struct action_def *a = action_lookup(c->list ? "LIST" : "ENUMERATE", c->list ? 4 : 9);
	char *od = NULL, *ed = NULL;
	size_t on = 0, en = 0, i;
	FILE *o = open_memstream(&od, &on), *e = open_memstream(&ed, &en);
	struct render *r;
	struct render_job j1 = { "acue@lab01.soho", "lab01.soho", "acue", "ALL", "USER" };
	struct render_job j2 = { "acue@lab02.soho", "lab02.soho", "acue", "ALL", "USER" };

	cr_assert_eq(render_check(a, c->subopts), CTYS_OK, "%s: %s", c->golden, ctys_errmsg());
	r = render_new(a, c->subopts, c->terse, c->output, 2, o, e);
	cr_assert_not_null(r, "%s: %s", c->golden, ctys_errmsg());
	render_set_resolver(r, c->fake_dns ? fake_resolve : NULL, NULL);
	render_begin(r);
	render_job_begin(r, 0, &j1);
	if (c->empty_job)
		render_job_begin(r, 1, &j2);
	for (i = 0; i < MAXREC && c->recs[i]; i++) {
		char *copy = strdup(c->recs[i]);
		const char *f[64];
		size_t n = split(copy, f, 64);

		cr_assert_eq(render_record(r, 0, "lab01.soho", c->list ? "list" : "enum", f[1], f, n),
		    CTYS_OK);
		free(copy);
	}
	render_job_end(r, 0);
	if (c->empty_job)
		render_job_end(r, 1);
	render_finish(r);
	render_free(r);
	fclose(o);
	fclose(e);
	*errout = ed;
	return od;
}

static const struct gcase cases[] = {
	/* the reference's examples (cache-db.md §8), byte for byte */
	{ "enum_tab_gen.txt", false, "tab_gen:3_label_8%2_type_5%7_tcp_15", false, NULL,
	    { E100, E101, E300, E200 }, false, false },
	{ "enum_tab_gen_L.txt", false, "tab_gen:3_l_4%4_id_12_L%7", false, NULL, { E100, E101 },
	    false, false },
	{ "enum_tab_gen_B.txt", false, "tab_gen:4_id_10_B", false, NULL, { E100 }, false, false },
	{ "enum_rec_gen.txt", false, "rec_gen:3_label_8%2_type_5", false, NULL, { E100, E101 },
	    false, false },
	{ "enum_spec_gen.txt", false, "spec_gen:3_label_8%2_type_5", false, NULL, { E100 }, false,
	    false },
	{ "enum_xml_gen.txt", false, "xml_gen:3_label_8%2_type_5", false, NULL, { E100 }, false,
	    false },
	/* TAB_CTYS_VHOST_DEFAULT as macros-default writes it (%% between columns) */
	{ "enum_vhost_default.txt", false, "tab_gen:3_label_10%%2_stype_8%%30_accel_5%%"
	    "12_distro_12%%13_distrorel_15%%14_os_10%%15_osrel_10%%1_PM_15%%33_if_7%%7_TCP_15",
	    false, NULL, { E100, E101 }, false, false },
	/* macro TAB_ENUMLST_CONNECT expanded */
	{ "enum_vconn.txt", false, "tab_gen:3_label_10%%2_stype_8%%8_DISP_4%%9_cport_5_L%%"
	    "10_sport_5_L%%1_PM_15%%33_if_7%%7_TCP_15", false, NULL, { E100 }, false, false },
	{ "enum_title.txt", false, "title,l,st,terse", false, NULL, { E100, E101 }, false, false },
	{ "enum_sort_reverse.txt", false, "l,st,sort:1%r", true, NULL, { E100, E101, E300, E200 },
	    false, false },
	{ "enum_ports.txt", false, "l,disp,cport,sport,vncbase", true, NULL,
	    { E100, E101, E300, E200 }, false, false },
	{ "enum_machine.txt", false, "machine", false, NULL, { E100 }, false, false },
	/* derived layouts */
	{ "enum_default.txt", false, NULL, false, NULL, { E100, E101 }, false, false },
	{ "enum_titleidxasc.txt", false, "titleidxasc,st,l,defh,terse", false, NULL, { E100 },
	    false, false },
	{ "enum_titleidx.txt", false, "titleidx,st,l", false, NULL, { E100 }, false, false },
	{ "enum_maxkey.txt", false, "maxkey", false, NULL, { E100 }, false, false },
	{ "enum_json.txt", false, "json,l,st", false, NULL, { E100 }, false, false },
	{ "enum_sort_unique.txt", false, "st,terse,sort:u", false, NULL, { E100, E101, E300, E200 },
	    false, false },
	{ "enum_tab_gen_titleidx.txt", false, "tab_gen:3_label_8%2_type_5,titleidx", false, NULL,
	    { E100 }, false, false },
	{ "enum_rec_gen_sort.txt", false, "rec_gen:3_label_8%2_type_5,sort:2", false, NULL,
	    { E200, E300, E101, E100 }, false, false },
	{ "list_machine.txt", true, "machine", false, NULL, { L1, L2 }, false, false },
	{ "list_tab_tcp.txt", true, "both,tab_tcp,dns", false, NULL, { L1, L2 }, false, false },
	{ "list_tab_tcp_id.txt", true, "both", false, NULL, { L1, L2 }, false, false },
	{ "list_tab_tcp_dns.txt", true, "tab_tcp:12%14,dns", false, NULL, { L1, L2 }, true, false },
	{ "list_nonterse.txt", true, "pid,label", false, NULL, { L1, L2 }, false, true },
	{ "list_connpid.txt", true, "tab_gen:3_label_10%%2_stype_8%%14_cst_1%%8_DISP_4%%"
	    "9_cport_5_L%%10_sport_5_L%%11_pid_5%%1_PM_15%%7_TCP_15", false, NULL, { L1, L2 },
	    false, false },
	{ "list_titleidxasc.txt", true, "titleidxasc,label,pid", true, NULL, { L1, L2 }, false,
	    false },
	{ "list_all.txt", true, "all,terse", false, NULL, { L1, L2 }, false, false },
	{ "list_sort.txt", true, "label,pid,terse,sort:2%r", false, NULL, { L1, L2 }, false, false },
	{ "list_json.txt", true, "both,tab_tcp", false, "json", { L1 }, false, false },
};

Test(render, golden)
{
	size_t i;

	for (i = 0; i < sizeof cases / sizeof cases[0]; i++) {
		char *path, *want, *got, *err;

		cr_assert(asprintf(&path, "tests/golden/render/%s", cases[i].golden) > 0);
		want = slurp(path);
		got = run_case(&cases[i], &err);
		cr_expect_str_eq(got, want, "%s differs:\n--- got\n%s--- want\n%s", cases[i].golden,
		    got, want);
		cr_expect_str_eq(err, "", "%s: stderr %s", cases[i].golden, err);
		free(path);
		free(want);
		free(got);
		free(err);
	}
}

Test(render, check_rejects_at_plan_time)
{
	const struct action_def *l = action_lookup("LIST", 4), *e = action_lookup("ENUMERATE", 9);
	static const struct {
		bool list;
		const char *subopts, *msg;
	} bad[] = {
		{ true, "tab_gen:23", "unknown field index 23" },
		{ false, "tab_gen:48_x", "unknown field index 48" },
		{ false, "rec_gen:3_l_x", "width must be a number" },
		{ false, "xml_gen:3_l_5_Q", "policy must be L or B" },
		{ false, "spec_gen:0", "field index must be a number from 1" },
		{ false, "sort:x", "invalid SORT argument 'x'" },
		{ false, "sort:1234", "1 to 3 digits" },
		{ false, "sort:0", "numbered from 1" },
		{ false, "tab_gen:4_id_10_B,sort", "break policy B" },
		{ true, "tab_tcp:1%a", "invalid width 'a'" },
		{ true, "tab_tcp:1%2%3%4%5%6%7%8%9%10", "at most 9 widths" },
		{ false, "tab_tcp", "LIST suboption" },
		{ true, "matchvstat:all", "ENUMERATE suboption" },
		{ true, "nosuch", "unknown suboption 'nosuch'" },
		{ true, "tab_gen", "requires an argument" },
	};
	size_t i;

	for (i = 0; i < sizeof bad / sizeof bad[0]; i++) {
		cr_expect_eq(render_check(bad[i].list ? l : e, bad[i].subopts), CTYS_ERR_USAGE, "%s",
		    bad[i].subopts);
		cr_expect(strstr(ctys_errmsg(), bad[i].msg) != NULL, "%s: '%s' lacks '%s'",
		    bad[i].subopts, ctys_errmsg(), bad[i].msg);
	}
	cr_expect_eq(render_check(e, "tab_gen:47%1,sort:2%u%r%each"), CTYS_OK);
	cr_expect_eq(render_check(l, "both,tab_tcp:20,dns,pkg:qemu"), CTYS_OK);
	cr_expect_eq(render_check(action_lookup("INFO", 4), "whatever:x:y"), CTYS_OK);
}

Test(render, malformed_records_dropped_with_host)
{
	const struct action_def *l = action_lookup("LIST", 4);
	char *od = NULL, *ed = NULL, *copy = strdup(L1);
	size_t on = 0, en = 0;
	FILE *o = open_memstream(&od, &on), *e = open_memstream(&ed, &en);
	struct render *r = render_new(l, "label,terse", false, NULL, 1, o, e);
	struct render_job j = { "lab", "h1", "u", "ALL", NULL };
	const char *f[22];
	json_t *m;

	split(copy, f, 22);
	render_set_resolver(r, NULL, NULL);
	render_job_begin(r, 0, &j);
	cr_expect_eq(render_record(r, 0, "h1", "list", "QEMU", f, 21), CTYS_ERR_PARSE);
	cr_expect_eq(render_record(r, 0, "h1", "what", "QEMU", f, 22), CTYS_ERR_PARSE);
	cr_expect_eq(render_record(r, 0, "h1", "list", "QEMU", f, 22), CTYS_OK);
	m = json_pack("{s:s,s:s,s:s,s:s,s:[s,i]}", "t", "rec", "hop", "h2", "kind", "list", "type",
	    "X", "fields", "a", 1);
	cr_expect_eq(render_record_json(r, 0, m), CTYS_ERR_PARSE);
	json_decref(m);
	m = json_pack("{s:s,s:s,s:s,s:s}", "t", "rec", "hop", "h3", "kind", "enum", "fields", "x");
	cr_expect_eq(render_record_json(r, 0, m), CTYS_ERR_PARSE);
	json_decref(m);
	f[3] = "a;b";
	cr_expect_eq(render_record(r, 0, "h4", "list", "QEMU", f, 22), CTYS_ERR_PARSE);
	render_job_end(r, 0);
	render_finish(r);
	render_free(r);
	fclose(o);
	fclose(e);
	cr_expect_str_eq(od, "tst100\n");
	cr_expect_str_eq(ed,
	    "ctys: lab: malformed record from 'h1' dropped: 21 fields, a LIST record has 22\n"
	    "ctys: lab: malformed record from 'h1' dropped: unknown record kind 'what'\n"
	    "ctys: lab: malformed record from 'h2' dropped: 2 fields, a LIST record has 22\n"
	    "ctys: lab: malformed record from 'h3' dropped: \"fields\" is not an array\n"
	    "ctys: lab: malformed record from 'h4' dropped: field 4 contains ';' or a newline\n");
	free(od);
	free(ed);
	free(copy);
}

Test(render, json_escapes_and_other_kind)
{
	const struct action_def *en = action_lookup("ENUMERATE", 9);
	char *od = NULL, *ed = NULL;
	size_t on = 0, en_ = 0, i;
	FILE *o = open_memstream(&od, &on), *e = open_memstream(&ed, &en_);
	struct render *r = render_new(en, "l", false, "JSON", 1, o, e);
	const char *f[47], *lf[22];

	for (i = 0; i < 47; i++)
		f[i] = "";
	for (i = 0; i < 22; i++)
		lf[i] = "x";
	f[2] = "a\"b\\c\td\x01";
	render_record(r, 0, "h\"1", "enum", "QEMU", f, 47);
	render_record(r, 0, "h1", "list", "VNC", lf, 22); /* the other kind: terse line */
	render_finish(r);
	render_free(r);
	fclose(o);
	fclose(e);
	cr_expect_str_eq(od, "{\"v\":1,\"kind\":\"enum\",\"target\":\"h\\\"1\",\"host\":\"h\\\"1\","
	    "\"type\":\"QEMU\",\"fields\":{\"Label\":\"a\\\"b\\\\c\\td\\u0001\"}}\n"
	    "x;x;x;x;x;x;x;x;x;x;x;x;x;x;x;x;x;x;x;x;x;x\n");
	cr_expect_str_eq(ed, "");
	free(od);
	free(ed);
}

Test(render, sort_each_per_job_and_all_across_jobs)
{
	const struct action_def *en = action_lookup("ENUMERATE", 9);
	static const char *const modes[] = { "l,terse,sort:each", "l,terse,sort" };
	static const char *const want[] = { "b\nc\na\nd\n", "a\nb\nc\nd\n" };
	size_t m, i;

	for (m = 0; m < 2; m++) {
		char *od = NULL;
		size_t on = 0;
		FILE *o = open_memstream(&od, &on);
		struct render *r = render_new(en, modes[m], false, NULL, 2, o, stderr);
		const char *f[47];
		static const char *const labels[] = { "c", "b", "d", "a" };

		for (i = 0; i < 47; i++)
			f[i] = "";
		for (i = 0; i < 4; i++) {
			f[2] = labels[i];
			render_record(r, i / 2, "h", "enum", "QEMU", f, 47);
			if (i % 2 == 1)
				render_job_end(r, i / 2);
		}
		render_finish(r);
		render_free(r);
		fclose(o);
		cr_expect_str_eq(od, want[m], "%s", modes[m]);
		free(od);
	}
}
