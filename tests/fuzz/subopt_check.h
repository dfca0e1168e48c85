/*
 * subopt_check.h — the suboption round trip that fuzz_cli and fuzz_subopt
 * both assert: items scanned from `text` encode back, each alone and all
 * joined by ",", to text that scans to the same items.  Aborts (a libFuzzer
 * finding) when not; text that does not scan is not checked.
 */
#ifndef CTYS_FUZZ_SUBOPT_CHECK_H
#define CTYS_FUZZ_SUBOPT_CHECK_H

#include <stdbool.h>
#include <stdlib.h>
#include <string.h>

#include "ctys/subopt.h"
#include "lib/buf.h"

static bool
subopt_check_same(const struct subopt *x, const struct subopt *y)
{
	return strcmp(x->key, y->key) == 0 && (x->arg == NULL) == (y->arg == NULL) &&
	    (x->arg == NULL || strcmp(x->arg, y->arg) == 0);
}

static void
subopt_check_roundtrip(const char *text)
{
	struct subopts a, b;
	struct buf one = BUF_INIT, all = BUF_INIT;
	size_t i;

	if (text == NULL || subopt_scan(text, &a) != CTYS_OK)
		return;
	for (i = 0; i < a.n; i++) {
		buf_reset(&one);
		subopt_encode(&one, a.v[i].key, a.v[i].arg);
		if (subopt_scan(buf_cstr(&one), &b) != CTYS_OK || b.n != 1 ||
		    !subopt_check_same(&a.v[i], &b.v[0]))
			abort();
		subopt_free(&b);
		if (i)
			buf_addc(&all, ',');
		subopt_encode(&all, a.v[i].key, a.v[i].arg);
	}
	if (a.n) {
		if (subopt_scan(buf_cstr(&all), &b) != CTYS_OK || b.n != a.n)
			abort();
		for (i = 0; i < a.n; i++)
			if (!subopt_check_same(&a.v[i], &b.v[i]))
				abort();
		subopt_free(&b);
	}
	subopt_free(&a);
	buf_free(&one);
	buf_free(&all);
}

#endif
