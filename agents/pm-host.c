/*
 * pm-host.c — facts about this machine and the INFO/SHOW lines; see pm.h.
 *
 * Every line is "<LABEL padded to 8>:<value>", the layout of the
 * original's INFO/SHOW scripts, so a reader can cut at the first ':'.
 */
#include "agents/pm.h"

#include <arpa/inet.h>
#include <ctype.h>
#include <dirent.h>
#include <grp.h>
#include <ifaddrs.h>
#include <linux/if_packet.h>
#include <net/if.h>
#include <netinet/in.h>
#include <pthread.h>
#include <pwd.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/statvfs.h>
#include <sys/utsname.h>
#include <unistd.h>

#include "lib/buf.h"
#include "lib/paths.h"
#include "lib/util.h"
#include "lib/xmalloc.h"

static char root_buf[4096];
static pthread_once_t root_once = PTHREAD_ONCE_INIT;

static void
root_from_env(void)
{
	const char *r = getenv("CTYS_PM_ROOT");

	/* "/" and "" both mean the real root */
	snprintf(root_buf, sizeof root_buf, "%s", r && strcmp(r, "/") != 0 ? r : "");
}

void
pm_set_root(const char *root)
{
	pthread_once(&root_once, root_from_env);
	snprintf(root_buf, sizeof root_buf, "%s", root && strcmp(root, "/") != 0 ? root : "");
}

const char *
pm_root(void)
{
	/* jobs run in threads: the environment is read once, race-free */
	pthread_once(&root_once, root_from_env);
	return root_buf;
}

char *
pm_read_file(const char *abs, size_t max)
{
	char *path = xasprintf("%s%s", pm_root(), abs);
	struct buf b = BUF_INIT;
	char chunk[4096];
	FILE *f = fopen(path, "r");
	size_t n;

	free(path);
	if (f == NULL)
		return NULL;
	while (b.len < max && (n = fread(chunk, 1, sizeof chunk, f)) > 0)
		buf_add(&b, chunk, b.len + n > max ? max - b.len : n);
	fclose(f);
	return buf_detach(&b);
}

/* First line of a file, trimmed, into dst; false when missing or empty. */
static bool
read_line(const char *abs, char *dst, size_t dstsz)
{
	char *s = pm_read_file(abs, 4096);
	size_t n;

	if (s == NULL)
		return false;
	n = strcspn(s, "\n");
	while (n > 0 && isspace((unsigned char)s[n - 1]))
		n--;
	s[n] = '\0';
	snprintf(dst, dstsz, "%s", s);
	free(s);
	return n > 0;
}

/* Value of "key<sep>value" in a /proc style file text (first match), trimmed. */
static bool
kv_get(const char *text, const char *key, char sep, char *dst, size_t dstsz)
{
	size_t kl = strlen(key);
	const char *l, *v, *e;

	for (l = text; l && *l; l = strchr(l, '\n') ? strchr(l, '\n') + 1 : NULL) {
		if (strncmp(l, key, kl) != 0)
			continue;
		v = l + kl;
		while (*v == ' ' || *v == '\t')
			v++;
		if (*v != sep)
			continue;
		v++;
		while (*v == ' ' || *v == '\t')
			v++;
		e = v + strcspn(v, "\n");
		while (e > v && isspace((unsigned char)e[-1]))
			e--;
		if (*v == '"' && e > v + 1 && e[-1] == '"') {
			v++;
			e--;
		}
		snprintf(dst, dstsz, "%.*s", (int)(e - v), v);
		return true;
	}
	return false;
}

static unsigned long long
kv_kb(const char *text, const char *key)
{
	char v[64];

	return kv_get(text, key, ':', v, sizeof v) ? strtoull(v, NULL, 10) : 0;
}

static bool
has_flag(const char *flags, const char *flag)
{
	size_t n = strlen(flag);
	const char *s;

	for (s = flags; (s = strstr(s, flag)) != NULL; s += n)
		if ((s == flags || s[-1] == ' ') && (s[n] == ' ' || s[n] == '\0'))
			return true;
	return false;
}

