/*
 * qemu.c — the QEMU/KVM plugin (plugins.md §5.2, ctys-QEMU(1)): probe,
 * ENUMERATE and the ops table; the parts are in qemu-conf.c, qemu-qmp.c
 * and qemu-run.c (see qemu.h).
 */
#include "agents/qemu.h"

#include <fcntl.h>
#include <grp.h>
#include <pthread.h>
#include <pwd.h>
#include <stdio.h>
#include <sys/stat.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

#include "agents/exec.h"
#include "agents/plugins.h"
#include "lib/paths.h"
#include "lib/xmalloc.h"

#define QEMU_PATHLIST_DEFAULT "/opt/qemu/bin:/usr/libexec:/usr/local/bin:/usr/bin"

static struct qemu_host host;
static pthread_once_t host_once = PTHREAD_ONCE_INIT;

/* First executable `name` in the ':'-separated list, into out. */
static bool
find_in(const char *list, const char *name, char *out, size_t n)
{
	const char *s = list, *e;

	while (s && *s) {
		e = s + strcspn(s, ":");
		if (e > s) {
			snprintf(out, n, "%.*s/%s", (int)(e - s), s, name);
			if (access(out, X_OK) == 0)
				return true;
		}
		s = *e ? e + 1 : e;
	}
	return false;
}

/*
 * The version remembered for exe (same path and mtime) in the runtime
 * directory: running `qemu -version` maps about a hundred libraries, tens
 * of ms that every agent start would pay again (a stack CANCEL starts one
 * agent per guest).  cache[0] == '\0' when there is none.
 */
static char *
version_cache_path(void)
{
	const char *rd = qemu_rundir();

	return rd ? xasprintf("%s/qemu-version", rd) : NULL;
}

static bool
version_cached(const char *exe, const struct stat *st, char *out, size_t n)
{
	char *path = version_cache_path(), line[PATH_MAX + 128], want[PATH_MAX + 64];
	FILE *f = path ? fopen(path, "r") : NULL;
	bool ok = false;

	free(path);
	if (f == NULL)
		return false;
	snprintf(want, sizeof want, "%s\t%lld\t", exe, (long long)st->st_mtime);
	if (fgets(line, sizeof line, f) && strncmp(line, want, strlen(want)) == 0) {
		snprintf(out, n, "%.*s", (int)strcspn(line + strlen(want), "\n"), line + strlen(want));
		ok = out[0] != '\0';
	}
	fclose(f);
	return ok;
}

static void
version_remember(const char *exe, const struct stat *st, const char *version)
{
	char *path = version_cache_path(), *tmp;
	FILE *f;

	if (path == NULL)
		return;
	tmp = xasprintf("%s.%ld", path, (long)getpid());
	if ((f = fopen(tmp, "w")) != NULL) {
		fprintf(f, "%s\t%lld\t%s\n", exe, (long long)st->st_mtime, version);
		if (fclose(f) == 0 && rename(tmp, path) == 0) {
			free(tmp);
			free(path);
			return;
		}
	}
	unlink(tmp);
	free(tmp);
	free(path);
}

/* "QEMU emulator version 7.2.22 (...)" -> "7.2.22" */
static void
read_version(const char *exe, char *out, size_t n)
{
	int p[2], st;
	char b[512];
	ssize_t r, got = 0;
	pid_t pid;
	char *v;

	out[0] = '\0';
	if (pipe(p) != 0)
		return;
	pid = fork();
	if (pid == 0) {
		int nul = open("/dev/null", O_RDWR);

		dup2(nul, 0);
		dup2(p[1], 1);
		dup2(nul, 2);
		close(p[0]);
		close(p[1]);
		execl(exe, exe, "-version", (char *)NULL);
		_exit(127);
	}
	close(p[1]);
	while (pid > 0 && got < (ssize_t)sizeof b - 1 &&
	    (r = read(p[0], b + got, sizeof b - 1 - (size_t)got)) > 0)
		got += r;
	close(p[0]);
	if (pid > 0)
		waitpid(pid, &st, 0);
	b[got] = '\0';
	if ((v = strstr(b, "version ")) != NULL)
		snprintf(out, n, "%.*s", (int)strcspn(v + 8, " \n("), v + 8);
}

