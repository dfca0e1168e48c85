/* run.c — see run.h. */
#include "ctys/run.h"

#include <errno.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "ctys/cli.h"
#include "ctys/dispatch.h"
#include "ctys/expand.h"
#include "ctys/net.h"
#include "ctys/resolve.h"
#include "ctys/shell.h"
#include "agents/exec.h"
#include "lib/log.h"
#include "lib/paths.h"
#include "lib/util.h"
#include "lib/xmalloc.h"

/*
 * Hand this run to ctys-client (net.h): the program next to this one, else
 * the one on PATH, with the same arguments.  Returns only on failure.
 */
static int
exec_client(char **argv)
{
	char *const prog = argv[0];

	fflush(NULL);
	argv[0] = (char *)"ctys-client";
	ctys_exec_sibling("ctys-client", argv);
	argv[0] = prog;
	log_error("this run needs ctys-client (the SSH and LDAP half of ctys), which cannot be "
	    "started: %s", strerror(errno));
	return 2;
}

static int
fail(ctys_err_t e)
{
	log_lasterr(e);
	return ctys_exit_status(e);
}

static void
put(const struct buf *b)
{
	fwrite(buf_cstr(b), 1, b->len, stdout);
}

int
ctys_run_line(struct conf *conf, const char *line, const struct ctys_run_hooks *hooks)
{
	struct expander ex;
	struct cli c;
	struct buf out = BUF_INIT;
	struct dbg_spec d;
	ctys_err_t e;
	int status = 0;

	expander_init(&ex, conf);
	e = cli_parse(&c, conf, &ex.hooks, line);
	if (e == CTYS_OK && ctys_net == NULL && !c.opts.help && !c.opts.version &&
	    plan_needs_net(&c.plan, c.opts.dryrun)) {
		status = CTYS_RUN_NEEDS_NET;
		goto done;
	}
	if (e == CTYS_OK && !c.opts.help && !c.opts.version)
		e = resolve_plan(&c.plan, conf);
	if (e != CTYS_OK) {
		status = fail(e);
		goto done;
	}
	if (c.opts.debug && dbg_parse(c.opts.debug, &d) == CTYS_OK)
		log_set_dbg(&d);
	if (c.opts.help) {
		cli_help(&out);
		put(&out);
	} else if (c.opts.version) {
		cli_version(&out, c.opts.version_bare);
		put(&out);
	} else if (c.opts.dryrun) {
		if (c.opts.output && strcmp(c.opts.output, "json") == 0)
			plan_render_json(&out, &c.plan);
		else
			plan_render_text(&out, &c.plan);
		put(&out);
	} else {
		struct dispatch_cfg dc;

		dispatch_cfg_from_conf(&dc, conf);
		dc.summary = c.opts.verbose > 0;
		dc.out = stdout;
		dc.err = stderr;
		if (hooks) {
			dc.cancel = hooks->cancel;
			dc.on_abort = hooks->on_abort;
			dc.hook_ctx = hooks->ctx;
		}
		fflush(stdout);
		status = dispatch_run(&dc, &c.plan);
	}
	if (fflush(stdout) != 0 && status == 0) {
		log_error("cannot write the output");
		status = 2;
	}
done:
	buf_free(&out);
	cli_free(&c);
	expander_free(&ex);
	return status;
}

/*
 * Batch mode: SIGINT or SIGTERM cancels the run.  The dispatcher reports
 * every unfinished job as cancelled; then the processes of local jobs are
 * ended and ctys exits 128+signal, which closes every SSH session: each
 * remote agent sees its client gone and ends its job (ctys-agent(8)).  A
 * second signal acts at once (the default action).
 */
static volatile sig_atomic_t batch_cancel, batch_sig;

static void
on_batch_signal(int sig)
{
	batch_sig = sig;
	batch_cancel = DISPATCH_CANCEL_ABORT;
}

static void
batch_abort(void *ctx)
{
	(void)ctx;
	job_children_kill(500);
	fflush(stdout);
	fflush(stderr);
	_exit(128 + (batch_sig ? batch_sig : SIGINT));
}

static void
batch_signals(void)
{
	struct sigaction sa;

	memset(&sa, 0, sizeof sa);
	sa.sa_handler = on_batch_signal;
	sa.sa_flags = SA_RESETHAND;
	sigemptyset(&sa.sa_mask);
	sigaction(SIGINT, &sa, NULL);
	sigaction(SIGTERM, &sa, NULL);
}

int
ctys_run(int argc, char **argv)
{
	struct ctys_run_hooks hooks = { &batch_cancel, batch_abort, NULL };
	struct conf *conf = conf_new();
	char *line;
	ctys_err_t e;
	int status;

	log_init(argv[0]);
	/* a peer that went away is an error to report, not a reason to die */
	signal(SIGPIPE, SIG_IGN);
	if ((e = ctys_conf_load(conf)) != CTYS_OK) {
		conf_free(conf);
		return fail(e);
	}
	line = cli_join(argc - 1, argv + 1);
	batch_signals();
	status = ctys_run_line(conf, line, &hooks);
	if (batch_sig)
		status = 128 + batch_sig; /* interrupted before anything was dispatched */
	free(line);
	conf_free(conf);
	if (status == CTYS_RUN_NEEDS_NET)
		return exec_client(argv);
	return status;
}

int
ctys_main(int argc, char **argv)
{
	bool shell = (argc >= 2 && strcmp(argv[1], "--shell") == 0) ||
	    (argc == 1 && isatty(0) && isatty(1));

	argv_help_alias(argc, argv);
	if (argc >= 2 && strcmp(argv[1], "--completion") == 0)
		return shell_completion_main(argc - 2, argv + 2);
	if (shell && ctys_net == NULL)
		return exec_client(argv);
	if (shell)
		return argc >= 2 ? shell_main(argc - 2, argv + 2) : shell_main(0, NULL);
	return ctys_run(argc, argv);
}
