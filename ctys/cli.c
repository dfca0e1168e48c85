/* cli.c — see cli.h. */
#include "ctys/cli.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "agents/plugin.h"
#include "lib/log.h"
#include "lib/paths.h"
#include "lib/strv.h"
#include "lib/util.h"
#include "lib/xmalloc.h"

#ifndef CTYS_VERSION
#define CTYS_VERSION "0.0.0"
#endif

char *
cli_join(int argc, char *const *argv)
{
	struct buf b = BUF_INIT;
	int i;

	for (i = 0; i < argc; i++) {
		if (i)
			buf_addc(&b, ' ');
		buf_adds(&b, argv[i]);
	}
	return buf_detach(&b);
}

void
cli_add_targets(struct buf *line, const struct strv *opts, const struct strv *targets)
{
	size_t i;

	for (i = 0; i < opts->n; i++)
		buf_addf(line, " %s", opts->v[i]);
	buf_adds(line, " --");
	for (i = 0; i < targets->n; i++)
		buf_addf(line, " %s", targets->v[i]);
}

static bool
has_macro_ref(const char *s)
{
	for (; *s; s++)
		if (strncasecmp(s, "macro:", 6) == 0)
			return true;
	return false;
}

/* Offset of word `k` in line (words split on blanks), or strlen(line). */
static size_t
word_offset(const char *line, size_t k)
{
	size_t i = 0, w = 0;

	for (;;) {
		while (line[i] == ' ' || line[i] == '\t' || line[i] == '\n')
			i++;
		if (line[i] == '\0' || w == k)
			return i;
		while (line[i] && line[i] != ' ' && line[i] != '\t' && line[i] != '\n')
			i++;
		w++;
	}
}

static char *
trimmed(const char *s)
{
	size_t n;

	while (*s == ' ' || *s == '\t' || *s == '\n')
		s++;
	n = strlen(s);
	while (n && (s[n - 1] == ' ' || s[n - 1] == '\t' || s[n - 1] == '\n'))
		n--;
	return xstrndup(s, n);
}

ctys_err_t
cli_parse(struct cli *c, struct conf *conf, const struct cli_hooks *hooks, const char *line)
{
	struct strv words = STRV_INIT;
	struct ctys_opts pre;
	struct ropts prer = { 0 };
	struct plan_env penv;
	size_t used = 0, bad = 0;
	unsigned long maxrec = 20;
	ctys_err_t e;

	memset(c, 0, sizeof *c);
	c->conf = conf;
	opts_init(&c->opts);
	if (strlen(line) > CLI_MAX_LINE)
		return ctys_seterr(CTYS_ERR_TOOLONG, "command line longer than %u bytes", CLI_MAX_LINE);
	if (has_macro_ref(line)) {
		char *out = NULL;

		if (hooks == NULL || hooks->expand == NULL)
			return ctys_seterr(CTYS_ERR_UNSUPPORTED, "MACRO references are not expanded here");
		if ((e = hooks->expand(hooks->ctx, line, &out)) != CTYS_OK)
			return e;
		if (strlen(out) > CLI_MAX_LINE) {
			free(out);
			return ctys_seterr(CTYS_ERR_TOOLONG, "command line longer than %u bytes after "
			    "macro expansion", CLI_MAX_LINE);
		}
		c->line = trimmed(out);
		free(out);
	} else
		c->line = trimmed(line);

	c->oenv.default_type = conf_get_or(conf, "DEFAULT_C_SESSIONTYPE", "VNC");
	c->oenv.default_scope = conf_get_or(conf, "DEFAULT_C_SCOPE", "USER");
	c->oenv.default_list_args = conf_get_or(conf, "DEFAULT_C_MODE_ARGS_LIST", "both,tab_tcp,dns");

	strv_split_ws(&words, c->line);
	/* pre-scan: the last -t decides per-action defaults (CLI CREATE is sync) */
	opts_init(&pre);
	opts_parse(&pre, &prer, &c->oenv, OPTS_PRESCAN, words.v, words.n, &used, &bad, "");
	ctys_errclear();
	c->oenv.prescan_type = NULL;
	if (pre.type) {
		const struct plugin_desc *pd = plugin_lookup(pre.type, strlen(pre.type));

		c->oenv.prescan_type = pd ? pd->name : NULL;
	}
	opts_free(&pre);
	ropts_free(&prer);

	e = opts_parse(&c->opts, &c->ropts, &c->oenv, OPTS_GLOBAL, words.v, words.n, &used, &bad,
	    "the command line");
	if (e != CTYS_OK) {
		char msg[1024];

		snprintf(msg, sizeof msg, "%s", ctys_errmsg());
		ctys_seterr(e, "%s (word '%s' at position %zu)", msg, words.v[bad],
		    word_offset(c->line, bad) + 1);
		strv_free(&words);
		return e;
	}
	if (c->opts.help || c->opts.version) {
		strv_free(&words);
		return CTYS_OK;
	}
	if (c->opts.action == NULL) {
		/* no -a: CREATE of the default session type, as in the original */
		log_warn(2, "missing action, using CREATE");
		opts_parse(&c->opts, &c->ropts, &c->oenv, OPTS_GLOBAL,
		    (char *const[]){ (char *)"-a", (char *)"CREATE" }, 2, &bad, &bad, "");
	}
	c->args_pos = word_offset(c->line, used);
	strv_free(&words);

	if ((e = targets_parse(c->line + c->args_pos, c->args_pos, &c->targets)) != CTYS_OK)
		return e;
	parse_uint(conf_get_or(conf, "CTYS_MAXRECURSE", "20"), 1000, &maxrec);
	penv.oenv = &c->oenv;
	penv.local_user = ctys_user();
	penv.max_recurse = (unsigned)maxrec;
	penv.group_expand = hooks ? hooks->group : NULL;
	penv.group_ctx = hooks ? hooks->ctx : NULL;
	e = plan_build(&penv, &c->opts, &c->ropts, &c->targets, c->args_pos, &c->plan);
	if (e == CTYS_OK && strstr(c->line, ".VMSTACK"))
		c->plan.stack_master = true;
	return e;
}

