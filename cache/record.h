/*
 * record.h — the 47-field machine record of ENUMERATE=MACHINE, enum.fdb and
 * every ctys-vhost query (actions.md §5.1, ctys-cachedb(5)).
 *
 * A record line is 47 values joined by ';' with no trailing ';', no quoting
 * and no escaping; values may be empty and never contain ';' or '\n'.  The
 * one table rec_fields[] describes every field: number, -o keys and aliases,
 * TITLE name and TITLEIDXASC column.  The parser, the -o selection, title
 * lines and help texts all read it.
 */
#ifndef CTYS_CACHE_RECORD_H
#define CTYS_CACHE_RECORD_H

#include <stdbool.h>
#include <stddef.h>

#include "lib/buf.h"
#include "lib/err.h"

#define REC_NFIELDS 47
#define REC_FIELD_INDEX 32 /* "rsrv": ctys-vhost puts the record index here */

struct rec_field {
	unsigned num;        /* 1..47, canonical position */
	const char *keys;    /* ENUMERATE/ctys-vhost -o keys, "A|B|C" */
	const char *title;   /* TITLE name */
	const char *col;     /* TITLEIDXASC spreadsheet column, "A".."AU" */
};

/* The 47 fields, rec_fields[i].num == i + 1. */
extern const struct rec_field rec_fields[REC_NFIELDS];

/*
 * A parsed record: pointers into one owned buffer.  f[i] is field i + 1
 * (NUL-terminated), len[i] its length.
 */
struct rec {
	char *buf;
	const char *f[REC_NFIELDS];
	size_t len[REC_NFIELDS];
};

/*
 * Parse line[0..n) (no newline) into *r.  Exactly 47 fields are required;
 * otherwise CTYS_ERR_PARSE "record has <k> fields, 47 required".  A NUL or
 * newline byte inside the line is CTYS_ERR_PARSE too.  On success *r owns a
 * copy (free with rec_free); on error *r is left empty.
 */
ctys_err_t rec_parse(const char *line, size_t n, struct rec *r);
void rec_free(struct rec *r);

/* Append the record line of r (47 values joined by ';', no newline). */
void rec_format(const struct rec *r, struct buf *out);

/* Number of ';'-separated fields of line[0..n) (1 for an empty line). */
size_t rec_count_fields(const char *line, size_t n);

/*
 * View of field `num` (1-based; 0 = the whole line, awk's $0) of line[0..n)
 * without copying: sets *len and returns a pointer into line.  A field
 * beyond the last one is empty (as awk's $48).
 */
const char *rec_field_view(const char *line, size_t n, unsigned num, size_t *len);

/*
 * Append line[0..n) with field 32 replaced by the decimal `index` (what
 * ctys-vhost queries and prints).  Lines with fewer than 32 fields are
 * appended unchanged.
 */
void rec_with_index(const char *line, size_t n, unsigned long index, struct buf *out);

/*
 * Plugin order <-> canonical order (actions.md §5.1): plugins emit
 * host;label;id;uuid;mac;disp;cport;sport;vncbase;tcp;type;dist;...
 * rec_from_plugin_order() reorders a parsed plugin record in place to the
 * canonical order; rec_to_plugin_order() does the reverse.
 * rec_plugin_src[i] is the plugin field (1-based) that canonical field i+1
 * comes from.
 */
extern const unsigned char rec_plugin_src[REC_NFIELDS];
void rec_from_plugin_order(struct rec *r);
void rec_to_plugin_order(struct rec *r);

/* Field number for an -o key/alias (any case), 0 if none. */
unsigned rec_field_by_key(const char *word, size_t len);

#endif
