/* shell_complete.c — see shell.h (completion). */
#include "ctys/shell.h"

#include <ctype.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "agents/plugin.h"
#include "cache/store.h"
#include "ctys/action.h"
#include "ctys/opts.h"
#include "lib/util.h"
#include "lib/xmalloc.h"
#include "macros/group.h"
#include "macros/macro.h"

const char *const shell_builtin_names[] = {
	"exit", "help", "history", "last", "quit", "set", "show", "unset", NULL,
};

/* Target keywords of the grammar (ctys(1), TARGETS). */
static const char *const target_keywords[] = { "VMSTACK{", "SUBTASK{", "SUBGROUP{", NULL };

struct shell_comp {
	const struct conf *conf;
	bool have_groups, have_macros, have_hosts;
	struct strv groups, macros, hosts; /* sorted, unique */
};

struct shell_comp *
shell_comp_new(const struct conf *conf)
{
	struct shell_comp *sc = xcalloc(1, sizeof *sc);

	sc->conf = conf;
	return sc;
}

void
shell_comp_free(struct shell_comp *sc)
{
	if (sc == NULL)
		return;
	strv_free(&sc->groups);
	strv_free(&sc->macros);
	strv_free(&sc->hosts);
	free(sc);
}

static int
cmp_str(const void *a, const void *b)
{
	return strcmp(*(char *const *)a, *(char *const *)b);
}

/* Sort and drop repeats. */
static void
sort_unique(struct strv *v)
{
	size_t i, k = 0;

	if (v->n == 0)
		return;
	sort_array(v->v, v->n, sizeof *v->v, cmp_str);
	for (i = 0; i < v->n; i++) {
		if (k > 0 && strcmp(v->v[k - 1], v->v[i]) == 0) {
			free(v->v[i]);
			continue;
		}
		v->v[k++] = v->v[i];
	}
	v->n = k;
	v->v[k] = NULL;
}

/* ---- lazy lists ---------------------------------------------------------- */

static void
load_groups(struct shell_comp *sc)
{
	struct grp_env env;
	struct grp_list l = { NULL, 0 };
	size_t i;

	sc->have_groups = true;
	grp_env_from_conf(&env, sc->conf);
	if (env.path && grp_list(&env, NULL, &l) == CTYS_OK) {
		for (i = 0; i < l.n; i++) {
			const char *p = l.v[i].path, *dir = env.path;

			/* the name is the path below the directory of CTYS_GROUPS_PATH */
			while (*dir) {
				size_t n = strcspn(dir, ":");

				if (n && strncmp(p, dir, n) == 0 && p[n] == '/') {
					const char *name = p + n;

					while (*name == '/')
						name++;
					strv_push(&sc->groups, name);
					break;
				}
				dir += n + (dir[n] == ':');
			}
		}
	}
	ctys_errclear();
	grp_list_free(&l);
	grp_env_free(&env);
	sort_unique(&sc->groups);
}

static void
load_macros(struct shell_comp *sc)
{
	struct macro_env env;
	const struct macro_file *mf;
	size_t i;

	sc->have_macros = true;
	macro_env_from_conf(&env, sc->conf);
	if (env.db && macro_file_load(env.db, &mf) == CTYS_OK)
		for (i = 0; i < macro_file_count(mf); i++)
			strv_push(&sc->macros, macro_file_def(mf, i)->name);
	ctys_errclear();
	macro_env_free(&env);
	sort_unique(&sc->macros);
}

/* Record fields offered as machine names: host (1), label (3), netname (28). */
static const unsigned host_fields[] = { 1, 3, 28 };

static int
host_rec(void *arg, unsigned long index, const char *line, size_t len)
{
	struct strv *v = arg;
	size_t k, f, i = 0, start;

	(void)index;
	for (f = 1, k = 0; k < sizeof host_fields / sizeof *host_fields && i <= len; f++) {
		start = i;
		while (i < len && line[i] != ';')
			i++;
		if (f == host_fields[k]) {
			if (i > start)
				strv_pushn(v, line + start, i - start);
			k++;
		}
		i++;
	}
	return 0;
}

