/*
 * xen.c — the XEN plugin through xl (plugins.md §5.3, ctys-XEN(1)).
 *
 * The original drove Xen 3 through xm and virsh; this one uses the xl
 * tool of current Xen with the same conventions: the domain name is the
 * LABEL, the ID is the path of the domain configuration file, ctys keys
 * are "#@#" comment lines in that file or in <stem>.ctys / <dir>.ctys.
 *
 *   probe      xl on PATH, then "xl info" (fails when Xen is not running);
 *   ENUMERATE  *.conf / *.ctys below the base paths with #@#MAGICID-XEN or
 *              more than four of the xl keys name vif disk memory
 *              bootloader uuid vcpus; one record per vif (MAC) and address;
 *              DISPLAY/CPORT from vnc=1 + vncdisplay= (or a vfb with both);
 *   LIST       "xl list -v" (Domain-0 left out), IDs from the configurations,
 *              DISPLAY/CPORT as xl runs the domain ("xl list -l" JSON);
 *   CREATE     "xl create <conf> [CALLOPTS]", RESUME: "xl unpause <name>"
 *              for a paused domain, "xl restore <conf> <save>" when a save
 *              file $XEN_SAVEDIR/<name> (default /var/lib/xen/save) exists;
 *              consoles NONE, VNC (vncviewer to the port), XTERM/GTERM (a
 *              terminal running "xl console <name>");
 *   GETCLIENTPORT  the VNC port of the LIST record; INFO/SHOW one line each;
 *   CANCEL     POWEROFF "xl shutdown" (FORCE: "xl destroy" after the delay
 *              when still there), REBOOT "xl reboot", RESET "xl trigger
 *              <name> reset", PAUSE "xl pause", SUSPEND "xl save <name>
 *              <save>".
 * Every xl call has an argv (no shell) and a timeout (agents/tool.h).
 */
#include <ctype.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/stat.h>
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

#define XEN_MAX_CONF (256 * 1024)
#define XEN_VNC_BASE 5900L   /* VNC port of display 0 */

/* What an xl domain configuration file says (the keys ctys uses). */
struct xen_cfg {
	char name[256], uuid[64], memory[32], vcpus[16], type[16], builder[16];
	char vnc[8], vncdisplay[16];  /* HVM: vnc= vncdisplay=; PV/PVH: from the vfb list */
	struct strv macs, bridges;   /* per vif, "" when not given */
	unsigned score;              /* distinct keys of name vif disk memory bootloader uuid vcpus */
};

static const char *const xen_score_keys[] = { "name", "vif", "disk", "memory", "bootloader",
	"uuid", "vcpus" };

/* One value: a quoted string, a bare word, or a [list] of them (into items). */
static const char *
xen_value(const char *s, struct strv *items)
{
	char q;
	const char *b;

	if (*s == '[') {
		s++;
		while (*s && *s != ']') {
			if (*s == '#') {
				s += strcspn(s, "\n");
				continue;
			}
			if (*s == '"' || *s == '\'') {
				q = *s++;
				b = s;
				s += strcspn(s, q == '"' ? "\"\n" : "'\n");
				strv_pushn(items, b, (size_t)(s - b));
				if (*s == q)
					s++;
				continue;
			}
			s++;
		}
		return *s ? s + 1 : s;
	}
	if (*s == '"' || *s == '\'') {
		q = *s++;
		b = s;
		s += strcspn(s, q == '"' ? "\"\n" : "'\n");
		strv_pushn(items, b, (size_t)(s - b));
		return *s == q ? s + 1 : s;
	}
	b = s;
	s += strcspn(s, " \t;#\n");
	strv_pushn(items, b, (size_t)(s - b));
	return s;
}

/* The value of key in a "key=value,key=value" device spec into out[n] ("" when absent). */
static void
xen_spec_get(const char *spec, const char *key, char *out, size_t n)
{
	size_t kl = strlen(key);
	const char *s = spec, *e;

	out[0] = '\0';
	while (*s) {
		while (*s == ' ' || *s == ',')
			s++;
		e = s + strcspn(s, ",");
		if (strncmp(s, key, kl) == 0 && s[kl] == '=')
			snprintf(out, n, "%.*s", (int)(e - s - (ptrdiff_t)kl - 1), s + kl + 1);
		s = e;
	}
}

/* vif = [ 'mac=...,bridge=...' ]: MAC (lower case) and bridge per vif. */
static void
xen_vif(const char *spec, struct xen_cfg *c)
{
	char mac[64], bridge[128], *p;

	xen_spec_get(spec, "mac", mac, sizeof mac);
	xen_spec_get(spec, "bridge", bridge, sizeof bridge);
	for (p = mac; *p; p++)
		*p = (char)tolower((unsigned char)*p);
	strv_push(&c->macs, mac);
	strv_push(&c->bridges, bridge);
}

