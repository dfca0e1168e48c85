/*
 * relay.h — passing jobs to the next hop over SSH (-x CHAIN).
 *
 * relay_enable() gives an agent a pool of SSH sessions (one per next host)
 * and the forward function: connect with this layer's own ssh
 * configuration and keys (optionally forwarding the client's ssh-agent,
 * -Y), start the agent there (the relay again when the job goes further),
 * send the job with "at" increased and relay every message back unchanged.
 */
#ifndef CTYS_AGENT_RELAY_H
#define CTYS_AGENT_RELAY_H

#include "agents/agent.h"

void relay_enable(struct agent *a, const struct sshc_cfg *ssh);

#endif
