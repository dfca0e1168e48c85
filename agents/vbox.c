/*
 * vbox.c — the VBOX plugin through VBoxManage (plugins.md §5.4,
 * ctys-VBOX(1)).
 *
 *   probe      VBoxManage on PATH, "VBoxManage --version" (a "vboxdrv
 *              kernel module is not loaded" warning: no server part);
 *   ENUMERATE  *.vdi below the base paths with a <stem>.ctys holding
 *              #@#MAGICID-VBOX; data of the registered VM named by the
 *              LABEL (else the stem) from "VBoxManage showvminfo <name>
 *              --machinereadable"; without it basic data, VMSTATE=DISABLED;
 *   LIST       "VBoxManage list runningvms" ("name" {uuid}) and showvminfo;
 *              ID the attached .vdi as ENUMERATE gives it, CPORT the VRDE
 *              port (vrde="on", vrdeport=);
 *   CREATE     "VBoxManage startvm <name> --type headless|gui|sdl" for the
 *              consoles NONE, VBOX, VBOXSDL; RDP: headless + "controlvm
 *              <name> vrde on"; RESUME of a paused VM "controlvm <name> resume";
 *   GETCLIENTPORT  the VRDE port of the LIST record; INFO/SHOW one line each;
 *   CANCEL     POWEROFF "controlvm <name> acpipowerbutton" (FORCE:
 *              "controlvm <name> poweroff" after the delay when still
 *              running), RESET/REBOOT "controlvm <name> reset", PAUSE
 *              "controlvm <name> pause", SUSPEND "controlvm <name> savestate".
 */
#include <ctype.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <unistd.h>

#include "agents/agent.h"
#include "agents/ctyskeys.h"
#include "agents/exec.h"
#include "agents/listrec.h"
#include "agents/plugins.h"
#include "agents/tool.h"
#include "lib/buf.h"
#include "lib/proto.h"
#include "lib/util.h"
#include "lib/xmalloc.h"

/* key="value" lines of showvminfo --machinereadable. */
struct vbox_info {
	struct strv keys, vals;
};

static bool
vbox_showvminfo(const struct pjob *j, const char *name, struct vbox_info *v)
{
	const char *argv[] = { "VBoxManage", "showvminfo", name, "--machinereadable", NULL };
	struct tool_result r;
	const char *s, *e, *q;
	bool ok;

	memset(v, 0, sizeof *v);
	ok = tool_job_call(j, argv, &r) == 0;
	for (s = r.out; ok && *s; s = *e ? e + 1 : e) {
		e = s + strcspn(s, "\n");
		q = memchr(s, '=', (size_t)(e - s));
		if (q == NULL)
			continue;
		if (*s == '"')
			strv_pushn(&v->keys, s + 1, (size_t)(q - s - 2));
		else
			strv_pushn(&v->keys, s, (size_t)(q - s));
		q++;
		if (*q == '"' && e - q >= 2 && e[-1] == '"')
			strv_pushn(&v->vals, q + 1, (size_t)(e - q - 2));
		else
			strv_pushn(&v->vals, q, (size_t)(e - q));
	}
	tool_result_free(&r);
	return ok;
}

static const char *
vbox_get(const struct vbox_info *v, const char *key)
{
	size_t i;

	for (i = 0; i < v->keys.n; i++)
		if (strcmp(v->keys.v[i], key) == 0)
			return v->vals.v[i];
	return NULL;
}

static void
vbox_info_free(struct vbox_info *v)
{
	strv_free(&v->keys);
	strv_free(&v->vals);
}

/* macaddress<n>="080027AB12CD" -> 08:00:27:ab:12:cd, bridgeadapter<n> as relay. */
static void
vbox_nics(const struct vbox_info *v, struct strv *macs, struct strv *relays)
{
	char key[32], mac[18];
	const char *m, *b;
	int n, i;

	for (n = 1; n <= 8; n++) {
		snprintf(key, sizeof key, "macaddress%d", n);
		if ((m = vbox_get(v, key)) == NULL || strlen(m) != 12)
			continue;
		while ((int)macs->n < n - 1) {
			strv_push(macs, "");
			strv_push(relays, "");
		}
		for (i = 0; i < 6; i++)
			snprintf(mac + i * 3, sizeof mac - (size_t)i * 3, "%c%c%s",
			    tolower((unsigned char)m[2 * i]), tolower((unsigned char)m[2 * i + 1]),
			    i < 5 ? ":" : "");
		strv_push(macs, mac);
		snprintf(key, sizeof key, "bridgeadapter%d", n);
		b = vbox_get(v, key);
		strv_push(relays, b ? b : "");
	}
}

