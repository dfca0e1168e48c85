/* stackcheck.c — STACKCHECK of a VMSTACK CREATE; see stackcheck.h. */
#include "ctys/stackcheck.h"

#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "agents/plugin.h"
#include "ctys/action.h"
#include "lib/log.h"
#include "lib/util.h"

/* Record fields (0-based index = field number - 1). */
enum {
	F_LABEL = 2, F_TCP = 6, F_STACKCAP = 20, F_NETNAME = 27, F_ARCH = 37,
	F_VRAM = 39, F_VCPU = 40,
};

static const struct {
	const char *word;
	size_t off;
	bool on;
} sel_words[] = {
	{ "CONTEXT", offsetof(struct stackcheck_sel, context), true },
	{ "NOCONTEXT", offsetof(struct stackcheck_sel, context), false },
	{ "HWCAP", offsetof(struct stackcheck_sel, hwcap), true },
	{ "NOHWCAP", offsetof(struct stackcheck_sel, hwcap), false },
	{ "STACKCAP", offsetof(struct stackcheck_sel, stackcap), true },
	{ "NOSTACKCAP", offsetof(struct stackcheck_sel, stackcap), false },
};

ctys_err_t
stackcheck_parse(const char *value, struct stackcheck_sel *out)
{
	const char *p, *e;
	size_t i, n;

	out->context = out->hwcap = out->stackcap = true;
	if (value == NULL || *value == '\0')
		return CTYS_OK;
	if (strcasecmp(value, "OFF") == 0) {
		out->context = out->hwcap = out->stackcap = false;
		return CTYS_OK;
	}
	for (p = value + strspn(value, "% \t"); *p; p = e + strspn(e, "% \t")) {
		e = p + strcspn(p, "% \t");
		n = (size_t)(e - p);
		for (i = 0; i < sizeof sel_words / sizeof *sel_words; i++)
			if (strlen(sel_words[i].word) == n && strncasecmp(sel_words[i].word, p, n) == 0)
				break;
		if (i == sizeof sel_words / sizeof *sel_words)
			return ctys_seterr(CTYS_ERR_USAGE, "STACKCHECK: unknown check '%.*s' (OFF, or "
			    "CONTEXT|NOCONTEXT, HWCAP|NOHWCAP, STACKCAP|NOSTACKCAP joined by '%%')",
			    (int)n, p);
		*(bool *)((char *)out + sel_words[i].off) = sel_words[i].on;
	}
	return CTYS_OK;
}

ctys_err_t
stackcheck_of_job(const struct job *j, struct stackcheck_sel *out)
{
	char *value = NULL;
	ctys_err_t e;

	action_find_subopt(j->opts.action, j->opts.subopts, "STACKCHECK", &value);
	e = stackcheck_parse(value, out);
	out->pm_position = value == NULL || strcasecmp(value, "OFF") != 0;
	free(value);
	return e;
}

static bool
in_list(const char *list, const char *word)
{
	static const char sep[] = ",% \t";
	size_t n = strlen(word);
	const char *p;

	for (p = list + strspn(list, sep); *p; p += strspn(p, sep)) {
		size_t k = strcspn(p, sep);

		if (k == n && strncasecmp(p, word, n) == 0)
			return true;
		p += k;
	}
	return false;
}

bool
stackcheck_arch_fits(const char *guest, const char *host)
{
	if (*guest == '\0' || *host == '\0' || strcasecmp(guest, host) == 0)
		return true;
	if (in_list("i386,i86pc", guest))
		return in_list("i386,i86pc,x86_64,amd64", host);
	if (in_list("x86_64,amd64", guest))
		return in_list("x86_64,amd64", host);
	return false;
}

/* A count, "512" or "512M" (VRAM); false when the value is not one. */
static bool
amount(const char *s, unsigned long long *out)
{
	char *end;

	if (*s < '0' || *s > '9')
		return false;
	*out = strtoull(s, &end, 10);
	if (*end == 'M' || *end == 'm')
		end++;
	return *end == '\0';
}

static const char *
fld(const struct rec *r, int i)
{
	return r->buf ? r->f[i] : "";
}

