/*
 * test_shell.c — the interactive shell: lexical helpers, completion from
 * the tables, and the shell itself driven through a real PTY (forkpty):
 * completion of every kind, history across two sessions, Ctrl-C at the
 * prompt and during a slow local command, errors, continuation, a huge
 * paste and EOF.
 */
#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <pty.h>
#include <signal.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <time.h>

#include "ctys/shell.h"
#include "lib/conf.h"
#include "lib/paths.h"
#include "testutil.h"

/* ---- lexical helpers ------------------------------------------------------ */

Test(shell_lex, open_char)
{
	cr_assert_eq(shell_open_char("-a list h1"), 0);
	cr_assert_eq(shell_open_char("h1(-d 1"), '(');
	cr_assert_eq(shell_open_char("VMSTACK{pm1 pm1[vm1"), '[');
	cr_assert_eq(shell_open_char("VMSTACK{pm1 pm1[vm1]"), '{');
	cr_assert_eq(shell_open_char("'(abc"), '\'');
	cr_assert_eq(shell_open_char("\"x(\""), 0);
	cr_assert_eq(shell_open_char("a)"), 0);
	cr_assert_eq(shell_open_char("\\("), 0);
}

Test(shell_lex, split)
{
	struct strv w = STRV_INIT;

	cr_assert(shell_split(" -a  'create=l:x,cmd:echo%a b' \"q\\\"\" x\\ y ''", &w));
	cr_assert_eq(w.n, 5);
	cr_assert_str_eq(w.v[0], "-a");
	cr_assert_str_eq(w.v[1], "create=l:x,cmd:echo%a b");
	cr_assert_str_eq(w.v[2], "q\"");
	cr_assert_str_eq(w.v[3], "x y");
	cr_assert_str_eq(w.v[4], "");
	strv_free(&w);
	cr_assert(!shell_split("a 'b", &w));
	cr_assert_eq(w.n, 0);
}

/* ---- completion without a terminal ---------------------------------------- */

static char *dir;
static struct conf *conf;
static struct shell_comp *sc;

/* 47-field records: host pm1.test with a VM labelled vmalpha */
#define REC(h, t, l, n) h ";" t ";" l ";;;;;;;;;;;;;;;;;;;;;;;;;" n ";;;;;;;;;;;;;;;;;;;"

static void
setup(void)
{
	char *g, *db, *m;

	dir = tu_tmpdir();
	cr_assert(asprintf(&g, "%s/groups", dir) > 0 && mkdir(g, 0755) == 0);
	free(tu_write(g, "grpone", "h1 h2\n"));
	free(tu_write(g, "lab_a", "h3\n"));
	cr_assert(asprintf(&db, "%s/db", dir) > 0 && mkdir(db, 0755) == 0);
	free(tu_write(db, "enum.fdb", REC("pm1.test", "PM", "pm1", "pm1.test") "\n"
	    REC("pm1.test", "QEMU", "vmalpha", "vmalpha.test") "\n"));
	free(tu_write(db, "macmap.fdb", ""));
	m = tu_write(dir, "macros", "mymacro = -t cli\nother = -d 1\n");
	conf = conf_new();
	conf_set(conf, "CTYS_GROUPS_PATH", g);
	conf_set(conf, "DBPATHLST", db);
	conf_set(conf, "CTYS_MACRO_DB", m);
	sc = shell_comp_new(conf);
	free(g);
	free(db);
	free(m);
}

static void
teardown(void)
{
	shell_comp_free(sc);
	conf_free(conf);
	tu_rmrf(dir);
	free(dir);
}

/* The candidates for the line, completing its last word (readline's split). */
static char *
comp(const char *line)
{
	struct strv v = STRV_INIT;
	size_t end = strlen(line), start = end;
	char *s;

	while (start > 0 && !strchr(SHELL_WORD_BREAKS, line[start - 1]))
		start--;
	shell_complete(sc, line, start, end, &v);
	s = v.n ? strv_join(&v, " ") : strdup("");
	strv_free(&v);
	return s;
}

#define COMP(line, want) \
	do { \
		char *got_ = comp(line); \
		cr_expect_str_eq(got_, want, "completing '%s'", line); \
		free(got_); \
	} while (0)

TestSuite(shell_comp, .init = setup, .fini = teardown);

