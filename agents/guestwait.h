/*
 * guestwait.h — waiting until a started machine answers: the PING and
 * SSHPING suboptions of CREATE (actions.md §2), shared by the PM plugin
 * (after Wake-on-LAN) and the VM plugins (after the hypervisor started the
 * guest).  Every wait is bounded: <repeat> tries, <sleep> seconds apart,
 * and never past the job's deadline.
 */
#ifndef CTYS_AGENTS_GUESTWAIT_H
#define CTYS_AGENTS_GUESTWAIT_H

#include <stdbool.h>

#include "lib/err.h"

struct pjob;

#define GW_MAX_REPEAT 1000
#define GW_MAX_SLEEP 600

/* How to poll: rep tries (0 = off), slp seconds between them. */
struct gw_spec {
	unsigned long rep, slp;
};

/*
 * Parse the argument of PING or SSHPING (key names it in messages), as the
 * job carries it ("<repeat> <sleep>" decoded from <repeat>%<sleep>, or
 * "<repeat>", or OFF).  NULL or OFF: off.  An empty argument (the
 * suboption given alone) takes the defaults $CTYS_<key>_ONE_MAXTRIAL_<type>
 * / $CTYS_<key>_ONE_WAIT_<type>, then without _<type>, then 30 and 2.
 */
ctys_err_t gw_parse(const char *key, const char *v, const char *type, struct gw_spec *s);

/* Where the guest answers. */
struct gw_dest {
	const char *host;   /* address or name */
	unsigned port;      /* its ssh port; 0 = 22 */
	const char *user;   /* login for SSHPING, or NULL */
	bool forwarded;     /* host:port is a hypervisor port forward (QEMU NETFWD) */
};

/*
 * PING: for a forwarded port, a TCP connect that reads the SSH banner
 * ("SSH-": user networking accepts before the guest listens, and carries no
 * ICMP); otherwise the shell command tmpl ("ping -c 1 -W 2 %s": %s is the
 * quoted host).  SSHPING: tmpl ("ssh -o BatchMode=yes ... %s true": %s is
 * "-p <port>" when the port is not 22, then the quoted [user@]host).
 * An "info" message tells after how many tries and ms it answered, an
 * "error" message that it did not.  deadline: mono_ms() limit, 0 = none.
 */
bool gw_ping(const struct pjob *j, const char *tmpl, const struct gw_dest *d,
	const struct gw_spec *s, long long deadline);
bool gw_sshping(const struct pjob *j, const char *tmpl, const struct gw_dest *d,
	const struct gw_spec *s, long long deadline);

#endif
