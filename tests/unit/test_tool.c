/*
 * test_tool.c — agents/tool.c: argv without a shell, separate stdout and
 * stderr, exit statuses, the timeout, PATH lookup, the reason line.
 */
#include "agents/tool.h"
#include "lib/xmalloc.h"
#include "testutil.h"

/* tool_reason() compared, then freed. */
static void
reason_is(const struct tool_result *r, const char *want)
{
	char *got = tool_reason(r);

	cr_assert_str_eq(got, want);
	free(got);
}

Test(tool, run_captures_and_status)
{
	const char *argv[] = { "sh", "-c", "echo out; echo 'err line' >&2; exit 3", NULL };
	struct tool_result r;

	cr_assert_eq(tool_run(argv, 5000, &r), 3);
	cr_assert_str_eq(r.out, "out\n");
	cr_assert_str_eq(r.err, "err line\n");
	reason_is(&r, "err line");
	tool_result_free(&r);
}

Test(tool, no_shell_for_arguments)
{
	const char *argv[] = { "echo", "a;b", "$HOME", "`x`", NULL };
	struct tool_result r;

	cr_assert_eq(tool_run(argv, 5000, &r), 0);
	cr_assert_str_eq(r.out, "a;b $HOME `x`\n");
	tool_result_free(&r);
}

Test(tool, missing_and_timeout)
{
	const char *missing[] = { "ctys-no-such-tool-xyz", NULL };
	const char *slow[] = { "sleep", "5", NULL };
	struct tool_result r;
	char path[4096];

	cr_assert_eq(tool_run(missing, 5000, &r), TOOL_NOEXEC);
	cr_assert(strstr(r.err, "No such file") != NULL, "%s", r.err);
	tool_result_free(&r);
	cr_assert_eq(tool_run(slow, 200, &r), TOOL_TIMEOUT);
	reason_is(&r, "timed out");
	tool_result_free(&r);
	cr_assert(tool_which("sh", path, sizeof path));
	cr_assert_not(tool_which("ctys-no-such-tool-xyz", path, sizeof path));
	{
		char *c = tool_cmdline(slow);

		cr_assert_str_eq(c, "sleep 5");
		free(c);
	}
}

Test(tool, reason_from_stdout_or_status)
{
	const char *a[] = { "sh", "-c", "printf '\\n  Error: on stdout  \\n'; exit 255", NULL };
	const char *b[] = { "false", NULL };
	struct tool_result r;

	cr_assert_eq(tool_run(a, 5000, &r), 255);
	reason_is(&r, "Error: on stdout");
	tool_result_free(&r);
	tool_run(b, 5000, &r);
	reason_is(&r, "exit status 1");
	tool_result_free(&r);
}
