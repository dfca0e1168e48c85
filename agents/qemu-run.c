/*
 * qemu-run.c — running QEMU VMs: the runtime directory, the command line,
 * instances from /proc, CREATE, CANCEL (through QMP), LIST, ISACTIVE and
 * GETCLIENTPORT; see qemu.h.
 */
#include "agents/qemu.h"

#include <ctype.h>
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <grp.h>
#include <netinet/in.h>
#include <pwd.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>
#include <arpa/inet.h>

#include "agents/ctyskeys.h"
#include "agents/exec.h"
#include "agents/guestwait.h"
#include "agents/listrec.h"
#include "agents/stack.h"
#include "lib/paths.h"
#include "lib/proto.h"
#include "lib/shquote.h"
#include "lib/util.h"
#include "lib/xmalloc.h"

#define QEMU_START_TIMEOUT_MS 10000   /* start -> QMP answers */
#define QEMU_QMP_TIMEOUT_MS 5000      /* one QMP command */
#define QEMU_QUIT_WAIT_MS 5000        /* quit -> process gone */
#define QEMU_KILL_WAIT_MS 3000        /* SIGKILL -> process gone */
#define QEMU_MAX_DELAY 3600           /* POWEROFF:<s>, TIMEOUT:<s>, WAITS:<s> */
#define QEMU_VNC_BASE 5900
#define QEMU_VNC_MAX 100              /* displays tried */

/* ---- runtime directory ---- */

static ctys_err_t
mkdir_private(const char *path)
{
	char *p = xstrdup(path), *s;
	struct stat st;

	for (s = p + 1; (s = strchr(s, '/')) != NULL; s++) {
		*s = '\0';
		mkdir(p, 0700);
		*s = '/';
	}
	mkdir(p, 0700);
	free(p);
	if (lstat(path, &st) != 0 || !S_ISDIR(st.st_mode))
		return ctys_seterr(CTYS_ERR_IO, "cannot create directory '%s'", path);
	if (st.st_uid != getuid())
		return ctys_seterr(CTYS_ERR_IO, "'%s' belongs to another user", path);
	if ((st.st_mode & 077) && chmod(path, 0700) != 0)
		return ctys_seterr(CTYS_ERR_IO, "cannot make '%s' private", path);
	return CTYS_OK;
}

const char *
qemu_rundir(void)
{
	static _Thread_local char dir[PATH_MAX];
	const char *e = getenv("CTYS_QEMU_RUNDIR"), *x = getenv("XDG_RUNTIME_DIR");

	if (e && *e)
		snprintf(dir, sizeof dir, "%s", e);
	else if (x && *x)
		snprintf(dir, sizeof dir, "%s/ctys/qemu", x);
	else
		snprintf(dir, sizeof dir, "%s/qemu", ctys_tmpdir());
	return mkdir_private(dir) == CTYS_OK ? dir : NULL;
}

const char *
qemu_suspend_dir(void)
{
	static _Thread_local char dir[PATH_MAX];

	snprintf(dir, sizeof dir, "%s/qemu/suspend", ctys_userdir());
	return mkdir_private(dir) == CTYS_OK ? dir : NULL;
}

/* <rundir>/<label><ext> */
static char *
rpath(const char *rundir, const char *label, const char *ext)
{
	return xasprintf("%s/%s%s", rundir, label, ext);
}

static bool
write_small(const char *path, const char *text)
{
	FILE *f = fopen(path, "w");
	bool ok;

	if (f == NULL)
		return false;
	ok = fputs(text, f) >= 0;
	return fclose(f) == 0 && ok;
}

/* ---- instances ---- */

static bool
is_qemu_exe(const char *a0)
{
	const char *b = strrchr(a0, '/');

	b = b ? b + 1 : a0;
	return strncmp(b, "qemu-system-", 12) == 0 || strcmp(b, "qemu-kvm") == 0 ||
	    strcmp(b, "kvm") == 0 || strcmp(b, "qemu") == 0;
}

/* "unix:/p,server..." or "mon:unix:/p,..." -> "/p" */
static void
sock_of(const char *arg, char *out, size_t n)
{
	const char *u = strstr(arg, "unix:");

	if (u == NULL)
		return;
	u += 5;
	snprintf(out, n, "%.*s", (int)strcspn(u, ","), u);
}

bool
qemu_inst_from_cmdline(const char *cmd, size_t len, struct qemu_inst *i)
{
	const char *argv[512], *s = cmd, *e = cmd + len;
	size_t argc = 0, k;

	memset(i, 0, sizeof *i);
	i->display = -1;
	while (s < e && argc < sizeof argv / sizeof *argv) {
		argv[argc++] = s;
		s += strnlen(s, (size_t)(e - s)) + 1;
	}
	if (argc == 0 || !is_qemu_exe(argv[0]))
		return false;
	snprintf(i->exe, sizeof i->exe, "%s", argv[0]);
	snprintf(i->accel, sizeof i->accel, "TCG");
	for (k = 1; k < argc; k++) {
		const char *a = argv[k], *v = k + 1 < argc ? argv[k + 1] : "";

		if (a[0] == '-' && a[1] == '-')
			a++;
		if (strcmp(a, "-name") == 0) {
			if (strncmp(v, "guest=", 6) == 0)
				v += 6;
			snprintf(i->label, sizeof i->label, "%.*s", (int)strcspn(v, ","), v);
			k++;
		} else if (strcmp(a, "-qmp") == 0) {
			sock_of(v, i->qmp, sizeof i->qmp);
			k++;
		} else if ((strcmp(a, "-serial") == 0 || strcmp(a, "-monitor") == 0) && !i->qmp[0]) {
			if (strncmp(v, "mon:", 4) == 0 || strcmp(a, "-monitor") == 0)
				sock_of(v, i->qmp, sizeof i->qmp);
			k++;
		} else if (strcmp(a, "-vnc") == 0) {
			const char *c = strchr(v, ':');

			if (c && isdigit((unsigned char)c[1]))
				i->display = atoi(c + 1);
			k++;
		} else if (strcmp(a, "-accel") == 0 || strcmp(a, "-machine") == 0) {
			if (strstr(v, "kvm"))
				snprintf(i->accel, sizeof i->accel, "KVM");
			k++;
		} else if (strcmp(a, "-enable-kvm") == 0) {
			snprintf(i->accel, sizeof i->accel, "KVM");
		}
	}
	if (strstr(argv[0], "kvm"))
		snprintf(i->accel, sizeof i->accel, "KVM");
	/* the original's wrapper: the config lies next to the boot image (last argument) */
	if (argc > 1 && argv[argc - 1][0] == '/') {
		const char *img = argv[argc - 1], *sl = strrchr(img, '/');
		char *d = xstrndup(img, (size_t)(sl - img)), *c;
		const char *db = strrchr(d, '/');
		struct stat st;

		c = xasprintf("%s/%s.ctys", d, db ? db + 1 : d);
		if (stat(c, &st) == 0)
			snprintf(i->conf, sizeof i->conf, "%s", c);
		free(c);
		if (!i->conf[0] && i->label[0]) {
			c = xasprintf("%s/%s.ctys", d, i->label);
			if (stat(c, &st) == 0)
				snprintf(i->conf, sizeof i->conf, "%s", c);
			free(c);
		}
		free(d);
	}
	return true;
}

/*
 * Is process pid in the network namespace selfns ("net:[<inode>]")?  A
 * qemu in another namespace (a container, a rig host) belongs to another
 * machine: its user networking and forwarded ports are not this host's.
 * Unknown (unreadable) counts as the same.
 */
static bool
same_netns(const char *pid, const char *selfns)
{
	char p[64], ns[64];
	ssize_t l;

	if (selfns[0] == '\0')
		return true;
	snprintf(p, sizeof p, "/proc/%s/ns/net", pid);
	l = readlink(p, ns, sizeof ns - 1);
	if (l <= 0)
		return true;
	ns[l] = '\0';
	return strcmp(ns, selfns) == 0;
}

