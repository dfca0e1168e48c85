/* ctys — the client.  main() only wires the steps; see ctys(1). */
#include <stdio.h>
#include <stdlib.h>

#include "ctys/cli.h"
#include "ctys/run.h"

int
main(int argc, char **argv)
{
	return ctys_run(argc, argv);
}