Test(shell_comp, kinds)
{
	COMP("-a cre", "create");
	COMP("-a CRE", "CREATE");
	COMP("-a li", "list");
	COMP("-a create=lab", "label:");
	COMP("-a create=l:x,re", "reconnect resume reuse");
	COMP("-t cli -a create=c", "c: callopts: cd: chdir: cmd:");
	COMP("-a create=l:x", "");
	COMP("-t qe", "qemu");
	COMP("-T A", "ALL");
	COMP("-x st", "star");
	COMP("-L LOCAL", "LOCALONLY");
	COMP("-b st", "stack");
	COMP("-z NO", "NOPTY");
	COMP("-n -a list grp", "grpone");
	COMP("-a list vma", "vmalpha vmalpha.test");
	COMP("-a list root@pm", "root@pm1 root@pm1.test");
	COMP("-a list pm1[vm", "vmalpha vmalpha.test");
	COMP("MACRO:my", "MACRO:mymacro");
	COMP("-a list MACRO:o", "MACRO:other");
	COMP("hel", "help");
	COMP("help cre", "create");
	COMP("show d", "defaults");
	COMP("-a list h1(-t q", "qemu");
	COMP("-a list VMS", "VMSTACK{");
	COMP("-Y", "-Y");
}

Test(shell_comp, lists)
{
	const struct strv *l = shell_comp_list(sc, "hosts");

	cr_assert_eq(l->n, 4); /* pm1 pm1.test vmalpha vmalpha.test */
	cr_assert_eq(shell_comp_list(sc, "groups")->n, 2);
	cr_assert_eq(shell_comp_list(sc, "macros")->n, 2);
	cr_assert_null(shell_comp_list(sc, "nothing"));
}

Test(shell_comp, help_and_bash)
{
	struct buf b = BUF_INIT;

	cr_assert(shell_help_topic(&b, "-t"));
	cr_assert(shell_help_topic(&b, "create"));
	cr_assert(shell_help_topic(&b, "qemu"));
	cr_assert(shell_help_topic(&b, "set"));
	cr_assert(!shell_help_topic(&b, "nonsense"));
	buf_reset(&b);
	shell_bash_script(&b);
	cr_assert(strstr(buf_cstr(&b), "_ctys_sub_CREATE='") != NULL);
	cr_assert(strstr(buf_cstr(&b), "complete -F _ctys ctys") != NULL);
	buf_free(&b);
}

/* ---- through a PTY ---------------------------------------------------------- */

struct pty {
	int fd;
	pid_t pid;
	struct buf out;    /* everything read */
	size_t mark;       /* expect() looks after this */
};

