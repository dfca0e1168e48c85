/*
 * plugin.h — the table of session-type plugins and their operations.
 *
 * One const entry per session type (PM, QEMU, XEN, VBOX, VMW, CLI, X11,
 * VNC, RDP).  The client uses it to check -t/-T, the actions a type
 * supports and the suboptions it accepts (the original's CHECKPARAM); the
 * agent routes every job through the same entry.  Adding a plugin = one
 * file with its `const struct plugin_ops` + one line in plugin_table[].
 *
 * Operations (any may be NULL: "not available on this machine yet"):
 *   probe       what the plugin finds here (tool, version, server/client
 *               parts), for -T ALL selection and ctys-plugins;
 *   run[a]      CREATE, CANCEL, GETCLIENTPORT, ISACTIVE on the final hop:
 *               report through the job's output and end with exactly one
 *               job_status();
 *   list        running sessions as 22-field LIST records (listrec.h);
 *   enumerate   stored machines as 47-field records (cache/record.h), one
 *               per interface address, in canonical field order;
 *   info, show  host information lines (INFO, SHOW; the PM plugin gives the
 *               host part, every plugin may add its own lines);
 *   guest       VM plugins: where the agent inside a guest answers (stack.h).
 * Collectors (LIST ENUMERATE INFO SHOW) are driven by agents/collect.c,
 * which calls these for each selected, enabled plugin.
 */
#ifndef CTYS_AGENTS_PLUGIN_H
#define CTYS_AGENTS_PLUGIN_H

#include <stdbool.h>
#include <stddef.h>

#include <jansson.h>

#include "lib/err.h"
#include "lib/strv.h"

/* The actions, in the order of the reference (actions.md). */
enum ctys_action {
	CTYS_ACT_CREATE,
	CTYS_ACT_CANCEL,
	CTYS_ACT_LIST,
	CTYS_ACT_ENUMERATE,
	CTYS_ACT_INFO,
	CTYS_ACT_SHOW,
	CTYS_ACT_GETCLIENTPORT,
	CTYS_ACT_ISACTIVE,
	CTYS_ACT__COUNT
};
#define CTYS_ACT_BIT(a) (1u << (a))

enum plugin_category { PLUGIN_PM, PLUGIN_VM, PLUGIN_HOST };

/* What a plugin finds on this machine. */
struct plugin_state {
	bool enabled;          /* usable at all */
	bool server;           /* server (hypervisor) part usable */
	bool client;           /* client part usable */
	char magic[64];        /* product and version, e.g. "PM_Linux", "QEMU_7.2" */
	char accel[32];        /* e.g. KVM, TCG, HVM */
	char why[256];         /* when not enabled: the reason, for ctys-plugins */
};

struct job_out;

/* A job as a plugin sees it. */
struct pjob {
	const json_t *job;          /* the wire job: subopts, options, timeout... */
	const struct job_out *out;  /* records, messages, status */
	const char *hop;            /* this machine's name in the job */
};

/* Collector output: one record, fields in canonical order. */
typedef void (*rec_emit_fn)(void *ctx, const char *const *fields, size_t n);

struct plugin_ops {
	void (*probe)(struct plugin_state *st);
	void (*run[CTYS_ACT__COUNT])(const struct pjob *j);
	ctys_err_t (*list)(const struct pjob *j, rec_emit_fn emit, void *ctx);
	ctys_err_t (*enumerate)(const struct pjob *j, const struct strv *bases, rec_emit_fn emit,
		void *ctx);
	ctys_err_t (*info)(const struct pjob *j);
	ctys_err_t (*show)(const struct pjob *j);
	/*
	 * VM plugins: the ssh address ("host[:port]") at which this host reaches
	 * the agent of the guest configured by `id` (a LIST record's field 4),
	 * for stack propagation (stack.h); false when unknown.  `type` is the
	 * plugin's name.
	 */
	bool (*guest)(const char *type, const char *id, char *dest, size_t n);
};

struct plugin_desc {
	const char *name;           /* canonical name, "QEMU" */
	const char *names;          /* name and aliases, "QEMU|KVM" */
	enum plugin_category category;
	unsigned actions;           /* CTYS_ACT_BIT() of supported actions */
	bool split;                 /* client/server split (CONNECTIONFORWARDING) */
	const char *summary;
	/*
	 * Suboptions accepted per action, canonical names separated by blanks
	 * ("LABEL CMD SHELL"); NULL accepts the action's whole table.
	 */
	const char *accepts[CTYS_ACT__COUNT];
	const struct plugin_ops *ops;
};

extern const struct plugin_desc plugin_table[];
extern const size_t plugin_count;

/* Entry for a type name or alias (any case), or NULL. */
const struct plugin_desc *plugin_lookup(const char *name, size_t len);
const char *plugin_category_name(enum plugin_category c);

/*
 * Does plugin p accept suboption `key` (canonical name) for action a?
 * Collector actions accept their whole table.
 */
bool plugin_accepts(const struct plugin_desc *p, enum ctys_action a, const char *key);

/* The action named `name` (any case), or -1. */
int plugin_action_by_name(const char *name);
/* LIST ENUMERATE INFO SHOW: run by every selected plugin. */
bool plugin_action_is_collector(int a);
extern const char *const plugin_action_names[CTYS_ACT__COUNT];

/* The state of plugin p here (probe cached per process; NULL ops: disabled). */
const struct plugin_state *plugin_state(const struct plugin_desc *p);

#endif
