/* opts.c — the generic option table; see opts.h and cli-grammar.md §4. */
#include "ctys/opts.h"

#include <ctype.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "agents/plugin.h"
#include "lib/log.h"
#include "lib/util.h"
#include "lib/xmalloc.h"

#ifndef CTYS_VERSION
#define CTYS_VERSION "0.0.0"
#endif

static void
set_str(char **dst, const char *v)
{
	free(*dst);
	*dst = v ? xstrdup(v) : NULL;
}

static void
set_own(char **dst, char *v)
{
	free(*dst);
	*dst = v;
}

/* Iterate the ','-separated items of arg: calls fn for each, stops on error. */
static ctys_err_t
each_item(const char *arg, const char *opt, ctys_err_t (*fn)(void *, const char *, size_t),
    void *ctx)
{
	const char *p = arg;
	size_t n;
	ctys_err_t e;

	if (*arg == '\0')
		return ctys_seterr(CTYS_ERR_USAGE, "option '-%s' requires a value", opt);
	for (;;) {
		n = strcspn(p, ",");
		if (n == 0)
			return ctys_seterr(CTYS_ERR_USAGE, "empty item in '-%s %s'", opt, arg);
		if ((e = fn(ctx, p, n)) != CTYS_OK)
			return e;
		if (p[n] == '\0')
			return CTYS_OK;
		p += n + 1;
	}
}

/*
 * A keyword-valued option: the id of `arg` in tab, or CTYS_ERR_USAGE naming
 * the option and the accepted words (`choices`).
 */
static ctys_err_t
kw_value(const struct kw *tab, size_t n, const char *arg, char letter, const char *choices,
    int *out)
{
	int v = kw_lookup(tab, n, arg, strlen(arg));

	if (v < 0)
		return ctys_seterr(CTYS_ERR_USAGE, "bad value '%s' for '-%c' (%s)", arg, letter,
		    choices);
	*out = v;
	return CTYS_OK;
}

/* ---- -a ---------------------------------------------------------------- */

static void
apply_action_defaults(struct ctys_opts *o, const struct opts_env *env)
{
	enum ctys_action a = o->action->id;
	const char *type = env->prescan_type;
	bool cli = type && str_ieq(type, "CLI");

	if (o->scope == NULL) {
		if (a == CTYS_ACT_LIST || a == CTYS_ACT_INFO || a == CTYS_ACT_SHOW)
			set_str(&o->scope, "ALL");
		else
			set_str(&o->scope, env->default_scope ? env->default_scope : "USER");
	}
	if (o->bmode == 0) {
		switch (a) {
		case CTYS_ACT_CREATE:
			o->bmode = cli ? BM_SYNC | BM_SEQ : BM_ASYNC | BM_PAR;
			break;
		case CTYS_ACT_CANCEL:
			o->bmode = BM_ASYNC | BM_PAR;
			break;
		case CTYS_ACT_GETCLIENTPORT:
		case CTYS_ACT_ISACTIVE:
			break;
		default:
			o->bmode = BM_SYNC | BM_PAR;
		}
	}
	if (a == CTYS_ACT_CREATE && cli && o->pty < 0)
		o->pty = 2;
}

static ctys_err_t
opt_a(struct ctys_opts *o, const struct opts_env *env, const char *arg)
{
	const char *eq = strchr(arg, '=');
	size_t len = eq ? (size_t)(eq - arg) : strlen(arg);
	const struct action_def *a = action_lookup(arg, len);
	struct subopts so;
	ctys_err_t e;

	if (len == 0)
		return ctys_seterr(CTYS_ERR_USAGE, "option '-a' requires an action");
	if (a == NULL)
		return ctys_seterr(CTYS_ERR_NOTFOUND, "unknown action '%.*s' (one of CREATE, CANCEL, "
		    "LIST, ENUMERATE, INFO, SHOW, GETCLIENTPORT, ISACTIVE)", (int)len, arg);
	o->action = a;
	o->subopts_default = false;
	if (eq && eq[1]) {
		if ((e = subopt_scan(eq + 1, &so)) != CTYS_OK)
			return e;
		e = action_check(a, &so);
		subopt_free(&so);
		if (e != CTYS_OK)
			return e;
		set_str(&o->subopts, eq + 1);
	} else {
		const char *d = a->default_subopts;

		if (a->id == CTYS_ACT_LIST && env->default_list_args)
			d = env->default_list_args;
		set_str(&o->subopts, d);
		o->subopts_default = d != NULL;
	}
	apply_action_defaults(o, env);
	return CTYS_OK;
}

static void
ren_a(struct buf *out, const struct ctys_opts *o)
{
	if (o->action == NULL)
		return;
	buf_addf(out, " -a %s", o->action->name);
	if (o->subopts)
		buf_addf(out, "=%s", o->subopts);
}

/* ---- -A ---------------------------------------------------------------- */

static const struct kw onoff_kw[] = { { "0|OFF", 0 }, { "1|ON", 1 } };

static ctys_err_t
opt_A(struct ctys_opts *o, const struct opts_env *env, const char *arg)
{
	(void)env;
	return kw_value(onoff_kw, 2, arg, 'A', "0, off, 1 or on", &o->ambiguity);
}

static void
ren_A(struct buf *out, const struct ctys_opts *o)
{
	if (o->ambiguity >= 0)
		buf_addf(out, " -A %d", o->ambiguity);
}

/* ---- -b ---------------------------------------------------------------- */

enum { B_STACK, B_SYNC, B_ASYNC, B_SEQ, B_PAR };
static const struct kw b_kw[] = {
	{ "STACK", B_STACK }, { "SYNC|OFF|0", B_SYNC }, { "ASYNC|ON|1", B_ASYNC },
	{ "SEQUENTIAL|SEQ|2", B_SEQ }, { "PARALLEL|PAR|3", B_PAR },
};

struct b_ctx {
	unsigned bm;
	int count;
	const char *arg;
};