size_t
qemu_instances(struct qemu_inst **out)
{
	const char *rd = qemu_rundir();
	DIR *d = opendir("/proc");
	struct dirent *de;
	struct qemu_inst *v = NULL, x;
	size_t n = 0, cap = 0, len;
	struct stat st;
	char p[64], *cmd, *s, selfns[64] = "";
	ssize_t sl;

	*out = NULL;
	if (d == NULL)
		return 0;
	sl = readlink("/proc/self/ns/net", selfns, sizeof selfns - 1);
	selfns[sl > 0 ? sl : 0] = '\0';
	while ((de = readdir(d)) != NULL) {
		if (!isdigit((unsigned char)de->d_name[0]))
			continue;
		snprintf(p, sizeof p, "/proc/%s/cmdline", de->d_name);
		cmd = util_read_file(p, 65536, &len);
		if (cmd == NULL)
			continue;
		if (!qemu_inst_from_cmdline(cmd, len, &x)) {
			free(cmd);
			continue;
		}
		free(cmd);
		if (!same_netns(de->d_name, selfns))
			continue;
		x.pid = (pid_t)atol(de->d_name);
		snprintf(p, sizeof p, "/proc/%s", de->d_name);
		x.uid = stat(p, &st) == 0 ? st.st_uid : (uid_t)-1;
		if (rd && x.label[0]) {
			char *pf = rpath(rd, x.label, ".pid"), *cf;

			s = util_read_file(pf, 64, NULL);
			if (s && atol(s) == (long)x.pid) {
				x.ours = true;
				cf = rpath(rd, x.label, ".conf");
				free(s);
				s = util_read_file(cf, PATH_MAX - 1, NULL);
				if (s) {
					s[strcspn(s, "\n")] = '\0';
					snprintf(x.conf, sizeof x.conf, "%s", s);
				}
				free(cf);
			}
			free(s);
			free(pf);
		}
		if (n == cap) {
			cap = cap ? cap * 2 : 8;
			v = xrealloc(v, cap * sizeof *v);
		}
		v[n++] = x;
	}
	closedir(d);
	*out = v;
	return n;
}

/* Is pid still the qemu process of label? */
static bool
still_running(pid_t pid, const char *label)
{
	char p[64], *cmd;
	size_t len;
	struct qemu_inst x;
	bool ok;

	snprintf(p, sizeof p, "/proc/%ld/cmdline", (long)pid);
	cmd = util_read_file(p, 65536, &len);
	if (cmd == NULL)
		return false;
	ok = len > 0 && qemu_inst_from_cmdline(cmd, len, &x) && strcmp(x.label, label) == 0;
	free(cmd);
	if (ok) {
		char st[256], *c;

		snprintf(p, sizeof p, "/proc/%ld/stat", (long)pid);
		cmd = util_read_file(p, sizeof st - 1, NULL);
		if (cmd && (c = strrchr(cmd, ')')) != NULL && c[1] == ' ' && c[2] == 'Z')
			ok = false;
		free(cmd);
	}
	return ok;
}

static bool
wait_gone(pid_t pid, const char *label, long long ms)
{
	long long end = mono_ms() + ms;

	while (still_running(pid, label)) {
		if (mono_ms() >= end)
			return false;
		sleep_ms(20);
	}
	return true;
}

/* ---- LIST ---- */

void
qemu_list_record(const char *host, const struct qemu_inst *i, const struct qemu_vm *vm,
    rec_emit_fn emit, void *ctx)
{
	const char *f[LREC_NFIELDS];
	char disp[16] = "", cport[16] = "", pid[24], uidb[32], gidb[32], tcp[64] = "";
	struct passwd *pw = getpwuid(i->uid);
	struct group *gr = pw ? getgrgid(pw->pw_gid) : NULL;
	const char *ip = vm ? qemu_vm_get(vm, "IP0") : NULL;
	const char *mac = vm ? qemu_vm_get(vm, "MAC0") : NULL;
	const char *arch = vm ? qemu_vm_get(vm, "ARCH") : NULL;
	size_t k;

	if (ip == NULL && vm)
		ip = qemu_vm_get(vm, "IP");
	if (mac == NULL && vm)
		mac = qemu_vm_get(vm, "MAC");
	if (ip)
		snprintf(tcp, sizeof tcp, "%.*s", (int)strcspn(ip, "%, "), ip);
	for (k = 0; k < LREC_NFIELDS; k++)
		f[k] = "";
	if (i->display >= 0) {
		snprintf(disp, sizeof disp, "%d", i->display);
		snprintf(cport, sizeof cport, "%d", QEMU_VNC_BASE + i->display);
	}
	snprintf(pid, sizeof pid, "%ld", (long)i->pid);
	snprintf(uidb, sizeof uidb, "%s", pw ? pw->pw_name : "");
	if (!pw)
		snprintf(uidb, sizeof uidb, "%u", (unsigned)i->uid);
	snprintf(gidb, sizeof gidb, "%s", gr ? gr->gr_name : "");
	f[0] = host;
	f[1] = "QEMU";
	f[2] = i->label;
	f[3] = i->conf;
	f[4] = vm && qemu_vm_get(vm, "UUID") ? qemu_vm_get(vm, "UUID") : "";
	f[5] = mac ? mac : "";
	f[6] = tcp;
	f[7] = disp;
	f[8] = cport;
	f[9] = i->qmp;
	f[10] = pid;
	f[11] = uidb;
	f[12] = gidb;
	f[13] = "SERVER";
	f[15] = mac || ip ? "0" : "";
	f[18] = i->exe;
	f[19] = qemu_host()->version;
	f[20] = i->accel;
	f[21] = arch && *arch ? arch : "x86_64";
	emit(ctx, f, LREC_NFIELDS);
}

ctys_err_t
qemu_list(const struct pjob *j, rec_emit_fn emit, void *ctx)
{
	struct qemu_inst *v;
	struct qemu_vm vm;
	size_t n, i;

	if (job_has_subopt(j->job, "CLIENT") || job_has_subopt(j->job, "TUNNEL"))
		return CTYS_OK;   /* this plugin starts no clients */
	n = qemu_instances(&v);
	for (i = 0; i < n; i++) {
		bool have = v[i].conf[0] && qemu_vm_load(v[i].conf, &vm) == CTYS_OK;

		qemu_list_record(qemu_host()->hostname, &v[i], have ? &vm : NULL, emit, ctx);
		if (v[i].conf[0])
			qemu_vm_free(&vm);
	}
	free(v);
	return CTYS_OK;
}

/* ---- addressing ---- */

static bool
label_ok(const char *l)
{
	size_t i;

	if (l == NULL || l[0] == '\0' || l[0] == '.' || strlen(l) > 100)
		return false;
	for (i = 0; l[i]; i++)
		if (!isalnum((unsigned char)l[i]) && !strchr("._-+", l[i]))
			return false;
	return true;
}

/*
 * The configuration a CREATE addresses: ID (absolute path), else the first
 * usable one in BASEPATH matching LABEL, FILENAME, UUID and MAC (all given
 * ones).  CTYS_ERR_USAGE without an address, CTYS_ERR_NOTFOUND.
 */
