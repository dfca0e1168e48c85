/*
 * guestwait.c — PING and SSHPING waits after a start; see guestwait.h.
 */
#include "agents/guestwait.h"

#include <errno.h>
#include <netdb.h>
#include <poll.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

#include "agents/exec.h"
#include "agents/plugin.h"
#include "agents/tool.h"
#include "lib/buf.h"
#include "lib/shquote.h"
#include "lib/util.h"
#include "lib/xmalloc.h"

#define GW_CMD_TIMEOUT_MS 30000   /* one ping or ssh run */
#define GW_BANNER_TIMEOUT_MS 3000 /* one banner probe */

static unsigned long
env_default(const char *key, const char *what, const char *type, unsigned long dflt,
    unsigned long max)
{
	char name[96];
	const char *v = NULL;
	unsigned long n;

	if (type) {
		snprintf(name, sizeof name, "CTYS_%s_ONE_%s_%s", key, what, type);
		v = getenv(name);
	}
	if (v == NULL) {
		snprintf(name, sizeof name, "CTYS_%s_ONE_%s", key, what);
		v = getenv(name);
	}
	if (v && parse_uint(v, max, &n))
		return n;
	return dflt;
}

ctys_err_t
gw_parse(const char *key, const char *v, const char *type, struct gw_spec *s)
{
	char extra;

	s->rep = s->slp = 0;
	if (v == NULL || str_ieq(v, "OFF"))
		return CTYS_OK;
	if (*v == '\0') {
		s->rep = env_default(key, "MAXTRIAL", type, 30, GW_MAX_REPEAT);
		s->slp = env_default(key, "WAIT", type, 2, GW_MAX_SLEEP);
		if (s->rep == 0)
			s->rep = 1;
		return CTYS_OK;
	}
	if (sscanf(v, "%lu %lu %c", &s->rep, &s->slp, &extra) == 2 && s->rep >= 1 &&
	    s->rep <= GW_MAX_REPEAT && s->slp <= GW_MAX_SLEEP)
		return CTYS_OK;
	if (sscanf(v, "%lu %c", &s->rep, &extra) == 1 && s->rep >= 1 && s->rep <= GW_MAX_REPEAT) {
		s->slp = 2;
		return CTYS_OK;
	}
	s->rep = s->slp = 0;
	return ctys_seterr(CTYS_ERR_USAGE, "invalid %s '%s' (OFF or <repeat 1-%d>%%<sleep 0-%d>)",
	    key, v, GW_MAX_REPEAT, GW_MAX_SLEEP);
}

/* One TCP connect to host:port that reads "SSH-" within timeout_ms. */
static bool
banner_once(const char *host, unsigned port, int timeout_ms)
{
	struct addrinfo hints = { 0 }, *ai = NULL, *a;
	long long end = mono_ms() + timeout_ms;
	char svc[8], got[4];
	size_t have = 0;
	bool ok = false;

	hints.ai_socktype = SOCK_STREAM;
	snprintf(svc, sizeof svc, "%u", port ? port : 22);
	if (getaddrinfo(host, svc, &hints, &ai) != 0)
		return false;
	for (a = ai; a && !ok; a = a->ai_next) {
		int fd = socket(a->ai_family, a->ai_socktype | SOCK_CLOEXEC | SOCK_NONBLOCK, 0);
		struct pollfd p;

		if (fd < 0)
			continue;
		if (connect(fd, a->ai_addr, a->ai_addrlen) != 0 && errno != EINPROGRESS) {
			close(fd);
			continue;
		}
		p.fd = fd;
		p.events = POLLIN;
		have = 0;
		while (have < sizeof got) {
			long long left = end - mono_ms();
			ssize_t n;

			if (left <= 0 || poll(&p, 1, (int)left) <= 0)
				break;
			n = read(fd, got + have, sizeof got - have);
			if (n <= 0 && !(n < 0 && errno == EAGAIN))
				break;
			if (n > 0)
				have += (size_t)n;
		}
		ok = have == sizeof got && memcmp(got, "SSH-", 4) == 0;
		close(fd);
	}
	freeaddrinfo(ai);
	return ok;
}