/* Is `host` one of the names of the machine described by c? */
static bool
names_machine(const struct rec *c, const char *host)
{
	const char *nn = fld(c, F_NETNAME);
	size_t k = strcspn(nn, ".");

	return strcasecmp(host, fld(c, F_LABEL)) == 0 || strcmp(host, fld(c, F_TCP)) == 0 ||
	    (*nn && strcasecmp(host, nn) == 0) ||
	    (*nn && strlen(host) == k && strncasecmp(host, nn, k) == 0);
}

static ctys_err_t
level_fail(const struct job *j, size_t level, const char *skip, const char *fmt, const char *a,
    const char *b)
{
	char what[512];

	snprintf(what, sizeof what, fmt, a, b);
	return ctys_seterr(CTYS_ERR_USAGE, "VMSTACK %s: level %zu (%s, job %u): %s "
	    "(STACKCHECK:%s skips this check)", j->group ? j->group : "", level, j->type, j->id,
	    what, skip);
}

static ctys_err_t
hwcap(const struct job *j, size_t level, const struct rec *r, const struct rec *c)
{
	static const struct {
		int f;
		const char *name;
	} cnt[] = { { F_VCPU, "VCPU" }, { F_VRAM, "VRAM" } };
	unsigned long long need, have;
	char msg[128];
	size_t i;

	for (i = 0; i < sizeof cnt / sizeof *cnt; i++) {
		if (!amount(fld(r, cnt[i].f), &need) || !amount(fld(c, cnt[i].f), &have)) {
			log_warn(2, "job %u: %s not checked (no number in the cache DB)", j->id,
			    cnt[i].name);
			continue;
		}
		if (need > have) {
			snprintf(msg, sizeof msg, "needs %s %%s, its container has %%s", cnt[i].name);
			return level_fail(j, level, "NOHWCAP", msg, fld(r, cnt[i].f), fld(c, cnt[i].f));
		}
	}
	if (!stackcheck_arch_fits(fld(r, F_ARCH), fld(c, F_ARCH)))
		return level_fail(j, level, "NOHWCAP", "ARCH %s does not run on its container's %s",
		    fld(r, F_ARCH), fld(c, F_ARCH));
	return CTYS_OK;
}

static ctys_err_t
check_level(const struct job *j, size_t level, const struct rec *r, const struct rec *c,
    const struct job *below)
{
	const struct plugin_desc *pd = plugin_lookup(j->type, strlen(j->type));
	const char *host = j->hops[j->nhops - 1].host, *cap;
	struct stackcheck_sel sel;
	ctys_err_t e;

	if ((e = stackcheck_of_job(j, &sel)) != CTYS_OK)
		return e;
	if (c->buf == NULL) {
		log_warn(2, "job %u: the machine level %zu starts (job %u) is not in the cache DB: "
		    "STACKCHECK not made", j->id, level - 1, below->id);
		return CTYS_OK;
	}
	if (sel.context && !names_machine(c, host))
		return level_fail(j, level, "NOCONTEXT", "runs on '%s', not on the machine the level "
		    "below starts (%s)", host, fld(c, F_LABEL));
	if (pd == NULL || pd->category != PLUGIN_VM)
		return CTYS_OK;
	cap = fld(c, F_STACKCAP);
	if (sel.stackcap && *cap && !in_list(cap, j->type) &&
	    !(strcasecmp(j->type, "QEMU") == 0 && in_list(cap, "KVM")))
		return level_fail(j, level, "NOSTACKCAP", "its container cannot host %s (STACKCAP %s)",
		    j->type, cap);
	if (sel.hwcap && r->buf)
		return hwcap(j, level, r, c);
	return CTYS_OK;
}

ctys_err_t
stackcheck_plan(const struct plan *p, const struct rec *recs)
{
	size_t i = 0, k, end;
	ctys_err_t e;

	while (i < p->n) {
		if ((end = plan_stack_end(p, i)) == 0 || p->v[i].opts.action->id != CTYS_ACT_CREATE) {
			i = end > i ? end : i + 1;
			continue;
		}
		for (k = i + 1; k < end; k++)
			if ((e = check_level(&p->v[k], k - i, &recs[k], &recs[k - 1], &p->v[k - 1])) !=
			    CTYS_OK)
				return e;
		i = end;
	}
	return CTYS_OK;
}
