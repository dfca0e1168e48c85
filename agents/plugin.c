/* plugin.c — the session-type table; see plugin.h and plugins.md. */
#include "agents/plugin.h"

#include <string.h>

#include "lib/util.h"

#define A(x) CTYS_ACT_BIT(CTYS_ACT_##x)
#define COLLECT (A(LIST) | A(ENUMERATE) | A(INFO) | A(SHOW))

const struct plugin_desc plugin_table[] = {
	{ "PM", "PM", PLUGIN_PM, A(CREATE) | A(CANCEL) | COLLECT, false,
	    "physical machines: Wake-on-LAN, shutdown, consoles" },
	{ "QEMU", "QEMU|KVM", PLUGIN_VM, A(CREATE) | A(CANCEL) | COLLECT | A(GETCLIENTPORT) | A(ISACTIVE),
	    true, "QEMU and KVM virtual machines" },
	{ "XEN", "XEN", PLUGIN_VM, A(CREATE) | A(CANCEL) | COLLECT | A(GETCLIENTPORT) | A(ISACTIVE), true,
	    "Xen domains through xl" },
	{ "VBOX", "VBOX", PLUGIN_VM, A(CREATE) | A(CANCEL) | COLLECT | A(ISACTIVE), true,
	    "VirtualBox machines through VBoxManage" },
	{ "VMW", "VMW", PLUGIN_VM, A(CREATE) | A(CANCEL) | COLLECT | A(GETCLIENTPORT) | A(ISACTIVE), true,
	    "VMware Workstation/Server/Player through vmrun" },
	{ "CLI", "CLI", PLUGIN_HOST, A(CREATE) | A(LIST) | A(INFO) | A(SHOW), false,
	    "command line sessions over SSH" },
	{ "X11", "X11", PLUGIN_HOST, A(CREATE) | A(LIST) | A(INFO) | A(SHOW), false,
	    "X11 clients with forwarded display" },
	{ "VNC", "VNC", PLUGIN_HOST, A(CREATE) | A(CANCEL) | A(LIST) | A(INFO) | A(SHOW) | A(GETCLIENTPORT),
	    true, "VNC desktops (server and viewer)" },
	{ "RDP", "RDP", PLUGIN_HOST, A(CREATE) | A(CANCEL) | A(LIST) | A(INFO) | A(SHOW) | A(GETCLIENTPORT),
	    true, "RDP clients" },
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
