/*
 * vmw.c — the VMW plugin through vmrun (plugins.md §5.5, ctys-VMW(1)).
 *
 *   probe      vmrun on PATH, then "vmrun list" (fails without a usable
 *              VMware product/host);
 *   ENUMERATE  *.vmx below the base paths with #@#MAGICID-VMW, a
 *              "#!/usr/bin/vmware" first line, or a score over 5 from
 *              displayName(3) uuid.action(3) ethernet0.addressType(2)
 *              config.version(2) guestOS uuid.bios nvram (1 each); ctys keys
 *              from <vmx>, <vmx-prefix>.ctys, <dir>.ctys;
 *   LIST       "vmrun list" ("Total running VMs: N" and the .vmx paths);
 *   CREATE     "vmrun start <vmx> nogui" (CONSOLE:VMW "... gui"; VNC: a
 *              vncviewer to RemoteDisplay.vnc.port); RESUME of a running
 *              (paused) VM "vmrun unpause <vmx>" (start resumes a suspended one);
 *   GETCLIENTPORT  the VNC port of the LIST record; INFO/SHOW one line each;
 *   CANCEL     POWEROFF "vmrun stop <vmx> soft" (FORCE: "stop <vmx> hard"
 *              after the delay when still running), REBOOT "reset <vmx>
 *              soft", RESET "reset <vmx> hard", PAUSE "pause <vmx>",
 *              SUSPEND "suspend <vmx> soft".
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

#define VMW_MAX_VMX (256 * 1024)

/* The key = "value" pairs of a .vmx (keys lower-cased). */
struct vmw_vmx {
	struct strv keys, vals;
	bool shebang;
};

static void
vmw_vmx_parse(const char *text, struct vmw_vmx *v)
{
	const char *s = text, *e, *k, *ke, *val, *ve;

	memset(v, 0, sizeof *v);
	v->shebang = strncmp(text, "#!/usr/bin/vmware", 17) == 0;
	for (; *s; s = *e ? e + 1 : e) {
		e = s + strcspn(s, "\n");
		for (k = s; k < e && isspace((unsigned char)*k); k++)
			;
		if (k == e || *k == '#')
			continue;
		for (ke = k; ke < e && *ke != '=' && !isspace((unsigned char)*ke); ke++)
			;
		for (val = ke; val < e && isspace((unsigned char)*val); val++)
			;
		if (val == e || *val != '=')
			continue;
		for (val++; val < e && isspace((unsigned char)*val); val++)
			;
		for (ve = e; ve > val && isspace((unsigned char)ve[-1]); ve--)
			;
		if (ve - val >= 2 && *val == '"' && ve[-1] == '"') {
			val++;
			ve--;
		}
		{
			char *key = xstrndup(k, (size_t)(ke - k)), *p;

			for (p = key; *p; p++)
				*p = (char)tolower((unsigned char)*p);
			strv_push_owned(&v->keys, key);
			strv_pushn(&v->vals, val, (size_t)(ve - val));
		}
	}
}

static const char *
vmw_get(const struct vmw_vmx *v, const char *key)
{
	size_t i;

	for (i = 0; i < v->keys.n; i++)
		if (strcasecmp(v->keys.v[i], key) == 0)
			return v->vals.v[i];
	return NULL;
}

static void
vmw_vmx_free(struct vmw_vmx *v)
{
	strv_free(&v->keys);
	strv_free(&v->vals);
}

static unsigned
vmw_score(const struct vmw_vmx *v)
{
	static const struct {
		const char *key;
		unsigned w;
	} t[] = { { "displayName", 3 }, { "uuid.action", 3 }, { "ethernet0.addressType", 2 },
		{ "config.version", 2 }, { "guestOS", 1 }, { "uuid.bios", 1 }, { "nvram", 1 } };
	unsigned s = 0;
	size_t i;

	for (i = 0; i < sizeof t / sizeof *t; i++)
		if (vmw_get(v, t[i].key))
			s += t[i].w;
	return s;
}

/* "56 4d 12 34 56 78 9a bc-de f0 12 34 56 78 9a bc" -> 564d1234-5678-9abc-def0-123456789abc */
static void
vmw_uuid(const char *bios, char *out, size_t n)
{
	char hex[33];
	size_t k = 0;

	out[0] = '\0';
	for (; bios && *bios && k < 32; bios++)
		if (isxdigit((unsigned char)*bios))
			hex[k++] = (char)tolower((unsigned char)*bios);
	hex[k] = '\0';
	if (k == 32)
		snprintf(out, n, "%.8s-%.4s-%.4s-%.4s-%.12s", hex, hex + 8, hex + 12, hex + 16,
		    hex + 20);
}