static ctys_err_t
find_vm(const json_t *job, struct qemu_vm *vm)
{
	const char *id = job_subopt(job, "ID"), *label = job_subopt(job, "LABEL");
	const char *fname = job_subopt(job, "FILENAME"), *uuid = job_subopt(job, "UUID");
	const char *mac = job_subopt(job, "MAC");
	struct strv bases = STRV_INIT, files = STRV_INIT;
	ctys_err_t e = CTYS_ERR_NOTFOUND;
	size_t i;

	memset(vm, 0, sizeof *vm);
	if (id) {
		if (id[0] != '/')
			return ctys_seterr(CTYS_ERR_USAGE,
			    "PNAME has to be an absolute path, use fname else");
		e = qemu_vm_load(id, vm);
		if (e == CTYS_OK && !qemu_vm_usable(vm))
			e = ctys_seterr(CTYS_ERR_PARSE, "'%s' is not a QEMU configuration "
			    "(no #@#MAGICID-QEMU, or MAGICID-IGNORE/NOENUM)", id);
		if (e == CTYS_OK && label && strcmp(label, qemu_vm_label(vm)) != 0)
			e = ctys_seterr(CTYS_ERR_NOTFOUND, "'%s' has label '%s', not '%s'", id,
			    qemu_vm_label(vm), label);
		if (e != CTYS_OK)
			qemu_vm_free(vm);
		return e;
	}
	if (!label && !fname && !uuid && !mac)
		return ctys_seterr(CTYS_ERR_USAGE, "Missing address parameter: give LABEL, ID, "
		    "FILENAME, UUID or MAC");
	job_bases(job, &bases);
	qemu_scan(&bases, &files);
	for (i = 0; i < files.n; i++) {
		const char *m;

		if (fname && strstr(files.v[i], fname) == NULL)
			continue;
		if (qemu_vm_load(files.v[i], vm) != CTYS_OK || !qemu_vm_usable(vm)) {
			qemu_vm_free(vm);
			continue;
		}
		m = qemu_vm_get(vm, "MAC0") ? qemu_vm_get(vm, "MAC0") : qemu_vm_get(vm, "MAC");
		if ((label && strcmp(label, qemu_vm_label(vm)) != 0) ||
		    (uuid && !str_ieq(uuid, qemu_vm_get(vm, "UUID") ? qemu_vm_get(vm, "UUID") : "")) ||
		    (mac && !str_ieq(mac, m ? m : ""))) {
			qemu_vm_free(vm);
			continue;
		}
		e = CTYS_OK;
		break;
	}
	if (e != CTYS_OK) {
		struct buf b = BUF_INIT;

		for (i = 0; i < bases.n; i++)
			buf_addf(&b, "%s%s", i ? " " : "", bases.v[i]);
		ctys_seterr(CTYS_ERR_NOTFOUND, "no QEMU configuration for %s%s in %s",
		    label ? "LABEL " : fname ? "FILENAME " : uuid ? "UUID " : "MAC ",
		    label ? label : fname ? fname : uuid ? uuid : mac, buf_cstr(&b));
		buf_free(&b);
	}
	strv_free(&bases);
	strv_free(&files);
	return e;
}

/* The running instance with label (ours first), or NULL; from v[0..n). */
static struct qemu_inst *
inst_by_label(struct qemu_inst *v, size_t n, const char *label)
{
	size_t i;

	for (i = 0; i < n; i++)
		if (v[i].ours && strcmp(v[i].label, label) == 0)
			return &v[i];
	for (i = 0; i < n; i++)
		if (strcmp(v[i].label, label) == 0)
			return &v[i];
	return NULL;
}

/* ---- the command line ---- */

static void
push_split(struct strv *argv, const char *s)
{
	if (s && *s)
		strv_split_ws(argv, s);
}

/* The first non-empty configuration variable of a NULL-terminated list. */
static const char *
vm_first(const struct qemu_vm *vm, const char *const *names)
{
	const char *v;

	for (; *names; names++)
		if ((v = qemu_vm_var(vm, *names)) != NULL && *v)
			return v;
	return NULL;
}

enum boot { B_KERNEL, B_HDD, B_CD, B_FDD, B_USB, B_PXE, B_INSTALL };

static const struct kw boot_modes[] = {
	{ "KERNEL", B_KERNEL }, { "HDD|VHDD", B_HDD }, { "CD|DVD|ISO", B_CD },
	{ "FDD", B_FDD }, { "USB", B_USB }, { "PXE", B_PXE }, { "INSTALL", B_INSTALL },
};

/*
 * The boot device arguments (qemu.h): mode from `sub` ("<mode>[ <path>]",
 * the BOOTMODE suboption decoded), else the configuration.  *hda may be
 * replaced by the path of an HDD boot.
 */
static ctys_err_t
push_boot(const struct qemu_vm *vm, const char *sub, struct strv *argv, const char **hda)
{
	static const char *const kern[] = { "KERNEL", "KERNELIMAGE", NULL };
	static const char *const ird[] = { "INITRD", "INITRDIMAGE", NULL };
	static const char *const cd[] = { "INSTSRCCDROM", "INSTSRCDVD", NULL };
	static const char *const fdd[] = { "INSTSRCFDD", NULL };
	static const char *const usb[] = { "INSTSRCUSB", NULL };
	static const char *const cfg[] = { "BOOTMODE", "DEFAULTBOOTMODE", NULL };
	const char *mode = sub, *kernel = vm_first(vm, kern), *append = qemu_vm_var(vm, "APPEND");
	const char *path = NULL, *initrd = vm_first(vm, ird);
	const char *p;
	char word[16] = "", *w;
	size_t len;
	int id;

	if (mode == NULL || *mode == '\0')
		mode = vm_first(vm, cfg);
	if (mode == NULL || *mode == '\0') {
		/* nothing configured: the kernel, else the disk, else the firmware's order */
		if (kernel == NULL && (*hda == NULL || **hda == '\0'))
			return CTYS_OK;
		mode = kernel ? "KERNEL" : "HDD";
	}
	len = strcspn(mode, " %");
	snprintf(word, sizeof word, "%.*s", (int)(len < sizeof word ? len : sizeof word - 1), mode);
	for (w = word; *w; w++)
		*w = (char)toupper((unsigned char)*w);
	id = kw_lookup(boot_modes, sizeof boot_modes / sizeof *boot_modes, mode, len);
	if (id < 0)
		return ctys_seterr(CTYS_ERR_USAGE, "BOOTMODE '%s' of %s is not one of KERNEL, HDD, "
		    "VHDD, CD, DVD, ISO, FDD, USB, PXE, INSTALL", word, vm->path);
	if (mode[len] && mode[len + 1])
		path = mode + len + 1;
	switch (id) {
	case B_KERNEL:
		if (path)
			kernel = path;
		if (kernel == NULL)
			return ctys_seterr(CTYS_ERR_USAGE, "BOOTMODE KERNEL: no KERNEL (or KERNELIMAGE) "
			    "in %s and no BOOTMODE:KERNEL%%<path>", vm->path);
		strv_push(argv, "-kernel");
		strv_push(argv, kernel);
		if (initrd) {
			strv_push(argv, "-initrd");
			strv_push(argv, initrd);
		}
		if (append && *append) {
			strv_push(argv, "-append");
			strv_push(argv, append);
		}
		return CTYS_OK;
	case B_HDD:
		if (path)
			*hda = path;
		if (*hda == NULL || **hda == '\0')
			return ctys_seterr(CTYS_ERR_USAGE, "BOOTMODE %s: no HDA or HDDBOOTIMAGE in %s and "
			    "no BOOTMODE:%s%%<path>", word, vm->path, word);
		strv_push(argv, "-boot");
		strv_push(argv, "c");
		return CTYS_OK;
	case B_CD:
	case B_INSTALL:
		p = path ? path : vm_first(vm, cd);
		if (p == NULL)
			return ctys_seterr(CTYS_ERR_USAGE, "BOOTMODE %s: no image: give BOOTMODE:%s%%<iso> "
			    "or INSTSRCCDROM in %s", word, word, vm->path);
		strv_push(argv, "-cdrom");
		strv_push(argv, p);
		strv_push(argv, "-boot");
		strv_push(argv, id == B_INSTALL ? "once=d" : "d");
		return CTYS_OK;
	case B_FDD:
		p = path ? path : vm_first(vm, fdd);
		if (p == NULL)
			return ctys_seterr(CTYS_ERR_USAGE, "BOOTMODE FDD: no image: give BOOTMODE:FDD%%<img> "
			    "or INSTSRCFDD in %s", vm->path);
		strv_push(argv, "-fda");
		strv_push(argv, p);
		strv_push(argv, "-boot");
		strv_push(argv, "a");
		return CTYS_OK;
	case B_USB:
		p = path ? path : vm_first(vm, usb);
		if (p == NULL)
			return ctys_seterr(CTYS_ERR_USAGE, "BOOTMODE USB: no image: give BOOTMODE:USB%%<img> "
			    "or INSTSRCUSB in %s", vm->path);
		strv_push(argv, "-device");
		strv_push(argv, "qemu-xhci,id=usbc");
		strv_push(argv, "-drive");
		strv_push_owned(argv, xasprintf("if=none,id=usbboot,format=raw,file=%s", p));
		strv_push(argv, "-device");
		strv_push(argv, "usb-storage,bus=usbc.0,drive=usbboot,bootindex=0");
		return CTYS_OK;
	default:
		strv_push(argv, "-boot");
		strv_push(argv, "n");
		return CTYS_OK;
	}
}