static void
load_hosts(struct shell_comp *sc)
{
	const char *l = conf_get_or(sc->conf, "DBPATHLST", conf_get(sc->conf, "DEFAULT_DBPATHLST"));
	char *s = xstrdup(l ? l : ""), *tok, *save = NULL;
	struct cache_db *db;

	sc->have_hosts = true;
	for (tok = strtok_r(s, ":", &save); tok; tok = strtok_r(NULL, ":", &save)) {
		if (cache_open(tok, 0, &db) != CTYS_OK)
			continue;
		cache_scan(db, host_rec, &sc->hosts);
		cache_close(db);
	}
	ctys_errclear();
	free(s);
	sort_unique(&sc->hosts);
}

const struct strv *
shell_comp_list(struct shell_comp *sc, const char *kind)
{
	if (strcmp(kind, "groups") == 0) {
		if (!sc->have_groups)
			load_groups(sc);
		return &sc->groups;
	}
	if (strcmp(kind, "macros") == 0) {
		if (!sc->have_macros)
			load_macros(sc);
		return &sc->macros;
	}
	if (strcmp(kind, "hosts") == 0) {
		if (!sc->have_hosts)
			load_hosts(sc);
		return &sc->hosts;
	}
	return NULL;
}

/* ---- candidates from the tables ------------------------------------------ */

/* Append each '|'-separated name of `names`, with `suffix`. */
static void
push_names(struct strv *v, const char *names, const char *suffix)
{
	while (*names) {
		size_t n = strcspn(names, "|");

		strv_push_owned(v, xasprintf("%.*s%s", (int)n, names, suffix));
		names += n + (names[n] == '|');
	}
}

static void
action_names(struct strv *v)
{
	size_t i;

	for (i = 0; i < CTYS_ACT__COUNT; i++)
		if (!(action_table[i].flags & ACTF_INTERNAL))
			strv_push(v, action_table[i].name);
}

static void
type_names(struct strv *v, bool all)
{
	size_t i;

	for (i = 0; i < plugin_count; i++)
		push_names(v, plugin_table[i].names, "");
	if (all)
		strv_push(v, "ALL");
}

/*
 * Suboption keywords of action a ("LABEL:" for those with an argument);
 * with a session type only those the plugin accepts.
 */
static void
subopt_names(struct strv *v, const struct action_def *a, const struct plugin_desc *pd)
{
	size_t i;

	for (i = 0; i < a->nsubopts; i++) {
		const struct subopt_def *d = &a->subopts[i];
		size_t cn = strcspn(d->names, "|");
		char *canon = xstrndup(d->names, cn);

		if (pd == NULL || plugin_accepts(pd, a->id, canon))
			push_names(v, d->names, d->arg == SA_REQ ? ":" : "");
		free(canon);
	}
}

/*
 * Keywords of an option's argument, read from its help text in opt_table:
 * after the last ": " (or the whole text), words of capitals (a trailing
 * "=<x>" kept as "="), or, for a text without capitals that lists
 * alternatives with '|' (-b), every word.
 */
static void
opt_keywords(struct strv *v, const struct opt_def *d)
{
	const char *h = d->help, *c = strstr(h, ": "), *p;
	bool lower = strchr(h, '|') != NULL;

	if (c)
		h = c + 2;
	for (p = h; *p; p++)
		if (isupper((unsigned char)*p))
			lower = false;
	while (*h) {
		size_t n = strcspn(h, " |,[]");
		size_t k = 0;

		while (k < n && (lower ? islower((unsigned char)h[k]) : isupper((unsigned char)h[k])))
			k++;
		if (k >= 2 && (k == n || h[k] == '='))
			strv_pushn(v, h, k + (k < n));
		h += n;
		while (*h && strchr(" |,[]", *h))
			h++;
	}
}

static void
option_names(struct strv *v, bool with_internal)
{
	size_t i;

	for (i = 0; i < opt_count; i++)
		if (with_internal || !(opt_table[i].flags & OPTF_INTERNAL))
			strv_push_owned(v, xasprintf("-%c", opt_table[i].letter));
}

/* ---- filtering ----------------------------------------------------------- */