/* The NICs: ethernet<n>.present TRUE, MAC from .address or .generatedAddress. */
static void
vmw_nics(const struct vmw_vmx *v, struct strv *macs, struct strv *relays)
{
	char key[64], mac[64];
	const char *p, *a;
	int n;

	for (n = 0; n < 10; n++) {
		snprintf(key, sizeof key, "ethernet%d.present", n);
		p = vmw_get(v, key);
		if (p == NULL || !str_ieq(p, "TRUE"))
			continue;
		while ((int)macs->n < n) {
			strv_push(macs, "");
			strv_push(relays, "");
		}
		snprintf(key, sizeof key, "ethernet%d.address", n);
		a = vmw_get(v, key);
		if (a == NULL) {
			snprintf(key, sizeof key, "ethernet%d.generatedAddress", n);
			a = vmw_get(v, key);
		}
		snprintf(mac, sizeof mac, "%s", a ? a : "");
		for (p = mac; *p; p++)
			*(char *)p = (char)tolower((unsigned char)*p);
		strv_push(macs, mac);
		snprintf(key, sizeof key, "ethernet%d.connectionType", n);
		a = vmw_get(v, key);
		strv_push(relays, a ? a : "");
	}
}

static void
vmw_probe(struct plugin_state *st)
{
	const char *argv[] = { "vmrun", "list", NULL };
	const char *ign = getenv("VMW_IGNORE");
	struct tool_result r;
	char path[4096], *m;

	memset(st, 0, sizeof *st);
	if (ign && strcmp(ign, "1") == 0) {
		snprintf(st->why, sizeof st->why, "VMW_IGNORE=1 is set");
		return;
	}
	if (!tool_which("vmrun", path, sizeof path)) {
		snprintf(st->why, sizeof st->why, "vmrun (VMware VIX) is not installed: not found on "
		    "PATH");
		return;
	}
	st->enabled = st->client = true;
	snprintf(st->magic, sizeof st->magic, "VMW_GENERIC");
	st->server = tool_run(argv, 10000, &r) == 0;
	if (!st->server) {
		m = tool_reason(&r);
		snprintf(st->why, sizeof st->why, "VMware is not usable here (vmrun list: %s)", m);
		free(m);
	}
	tool_result_free(&r);
}

/* ---- ENUMERATE ---- */

/* Records of one .vmx; false when it is not accepted. */
static bool
vmw_enum_file(const char *path, const char *exep, rec_emit_fn emit, void *ctx)
{
	struct strv chain = STRV_INIT, macs = STRV_INIT, relays = STRV_INIT;
	struct ctyskeys_rec r;
	struct vmw_vmx v;
	struct pm_conf k;
	char *text, uuid[64], cstrg[160];
	const char *g;
	bool ok;

	if ((text = ctyskeys_read(path, VMW_MAX_VMX)) == NULL)
		return false;
	vmw_vmx_parse(text, &v);
	free(text);
	ctyskeys_chain(path, &chain);
	ctyskeys_load(&chain, "VMW", &k);
	ok = !k.ignore && (k.magic || v.shebang || vmw_score(&v) > 5);
	if (ok) {
		ctyskeys_rec_vm(&r, "VMW", path);
		ctyskeys_rec_set(&r, CK_LABEL, vmw_get(&v, "displayName"));
		vmw_uuid(vmw_get(&v, "uuid.bios"), uuid, sizeof uuid);
		ctyskeys_rec_set(&r, CK_UUID, uuid);
		ctyskeys_rec_set(&r, CK_VRAM, vmw_get(&v, "memsize"));
		if ((g = vmw_get(&v, "numvcpus")) != NULL)
			ctyskeys_rec_set(&r, CK_VCPU, g);
		if ((g = vmw_get(&v, "RemoteDisplay.vnc.enabled")) != NULL && str_ieq(g, "TRUE"))
			ctyskeys_rec_set(&r, CK_CPORT, vmw_get(&v, "RemoteDisplay.vnc.port"));
		ctyskeys_rec_set(&r, CK_HYPERREL, vmw_get(&v, "virtualHW.version"));
		ctyskeys_rec_set(&r, CK_EXEP, exep);
		if ((g = vmw_get(&v, "guestOS")) != NULL) {
			snprintf(cstrg, sizeof cstrg, "guestOS=%s", g);
			ctyskeys_rec_set(&r, CK_CSTRG, cstrg);
		}
		ctyskeys_apply(&r, &k);
		vmw_nics(&v, &macs, &relays);
		ctyskeys_emit_nics(&r, &k, &macs, &relays, emit, ctx);
		ctyskeys_rec_free(&r);
	}
	pm_conf_free(&k);
	strv_free(&chain);
	strv_free(&macs);
	strv_free(&relays);
	vmw_vmx_free(&v);
	return ok;
}

