/* render.c — see render.h and ctys-actions(7). */
#include "ctys/render.h"

#include <arpa/inet.h>
#include <netdb.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>

#include "agents/listrec.h"
#include "cache/record.h"
#include "cache/table.h"
#include "ctys/subopt.h"
#include "lib/buf.h"
#include "lib/proto.h"
#include "lib/util.h"
#include "lib/xmalloc.h"

#define MAXF REC_NFIELDS
#define TCP_NCOLS 9

enum rmode { RM_FIELDS, RM_TABLE, RM_TABTCP, RM_JSON };
enum rtitle { RT_NONE, RT_TITLE, RT_IDX, RT_IDXASC };

/* The suboption keywords that are not field selectors. */
enum rkw { K_TITLE, K_TITLEIDX, K_TITLEIDXASC, K_MACHINE, K_MAXKEY, K_TERSE, K_ALL, K_NONE,
	K_IP, K_DNS, K_SORT, K_PKG, K_TAB, K_REC, K_SPEC, K_XML, K_JSON, K_TABTCP, K_SITE,
	K_BASE, K_VSTAT };

static const struct kw render_kw[] = {
	{ "TITLE", K_TITLE }, { "TITLEIDX", K_TITLEIDX }, { "TITLEIDXASC", K_TITLEIDXASC },
	{ "MACHINE", K_MACHINE }, { "MAXKEY", K_MAXKEY }, { "TERSE", K_TERSE }, { "ALL", K_ALL },
	{ "NONE", K_NONE }, { "IP", K_IP }, { "DNS|D", K_DNS }, { "SORT", K_SORT },
	{ "PKG", K_PKG }, { "TAB_GEN|TAB", K_TAB }, { "REC_GEN|REC", K_REC },
	{ "SPEC_GEN|SPEC", K_SPEC }, { "XML_GEN|XML", K_XML }, { "JSON", K_JSON },
	{ "TAB_TCP", K_TABTCP }, { "SERVER|CLIENT|TUNNEL|BOTH", K_SITE },
	{ "BASEPATH|BASE|B", K_BASE }, { "MATCHVSTAT", K_VSTAT },
};
#define NKW (sizeof render_kw / sizeof render_kw[0])

/* LIST=ALL (actions.md §4): label pid uid gid type host site id jobid arch
 * hyperrelrun accelerator contextstrg exepath ifname reserved */
static const unsigned char list_all[] = { 1, 2, 3, 4, 11, 12, 13, 14, 15, 16, 17, 18, 19, 20,
	21, 22 };

/* TAB_TCP (actions.md §4.2): default widths and titles. */
static const unsigned tcp_width[TCP_NCOLS] = { 18, 17, 8, 17, 9, 5, 1, 10, 10 };
static const char *const tcp_title[TCP_NCOLS] = { "TCP-container", "TCP-guest", "IF", "label",
	"stype", "accel", "c", "user", "group" };

struct fmt {
	bool list;               /* LIST (22 fields), else ENUMERATE (47) */
	unsigned nf;
	bool sel[MAXF + 1];      /* 1-based */
	bool any_field;          /* a selector, MACHINE, MAXKEY, ALL or NONE was given */
	bool format;             /* a format (TAB_GEN..., TAB_TCP, JSON) was given */
	bool terse, id_sel;
	enum rtitle title;
	enum rmode mode;
	enum tab_fmt tabfmt;
	struct tab_spec spec;
	unsigned tcpw[TCP_NCOLS];
	bool ip, dns;
	struct tab_sort sort;
};

struct brec {
	size_t job;
	char *hop, *type;
	char **f;
	size_t n;
};

struct jobst {
	char *target, *host, *user, *type, *scope;
	struct brec *v;          /* buffered records (non-terse LIST, SORT:EACH) */
	size_t n;
};

struct cache_ent {
	char *value, *result;
	bool want_name;
};

struct render {
	struct fmt f;
	FILE *out, *err;
	struct jobst *jobs;
	size_t njobs;
	struct brec *all;        /* SORT:ALL buffer */
	size_t nall;
	size_t recno;            /* REC/SPEC/XML numbering */
	bool begun;
	render_resolve_fn resolve;
	void *rctx;
	struct cache_ent *cache;
	size_t ncache;
};

