# agents/: ctys-agent and the session-type plugins.
LIB_SRCS += agents/plugin.c