static ctys_err_t
vmw_enumerate(const struct pjob *j, const struct strv *bases, rec_emit_fn emit, void *ctx)
{
	static const char *const exts[] = { ".vmx", NULL };
	struct strv files = STRV_INIT;
	char exep[4096] = "";
	size_t i;

	(void)j;
	tool_which("vmrun", exep, sizeof exep);
	ctyskeys_scan(bases, exts, &files);
	for (i = 0; i < files.n; i++)
		vmw_enum_file(files.v[i], exep, emit, ctx);
	strv_free(&files);
	return CTYS_OK;
}

/* ---- LIST ---- */

/* "vmrun list": the .vmx paths of the running VMs. */
static ctys_err_t
vmw_running(const struct pjob *j, struct strv *paths)
{
	const char *argv[] = { "vmrun", "list", NULL };
	struct tool_result r;
	const char *s, *e;
	char *m;

	if (tool_job_call(j, argv, &r) != 0) {
		m = tool_explain(&r);
		ctys_seterr(CTYS_ERR_IO, "vmrun list failed: %s", m);
		free(m);
		tool_result_free(&r);
		return CTYS_ERR_IO;
	}
	for (s = r.out; *s; s = *e ? e + 1 : e) {
		e = s + strcspn(s, "\n");
		if (*s == '/' || (e - s > 2 && s[1] == ':'))
			strv_pushn(paths, s, (size_t)(e > s && e[-1] == '\r' ? e - 1 - s : e - s));
	}
	tool_result_free(&r);
	return CTYS_OK;
}

struct vmw_first {
	char *f[REC_NFIELDS];
};

static void
vmw_first_emit(void *ctx, const char *const *fields, size_t n)
{
	struct vmw_first *x = ctx;
	size_t i;

	if (n != REC_NFIELDS || x->f[0])
		return;
	for (i = 0; i < n; i++)
		x->f[i] = xstrdup(fields[i]);
}

static ctys_err_t
vmw_list(const struct pjob *j, rec_emit_fn emit, void *ctx)
{
	const struct plugin_state *st = plugin_state(plugin_lookup("VMW", 3));
	struct strv paths = STRV_INIT;
	char user[64], group[64], exep[4096] = "";
	size_t i, k;

	if (!st->server) {
		if (strcmp(proto_str(j->job, "type"), "VMW") == 0)
			job_msg(j->out, "warning", st->why);
		return CTYS_OK;
	}
	if (vmw_running(j, &paths) != CTYS_OK)
		return CTYS_ERR_IO;
	ctyskeys_account(user, sizeof user, group, sizeof group);
	tool_which("vmrun", exep, sizeof exep);
	for (i = 0; i < paths.n; i++) {
		struct vmw_first x = { { NULL } };
		const char *f[LREC_NFIELDS];

		vmw_enum_file(paths.v[i], exep, vmw_first_emit, &x);
		for (k = 0; k < LREC_NFIELDS; k++)
			f[k] = "";
		f[0] = agent_hostname();
		f[1] = "VMW";
		f[2] = x.f[0] ? x.f[CK_LABEL - 1] : "";
		f[3] = paths.v[i];
		f[4] = x.f[0] ? x.f[CK_UUID - 1] : "";
		f[5] = x.f[0] ? x.f[CK_MAC - 1] : "";
		f[6] = x.f[0] ? x.f[CK_TCP - 1] : "";
		f[8] = x.f[0] ? x.f[CK_CPORT - 1] : "";
		f[11] = user;
		f[12] = group;
		f[13] = "SERVER";
		f[15] = x.f[0] ? x.f[CK_IFNAME - 1] : "";
		f[17] = x.f[0] ? x.f[CK_CSTRG - 1] : "";
		f[18] = exep;
		f[19] = st->magic;
		emit(ctx, f, LREC_NFIELDS);
		for (k = 0; k < REC_NFIELDS; k++)
			free(x.f[k]);
	}
	strv_free(&paths);
	return CTYS_OK;
}

/* ---- CREATE and CANCEL ---- */

