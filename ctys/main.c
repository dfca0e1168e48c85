/*
 * ctys — the client.  main() only wires the steps; see ctys(1).
 *
 * Forms handled before the option grammar (whose letters are the
 * original's): `ctys --shell [options]` and `ctys` alone on a terminal open
 * the interactive shell (ctys/shell.h); `ctys --completion ...` prints the
 * bash completion script or its dynamic word lists.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "ctys/cli.h"
#include "ctys/run.h"
#include "ctys/shell.h"
#include "lib/util.h"

int
main(int argc, char **argv)
{
	argv_help_alias(argc, argv);
	if (argc >= 2 && strcmp(argv[1], "--shell") == 0)
		return shell_main(argc - 2, argv + 2);
	if (argc >= 2 && strcmp(argv[1], "--completion") == 0)
		return shell_completion_main(argc - 2, argv + 2);
	if (argc == 1 && isatty(0) && isatty(1))
		return shell_main(0, NULL);
	return ctys_run(argc, argv);
}
