/*
 * ctys-plugins — the self-check: which plugins are usable on this machine
 * and on targets, and why not (ctys-plugins(1)).
 *
 * Each target gets one INFO=PLUGINS job through the normal dispatcher (a
 * localhost target runs in-process, a remote one on its agent over SSH,
 * nested targets through the layers).  The agent answers with one "plugin"
 * record per plugin (agents/collect.h); a target that cannot answer is
 * reported from the job's status: no agent, another protocol version, or
 * not reachable.  The report is printed in target order once all jobs
 * ended.
 */
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "agents/collect.h"
#include "agents/plugin.h"
#include "ctys/net.h"
#include "ctys/cli.h"
#include "ctys/dispatch.h"
#include "ctys/expand.h"
#include "lib/buf.h"
#include "lib/link.h"
#include "lib/log.h"
#include "lib/paths.h"
#include "lib/proto.h"
#include "lib/strv.h"
#include "lib/xmalloc.h"

#ifndef CTYS_VERSION
#define CTYS_VERSION "0.0.0"
#endif

enum format { FMT_LIST, FMT_TERSE, FMT_TAB };

/* What one target said. */
struct answer {
	char *target;            /* job address, "pm1[vm1]" */
	struct strv recs;        /* plugin records, fields joined by '\t' */
	int code;                /* job status */
	char *error;             /* its error, or NULL */
	char *agent_version;     /* ctys version of the answering agent */
};

struct report {
	enum format fmt;
	bool verbose;
	const char *types;       /* -T */
	struct strv pass;        /* -l user, -x mode, -Y: passed to ctys */
	struct strv targets;
	struct answer *ans;
	size_t n;
};

static int
usage(FILE *f, int status)
{
	fprintf(f, "usage: ctys-plugins [-X | --quick-tab | --quick-list] [-T <types>] [-l <user>]\n"
	    "                    [-x CHAIN|STAR] [-Y] [-v] [-V] [<target>...]\n"
	    "Reports per target (default localhost) which plugins are usable and why not.\n"
	    "See ctys-plugins(1).\n");
	return status;
}

/* Returns 0 to go on, else exit status + 1 (so -h can end with 0). */
static int
parse_args(struct report *r, int argc, char **argv)
{
	int i;

	for (i = 1; i < argc; i++) {
		const char *a = argv[i];

		if (strcmp(a, "-h") == 0 || strcmp(a, "--help") == 0)
			return usage(stdout, 0) + 1;
		if (strcmp(a, "-V") == 0 || strcmp(a, "--version") == 0) {
			printf("ctys-plugins %s\n", CTYS_VERSION);
			return 1;
		}
		if (strcmp(a, "-X") == 0) {
			r->fmt = FMT_TERSE;
		} else if (strcmp(a, "--quick-tab") == 0) {
			r->fmt = FMT_TAB;
		} else if (strcmp(a, "--quick-list") == 0) {
			r->fmt = FMT_LIST;
		} else if (strcmp(a, "-v") == 0) {
			r->verbose = true;
		} else if (strcmp(a, "-Y") == 0) {
			strv_push(&r->pass, a);
		} else if (strcmp(a, "-T") == 0 || strcmp(a, "-l") == 0 || strcmp(a, "-x") == 0) {
			if (i + 1 >= argc) {
				log_error("option '%s' needs a value", a);
				return usage(stderr, 1) + 1;
			}
			if (a[1] == 'T') {
				r->types = argv[++i];
			} else {
				strv_push(&r->pass, a);
				strv_push(&r->pass, argv[++i]);
			}
		} else if (a[0] == '-') {
			log_error("unknown option '%s'", a);
			return usage(stderr, 1) + 1;
		} else {
			strv_push(&r->targets, a);
		}
	}
	if (r->targets.n == 0)
		strv_push(&r->targets, "localhost");
	return 0;
}

/* The ctys command line of the check. */
static char *
check_line(const struct report *r)
{
	struct buf b = BUF_INIT;

	buf_addf(&b, "-a info=plugins -T %s -C off -c off -b sync,par", r->types ? r->types : "ALL");
	cli_add_targets(&b, &r->pass, &r->targets);
	return buf_detach(&b);
}