static ctys_err_t
b_item(void *vctx, const char *w, size_t n)
{
	struct b_ctx *c = vctx;

	if (++c->count > 2)
		return ctys_seterr(CTYS_ERR_USAGE, "too many items in '-b %s' (at most 2)", c->arg);
	switch (kw_lookup(b_kw, sizeof b_kw / sizeof *b_kw, w, n)) {
	case B_STACK:
		c->bm = BM_STACK | BM_SYNC | BM_SEQ;
		break;
	case B_SYNC:
		c->bm = (c->bm & ~(unsigned)BM_ASYNC) | BM_SYNC;
		break;
	case B_ASYNC:
		c->bm = (c->bm & ~(unsigned)BM_SYNC) | BM_ASYNC;
		break;
	case B_SEQ:
		c->bm = (c->bm & ~(unsigned)BM_PAR) | BM_SEQ;
		break;
	case B_PAR:
		c->bm = (c->bm & ~(unsigned)BM_SEQ) | BM_PAR;
		break;
	default:
		return ctys_seterr(CTYS_ERR_USAGE, "unknown item '%.*s' in '-b %s' (stack, sync, "
		    "async, seq, par)", (int)n, w, c->arg);
	}
	return CTYS_OK;
}

static ctys_err_t
opt_b(struct ctys_opts *o, const struct opts_env *env, const char *arg)
{
	struct b_ctx c = { 0, 0, arg };
	ctys_err_t e;

	(void)env;
	if ((e = each_item(arg, "b", b_item, &c)) != CTYS_OK)
		return e;
	if (o->bmode_locked)
		return CTYS_OK; /* -b STACK blocks later changes */
	if (c.bm & BM_STACK) {
		o->bmode = c.bm;
		o->bmode_locked = true;
		return CTYS_OK;
	}
	if (c.bm & (BM_SYNC | BM_ASYNC))
		o->bmode = (o->bmode & ~(unsigned)(BM_SYNC | BM_ASYNC)) | (c.bm & (BM_SYNC | BM_ASYNC));
	if (c.bm & (BM_SEQ | BM_PAR))
		o->bmode = (o->bmode & ~(unsigned)(BM_SEQ | BM_PAR)) | (c.bm & (BM_SEQ | BM_PAR));
	return CTYS_OK;
}

void
bmode_render(struct buf *out, unsigned bm)
{
	const char *sep = "";

	if (bm & BM_SYNC) {
		buf_adds(out, "SYNC");
		sep = ",";
	}
	if (bm & BM_ASYNC) {
		buf_adds(out, "ASYNC");
		sep = ",";
	}
	if (bm & BM_SEQ) {
		buf_addf(out, "%sSEQ", sep);
		sep = ",";
	}
	if (bm & BM_PAR) {
		buf_addf(out, "%sPAR", sep);
		sep = ",";
	}
	if (bm & BM_STACK)
		buf_addf(out, "%sSTACK", sep);
}

static void
ren_b(struct buf *out, const struct ctys_opts *o)
{
	if (o->bmode == 0)
		return;
	buf_adds(out, " -b ");
	bmode_render(out, o->bmode);
}

/* ---- -c ---------------------------------------------------------------- */

enum { C_OFF, C_ON, C_LOCAL, C_REMOTE, C_ONLY };
static const struct kw c_kw[] = {
	{ "OFF", C_OFF }, { "ON|BOTH", C_ON }, { "LOCAL", C_LOCAL }, { "REMOTE", C_REMOTE },
	{ "ONLY", C_ONLY },
};

struct c_ctx {
	struct ctys_opts *o;
	const char *arg;
};

static ctys_err_t
c_item(void *vctx, const char *w, size_t n)
{
	struct c_ctx *c = vctx;

	switch (kw_lookup(c_kw, sizeof c_kw / sizeof *c_kw, w, n)) {
	case C_OFF:
		c->o->cache = CACHE_OFF;
		break;
	case C_ON:
		c->o->cache = CACHE_BOTH;
		break;
	case C_LOCAL:
		c->o->cache = CACHE_LOCAL;
		break;
	case C_REMOTE:
		c->o->cache = CACHE_REMOTE;
		break;
	case C_ONLY:
		c->o->cache_only = true;
		break;
	default:
		return ctys_seterr(CTYS_ERR_USAGE, "unknown item '%.*s' in '-c %s' (off, on, both, "
		    "local, remote, only)", (int)n, w, c->arg);
	}
	return CTYS_OK;
}

static ctys_err_t
opt_c(struct ctys_opts *o, const struct opts_env *env, const char *arg)
{
	struct c_ctx c = { o, arg };

	(void)env;
	o->cache_only = false;
	return each_item(arg, "c", c_item, &c);
}

static void
ren_c(struct buf *out, const struct ctys_opts *o)
{
	static const char *const n[] = { "BOTH", "BOTH", "LOCAL", "REMOTE", "OFF" };

	buf_addf(out, " -c %s%s", n[o->cache], o->cache_only ? ",ONLY" : "");
}

/* ---- -C ---------------------------------------------------------------- */

static const struct kw C_kw[] = {
	{ "OFF|0", 0 }, { "ON|1", 1 }, { "KEEP", 2 }, { "KEEPALL", 3 }, { "ONLY", 4 },
	{ "RAW", 5 }, { "FIN", 6 }, { "FOUT", 7 }, { "LIFETIME", 8 }, { "AUTO", 9 },
};

struct C_ctx {
	struct buf norm;
	int count;
	bool off;
	const char *arg;
};

