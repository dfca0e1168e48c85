/*
 * pm-conf.c — pm.conf (#@# keys, plugins.md §3) and the PM's ENUMERATE and
 * LIST records; see pm.h.
 */
#include "agents/pm.h"

#include <ctype.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "cache/record.h"
#include "agents/listrec.h"
#include "lib/buf.h"
#include "lib/util.h"
#include "lib/xmalloc.h"

/* Keys whose blanks become '_' (plugins.md §3). */
static bool
blank_to_underscore(const char *key)
{
	return strcmp(key, "DIST") == 0 || strcmp(key, "DISTREL") == 0 || strcmp(key, "OS") == 0 ||
	    strcmp(key, "OSREL") == 0;
}

static void
parse_line(const char *l, size_t n, const char *os, struct pm_conf *c)
{
	const char *k, *v, *e = l + n;
	char *key, *val;
	size_t i, kl;

	while (l < e && (*l == ' ' || *l == '\t'))
		l++;
	if ((size_t)(e - l) < 3 || memcmp(l, "#@#", 3) != 0)
		return;
	k = l + 3;
	for (v = k; v < e && (isalnum((unsigned char)*v) || *v == '_' || *v == '-'); v++)
		;
	kl = (size_t)(v - k);
	if (kl == 0)
		return;
	if (kl > 8 && strncasecmp(k, "MAGICID-", 8) == 0) {
		if ((kl == 14 && strncasecmp(k + 8, "IGNORE", 6) == 0) ||
		    (kl == 14 && strncasecmp(k + 8, "NOENUM", 6) == 0))
			c->ignore = true;
		else if (os && kl - 8 == strlen(os) && strncasecmp(k + 8, os, kl - 8) == 0)
			c->magic = true;
		return;
	}
	while (v < e && (*v == ' ' || *v == '\t'))
		v++;
	if (v == e || *v != '=')
		return;
	v++;
	while (v < e && (*v == ' ' || *v == '\t'))
		v++;
	while (e > v && isspace((unsigned char)e[-1]))
		e--;
	if (e - v >= 2 && (*v == '"' || *v == '\'') && (e[-1] == '"' || e[-1] == '\'')) {
		v++;
		e--;
	}
	key = xstrndup(k, kl);
	for (i = 0; key[i]; i++)
		key[i] = (char)toupper((unsigned char)key[i]);
	if (pm_conf_get(c, key) != NULL) {
		free(key);
		return;
	}
	val = xstrndup(v, (size_t)(e - v));
	for (i = 0; val[i]; i++) {
		unsigned char ch = (unsigned char)val[i];

		if (ch == ';' || ch < 0x20 || ch == 0x7f)
			val[i] = '_';
		else if (ch == '\'')
			val[i] = '"';
		else if (ch == ' ' && blank_to_underscore(key))
			val[i] = '_';
	}
	strv_push_owned(&c->keys, key);
	strv_push_owned(&c->vals, val);
}

ctys_err_t
pm_conf_parse(const char *text, size_t len, const char *os, struct pm_conf *c)
{
	const char *l, *e, *end = text + len;

	memset(c, 0, sizeof *c);
	if (len > PM_CONF_MAX)
		return ctys_seterr(CTYS_ERR_TOOLONG, "pm.conf is %zu bytes, at most %d are read", len,
		    PM_CONF_MAX);
	for (l = text; l < end; l = e + 1) {
		e = memchr(l, '\n', (size_t)(end - l));
		if (e == NULL)
			e = end;
		if (memchr(l, '\0', (size_t)(e - l)) == NULL)
			parse_line(l, (size_t)(e - l), os, c);
	}
	return CTYS_OK;
}

const char *
pm_conf_get(const struct pm_conf *c, const char *key)
{
	size_t i;

	if (c == NULL)
		return NULL;
	for (i = 0; i < c->keys.n; i++)
		if (strcmp(c->keys.v[i], key) == 0)
			return c->vals.v[i];
	return NULL;
}

void
pm_conf_free(struct pm_conf *c)
{
	strv_free(&c->keys);
	strv_free(&c->vals);
	memset(c, 0, sizeof *c);
}