/* vfb = [ 'vnc=1,vncdisplay=<n>,...' ]: the first display with vnc on. */
static void
xen_vfb(const char *spec, struct xen_cfg *c)
{
	char vnc[8], disp[16];

	xen_spec_get(spec, "vnc", vnc, sizeof vnc);
	xen_spec_get(spec, "vncdisplay", disp, sizeof disp);
	if (strcmp(vnc, "1") == 0 && disp[0] && !c->vncdisplay[0])
		snprintf(c->vncdisplay, sizeof c->vncdisplay, "%s", disp);
}

/* The VNC display the configuration fixes (vnc not off), or NULL. */
static const char *
xen_cfg_display(const struct xen_cfg *c)
{
	if (!c->vncdisplay[0] || strcmp(c->vnc, "0") == 0 ||
	    strspn(c->vncdisplay, "0123456789") != strlen(c->vncdisplay))
		return NULL;
	return c->vncdisplay;
}

static void
xen_cfg_parse(const char *text, struct xen_cfg *c)
{
	const char *s = text, *k;
	bool seen[7] = { false };
	size_t kl, i;

	memset(c, 0, sizeof *c);
	while (*s) {
		struct strv items = STRV_INIT;

		while (*s == ' ' || *s == '\t' || *s == '\n' || *s == '\r' || *s == ';')
			s++;
		if (*s == '#') {
			s += strcspn(s, "\n");
			continue;
		}
		k = s;
		while (isalnum((unsigned char)*s) || *s == '_' || *s == '.')
			s++;
		kl = (size_t)(s - k);
		while (*s == ' ' || *s == '\t')
			s++;
		if (kl == 0 || *s != '=') {
			s += strcspn(s, "\n");
			continue;
		}
		s++;
		while (*s == ' ' || *s == '\t')
			s++;
		s = xen_value(s, &items);
		for (i = 0; i < 7; i++)
			if (strlen(xen_score_keys[i]) == kl && strncmp(k, xen_score_keys[i], kl) == 0 &&
			    !seen[i]) {
				seen[i] = true;
				c->score++;
			}
#define XEN_KEY(lit) (kl == sizeof(lit) - 1 && strncmp(k, lit, kl) == 0)
		if (XEN_KEY("vif")) {
			for (i = 0; i < items.n; i++)
				xen_vif(items.v[i], c);
		} else if (XEN_KEY("vfb")) {
			for (i = 0; i < items.n; i++)
				xen_vfb(items.v[i], c);
		} else if (items.n) {
			if (XEN_KEY("name"))
				snprintf(c->name, sizeof c->name, "%s", items.v[0]);
			else if (XEN_KEY("uuid"))
				snprintf(c->uuid, sizeof c->uuid, "%s", items.v[0]);
			else if (XEN_KEY("memory"))
				snprintf(c->memory, sizeof c->memory, "%s", items.v[0]);
			else if (XEN_KEY("vcpus"))
				snprintf(c->vcpus, sizeof c->vcpus, "%s", items.v[0]);
			else if (XEN_KEY("type"))
				snprintf(c->type, sizeof c->type, "%s", items.v[0]);
			else if (XEN_KEY("builder"))
				snprintf(c->builder, sizeof c->builder, "%s", items.v[0]);
			else if (XEN_KEY("vnc"))
				snprintf(c->vnc, sizeof c->vnc, "%s", items.v[0]);
			else if (XEN_KEY("vncdisplay"))
				snprintf(c->vncdisplay, sizeof c->vncdisplay, "%s", items.v[0]);
		}
#undef XEN_KEY
		strv_free(&items);
	}
}

static void
xen_cfg_free(struct xen_cfg *c)
{
	strv_free(&c->macs);
	strv_free(&c->bridges);
}

/* "HVM", "PVH" or "PARA" from type= / builder=. */
static const char *
xen_accel(const struct xen_cfg *c)
{
	if (str_ieq(c->type, "hvm") || str_ieq(c->builder, "hvm"))
		return "HVM";
	if (str_ieq(c->type, "pvh"))
		return "PVH";
	return "PARA";
}

