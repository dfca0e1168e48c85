/* vhost-out.c — see vhost-out.h. */
#include "cache/vhost-out.h"

#include <arpa/inet.h>
#include <netdb.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>

#include "cache/record.h"
#include "lib/util.h"
#include "lib/xmalloc.h"

enum okw { K_MACHINE, K_MAXKEY, K_TITLE, K_TITLEIDX, K_TITLEIDXASC, K_CTYS,
	K_TAB, K_REC, K_SPEC, K_XML, K_SORT, K_DNS };

static const struct kw out_kw[] = {
	{ "MACHINE", K_MACHINE }, { "MAXKEY", K_MAXKEY }, { "TITLE", K_TITLE },
	{ "TITLEIDX", K_TITLEIDX }, { "TITLEIDXASC", K_TITLEIDXASC },
	{ "CTYSADDRESS|CTYS", K_CTYS }, { "TAB_GEN|TAB", K_TAB },
	{ "REC_GEN|REC", K_REC }, { "SPEC_GEN|SPEC", K_SPEC }, { "XML_GEN|XML", K_XML },
	{ "SORT", K_SORT }, { "DNS|D", K_DNS },
};

#define POS_DNS 8

unsigned
vhost_pos_field(unsigned pos)
{
	return pos <= 7 ? pos : pos == POS_DNS ? 7 : pos - 1;
}

const char *
vhost_pos_name(unsigned pos)
{
	return pos == POS_DNS ? "DNS" : rec_fields[vhost_pos_field(pos) - 1].keys;
}

static unsigned
field_pos(unsigned field)
{
	return field <= 7 ? field : field + 1;
}

void
vhost_out_init(struct vhost_out *o)
{
	memset(o, 0, sizeof *o);
}

void
vhost_out_free(struct vhost_out *o)
{
	tab_free(&o->spec);
}

static ctys_err_t
parse_sort(struct vhost_out *o, const char *arg)
{
	struct tab_sort ts;
	ctys_err_t e = tab_sort_parse(arg, false, &ts);

	if (e != CTYS_OK)
		return e;
	o->sort = true;
	o->sort_unique |= ts.unique;
	o->sort_reverse |= ts.reverse;
	if (ts.key)
		o->sort_key = ts.key;
	return CTYS_OK;
}

static ctys_err_t
parse_one(struct vhost_out *o, const char *w, size_t n)
{
	const char *colon = memchr(w, ':', n);
	size_t kl = colon ? (size_t)(colon - w) : n;
	char *arg = colon ? xstrndup(colon + 1, n - kl - 1) : NULL;
	ctys_err_t e = CTYS_OK;
	unsigned f;
	int id;

	id = kw_lookup(out_kw, sizeof out_kw / sizeof out_kw[0], w, kl);
	if (id < 0 && colon == NULL && (f = rec_field_by_key(w, n)) != 0) {
		o->sel[field_pos(f)] = true;
		free(arg);
		return CTYS_OK;
	}
	if (colon != NULL && id != K_SORT && id != K_TAB && id != K_REC && id != K_SPEC &&
	    id != K_XML)
		id = -1; /* only formats take ":<arg>" */
	switch (id) {
	case K_MACHINE: o->machine = true; break;
	case K_MAXKEY:
		o->sel[1] = o->sel[2] = o->sel[3] = o->sel[4] = o->sel[5] = o->sel[6] = true;
		break;
	case K_TITLE: o->title = VO_TITLE; break;
	case K_TITLEIDX: o->title = VO_TITLEIDX; break;
	case K_TITLEIDXASC: o->title = VO_TITLEIDXASC; break;
	case K_CTYS: o->ctys = true; break;
	case K_DNS: o->sel[POS_DNS] = true; break;
	case K_SORT: e = parse_sort(o, arg); break;
	case K_TAB: case K_REC: case K_SPEC: case K_XML:
		o->table = true;
		o->tabfmt = id == K_TAB ? TAB_FMT_TAB : id == K_REC ? TAB_FMT_REC :
		    id == K_SPEC ? TAB_FMT_SPEC : TAB_FMT_XML;
		tab_free(&o->spec);
		e = tab_parse(arg && *arg ? arg : TAB_CTYS_VHOST_DEFAULT, &o->spec);
		break;
	default:
		e = ctys_seterr(CTYS_ERR_USAGE, "unknown OUTPUT '%.*s'", (int)n, w);
	}
	free(arg);
	return e;
}

