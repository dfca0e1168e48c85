/*
 * fuzz_macro — macro file parser and MACRO: expansion.
 * Input: macro file text, a line "===", then the command line to expand
 * (no separator: all of it is the command line, the file is empty).  %EVAL
 * is disabled, so no input ever reaches a shell.
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "macros/macro.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static const char sep[] = "\n===\n";
	struct macro_env env = { NULL, NULL, MACRO_MAXRECURSE_DEFAULT, true };
	struct macro_file *mf = NULL;
	const char *s = (const char *)data, *cut = NULL, *v;
	char *line, *out;
	size_t i, flen = 0;

	for (i = 0; i + sizeof sep - 1 <= size; i++)
		if (memcmp(s + i, sep, sizeof sep - 1) == 0) {
			cut = s + i;
			break;
		}
	if (cut) {
		flen = (size_t)(cut - s) + 1;
		s = cut + sizeof sep - 1;
	}
	line = strndup(s, size - (size_t)(s - (const char *)data));
	if (macro_file_parse("fuzz", (const char *)data, flen, &mf) == CTYS_OK) {
		for (i = 0; i < macro_file_count(mf); i++)
			(void)macro_lookup(mf, macro_file_def(mf, i)->name, &v);
		if (macro_expand_in(&env, mf, line, &out) == CTYS_OK) {
			if (strlen(out) > MACRO_EXPAND_MAX)
				abort();
			free(out);
		}
		macro_file_free(mf);
	}
	free(line);
	return 0;
}