/* ---- the field tables ------------------------------------------------------ */

static const char *
field_title(const struct fmt *f, unsigned num)
{
	return f->list ? lrec_fields[num - 1].title : rec_fields[num - 1].title;
}

static unsigned
field_by_key(const struct fmt *f, const char *w, size_t n)
{
	return f->list ? lrec_field_by_key(w, n) : rec_field_by_key(w, n);
}

/* Spreadsheet column letters of field num ("A".."Z", "AA"...). */
static void
col_letters(char *dst, unsigned num)
{
	char tmp[8];
	size_t k = 0, i;

	for (; num > 0 && k < sizeof tmp; num = (num - 1) / 26)
		tmp[k++] = (char)('A' + (num - 1) % 26);
	for (i = 0; i < k; i++)
		dst[i] = tmp[k - 1 - i];
	dst[k] = '\0';
}

/* ---- parsing the suboptions ---------------------------------------------- */

/* The colspec of an item: the scanner made each single '%' a space. */
static ctys_err_t
parse_colspec(struct fmt *f, const char *key, const char *arg)
{
	char *s = xstrdup(arg), *p;
	size_t i;
	ctys_err_t e;

	for (p = s; *p; p++)
		if (*p == ' ')
			*p = '%';
	tab_free(&f->spec);
	e = tab_parse(s, &f->spec);
	free(s);
	if (e != CTYS_OK) {
		char msg[512];

		snprintf(msg, sizeof msg, "%s", ctys_errmsg());
		return ctys_seterr(e, "%s: %s", key, msg);
	}
	for (i = 0; i < f->spec.n; i++)
		if (f->spec.cols[i].field > f->nf)
			return ctys_seterr(CTYS_ERR_USAGE, "%s: unknown field index %u (%s record "
			    "has fields 1 to %u)", key, f->spec.cols[i].field,
			    f->list ? "a LIST" : "an ENUMERATE", f->nf);
	return CTYS_OK;
}

static ctys_err_t
parse_tcpw(struct fmt *f, const char *arg)
{
	const char *p = arg;
	unsigned long v;
	char num[8];
	size_t k = 0;

	while (p && *p) {
		size_t n = strcspn(p, "% ");

		if (n > 0) {
			if (k >= TCP_NCOLS)
				return ctys_seterr(CTYS_ERR_USAGE, "TAB_TCP: at most %d widths", TCP_NCOLS);
			if (n > 3 || strspn(p, "0123456789") < n)
				return ctys_seterr(CTYS_ERR_USAGE, "TAB_TCP: invalid width '%.*s' (a "
				    "number up to 999)", (int)n, p);
			memcpy(num, p, n);
			num[n] = '\0';
			parse_uint(num, 999, &v);
			if (v > 0)
				f->tcpw[k] = (unsigned)v;
		}
		k++;
		p = p[n] ? p + n + 1 : NULL;
	}
	return CTYS_OK;
}

static void
sel_all(struct fmt *f)
{
	unsigned i;

	for (i = 1; i <= f->nf; i++)
		f->sel[i] = true;
}

