/* err.c — see err.h. */
#include "lib/err.h"

#include <stdio.h>
#include <string.h>

#define ERRMSG_MAX 1024

static _Thread_local char errmsg[ERRMSG_MAX];

static const struct {
	const char *text;
	int exit_status;
} err_table[CTYS_ERR__COUNT] = {
	[CTYS_OK] = { "success", 0 },
	[CTYS_ERR_USAGE] = { "command line error", 1 },
	[CTYS_ERR_PARSE] = { "malformed input", 2 },
	[CTYS_ERR_NOENT] = { "no such file or entry", 2 },
	[CTYS_ERR_IO] = { "input/output error", 2 },
	[CTYS_ERR_TOOLONG] = { "input too long", 1 },
	[CTYS_ERR_NESTING] = { "nesting too deep", 2 },
	[CTYS_ERR_CYCLE] = { "reference cycle", 2 },
	[CTYS_ERR_AMBIGUOUS] = { "ambiguous", 11 },
	[CTYS_ERR_NOTFOUND] = { "not found", 2 },
	[CTYS_ERR_VERSION] = { "incompatible version", 1 },
	[CTYS_ERR_DB] = { "cache database error", 2 },
	[CTYS_ERR_SSH] = { "ssh transport error", 2 },
	[CTYS_ERR_HOSTKEY] = { "host key verification failed", 2 },
	[CTYS_ERR_TIMEOUT] = { "timed out", 2 },
	[CTYS_ERR_PROTO] = { "protocol error", 2 },
	[CTYS_ERR_UNSUPPORTED] = { "not supported", 1 },
	[CTYS_ERR_INTERNAL] = { "internal error", 2 },
};

const char *
ctys_strerror(ctys_err_t code)
{
	if ((unsigned)code >= CTYS_ERR__COUNT)
		return "unknown error";
	return err_table[code].text;
}

int
ctys_exit_status(ctys_err_t code)
{
	if ((unsigned)code >= CTYS_ERR__COUNT)
		return 2;
	return err_table[code].exit_status;
}

ctys_err_t
ctys_vseterr(ctys_err_t code, const char *fmt, va_list ap)
{
	vsnprintf(errmsg, sizeof errmsg, fmt, ap);
	return code;
}

ctys_err_t
ctys_seterr(ctys_err_t code, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	ctys_vseterr(code, fmt, ap);
	va_end(ap);
	return code;
}

void
ctys_errprefix(const char *fmt, ...)
{
	char old[ERRMSG_MAX], pre[ERRMSG_MAX];
	va_list ap;

	memcpy(old, errmsg, sizeof old);
	va_start(ap, fmt);
	vsnprintf(pre, sizeof pre, fmt, ap);
	va_end(ap);
	snprintf(errmsg, sizeof errmsg, "%s%s", pre, old);
}

const char *
ctys_errmsg(void)
{
	return errmsg;
}

void
ctys_errclear(void)
{
	errmsg[0] = '\0';
}
