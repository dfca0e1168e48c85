/*
 * test_pm.c — the PM plugin: INFO/SHOW lines from a fixture /proc+/sys
 * tree, pm.conf parsing, ENUMERATE/LIST records (golden lines), CANCEL
 * rules and the commands CANCEL runs.
 */
#include <sys/stat.h>

#include <jansson.h>

#include "agents/exec.h"
#include "agents/pm.h"
#include "cache/record.h"
#include "lib/buf.h"
#include "lib/proto.h"
#include "lib/xmalloc.h"
#include "testutil.h"

static char *root;

/* Write root/rel, creating the directories. */
static void
put(const char *rel, const char *text)
{
	char *p = xasprintf("%s/%s", root, rel), *s;

	for (s = p + strlen(root) + 1; (s = strchr(s, '/')) != NULL; s++) {
		*s = '\0';
		mkdir(p, 0755);
		*s = '/';
	}
	free(tu_write(root, rel, text));
	free(p);
}

static const char cpuinfo[] =
	"processor\t: 0\n"
	"vendor_id\t: GenuineIntel\n"
	"cpu family\t: 6\n"
	"model name\t: Intel(R) Xeon(R) CPU E5-2680 v4 @ 2.40GHz\n"
	"cpu MHz\t\t: 2400.000\n"
	"flags\t\t: fpu vme de pse tsc msr pae mce cx8 vmx ssse3\n"
	"\n"
	"processor\t: 1\n"
	"vendor_id\t: GenuineIntel\n"
	"model name\t: Intel(R) Xeon(R) CPU E5-2680 v4 @ 2.40GHz\n"
	"cpu MHz\t\t: 2400.000\n"
	"flags\t\t: fpu vme de pse tsc msr pae mce cx8 vmx ssse3\n";

static const char meminfo[] =
	"MemTotal:        8388608 kB\n"
	"MemFree:         1048576 kB\n"
	"MemAvailable:    4194304 kB\n"
	"Buffers:          102400 kB\n"
	"SwapTotal:       2097152 kB\n"
	"SwapFree:        1048576 kB\n";

static void
fixture(void)
{
	root = tu_tmpdir();
	put("proc/cpuinfo", cpuinfo);
	put("proc/meminfo", meminfo);
	put("proc/sys/kernel/ostype", "Linux\n");
	put("proc/sys/kernel/osrelease", "6.1.0-18-amd64\n");
	put("proc/sys/kernel/arch", "x86_64\n");
	put("proc/sys/kernel/hostname", "lab01\n");
	put("etc/os-release", "PRETTY_NAME=\"Debian GNU/Linux 12 (bookworm)\"\nNAME=\"Debian "
	    "GNU/Linux\"\nVERSION_ID=\"12\"\nID=debian\n");
	put("proc/uptime", "273906.12 500000.00\n");
	put("proc/loadavg", "0.52 0.58 0.59 2/123 4567\n");
	/* two processes: 1 (10 s CPU over its 273906 s), 4242 (busy: 50 s over 100 s) */
	put("proc/1/stat", "1 (systemd) S 0 1 1 0 -1 4194560 1 1 0 0 600 400 0 0 20 0 1 0 "
	    "1 100000 1000 18446744073709551615\n");
	put("proc/1/status", "Name:\tsystemd\nUid:\t0\t0\t0\t0\nVmRSS:\t   12000 kB\n");
	put("proc/4242/stat", "4242 (a (weird) name) R 1 4242 4242 0 -1 0 0 0 0 0 4000 1000 0 0 "
	    "20 0 1 0 27380612 100000 1000 18446744073709551615\n");
	put("proc/4242/status", "Name:\tx\nUid:\t0\t0\t0\t0\nVmRSS:\t  838861 kB\n");
	put("proc/net/route", "Iface\tDestination\tGateway \tFlags\tRefCnt\tUse\tMetric\tMask\t\t"
	    "MTU\tWindow\tIRTT\n"
	    "eth0\t00000000\t0101A8C0\t0003\t0\t0\t0\t00000000\t0\t0\t0\n"
	    "eth0\t0001A8C0\t00000000\t0001\t0\t0\t0\t00FFFFFF\t0\t0\t0\n");
	put("sys/class/net/eth0/address", "00:11:22:33:44:01\n");
	pm_set_root(root);
	setenv("USER", "tester", 1);
}

