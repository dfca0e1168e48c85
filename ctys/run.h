/*
 * run.h — the ctys client from a command line to exit status:
 * configuration, parse, plan, then print the plan (-n) or dispatch it.
 * Batch mode (argv) and the interactive shell (ctys/shell.h) share
 * ctys_run_line(), so a line typed in the shell runs exactly as the same
 * words given to `ctys`.
 */
#ifndef CTYS_RUN_H
#define CTYS_RUN_H

#include <signal.h>

#include "lib/conf.h"

/* What the shell adds to a run; all optional (zero = batch behaviour). */
struct ctys_run_hooks {
	volatile sig_atomic_t *cancel;  /* dispatch_cfg.cancel (dispatch.h) */
	void (*on_abort)(void *ctx);    /* dispatch_cfg.on_abort */
	void *ctx;
};

/* ctys_run_line() when the run needs ctys-client (net.h) and this program has no network half. */
#define CTYS_RUN_NEEDS_NET (-1)

/*
 * The whole client, for main(): --completion, the shell (--shell, or no
 * arguments on a terminal), else ctys_run().
 */
int ctys_main(int argc, char **argv);

/*
 * Run one ctys command line; returns the process exit status.  A run that
 * needs the network half in a program without it continues in ctys-client
 * (exec, same arguments).
 */
int ctys_run(int argc, char **argv);

/*
 * Run one command line (the words after "ctys", joined by blanks) with a
 * loaded configuration: messages on stderr, output on stdout.  Returns the
 * exit status ctys would exit with.  `hooks` may be NULL.
 */
int ctys_run_line(struct conf *conf, const char *line, const struct ctys_run_hooks *hooks);

#endif