/* "xl info": the Xen version ("4.17.3") and the caps; false when xl fails. */
static bool
xen_info(char *version, size_t vn, char *caps, size_t cn, char *why, size_t wn)
{
	const char *argv[] = { "xl", "info", NULL };
	struct tool_result r;
	const char *s, *e;
	bool ok;

	version[0] = caps[0] = '\0';
	ok = tool_run(argv, 10000, &r) == 0;
	if (!ok) {
		char *m = tool_reason(&r);

		snprintf(why, wn, "the Xen hypervisor is not running here (xl info: %s)", m);
		free(m);
	}
	for (s = r.out; ok && *s; s = *e ? e + 1 : e) {
		size_t kl;
		const char *v;

		e = s + strcspn(s, "\n");
		kl = strcspn(s, " \t:");
		v = memchr(s, ':', (size_t)(e - s));
		if (v == NULL)
			continue;
		for (v++; *v == ' ' || *v == '\t'; v++)
			;
		if (kl == 11 && strncmp(s, "xen_version", 11) == 0)
			snprintf(version, vn, "%.*s", (int)(e - v), v);
		else if (kl == 9 && strncmp(s, "virt_caps", 9) == 0)
			snprintf(caps, cn, "%.*s", (int)(e - v), v);
	}
	tool_result_free(&r);
	return ok;
}

static void
xen_probe(struct plugin_state *st)
{
	char path[4096], version[64], caps[256];
	const char *ign = getenv("XEN_IGNORE");

	memset(st, 0, sizeof *st);
	if (ign && strcmp(ign, "1") == 0) {
		snprintf(st->why, sizeof st->why, "XEN_IGNORE=1 is set");
		return;
	}
	if (!tool_which("xl", path, sizeof path)) {
		snprintf(st->why, sizeof st->why, "xl (the Xen toolstack) is not installed: not found "
		    "on PATH");
		return;
	}
	st->enabled = st->client = true;
	st->server = xen_info(version, sizeof version, caps, sizeof caps, st->why, sizeof st->why);
	snprintf(st->magic, sizeof st->magic, "XEN_%s", version[0] ? version : "xl");
	snprintf(st->accel, sizeof st->accel, "%s", strstr(caps, "hvm") ? "HVM" : "PARA");
}

/* ---- ENUMERATE ---- */

struct xen_scan {
	const struct pjob *j;
	rec_emit_fn emit;
	void *ctx;
	char hrx[64], exep[4096];
};

/* Is x.ctys redundant next to an accepted x.conf? */
static bool
xen_redundant(const char *path)
{
	size_t n = strlen(path);
	struct stat st;
	char *conf;
	bool r;

	if (n < 5 || strcmp(path + n - 5, ".ctys") != 0)
		return false;
	conf = xasprintf("%.*s.conf", (int)(n - 5), path);
	r = stat(conf, &st) == 0;
	free(conf);
	return r;
}

static void
xen_enum_file(struct xen_scan *sc, const char *path)
{
	struct strv chain = STRV_INIT;
	struct ctyskeys_rec r;
	struct xen_cfg c;
	struct pm_conf k;
	char *text, cport[16];
	const char *disp;
	bool own_magic;

	if (xen_redundant(path) || (text = ctyskeys_read(path, XEN_MAX_CONF)) == NULL)
		return;
	xen_cfg_parse(text, &c);
	if (pm_conf_parse(text, strlen(text), "XEN", &k) != CTYS_OK)
		memset(&k, 0, sizeof k);
	own_magic = k.magic;
	pm_conf_free(&k);
	free(text);
	ctyskeys_chain(path, &chain);
	ctyskeys_load(&chain, "XEN", &k);
	if (!k.ignore && (own_magic || c.score > 4)) {
		ctyskeys_rec_vm(&r, "XEN", path);
		ctyskeys_rec_set(&r, CK_LABEL, c.name);
		ctyskeys_rec_set(&r, CK_UUID, c.uuid);
		ctyskeys_rec_set(&r, CK_VRAM, c.memory);
		if (c.vcpus[0])
			ctyskeys_rec_set(&r, CK_VCPU, c.vcpus);
		ctyskeys_rec_set(&r, CK_ACCEL, xen_accel(&c));
		if ((disp = xen_cfg_display(&c)) != NULL) {
			snprintf(cport, sizeof cport, "%ld", XEN_VNC_BASE + strtol(disp, NULL, 10));
			ctyskeys_rec_set(&r, CK_DISP, disp);
			ctyskeys_rec_set(&r, CK_CPORT, cport);
		}
		ctyskeys_rec_set(&r, CK_HRX, sc->hrx);
		ctyskeys_rec_set(&r, CK_EXEP, sc->exep);
		ctyskeys_apply(&r, &k);
		ctyskeys_emit_nics(&r, &k, &c.macs, &c.bridges, sc->emit, sc->ctx);
		ctyskeys_rec_free(&r);
	}
	pm_conf_free(&k);
	strv_free(&chain);
	xen_cfg_free(&c);
}

