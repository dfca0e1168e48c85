/*
 * ctyskeys.h — what the VM plugins (XEN, VBOX, VMW) share: ctys' own
 * "#@#KEY = value" metadata next to or inside hypervisor configuration
 * files (plugins.md §3), the 47-field MACHINE records built from them
 * (actions.md §5.1), the file scan of ENUMERATE (plugins.md §4), machine
 * addresses of CREATE/CANCEL and the CANCEL method (actions.md §1.1, §3).
 *
 * The #@# lines themselves are parsed by pm_conf_parse() (agents/pm.h):
 * this file only chooses the files, merges them and maps keys to fields.
 */
#ifndef CTYS_AGENTS_CTYSKEYS_H
#define CTYS_AGENTS_CTYSKEYS_H

#include <stdbool.h>
#include <stddef.h>

#include <jansson.h>

#include "agents/plugin.h"
#include "agents/pm.h"
#include "cache/record.h"
#include "lib/strv.h"

/* Canonical field numbers (cache/record.h). */
enum {
	CK_HOST = 1, CK_TYPE, CK_LABEL, CK_ID, CK_UUID, CK_MAC, CK_TCP, CK_DISP, CK_CPORT,
	CK_SPORT, CK_VNCBASE, CK_DIST, CK_DISTREL, CK_OS, CK_OSREL, CK_VERSION, CK_SERNO,
	CK_CATEGORY, CK_VMSTATE, CK_HYPERREL, CK_STACKCAP, CK_STACKREQ, CK_HWCAP, CK_HWREQ,
	CK_EXECLOC, CK_RELOCCAP, CK_SSHPORT, CK_NETNAME, CK_HRX, CK_ACCEL, CK_EXEP, CK_RSRV,
	CK_IFNAME, CK_CTYSREL, CK_NETMASK, CK_GATEWAY, CK_RELAY, CK_ARCH, CK_PLATFORM, CK_VRAM,
	CK_VCPU, CK_CSTRG, CK_USTRG, CK_UID, CK_GID, CK_DEFH, CK_DEFC
};

/* A record being built: f[1..47] owned, never NULL after ctyskeys_rec_init. */
struct ctyskeys_rec {
	char *f[REC_NFIELDS + 1];
};

void ctyskeys_rec_init(struct ctyskeys_rec *r);
void ctyskeys_rec_copy(struct ctyskeys_rec *dst, const struct ctyskeys_rec *src);
/* Set field (NULL = ""); ';' and control characters become '_'. */
void ctyskeys_rec_set(struct ctyskeys_rec *r, unsigned field, const char *v);
void ctyskeys_rec_free(struct ctyskeys_rec *r);

/*
 * Defaults every VM record starts with: HOST (this machine), TYPE, ID,
 * CATEGORY VM, EXECLOCATION LOCAL, RELOCCAP PINNED, VCPU 1, CTYSRELEASE
 * empty, UID/GID the scanning account.
 */
void ctyskeys_rec_vm(struct ctyskeys_rec *r, const char *type, const char *id);

/*
 * The #@# key files for configuration path X, in lookup order (plugins.md
 * §3, VMW/XEN flavour): X, <X without extension>.ctys, <dir of X>.ctys —
 * the existing ones, each once.
 */
void ctyskeys_chain(const char *path, struct strv *files);

/*
 * Read the files (in order) and parse their #@# lines into *c; the first
 * file with a key wins (the texts are parsed as one).  `type` is the
 * MAGICID checked ("XEN"): c->magic tells whether any file carries it.
 * False when no file could be read (c is empty then).
 */
bool ctyskeys_load(const struct strv *files, const char *type, struct pm_conf *c);

/*
 * Copy the #@# keys into r (plugins.md §3 table): LABEL, UUID, VNC*,
 * DIST..CATEGORY, VMSTATE, INST_HYPERREL, STACK/HW caps, EXECLOCATION,
 * RELOCCAP, SSHPORT, INST_ACCELERATOR, STARTERCALL, GUESTGATEWAY, ARCH,
 * PLATFORM, VRAM, VCPU, CSTRG, USTRG, DEFAULTHOSTS, DEFAULTCONSOLE, and
 * CTYSRELEASE only when CTYSREL is present too (the original's quirk).
 * Empty values do not override.
 */
void ctyskeys_apply(struct ctyskeys_rec *r, const struct pm_conf *c);

/*
 * Emit base once per interface address: interface n has MAC #@#MAC<n>
 * (else macs->v[n] from the hypervisor's configuration) and the addresses
 * of #@#IP<n> = ip[%netmask%relay%ifname%sshport%gateway][,...]; IFNAME
 * defaults to n.  relays->v[n] (may be NULL) is the bridge from the
 * hypervisor's configuration.  No interface: base once.  Returns the count.
 */
size_t ctyskeys_emit_nics(const struct ctyskeys_rec *base, const struct pm_conf *c,
	const struct strv *macs, const struct strv *relays, rec_emit_fn emit, void *ctx);

/*
 * Files below the base directories whose names end in one of exts (NULL
 * terminated, e.g. { ".conf", ".ctys", NULL }), recursively (at most 12
 * levels, symbolic links to directories not followed), sorted by name per
 * directory, each file once (by real path).
 */
void ctyskeys_scan(const struct strv *bases, const char *const *exts, struct strv *out);

/* The whole file (at most max bytes, NUL-terminated), or NULL.  Caller frees. */
char *ctyskeys_read(const char *path, size_t max);

/* ---- addresses and matching ---- */