ctys_err_t
vhost_out_parse(struct vhost_out *o, const char *arg)
{
	const char *p = arg, *c;
	ctys_err_t e;

	for (;;) {
		c = strchr(p, ',');
		size_t n = c ? (size_t)(c - p) : strlen(p);

		if (n > 0 && (e = parse_one(o, p, n)) != CTYS_OK)
			return e;
		if (c == NULL)
			return CTYS_OK;
		p = c + 1;
	}
}

bool
vhost_out_only_addr(const struct vhost_out *o)
{
	unsigned p;
	bool any = false;

	if (o->machine || o->ctys || o->table)
		return false;
	for (p = 1; p <= VHOST_NPOS; p++) {
		if (!o->sel[p])
			continue;
		if (p != 6 && p != 7 && p != POS_DNS)
			return false;
		any = true;
	}
	return any;
}

/* ---- values -------------------------------------------------------------- */

static bool
is_ipv4(const char *s)
{
	struct in_addr a;

	return inet_pton(AF_INET, s, &a) == 1;
}

static char *
macmap_name(struct fdb_macmap *m, const char *mac, bool want_ip)
{
	size_t i, n = strlen(mac), l;
	const char *ip;

	if (m == NULL || n == 0)
		return NULL;
	if (want_ip) {
		ip = fdb_macmap_ip(m, mac, n, &l);
		return ip ? xstrndup(ip, l) : NULL;
	}
	for (i = 0; i < m->n; i++)
		if (m->v[i].mac_len == n && memcmp(m->v[i].mac, mac, n) == 0)
			return xstrndup(m->v[i].name, m->v[i].name_len);
	return NULL;
}

/* TCP output: numeric address (field 7 resolved, or from the macmap). */
static char *
tcp_value(const struct vhost_out *o, const char *tcp, const char *mac)
{
	struct addrinfo hints = { 0 }, *res = NULL;
	char buf[INET_ADDRSTRLEN];
	char *v;

	if (*tcp == '\0')
		return (v = macmap_name(o->macmap, mac, true)) ? v : xstrdup("");
	if (is_ipv4(tcp) || getenv("CTYS_NORESOLVE") != NULL)
		return xstrdup(tcp);
	hints.ai_family = AF_INET;
	if (getaddrinfo(tcp, NULL, &hints, &res) == 0 && res != NULL) {
		inet_ntop(AF_INET, &((struct sockaddr_in *)(void *)res->ai_addr)->sin_addr,
		    buf, sizeof buf);
		freeaddrinfo(res);
		return xstrdup(buf);
	}
	return xstrdup(tcp);
}

/* DNS output: the name (field 7 if not numeric, else reverse lookup + "."). */
static char *
dns_value(const struct vhost_out *o, const char *tcp, const char *mac)
{
	struct sockaddr_in sa = { 0 };
	char host[NI_MAXHOST];
	char *v;

	if (*tcp == '\0')
		return (v = macmap_name(o->macmap, mac, false)) ? v : xstrdup("");
	if (!is_ipv4(tcp) || getenv("CTYS_NORESOLVE") != NULL)
		return xstrdup(tcp);
	sa.sin_family = AF_INET;
	inet_pton(AF_INET, tcp, &sa.sin_addr);
	if (getnameinfo((struct sockaddr *)&sa, sizeof sa, host, sizeof host, NULL, 0,
	    NI_NAMEREQD) == 0)
		return xasprintf("%s.", host);
	return xstrdup(tcp);
}

static void
add_title(struct buf *out, const struct vhost_out *o, unsigned pos)
{
	unsigned f = vhost_pos_field(pos);
	const char *t = pos == POS_DNS ? "DNS" : rec_fields[f - 1].title;

	buf_adds(out, t);
	if (o->title == VO_TITLEIDX)
		buf_addf(out, "(%u)", f);
	else if (o->title == VO_TITLEIDXASC)
		buf_addf(out, "(%s-%u)", rec_fields[f - 1].col, f);
}

static void
ctys_address(struct buf *out, const struct rec *r)
{
	static const unsigned parts[] = { 4, 3, 5, 6, 7 };
	size_t i;
	bool any = false;

	buf_add(out, r->f[0], r->len[0]);
	if (strcmp(r->f[3], "/etc/ctys.d/pm.conf") == 0 ||
	    strcmp(r->f[3], "/etc/ctys.d/vm.conf") == 0)
		return;
	buf_addc(out, '[');
	for (i = 0; i < 5; i++) {
		if (r->len[parts[i] - 1] == 0)
			continue;
		if (any)
			buf_addc(out, ',');
		buf_add(out, r->f[parts[i] - 1], r->len[parts[i] - 1]);
		any = true;
	}
	if (!any)
		buf_adds(out, "ERROR");
	buf_addc(out, ']');
}