static void
read_cpu(struct pm_host *h)
{
	char *t = pm_read_file("/proc/cpuinfo", 1 << 22), flags[4096];
	const char *l;

	if (t == NULL)
		return;
	kv_get(t, "vendor_id", ':', h->cpu_vendor, sizeof h->cpu_vendor);
	kv_get(t, "model name", ':', h->cpu_model, sizeof h->cpu_model);
	kv_get(t, "cpu MHz", ':', h->cpu_mhz, sizeof h->cpu_mhz);
	for (l = t; l; l = strchr(l, '\n') ? strchr(l, '\n') + 1 : NULL)
		if (strncmp(l, "processor", 9) == 0 && (l[9] == '\t' || l[9] == ' ' || l[9] == ':'))
			h->ncpu++;
	if (kv_get(t, "flags", ':', flags, sizeof flags)) {
		h->vmx = has_flag(flags, "vmx");
		h->svm = has_flag(flags, "svm");
		h->pae = has_flag(flags, "pae");
		h->hypervisor = has_flag(flags, "hypervisor");
	}
	free(t);
}

static void
read_uname(struct pm_host *h)
{
	struct utsname u;

	uname(&u);
	if (!read_line("/proc/sys/kernel/ostype", h->sysname, sizeof h->sysname))
		snprintf(h->sysname, sizeof h->sysname, "%s", u.sysname);
	if (!read_line("/proc/sys/kernel/osrelease", h->release, sizeof h->release))
		snprintf(h->release, sizeof h->release, "%s", u.release);
	if (!read_line("/proc/sys/kernel/arch", h->machine, sizeof h->machine))
		snprintf(h->machine, sizeof h->machine, "%s", u.machine);
	if (!read_line("/proc/sys/kernel/hostname", h->hostname, sizeof h->hostname))
		snprintf(h->hostname, sizeof h->hostname, "%s", u.nodename);
}

static void
read_os_release(struct pm_host *h)
{
	char *t = pm_read_file("/etc/os-release", 65536);

	if (t == NULL)
		t = pm_read_file("/usr/lib/os-release", 65536);
	if (t == NULL)
		return;
	kv_get(t, "PRETTY_NAME", '=', h->os_pretty, sizeof h->os_pretty);
	kv_get(t, "NAME", '=', h->dist, sizeof h->dist);
	kv_get(t, "VERSION_ID", '=', h->distrel, sizeof h->distrel);
	free(t);
}

/* Default route and per-interface IPv4 gateways from /proc/net/route. */
static void
read_routes(struct pm_host *h)
{
	char *t = pm_read_file("/proc/net/route", 1 << 20), *l, *save = NULL;
	char ifn[32];
	unsigned dst, gw, flags, mask;
	size_t i;

	if (t == NULL)
		return;
	for (l = strtok_r(t, "\n", &save); l; l = strtok_r(NULL, "\n", &save)) {
		struct in_addr a;

		if (sscanf(l, "%31s %x %x %x %*d %*d %*d %x", ifn, &dst, &gw, &flags, &mask) != 5)
			continue;
		if (dst != 0 || mask != 0)
			continue;
		if (h->defif[0] == '\0')
			snprintf(h->defif, sizeof h->defif, "%s", ifn);
		a.s_addr = gw; /* the file holds it in network byte order, as hex */
		for (i = 0; i < h->nifs; i++)
			if (strcmp(h->ifs[i].ifname, ifn) == 0 && strchr(h->ifs[i].addr, '.') &&
			    gw != 0)
				inet_ntop(AF_INET, &a, h->ifs[i].gateway, sizeof h->ifs[i].gateway);
	}
	free(t);
}

