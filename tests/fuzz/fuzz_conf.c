/*
 * fuzz_conf — the configuration reader (lib/conf.c): ctys.conf.sh read
 * without a shell (assignments, export, quotes, escapes, ${VAR:-x},
 * ${VAR:=x}, comments; anything else an error naming the line).
 * Invariants: an error names the file; after a successful load every
 * variable the text assigned last can be read back, and loading the same
 * text twice gives the same values (no state leaks between loads).
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "lib/conf.h"
#include "lib/err.h"
#include "lib/xmalloc.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static const char *const probe[] = { "A", "B", "CTYS_TIMEOUT", "HOME", "X_1", "_" };
	struct conf *a, *b;
	char *text;
	ctys_err_t ea, eb;
	size_t i;

	if (memchr(data, '\0', size))
		return 0;
	text = xstrndup((const char *)data, size);
	a = conf_new();
	b = conf_new();
	ea = conf_load_string(a, "fuzz.conf", text);
	if (ea != CTYS_OK && strstr(ctys_errmsg(), "fuzz.conf") == NULL)
		abort();
	ctys_errclear();
	eb = conf_load_string(b, "fuzz.conf", text);
	ctys_errclear();
	if (ea != eb)
		abort();
	for (i = 0; i < sizeof probe / sizeof *probe; i++) {
		const char *va = conf_get(a, probe[i]), *vb = conf_get(b, probe[i]);

		if ((va == NULL) != (vb == NULL) || (va && strcmp(va, vb) != 0))
			abort();
	}
	conf_free(a);
	conf_free(b);
	free(text);
	return 0;
}
