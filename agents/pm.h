/*
 * pm.h — the PM plugin's parts (plugins.md §5.1, ctys-PM(1)), split so
 * that unit tests reach each one without an agent or a network:
 *
 *   pm-host.c  facts about this machine from /proc, /sys, /etc and
 *              getifaddrs(); the INFO and SHOW lines;
 *   pm-conf.c  the pm.conf parser (#@# keys) and the 47-field ENUMERATE and
 *              22-field LIST records built from pm.conf + live facts;
 *   pm-run.c   CREATE (Wake-on-LAN through wol.h, then PING/SSHPING waits)
 *              and CANCEL (rules, then the configured shutdown commands);
 *   pm.c       the plugin_ops table and the glue to jobs.
 *
 * Files are read below a root directory: "" (the real /) unless
 * pm_set_root() or $CTYS_PM_ROOT names another one, so tests use fixture
 * trees (<root>/proc/cpuinfo, <root>/sys/class/net/eth0/address, ...).
 */
#ifndef CTYS_AGENTS_PM_H
#define CTYS_AGENTS_PM_H

#include <stdbool.h>
#include <stddef.h>

#include <jansson.h>

#include "agents/plugin.h"
#include "lib/conf.h"
#include "lib/err.h"
#include "lib/strv.h"

/* ---- root and files (pm-host.c) ---- */

/*
 * Root for all reads; NULL, "" or "/" = the real file system.  The default
 * is $CTYS_PM_ROOT, read once at first use.  pm_set_root() is for tests:
 * call it before any job runs (it is not synchronised with readers).
 */
void pm_set_root(const char *root);
const char *pm_root(void);
/* Whole file <root><abs> as a string (at most max bytes), or NULL. Caller frees. */
char *pm_read_file(const char *abs, size_t max);

/* ---- live facts (pm-host.c) ---- */

#define PM_MAX_IFADDRS 64

/* One interface address (or an interface without one: addr ""). */
struct pm_ifaddr {
	char ifname[32];
	char mac[18];      /* lower-case aa:bb:.., "" when unknown */
	char addr[64];     /* numeric IPv4/IPv6, "" = none */
	char netmask[64];
	char gateway[64];  /* IPv4 default gateway via this interface, "" = none */
};

struct pm_host {
	char sysname[64], release[128], machine[64];
	char hostname[256];
	char os_pretty[128], dist[128], distrel[64];  /* /etc/os-release */
	char uuid[64];                                /* /sys/class/dmi/id/product_uuid */
	char cpu_vendor[64], cpu_model[128], cpu_mhz[32];
	unsigned ncpu;
	bool vmx, svm, pae, hypervisor;
	unsigned long long mem_kb, swap_kb;
	char user[64], group[64];                     /* the scanning account */
	char defif[32];                               /* interface of the default route */
	struct pm_ifaddr ifs[PM_MAX_IFADDRS];
	size_t nifs;
};

/*
 * Gather the facts: uname fields from <root>/proc/sys/kernel/{ostype,
 * osrelease,arch,hostname} (uname(2) for missing files), os-release, CPU
 * and memory from /proc, the default route from /proc/net/route,
 * interfaces from getifaddrs() with MACs from <root>/sys/class/net/<if>/
 * address.  Loopback, interfaces that are down and IPv6 link-local
 * addresses are left out; an interface that is up without an address
 * appears once with addr "".  Never fails: unknown facts stay empty/0.
 */
void pm_host_read(struct pm_host *h);

/* "VMX", "SVM" or "" from the CPU flags. */
const char *pm_accel(const struct pm_host *h);

/* INFO: static host lines (actions.md §7), starting "####...", "Node:<node>". */
void pm_info_lines(const struct pm_host *h, const char *node, struct strv *out);

/* Usage of one file system, in kB. */
struct pm_disk {
	const char *mount;
	unsigned long long total_kb, avail_kb;
};

struct pm_show_cfg {
	double alarm_load;      /* 5-min load per CPU above this: ALARM (PM_ALARM_LOAD, 2.0) */
	unsigned alarm_disk;    /* % used of / above this: ALARM (PM_ALARM_DISK, 90) */
	unsigned alarm_mem;     /* % available memory below this: ALARM (PM_ALARM_MEM, 5) */
	unsigned alarm_swap;    /* % swap used above this: ALARM (PM_ALARM_SWAP, 80) */
	unsigned top;           /* processes in the snapshot (PM_SHOW_TOP, 10) */
	const struct pm_disk *disk; /* NULL: statvfs("/") */
};

/* Defaults, then overridden from variables in c (may be NULL). */
void pm_show_cfg_init(struct pm_show_cfg *cfg, const struct conf *c);

/* SHOW: dynamic lines: uptime, load, memory, disk, process snapshot, health. */
void pm_show_lines(const struct pm_host *h, const char *node, const struct pm_show_cfg *cfg,
	struct strv *out);

/* ---- pm.conf and records (pm-conf.c) ---- */

/* The #@# keys of one pm.conf, in file order; first occurrence of a key wins. */
struct pm_conf {
	struct strv keys, vals;
	bool magic;     /* #@#MAGICID-<os> present */
	bool ignore;    /* #@#MAGICID-IGNORE or #@#MAGICID-NOENUM present */
};

#define PM_CONF_MAX (1024 * 1024)  /* bigger files are rejected */