static void
teardown(void)
{
	pm_set_root(NULL);
	tu_rmrf(root);
	free(root);
}

static char *
joined(struct strv *l)
{
	char *s = strv_join(l, "\n");

	strv_free(l);
	return s;
}

TestSuite(pm, .init = fixture, .fini = teardown);

Test(pm, info_golden)
{
	struct pm_host h;
	struct strv l = STRV_INIT;
	char *s;

	pm_host_read(&h);
	cr_assert_str_eq(pm_accel(&h), "VMX");
	pm_info_lines(&h, "lab01.soho", &l);
	s = joined(&l);
	cr_assert_str_eq(s,
	    "############################\n"
	    "Node:lab01.soho\n"
	    "System  :Linux\n"
	    "OS      :Debian GNU/Linux 12 (bookworm)\n"
	    "RELEASE :6.1.0-18-amd64\n"
	    "MACHINE :x86_64\n"
	    "USER    :tester\n"
	    "CPUVEND :GenuineIntel\n"
	    "CPUMODEL:Intel(R) Xeon(R) CPU E5-2680 v4 @ 2.40GHz\n"
	    "CPUMHZ  :2400.000\n"
	    "CPUS    :2\n"
	    "VIRT    :vmx\n"
	    "VMGUEST :no\n"
	    "PAE     :yes\n"
	    "MEMORY  :8192 MB\n"
	    "SWAP    :2048 MB");
	free(s);
}

Test(pm, info_missing_files_are_dashes)
{
	struct pm_host h;
	struct strv l = STRV_INIT;
	char *s;

	pm_set_root("/nonexistent-ctys-root");
	pm_host_read(&h);
	pm_info_lines(&h, "x", &l);
	s = joined(&l);
	cr_assert(strstr(s, "CPUVEND :-\n") != NULL, "%s", s);
	cr_assert(strstr(s, "CPUS    :0\n") != NULL, "%s", s);
	cr_assert(strstr(s, "OS      :-\n") != NULL, "%s", s);
	free(s);
}

Test(pm, show_golden)
{
	struct pm_disk d = { "/", 100 * 1024 * 1024ULL, 40 * 1024 * 1024ULL };
	struct pm_show_cfg cfg;
	struct pm_host h;
	struct strv l = STRV_INIT;
	char *s;

	pm_host_read(&h);
	pm_show_cfg_init(&cfg, NULL);
	cfg.disk = &d;
	pm_show_lines(&h, "lab01", &cfg, &l);
	s = joined(&l);
	cr_assert_str_eq(s,
	    "############################\n"
	    "Node:lab01\n"
	    "UPTIME  :273906 s (3d 04:05:06)\n"
	    "LOAD    :0.52 0.58 0.59\n"
	    "TASKS   :2/123\n"
	    "MEMTOTAL:8192 MB\n"
	    "MEMFREE :1024 MB\n"
	    "MEMAVAIL:4096 MB\n"
	    "MEMUSED :4096 MB\n"
	    "SWAPTOT :2048 MB\n"
	    "SWAPUSED:1024 MB\n"
	    "DISK    :/ 60% used (40960 of 102400 MB free)\n"
	    "PROCS   :2\n"
	    "TOP     :   PID USER        %CPU  %MEM     RSS-kB       TIME COMMAND\n"
	    "TOP     :  4242 root        50.0  10.0     838861    0:50.00 a_(weird)_name\n"
	    "TOP     :     1 root         0.0   0.1      12000    0:10.00 systemd\n"
	    "HEALTH  :OK", "%s", s);
	free(s);
}

Test(pm, show_alarms)
{
	struct pm_disk d = { "/", 1000, 50 };
	struct pm_show_cfg cfg;
	struct pm_host h;
	struct strv l = STRV_INIT;
	char *s;

	put("proc/loadavg", "9.00 5.00 1.00 2/123 4567\n");
	put("proc/meminfo", "MemTotal: 1000 kB\nMemFree: 10 kB\nMemAvailable: 20 kB\n"
	    "SwapTotal: 1000 kB\nSwapFree: 100 kB\n");
	pm_host_read(&h);
	pm_show_cfg_init(&cfg, NULL);
	cfg.disk = &d;
	cfg.top = 0;
	pm_show_lines(&h, "lab01", &cfg, &l);
	s = joined(&l);
	cr_assert(strstr(s, "\nALARM   :load 5.00 on 2 CPUs is over 2.00 per CPU\n"
	    "ALARM   :disk / 95% used is over 90%\n"
	    "ALARM   :memory 2% available is under 5%\n"
	    "ALARM   :swap 90% used is over 80%\n"
	    "HEALTH  :ALARM") != NULL, "%s", s);
	cr_assert(strstr(s, "TOP     :     1") == NULL, "top 0 lists no process: %s", s);
	free(s);
}

