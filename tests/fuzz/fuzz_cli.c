/*
 * fuzz_cli — the ctys command-line grammar: options, suboptions, targets,
 * contexts, subtasks, stack addresses, superposition and plan rendering.
 * Invariant checked besides "no crash": normalized suboptions, each alone
 * and all joined by ",", scan back to the same items.
 */
#include <stdbool.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "ctys/cli.h"
#include "lib/conf.h"
#include "lib/xmalloc.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static bool
same_item(const struct subopt *x, const struct subopt *y)
{
	return strcmp(x->key, y->key) == 0 && (x->arg == NULL) == (y->arg == NULL) &&
	    (x->arg == NULL || strcmp(x->arg, y->arg) == 0);
}

static void
check_roundtrip(const struct job *j)
{
	struct subopts a, b;
	struct buf t = BUF_INIT, all = BUF_INIT;
	size_t i;

	if (j->opts.subopts == NULL || subopt_scan(j->opts.subopts, &a) != CTYS_OK)
		return;
	for (i = 0; i < a.n; i++) {
		buf_reset(&t);
		subopt_encode(&t, a.v[i].key, a.v[i].arg);
		if (subopt_scan(buf_cstr(&t), &b) != CTYS_OK || b.n != 1 || !same_item(&a.v[i], &b.v[0]))
			abort();
		subopt_free(&b);
		if (i)
			buf_addc(&all, ',');
		subopt_encode(&all, a.v[i].key, a.v[i].arg);
	}
	if (a.n && (subopt_scan(buf_cstr(&all), &b) != CTYS_OK || b.n != a.n))
		abort();
	for (i = 0; a.n && i < a.n; i++)
		if (!same_item(&a.v[i], &b.v[i]))
			abort();
	if (a.n)
		subopt_free(&b);
	subopt_free(&a);
	buf_free(&t);
	buf_free(&all);
}

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
			check_roundtrip(&c.plan.v[i]);
	}
	cli_free(&c);
	buf_free(&out);
	free(line);
	return 0;
}
