/*
 * plugin.h — the table of session-type plugins.
 *
 * One const entry per session type (PM, QEMU, XEN, VBOX, VMW, CLI, X11,
 * VNC, RDP).  The client uses it to validate -t/-T and to know which
 * actions a type supports; the agent will route jobs through the same
 * table (the operations are added by the plugin-interface work).
 * Adding a plugin = one new file + one line in plugin_table[].
 */
#ifndef CTYS_AGENTS_PLUGIN_H
#define CTYS_AGENTS_PLUGIN_H

#include <stdbool.h>
#include <stddef.h>

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

struct plugin_desc {
	const char *name;           /* canonical name, "QEMU" */
	const char *names;          /* name and aliases, "QEMU|KVM" */
	enum plugin_category category;
	unsigned actions;           /* CTYS_ACT_BIT() of supported actions */
	bool split;                 /* client/server split (CONNECTIONFORWARDING) */
	const char *summary;
};

extern const struct plugin_desc plugin_table[];
extern const size_t plugin_count;

/* Entry for a type name or alias (any case), or NULL. */
const struct plugin_desc *plugin_lookup(const char *name, size_t len);
const char *plugin_category_name(enum plugin_category c);

#endif
