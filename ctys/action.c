/* action.c — the action table; see action.h, actions.md and plugins.md. */
#include "ctys/action.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "lib/util.h"
#include "lib/xmalloc.h"

#define ADDRESS_KEYS                                                                \
	{ "LABEL|L", SA_REQ, SC_ADDRESS, "label of the session or machine" },       \
	{ "ID|I|PATHNAME|PNAME|P", SA_REQ, SC_ADDRESS, "config path or runtime id" }, \
	{ "FILENAME|FNAME|F", SA_REQ, SC_ADDRESS, "config file name pattern" },     \
	{ "UUID|U", SA_REQ, SC_ADDRESS, "UUID" },                                   \
	{ "MAC|M", SA_REQ, SC_ADDRESS, "MAC address" },                             \
	{ "TCP|T", SA_REQ, SC_ADDRESS, "IP address or DNS name" },                  \
	{ "BASEPATH|BASE|B", SA_REQ, SC_ADDRESS, "scan directories, %-separated" },  \
	{ "DBRECORD|DBREC|DR", SA_REQ, SC_ADDRESS, "cache DB record index" }

static const struct subopt_def create_subopts[] = {
	ADDRESS_KEYS,
	{ "REUSE", SA_NONE, SC_CREATEMODE, "connect if running, else start" },
	{ "CONNECT", SA_NONE, SC_CREATEMODE, "only attach a client to a running session" },
	{ "RECONNECT", SA_NONE, SC_CREATEMODE, "replace the clients of a running session" },
	{ "RESUME", SA_NONE, SC_CREATEMODE, "resume a suspended VM" },
	{ "USER", SA_REQ, SC_PLAIN, "account inside the target: user[%credentials]" },
	{ "CONSOLE", SA_REQ, SC_PLAIN, "console type (CLI, VNC, SDL, NONE, XTERM, ...)" },
	{ "BOOTMODE", SA_REQ, SC_PLAIN, "KERNEL PXE FDD CD DVD USB HDD VHDD ISO INSTALL[%path]" },
	{ "CHDIR|CD", SA_REQ, SC_PLAIN, "working directory" },
	{ "INSTMODE", SA_REQ, SC_PLAIN, "installation boot: mode%src%target-mode%target%stage" },
	{ "KERNEL", SA_OPT, SC_PLAIN, "kernel image for KERNEL boot" },
	{ "ARGSADD", SA_REQ, SC_PLAIN, "extra hypervisor arguments: S%args" },
	{ "PING", SA_REQ, SC_PLAIN, "wait for ICMP: OFF or repeat%sleep" },
	{ "SSHPING", SA_REQ, SC_PLAIN, "wait for SSH login: OFF or repeat%sleep" },
	{ "STACKCHECK", SA_REQ, SC_PLAIN, "OFF or CONTEXT|NOCONTEXT%HWCAP|NOHWCAP%STACKCAP|NOSTACKCAP" },
	{ "STUBMODE|STUB", SA_OPT, SC_PLAIN, "no ctys on the target (CLI, X11)" },
	{ "VNCDESKIDLIST|VDIL", SA_REQ, SC_PLAIN, "VNC desktop ids, %-separated" },
	{ "WAITC", SA_REQ, SC_PLAIN, "seconds to wait after starting the client" },
	{ "WAITS", SA_REQ, SC_PLAIN, "seconds to wait after starting the server" },
	{ "CALLOPTS|C", SA_REQ, SC_PLAIN, "options for the started program" },
	{ "XOPTS|X", SA_REQ, SC_PLAIN, "X toolkit options for the client" },
	{ "CMD", SA_REQ, SC_PLAIN, "command to run (CLI, X11)" },
	{ "SHELL|S", SA_REQ, SC_PLAIN, "shell to run (CLI, X11)" },
	{ "WOL", SA_OPT, SC_PLAIN, "PM: wake on LAN [delay]" },
	{ "BROADCAST", SA_REQ, SC_PLAIN, "PM: broadcast address for WoL" },
	{ "PORT", SA_REQ, SC_PLAIN, "PM: WoL port (with BROADCAST)" },
	{ "BMAC", SA_REQ, SC_PLAIN, "PM: MAC for the broadcast WoL packet" },
	{ "IF", SA_REQ, SC_PLAIN, "PM: interface for WoL" },
	{ "VNCBASE", SA_REQ, SC_PLAIN, "VNC: base port (5900)" },
	{ "VNCPORT", SA_REQ, SC_PLAIN, "VNC: port" },
	{ "WM|VNCVM", SA_REQ, SC_PLAIN, "VNC: window manager" },
	{ "BULK", SA_REQ, SC_PLAIN, "VNC: create n sessions (at most 20)" },
	{ "SH", SA_NONE, SC_PLAIN, "X11: single-hyphen options (xterm)" },
	{ "DH", SA_NONE, SC_PLAIN, "X11: double-hyphen options (gnome)" },
	{ "TITLEKEY", SA_REQ, SC_PLAIN, "X11: option name for the title" },
	{ "NOTITLE", SA_NONE, SC_PLAIN, "X11: no window title" },
	{ "RDPPORT", SA_REQ, SC_PLAIN, "RDP: port" },
	{ "INSECURE", SA_REQ, SC_PLAIN, "RDP: connect to a non-localhost address" },
};