static void
on_record(void *ctx, const struct job *j, const json_t *rec)
{
	struct report *r = ctx;
	struct answer *a = &r->ans[j->id - 1];
	json_t *f = json_object_get(rec, "fields");
	struct buf b = BUF_INIT;
	size_t k;

	if (strcmp(proto_str(rec, "kind"), "plugin") != 0 ||
	    json_array_size(f) < COLLECT_PLUGIN_FIELDS)
		return;
	free(a->agent_version);
	a->agent_version = xstrdup(json_string_value(json_array_get(f, COLLECT_PLUGIN_FIELDS - 1)) ?
	    json_string_value(json_array_get(f, COLLECT_PLUGIN_FIELDS - 1)) : "");
	/* the fields but the version, tab-separated: no tab may stay inside one */
	for (k = 0; k < COLLECT_PLUGIN_FIELDS - 1; k++) {
		const char *s = json_string_value(json_array_get(f, k));

		if (k)
			buf_addc(&b, '\t');
		for (; s && *s; s++)
			buf_addc(&b, *s == '\t' || *s == '\n' ? ' ' : *s);
	}
	strv_push_owned(&a->recs, buf_detach(&b));
}

static void
on_status(void *ctx, const struct job *j, int code, const char *hop, const char *error)
{
	struct report *r = ctx;
	struct answer *a = &r->ans[j->id - 1];

	(void)hop;
	a->code = code;
	a->error = error ? xstrdup(error) : NULL;
}

/*
 * Why a target gave no plugin list, from its status.  The texts are those
 * of lib/link.c (a missing agent: the remote shell's exit 127) and
 * lib/proto.c (proto_check_hello: another protocol version).
 */
static const char *
target_state(const struct answer *a)
{
	if (a->error && strstr(a->error, "ctys-agent not found"))
		return "NO-AGENT";
	if (a->error && strstr(a->error, "speaks protocol version"))
		return "VERSION-MISMATCH";
	if (a->code == LINK_CODE_UNREACHABLE)
		return "UNREACHABLE";
	return "FAILED";
}

/* ENABLED, CLIENT-ONLY (a split plugin without its server part), DISABLED. */
static const char *
plugin_state_name(char *const *f)
{
	if (strcmp(f[2], "1") != 0)
		return "DISABLED";
	if (strcmp(f[5], "1") == 0 && strcmp(f[3], "1") != 0)
		return "CLIENT-ONLY";
	return "ENABLED";
}

static const char *
dash(const char *s)
{
	return *s ? s : "-";
}

/* Split a stored record into its 9 fields (in place). */
static void
fields_of(char *rec, char **f)
{
	size_t k;

	for (k = 0; k < COLLECT_PLUGIN_FIELDS - 1; k++) {
		f[k] = rec;
		rec += strcspn(rec, "\t");
		if (*rec)
			*rec++ = '\0';
	}
}

/* Print one line of the report without trailing blanks. */
static void
put_row(struct buf *b)
{
	while (b->len && b->d[b->len - 1] == ' ')
		buf_truncate(b, b->len - 1);
	printf("%s\n", buf_cstr(b));
	buf_truncate(b, 0);
}

/* One line of the list: columns for the table, ';'-separated for -X. */
static void
list_row(const struct report *r, size_t w, const char *const *col)
{
	struct buf b = BUF_INIT;

	if (r->fmt == FMT_TERSE)
		buf_addf(&b, "%s;%s;%s;%s;%s;%s", col[0], col[1], col[2], col[3], col[4], col[5]);
	else
		buf_addf(&b, "%-*s %-6s %-16s %-5s %-18s %s", (int)w, col[0], dash(col[1]),
		    dash(col[2]), dash(col[3]), dash(col[4]), col[5]);
	put_row(&b);
	buf_free(&b);
}

static void
print_list(const struct report *r)
{
	char *f[COLLECT_PLUGIN_FIELDS - 1];
	size_t i, k, w = 6;

	for (i = 0; i < r->n; i++)
		if (strlen(r->ans[i].target) > w)
			w = strlen(r->ans[i].target);
	if (r->fmt == FMT_LIST)
		list_row(r, w, (const char *const[]){ "TARGET", "PLUGIN", "STATE", "ACCEL", "VERSION",
		    "REASON" });
	for (i = 0; i < r->n; i++) {
		const struct answer *a = &r->ans[i];

		if (a->recs.n == 0) {
			list_row(r, w, (const char *const[]){ a->target, "", target_state(a), "", "",
			    a->error ? a->error : "" });
			continue;
		}
		for (k = 0; k < a->recs.n; k++) {
			char *rec = xstrdup(a->recs.v[k]);

			fields_of(rec, f);
			/* what a disabled plugin's probe half-found is noise */
			if (strcmp(plugin_state_name(f), "DISABLED") == 0)
				f[6][0] = f[7][0] = '\0';
			list_row(r, w, (const char *const[]){ a->target, f[0], plugin_state_name(f),
			    f[7], f[6], f[8] });
			free(rec);
		}
		if (a->agent_version && strcmp(a->agent_version, CTYS_VERSION) != 0)
			fprintf(stderr, "ctys-plugins: %s: the agent is ctys %s, this is ctys %s\n",
			    a->target, a->agent_version, CTYS_VERSION);
	}
}

