/*
 * fuzz_proto — the wire protocol (lib/proto.c, ctys-protocol(5)) as the
 * client and the agent read it: bytes cut into chunks at places the input
 * chooses, split into lines by the line reader, each line decoded.
 * Invariants besides "no crash": the line reader returns exactly the bytes
 * fed (newlines removed, over-long lines flagged, never returned longer
 * than PROTO_MAX_LINE), a decoded message encodes to one line that decodes
 * to an equal object, and the hello check and accessors accept anything.
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "lib/proto.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static void
check_line(const char *line, size_t len)
{
	struct buf b = BUF_INIT;
	json_t *m = proto_decode(line, len), *back;

	if (m == NULL) {
		ctys_errclear();
		return;
	}
	if (!json_is_object(m) || !json_is_string(json_object_get(m, "t")))
		abort();
	proto_encode(&b, m);
	if (b.len == 0 || b.d[b.len - 1] != '\n' || memchr(b.d, '\n', b.len - 1) != NULL)
		abort();
	back = proto_decode(b.d, b.len);
	if (back == NULL || !json_equal(m, back))
		abort();
	(void)proto_type(m);
	(void)proto_str(m, "id");
	(void)proto_int(m, "code");
	if (proto_check_hello(m, "fuzz") != CTYS_OK)
		ctys_errclear();
	json_decref(back);
	json_decref(m);
	buf_free(&b);
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct linebuf lb = { BUF_INIT, 0 };
	const char *line;
	size_t len, off = 0, got = 0, nl = 0, i;
	bool toolong, any_long = false;
	/* the first byte picks the chunk size: 1..256 bytes */
	size_t chunk = size ? (size_t)data[0] + 1 : 1;

	for (i = 0; i < size; i++)
		nl += data[i] == '\n';
	while (off < size) {
		size_t n = size - off < chunk ? size - off : chunk;

		linebuf_feed(&lb, (const char *)data + off, n);
		off += n;
		while (linebuf_next(&lb, &line, &len, &toolong)) {
			if (len > PROTO_MAX_LINE || memchr(line, '\n', len))
				abort();
			any_long |= toolong;
			got += len + 1;
			if (!toolong)
				check_line(line, len);
		}
	}
	/* every complete line came out, whole (unless cut for length) */
	if (!any_long && got != (size_t)(nl ? (const uint8_t *)memrchr(data, '\n', size) - data + 1 : 0))
		abort();
	linebuf_free(&lb);
	return 0;
}
