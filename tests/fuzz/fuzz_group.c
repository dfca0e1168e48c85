/*
 * fuzz_group — group file parser and include/CONTEXT expansion.
 * Input: the text of one group file; it may #include the fixed groups A
 * (plain members), C (CONTEXT), cyc (includes itself) and deep (a chain),
 * written once to a private temporary directory.
 */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "lib/strv.h"
#include "macros/group.h"

int LLVMFuzzerInitialize(int *argc, char ***argv);
int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static char dir[64];

static void
put(const char *name, const char *text)
{
	char path[128];
	FILE *f;

	snprintf(path, sizeof path, "%s/%s", dir, name);
	if ((f = fopen(path, "w")) == NULL)
		abort();
	fputs(text, f);
	fclose(f);
}

static void
cleanup(void)
{
	static const char *const names[] = { "A", "C", "cyc", "deep", "deep2" };
	char path[128];
	size_t i;

	for (i = 0; i < sizeof names / sizeof *names; i++) {
		snprintf(path, sizeof path, "%s/%s", dir, names[i]);
		unlink(path);
	}
	rmdir(dir);
}

int
LLVMFuzzerInitialize(int *argc, char ***argv)
{
	(void)argc;
	(void)argv;
	snprintf(dir, sizeof dir, "/tmp/ctys-fuzz-group-XXXXXX");
	if (mkdtemp(dir) == NULL)
		abort();
	put("A", "# comment\nh1\nh2'(-d 2)'\n");
	put("C", "CONTEXT'(-b sync)'\nh4\nu5@h5'(-c off)'\n");
	put("cyc", "x\n#include cyc\n");
	put("deep", "d1\n#include deep2\n");
	put("deep2", "d2\n#include A C\n");
	atexit(cleanup);
	return 0;
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct grp_env env = { dir, NULL, 6, false };
	struct strv v = STRV_INIT;
	char *out;

	env.dedup = size > 0 && (data[0] & 1);
	if (grp_expand_text(&env, "fuzz", (const char *)data, size, &out) == CTYS_OK) {
		grp_split_targets(out, &v);
		strv_free(&v);
		free(out);
	}
	return 0;
}
