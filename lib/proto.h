/*
 * proto.h — the ctys wire protocol between the client and ctys-agent.
 *
 * JSON lines over the stdin/stdout of an SSH exec channel (or a pipe for a
 * local agent): one compact JSON object per line, field "t" gives its
 * type, every object carries no newline.  Described for users in
 * ctys-protocol(5).  Version PROTO_VERSION; a peer that speaks another
 * major version is refused with a clear error.
 *
 *   client -> agent   {"t":"hello","v":1,"client":"ctys 1.0.0"}
 *                     {"t":"job","id":..,"at":k,"mode":"chain"|"star","hops":[..],
 *                      "type":..,"action":..,"subopts":[{"key":..,"arg":..}],
 *                      "options":{letter:value},"ropts":[{"o":..,"arg":..}],
 *                      "timeout":s,"async":bool}
 *                     EOF: no more jobs; the agent finishes and exits
 *   agent -> client   {"t":"hello","v":1,"agent":"ctys-agent 1.0.0","host":..,"user":..}
 *                     {"t":"rec","id":..,"hop":host,"data":"one output line"}
 *                     {"t":"rec","id":..,"hop":host,"kind":"list"|"enum","type":T,
 *                      "fields":[..22 or 47 strings..]}
 *                     {"t":"msg","id":..,"hop":host,"level":"error"|"warning"|"info","text":..}
 *                     {"t":"status","id":..,"hop":host,"code":n,"error":".."|null}
 *
 * Every job ends with exactly one status from the hop that ran it, or from
 * the hop that could not reach the next one (then "hop" names the hop that
 * failed and "error" says why).
 */
#ifndef CTYS_PROTO_H
#define CTYS_PROTO_H

#include <stdbool.h>
#include <stddef.h>

#include <jansson.h>

#include "lib/buf.h"
#include "lib/err.h"

#define PROTO_VERSION 1
/* Longest protocol line accepted (a job with many suboptions fits easily). */
#define PROTO_MAX_LINE (1024 * 1024)

/* Encode `msg` as one line (with '\n') appended to out.  Steals nothing. */
void proto_encode(struct buf *out, const json_t *msg);

/*
 * Decode one line (without or with its '\n').  Checks it is an object with
 * a string "t".  Returns a new reference, or NULL with CTYS_ERR_PROTO set.
 */
json_t *proto_decode(const char *line, size_t len);

/* Type of a decoded message ("" when absent). */
const char *proto_type(const json_t *msg);

/* Builders: new references. */
json_t *proto_hello_client(void);
json_t *proto_hello_agent(const char *host, const char *user);
json_t *proto_rec(const char *id, const char *hop, const char *data);
/* {"t":"rec",...,"kind":kind,"type":type,"fields":[...]}: a collector record. */
json_t *proto_record(const char *id, const char *hop, const char *kind, const char *type,
	const char *const *fields, size_t n);
json_t *proto_msg(const char *id, const char *hop, const char *level, const char *text);
json_t *proto_status(const char *id, const char *hop, int code, const char *error);

/* Check a hello from the peer: CTYS_ERR_VERSION naming both versions. */
ctys_err_t proto_check_hello(const json_t *msg, const char *peer);

/* Small accessors that return "" / 0 for missing fields. */
const char *proto_str(const json_t *o, const char *key);
long long proto_int(const json_t *o, const char *key);

/*
 * A line reader over a file descriptor (blocking reads): feeds bytes in,
 * hands complete lines out.
 */
struct linebuf {
	struct buf b;
	size_t start;
};

/* Append bytes read from somewhere. */
void linebuf_feed(struct linebuf *lb, const char *data, size_t n);
/*
 * Next complete line (without '\n') into *line and *len, valid until the next
 * call; false when none is complete.  A line over PROTO_MAX_LINE is
 * returned truncated with *toolong set.
 */
bool linebuf_next(struct linebuf *lb, const char **line, size_t *len, bool *toolong);
void linebuf_free(struct linebuf *lb);

#endif
