/*
 * render.h — the client's output layer for LIST and ENUMERATE
 * (actions.md §4-§6, ctys-actions(7)).
 *
 * One renderer per run.  It is built from the action and the suboption
 * text of the FIRST job whose action is LIST or ENUMERATE; later jobs may
 * carry other suboptions, but the format of that first job applies to the
 * whole run (one header, one table, one SORT across every target).
 * Records of the other kind (an "enum" record while rendering LIST) are
 * printed as terse MACHINE lines.
 *
 * Records arrive in canonical field order (22 fields for LIST, 47 for
 * ENUMERATE) from local and remote jobs alike.  Formats:
 *
 *   fields      selected fields in canonical order joined by ';'; with
 *               TITLE/TITLEIDX/TITLEIDXASC a title line first; non-terse
 *               output prefixes "+->", and LIST adds a header line per
 *               target and session type and "NONE" for a target without
 *               sessions
 *   TAB_GEN, REC_GEN, SPEC_GEN, XML_GEN   cache/table.h on the colspec
 *   TAB_TCP     the LIST default table
 *   JSON        (or -o json) one JSON object per record, version 1
 *
 * SORT buffers the records and prints them sorted at render_finish()
 * (ALL) or at the end of each job (EACH); otherwise output streams.
 *
 * Not thread-safe: the caller serializes all calls (dispatch holds its
 * output lock).
 */
#ifndef CTYS_RENDER_H
#define CTYS_RENDER_H

#include <stdbool.h>
#include <stddef.h>
#include <stdio.h>

#include <jansson.h>

#include "ctys/action.h"
#include "lib/err.h"

#define RENDER_JSON_VERSION 1

struct render;

/*
 * Check the suboptions of a LIST or ENUMERATE action at plan time: field
 * keys, TAB_GEN/REC_GEN/SPEC_GEN/XML_GEN colspecs (field index within 22
 * or 47), TAB_TCP widths, SORT arguments, SORT with a B column.  Other
 * actions and NULL text: CTYS_OK.  Errors: CTYS_ERR_USAGE with a message
 * naming the item.
 */
ctys_err_t render_check(const struct action_def *a, const char *subopts);

/*
 * A renderer for action `a` (LIST or ENUMERATE) with suboption text
 * `subopts` (verbatim, may be NULL), -X `terse`, -o `output` ("json" selects
 * JSON lines; NULL or "text" the suboptions' format), for `njobs` jobs,
 * writing records to `out` and messages to `err`.  NULL (error set) when
 * the action is not LIST/ENUMERATE or the suboptions are bad.
 */
struct render *render_new(const struct action_def *a, const char *subopts, bool terse,
	const char *output, size_t njobs, FILE *out, FILE *err);
void render_free(struct render *r);

/*
 * Name resolution for the IP and DNS suboptions: return a new string (the
 * numeric address when want_name is false, the name otherwise) or NULL to
 * keep the value.  The default resolver uses getaddrinfo/getnameinfo on
 * IPv4 values and does nothing when CTYS_NORESOLVE is set in the
 * environment.  fn NULL: no resolution at all.
 */
typedef char *(*render_resolve_fn)(void *ctx, const char *value, bool want_name);
void render_set_resolver(struct render *r, render_resolve_fn fn, void *ctx);

/* The table header or title line, once, before any job output. */
void render_begin(struct render *r);

/* What the LIST header of a target says: "<TYPE> sessions of SCOPE=<scope> -  <who>@<host>:". */
struct render_job {
	const char *target;   /* "user@host..." for messages */
	const char *host;     /* the executing host (last hop) */
	const char *user;     /* its user */
	const char *type;     /* the job's session type, "ALL" */
	const char *scope;    /* -s normalized, or NULL */
};

/* Job `job` (0-based, < njobs) starts; info is copied. */
void render_job_begin(struct render *r, size_t job, const struct render_job *info);

/*
 * One record of job `job` from hop `hop`: kind "list" or "enum", the
 * plugin type, fields[0..n) in canonical order.  A record whose field
 * count does not fit its kind, or of an unknown kind, is dropped with
 * "ctys: <target>: malformed record from '<hop>' dropped: <why>" on err
 * and CTYS_ERR_PARSE is returned; nothing is printed for it.
 */
ctys_err_t render_record(struct render *r, size_t job, const char *hop, const char *kind,
	const char *type, const char *const *fields, size_t n);

/*
 * The same for a protocol record {"t":"rec","hop":..,"kind":..,"type":..,
 * "fields":[..]}: also checks that fields is an array of strings.
 */
ctys_err_t render_record_json(struct render *r, size_t job, const json_t *m);

/* A text line (INFO, SHOW, plain "data" records): printed as is. */
void render_text_line(struct render *r, size_t job, const char *line);

/* Job `job` is finished: flushes its buffered output (non-terse LIST, SORT:EACH). */
void render_job_end(struct render *r, size_t job);

/* End of the run: sorted output (SORT:ALL), flush. */
void render_finish(struct render *r);

#endif
