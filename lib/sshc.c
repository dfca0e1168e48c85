/* sshc.c — see sshc.h. */
#include "lib/sshc.h"

#include <errno.h>
#include <poll.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

#include <libssh/callbacks.h>
#include <libssh/libssh.h>
#include <sys/un.h>

#include "lib/xmalloc.h"

struct sshc {
	ssh_session ssh;
	pthread_mutex_t lock;
	char *host;
	int fd;                  /* tunnel socket we own, or -1 */
	struct sshc_fwd *fwd;    /* the tunnel through the hop below, or NULL */
	bool agent_forward;
	struct ssh_callbacks_struct cb;
	bool cb_set;             /* cb is installed */
	struct sshc_fwd *agents; /* forwarded ssh-agent and X11 connections */
	char x11_socket[64];     /* local X server socket for X11 channels */
	char x11_cookie[33];     /* the (random) cookie the remote side gets */
};

struct sshc_chan {
	struct sshc *s;
	ssh_channel ch;
	bool out_eof, err_eof;
};

struct sshc_fwd {
	struct sshc_fwd *next;   /* in the list of forwarded agent connections */
	struct sshc *via;
	ssh_channel ch;
	int fd;                  /* our end of the socketpair */
	pthread_t thread;
	volatile bool stop;
	volatile bool done;      /* the pump has ended (either side closed) */
};

void sshc_forward_free(struct sshc_fwd *f);

static pthread_once_t init_once = PTHREAD_ONCE_INIT;

static void
init_libssh(void)
{
	ssh_init();
}

const char *
sshc_host(const struct sshc *s)
{
	return s->host;
}

static ctys_err_t
check_hostkey(struct sshc *s)
{
	ssh_key key = NULL;
	unsigned char *hash = NULL;
	size_t hlen = 0;
	char *fp = NULL;
	enum ssh_known_hosts_e st;
	ctys_err_t e = CTYS_OK;

	if (ssh_get_server_publickey(s->ssh, &key) == SSH_OK &&
	    ssh_get_publickey_hash(key, SSH_PUBLICKEY_HASH_SHA256, &hash, &hlen) == 0)
		fp = ssh_get_fingerprint_hash(SSH_PUBLICKEY_HASH_SHA256, hash, hlen);
	st = ssh_session_is_known_server(s->ssh);
	switch (st) {
	case SSH_KNOWN_HOSTS_OK:
		break;
	case SSH_KNOWN_HOSTS_CHANGED:
	case SSH_KNOWN_HOSTS_OTHER:
		e = ctys_seterr(CTYS_ERR_HOSTKEY, "host key of '%s' has changed (now %s): refusing "
		    "to connect; if the change is expected, replace its known_hosts entry",
		    s->host, fp ? fp : "?");
		break;
	case SSH_KNOWN_HOSTS_UNKNOWN:
	case SSH_KNOWN_HOSTS_NOT_FOUND:
		e = ctys_seterr(CTYS_ERR_HOSTKEY, "host key of '%s' is not known (%s): add it to "
		    "known_hosts first (ctys never asks)", s->host, fp ? fp : "?");
		break;
	default:
		e = ctys_seterr(CTYS_ERR_HOSTKEY, "cannot check the host key of '%s': %s", s->host,
		    ssh_get_error(s->ssh));
	}
	ssh_string_free_char(fp);
	ssh_clean_pubkey_hash(&hash);
	ssh_key_free(key);
	return e;
}

/*
 * Sign with the first identity file right away, without asking first
 * whether the server would accept the key: sshd (9.x) holds every answer
 * to an authentication request to a minimum time (~7 ms), so the usual
 * query-then-sign costs one such wait more per hop.  Only an unencrypted
 * key file is tried (ctys never asks for a passphrase); anything else, or
 * a refusal, falls through to the full probing walk.
 */
static int
auth_first_identity(struct sshc *s)
{
	char *id = NULL;
	ssh_key key = NULL;
	int rc = SSH_AUTH_DENIED;

	if (ssh_options_get(s->ssh, SSH_OPTIONS_IDENTITY, &id) != SSH_OK || id == NULL)
		return rc;
	if (access(id, R_OK) == 0 &&
	    ssh_pki_import_privkey_file(id, NULL, NULL, NULL, &key) == SSH_OK)
		rc = ssh_userauth_publickey(s->ssh, NULL, key);
	ssh_key_free(key);
	ssh_string_free_char(id);
	return rc;
}