static void
add_ifaddr(struct pm_host *h, const char *ifn, const struct sockaddr *sa, const struct sockaddr *nm)
{
	struct pm_ifaddr *x;
	char path[128];

	if (h->nifs == PM_MAX_IFADDRS)
		return;
	x = &h->ifs[h->nifs++];
	memset(x, 0, sizeof *x);
	snprintf(x->ifname, sizeof x->ifname, "%s", ifn);
	snprintf(path, sizeof path, "/sys/class/net/%s/address", ifn);
	read_line(path, x->mac, sizeof x->mac);
	if (sa && sa->sa_family == AF_INET) {
		inet_ntop(AF_INET, &((const struct sockaddr_in *)sa)->sin_addr, x->addr, sizeof x->addr);
		if (nm)
			inet_ntop(AF_INET, &((const struct sockaddr_in *)nm)->sin_addr, x->netmask,
			    sizeof x->netmask);
	} else if (sa && sa->sa_family == AF_INET6) {
		inet_ntop(AF_INET6, &((const struct sockaddr_in6 *)sa)->sin6_addr, x->addr,
		    sizeof x->addr);
		if (nm)
			inet_ntop(AF_INET6, &((const struct sockaddr_in6 *)nm)->sin6_addr, x->netmask,
			    sizeof x->netmask);
	}
}

static bool
usable(const struct ifaddrs *a)
{
	return a->ifa_name && (a->ifa_flags & IFF_UP) && !(a->ifa_flags & IFF_LOOPBACK);
}

static void
read_ifaces(struct pm_host *h)
{
	struct ifaddrs *all, *a, *b;
	size_t before;

	if (getifaddrs(&all) != 0)
		return;
	for (a = all; a; a = a->ifa_next) {
		if (!usable(a))
			continue;
		for (b = all; b != a; b = b->ifa_next) /* each interface once, first seen */
			if (usable(b) && strcmp(b->ifa_name, a->ifa_name) == 0)
				break;
		if (b != a)
			continue;
		before = h->nifs;
		for (b = a; b; b = b->ifa_next)
			if (b->ifa_addr && b->ifa_addr->sa_family == AF_INET &&
			    strcmp(b->ifa_name, a->ifa_name) == 0)
				add_ifaddr(h, a->ifa_name, b->ifa_addr, b->ifa_netmask);
		for (b = a; b; b = b->ifa_next)
			if (b->ifa_addr && b->ifa_addr->sa_family == AF_INET6 &&
			    strcmp(b->ifa_name, a->ifa_name) == 0 &&
			    !IN6_IS_ADDR_LINKLOCAL(&((struct sockaddr_in6 *)b->ifa_addr)->sin6_addr))
				add_ifaddr(h, a->ifa_name, b->ifa_addr, b->ifa_netmask);
		if (h->nifs == before)
			add_ifaddr(h, a->ifa_name, NULL, NULL);
		/* no /sys/class/net/<if>/address (another sysfs view): the link layer address */
		for (b = a; b && h->ifs[before].mac[0] == '\0'; b = b->ifa_next) {
			const struct sockaddr_ll *ll = (const struct sockaddr_ll *)b->ifa_addr;
			size_t k;

			if (ll == NULL || ll->sll_family != AF_PACKET || ll->sll_halen != 6 ||
			    strcmp(b->ifa_name, a->ifa_name) != 0)
				continue;
			for (k = before; k < h->nifs; k++)
				snprintf(h->ifs[k].mac, sizeof h->ifs[k].mac,
				    "%02x:%02x:%02x:%02x:%02x:%02x", ll->sll_addr[0], ll->sll_addr[1],
				    ll->sll_addr[2], ll->sll_addr[3], ll->sll_addr[4], ll->sll_addr[5]);
		}
	}
	freeifaddrs(all);
}

void
pm_host_read(struct pm_host *h)
{
	char *t;
	struct group *g;

	memset(h, 0, sizeof *h);
	read_uname(h);
	read_os_release(h);
	read_cpu(h);
	if ((t = pm_read_file("/proc/meminfo", 1 << 16)) != NULL) {
		h->mem_kb = kv_kb(t, "MemTotal");
		h->swap_kb = kv_kb(t, "SwapTotal");
		free(t);
	}
	read_line("/sys/class/dmi/id/product_uuid", h->uuid, sizeof h->uuid);
	snprintf(h->user, sizeof h->user, "%s", ctys_user());
	if ((g = getgrgid(getegid())) != NULL)
		snprintf(h->group, sizeof h->group, "%s", g->gr_name);
	else
		snprintf(h->group, sizeof h->group, "%u", (unsigned)getegid());
	read_ifaces(h);
	read_routes(h);
}