static void
vbox_probe(struct plugin_state *st)
{
	const char *argv[] = { "VBoxManage", "--version", NULL };
	const char *ign = getenv("VBOX_IGNORE");
	struct tool_result r;
	char path[4096], *m;

	memset(st, 0, sizeof *st);
	if (ign && strcmp(ign, "1") == 0) {
		snprintf(st->why, sizeof st->why, "VBOX_IGNORE=1 is set");
		return;
	}
	if (!tool_which("VBoxManage", path, sizeof path)) {
		snprintf(st->why, sizeof st->why, "VBoxManage (VirtualBox) is not installed: not "
		    "found on PATH");
		return;
	}
	st->enabled = st->client = true;
	st->server = tool_run(argv, 10000, &r) == 0 && strstr(r.err, "vboxdrv") == NULL;
	snprintf(st->magic, sizeof st->magic, "VBOX_%.*s", (int)strcspn(r.out, "r_\n"), r.out);
	if (!st->server) {
		m = tool_reason(&r);
		snprintf(st->why, sizeof st->why, "VirtualBox is not usable here (VBoxManage "
		    "--version: %s)", m);
		free(m);
	}
	tool_result_free(&r);
}

/* ---- ENUMERATE ---- */

static ctys_err_t
vbox_enumerate(const struct pjob *j, const struct strv *bases, rec_emit_fn emit, void *ctx)
{
	static const char *const exts[] = { ".vdi", NULL };
	struct strv files = STRV_INIT;
	char exep[4096] = "";
	size_t i;

	tool_which("VBoxManage", exep, sizeof exep);
	ctyskeys_scan(bases, exts, &files);
	for (i = 0; i < files.n; i++) {
		struct strv chain = STRV_INIT, macs = STRV_INIT, relays = STRV_INIT;
		const char *p = files.v[i], *slash = strrchr(p, '/'), *lab;
		char *stem = xasprintf("%.*s", (int)(strlen(p) - 4), p), *ctys;
		struct ctyskeys_rec r;
		struct vbox_info v;
		struct pm_conf k;

		ctys = xasprintf("%s.ctys", stem);
		strv_push(&chain, ctys);
		ctyskeys_load(&chain, "VBOX", &k);
		if (k.magic && !k.ignore) {
			ctyskeys_rec_vm(&r, "VBOX", p);
			lab = pm_conf_get(&k, "LABEL");
			if (lab == NULL || !*lab)
				lab = stem + (slash ? slash - p + 1 : 0);
			ctyskeys_rec_set(&r, CK_LABEL, lab);
			ctyskeys_rec_set(&r, CK_EXEP, exep);
			if (exep[0] && vbox_showvminfo(NULL, lab, &v)) {
				ctyskeys_rec_set(&r, CK_UUID, vbox_get(&v, "UUID"));
				ctyskeys_rec_set(&r, CK_VRAM, vbox_get(&v, "memory"));
				if (vbox_get(&v, "cpus"))
					ctyskeys_rec_set(&r, CK_VCPU, vbox_get(&v, "cpus"));
				ctyskeys_rec_set(&r, CK_CSTRG, vbox_get(&v, "ostype"));
				vbox_nics(&v, &macs, &relays);
				vbox_info_free(&v);
			} else {
				ctyskeys_rec_set(&r, CK_VMSTATE, "DISABLED");
			}
			ctyskeys_apply(&r, &k);
			if (!exep[0])
				ctyskeys_rec_set(&r, CK_VMSTATE, "DISABLED");
			ctyskeys_emit_nics(&r, &k, &macs, &relays, emit, ctx);
			ctyskeys_rec_free(&r);
		}
		(void)j;
		pm_conf_free(&k);
		strv_free(&chain);
		strv_free(&macs);
		strv_free(&relays);
		free(ctys);
		free(stem);
	}
	strv_free(&files);
	return CTYS_OK;
}

/* ---- LIST ---- */