static ctys_err_t
parse_item(struct fmt *f, const struct subopt *it)
{
	size_t kl = strlen(it->key), i;
	int id = kw_lookup(render_kw, NKW, it->key, kl);
	unsigned num;
	bool needs_arg = id == K_TAB || id == K_REC || id == K_SPEC || id == K_XML || id == K_PKG ||
	    id == K_BASE || id == K_VSTAT;

	if (id < 0) {
		if ((num = field_by_key(f, it->key, kl)) == 0)
			return ctys_seterr(CTYS_ERR_USAGE, "unknown suboption '%s' for %s", it->key,
			    f->list ? "LIST" : "ENUMERATE");
		if (it->arg != NULL)
			return ctys_seterr(CTYS_ERR_USAGE, "field '%s' takes no argument", it->key);
		f->sel[num] = true;
		f->any_field = true;
		f->id_sel |= num == 4;
		return CTYS_OK;
	}
	if ((id == K_TABTCP || id == K_SITE) && !f->list)
		return ctys_seterr(CTYS_ERR_USAGE, "'%s' is a LIST suboption, not ENUMERATE", it->key);
	if ((id == K_BASE || id == K_VSTAT) && f->list)
		return ctys_seterr(CTYS_ERR_USAGE, "'%s' is an ENUMERATE suboption, not LIST", it->key);
	if (needs_arg && (it->arg == NULL || *it->arg == '\0'))
		return ctys_seterr(CTYS_ERR_USAGE, "'%s' requires an argument (%s:<value>)", it->key,
		    it->key);
	if (!needs_arg && id != K_SORT && id != K_TABTCP && it->arg != NULL)
		return ctys_seterr(CTYS_ERR_USAGE, "'%s' takes no argument", it->key);
	switch (id) {
	case K_TITLE: f->title = RT_TITLE; break;
	case K_TITLEIDX: f->title = RT_IDX; break;
	case K_TITLEIDXASC: f->title = RT_IDXASC; break;
	case K_MACHINE: sel_all(f); f->terse = f->any_field = true; break;
	case K_MAXKEY:
		for (i = 1; i <= 6; i++)
			f->sel[i] = true;
		f->terse = f->any_field = f->id_sel = true;
		break;
	case K_TERSE: f->terse = true; break;
	case K_ALL:
		if (f->list)
			for (i = 0; i < sizeof list_all; i++)
				f->sel[list_all[i]] = true;
		else
			sel_all(f);
		f->any_field = f->id_sel = true;
		break;
	case K_NONE:
		memset(f->sel, 0, sizeof f->sel);
		f->any_field = true;
		f->id_sel = false;
		break;
	case K_IP: f->ip = true; f->dns = false; break;
	case K_DNS: f->dns = true; f->ip = false; break;
	case K_SORT: return tab_sort_parse(it->arg, true, &f->sort);
	case K_TAB: case K_REC: case K_SPEC: case K_XML:
		f->mode = RM_TABLE;
		f->format = true;
		f->tabfmt = id == K_TAB ? TAB_FMT_TAB : id == K_REC ? TAB_FMT_REC :
		    id == K_SPEC ? TAB_FMT_SPEC : TAB_FMT_XML;
		return parse_colspec(f, it->key, it->arg);
	case K_TABTCP:
		f->mode = RM_TABTCP;
		f->format = true;
		return parse_tcpw(f, it->arg);
	case K_JSON: f->mode = RM_JSON; f->format = true; break;
	default: break; /* PKG, SITE, BASEPATH, MATCHVSTAT: for the agent */
	}
	return CTYS_OK;
}

/*
 * Parse `text` for LIST (list) or ENUMERATE into *f and settle the
 * defaults.  A JSON given by -o overrides the suboptions' format.
 */
static ctys_err_t
fmt_parse(struct fmt *f, bool list, const char *text, bool terse, bool json)
{
	struct subopts so = { 0 };
	ctys_err_t e = CTYS_OK;
	size_t i;

	memset(f, 0, sizeof *f);
	f->list = list;
	f->nf = list ? LREC_NFIELDS : REC_NFIELDS;
	memcpy(f->tcpw, tcp_width, sizeof f->tcpw);
	if (text && (e = subopt_scan(text, &so)) != CTYS_OK)
		return e;
	for (i = 0; i < so.n && e == CTYS_OK; i++)
		e = parse_item(f, &so.v[i]);
	subopt_free(&so);
	if (e != CTYS_OK) {
		tab_free(&f->spec);
		return e;
	}
	f->terse |= terse;
	if (json)
		f->mode = RM_JSON;
	if (list && !f->any_field && !f->format) {
		/* LIST: no field and no format at all -> ID + TAB_TCP */
		f->mode = RM_TABTCP;
		f->sel[4] = f->id_sel = true;
	} else if (!f->any_field && f->mode == RM_JSON) {
		sel_all(f);
	} else if (!f->any_field && !list) {
		f->sel[2] = f->sel[3] = f->sel[4] = true; /* ENUMERATE: LABEL, TYPE, ID */
	}
	if (f->sort.on && f->mode == RM_TABLE)
		for (i = 0; i < f->spec.n; i++)
			if (f->spec.cols[i].policy == TAB_BREAK) {
				e = ctys_seterr(CTYS_ERR_USAGE, "SORT cannot be combined with the "
				    "break policy B of column '%s'", f->spec.cols[i].title);
				tab_free(&f->spec);
				return e;
			}
	return CTYS_OK;
}