static bool
is_keyword_char(char c)
{
	return isalpha((unsigned char)c);
}

/*
 * Append to out every candidate starting with prefix, with `head` put
 * before it.  Keywords match in any case and take the case of the prefix
 * (lower case when its first letter is).
 */
static void
filter(struct strv *out, const struct strv *cands, const char *head, const char *prefix,
    bool keyword)
{
	size_t n = strlen(prefix), i, lo = 0, hi;
	bool lower = keyword && n && islower((unsigned char)prefix[0]);

	if (!keyword && cands->n > 64) {
		/* sorted: binary search for the first candidate >= prefix */
		hi = cands->n;
		while (lo < hi) {
			size_t mid = lo + (hi - lo) / 2;

			if (strncmp(cands->v[mid], prefix, n) < 0)
				lo = mid + 1;
			else
				hi = mid;
		}
	}
	for (i = lo; i < cands->n; i++) {
		const char *c = cands->v[i];
		char *m;
		size_t k;

		if (keyword ? strncasecmp(c, prefix, n) != 0 : strncmp(c, prefix, n) != 0) {
			if (!keyword && cands->n > 64)
				break;
			continue;
		}
		m = xasprintf("%s%s", head, c);
		if (lower)
			for (k = strlen(head); m[k]; k++)
				if (is_keyword_char(m[k]))
					m[k] = (char)tolower((unsigned char)m[k]);
		strv_push_owned(out, m);
	}
}

static void
filter_keywords(struct strv *out, struct strv *cands, const char *prefix)
{
	filter(out, cands, "", prefix, true);
	strv_free(cands);
}

/* ---- context ------------------------------------------------------------- */

static bool
is_blank(char c)
{
	return c == ' ' || c == '\t' || c == '\n';
}

/* The option a word names ("-t", or "host(-t" in a context), or NULL. */
static const struct opt_def *
word_option(const char *w)
{
	const char *p = strrchr(w, '(');

	if (p)
		w = p + 1;
	if (w[0] != '-' || w[1] == '\0' || w[2] != '\0')
		return NULL;
	return opt_lookup(w[1]);
}

static bool
is_builtin(const char *w)
{
	size_t i;

	for (i = 0; shell_builtin_names[i]; i++)
		if (strcmp(w, shell_builtin_names[i]) == 0)
			return true;
	return false;
}

static void
targets(struct shell_comp *sc, struct strv *out, const char *text, bool keywords)
{
	const char *at = strchr(text, '@');
	char *head = at ? xstrndup(text, (size_t)(at - text + 1)) : xstrdup("");
	const char *prefix = at ? at + 1 : text;
	struct strv kw = STRV_INIT;
	size_t i;

	filter(out, shell_comp_list(sc, "hosts"), head, prefix, false);
	if (!at) {
		filter(out, shell_comp_list(sc, "groups"), "", prefix, false);
		if (keywords) {
			for (i = 0; target_keywords[i]; i++)
				strv_push(&kw, target_keywords[i]);
			filter(out, &kw, "", prefix, false);
			strv_free(&kw);
		}
	}
	free(head);
}

/* The type of the last "-t TYPE" before `end`, or NULL. */
static const struct plugin_desc *
line_type(const struct strv *words)
{
	size_t i;
	const struct plugin_desc *pd = NULL;

	for (i = 0; i + 1 < words->n; i++) {
		const struct opt_def *d = word_option(words->v[i]);

		if (d && d->letter == 't') {
			const char *t = words->v[i + 1];

			pd = plugin_lookup(t, strcspn(t, ")"));
		}
	}
	return pd;
}

