/* ctyskeys.c — see ctyskeys.h. */
#include "agents/ctyskeys.h"

#include <dirent.h>
#include <grp.h>
#include <limits.h>
#include <pwd.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/stat.h>
#include <unistd.h>

#include "agents/agent.h"
#include "agents/exec.h"
#include "agents/stack.h"
#include "agents/tool.h"
#include "lib/buf.h"
#include "lib/paths.h"
#include "lib/util.h"
#include "lib/xmalloc.h"

void
ctyskeys_rec_init(struct ctyskeys_rec *r)
{
	unsigned i;

	r->f[0] = NULL;
	for (i = 1; i <= REC_NFIELDS; i++)
		r->f[i] = xstrdup("");
}

void
ctyskeys_rec_copy(struct ctyskeys_rec *dst, const struct ctyskeys_rec *src)
{
	unsigned i;

	dst->f[0] = NULL;
	for (i = 1; i <= REC_NFIELDS; i++)
		dst->f[i] = xstrdup(src->f[i]);
}

void
ctyskeys_rec_set(struct ctyskeys_rec *r, unsigned field, const char *v)
{
	char *p;

	free(r->f[field]);
	r->f[field] = xstrdup(v ? v : "");
	for (p = r->f[field]; *p; p++)
		if (*p == ';' || (unsigned char)*p < 0x20 || *p == 0x7f)
			*p = '_';
}

void
ctyskeys_rec_free(struct ctyskeys_rec *r)
{
	unsigned i;

	for (i = 1; i <= REC_NFIELDS; i++) {
		free(r->f[i]);
		r->f[i] = NULL;
	}
}

void
ctyskeys_account(char *user, size_t un, char *group, size_t gn)
{
	struct passwd *pw = getpwuid(getuid());
	struct group *gr = getgrgid(getgid());

	if (pw)
		snprintf(user, un, "%s", pw->pw_name);
	else
		snprintf(user, un, "%u", (unsigned)getuid());
	if (gr)
		snprintf(group, gn, "%s", gr->gr_name);
	else
		snprintf(group, gn, "%u", (unsigned)getgid());
}

void
ctyskeys_rec_vm(struct ctyskeys_rec *r, const char *type, const char *id)
{
	char user[64], group[64];

	ctyskeys_rec_init(r);
	ctyskeys_account(user, sizeof user, group, sizeof group);
	ctyskeys_rec_set(r, CK_HOST, agent_hostname());
	ctyskeys_rec_set(r, CK_TYPE, type);
	ctyskeys_rec_set(r, CK_ID, id);
	ctyskeys_rec_set(r, CK_CATEGORY, "VM");
	ctyskeys_rec_set(r, CK_EXECLOC, "LOCAL");
	ctyskeys_rec_set(r, CK_RELOCCAP, "PINNED");
	ctyskeys_rec_set(r, CK_VCPU, "1");
	ctyskeys_rec_set(r, CK_UID, user);
	ctyskeys_rec_set(r, CK_GID, group);
}

static bool
is_file(const char *p)
{
	struct stat st;

	return stat(p, &st) == 0 && S_ISREG(st.st_mode);
}

static void
push_once(struct strv *l, char *p)
{
	size_t i;

	for (i = 0; i < l->n; i++)
		if (strcmp(l->v[i], p) == 0) {
			free(p);
			return;
		}
	if (is_file(p))
		strv_push_owned(l, p);
	else
		free(p);
}

void
ctyskeys_chain(const char *path, struct strv *files)
{
	const char *slash = strrchr(path, '/'), *dot = strrchr(path, '.');
	size_t stem = dot && (!slash || dot > slash) ? (size_t)(dot - path) : strlen(path);

	push_once(files, xstrdup(path));
	push_once(files, xasprintf("%.*s.ctys", (int)stem, path));
	if (slash && slash > path)
		push_once(files, xasprintf("%.*s.ctys", (int)(slash - path), path));
}

char *
ctyskeys_read(const char *path, size_t max)
{
	FILE *f = fopen(path, "r");
	char *t;
	size_t n;

	if (f == NULL)
		return NULL;
	t = xmalloc(max + 1);
	n = fread(t, 1, max, f);
	fclose(f);
	t[n] = '\0';
	return t;
}

