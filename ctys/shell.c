/* shell.c — see shell.h (the interactive shell). */
#include "agents/exec.h"
#include "ctys/shell.h"

#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <stdlib.h>
#include <string.h>
#include <dirent.h>
#include <sys/prctl.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include <readline/history.h>
#include <readline/readline.h>

#include "ctys/cli.h"
#include "ctys/dispatch.h"
#include "ctys/expand.h"
#include "ctys/run.h"
#include "lib/log.h"
#include "lib/paths.h"
#include "lib/util.h"
#include "lib/xmalloc.h"

#define PROMPT "ctys> "
#define PROMPT_CONT "> "
/* After the second Ctrl-C a command gets this long to end by itself (ms). */
#define ABORT_GRACE_MS 3000

struct shell {
	struct conf *conf;
	struct shell_comp *comp;
	char *defaults;          /* options added with set, "" when none */
	char *histfile;          /* NULL: no history file */
	bool tty;                /* readline on a terminal */
	int status;              /* of the last command */
	/* the last command: its line and its output, chunks "<fd><len:8 hex><data>" */
	char *last_line;
	struct buf last;
	bool last_truncated;
	int last_status;
	/* the input being read */
	struct buf pending;
	unsigned ncont;
	char *line;              /* from the readline callback */
	bool got_line, eof;
};

static struct shell *g_sh;       /* for the readline callbacks */
static int g_sigpipe[2] = { -1, -1 };

/* ---- signals --------------------------------------------------------------- */

static void
on_sigint(int sig)
{
	int e = errno;
	char c = (char)sig;

	if (g_sigpipe[1] >= 0 && write(g_sigpipe[1], &c, 1) < 0) {
		/* full: a Ctrl-C is pending already */
	}
	errno = e;
}

static int
drain_sigpipe(void)
{
	char b[64];
	ssize_t n;
	int count = 0;

	while ((n = read(g_sigpipe[0], b, sizeof b)) > 0)
		count += (int)n;
	return count;
}

/* ---- the child that runs one command -------------------------------------- */

static volatile sig_atomic_t child_cancel;

static void
child_on_sigint(int sig)
{
	(void)sig;
	if (child_cancel < DISPATCH_CANCEL_ABORT)
		child_cancel++;
}

static void
child_abort(void *ctx)
{
	(void)ctx;
	job_children_kill(500);
	fflush(stdout);
	fflush(stderr);
	_exit(DISPATCH_CANCELLED);
}

static void
write_all(int fd, const char *d, size_t n)
{
	while (n > 0) {
		ssize_t k = write(fd, d, n);

		if (k < 0 && errno == EINTR)
			continue;
		if (k <= 0)
			return;
		d += k;
		n -= (size_t)k;
	}
}

static void
keep_output(struct shell *sh, int fd, const char *d, size_t n)
{
	if (sh->last.len + n + 9 > SHELL_LAST_MAX) {
		sh->last_truncated = true;
		return;
	}
	buf_addf(&sh->last, "%c%08zx", fd == 1 ? 'o' : 'e', n);
	buf_add(&sh->last, d, n);
}

/* Start time (clock ticks since boot) and parent of a process, false if gone. */
static bool
proc_stat(pid_t pid, unsigned long long *start, pid_t *ppid)
{
	char path[64], b[1024], *p;
	FILE *f;
	size_t n;
	int k;

	snprintf(path, sizeof path, "/proc/%ld/stat", (long)pid);
	if ((f = fopen(path, "r")) == NULL)
		return false;
	n = fread(b, 1, sizeof b - 1, f);
	fclose(f);
	b[n] = '\0';
	if ((p = strrchr(b, ')')) == NULL)
		return false;
	/* fields after the name: state(3) ppid(4) ... starttime(22) */
	p += 2;
	for (k = 3; k < 22 && p; k++) {
		if (k == 4)
			*ppid = (pid_t)strtol(p, NULL, 10);
		p = strchr(p, ' ');
		if (p)
			p++;
	}
	if (p == NULL)
		return false;
	*start = strtoull(p, NULL, 10);
	return true;
}

/*
 * After an abort: the shell is a child subreaper, so what the command
 * started in other process groups (a local CLI command) and left behind is
 * now a child of the shell.  End those started since the command.
 */