/* --quick-tab: one line per target, 'x' or '-' per plugin, grouped by category. */
static void
print_tab(const struct report *r)
{
	char *f[COLLECT_PLUGIN_FIELDS - 1];
	struct buf b = BUF_INIT;
	size_t i, k, t, w = 6;
	int c;

	for (i = 0; i < r->n; i++)
		if (strlen(r->ans[i].target) > w)
			w = strlen(r->ans[i].target);
	for (t = 0; t <= r->n; t++) {
		const struct answer *a = t ? &r->ans[t - 1] : NULL;

		buf_truncate(&b, 0);
		buf_addf(&b, "%-*s", (int)w, a ? a->target : "TARGET");
		if (a && a->recs.n == 0) {
			buf_addf(&b, " | %s", target_state(a));
			put_row(&b);
			continue;
		}
		for (c = PLUGIN_PM; c <= PLUGIN_HOST; c++) {
			buf_adds(&b, " |");
			for (i = 0; i < plugin_count; i++) {
				const char *mark = "-";

				if ((int)plugin_table[i].category != c)
					continue;
				for (k = 0; a && k < a->recs.n; k++) {
					char *rec = xstrdup(a->recs.v[k]);

					fields_of(rec, f);
					if (strcmp(f[0], plugin_table[i].name) == 0)
						mark = strcmp(plugin_state_name(f), "DISABLED") ? "x" : "-";
					free(rec);
				}
				buf_addf(&b, " %-*s", (int)strlen(plugin_table[i].name),
				    a ? mark : plugin_table[i].name);
			}
		}
		put_row(&b);
	}
	buf_free(&b);
}

int
main(int argc, char **argv)
{
	struct report r;
	struct conf *conf = conf_new();
	struct expander ex;
	struct dispatch_cfg dc;
	struct cli c;
	char *line;
	int rc, status = 0;
	size_t i;
	ctys_err_t e;
	FILE *quiet = NULL;

	ctys_net_enable();

	log_init(argv[0]);
	signal(SIGPIPE, SIG_IGN);
	memset(&r, 0, sizeof r);
	if ((rc = parse_args(&r, argc, argv)) != 0) {
		strv_free(&r.pass);
		strv_free(&r.targets);
		conf_free(conf);
		return rc - 1;
	}
	if ((e = ctys_conf_load(conf)) != CTYS_OK) {
		log_lasterr(e);
		conf_free(conf);
		return ctys_exit_status(e);
	}
	line = check_line(&r);
	expander_init(&ex, conf);
	e = cli_parse(&c, conf, &ex.hooks, line);
	free(line);
	if (e != CTYS_OK) {
		log_lasterr(e);
		status = ctys_exit_status(e);
		goto out;
	}
	r.n = c.plan.n;
	r.ans = xcalloc(r.n ? r.n : 1, sizeof *r.ans);
	for (i = 0; i < r.n; i++) {
		struct buf addr = BUF_INIT;

		job_address(&addr, &c.plan.v[i]);
		r.ans[i].target = buf_detach(&addr);
	}
	dispatch_cfg_from_conf(&dc, conf);
	dc.out = stdout;
	/* the report names every failure; -v adds the dispatcher's messages */
	dc.err = r.verbose ? stderr : (quiet = fopen("/dev/null", "w"));
	if (dc.err == NULL)
		dc.err = stderr;
	dc.on_record = on_record;
	dc.on_status = on_status;
	dc.hook_ctx = &r;
	dispatch_run(&dc, &c.plan);
	if (r.fmt == FMT_TAB)
		print_tab(&r);
	else
		print_list(&r);
	for (i = 0; i < r.n; i++) {
		if (r.ans[i].recs.n == 0)
			status = 2;
		free(r.ans[i].target);
		free(r.ans[i].error);
		free(r.ans[i].agent_version);
		strv_free(&r.ans[i].recs);
	}
	free(r.ans);
	if (fflush(stdout) != 0 && status == 0)
		status = 2;
out:
	if (quiet)
		fclose(quiet);
	cli_free(&c);
	expander_free(&ex);
	conf_free(conf);
	strv_free(&r.pass);
	strv_free(&r.targets);
	return status;
}