/* "VBoxManage list runningvms": names and uuids. */
static ctys_err_t
vbox_running(const struct pjob *j, struct strv *names, struct strv *uuids)
{
	const char *argv[] = { "VBoxManage", "list", "runningvms", NULL };
	struct tool_result r;
	const char *s, *e, *q, *u;
	char *m;

	if (tool_job_call(j, argv, &r) != 0) {
		m = tool_explain(&r);
		ctys_seterr(CTYS_ERR_IO, "VBoxManage list runningvms failed: %s", m);
		free(m);
		tool_result_free(&r);
		return CTYS_ERR_IO;
	}
	for (s = r.out; *s; s = *e ? e + 1 : e) {
		e = s + strcspn(s, "\n");
		if (*s != '"' || (q = memchr(s + 1, '"', (size_t)(e - s - 1))) == NULL)
			continue;
		u = memchr(q, '{', (size_t)(e - q));
		strv_pushn(names, s + 1, (size_t)(q - s - 1));
		strv_pushn(uuids, u ? u + 1 : "", u ? strcspn(u + 1, "}") : 0);
	}
	tool_result_free(&r);
	return CTYS_OK;
}

/*
 * The ID of a running machine, as ENUMERATE gives it (and the original's
 * LIST printed): its disk image — the first attached .vdi with a
 * <stem>.ctys beside it, else the first attached .vdi; NULL without one.
 */
static char *
vbox_vdi(const struct vbox_info *v)
{
	const char *first = NULL, *p;
	char *ctys;
	size_t i, n;
	bool beside;

	for (i = 0; i < v->keys.n; i++) {
		p = v->vals.v[i];
		n = strlen(p);
		if (p[0] != '/' || n < 5 || strcasecmp(p + n - 4, ".vdi") != 0 ||
		    strstr(v->keys.v[i], "ImageUUID"))
			continue;
		ctys = xasprintf("%.*s.ctys", (int)(n - 4), p);
		beside = access(ctys, R_OK) == 0;
		free(ctys);
		if (beside)
			return xstrdup(p);
		if (first == NULL)
			first = p;
	}
	return first ? xstrdup(first) : NULL;
}

/* The VRDE (RDP) port of a running machine: vrde="on" and vrdeport > 0. */
static const char *
vbox_vrdeport(const struct vbox_info *v)
{
	const char *on = vbox_get(v, "vrde"), *port = vbox_get(v, "vrdeport");

	if (on == NULL || strcmp(on, "on") != 0 || port == NULL || atol(port) <= 0 ||
	    strspn(port, "0123456789") != strlen(port))
		return NULL;
	return port;
}

static ctys_err_t
vbox_list(const struct pjob *j, rec_emit_fn emit, void *ctx)
{
	const struct plugin_state *st = plugin_state(plugin_lookup("VBOX", 4));
	struct strv names = STRV_INIT, uuids = STRV_INIT;
	char user[64], group[64], exep[4096] = "";
	size_t i, k;

	if (!st->server) {
		if (strcmp(proto_str(j->job, "type"), "VBOX") == 0)
			job_msg(j->out, "warning", st->why);
		return CTYS_OK;
	}
	if (vbox_running(j, &names, &uuids) != CTYS_OK)
		return CTYS_ERR_IO;
	ctyskeys_account(user, sizeof user, group, sizeof group);
	tool_which("VBoxManage", exep, sizeof exep);
	for (i = 0; i < names.n; i++) {
		struct strv macs = STRV_INIT, relays = STRV_INIT;
		const char *f[LREC_NFIELDS];
		struct vbox_info v;
		bool have = vbox_showvminfo(j, names.v[i], &v);
		char *vdi = NULL;
		const char *port = NULL;

		if (have) {
			vbox_nics(&v, &macs, &relays);
			vdi = vbox_vdi(&v);
			port = vbox_vrdeport(&v);
		}
		for (k = 0; k < LREC_NFIELDS; k++)
			f[k] = "";
		f[0] = agent_hostname();
		f[1] = "VBOX";
		f[2] = names.v[i];
		f[3] = vdi ? vdi : "";
		f[4] = uuids.v[i];
		f[5] = macs.n ? macs.v[0] : "";
		f[8] = port ? port : "";
		f[11] = user;
		f[12] = group;
		f[13] = "SERVER";
		f[17] = have && vbox_get(&v, "VMState") ? vbox_get(&v, "VMState") : "";
		f[18] = exep;
		f[19] = st->magic;
		emit(ctx, f, LREC_NFIELDS);
		free(vdi);
		if (have)
			vbox_info_free(&v);
		strv_free(&macs);
		strv_free(&relays);
	}
	strv_free(&names);
	strv_free(&uuids);
	return CTYS_OK;
}

/* ---- CREATE and CANCEL ---- */