static long long
now_ms(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (long long)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

static void
pty_read(struct pty *p, int ms)
{
	struct pollfd pf = { p->fd, POLLIN, 0 };
	char b[65536];
	ssize_t n;

	if (poll(&pf, 1, ms) <= 0)
		return;
	n = read(p->fd, b, sizeof b);
	if (n > 0)
		buf_add(&p->out, b, (size_t)n);
}

static void
pty_start(struct pty *p, const char *home)
{
	struct winsize ws = { 40, 200, 0, 0 };

	memset(p, 0, sizeof *p);
	p->pid = forkpty(&p->fd, NULL, NULL, &ws);
	cr_assert_geq(p->pid, 0);
	if (p->pid == 0) {
		setenv("HOME", home, 1);
		setenv("TERM", "dumb", 1);
		setenv("INPUTRC", "/dev/null", 1);
		execl("bin/ctys", "ctys", (char *)NULL);
		_exit(127);
	}
	fcntl(p->fd, F_SETFL, O_NONBLOCK);
}

/* Wait (bounded) until `what` appears after the mark; moves the mark past it. */
static bool
pty_expect(struct pty *p, const char *what, int ms)
{
	long long end = now_ms() + ms;

	for (;;) {
		const char *s = p->out.len > p->mark ? memmem(p->out.d + p->mark,
		    p->out.len - p->mark, what, strlen(what)) : NULL;

		if (s) {
			p->mark = (size_t)(s - p->out.d) + strlen(what);
			return true;
		}
		if (now_ms() > end)
			return false;
		pty_read(p, 50);
	}
}

#define EXPECT(p, what, ms) \
	cr_assert(pty_expect(p, what, ms), "no '%s' in: %s", what, \
	    (p)->out.len > (p)->mark ? buf_cstr(&(p)->out) + (p)->mark : "(nothing)")

/* Write everything, reading the echo meanwhile (a huge paste must not block). */
static void
pty_send(struct pty *p, const char *s)
{
	size_t n = strlen(s), off = 0;
	long long end = now_ms() + 20000;

	while (off < n && now_ms() < end) {
		ssize_t k = write(p->fd, s + off, n - off > 4096 ? 4096 : n - off);

		if (k > 0)
			off += (size_t)k;
		else if (k < 0 && errno != EAGAIN && errno != EINTR)
			break;
		pty_read(p, k > 0 ? 0 : 20);
	}
	cr_assert_eq(off, n, "could not write all input");
}

/* Wait (bounded) for the shell to exit; its status, or -1.  Frees p->out. */
static int
pty_wait(struct pty *p)
{
	long long end = now_ms() + 5000;
	int st, status = -1;

	while (now_ms() < end) {
		pty_read(p, 20);
		if (waitpid(p->pid, &st, WNOHANG) == p->pid) {
			status = WIFEXITED(st) ? WEXITSTATUS(st) : -1;
			goto out;
		}
	}
	kill(p->pid, SIGKILL);
	waitpid(p->pid, &st, 0);
out:
	close(p->fd);
	buf_free(&p->out);
	return status;
}

static char *home;

static void
pty_setup(void)
{
	home = tu_tmpdir();
	setenv("CTYS_CONFDIR", "conf", 0);
	if (getenv("CTYS_CONFDIR")[0] != '/') {
		char *abs = realpath("conf", NULL);

		setenv("CTYS_CONFDIR", abs, 1);
		free(abs);
	}
	unsetenv("CTYS_GROUPS_PATH");
	unsetenv("DBPATHLST");
	setup();
	setenv("CTYS_GROUPS_PATH", conf_get(conf, "CTYS_GROUPS_PATH"), 1);
	setenv("DBPATHLST", conf_get(conf, "DBPATHLST"), 1);
	setenv("CTYS_MACRO_DB", conf_get(conf, "CTYS_MACRO_DB"), 1);
}

static void
pty_teardown(void)
{
	teardown();
	tu_rmrf(home);
	free(home);
}

TestSuite(shell_pty, .init = pty_setup, .fini = pty_teardown, .timeout = 60);

Test(shell_pty, completion_each_kind)
{
	struct pty p;

	pty_start(&p, home);
	EXPECT(&p, "ctys> ", 3000);
	pty_send(&p, "-n -a cre\t");
	EXPECT(&p, "create ", 2000);
	pty_send(&p, "\025-n -t qe\t");
	EXPECT(&p, "qemu ", 2000);
	pty_send(&p, "-a create=lab\t");
	EXPECT(&p, "label:", 2000);
	pty_send(&p, "vm1,reu\t");
	EXPECT(&p, "reuse ", 2000);
	pty_send(&p, "grpo\t");
	EXPECT(&p, "grpone ", 2000);
	pty_send(&p, "vmalpha.t\t");
	EXPECT(&p, "vmalpha.test ", 2000);
	pty_send(&p, "\r");
	EXPECT(&p, "job=1", 3000);
	EXPECT(&p, "ctys> ", 3000);
	pty_send(&p, "MACRO:mym\t");
	EXPECT(&p, "MACRO:mymacro ", 2000);
	pty_send(&p, "\025-\t\t");
	EXPECT(&p, "-Y", 2000);
	pty_send(&p, "\025hel\t");
	EXPECT(&p, "help ", 2000);
	pty_send(&p, "\025\004");
	cr_assert_eq(pty_wait(&p), 0);
}

Test(shell_pty, history_across_sessions)
{
	struct pty p;
	char *hist;
	FILE *f;
	char line[256];
	bool found = false;

	pty_start(&p, home);
	EXPECT(&p, "ctys> ", 3000);
	pty_send(&p, "-n -a list histhost\r");
	EXPECT(&p, "target=root@histhost", 3000);
	EXPECT(&p, "ctys> ", 5000);
	pty_send(&p, "exit\r");
	cr_assert_eq(pty_wait(&p), 0);
	cr_assert(asprintf(&hist, "%s/.ctys/history", home) > 0);
	f = fopen(hist, "r");
	cr_assert_not_null(f);
	while (fgets(line, sizeof line, f))
		found |= strstr(line, "-n -a list histhost") != NULL;
	fclose(f);
	free(hist);
	cr_assert(found);

	pty_start(&p, home);
	EXPECT(&p, "ctys> ", 3000);
	pty_send(&p, "\033[A\033[A");
	EXPECT(&p, "histhost", 2000);
	pty_send(&p, "\r");
	EXPECT(&p, "target=root@histhost", 3000);
	EXPECT(&p, "ctys> ", 5000);
	pty_send(&p, "\004");
	cr_assert_eq(pty_wait(&p), 0);
}

Test(shell_pty, errors_and_bad_input)
{
	struct pty p;
	size_t big = 32 * 1024;
	char *paste = malloc(big + 64);

	pty_start(&p, home);
	EXPECT(&p, "ctys> ", 3000);
	/* an error leaves the shell usable */
	pty_send(&p, "-a bogus h1\r");
	EXPECT(&p, "unknown action 'bogus'", 3000);
	EXPECT(&p, "ctys> ", 5000);
	pty_send(&p, "-n -a list h1\r");
	EXPECT(&p, "target=root@h1", 3000);
	EXPECT(&p, "ctys> ", 5000);
	/* Ctrl-C at the prompt discards the line */
	pty_send(&p, "-n -a list gone\003");
	EXPECT(&p, "^C", 2000);
	pty_send(&p, "-n -a list h2\r");
	EXPECT(&p, "target=root@h2", 3000);
	EXPECT(&p, "ctys> ", 5000);
	cr_assert_null(memmem(p.out.d, p.out.len, "target=root@gone", 16));
	/* an unterminated bracket continues on the next line */
	pty_send(&p, "-n -a list h3(-d 1\r");
	EXPECT(&p, "\n> ", 2000);
	pty_send(&p, ")\r");
	EXPECT(&p, "target=root@h3", 3000);
	EXPECT(&p, "ctys> ", 5000);
	/* an unmatched closing bracket is the grammar's error, clearly */
	pty_send(&p, "-n -a list h4)\r");
	EXPECT(&p, "ctys: ", 3000);
	EXPECT(&p, "ctys> ", 5000);
	pty_send(&p, "-n -a list h5\r");
	EXPECT(&p, "target=root@h5", 3000);
	EXPECT(&p, "ctys> ", 5000);
	/* a huge paste: one 32 KiB line, far over the terminal's 4 KiB line */
	strcpy(paste, "-n -M ");
	memset(paste + 6, 'x', big);
	strcpy(paste + 6 + big, " -a list bighost\r");
	pty_send(&p, paste);
	EXPECT(&p, "target=root@bighost", 20000);
	EXPECT(&p, "ctys> ", 5000);
	free(paste);
	/* built-ins */
	pty_send(&p, "set -t cli\r");
	pty_send(&p, "show defaults\r");
	EXPECT(&p, "session defaults: -t cli", 2000);
	EXPECT(&p, "ctys> ", 5000);
	pty_send(&p, "set -a nonsense\r");
	EXPECT(&p, "unknown action", 2000);
	EXPECT(&p, "ctys> ", 5000);
	pty_send(&p, "last\r");
	EXPECT(&p, "exit 0]", 2000);
	EXPECT(&p, "ctys> ", 5000);
	/* EOF inside a continuation: a clear error, then the shell ends */
	pty_send(&p, "-n -a list h6{\r");
	EXPECT(&p, "\n> ", 2000);
	pty_send(&p, "\004");
	EXPECT(&p, "unterminated '{'", 2000);
	cr_assert_eq(pty_wait(&p), 1);
}

Test(shell_pty, ctrl_c_local_command)
{
	struct pty p;

	pty_start(&p, home);
	EXPECT(&p, "ctys> ", 3000);
	pty_send(&p, "-t cli -a create=l:x,cmd:echo%started;sleep%30 localhost\r");
	EXPECT(&p, "\nstarted", 5000);
	pty_send(&p, "\003");
	EXPECT(&p, "running", 3000);
	pty_send(&p, "\003");
	EXPECT(&p, "cancelled", 3000);
	EXPECT(&p, "ctys> ", 5000);
	pty_send(&p, "-n -a list after\r");
	EXPECT(&p, "target=root@after", 3000);
	EXPECT(&p, "ctys> ", 5000);
	pty_send(&p, "last\r");
	EXPECT(&p, "exit 0]", 3000);
	EXPECT(&p, "ctys> ", 5000);
	pty_send(&p, "exit 7\r");
	cr_assert_eq(pty_wait(&p), 7);
}