static ctys_err_t
xen_enumerate(const struct pjob *j, const struct strv *bases, rec_emit_fn emit, void *ctx)
{
	static const char *const exts[] = { ".conf", ".ctys", NULL };
	struct xen_scan sc = { j, emit, ctx, "", "" };
	struct strv files = STRV_INIT;
	char caps[256], why[256];
	size_t i;

	if (tool_which("xl", sc.exep, sizeof sc.exep))
		xen_info(sc.hrx, sizeof sc.hrx, caps, sizeof caps, why, sizeof why);
	ctyskeys_scan(bases, exts, &files);
	for (i = 0; i < files.n; i++)
		xen_enum_file(&sc, files.v[i]);
	strv_free(&files);
	return CTYS_OK;
}

/* The configurations matching a (scan of the job's base paths). */
static void
xen_resolve(const struct pjob *j, const struct ctyskeys_addr *a, struct ctyskeys_found *f)
{
	struct strv bases = STRV_INIT;

	memset(f, 0, sizeof *f);
	f->a = a;
	job_bases(j->job, &bases);
	xen_enumerate(j, &bases, ctyskeys_found_emit, f);
	strv_free(&bases);
}

/* ---- LIST ---- */

/* One line of "xl list -v". */
struct xen_dom {
	char name[256], id[16], mem[16], vcpus[8], state[16], time[32], uuid[64];
};

/* Parse "xl list -v" output; the header and Domain-0 are skipped. */
static size_t
xen_parse_list(const char *out, struct xen_dom **doms)
{
	const char *s, *e;
	size_t n = 0;

	*doms = NULL;
	for (s = out; *s; s = *e ? e + 1 : e) {
		struct strv w = STRV_INIT;
		char *line;

		e = s + strcspn(s, "\n");
		line = xstrndup(s, (size_t)(e - s));
		strv_split_ws(&w, line);
		free(line);
		if (w.n >= 6 && strcmp(w.v[0], "Name") != 0 && strcmp(w.v[1], "0") != 0) {
			struct xen_dom *d;

			*doms = xreallocarray(*doms, n + 1, sizeof **doms);
			d = &(*doms)[n++];
			memset(d, 0, sizeof *d);
			snprintf(d->name, sizeof d->name, "%s", w.v[0]);
			snprintf(d->id, sizeof d->id, "%s", w.v[1]);
			snprintf(d->mem, sizeof d->mem, "%s", w.v[2]);
			snprintf(d->vcpus, sizeof d->vcpus, "%s", w.v[3]);
			snprintf(d->state, sizeof d->state, "%s", w.v[4]);
			snprintf(d->time, sizeof d->time, "%s", w.v[5]);
			if (w.n >= 7)
				snprintf(d->uuid, sizeof d->uuid, "%s", w.v[6]);
		}
		strv_free(&w);
	}
	return n;
}

/* The running domains ("xl list -v"); CTYS_ERR_IO with xl's reason. */
static ctys_err_t
xen_running(const struct pjob *j, struct xen_dom **doms, size_t *n)
{
	const char *argv[] = { "xl", "list", "-v", NULL };
	struct tool_result r;
	char *m;

	if (tool_job_call(j, argv, &r) != 0) {
		m = tool_explain(&r);
		tool_result_free(&r);
		*doms = NULL;
		*n = 0;
		ctys_seterr(CTYS_ERR_IO, "xl list -v failed: %s", m);
		free(m);
		return CTYS_ERR_IO;
	}
	*n = xen_parse_list(r.out, doms);
	tool_result_free(&r);
	return CTYS_OK;
}

/* A libxl defbool or boolean: "True" or true. */
static bool
xen_json_true(const json_t *v)
{
	return json_is_true(v) || (json_is_string(v) && str_ieq(json_string_value(v), "True"));
}

/*
 * The display of the first enabled "vnc" object below v (libxl's JSON of
 * "xl list -l": b_info "type.hvm" or a vfbs entry): its "display" when
 * that is fixed (findunused "False", or a display other than 0).
 */