ctys_err_t
qemu_build_argv(const struct qemu_host *h, const struct qemu_vm *vm, const struct qemu_start *s,
    struct strv *argv)
{
	const char *label = qemu_vm_label(vm), *exe = qemu_vm_var(vm, "STARTERCALL");
	const char *mem = qemu_vm_var(vm, "MEMSIZE"), *smp = qemu_vm_var(vm, "SMP");
	const char *hda = qemu_vm_var(vm, "HDA");
	const char *fmt = qemu_vm_var(vm, "QEMU_IMG"), *fwd = qemu_vm_var(vm, "NETFWD");
	ctys_err_t e;
	char *t;
	int n;

	if (exe == NULL || exe[0] != '/' || access(exe, X_OK) != 0)
		exe = h->exe;
	if (exe == NULL || exe[0] == '\0')
		return ctys_seterr(CTYS_ERR_PARSE, "no qemu executable: STARTERCALL of '%s' is not "
		    "an absolute executable path and no qemu-system-x86_64 was found", vm->path);
	if (hda == NULL || *hda == '\0')
		hda = qemu_vm_var(vm, "HDDBOOTIMAGE");
	strv_push(argv, exe);
	strv_push(argv, "-name");
	strv_push(argv, label);
	strv_push(argv, "-accel");
	strv_push(argv, strcmp(s->accel, "KVM") == 0 ? "kvm" : "tcg");
	strv_push(argv, "-m");
	strv_push(argv, mem && *mem ? mem : "256");
	if (smp && *smp) {
		strv_push(argv, "-smp");
		strv_push(argv, smp);
	}
	strv_push(argv, "-nodefaults");
	strv_push(argv, "-no-user-config");
	strv_push(argv, "-qmp");
	strv_push_owned(argv, xasprintf("unix:%s/%s.qmp,server=on,wait=off", s->rundir, label));
	strv_push(argv, "-chardev");
	strv_push_owned(argv, xasprintf("socket,id=con0,path=%s/%s.con,server=on,wait=off,"
	    "logfile=%s/%s.serial", s->rundir, label, s->rundir, label));
	strv_push(argv, "-serial");
	strv_push(argv, "chardev:con0");
	if (strcmp(s->console, "SDL") == 0) {
		strv_push(argv, "-display");
		strv_push(argv, "sdl");
		strv_push(argv, "-vga");
		strv_push(argv, "std");
	} else {
		strv_push(argv, "-display");
		strv_push(argv, "none");
		if (s->display >= 0) {
			strv_push(argv, "-vga");
			strv_push(argv, "std");
			strv_push(argv, "-vnc");
			strv_push_owned(argv, xasprintf("127.0.0.1:%d", s->display));
		}
	}
	e = push_boot(vm, s->bootmode, argv, &hda);
	if (e != CTYS_OK)
		return e;
	/* one NIC per MAC<n>: user networking restricted to the host */
	for (n = 0; n < 8; n++) {
		char k[16];
		const char *mac;

		snprintf(k, sizeof k, "MAC%d", n);
		mac = qemu_vm_get(vm, k);
		if (mac == NULL && n == 0)
			mac = qemu_vm_get(vm, "MAC");
		if (mac == NULL || *mac == '\0')
			continue;
		t = xasprintf("user,id=n%d,restrict=on", n);
		if (n == 0 && fwd && *fwd) {
			char *t2 = xasprintf("%s,hostfwd=tcp:127.0.0.1:%.*s-:%s", t,
			    (int)strcspn(fwd, ":"), fwd, strchr(fwd, ':') ? strchr(fwd, ':') + 1 : "22");

			free(t);
			t = t2;
		}
		strv_push(argv, "-netdev");
		strv_push_owned(argv, t);
		strv_push(argv, "-device");
		strv_push_owned(argv, xasprintf("virtio-net-pci,netdev=n%d,mac=%s", n, mac));
	}
	push_split(argv, qemu_vm_var(vm, "QEMU_ARGS"));
	push_split(argv, s->argsadd);
	if (s->incoming) {
		struct buf b = BUF_INIT;

		buf_adds(&b, "exec:cat ");
		shquote_arg(&b, s->incoming);
		strv_push(argv, "-incoming");
		strv_push_owned(argv, buf_detach(&b));
	}
	if (hda && *hda) {
		strv_push(argv, "-drive");
		strv_push_owned(argv, xasprintf("file=%s,format=%s,if=ide,index=0", hda,
		    fmt && *fmt ? fmt : "raw"));
	}
	return CTYS_OK;
}

/* ---- CREATE ---- */

static bool
port_free(int port)
{
	struct sockaddr_in sa;
	int fd = socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0), one = 1;
	bool ok;

	if (fd < 0)
		return false;
	setsockopt(fd, SOL_SOCKET, SO_REUSEADDR, &one, sizeof one);
	memset(&sa, 0, sizeof sa);
	sa.sin_family = AF_INET;
	sa.sin_port = htons((uint16_t)port);
	sa.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
	ok = bind(fd, (struct sockaddr *)&sa, sizeof sa) == 0;
	close(fd);
	return ok;
}

/*
 * The NETFWD host port must be free on 127.0.0.1 (qemu would die with a
 * terse "could not set up host forwarding rule"); false with *msg set.
 */
static bool
fwd_port_free(const struct qemu_vm *vm, char **msg)
{
	const char *fwd = qemu_vm_var(vm, "NETFWD");
	unsigned long port;
	char p[8];

	*msg = NULL;
	if (fwd == NULL || *fwd == '\0')
		return true;
	snprintf(p, sizeof p, "%.*s", (int)strcspn(fwd, ":"), fwd);
	if (!parse_uint(p, 65535, &port) || port == 0) {
		*msg = xasprintf("NETFWD '%s' of %s: want <hostport>:<guestport>", fwd, vm->path);
		return false;
	}
	if (port_free((int)port))
		return true;
	*msg = xasprintf("NETFWD port %lu on 127.0.0.1 is already in use (%s): nothing started",
	    port, vm->path);
	return false;
}


static int
free_display(const struct qemu_inst *v, size_t n)
{
	int d;
	size_t i;

	for (d = 0; d < QEMU_VNC_MAX; d++) {
		for (i = 0; i < n; i++)
			if (v[i].display == d)
				break;
		if (i == n && port_free(QEMU_VNC_BASE + d))
			return d;
	}
	return -1;
}

/*
 * Start argv detached: its own session and process group, stdin from
 * /dev/null, stdout/stderr into log.  The pid of qemu into *pid.
 */
static ctys_err_t
spawn(const struct strv *argv, const char *log, pid_t *pid)
{
	char **av = xmalloc((argv->n + 1) * sizeof *av);
	int p[2], err = 0, st;
	pid_t c, g = -1;
	ssize_t r;
	size_t i;

	for (i = 0; i < argv->n; i++)
		av[i] = argv->v[i];
	av[argv->n] = NULL;
	if (pipe2(p, O_CLOEXEC) != 0) {
		free(av);
		return ctys_seterr(CTYS_ERR_IO, "pipe: %s", strerror(errno));
	}
	c = fork();
	if (c == 0) {
		sigset_t none;
		int fd;

		setsid();
		g = fork();
		if (g == 0) {
			setpgid(0, 0);
			sigemptyset(&none);
			sigprocmask(SIG_SETMASK, &none, NULL);
			signal(SIGPIPE, SIG_DFL);
			signal(SIGINT, SIG_DFL);
			signal(SIGTERM, SIG_DFL);
			signal(SIGHUP, SIG_IGN);
			fd = open("/dev/null", O_RDONLY);
			dup2(fd, 0);
			fd = open(log, O_WRONLY | O_CREAT | O_TRUNC, 0600);
			dup2(fd, 1);
			dup2(fd, 2);
			for (fd = 3; fd < 1024; fd++)
				if (fd != p[1])
					close(fd);
			execv(av[0], av);
			err = errno;
			r = write(p[1], &err, sizeof err);
			_exit(127);
		}
		r = write(p[1], &g, sizeof g);
		(void)r;
		_exit(g < 0 ? 1 : 0);
	}
	close(p[1]);
	free(av);
	if (c < 0) {
		close(p[0]);
		return ctys_seterr(CTYS_ERR_IO, "fork: %s", strerror(errno));
	}
	while (waitpid(c, &st, 0) < 0 && errno == EINTR)
		;
	r = read(p[0], &g, sizeof g);
	if (r != (ssize_t)sizeof g || g <= 0) {
		close(p[0]);
		return ctys_seterr(CTYS_ERR_IO, "cannot start qemu: fork failed");
	}
	r = read(p[0], &err, sizeof err);
	close(p[0]);
	if (r == (ssize_t)sizeof err)
		return ctys_seterr(CTYS_ERR_IO, "cannot execute '%s': %s", argv->v[0], strerror(err));
	*pid = g;
	return CTYS_OK;
}

