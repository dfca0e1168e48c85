/*
 * plugins.h — the operations of each plugin, one `const struct plugin_ops`
 * per session-type file (agents/pm.c, agents/cli.c, ...), referenced by
 * plugin_table[] in plugin.c.
 */
#ifndef CTYS_AGENTS_PLUGINS_H
#define CTYS_AGENTS_PLUGINS_H

#include "agents/plugin.h"

extern const struct plugin_ops pm_ops;
extern const struct plugin_ops cli_ops;
extern const struct plugin_ops qemu_ops;
extern const struct plugin_ops xen_ops;
extern const struct plugin_ops vbox_ops;
extern const struct plugin_ops vmw_ops;
extern const struct plugin_ops vnc_ops;
extern const struct plugin_ops rdp_ops;
extern const struct plugin_ops x11_ops;

#endif