const char *
pm_accel(const struct pm_host *h)
{
	return h->vmx ? "VMX" : h->svm ? "SVM" : "";
}

static void
line(struct strv *out, const char *label, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));

static void
line(struct strv *out, const char *label, const char *fmt, ...)
{
	struct buf b = BUF_INIT;
	va_list ap;

	buf_addf(&b, "%-8s:", label);
	va_start(ap, fmt);
	buf_vaddf(&b, fmt, ap);
	va_end(ap);
	strv_push_owned(out, buf_detach(&b));
}

static void
header(struct strv *out, const char *node)
{
	strv_push(out, "############################");
	strv_push_owned(out, xasprintf("Node:%s", node));
}

static const char *
or_dash(const char *s)
{
	return s && *s ? s : "-";
}

void
pm_info_lines(const struct pm_host *h, const char *node, struct strv *out)
{
	header(out, node);
	line(out, "System", "%s", or_dash(h->sysname));
	line(out, "OS", "%s", or_dash(h->os_pretty));
	line(out, "RELEASE", "%s", or_dash(h->release));
	line(out, "MACHINE", "%s", or_dash(h->machine));
	line(out, "USER", "%s", or_dash(h->user));
	line(out, "CPUVEND", "%s", or_dash(h->cpu_vendor));
	line(out, "CPUMODEL", "%s", or_dash(h->cpu_model));
	line(out, "CPUMHZ", "%s", or_dash(h->cpu_mhz));
	line(out, "CPUS", "%u", h->ncpu);
	line(out, "VIRT", "%s", h->vmx ? "vmx" : h->svm ? "svm" : "none");
	line(out, "VMGUEST", "%s", h->hypervisor ? "yes" : "no");
	line(out, "PAE", "%s", h->pae ? "yes" : "no");
	line(out, "MEMORY", "%llu MB", h->mem_kb / 1024);
	line(out, "SWAP", "%llu MB", h->swap_kb / 1024);
}

/* ---- SHOW ---- */

void
pm_show_cfg_init(struct pm_show_cfg *cfg, const struct conf *c)
{
	const char *v;
	unsigned long u;

	cfg->alarm_load = 2.0;
	cfg->alarm_disk = 90;
	cfg->alarm_mem = 5;
	cfg->alarm_swap = 80;
	cfg->top = 10;
	cfg->disk = NULL;
	if (c == NULL)
		return;
	if ((v = conf_get(c, "PM_ALARM_LOAD")) && *v)
		cfg->alarm_load = strtod(v, NULL);
	if ((v = conf_get(c, "PM_ALARM_DISK")) && parse_uint(v, 100, &u))
		cfg->alarm_disk = (unsigned)u;
	if ((v = conf_get(c, "PM_ALARM_MEM")) && parse_uint(v, 100, &u))
		cfg->alarm_mem = (unsigned)u;
	if ((v = conf_get(c, "PM_ALARM_SWAP")) && parse_uint(v, 100, &u))
		cfg->alarm_swap = (unsigned)u;
	if ((v = conf_get(c, "PM_SHOW_TOP")) && parse_uint(v, 1000, &u))
		cfg->top = (unsigned)u;
}

struct proc {
	int pid;
	unsigned uid;
	char comm[64];
	unsigned long long rss_kb;
	double cpu_s, pcpu;
};