static void
kill_leftovers(unsigned long long since)
{
	DIR *d = opendir("/proc");
	struct dirent *e;

	if (d == NULL)
		return;
	while ((e = readdir(d)) != NULL) {
		pid_t pid = (pid_t)strtol(e->d_name, NULL, 10), ppid = 0;
		unsigned long long st;

		if (pid <= 0 || !proc_stat(pid, &st, &ppid) || ppid != getpid() || st < since)
			continue;
		kill(-pid, SIGTERM);
		kill(pid, SIGTERM);
	}
	closedir(d);
	while (waitpid(-1, NULL, WNOHANG) > 0)
		;
}

/* Copy what the pipe has; false at its end. */
static bool
relay(struct shell *sh, int from, int to)
{
	char b[16384];
	ssize_t n = read(from, b, sizeof b);

	if (n < 0 && (errno == EINTR || errno == EAGAIN))
		return true;
	if (n <= 0)
		return false;
	write_all(to, b, (size_t)n);
	keep_output(sh, to, b, (size_t)n);
	return true;
}

/*
 * Run one command line in a child in its own process group (so the
 * terminal's Ctrl-C reaches only the shell, which relays it), with stdin
 * from /dev/null and stdout/stderr through pipes that the shell copies to
 * its own and keeps for `last`.
 */
static int
run_command(struct shell *sh, const char *line)
{
	int out[2], err[2], st = 0, nint = 0;
	bool open_out = true, open_err = true, exited = false;
	long long deadline = 0;
	unsigned long long since = 0;
	sigset_t block, old;
	pid_t pid;

	fflush(stdout);
	fflush(stderr);
	if (pipe(out) != 0 || pipe(err) != 0) {
		log_error("cannot run the command: %s", strerror(errno));
		return 2;
	}
	drain_sigpipe();
	/* the child must never run the shell's handler: block until it has its own */
	sigemptyset(&block);
	sigaddset(&block, SIGINT);
	sigprocmask(SIG_BLOCK, &block, &old);
	pid = fork();
	if (pid != 0)
		sigprocmask(SIG_SETMASK, &old, NULL);
	if (pid < 0) {
		log_error("cannot run the command: %s", strerror(errno));
		close(out[0]), close(out[1]), close(err[0]), close(err[1]);
		return 2;
	}
	if (pid == 0) {
		struct ctys_run_hooks h = { &child_cancel, child_abort, NULL };
		struct sigaction sa;
		int null = open("/dev/null", O_RDONLY);

		setpgid(0, 0);
		memset(&sa, 0, sizeof sa);
		sa.sa_handler = child_on_sigint;
		sigaction(SIGINT, &sa, NULL);
		signal(SIGPIPE, SIG_DFL);
		signal(SIGTSTP, SIG_DFL);
		signal(SIGQUIT, SIG_DFL);
		if (null >= 0)
			dup2(null, 0);
		dup2(out[1], 1);
		dup2(err[1], 2);
		close(out[0]), close(out[1]), close(err[0]), close(err[1]);
		close(g_sigpipe[0]), close(g_sigpipe[1]);
		if (null > 2)
			close(null);
		sigprocmask(SIG_SETMASK, &old, NULL);
		st = ctys_run_line(sh->conf, line, &h);
		fflush(stdout);
		fflush(stderr);
		_exit(child_cancel >= DISPATCH_CANCEL_ABORT && st == 0 ? DISPATCH_CANCELLED : st);
	}
	setpgid(pid, pid);
	{
		pid_t pp;

		if (!proc_stat(pid, &since, &pp))
			since = 0;
	}
	close(out[1]);
	close(err[1]);
	fcntl(out[0], F_SETFL, O_NONBLOCK);
	fcntl(err[0], F_SETFL, O_NONBLOCK);
	buf_reset(&sh->last);
	sh->last_truncated = false;
	free(sh->last_line);
	sh->last_line = xstrdup(line);

	while (open_out || open_err || !exited) {
		struct pollfd p[3] = {
			{ open_out ? out[0] : -1, POLLIN, 0 },
			{ open_err ? err[0] : -1, POLLIN, 0 },
			{ g_sigpipe[0], POLLIN, 0 },
		};
		int r = poll(p, 3, exited ? 0 : 100);

		if (r < 0 && errno != EINTR)
			break;
		if (open_out && (p[0].revents & (POLLIN | POLLHUP | POLLERR)))
			open_out = relay(sh, out[0], 1);
		if (open_err && (p[1].revents & (POLLIN | POLLHUP | POLLERR)))
			open_err = relay(sh, err[0], 2);
		if (p[2].revents & POLLIN) {
			int k = drain_sigpipe();

			while (k-- > 0 && !exited) {
				nint++;
				if (nint <= 2)
					kill(pid, SIGINT);
				if (nint == 2)
					deadline = mono_ms() + ABORT_GRACE_MS;
				if (nint >= 3)
					kill(-pid, SIGKILL);
			}
		}
		if (!exited && waitpid(pid, &st, WNOHANG) == pid) {
			exited = true;
			if (nint >= 2) {
				kill(-pid, SIGTERM); /* what the command left in its group */
				if (since)
					kill_leftovers(since);
			}
		}
		if (!exited && deadline && mono_ms() > deadline) {
			kill(-pid, SIGKILL);
			deadline = 0;
		}
		/* the command ended: take what is in the pipes, do not wait for
		 * processes it left behind that still hold them */
		if (exited && r == 0)
			break;
	}
	close(out[0]);
	close(err[0]);
	if (!exited)
		waitpid(pid, &st, 0);
	while (waitpid(-1, NULL, WNOHANG) > 0)
		; /* orphans of earlier commands that ended */
	if (WIFSIGNALED(st)) {
		if (nint >= 2)
			fprintf(stderr, "ctys: command aborted (signal %d)\n", WTERMSIG(st));
		sh->last_status = 128 + WTERMSIG(st);
	} else
		sh->last_status = WEXITSTATUS(st);
	return sh->last_status;
}

