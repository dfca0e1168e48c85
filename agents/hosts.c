/* hosts.c — see hosts.h. */
#include "agents/hosts.h"

#include <ctype.h>
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <grp.h>
#include <pwd.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/utsname.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "agents/exec.h"
#include "agents/listrec.h"
#include "lib/paths.h"
#include "lib/proto.h"
#include "lib/util.h"
#include "lib/xmalloc.h"

static void
env_value(const char *env, size_t len, const char *key, char *out, size_t n)
{
	size_t kl = strlen(key), i = 0;

	while (i < len) {
		const char *e = env + i;
		size_t el = strnlen(e, len - i);

		if (el > kl && strncmp(e, key, kl) == 0 && e[kl] == '=') {
			snprintf(out, n, "%.*s", (int)(el - kl - 1), e + kl + 1);
			return;
		}
		i += el + 1;
	}
}

bool
hosts_pid_alive(pid_t pid)
{
	char p[64], *st, *c;
	bool ok;

	snprintf(p, sizeof p, "/proc/%ld/stat", (long)pid);
	st = util_read_file(p, 512, NULL);
	if (st == NULL)
		return false;
	c = strrchr(st, ')');
	ok = c == NULL || c[1] != ' ' || c[2] != 'Z';
	free(st);
	return ok;
}

size_t
hosts_procs(const char *const *names, struct hproc **out)
{
	DIR *d = opendir("/proc");
	struct dirent *de;
	struct hproc *v = NULL;
	size_t n = 0, cap = 0, len, i, k;
	char p[64], *cmd, *env, myns[64] = "", ns[64];
	struct stat st;
	ssize_t nl;

	*out = NULL;
	if (d == NULL)
		return 0;
	if (readlink("/proc/self/ns/net", myns, sizeof myns - 1) < 0)
		myns[0] = '\0';
	while ((de = readdir(d)) != NULL) {
		struct hproc h;
		const char *base;
		bool match = false;

		if (!isdigit((unsigned char)de->d_name[0]))
			continue;
		snprintf(p, sizeof p, "/proc/%s/cmdline", de->d_name);
		if ((cmd = util_read_file(p, 65536, &len)) == NULL)
			continue;
		if (len == 0) {
			free(cmd);
			continue;
		}
		base = strrchr(cmd, '/') ? strrchr(cmd, '/') + 1 : cmd;
		for (k = 0; names && names[k] && !match; k++)
			match = strcmp(base, names[k]) == 0;
		match |= names == NULL;
		/* another network namespace is another machine (a container, a rig node) */
		snprintf(p, sizeof p, "/proc/%s/ns/net", de->d_name);
		memset(ns, 0, sizeof ns);
		nl = readlink(p, ns, sizeof ns - 1);
		if (!match || !hosts_pid_alive((pid_t)atol(de->d_name)) ||
		    (myns[0] && (nl < 0 || strcmp(ns, myns) != 0))) {
			free(cmd);
			continue;
		}
		memset(&h, 0, sizeof h);
		h.pid = (pid_t)atol(de->d_name);
		for (i = 0; i < len; i += strlen(cmd + i) + 1)
			strv_push(&h.argv, cmd + i);
		free(cmd);
		snprintf(p, sizeof p, "/proc/%s", de->d_name);
		h.uid = stat(p, &st) == 0 ? st.st_uid : (uid_t)-1;
		snprintf(p, sizeof p, "/proc/%s/environ", de->d_name);
		if ((env = util_read_file(p, 1 << 20, &len)) != NULL) {
			env_value(env, len, "CTYS_LABEL", h.label, sizeof h.label);
			env_value(env, len, "CTYS_TYPE", h.type, sizeof h.type);
			env_value(env, len, "CTYS_TARGET", h.target, sizeof h.target);
			free(env);
		}
		if (n == cap) {
			cap = cap ? cap * 2 : 8;
			v = xreallocarray(v, cap, sizeof *v);
		}
		v[n++] = h;
	}
	closedir(d);
	*out = v;
	return n;
}