static bool
is_collector_fmt(const struct action_def *a)
{
	return a && (a->id == CTYS_ACT_LIST || a->id == CTYS_ACT_ENUMERATE);
}

ctys_err_t
render_check(const struct action_def *a, const char *subopts)
{
	struct fmt f;
	ctys_err_t e;

	if (!is_collector_fmt(a) || subopts == NULL)
		return CTYS_OK;
	e = fmt_parse(&f, a->id == CTYS_ACT_LIST, subopts, false, false);
	if (e != CTYS_OK) {
		char msg[512];

		snprintf(msg, sizeof msg, "%s", ctys_errmsg());
		return ctys_seterr(e, "%s in '-a %s=%s'", msg, a->name, subopts);
	}
	tab_free(&f.spec);
	return CTYS_OK;
}

/* ---- name resolution ------------------------------------------------------- */

static bool
is_numeric(const char *s)
{
	unsigned char a[16];

	return inet_pton(AF_INET, s, a) == 1 || inet_pton(AF_INET6, s, a) == 1;
}

static char *
default_resolve(void *ctx, const char *value, bool want_name)
{
	struct addrinfo hints, *res = NULL;
	char host[NI_MAXHOST];
	char *v = NULL;

	(void)ctx;
	if (getenv("CTYS_NORESOLVE") != NULL)
		return NULL;
	memset(&hints, 0, sizeof hints);
	hints.ai_family = AF_UNSPEC;
	if (want_name) {
		hints.ai_flags = AI_NUMERICHOST;
		if (getaddrinfo(value, NULL, &hints, &res) != 0 || res == NULL)
			return NULL;
		/* like the last word of `host <ip>`: the name with a trailing dot */
		if (getnameinfo(res->ai_addr, res->ai_addrlen, host, sizeof host, NULL, 0,
		    NI_NAMEREQD) == 0)
			v = xasprintf("%s.", host);
	} else {
		hints.ai_family = AF_INET;
		if (getaddrinfo(value, NULL, &hints, &res) != 0 || res == NULL)
			return NULL;
		if (getnameinfo(res->ai_addr, res->ai_addrlen, host, sizeof host, NULL, 0,
		    NI_NUMERICHOST) == 0)
			v = xstrdup(host);
	}
	freeaddrinfo(res);
	return v;
}

void
render_set_resolver(struct render *r, render_resolve_fn fn, void *ctx)
{
	r->resolve = fn;
	r->rctx = ctx;
}

/* The TCP value to print under IP or DNS (cached per run); borrowed. */
static const char *
tcp_value(struct render *r, const char *v)
{
	bool want_name = r->f.dns;
	size_t i;
	char *res;

	if ((!r->f.ip && !r->f.dns) || r->resolve == NULL || *v == '\0' ||
	    is_numeric(v) != want_name)
		return v;
	for (i = 0; i < r->ncache; i++)
		if (r->cache[i].want_name == want_name && strcmp(r->cache[i].value, v) == 0)
			return r->cache[i].result ? r->cache[i].result : v;
	res = r->resolve(r->rctx, v, want_name);
	r->cache = xreallocarray(r->cache, r->ncache + 1, sizeof *r->cache);
	r->cache[r->ncache].value = xstrdup(v);
	r->cache[r->ncache].result = res;
	r->cache[r->ncache++].want_name = want_name;
	return res ? res : v;
}

/* ---- rendering one record ------------------------------------------------------ */

static void
json_str(struct buf *out, const char *s)
{
	buf_addc(out, '"');
	for (; *s; s++) {
		unsigned char c = (unsigned char)*s;

		if (c == '"' || c == '\\')
			buf_addf(out, "\\%c", c);
		else if (c == '\n')
			buf_adds(out, "\\n");
		else if (c == '\t')
			buf_adds(out, "\\t");
		else if (c < 0x20)
			buf_addf(out, "\\u%04x", c);
		else
			buf_addc(out, (char)c);
	}
	buf_addc(out, '"');
}