/* ---- built-ins ------------------------------------------------------------ */

static void
show_defaults(struct shell *sh)
{
	static const char *const keys[] = {
		"DEFAULT_C_SESSIONTYPE", "DEFAULT_C_SCOPE", "CTYS_GROUPS_PATH", "CTYS_MACRO_DB",
		"DBPATHLST", "CTYS_SSH_CONFIG", "CTYS_TIMEOUT", NULL,
	};
	size_t i;

	printf("session defaults: %s\n", *sh->defaults ? sh->defaults : "(none)");
	for (i = 0; keys[i]; i++)
		printf("%s=%s\n", keys[i], conf_get_or(sh->conf, keys[i], ""));
	printf("history: %s\n", sh->histfile ? sh->histfile : "(not saved)");
}

static void
show_last(struct shell *sh)
{
	size_t i = 0;

	if (sh->last_line == NULL) {
		printf("no command yet\n");
		return;
	}
	fflush(stdout);
	while (i + 9 <= sh->last.len) {
		int fd = sh->last.d[i] == 'o' ? 1 : 2;
		char hex[9];
		size_t n;

		memcpy(hex, sh->last.d + i + 1, 8);
		hex[8] = '\0';
		n = strtoul(hex, NULL, 16);

		write_all(fd, sh->last.d + i + 9, n);
		i += 9 + n;
	}
	if (sh->last_truncated)
		fprintf(stderr, "ctys: (output longer than %d bytes: the rest is not kept)\n",
		    SHELL_LAST_MAX);
	printf("[%s: exit %d]\n", sh->last_line, sh->last_status);
}

static void
show_history(int n)
{
	HIST_ENTRY **h = history_list();
	int i, len = history_length;

	if (h == NULL)
		return;
	for (i = n > 0 && n < len ? len - n : 0; i < len; i++)
		printf("%5d  %s\n", i + history_base, h[i]->line);
}

static void
shell_help(const char *topic)
{
	struct buf b = BUF_INIT;
	size_t i;

	if (topic) {
		if (!shell_help_topic(&b, topic)) {
			fprintf(stderr, "ctys: no help for '%s' (try: help)\n", topic);
			return;
		}
	} else {
		buf_adds(&b, "Each line is a ctys command line without the leading \"ctys\";\n"
		    "TAB completes, Ctrl-C once shows the state of a running command and\n"
		    "twice aborts it, Ctrl-D leaves.  Built-ins:\n");
		for (i = 0; shell_builtin_names[i]; i++) {
			struct buf t = BUF_INIT;

			shell_help_topic(&t, shell_builtin_names[i]);
			buf_addf(&b, "  %s", buf_cstr(&t));
			buf_free(&t);
		}
		buf_adds(&b, "A target named like a built-in: put \"--\" before it.\n\n");
		cli_help(&b);
	}
	fwrite(b.d, 1, b.len, stdout);
	buf_free(&b);
}