static void
host_probe(void)
{
	static const char *const names[] = { "qemu-system-x86_64", "qemu-kvm", "kvm" };
	const char *pl = getenv("QEMU_PATHLIST"), *env = getenv("QEMU_EXE"), *acc;
	struct passwd *pw = getpwuid(getuid());
	struct group *gr = getgrgid(getgid());
	size_t i;
	int fd;

	gethostname(host.hostname, sizeof host.hostname - 1);
	snprintf(host.user, sizeof host.user, "%s", pw ? pw->pw_name : ctys_user());
	if (gr)
		snprintf(host.group, sizeof host.group, "%s", gr->gr_name);
	else
		snprintf(host.group, sizeof host.group, "%u", (unsigned)getgid());
	if (env && *env && access(env, X_OK) == 0)
		snprintf(host.exe, sizeof host.exe, "%s", env);
	for (i = 0; !host.exe[0] && i < sizeof names / sizeof *names; i++)
		if (!find_in(pl ? pl : QEMU_PATHLIST_DEFAULT, names[i], host.exe, sizeof host.exe) &&
		    !find_in(getenv("PATH"), names[i], host.exe, sizeof host.exe))
			host.exe[0] = '\0';
	if (host.exe[0]) {
		struct stat st;

		if (stat(host.exe, &st) != 0 ||
		    !version_cached(host.exe, &st, host.version, sizeof host.version)) {
			read_version(host.exe, host.version, sizeof host.version);
			if (host.version[0] && stat(host.exe, &st) == 0)
				version_remember(host.exe, &st, host.version);
		}
	}
	fd = open("/dev/kvm", O_RDWR | O_CLOEXEC);
	snprintf(host.accel, sizeof host.accel, "%s", fd >= 0 ? "KVM" : "TCG");
	if (fd >= 0)
		close(fd);
	/* QEMU_ACCEL=TCG: KVM opens but cannot run guests here (testing-notes §4) */
	acc = getenv("QEMU_ACCEL");
	if (acc && (strcasecmp(acc, "TCG") == 0 || strcasecmp(acc, "QEMU") == 0))
		snprintf(host.accel, sizeof host.accel, "TCG");
}

const struct qemu_host *
qemu_host(void)
{
	pthread_once(&host_once, host_probe);
	return &host;
}

static void
qemu_probe(struct plugin_state *st)
{
	const struct qemu_host *h = qemu_host();

	st->enabled = st->server = st->client = h->exe[0] != '\0';
	snprintf(st->magic, sizeof st->magic, "QEMU_%s", h->version[0] ? h->version : "unknown");
	snprintf(st->accel, sizeof st->accel, "%s", h->accel);
	if (!st->enabled)
		snprintf(st->why, sizeof st->why, "no qemu-system-x86_64 in QEMU_PATHLIST or PATH");
}

static ctys_err_t
qemu_enumerate(const struct pjob *j, const struct strv *bases, rec_emit_fn emit, void *ctx)
{
	struct strv files = STRV_INIT;
	struct qemu_vm vm;
	size_t i;
	char *m;

	qemu_scan(bases, &files);
	for (i = 0; i < files.n; i++) {
		if (qemu_vm_load(files.v[i], &vm) != CTYS_OK) {
			job_msg(j->out, "warning", ctys_errmsg());
			qemu_vm_free(&vm);
			continue;
		}
		if (qemu_vm_usable(&vm))
			qemu_enum_records(qemu_host(), &vm, emit, ctx);
		qemu_vm_free(&vm);
	}
	if (files.n >= QEMU_SCAN_MAX) {
		m = xasprintf("QEMU: scan stopped after %d files", QEMU_SCAN_MAX);
		job_msg(j->out, "warning", m);
		free(m);
	}
	strv_free(&files);
	return CTYS_OK;
}

const struct plugin_ops qemu_ops = {
	.probe = qemu_probe,
	.run = { [CTYS_ACT_CREATE] = qemu_run_create, [CTYS_ACT_CANCEL] = qemu_run_cancel,
		[CTYS_ACT_ISACTIVE] = qemu_run_isactive,
		[CTYS_ACT_GETCLIENTPORT] = qemu_run_clientport },
	.list = qemu_list,
	.enumerate = qemu_enumerate,
	.guest = qemu_guest,
};