void
pm_conf_files(const struct strv *bases, struct strv *out)
{
	struct strv real = STRV_INIT;
	char *cand, rp[PATH_MAX];
	struct stat st;
	size_t i, k;

	for (i = 0; i <= (bases ? bases->n : 0); i++) {
		if (i == 0)
			cand = xasprintf("%s/etc/ctys.d/pm.conf", pm_root());
		else
			cand = xasprintf("%s/pm.conf", bases->v[i - 1]);
		if (stat(cand, &st) != 0 || !S_ISREG(st.st_mode) || realpath(cand, rp) == NULL) {
			free(cand);
			continue;
		}
		for (k = 0; k < real.n; k++)
			if (strcmp(real.v[k], rp) == 0)
				break;
		if (k < real.n) {
			free(cand);
			continue;
		}
		strv_push(&real, rp);
		strv_push_owned(out, cand);
	}
	strv_free(&real);
}

/* ---- records ---- */

/* Canonical field numbers (cache/record.h, actions.md §5.1). */
enum {
	F_HOST = 1, F_TYPE, F_LABEL, F_ID, F_UUID, F_MAC, F_TCP, F_DISP, F_CPORT, F_SPORT,
	F_VNCBASE, F_DIST, F_DISTREL, F_OS, F_OSREL, F_VERSION, F_SERNO, F_CATEGORY, F_VMSTATE,
	F_HYPERREL, F_STACKCAP, F_STACKREQ, F_HWCAP, F_HWREQ, F_EXECLOC, F_RELOCCAP, F_SSHPORT,
	F_NETNAME, F_HRX, F_ACCEL, F_EXEP, F_RSRV, F_IFNAME, F_CTYSREL, F_NETMASK, F_GATEWAY,
	F_RELAY, F_ARCH, F_PLATFORM, F_VRAM, F_VCPU, F_CSTRG, F_USTRG, F_UID, F_GID, F_DEFH, F_DEFC
};

/* #@# keys copied into a field (plugins.md §3). */
static const struct {
	const char *key;
	unsigned field;
} conf_fields[] = {
	{ "HOST", F_HOST }, { "LABEL", F_LABEL }, { "UUID", F_UUID },
	{ "VNCACCESSDISPLAY", F_DISP }, { "VNCACCESSPORT", F_CPORT }, { "SPORT", F_SPORT },
	{ "VNCBASEPORT", F_VNCBASE }, { "DIST", F_DIST }, { "DISTREL", F_DISTREL }, { "OS", F_OS },
	{ "OSREL", F_OSREL }, { "VERSION", F_VERSION }, { "SERNO", F_SERNO },
	{ "CATEGORY", F_CATEGORY }, { "VMSTATE", F_VMSTATE }, { "INST_HYPERREL", F_HYPERREL },
	{ "STACKCAP", F_STACKCAP }, { "STACKREQ", F_STACKREQ }, { "HWCAP", F_HWCAP },
	{ "HWREQ", F_HWREQ }, { "EXECLOCATION", F_EXECLOC }, { "RELOCCAP", F_RELOCCAP },
	{ "SSHPORT", F_SSHPORT }, { "INST_ACCELERATOR", F_ACCEL }, { "STARTERCALL", F_EXEP },
	{ "GATEWAY", F_GATEWAY }, { "GUESTGATEWAY", F_GATEWAY }, { "ARCH", F_ARCH },
	{ "PLATFORM", F_PLATFORM }, { "VRAM", F_VRAM }, { "VCPU", F_VCPU }, { "CSTRG", F_CSTRG },
	{ "USTRG", F_USTRG }, { "DEFAULTHOSTS", F_DEFH }, { "DEFAULTCONSOLE", F_DEFC },
};

struct recb {
	char *f[REC_NFIELDS + 1];  /* 1-based; owned */
};

static void
set(struct recb *r, unsigned field, const char *v)
{
	free(r->f[field]);
	r->f[field] = xstrdup(v ? v : "");
}

static void
set_blank(struct recb *r, unsigned field, const char *v)
{
	char *p;

	set(r, field, v);
	for (p = r->f[field]; *p; p++)
		if (*p == ' ' || *p == ';')
			*p = '_';
}

static void
recb_free(struct recb *r)
{
	unsigned i;

	for (i = 0; i <= REC_NFIELDS; i++)
		free(r->f[i]);
}