/* qemu's stderr (the log) as "stderr" messages, at most 40 lines. */
static void
show_log(const struct pjob *j, const char *log)
{
	char *t = util_read_file(log, 16384, NULL), *s, *e;
	int n = 0;

	for (s = t; s && *s && n < 40; s = *e ? e + 1 : e, n++) {
		e = s + strcspn(s, "\n");
		if (*e)
			*e = '\0';
		else
			e = s + strlen(s);
		job_msg(j->out, "stderr", s);
	}
	free(t);
}

static void
cleanup_files(const char *rd, const char *label)
{
	static const char *const ext[] = { ".pid", ".qmp", ".conf", ".con" };
	size_t i;

	for (i = 0; i < sizeof ext / sizeof *ext; i++) {
		char *p = rpath(rd, label, ext[i]);

		unlink(p);
		free(p);
	}
}

/*
 * The guest's ssh address as this host sees it: with NETFWD=<port>:<guest
 * port>, 127.0.0.1:<port> (the plugin's user networking reaches the guest
 * only through such forwards); else the address and ssh port of #@#IP0
 * (<ip>%<mask>%<relay>%<if>%<sshport>%<gw>) when its relay names a real
 * network (not empty, "slirp" or "user", whose addresses are guest-internal).
 * host[n] receives the address; false when there is none.
 */
static bool
guest_dest(const struct qemu_vm *vm, struct gw_dest *d, char *host, size_t n)
{
	const char *fwd = qemu_vm_var(vm, "NETFWD"), *ip = qemu_vm_get(vm, "IP0");
	unsigned long port = 0;

	memset(d, 0, sizeof *d);
	d->host = host;
	if (fwd && *fwd) {
		char p[8];

		snprintf(p, sizeof p, "%.*s", (int)strcspn(fwd, ":"), fwd);
		if (!parse_uint(p, 65535, &port) || port == 0)
			return false;
		snprintf(host, n, "127.0.0.1");
		d->port = (unsigned)port;
		d->forwarded = true;
		return true;
	}
	if (ip == NULL)
		ip = qemu_vm_get(vm, "IP");
	return ip && ctyskeys_ip_dest(ip, host, n, &d->port);
}

bool
qemu_guest(const char *type, const char *id, char *dest, size_t n)
{
	struct qemu_vm vm;
	struct gw_dest d;
	char host[256];
	bool ok;

	(void)type;
	if (id == NULL || id[0] != '/' || qemu_vm_load(id, &vm) != CTYS_OK)
		return false;
	ok = guest_dest(&vm, &d, host, sizeof host);
	if (ok && d.port && d.port != 22)
		snprintf(dest, n, "%s:%u", host, d.port);
	else if (ok)
		snprintf(dest, n, "%s", host);
	qemu_vm_free(&vm);
	return ok;
}

/*
 * PING, then SSHPING, of a guest just started (guestwait.h); on failure
 * the job status is sent (the VM keeps running) and false returned.
 */
static bool
wait_guest(const struct pjob *j, const struct qemu_vm *vm, const struct gw_spec *ping,
    const struct gw_spec *sshping)
{
	long long timeout = proto_int(j->job, "timeout");
	long long deadline = timeout > 0 ? mono_ms() + timeout * 1000 : 0;
	const char *tp = getenv("CTYS_PING"), *ts = getenv("CTYS_SSHPING");
	const char *label = qemu_vm_label(vm);
	struct gw_dest d;
	char host[256], *m;

	if (!guest_dest(vm, &d, host, sizeof host)) {
		m = xasprintf("%s runs, but PING/SSHPING need its address: NETFWD=<port>:22, or "
		    "#@#IP0 on a real network (not slirp) in %s", label, vm->path);
		job_status(j->out, 2, m);
		free(m);
		return false;
	}
	d.user = job_subopt(j->job, "USER");
	if (gw_ping(j, tp && *tp ? tp : "ping -c 1 -W 2 %s", &d, ping, deadline) &&
	    gw_sshping(j, ts && *ts ? ts : "ssh -o BatchMode=yes -o ConnectTimeout=5 %s true", &d,
	    sshping, deadline))
		return true;
	m = xasprintf("%s was started but does not answer (it keeps running)", label);
	job_status(j->out, 2, m);
	free(m);
	return false;
}

static unsigned long
seconds_arg(const char *s, unsigned long dflt, bool *ok)
{
	char *end;
	unsigned long v;

	if (s == NULL || *s == '\0')
		return dflt;
	errno = 0;
	v = strtoul(s, &end, 10);
	if (errno || *end || v > QEMU_MAX_DELAY || s[0] == '-')
		*ok = false;
	return v;
}

static const char *
upcase(char *b, size_t n, const char *s)
{
	size_t i;

	for (i = 0; s && s[i] && i + 1 < n; i++)
		b[i] = (char)toupper((unsigned char)s[i]);
	b[s ? i : 0] = '\0';
	return b;
}

/* Connect to the instance's QMP socket; job status on failure. */
static bool
qmp_connect(const struct pjob *j, const struct qemu_inst *i, struct qemu_qmp *q, bool report)
{
	if (i->qmp[0] == '\0') {
		if (report)
			job_msg(j->out, "error", "the instance has no QMP socket");
		return false;
	}
	if (qemu_qmp_open(q, i->qmp, QEMU_QMP_TIMEOUT_MS) != CTYS_OK) {
		if (report)
			job_msg(j->out, "error", ctys_errmsg());
		return false;
	}
	return true;
}

static void
report_port(const struct pjob *j, const struct qemu_inst *i, const char *what)
{
	char *m = xasprintf("%s %s: pid %ld, %s, VNC %s%d (port %d), QMP %s", what, i->label,
	    (long)i->pid, i->accel, i->display >= 0 ? ":" : "", i->display >= 0 ? i->display : -1,
	    i->display >= 0 ? QEMU_VNC_BASE + i->display : -1, i->qmp[0] ? i->qmp : "-");

	job_rec(j->out, m);
	free(m);
}

