/*
 * ctys-client — ctys with its network half (SSH, LDAP); see ctys-client(8).
 * `ctys` continues here when a run leaves this machine.
 */
#include "ctys/net.h"
#include "ctys/run.h"

int
main(int argc, char **argv)
{
	ctys_net_enable();
	return ctys_main(argc, argv);
}