/* The fields shared by all records of this machine. */
static void
base_record(struct recb *r, const struct pm_host *h, const struct pm_conf *c, const char *id,
    const char *version)
{
	char label[256], buf[64];
	size_t i;

	memset(r, 0, sizeof *r);
	for (i = 1; i <= REC_NFIELDS; i++)
		set(r, (unsigned)i, "");
	snprintf(label, sizeof label, "%.*s", (int)strcspn(h->hostname, "."), h->hostname);
	set(r, F_HOST, h->hostname);
	set(r, F_TYPE, "PM");
	set(r, F_LABEL, label);
	set(r, F_ID, id);
	set(r, F_UUID, h->uuid);
	set_blank(r, F_DIST, h->dist);
	set_blank(r, F_DISTREL, h->distrel);
	set_blank(r, F_OS, h->sysname);
	set_blank(r, F_OSREL, h->release);
	set(r, F_CATEGORY, "PM");
	set(r, F_VMSTATE, "ACTIVE");
	set(r, F_EXECLOC, "LOCAL");
	set(r, F_RELOCCAP, "FIXED");
	set(r, F_ACCEL, pm_accel(h));
	set(r, F_ARCH, h->machine);
	snprintf(buf, sizeof buf, "%llu", h->mem_kb / 1024);
	set(r, F_VRAM, h->mem_kb ? buf : "");
	snprintf(buf, sizeof buf, "%u", h->ncpu ? h->ncpu : 1);
	set(r, F_VCPU, buf);
	pm_conf_apply(c, r->f);
	set(r, F_CTYSREL, version);
	set_blank(r, F_UID, h->user);
	set_blank(r, F_GID, h->group);
}

/* The parts of one IP<n> entry: ip%netmask%relay%ifname%sshport%gateway. */
struct ipent {
	char ip[64], netmask[64], relay[128], ifname[32], sshport[16], gateway[64];
};

/* Split "a%b%c" (blanks are the decoded '%', both accepted) into e. */
static void
ipent_parse(const char *s, size_t n, struct ipent *e)
{
	char *parts[6] = { e->ip, e->netmask, e->relay, e->ifname, e->sshport, e->gateway };
	size_t sizes[6] = { sizeof e->ip, sizeof e->netmask, sizeof e->relay, sizeof e->ifname,
		sizeof e->sshport, sizeof e->gateway };
	size_t i, k = 0, start = 0;

	memset(e, 0, sizeof *e);
	for (i = 0; i <= n && k < 6; i++) {
		if (i == n || s[i] == '%' || s[i] == ' ') {
			snprintf(parts[k], sizes[k], "%.*s", (int)(i - start), s + start);
			k++;
			start = i + 1;
		}
	}
}

/* Find IP entry of list (comma separated) whose ip is addr; false if none. */
static bool
ipent_find(const char *list, const char *addr, struct ipent *out)
{
	const char *s = list, *e;

	while (s && *s) {
		e = s + strcspn(s, ",");
		ipent_parse(s, (size_t)(e - s), out);
		if (strcmp(out->ip, addr) == 0)
			return true;
		s = *e ? e + 1 : e;
	}
	return false;
}

static void
emit_rec(struct recb *r, rec_emit_fn emit, void *ctx)
{
	emit(ctx, (const char *const *)(r->f + 1), REC_NFIELDS);
}

static void
apply_ipent(struct recb *r, const struct ipent *e)
{
	if (e->netmask[0])
		set(r, F_NETMASK, e->netmask);
	if (e->relay[0])
		set(r, F_RELAY, e->relay);
	if (e->ifname[0])
		set(r, F_IFNAME, e->ifname);
	if (e->sshport[0])
		set(r, F_SSHPORT, e->sshport);
	if (e->gateway[0])
		set(r, F_GATEWAY, e->gateway);
}

/* The index n of MAC<n> in c equal to mac (any case), or -1. */
static int
conf_mac_index(const struct pm_conf *c, const char *mac)
{
	char key[16];
	const char *v;
	int n;

	for (n = 0; n < 100 && mac[0]; n++) {
		snprintf(key, sizeof key, n ? "MAC%d" : "MAC", n);
		v = pm_conf_get(c, key);
		if (v == NULL && n == 0)
			v = pm_conf_get(c, "MAC0");
		if (v && strcasecmp(v, mac) == 0)
			return n;
	}
	return -1;
}

static const char *
conf_indexed(const struct pm_conf *c, const char *base, int n)
{
	char key[32];
	const char *v;

	snprintf(key, sizeof key, "%s%d", base, n);
	v = pm_conf_get(c, key);
	if (v == NULL && n == 0)
		v = pm_conf_get(c, base);
	return v;
}

void
pm_conf_apply(const struct pm_conf *c, char **f)
{
	size_t i;

	for (i = 0; i < sizeof conf_fields / sizeof *conf_fields; i++) {
		const char *v = pm_conf_get(c, conf_fields[i].key);

		if (v && *v) {
			free(f[conf_fields[i].field]);
			f[conf_fields[i].field] = xstrdup(v);
		}
	}
}