static const struct subopt_def cancel_subopts[] = {
	ADDRESS_KEYS,
	{ "ALL", SA_NONE, SC_ADDRESS, "every session of the plugin in scope" },
	{ "FORCE", SA_NONE, SC_PLAIN, "no propagation; act on the hypervisor directly" },
	{ "STACK", SA_NONE, SC_PLAIN, "propagate to the guests first, top-down (default)" },
	{ "SELF", SA_NONE, SC_PLAIN, "also shut down the executing machine" },
	{ "RESET", SA_NONE, SC_METHOD, "hypervisor reset" },
	{ "REBOOT", SA_NONE, SC_METHOD, "reboot" },
	{ "INIT", SA_REQ, SC_METHOD, "init <runlevel>" },
	{ "PAUSE|S3", SA_NONE, SC_METHOD, "pause" },
	{ "SUSPEND|S4", SA_NONE, SC_METHOD, "save state to disk" },
	{ "POWEROFF|S5", SA_OPT, SC_METHOD, "power off [after delay seconds]" },
	{ "CLIENT", SA_NONE, SC_SITE, "only the clients" },
	{ "SERVER", SA_NONE, SC_SITE, "only the servers" },
	{ "BOTH", SA_NONE, SC_SITE, "clients and servers" },
	{ "TIMEOUT", SA_REQ, SC_PLAIN, "seconds to wait per level" },
	{ "USER", SA_REQ, SC_PLAIN, "account inside the target" },
	{ "WOL", SA_NONE, SC_PLAIN, "PM: prepare wake-on-LAN before power-off" },
	{ "IF", SA_REQ, SC_PLAIN, "PM: interface for WOL" },
};

#define FORMAT_KEYS                                                               \
	{ "TITLE", SA_NONE, SC_PLAIN, "title line" },                             \
	{ "TITLEIDX", SA_NONE, SC_PLAIN, "titles with field index" },             \
	{ "TITLEIDXASC", SA_NONE, SC_PLAIN, "titles with column letter and index" }, \
	{ "MACHINE", SA_NONE, SC_PLAIN, "all fields, terse" },                    \
	{ "MAXKEY", SA_NONE, SC_PLAIN, "PM, TYPE, LABEL, ID, UUID, MAC, terse" },   \
	{ "TERSE", SA_NONE, SC_PLAIN, "no decoration" },                          \
	{ "ALL", SA_NONE, SC_PLAIN, "a larger set of fields" },                   \
	{ "NONE", SA_NONE, SC_PLAIN, "no fields" },                               \
	{ "IP", SA_NONE, SC_PLAIN, "numeric addresses" },                         \
	{ "DNS|D", SA_NONE, SC_PLAIN, "DNS names" },                              \
	{ "SORT", SA_OPT, SC_PLAIN, "ALL|EACH|UNIQUE|REVERSE|<field>, %-separated" }, \
	{ "PKG", SA_REQ, SC_PLAIN, "restrict to plugin types, %-separated" },     \
	{ "TAB_GEN|TAB", SA_REQ, SC_PLAIN, "table: idx_title_width_policy%..." },  \
	{ "REC_GEN|REC", SA_REQ, SC_PLAIN, "records: colspec" },                  \
	{ "SPEC_GEN|SPEC", SA_REQ, SC_PLAIN, "specification list: colspec" },      \
	{ "XML_GEN|XML", SA_REQ, SC_PLAIN, "XML: colspec" },                      \
	{ "JSON", SA_NONE, SC_PLAIN, "JSON lines, one object per record (ctys in C)" }

