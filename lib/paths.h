/*
 * paths.h — where ctys finds its installation, the user's ~/.ctys and its
 * private temporary directory, and the standard configuration load.
 *
 * The installed configuration directory (the original's <install>/conf/ctys)
 * is, first match wins:
 *   1. $CTYS_CONFDIR when set;
 *   2. <dir of the running binary>/../conf when it holds ctys.conf.sh
 *      (running from a source tree: bin/ctys finds conf/);
 *   3. when the binary runs from <root><compiled-in BINDIR> with a non-empty
 *      <root> (a `make install DESTDIR=<root>` staging tree), <root> +
 *      the compiled-in CONFDIR, if it holds ctys.conf.sh;
 *   4. the directory compiled in (CTYS_CONFDIR, $(PREFIX)/etc/ctys).
 * It holds ctys.conf.sh, groups/ and macros/default.
 */
#ifndef CTYS_PATHS_H
#define CTYS_PATHS_H

#include "lib/conf.h"
#include "lib/err.h"

/* Installed configuration directory (static storage). */
const char *ctys_confdir(void);
/* $HOME, or the passwd entry's home; "/" as a last resort. */
const char *ctys_home(void);
/* The calling user's name ($USER, else passwd). */
const char *ctys_user(void);
/* $HOME/.ctys */
const char *ctys_userdir(void);
/* MYTMP: /tmp/ctys.<user> (not created here). */
const char *ctys_tmpdir(void);

/*
 * Exec the ctys program `prog` (e.g. "ctys-client") with argv: the one in
 * the directory of the running program (a build tree's bin/, or the
 * installation), else the one on PATH.  Returns only on failure, errno set.
 */
void ctys_exec_sibling(const char *prog, char *const argv[]);

/*
 * Load the configuration the original way: $HOME/.ctys/ctys.conf.sh, then
 * <confdir>/ctys.conf.sh.  Missing files are fine; a bad line is an error
 * naming file and line.  Then sets derived defaults that the files did not
 * set (CTYS_GROUPS_PATH, CTYS_MACRO_DB, CTYS_MACRO_PATH, CTYS_MAXRECURSE,
 * DEFAULT_DBPATHLST, ...) exactly as configuration.md lists them.
 */
ctys_err_t ctys_conf_load(struct conf *c);

#endif