static ctys_err_t
C_item(void *vctx, const char *w, size_t n)
{
	struct C_ctx *c = vctx;
	size_t klen = strcspn(w, ":");
	int k;
	unsigned long sec;
	char *val;

	if (klen > n)
		klen = n;
	k = kw_lookup(C_kw, sizeof C_kw / sizeof *C_kw, w, klen);
	if (k < 0)
		return ctys_seterr(CTYS_ERR_USAGE, "unknown item '%.*s' in '-C %s'", (int)n, w, c->arg);
	if ((k >= 6 && k <= 8) != (klen < n))
		return ctys_seterr(CTYS_ERR_USAGE, "item '%.*s' in '-C %s': FIN, FOUT and LIFETIME "
		    "take ':<value>', the others none", (int)n, w, c->arg);
	if (k == 8) {
		val = xstrndup(w + klen + 1, n - klen - 1);
		if (!parse_uint(val, 100000000, &sec)) {
			free(val);
			return ctys_seterr(CTYS_ERR_USAGE, "LIFETIME in '-C %s' requires seconds", c->arg);
		}
		free(val);
	}
	if (k == 0)
		c->off = true;
	if (c->count++)
		buf_addc(&c->norm, ',');
	{
		static const char *const canon[] = { "OFF", "ON", "KEEP", "KEEPALL", "ONLY", "RAW",
			"FIN", "FOUT", "LIFETIME", "AUTO" };
		buf_adds(&c->norm, canon[k]);
		if (klen < n)
			buf_add(&c->norm, w + klen, n - klen);
	}
	return CTYS_OK;
}

static ctys_err_t
opt_C(struct ctys_opts *o, const struct opts_env *env, const char *arg)
{
	struct C_ctx c = { BUF_INIT, 0, false, arg };
	ctys_err_t e;

	(void)env;
	e = each_item(arg, "C", C_item, &c);
	if (e == CTYS_OK && c.off && c.count > 1)
		e = ctys_seterr(CTYS_ERR_USAGE, "'-C OFF' cannot be combined with other items: '%s'", arg);
	if (e != CTYS_OK) {
		buf_free(&c.norm);
		return e;
	}
	set_own(&o->datacache, buf_detach(&c.norm));
	return CTYS_OK;
}

/* ---- -d ---------------------------------------------------------------- */

static ctys_err_t
opt_d(struct ctys_opts *o, const struct opts_env *env, const char *arg)
{
	struct dbg_spec d;
	struct buf b = BUF_INIT;
	ctys_err_t e;

	(void)env;
	if ((e = dbg_parse(arg, &d)) != CTYS_OK)
		return e;
	dbg_format(&b, &d);
	set_own(&o->debug, buf_detach(&b));
	return CTYS_OK;
}

/* ---- -D ---------------------------------------------------------------- */

static bool
all_digits(const char *s, size_t n)
{
	size_t i;

	if (n == 0)
		return false;
	for (i = 0; i < n; i++)
		if (!isdigit((unsigned char)s[i]))
			return false;
	return true;
}

/* N, NN, NNN, :N, N:M, localhost:N, 127.x.y.z:N */
static bool
display_ok(const char *s)
{
	const char *colon = strchr(s, ':');
	size_t hl;

	if (colon == NULL)
		return all_digits(s, strlen(s)) && strlen(s) <= 3;
	if (strchr(colon + 1, ':') || !all_digits(colon + 1, strlen(colon + 1)))
		return false;
	hl = (size_t)(colon - s);
	if (hl == 0 || all_digits(s, hl))
		return true;
	if (hl == 9 && strncmp(s, "localhost", 9) == 0)
		return true;
	if (strncmp(s, "127.", 4) == 0) {
		int dots = 0;
		const char *p;

		for (p = s + 4; p < colon; p++) {
			if (*p == '.')
				dots++;
			else if (!isdigit((unsigned char)*p))
				return false;
		}
		return dots == 2;
	}
	return false;
}

static ctys_err_t
opt_D(struct ctys_opts *o, const struct opts_env *env, const char *arg)
{
	(void)env;
	if (!display_ok(arg))
		return ctys_seterr(CTYS_ERR_USAGE, "bad display '%s' for '-D' (N, :N, N:M, "
		    "localhost:N or 127.x.y.z:N)", arg);
	set_str(&o->display, arg);
	return CTYS_OK;
}

/* ---- flags ------------------------------------------------------------- */

#define FLAG_OPT(fn, field)                                                         \
	static ctys_err_t fn(struct ctys_opts *o, const struct opts_env *env, const char *arg) \
	{                                                                           \
		(void)env;                                                          \
		(void)arg;                                                          \
		o->field = true;                                                    \
		return CTYS_OK;                                                     \
	}
FLAG_OPT(opt_E, exec_local)
FLAG_OPT(opt_f, force)
FLAG_OPT(opt_h, help)
FLAG_OPT(opt_n, dryrun)
FLAG_OPT(opt_y, colors)
FLAG_OPT(opt_Y, agentfwd)

#define FLAG_REN(fn, field, text)                                   \
	static void fn(struct buf *out, const struct ctys_opts *o)  \
	{                                                           \
		if (o->field)                                       \
			buf_adds(out, text);                        \
	}
FLAG_REN(ren_E, exec_local, " -E")
FLAG_REN(ren_f, force, " -f")
FLAG_REN(ren_X, terse, " -X")
FLAG_REN(ren_y, colors, " -y")
FLAG_REN(ren_Y, agentfwd, " -Y")

static ctys_err_t
opt_X(struct ctys_opts *o, const struct opts_env *env, const char *arg)
{
	(void)env;
	(void)arg;
	o->terse = true;
	return CTYS_OK;
}

static ctys_err_t
opt_w(struct ctys_opts *o, const struct opts_env *env, const char *arg)
{
	(void)o;
	(void)env;
	(void)arg;
	return CTYS_OK; /* accepted and ignored, as in the original */
}

static ctys_err_t
opt_v(struct ctys_opts *o, const struct opts_env *env, const char *arg)
{
	(void)env;
	(void)arg;
	o->verbose++;
	return CTYS_OK;
}

