/*
 * viewer.h — the client programs of the VNC and RDP plugins: one table of
 * viewers (type, program, Debian package, how its command line is built).
 *
 * The ctys client starts them on the caller for CONNECTIONFORWARDING (to
 * a tunnel's local port) and on the target for DISPLAYFORWARDING (to the
 * server's port on that machine's loopback).  The first viewer of the
 * type that is on PATH wins, unless CONSOLE names one.
 */
#ifndef CTYS_AGENTS_VIEWER_H
#define CTYS_AGENTS_VIEWER_H

#include <stdbool.h>
#include <stddef.h>

#include <jansson.h>

#include "lib/err.h"
#include "lib/strv.h"

struct viewer {
	const char *type;       /* "VNC", "RDP" */
	const char *prog;       /* program name looked up on PATH */
	const char *console;    /* CONSOLE:<name> that selects it, or NULL */
	const char *package;    /* Debian package that provides it */
	/*
	 * Append the arguments after the program name: connect to
	 * host:port, window title from `label`, geometry "<x>x<y>" or NULL,
	 * VNC password file or NULL.
	 */
	void (*args)(struct strv *a, const char *host, int port, const char *label,
		const char *geom, const char *passwd);
};

/*
 * The viewer for a job of `type` (its CONSOLE suboption may choose one).
 * With `here`, only one found on this machine's PATH (full path in
 * path[n]); else the first of the table for that type.  NULL with
 * CTYS_ERR_NOENT "<prog> not found ...: install the Debian package <pkg>"
 * when none is usable.
 */
const struct viewer *viewer_for(const char *type, const json_t *job, bool here, char *path,
	size_t n);

/*
 * The whole command line of viewer v for a job: program (path), the
 * viewer's own arguments, then the words of CALLOPTS and XOPTS.
 */
void viewer_argv(const struct viewer *v, const char *path, const json_t *job, const char *host,
	int port, const char *label, const char *passwd, struct strv *out);

/* The program names of the viewers of `type` into out[max] (NULL-terminated). */
void viewer_names(const char *type, const char **out, size_t max);

#endif
