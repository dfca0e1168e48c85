/*
 * log.h — messages to the user and the `-d` debug trace.
 *
 * Errors and warnings are git-style lines on stderr: "<prog>: <message>"
 * and "<prog>: warning: <message>".  Debug trace lines keep the original's
 * shape "<prog>:<user>@<host>:<pid>:<file>:<line>:<subsys>:<level>:<text>".
 *
 * The debug spec is the original's `-d` syntax:
 *   <level>[,<mode>][,SUBSYSTEM|S:<bits>][,WARNING|W:<0-9>][,INFO|I:<0-9>]
 *   [,FILELIST|F:<file>[%<file>...][,EXCLUDE|INCLUDE]][,PRINTFINAL|PFIN|PF[:<0-9>]]
 * with <level> a bash-notation number or ALL, <mode> PATTERN|P, MIN or MAX.
 */
#ifndef CTYS_LOG_H
#define CTYS_LOG_H

#include <stdbool.h>

#include "lib/buf.h"
#include "lib/err.h"

enum dbg_mode { DBG_MAX = 0, DBG_MIN, DBG_PATTERN };

/* Debug level bits (D_*) and subsystem bits (S_*) of the original. */
enum {
	D_UI = 1, D_FLOW = 2, D_UID = 4, D_DATA = 8, D_MAINT = 16, D_FRAME = 32,
	D_SYS = 64, D_TST = 16384, D_BULK = 32768, D_ALL = 65535
};
enum {
	S_CONF = 1, S_BIN = 2, S_LIB = 4, S_CORE = 8, S_GEN = 16, S_CLI = 32,
	S_X11 = 64, S_VNC = 128, S_QEMU = 256, S_VMW = 512, S_XEN = 1024, S_PM = 2048
};

struct dbg_spec {
	unsigned long level;   /* 0 = off */
	enum dbg_mode mode;
	unsigned long subsys;  /* 0 = all */
	int warn;              /* warning level 0-9 */
	int info;              /* info level 0-9 */
	char files[256];       /* FILELIST, '%'-separated; "" = none */
	bool files_exclude;
	int printfinal;        /* -1 = off, else granularity 0-9 */
};

/* The defaults without any -d: off, warnings at level 1, info at 0. */
void dbg_default(struct dbg_spec *d);

/*
 * Parse a -d argument into *d (starting from the defaults).  On a bad key
 * or a non-numeric value returns CTYS_ERR_USAGE naming the item.
 */
ctys_err_t dbg_parse(const char *spec, struct dbg_spec *d);

/* Append the canonical spelling of *d (e.g. "2,MAX,W:1,I:1"). */
void dbg_format(struct buf *out, const struct dbg_spec *d);

/* Program name used in messages; set once from main(). */
void log_init(const char *prog);
const char *log_prog(void);
/* Install the effective debug spec. */
void log_set_dbg(const struct dbg_spec *d);
const struct dbg_spec *log_dbg_spec(void);

void log_error(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
void log_warn(int level, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
void log_info(int level, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
/* Print ctys_errmsg() (or the code's text when empty) as an error. */
void log_lasterr(ctys_err_t code);

bool dbg_enabled(unsigned long bits, unsigned long subsys);
void dbg_print(unsigned long bits, unsigned long subsys, const char *file, int line,
	const char *fmt, ...) __attribute__((format(printf, 5, 6)));

#define DBG(bits, subsys, ...)                                                  \
	do {                                                                    \
		if (dbg_enabled((bits), (subsys)))                              \
			dbg_print((bits), (subsys), __FILE__, __LINE__, __VA_ARGS__); \
	} while (0)

#endif
