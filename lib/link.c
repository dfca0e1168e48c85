/* link.c — see link.h. */
#include "lib/link.h"

#include <stdio.h>
#include <string.h>
#include <time.h>

#include "lib/buf.h"
#include "lib/proto.h"
#include "lib/util.h"
#include "lib/xmalloc.h"

ctys_err_t
link_run_job(struct sshc *s, const char *agent_cmd, const json_t *job, const char *hop,
    int timeout_ms, const struct link_sink *sink)
{
	const char *id = proto_str(job, "id");
	struct sshc_chan *c = NULL;
	struct linebuf lb = { BUF_INIT, 0 };
	struct buf out = BUF_INIT, err = BUF_INIT;
	char chunk[16384], *cmd;
	bool hello = false, done = false, is_err, toolong;
	long long deadline = timeout_ms > 0 ? mono_ms() + timeout_ms : 0;
	const char *line;
	size_t len;
	ssize_t n;
	json_t *m, *hi;
	ctys_err_t e;
	int st;

	cmd = xasprintf("%s --stdio", agent_cmd);
	e = sshc_exec(s, cmd, &c);
	free(cmd);
	if (e != CTYS_OK) {
		link_fail(sink, id, hop, LINK_CODE_UNREACHABLE, ctys_errmsg());
		return CTYS_OK;
	}
	hi = proto_hello_client();
	proto_encode(&out, hi);
	json_decref(hi);
	proto_encode(&out, job);
	/*
	 * A write can fail because the remote command already ended (agent
	 * missing: exit 127); then read on to get its stderr and exit status.
	 */
	if (sshc_write(c, out.d, out.len) == CTYS_OK)
		sshc_send_eof(c);
	ctys_errclear();
	e = CTYS_OK;
	buf_free(&out);
	while (e == CTYS_OK && !done) {
		int wait = 1000;

		if (deadline) {
			long long left = deadline - mono_ms();

			if (left <= 0) {
				char *msg = xasprintf("no answer from the agent on '%s' within %d s",
				    hop, timeout_ms / 1000);
				link_fail(sink, id, hop, LINK_CODE_UNREACHABLE, msg);
				free(msg);
				done = true;
				break;
			}
			wait = left < 1000 ? (int)left : 1000;
		}
		n = sshc_read(c, chunk, sizeof chunk, &is_err, wait);
		if (n == SSHC_AGAIN)
			continue;
		if (n == SSHC_ERROR) {
			e = CTYS_ERR_SSH;
			break;
		}
		if (n == 0)
			break;
		if (is_err) {
			if (err.len < 4096)
				buf_add(&err, chunk, (size_t)n);
			continue;
		}
		linebuf_feed(&lb, chunk, (size_t)n);
		while (!done && linebuf_next(&lb, &line, &len, &toolong)) {
			if (toolong || (m = proto_decode(line, len)) == NULL) {
				char *msg = xasprintf("agent on '%s' sent a bad line: %.80s", hop, line);
				link_fail(sink, id, hop, LINK_CODE_UNREACHABLE, msg);
				free(msg);
				done = true;
				break;
			}
			if (!hello) {
				char peer[300];

				snprintf(peer, sizeof peer, "the agent on '%s'", hop);
				if (proto_check_hello(m, peer) != CTYS_OK) {
					link_fail(sink, id, hop, LINK_CODE_UNREACHABLE, ctys_errmsg());
					done = true;
				}
				hello = true;
			} else {
				sink->msg(sink->ctx, m);
				if (strcmp(proto_type(m), "status") == 0 &&
				    strcmp(proto_str(m, "id"), id) == 0)
					done = true;
			}
			json_decref(m);
		}
	}
	if (!done) {
		char *msg;

		st = e == CTYS_OK ? sshc_exit_status(c) : -1;
		/* strip the trailing newline of what the remote side said */
		while (err.len && (err.d[err.len - 1] == '\n' || err.d[err.len - 1] == '\r'))
			buf_truncate(&err, err.len - 1);
		if (e != CTYS_OK)
			msg = xasprintf("%s (while running the job on '%s')", ctys_errmsg(), hop);
		else if (st == 127)
			msg = xasprintf("ctys-agent not found on '%s' (%s): install it there or set "
			    "CTYS_AGENT", hop, err.len ? err.d : "command not found");
		else if (!hello)
			msg = xasprintf("the agent on '%s' did not start (exit status %d)%s%s", hop, st,
			    err.len ? ": " : "", buf_cstr(&err));
		else
			msg = xasprintf("the agent on '%s' ended before the job finished (exit status "
			    "%d)%s%s", hop, st, err.len ? ": " : "", buf_cstr(&err));
		link_fail(sink, id, hop, LINK_CODE_UNREACHABLE, msg);
		free(msg);
	}
	linebuf_free(&lb);
	buf_free(&err);
	sshc_chan_close(c);
	return CTYS_OK;
}