static void
pad_cut(struct buf *out, const char *v, unsigned w, bool right_part, bool right_align)
{
	size_t n = strlen(v), k;

	if (n > w) {
		if (right_part)
			v += n - w;
		n = w;
	}
	for (k = n; right_align && k < w; k++)
		buf_addc(out, ' ');
	buf_add(out, v, n);
	for (k = n; !right_align && k < w; k++)
		buf_addc(out, ' ');
}

static void
tcp_header(struct buf *out, const struct fmt *f)
{
	unsigned i, k;

	for (i = 0; i < TCP_NCOLS; i++) {
		if (i)
			buf_addc(out, '|');
		pad_cut(out, i == 3 && f->id_sel ? "id" : tcp_title[i], f->tcpw[i], false, i == 6);
	}
	buf_addc(out, '\n');
	for (i = 0; i < TCP_NCOLS; i++) {
		if (i)
			buf_addc(out, '+');
		for (k = 0; k < f->tcpw[i]; k++)
			buf_addc(out, '-');
	}
	buf_addc(out, '\n');
}

static void
tcp_row(struct buf *out, const struct fmt *f, const char *const *v)
{
	const char *cell[TCP_NCOLS];
	const char *site = v[13];
	unsigned i;

	cell[0] = v[0];
	cell[1] = *v[6] ? v[6] : v[5];
	cell[2] = v[15];
	cell[3] = f->id_sel ? v[3] : v[2];
	cell[4] = v[1];
	cell[5] = v[20];
	cell[6] = str_ieq(site, "SERVER") ? "S" : str_ieq(site, "CLIENT") ? "C" :
	    str_ieq(site, "TUNNEL") ? "T" : "?";
	cell[7] = v[11];
	cell[8] = v[12];
	for (i = 0; i < TCP_NCOLS; i++) {
		if (i)
			buf_addc(out, '|');
		pad_cut(out, *cell[i] ? cell[i] : "-", f->tcpw[i], i == 3 && f->id_sel, i == 6);
	}
	buf_addc(out, '\n');
}

/* The selected values joined by ';' (the terse line, and the JSON/REC sort key). */
static void
fields_line(struct buf *out, const struct fmt *f, const char *const *v)
{
	unsigned i;
	bool first = true;

	for (i = 1; i <= f->nf; i++) {
		if (!f->sel[i])
			continue;
		if (!first)
			buf_addc(out, ';');
		first = false;
		buf_adds(out, v[i - 1]);
	}
}

static void
json_line(struct buf *out, const struct render *r, const struct brec *b, const char *const *v)
{
	size_t job = b->job;
	const struct fmt *f = &r->f;
	unsigned i;
	bool first = true;

	buf_addf(out, "{\"v\":%d,\"kind\":\"%s\",\"target\":", RENDER_JSON_VERSION,
	    f->list ? "list" : "enum");
	json_str(out, job < r->njobs && r->jobs[job].target ? r->jobs[job].target : b->hop);
	buf_adds(out, ",\"host\":");
	json_str(out, b->hop);
	buf_adds(out, ",\"type\":");
	json_str(out, b->type);
	buf_adds(out, ",\"fields\":{");
	for (i = 1; i <= f->nf; i++) {
		if (!f->sel[i])
			continue;
		if (!first)
			buf_addc(out, ',');
		first = false;
		json_str(out, field_title(f, i));
		buf_addc(out, ':');
		json_str(out, v[i - 1]);
	}
	buf_adds(out, "}}\n");
}

/* The record's values with TCP (field 7) converted for IP/DNS. */
static void
values(struct render *r, const struct brec *b, const char **v)
{
	size_t i;

	for (i = 0; i < r->f.nf; i++)
		v[i] = b->f[i];
	v[6] = tcp_value(r, b->f[6]);
}