void
qemu_run_create(const struct pjob *j)
{
	const struct qemu_host *h = qemu_host();
	const char *rd = qemu_rundir(), *label, *con, *acc, *sd;
	bool reuse = job_has_subopt(j->job, "REUSE"), connect = job_has_subopt(j->job, "CONNECT") ||
	    job_has_subopt(j->job, "RECONNECT"), resume = job_has_subopt(j->job, "RESUME");
	struct qemu_inst *v = NULL, *run, started;
	struct qemu_start s = { "VNC", -1, "TCG", NULL, NULL, rd, NULL };
	struct gw_spec ping, sshping;
	struct strv argv = STRV_INIT;
	struct qemu_vm vm;
	struct qemu_qmp q;
	char cbuf[32], abuf[16], *log = NULL, *img = NULL, *m, *pf, *cf;
	unsigned long waits;
	bool ok = true;
	size_t n;
	pid_t pid = -1;
	long long t0 = mono_ms(), end;
	ctys_err_t e;

	if (rd == NULL) {
		job_status(j->out, 2, ctys_errmsg());
		return;
	}
	waits = seconds_arg(job_subopt(j->job, "WAITS"), 0, &ok);
	if (!ok) {
		job_status(j->out, 1, "WAITS needs seconds 0..3600");
		return;
	}
	if (gw_parse("PING", job_subopt_present(j->job, "PING"), "QEMU", &ping) != CTYS_OK ||
	    gw_parse("SSHPING", job_subopt_present(j->job, "SSHPING"), "QEMU", &sshping) != CTYS_OK) {
		job_status(j->out, 1, ctys_errmsg());
		return;
	}
	if (find_vm(j->job, &vm) != CTYS_OK) {
		job_status(j->out, 1, ctys_errmsg());
		return;
	}
	label = qemu_vm_label(&vm);
	upcase(abuf, sizeof abuf, qemu_vm_get(&vm, "VMSTATE"));
	if (!label_ok(label)) {
		m = xasprintf("label '%s' of '%s' is not usable (letters, digits, . _ - + only)", label,
		    vm.path);
		job_status(j->out, 1, m);
		goto out_m;
	}
	if (abuf[0] && strcmp(abuf, "ACTIVE") != 0) {
		m = xasprintf("'%s' has VMSTATE %s: only ACTIVE (or empty) machines are started",
		    vm.path, abuf);
		job_status(j->out, 1, m);
		goto out_m;
	}
	n = qemu_instances(&v);
	run = inst_by_label(v, n, label);
	if (run) {
		if (resume && run->qmp[0] && qmp_connect(j, run, &q, true)) {
			char st[32] = "";

			e = qemu_qmp_status(&q, st, sizeof st, QEMU_QMP_TIMEOUT_MS);
			if (e == CTYS_OK && strcmp(st, "running") != 0)
				e = qemu_qmp_cmd(&q, "cont", NULL, NULL, QEMU_QMP_TIMEOUT_MS);
			qemu_qmp_close(&q);
			if (e != CTYS_OK) {
				job_status(j->out, 2, ctys_errmsg());
				goto out;
			}
			report_port(j, run, strcmp(st, "running") ? "resumed (cont)" : "running");
			if ((ping.rep || sshping.rep) && !wait_guest(j, &vm, &ping, &sshping))
				goto out;
			job_status(j->out, 0, NULL);
			goto out;
		}
		if (reuse || connect || resume) {
			report_port(j, run, "running");
			job_status(j->out, 0, NULL);
			goto out;
		}
		m = xasprintf("%s is already running (pid %ld): use REUSE or CONNECT", label,
		    (long)run->pid);
		job_status(j->out, 1, m);
		goto out_m;
	}
	if (connect) {
		m = xasprintf("%s is not running: CONNECT needs a running VM", label);
		job_status(j->out, 1, m);
		goto out_m;
	}
	/* console */
	con = job_subopt(j->job, "CONSOLE");
	if (con == NULL)
		con = qemu_vm_get(&vm, "DEFAULTCONSOLE");
	if (con == NULL || !*con)
		con = getenv("QEMU_DEFAULT_CONSOLE");
	upcase(cbuf, sizeof cbuf, con && *con ? con : "VNC");
	if (strcmp(cbuf, "CLI0") == 0 || strcmp(cbuf, "XTERM") == 0 || strcmp(cbuf, "GTERM") == 0 ||
	    strncmp(cbuf, "EMACS", 5) == 0) {
		job_msg(j->out, "info", "console on the serial socket <rundir>/<label>.con "
		    "(attach with: socat - UNIX-CONNECT:<socket>); no terminal is started");
		snprintf(cbuf, sizeof cbuf, "CLI");
	}
	if (strcmp(cbuf, "VNC") && strcmp(cbuf, "NONE") && strcmp(cbuf, "SDL") && strcmp(cbuf, "CLI")) {
		m = xasprintf("CONSOLE:%s is not supported by QEMU (CLI CLI0 XTERM GTERM EMACS* VNC "
		    "SDL NONE)", cbuf);
		job_status(j->out, 1, m);
		goto out_m;
	}
	if (strcmp(cbuf, "SDL") == 0 && getenv("DISPLAY") == NULL) {
		job_status(j->out, 1, "CONSOLE:SDL needs an X display (DISPLAY is not set)");
		goto out;
	}
	s.console = cbuf;
	if (strcmp(cbuf, "VNC") == 0 || strcmp(cbuf, "NONE") == 0) {
		s.display = free_display(v, n);
		if (s.display < 0) {
			job_status(j->out, 2, "no free VNC display on 127.0.0.1 (5900..5999)");
			goto out;
		}
	}
	/* accelerator: KVM only when the config allows it and /dev/kvm is usable */
	acc = qemu_vm_var(&vm, "ACCELERATOR");
	s.accel = h->accel;
	if (acc && (str_ieq(acc, "QEMU") || str_ieq(acc, "TCG")))
		s.accel = "TCG";
	else if (acc && str_ieq(acc, "KVM") && strcmp(h->accel, "KVM") != 0)
		job_msg(j->out, "warning", "ACCELERATOR=KVM but /dev/kvm is not usable: using TCG");
	/* RESUME from a SUSPEND image */
	sd = qemu_suspend_dir();
	if (resume && sd) {
		struct stat st;

		img = xasprintf("%s/%s.state", sd, label);
		if (stat(img, &st) == 0) {
			s.incoming = img;
		} else {
			job_msg(j->out, "info", "no SUSPEND image: starting normally");
		}
	}
	s.bootmode = job_subopt(j->job, "BOOTMODE");
	if (job_subopt(j->job, "ARGSADD")) {
		const char *a = job_subopt(j->job, "ARGSADD");

		/* ARGSADD:S%<args>: only the server side exists here */
		if ((a[0] == 'S' || a[0] == 'B') && (a[1] == ' ' || a[1] == '%'))
			a += 2;
		s.argsadd = a;
	}
	e = qemu_build_argv(h, &vm, &s, &argv);
	if (e != CTYS_OK) {
		job_status(j->out, e == CTYS_ERR_USAGE ? 1 : 2, ctys_errmsg());
		goto out;
	}
	if (!fwd_port_free(&vm, &m)) {
		job_status(j->out, 1, m);
		goto out_m;
	}
	cleanup_files(rd, label);
	cf = rpath(rd, label, ".conf");
	if (!write_small(cf, vm.path)) {
		m = xasprintf("cannot write into the runtime directory: '%s': %s", cf,
		    strerror(errno));
		unlink(cf);
		free(cf);
		job_status(j->out, 2, m);
		free(m);
		goto out;
	}
	free(cf);
	log = rpath(rd, label, ".log");
	if (spawn(&argv, log, &pid) != CTYS_OK) {
		job_status(j->out, 2, ctys_errmsg());
		cleanup_files(rd, label);
		goto out;
	}
	pf = rpath(rd, label, ".pid");
	m = xasprintf("%ld\n", (long)pid);
	write_small(pf, m);
	free(m);
	free(pf);
	/* wait for QMP (or the death of qemu) */
	memset(&started, 0, sizeof started);
	started.pid = pid;
	started.display = s.display;
	snprintf(started.label, sizeof started.label, "%s", label);
	snprintf(started.accel, sizeof started.accel, "%s", s.accel);
	m = rpath(rd, label, ".qmp");
	snprintf(started.qmp, sizeof started.qmp, "%s", m);
	free(m);
	end = mono_ms() + QEMU_START_TIMEOUT_MS;
	for (;;) {
		if (qemu_qmp_open(&q, started.qmp, 1000) == CTYS_OK)
			break;
		if (!still_running(pid, label)) {
			show_log(j, log);
			m = xasprintf("qemu for %s exited at start (its stderr is above; log %s)", label,
			    log);
			job_status(j->out, 2, m);
			cleanup_files(rd, label);
			goto out_m;
		}
		if (mono_ms() >= end) {
			show_log(j, log);
			kill(pid, SIGKILL);
			wait_gone(pid, label, QEMU_KILL_WAIT_MS);
			cleanup_files(rd, label);
			job_status(j->out, 2, "qemu did not answer on QMP within 10 s: killed");
			goto out;
		}
		sleep_ms(20);
	}
	if (s.incoming) {
		/* the incoming migration runs the VM when complete */
		char st[32] = "";
		long long mend = mono_ms() + 120000;

		/* "inmigrate" until the image is read; the saved VM was stopped: cont */
		while (qemu_qmp_status(&q, st, sizeof st, QEMU_QMP_TIMEOUT_MS) == CTYS_OK &&
		    strcmp(st, "inmigrate") == 0 && mono_ms() < mend)
			sleep_ms(50);
		if ((strcmp(st, "paused") == 0 || strcmp(st, "postmigrate") == 0 ||
		    strcmp(st, "prelaunch") == 0) &&
		    qemu_qmp_cmd(&q, "cont", NULL, NULL, QEMU_QMP_TIMEOUT_MS) == CTYS_OK)
			qemu_qmp_status(&q, st, sizeof st, QEMU_QMP_TIMEOUT_MS);
		if (strcmp(st, "running") != 0) {
			qemu_qmp_close(&q);
			m = xasprintf("%s: resuming from %s did not finish (status %s); the image is "
			    "kept", label, img, st);
			job_status(j->out, 2, m);
			goto out_m;
		}
		unlink(img);
	}
	qemu_qmp_close(&q);
	report_port(j, &started, s.incoming ? "resumed from SUSPEND image" : "started");
	m = xasprintf("%s: QMP ready after %lld ms", label, mono_ms() - t0);
	job_msg(j->out, "info", m);
	free(m);
	if (waits)
		sleep_ms((long)waits * 1000);
	if ((ping.rep || sshping.rep) && !wait_guest(j, &vm, &ping, &sshping))
		goto out;
	job_status(j->out, 0, NULL);
	goto out;
out_m:
	free(m);
out:
	strv_free(&argv);
	free(log);
	free(img);
	free(v);
	qemu_vm_free(&vm);
}