static void
complete_option_arg(struct strv *out, const struct opt_def *d, const struct strv *words,
    const char *line, size_t wstart, size_t start, const char *text)
{
	struct strv c = STRV_INIT;

	if (d->letter == 'a') {
		const char *w = line + wstart;
		const char *eq = memchr(w, '=', start - wstart);

		if (eq == NULL) {
			action_names(&c);
			filter_keywords(out, &c, text);
			return;
		}
		if (strchr(text, ':'))
			return; /* an argument: free text */
		{
			const struct action_def *a = action_lookup(w, (size_t)(eq - w));

			if (a == NULL || (a->flags & ACTF_FREEARGS))
				return;
			subopt_names(&c, a, line_type(words));
			filter_keywords(out, &c, text);
		}
		return;
	}
	if (d->letter == 't' || d->letter == 'T') {
		type_names(&c, d->letter == 'T');
		filter_keywords(out, &c, text);
		return;
	}
	opt_keywords(&c, d);
	filter_keywords(out, &c, text);
}

void
shell_complete(struct shell_comp *sc, const char *line, size_t start, size_t end,
    struct strv *out)
{
	struct strv words = STRV_INIT, res = STRV_INIT, c = STRV_INIT;
	char *text = xstrndup(line + start, end - start);
	size_t wstart = start, i, first = 0;
	const struct opt_def *d;
	char before = start ? line[start - 1] : ' ';

	while (wstart > 0 && !is_blank(line[wstart - 1]))
		wstart--;
	{
		char *head = xstrndup(line, wstart);

		strv_split_ws(&words, head);
		free(head);
	}
	if (words.n && strcmp(words.v[0], "ctys") == 0)
		first = 1;

	if (strncasecmp(text, "MACRO:", 6) == 0) {
		filter(&res, shell_comp_list(sc, "macros"), "MACRO:", text + 6, false);
	} else if (words.n == first && wstart == start && text[0] != '-') {
		/* the first word: a built-in or a target */
		for (i = 0; shell_builtin_names[i]; i++)
			strv_push(&c, shell_builtin_names[i]);
		filter(&res, &c, "", text, false);
		strv_free(&c);
		targets(sc, &res, text, true);
	} else if (words.n > first && is_builtin(words.v[first])) {
		const char *b = words.v[first];

		if (strcmp(b, "help") == 0 && words.n == first + 1) {
			for (i = 0; shell_builtin_names[i]; i++)
				strv_push(&c, shell_builtin_names[i]);
			option_names(&c, false);
			action_names(&c);
			type_names(&c, false);
			filter(&res, &c, "", text, true);
			strv_free(&c);
		} else if (strcmp(b, "show") == 0 && words.n == first + 1) {
			strv_push(&c, "defaults");
			strv_push(&c, "last");
			strv_push(&c, "history");
			filter(&res, &c, "", text, false);
			strv_free(&c);
		} else if (strcmp(b, "set") == 0) {
			goto ctys_words;
		}
	} else {
ctys_words:
		if ((d = words.n ? word_option(words.v[words.n - 1]) : NULL) && d->has_arg &&
		    !(wstart == start && text[0] == '-' && d->letter != 'a')) {
			complete_option_arg(&res, d, &words, line, wstart, start, text);
		} else if (text[0] == '-') {
			option_names(&c, false);
			filter(&res, &c, "", text, false);
			strv_free(&c);
		} else if (before == '(') {
			/* a context: options only */
		} else {
			targets(sc, &res, text, before != '[');
		}
	}
	sort_unique(&res);
	for (i = 0; i < res.n; i++)
		strv_push(out, res.v[i]);
	strv_free(&res);
	strv_free(&words);
	free(text);
}

/* ---- help ---------------------------------------------------------------- */

static const struct {
	const char *name, *usage, *help;
} builtin_help[] = {
	{ "exit", "exit [status]", "leave the shell (status: the last command's)" },
	{ "help", "help [topic]", "this text; topic: a built-in, -<letter>, an action, a type" },
	{ "history", "history [n]", "the last n (all) lines of the history" },
	{ "last", "last", "the output and status of the last command again" },
	{ "quit", "quit", "same as exit" },
	{ "set", "set [options]", "add options to every later command; alone: show them" },
	{ "show", "show defaults|last|history", "session defaults and settings, ..." },
	{ "unset", "unset", "drop the options added with set" },
};

