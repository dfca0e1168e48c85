/*
 * qemu-qmp.c — a small QMP client: one JSON object per line over a UNIX
 * socket, parsed with jansson; see qemu.h.
 */
#include "agents/qemu.h"

#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <stdio.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/un.h>
#include <time.h>
#include <unistd.h>

#include "lib/util.h"

/* The next JSON line as an object (new reference) before deadline. */
static ctys_err_t
read_obj(struct qemu_qmp *q, long long deadline, json_t **out)
{
	char chunk[4096];
	json_error_t je;
	char *nl;
	ssize_t n;

	for (;;) {
		nl = q->in.len ? memchr(q->in.d, '\n', q->in.len) : NULL;
		if (nl) {
			size_t ll = (size_t)(nl - q->in.d);
			json_t *o = json_loadb(q->in.d, ll, 0, &je);

			memmove(q->in.d, nl + 1, q->in.len - ll - 1);
			buf_truncate(&q->in, q->in.len - ll - 1);
			if (o == NULL || !json_is_object(o)) {
				json_decref(o);
				return ctys_seterr(CTYS_ERR_PROTO, "QMP: not a JSON object: %s",
				    je.text);
			}
			*out = o;
			return CTYS_OK;
		}
		{
			long long left = deadline - mono_ms();
			struct pollfd p = { q->fd, POLLIN, 0 };
			int r;

			if (left <= 0)
				return ctys_seterr(CTYS_ERR_TIMEOUT, "QMP: no answer in time");
			r = poll(&p, 1, (int)left);
			if (r < 0 && errno == EINTR)
				continue;
			if (r <= 0)
				return ctys_seterr(CTYS_ERR_TIMEOUT, "QMP: no answer in time");
		}
		n = read(q->fd, chunk, sizeof chunk);
		if (n < 0 && errno == EINTR)
			continue;
		if (n <= 0)
			return ctys_seterr(CTYS_ERR_IO, "QMP: connection closed by qemu");
		if (q->in.len + (size_t)n > 16 * 1024 * 1024)
			return ctys_seterr(CTYS_ERR_PROTO, "QMP: line too long");
		buf_add(&q->in, chunk, (size_t)n);
	}
}

static ctys_err_t
send_all(int fd, const char *s, size_t n)
{
	ssize_t w;

	while (n) {
		w = send(fd, s, n, MSG_NOSIGNAL);
		if (w < 0 && errno == EINTR)
			continue;
		if (w <= 0)
			return ctys_seterr(CTYS_ERR_IO, "QMP: write failed: %s", strerror(errno));
		s += w;
		n -= (size_t)w;
	}
	return CTYS_OK;
}

static ctys_err_t
exec_cmd(struct qemu_qmp *q, const char *cmd, json_t *args, json_t **ret, long long deadline)
{
	json_t *req = json_object(), *o = NULL, *e;
	char *s;
	ctys_err_t err;

	json_object_set_new(req, "execute", json_string(cmd));
	if (args)
		json_object_set_new(req, "arguments", args);
	s = json_dumps(req, JSON_COMPACT);
	json_decref(req);
	err = send_all(q->fd, s, strlen(s));
	if (err == CTYS_OK)
		err = send_all(q->fd, "\n", 1);
	free(s);
	while (err == CTYS_OK) {
		err = read_obj(q, deadline, &o);
		if (err != CTYS_OK)
			break;
		if (json_object_get(o, "event")) {
			json_decref(o);
			continue;
		}
		if ((e = json_object_get(o, "error")) != NULL) {
			const char *d = json_string_value(json_object_get(e, "desc"));

			err = ctys_seterr(CTYS_ERR_UNSUPPORTED, "QMP %s: %s", cmd, d ? d : "error");
		} else if (json_object_get(o, "return")) {
			if (ret)
				*ret = json_incref(json_object_get(o, "return"));
		} else {
			json_decref(o);
			continue;
		}
		json_decref(o);
		break;
	}
	return err;
}

ctys_err_t
qemu_qmp_open(struct qemu_qmp *q, const char *path, int timeout_ms)
{
	struct sockaddr_un sa;
	long long deadline = mono_ms() + timeout_ms;
	struct stat st;
	json_t *g = NULL;
	ctys_err_t err;

	memset(q, 0, sizeof *q);
	q->fd = -1;
	if (stat(path, &st) != 0)
		return ctys_seterr(CTYS_ERR_NOENT, "QMP socket '%s' is missing", path);
	if (strlen(path) >= sizeof sa.sun_path)
		return ctys_seterr(CTYS_ERR_TOOLONG, "QMP socket path '%s' is too long", path);
	memset(&sa, 0, sizeof sa);
	sa.sun_family = AF_UNIX;
	memcpy(sa.sun_path, path, strlen(path));
	q->fd = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0);
	if (q->fd < 0 || connect(q->fd, (struct sockaddr *)&sa, sizeof sa) != 0) {
		err = ctys_seterr(CTYS_ERR_IO, "cannot connect to QMP socket '%s': %s", path,
		    strerror(errno));
		qemu_qmp_close(q);
		return err;
	}
	err = read_obj(q, deadline, &g);
	if (err == CTYS_OK && json_object_get(g, "QMP") == NULL)
		err = ctys_seterr(CTYS_ERR_PROTO, "'%s' is not a QMP socket", path);
	json_decref(g);
	if (err == CTYS_OK)
		err = exec_cmd(q, "qmp_capabilities", NULL, NULL, deadline);
	if (err != CTYS_OK)
		qemu_qmp_close(q);
	return err;
}

ctys_err_t
qemu_qmp_cmd(struct qemu_qmp *q, const char *cmd, json_t *args, json_t **ret, int timeout_ms)
{
	if (ret)
		*ret = NULL;
	if (q->fd < 0) {
		json_decref(args);
		return ctys_seterr(CTYS_ERR_IO, "QMP: not connected");
	}
	return exec_cmd(q, cmd, args, ret, mono_ms() + timeout_ms);
}

ctys_err_t
qemu_qmp_status(struct qemu_qmp *q, char *st, size_t n, int timeout_ms)
{
	json_t *r = NULL;
	ctys_err_t e = qemu_qmp_cmd(q, "query-status", NULL, &r, timeout_ms);
	const char *s;

	if (e != CTYS_OK)
		return e;
	s = json_string_value(json_object_get(r, "status"));
	snprintf(st, n, "%s", s ? s : "unknown");
	json_decref(r);
	return CTYS_OK;
}

void
qemu_qmp_close(struct qemu_qmp *q)
{
	if (q->fd >= 0)
		close(q->fd);
	q->fd = -1;
	buf_free(&q->in);
}