static ctys_err_t
authenticate(struct sshc *s)
{
	int rc = SSH_AUTH_DENIED;

	if (getenv("SSH_AUTH_SOCK"))
		rc = ssh_userauth_agent(s->ssh, NULL);
	if (rc != SSH_AUTH_SUCCESS && rc != SSH_AUTH_ERROR)
		rc = auth_first_identity(s);
	if (rc != SSH_AUTH_SUCCESS)
		rc = ssh_userauth_publickey_auto(s->ssh, NULL, NULL);
	if (rc != SSH_AUTH_SUCCESS)
		return ctys_seterr(CTYS_ERR_SSH, "authentication to '%s' failed (public key, agent): %s",
		    s->host, ssh_get_error(s->ssh));
	return CTYS_OK;
}

static void *pump(void *arg);
static ssh_channel on_x11_channel(ssh_session session, const char *orig, int port,
	void *userdata);

/*
 * The server opens an auth-agent channel (-Y): connect it to our ssh-agent.
 * Called by libssh inside a call that holds s->lock.
 */
/* Connect a forwarded-channel to a local socket and pump it (agent, X11). */
static ssh_channel
pump_to_unix(struct sshc *s, ssh_session session, const char *path)
{
	struct sockaddr_un sa;
	struct sshc_fwd *f;
	int fd;

	if (path == NULL || *path == '\0' || strlen(path) >= sizeof sa.sun_path)
		return NULL;
	fd = socket(AF_UNIX, SOCK_STREAM, 0);
	memset(&sa, 0, sizeof sa);
	sa.sun_family = AF_UNIX;
	strcpy(sa.sun_path, path);
	if (fd < 0 || connect(fd, (struct sockaddr *)&sa, sizeof sa) != 0) {
		if (fd >= 0)
			close(fd);
		return NULL;
	}
	f = xcalloc(1, sizeof *f);
	f->via = s;
	f->fd = fd;
	f->ch = ssh_channel_new(session);
	f->next = s->agents;
	s->agents = f;
	pthread_create(&f->thread, NULL, pump, f);
	return f->ch;
}

/* The server opens an X11 channel: connect it to the local X server. */
static ssh_channel
on_x11_channel(ssh_session session, const char *orig, int port, void *userdata)
{
	struct sshc *s = userdata;

	(void)orig;
	(void)port;
	return pump_to_unix(s, session, s->x11_socket);
}

/*
 * The server opens an auth-agent channel (-Y): connect it to our ssh-agent.
 * Called by libssh inside a call that holds s->lock.
 */
static ssh_channel
on_agent_channel(ssh_session session, void *userdata)
{
	return pump_to_unix(userdata, session, getenv("SSH_AUTH_SOCK"));
}

/* A session with its options set (configuration read), not connected. */
static ctys_err_t
session_new(const struct sshc_cfg *cfg, const char *user, const char *host, const char *port,
    struct sshc **out)
{
	struct sshc *s;
	long timeout = cfg && cfg->connect_timeout > 0 ? cfg->connect_timeout : 10;
	int verbosity = SSH_LOG_NOLOG, nodelay = 1, strict = 1;
	unsigned int p;