bool
ctyskeys_load(const struct strv *files, const char *type, struct pm_conf *c)
{
	struct buf b = BUF_INIT;
	bool any = false;
	size_t i;

	for (i = 0; i < files->n; i++) {
		char *t = ctyskeys_read(files->v[i], PM_CONF_MAX / 4);

		if (t == NULL)
			continue;
		any = true;
		buf_adds(&b, t);
		buf_addc(&b, '\n');
		free(t);
	}
	if (pm_conf_parse(buf_cstr(&b), b.len, type, c) != CTYS_OK)
		memset(c, 0, sizeof *c);
	buf_free(&b);
	return any;
}

static const struct {
	const char *key;
	unsigned field;
} key_fields[] = {
	{ "LABEL", CK_LABEL }, { "UUID", CK_UUID }, { "VNCACCESSDISPLAY", CK_DISP },
	{ "VNCACCESSPORT", CK_CPORT }, { "SPORT", CK_SPORT }, { "VNCBASEPORT", CK_VNCBASE },
	{ "DIST", CK_DIST }, { "DISTREL", CK_DISTREL }, { "OS", CK_OS }, { "OSREL", CK_OSREL },
	{ "VERSION", CK_VERSION }, { "SERNO", CK_SERNO }, { "CATEGORY", CK_CATEGORY },
	{ "VMSTATE", CK_VMSTATE }, { "INST_HYPERREL", CK_HYPERREL }, { "STACKCAP", CK_STACKCAP },
	{ "STACKREQ", CK_STACKREQ }, { "HWCAP", CK_HWCAP }, { "HWREQ", CK_HWREQ },
	{ "EXECLOCATION", CK_EXECLOC }, { "RELOCCAP", CK_RELOCCAP }, { "SSHPORT", CK_SSHPORT },
	{ "INST_ACCELERATOR", CK_ACCEL }, { "STARTERCALL", CK_EXEP },
	{ "GUESTGATEWAY", CK_GATEWAY }, { "ARCH", CK_ARCH }, { "PLATFORM", CK_PLATFORM },
	{ "VRAM", CK_VRAM }, { "VCPU", CK_VCPU }, { "CSTRG", CK_CSTRG }, { "USTRG", CK_USTRG },
	{ "DEFAULTHOSTS", CK_DEFH }, { "DEFAULTCONSOLE", CK_DEFC },
};

void
ctyskeys_apply(struct ctyskeys_rec *r, const struct pm_conf *c)
{
	const char *v;
	size_t i;

	for (i = 0; i < sizeof key_fields / sizeof *key_fields; i++) {
		v = pm_conf_get(c, key_fields[i].key);
		if (v && *v)
			ctyskeys_rec_set(r, key_fields[i].field, v);
	}
	v = pm_conf_get(c, "CTYSRELEASE");
	if (v && *v && pm_conf_get(c, "CTYSREL"))
		ctyskeys_rec_set(r, CK_CTYSREL, v);
}

/* Value of key<n> (key0 also as key). */
static const char *
indexed(const struct pm_conf *c, const char *key, size_t n)
{
	char k[40];
	const char *v;

	snprintf(k, sizeof k, "%s%zu", key, n);
	v = pm_conf_get(c, k);
	if (v == NULL && n == 0)
		v = pm_conf_get(c, key);
	return v;
}

static void
emit_rec(const struct ctyskeys_rec *r, rec_emit_fn emit, void *ctx)
{
	emit(ctx, (const char *const *)(r->f + 1), REC_NFIELDS);
}

