/* ctys-agent — runs ctys jobs on this layer; see ctys-agent(8). */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "agents/agent.h"
#include "lib/conf.h"
#include "lib/log.h"
#include "lib/paths.h"

#ifndef CTYS_VERSION
#define CTYS_VERSION "0.0.0"
#endif

static int
usage(int status)
{
	fprintf(status ? stderr : stdout,
	    "usage: ctys-agent --stdio     serve the ctys protocol on stdin/stdout\n"
	    "       ctys-agent --version\n"
	    "See ctys-agent(8) and ctys-protocol(5).\n");
	return status;
}

int
main(int argc, char **argv)
{
	struct conf *conf;
	struct agent_cfg cfg = { { NULL, 0, 0 }, NULL };
	struct agent *a;
	int status;
	ctys_err_t e;

	log_init(argv[0]);
	if (argc != 2)
		return usage(1);
	if (strcmp(argv[1], "--version") == 0) {
		printf("ctys-agent %s\n", CTYS_VERSION);
		return 0;
	}
	if (strcmp(argv[1], "-h") == 0 || strcmp(argv[1], "--help") == 0)
		return usage(0);
	if (strcmp(argv[1], "--stdio") != 0)
		return usage(1);
	conf = conf_new();
	if ((e = ctys_conf_load(conf)) != CTYS_OK) {
		log_lasterr(e);
		return ctys_exit_status(e);
	}
	cfg.ssh.config_file = conf_get(conf, "CTYS_SSH_CONFIG");
	cfg.ssh.connect_timeout = atol(conf_get_or(conf, "CTYS_CONNECT_TIMEOUT", "10"));
	cfg.agent_cmd = conf_get_or(conf, "CTYS_AGENT", "ctys-agent");
	a = agent_new(&cfg);
	status = agent_serve(a, 0, 1);
	agent_free(a);
	conf_free(conf);
	return status;
}
