/*
 * test_wol.c — magic packets: MAC parsing, the 102 bytes, and one real
 * send to a UDP socket on loopback.
 */
#include <arpa/inet.h>
#include <netinet/in.h>
#include <poll.h>
#include <sys/socket.h>

#include "agents/wol.h"
#include "testutil.h"

static const unsigned char want_mac[6] = { 0x00, 0x11, 0x22, 0xaa, 0xbb, 0xcc };

Test(wol, parse_mac_forms)
{
	static const char *const good[] = { "00:11:22:aa:bb:cc", "00-11-22-AA-BB-CC",
		"001122aabbcc", "0:11:22:aa:bb:cc" };
	static const char *const bad[] = { "", "00:11:22:aa:bb", "00:11:22:aa:bb:cc:dd",
		"00:11:22:aa:bb:cg", "001122aabbc", "00:11:22:aa:bb:ccc", "00:11:22:aa:bb:cc ",
		"0011.22aa.bbcc" };
	unsigned char mac[6];
	size_t i;

	for (i = 0; i < sizeof good / sizeof *good; i++) {
		cr_assert_eq(wol_parse_mac(good[i], mac), CTYS_OK, "%s", good[i]);
		cr_assert_arr_eq(mac, want_mac, 6, "%s", good[i]);
	}
	for (i = 0; i < sizeof bad / sizeof *bad; i++) {
		cr_assert_eq(wol_parse_mac(bad[i], mac), CTYS_ERR_USAGE, "%s", bad[i]);
		cr_assert(strstr(ctys_errmsg(), "invalid MAC address") != NULL);
	}
	cr_assert_eq(wol_parse_mac(NULL, mac), CTYS_ERR_USAGE);
}

Test(wol, packet_bytes)
{
	unsigned char pkt[WOL_PACKET_LEN];
	char s[18];
	int i;

	memset(pkt, 0x55, sizeof pkt);
	wol_build(want_mac, pkt);
	for (i = 0; i < 6; i++)
		cr_assert_eq(pkt[i], 0xff);
	for (i = 0; i < 16; i++)
		cr_assert_arr_eq(pkt + 6 + 6 * i, want_mac, 6, "repetition %d", i);
	wol_format_mac(want_mac, s);
	cr_assert_str_eq(s, "00:11:22:aa:bb:cc");
}

Test(wol, send_to_loopback)
{
	struct sockaddr_in sin = { 0 };
	socklen_t sl = sizeof sin;
	unsigned char got[200], pkt[WOL_PACKET_LEN];
	struct pollfd pf;
	char port[8];
	int fd = socket(AF_INET, SOCK_DGRAM, 0);
	ssize_t n;
	struct wol_target t = { "127.0.0.1", 0, NULL };

	cr_assert(fd >= 0);
	sin.sin_family = AF_INET;
	sin.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
	cr_assert_eq(bind(fd, (struct sockaddr *)&sin, sizeof sin), 0);
	cr_assert_eq(getsockname(fd, (struct sockaddr *)&sin, &sl), 0);
	t.port = ntohs(sin.sin_port);
	snprintf(port, sizeof port, "%u", t.port);
	cr_assert_eq(wol_send(want_mac, &t), CTYS_OK, "%s", ctys_errmsg());
	pf.fd = fd;
	pf.events = POLLIN;
	cr_assert_eq(poll(&pf, 1, 2000), 1, "no datagram on 127.0.0.1:%s", port);
	n = recv(fd, got, sizeof got, 0);
	cr_assert_eq(n, WOL_PACKET_LEN);
	wol_build(want_mac, pkt);
	cr_assert_arr_eq(got, pkt, WOL_PACKET_LEN);
	close(fd);
}

Test(wol, send_errors)
{
	struct wol_target bad_addr = { "300.1.2.3", 0, NULL };
	struct wol_target bad_port = { "127.0.0.1", 70000, NULL };
	struct wol_target bad_if = { NULL, 0, "nosuchif0" };

	cr_assert_eq(wol_send(want_mac, &bad_addr), CTYS_ERR_USAGE);
	cr_assert(strstr(ctys_errmsg(), "'300.1.2.3:9'") != NULL, "%s", ctys_errmsg());
	cr_assert_eq(wol_send(want_mac, &bad_port), CTYS_ERR_USAGE);
	cr_assert_eq(wol_send(want_mac, &bad_if), CTYS_ERR_USAGE);
	cr_assert_str_eq(ctys_errmsg(), "no network interface 'nosuchif0'");
}
