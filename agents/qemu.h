/*
 * qemu.h — the QEMU/KVM plugin's parts (plugins.md §5.2, ctys-QEMU(1)),
 * split so that unit tests reach each one without a running qemu:
 *
 *   qemu-conf.c  VM configurations (<name>.ctys: #@# keys through pm.h's
 *                parser, plus the shell variables LABEL, MAC0, STARTERCALL,
 *                ...), the bounded directory scan and the 47-field
 *                ENUMERATE records;
 *   qemu-qmp.c   a QMP client (JSON over a UNIX socket, jansson);
 *   qemu-run.c   the runtime directory, the qemu command line, running
 *                instances from /proc, CREATE, CANCEL, LIST, ISACTIVE and
 *                GETCLIENTPORT;
 *   qemu.c       probe and the plugin_ops table.
 */
#ifndef CTYS_AGENTS_QEMU_H
#define CTYS_AGENTS_QEMU_H

#include <limits.h>
#include <stdbool.h>
#include <stddef.h>
#include <sys/types.h>

#include <jansson.h>

#include "agents/plugin.h"
#include "agents/pm.h"
#include "lib/buf.h"
#include "lib/err.h"
#include "lib/strv.h"

/* ---- the executable (qemu.c) ---- */

/* What probe found: the emulator, its version and the accelerator. */
struct qemu_host {
	char hostname[256];
	char user[64], group[64];   /* the scanning account (fields 44, 45) */
	char exe[PATH_MAX];         /* absolute path of qemu-system-x86_64, "" = none */
	char version[32];           /* "7.2.22", "" when unknown */
	char accel[8];              /* "KVM" when /dev/kvm opens read-write, else "TCG" */
};

/*
 * Find the emulator: $QEMU_EXE if set, else qemu-system-x86_64 (then
 * qemu-kvm, kvm) in QEMU_PATHLIST (default /opt/qemu/bin:/usr/libexec:
 * /usr/local/bin:/usr/bin) and then $PATH; its version from "-version".
 * Cached after the first call (thread-safe).
 */
const struct qemu_host *qemu_host(void);

/* ---- configurations (qemu-conf.c) ---- */

#define QEMU_CONF_MAX (1024 * 1024)  /* bigger .ctys files are rejected */
#define QEMU_SCAN_DEPTH 6            /* directory levels below a base path */
#define QEMU_SCAN_MAX 10000          /* candidate files per scan */

/* One VM configuration file. */
struct qemu_vm {
	char *path;              /* as given (absolute for scanned files) */
	char *dir;               /* its directory */
	char *prefix;            /* file name without ".ctys" */
	struct pm_conf keys;     /* #@# keys; keys.magic = #@#MAGICID-QEMU */
	struct strv names, vals; /* shell variables, last assignment wins */
};

/*
 * Parse text[0..len) of the configuration at `path`: the #@# keys (see
 * pm_conf_parse; the marker is #@#MAGICID-QEMU) and the unindented shell
 * assignments NAME=value (optionally "export NAME=..."; quotes removed;
 * $NAME, ${NAME} and ${NAME:-default} expanded from earlier assignments,
 * with CTYSWRAPPERPATH preset to the file's directory; lines with `...`
 * or $(...) are skipped).  CTYS_ERR_TOOLONG over QEMU_CONF_MAX.
 */
ctys_err_t qemu_vm_parse(const char *text, size_t len, const char *path, struct qemu_vm *vm);
/* Read and parse a file; CTYS_ERR_NOENT / CTYS_ERR_IO with the path. */
ctys_err_t qemu_vm_load(const char *path, struct qemu_vm *vm);
void qemu_vm_free(struct qemu_vm *vm);
/* A shell variable, or NULL. */
const char *qemu_vm_var(const struct qemu_vm *vm, const char *name);
/* #@#<key>, else the variable <key>, else NULL. */
const char *qemu_vm_get(const struct qemu_vm *vm, const char *key);
/* The label: #@#LABEL, LABEL=, else the file prefix. */
const char *qemu_vm_label(const struct qemu_vm *vm);
/* Is this a usable QEMU configuration (#@#MAGICID-QEMU and no IGNORE/NOENUM)? */
bool qemu_vm_usable(const struct qemu_vm *vm);

/*
 * Every "*.ctys" file below the base directories (at most QEMU_SCAN_DEPTH
 * levels, no symlinked directories, at most QEMU_SCAN_MAX files), sorted
 * per base, each real path once.
 */
void qemu_scan(const struct strv *bases, struct strv *out);

/*
 * The ENUMERATE records of vm (47 fields, canonical order): one per
 * configured interface address (#@#MAC<n>/#@#IP<n>, or the variables
 * MAC<n>/IP<n>), one with empty MAC/TCP without interfaces.  Field 19 is
 * #@#VMSTATE (or VMSTATE=) upper-cased; 29-31 come from h; 18 defaults to
 * VM, 41 to SMP= or 1, 40 to MEMSIZE=, 46/47 to VNC.  Returns the count.
 */
size_t qemu_enum_records(const struct qemu_host *h, const struct qemu_vm *vm, rec_emit_fn emit,
	void *ctx);

/* ---- QMP (qemu-qmp.c) ---- */

struct qemu_qmp {
	int fd;
	struct buf in;           /* bytes read, not yet a whole line */
};

/*
 * Connect to the QMP socket at path, read the greeting and negotiate
 * qmp_capabilities, all within timeout_ms.  CTYS_ERR_NOENT when the
 * socket is missing, CTYS_ERR_IO when nobody listens, CTYS_ERR_TIMEOUT,
 * CTYS_ERR_PROTO for a greeting that is not QMP.
 */
