/*
 * sshc.h — SSH client connections for ctys, on libssh.
 *
 * One struct sshc is one SSH session (one TCP connection, or a socket that
 * is itself tunnelled through another session).  Every call on a session
 * takes its lock, and no call holds it while waiting, so several threads
 * may use the channels of one session: the client reuses one session per
 * distinct host for all the jobs of a run.
 *
 * Host keys are always checked against known_hosts (the user's, or the
 * UserKnownHostsFile of the configuration): an unknown or changed key is
 * an error naming the host and the key's SHA256 fingerprint; there is no
 * prompt.  Authentication: ssh-agent ($SSH_AUTH_SOCK), then the identity
 * files (IdentityFile of the configuration, else ~/.ssh/id_*).
 */
#ifndef CTYS_SSHC_H
#define CTYS_SSHC_H

#include <stdbool.h>
#include <stddef.h>
#include <sys/types.h>

#include "lib/err.h"

struct sshc_cfg {
	const char *config_file; /* explicit ssh_config, read after ~/.ssh/config; or NULL */
	long connect_timeout;    /* seconds, 0 = 10 */
	int keepalive;           /* seconds between keepalives while waiting, 0 = off */
	bool agent_forward;      /* -Y: offer $SSH_AUTH_SOCK to the remote side */
};

struct sshc;
struct sshc_chan;

/*
 * Connect and authenticate to [user@]host[:port].  `user` and `port` may be
 * NULL (configuration, else the local user and 22).  With fd >= 0 the
 * connection runs over that socket (a tunnel through another hop) and the
 * session owns it.  Errors: CTYS_ERR_SSH (connect, auth), CTYS_ERR_HOSTKEY,
 * CTYS_ERR_TIMEOUT, each message naming the host.
 */
ctys_err_t sshc_connect(const struct sshc_cfg *cfg, const char *user, const char *host,
	const char *port, int fd, struct sshc **out);
/*
 * Connect to the next hop through session `via` (-x STAR): the address and
 * port come from this side's configuration, the bytes travel in a
 * direct-tcpip channel of `via`, host key and authentication are checked
 * here, so no credential leaves this machine.  `via` must outlive it.
 */
ctys_err_t sshc_connect_via(const struct sshc_cfg *cfg, struct sshc *via, const char *user,
	const char *host, const char *port, struct sshc **out);

/* The host name this session was opened with. */
const char *sshc_host(const struct sshc *s);
void sshc_close(struct sshc *s);

/*
 * Run `cmd` on the remote side in a new channel.  When the session was
 * opened with agent_forward and $SSH_AUTH_SOCK is set, the local ssh-agent
 * is offered to the command first (a refusal is not an error).
 */
ctys_err_t sshc_exec(struct sshc *s, const char *cmd, struct sshc_chan **out);

/* Write all of data (blocking). */
ctys_err_t sshc_write(struct sshc_chan *c, const void *data, size_t n);
ctys_err_t sshc_send_eof(struct sshc_chan *c);

/*
 * Read what is available within timeout_ms from stdout (or, when stdout
 * has nothing, stderr; *is_stderr tells which).  Returns the byte count,
 * 0 at end of both streams, SSHC_AGAIN on timeout, SSHC_ERROR on a broken
 * session (message set).
 */
#define SSHC_AGAIN (-1)
#define SSHC_ERROR (-2)
ssize_t sshc_read(struct sshc_chan *c, char *buf, size_t n, bool *is_stderr, int timeout_ms);

/* Exit status of the remote command after EOF; -1 when unknown (killed). */
int sshc_exit_status(struct sshc_chan *c);
void sshc_chan_close(struct sshc_chan *c);

/*
 * A tunnel to host:port through session `via` (direct-tcpip).  Returns a
 * socket in *fd for sshc_connect() of the next hop; a thread pumps bytes
 * until either side closes.  The tunnel ends when the inner session is
 * closed (the socket closes) or `via` fails.
 */
struct sshc_fwd;
ctys_err_t sshc_forward(struct sshc *via, const char *host, int port, int *fd,
	struct sshc_fwd **out);
void sshc_forward_free(struct sshc_fwd *f);
/*
 * The same over a socket the caller already has (an accepted connection of
 * a local port forward): its bytes go to host:port as seen from `via`.
 * The forward owns fd (closed on failure too).
 */
ctys_err_t sshc_forward_fd(struct sshc *via, const char *host, int port, int fd,
	struct sshc_fwd **out);
/* True once the pump of f has ended (either side closed). */
bool sshc_forward_done(const struct sshc_fwd *f);

/*
 * Is the peer of s still answering?  Opens and closes a session channel,
 * waiting at most the connect timeout.  CTYS_ERR_TIMEOUT "no answer from
 * '<host>'" or CTYS_ERR_SSH "connection to '<host>' lost" otherwise.
 */
ctys_err_t sshc_ping(struct sshc *s);

/*
 * Run `cmd` (NULL: the login shell) with a pseudo-terminal of the given
 * terminal type and size.  Output arrives on the stdout stream of
 * sshc_read().
 */
ctys_err_t sshc_exec_pty(struct sshc *s, const char *cmd, const char *term, int cols, int rows,
	struct sshc_chan **out);
ctys_err_t sshc_pty_resize(struct sshc_chan *c, int cols, int rows);

/*
 * Run `cmd` with X11 forwarding: X connections the remote side opens are
 * connected to the local X server of `display` (":N" or "unix:N", its
 * socket /tmp/.X11-unix/XN).  The remote side gets a random cookie; the
 * local server sees it unchanged, so it must accept the local user without
 * one (Xvfb, or an X server with "xhost +si:localuser:<user>").
 */
ctys_err_t sshc_exec_x11(struct sshc *s, const char *cmd, const char *display,
	struct sshc_chan **out);

#endif

/*
 * A pool of sessions: one per distinct (via, user, host, port), opened on
 * first use and shared by every job of the run.  Threads asking for the
 * same host wait for one connection attempt; a failed attempt is retried
 * by the next request.  Used by the client and by each agent.
 */
struct sshc_pool;
struct sshc_pool *sshc_pool_new(const struct sshc_cfg *cfg);
/*
 * The session to [user@]host[:port], directly (via NULL) or tunnelled
 * through `via` (another session of this pool).  NULL with the message set
 * on failure.  The pool owns the session.
 */
struct sshc *sshc_pool_get(struct sshc_pool *p, struct sshc *via, const char *user,
	const char *host, const char *port, bool agent_forward);
/* Forget a broken session so the next request reconnects. */
void sshc_pool_drop(struct sshc_pool *p, struct sshc *s);
void sshc_pool_free(struct sshc_pool *p);