	pthread_once(&init_once, init_libssh);
	s = xcalloc(1, sizeof *s);
	pthread_mutex_init(&s->lock, NULL);
	s->host = xstrdup(host);
	s->fd = -1;
	s->ssh = ssh_new();
	*out = s;
	ssh_options_set(s->ssh, SSH_OPTIONS_HOST, host);
	if (cfg && cfg->config_file && ssh_options_parse_config(s->ssh, cfg->config_file) != 0)
		return ctys_seterr(CTYS_ERR_SSH, "cannot read ssh configuration '%s'",
		    cfg->config_file);
	/* the configuration may switch logging on: keep stderr clean */
	ssh_options_set(s->ssh, SSH_OPTIONS_LOG_VERBOSITY, &verbosity);
	if (user)
		ssh_options_set(s->ssh, SSH_OPTIONS_USER, user);
	if (port) {
		p = (unsigned int)strtoul(port, NULL, 10);
		ssh_options_set(s->ssh, SSH_OPTIONS_PORT, &p);
	}
	ssh_options_set(s->ssh, SSH_OPTIONS_TIMEOUT, &timeout);
	ssh_options_set(s->ssh, SSH_OPTIONS_NODELAY, &nodelay);
	ssh_options_set(s->ssh, SSH_OPTIONS_STRICTHOSTKEYCHECK, &strict);
	if (cfg && cfg->agent_forward && getenv("SSH_AUTH_SOCK")) {
		s->agent_forward = true;
		memset(&s->cb, 0, sizeof s->cb);
		s->cb.userdata = s;
		s->cb.channel_open_request_auth_agent_function = on_agent_channel;
		ssh_callbacks_init(&s->cb);
		ssh_set_callbacks(s->ssh, &s->cb);
		s->cb_set = true;
	}
	return CTYS_OK;
}

static ctys_err_t
session_finish(struct sshc *s)
{
	ctys_err_t e;

	if (s->fd >= 0)
		ssh_options_set(s->ssh, SSH_OPTIONS_FD, &s->fd);
	if (ssh_connect(s->ssh) != SSH_OK) {
		const char *m = ssh_get_error(s->ssh);

		return ctys_seterr(strstr(m, "imeout") ? CTYS_ERR_TIMEOUT : CTYS_ERR_SSH,
		    "cannot connect to '%s': %s", s->host, m);
	}
	if ((e = check_hostkey(s)) != CTYS_OK)
		return e;
	return authenticate(s);
}

/* Direct (via NULL, optional socket fd) or tunnelled through `via`. */
static ctys_err_t
connect_session(const struct sshc_cfg *cfg, struct sshc *via, const char *user, const char *host,
    const char *port, int fd, struct sshc **out)
{
	struct sshc *s;
	char *addr = NULL;
	unsigned int p = 22;
	ctys_err_t e;

	*out = NULL;
	e = session_new(cfg, user, host, port, &s);
	s->fd = fd;
	if (e == CTYS_OK && via) {
		/* the address as this side's configuration names it (HostName, Port) */
		if (ssh_options_get(s->ssh, SSH_OPTIONS_HOST, &addr) != SSH_OK)
			addr = NULL;
		ssh_options_get_port(s->ssh, &p);
		e = sshc_forward(via, addr ? addr : host, (int)p, &s->fd, &s->fwd);
		ssh_string_free_char(addr);
	}
	if (e == CTYS_OK)
		e = session_finish(s);
	if (e != CTYS_OK) {
		sshc_close(s);
		return e;
	}
	*out = s;
	return CTYS_OK;
}

ctys_err_t
sshc_connect(const struct sshc_cfg *cfg, const char *user, const char *host, const char *port,
    int fd, struct sshc **out)
{
	return connect_session(cfg, NULL, user, host, port, fd, out);
}

ctys_err_t
sshc_connect_via(const struct sshc_cfg *cfg, struct sshc *via, const char *user, const char *host,
    const char *port, struct sshc **out)
{
	return connect_session(cfg, via, user, host, port, -1, out);
}

void
sshc_close(struct sshc *s)
{
	if (s == NULL)
		return;
	while (s->agents) {
		struct sshc_fwd *f = s->agents;

		s->agents = f->next;
		sshc_forward_free(f);
	}
	if (s->ssh) {
		ssh_disconnect(s->ssh);
		ssh_free(s->ssh);
	}
	if (s->fd >= 0)
		close(s->fd);
	sshc_forward_free(s->fwd);
	pthread_mutex_destroy(&s->lock);
	free(s->host);
	free(s);
}

/* What a new channel asks for besides its command. */
struct chan_req {
	const char *term;        /* pty of this type, or NULL */
	int cols, rows;
	bool x11;                /* X11 forwarding (display set on the session) */
};

