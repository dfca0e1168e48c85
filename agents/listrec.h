/*
 * listrec.h — the 22-field LIST record (actions.md §4.1): the running
 * sessions that LIST reports, one table for keys, titles and the mapping
 * from the plugins' internal order.
 */
#ifndef CTYS_AGENTS_LISTREC_H
#define CTYS_AGENTS_LISTREC_H

#include <stddef.h>

#define LREC_NFIELDS 22

struct lrec_field {
	unsigned num;         /* 1..22, output position */
	const char *keys;     /* LIST=<key> selectors, "A|B" */
	const char *title;    /* TITLE name */
};

extern const struct lrec_field lrec_fields[LREC_NFIELDS];

/* Output field i (0-based) is taken from internal field lrec_src[i] (1-based). */
extern const unsigned char lrec_src[LREC_NFIELDS];

/* Field number (1..22) for a selector word, 0 when unknown. */
unsigned lrec_field_by_key(const char *word, size_t len);

#endif
