# agents/: ctys-agent and the session-type plugins.
LIB_SRCS += agents/plugin.c agents/agent.c agents/exec.c
PROGS += ctys-agent
ctys-agent_MAIN := agents/ctys-agent.c
MAN_PAGES += man/ctys-agent.8 man/ctys-protocol.5
