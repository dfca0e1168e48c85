/*
 * hosts.h — what the HOSTs plugins (CLI, X11, VNC, RDP) share on the
 * executing machine: processes found in /proc, listening ports, detached
 * starts, their per-plugin configuration files, and option values of a
 * job.
 *
 * Sessions started by ctys carry CTYS_TYPE=<T> and CTYS_LABEL=<label> in
 * their environment; LIST reads them back from /proc/<pid>/environ, so a
 * viewer whose command line cannot hold a label is still listed by it.
 */
#ifndef CTYS_AGENTS_HOSTS_H
#define CTYS_AGENTS_HOSTS_H

#include <stdbool.h>
#include <stddef.h>
#include <sys/types.h>

#include <jansson.h>

#include "agents/plugin.h"
#include "lib/conf.h"
#include "lib/strv.h"

/* A process of /proc. */
struct hproc {
	pid_t pid;
	uid_t uid;
	struct strv argv;
	char label[128];     /* CTYS_LABEL of its environment, "" when none or unreadable */
	char type[16];       /* CTYS_TYPE of its environment */
	char target[256];    /* CTYS_TARGET: the ctys target a client was started for */
};

/*
 * The processes whose argv[0] has one of the base names in `names`
 * (NULL-terminated; NULL: every process), in this network namespace: one in another namespace
 * runs on another (virtual) machine, a container or a rig node.  Zombies
 * are skipped.  Returns the count; *out is an
 * array for hosts_procs_free().
 */
size_t hosts_procs(const char *const *names, struct hproc **out);
void hosts_procs_free(struct hproc *v, size_t n);

/* The argument after `opt` in argv (from index 1), or NULL. */
const char *hosts_argv_opt(const struct strv *argv, const char *opt);

/* Is a TCP socket of this network namespace listening on `port`? (/proc/net/tcp{,6}) */
bool hosts_port_listening(int port);

/* Is pid alive (and not a zombie)? */
bool hosts_pid_alive(pid_t pid);

/*
 * Start argv detached from this process: own session, stdin /dev/null,
 * stdout and stderr appended to `log` (or /dev/null), every other file
 * descriptor closed, `env` ("K=V" strings, NULL-terminated, may be NULL)
 * added to the environment.  PATH lookup for argv[0].  *pid is the
 * started program's pid (it is not our child).  CTYS_ERR_IO when the
 * program could not be started.
 */
ctys_err_t hosts_spawn(const char *const *argv, const char *const *env, const char *log,
	pid_t *pid);

/*
 * SIGTERM pid, wait up to ms for it to end, then SIGKILL when `kill` is
 * set.  True when it is gone.
 */
bool hosts_stop(pid_t pid, int ms, bool kill);

/*
 * The configuration of plugin `p` ("vnc"): ~/.ctys/<p>/<p>.conf-<OS>.sh,
 * then <confdir>/<p>/<p>.conf-<OS>.sh (first definition wins, environment
 * as fallback).  A bad line is reported as a "warning" message of the job.
 */
struct conf *hosts_conf(const struct pjob *j, const char *p);

/*
 * The value of option -<letter> of the job: its remote options (context
 * letters like -A -r -z) first, then the options; NULL when not given.
 * Returned pointers live as long as the job (ropts values: a static
 * buffer per thread).
 */
const char *hosts_job_opt(const json_t *job, char letter);

/* The size part "<x>x<y>" of -r, else of -g, into out; false when neither. */
bool hosts_job_geometry(const json_t *job, char *out, size_t n);

/* A label as ctys accepts it: 1..64 of [A-Za-z0-9._-], not starting with '.' or '-'. */
bool hosts_label_ok(const char *l);

/*
 * One 22-field LIST record (internal order as listrec.h maps it) for a
 * session of type `type` and emit it.
 */
struct hrec {
	const char *host, *type, *label, *id, *display, *cport, *sport, *site, *exe;
	pid_t pid;
	uid_t uid;
};
void hosts_emit(const struct hrec *r, rec_emit_fn emit, void *ctx);

#endif