static bool
xen_json_vnc(const json_t *v, long *disp)
{
	const json_t *vnc = json_object_get(v, "vnc"), *x;
	const char *k;
	size_t i;

	if (json_is_object(vnc) && xen_json_true(json_object_get(vnc, "enable")) &&
	    json_is_integer(json_object_get(vnc, "display"))) {
		*disp = (long)json_integer_value(json_object_get(vnc, "display"));
		x = json_object_get(vnc, "findunused");
		if (*disp > 0 || (json_is_string(x) && str_ieq(json_string_value(x), "False")) ||
		    json_is_false(x))
			return true;
	}
	if (json_is_object(v)) {
		json_object_foreach((json_t *)v, k, x)
			if (strcmp(k, "vnc") != 0 && xen_json_vnc(x, disp))
				return true;
	} else if (json_is_array(v)) {
		json_array_foreach(v, i, x)
			if (xen_json_vnc(x, disp))
				return true;
	}
	return false;
}

/*
 * "xl list -l": the VNC display of each running domain as xl runs it
 * (CALLOPTS of CREATE may have changed the file's); names and displays in
 * parallel, "" when none is fixed.  Nothing when xl fails (LIST goes on).
 */
static void
xen_displays(struct strv *names, struct strv *disps)
{
	const char *argv[] = { "xl", "list", "-l", NULL };
	struct tool_result r;
	json_t *root, *d;
	size_t i;

	if (tool_run(argv, 0, &r) == 0 && (root = json_loads(r.out, 0, NULL)) != NULL) {
		json_array_foreach(root, i, d) {
			const json_t *cfg = json_object_get(d, "config");
			const char *name = json_string_value(json_object_get(json_object_get(cfg,
			    "c_info"), "name"));
			long disp = -1;

			if (name == NULL)
				continue;
			strv_push(names, name);
			strv_push_owned(disps, xen_json_vnc(cfg, &disp) ? xasprintf("%ld", disp) :
			    xstrdup(""));
		}
		json_decref(root);
	}
	tool_result_free(&r);
}

/* The first enumerated record of each label: to fill ID, MAC, TCP, IFNAME. */
struct xen_firsts {
	struct strv labels;
	char **recs;   /* per label: REC_NFIELDS owned fields */
};

static void
xen_firsts_emit(void *ctx, const char *const *fields, size_t n)
{
	struct xen_firsts *x = ctx;
	size_t i;

	if (n != REC_NFIELDS)
		return;
	for (i = 0; i < x->labels.n; i++)
		if (strcmp(x->labels.v[i], fields[CK_LABEL - 1]) == 0)
			return;
	x->recs = xreallocarray(x->recs, (x->labels.n + 1) * REC_NFIELDS, sizeof *x->recs);
	for (i = 0; i < n; i++)
		x->recs[x->labels.n * REC_NFIELDS + i] = xstrdup(fields[i]);
	strv_push(&x->labels, fields[CK_LABEL - 1]);
}

/* Fields of label's first record, or NULL. */
static char **
xen_firsts_get(const struct xen_firsts *x, const char *label)
{
	size_t i;

	for (i = 0; i < x->labels.n; i++)
		if (strcmp(x->labels.v[i], label) == 0)
			return x->recs + i * REC_NFIELDS;
	return NULL;
}

static void
xen_firsts_free(struct xen_firsts *x)
{
	size_t i;

	for (i = 0; i < x->labels.n * REC_NFIELDS; i++)
		free(x->recs[i]);
	free(x->recs);
	strv_free(&x->labels);
}

