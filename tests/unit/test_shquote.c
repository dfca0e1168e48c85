/* Unit tests for lib/shquote: every hostile string survives a real sh. */
#include "testutil.h"

#include <sys/wait.h>

#include "lib/shquote.h"
#include "lib/xmalloc.h"

/* Run `sh -c 'printf "%s\0" <quoted>'` and return what sh saw as argv[1]. */
static char *
through_sh(const char *word)
{
	struct buf cmd = BUF_INIT, out = BUF_INIT;
	char chunk[256];
	size_t n;
	FILE *p;

	buf_adds(&cmd, "printf '%s\\0' ");
	shquote_arg(&cmd, word);
	/* popen runs /bin/sh -c <cmd>: exactly the remote situation. */
	p = popen(buf_cstr(&cmd), "r");
	cr_assert_not_null(p);
	while ((n = fread(chunk, 1, sizeof chunk, p)) > 0)
		buf_add(&out, chunk, n);
	cr_assert_eq(pclose(p), 0, "sh failed on %s", buf_cstr(&cmd));
	buf_free(&cmd);
	cr_assert(out.len >= 1 && out.d[out.len - 1] == '\0', "no NUL terminator");
	return buf_detach(&out);
}

static const char *const hostile[] = {
	"plain",
	"",
	"two words",
	"it's",
	"'",
	"''",
	"\"double\"",
	"$(touch /tmp/ctys-pwned)",
	"`touch /tmp/ctys-pwned`",
	"a;b",
	"a && b || c",
	"line1\nline2",
	"\ttab",
	"$HOME",
	"${HOME}",
	"*",
	"~",
	"#comment",
	"-n",
	"a\\b",
	"\\",
	"!event",
	"<in >out 2>&1",
	"(sub)",
	"{a,b}",
	"x='y'\"z\"$w`v`",
	"\x01\x7f\xc3\xa4",
};

Test(shquote, hostile_strings_roundtrip_through_sh)
{
	size_t i;

	unlink("/tmp/ctys-pwned");
	for (i = 0; i < sizeof hostile / sizeof *hostile; i++) {
		char *got = through_sh(hostile[i]);

		cr_assert_str_eq(got, hostile[i], "word %zu changed by the shell", i);
		free(got);
	}
	cr_assert(access("/tmp/ctys-pwned", F_OK) != 0, "a command was executed");
}

Test(shquote, safe_words_stay_bare)
{
	struct buf b = BUF_INIT;

	shquote_arg(&b, "CREATE=L:vm1,REUSE");
	cr_assert_str_eq(buf_cstr(&b), "CREATE=L:vm1,REUSE");
	buf_reset(&b);
	shquote_arg(&b, "");
	cr_assert_str_eq(buf_cstr(&b), "''");
	buf_reset(&b);
	shquote_arg(&b, "it's");
	cr_assert_str_eq(buf_cstr(&b), "'it'\\''s'");
	buf_free(&b);
}

Test(shquote, argv_joined_with_spaces)
{
	struct strv sv = STRV_INIT;
	char *s;

	strv_push(&sv, "ctys");
	strv_push(&sv, "-a");
	strv_push(&sv, "list");
	strv_push(&sv, "a b");
	s = shquote_strv(&sv);
	cr_assert_str_eq(s, "ctys -a list 'a b'");
	free(s);
	strv_free(&sv);
}
