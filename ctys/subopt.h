/*
 * subopt.h — the suboption scanner: "-a ACTION=<subopts>" and other
 * comma lists (cli-grammar.md §4.1).
 *
 *   subopts = subopt { "," subopt } ;  subopt = key [ ":" arg ] ;
 *
 * - "," separates items; ",," and "\," are a literal comma.  (The
 *   original's regex failed to split a one-character item from its
 *   successor, "a,b,c" -> "a", "b,c"; we split correctly.)
 * - The key is the text before the first ":" (matched case-insensitively
 *   by the consumer); the argument follows it.  "::" and "\:" are literal
 *   colons.  A complete MAC address (six two-hex-digit fields) stays whole.
 *   A further single ":" in an argument is an error (the original silently
 *   dropped everything after it).
 * - In the argument "%" between two non-"%" characters is a space and
 *   "%%" is a literal "%"; a "%" at either end stays.
 * - A trailing quote not matched by a leading one is removed.
 * Keys keep their case here; values always keep theirs.
 */
#ifndef CTYS_SUBOPT_H
#define CTYS_SUBOPT_H

#include <stdbool.h>
#include <stddef.h>

#include "lib/buf.h"
#include "lib/err.h"

struct subopt {
	char *key;      /* as written, e.g. "l" */
	char *arg;      /* decoded argument, NULL when the item had no ":" */
};

struct subopts {
	struct subopt *v;
	size_t n;
};

/*
 * Scan `text` into items.  An empty text gives zero items.  Empty items
 * ("a,,,b" is "a," then "b"... see tests) and bad colons are errors
 * (CTYS_ERR_USAGE naming the item).
 */
ctys_err_t subopt_scan(const char *text, struct subopts *out);
void subopt_free(struct subopts *so);

/* Decode "%" escapes of one value (spaces, "%%"). Caller frees. */
char *subopt_decode_percent(const char *s, size_t len);

/*
 * Append the canonical encoding of one item: `key` as given (callers pass
 * the canonical upper-case name; "," doubled), ":" and the argument
 * re-escaped so that subopt_scan() reads back the same item, alone or
 * joined to others by "," (",," for ",", "::" for ":" except in a MAC
 * address, "%" for a space, "%%" for "%", a quote after a trailing '\').
 * Items subopt_scan() returned can always be encoded; it refuses the
 * values no escape could write ('\' before "," or ":", '\' in a key).
 */
void subopt_encode(struct buf *out, const char *key, const char *arg);

/* True when s is six ':'-separated two-hex-digit fields. */
bool subopt_is_mac(const char *s);

#endif