Test(pm, show_cfg_from_vars)
{
	struct conf *c = conf_new();
	struct pm_show_cfg cfg;

	conf_set(c, "PM_ALARM_LOAD", "0.5");
	conf_set(c, "PM_ALARM_DISK", "70");
	conf_set(c, "PM_SHOW_TOP", "3");
	conf_set(c, "PM_ALARM_MEM", "junk");
	pm_show_cfg_init(&cfg, c);
	cr_assert_float_eq(cfg.alarm_load, 0.5, 1e-9);
	cr_assert_eq(cfg.alarm_disk, 70);
	cr_assert_eq(cfg.top, 3);
	cr_assert_eq(cfg.alarm_mem, 5, "a bad value keeps the default");
	conf_free(c);
}

/* ---- pm.conf and records ---- */

static struct strv recs;

static void
collect(void *ctx, const char *const *f, size_t n)
{
	struct buf b = BUF_INIT;
	size_t i;

	(void)ctx;
	for (i = 0; i < n; i++)
		buf_addf(&b, "%s%s", i ? ";" : "", f[i]);
	strv_push_owned(&recs, buf_detach(&b));
}

static const char pmconf[] =
	"# generated by ctys-genmconf\n"
	"#@#MAGICID-Linux\n"
	"#@#HOST = \"lab01.soho\"\n"
	"#@#LABEL='lab01'\n"
	"#@#UUID=A1B2C3D4\n"
	"#@#DIST = \"CentOS Linux\"\n"
	"#@#STACKCAP=\"QEMU,KVM\"\n"
	"#@#VCPU=8\n"
	"#@#USTRG=a;b\n"
	"#@#VCPU=16\n"
	"#@#MAC0=00:11:22:33:44:01\n"
	"#@#IP0=192.168.1.11%255.255.255.0%br0%eth0%22%192.168.1.1\n"
	"#@#MAC1=00:11:22:33:44:02\n"
	"#@#IP1=10.0.0.5%255.0.0.0,10.0.0.6\n"
	"not a key line\n"
	"  #@#SSHPORT=2222\r\n";

static void
one_if(struct pm_host *h)
{
	memset(h->ifs, 0, sizeof h->ifs);
	h->nifs = 1;
	strcpy(h->ifs[0].ifname, "eth0");
	strcpy(h->ifs[0].mac, "00:11:22:33:44:01");
	strcpy(h->ifs[0].addr, "192.168.1.11");
	strcpy(h->ifs[0].netmask, "255.255.255.0");
	strcpy(h->ifs[0].gateway, "192.168.1.254");
	strcpy(h->user, "root");
	strcpy(h->group, "root");
	h->uuid[0] = '\0';
}

Test(pm, conf_parse)
{
	struct pm_conf c;

	cr_assert_eq(pm_conf_parse(pmconf, strlen(pmconf), "Linux", &c), CTYS_OK);
	cr_assert(c.magic);
	cr_assert(!c.ignore);
	cr_assert_str_eq(pm_conf_get(&c, "HOST"), "lab01.soho");
	cr_assert_str_eq(pm_conf_get(&c, "LABEL"), "lab01");
	cr_assert_str_eq(pm_conf_get(&c, "DIST"), "CentOS_Linux");
	cr_assert_str_eq(pm_conf_get(&c, "VCPU"), "8", "first occurrence wins");
	cr_assert_str_eq(pm_conf_get(&c, "USTRG"), "a_b", "';' cannot go into a record");
	cr_assert_str_eq(pm_conf_get(&c, "SSHPORT"), "2222");
	cr_assert_null(pm_conf_get(&c, "MAGICID-LINUX"));
	pm_conf_free(&c);
	cr_assert_eq(pm_conf_parse(pmconf, strlen(pmconf), "FreeBSD", &c), CTYS_OK);
	cr_assert(!c.magic, "MAGICID is per OS");
	pm_conf_free(&c);
	cr_assert_eq(pm_conf_parse("#@#MAGICID-Linux\n#@#MAGICID-NOENUM\n", 35, "Linux", &c),
	    CTYS_OK);
	cr_assert(c.ignore);
	pm_conf_free(&c);
	cr_assert_eq(pm_conf_parse("", PM_CONF_MAX + 1, "Linux", &c), CTYS_ERR_TOOLONG);
	cr_assert_eq(c.keys.n, 0);
}