size_t
pm_conf_if_records(const struct pm_conf *c, char *const *base, const bool *seen,
    rec_emit_fn emit, void *ctx)
{
	struct recb r;
	struct ipent e;
	size_t count = 0;
	int n, k;

	for (n = 0; c && n < 100; n++) {
		const char *mac = conf_indexed(c, "MAC", n), *ips = conf_indexed(c, "IP", n), *s, *t;
		char ifdef[16];

		if (n == 0 && mac == NULL)
			mac = pm_conf_get(c, "MAC");
		if ((seen && seen[n]) || (mac == NULL && ips == NULL))
			continue;
		snprintf(ifdef, sizeof ifdef, "%d", n);
		s = ips ? ips : "";
		do {
			t = s + strcspn(s, ",");
			memset(&r, 0, sizeof r);
			for (k = 1; k <= REC_NFIELDS; k++)
				set(&r, (unsigned)k, base[k]);
			ipent_parse(s, (size_t)(t - s), &e);
			set(&r, F_MAC, mac ? mac : "");
			set(&r, F_TCP, e.ip);
			set(&r, F_IFNAME, ifdef);
			apply_ipent(&r, &e);
			emit_rec(&r, emit, ctx);
			recb_free(&r);
			count++;
			s = *t ? t + 1 : t;
		} while (*s);
	}
	return count;
}

size_t
pm_enum_records(const struct pm_host *h, const struct pm_conf *c, const char *id,
    const char *version, rec_emit_fn emit, void *ctx)
{
	struct recb base, r;
	bool seen[100] = { false };
	struct ipent e;
	size_t i, count = 0;
	int n, k;

	base_record(&base, h, c, id, version);
	for (i = 0; i < h->nifs; i++) {
		const struct pm_ifaddr *x = &h->ifs[i];
		const char *ips;

		memset(&r, 0, sizeof r);
		for (k = 1; k <= REC_NFIELDS; k++)
			set(&r, (unsigned)k, base.f[k]);
		n = conf_mac_index(c, x->mac);
		if (n >= 0) {
			seen[n] = true;
			ips = conf_indexed(c, "IP", n);
			if (ips && ipent_find(ips, x->addr, &e))
				apply_ipent(&r, &e);
		}
		set(&r, F_MAC, x->mac);
		set(&r, F_TCP, x->addr);
		set(&r, F_IFNAME, x->ifname);
		if (x->netmask[0])
			set(&r, F_NETMASK, x->netmask);
		if (x->gateway[0] && !r.f[F_GATEWAY][0])
			set(&r, F_GATEWAY, x->gateway);
		emit_rec(&r, emit, ctx);
		recb_free(&r);
		count++;
	}
	count += pm_conf_if_records(c, base.f, seen, emit, ctx);
	if (count == 0) {
		emit_rec(&base, emit, ctx);
		count++;
	}
	recb_free(&base);
	return count;
}

void
pm_list_record(const struct pm_host *h, const struct pm_conf *c, const char *id,
    rec_emit_fn emit, void *ctx)
{
	const struct pm_ifaddr *x = NULL;
	const char *f[LREC_NFIELDS];
	char label[256];
	const char *lab = pm_conf_get(c, "LABEL"), *uuid = pm_conf_get(c, "UUID");
	size_t i;

	for (i = 0; i < h->nifs && x == NULL; i++)
		if (h->defif[0] && strcmp(h->ifs[i].ifname, h->defif) == 0)
			x = &h->ifs[i];
	for (i = 0; i < h->nifs && x == NULL; i++)
		if (strchr(h->ifs[i].addr, '.'))
			x = &h->ifs[i];
	if (x == NULL && h->nifs)
		x = &h->ifs[0];
	snprintf(label, sizeof label, "%.*s", (int)strcspn(h->hostname, "."), h->hostname);
	for (i = 0; i < LREC_NFIELDS; i++)
		f[i] = "";
	f[0] = h->hostname;                         /* PM */
	f[1] = "PM";                                /* TYPE */
	f[2] = lab && *lab ? lab : label;           /* LABEL */
	f[3] = id;                                  /* ID */
	f[4] = uuid && *uuid ? uuid : h->uuid;      /* UUID */
	f[5] = x ? x->mac : "";                     /* MAC */
	f[6] = x ? x->addr : "";                    /* TCP */
	f[11] = h->user;                            /* UID */
	f[12] = h->group;                           /* GID */
	f[13] = "SERVER";                           /* SITE */
	f[15] = x ? x->ifname : "";                 /* IFNAME */
	f[20] = pm_accel(h);                        /* ACCELERATOR */
	f[21] = h->machine;                         /* ARCH */
	emit(ctx, f, LREC_NFIELDS);
}
