/* proto.c — see proto.h and ctys-protocol(5). */
#include "lib/proto.h"

#include <stdlib.h>
#include <string.h>

#include "lib/xmalloc.h"

#ifndef CTYS_VERSION
#define CTYS_VERSION "0.0.0"
#endif

void
proto_encode(struct buf *out, const json_t *msg)
{
	char *s = json_dumps(msg, JSON_COMPACT | JSON_PRESERVE_ORDER | JSON_ENSURE_ASCII);

	if (s == NULL) {
		buf_adds(out, "{\"t\":\"msg\",\"level\":\"error\",\"text\":\"cannot encode\"}\n");
		return;
	}
	buf_adds(out, s);
	buf_addc(out, '\n');
	free(s);
}

json_t *
proto_decode(const char *line, size_t len)
{
	json_error_t jerr;
	json_t *o;

	if (len && line[len - 1] == '\n')
		len--;
	o = json_loadb(line, len, JSON_REJECT_DUPLICATES, &jerr);
	if (o == NULL) {
		ctys_seterr(CTYS_ERR_PROTO, "not a protocol line (%s): '%.60s'", jerr.text, line);
		return NULL;
	}
	if (!json_is_object(o) || !json_is_string(json_object_get(o, "t"))) {
		json_decref(o);
		ctys_seterr(CTYS_ERR_PROTO, "protocol line without a type: '%.60s'", line);
		return NULL;
	}
	return o;
}

const char *
proto_type(const json_t *msg)
{
	return proto_str(msg, "t");
}

const char *
proto_str(const json_t *o, const char *key)
{
	const char *s = json_string_value(json_object_get(o, key));

	return s ? s : "";
}

long long
proto_int(const json_t *o, const char *key)
{
	return json_integer_value(json_object_get(o, key));
}

json_t *
proto_hello_client(void)
{
	return json_pack("{s:s,s:i,s:s}", "t", "hello", "v", PROTO_VERSION, "client",
	    "ctys " CTYS_VERSION);
}

json_t *
proto_hello_agent(const char *host, const char *user)
{
	return json_pack("{s:s,s:i,s:s,s:s,s:s}", "t", "hello", "v", PROTO_VERSION, "agent",
	    "ctys-agent " CTYS_VERSION, "host", host, "user", user);
}

json_t *
proto_rec(const char *id, const char *hop, const char *data)
{
	return json_pack("{s:s,s:s,s:s,s:s}", "t", "rec", "id", id, "hop", hop, "data", data);
}

json_t *
proto_record(const char *id, const char *hop, const char *kind, const char *type,
    const char *const *fields, size_t n)
{
	json_t *a = json_array();
	size_t i;

	for (i = 0; i < n; i++)
		json_array_append_new(a, json_string(fields[i] ? fields[i] : ""));
	return json_pack("{s:s,s:s,s:s,s:s,s:s,s:o}", "t", "rec", "id", id, "hop", hop, "kind",
	    kind, "type", type, "fields", a);
}

json_t *
proto_msg(const char *id, const char *hop, const char *level, const char *text)
{
	return json_pack("{s:s,s:s,s:s,s:s,s:s}", "t", "msg", "id", id, "hop", hop, "level", level,
	    "text", text);
}

json_t *
proto_status(const char *id, const char *hop, int code, const char *error)
{
	return json_pack("{s:s,s:s,s:s,s:i,s:o}", "t", "status", "id", id, "hop", hop, "code", code,
	    "error", error ? json_string(error) : json_null());
}

ctys_err_t
proto_check_hello(const json_t *msg, const char *peer)
{
	long long v;

	if (strcmp(proto_type(msg), "hello") != 0)
		return ctys_seterr(CTYS_ERR_PROTO, "%s did not greet with hello", peer);
	v = proto_int(msg, "v");
	if (v != PROTO_VERSION)
		return ctys_seterr(CTYS_ERR_VERSION, "%s speaks protocol version %lld (%s), this side %d "
		    "(%s): install the same ctys version on both", peer, v,
		    json_object_get(msg, "agent") ? proto_str(msg, "agent") : proto_str(msg, "client"),
		    PROTO_VERSION, "ctys " CTYS_VERSION);
	return CTYS_OK;
}

void
linebuf_feed(struct linebuf *lb, const char *data, size_t n)
{
	/* compact once the consumed prefix dominates */
	if (lb->start > 0 && lb->start * 2 > lb->b.len) {
		memmove(lb->b.d, lb->b.d + lb->start, lb->b.len - lb->start);
		buf_truncate(&lb->b, lb->b.len - lb->start);
		lb->start = 0;
	}
	buf_add(&lb->b, data, n);
}

bool
linebuf_next(struct linebuf *lb, const char **line, size_t *len, bool *toolong)
{
	char *s, *nl;
	size_t avail;

	*toolong = false;
	if (lb->b.d == NULL || lb->start >= lb->b.len)
		return false;
	s = lb->b.d + lb->start;
	avail = lb->b.len - lb->start;
	nl = memchr(s, '\n', avail);
	if (nl == NULL) {
		if (avail <= PROTO_MAX_LINE)
			return false;
		/* hand out an over-long line in pieces, flagged */
		*line = s;
		*len = PROTO_MAX_LINE;
		*toolong = true;
		lb->start += PROTO_MAX_LINE;
		return true;
	}
	*nl = '\0';
	*line = s;
	*len = (size_t)(nl - s);
	lb->start += *len + 1;
	return true;
}

void
linebuf_free(struct linebuf *lb)
{
	buf_free(&lb->b);
	lb->start = 0;
}