/* `set WORDS`: check the new defaults by parsing them alone. */
static void
builtin_set(struct shell *sh, const struct strv *w, size_t first)
{
	struct strv rest = STRV_INIT;
	struct expander ex;
	struct cli c;
	char *add, *all, *probe;
	size_t i;
	ctys_err_t e;

	if (w->n == first + 1) {
		printf("%s\n", *sh->defaults ? sh->defaults : "(no defaults)");
		return;
	}
	for (i = first + 1; i < w->n; i++)
		strv_push(&rest, w->v[i]);
	add = strv_join(&rest, " ");
	strv_free(&rest);
	all = *sh->defaults ? xasprintf("%s %s", sh->defaults, add) : xstrdup(add);
	probe = xasprintf("%s -V", all);
	expander_init(&ex, sh->conf);
	e = cli_parse(&c, sh->conf, &ex.hooks, probe);
	if (e != CTYS_OK) {
		log_lasterr(e);
		free(all);
	} else if (c.args_pos != 0 || !c.opts.version || strstr(add, "-V") || strstr(add, "-h")) {
		log_error("set takes options only: '%s'", add);
		free(all);
	} else {
		free(sh->defaults);
		sh->defaults = all;
	}
	cli_free(&c);
	expander_free(&ex);
	free(probe);
	free(add);
}

/* Run a built-in; false when w[first] is none. */
static bool
builtin(struct shell *sh, const struct strv *w, size_t first, bool *quit)
{
	const char *b = w->v[first];
	const char *arg = w->n > first + 1 ? w->v[first + 1] : NULL;

	if (strcmp(b, "exit") == 0 || strcmp(b, "quit") == 0) {
		unsigned long v;

		if (arg && !parse_uint(arg, 255, &v))
			log_error("exit: bad status '%s'", arg);
		else {
			if (arg)
				sh->status = (int)v;
			*quit = true;
		}
	} else if (strcmp(b, "help") == 0) {
		shell_help(arg);
	} else if (strcmp(b, "set") == 0) {
		builtin_set(sh, w, first);
	} else if (strcmp(b, "unset") == 0) {
		free(sh->defaults);
		sh->defaults = xstrdup("");
	} else if (strcmp(b, "last") == 0) {
		show_last(sh);
	} else if (strcmp(b, "history") == 0) {
		show_history(arg ? atoi(arg) : 0);
	} else if (strcmp(b, "show") == 0) {
		if (arg && strcmp(arg, "last") == 0)
			show_last(sh);
		else if (arg && strcmp(arg, "history") == 0)
			show_history(0);
		else if (arg == NULL || strcmp(arg, "defaults") == 0)
			show_defaults(sh);
		else
			log_error("show: one of defaults, last, history");
	} else
		return false;
	fflush(stdout);
	return true;
}

/* One complete input: built-in or command.  Sets *quit for exit. */
static void
execute(struct shell *sh, const char *input, bool *quit)
{
	struct strv w = STRV_INIT;
	size_t first = 0;

	if (!shell_split(input, &w)) {
		log_error("unterminated quote");
		sh->status = 1;
		return;
	}
	if (w.n && strcmp(w.v[0], "ctys") == 0)
		first = 1;
	if (w.n > first && !builtin(sh, &w, first, quit)) {
		struct strv cmd = STRV_INIT;
		char *words, *line;
		size_t i;

		for (i = first; i < w.n; i++)
			strv_push(&cmd, w.v[i]);
		words = strv_join(&cmd, " ");
		line = *sh->defaults ? xasprintf("%s %s", sh->defaults, words) : xstrdup(words);
		sh->status = run_command(sh, line);
		free(line);
		free(words);
		strv_free(&cmd);
	}
	strv_free(&w);
}

/* ---- input ------------------------------------------------------------------- */

static char **
attempt_completion(const char *text, int start, int end)
{
	struct strv v = STRV_INIT;
	char **m;
	size_t i;

	(void)text;
	rl_attempted_completion_over = 1;
	shell_complete(g_sh->comp, rl_line_buffer, (size_t)start, (size_t)end, &v);
	if (v.n == 0) {
		strv_free(&v);
		return NULL;
	}
	/* matches[0] is the common prefix of the candidates */
	m = xcalloc(v.n + 2, sizeof *m);
	if (v.n == 1) {
		size_t n = strlen(v.v[0]);
		char last = n ? v.v[0][n - 1] : 0;

		m[0] = xstrdup(v.v[0]);
		rl_completion_append_character = strchr(":={[", last) && last ? '\0' : ' ';
	} else {
		size_t n = strlen(v.v[0]);

		for (i = 1; i < v.n; i++) {
			size_t k = 0;

			while (k < n && v.v[i][k] == v.v[0][k])
				k++;
			n = k;
		}
		m[0] = xstrndup(v.v[0], n);
		for (i = 0; i < v.n; i++)
			m[i + 1] = xstrdup(v.v[i]);
	}
	strv_free(&v);
	return m;
}