static ctys_err_t
open_chan(struct sshc *s, const char *cmd, const struct chan_req *rq, struct sshc_chan **out)
{
	struct sshc_chan *c;
	ctys_err_t e = CTYS_OK;

	*out = NULL;
	c = xcalloc(1, sizeof *c);
	c->s = s;
	pthread_mutex_lock(&s->lock);
	c->ch = ssh_channel_new(s->ssh);
	if (c->ch == NULL || ssh_channel_open_session(c->ch) != SSH_OK)
		e = ctys_seterr(CTYS_ERR_SSH, "cannot open a channel to '%s': %s", s->host,
		    ssh_get_error(s->ssh));
	if (e == CTYS_OK && s->agent_forward)
		(void)ssh_channel_request_auth_agent(c->ch); /* a refusal is not an error */
	if (e == CTYS_OK && rq && rq->term &&
	    ssh_channel_request_pty_size(c->ch, rq->term, rq->cols, rq->rows) != SSH_OK)
		e = ctys_seterr(CTYS_ERR_SSH, "'%s' refused a pseudo-terminal: %s", s->host,
		    ssh_get_error(s->ssh));
	if (e == CTYS_OK && rq && rq->x11 &&
	    ssh_channel_request_x11(c->ch, 0, "MIT-MAGIC-COOKIE-1", s->x11_cookie, 0) != SSH_OK)
		e = ctys_seterr(CTYS_ERR_SSH, "'%s' refused X11 forwarding (its sshd needs "
		    "X11Forwarding yes and xauth): %s", s->host, ssh_get_error(s->ssh));
	if (e == CTYS_OK && cmd && ssh_channel_request_exec(c->ch, cmd) != SSH_OK)
		e = ctys_seterr(CTYS_ERR_SSH, "'%s' refused to run a command: %s", s->host,
		    ssh_get_error(s->ssh));
	if (e == CTYS_OK && cmd == NULL && ssh_channel_request_shell(c->ch) != SSH_OK)
		e = ctys_seterr(CTYS_ERR_SSH, "'%s' refused a login shell: %s", s->host,
		    ssh_get_error(s->ssh));
	pthread_mutex_unlock(&s->lock);
	if (e != CTYS_OK) {
		sshc_chan_close(c);
		return e;
	}
	*out = c;
	return CTYS_OK;
}

ctys_err_t
sshc_exec(struct sshc *s, const char *cmd, struct sshc_chan **out)
{
	return open_chan(s, cmd, NULL, out);
}

ctys_err_t
sshc_exec_pty(struct sshc *s, const char *cmd, const char *term, int cols, int rows,
    struct sshc_chan **out)
{
	struct chan_req rq = { term ? term : "xterm", cols > 0 ? cols : 80, rows > 0 ? rows : 24,
		false };

	return open_chan(s, cmd, &rq, out);
}

ctys_err_t
sshc_pty_resize(struct sshc_chan *c, int cols, int rows)
{
	int rc;

	pthread_mutex_lock(&c->s->lock);
	rc = ssh_channel_change_pty_size(c->ch, cols, rows);
	pthread_mutex_unlock(&c->s->lock);
	return rc == SSH_OK ? CTYS_OK : ctys_seterr(CTYS_ERR_SSH, "cannot resize the terminal on "
	    "'%s'", c->s->host);
}

ctys_err_t
sshc_exec_x11(struct sshc *s, const char *cmd, const char *display, struct sshc_chan **out)
{
	struct chan_req rq = { NULL, 0, 0, true };
	const char *d = display;
	unsigned char rnd[16];
	FILE *f;
	size_t i;

	if (d && strncmp(d, "unix:", 5) == 0)
		d += 4;
	if (d == NULL || d[0] != ':' || d[1] < '0' || d[1] > '9')
		return ctys_seterr(CTYS_ERR_USAGE, "X11 forwarding needs a local display :<n> "
		    "(DISPLAY is '%s')", display ? display : "");
	pthread_mutex_lock(&s->lock);
	snprintf(s->x11_socket, sizeof s->x11_socket, "/tmp/.X11-unix/X%d", atoi(d + 1));
	f = fopen("/dev/urandom", "rb");
	if (f == NULL || fread(rnd, 1, sizeof rnd, f) != sizeof rnd)
		memset(rnd, 0x5a, sizeof rnd);
	if (f)
		fclose(f);
	for (i = 0; i < sizeof rnd; i++)
		snprintf(s->x11_cookie + 2 * i, 3, "%02x", rnd[i]);
	if (!s->cb_set) {
		memset(&s->cb, 0, sizeof s->cb);
		s->cb.userdata = s;
		ssh_callbacks_init(&s->cb);
		s->cb_set = true;
	}
	s->cb.channel_open_request_x11_function = on_x11_channel;
	ssh_set_callbacks(s->ssh, &s->cb);
	pthread_mutex_unlock(&s->lock);
	return open_chan(s, cmd, &rq, out);
}