bool
shell_help_topic(struct buf *out, const char *topic)
{
	size_t i, n = strlen(topic);
	const struct opt_def *d;
	const struct action_def *a;
	const struct plugin_desc *pd;

	for (i = 0; i < sizeof builtin_help / sizeof *builtin_help; i++)
		if (strcmp(topic, builtin_help[i].name) == 0) {
			buf_addf(out, "%s\n    %s\n", builtin_help[i].usage, builtin_help[i].help);
			return true;
		}
	if ((n == 2 && topic[0] == '-') || n == 1) {
		if ((d = opt_lookup(topic[n - 1])) != NULL) {
			buf_addf(out, "-%c %s\n    %s\n", d->letter, d->has_arg ? d->argname : "",
			    d->help);
			return true;
		}
	}
	if ((a = action_lookup(topic, n)) != NULL) {
		buf_addf(out, "-a %s[=suboptions]\n    %s\n", a->name, a->help);
		if (a->default_subopts)
			buf_addf(out, "    default suboptions: %s\n", a->default_subopts);
		for (i = 0; i < a->nsubopts; i++)
			buf_addf(out, "  %-22s %s\n", a->subopts[i].names, a->subopts[i].help);
		return true;
	}
	if ((pd = plugin_lookup(topic, n)) != NULL) {
		buf_addf(out, "-t %s (%s)\n    %s\n    actions:", pd->name, pd->names, pd->summary);
		for (i = 0; i < CTYS_ACT__COUNT; i++)
			if ((pd->actions & CTYS_ACT_BIT(i)) && !(action_table[i].flags & ACTF_INTERNAL))
				buf_addf(out, " %s", action_table[i].name);
		buf_addc(out, '\n');
		return true;
	}
	return false;
}

/* ---- bash ---------------------------------------------------------------- */

static void
bash_words(struct buf *out, const char *var, const struct strv *v)
{
	size_t i;

	buf_addf(out, "%s='", var);
	for (i = 0; i < v->n; i++)
		buf_addf(out, "%s%s", i ? " " : "", v->v[i]);
	buf_adds(out, "'\n");
}

