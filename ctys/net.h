/*
 * net.h — the network half of the client: SSH sessions, hops and tunnels
 * (libssh) and the LDAP directory (libldap).
 *
 * The dispatcher and the resolver reach them only through `ctys_net`, which
 * ctys_net_enable() (ctys/net.c) sets in the programs linked with them:
 * ctys-client, ctys-vdbgen, ctys-plugins.  `ctys` itself leaves it NULL, so
 * that its start-up does not map libssh, libcrypto, libldap, GnuTLS and
 * Kerberos (about 2.5 ms, most of a `ctys -V`); a run that needs the network
 * is handed to ctys-client, the same program with this half, by exec with
 * the same arguments (ctys_run(), run.h).
 */
#ifndef CTYS_NET_H
#define CTYS_NET_H

#include <stdbool.h>

#include <jansson.h>

#include "ctys/plan.h"
#include "lib/err.h"

struct agent;
struct dir_session;
struct hc_env;
struct link_sink;
struct query_source;
struct sshc_cfg;
struct sshc_pool;

struct ctys_net {
	struct sshc_pool *(*pool_new)(const struct sshc_cfg *cfg);
	void (*pool_free)(struct sshc_pool *pool);
	/* the in-process agent of localhost first hops forwards over SSH */
	void (*relay_enable)(struct agent *a, const struct sshc_cfg *cfg);
	/*
	 * Send wire job `job` of plan job j to its agent: CHAIN to the first
	 * hop (from hop `first`), or STAR through every hop from `first`;
	 * exactly one status reaches the sink.  tmo_ms 0 = no limit.
	 */
	void (*send)(struct sshc_pool *pool, const char *agent_cmd, const struct job *j,
		json_t *job, bool star, size_t first, int tmo_ms, const struct link_sink *sink);
	/* hostclient.h: terminals, tunnels and viewers of HOSTs sessions */
	void (*hostclient_run)(const struct hc_env *e, const struct job *j, json_t *wire,
		const struct link_sink *sink);
	/* cache/ldap-dir.h */
	ctys_err_t (*dir_open)(struct dir_session *s, struct query_source *src);
	void (*dir_close)(struct dir_session *s);
};

/* NULL in `ctys`; set by ctys_net_enable() where the network half is linked. */
extern const struct ctys_net *ctys_net;

void ctys_net_enable(void);

/*
 * Does running plan p (not a dry run) need the network half?  A job whose
 * first hop is not this machine, that goes on from here, or that has a
 * part here (hostclient_wants); and any plan when CTYS_LDAP_URI names a
 * directory for the name resolution.
 */
bool plan_needs_net(const struct plan *p, bool dryrun);

#endif