ctys_err_t
sshc_write(struct sshc_chan *c, const void *data, size_t n)
{
	const char *p = data;
	int w;

	while (n > 0) {
		pthread_mutex_lock(&c->s->lock);
		w = ssh_channel_write(c->ch, p, n > 32768 ? 32768 : (uint32_t)n);
		pthread_mutex_unlock(&c->s->lock);
		if (w < 0)
			return ctys_seterr(CTYS_ERR_SSH, "write to '%s' failed: %s", c->s->host,
			    ssh_get_error(c->s->ssh));
		p += w;
		n -= (size_t)w;
	}
	return CTYS_OK;
}

ctys_err_t
sshc_send_eof(struct sshc_chan *c)
{
	int rc;

	pthread_mutex_lock(&c->s->lock);
	rc = ssh_channel_send_eof(c->ch);
	pthread_mutex_unlock(&c->s->lock);
	return rc == SSH_OK ? CTYS_OK : ctys_seterr(CTYS_ERR_SSH, "cannot close input to '%s'",
	    c->s->host);
}

static int
wait_socket(struct sshc *s, int ms)
{
	struct pollfd p = { ssh_get_fd(s->ssh), POLLIN, 0 };

	if (p.fd < 0)
		return -1;
	return poll(&p, 1, ms);
}

ssize_t
sshc_read(struct sshc_chan *c, char *buf, size_t n, bool *is_stderr, int timeout_ms)
{
	int r, waited = 0, slice;

	for (;;) {
		pthread_mutex_lock(&c->s->lock);
		r = 0;
		*is_stderr = false;
		if (!c->out_eof) {
			r = ssh_channel_read_nonblocking(c->ch, buf, (uint32_t)n, 0);
			if (r == SSH_EOF || (r == 0 && ssh_channel_is_eof(c->ch) &&
			    ssh_channel_poll(c->ch, 0) == SSH_EOF))
				c->out_eof = true;
		}
		if (r <= 0 && !c->err_eof) {
			int r2 = ssh_channel_read_nonblocking(c->ch, buf, (uint32_t)n, 1);

			if (r2 > 0) {
				r = r2;
				*is_stderr = true;
			} else if (r2 == SSH_EOF || (r2 == 0 && ssh_channel_is_eof(c->ch) &&
			    ssh_channel_poll(c->ch, 1) == SSH_EOF))
				c->err_eof = true;
		}
		if (r == SSH_ERROR || (r < 0 && r != SSH_EOF)) {
			ctys_seterr(CTYS_ERR_SSH, "connection to '%s' failed: %s", c->s->host,
			    ssh_get_error(c->s->ssh));
			pthread_mutex_unlock(&c->s->lock);
			return SSHC_ERROR;
		}
		if (r == SSH_EOF)
			r = 0;
		if (r == 0 && !ssh_is_connected(c->s->ssh) && !(c->out_eof && c->err_eof)) {
			ctys_seterr(CTYS_ERR_SSH, "connection to '%s' lost", c->s->host);
			pthread_mutex_unlock(&c->s->lock);
			return SSHC_ERROR;
		}
		pthread_mutex_unlock(&c->s->lock);
		if (r > 0)
			return r;
		if (c->out_eof && c->err_eof)
			return 0;
		if (waited >= timeout_ms)
			return SSHC_AGAIN;
		slice = timeout_ms - waited < 10 ? timeout_ms - waited : 10;
		wait_socket(c->s, slice);
		waited += slice;
	}
}

int
sshc_exit_status(struct sshc_chan *c)
{
	int st;

	pthread_mutex_lock(&c->s->lock);
	st = ssh_channel_get_exit_status(c->ch);
	pthread_mutex_unlock(&c->s->lock);
	return st;
}