size_t
ctyskeys_emit_nics(const struct ctyskeys_rec *base, const struct pm_conf *c,
    const struct strv *macs, const struct strv *relays, rec_emit_fn emit, void *ctx)
{
	size_t n, count = 0, max = macs ? macs->n : 0;
	struct ctyskeys_rec r;
	char ifdef[24];

	for (n = 0; n < 100; n++)
		if (indexed(c, "MAC", n) || indexed(c, "IP", n))
			max = n + 1 > max ? n + 1 : max;
	for (n = 0; n < max; n++) {
		const char *mac = indexed(c, "MAC", n), *ips = indexed(c, "IP", n), *s, *t;

		if (mac == NULL && macs && n < macs->n)
			mac = macs->v[n];
		if (mac == NULL && ips == NULL)
			continue;
		snprintf(ifdef, sizeof ifdef, "%zu", n);
		s = ips ? ips : "";
		do {
			char part[6][128] = { "", "", "", "", "", "" };
			size_t k = 0, len;
			const char *p = s;

			t = s + strcspn(s, ",");
			while (p < t && k < 6) {
				len = strcspn(p, "% ");
				if (p + len > t)
					len = (size_t)(t - p);
				snprintf(part[k++], sizeof part[0], "%.*s", (int)len, p);
				p += len;
				if (p < t)
					p++;
			}
			ctyskeys_rec_copy(&r, base);
			ctyskeys_rec_set(&r, CK_MAC, mac ? mac : "");
			ctyskeys_rec_set(&r, CK_TCP, part[0]);
			ctyskeys_rec_set(&r, CK_IFNAME, part[3][0] ? part[3] : ifdef);
			if (part[1][0])
				ctyskeys_rec_set(&r, CK_NETMASK, part[1]);
			if (part[2][0])
				ctyskeys_rec_set(&r, CK_RELAY, part[2]);
			else if (relays && n < relays->n && relays->v[n])
				ctyskeys_rec_set(&r, CK_RELAY, relays->v[n]);
			if (part[4][0])
				ctyskeys_rec_set(&r, CK_SSHPORT, part[4]);
			if (part[5][0])
				ctyskeys_rec_set(&r, CK_GATEWAY, part[5]);
			emit_rec(&r, emit, ctx);
			ctyskeys_rec_free(&r);
			count++;
			s = *t ? t + 1 : t;
		} while (*s);
	}
	if (count == 0) {
		emit_rec(base, emit, ctx);
		count++;
	}
	return count;
}

static int
cmp_str(const void *a, const void *b)
{
	return strcmp(*(char *const *)a, *(char *const *)b);
}

static bool
ends_with_any(const char *name, const char *const *exts)
{
	size_t n = strlen(name), k, i;

	for (i = 0; exts[i]; i++) {
		k = strlen(exts[i]);
		if (n > k && strcmp(name + n - k, exts[i]) == 0)
			return true;
	}
	return false;
}

static void
scan_dir(const char *dir, const char *const *exts, int depth, struct strv *seen, struct strv *out)
{
	struct strv names = STRV_INIT;
	struct dirent *d;
	struct stat st;
	char rp[PATH_MAX];
	DIR *dp;
	size_t i, k;

	if (depth > 12 || (dp = opendir(dir)) == NULL)
		return;
	while ((d = readdir(dp)) != NULL)
		if (strcmp(d->d_name, ".") != 0 && strcmp(d->d_name, "..") != 0)
			strv_push(&names, d->d_name);
	closedir(dp);
	if (names.n)
		sort_array(names.v, names.n, sizeof *names.v, cmp_str);
	for (i = 0; i < names.n; i++) {
		char *p = xasprintf("%s/%s", strcmp(dir, "/") == 0 ? "" : dir, names.v[i]);

		if (lstat(p, &st) != 0) {
			free(p);
			continue;
		}
		if (S_ISDIR(st.st_mode)) {
			scan_dir(p, exts, depth + 1, seen, out);
		} else if (ends_with_any(names.v[i], exts) && is_file(p) &&
		    realpath(p, rp) != NULL) {
			for (k = 0; k < seen->n && strcmp(seen->v[k], rp) != 0; k++)
				;
			if (k == seen->n) {
				strv_push(seen, rp);
				strv_push(out, p);
			}
		}
		free(p);
	}
	strv_free(&names);
}

void
ctyskeys_scan(const struct strv *bases, const char *const *exts, struct strv *out)
{
	struct strv seen = STRV_INIT;
	size_t i;

	for (i = 0; bases && i < bases->n; i++)
		scan_dir(bases->v[i], exts, 0, &seen, out);
	strv_free(&seen);
}