static ctys_err_t
opt_V(struct ctys_opts *o, const struct opts_env *env, const char *arg)
{
	(void)env;
	(void)arg;
	o->version = true;
	o->version_bare = o->terse; /* -X before -V: bare version string */
	return CTYS_OK;
}

/* ---- string-valued options -------------------------------------------- */

#define STR_REN(fn, field, letter)                                  \
	static void fn(struct buf *out, const struct ctys_opts *o)  \
	{                                                           \
		if (o->field)                                       \
			buf_addf(out, " -%c %s", letter, o->field); \
	}
STR_REN(ren_C, datacache, 'C')
STR_REN(ren_d, debug, 'd')
STR_REN(ren_D, display, 'D')
STR_REN(ren_F, caller_version, 'F')
STR_REN(ren_g, geometry, 'g')
STR_REN(ren_j, jobid, 'j')
STR_REN(ren_l, user, 'l')
STR_REN(ren_M, message, 'M')
STR_REN(ren_o, output, 'o')
STR_REN(ren_p, dbpath, 'p')
STR_REN(ren_r, resolution, 'r')
STR_REN(ren_s, scope, 's')
STR_REN(ren_S, sigignore, 'S')
STR_REN(ren_t, type, 't')
STR_REN(ren_T, multitype, 'T')
STR_REN(ren_W, workspace, 'W')
STR_REN(ren_Z, su, 'Z')

/* Major.minor of a version: everything before the last '.'. */
static size_t
version_prefix(const char *v)
{
	const char *dot = strrchr(v, '.');

	return dot ? (size_t)(dot - v) : strlen(v);
}

static ctys_err_t
opt_F(struct ctys_opts *o, const struct opts_env *env, const char *arg)
{
	const char *mine = CTYS_VERSION;
	size_t n = version_prefix(mine);

	(void)env;
	if (version_prefix(arg) != n || strncmp(arg, mine, n) != 0)
		return ctys_seterr(CTYS_ERR_VERSION, "remote and local versions are incompatible: "
		    "caller %s, this side %s", arg, mine);
	set_str(&o->caller_version, arg);
	return CTYS_OK;
}

/* <x>x<y>[(+|-)<xoff>(+|-)<yoff>] followed by an optional :screen[:layout[:file]] */
static ctys_err_t
opt_g(struct ctys_opts *o, const struct opts_env *env, const char *arg)
{
	const char *p = arg;
	size_t n;

	(void)env;
	n = strspn(p, "0123456789");
	if (n == 0 || p[n] != 'x')
		goto bad;
	p += n + 1;
	n = strspn(p, "0123456789");
	if (n == 0)
		goto bad;
	p += n;
	if (*p == '+' || *p == '-') {
		n = strspn(++p, "0123456789");
		if (n == 0 || (p[n] != '+' && p[n] != '-'))
			goto bad;
		p += n + 1;
		n = strspn(p, "0123456789");
		if (n == 0)
			goto bad;
		p += n;
	}
	if (*p != '\0' && *p != ':')
		goto bad;
	set_str(&o->geometry, arg);
	return CTYS_OK;
bad:
	return ctys_seterr(CTYS_ERR_USAGE, "bad geometry '%s' for '-g' "
	    "(<x>x<y>[+<xoff>+<yoff>][:<screen>[:<layout>[:<file>]]])", arg);
}

static ctys_err_t
opt_H(struct ctys_opts *o, const struct opts_env *env, const char *arg)
{
	(void)env;
	set_str(&o->helpopt, arg);
	o->help = true;
	return CTYS_OK;
}

static ctys_err_t
opt_j(struct ctys_opts *o, const struct opts_env *env, const char *arg)
{
	const char *colon = strchr(arg, ':');

	(void)env;
	if (colon == NULL || colon == arg || colon[1] == '\0')
		return ctys_seterr(CTYS_ERR_USAGE, "bad job id '%s' for '-j' (<datetime>:<index>...)", arg);
	set_str(&o->jobid, arg);
	return CTYS_OK;
}

static ctys_err_t
opt_k(struct ctys_opts *o, const struct opts_env *env, const char *arg)
{
	(void)env;
	if (strncasecmp(arg, "REUSE:", 6) != 0 || arg[6] < '0' || arg[6] > '2' || arg[7] != '\0')
		return ctys_seterr(CTYS_ERR_USAGE, "bad value '%s' for '-k' (REUSE:0, REUSE:1 or REUSE:2)", arg);
	o->reuse = arg[6] - '0';
	return CTYS_OK;
}

static void
ren_k(struct buf *out, const struct ctys_opts *o)
{
	if (o->reuse >= 0)
		buf_addf(out, " -k REUSE:%d", o->reuse);
}

static ctys_err_t
opt_l(struct ctys_opts *o, const struct opts_env *env, const char *arg)
{
	(void)env;
	if (*arg == '\0' || strpbrk(arg, "@:,()[]{}'\"") != NULL)
		return ctys_seterr(CTYS_ERR_USAGE, "bad user name '%s' for '-l'", arg);
	set_str(&o->user, arg);
	return CTYS_OK;
}

static const struct kw loc_kw[] = {
	{ "LOCALONLY|LO", LOC_LOCALONLY },
	{ "CONNECTIONFORWARDING|CF", LOC_CONNECTIONFORWARDING },
	{ "DISPLAYFORWARDING|DF", LOC_DISPLAYFORWARDING },
	{ "CLIENTONLY|CO", LOC_CLIENTONLY },
	{ "SERVERONLY|SO", LOC_SERVERONLY },
};

const char *
location_name(enum location l)
{
	static const char *const n[] = { "DISPLAYFORWARDING", "LOCALONLY", "CONNECTIONFORWARDING",
		"DISPLAYFORWARDING", "CLIENTONLY", "SERVERONLY" };

	return n[l];
}

