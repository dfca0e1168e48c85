/* wol.c — see wol.h. */
#include "agents/wol.h"

#include <arpa/inet.h>
#include <ctype.h>
#include <errno.h>
#include <net/if.h>
#include <netinet/in.h>
#include <stdio.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

static int
hexval(int c)
{
	if (c >= '0' && c <= '9')
		return c - '0';
	c = tolower(c);
	if (c >= 'a' && c <= 'f')
		return c - 'a' + 10;
	return -1;
}

ctys_err_t
wol_parse_mac(const char *s, unsigned char mac[WOL_MAC_LEN])
{
	const char *p = s;
	int i, h, l;

	if (s == NULL)
		return ctys_seterr(CTYS_ERR_USAGE, "missing MAC address");
	if (strlen(s) == 12 && strspn(s, "0123456789abcdefABCDEF") == 12) {
		for (i = 0; i < WOL_MAC_LEN; i++)
			mac[i] = (unsigned char)(hexval(s[2 * i]) << 4 | hexval(s[2 * i + 1]));
		return CTYS_OK;
	}
	for (i = 0; i < WOL_MAC_LEN; i++) {
		if ((h = hexval((unsigned char)*p)) < 0)
			goto bad;
		p++;
		if ((l = hexval((unsigned char)*p)) >= 0) {
			h = h << 4 | l;
			p++;
		}
		mac[i] = (unsigned char)h;
		if (i < WOL_MAC_LEN - 1) {
			if (*p != ':' && *p != '-')
				goto bad;
			p++;
		}
	}
	if (*p == '\0')
		return CTYS_OK;
bad:
	return ctys_seterr(CTYS_ERR_USAGE,
	    "invalid MAC address '%s' (want six hex octets, e.g. 00:11:22:33:44:55)", s);
}

void
wol_build(const unsigned char mac[WOL_MAC_LEN], unsigned char pkt[WOL_PACKET_LEN])
{
	int i;

	memset(pkt, 0xff, WOL_MAC_LEN);
	for (i = 1; i <= 16; i++)
		memcpy(pkt + i * WOL_MAC_LEN, mac, WOL_MAC_LEN);
}

void
wol_format_mac(const unsigned char mac[WOL_MAC_LEN], char *buf)
{
	snprintf(buf, 18, "%02x:%02x:%02x:%02x:%02x:%02x", mac[0], mac[1], mac[2], mac[3],
	    mac[4], mac[5]);
}

ctys_err_t
wol_send(const unsigned char mac[WOL_MAC_LEN], const struct wol_target *t)
{
	unsigned char pkt[WOL_PACKET_LEN];
	struct sockaddr_in sin;
	const char *addr = t->addr ? t->addr : WOL_DEFAULT_ADDR;
	unsigned port = t->port ? t->port : WOL_DEFAULT_PORT;
	int fd, on = 1, err;
	ssize_t n;

	memset(&sin, 0, sizeof sin);
	sin.sin_family = AF_INET;
	sin.sin_port = htons((unsigned short)port);
	if (port > 65535 || inet_pton(AF_INET, addr, &sin.sin_addr) != 1)
		return ctys_seterr(CTYS_ERR_USAGE, "invalid WoL destination '%s:%u' (IPv4 address "
		    "and port 1-65535)", addr, port);
	if (t->ifname && (t->ifname[0] == '\0' || strlen(t->ifname) >= IFNAMSIZ ||
	    if_nametoindex(t->ifname) == 0))
		return ctys_seterr(CTYS_ERR_USAGE, "no network interface '%s'", t->ifname);
	wol_build(mac, pkt);
	if ((fd = socket(AF_INET, SOCK_DGRAM | SOCK_CLOEXEC, 0)) < 0)
		return ctys_seterr(CTYS_ERR_IO, "cannot create a UDP socket: %s", strerror(errno));
	if (setsockopt(fd, SOL_SOCKET, SO_BROADCAST, &on, sizeof on) != 0)
		goto fail;
	if (t->ifname && setsockopt(fd, SOL_SOCKET, SO_BINDTODEVICE, t->ifname,
	    (socklen_t)strlen(t->ifname)) != 0)
		goto fail;
	n = sendto(fd, pkt, sizeof pkt, 0, (struct sockaddr *)&sin, sizeof sin);
	if (n != (ssize_t)sizeof pkt)
		goto fail;
	close(fd);
	return CTYS_OK;
fail:
	err = errno;
	close(fd);
	return ctys_seterr(CTYS_ERR_IO, "cannot send the magic packet to %s:%u%s%s: %s", addr, port,
	    t->ifname ? " on " : "", t->ifname ? t->ifname : "", strerror(err));
}