static bool
vmw_in(const struct strv *l, const char *s)
{
	size_t i;

	for (i = 0; i < l->n; i++)
		if (strcmp(l->v[i], s) == 0)
			return true;
	return false;
}

static void
vmw_resolve(const struct pjob *j, const struct ctyskeys_addr *a, struct ctyskeys_found *f)
{
	struct strv bases = STRV_INIT;

	memset(f, 0, sizeof *f);
	f->a = a;
	job_bases(j->job, &bases);
	vmw_enumerate(j, &bases, ctyskeys_found_emit, f);
	strv_free(&bases);
}

/* The consoles of VMW (plugins.md §2) driven through vmrun. */
enum { VMW_CON_NONE, VMW_CON_GUI, VMW_CON_VNC };

static const struct ctyskeys_console vmw_consoles[] = {
	{ "NONE", VMW_CON_NONE, false },
	{ "VMW", VMW_CON_GUI, true },
	{ "VNC|VNCVIEWER", VMW_CON_VNC, false },
};

/* The VNC port of vmx (RemoteDisplay.vnc.enabled and .port, or #@#VNCACCESSPORT). */
static bool
vmw_vnc_port(const char *vmx, char *port, size_t n)
{
	struct vmw_first x = { { NULL } };
	size_t k;

	vmw_enum_file(vmx, "", vmw_first_emit, &x);
	snprintf(port, n, "%s", x.f[0] ? x.f[CK_CPORT - 1] : "");
	for (k = 0; k < REC_NFIELDS; k++)
		free(x.f[k]);
	return port[0] != '\0';
}

static void
vmw_create(const struct pjob *j)
{
	const struct ctyskeys_console *con;
	struct strv run = STRV_INIT;
	struct ctyskeys_addr a;
	struct ctyskeys_found f;
	const char *vmx;
	char *m, port[32] = "", why[512] = "";
	bool ok = false;

	if (ctyskeys_console_get(j->job, "VMW", vmw_consoles, sizeof vmw_consoles /
	    sizeof *vmw_consoles, &con) != CTYS_OK || ctyskeys_addr_get(j->job, false, &a) != CTYS_OK) {
		job_status(j->out, 1, ctys_errmsg());
		return;
	}
	vmw_resolve(j, &a, &f);
	if (f.ids.n != 1) {
		char *l = strv_join(&f.ids, ", ");

		m = f.ids.n ? xasprintf("the address matches %zu VMW configurations: %s", f.ids.n, l) :
		    xasprintf("no VMW configuration matches the address (searched the base paths)");
		job_status(j->out, 1, m);
		free(m);
		free(l);
		ctyskeys_found_free(&f);
		return;
	}
	vmx = f.ids.v[0];
	if (con->mode == VMW_CON_VNC && !vmw_vnc_port(vmx, port, sizeof port)) {
		m = xasprintf("CONSOLE:VNC of VMW needs RemoteDisplay.vnc.enabled = \"TRUE\" and "
		    "RemoteDisplay.vnc.port in %s", vmx);
		job_status(j->out, 1, m);
		free(m);
	} else if (vmw_running(j, &run) != CTYS_OK) {
		job_status(j->out, 2, ctys_errmsg());
	} else if (vmw_in(&run, vmx) && job_has_subopt(j->job, "RESUME")) {
		const char *argv[] = { "vmrun", "unpause", vmx, NULL };

		ok = tool_job_do(j, argv);
	} else if (vmw_in(&run, vmx) && con->mode == VMW_CON_GUI) {
		m = xasprintf("'%s' is already running: its VMW console can only be chosen when it "
		    "starts (use CONSOLE:VNC to reach it now)", vmx);
		job_status(j->out, 1, m);
		free(m);
	} else if (vmw_in(&run, vmx)) {
		m = xasprintf("'%s' is already running", vmx);
		job_msg(j->out, "info", m);
		free(m);
		ok = true;
	} else if (job_has_subopt(j->job, "CONNECT")) {
		m = xasprintf("'%s' is not running: nothing to CONNECT to", vmx);
		job_status(j->out, 1, m);
		free(m);
	} else {
		const char *argv[] = { "vmrun", "start", vmx, con->mode == VMW_CON_GUI ? "gui" :
			"nogui", NULL };

		ok = tool_job_do(j, argv);
	}
	if (ok && con->mode == VMW_CON_VNC &&
	    !ctyskeys_vnc_viewer(j, f.labels.v[0], port, why, sizeof why)) {
		m = xasprintf("'%s' runs, but its VNC console cannot be started: %s", vmx, why);
		job_status(j->out, 2, m);
		free(m);
	} else if (ok) {
		job_status(j->out, 0, NULL);
	}
	strv_free(&run);
	ctyskeys_found_free(&f);
}

