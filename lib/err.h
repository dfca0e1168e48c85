/*
 * err.h — error codes and the one place they become text.
 *
 * Every fallible function in ctys returns a ctys_err_t (CTYS_OK is 0).  The
 * code says *what kind* of failure; the detail (which file, line, argument)
 * is recorded with ctys_seterr() in a per-thread buffer and read back with
 * ctys_errmsg().  This is the libgit2 model: the caller that decides to
 * report an error prints ctys_errmsg(), nobody else does.
 */
#ifndef CTYS_ERR_H
#define CTYS_ERR_H

#include <stdarg.h>

typedef enum {
	CTYS_OK = 0,
	CTYS_ERR_USAGE,     /* bad command line: option, argument, syntax */
	CTYS_ERR_PARSE,     /* malformed file contents (config, group, record) */
	CTYS_ERR_NOENT,     /* a file, group, macro or directory does not exist */
	CTYS_ERR_IO,        /* a read or write failed */
	CTYS_ERR_TOOLONG,   /* input over a documented limit */
	CTYS_ERR_NESTING,   /* recursion or nesting deeper than the limit */
	CTYS_ERR_CYCLE,     /* an include or reference cycle */
	CTYS_ERR_AMBIGUOUS, /* more than one match where one was required */
	CTYS_ERR_NOTFOUND,  /* a lookup matched nothing */
	CTYS_ERR_VERSION,   /* incompatible peer version */
	CTYS_ERR_DB,        /* cache database failure */
	CTYS_ERR_SSH,       /* transport failure */
	CTYS_ERR_HOSTKEY,   /* host key unknown or changed */
	CTYS_ERR_TIMEOUT,   /* a bounded wait ran out */
	CTYS_ERR_PROTO,     /* peer broke the wire protocol */
	CTYS_ERR_UNSUPPORTED, /* valid request the target cannot do */
	CTYS_ERR_INTERNAL,  /* a bug: an invariant did not hold */
	CTYS_ERR__COUNT
} ctys_err_t;

/* Short fixed description of a code ("command line error", ...). */
const char *ctys_strerror(ctys_err_t code);

/*
 * Process exit status for a code, following the original's convention:
 * 1 for caller mistakes (usage, version), 2 for a missing or broken
 * environment element (files, databases), ctys-vhost's own codes elsewhere.
 */
int ctys_exit_status(ctys_err_t code);

/*
 * Record the detail of an error for this thread and return `code`, so that
 * `return ctys_seterr(CTYS_ERR_USAGE, "unknown option '-%c'", c);` reads
 * naturally.  Messages follow git's rules: what is wrong first, no capital,
 * no full stop, the subject quoted.
 */
ctys_err_t ctys_seterr(ctys_err_t code, const char *fmt, ...)
	__attribute__((format(printf, 2, 3)));
ctys_err_t ctys_vseterr(ctys_err_t code, const char *fmt, va_list ap);

/* Prefix the current detail with more context: "file:3: " + old message. */
void ctys_errprefix(const char *fmt, ...) __attribute__((format(printf, 1, 2)));

/* The detail of the last error set on this thread ("" if none). */
const char *ctys_errmsg(void);

/* Forget the last error. */
void ctys_errclear(void);

#endif
