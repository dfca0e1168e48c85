/*
 * ctys — the client.  main() only wires the steps; see ctys(1).
 *
 * This program leaves out the network half (ctys/net.h): what needs SSH or
 * LDAP continues in ctys-client, so that the start-up stays light.
 * Forms handled before the option grammar (whose letters are the
 * original's): `ctys --shell [options]` and `ctys` alone on a terminal open
 * the interactive shell (ctys/shell.h); `ctys --completion ...` prints the
 * bash completion script or its dynamic word lists.
 */
#include "ctys/run.h"

int
main(int argc, char **argv)
{
	return ctys_main(argc, argv);
}
