/* agent_main.c — the main() of ctys-agent and ctys-agent-relay. */
#include "agents/agent_main.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "lib/conf.h"
#include "lib/log.h"
#include "lib/paths.h"

#ifndef CTYS_VERSION
#define CTYS_VERSION "0.0.0"
#endif

static int
usage(const char *prog, int status)
{
	fprintf(status ? stderr : stdout,
	    "usage: %s --stdio     serve the ctys protocol on stdin/stdout\n"
	    "       %s --version\n"
	    "See %s(8) and ctys-protocol(5).\n", prog, prog,
	    strstr(prog, "relay") ? "ctys-agent-relay" : "ctys-agent");
	return status;
}

int
agent_main(int argc, char **argv, agent_setup_fn setup)
{
	struct conf *conf;
	struct agent_cfg cfg;
	struct agent *a;
	int status;
	ctys_err_t e;

	log_init(argv[0]);
	if (argc != 2)
		return usage(log_prog(), 1);
	if (strcmp(argv[1], "--version") == 0) {
		printf("%s %s\n", log_prog(), CTYS_VERSION);
		return 0;
	}
	if (strcmp(argv[1], "-h") == 0 || strcmp(argv[1], "--help") == 0)
		return usage(log_prog(), 0);
	if (strcmp(argv[1], "--stdio") != 0)
		return usage(log_prog(), 1);
	conf = conf_new();
	if ((e = ctys_conf_load(conf)) != CTYS_OK) {
		log_lasterr(e);
		conf_free(conf);
		return ctys_exit_status(e);
	}
	memset(&cfg, 0, sizeof cfg);
	cfg.ssh.config_file = conf_get(conf, "CTYS_SSH_CONFIG");
	cfg.ssh.connect_timeout = atol(conf_get_or(conf, "CTYS_CONNECT_TIMEOUT", "10"));
	cfg.agent_cmd = conf_get_or(conf, "CTYS_AGENT", "ctys-agent");
	a = agent_new(&cfg);
	if (setup)
		setup(a, &cfg.ssh);
	status = agent_serve(a, 0, 1);
	agent_free(a);
	conf_free(conf);
	return status;
}