struct ctyskeys_addr {
	const char *label, *id, *filename, *uuid, *mac, *tcp;
	bool all;
};

/*
 * The address suboptions of job.  CTYS_ERR_USAGE "missing address
 * parameter" when there is none (and not ALL), "PNAME has to be an
 * absolute path" for a relative ID.
 */
ctys_err_t ctyskeys_addr_get(const json_t *job, bool allow_all, struct ctyskeys_addr *a);

/* Does the canonical 47-field record match a (every given key must)? */
bool ctyskeys_addr_match(const struct ctyskeys_addr *a, const char *const *fields);

/*
 * Collect the distinct (ID, LABEL) pairs of the records of an ENUMERATE
 * run that match a.  Used by CREATE/CANCEL to find the configuration.
 */
struct ctyskeys_found {
	const struct ctyskeys_addr *a;
	struct strv ids, labels, uuids;
};
void ctyskeys_found_emit(void *ctx, const char *const *fields, size_t n);
void ctyskeys_found_free(struct ctyskeys_found *f);

/* ---- CANCEL ---- */

enum ctyskeys_method {
	CK_M_POWEROFF, CK_M_REBOOT, CK_M_RESET, CK_M_PAUSE, CK_M_SUSPEND, CK_M_INIT
};

struct ctyskeys_cancel {
	enum ctyskeys_method method;
	bool force;
	unsigned long delay;    /* seconds: POWEROFF:<s>, else TIMEOUT:<s>, else 20 */
	int runlevel;           /* INIT:<n> */
};

/*
 * The CANCEL method of job: at most one of REBOOT RESET INIT PAUSE SUSPEND
 * POWEROFF (default POWEROFF), FORCE excludes STACK, SELF belongs to the
 * PM plugin, INIT:<0-6> is done by the guest (stack propagation: not with
 * FORCE, nor as the hypervisor step of a propagation), delays 0..3600.
 * CTYS_ERR_USAGE naming the rule broken.
 */
ctys_err_t ctyskeys_cancel_get(const json_t *job, struct ctyskeys_cancel *c);

const char *ctyskeys_method_name(enum ctyskeys_method m);

/*
 * The first address of an #@#IP<n> value ("<ip>%<mask>%<relay>%<if>%
 * <sshport>%<gw>", several separated by commas) as this host reaches the
 * guest's sshd: the address into host[n] and the ssh port into *port (0 for
 * the default).  False when there is none, or when its relay is empty,
 * "slirp" or "user" (addresses inside the hypervisor's private network).
 */
bool ctyskeys_ip_dest(const char *ip, char *host, size_t n, unsigned *port);

/*
 * The guest hook of the VM plugins described by ctys metadata
 * (plugin_ops.guest): the ssh address "host[:port]" of #@#IP0 (else #@#IP)
 * found in the files of id (ctyskeys_chain), read as `type`; false when
 * there is none.
 */
bool ctyskeys_guest(const char *type, const char *id, char *dest, size_t n);

/*
 * CANCEL of the running machines `targets` (their LIST labels or ids) of
 * plugin `me`, top-down through their guests' agents (stack.h), when c is
 * POWEROFF, REBOOT or INIT without FORCE and job is not itself the
 * hypervisor step of a propagation.  Returns true when it applied (the job
 * status is sent), false when the plugin acts on the machines itself.
 */
bool ctyskeys_cancel_stacked(const struct pjob *j, const struct plugin_desc *me,
	const struct ctyskeys_cancel *c, const struct strv *targets);

/* ---- consoles of CREATE ---- */

/* One console a plugin drives (plugins.md §2), in the plugin's table. */
struct ctyskeys_console {
	const char *names;      /* "VBOXSDL|SDL": accepted spellings, canonical first */
	int mode;               /* the plugin's own value */
	bool display;           /* needs an X display (DISPLAY) on the executing machine */
};

/*
 * The console of a CREATE job: CONSOLE:<x>, else $<type>_CONSOLE_DEFAULT,
 * else NONE — looked up in tab[n] (which must list NONE).  CTYS_ERR_UNSUPPORTED
 * "CONSOLE:<x> is not supported by <type> (<the table's names>)" or
 * "CONSOLE:<x> of <type> needs an X display (DISPLAY is not set)".
 */
ctys_err_t ctyskeys_console_get(const json_t *job, const char *type,
	const struct ctyskeys_console *tab, size_t n, const struct ctyskeys_console **out);

/*
 * Console viewer for a machine's VNC port: with DISPLAY set, start
 * "vncviewer localhost::<port>" ($CTYS_VNCVIEWER instead of vncviewer)
 * detached and say so; without DISPLAY only say where to connect.  False
 * (and why[n]) when the viewer cannot be started.
 */
bool ctyskeys_vnc_viewer(const struct pjob *j, const char *label, const char *port, char *why,
	size_t n);

/* ---- INFO and SHOW ---- */

/*
 * The INFO line of VM plugin `type` (the PM plugin's "KEY     :value"
 * layout): "<TYPE>    :<tool> <path>, <magic>[, accel <a>], server ENABLED"
 * or "..., server DISABLED: <why>".
 */
void ctyskeys_info(const struct pjob *j, const char *type, const char *tool);

/*
 * The SHOW line of `type`: "<TYPE>    :<n> running: <names...>" (names
 * from the plugin's own listing), or "server DISABLED: <why>".
 */
void ctyskeys_show(const struct pjob *j, const char *type, const struct strv *running);

/* This machine's UID/GID names (for fields 44/45 and LIST 12/13). */
void ctyskeys_account(char *user, size_t un, char *group, size_t gn);

#endif