static ctys_err_t
opt_L(struct ctys_opts *o, const struct opts_env *env, const char *arg)
{
	int v = 0;
	ctys_err_t e = kw_value(loc_kw, sizeof loc_kw / sizeof *loc_kw, arg, 'L', "LOCALONLY, "
	    "CONNECTIONFORWARDING, DISPLAYFORWARDING, CLIENTONLY, SERVERONLY", &v);

	(void)env;
	if (e == CTYS_OK)
		o->location = (enum location)v;
	return e;
}

static void
ren_L(struct buf *out, const struct ctys_opts *o)
{
	buf_addf(out, " -L %s", location_name(o->location));
}

static ctys_err_t
opt_M(struct ctys_opts *o, const struct opts_env *env, const char *arg)
{
	(void)env;
	set_str(&o->message, arg);
	return CTYS_OK;
}

static ctys_err_t
opt_o(struct ctys_opts *o, const struct opts_env *env, const char *arg)
{
	(void)env;
	if (!str_ieq(arg, "json") && !str_ieq(arg, "text"))
		return ctys_seterr(CTYS_ERR_USAGE, "unknown output format '%s' for '-o' (text or json)", arg);
	set_own(&o->output, str_upper(arg));
	for (char *p = o->output; *p; p++)
		*p = (char)tolower((unsigned char)*p);
	return CTYS_OK;
}

static ctys_err_t
opt_O(struct ctys_opts *o, const struct opts_env *env, const char *arg)
{
	(void)env;
	strv_push(&o->extra, arg);
	return CTYS_OK;
}

static void
ren_O(struct buf *out, const struct ctys_opts *o)
{
	size_t i;

	for (i = 0; i < o->extra.n; i++)
		buf_addf(out, " -O %s", o->extra.v[i]);
}

static ctys_err_t
opt_p(struct ctys_opts *o, const struct opts_env *env, const char *arg)
{
	(void)env;
	if (access(arg, F_OK) != 0)
		return ctys_seterr(CTYS_ERR_USAGE, "cache DB directory '%s' for '-p' does not exist", arg);
	set_str(&o->dbpath, arg);
	return CTYS_OK;
}

static ctys_err_t
opt_r(struct ctys_opts *o, const struct opts_env *env, const char *arg)
{
	size_t n = strspn(arg, "0123456789"), m;

	(void)env;
	if (n == 0 || arg[n] != 'x' || (m = strspn(arg + n + 1, "0123456789")) == 0 ||
	    arg[n + 1 + m] != '\0')
		return ctys_seterr(CTYS_ERR_USAGE, "bad resolution '%s' for '-r' (<x>x<y>)", arg);
	set_str(&o->resolution, arg);
	return CTYS_OK;
}

static ctys_err_t
opt_s(struct ctys_opts *o, const struct opts_env *env, const char *arg)
{
	const char *eq = strchr(arg, '=');
	size_t n = eq ? (size_t)(eq - arg) : strlen(arg);
	static const struct kw s_kw[] = { { "USER", 0 }, { "GROUP", 1 }, { "USRLST", 2 },
		{ "GRPLST", 3 }, { "ALL", 4 } };
	int k = kw_lookup(s_kw, 5, arg, n);

	(void)env;
	if (k < 0)
		return ctys_seterr(CTYS_ERR_USAGE, "unknown scope '%.*s' for '-s' (USER, GROUP, "
		    "USRLST=<list>, GRPLST=<list>, ALL)", (int)n, arg);
	if ((k == 2 || k == 3) && (eq == NULL || eq[1] == '\0'))
		return ctys_seterr(CTYS_ERR_USAGE, "scope '%.*s' requires a list: '%.*s=<a,b,...>'",
		    (int)n, arg, (int)n, arg);
	if ((k < 2 || k == 4) && eq)
		return ctys_seterr(CTYS_ERR_USAGE, "scope '%.*s' takes no value", (int)n, arg);
	switch (k) {
	case 0:
		set_str(&o->scope, "USER");
		break;
	case 1:
		set_str(&o->scope, "GROUP");
		break;
	case 4:
		set_str(&o->scope, "USRLST=ALL"); /* the original stores ALL this way */
		break;
	default:
		set_own(&o->scope, xasprintf("%s=%s", k == 2 ? "USRLST" : "GRPLST", eq + 1));
	}
	return CTYS_OK;
}

struct S_ctx {
	struct buf b;
	int count;
	const char *arg;
};

static ctys_err_t
S_item(void *vctx, const char *w, size_t n)
{
	struct S_ctx *c = vctx;
	unsigned long sig;
	char *num;
	bool ok;

	if (c->count++)
		buf_addc(&c->b, ',');
	if (c->count == 1 && n == 2 && strncasecmp(w, "ON", 2) == 0) {
		buf_adds(&c->b, "ON");
		return CTYS_OK;
	}
	if (c->count == 1 && n == 3 && strncasecmp(w, "OFF", 3) == 0) {
		buf_adds(&c->b, "OFF");
		return CTYS_OK;
	}
	num = xstrndup(w, n);
	ok = parse_uint(num, 64, &sig) && sig > 0;
	free(num);
	if (!ok)
		return ctys_seterr(CTYS_ERR_USAGE, "bad item '%.*s' in '-S %s' "
		    "([on|off][,<signal number>...])", (int)n, w, c->arg);
	buf_add(&c->b, w, n);
	return CTYS_OK;
}

static ctys_err_t
opt_S(struct ctys_opts *o, const struct opts_env *env, const char *arg)
{
	struct S_ctx c = { BUF_INIT, 0, arg };
	ctys_err_t e;

	(void)env;
	if ((e = each_item(arg, "S", S_item, &c)) != CTYS_OK) {
		buf_free(&c.b);
		return e;
	}
	set_own(&o->sigignore, buf_detach(&c.b));
	return CTYS_OK;
}

