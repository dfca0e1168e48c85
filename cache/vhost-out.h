/*
 * vhost-out.h — ctys-vhost output selection and formatting (-o, -M SORT),
 * cache-db.md §5, ctys-vhost(1).
 *
 * Selected fields are printed in the fixed canonical order (48 positions:
 * the 47 fields with DNS inserted after TCP), joined by ';', whatever their
 * order in -o.  Formats: MACHINE (whole record), CTYSADDRESS, TITLE*,
 * TAB_GEN/REC_GEN/SPEC_GEN/XML_GEN:<colspec>, SORT[:args].  Without any
 * selection the default table TAB_CTYS_VHOST_DEFAULT is printed.
 */
#ifndef CTYS_CACHE_VHOST_OUT_H
#define CTYS_CACHE_VHOST_OUT_H

#include <stdbool.h>

#include "cache/fdb.h"
#include "cache/query.h"
#include "cache/table.h"
#include "lib/buf.h"
#include "lib/err.h"

#define VHOST_NPOS 48
#define TAB_CTYS_VHOST_DEFAULT "3_label_10%2_stype_8%30_accel_5%12_distro_12%" \
	"13_distrorel_15%14_os_10%15_osrel_10%1_PM_15%33_if_7%7_TCP_15"

enum vhost_title { VO_NOTITLE, VO_TITLE, VO_TITLEIDX, VO_TITLEIDXASC };

struct vhost_out {
	bool sel[VHOST_NPOS + 1];  /* canonical positions 1..48 */
	bool machine, ctys, table;
	enum tab_fmt tabfmt;
	struct tab_spec spec;
	enum vhost_title title;
	bool sort, sort_unique, sort_reverse;
	unsigned sort_key;         /* 0 = whole line */
	struct fdb_macmap *macmap; /* -C MACMAP: fill empty TCP/DNS; may be NULL */
};

void vhost_out_init(struct vhost_out *o);
void vhost_out_free(struct vhost_out *o);

/*
 * Add the comma list of one -o argument.  Unknown keyword: CTYS_ERR_USAGE
 * "unknown OUTPUT '<kw>'"; a bad colspec or SORT argument likewise.
 */
ctys_err_t vhost_out_parse(struct vhost_out *o, const char *arg);

/* True when only TCP, MAC and DNS are selected (macmap-only lookups). */
bool vhost_out_only_addr(const struct vhost_out *o);

/* The field number behind canonical position pos (DNS -> 7). */
unsigned vhost_pos_field(unsigned pos);
/* The -o keyword of a canonical position (for messages). */
const char *vhost_pos_name(unsigned pos);

/* Render the records of r (in order) into out. */
void vhost_out_render(const struct vhost_out *o, const struct query_result *r,
    struct buf *out);

/*
 * Sort the lines of text[0..n) in place of `out` (sort(1) in the C locale):
 * key = from ';'/'|'-separated field `key` (1-based, 0 = whole line) to the
 * end of the line, ties by whole line; unique drops lines with equal keys.
 */
void vhost_sort_lines(struct buf *text, char sep, unsigned key, bool unique,
    bool reverse);

#endif