static bool
vmw_cancel_one(const struct pjob *j, const struct ctyskeys_cancel *c, const char *vmx)
{
	const char *argv[5] = { "vmrun", NULL, vmx, NULL, NULL };
	bool ok;

	switch (c->method) {
	case CK_M_REBOOT:
		argv[1] = "reset";
		argv[3] = "soft";
		break;
	case CK_M_RESET:
		argv[1] = "reset";
		argv[3] = "hard";
		break;
	case CK_M_PAUSE:
		argv[1] = "pause";
		break;
	case CK_M_SUSPEND:
		argv[1] = "suspend";
		argv[3] = "soft";
		break;
	default:
		argv[1] = "stop";
		argv[3] = "soft";
		break;
	}
	ok = tool_job_do(j, argv);
	if (ok && c->method == CK_M_POWEROFF && c->force) {
		const char *hard[] = { "vmrun", "stop", vmx, "hard", NULL };
		unsigned long waited = 0;
		bool still;

		for (;;) {
			struct strv run = STRV_INIT;

			still = vmw_running(NULL, &run) == CTYS_OK && vmw_in(&run, vmx);
			strv_free(&run);
			if (!still || waited >= c->delay)
				break;
			sleep(1);
			waited++;
		}
		if (still)
			ok = tool_job_do(j, hard);
	}
	return ok;
}

static void
vmw_cancel(const struct pjob *j)
{
	struct strv run = STRV_INIT, targets = STRV_INIT;
	struct ctyskeys_found f = { 0 };
	struct ctyskeys_cancel c;
	struct ctyskeys_addr a;
	size_t i;
	bool ok = true;

	if (ctyskeys_addr_get(j->job, true, &a) != CTYS_OK ||
	    ctyskeys_cancel_get(j->job, &c) != CTYS_OK) {
		job_status(j->out, 1, ctys_errmsg());
		return;
	}
	if (vmw_running(j, &run) != CTYS_OK) {
		job_status(j->out, 2, ctys_errmsg());
		return;
	}
	if (!a.all && !(a.id && !a.label && !a.filename && !a.uuid && !a.mac && !a.tcp))
		vmw_resolve(j, &a, &f);
	for (i = 0; i < run.n; i++)
		if (a.all || (a.id && strcmp(a.id, run.v[i]) == 0 && !f.ids.n) ||
		    vmw_in(&f.ids, run.v[i]))
			strv_push(&targets, run.v[i]);
	if (targets.n == 0) {
		job_status(j->out, 1, "no running VMW machine matches the address");
	} else if (!ctyskeys_cancel_stacked(j, plugin_lookup("VMW", 3), &c, &targets)) {
		for (i = 0; i < targets.n && ok; i++)
			ok = vmw_cancel_one(j, &c, targets.v[i]);
		if (ok)
			job_status(j->out, 0, NULL);
	}
	strv_free(&targets);
	strv_free(&run);
	ctyskeys_found_free(&f);
}

static void
vmw_isactive(const struct pjob *j)
{
	job_isactive_by_list(j, &vmw_ops, "VMW");
}

static void
vmw_clientport(const struct pjob *j)
{
	job_clientport_by_list(j, &vmw_ops, "VMW", "a VNC port (RemoteDisplay.vnc in its .vmx)");
}

/* ---- INFO and SHOW ---- */

static ctys_err_t
vmw_info(const struct pjob *j)
{
	ctyskeys_info(j, "VMW", "vmrun");
	return CTYS_OK;
}

static ctys_err_t
vmw_show(const struct pjob *j)
{
	struct strv paths = STRV_INIT;
	ctys_err_t e = CTYS_OK;

	if (plugin_state(plugin_lookup("VMW", 3))->server)
		e = vmw_running(j, &paths);
	if (e == CTYS_OK)
		ctyskeys_show(j, "VMW", &paths);
	strv_free(&paths);
	return e;
}

const struct plugin_ops vmw_ops = {
	.probe = vmw_probe,
	.run = { [CTYS_ACT_CREATE] = vmw_create, [CTYS_ACT_CANCEL] = vmw_cancel,
	    [CTYS_ACT_ISACTIVE] = vmw_isactive, [CTYS_ACT_GETCLIENTPORT] = vmw_clientport },
	.list = vmw_list,
	.enumerate = vmw_enumerate,
	.info = vmw_info,
	.show = vmw_show,
	.guest = ctyskeys_guest,
};