void
hosts_procs_free(struct hproc *v, size_t n)
{
	size_t i;

	for (i = 0; i < n; i++)
		strv_free(&v[i].argv);
	free(v);
}

const char *
hosts_argv_opt(const struct strv *argv, const char *opt)
{
	size_t i;

	for (i = 1; i + 1 < argv->n; i++)
		if (strcmp(argv->v[i], opt) == 0)
			return argv->v[i + 1];
	return NULL;
}

static bool
listening_in(const char *path, int port)
{
	char *t = util_read_file(path, 4 << 20, NULL), *l, *save = NULL;
	bool found = false;

	if (t == NULL)
		return false;
	for (l = strtok_r(t, "\n", &save); l && !found; l = strtok_r(NULL, "\n", &save)) {
		char local[128], remote[128], state[8];
		const char *c;

		if (sscanf(l, "%*s %127s %127s %7s", local, remote, state) != 3)
			continue;
		c = strrchr(local, ':');
		found = c && strcmp(state, "0A") == 0 && strtol(c + 1, NULL, 16) == port;
	}
	free(t);
	return found;
}

bool
hosts_port_listening(int port)
{
	return listening_in("/proc/net/tcp", port) || listening_in("/proc/net/tcp6", port);
}

ctys_err_t
hosts_spawn(const char *const *argv, const char *const *env, const char *log, pid_t *pid)
{
	int pp[2], st, fd;
	pid_t c, grand = -1;
	ssize_t r;
	size_t i;

	if (pipe(pp) != 0)
		return ctys_seterr(CTYS_ERR_IO, "pipe: %s", strerror(errno));
	c = fork();
	if (c < 0) {
		close(pp[0]);
		close(pp[1]);
		return ctys_seterr(CTYS_ERR_IO, "fork: %s", strerror(errno));
	}
	if (c == 0) {
		int errpipe[2];

		setsid();
		close(pp[0]);
		if (pipe2(errpipe, O_CLOEXEC) != 0)
			_exit(1);
		grand = fork();
		if (grand != 0) {
			char ok;

			/* report the grandchild's pid, or -1 when its exec failed */
			close(errpipe[1]);
			if (grand > 0 && read(errpipe[0], &ok, 1) == 1)
				grand = -1;
			if (write(pp[1], &grand, sizeof grand) != (ssize_t)sizeof grand)
				_exit(1);
			_exit(0);
		}
		close(errpipe[0]);
		fd = open("/dev/null", O_RDONLY);
		dup2(fd, 0);
		fd = open(log ? log : "/dev/null", O_WRONLY | O_CREAT | O_APPEND, 0600);
		if (fd < 0)
			fd = open("/dev/null", O_WRONLY);
		dup2(fd, 1);
		dup2(fd, 2);
		for (fd = 3; fd < 1024; fd++)
			if (fd != errpipe[1])
				close(fd);
		for (i = 0; env && env[i]; i++)
			putenv((char *)env[i]);
		signal(SIGPIPE, SIG_DFL);
		signal(SIGHUP, SIG_DFL);
		execvp(argv[0], (char *const *)argv);
		fprintf(stderr, "cannot start '%s': %s\n", argv[0], strerror(errno));
		if (write(errpipe[1], "x", 1) != 1)
			_exit(127);
		_exit(127);
	}
	close(pp[1]);
	r = read(pp[0], &grand, sizeof grand);
	close(pp[0]);
	while (waitpid(c, &st, 0) < 0 && errno == EINTR)
		;
	if (r != (ssize_t)sizeof grand || grand < 0)
		return ctys_seterr(CTYS_ERR_IO, "cannot start '%s'", argv[0]);
	*pid = grand;
	return CTYS_OK;
}

bool
hosts_stop(pid_t pid, int ms, bool kill_it)
{
	int waited = 0;

	if (!hosts_pid_alive(pid))
		return true;
	kill(pid, SIGTERM);
	while (waited < ms && hosts_pid_alive(pid)) {
		sleep_ms(20);
		waited += 20;
	}
	if (hosts_pid_alive(pid) && kill_it) {
		kill(pid, SIGKILL);
		for (waited = 0; waited < 2000 && hosts_pid_alive(pid); waited += 20)
			sleep_ms(20);
	}
	return !hosts_pid_alive(pid);
}