/* ---- CANCEL ---- */

enum qemu_method { QM_POWEROFF, QM_RESET, QM_PAUSE, QM_SUSPEND };

/* POWEROFF on one instance: ACPI, quit, SIGKILL; which step ended it into *how. */
static ctys_err_t
poweroff(const struct pjob *j, const struct qemu_inst *i, unsigned long delay, bool force,
    const char **how)
{
	struct qemu_qmp q;
	bool have = qmp_connect(j, i, &q, false);
	long long t0 = mono_ms();
	char *m;

	*how = NULL;
	if (!have) {
		m = xasprintf("%s: QMP socket '%s' does not answer (%s): killing pid %ld", i->label,
		    i->qmp, ctys_errmsg(), (long)i->pid);
		job_msg(j->out, "warning", m);
		free(m);
	}
	if (have && !force) {
		if (qemu_qmp_cmd(&q, "system_powerdown", NULL, NULL, QEMU_QMP_TIMEOUT_MS) ==
		    CTYS_OK && wait_gone(i->pid, i->label, (long long)delay * 1000)) {
			*how = "ACPI powerdown";
			goto done;
		}
	}
	if (have) {
		qemu_qmp_cmd(&q, "quit", NULL, NULL, QEMU_QMP_TIMEOUT_MS);
		if (wait_gone(i->pid, i->label, QEMU_QUIT_WAIT_MS)) {
			*how = "QMP quit";
			goto done;
		}
	}
	if (still_running(i->pid, i->label))
		kill(i->pid, SIGKILL);
	if (wait_gone(i->pid, i->label, QEMU_KILL_WAIT_MS))
		*how = "SIGKILL";
done:
	if (have)
		qemu_qmp_close(&q);
	if (*how == NULL)
		return ctys_seterr(CTYS_ERR_TIMEOUT, "%s (pid %ld) is still running after SIGKILL",
		    i->label, (long)i->pid);
	m = xasprintf("%s: ended by %s after %lld ms", i->label, *how, mono_ms() - t0);
	job_rec(j->out, m);
	free(m);
	return CTYS_OK;
}

static ctys_err_t
suspend(const struct pjob *j, const struct qemu_inst *i)
{
	const char *sd = qemu_suspend_dir();
	struct qemu_qmp q;
	struct buf uri = BUF_INIT;
	char *img, *tmp, *m, st[32] = "";
	json_t *args, *r = NULL;
	long long end;
	ctys_err_t e;

	if (sd == NULL)
		return CTYS_ERR_IO;
	if (!qmp_connect(j, i, &q, false))
		return CTYS_ERR_IO;
	img = xasprintf("%s/%s.state", sd, i->label);
	tmp = xasprintf("%s.tmp", img);
	buf_adds(&uri, "exec:cat > ");
	shquote_arg(&uri, tmp);
	e = qemu_qmp_cmd(&q, "stop", NULL, NULL, QEMU_QMP_TIMEOUT_MS);
	args = json_pack("{s:s}", "uri", buf_cstr(&uri));
	if (e == CTYS_OK)
		e = qemu_qmp_cmd(&q, "migrate", args, NULL, QEMU_QMP_TIMEOUT_MS);
	else
		json_decref(args);
	end = mono_ms() + 300000;
	while (e == CTYS_OK) {
		e = qemu_qmp_cmd(&q, "query-migrate", NULL, &r, QEMU_QMP_TIMEOUT_MS);
		if (e != CTYS_OK)
			break;
		snprintf(st, sizeof st, "%s", json_string_value(json_object_get(r, "status")) ?
		    json_string_value(json_object_get(r, "status")) : "");
		json_decref(r);
		if (strcmp(st, "completed") == 0)
			break;
		if (strcmp(st, "failed") == 0 || strcmp(st, "cancelled") == 0 || mono_ms() > end) {
			e = ctys_seterr(CTYS_ERR_IO, "saving the state of %s: migration %s", i->label,
			    st[0] ? st : "timed out");
			break;
		}
		sleep_ms(50);
	}
	if (e == CTYS_OK && rename(tmp, img) != 0)
		e = ctys_seterr(CTYS_ERR_IO, "cannot rename '%s': %s", tmp, strerror(errno));
	if (e == CTYS_OK) {
		qemu_qmp_cmd(&q, "quit", NULL, NULL, QEMU_QMP_TIMEOUT_MS);
		if (!wait_gone(i->pid, i->label, QEMU_QUIT_WAIT_MS))
			e = ctys_seterr(CTYS_ERR_TIMEOUT, "%s saved but still running after quit",
			    i->label);
	} else {
		unlink(tmp);
		qemu_qmp_cmd(&q, "cont", NULL, NULL, QEMU_QMP_TIMEOUT_MS);
	}
	qemu_qmp_close(&q);
	if (e == CTYS_OK) {
		m = xasprintf("%s: suspended to %s (CREATE with RESUME continues it)", i->label, img);
		job_rec(j->out, m);
		free(m);
	}
	free(img);
	free(tmp);
	buf_free(&uri);
	return e;
}

static ctys_err_t
simple_cmd(const struct pjob *j, const struct qemu_inst *i, const char *cmd, const char *done)
{
	struct qemu_qmp q;
	ctys_err_t e;
	char *m;

	if (!qmp_connect(j, i, &q, false))
		return CTYS_ERR_IO;
	e = qemu_qmp_cmd(&q, cmd, NULL, NULL, QEMU_QMP_TIMEOUT_MS);
	qemu_qmp_close(&q);
	if (e == CTYS_OK) {
		m = xasprintf("%s: %s (QMP %s)", i->label, done, cmd);
		job_rec(j->out, m);
		free(m);
	}
	return e;
}

/*
 * CANCEL with STACK (the default without FORCE) of POWEROFF, REBOOT and
 * INIT: the guests inside the VMs first, through their agents (stack.h).
 */
