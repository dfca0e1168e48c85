/*
 * link_fail.c — link_fail() on its own, so programs that only report
 * statuses (ctys-agent) do not pull in the SSH code of link.c.
 */
#include "lib/link.h"
#include "lib/proto.h"

void
link_fail(const struct link_sink *sink, const char *id, const char *hop, int code,
    const char *error)
{
	json_t *st = proto_status(id, hop, code, error);

	sink->msg(sink->ctx, st);
	json_decref(st);
}