struct conf *
hosts_conf(const struct pjob *j, const char *p)
{
	struct conf *c = conf_new();
	struct utsname u;
	const char *dirs[2] = { ctys_userdir(), ctys_confdir() };
	size_t i;

	if (uname(&u) != 0)
		snprintf(u.sysname, sizeof u.sysname, "Linux");
	for (i = 0; i < 2; i++) {
		char *path = xasprintf("%s/%s/%s.conf-%s.sh", dirs[i], p, p, u.sysname);

		if (conf_load_file(c, path) == CTYS_ERR_PARSE && j)
			job_msg(j->out, "warning", ctys_errmsg());
		free(path);
	}
	ctys_errclear();
	return c;
}

const char *
hosts_job_opt(const json_t *job, char letter)
{
	static _Thread_local char val[256];
	const char *r = proto_str(job, "ropts");
	json_t *o = json_object_get(json_object_get(job, "options"), (char[]){ letter, '\0' });
	struct strv w = STRV_INIT;
	bool found = false;
	size_t i;

	strv_split_ws(&w, r);
	for (i = 0; i < w.n; i++) {
		if (w.v[i][0] == '-' && w.v[i][1] == letter && w.v[i][2] == '\0') {
			snprintf(val, sizeof val, "%s", i + 1 < w.n && w.v[i + 1][0] != '-' ?
			    w.v[i + 1] : "");
			found = true;
		}
	}
	strv_free(&w);
	if (found)
		return val;
	if (json_is_string(o))
		return json_string_value(o);
	return json_is_true(o) ? "" : NULL;
}

bool
hosts_job_geometry(const json_t *job, char *out, size_t n)
{
	const char *g = hosts_job_opt(job, 'r');
	unsigned x, y;

	if (g == NULL || sscanf(g, "%ux%u", &x, &y) != 2)
		g = hosts_job_opt(job, 'g');
	if (g == NULL || sscanf(g, "%ux%u", &x, &y) != 2 || x == 0 || y == 0)
		return false;
	snprintf(out, n, "%ux%u", x, y);
	return true;
}

bool
hosts_label_ok(const char *l)
{
	size_t i, n = l ? strlen(l) : 0;

	if (n == 0 || n > 64 || l[0] == '.' || l[0] == '-')
		return false;
	for (i = 0; i < n; i++)
		if (!isalnum((unsigned char)l[i]) && !strchr("._-", l[i]))
			return false;
	return true;
}

void
hosts_emit(const struct hrec *r, rec_emit_fn emit, void *ctx)
{
	const char *f[LREC_NFIELDS];
	char pid[24], uidb[64], gidb[64];
	struct passwd *pw = getpwuid(r->uid);
	struct group *gr = pw ? getgrgid(pw->pw_gid) : NULL;
	size_t k;

	for (k = 0; k < LREC_NFIELDS; k++)
		f[k] = "";
	snprintf(pid, sizeof pid, "%ld", (long)r->pid);
	if (pw)
		snprintf(uidb, sizeof uidb, "%s", pw->pw_name);
	else
		snprintf(uidb, sizeof uidb, "%u", (unsigned)r->uid);
	snprintf(gidb, sizeof gidb, "%s", gr ? gr->gr_name : "");
	f[0] = r->host;
	f[1] = r->type;
	f[2] = r->label ? r->label : "";
	f[3] = r->id ? r->id : "";
	f[7] = r->display ? r->display : "";
	f[8] = r->cport ? r->cport : "";
	f[9] = r->sport ? r->sport : "";
	f[10] = pid;
	f[11] = uidb;
	f[12] = gidb;
	f[13] = r->site;
	f[18] = r->exe ? r->exe : "";
	emit(ctx, f, LREC_NFIELDS);
}