Test(pm, enum_golden_with_conf)
{
	struct pm_host h;
	struct pm_conf c;
	char *s;

	pm_host_read(&h);
	one_if(&h);
	pm_conf_parse(pmconf, strlen(pmconf), "Linux", &c);
	cr_assert_eq(pm_enum_records(&h, &c, "/etc/ctys.d/pm.conf", "0.1.0", collect, NULL), 3);
	s = joined(&recs);
	cr_assert_str_eq(s,
	    /* live eth0 matched to MAC0/IP0: relay, sshport and gateway from pm.conf */
	    "lab01.soho;PM;lab01;/etc/ctys.d/pm.conf;A1B2C3D4;00:11:22:33:44:01;192.168.1.11;;;;;"
	    "CentOS_Linux;12;Linux;6.1.0-18-amd64;;;PM;ACTIVE;;QEMU,KVM;;;;LOCAL;FIXED;22;;;VMX;;;"
	    "eth0;0.1.0;255.255.255.0;192.168.1.1;br0;x86_64;;8192;8;;a_b;root;root;;\n"
	    /* MAC1 is not up here: its two configured addresses, IFNAME defaults to 1 */
	    "lab01.soho;PM;lab01;/etc/ctys.d/pm.conf;A1B2C3D4;00:11:22:33:44:02;10.0.0.5;;;;;"
	    "CentOS_Linux;12;Linux;6.1.0-18-amd64;;;PM;ACTIVE;;QEMU,KVM;;;;LOCAL;FIXED;2222;;;VMX;;;"
	    "1;0.1.0;255.0.0.0;;;x86_64;;8192;8;;a_b;root;root;;\n"
	    "lab01.soho;PM;lab01;/etc/ctys.d/pm.conf;A1B2C3D4;00:11:22:33:44:02;10.0.0.6;;;;;"
	    "CentOS_Linux;12;Linux;6.1.0-18-amd64;;;PM;ACTIVE;;QEMU,KVM;;;;LOCAL;FIXED;2222;;;VMX;;;"
	    "1;0.1.0;;;;x86_64;;8192;8;;a_b;root;root;;", "%s", s);
	free(s);
	pm_conf_free(&c);
}

Test(pm, enum_golden_live_only)
{
	struct pm_host h;
	struct rec r;
	char *s;

	pm_host_read(&h);
	one_if(&h);
	cr_assert_eq(pm_enum_records(&h, NULL, "/etc/ctys.d/pm.conf", "0.1.0", collect, NULL), 1);
	s = joined(&recs);
	cr_assert_str_eq(s,
	    "lab01;PM;lab01;/etc/ctys.d/pm.conf;;00:11:22:33:44:01;192.168.1.11;;;;;"
	    "Debian_GNU/Linux;12;Linux;6.1.0-18-amd64;;;PM;ACTIVE;;;;;;LOCAL;FIXED;;;;VMX;;;"
	    "eth0;0.1.0;255.255.255.0;192.168.1.254;;x86_64;;8192;2;;;root;root;;", "%s", s);
	cr_assert_eq(rec_parse(s, strlen(s), &r), CTYS_OK, "a valid 47-field record");
	rec_free(&r);
	free(s);
}

Test(pm, enum_no_interfaces_one_record)
{
	struct pm_host h;
	char *s;

	pm_host_read(&h);
	one_if(&h);
	h.nifs = 0;
	cr_assert_eq(pm_enum_records(&h, NULL, "/etc/ctys.d/pm.conf", "0.1.0", collect, NULL), 1);
	s = joined(&recs);
	cr_assert(strncmp(s, "lab01;PM;lab01;/etc/ctys.d/pm.conf;;;;", 38) == 0, "%s", s);
	free(s);
}

Test(pm, live_interfaces_and_route)
{
	struct pm_host h;

	pm_host_read(&h);
	cr_assert_str_eq(h.defif, "eth0");
	cr_assert_str_eq(h.hostname, "lab01");
	cr_assert_eq(h.ncpu, 2);
	cr_assert_eq(h.mem_kb, 8388608);
}