void
cli_free(struct cli *c)
{
	free(c->line);
	opts_free(&c->opts);
	ropts_free(&c->ropts);
	targets_free(&c->targets);
	plan_free(&c->plan);
	memset(c, 0, sizeof *c);
}

void
cli_help(struct buf *out)
{
	size_t i;

	buf_adds(out, "usage: ctys [options] [--] ['(<options for all targets>)'] "
	    "[<target>['(<options>)']...]\n"
	    "       target: [user@]host[:port] | group | pm[vm][nvm] | "
	    "VMSTACK|SUBTASK|SUBGROUP['(<options>)']{<targets>}\n\noptions:\n");
	for (i = 0; i < opt_count; i++) {
		const struct opt_def *d = &opt_table[i];

		if (d->flags & OPTF_INTERNAL)
			continue;
		buf_addf(out, "  -%c %-18s %s\n", d->letter, d->has_arg ? d->argname : "", d->help);
	}
	buf_adds(out, "\nactions (-a ACTION[=suboptions]):\n");
	for (i = 0; i < CTYS_ACT__COUNT; i++)
		if (!(action_table[i].flags & ACTF_INTERNAL))
			buf_addf(out, "  %-20s %s\n", action_table[i].name, action_table[i].help);
	buf_adds(out, "\nsession types (-t TYPE):\n");
	for (i = 0; i < plugin_count; i++)
		buf_addf(out, "  %-20s %s\n", plugin_table[i].names, plugin_table[i].summary);
	buf_adds(out, "\nctys -n ... prints the plan without executing it.  See ctys(1); what\n"
	    "leaves this machine runs in ctys-client(8).\n");
}

void
cli_version(struct buf *out, bool bare)
{
	size_t i;

	if (bare) {
		buf_adds(out, CTYS_VERSION);
		return;
	}
	buf_adds(out, "ctys " CTYS_VERSION " (C rewrite of UnifiedSessionsManager 01.11)\nplugins:");
	for (i = 0; i < plugin_count; i++)
		buf_addf(out, " %s", plugin_table[i].name);
	buf_addc(out, '\n');
}
