/* plugin.c — the session-type table; see plugin.h and plugins.md. */
#include "agents/plugin.h"

#include <pthread.h>
#include <stdio.h>
#include <string.h>

#include "agents/plugins.h"
#include "lib/util.h"

#define A(x) CTYS_ACT_BIT(CTYS_ACT_##x)
#define COLLECT (A(LIST) | A(ENUMERATE) | A(INFO) | A(SHOW))
#define ADDR "LABEL ID FILENAME UUID MAC TCP BASEPATH DBRECORD"
/* XEN, VBOX, VMW (ctys-XEN(1), ctys-VBOX(1), ctys-VMW(1)) */
#define VMCREATE ADDR " REUSE CONNECT RECONNECT RESUME CONSOLE CALLOPTS USER"
#define VMCANCEL ADDR " ALL FORCE STACK RESET REBOOT INIT PAUSE SUSPEND POWEROFF TIMEOUT USER " \
	"CLIENT SERVER BOTH"

const struct plugin_desc plugin_table[] = {
	{ "PM", "PM", PLUGIN_PM, A(CREATE) | A(CANCEL) | COLLECT, false,
	    "physical machines: Wake-on-LAN, shutdown, consoles",
	    { [CTYS_ACT_CREATE] = ADDR " REUSE CONNECT RECONNECT RESUME WOL BROADCAST PORT BMAC IF "
		"CONSOLE USER PING SSHPING WAITC WAITS STACKCHECK",
	      [CTYS_ACT_CANCEL] = ADDR " ALL FORCE STACK SELF RESET REBOOT INIT PAUSE SUSPEND "
		"POWEROFF TIMEOUT USER WOL IF" },
	    &pm_ops },
	{ "QEMU", "QEMU|KVM", PLUGIN_VM, A(CREATE) | A(CANCEL) | COLLECT | A(GETCLIENTPORT) |
	    A(ISACTIVE), true, "QEMU and KVM virtual machines",
	    { [CTYS_ACT_CREATE] = ADDR " REUSE CONNECT RECONNECT RESUME CONSOLE USER BOOTMODE "
		"ARGSADD PING SSHPING WAITC WAITS STACKCHECK",
	      [CTYS_ACT_CANCEL] = ADDR " ALL FORCE STACK RESET REBOOT INIT PAUSE SUSPEND POWEROFF "
		"CLIENT SERVER BOTH TIMEOUT USER" },
	    &qemu_ops },
	{ "XEN", "XEN", PLUGIN_VM, A(CREATE) | A(CANCEL) | COLLECT | A(GETCLIENTPORT) | A(ISACTIVE),
	    true, "Xen domains through xl", { [CTYS_ACT_CREATE] = VMCREATE, [CTYS_ACT_CANCEL] = VMCANCEL },
	    &xen_ops },
	{ "VBOX", "VBOX", PLUGIN_VM, A(CREATE) | A(CANCEL) | COLLECT | A(GETCLIENTPORT) |
	    A(ISACTIVE), true,
	    "VirtualBox machines through VBoxManage",
	    { [CTYS_ACT_CREATE] = VMCREATE, [CTYS_ACT_CANCEL] = VMCANCEL }, &vbox_ops },
	{ "VMW", "VMW", PLUGIN_VM, A(CREATE) | A(CANCEL) | COLLECT | A(GETCLIENTPORT) | A(ISACTIVE),
	    true, "VMware Workstation/Server/Player through vmrun",
	    { [CTYS_ACT_CREATE] = VMCREATE, [CTYS_ACT_CANCEL] = VMCANCEL }, &vmw_ops },
	{ "CLI", "CLI", PLUGIN_HOST, A(CREATE) | A(LIST) | A(INFO) | A(SHOW), false,
	    "command line sessions over SSH",
	    { [CTYS_ACT_CREATE] = "LABEL CMD SHELL CALLOPTS XOPTS CHDIR STUBMODE" },
	    &cli_ops },
	{ "X11", "X11", PLUGIN_HOST, A(CREATE) | A(LIST) | A(INFO) | A(SHOW), false,
	    "X11 clients with forwarded display",
	    { [CTYS_ACT_CREATE] = "LABEL CONSOLE CMD SHELL CALLOPTS XOPTS CHDIR NOTITLE" },
	    &x11_ops },
	{ "VNC", "VNC", PLUGIN_HOST, A(CREATE) | A(CANCEL) | A(LIST) | A(INFO) | A(SHOW) |
	    A(GETCLIENTPORT) | A(ISACTIVE), true, "VNC desktops (server and viewer)",
	    { [CTYS_ACT_CREATE] = "LABEL ID REUSE CONNECT RECONNECT RESUME VNCBASE VNCPORT WAITS",
	      [CTYS_ACT_CANCEL] = "LABEL ID ALL CLIENT SERVER BOTH POWEROFF FORCE" },
	    &vnc_ops },
	{ "RDP", "RDP", PLUGIN_HOST, A(CREATE) | A(CANCEL) | A(LIST) | A(INFO) | A(SHOW) |
	    A(GETCLIENTPORT), true, "RDP clients",
	    { [CTYS_ACT_CREATE] = "LABEL RDPPORT INSECURE CONNECT RECONNECT CONSOLE CALLOPTS XOPTS",
	      [CTYS_ACT_CANCEL] = "LABEL ALL CLIENT SERVER BOTH" },
	    &rdp_ops },
};
const size_t plugin_count = sizeof plugin_table / sizeof plugin_table[0];

