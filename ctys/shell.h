/*
 * shell.h — the interactive ctys shell (ctys(1), CTYS-SHELL) and the
 * completion data it shares with the generated bash completion.
 *
 * `ctys` without arguments on a terminal, or `ctys --shell [options]`,
 * reads command lines with GNU readline.  Each line is a ctys command line
 * without the leading "ctys" (a leading "ctys" word is dropped), split into
 * words and unquoted as sh would do it, prefixed with the session defaults
 * (`set`) and run by ctys_run_line() (ctys/run.h) in a child process, so a
 * crash, an exit or an abort never ends the shell.  Built-ins: help, set,
 * unset, show, last, history, exit, quit (shell_builtin_names).
 *
 * Ctrl-C while a command runs is relayed to it: the first asks the
 * dispatcher for the state of every job (dispatch.h, DISPATCH_CANCEL_STATUS),
 * the second aborts it (jobs reported "cancelled", status 130, its process
 * group ended), a third, or 3 s after the second, kills it.  At the prompt
 * Ctrl-C discards the line; Ctrl-D exits.
 *
 * Completion candidates come from opt_table, action_table (and the
 * suboption tables), plugin_table, the group files along CTYS_GROUPS_PATH,
 * the macro file CTYS_MACRO_DB and the machine cache of every DBPATHLST
 * directory — loaded on the first TAB that needs them, never at start-up.
 */
#ifndef CTYS_SHELL_H
#define CTYS_SHELL_H

#include <stdbool.h>
#include <stddef.h>
#include <stdio.h>

#include "lib/buf.h"
#include "lib/conf.h"
#include "lib/strv.h"

/* Longest input (one command with its continuation lines), bytes. */
#define SHELL_MAX_INPUT (4u * 1024 * 1024)
/* Most continuation lines of one command. */
#define SHELL_MAX_CONT 1000
/* History entries kept in ~/.ctys/history. */
#define SHELL_HISTORY_MAX 1000
/* Output of the last command kept for `last`, bytes. */
#define SHELL_LAST_MAX (1024 * 1024)

/*
 * Run the shell.  argv[0..argc) are option words that become the session
 * defaults (as `set` would add them).  Returns the exit status: the
 * argument of `exit`, else the status of the last command.
 */
int shell_main(int argc, char **argv);

/*
 * `ctys --completion ...`: "bash" prints the bash completion script
 * (conf/ctys.bash-completion is this output); "words KIND PREFIX" prints
 * the dynamic candidates the script asks for, KIND groups, macros or
 * hosts, one per line.  Returns the exit status.
 */
int shell_completion_main(int argc, char **argv);

/* The names of the built-in commands, NULL-terminated. */
extern const char *const shell_builtin_names[];

/* ---- lexical helpers (shell_lex.c) -------------------------------------- */

/*
 * What is still open at the end of `s`: the innermost unclosed '(' '{' '['
 * or quote ('\'' '"'), or 0 when the text is complete.  Brackets inside
 * quotes do not count; a closing bracket without its opener is left to the
 * grammar to report.
 */
char shell_open_char(const char *s);

/*
 * Split a line into words as sh does: blanks separate, '...' and "..."
 * and backslash quote (the quotes are removed), nothing is expanded.
 * Appends to *out.  Returns false (nothing appended) on an unterminated
 * quote.
 */
bool shell_split(const char *s, struct strv *out);

/* ---- completion (shell_complete.c) --------------------------------------- */

struct shell_comp;

/* Completion state over a loaded configuration (borrowed). */
struct shell_comp *shell_comp_new(const struct conf *conf);
void shell_comp_free(struct shell_comp *sc);

/*
 * The candidates for the word line[start..end) of the input line (start
 * and end as readline computes them with SHELL_WORD_BREAKS), each the
 * whole replacement for that word, sorted, unique.  Appends to *out.
 */
void shell_complete(struct shell_comp *sc, const char *line, size_t start, size_t end,
	struct strv *out);

/* Where readline splits words for completion. */
#define SHELL_WORD_BREAKS " \t\n(){}[],="

/* Dynamic candidate lists: "groups", "macros", "hosts" (NULL if unknown). */
const struct strv *shell_comp_list(struct shell_comp *sc, const char *kind);

/* The bash completion script, generated from the tables. */
void shell_bash_script(struct buf *out);

/* Help text for a topic (built-in, option letter, action, type), or false. */
bool shell_help_topic(struct buf *out, const char *topic);

#endif
