/*
 * tool.h — running a hypervisor's command-line tool (xl, VBoxManage,
 * vmrun) for the XEN, VBOX and VMW plugins.
 *
 * The tool is started with an argv (execvp: looked up on PATH, no shell),
 * stdin from /dev/null, stdout and stderr captured separately, bounded in
 * time (TERM, then KILL, to the tool's process group).  Nothing is written
 * to the agent's own stdout, which is the protocol channel.
 */
#ifndef CTYS_AGENTS_TOOL_H
#define CTYS_AGENTS_TOOL_H

#include <stdbool.h>
#include <stddef.h>

/* Exit statuses made here (besides the tool's own 0..255). */
#define TOOL_TIMEOUT 124   /* killed after the timeout */
#define TOOL_NOEXEC 127    /* not found or not executable */

/* Default timeout of one call, ms ($CTYS_TOOL_TIMEOUT in seconds overrides). */
#define TOOL_DEFAULT_TIMEOUT_MS 60000

#define TOOL_MAX_OUTPUT (4 * 1024 * 1024)  /* more is read and dropped */

struct tool_result {
	char tool[64]; /* base name of argv[0], for tool_explain() */
	int status;    /* exit status, 128+signal, TOOL_TIMEOUT or TOOL_NOEXEC */
	char *out;     /* stdout, NUL-terminated (never NULL after tool_run) */
	char *err;     /* stderr, NUL-terminated */
	size_t out_len, err_len;
};

/*
 * Run argv[0] (PATH lookup) with argv, at most timeout_ms (0: the default).
 * Always fills *r (free with tool_result_free); returns r->status.
 */
int tool_run(const char *const *argv, int timeout_ms, struct tool_result *r);
void tool_result_free(struct tool_result *r);

/* Full path of an executable `name` on $PATH into path[n]; false if none. */
bool tool_which(const char *name, char *path, size_t n);

/* argv joined by blanks, for messages ("xl create /vm/a.conf"). Caller frees. */
char *tool_cmdline(const char *const *argv);

/*
 * The first line of r's stderr that mentions "error" (any case), else its
 * first non-empty line, else the same of its stdout, else "exit status
 * <n>" — the reason shown when a call failed.  Caller frees.
 */
char *tool_reason(const struct tool_result *r);

/*
 * tool_reason() with what it means when the tool's output matches one of
 * the known failures of xl, VBoxManage and vmrun (hypervisor not running,
 * machine not found, permission denied, ...): "<meaning> (<tool>:
 * <reason>)"; else just the reason.  Caller frees.
 */
char *tool_explain(const struct tool_result *r);

/*
 * Start argv (PATH lookup) detached: its own session, stdio on /dev/null,
 * not waited for (viewers and terminals of consoles).  False with the
 * reason in why[n] when it is not on PATH or cannot be executed.
 */
bool tool_spawn(const char *const *argv, char *why, size_t n);

/* ---- for plugins: a call on behalf of a job ---- */

struct pjob;

/*
 * Run argv for job j: on failure the lines of the tool's stderr (and, when
 * stderr is empty, of its stdout: vmrun reports errors there) become
 * "stderr" messages of the job.  Returns the status; *r filled as above.
 */
int tool_job_call(const struct pjob *j, const char *const *argv, struct tool_result *r);

/*
 * tool_job_call; on success an "info" message "<cmdline>: done" and true;
 * on failure status 2 "'<cmdline>' failed: <tool_explain>" is sent and
 * false.
 */
bool tool_job_do(const struct pjob *j, const char *const *argv);

#endif
