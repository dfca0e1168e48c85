# agents/: ctys-agent, ctys-agent-relay and the session-type plugins.
LIB_SRCS += agents/plugin.c agents/agent.c agents/exec.c agents/relay.c agents/agent_main.c \
            agents/collect.c agents/listrec.c agents/cli.c agents/pm.c agents/pm-host.c \
            agents/pm-conf.c agents/pm-run.c agents/wol.c agents/guestwait.c agents/stack.c \
            agents/tool.c agents/ctyskeys.c agents/xen.c agents/vbox.c agents/vmw.c \
            agents/qemu.c agents/qemu-conf.c agents/qemu-qmp.c agents/qemu-run.c \
            agents/hosts.c agents/vnc.c agents/viewer.c agents/x11.c agents/rdp.c
PROGS += ctys-agent ctys-agent-relay ctys-wakeup
ctys-agent_MAIN := agents/ctys-agent.c
ctys-agent-relay_MAIN := agents/ctys-agent-relay.c
ctys-wakeup_MAIN := agents/ctys-wakeup.c
MAN_PAGES += man/ctys-agent.8 man/ctys-agent-relay.8 man/ctys-protocol.5 man/ctys-PM.1 man/ctys-wakeup.1 \
             man/ctys-XEN.1 man/ctys-VBOX.1 man/ctys-VMW.1 man/ctys-QEMU.1 \
             man/ctys-CLI.1 man/ctys-X11.1 man/ctys-VNC.1 man/ctys-RDP.1
