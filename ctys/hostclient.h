/*
 * hostclient.h — the parts of HOSTs sessions (CLI, X11, VNC, RDP) that
 * run on the calling machine (ctys-CLI(1), ctys-X11(1), ctys-VNC(1),
 * ctys-RDP(1)).
 *
 *   CLI CREATE without CMD   an interactive login with a pseudo-terminal
 *                            on the target, this terminal in raw mode;
 *   CLI CREATE STUBMODE      the command through SSH alone (no agent);
 *   X11 CREATE               the X client on the target, its display
 *                            forwarded to $DISPLAY here (SSH X11
 *                            forwarding on the target's session);
 *   VNC CREATE -L CF|CO      the server on the target (a SERVERONLY job,
 *                            or GETCLIENTPORT for CONNECT/CLIENTONLY),
 *                            a tunnel from 127.0.0.1:<lport> here to the
 *                            server's port on the target's loopback, and
 *                            the viewer here on the tunnel;
 *   VNC CREATE -L DF         the server, then the viewer on the target
 *                            displayed here (as X11);
 *   RDP CREATE               the client through the same tunnels (CF) or
 *                            on the target (DF);
 *   VNC/RDP CANCEL           the job on the target, then the viewers this
 *                            machine started for that target and label.
 *
 * These sessions are opened by this client hop by hop over the target's
 * hop path (direct-tcpip tunnels through each layer, one SSH session per
 * hop, shared by every job of the run), whatever -x says: this machine
 * needs keys and known_hosts entries for every layer.  They end with
 * their client program (viewer, X client, shell), and so do their
 * tunnels.  While one runs, every hop is checked every few seconds; a hop
 * that stops answering ends the session with an error naming that hop.
 */
#ifndef CTYS_HOSTCLIENT_H
#define CTYS_HOSTCLIENT_H

#include <stdbool.h>

#include <jansson.h>

#include "ctys/plan.h"
#include "lib/link.h"
#include "lib/sshc.h"

struct hc_env {
	struct sshc_pool *pool;
	/* run a wire job on its agent as the dispatcher does (CHAIN or STAR) */
	void (*send)(void *ctx, const struct job *j, json_t *wire, const struct link_sink *sink);
	void *ctx;
	int ping_ms;             /* hop checks while a session runs, 0 = 2000 */
};

/* Does job j (or a part of it) run here? */
bool hostclient_wants(const struct job *j);

/*
 * Run job j: its remote parts through e->send, its local parts here.
 * Exactly one status for wire's id reaches the sink.
 */
void hostclient_run(const struct hc_env *e, const struct job *j, json_t *wire,
	const struct link_sink *sink);

#endif
