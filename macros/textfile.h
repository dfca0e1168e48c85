/*
 * textfile.h — reading a small text file whole, with the guards every
 * parser in macros/ needs (private to this folder).
 */
#ifndef CTYS_MACROS_TEXTFILE_H
#define CTYS_MACROS_TEXTFILE_H

#include <stdbool.h>
#include <stddef.h>

#include "lib/err.h"

/* Longest physical line a group or macro file may hold. */
#define MACRO_LINE_MAX (64 * 1024)
/* Largest group or macro file read. */
#define MACRO_FILE_MAX (64 * 1024 * 1024)

/*
 * Read `path` whole into *text (NUL-terminated, caller frees) and its length
 * into *len.  Errors, each with a message naming the file (and line):
 *   CTYS_ERR_NOENT   the file does not exist or is not a regular file
 *   CTYS_ERR_IO      it cannot be opened or read ("permission denied", ...)
 *   CTYS_ERR_TOOLONG it is larger than MACRO_FILE_MAX
 * The contents are not checked here; see macro_text_check().
 */
ctys_err_t macro_read_file(const char *path, char **text, size_t *len);

/*
 * Check text[0..len) for what no text file of ours may contain: a NUL byte
 * (binary garbage → CTYS_ERR_PARSE, "<name>:<line>: binary data (NUL byte)")
 * and a line longer than MACRO_LINE_MAX (CTYS_ERR_TOOLONG,
 * "<name>:<line>: line longer than 65536 bytes").
 */
ctys_err_t macro_text_check(const char *name, const char *text, size_t len);

/*
 * Print the directory tree below `dir` to stdout, two spaces of indent per
 * level, directories with a trailing '/': only directories unless `files`,
 * at most `depth` levels (0: unlimited).  Entries starting with '.' are
 * skipped.  For the -S/-F/-D views of ctys-macros and ctys-groups.
 */
void macro_tree_print(const char *dir, bool files, unsigned depth);

#endif