static ctys_err_t
xen_list(const struct pjob *j, rec_emit_fn emit, void *ctx)
{
	const struct plugin_desc *pd = plugin_lookup("XEN", 3);
	const struct plugin_state *st = plugin_state(pd);
	struct strv bases = STRV_INIT;
	struct xen_firsts xf = { STRV_INIT, NULL };
	struct strv dnames = STRV_INIT, disps = STRV_INIT;
	struct xen_dom *d;
	char user[64], group[64], exep[4096], cstrg[128], cport[16];
	size_t n, i, k;

	if (!st->server) {
		if (strcmp(proto_str(j->job, "type"), "XEN") == 0)
			job_msg(j->out, "warning", st->why);
		return CTYS_OK;
	}
	if (xen_running(j, &d, &n) != CTYS_OK)
		return CTYS_ERR_IO;
	ctyskeys_account(user, sizeof user, group, sizeof group);
	tool_which("xl", exep, sizeof exep);
	job_bases(j->job, &bases);
	if (n) {
		xen_enumerate(j, &bases, xen_firsts_emit, &xf);
		xen_displays(&dnames, &disps);
	}
	for (i = 0; i < n; i++) {
		char **x = xen_firsts_get(&xf, d[i].name);
		const char *f[LREC_NFIELDS], *disp = "";

		for (k = 0; k < dnames.n; k++)
			if (strcmp(dnames.v[k], d[i].name) == 0)
				disp = disps.v[k];
		for (k = 0; k < LREC_NFIELDS; k++)
			f[k] = "";
		cport[0] = '\0';
		if (*disp)
			snprintf(cport, sizeof cport, "%ld", XEN_VNC_BASE + strtol(disp, NULL, 10));
		else if (x)
			disp = x[CK_DISP - 1];
		snprintf(cstrg, sizeof cstrg, "domid=%s,state=%s", d[i].id, d[i].state);
		f[0] = agent_hostname();
		f[1] = "XEN";
		f[2] = d[i].name;
		f[3] = x ? x[CK_ID - 1] : "";
		f[4] = d[i].uuid[0] && strcmp(d[i].uuid, "-") ? d[i].uuid : "";
		f[5] = x ? x[CK_MAC - 1] : "";
		f[6] = x ? x[CK_TCP - 1] : "";
		f[7] = disp;
		f[8] = cport[0] ? cport : x ? x[CK_CPORT - 1] : "";
		f[11] = user;
		f[12] = group;
		f[13] = "SERVER";
		f[15] = x ? x[CK_IFNAME - 1] : "";
		f[17] = cstrg;
		f[18] = exep;
		f[19] = st->magic;
		f[20] = x ? x[CK_ACCEL - 1] : "";
		f[21] = x ? x[CK_ARCH - 1] : "";
		emit(ctx, f, LREC_NFIELDS);
	}
	xen_firsts_free(&xf);
	strv_free(&dnames);
	strv_free(&disps);
	strv_free(&bases);
	free(d);
	return CTYS_OK;
}

/* ---- CREATE and CANCEL ---- */

static char *
xen_savefile(const char *name)
{
	const char *d = getenv("XEN_SAVEDIR");

	return xasprintf("%s/%s", d && *d ? d : "/var/lib/xen/save", name);
}

static const struct xen_dom *
xen_find_dom(const struct xen_dom *d, size_t n, const char *name)
{
	size_t i;

	for (i = 0; i < n; i++)
		if (strcmp(d[i].name, name) == 0)
			return &d[i];
	return NULL;
}

/* The consoles of XEN (plugins.md §2; CLI needs the caller's terminal: refused). */
enum { XEN_CON_NONE, XEN_CON_VNC, XEN_CON_XTERM, XEN_CON_GTERM };

static const struct ctyskeys_console xen_consoles[] = {
	{ "NONE", XEN_CON_NONE, false },
	{ "VNC|VNCVIEWER", XEN_CON_VNC, false },
	{ "XTERM", XEN_CON_XTERM, true },
	{ "GTERM", XEN_CON_GTERM, true },
};

/* The VNC port of running domain name: as xl runs it, else as conf fixes it. */
static bool
xen_vnc_port(const char *name, const char *conf, char *port, size_t n)
{
	struct strv names = STRV_INIT, disps = STRV_INIT;
	struct xen_cfg c;
	const char *disp = NULL;
	char *text;
	size_t i;

	xen_displays(&names, &disps);
	for (i = 0; i < names.n; i++)
		if (strcmp(names.v[i], name) == 0 && disps.v[i][0])
			disp = disps.v[i];
	if (disp)
		snprintf(port, n, "%ld", XEN_VNC_BASE + strtol(disp, NULL, 10));
	strv_free(&names);
	strv_free(&disps);
	if (disp)
		return true;
	if ((text = ctyskeys_read(conf, XEN_MAX_CONF)) == NULL)
		return false;
	xen_cfg_parse(text, &c);
	free(text);
	if ((disp = xen_cfg_display(&c)) != NULL)
		snprintf(port, n, "%ld", XEN_VNC_BASE + strtol(disp, NULL, 10));
	xen_cfg_free(&c);
	return disp != NULL;
}

/*
 * Start console c of the running domain name (fresh: just started).  False
 * with status 2 sent when it cannot be started.
 */