static ctys_err_t
opt_t(struct ctys_opts *o, const struct opts_env *env, const char *arg)
{
	const struct plugin_desc *p;

	(void)env;
	if (str_ieq(arg, "ALL")) {
		set_str(&o->type, "ALL");
		return CTYS_OK;
	}
	p = plugin_lookup(arg, strlen(arg));
	if (p == NULL)
		return ctys_seterr(CTYS_ERR_USAGE, "unknown session type '%s' for '-t' (PM, QEMU, KVM, "
		    "XEN, VBOX, VMW, CLI, X11, VNC, RDP, ALL)", arg);
	set_str(&o->type, p->name);
	return CTYS_OK;
}

struct T_ctx {
	struct buf b;
	bool all;
};

static ctys_err_t
T_item(void *vctx, const char *w, size_t n)
{
	struct T_ctx *c = vctx;
	const struct plugin_desc *p;

	if (n == 3 && strncasecmp(w, "ALL", 3) == 0) {
		c->all = true;
		return CTYS_OK;
	}
	if ((p = plugin_lookup(w, n)) == NULL)
		return ctys_seterr(CTYS_ERR_USAGE, "unknown session type '%.*s' for '-T'", (int)n, w);
	if (c->b.len)
		buf_addc(&c->b, ',');
	buf_adds(&c->b, p->name);
	return CTYS_OK;
}

static ctys_err_t
opt_T(struct ctys_opts *o, const struct opts_env *env, const char *arg)
{
	struct T_ctx c = { BUF_INIT, false };
	ctys_err_t e;

	(void)env;
	if ((e = each_item(arg, "T", T_item, &c)) != CTYS_OK) {
		buf_free(&c.b);
		return e;
	}
	if (c.all) {
		buf_free(&c.b);
		set_str(&o->multitype, "ALL");
	} else
		set_own(&o->multitype, buf_detach(&c.b));
	return CTYS_OK;
}

/* Is `prog` an executable file in one of the $PATH directories? */
static bool
in_path(const char *prog)
{
	const char *path = getenv("PATH"), *p;
	char full[4096];
	size_t n;

	if (path == NULL)
		return false;
	for (p = path;; p += n + 1) {
		n = strcspn(p, ":");
		snprintf(full, sizeof full, "%.*s/%s", (int)n, n ? p : ".", prog);
		if (access(full, X_OK) == 0)
			return true;
		if (p[n] == '\0')
			return false;
	}
}

static ctys_err_t
opt_W(struct ctys_opts *o, const struct opts_env *env, const char *arg)
{
	(void)env;
	if (!in_path("wmctrl"))
		return ctys_seterr(CTYS_ERR_USAGE, "option '-W %s' needs wmctrl, which is not in PATH", arg);
	set_str(&o->workspace, arg);
	return CTYS_OK;
}

static const struct kw x_kw[] = { { "OFF|0", 0 }, { "STAR|1", 1 }, { "CHAIN|2", 2 } };

static ctys_err_t
opt_x(struct ctys_opts *o, const struct opts_env *env, const char *arg)
{
	(void)env;
	return kw_value(x_kw, 3, arg, 'x', "OFF, STAR or CHAIN", &o->resolver);
}

static void
ren_x(struct buf *out, const struct ctys_opts *o)
{
	static const char *const n[] = { "OFF", "STAR", "CHAIN" };

	if (o->resolver >= 0)
		buf_addf(out, " -x %s", n[o->resolver]);
}

struct z_ctx {
	int count;
	bool nopty;
	const char *arg;
};

static ctys_err_t
z_item(void *vctx, const char *w, size_t n)
{
	struct z_ctx *c = vctx;

	if (n == 5 && strncasecmp(w, "NOPTY", 5) == 0) {
		c->count = 0;
		c->nopty = true;
	} else if (n == 3 && strncasecmp(w, "PTY", 3) == 0) {
		c->count = c->count < 2 ? c->count + 1 : 2;
		c->nopty = false;
	} else if (n == 1 && (w[0] == '1' || w[0] == '2' || w[0] == '0')) {
		c->count = w[0] - '0';
		c->nopty = false;
	} else
		return ctys_seterr(CTYS_ERR_USAGE, "bad item '%.*s' in '-z %s' (NOPTY, PTY, 0, 1, 2)",
		    (int)n, w, c->arg);
	return CTYS_OK;
}

static ctys_err_t
opt_z(struct ctys_opts *o, const struct opts_env *env, const char *arg)
{
	struct z_ctx c = { 0, false, arg };
	ctys_err_t e;

	(void)env;
	if ((e = each_item(arg, "z", z_item, &c)) != CTYS_OK)
		return e;
	o->pty = c.count;
	o->nopty = c.nopty;
	return CTYS_OK;
}

static void
ren_z(struct buf *out, const struct ctys_opts *o)
{
	if (o->nopty)
		buf_adds(out, " -z NOPTY");
	else if (o->pty >= 0)
		buf_addf(out, " -z %d", o->pty);
}

/* -Z: KSU, NOKSU, SUDO, NOSUDO, ALL.  (The original never matched KSU: fixed.) */
static const struct kw Z_kw[] = { { "KSU", 0 }, { "NOKSU", 1 }, { "SUDO", 2 }, { "NOSUDO", 3 },
	{ "ALL", 4 } };

struct Z_ctx {
	struct buf b;
	const char *arg;
};

static ctys_err_t
Z_item(void *vctx, const char *w, size_t n)
{
	static const char *const canon[] = { "KSU", "NOKSU", "SUDO", "NOSUDO", "ALL" };
	struct Z_ctx *c = vctx;
	int k = kw_lookup(Z_kw, 5, w, n);

	if (k < 0)
		return ctys_seterr(CTYS_ERR_USAGE, "bad item '%.*s' in '-Z %s' (KSU, NOKSU, SUDO, "
		    "NOSUDO, ALL)", (int)n, w, c->arg);
	if (c->b.len)
		buf_addc(&c->b, ',');
	buf_adds(&c->b, canon[k]);
	return CTYS_OK;
}

