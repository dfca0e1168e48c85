/*
 * macro.h — MACRO: references on command lines and the macro files that
 * define them (ctys-macros(1), ctys-macros(5)).
 *
 * A reference is `MACRO:<name>[%<file>][%ECHO|%EVAL|%OPTIONAL]...` or the
 * same in braces `{MACRO:...}`; the keyword and the modifiers are
 * case-insensitive, the name is not.  macro_expand() replaces every
 * reference of a text, right-most first, re-expanding the whole text after
 * each replacement, exactly as the original's replaceMacro did.
 *
 * Macro files are parsed once per process and kept (macro_file_load); the
 * cache is protected by a mutex, a parsed file is immutable.
 *
 * Exit statuses (ctys_exit_status of the returned code) follow the
 * original: a missing macro, duplicate definitions, a bad reference and the
 * recursion threshold are CTYS_ERR_USAGE (1); a macro file that cannot be
 * found or read is CTYS_ERR_NOENT / CTYS_ERR_IO (2).
 */
#ifndef CTYS_MACRO_H
#define CTYS_MACRO_H

#include <stdbool.h>
#include <stddef.h>

#include "lib/conf.h"
#include "lib/err.h"

/* Recursion threshold when CTYS_MAXRECURSE is unset or not a number. */
#define MACRO_MAXRECURSE_DEFAULT 15

struct macro_env {
	char *db;             /* CTYS_MACRO_DB: file used without %<file>; may be NULL */
	char *path;           /* CTYS_MACRO_PATH: ':'-separated dirs for %<file>; may be NULL */
	unsigned max_recurse; /* CTYS_MAXRECURSE: most replacements in one expansion */
	bool no_eval;         /* refuse %EVAL (CTYS_ERR_UNSUPPORTED); for fuzzing and tests */
};

/*
 * Fill *env from the configuration (CTYS_MACRO_DB, CTYS_MACRO_PATH,
 * CTYS_MAXRECURSE; MACRO_MAXRECURSE_DEFAULT when that is unset or bad).
 * The strings are copies; release them with macro_env_free().
 */
void macro_env_from_conf(struct macro_env *env, const struct conf *c);
void macro_env_free(struct macro_env *env);

/* One definition of a macro file. */
struct macro_def {
	const char *name;  /* case-sensitive, never empty */
	const char *value; /* continuation joined, blanks squeezed, may be "" */
	unsigned line;     /* line of the file where the definition starts */
};

struct macro_file; /* a parsed macro file; immutable */

/*
 * Parse macro file text (ctys-macros(5)): comments (optional blanks then
 * '#'), blank lines, `name = value` with the name in column 1, a trailing
 * '\' joining the next line without a space, runs of blanks squeezed to one
 * space, blanks around the first '=' removed, trailing blanks dropped.
 * Lines that are neither are ignored, as the original's lookup never
 * matched them.  `name` is the file name used in messages.  Errors:
 * CTYS_ERR_PARSE for a NUL byte, CTYS_ERR_TOOLONG for a line over
 * MACRO_LINE_MAX, each naming "<name>:<line>".  *out is freed by the caller
 * with macro_file_free().
 */
ctys_err_t macro_file_parse(const char *name, const char *text, size_t len,
	struct macro_file **out);
void macro_file_free(struct macro_file *mf);

/*
 * Parse the file at `path` once per process: later calls with the same path
 * return the same object, owned by the cache (never free it).  Errors as
 * macro_read_file() and macro_file_parse().
 */
ctys_err_t macro_file_load(const char *path, const struct macro_file **out);

/* The file name given to macro_file_parse / macro_file_load. */
const char *macro_file_name(const struct macro_file *mf);
/* Number of definitions, and the i-th in file order (i < count). */
size_t macro_file_count(const struct macro_file *mf);
const struct macro_def *macro_file_def(const struct macro_file *mf, size_t i);

/*
 * Look `name` up (exact, case-sensitive).  *value points into mf.
 * CTYS_ERR_USAGE (exit status 1, as the original) when absent, the message
 * naming macro and file with the hint that names are case-sensitive, and
 * for more than one definition ("multiple definitions of macro 'x' in 'f'
 * (lines 3 and 9)").
 */
ctys_err_t macro_lookup(const struct macro_file *mf, const char *name, const char **value);

/*
 * Resolve a %<file> part: `file` itself when it is an existing file, else
 * the first <dir>/<file> along env->path (empty entries skipped).
 * *path_out is malloc'd.  CTYS_ERR_NOENT naming the file and the
 * directories searched.
 */
ctys_err_t macro_find_file(const struct macro_env *env, const char *file, char **path_out);

/*
 * Expand every macro reference in `text` (ctys-macros(1), EXPANSION):
 *   1. no "macro:" (any case) left: the result is the text trimmed of
 *      leading and trailing blanks;
 *   2. the right-most "{MACRO:" if there is one, else the right-most
 *      "MACRO:", is replaced by its definition;
 *   3. the macro file is chosen once, from that first right-most reference:
 *      its %<file> (macro_find_file) or else env->db; every other
 *      reference of the text is looked up in the same file;
 *   4. the whole text is expanded again (at most env->max_recurse
 *      replacements in all), then %EVAL runs the result with /bin/sh -c
 *      and uses its standard output, trailing newlines removed.
 * %OPTIONAL turns a missing macro into "".  *out is malloc'd.  Errors:
 * CTYS_ERR_USAGE (missing macro, bad reference, multiple definitions,
 * "recursion threshold exceeded" with the chain of macros replaced),
 * CTYS_ERR_NOENT/IO (macro file), CTYS_ERR_UNSUPPORTED (%EVAL with
 * env->no_eval), CTYS_ERR_TOOLONG (expansion over MACRO_EXPAND_MAX).
 */
ctys_err_t macro_expand(const struct macro_env *env, const char *text, char **out);

/* Same, with every reference looked up in `mf` whatever %<file> it names. */
ctys_err_t macro_expand_in(const struct macro_env *env, const struct macro_file *mf,
	const char *text, char **out);

/* Longest text an expansion may produce (bytes). */
#define MACRO_EXPAND_MAX (16 * 1024 * 1024)

/* True when `text` contains a macro reference ("macro:" in any case). */
bool macro_has_ref(const char *text);

#endif