static bool
xen_console(const struct pjob *j, const struct ctyskeys_console *c, const char *name,
    const char *conf, bool fresh)
{
	const char *xterm[] = { "xterm", "-T", name, "-e", "xl", "console", name, NULL };
	const char *gterm[] = { "gnome-terminal", "--title", name, "--", "xl", "console", name,
		NULL };
	const char *w = getenv("XEN_CONSOLE_DOMU_INIT_WAIT"), *const *argv;
	char why[512] = "", port[16], *m;
	bool ok;

	switch (c->mode) {
	case XEN_CON_NONE:
		return true;
	case XEN_CON_VNC:
		if (!xen_vnc_port(name, conf, port, sizeof port)) {
			snprintf(why, sizeof why, "it has no fixed VNC display (vnc=1 and vncdisplay=<n>, "
			    "or a vfb with both, in %s)", conf);
			ok = false;
			break;
		}
		/* the original waited XEN_CONSOLE_DOMU_INIT_WAIT (8 s) for the new domain's display */
		if (fresh && getenv("DISPLAY") && *getenv("DISPLAY"))
			sleep((unsigned)(w && atoi(w) >= 0 && atoi(w) <= 60 ? atoi(w) : 8));
		ok = ctyskeys_vnc_viewer(j, name, port, why, sizeof why);
		break;
	default:
		argv = c->mode == XEN_CON_XTERM ? xterm : gterm;
		if ((ok = tool_spawn(argv, why, sizeof why))) {
			char *cmd = tool_cmdline(argv);

			m = xasprintf("console of domain '%s': %s started", name, cmd);
			job_msg(j->out, "info", m);
			free(m);
			free(cmd);
		}
		break;
	}
	if (!ok) {
		m = xasprintf("domain '%s' runs, but its %.*s console cannot be started: %s", name,
		    (int)kw_canon_len(c->names), c->names, why);
		job_status(j->out, 2, m);
		free(m);
	}
	return ok;
}

static void
xen_create(const struct pjob *j)
{
	const struct ctyskeys_console *con;
	struct ctyskeys_addr a;
	struct ctyskeys_found f;
	const struct xen_dom *run;
	struct xen_dom *d = NULL;
	const char *conf, *name, *opts;
	struct stat st;
	size_t n = 0;
	char *save, *m;
	bool ok, fresh = true;

	if (ctyskeys_console_get(j->job, "XEN", xen_consoles, sizeof xen_consoles /
	    sizeof *xen_consoles, &con) != CTYS_OK || ctyskeys_addr_get(j->job, false, &a) != CTYS_OK) {
		job_status(j->out, 1, ctys_errmsg());
		return;
	}
	xen_resolve(j, &a, &f);
	if (f.ids.n != 1) {
		char *l = strv_join(&f.ids, ", ");

		m = f.ids.n ? xasprintf("the address matches %zu XEN configurations: %s", f.ids.n, l) :
		    xasprintf("no XEN configuration matches the address (searched the base paths)");
		job_status(j->out, 1, m);
		free(m);
		free(l);
		ctyskeys_found_free(&f);
		return;
	}
	conf = f.ids.v[0];
	name = f.labels.v[0];
	if (xen_running(j, &d, &n) != CTYS_OK) {
		job_status(j->out, 2, ctys_errmsg());
		ctyskeys_found_free(&f);
		return;
	}
	run = xen_find_dom(d, n, name);
	save = xen_savefile(name);
	if (run && job_has_subopt(j->job, "RESUME") && strchr(run->state, 'p')) {
		const char *argv[] = { "xl", "unpause", name, NULL };

		ok = tool_job_do(j, argv);
		fresh = false;
	} else if (run) {
		m = xasprintf("domain '%s' is already running (id %s)", name, run->id);
		job_msg(j->out, "info", m);
		free(m);
		ok = true;
		fresh = false;
	} else if (job_has_subopt(j->job, "CONNECT")) {
		m = xasprintf("domain '%s' is not running: nothing to CONNECT to", name);
		job_status(j->out, 1, m);
		free(m);
		ok = false;
	} else if (job_has_subopt(j->job, "RESUME") && stat(save, &st) == 0) {
		const char *argv[] = { "xl", "restore", conf, save, NULL };

		ok = tool_job_do(j, argv);
	} else {
		struct strv av = STRV_INIT, w = STRV_INIT;
		size_t i;

		strv_push(&av, "xl");
		strv_push(&av, "create");
		strv_push(&av, conf);
		if ((opts = job_subopt(j->job, "CALLOPTS")) != NULL) {
			strv_split_ws(&w, opts);
			for (i = 0; i < w.n; i++)
				strv_push(&av, w.v[i]);
		}
		ok = tool_job_do(j, (const char *const *)av.v);
		strv_free(&w);
		strv_free(&av);
	}
	if (ok && xen_console(j, con, name, conf, fresh))
		job_status(j->out, 0, NULL);
	free(save);
	free(d);
	ctyskeys_found_free(&f);
}

