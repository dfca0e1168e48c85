/*
 * exec.h — executing a job on its final hop.
 *
 * The job names a session type and an action; agent_exec() looks them up
 * and runs the handler, which reports through a struct job_out.  Plugins
 * plug in here.  Built in so far: CLI CREATE with CMD (a command run by the
 * shell, output streamed line by line, its exit status the job's), and
 * the host identity part of INFO.
 */
#ifndef CTYS_AGENT_EXEC_H
#define CTYS_AGENT_EXEC_H

#include <jansson.h>

#include "lib/link.h"

struct job_out {
	const struct link_sink *sink;
	const char *id;
	const char *hop;
};

void job_rec(const struct job_out *o, const char *line);
void job_msg(const struct job_out *o, const char *level, const char *text);
void job_status(const struct job_out *o, int code, const char *error);

/* The argument of the last suboption `key` (canonical name), or NULL. */
const char *job_subopt(const json_t *job, const char *key);
/* True when suboption `key` is present (with or without argument). */
bool job_has_subopt(const json_t *job, const char *key);

/* Execute `job` here; always ends with exactly one job_status(). */
void agent_exec(const json_t *job, const struct job_out *o);

#endif
