/*
 * fuzz_render — the LIST/ENUMERATE output layer on arbitrary bytes: the
 * suboption/colspec/SORT/TAB_TCP parsing (render_check, tab_parse,
 * tab_sort_parse) and the rendering of records of any field count.
 *
 * Input: byte 0 = flags (1 LIST else ENUMERATE, 2 -X, 4 -o json, 8 two
 * jobs), then the suboption text up to the first '\n', then one record per
 * line, fields separated by ';'.  Invariant: render_new accepts exactly the
 * suboptions render_check accepts.
 */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cache/table.h"
#include "ctys/action.h"
#include "ctys/render.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

#define MAXF 64

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	const struct action_def *a;
	struct tab_spec spec;
	struct tab_sort so;
	struct render *r;
	char *text, *nl, *p, *od = NULL;
	const char *f[MAXF];
	size_t on = 0, n, rec = 0;
	unsigned flags;
	FILE *o;
	ctys_err_t e;

	if (size < 1)
		return 0;
	flags = data[0];
	text = malloc(size);
	memcpy(text, data + 1, size - 1);
	text[size - 1] = '\0';
	nl = strchr(text, '\n');
	if (nl)
		*nl = '\0';
	a = action_lookup(flags & 1 ? "LIST" : "ENUMERATE", flags & 1 ? 4 : 9);
	if (tab_parse(text, &spec) == CTYS_OK)
		tab_free(&spec);
	(void)tab_sort_parse(text, true, &so);
	e = render_check(a, text);
	o = open_memstream(&od, &on);
	r = render_new(a, text, flags & 2, flags & 4 ? "json" : NULL, 2, o, o);
	if ((e == CTYS_OK) != (r != NULL) && !(flags & 4))
		abort();
	if (r != NULL) {
		struct render_job j = { "t", "h", "u", "ALL", flags & 16 ? "USRLST=a" : NULL };

		render_set_resolver(r, NULL, NULL);
		render_begin(r);
		render_job_begin(r, 0, &j);
		for (p = nl ? nl + 1 : NULL; p && *p; rec++) {
			char *end = strchr(p, '\n'), *s;

			if (end)
				*end = '\0';
			n = 0;
			for (s = p; n < MAXF;) {
				char *c = strchr(s, ';');

				f[n++] = s;
				if (c == NULL)
					break;
				*c = '\0';
				s = c + 1;
			}
			if (n > 2 && strcmp(f[1], "\x01") == 0)
				f[2] = NULL; /* a non-string field */
			render_record(r, (flags & 8) ? rec % 2 : 0, "h", flags & 32 ? "list" : "enum",
			    n > 1 ? f[1] : "X", f, n);
			if ((flags & 8) && rec % 3 == 2)
				render_job_end(r, rec % 2);
			p = end ? end + 1 : NULL;
		}
		render_job_end(r, 0);
		render_job_end(r, 1);
		render_finish(r);
		render_free(r);
	}
	fclose(o);
	free(od);
	free(text);
	return 0;
}