void
sshc_chan_close(struct sshc_chan *c)
{
	if (c == NULL)
		return;
	if (c->ch) {
		pthread_mutex_lock(&c->s->lock);
		ssh_channel_close(c->ch);
		ssh_channel_free(c->ch);
		pthread_mutex_unlock(&c->s->lock);
	}
	free(c);
}

/*
 * Pump bytes between the direct-tcpip channel and our socket end until
 * either side closes.  Reads never block (the channel non-blocking, the
 * socket with MSG_DONTWAIT); when nothing moved, wait for either side.
 */
static void *
pump(void *arg)
{
	struct sshc_fwd *f = arg;
	struct sshc *s = f->via;
	char buf[16384];
	struct pollfd p[2];
	int r, w;
	bool moved;

	while (!f->stop) {
		moved = false;
		pthread_mutex_lock(&s->lock);
		r = ssh_channel_read_nonblocking(f->ch, buf, sizeof buf, 0);
		pthread_mutex_unlock(&s->lock);
		if (r == SSH_ERROR || r == SSH_EOF)
			break;
		if (r > 0) {
			moved = true;
			for (w = 0; w < r;) {
				/* the inner session may be gone: no SIGPIPE */
				ssize_t k = send(f->fd, buf + w, (size_t)(r - w), MSG_NOSIGNAL);

				if (k < 0 && errno == EINTR)
					continue;
				if (k <= 0)
					goto out;
				w += (int)k;
			}
		}
		for (;;) {
			ssize_t k = recv(f->fd, buf, sizeof buf, MSG_DONTWAIT);

			if (k < 0 && errno == EINTR)
				continue;
			if (k == 0)
				goto out;
			if (k < 0)
				break; /* EAGAIN: nothing to send now */
			moved = true;
			pthread_mutex_lock(&s->lock);
			w = ssh_channel_write(f->ch, buf, (uint32_t)k);
			pthread_mutex_unlock(&s->lock);
			if (w < 0)
				goto out;
		}
		pthread_mutex_lock(&s->lock);
		if (ssh_channel_is_eof(f->ch) && ssh_channel_poll(f->ch, 0) == SSH_EOF) {
			pthread_mutex_unlock(&s->lock);
			break;
		}
		pthread_mutex_unlock(&s->lock);
		if (moved)
			continue;
		p[0].fd = f->fd;
		p[0].events = POLLIN;
		p[0].revents = 0;
		p[1].fd = ssh_get_fd(s->ssh);
		p[1].events = POLLIN;
		p[1].revents = 0;
		if (poll(p, p[1].fd >= 0 ? 2 : 1, 10) < 0 && errno != EINTR)
			break;
	}
out:
	shutdown(f->fd, SHUT_RDWR);
	f->done = true;
	return NULL;
}

ctys_err_t
sshc_forward_fd(struct sshc *via, const char *host, int port, int fd, struct sshc_fwd **out)
{
	struct sshc_fwd *f;
	int rc;

	*out = NULL;
	f = xcalloc(1, sizeof *f);
	f->via = via;
	f->fd = fd;
	pthread_mutex_lock(&via->lock);
	f->ch = ssh_channel_new(via->ssh);
	rc = f->ch ? ssh_channel_open_forward(f->ch, host, port, "127.0.0.1", 0) : SSH_ERROR;
	pthread_mutex_unlock(&via->lock);
	if (rc != SSH_OK) {
		ctys_seterr(CTYS_ERR_SSH, "'%s' cannot open a tunnel to '%s:%d': %s", via->host, host,
		    port, ssh_get_error(via->ssh));
		if (f->ch)
			ssh_channel_free(f->ch);
		close(fd);
		free(f);
		return CTYS_ERR_SSH;
	}
	pthread_create(&f->thread, NULL, pump, f);
	*out = f;
	return CTYS_OK;
}

ctys_err_t
sshc_forward(struct sshc *via, const char *host, int port, int *fd, struct sshc_fwd **out)
{
	int sv[2];
	ctys_err_t e;

	*out = NULL;
	if (socketpair(AF_UNIX, SOCK_STREAM, 0, sv) != 0)
		return ctys_seterr(CTYS_ERR_IO, "socketpair: %s", strerror(errno));
	if ((e = sshc_forward_fd(via, host, port, sv[0], out)) != CTYS_OK) {
		close(sv[1]);
		return e;
	}
	*fd = sv[1];
	return CTYS_OK;
}

