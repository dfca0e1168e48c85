/*
 * fuzz_cli — the ctys command-line grammar: options, suboptions, targets,
 * contexts, subtasks, stack addresses, superposition and plan rendering.
 * Invariant checked besides "no crash": normalized suboptions, each alone
 * and all joined by ",", scan back to the same items.
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "ctys/cli.h"
#include "lib/conf.h"
#include "lib/xmalloc.h"
#include "tests/fuzz/subopt_check.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static struct conf *conf;
	struct cli c;
	struct buf out = BUF_INIT;
	char *line;
	size_t i;

	if (memchr(data, '\0', size))
		return 0;
	if (conf == NULL) {
		setenv("USER", "fuzz", 1);
		conf = conf_new();
	}
	line = xstrndup((const char *)data, size);
	if (cli_parse(&c, conf, NULL, line) == CTYS_OK) {
		plan_render_text(&out, &c.plan);
		plan_render_json(&out, &c.plan);
		for (i = 0; i < c.plan.n; i++)
			subopt_check_roundtrip(c.plan.v[i].opts.subopts);
	}
	cli_free(&c);
	buf_free(&out);
	free(line);
	return 0;
}
