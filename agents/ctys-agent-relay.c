/* ctys-agent-relay — ctys-agent that also passes jobs to the next hop; see ctys-agent(8). */
#include "agents/agent_main.h"
#include "agents/relay.h"

int
main(int argc, char **argv)
{
	return agent_main(argc, argv, relay_enable);
}
