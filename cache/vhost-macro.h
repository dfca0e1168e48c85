/*
 * vhost-macro.h — the one place where ctys-vhost's command line is
 * macro-expanded (cache-db.md §3: "the whole command line is macro-expanded
 * first, then every %% is replaced by %").
 *
 * Only a command line with a MACRO: reference reads the configuration
 * (CTYS_MACRO_DB, CTYS_MACRO_PATH): plain lookups stay fast.
 */
#ifndef CTYS_CACHE_VHOST_MACRO_H
#define CTYS_CACHE_VHOST_MACRO_H

#include "lib/err.h"
#include "lib/strv.h"

/*
 * Expand argv[0..argc) (the arguments after the program name) into *out:
 * macros first, then "%%" -> "%" in every word.  *out must be empty
 * (STRV_INIT); the caller frees it.
 */
ctys_err_t vhost_expand_args(int argc, char *const *argv, struct strv *out);

#endif