static ctys_err_t
opt_Z(struct ctys_opts *o, const struct opts_env *env, const char *arg)
{
	struct Z_ctx c = { BUF_INIT, arg };
	ctys_err_t e;

	(void)env;
	if ((e = each_item(arg, "Z", Z_item, &c)) != CTYS_OK) {
		buf_free(&c.b);
		return e;
	}
	set_own(&o->su, buf_detach(&c.b));
	return CTYS_OK;
}

/* ---- the table --------------------------------------------------------- */

#define RO OPTF_REMOTE_ONLY
const struct opt_def opt_table[] = {
	{ 'a', true, 0, "ACTION[=subopts]", "action and its suboptions", opt_a, ren_a },
	{ 'A', true, RO, "0|1", "allow ambiguity (labels, group includes)", opt_A, ren_A },
	{ 'b', true, 0, "mode[,mode]", "stack | sync|async | seq|par", opt_b, ren_b },
	{ 'c', true, 0, "loc[,ONLY]", "name-service cache: OFF ON BOTH LOCAL REMOTE ONLY", opt_c, ren_c },
	{ 'C', true, 0, "list", "runtime data cache for LIST/ENUMERATE/INFO/SHOW", opt_C, ren_C },
	{ 'd', true, RO, "spec", "debug: level[,mode][,S:bits][,W:n][,I:n][,F:files][,PF]", opt_d, ren_d },
	{ 'D', true, 0, "display", "local X display (numeric)", opt_D, ren_D },
	{ 'E', false, OPTF_INTERNAL, NULL, "internal: this call is the final executor", opt_E, ren_E },
	{ 'f', false, 0, NULL, "force: ignore minor warnings", opt_f, ren_f },
	{ 'F', true, OPTF_INTERNAL, "version", "internal: the caller's version", opt_F, ren_F },
	{ 'g', true, 0, "geometry", "client geometry <x>x<y>[+x+y][:screen[:layout[:file]]]", opt_g, ren_g },
	{ 'h', false, OPTF_STOP, NULL, "short help", opt_h, NULL },
	{ 'H', true, OPTF_STOP, "topic", "extended help (man, path, list)", opt_H, NULL },
	{ 'j', true, OPTF_INTERNAL, "jobid", "internal: the caller's job id", opt_j, ren_j },
	{ 'k', true, 0, "REUSE:n", "stack reuse mode 0, 1 or 2", opt_k, ren_k },
	{ 'l', true, 0, "user", "remote user for targets without user@", opt_l, ren_l },
	{ 'L', true, 0, "location", "LOCALONLY CONNECTIONFORWARDING DISPLAYFORWARDING CLIENTONLY SERVERONLY", opt_L, ren_L },
	{ 'M', true, 0, "text", "message printed by the executing side", opt_M, ren_M },
	{ 'n', false, 0, NULL, "dry run: print the plan, execute nothing", opt_n, NULL },
	{ 'o', true, 0, "format", "output format: text or json", opt_o, ren_o },
	{ 'O', true, 0, "word", "word appended to the remote options", opt_O, ren_O },
	{ 'p', true, 0, "dir", "cache DB directory", opt_p, ren_p },
	{ 'r', true, RO, "<x>x<y>", "remote (server) resolution", opt_r, ren_r },
	{ 's', true, 0, "scope", "USER GROUP USRLST=<l> GRPLST=<l> ALL", opt_s, ren_s },
	{ 'S', true, 0, "[on|off][,sig]", "signals to ignore", opt_S, ren_S },
	{ 't', true, 0, "type", "session type (plugin)", opt_t, ren_t },
	{ 'T', true, RO, "types", "plugins to load: list or ALL", opt_T, ren_T },
	{ 'v', false, 0, NULL, "more information", opt_v, NULL },
	{ 'V', false, OPTF_STOP, NULL, "version (bare with -X before it)", opt_V, NULL },
	{ 'w', false, OPTF_INTERNAL, NULL, "accepted and ignored", opt_w, NULL },
	{ 'W', true, 0, "desktop", "target desktop (needs wmctrl)", opt_W, ren_W },
	{ 'x', true, 0, "mode", "nested resolver: OFF STAR CHAIN", opt_x, ren_x },
	{ 'X', false, 0, NULL, "terse output for machines", opt_X, ren_X },
	{ 'y', false, 0, NULL, "terminal colours", opt_y, ren_y },
	{ 'Y', false, 0, NULL, "ssh agent forwarding", opt_Y, ren_Y },
	{ 'z', true, RO, "pty[,..]", "pseudo-terminals: NOPTY PTY 0 1 2", opt_z, ren_z },
	{ 'Z', true, RO, "mech", "privilege mechanism: KSU NOKSU SUDO NOSUDO ALL", opt_Z, ren_Z },
};
const size_t opt_count = sizeof opt_table / sizeof opt_table[0];

const struct opt_def *
opt_lookup(char letter)
{
	size_t i;

	for (i = 0; i < opt_count; i++)
		if (opt_table[i].letter == letter)
			return &opt_table[i];
	return NULL;
}

/* ---- state ------------------------------------------------------------- */

void
opts_init(struct ctys_opts *o)
{
	memset(o, 0, sizeof *o);
	o->ambiguity = -1;
	o->reuse = -1;
	o->resolver = -1;
	o->pty = -1;
}

static char *
dup_or_null(const char *s)
{
	return s ? xstrdup(s) : NULL;
}