Test(pm, list_golden)
{
	struct pm_host h;
	struct pm_conf c;
	char *s;

	pm_host_read(&h);
	one_if(&h);
	strcpy(h.defif, "eth0");
	pm_conf_parse(pmconf, strlen(pmconf), "Linux", &c);
	pm_list_record(&h, &c, "/etc/ctys.d/pm.conf", collect, NULL);
	pm_list_record(&h, NULL, "/etc/ctys.d/pm.conf", collect, NULL);
	s = joined(&recs);
	cr_assert_str_eq(s,
	    "lab01;PM;lab01;/etc/ctys.d/pm.conf;A1B2C3D4;00:11:22:33:44:01;192.168.1.11;;;;;root;"
	    "root;SERVER;;eth0;;;;;VMX;x86_64\n"
	    "lab01;PM;lab01;/etc/ctys.d/pm.conf;;00:11:22:33:44:01;192.168.1.11;;;;;root;"
	    "root;SERVER;;eth0;;;;;VMX;x86_64", "%s", s);
	free(s);
	pm_conf_free(&c);
}

Test(pm, conf_files)
{
	struct strv bases = STRV_INIT, out = STRV_INIT;
	char *a = xasprintf("%s/a", root), *b = xasprintf("%s/b", root);

	put("etc/ctys.d/pm.conf", "#@#MAGICID-Linux\n");
	put("a/pm.conf", "#@#MAGICID-Linux\n");
	mkdir(b, 0755);
	strv_push(&bases, a);
	strv_push(&bases, b);
	strv_push(&bases, a);
	strv_push_owned(&bases, xasprintf("%s/etc/ctys.d", root));
	pm_conf_files(&bases, &out);
	cr_assert_eq(out.n, 2, "each file once");
	cr_assert(strstr(out.v[0], "/etc/ctys.d/pm.conf") != NULL);
	cr_assert(strstr(out.v[1], "/a/pm.conf") != NULL);
	strv_free(&bases);
	strv_free(&out);
	free(a);
	free(b);
}

/* ---- CANCEL ---- */

/* A job whose subopts are "KEY[:arg],..." (no escapes needed in tests). */
static json_t *
job_of(const char *subopts)
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
	free(copy);
	return j;
}

/* Check subopts; on success the commands joined by " && " into *cmds. */
static ctys_err_t
check(const char *subopts, struct conf *vars, struct pm_cancel_plan *plan, char **cmds)
{
	json_t *j = job_of(subopts);
	struct strv l = STRV_INIT;
	ctys_err_t e = pm_cancel_check(j, vars, plan);

	if (e == CTYS_OK && cmds) {
		pm_cancel_commands(plan, vars, &l);
		*cmds = strv_join(&l, " && ");
		strv_free(&l);
	}
	json_decref(j);
	return e;
}

Test(pm, cancel_rules)
{
	static const struct {
		const char *subopts, *err;
	} bad[] = {
		{ "FORCE,POWEROFF", "FORCE requires SELF" },
		{ "SELF,FORCE,STACK,POWEROFF", "FORCE and STACK exclude each other" },
		{ "SELF", "SELF needs one of REBOOT" },
		{ "SELF,REBOOT,POWEROFF", "only one of REBOOT" },
		{ "SELF,RESET,INIT:3", "('RESET' and 'INIT')" },
		{ "SELF,INIT:7", "invalid runlevel '7'" },
		{ "SELF,INIT:x", "invalid runlevel 'x'" },
		{ "IF:eth0,SELF,POWEROFF", "IF requires WOL" },
		{ "WOL,SELF,POWEROFF", "WOL needs the interface" },
		{ "WOL,IF:eth0;rm,SELF,POWEROFF", "invalid interface name" },
		{ "SELF,POWEROFF:abc", "invalid POWEROFF delay 'abc'" },
		{ "SELF,POWEROFF:3601", "invalid POWEROFF delay '3601'" },
		{ "SELF,REBOOT,TIMEOUT:-1", "invalid TIMEOUT '-1'" },
	};
	struct conf *vars = conf_new();
	struct pm_cancel_plan plan;
	size_t i;

	unsetenv("CTYS_ETHTOOL_WOLIF");
	for (i = 0; i < sizeof bad / sizeof *bad; i++) {
		cr_assert_eq(check(bad[i].subopts, vars, &plan, NULL), CTYS_ERR_USAGE, "%s",
		    bad[i].subopts);
		cr_assert(strstr(ctys_errmsg(), bad[i].err) != NULL, "%s: %s", bad[i].subopts,
		    ctys_errmsg());
	}
	conf_free(vars);
}