static const struct subopt_def list_subopts[] = {
	FORMAT_KEYS,
	{ "SERVER", SA_NONE, SC_SITE, "servers only" },
	{ "CLIENT", SA_NONE, SC_SITE, "clients only" },
	{ "TUNNEL", SA_NONE, SC_SITE, "tunnels only" },
	{ "BOTH", SA_NONE, SC_SITE, "servers and clients (default)" },
	{ "TAB_TCP", SA_OPT, SC_PLAIN, "the default LIST table [widths%...]" },
	{ "ACCELERATOR|ACCEL", SA_NONE, SC_FIELD, NULL },
	{ "ARCH", SA_NONE, SC_FIELD, NULL },
	{ "CONTEXTSTRG|CSTRG", SA_NONE, SC_FIELD, NULL },
	{ "CPORT", SA_NONE, SC_FIELD, NULL },
	{ "DISPLAY", SA_NONE, SC_FIELD, NULL },
	{ "EXEPATH|EXEP", SA_NONE, SC_FIELD, NULL },
	{ "GROUP|GID", SA_NONE, SC_FIELD, NULL },
	{ "HYPERRELRUN|HRELRUN|HRELX|HRX", SA_NONE, SC_FIELD, NULL },
	{ "ID|PATHNAME|PNAME|P", SA_NONE, SC_FIELD, NULL },
	{ "IFNAME|IF", SA_NONE, SC_FIELD, NULL },
	{ "JOBID|JID", SA_NONE, SC_FIELD, NULL },
	{ "LABEL", SA_NONE, SC_FIELD, NULL },
	{ "MAC", SA_NONE, SC_FIELD, NULL },
	{ "PID", SA_NONE, SC_FIELD, NULL },
	{ "PM|HOST", SA_NONE, SC_FIELD, NULL },
	{ "SITE", SA_NONE, SC_FIELD, NULL },
	{ "SPORT", SA_NONE, SC_FIELD, NULL },
	{ "TCP", SA_NONE, SC_FIELD, NULL },
	{ "TYPE|ST|STYPE", SA_NONE, SC_FIELD, NULL },
	{ "USER|UID", SA_NONE, SC_FIELD, NULL },
	{ "UUID", SA_NONE, SC_FIELD, NULL },
};