static void
on_line(char *line)
{
	g_sh->got_line = true;
	g_sh->line = line;
	if (line == NULL)
		g_sh->eof = true;
	rl_callback_handler_remove();
}

/*
 * Read one line: readline on a terminal (the callback interface, so that
 * Ctrl-C can discard the line), else plain stdin.  NULL at EOF; *intr on
 * Ctrl-C.
 */
static char *
read_line(struct shell *sh, const char *prompt, bool *intr)
{
	*intr = false;
	if (!sh->tty) {
		char *l = NULL;
		size_t cap = 0;
		ssize_t n = getline(&l, &cap, stdin);

		if (n < 0) {
			free(l);
			return NULL;
		}
		if (n > 0 && l[n - 1] == '\n')
			l[n - 1] = '\0';
		return l;
	}
	sh->got_line = false;
	sh->line = NULL;
	rl_callback_handler_install(prompt, on_line);
	while (!sh->got_line) {
		struct pollfd p[2] = { { 0, POLLIN, 0 }, { g_sigpipe[0], POLLIN, 0 } };

		if (poll(p, 2, -1) < 0) {
			if (errno == EINTR)
				continue;
			rl_callback_handler_remove();
			return NULL;
		}
		if (p[1].revents & POLLIN) {
			drain_sigpipe();
			rl_point = rl_end;
			rl_redisplay();
			fputs("^C\n", stdout);
			fflush(stdout);
			rl_free_line_state();
			rl_callback_sigcleanup();
			rl_callback_handler_remove();
			*intr = true;
			return NULL;
		}
		if (p[0].revents & (POLLIN | POLLHUP | POLLERR))
			rl_callback_read_char();
	}
	return sh->line;
}

static void
history_open(struct shell *sh)
{
	const char *ud = ctys_userdir();

	using_history();
	stifle_history(SHELL_HISTORY_MAX);
	if (mkdir(ud, 0700) != 0 && errno != EEXIST) {
		log_warn(0, "history not saved: cannot create %s: %s", ud, strerror(errno));
		return;
	}
	sh->histfile = xasprintf("%s/history", ud);
	if (read_history(sh->histfile) == ENOENT)
		write_history(sh->histfile); /* append_history() needs the file */
}

static void
history_add(struct shell *sh, const char *input)
{
	HIST_ENTRY *h;

	if (!sh->tty || input[strspn(input, " \t\n")] == '\0')
		return;
	h = history_length > 0 ? history_get(history_base + history_length - 1) : NULL;
	if (h && strcmp(h->line, input) == 0)
		return;
	add_history(input);
	if (sh->histfile)
		append_history(1, sh->histfile);
}

