/* Unit tests for ctys/subopt: the suboption scanner (cli-grammar.md §4.1). */
#include "testutil.h"

#include "ctys/subopt.h"
#include "lib/buf.h"

static void
expect(const char *text, size_t n, const char *const *kv)
{
	struct subopts so;
	size_t i;

	cr_assert_eq(subopt_scan(text, &so), CTYS_OK, "'%s': %s", text, ctys_errmsg());
	cr_assert_eq(so.n, n, "'%s': %zu items, want %zu", text, so.n, n);
	for (i = 0; i < n; i++) {
		cr_assert_str_eq(so.v[i].key, kv[2 * i], "'%s' item %zu key", text, i);
		if (kv[2 * i + 1] == NULL)
			cr_assert_null(so.v[i].arg, "'%s' item %zu has arg '%s'", text, i, so.v[i].arg);
		else
			cr_assert_str_eq(so.v[i].arg ? so.v[i].arg : "(null)", kv[2 * i + 1],
			    "'%s' item %zu arg", text, i);
	}
	subopt_free(&so);
}

/* The reference's verified examples. */
Test(subopt, reference_examples)
{
	expect("l:web01,reuse,console:vnc", 3,
	    (const char *[]){ "l", "web01", "reuse", NULL, "console", "vnc" });
	expect("m:00:50:56:aa:00:01,b:/vm%/srv", 2,
	    (const char *[]){ "m", "00:50:56:aa:00:01", "b", "/vm /srv" });
	expect("p:/a/b::c,x", 2, (const char *[]){ "p", "/a/b:c", "x", NULL });
	expect("cmd:ls%-l%%x,c:a,,b", 2, (const char *[]){ "cmd", "ls -l%x", "c", "a,b" });
}

/* Quirk fixed: a one-character item is split from its successor. */
Test(subopt, single_char_items_split)
{
	expect("a,b,c", 3, (const char *[]){ "a", NULL, "b", NULL, "c", NULL });
}

Test(subopt, escapes)
{
	expect("x:a\\,b", 1, (const char *[]){ "x", "a,b" });
	expect("x:a\\:b", 1, (const char *[]){ "x", "a:b" });
	expect("x:%a", 1, (const char *[]){ "x", "%a" });
	expect("x:a%", 1, (const char *[]){ "x", "a%" });
	expect("x:a%%%b", 1, (const char *[]){ "x", "a%%b" });
	expect("x:", 1, (const char *[]){ "x", "" });
	expect("x:it's'", 1, (const char *[]){ "x", "it's" });
	expect("x:'q'", 1, (const char *[]){ "x", "'q'" });
	expect("", 0, NULL);
}

Test(subopt, mac_needs_six_octets)
{
	expect("m:00:50:56:AA:00:01", 1, (const char *[]){ "m", "00:50:56:AA:00:01" });
	cr_assert(subopt_is_mac("0a:1b:2c:3d:4e:5f"));
	cr_assert(!subopt_is_mac("0a:1b:2c:3d:4e"));
	cr_assert(!subopt_is_mac("0a:1b:2c:3d:4e:5g"));
	cr_assert(!subopt_is_mac("0a:1b:2c:3d:4e:5f:6a"));
}

Test(subopt, errors_name_the_item)
{
	struct subopts so;

	cr_assert_eq(subopt_scan("a,,,", &so), CTYS_ERR_USAGE); /* "a," then an empty item */
	cr_assert_eq(subopt_scan(",a", &so), CTYS_ERR_USAGE);
	cr_assert(strstr(ctys_errmsg(), "empty suboption"), "%s", ctys_errmsg());
	cr_assert_eq(subopt_scan("p:/a:b", &so), CTYS_ERR_USAGE);
	cr_assert(strstr(ctys_errmsg(), "'p:/a:b'"), "%s", ctys_errmsg());
	cr_assert(strstr(ctys_errmsg(), "'::'"), "%s", ctys_errmsg());
	cr_assert_eq(subopt_scan(":x", &so), CTYS_ERR_USAGE);
	cr_assert(strstr(ctys_errmsg(), "no keyword"));
	/* a backslash no encoding could write back (found by fuzz_cli) */
	cr_assert_eq(subopt_scan("l:\\\\\\:22s", &so), CTYS_ERR_USAGE);
	cr_assert(strstr(ctys_errmsg(), "right before"), "%s", ctys_errmsg());
	cr_assert_eq(subopt_scan("c:a\\\\,b", &so), CTYS_ERR_USAGE);
	cr_assert_eq(subopt_scan("re\\use", &so), CTYS_ERR_USAGE);
	cr_assert(strstr(ctys_errmsg(), "keyword"), "%s", ctys_errmsg());
}

Test(subopt, encode_reads_back)
{
	static const char *const values[] = { "plain", "a,b", "a:b", "two words", "100%", "%x",
		"00:50:56:aa:00:01", "a,,b::c", "", "ls -l '", "x\"", "'q'", "'", "'x",
		"c:\\dir\\", "\\", "'x\\", "\\\\",
		/* spaces next to spaces and percents (found by fuzz_subopt) */
		"ls -l  x", "a %b", "a% b", "100% %", "a   b", " %% " };
	struct buf b = BUF_INIT;
	struct subopts so;
	size_t i;

	for (i = 0; i < sizeof values / sizeof *values; i++) {
		buf_reset(&b);
		subopt_encode(&b, "KEY", values[i]);
		cr_assert_eq(subopt_scan(buf_cstr(&b), &so), CTYS_OK, "%s", buf_cstr(&b));
		cr_assert_eq(so.n, 1);
		cr_assert_str_eq(so.v[0].arg, values[i], "encoded as %s", buf_cstr(&b));
		subopt_free(&so);
	}
	buf_reset(&b);
	subopt_encode(&b, "REUSE", NULL);
	cr_assert_str_eq(buf_cstr(&b), "REUSE");
	buf_free(&b);
}

Test(subopt, joined_items_read_back)
{
	struct buf b = BUF_INIT;
	struct subopts so;

	/* a trailing backslash must not swallow the joining comma */
	subopt_encode(&b, "B", "c:\\dir\\");
	buf_addc(&b, ',');
	subopt_encode(&b, "A,B", NULL);
	buf_addc(&b, ',');
	subopt_encode(&b, ",CMD", NULL); /* found by fuzz_subopt */
	buf_addc(&b, ',');
	subopt_encode(&b, "REUSE", NULL);
	cr_assert_eq(subopt_scan(buf_cstr(&b), &so), CTYS_OK, "%s: %s", buf_cstr(&b), ctys_errmsg());
	cr_assert_eq(so.n, 4, "%s", buf_cstr(&b));
	cr_assert_str_eq(so.v[0].arg, "c:\\dir\\");
	cr_assert_str_eq(so.v[1].key, "A,B");
	cr_assert_str_eq(so.v[2].key, ",CMD");
	cr_assert_str_eq(so.v[3].key, "REUSE");
	subopt_free(&so);
	buf_free(&b);
}