void
opts_copy(struct ctys_opts *dst, const struct ctys_opts *src)
{
	size_t i;

	*dst = *src;
	dst->subopts = dup_or_null(src->subopts);
	dst->type = dup_or_null(src->type);
	dst->multitype = dup_or_null(src->multitype);
	dst->datacache = dup_or_null(src->datacache);
	dst->debug = dup_or_null(src->debug);
	dst->display = dup_or_null(src->display);
	dst->caller_version = dup_or_null(src->caller_version);
	dst->geometry = dup_or_null(src->geometry);
	dst->jobid = dup_or_null(src->jobid);
	dst->user = dup_or_null(src->user);
	dst->message = dup_or_null(src->message);
	dst->output = dup_or_null(src->output);
	dst->dbpath = dup_or_null(src->dbpath);
	dst->resolution = dup_or_null(src->resolution);
	dst->scope = dup_or_null(src->scope);
	dst->sigignore = dup_or_null(src->sigignore);
	dst->workspace = dup_or_null(src->workspace);
	dst->su = dup_or_null(src->su);
	dst->helpopt = dup_or_null(src->helpopt);
	memset(&dst->extra, 0, sizeof dst->extra);
	for (i = 0; i < src->extra.n; i++)
		strv_push(&dst->extra, src->extra.v[i]);
}

void
opts_free(struct ctys_opts *o)
{
	free(o->subopts);
	free(o->type);
	free(o->multitype);
	free(o->datacache);
	free(o->debug);
	free(o->display);
	free(o->caller_version);
	free(o->geometry);
	free(o->jobid);
	free(o->user);
	free(o->message);
	free(o->output);
	free(o->dbpath);
	free(o->resolution);
	free(o->scope);
	free(o->sigignore);
	free(o->workspace);
	free(o->su);
	free(o->helpopt);
	strv_free(&o->extra);
	opts_init(o);
}

void
ropts_merge(struct ropts *r, char letter, const char *arg)
{
	size_t i;

	for (i = 0; i < r->n; i++) {
		if (r->v[i].letter == letter) {
			/* replace: drop the old one, append the new one at the end */
			free(r->v[i].arg);
			memmove(&r->v[i], &r->v[i + 1], (r->n - i - 1) * sizeof *r->v);
			r->n--;
			break;
		}
	}
	r->v = xreallocarray(r->v, r->n + 1, sizeof *r->v);
	r->v[r->n].letter = letter;
	r->v[r->n].arg = arg ? xstrdup(arg) : NULL;
	r->n++;
}

void
ropts_copy(struct ropts *dst, const struct ropts *src)
{
	size_t i;

	dst->n = src->n;
	dst->v = src->n ? xcalloc(src->n, sizeof *dst->v) : NULL;
	for (i = 0; i < src->n; i++) {
		dst->v[i].letter = src->v[i].letter;
		dst->v[i].arg = src->v[i].arg ? xstrdup(src->v[i].arg) : NULL;
	}
}

void
ropts_free(struct ropts *r)
{
	size_t i;

	for (i = 0; i < r->n; i++)
		free(r->v[i].arg);
	free(r->v);
	r->v = NULL;
	r->n = 0;
}

void
ropts_render(struct buf *out, const struct ropts *r)
{
	size_t i;

	for (i = 0; i < r->n; i++) {
		if (i)
			buf_addc(out, ' ');
		buf_addf(out, "-%c", r->v[i].letter);
		if (r->v[i].arg)
			buf_addf(out, " %s", r->v[i].arg);
	}
}

void
opts_render(struct buf *out, const struct ctys_opts *o)
{
	size_t i, start = out->len;

	for (i = 0; i < opt_count; i++)
		if (opt_table[i].render && opt_table[i].letter != 'a')
			opt_table[i].render(out, o);
	/* drop the leading blank */
	if (out->len > start && out->d[start] == ' ') {
		memmove(out->d + start, out->d + start + 1, out->len - start);
		out->len--;
	}
}

ctys_err_t
opts_parse(struct ctys_opts *o, struct ropts *r, const struct opts_env *env, enum opts_mode mode,
    char *const *words, size_t n, size_t *consumed, size_t *bad_word, const char *where)
{
	struct ctys_opts scratch;
	const struct opt_def *d;
	const char *w, *arg;
	size_t i, j;
	ctys_err_t e;

	for (i = 0; i < n; i++) {
		w = words[i];
		*bad_word = i;
		if (strcmp(w, "--") == 0 && mode == OPTS_GLOBAL) {
			i++;
			break;
		}
		if (w[0] != '-' || w[1] == '\0') {
			if (mode == OPTS_GLOBAL || mode == OPTS_PRESCAN)
				break;
			return ctys_seterr(CTYS_ERR_USAGE, "unexpected '%s' in %s (only options allowed)",
			    w, where);
		}
		for (j = 1; w[j]; j++) {
			d = opt_lookup(w[j]);
			if (d == NULL) {
				if (mode == OPTS_PRESCAN)
					break;
				return ctys_seterr(CTYS_ERR_USAGE, "unknown option '-%c' in %s", w[j], where);
			}
			arg = NULL;
			if (d->has_arg) {
				if (w[j + 1])
					arg = w + j + 1;
				else if (i + 1 < n)
					arg = words[*bad_word = ++i];
				else if (mode == OPTS_PRESCAN)
					break;
				else
					return ctys_seterr(CTYS_ERR_USAGE, "option '-%c' in %s requires an "
					    "argument (%s)", d->letter, where, d->argname);
			}
			if (mode == OPTS_PRESCAN) {
				if (d->letter == 't')
					set_str(&o->type, arg);
			} else if (mode == OPTS_REMOTE || (mode == OPTS_CONTEXT && (d->flags & RO))) {
				/* validate on a scratch state, forward as written */
				opts_init(&scratch);
				e = d->apply(&scratch, env, arg);
				opts_free(&scratch);
				if (e != CTYS_OK)
					goto fail;
				ropts_merge(r, d->letter, arg);
			} else if ((e = d->apply(o, env, arg)) != CTYS_OK) {
				goto fail;
			}
			if (d->flags & OPTF_STOP && mode == OPTS_GLOBAL) {
				*consumed = i + 1;
				return CTYS_OK;
			}
			if (d->has_arg)
				break;
		}
	}
	*consumed = i;
	return CTYS_OK;
fail:
	if (mode != OPTS_GLOBAL)
		ctys_errprefix("%s: ", where);
	return e;
}