/*
 * Parse text[0..len): every line "#@#KEY = value" (blanks around '='
 * optional, value quotes optional, ' read as ") and "#@#MAGICID-<T>"
 * markers; other lines are ignored.  Keys are upper-cased; values have
 * ';', control characters and a trailing "\r" replaced/removed so they fit
 * a record, and for DIST DISTREL OS OSREL blanks become '_'.  `os` is the
 * system name for the MAGICID test ("Linux").  CTYS_ERR_TOOLONG over
 * PM_CONF_MAX; c is empty then.
 */
ctys_err_t pm_conf_parse(const char *text, size_t len, const char *os, struct pm_conf *c);
/* Value of key (upper case) or NULL. */
const char *pm_conf_get(const struct pm_conf *c, const char *key);
void pm_conf_free(struct pm_conf *c);

/*
 * The ENUMERATE records of this machine: one per interface address, 47
 * fields in canonical order (cache/record.h), passed to emit.  c may be
 * NULL (no pm.conf: live data only); id is field 4.  Rules (ctys-PM(1)):
 * pm.conf values win over live defaults, except MAC, TCP, IFNAME and
 * NETMASK of live interfaces, USERID/GROUPID (the scanning account) and
 * CTYSRELEASE (this ctys).  Configured MAC<n>/IP<n> that are not live are
 * reported as configured.  Returns the number of records.
 */
size_t pm_enum_records(const struct pm_host *h, const struct pm_conf *c, const char *id,
	const char *version, rec_emit_fn emit, void *ctx);

/*
 * Shared with the VM plugins (agents/qemu-conf.c): copy the #@# keys of c
 * that map to a record field (plugins.md §3: LABEL UUID DIST ... VCPU
 * DEFAULTHOSTS DEFAULTCONSOLE) into f[1..47] (1-based, owned strings, the
 * old value freed); absent and empty values leave the field alone.
 */
void pm_conf_apply(const struct pm_conf *c, char **f);

/*
 * Shared with the VM plugins: one record per configured interface address
 * of c (MAC<n> with each address of IP<n>, "ip%netmask%relay%ifname%
 * sshport%gateway", comma separated; n < 100; "MAC" = index 0) on top of
 * base[1..47] (1-based), skipping n where seen[n] (seen may be NULL).
 * IFNAME defaults to n.  Returns the number of records emitted.
 */
size_t pm_conf_if_records(const struct pm_conf *c, char *const *base, const bool *seen,
	rec_emit_fn emit, void *ctx);

/*
 * The LIST record of this machine: 22 fields in output order (listrec.h),
 * SITE SERVER, TYPE PM, PID empty (a machine is not a process), the
 * address of the default route's interface (else the first one).
 */
void pm_list_record(const struct pm_host *h, const struct pm_conf *c, const char *id,
	rec_emit_fn emit, void *ctx);

/*
 * The pm.conf files for ENUMERATE: <root>/etc/ctys.d/pm.conf and
 * <base>/pm.conf for each base directory, existing ones only, each once
 * (by real path), in that order.
 */
void pm_conf_files(const struct strv *bases, struct strv *out);

/* ---- CREATE and CANCEL (pm-run.c) ---- */

enum pm_method { PM_M_NONE, PM_M_POWEROFF, PM_M_REBOOT, PM_M_INIT };

struct pm_cancel_plan {
	bool self, force, wol;
	enum pm_method method;
	bool mapped;             /* PAUSE/SUSPEND mapped to POWEROFF */
	int runlevel;            /* INIT:<n> */
	unsigned long delay;     /* seconds before the command */
	const char *ifname;      /* WOL interface (IF or CTYS_ETHTOOL_WOLIF) */
};

/* Longest accepted delay or wait (seconds). */
#define PM_MAX_DELAY 3600

/*
 * Check the CANCEL suboptions of job (stacks.md §3): FORCE needs SELF,
 * FORCE excludes STACK, at most one method (RESET = REBOOT, PAUSE/SUSPEND
 * = POWEROFF with plan->mapped), SELF needs a method, IF needs WOL, WOL
 * needs an interface (IF or CTYS_ETHTOOL_WOLIF), INIT:0-6, delays
 * 0..PM_MAX_DELAY.  Delay: POWEROFF:<s>, else TIMEOUT:<s>, else
 * PM_POWOFFDELAY, else DEFAULT_KILL_DELAY_POWEROFF, else 20.
 * CTYS_ERR_USAGE with the rule broken.
 */
ctys_err_t pm_cancel_check(const json_t *job, const struct conf *vars,
	struct pm_cancel_plan *plan);

/*
 * The shell commands CANCEL runs for plan, in order: the ethtool call
 * (WOL), then with SELF the halt/reboot/init command (CTYS_PM_HALT
 * "halt -p", CTYS_PM_REBOOT "reboot", CTYS_PM_INIT "init %d" with %d
 * replaced by the runlevel; CTYS_ETHTOOL "ethtool").
 */
void pm_cancel_commands(const struct pm_cancel_plan *plan, const struct conf *vars,
	struct strv *cmds);

/* Variables for the plugin: ctys.conf.sh files, pm/pm.conf-<OS>.sh, environment. */
struct conf *pm_vars_load(void);

void pm_run_create(const struct pjob *j);
void pm_run_cancel(const struct pjob *j);

#endif