Test(pm, cancel_commands)
{
	struct conf *vars = conf_new();
	struct pm_cancel_plan plan;
	char *c;

	unsetenv("CTYS_PM_HALT");
	unsetenv("PM_POWOFFDELAY");
	unsetenv("DEFAULT_KILL_DELAY_POWEROFF");
	cr_assert_eq(check("SELF,POWEROFF", vars, &plan, &c), CTYS_OK);
	cr_assert_str_eq(c, "halt -p");
	cr_assert_eq(plan.delay, 20);
	free(c);
	cr_assert_eq(check("SELF,REBOOT,FORCE", vars, &plan, &c), CTYS_OK);
	cr_assert_str_eq(c, "reboot");
	free(c);
	cr_assert_eq(check("SELF,INIT:3", vars, &plan, &c), CTYS_OK);
	cr_assert_str_eq(c, "init 3");
	free(c);
	cr_assert_eq(check("SELF,SUSPEND", vars, &plan, &c), CTYS_OK);
	cr_assert(plan.mapped);
	cr_assert_str_eq(c, "halt -p");
	free(c);
	/* without SELF only the contents: no command at all */
	cr_assert_eq(check("POWEROFF", vars, &plan, &c), CTYS_OK);
	cr_assert_str_eq(c, "");
	free(c);
	cr_assert_eq(check("", vars, &plan, &c), CTYS_OK);
	cr_assert_eq(plan.method, PM_M_POWEROFF);
	free(c);
	conf_set(vars, "CTYS_PM_HALT", "touch /tmp/x/halted");
	conf_set(vars, "CTYS_PM_INIT", "telinit %d now");
	conf_set(vars, "CTYS_ETHTOOL", "/sbin/ethtool");
	conf_set(vars, "PM_POWOFFDELAY", "7");
	cr_assert_eq(check("WOL,IF:eth1,SELF,POWEROFF", vars, &plan, &c), CTYS_OK);
	cr_assert_str_eq(c, "/sbin/ethtool -s eth1 wol g && touch /tmp/x/halted");
	cr_assert_eq(plan.delay, 7);
	free(c);
	cr_assert_eq(check("SELF,INIT:1,TIMEOUT:3", vars, &plan, &c), CTYS_OK);
	cr_assert_str_eq(c, "telinit 1 now");
	cr_assert_eq(plan.delay, 3);
	free(c);
	cr_assert_eq(check("SELF,POWEROFF:0,TIMEOUT:9", vars, &plan, &c), CTYS_OK);
	cr_assert_eq(plan.delay, 0, "POWEROFF:<s> wins");
	free(c);
	conf_set(vars, "CTYS_ETHTOOL_WOLIF", "eth9");
	cr_assert_eq(check("WOL", vars, &plan, &c), CTYS_OK);
	cr_assert_str_eq(c, "/sbin/ethtool -s eth9 wol g");
	free(c);
	conf_free(vars);
}

/* ---- pm_run_cancel end to end, with a harmless halt command ---- */

static struct buf msgs;

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

static void
run_cancel(const char *subopts)
{
	static const struct link_sink sink = { sink_msg, NULL };
	struct job_out o = { &sink, "1", "lab01" };
	json_t *j = job_of(subopts);
	struct pjob pj = { j, &o, "lab01" };

	buf_reset(&msgs);
	pm_run_cancel(&pj);
	json_decref(j);
}

