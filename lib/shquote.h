/*
 * shquote.h — quoting argument vectors for a POSIX shell.
 *
 * Remote command lines cross at least one `sh -c` (sshd runs the command
 * through the login shell).  shquote_arg() produces a word that any POSIX
 * shell reads back as exactly the original bytes: words made only of safe
 * characters stay bare, everything else is wrapped in single quotes with
 * each embedded quote written as '\''.  Newlines, `$()`, backticks, `;`,
 * globs and NUL-free binary survive.  An empty string becomes ''.
 */
#ifndef CTYS_SHQUOTE_H
#define CTYS_SHQUOTE_H

#include "lib/buf.h"
#include "lib/strv.h"

/* Append the quoted form of `s` to `out`. */
void shquote_arg(struct buf *out, const char *s);
/* Append all words of argv, quoted, separated by single spaces. */
void shquote_argv(struct buf *out, const char *const *argv, size_t argc);
/* Convenience: quoted command line of a strv (caller frees). */
char *shquote_strv(const struct strv *sv);

#endif