static const struct subopt_def enumerate_subopts[] = {
	FORMAT_KEYS,
	{ "BASEPATH|BASE|B", SA_REQ, SC_PLAIN, "scan directories, %-separated" },
	{ "MATCHVSTAT", SA_REQ, SC_PLAIN, "VM states to list, %-separated" },
	/* the 47 field selectors of actions.md §5.1 */
	{ "PM|HOST", SA_NONE, SC_FIELD, NULL },
	{ "TYPE|STYPE|ST", SA_NONE, SC_FIELD, NULL },
	{ "LABEL|L", SA_NONE, SC_FIELD, NULL },
	{ "IDS|ID|I|PNAME|P", SA_NONE, SC_FIELD, NULL },
	{ "UUID|U", SA_NONE, SC_FIELD, NULL },
	{ "MAC|M", SA_NONE, SC_FIELD, NULL },
	{ "TCP|T", SA_NONE, SC_FIELD, NULL },
	{ "VNCDISPLAY|DISP", SA_NONE, SC_FIELD, NULL },
	{ "VNCPORT|CPORT", SA_NONE, SC_FIELD, NULL },
	{ "SERVERACCESS|SPORT|S", SA_NONE, SC_FIELD, NULL },
	{ "VNCBASE", SA_NONE, SC_FIELD, NULL },
	{ "DIST", SA_NONE, SC_FIELD, NULL },
	{ "DISTREL", SA_NONE, SC_FIELD, NULL },
	{ "OS|O", SA_NONE, SC_FIELD, NULL },
	{ "OSREL", SA_NONE, SC_FIELD, NULL },
	{ "VERSION|VERNO|VER", SA_NONE, SC_FIELD, NULL },
	{ "SERIALNUMBER|SERNO", SA_NONE, SC_FIELD, NULL },
	{ "CATEGORY|CAT", SA_NONE, SC_FIELD, NULL },
	{ "VMSTATE|VSTAT", SA_NONE, SC_FIELD, NULL },
	{ "HYPERREL|HYREL", SA_NONE, SC_FIELD, NULL },
	{ "STACKCAP|SCAP", SA_NONE, SC_FIELD, NULL },
	{ "STACKREQ|SREQ", SA_NONE, SC_FIELD, NULL },
	{ "HWCAP", SA_NONE, SC_FIELD, NULL },
	{ "HWREQ", SA_NONE, SC_FIELD, NULL },
	{ "EXECLOCATION", SA_NONE, SC_FIELD, NULL },
	{ "RELOCCAP", SA_NONE, SC_FIELD, NULL },
	{ "SSHPORT", SA_NONE, SC_FIELD, NULL },
	{ "NETNAME", SA_NONE, SC_FIELD, NULL },
	{ "HYPERRELRUN|HRELRUN|HRELX|HRX", SA_NONE, SC_FIELD, NULL },
	{ "ACCELERATOR|ACCEL", SA_NONE, SC_FIELD, NULL },
	{ "EXEPATH|EXEP", SA_NONE, SC_FIELD, NULL },
	{ "IFNAME|IF", SA_NONE, SC_FIELD, NULL },
	{ "CTYSRELEASE", SA_NONE, SC_FIELD, NULL },
	{ "NETMASK", SA_NONE, SC_FIELD, NULL },
	{ "GATEWAY", SA_NONE, SC_FIELD, NULL },
	{ "RELAY", SA_NONE, SC_FIELD, NULL },
	{ "ARCH", SA_NONE, SC_FIELD, NULL },
	{ "PLATFORM|PFORM", SA_NONE, SC_FIELD, NULL },
	{ "VRAM", SA_NONE, SC_FIELD, NULL },
	{ "VCPU", SA_NONE, SC_FIELD, NULL },
	{ "CONTEXTSTRING|CSTRG", SA_NONE, SC_FIELD, NULL },
	{ "USERSTRING|USTRG", SA_NONE, SC_FIELD, NULL },
	{ "USERID|UID", SA_NONE, SC_FIELD, NULL },
	{ "GROUPID|GID", SA_NONE, SC_FIELD, NULL },
	{ "DEFAULTHOSTS|DEFHOSTS|DEFH", SA_NONE, SC_FIELD, NULL },
	{ "DEFAULTCONSOLE|DEFCON|DEFC", SA_NONE, SC_FIELD, NULL },
};

#define N(a) (sizeof(a) / sizeof((a)[0]))

const struct action_def action_table[CTYS_ACT__COUNT] = {
	{ "CREATE", CTYS_ACT_CREATE, 0, create_subopts, N(create_subopts), NULL,
	    "start a session or machine" },
	{ "CANCEL", CTYS_ACT_CANCEL, 0, cancel_subopts, N(cancel_subopts), NULL,
	    "stop, suspend or pause a session or machine" },
	{ "LIST", CTYS_ACT_LIST, ACTF_COLLECTOR, list_subopts, N(list_subopts), "both,tab_tcp,dns",
	    "list running sessions" },
	{ "ENUMERATE", CTYS_ACT_ENUMERATE, ACTF_COLLECTOR, enumerate_subopts,
	    N(enumerate_subopts), NULL, "list stored machine configurations" },
	{ "INFO", CTYS_ACT_INFO, ACTF_COLLECTOR | ACTF_FREEARGS, NULL, 0, "both,tab_tcp,dns",
	    "static host information" },
	{ "SHOW", CTYS_ACT_SHOW, ACTF_COLLECTOR | ACTF_FREEARGS, NULL, 0, "both,tab_tcp,dns",
	    "dynamic host information" },
	{ "GETCLIENTPORT", CTYS_ACT_GETCLIENTPORT, ACTF_INTERNAL | ACTF_FREEARGS, NULL, 0, NULL,
	    "internal: client port of a session" },
	{ "ISACTIVE", CTYS_ACT_ISACTIVE, ACTF_INTERNAL | ACTF_FREEARGS, NULL, 0, NULL,
	    "internal: is a session running" },
};