/* Split a result line into 47 fields (missing ones empty); r owns a copy. */
static void
split_rec(const struct query_rec *q, struct rec *r)
{
	size_t i, k = 0, start = 0;
	char *b = xstrndup(q->line, q->len);

	r->buf = b;
	for (i = 0; i <= q->len && k < REC_NFIELDS; i++)
		if (i == q->len || b[i] == ';') {
			r->f[k] = b + start;
			r->len[k++] = i - start;
			b[i] = '\0';
			start = i + 1;
		}
	for (; k < REC_NFIELDS; k++) {
		r->f[k] = b + q->len;
		r->len[k] = 0;
	}
}

/* Collapse every ';' followed by spaces to ';' (the original's last sed). */
static void
collapse(struct buf *b, size_t from)
{
	size_t i, j;

	for (i = j = from; i < b->len; i++) {
		b->d[j++] = b->d[i];
		if (b->d[i] == ';')
			while (i + 1 < b->len && b->d[i + 1] == ' ')
				i++;
	}
	buf_truncate(b, j);
}

static void
fields_line(struct buf *out, const struct vhost_out *o, const struct query_rec *q)
{
	size_t start = out->len, fl, tl, ml;
	const char *f, *tcp, *mac;
	unsigned p;
	bool first = true;
	char *v, *t2, *m2;

	for (p = 1; p <= VHOST_NPOS; p++) {
		if (!o->sel[p])
			continue;
		if (!first)
			buf_addc(out, ';');
		first = false;
		if (p == 7 || p == POS_DNS) {
			tcp = rec_field_view(q->line, q->len, 7, &tl);
			mac = rec_field_view(q->line, q->len, 6, &ml);
			t2 = xstrndup(tcp, tl);
			m2 = xstrndup(mac, ml);
			v = p == 7 ? tcp_value(o, t2, m2) : dns_value(o, t2, m2);
			buf_adds(out, v);
			free(v);
			free(t2);
			free(m2);
		} else {
			f = rec_field_view(q->line, q->len, vhost_pos_field(p), &fl);
			buf_add(out, f, fl);
		}
	}
	collapse(out, start);
	buf_addc(out, '\n');
}

void
vhost_out_render(const struct vhost_out *o, const struct query_result *res,
    struct buf *out)
{
	struct tab_spec defspec = { 0 };
	const struct tab_spec *spec = &o->spec;
	struct buf body = BUF_INIT;
	enum tab_fmt fmt = o->tabfmt;
	bool any_sel = false, table = o->table;
	size_t i;
	unsigned p;

	for (p = 1; p <= VHOST_NPOS; p++)
		any_sel |= o->sel[p];
	if (!table && !o->ctys && !o->machine && !any_sel) {
		tab_parse(TAB_CTYS_VHOST_DEFAULT, &defspec);
		spec = &defspec;
		fmt = TAB_FMT_TAB;
		table = true;
	}
	if (table && fmt == TAB_FMT_TAB) {
		tab_header(out, spec);
		if (o->title == VO_TITLEIDX)
			tab_header_idx(out, spec);
	} else if (!table && !o->ctys && !o->machine && o->title != VO_NOTITLE) {
		bool first = true;

		for (p = 1; p <= VHOST_NPOS; p++) {
			if (!o->sel[p])
				continue;
			if (!first)
				buf_addc(out, ';');
			first = false;
			add_title(out, o, p);
		}
		buf_addc(out, '\n');
	}
	for (i = 0; i < res->n; i++) {
		struct rec r;

		if (o->machine && !table && !o->ctys) {
			buf_add(&body, res->v[i].line, res->v[i].len);
			buf_addc(&body, '\n');
			continue;
		}
		if (!table && !o->ctys) {
			fields_line(&body, o, &res->v[i]);
			continue;
		}
		split_rec(&res->v[i], &r);
		if (table) {
			tab_row(&body, fmt, spec, r.f, REC_NFIELDS, i + 1);
		} else {
			ctys_address(&body, &r);
			buf_addc(&body, '\n');
		}
		rec_free(&r);
	}
	if (o->sort)
		vhost_sort_lines(&body, table && fmt == TAB_FMT_TAB ? '|' : ';',
		    o->sort_key, o->sort_unique, o->sort_reverse);
	buf_add(out, body.d ? body.d : "", body.len);
	buf_free(&body);
	tab_free(&defspec);
}

/* ---- sort ---------------------------------------------------------------- */

void
vhost_sort_lines(struct buf *text, char sep, unsigned key, bool unique, bool reverse)
{
	struct tab_sort o = { true, false, unique, reverse, key };

	tab_sort_lines(text, sep, &o);
}