/* One /proc/<pid>: false when it vanished or is malformed. */
static bool
read_proc(int pid, double uptime, long hz, struct proc *p)
{
	char path[64], *t, *rp, v[64];
	unsigned long long ut, st, start;
	double age;
	size_t i;

	snprintf(path, sizeof path, "/proc/%d/stat", pid);
	if ((t = pm_read_file(path, 4096)) == NULL)
		return false;
	memset(p, 0, sizeof *p);
	p->pid = pid;
	rp = strrchr(t, ')');
	if (rp == NULL || strchr(t, '(') == NULL || rp < strchr(t, '(') ||
	    sscanf(rp + 2, "%*c %*d %*d %*d %*d %*d %*u %*u %*u %*u %*u %llu %llu %*d %*d %*d %*d "
	    "%*d %*d %llu", &ut, &st, &start) != 3) {
		free(t);
		return false;
	}
	snprintf(p->comm, sizeof p->comm, "%.*s", (int)(rp - strchr(t, '(') - 1), strchr(t, '(') + 1);
	for (i = 0; p->comm[i]; i++)
		if (!isprint((unsigned char)p->comm[i]) || p->comm[i] == ' ')
			p->comm[i] = '_';
	free(t);
	p->cpu_s = (double)(ut + st) / (double)hz;
	age = uptime - (double)start / (double)hz;
	p->pcpu = age > 0 ? 100.0 * p->cpu_s / age : 0;
	snprintf(path, sizeof path, "/proc/%d/status", pid);
	if ((t = pm_read_file(path, 16384)) != NULL) {
		p->rss_kb = kv_kb(t, "VmRSS");
		if (kv_get(t, "Uid", ':', v, sizeof v))
			p->uid = (unsigned)strtoul(v, NULL, 10);
		free(t);
	}
	return true;
}

static int
by_cpu(const void *a, const void *b)
{
	const struct proc *x = a, *y = b;

	if (x->pcpu != y->pcpu)
		return x->pcpu < y->pcpu ? 1 : -1;
	if (x->cpu_s != y->cpu_s)
		return x->cpu_s < y->cpu_s ? 1 : -1;
	return x->pid - y->pid;
}

/* The top-like snapshot: busiest processes by CPU share over their lifetime (as ps %CPU). */
static void
show_top(struct strv *out, double uptime, unsigned long long mem_kb, unsigned top)
{
	char *dir = xasprintf("%s/proc", pm_root());
	struct proc *v = NULL;
	size_t n = 0, cap = 0, i;
	long hz = sysconf(_SC_CLK_TCK);
	struct dirent *d;
	DIR *dp;

	if (hz <= 0)
		hz = 100;
	if ((dp = opendir(dir)) != NULL) {
		/* bounded: at most 1<<20 entries looked at */
		for (i = 0; i < (1u << 20) && (d = readdir(dp)) != NULL; i++) {
			char *end;
			long pid = strtol(d->d_name, &end, 10);

			if (*end != '\0' || pid <= 0 || pid > 1 << 30)
				continue;
			if (n == cap)
				v = xreallocarray(v, cap = cap ? cap * 2 : 256, sizeof *v);
			if (read_proc((int)pid, uptime, hz, &v[n]))
				n++;
		}
		closedir(dp);
	}
	free(dir);
	sort_array(v, n, sizeof *v, by_cpu);
	line(out, "PROCS", "%zu", n);
	line(out, "TOP", "%6s %-10s %5s %5s %10s %10s %s", "PID", "USER", "%CPU", "%MEM", "RSS-kB",
	    "TIME", "COMMAND");
	for (i = 0; i < n && i < top; i++) {
		struct passwd *pw = getpwuid(v[i].uid);
		unsigned long long cs = (unsigned long long)(v[i].cpu_s * 100 + 0.5);
		char user[16], tm[32];

		if (pw)
			snprintf(user, sizeof user, "%.10s", pw->pw_name);
		else
			snprintf(user, sizeof user, "%u", v[i].uid);
		snprintf(tm, sizeof tm, "%llu:%02llu.%02llu", cs / 6000, cs / 100 % 60, cs % 100);
		line(out, "TOP", "%6d %-10s %5.1f %5.1f %10llu %10s %s", v[i].pid, user, v[i].pcpu,
		    mem_kb ? 100.0 * (double)v[i].rss_kb / (double)mem_kb : 0.0, v[i].rss_kb, tm,
		    v[i].comm);
	}
	free(v);
}

static unsigned
pct(unsigned long long part, unsigned long long whole)
{
	return whole ? (unsigned)((part * 100 + whole / 2) / whole) : 0;
}

