/*
 * resolve.h — name-service resolution of machine addresses before
 * dispatch (remote-execution.md §5, the -c option).
 *
 * For CREATE and CANCEL jobs of the PM and VM plugins, unless -c OFF or
 * -c REMOTE, the local cache DB (-p, else the first of DBPATHLST) — and,
 * when it knows nothing and CTYS_LDAP_URI is set, the LDAP directory — is
 * asked for the one machine that the job's address suboptions name on the
 * job's target host, scanned by the job's user.  Its address parts are put
 * in front of the job's own suboptions,
 *     B:<base>,T:<tcp>,M:<mac>,U:<uuid>,L:<label>,P:<config path>,F:<file name>,<own>
 * so the user's own values still win (suboptions are last-wins).
 *
 * Given values are matched exactly in their fields (the original matched
 * them as regular expressions anywhere in the record, so "vm1" also found
 * "vm10").  More than one machine is an error (exit 11, as ctys-vhost -M
 * unique); none is a warning and the job goes on unchanged for the target
 * to scan, or an error with -c ...,ONLY.  A job with an absolute ID:/P:
 * path, or with no address at all (CANCEL=ALL), is left alone.
 */
#ifndef CTYS_RESOLVE_H
#define CTYS_RESOLVE_H

#include "ctys/plan.h"
#include "lib/conf.h"
#include "lib/err.h"

ctys_err_t resolve_plan(struct plan *p, const struct conf *conf);

#endif