Test(pm, run_cancel_runs_the_command)
{
	char *flag = xasprintf("%s/halted", root), *cmd = xasprintf("/usr/bin/touch %s", flag);
	struct stat st;

	/*
	 * no VM plugin may see the qemu processes other tests run on this
	 * machine as guests of "lab01": the QEMU plugin finds no emulator
	 */
	unsetenv("QEMU_EXE");
	setenv("QEMU_PATHLIST", "/nonexistent", 1);
	setenv("PATH", "/nonexistent", 1);
	setenv("HOME", root, 1);
	setenv("CTYS_CONFDIR", root, 1);
	setenv("CTYS_PM_HALT", cmd, 1);
	setenv("CTYS_PM_REBOOT", "echo reboot failed; exit 3", 1);
	run_cancel("SELF,POWEROFF:0");
	cr_assert_str_eq(buf_cstr(&msgs), "msg:info:no guests to cancel (no VM plugin here reports a running session)\n"
	    "msg:info:System maintenance:POWEROFF in 0 seconds\nstatus:0:\n");
	cr_assert_eq(stat(flag, &st), 0, "the halt command ran");
	run_cancel("SELF,REBOOT,TIMEOUT:0,FORCE");
	cr_assert_str_eq(buf_cstr(&msgs), "msg:info:System maintenance:REBOOT in 0 seconds\n"
	    "msg:stderr:reboot failed\n"
	    "status:2:'echo reboot failed; exit 3' failed with exit status 3\n");
	run_cancel("SELF");
	cr_assert(strstr(buf_cstr(&msgs), "status:1:SELF needs one of") != NULL, "%s",
	    buf_cstr(&msgs));
	unsetenv("CTYS_PM_HALT");
	unsetenv("CTYS_PM_REBOOT");
	buf_free(&msgs);
	free(flag);
	free(cmd);
}

/* ---- pm_run_create: rules, the send, the bounded waits (loopback only) ---- */

static void
run_create(const char *subopts)
{
	static const struct link_sink sink = { sink_msg, NULL };
	struct job_out o = { &sink, "1", "lab01" };
	json_t *j = job_of(subopts);
	struct pjob pj = { j, &o, "lab01" };

	buf_reset(&msgs);
	pm_run_create(&pj);
	json_decref(j);
}

Test(pm, run_create)
{
	static const struct {
		const char *subopts, *want;
	} cases[] = {
		{ "TCP:10.0.0.1", "status:1:give the MAC address to wake" },
		{ "MAC:00:11:22", "status:1:invalid MAC address '00:11:22'" },
		{ "MAC:001122334455,BROADCAST:127.0.0.1,IF:lo", "status:1:BROADCAST and IF exclude" },
		{ "MAC:001122334455,PORT:9", "status:1:PORT is only valid with BROADCAST" },
		{ "MAC:001122334455,BROADCAST:127.0.0.1,PORT:0", "status:1:invalid PORT '0'" },
		{ "MAC:001122334455,BROADCAST:127.0.0.1,PING:3 1", "status:1:PING and SSHPING need" },
		{ "MAC:001122334455,BROADCAST:127.0.0.1,TCP:h,PING:0 1", "status:1:invalid PING '0 1'" },
		{ "MAC:001122334455,BROADCAST:127.0.0.1,CONNECT", "status:1:CONNECT and RECONNECT" },
		{ "MAC:001122334455,IF:nosuchif0", "status:1:no network interface 'nosuchif0'" },
		{ "BMAC:00-11-22-33-44-55,MAC:zz,BROADCAST:127.0.0.1,PORT:9",
		  "msg:info:magic packet for 00:11:22:33:44:55 sent to 127.0.0.1:9\nstatus:0:\n" },
		{ "MAC:001122334455,BROADCAST:127.0.0.1,TCP:h,PING:3 0,SSHPING:OFF",
		  "msg:info:PING: h answers after 1 try, " },
		{ "MAC:001122334455,BROADCAST:127.0.0.1,TCP:h,PING:3 0", "ms\nstatus:0:\n" },
		{ "MAC:001122334455,BROADCAST:127.0.0.1,TCP:h,USER:u,SSHPING:2 0",
		  "msg:error:SSHPING: no answer from u@h after 2 tries, " },
		{ "MAC:001122334455,BROADCAST:127.0.0.1,TCP:h,USER:u,SSHPING:1 0",
		  "status:2:the machine did not answer after the wake-up\n" },
	};
	size_t i;

	setenv("HOME", root, 1);
	setenv("CTYS_CONFDIR", root, 1);
	setenv("CTYS_PING", "test %s = h", 1);
	setenv("CTYS_SSHPING", "false %s", 1);
	for (i = 0; i < sizeof cases / sizeof *cases; i++) {
		run_create(cases[i].subopts);
		cr_assert(strstr(buf_cstr(&msgs), cases[i].want) != NULL, "%s: %s", cases[i].subopts,
		    buf_cstr(&msgs));
	}
	unsetenv("CTYS_PING");
	unsetenv("CTYS_SSHPING");
	buf_free(&msgs);
}