const struct action_def *
action_lookup(const char *name, size_t len)
{
	size_t i;

	for (i = 0; i < CTYS_ACT__COUNT; i++)
		if (kw_match(action_table[i].name, name, len))
			return &action_table[i];
	return NULL;
}

const struct subopt_def *
action_subopt(const struct action_def *a, const char *key)
{
	size_t i, len = strlen(key);

	for (i = 0; i < a->nsubopts; i++)
		if (kw_match(a->subopts[i].names, key, len))
			return &a->subopts[i];
	return NULL;
}

bool
subopt_def_is(const struct subopt_def *d, const char *name)
{
	size_t n;

	if (d == NULL)
		return false;
	n = kw_canon_len(d->names);
	return strlen(name) == n && strncmp(d->names, name, n) == 0;
}

bool
action_find_subopt(const struct action_def *a, const char *text, const char *name, char **arg)
{
	struct subopts so;
	const struct subopt *hit = NULL;
	size_t i;

	if (arg)
		*arg = NULL;
	if (a == NULL || text == NULL || subopt_scan(text, &so) != CTYS_OK)
		return false;
	for (i = 0; i < so.n; i++)
		if (subopt_def_is(action_subopt(a, so.v[i].key), name))
			hit = &so.v[i];
	if (hit && arg && hit->arg)
		*arg = xstrdup(hit->arg);
	subopt_free(&so);
	return hit != NULL;
}

static void
canon(char *dst, size_t dstsz, const char *names)
{
	size_t n = kw_canon_len(names);

	if (n >= dstsz)
		n = dstsz - 1;
	memcpy(dst, names, n);
	dst[n] = '\0';
}

ctys_err_t
action_check(const struct action_def *a, const struct subopts *so)
{
	const struct subopt_def *seen[SC_FIELD + 1] = { 0 };
	const struct subopt_def *d;
	char c1[32], c2[32];
	size_t i;
	bool force = false, stack = false;

	if (a->flags & ACTF_FREEARGS)
		return CTYS_OK;
	for (i = 0; i < so->n; i++) {
		d = action_subopt(a, so->v[i].key);
		if (d == NULL)
			return ctys_seterr(CTYS_ERR_USAGE, "unknown suboption '%s' for action %s",
			    so->v[i].key, a->name);
		canon(c1, sizeof c1, d->names);
		if (d->arg == SA_REQ && (so->v[i].arg == NULL || so->v[i].arg[0] == '\0'))
			return ctys_seterr(CTYS_ERR_USAGE, "suboption '%s' of %s requires an argument (%s:<value>)",
			    so->v[i].key, a->name, c1);
		if (d->arg == SA_NONE && so->v[i].arg != NULL)
			return ctys_seterr(CTYS_ERR_USAGE, "suboption '%s' of %s takes no argument",
			    so->v[i].key, a->name);
		if (d->cls == SC_METHOD || d->cls == SC_SITE || d->cls == SC_CREATEMODE) {
			if (seen[d->cls] && seen[d->cls] != d) {
				canon(c2, sizeof c2, seen[d->cls]->names);
				return ctys_seterr(CTYS_ERR_USAGE,
				    "suboptions '%s' and '%s' of %s exclude each other", c2, c1,
				    a->name);
			}
			seen[d->cls] = d;
		}
		if (strcmp(c1, "FORCE") == 0)
			force = true;
		if (strcmp(c1, "STACK") == 0)
			stack = true;
	}
	if (force && stack)
		return ctys_seterr(CTYS_ERR_USAGE, "suboptions 'FORCE' and 'STACK' of %s exclude each other",
		    a->name);
	return CTYS_OK;
}

void
action_normalize(struct buf *out, const struct action_def *a, const struct subopts *so,
    const char *raw)
{
	const struct subopt_def *d;
	char key[64];
	size_t i;

	if ((a->flags & ACTF_FREEARGS) || a->nsubopts == 0) {
		buf_adds(out, raw ? raw : "");
		return;
	}
	for (i = 0; i < so->n; i++) {
		d = action_subopt(a, so->v[i].key);
		if (i)
			buf_addc(out, ',');
		if (d)
			canon(key, sizeof key, d->names);
		else
			snprintf(key, sizeof key, "%s", so->v[i].key);
		subopt_encode(out, key, so->v[i].arg);
	}
}
