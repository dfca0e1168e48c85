/*
 * fuzz_subopt — the suboption scanner and encoder alone: besides "no
 * crash", any text that scans must survive the round trip of
 * subopt_check.h.  fuzz_cli reaches this code too, but only with the keys
 * an action accepts.
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "lib/xmalloc.h"
#include "tests/fuzz/subopt_check.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	char *text;

	if (memchr(data, '\0', size))
		return 0;
	text = xstrndup((const char *)data, size);
	subopt_check_roundtrip(text);
	free(text);
	return 0;
}