void
pm_show_lines(const struct pm_host *h, const char *node, const struct pm_show_cfg *cfg,
    struct strv *out)
{
	char *t, l1[32] = "", l5[32] = "", l15[32] = "", tasks[32] = "";
	double up = 0, load5 = 0;
	unsigned long long total = 0, freek = 0, avail = 0, swt = 0, swf = 0, s;
	struct pm_disk disk = { "/", 0, 0 };
	struct statvfs vfs;
	struct strv alarms = STRV_INIT;
	unsigned ncpu = h->ncpu ? h->ncpu : 1;
	size_t i;

	header(out, node);
	if ((t = pm_read_file("/proc/uptime", 256)) != NULL) {
		up = strtod(t, NULL);
		free(t);
	}
	s = (unsigned long long)up;
	line(out, "UPTIME", "%llu s (%llud %02llu:%02llu:%02llu)", s, s / 86400, s / 3600 % 24,
	    s / 60 % 60, s % 60);
	if ((t = pm_read_file("/proc/loadavg", 256)) != NULL) {
		sscanf(t, "%31s %31s %31s %31s", l1, l5, l15, tasks);
		load5 = strtod(l5, NULL);
		free(t);
	}
	line(out, "LOAD", "%s %s %s", or_dash(l1), or_dash(l5), or_dash(l15));
	line(out, "TASKS", "%s", or_dash(tasks));
	if ((t = pm_read_file("/proc/meminfo", 1 << 16)) != NULL) {
		total = kv_kb(t, "MemTotal");
		freek = kv_kb(t, "MemFree");
		avail = kv_kb(t, "MemAvailable");
		swt = kv_kb(t, "SwapTotal");
		swf = kv_kb(t, "SwapFree");
		free(t);
	}
	if (avail == 0)
		avail = freek;
	line(out, "MEMTOTAL", "%llu MB", total / 1024);
	line(out, "MEMFREE", "%llu MB", freek / 1024);
	line(out, "MEMAVAIL", "%llu MB", avail / 1024);
	line(out, "MEMUSED", "%llu MB", (total > avail ? total - avail : 0) / 1024);
	line(out, "SWAPTOT", "%llu MB", swt / 1024);
	line(out, "SWAPUSED", "%llu MB", (swt > swf ? swt - swf : 0) / 1024);
	if (cfg->disk) {
		disk = *cfg->disk;
	} else if (statvfs("/", &vfs) == 0) {
		disk.total_kb = (unsigned long long)vfs.f_blocks * vfs.f_frsize / 1024;
		disk.avail_kb = (unsigned long long)vfs.f_bavail * vfs.f_frsize / 1024;
	}
	line(out, "DISK", "%s %u%% used (%llu of %llu MB free)", disk.mount,
	    pct(disk.total_kb - disk.avail_kb, disk.total_kb), disk.avail_kb / 1024,
	    disk.total_kb / 1024);
	show_top(out, up, total, cfg->top);

	if (load5 / ncpu > cfg->alarm_load)
		strv_push_owned(&alarms, xasprintf("load %.2f on %u CPUs is over %.2f per CPU", load5,
		    ncpu, cfg->alarm_load));
	if (disk.total_kb && pct(disk.total_kb - disk.avail_kb, disk.total_kb) > cfg->alarm_disk)
		strv_push_owned(&alarms, xasprintf("disk %s %u%% used is over %u%%", disk.mount,
		    pct(disk.total_kb - disk.avail_kb, disk.total_kb), cfg->alarm_disk));
	if (total && pct(avail, total) < cfg->alarm_mem)
		strv_push_owned(&alarms, xasprintf("memory %u%% available is under %u%%",
		    pct(avail, total), cfg->alarm_mem));
	if (swt && pct(swt - swf, swt) > cfg->alarm_swap)
		strv_push_owned(&alarms, xasprintf("swap %u%% used is over %u%%", pct(swt - swf, swt),
		    cfg->alarm_swap));
	for (i = 0; i < alarms.n; i++)
		line(out, "ALARM", "%s", alarms.v[i]);
	line(out, "HEALTH", "%s", alarms.n ? "ALARM" : "OK");
	strv_free(&alarms);
}