/* The VM name of the address: LABEL or UUID as given, else by the .vdi files. */
static char *
vbox_target(const struct pjob *j, const struct ctyskeys_addr *a)
{
	struct ctyskeys_found f = { 0 };
	struct strv bases = STRV_INIT;
	char *name = NULL;

	if (a->label)
		return xstrdup(a->label);
	if (a->uuid && !a->id && !a->filename && !a->mac && !a->tcp)
		return xstrdup(a->uuid);
	f.a = a;
	job_bases(j->job, &bases);
	vbox_enumerate(j, &bases, ctyskeys_found_emit, &f);
	if (f.labels.n == 1)
		name = xstrdup(f.labels.v[0]);
	strv_free(&bases);
	ctyskeys_found_free(&f);
	return name;
}

static bool
vbox_in(const struct strv *names, const struct strv *uuids, const char *t)
{
	size_t i;

	for (i = 0; i < names->n; i++)
		if (strcmp(names->v[i], t) == 0 || strcasecmp(uuids->v[i], t) == 0)
			return true;
	return false;
}

/* The consoles of VBOX (plugins.md §2), as "VBoxManage startvm --type" values. */
enum { VBOX_CON_NONE, VBOX_CON_GUI, VBOX_CON_SDL, VBOX_CON_RDP };

static const struct ctyskeys_console vbox_consoles[] = {
	{ "NONE", VBOX_CON_NONE, false },
	{ "VBOX|GUI", VBOX_CON_GUI, true },
	{ "VBOXSDL|SDL", VBOX_CON_SDL, true },
	{ "RDP", VBOX_CON_RDP, false },
};

/* CONSOLE:RDP: VRDE on for the running machine t, and where it listens. */
static bool
vbox_rdp(const struct pjob *j, const char *t)
{
	const char *argv[] = { "VBoxManage", "controlvm", t, "vrde", "on", NULL };
	struct vbox_info v;
	const char *port;
	char *m;

	if (!tool_job_do(j, argv))
		return false;
	if (vbox_showvminfo(j, t, &v) && (port = vbox_vrdeport(&v)) != NULL)
		m = xasprintf("RDP console of '%s' on port %s (VRDE): connect an RDP client to it", t,
		    port);
	else
		m = xasprintf("RDP console of '%s': VRDE is on, its port is not known yet "
		    "(GETCLIENTPORT gives it)", t);
	job_msg(j->out, "info", m);
	free(m);
	vbox_info_free(&v);
	return true;
}

static void
vbox_create(const struct pjob *j)
{
	static const char *const types[] = { "headless", "gui", "sdl", "headless" };
	const struct ctyskeys_console *con;
	struct strv names = STRV_INIT, uuids = STRV_INIT;
	struct ctyskeys_addr a;
	struct vbox_info v;
	char *t, *m;
	bool ok = false;

	if (ctyskeys_console_get(j->job, "VBOX", vbox_consoles, sizeof vbox_consoles /
	    sizeof *vbox_consoles, &con) != CTYS_OK || ctyskeys_addr_get(j->job, false, &a) != CTYS_OK) {
		job_status(j->out, 1, ctys_errmsg());
		return;
	}
	if ((t = vbox_target(j, &a)) == NULL) {
		job_status(j->out, 1, "no single VBOX machine matches the address (searched the base "
		    "paths)");
		return;
	}
	if (vbox_running(j, &names, &uuids) != CTYS_OK) {
		job_status(j->out, 2, ctys_errmsg());
	} else if (vbox_in(&names, &uuids, t)) {
		bool paused = job_has_subopt(j->job, "RESUME") && vbox_showvminfo(j, t, &v) &&
		    vbox_get(&v, "VMState") && strcmp(vbox_get(&v, "VMState"), "paused") == 0;

		if (job_has_subopt(j->job, "RESUME"))
			vbox_info_free(&v);
		if (paused) {
			const char *argv[] = { "VBoxManage", "controlvm", t, "resume", NULL };

			ok = tool_job_do(j, argv);
		} else if (con->mode == VBOX_CON_GUI || con->mode == VBOX_CON_SDL) {
			m = xasprintf("'%s' is already running: its %.*s console can only be chosen when "
			    "it starts (use CONSOLE:RDP to reach it now)", t,
			    (int)kw_canon_len(con->names), con->names);
			job_status(j->out, 1, m);
			free(m);
		} else {
			m = xasprintf("'%s' is already running", t);
			job_msg(j->out, "info", m);
			free(m);
			ok = true;
		}
	} else if (job_has_subopt(j->job, "CONNECT")) {
		m = xasprintf("'%s' is not running: nothing to CONNECT to", t);
		job_status(j->out, 1, m);
		free(m);
	} else {
		const char *argv[] = { "VBoxManage", "startvm", t, "--type", types[con->mode], NULL };

		ok = tool_job_do(j, argv);
	}
	if (ok && (con->mode != VBOX_CON_RDP || vbox_rdp(j, t)))
		job_status(j->out, 0, NULL);
	strv_free(&names);
	strv_free(&uuids);
	free(t);
}

