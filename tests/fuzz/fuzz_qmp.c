/*
 * fuzz_qmp — the QMP client of the QEMU plugin (agents/qemu-qmp.c) reading
 * what a qemu (or anything listening on its socket) answers: the input is
 * the byte stream the peer sends, through a socketpair, ended by EOF.  Two
 * commands are run against it (query-status, then one with a "return"
 * value); each must end with a result or an error, never a crash or a hang.
 * No fork, no file: a few microseconds per input.
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

#include "agents/qemu.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct qemu_qmp q;
	int sv[2], buf = 1 << 20;
	char st[64];
	json_t *ret = NULL;
	size_t off = 0;

	/* the whole input must fit the socket buffer: the peer writes it at once */
	if (size > 256 * 1024 || socketpair(AF_UNIX, SOCK_STREAM, 0, sv) != 0)
		return 0;
	setsockopt(sv[1], SOL_SOCKET, SO_SNDBUF, &buf, sizeof buf);
	setsockopt(sv[0], SOL_SOCKET, SO_RCVBUF, &buf, sizeof buf);
	while (off < size) {
		ssize_t w = write(sv[1], data + off, size - off);

		if (w <= 0)
			break;
		off += (size_t)w;
	}
	shutdown(sv[1], SHUT_WR);
	memset(&q, 0, sizeof q);
	q.fd = sv[0];
	if (qemu_qmp_status(&q, st, sizeof st, 1000) == CTYS_OK) {
		if (memchr(st, '\0', sizeof st) == NULL)
			abort();
	}
	ctys_errclear();
	if (qemu_qmp_cmd(&q, "query-vnc", NULL, &ret, 1000) == CTYS_OK && ret == NULL)
		abort(); /* success always comes with the "return" value */
	json_decref(ret);
	ctys_errclear();
	qemu_qmp_close(&q);
	close(sv[1]);
	return 0;
}