int
shell_main(int argc, char **argv)
{
	struct shell sh;
	struct sigaction sa;
	bool quit = false;
	ctys_err_t e;
	int i;

	memset(&sh, 0, sizeof sh);
	log_init("ctys");
	sh.conf = conf_new();
	if ((e = ctys_conf_load(sh.conf)) != CTYS_OK) {
		log_lasterr(e);
		conf_free(sh.conf);
		return ctys_exit_status(e);
	}
	sh.defaults = xstrdup("");
	if (argc > 0) {
		struct strv w = STRV_INIT;

		strv_push(&w, "set");
		for (i = 0; i < argc; i++)
			strv_push(&w, argv[i]);
		builtin_set(&sh, &w, 0);
		strv_free(&w);
	}
	sh.tty = isatty(0) && isatty(1);
	sh.comp = shell_comp_new(sh.conf);
	g_sh = &sh;
	if (pipe(g_sigpipe) != 0) {
		log_error("cannot start the shell: %s", strerror(errno));
		return 2;
	}
	fcntl(g_sigpipe[0], F_SETFL, O_NONBLOCK);
	fcntl(g_sigpipe[1], F_SETFL, O_NONBLOCK);
	fcntl(g_sigpipe[0], F_SETFD, FD_CLOEXEC);
	fcntl(g_sigpipe[1], F_SETFD, FD_CLOEXEC);
	memset(&sa, 0, sizeof sa);
	sa.sa_handler = on_sigint;
	sigaction(SIGINT, &sa, NULL);
	{
		sigset_t ss; /* a caller may have blocked it (test harnesses do) */

		sigemptyset(&ss);
		sigaddset(&ss, SIGINT);
		sigprocmask(SIG_UNBLOCK, &ss, NULL);
	}
	signal(SIGPIPE, SIG_IGN);
	prctl(PR_SET_CHILD_SUBREAPER, 1);
	if (sh.tty) {
		rl_readline_name = "ctys";
		rl_catch_signals = 0;
		rl_attempted_completion_function = attempt_completion;
		rl_completer_word_break_characters = (char *)SHELL_WORD_BREAKS;
		rl_basic_word_break_characters = (char *)SHELL_WORD_BREAKS;
		rl_completer_quote_characters = "'\"";
		history_open(&sh);
	}

	while (!quit) {
		bool intr;
		char *l = read_line(&sh, sh.pending.len ? PROMPT_CONT : PROMPT, &intr);
		char open;

		if (intr) {
			buf_reset(&sh.pending);
			sh.ncont = 0;
			continue;
		}
		if (l == NULL) {
			if (sh.pending.len) {
				log_error("unterminated '%c' at the end of the input: discarded",
				    shell_open_char(buf_cstr(&sh.pending)));
				sh.status = 1;
			}
			if (sh.tty)
				fputc('\n', stdout);
			break;
		}
		if (sh.pending.len)
			buf_addc(&sh.pending, ' ');
		if (sh.pending.len + strlen(l) > SHELL_MAX_INPUT) {
			log_error("input longer than %u bytes: discarded", SHELL_MAX_INPUT);
			free(l);
			buf_reset(&sh.pending);
			sh.ncont = 0;
			sh.status = 1;
			continue;
		}
		buf_adds(&sh.pending, l);
		free(l);
		open = shell_open_char(buf_cstr(&sh.pending));
		if (open) {
			if (++sh.ncont < SHELL_MAX_CONT)
				continue;
			log_error("unterminated '%c' after %d lines: discarded", open, SHELL_MAX_CONT);
			buf_reset(&sh.pending);
			sh.ncont = 0;
			sh.status = 1;
			continue;
		}
		history_add(&sh, buf_cstr(&sh.pending));
		execute(&sh, buf_cstr(&sh.pending), &quit);
		buf_reset(&sh.pending);
		sh.ncont = 0;
	}
	if (sh.histfile)
		history_truncate_file(sh.histfile, SHELL_HISTORY_MAX);
	fflush(stdout);
	i = sh.status;
	shell_comp_free(sh.comp);
	buf_free(&sh.pending);
	buf_free(&sh.last);
	free(sh.last_line);
	free(sh.histfile);
	free(sh.defaults);
	conf_free(sh.conf);
	close(g_sigpipe[0]);
	close(g_sigpipe[1]);
	return i;
}

int
shell_completion_main(int argc, char **argv)
{
	struct conf *conf;
	struct shell_comp *sc;
	const struct strv *l;
	struct strv out = STRV_INIT;
	size_t i;

	log_init("ctys");
	if (argc == 1 && strcmp(argv[0], "bash") == 0) {
		struct buf b = BUF_INIT;

		shell_bash_script(&b);
		fwrite(b.d, 1, b.len, stdout);
		buf_free(&b);
		return fflush(stdout) == 0 ? 0 : 2;
	}
	if (argc < 2 || argc > 3 || strcmp(argv[0], "words") != 0) {
		log_error("usage: ctys --completion bash | words groups|macros|hosts [PREFIX]");
		return 1;
	}
	conf = conf_new();
	if (ctys_conf_load(conf) != CTYS_OK) {
		conf_free(conf);
		return 2;
	}
	sc = shell_comp_new(conf);
	if ((l = shell_comp_list(sc, argv[1])) == NULL) {
		log_error("unknown completion kind '%s' (groups, macros, hosts)", argv[1]);
		shell_comp_free(sc);
		conf_free(conf);
		return 1;
	}
	for (i = 0; i < l->n; i++)
		if (argc < 3 || str_has_prefix(l->v[i], argv[2]))
			strv_push(&out, l->v[i]);
	for (i = 0; i < out.n; i++)
		printf("%s\n", out.v[i]);
	strv_free(&out);
	shell_comp_free(sc);
	conf_free(conf);
	return fflush(stdout) == 0 ? 0 : 2;
}
