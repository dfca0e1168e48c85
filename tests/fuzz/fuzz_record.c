/*
 * fuzz_record — the record line parser and the .fdb readers: rec_parse,
 * rec_format round trip, field views, the static-cache derivation and the
 * macmap parser on arbitrary bytes.
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "cache/fdb.h"
#include "cache/record.h"
#include "lib/buf.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	const char *s = (const char *)data;
	struct fdb_entry *ent = NULL;
	struct fdb_macmap mm;
	struct buf b = BUF_INIT;
	struct rec r;
	size_t n = 0, fl, i;
	uint32_t lines;
	char *copy;

	if (rec_parse(s, size, &r) == CTYS_OK) {
		rec_format(&r, &b);
		if (b.len != size || memcmp(b.d, s, size) != 0)
			abort();
		rec_from_plugin_order(&r);
		rec_to_plugin_order(&r);
		buf_reset(&b);
		rec_format(&r, &b);
		if (b.len != size || memcmp(b.d, s, size) != 0)
			abort();
		rec_free(&r);
	}
	for (i = 0; i <= 48; i++) {
		const char *f = rec_field_view(s, size, (unsigned)i, &fl);

		if (f < s || f + fl > s + size)
			abort();
	}
	buf_reset(&b);
	rec_with_index(s, size, 123456, &b);
	/* the .fdb readers want a NUL-terminated buffer, as fdb_read gives */
	copy = malloc(size + 1);
	memcpy(copy, data, size);
	copy[size] = '\0';
	if (fdb_macmap_parse("macmap.fdb", copy, size, &mm) == CTYS_OK) {
		if (fdb_statcache("enum.fdb", copy, size, &mm, &ent, &n, &lines) == CTYS_OK) {
			struct fdb_entry **v = malloc((n + 1) * sizeof *v);

			for (i = 0; i < n; i++)
				v[i] = &ent[i];
			fdb_sort(v, n);
			free(v);
			fdb_entries_free(ent, n);
		}
		fdb_macmap_free(&mm);
	}
	free(copy);
	buf_free(&b);
	return 0;
}