void
shell_bash_script(struct buf *out)
{
	struct strv v = STRV_INIT;
	size_t i;

	buf_adds(out,
	    "# bash completion for ctys.  Generated by `ctys --completion bash` from the\n"
	    "# option, action, suboption and session-type tables; do not edit (see\n"
	    "# ctys(1), CTYS-SHELL).  Groups, macros and machines come from\n"
	    "# `ctys --completion words KIND PREFIX`.  Source it, or install it as\n"
	    "# /etc/bash_completion.d/ctys.\n\n");
	option_names(&v, false);
	bash_words(out, "_ctys_opts", &v);
	strv_free(&v);
	buf_adds(out, "_ctys_optargs='");
	for (i = 0; i < opt_count; i++)
		if (opt_table[i].has_arg)
			buf_addc(out, opt_table[i].letter);
	buf_adds(out, "'\n");
	action_names(&v);
	bash_words(out, "_ctys_actions", &v);
	strv_free(&v);
	type_names(&v, false);
	bash_words(out, "_ctys_types", &v);
	strv_free(&v);
	for (i = 0; i < CTYS_ACT__COUNT; i++) {
		char var[64];

		if (action_table[i].flags & (ACTF_INTERNAL | ACTF_FREEARGS))
			continue;
		subopt_names(&v, &action_table[i], NULL);
		snprintf(var, sizeof var, "_ctys_sub_%s", action_table[i].name);
		bash_words(out, var, &v);
		strv_free(&v);
	}
	for (i = 0; i < opt_count; i++) {
		char var[32];

		if (!opt_table[i].has_arg || strchr("atT", opt_table[i].letter))
			continue;
		opt_keywords(&v, &opt_table[i]);
		if (v.n) {
			snprintf(var, sizeof var, "_ctys_kw_%c", opt_table[i].letter);
			bash_words(out, var, &v);
		}
		strv_free(&v);
	}
	buf_adds(out,
	    "\n"
	    "# _ctys_reply WORD CANDIDATES...: the candidates starting with WORD (any\n"
	    "# case when KW=1), trimmed to what bash replaces (after COMP_WORDBREAKS).\n"
	    "_ctys_reply() {\n"
	    "\tlocal w=$1 c cut=0 i\n"
	    "\tshift\n"
	    "\tfor ((i = ${#w} - 1; i >= 0; i--)); do\n"
	    "\t\tif [[ $COMP_WORDBREAKS == *\"${w:i:1}\"* ]]; then cut=$((i + 1)); break; fi\n"
	    "\tdone\n"
	    "\tfor c in \"$@\"; do\n"
	    "\t\tif [ \"${KW:-0}\" = 1 ] && [[ ${c,,} == \"${w,,}\"* ]]; then\n"
	    "\t\t\t[[ ${w:0:1} == [a-z] ]] && c=${c,,}\n"
	    "\t\t\tc=${w:0:${#w}}${c:${#w}}\n"
	    "\t\telif [[ $c != \"$w\"* ]]; then\n"
	    "\t\t\tcontinue\n"
	    "\t\tfi\n"
	    "\t\tCOMPREPLY+=(\"${c:cut}\")\n"
	    "\tdone\n"
	    "}\n"
	    "\n"
	    "_ctys() {\n"
	    "\tlocal line=${COMP_LINE:0:COMP_POINT} cur prev a kw=() x\n"
	    "\tCOMPREPLY=()\n"
	    "\tcur=${line##*[[:blank:]]}\n"
	    "\tline=${line%\"$cur\"}\n"
	    "\tread -r -a x <<<\"$line\"\n"
	    "\tprev=${x[${#x[@]}-1]}\n"
	    "\tprev=${prev##*(}\n"
	    "\tcompopt -o nospace 2>/dev/null\n"
	    "\tif [[ $prev == -[a-zA-Z] && $_ctys_optargs == *\"${prev:1}\"* ]]; then\n"
	    "\t\tcase ${prev:1} in\n"
	    "\t\ta)\n"
	    "\t\t\tif [[ $cur == *=* ]]; then\n"
	    "\t\t\t\ta=${cur%%=*}; a=${a^^}; x=${cur##*[=,]}\n"
	    "\t\t\t\t[[ $x == *:* ]] && return\n"
	    "\t\t\t\tx=_ctys_sub_$a\n"
	    "\t\t\t\tprev=${cur%[=,]*}; prev=$prev${cur:${#prev}:1}\n"
	    "\t\t\t\tfor a in ${!x}; do kw+=(\"$prev$a\"); done\n"
	    "\t\t\t\tKW=1 _ctys_reply \"$cur\" \"${kw[@]}\"\n"
	    "\t\t\telse\n"
	    "\t\t\t\tKW=1 _ctys_reply \"$cur\" $_ctys_actions\n"
	    "\t\t\tfi ;;\n"
	    "\t\tt) KW=1 _ctys_reply \"$cur\" $_ctys_types ;;\n"
	    "\t\tT) KW=1 _ctys_reply \"$cur\" $_ctys_types ALL ;;\n"
	    "\t\t*) x=_ctys_kw_${prev:1}; KW=1 _ctys_reply \"$cur\" ${!x} ;;\n"
	    "\t\tesac\n"
	    "\telif [[ $cur == -* ]]; then\n"
	    "\t\t_ctys_reply \"$cur\" $_ctys_opts\n"
	    "\telif [[ ${cur^^} == MACRO:* ]]; then\n"
	    "\t\tfor a in $(ctys --completion words macros \"${cur:6}\" 2>/dev/null); do\n"
	    "\t\t\tkw+=(\"${cur:0:6}$a\"); done\n"
	    "\t\t_ctys_reply \"$cur\" \"${kw[@]}\"\n"
	    "\telse\n"
	    "\t\t_ctys_reply \"$cur\" $(ctys --completion words groups \"$cur\" 2>/dev/null) \\\n"
	    "\t\t    $(ctys --completion words hosts \"$cur\" 2>/dev/null)\n"
	    "\tfi\n"
	    "\t[ ${#COMPREPLY[@]} -eq 1 ] && [[ ${COMPREPLY[0]} != *[:=\\{\\[] ]] && COMPREPLY[0]+=' '\n"
	    "\treturn 0\n"
	    "}\n"
	    "complete -F _ctys ctys\n");
}
