/* paths.c — see paths.h. */
#include "lib/paths.h"

#include <limits.h>
#include <pwd.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "lib/buf.h"
#include "lib/xmalloc.h"

#ifndef CTYS_CONFDIR
#define CTYS_CONFDIR "/usr/local/etc/ctys"
#endif
#ifndef CTYS_BINDIR
#define CTYS_BINDIR "/usr/local/bin"
#endif

static char confdir[PATH_MAX];
static char home[PATH_MAX];
static char user[256];
static char userdir[PATH_MAX];
static char tmpdir[PATH_MAX];

static int
is_file(const char *p)
{
	return access(p, R_OK) == 0;
}

/*
 * A binary in <root>/<BINDIR> with <root> not empty was installed with
 * DESTDIR=<root>: its configuration is <root>/<CONFDIR>.  Sets confdir.
 */
static bool
staged_confdir(const char *exedir)
{
	size_t el = strlen(exedir), bl = strlen(CTYS_BINDIR);
	char probe[PATH_MAX + 32];

	if (el <= bl || strcmp(exedir + el - bl, CTYS_BINDIR) != 0)
		return false;
	snprintf(probe, sizeof probe, "%.*s%s/ctys.conf.sh", (int)(el - bl), exedir, CTYS_CONFDIR);
	if (!is_file(probe))
		return false;
	snprintf(confdir, sizeof confdir, "%.*s%s", (int)(el - bl), exedir, CTYS_CONFDIR);
	return true;
}

const char *
ctys_confdir(void)
{
	char exe[PATH_MAX], probe[PATH_MAX + 32], *slash;
	const char *env;
	ssize_t n;

	if (confdir[0])
		return confdir;
	env = getenv("CTYS_CONFDIR");
	if (env && *env) {
		snprintf(confdir, sizeof confdir, "%s", env);
		return confdir;
	}
	n = readlink("/proc/self/exe", exe, sizeof exe - 1);
	if (n > 0) {
		exe[n] = '\0';
		slash = strrchr(exe, '/');
		if (slash) {
			*slash = '\0';
			snprintf(probe, sizeof probe, "%s/../conf/ctys.conf.sh", exe);
			if (is_file(probe) && realpath(probe, exe)) {
				*strrchr(exe, '/') = '\0';
				snprintf(confdir, sizeof confdir, "%s", exe);
				return confdir;
			}
			if (staged_confdir(exe))
				return confdir;
		}
	}
	snprintf(confdir, sizeof confdir, "%s", CTYS_CONFDIR);
	return confdir;
}

const char *
ctys_home(void)
{
	const char *h;
	struct passwd *pw;

	if (home[0])
		return home;
	h = getenv("HOME");
	if ((h == NULL || *h == '\0') && (pw = getpwuid(getuid())) != NULL)
		h = pw->pw_dir;
	snprintf(home, sizeof home, "%s", h && *h ? h : "/");
	return home;
}

const char *
ctys_user(void)
{
	const char *u;
	struct passwd *pw;

	if (user[0])
		return user;
	u = getenv("USER");
	if ((u == NULL || *u == '\0') && (pw = getpwuid(getuid())) != NULL)
		u = pw->pw_name;
	snprintf(user, sizeof user, "%s", u && *u ? u : "nobody");
	return user;
}

const char *
ctys_userdir(void)
{
	if (!userdir[0])
		snprintf(userdir, sizeof userdir, "%s/.ctys", ctys_home());
	return userdir;
}

const char *
ctys_tmpdir(void)
{
	if (!tmpdir[0])
		snprintf(tmpdir, sizeof tmpdir, "/tmp/ctys.%s", ctys_user());
	return tmpdir;
}

static void
set_default(struct conf *c, const char *name, const char *value)
{
	const char *v = conf_get(c, name);

	if (v == NULL || *v == '\0')
		conf_set(c, name, value);
}

ctys_err_t
ctys_conf_load(struct conf *c)
{
	char *path, *v;
	const char *cd = ctys_confdir(), *ud = ctys_userdir(), *tmp = ctys_tmpdir();
	ctys_err_t e;

	path = xasprintf("%s/ctys.conf.sh", ud);
	e = conf_load_file(c, path);
	free(path);
	if (e != CTYS_OK && e != CTYS_ERR_NOENT)
		return e;
	path = xasprintf("%s/ctys.conf.sh", cd);
	e = conf_load_file(c, path);
	free(path);
	if (e != CTYS_OK && e != CTYS_ERR_NOENT)
		return e;
	ctys_errclear();
	/* what the files assign reaches the plugins, as sourcing them did (conf.h) */
	conf_export(c);

	v = xasprintf("%s/groups:%s/groups:%s/groups", ud, cd, tmp);
	set_default(c, "CTYS_GROUPS_PATH", v);
	free(v);
	v = xasprintf("%s/groups", tmp);
	set_default(c, "CTYS_GROUPS_TMPPATH", v);
	free(v);
	path = xasprintf("%s/macros/default", ud);
	v = is_file(path) ? xstrdup(path) : xasprintf("%s/macros/default", cd);
	set_default(c, "CTYS_MACRO_DB", v);
	free(path);
	free(v);
	v = xasprintf(":%s/macros:%s/macros:%s/macros", ud, cd, tmp);
	set_default(c, "CTYS_MACRO_PATH", v);
	free(v);
	v = xasprintf("%s/macros", tmp);
	set_default(c, "CTYS_MACRO_TMPPATH", v);
	free(v);
	set_default(c, "CTYS_MAXRECURSE", "20");
	v = xasprintf("%s/db/default", ud);
	set_default(c, "DEFAULT_DBPATHLST", v);
	free(v);
	set_default(c, "DBPATHLST", conf_get(c, "DEFAULT_DBPATHLST"));
	set_default(c, "DEFAULT_C_SESSIONTYPE", "VNC");
	set_default(c, "DEFAULT_C_SCOPE", "USER");
	set_default(c, "DEFAULT_C_MODE_ARGS_LIST", "both,tab_tcp,dns");
	set_default(c, "DEFAULT_KILL_DELAY_POWEROFF", "20");
	set_default(c, "DEFAULT_ENUM_BASE", "~ /etc/ctys.d /mntn/vmpool");
	return CTYS_OK;
}

void
ctys_exec_sibling(const char *prog, char *const argv[])
{
	char self[PATH_MAX], path[PATH_MAX + 64], *slash;
	ssize_t n = readlink("/proc/self/exe", self, sizeof self - 1);

	if (n > 0) {
		self[n] = '\0';
		if ((slash = strrchr(self, '/')) != NULL) {
			*slash = '\0';
			snprintf(path, sizeof path, "%s/%s", self, prog);
			execv(path, argv);
		}
	}
	execvp(prog, argv);
}