ctys_err_t
ctyskeys_addr_get(const json_t *job, bool allow_all, struct ctyskeys_addr *a)
{
	memset(a, 0, sizeof *a);
	a->label = job_subopt(job, "LABEL");
	a->id = job_subopt(job, "ID");
	a->filename = job_subopt(job, "FILENAME");
	a->uuid = job_subopt(job, "UUID");
	a->mac = job_subopt(job, "MAC");
	a->tcp = job_subopt(job, "TCP");
	a->all = allow_all && job_has_subopt(job, "ALL");
	if (a->id && a->id[0] != '/')
		return ctys_seterr(CTYS_ERR_USAGE, "PNAME has to be an absolute path, use fname else: "
		    "'%s'", a->id);
	if (!a->all && !a->label && !a->id && !a->filename && !a->uuid && !a->mac && !a->tcp)
		return ctys_seterr(CTYS_ERR_USAGE, "Missing address parameter (LABEL, ID, FILENAME, "
		    "UUID, MAC or TCP%s)", allow_all ? ", or ALL" : "");
	return CTYS_OK;
}

bool
ctyskeys_addr_match(const struct ctyskeys_addr *a, const char *const *f)
{
	if (a->all)
		return true;
	if (a->label && strcmp(a->label, f[CK_LABEL - 1]) != 0)
		return false;
	if (a->id && strcmp(a->id, f[CK_ID - 1]) != 0)
		return false;
	if (a->filename && strstr(f[CK_ID - 1], a->filename) == NULL)
		return false;
	if (a->uuid && strcasecmp(a->uuid, f[CK_UUID - 1]) != 0)
		return false;
	if (a->mac && strcasecmp(a->mac, f[CK_MAC - 1]) != 0)
		return false;
	if (a->tcp && strcmp(a->tcp, f[CK_TCP - 1]) != 0)
		return false;
	return true;
}

void
ctyskeys_found_emit(void *ctx, const char *const *fields, size_t n)
{
	struct ctyskeys_found *f = ctx;
	size_t i;

	if (n != REC_NFIELDS || !ctyskeys_addr_match(f->a, fields))
		return;
	for (i = 0; i < f->ids.n; i++)
		if (strcmp(f->ids.v[i], fields[CK_ID - 1]) == 0)
			return;
	strv_push(&f->ids, fields[CK_ID - 1]);
	strv_push(&f->labels, fields[CK_LABEL - 1]);
	strv_push(&f->uuids, fields[CK_UUID - 1]);
}

void
ctyskeys_found_free(struct ctyskeys_found *f)
{
	strv_free(&f->ids);
	strv_free(&f->labels);
	strv_free(&f->uuids);
}

static const char *const method_names[] = { "POWEROFF", "REBOOT", "RESET", "PAUSE", "SUSPEND",
	"INIT" };

const char *
ctyskeys_method_name(enum ctyskeys_method m)
{
	return method_names[m];
}

static ctys_err_t
delay_of(const char *key, const char *v, unsigned long *out)
{
	if (!parse_uint(v, 3600, out))
		return ctys_seterr(CTYS_ERR_USAGE, "invalid %s delay '%s' (0..3600 seconds)", key, v);
	return CTYS_OK;
}

