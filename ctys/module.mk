# ctys/: the client — grammar, planning, dispatch, rendering, the shell.
LIB_SRCS += ctys/subopt.c ctys/action.c ctys/opts.c ctys/target.c ctys/plan.c ctys/plan_render.c ctys/cli.c ctys/run.c ctys/dispatch.c ctys/expand.c \
	ctys/render.c ctys/hostclient.c ctys/hostjob.c ctys/net.c ctys/shell.c ctys/shell_lex.c ctys/shell_complete.c ctys/resolve.c \
	ctys/stackcheck.c
PROGS += ctys
ctys_MAIN := ctys/main.c
MAN_PAGES += man/ctys.1
PROGS += ctys-client
ctys-client_MAIN := ctys/ctys-client.c
MAN_PAGES += man/ctys-client.8
PROGS += ctys-vdbgen
ctys-vdbgen_MAIN := ctys/ctys-vdbgen.c
MAN_PAGES += man/ctys-vdbgen.1 man/ctys-actions.7 man/ctys-security.7
PROGS += ctys-plugins
ctys-plugins_MAIN := ctys/ctys-plugins.c
MAN_PAGES += man/ctys-plugins.1
# concepts and the configuration, for every tool
MAN_PAGES += man/ctys-config.5 man/ctys-addressing.7 man/ctys-stacks.7 man/ctys-migration.7
