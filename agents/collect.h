/*
 * collect.h — the collector actions LIST, ENUMERATE, INFO and SHOW on the
 * final hop (the original's GENERIC plugin).
 *
 * The plugins asked: the job's -t type, else its -T list, else all; then
 * restricted by PKG:<type>%<type>.  Each enabled plugin contributes:
 * LIST its running sessions (22-field records), ENUMERATE its stored
 * machines under the BASEPATH directories (47-field records, VM and PM
 * plugins only, filtered by MATCHVSTAT on field 19), INFO and SHOW their
 * information lines.  Records travel as protocol records; the client
 * renders them.  A record with the wrong number of fields is dropped with
 * an error message naming the plugin.  One status ends the job.
 *
 * INFO=PLUGINS (ctys-plugins(1)) reports instead what each selected plugin
 * found here: one record of kind "plugin", type = the plugin's name, with
 * COLLECT_PLUGIN_FIELDS fields: name, category (PMs VMs HOSTs), enabled,
 * server, client, split (each "0" or "1"), magic (product and version),
 * accelerator, the reason when not (fully) usable, and this agent's ctys
 * version.
 */
#define COLLECT_PLUGIN_FIELDS 10
#ifndef CTYS_AGENTS_COLLECT_H
#define CTYS_AGENTS_COLLECT_H

#include "agents/plugin.h"

void collect_run(const struct pjob *j, enum ctys_action a);

/*
 * The MATCHVSTAT filter: a regex source for field 19 built from the
 * keywords (ACTIVE DISABLED EMPTY BACKUP TEMPLATE TESTDUMMY IGNORE ENABLED
 * PRESENT ALL CUSTOM, %-separated in the suboption).  *any is set for
 * PRESENT/ALL (no filter), *need_server unless ALL.  CTYS_ERR_USAGE naming
 * an unknown keyword (exit 2 as in the original).
 */
ctys_err_t collect_vstat_regex(const char *spec, char **re, bool *any, bool *need_server);

#endif
