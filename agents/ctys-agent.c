/* ctys-agent — runs ctys jobs on this machine; see ctys-agent(8). */
#include "agents/agent_main.h"

int
main(int argc, char **argv)
{
	return agent_main(argc, argv, NULL);
}
