/*
 * exec.h — executing a job on its final hop.
 *
 * The job names a session type and an action; agent_exec() runs the
 * plugin's operation for it (plugin.h), or the collector for LIST,
 * ENUMERATE, INFO and SHOW (collect.h).  Everything is reported through a
 * struct job_out.
 */
#ifndef CTYS_AGENT_EXEC_H
#define CTYS_AGENT_EXEC_H

#include <sys/types.h>

#include <jansson.h>

#include "agents/plugin.h"
#include "lib/link.h"
#include "lib/strv.h"

struct job_out {
	const struct link_sink *sink;
	const char *id;
	const char *hop;
};

void job_rec(const struct job_out *o, const char *line);
void job_msg(const struct job_out *o, const char *level, const char *text);
void job_status(const struct job_out *o, int code, const char *error);

/*
 * One record of a collector action: kind "list" (22 fields) or "enum" (47),
 * the session type that produced it, fields in canonical order.
 */
void job_record(const struct job_out *o, const char *kind, const char *type,
	const char *const *fields, size_t n);

/* The argument of the last suboption `key` (canonical name), or NULL. */
const char *job_subopt(const json_t *job, const char *key);
/*
 * The argument of the internal actions (ISACTIVE=<x>, GETCLIENTPORT=<x>):
 * the value of a LABEL/ID item, else the first item as written.  NULL when
 * the job has none.
 */
const char *job_free_arg(const json_t *job);

/*
 * ISACTIVE from a plugin's own LIST (actions.md §9): prints
 * "ISACTIVE(<TYPE>,<arg>)=0" when a listed session has the ID (field 4) or
 * the label (field 3, any case) given, "=1" otherwise; status 0, or the
 * LIST error.
 */
void job_isactive_by_list(const struct pjob *j, const struct plugin_ops *ops, const char *type);

/*
 * GETCLIENTPORT from a plugin's own LIST (actions.md §8): for the listed
 * session with the ID or label given, "CLIENTPORT(<TYPE>,<host>,<arg>)=
 * <port>" from its field 9 (CPORT); status 1 when none runs, or when it has
 * no port ("... runs without <what>", e.g. "a VNC display").
 */
void job_clientport_by_list(const struct pjob *j, const struct plugin_ops *ops, const char *type,
	const char *what);

/*
 * The scan directories of a job: BASEPATH (a blank list after decoding),
 * else $DEFAULT_ENUM_BASE, else "~ /etc/ctys.d /mntn/vmpool"; "~" and
 * relative paths are taken from $HOME.  Appended to *out.
 */
void job_bases(const json_t *job, struct strv *out);

/*
 * job_subopt(), but "" for a suboption given without argument (NULL only
 * when absent).
 */
const char *job_subopt_present(const json_t *job, const char *key);

/* True when suboption `key` is present (with or without argument). */
bool job_has_subopt(const json_t *job, const char *key);

/*
 * The processes a job runs while it runs (a CLI command, a tool, a PM
 * command), each the leader of its own process group: registered right
 * after fork() and unregistered before it is reaped, so that an agent whose
 * client went away, or a client interrupted by a signal, can end them
 * (job_children_kill).  A child registered after job_children_kill() was
 * called is killed at once.  Thread-safe.
 */
void job_child_start(pid_t pgid);
void job_child_end(pid_t pgid);
/*
 * SIGTERM to every registered process group, up to grace_ms for them to
 * go, then SIGKILL to what is left.  Async-signal-unsafe (takes a mutex):
 * call it from a thread, not from a signal handler.
 */
void job_children_kill(int grace_ms);

/* Execute `job` here; always ends with exactly one job_status(). */
void agent_exec(const json_t *job, const struct job_out *o);

#endif