bool
sshc_forward_done(const struct sshc_fwd *f)
{
	return f->done;
}

ctys_err_t
sshc_ping(struct sshc *s)
{
	ssh_channel ch;
	int rc;

	pthread_mutex_lock(&s->lock);
	ch = ssh_channel_new(s->ssh);
	rc = ch ? ssh_channel_open_session(ch) : SSH_ERROR;
	if (rc == SSH_OK)
		ssh_channel_close(ch);
	if (ch)
		ssh_channel_free(ch);
	pthread_mutex_unlock(&s->lock);
	if (rc == SSH_OK)
		return CTYS_OK;
	if (rc == SSH_AGAIN)
		return ctys_seterr(CTYS_ERR_TIMEOUT, "no answer from '%s'", s->host);
	return ctys_seterr(CTYS_ERR_SSH, "connection to '%s' lost: %s", s->host,
	    ssh_get_error(s->ssh));
}

void
sshc_forward_free(struct sshc_fwd *f)
{
	if (f == NULL)
		return;
	f->stop = true;
	pthread_join(f->thread, NULL);
	pthread_mutex_lock(&f->via->lock);
	ssh_channel_close(f->ch);
	ssh_channel_free(f->ch);
	pthread_mutex_unlock(&f->via->lock);
	close(f->fd);
	free(f);
}

struct pool_entry {
	char *key;
	pthread_mutex_t lock;    /* held while connecting */
	struct sshc *s;
	struct sshc *dropped;    /* closed when the pool is freed (others may still read) */
	struct pool_entry *next;
};

struct sshc_pool {
	struct sshc_cfg cfg;
	pthread_mutex_t lock;
	struct pool_entry *v;
};

struct sshc_pool *
sshc_pool_new(const struct sshc_cfg *cfg)
{
	struct sshc_pool *p = xcalloc(1, sizeof *p);

	if (cfg)
		p->cfg = *cfg;
	pthread_mutex_init(&p->lock, NULL);
	return p;
}

struct sshc *
sshc_pool_get(struct sshc_pool *p, struct sshc *via, const char *user, const char *host,
    const char *port, bool agent_forward)
{
	char *key = xasprintf("%p/%s@%s:%s%s", (void *)via, user ? user : "", host, port ? port : "",
	    agent_forward ? "/A" : "");
	struct sshc_cfg cfg = p->cfg;
	struct pool_entry *e;
	struct sshc *s;
	ctys_err_t err;

	pthread_mutex_lock(&p->lock);
	for (e = p->v; e; e = e->next)
		if (strcmp(e->key, key) == 0)
			break;
	if (e == NULL) {
		e = xcalloc(1, sizeof *e);
		e->key = key;
		key = NULL;
		pthread_mutex_init(&e->lock, NULL);
		e->next = p->v;
		p->v = e;
	}
	pthread_mutex_unlock(&p->lock);
	free(key);
	pthread_mutex_lock(&e->lock);
	if (e->s == NULL) {
		cfg.agent_forward = agent_forward;
		err = via ? sshc_connect_via(&cfg, via, user, host, port, &e->s) :
		    sshc_connect(&cfg, user, host, port, -1, &e->s);
		if (err != CTYS_OK)
			e->s = NULL;
	}
	s = e->s;
	pthread_mutex_unlock(&e->lock);
	return s;
}

void
sshc_pool_drop(struct sshc_pool *p, struct sshc *s)
{
	struct pool_entry *e;

	pthread_mutex_lock(&p->lock);
	for (e = p->v; e; e = e->next) {
		if (e->s == s && e->dropped == NULL) {
			e->dropped = s;
			e->s = NULL;
		}
	}
	pthread_mutex_unlock(&p->lock);
}

void
sshc_pool_free(struct sshc_pool *p)
{
	struct pool_entry *e, *n;

	if (p == NULL)
		return;
	/* inner sessions first: they were added after the ones they tunnel through */
	for (e = p->v; e; e = n) {
		n = e->next;
		sshc_close(e->s);
		sshc_close(e->dropped);
		pthread_mutex_destroy(&e->lock);
		free(e->key);
		free(e);
	}
	pthread_mutex_destroy(&p->lock);
	free(p);
}