/* A shell command once, bounded; true on exit status 0. */
static bool
cmd_once(const char *cmd)
{
	const char *argv[] = { "/bin/sh", "-c", cmd, NULL };
	struct tool_result r;
	int st = tool_run(argv, GW_CMD_TIMEOUT_MS, &r);

	tool_result_free(&r);
	return st == 0;
}

/* tmpl with its %s (or an appended blank) replaced by args. */
static char *
expand(const char *tmpl, const char *args)
{
	const char *pct = strstr(tmpl, "%s");

	if (pct)
		return xasprintf("%.*s%s%s", (int)(pct - tmpl), tmpl, args, pct + 2);
	return xasprintf("%s %s", tmpl, args);
}

enum gw_how { GW_BANNER, GW_CMD, GW_SSH };

static bool
cmd_has_user(const struct gw_dest *d)
{
	return d->user && *d->user;
}

static bool
poll_until(const struct pjob *j, const char *what, enum gw_how how, const char *cmd,
    const struct gw_dest *d, const struct gw_spec *s, long long deadline)
{
	long long t0 = mono_ms();
	unsigned long i;
	bool ok = false;
	char *m, where[300];

	snprintf(where, sizeof where, "%s%s%s", how == GW_SSH && cmd_has_user(d) ? d->user : "",
	    how == GW_SSH && cmd_has_user(d) ? "@" : "", d->host);
	if (d->port && d->port != 22)
		snprintf(where + strlen(where), sizeof where - strlen(where), " port %u", d->port);
	for (i = 0; i < s->rep && !ok; i++) {
		if (i > 0) {
			if (deadline && mono_ms() + (long long)s->slp * 1000 > deadline)
				break;
			sleep_ms((long)s->slp * 1000);
		}
		ok = how == GW_BANNER ? banner_once(d->host, d->port, GW_BANNER_TIMEOUT_MS)
				      : cmd_once(cmd);
	}
	if (ok)
		m = xasprintf("%s: %s answers after %lu tr%s, %lld ms", what, where, i,
		    i == 1 ? "y" : "ies", mono_ms() - t0);
	else
		m = xasprintf("%s: no answer from %s after %lu tr%s, %lld ms", what, where, i,
		    i == 1 ? "y" : "ies", mono_ms() - t0);
	job_msg(j->out, ok ? "info" : "error", m);
	free(m);
	return ok;
}

bool
gw_ping(const struct pjob *j, const char *tmpl, const struct gw_dest *d,
    const struct gw_spec *s, long long deadline)
{
	struct buf q = BUF_INIT;
	char *cmd;
	bool ok;

	if (s->rep == 0)
		return true;
	if (d->forwarded)
		return poll_until(j, "PING", GW_BANNER, NULL, d, s, deadline);
	shquote_arg(&q, d->host);
	cmd = expand(tmpl, buf_cstr(&q));
	ok = poll_until(j, "PING", GW_CMD, cmd, d, s, deadline);
	free(cmd);
	buf_free(&q);
	return ok;
}

bool
gw_sshping(const struct pjob *j, const char *tmpl, const struct gw_dest *d,
    const struct gw_spec *s, long long deadline)
{
	struct buf a = BUF_INIT;
	char *dest, *cmd;
	bool ok;

	if (s->rep == 0)
		return true;
	if (d->port && d->port != 22)
		buf_addf(&a, "-p %u ", d->port);
	dest = d->user && *d->user ? xasprintf("%s@%s", d->user, d->host) : xstrdup(d->host);
	shquote_arg(&a, dest);
	cmd = expand(tmpl, buf_cstr(&a));
	ok = poll_until(j, "SSHPING", GW_SSH, cmd, d, s, deadline);
	free(cmd);
	free(dest);
	buf_free(&a);
	return ok;
}