ctys_err_t qemu_qmp_open(struct qemu_qmp *q, const char *path, int timeout_ms);
/*
 * Execute cmd with args (may be NULL; the reference is stolen).  Events
 * that arrive meanwhile are skipped.  On success *ret (may be NULL) is the
 * "return" value (new reference).  A QMP error becomes CTYS_ERR_UNSUPPORTED
 * with its "desc"; a closed connection CTYS_ERR_IO.
 */
ctys_err_t qemu_qmp_cmd(struct qemu_qmp *q, const char *cmd, json_t *args, json_t **ret,
	int timeout_ms);
/* query-status: the "status" string ("running", "paused", ...) into st. */
ctys_err_t qemu_qmp_status(struct qemu_qmp *q, char *st, size_t n, int timeout_ms);
void qemu_qmp_close(struct qemu_qmp *q);

/* ---- runtime (qemu-run.c) ---- */

/*
 * Private runtime directory, created mode 0700: $CTYS_QEMU_RUNDIR, else
 * $XDG_RUNTIME_DIR/ctys/qemu, else /tmp/ctys.<user>/qemu.  Per instance:
 * <label>.qmp (QMP socket), <label>.pid, <label>.conf (the configuration
 * path), <label>.log (qemu's stderr), <label>.serial (console log) and
 * <label>.con (console socket).  NULL with the error set when it cannot
 * be made private.
 */
const char *qemu_rundir(void);
/* Directory of SUSPEND images: $HOME/.ctys/qemu/suspend (created 0700). */
const char *qemu_suspend_dir(void);

/* A running qemu process. */
struct qemu_inst {
	pid_t pid;
	uid_t uid;
	char label[128];          /* -name (without ",..." options) */
	char exe[PATH_MAX];       /* argv[0] */
	char qmp[PATH_MAX];       /* QMP or monitor socket ("" = none) */
	char conf[PATH_MAX];      /* the configuration (ours: <label>.conf) */
	char accel[8];            /* KVM or TCG */
	int display;              /* -vnc :<n>, -1 = none */
	bool ours;                /* its pid file is in our runtime directory */
};

/*
 * Parse a NUL-separated command line (as /proc/<pid>/cmdline) into i (pid
 * and uid not set); cmd[len] must be readable and NUL (the last argument
 * may lack its own).  False when argv[0] is not a qemu executable
 * (qemu-system-*, qemu-kvm, kvm, qemu).
 */
bool qemu_inst_from_cmdline(const char *cmd, size_t len, struct qemu_inst *i);

/* The running qemu processes visible here (from /proc), caller frees *out. */
size_t qemu_instances(struct qemu_inst **out);

/* Options of one start. */
struct qemu_start {
	const char *console;      /* NONE VNC SDL CLI (upper case) */
	int display;              /* VNC display, -1 none */
	const char *accel;        /* KVM or TCG */
	const char *incoming;     /* SUSPEND image to resume from, or NULL */
	const char *argsadd;      /* extra arguments, blank separated, or NULL */
	const char *rundir;
	const char *bootmode;     /* BOOTMODE suboption "<mode>[ <path>]", or NULL */
};

/*
 * The qemu command line for vm (argv[0] = executable): -name <label>,
 * -accel kvm|tcg, -m MEMSIZE (default 256), -smp SMP, -nodefaults
 * -no-user-config, QMP on <rundir>/<label>.qmp, the console socket with a
 * log, -vnc 127.0.0.1:<n> (VNC, NONE), -display sdl (SDL), the disk
 * (HDA/HDDBOOTIMAGE, format QEMU_IMG), KERNEL/INITRD/APPEND, one NIC per
 * MAC<n> (user networking restricted to the host: NETFWD=<hostport>:<port>
 * for a loopback forward), QEMU_ARGS, -incoming.  The boot device follows
 * the BOOTMODE suboption, else the configuration's BOOTMODE or
 * DEFAULTBOOTMODE, else KERNEL when a kernel is configured, else HDD:
 * KERNEL (-kernel, KERNEL or KERNELIMAGE), HDD/VHDD (-boot c), CD/DVD/ISO
 * and INSTALL (-cdrom from the path or INSTSRCCDROM/INSTSRCDVD, -boot d or
 * once=d), FDD (-fda, INSTSRCFDD), USB (usb-storage, INSTSRCUSB), PXE
 * (-boot n); a mode whose image is unknown is CTYS_ERR_USAGE.
 * CTYS_ERR_PARSE when the
 * configuration names no executable and qemu_host() found none.
 */
ctys_err_t qemu_build_argv(const struct qemu_host *h, const struct qemu_vm *vm,
	const struct qemu_start *s, struct strv *argv);

/* The ssh address of the guest configured at path id (plugin_ops.guest). */
bool qemu_guest(const char *type, const char *id, char *dest, size_t n);

void qemu_run_create(const struct pjob *j);
void qemu_run_cancel(const struct pjob *j);
void qemu_run_isactive(const struct pjob *j);
void qemu_run_clientport(const struct pjob *j);
ctys_err_t qemu_list(const struct pjob *j, rec_emit_fn emit, void *ctx);

/* The LIST record (22 fields, output order) of a running instance. */
void qemu_list_record(const char *host, const struct qemu_inst *i, const struct qemu_vm *vm,
	rec_emit_fn emit, void *ctx);

#endif
