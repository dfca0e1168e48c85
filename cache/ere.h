/*
 * ere.h — POSIX extended regular expressions (awk's dialect, as the
 * original's filters use them) compiled safely.
 *
 * glibc's regcomp() expands repetitions into copies of the subtree, so a
 * short pattern like "a+++++++++" or "((a{99}){99}){99}" takes gigabytes.
 * Patterns come from the command line and, for E: terms and the macmap
 * lookup, from the database itself, so each pattern is first checked: its
 * expanded size is estimated (repetition counts multiply along nesting) and
 * quantifiers may not follow each other directly.  The bound is low because
 * regcomp()'s memory also grows with the square of the node count where
 * nodes can be skipped: "(a?){6000}" (cost 18,003) took 279 MB, "(a?){1332}"
 * (cost 3,999) takes 15 MB (found by fuzz_query).
 */
#ifndef CTYS_CACHE_ERE_H
#define CTYS_CACHE_ERE_H

#include <regex.h>
#include <stdbool.h>

#define ERE_MAX_LEN 4096      /* bytes of pattern */
#define ERE_MAX_COST 4000     /* estimated expanded nodes */

/*
 * Compile `pat` with REG_EXTENDED | REG_NOSUB.  Returns 0, or a regcomp
 * error code, or REG_ESIZE when the guard refuses the pattern; errbuf
 * (may be NULL) gets the message.
 */
int ere_compile(regex_t *re, const char *pat, char *errbuf, size_t errlen);

/* The guard alone: true when `pat` is small enough to compile. */
bool ere_safe(const char *pat);

#endif