static void
cancel_stacked(const struct pjob *j, bool all, const char *label, const char *id,
    const char *fname, unsigned long delay)
{
	const struct plugin_desc *me = plugin_lookup("QEMU", 4);
	struct stack_req r = { SM_POWEROFF, 0, delay, delay };
	struct stack_guest *g = NULL;
	const char *t = job_subopt(j->job, "TIMEOUT"), *init = job_subopt(j->job, "INIT");
	unsigned long n;
	size_t cnt, i, k, failed;
	bool ok = true;
	char *m;

	if (t && *t)
		r.timeout_s = seconds_arg(t, delay, &ok);
	if (job_has_subopt(j->job, "REBOOT"))
		r.method = SM_REBOOT;
	if (init) {
		if (!parse_uint(init, 6, &n)) {
			m = xasprintf("invalid runlevel '%s' for INIT (0-6)", init);
			job_status(j->out, 1, m);
			free(m);
			return;
		}
		r.method = SM_INIT;
		r.runlevel = (int)n;
	}
	cnt = stack_guests(j, me, all ? NULL : label, all ? NULL : id, &g);
	for (i = k = 0; i < cnt; i++)
		if (all || fname == NULL || strstr(g[i].id, fname))
			g[k++] = g[i];
	cnt = k;
	if (cnt == 0 && !all) {
		m = xasprintf("no running QEMU instance for %s%s", label ? "LABEL " : id ? "ID " :
		    "FILENAME ", label ? label : id ? id : fname);
		job_status(j->out, 1, m);
		free(m);
		free(g);
		return;
	}
	failed = stack_cancel(j, g, cnt, &r);
	free(g);
	job_status(j->out, failed ? 2 : 0, failed ? "CANCEL failed for some instances" : NULL);
}

void
qemu_run_cancel(const struct pjob *j)
{
	static const struct { const char *key; enum qemu_method m; } methods[] = {
		{ "POWEROFF", QM_POWEROFF }, { "RESET", QM_RESET }, { "REBOOT", QM_RESET },
		{ "PAUSE", QM_PAUSE }, { "SUSPEND", QM_SUSPEND },
	};
	const char *label = job_subopt(j->job, "LABEL"), *id = job_subopt(j->job, "ID");
	const char *fname = job_subopt(j->job, "FILENAME"), *dflt = getenv("DEFAULT_KILL_DELAY_POWEROFF");
	const char *rd = qemu_rundir(), *how;
	bool all = job_has_subopt(j->job, "ALL"), force = job_has_subopt(j->job, "FORCE"), ok = true;
	enum qemu_method meth = QM_POWEROFF;
	unsigned long delay;
	long long timeout = proto_int(j->job, "timeout");
	struct qemu_inst *v = NULL;
	size_t n, i, k, hit = 0, failed = 0;
	char *m;
	ctys_err_t e;

	if (job_has_subopt(j->job, "INIT") && (force || stack_job_is_inner(j->job))) {
		job_status(j->out, 1, "INIT:<n> is done by the guest's agent (stack propagation): "
		    "not with FORCE");
		return;
	}
	if (job_has_subopt(j->job, "CLIENT")) {
		job_rec(j->out, "QEMU: no client processes to cancel (consoles are not started by "
		    "this plugin)");
		job_status(j->out, 0, NULL);
		return;
	}
	for (k = 0; k < sizeof methods / sizeof *methods; k++)
		if (job_has_subopt(j->job, methods[k].key))
			meth = methods[k].m;
	delay = seconds_arg(dflt, 20, &ok);
	delay = seconds_arg(job_subopt(j->job, "TIMEOUT"), delay, &ok);
	delay = seconds_arg(job_subopt(j->job, "POWEROFF"), delay, &ok);
	if (!ok) {
		job_status(j->out, 1, "POWEROFF:<s>, TIMEOUT:<s> and DEFAULT_KILL_DELAY_POWEROFF need "
		    "seconds 0..3600");
		return;
	}
	if (meth == QM_POWEROFF && timeout > 0 &&
	    (long long)delay * 1000 + QEMU_QUIT_WAIT_MS + QEMU_KILL_WAIT_MS > timeout * 1000) {
		m = xasprintf("the delay of %lu s does not fit the job timeout of %lld s: give "
		    "POWEROFF:<s> or raise CTYS_TIMEOUT", delay, timeout);
		job_status(j->out, 1, m);
		free(m);
		return;
	}
	if (!all && !label && !id && !fname) {
		job_status(j->out, 1, "Missing address parameter: give LABEL, ID, FILENAME or ALL");
		return;
	}
	if (!force && !stack_job_is_inner(j->job) && (meth == QM_POWEROFF ||
	    job_has_subopt(j->job, "REBOOT") || job_has_subopt(j->job, "INIT"))) {
		cancel_stacked(j, all, label, id, fname, delay);
		return;
	}
	if (label && !label_ok(label)) {
		job_status(j->out, 1, "bad LABEL");
		return;
	}
	n = qemu_instances(&v);
	for (i = 0; i < n; i++) {
		struct qemu_inst *x = &v[i];

		if (x->uid != getuid() && getuid() != 0)
			continue;
		if (all ? !x->ours :
		    ((label && strcmp(label, x->label) != 0) || (id && strcmp(id, x->conf) != 0) ||
		    (fname && strstr(x->conf, fname) == NULL)))
			continue;
		hit++;
		switch (meth) {
		case QM_POWEROFF:
			e = poweroff(j, x, delay, force, &how);
			break;
		case QM_RESET:
			e = simple_cmd(j, x, "system_reset", "reset");
			break;
		case QM_PAUSE:
			e = simple_cmd(j, x, "stop", "paused, CREATE with RESUME continues it");
			break;
		case QM_SUSPEND:
		default:
			e = suspend(j, x);
			break;
		}
		if (e != CTYS_OK) {
			m = xasprintf("%s: %s", x->label, ctys_errmsg());
			job_msg(j->out, "error", m);
			free(m);
			failed++;
		} else if (rd && x->ours && (meth == QM_POWEROFF || meth == QM_SUSPEND)) {
			cleanup_files(rd, x->label);
		}
	}
	free(v);
	if (hit == 0 && !all) {
		m = xasprintf("no running QEMU instance for %s%s", label ? "LABEL " : id ? "ID " :
		    "FILENAME ", label ? label : id ? id : fname);
		job_status(j->out, 1, m);
		free(m);
		return;
	}
	job_status(j->out, failed ? 2 : 0, failed ? "CANCEL failed for some instances" : NULL);
}

/* ---- ISACTIVE, GETCLIENTPORT ---- */

static struct qemu_inst *
inst_by_arg(struct qemu_inst *v, size_t n, const char *a)
{
	size_t i;

	if (a && a[0] == '/') {
		for (i = 0; i < n; i++)
			if (strcmp(v[i].conf, a) == 0)
				return &v[i];
		return NULL;
	}
	/* labels match in any case */
	for (i = 0; a && i < n; i++)
		if (v[i].ours && strcasecmp(v[i].label, a) == 0)
			return &v[i];
	for (i = 0; a && i < n; i++)
		if (strcasecmp(v[i].label, a) == 0)
			return &v[i];
	return NULL;
}

void
qemu_run_isactive(const struct pjob *j)
{
	const char *a = job_free_arg(j->job);
	struct qemu_inst *v;
	size_t n = qemu_instances(&v);
	char *m = xasprintf("ISACTIVE(QEMU,%s)=%d", a ? a : "", inst_by_arg(v, n, a) ? 0 : 1);

	job_rec(j->out, m);
	job_status(j->out, 0, NULL);
	free(m);
	free(v);
}

void
qemu_run_clientport(const struct pjob *j)
{
	const char *a = job_free_arg(j->job);
	struct qemu_inst *v, *x;
	size_t n = qemu_instances(&v);
	char *m;

	x = inst_by_arg(v, n, a);
	if (x == NULL || x->display < 0) {
		m = xasprintf("%s: %s", a ? a : "(no argument)", x ? "runs without VNC" :
		    "no running QEMU instance");
		job_status(j->out, 1, m);
	} else {
		m = xasprintf("CLIENTPORT(QEMU,%s,%s)=%d", qemu_host()->hostname, a,
		    QEMU_VNC_BASE + x->display);
		job_rec(j->out, m);
		job_status(j->out, 0, NULL);
	}
	free(m);
	free(v);
}