ctys_err_t
ctyskeys_cancel_get(const json_t *job, struct ctyskeys_cancel *c)
{
	unsigned n = 0, i;
	unsigned long level;
	const char *v;

	memset(c, 0, sizeof *c);
	c->method = CK_M_POWEROFF;
	c->delay = 20;
	for (i = 0; i < sizeof method_names / sizeof *method_names; i++)
		if (job_has_subopt(job, method_names[i])) {
			c->method = (enum ctyskeys_method)i;
			n++;
		}
	if (n > 1)
		return ctys_seterr(CTYS_ERR_USAGE, "only one of REBOOT, RESET, INIT, PAUSE, SUSPEND, "
		    "POWEROFF may be given");
	c->force = job_has_subopt(job, "FORCE");
	if (c->force && job_has_subopt(job, "STACK"))
		return ctys_seterr(CTYS_ERR_USAGE, "FORCE and STACK exclude each other");
	if (job_has_subopt(job, "SELF"))
		return ctys_seterr(CTYS_ERR_USAGE, "SELF shuts down the executing machine: use -t PM");
	if (c->method == CK_M_INIT) {
		if (c->force || stack_job_is_inner(job))
			return ctys_seterr(CTYS_ERR_USAGE, "INIT:<n> is done by the guest's agent "
			    "(stack propagation): not with FORCE");
		v = job_subopt(job, "INIT");
		if (v == NULL || !parse_uint(v, 6, &level))
			return ctys_seterr(CTYS_ERR_USAGE, "invalid runlevel '%s' for INIT (0-6)",
			    v ? v : "");
		c->runlevel = (int)level;
	}
	if ((v = job_subopt(job, "TIMEOUT")) != NULL && delay_of("TIMEOUT", v, &c->delay) != CTYS_OK)
		return CTYS_ERR_USAGE;
	if ((v = job_subopt(job, "POWEROFF")) != NULL && delay_of("POWEROFF", v, &c->delay) !=
	    CTYS_OK)
		return CTYS_ERR_USAGE;
	return CTYS_OK;
}

bool
ctyskeys_ip_dest(const char *ip, char *host, size_t n, unsigned *port)
{
	char field[5][64];
	unsigned long p;
	const char *f;
	int k;

	*port = 0;
	/* the first address of the list, split at '%' */
	for (k = 0, f = ip; k < 5; k++) {
		size_t l = strcspn(f, "%,");

		snprintf(field[k], sizeof field[k], "%.*s", (int)l, f);
		f += l;
		if (*f == '%')
			f++;
		else
			f = "";
	}
	if (field[0][0] == '\0' || field[2][0] == '\0' || strcasecmp(field[2], "slirp") == 0 ||
	    strcasecmp(field[2], "user") == 0)
		return false;
	snprintf(host, n, "%s", field[0]);
	if (parse_uint(field[4], 65535, &p))
		*port = (unsigned)p;
	return true;
}

bool
ctyskeys_guest(const char *type, const char *id, char *dest, size_t n)
{
	struct strv files = STRV_INIT;
	struct pm_conf c;
	const char *ip;
	char host[256];
	unsigned port = 0;
	bool ok = false;

	if (id == NULL || id[0] != '/')
		return false;
	ctyskeys_chain(id, &files);
	ctyskeys_load(&files, type, &c);
	ip = indexed(&c, "IP", 0);
	if (ip && ctyskeys_ip_dest(ip, host, sizeof host, &port)) {
		if (port && port != 22)
			snprintf(dest, n, "%s:%u", host, port);
		else
			snprintf(dest, n, "%s", host);
		ok = true;
	}
	pm_conf_free(&c);
	strv_free(&files);
	return ok;
}

bool
ctyskeys_cancel_stacked(const struct pjob *j, const struct plugin_desc *me,
    const struct ctyskeys_cancel *c, const struct strv *targets)
{
	struct stack_req r = { c->method == CK_M_REBOOT ? SM_REBOOT : c->method == CK_M_INIT ?
		SM_INIT : SM_POWEROFF, c->runlevel, c->delay, c->delay };
	struct stack_guest *g = NULL;
	size_t cnt, i, k, t, failed;

	if (c->force || stack_job_is_inner(j->job) || (c->method != CK_M_POWEROFF &&
	    c->method != CK_M_REBOOT && c->method != CK_M_INIT))
		return false;
	cnt = stack_guests(j, me, NULL, NULL, &g);
	for (i = k = 0; i < cnt; i++)
		for (t = 0; t < targets->n; t++)
			if (strcmp(g[i].label, targets->v[t]) == 0 ||
			    strcmp(g[i].id, targets->v[t]) == 0) {
				g[k++] = g[i];
				break;
			}
	if (k != targets->n) {
		free(g);
		if (c->method != CK_M_INIT)
			return false; /* a machine LIST does not show: act on all directly */
		job_status(j->out, 2, "INIT:<n> needs the guest's agent, but a machine does not "
		    "show as running here");
		return true;
	}
	failed = stack_cancel(j, g, k, &r);
	free(g);
	job_status(j->out, failed ? 2 : 0, failed ? "CANCEL failed for some machines" : NULL);
	return true;
}

