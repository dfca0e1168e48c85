/*
 * agent_main.h — the shared main() of the agent programs: ctys-agent (runs
 * jobs on its own machine, no SSH library) and ctys-agent-relay (the same,
 * and passes jobs to the next hop over SSH).
 */
#ifndef CTYS_AGENT_MAIN_H
#define CTYS_AGENT_MAIN_H

#include "agents/agent.h"

typedef void (*agent_setup_fn)(struct agent *a, const struct sshc_cfg *ssh);

/* Parse the arguments, read the configuration, serve; returns the exit status. */
int agent_main(int argc, char **argv, agent_setup_fn setup);

#endif
