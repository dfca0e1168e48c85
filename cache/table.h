/*
 * table.h — the generic table and record formats of LIST, ENUMERATE and
 * ctys-vhost (actions.md §6): TAB_GEN, REC_GEN, SPEC_GEN, XML_GEN.
 *
 *   colspec = col { "%" col }
 *   col     = <field-index> [ "_" <title> [ "_" <width> [ "_" <policy> ] ] ]
 *   policy  = "L" (keep the right-most width chars) | "B" (break into lines)
 *
 * Rows are arrays of strings; a column's field index is 1-based into them
 * (an index beyond the row is an empty value).  The renderer knows nothing
 * about records: LIST (22 fields) and ENUMERATE (47) reuse it.
 */
#ifndef CTYS_CACHE_TABLE_H
#define CTYS_CACHE_TABLE_H

#include <stdbool.h>
#include <stddef.h>

#include "lib/buf.h"
#include "lib/err.h"

#define TAB_DEFAULT_WIDTH 10
#define TAB_MAX_BREAK 50  /* continuation lines of a B column */

enum tab_policy { TAB_CUT = 0, TAB_LEFT = 'L', TAB_BREAK = 'B' };
enum tab_fmt { TAB_FMT_TAB, TAB_FMT_REC, TAB_FMT_SPEC, TAB_FMT_XML };

struct tab_col {
	unsigned field;     /* 1-based */
	char *title;        /* the given title, or the field index as text */
	unsigned width;     /* as given; 0 when missing or 0 */
	bool width_given;   /* a width was written (even "0") */
	enum tab_policy policy;
};

struct tab_spec {
	struct tab_col *cols;
	size_t n;
};

/*
 * Parse a colspec (after "%%" -> "%" by the caller, if wanted).  Errors
 * (CTYS_ERR_USAGE naming the column): empty column, non-numeric index or
 * width, index 0, unknown policy, more than 4 parts.
 */
ctys_err_t tab_parse(const char *spec, struct tab_spec *out);
void tab_free(struct tab_spec *s);

/* TAB_GEN title line and dash line (each ends with '\n'). */
void tab_header(struct buf *out, const struct tab_spec *s);
/*
 * With TITLEIDX: the extra header line of "<i>(<field>)" cells.
 */
void tab_header_idx(struct buf *out, const struct tab_spec *s);

/*
 * Render one row in `fmt`.  recno (1-based) numbers REC/SPEC/XML records.
 * Widths: TAB missing/0 -> 10; REC/SPEC/XML missing -> 10, explicit 0 ->
 * unpadded.  Values are cut (policy none), right-cut (L) or broken into
 * continuation lines (B, TAB only: other cells blank; max 50 lines; in
 * REC/SPEC/XML a B column prints its value unbroken).
 */
void tab_row(struct buf *out, enum tab_fmt fmt, const struct tab_spec *s,
    const char *const *fields, size_t nfields, size_t recno);

/* ---- SORT (actions.md §6.4) -------------------------------------------- */

/*
 * SORT[:<arg>[%<arg>...]], arg = ALL|A | EACH | UNIQUE|U | REVERSE|R | <1-3
 * digit field>.  key 0 = whole line.
 */
struct tab_sort {
	bool on;        /* SORT was given */
	bool each;      /* EACH: per target (else ALL: across all targets) */
	bool unique;    /* sort -u: drop lines whose key equals the previous one */
	bool reverse;   /* sort -r */
	unsigned key;   /* -k <key>, 1-based; 0 = whole line */
};

/*
 * Parse the argument of SORT (may be NULL or empty) into *o (o->on set).
 * Arguments are separated by '%' or ' ' (the suboption scanner turns a
 * single '%' into a space).  Errors (CTYS_ERR_USAGE naming the argument):
 * unknown word, a number of more than 3 digits, and with key_required_pos
 * the number 0.
 */
ctys_err_t tab_sort_parse(const char *arg, bool key_required_pos, struct tab_sort *o);

/*
 * One line (or the sort key line of a record) to sort.  s[0..n) is not
 * NUL-terminated; idx is the caller's; key/kn are set by tab_sort_items.
 */
struct tab_sort_item {
	const char *s;
	size_t n;
	size_t idx;
	const char *key;
	size_t kn;
};

/*
 * Sort v[0..n) in place like sort(1) in the C locale with -t sep -k key
 * (key from field `key` to the end of the line; ties by the whole line),
 * -r and -u as o says.  Returns the number of items kept (unique).
 */
size_t tab_sort_items(struct tab_sort_item *v, size_t n, char sep, const struct tab_sort *o);

/* Sort the '\n'-terminated lines of *text in place (tab_sort_items). */
void tab_sort_lines(struct buf *text, char sep, const struct tab_sort *o);

#endif