/* Append the output of one record. */
static void
emit(struct render *r, const struct brec *b, struct buf *out)
{
	const struct fmt *f = &r->f;
	const char *v[MAXF];

	values(r, b, v);
	switch (f->mode) {
	case RM_JSON:
		json_line(out, r, b, v);
		break;
	case RM_TABLE:
		tab_row(out, f->tabfmt, &f->spec, v, f->nf, ++r->recno);
		break;
	case RM_TABTCP:
		tcp_row(out, f, v);
		break;
	default:
		if (!f->terse)
			buf_adds(out, "+->");
		fields_line(out, f, v);
		buf_addc(out, '\n');
	}
}

/* The line a record is sorted by, and the separator of its fields. */
static char
sort_line(struct render *r, const struct brec *b, struct buf *out)
{
	const struct fmt *f = &r->f;
	const char *v[MAXF];
	size_t i;

	values(r, b, v);
	if (f->mode == RM_TABTCP || (f->mode == RM_TABLE && f->tabfmt == TAB_FMT_TAB)) {
		if (f->mode == RM_TABTCP)
			tcp_row(out, f, v);
		else
			tab_row(out, TAB_FMT_TAB, &f->spec, v, f->nf, 0);
		buf_truncate(out, out->len - 1);
		return '|';
	}
	if (f->mode == RM_TABLE) {
		for (i = 0; i < f->spec.n; i++) {
			if (i)
				buf_addc(out, ';');
			buf_adds(out, v[f->spec.cols[i].field - 1]);
		}
		return ';';
	}
	if (f->mode == RM_FIELDS && !f->terse)
		buf_adds(out, "+->");
	fields_line(out, f, v);
	return ';';
}

/* ---- the run ------------------------------------------------------------- */

struct render *
render_new(const struct action_def *a, const char *subopts, bool terse, const char *output,
    size_t njobs, FILE *out, FILE *err)
{
	struct render *r;
	struct fmt f;

	if (!is_collector_fmt(a)) {
		ctys_seterr(CTYS_ERR_USAGE, "no output format for action %s", a ? a->name : "none");
		return NULL;
	}
	if (fmt_parse(&f, a->id == CTYS_ACT_LIST, subopts, terse,
	    output != NULL && str_ieq(output, "json")) != CTYS_OK)
		return NULL;
	r = xcalloc(1, sizeof *r);
	r->f = f;
	r->out = out;
	r->err = err;
	r->njobs = njobs;
	r->jobs = xcalloc(njobs ? njobs : 1, sizeof *r->jobs);
	r->resolve = default_resolve;
	return r;
}

static void
brec_free(struct brec *b)
{
	size_t i;

	for (i = 0; i < b->n; i++)
		free(b->f[i]);
	free(b->f);
	free(b->hop);
	free(b->type);
}

void
render_free(struct render *r)
{
	size_t i, k;

	if (r == NULL)
		return;
	for (i = 0; i < r->njobs; i++) {
		struct jobst *j = &r->jobs[i];

		for (k = 0; k < j->n; k++)
			brec_free(&j->v[k]);
		free(j->v);
		free(j->target);
		free(j->host);
		free(j->user);
		free(j->type);
		free(j->scope);
	}
	for (k = 0; k < r->nall; k++)
		brec_free(&r->all[k]);
	free(r->all);
	free(r->jobs);
	for (i = 0; i < r->ncache; i++) {
		free(r->cache[i].value);
		free(r->cache[i].result);
	}
	free(r->cache);
	tab_free(&r->f.spec);
	free(r);
}

static void
put(struct render *r, struct buf *b)
{
	if (b->len)
		fwrite(b->d, 1, b->len, r->out);
	fflush(r->out);
	buf_reset(b);
}