const struct plugin_desc *
plugin_lookup(const char *name, size_t len)
{
	size_t i;

	for (i = 0; i < plugin_count; i++)
		if (kw_match(plugin_table[i].names, name, len))
			return &plugin_table[i];
	return NULL;
}

const char *
plugin_category_name(enum plugin_category c)
{
	static const char *const n[] = { "PMs", "VMs", "HOSTs" };

	return n[c];
}

bool
plugin_accepts(const struct plugin_desc *p, enum ctys_action a, const char *key)
{
	const char *list = p->accepts[a], *s;
	size_t n = strlen(key);

	if (list == NULL)
		return true;
	for (s = list; (s = strstr(s, key)) != NULL; s += n)
		if ((s == list || s[-1] == ' ') && (s[n] == ' ' || s[n] == '\0'))
			return true;
	return false;
}

static struct plugin_state states[sizeof plugin_table / sizeof plugin_table[0]];
static bool probed[sizeof plugin_table / sizeof plugin_table[0]];
static pthread_mutex_t probe_lock = PTHREAD_MUTEX_INITIALIZER;

/*
 * Each plugin is probed the first time its state is asked for, and only
 * that one: an agent that runs a CLI job never runs `qemu -version` or
 * `xl info` (a probe can cost tens of ms of CPU on the remote side).
 */
const struct plugin_state *
plugin_state(const struct plugin_desc *p)
{
	size_t i = (size_t)(p - plugin_table);

	pthread_mutex_lock(&probe_lock);
	if (!probed[i]) {
		if (p->ops && p->ops->probe) {
			p->ops->probe(&states[i]);
		} else {
			states[i].enabled = false;
			snprintf(states[i].why, sizeof states[i].why,
			    "not implemented in this version of ctys");
		}
		probed[i] = true;
	}
	pthread_mutex_unlock(&probe_lock);
	return &states[i];
}

const char *const plugin_action_names[CTYS_ACT__COUNT] = { "CREATE", "CANCEL", "LIST",
	"ENUMERATE", "INFO", "SHOW", "GETCLIENTPORT", "ISACTIVE" };

int
plugin_action_by_name(const char *name)
{
	int i;

	for (i = 0; i < CTYS_ACT__COUNT; i++)
		if (str_ieq(plugin_action_names[i], name))
			return i;
	return -1;
}

bool
plugin_action_is_collector(int a)
{
	return a == CTYS_ACT_LIST || a == CTYS_ACT_ENUMERATE || a == CTYS_ACT_INFO ||
	    a == CTYS_ACT_SHOW;
}
