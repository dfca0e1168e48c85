/*
 * run.h — the ctys client from argv to exit status: configuration, parse,
 * plan, then print the plan (-n) or dispatch it.
 */
#ifndef CTYS_RUN_H
#define CTYS_RUN_H

/* Run one ctys command line; returns the process exit status. */
int ctys_run(int argc, char **argv);

#endif