void
render_begin(struct render *r)
{
	const struct fmt *f = &r->f;
	struct buf b = BUF_INIT;
	char col[8];
	unsigned i;
	bool first = true;

	if (r->begun)
		return;
	r->begun = true;
	if (f->mode == RM_TABTCP) {
		tcp_header(&b, f);
	} else if (f->mode == RM_TABLE && f->tabfmt == TAB_FMT_TAB) {
		tab_header(&b, &f->spec);
		if (f->title == RT_IDX)
			tab_header_idx(&b, &f->spec);
	} else if (f->mode == RM_FIELDS && f->title != RT_NONE) {
		for (i = 1; i <= f->nf; i++) {
			if (!f->sel[i])
				continue;
			if (!first)
				buf_addc(&b, ';');
			first = false;
			buf_adds(&b, field_title(f, i));
			if (f->title == RT_IDX) {
				buf_addf(&b, "(%u)", i);
			} else if (f->title == RT_IDXASC) {
				col_letters(col, i);
				buf_addf(&b, "(%s-%u)", col, i);
			}
		}
		buf_addc(&b, '\n');
	}
	put(r, &b);
	buf_free(&b);
}

static char *
dup0(const char *s)
{
	return s ? xstrdup(s) : NULL;
}

void
render_job_begin(struct render *r, size_t job, const struct render_job *info)
{
	struct jobst *j;

	if (job >= r->njobs)
		return;
	j = &r->jobs[job];
	free(j->target);
	free(j->host);
	free(j->user);
	free(j->type);
	free(j->scope);
	j->target = dup0(info->target);
	j->host = dup0(info->host);
	j->user = dup0(info->user);
	j->type = dup0(info->type);
	j->scope = dup0(info->scope);
}

static bool
grouped_list(const struct render *r)
{
	return r->f.list && r->f.mode == RM_FIELDS && !r->f.terse;
}

static void
malformed(struct render *r, size_t job, const char *hop, const char *why)
{
	const char *t = job < r->njobs && r->jobs[job].target ? r->jobs[job].target : hop;

	fprintf(r->err, "ctys: %s: malformed record from '%s' dropped: %s\n", t, hop, why);
	fflush(r->err);
}

static void
push(struct brec **v, size_t *n, struct brec *b)
{
	*v = xgrowarray(*v, *n, sizeof **v);
	(*v)[(*n)++] = *b;
}

ctys_err_t
render_record(struct render *r, size_t job, const char *hop, const char *kind, const char *type,
    const char *const *fields, size_t n)
{
	struct buf out = BUF_INIT;
	struct brec b;
	size_t want, i;
	char why[160];
	bool other;

	hop = hop ? hop : "";
	if (strcmp(kind ? kind : "", "list") == 0)
		want = LREC_NFIELDS;
	else if (strcmp(kind ? kind : "", "enum") == 0)
		want = REC_NFIELDS;
	else {
		snprintf(why, sizeof why, "unknown record kind '%.40s'", kind ? kind : "");
		goto bad;
	}
	if (n != want) {
		snprintf(why, sizeof why, "%zu fields, %s record has %zu", n,
		    want == LREC_NFIELDS ? "a LIST" : "an ENUMERATE", want);
		goto bad;
	}
	for (i = 0; i < n; i++) {
		if (fields[i] == NULL) {
			snprintf(why, sizeof why, "field %zu is not a string", i + 1);
			goto bad;
		}
		if (strpbrk(fields[i], ";\n") != NULL) {
			snprintf(why, sizeof why, "field %zu contains ';' or a newline", i + 1);
			goto bad;
		}
	}
	if (!r->begun)
		render_begin(r);
	other = (want == LREC_NFIELDS) != r->f.list;
	if (other) {
		/* the other kind than this run renders: the terse MACHINE line */
		for (i = 0; i < n; i++) {
			if (i)
				buf_addc(&out, ';');
			buf_adds(&out, fields[i]);
		}
		buf_addc(&out, '\n');
		put(r, &out);
		buf_free(&out);
		return CTYS_OK;
	}
	b.job = job;
	b.hop = xstrdup(hop);
	b.type = xstrdup(type ? type : "");
	b.n = n;
	b.f = xcalloc(n, sizeof *b.f);
	for (i = 0; i < n; i++)
		b.f[i] = xstrdup(fields[i]);
	if (r->f.sort.on && !r->f.sort.each) {
		push(&r->all, &r->nall, &b);
	} else if (job < r->njobs && (r->f.sort.on || grouped_list(r))) {
		push(&r->jobs[job].v, &r->jobs[job].n, &b);
	} else {
		emit(r, &b, &out);
		put(r, &out);
		brec_free(&b);
	}
	buf_free(&out);
	return CTYS_OK;
bad:
	malformed(r, job, hop, why);
	return CTYS_ERR_PARSE;
}