static bool
vbox_cancel_one(const struct pjob *j, const struct ctyskeys_cancel *c, const char *t)
{
	const char *argv[] = { "VBoxManage", "controlvm", t, NULL, NULL };
	bool ok;

	argv[3] = c->method == CK_M_REBOOT || c->method == CK_M_RESET ? "reset" :
	    c->method == CK_M_PAUSE ? "pause" : c->method == CK_M_SUSPEND ? "savestate" :
	    "acpipowerbutton";
	ok = tool_job_do(j, argv);
	if (ok && c->method == CK_M_POWEROFF && c->force) {
		const char *off[] = { "VBoxManage", "controlvm", t, "poweroff", NULL };
		unsigned long waited = 0;
		bool still;

		for (;;) {
			struct strv n = STRV_INIT, u = STRV_INIT;

			still = vbox_running(NULL, &n, &u) == CTYS_OK && vbox_in(&n, &u, t);
			strv_free(&n);
			strv_free(&u);
			if (!still || waited >= c->delay)
				break;
			sleep(1);
			waited++;
		}
		if (still)
			ok = tool_job_do(j, off);
	}
	return ok;
}

static void
vbox_cancel(const struct pjob *j)
{
	struct strv names = STRV_INIT, uuids = STRV_INIT, targets = STRV_INIT;
	struct ctyskeys_cancel c;
	struct ctyskeys_addr a;
	size_t i;
	bool ok = true;
	char *t = NULL;

	if (ctyskeys_addr_get(j->job, true, &a) != CTYS_OK ||
	    ctyskeys_cancel_get(j->job, &c) != CTYS_OK) {
		job_status(j->out, 1, ctys_errmsg());
		return;
	}
	if (vbox_running(j, &names, &uuids) != CTYS_OK) {
		job_status(j->out, 2, ctys_errmsg());
		return;
	}
	if (!a.all)
		t = vbox_target(j, &a);
	for (i = 0; i < names.n; i++)
		if (a.all || (t && (strcmp(t, names.v[i]) == 0 || strcasecmp(t, uuids.v[i]) == 0)))
			strv_push(&targets, names.v[i]);
	if (targets.n == 0) {
		job_status(j->out, 1, "no running VBOX machine matches the address");
	} else if (!ctyskeys_cancel_stacked(j, plugin_lookup("VBOX", 4), &c, &targets)) {
		for (i = 0; i < targets.n && ok; i++)
			ok = vbox_cancel_one(j, &c, targets.v[i]);
		if (ok)
			job_status(j->out, 0, NULL);
	}
	free(t);
	strv_free(&targets);
	strv_free(&names);
	strv_free(&uuids);
}

static void
vbox_isactive(const struct pjob *j)
{
	job_isactive_by_list(j, &vbox_ops, "VBOX");
}

static void
vbox_clientport(const struct pjob *j)
{
	job_clientport_by_list(j, &vbox_ops, "VBOX", "a VRDE (RDP) server");
}

/* ---- INFO and SHOW ---- */

static ctys_err_t
vbox_info_op(const struct pjob *j)
{
	ctyskeys_info(j, "VBOX", "VBoxManage");
	return CTYS_OK;
}

static ctys_err_t
vbox_show(const struct pjob *j)
{
	struct strv names = STRV_INIT, uuids = STRV_INIT;
	ctys_err_t e = CTYS_OK;

	if (plugin_state(plugin_lookup("VBOX", 4))->server)
		e = vbox_running(j, &names, &uuids);
	if (e == CTYS_OK)
		ctyskeys_show(j, "VBOX", &names);
	strv_free(&names);
	strv_free(&uuids);
	return e;
}

const struct plugin_ops vbox_ops = {
	.probe = vbox_probe,
	.run = { [CTYS_ACT_CREATE] = vbox_create, [CTYS_ACT_CANCEL] = vbox_cancel,
	    [CTYS_ACT_ISACTIVE] = vbox_isactive, [CTYS_ACT_GETCLIENTPORT] = vbox_clientport },
	.list = vbox_list,
	.enumerate = vbox_enumerate,
	.info = vbox_info_op,
	.show = vbox_show,
	.guest = ctyskeys_guest,
};