/* Cancel one running domain; false (status sent) on failure. */
static bool
xen_cancel_one(const struct pjob *j, const struct ctyskeys_cancel *c, const char *name)
{
	const char *argv[6] = { "xl", NULL, name, NULL, NULL, NULL };
	char *save = NULL;
	bool ok;

	switch (c->method) {
	case CK_M_REBOOT:
		argv[1] = "reboot";
		break;
	case CK_M_RESET:
		argv[1] = "trigger";
		argv[3] = "reset";
		break;
	case CK_M_PAUSE:
		argv[1] = "pause";
		break;
	case CK_M_SUSPEND:
		argv[1] = "save";
		argv[3] = save = xen_savefile(name);
		break;
	default:
		argv[1] = "shutdown";
		break;
	}
	ok = tool_job_do(j, argv);
	free(save);
	if (ok && c->method == CK_M_POWEROFF && c->force) {
		const char *look[] = { "xl", "list", name, NULL };
		const char *kill[] = { "xl", "destroy", name, NULL };
		unsigned long waited = 0;
		struct tool_result r;
		bool gone;

		for (;;) {
			gone = tool_run(look, 10000, &r) != 0;
			tool_result_free(&r);
			if (gone || waited >= c->delay)
				break;
			sleep(1);
			waited++;
		}
		if (!gone)
			ok = tool_job_do(j, kill);
	}
	return ok;
}

static void
xen_cancel(const struct pjob *j)
{
	struct ctyskeys_addr a;
	struct ctyskeys_cancel c;
	struct ctyskeys_found f = { 0 };
	struct strv targets = STRV_INIT;
	struct xen_dom *d = NULL;
	size_t n = 0, i, k;
	bool ok = true;

	if (ctyskeys_addr_get(j->job, true, &a) != CTYS_OK ||
	    ctyskeys_cancel_get(j->job, &c) != CTYS_OK) {
		job_status(j->out, 1, ctys_errmsg());
		return;
	}
	if (xen_running(j, &d, &n) != CTYS_OK) {
		job_status(j->out, 2, ctys_errmsg());
		return;
	}
	if (!a.all && (a.id || a.filename || a.mac || a.tcp))
		xen_resolve(j, &a, &f);
	for (i = 0; i < n; i++) {
		bool hit = a.all;

		if (!hit && !(a.id || a.filename || a.mac || a.tcp))
			hit = (!a.label || strcmp(a.label, d[i].name) == 0) &&
			    (!a.uuid || strcasecmp(a.uuid, d[i].uuid) == 0);
		for (k = 0; !hit && k < f.labels.n; k++)
			hit = strcmp(f.labels.v[k], d[i].name) == 0;
		if (hit)
			strv_push(&targets, d[i].name);
	}
	if (targets.n == 0) {
		job_status(j->out, 1, "no running XEN domain matches the address");
	} else if (!ctyskeys_cancel_stacked(j, plugin_lookup("XEN", 3), &c, &targets)) {
		for (i = 0; i < targets.n && ok; i++)
			ok = xen_cancel_one(j, &c, targets.v[i]);
		if (ok)
			job_status(j->out, 0, NULL);
	}
	strv_free(&targets);
	ctyskeys_found_free(&f);
	free(d);
}

static void
xen_isactive(const struct pjob *j)
{
	job_isactive_by_list(j, &xen_ops, "XEN");
}

static void
xen_clientport(const struct pjob *j)
{
	job_clientport_by_list(j, &xen_ops, "XEN", "a fixed VNC display");
}

/* ---- INFO and SHOW ---- */

static ctys_err_t
xen_info_op(const struct pjob *j)
{
	ctyskeys_info(j, "XEN", "xl");
	return CTYS_OK;
}

static ctys_err_t
xen_show(const struct pjob *j)
{
	struct strv names = STRV_INIT;
	struct xen_dom *d = NULL;
	size_t n = 0, i;

	if (plugin_state(plugin_lookup("XEN", 3))->server) {
		if (xen_running(j, &d, &n) != CTYS_OK)
			return CTYS_ERR_IO;
		for (i = 0; i < n; i++)
			strv_push_owned(&names, xasprintf("%s(%s,%s)", d[i].name, d[i].id, d[i].state));
	}
	ctyskeys_show(j, "XEN", &names);
	strv_free(&names);
	free(d);
	return CTYS_OK;
}

const struct plugin_ops xen_ops = {
	.probe = xen_probe,
	.run = { [CTYS_ACT_CREATE] = xen_create, [CTYS_ACT_CANCEL] = xen_cancel,
	    [CTYS_ACT_ISACTIVE] = xen_isactive, [CTYS_ACT_GETCLIENTPORT] = xen_clientport },
	.list = xen_list,
	.enumerate = xen_enumerate,
	.info = xen_info_op,
	.show = xen_show,
	.guest = ctyskeys_guest,
};