ctys_err_t
render_record_json(struct render *r, size_t job, const json_t *m)
{
	const json_t *fa = json_object_get(m, "fields"), *v;
	const char **f;
	size_t i, n;
	ctys_err_t e;

	if (!json_is_array(fa)) {
		malformed(r, job, proto_str(m, "hop"), "\"fields\" is not an array");
		return CTYS_ERR_PARSE;
	}
	n = json_array_size(fa);
	f = xcalloc(n ? n : 1, sizeof *f);
	json_array_foreach(fa, i, v)
		f[i] = json_string_value(v);
	e = render_record(r, job, proto_str(m, "hop"),
	    json_string_value(json_object_get(m, "kind")),
	    json_string_value(json_object_get(m, "type")), f, n);
	free(f);
	return e;
}

void
render_text_line(struct render *r, size_t job, const char *line)
{
	(void)job;
	fprintf(r->out, "%s\n", line);
	fflush(r->out);
}

/* Print records v[0..n) (sorted when SORT is on), then free them. */
static void
flush_recs(struct render *r, size_t job, struct brec *v, size_t n, bool headers)
{
	struct tab_sort_item *it = xcalloc(n ? n : 1, sizeof *it);
	struct buf *keys = xcalloc(n ? n : 1, sizeof *keys), out = BUF_INIT;
	const struct jobst *j = job < r->njobs ? &r->jobs[job] : NULL;
	const char *last = NULL;
	size_t i, k = n;
	char sep = ';';

	for (i = 0; i < n; i++) {
		it[i].idx = i;
		if (r->f.sort.on) {
			sep = sort_line(r, &v[i], &keys[i]);
			it[i].s = keys[i].d ? keys[i].d : "";
			it[i].n = keys[i].len;
		}
	}
	if (r->f.sort.on)
		k = tab_sort_items(it, n, sep, &r->f.sort);
	for (i = 0; i < k; i++) {
		const struct brec *b = &v[it[i].idx];

		if (headers && (last == NULL || strcmp(last, b->type) != 0)) {
			const char *scope = j && j->scope ? j->scope : "USER";
			const char *eq = strchr(scope, '=');

			buf_addf(&out, "%s sessions of SCOPE=%s -  %s@%s:\n", b->type, scope,
			    eq ? eq + 1 : j && j->user ? j->user : "", b->hop);
			last = b->type;
		}
		emit(r, b, &out);
	}
	if (headers && n == 0 && j) {
		const char *scope = j->scope ? j->scope : "USER";
		const char *eq = strchr(scope, '=');

		buf_addf(&out, "%s sessions of SCOPE=%s -  %s@%s:\nNONE\n", j->type ? j->type : "ALL",
		    scope, eq ? eq + 1 : j->user ? j->user : "", j->host ? j->host : "");
	}
	put(r, &out);
	buf_free(&out);
	for (i = 0; i < n; i++) {
		buf_free(&keys[i]);
		brec_free(&v[i]);
	}
	free(keys);
	free(it);
}

void
render_job_end(struct render *r, size_t job)
{
	struct jobst *j;

	if (job >= r->njobs || (r->f.sort.on && !r->f.sort.each))
		return;
	j = &r->jobs[job];
	if (!r->begun)
		render_begin(r);
	if (j->n > 0 || grouped_list(r))
		flush_recs(r, job, j->v, j->n, grouped_list(r));
	free(j->v);
	j->v = NULL;
	j->n = 0;
}

void
render_finish(struct render *r)
{
	struct buf out = BUF_INIT;

	if (!r->begun)
		render_begin(r);
	if (r->f.sort.on && !r->f.sort.each) {
		flush_recs(r, 0, r->all, r->nall, false);
		if (r->nall == 0 && grouped_list(r)) {
			buf_adds(&out, "NONE\n");
			put(r, &out);
		}
		free(r->all);
		r->all = NULL;
		r->nall = 0;
	}
	buf_free(&out);
	fflush(r->out);
}