ctys_err_t
ctyskeys_console_get(const json_t *job, const char *type, const struct ctyskeys_console *tab,
    size_t n, const struct ctyskeys_console **out)
{
	const char *c = job_subopt(job, "CONSOLE"), *d;
	char env[64], *up;
	struct buf b = BUF_INIT;
	size_t i;
	ctys_err_t e;

	snprintf(env, sizeof env, "%s_CONSOLE_DEFAULT", type);
	if (c == NULL || *c == '\0')
		c = (d = getenv(env)) && *d ? d : "NONE";
	for (i = 0; i < n; i++)
		if (kw_match(tab[i].names, c, strlen(c)))
			break;
	if (i == n) {
		for (i = 0; i < n; i++) {
			if (i)
				buf_adds(&b, " ");
			buf_add(&b, tab[i].names, kw_canon_len(tab[i].names));
		}
		up = str_upper(c);
		e = ctys_seterr(CTYS_ERR_UNSUPPORTED, "CONSOLE:%s is not supported by %s (%s)", up,
		    type, buf_cstr(&b));
		free(up);
		buf_free(&b);
		return e;
	}
	if (tab[i].display && (getenv("DISPLAY") == NULL || *getenv("DISPLAY") == '\0'))
		return ctys_seterr(CTYS_ERR_UNSUPPORTED, "CONSOLE:%.*s of %s needs an X display "
		    "(DISPLAY is not set)", (int)kw_canon_len(tab[i].names), tab[i].names, type);
	*out = &tab[i];
	return CTYS_OK;
}

bool
ctyskeys_vnc_viewer(const struct pjob *j, const char *label, const char *port, char *why,
    size_t n)
{
	const char *v = getenv("CTYS_VNCVIEWER"), *dpy = getenv("DISPLAY");
	char *target = xasprintf("localhost::%s", port), *m;
	const char *argv[] = { v && *v ? v : "vncviewer", target, NULL };
	bool ok = true;

	if (dpy == NULL || *dpy == '\0') {
		m = xasprintf("VNC console of '%s' on port %s; no X display here (DISPLAY is not "
		    "set): connect a viewer to that port", label, port);
		job_msg(j->out, "info", m);
	} else if ((ok = tool_spawn(argv, why, n))) {
		m = xasprintf("VNC console of '%s': %s %s started", label, argv[0], target);
		job_msg(j->out, "info", m);
	} else {
		m = NULL;
	}
	free(m);
	free(target);
	return ok;
}

/* "<label padded to 8>:<text>" as the PM plugin's INFO/SHOW lines. */
static void
info_line(const struct pjob *j, const char *label, const char *text)
{
	char *l = xasprintf("%-8s:%s", label, text);

	job_rec(j->out, l);
	free(l);
}

void
ctyskeys_info(const struct pjob *j, const char *type, const char *tool)
{
	const struct plugin_state *st = plugin_state(plugin_lookup(type, strlen(type)));
	char path[4096];
	struct buf b = BUF_INIT;

	if (!tool_which(tool, path, sizeof path))
		snprintf(path, sizeof path, "(not on PATH)");
	buf_addf(&b, "%s %s, %s", tool, path, st->magic);
	if (st->accel[0])
		buf_addf(&b, ", accel %s", st->accel);
	if (st->server)
		buf_adds(&b, ", server ENABLED");
	else
		buf_addf(&b, ", server DISABLED: %s", st->why);
	info_line(j, type, buf_cstr(&b));
	buf_free(&b);
}

void
ctyskeys_show(const struct pjob *j, const char *type, const struct strv *running)
{
	const struct plugin_state *st = plugin_state(plugin_lookup(type, strlen(type)));
	struct buf b = BUF_INIT;
	size_t i;

	if (!st->server) {
		buf_addf(&b, "server DISABLED: %s", st->why);
	} else {
		buf_addf(&b, "%zu running%s", running->n, running->n ? ":" : "");
		for (i = 0; i < running->n; i++)
			buf_addf(&b, " %s", running->v[i]);
	}
	info_line(j, type, buf_cstr(&b));
	buf_free(&b);
}
