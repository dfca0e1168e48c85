/*
 * ctys-wakeup — send Wake-on-LAN magic packets; see ctys-wakeup(1).
 *
 *   ctys-wakeup [-i <if>] [-t <ip>] [-p <port>] [-n] [-d ..] [-h] [-H ..] [-V] [-X] <mac>...
 *
 * Exit status: 0 sent (or evaluated with -n), 1 usage error (bad option,
 * MAC, address or interface), 2 the packet could not be sent.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "agents/wol.h"
#include "lib/log.h"
#include "lib/util.h"

#ifndef CTYS_VERSION
#define CTYS_VERSION "0.0.0"
#endif

static int
usage(int status)
{
	fprintf(status ? stderr : stdout,
	    "usage: %s [-i <interface>] [-t <ip>] [-p <port>] [-n] [-X] <mac>...\n"
	    "       %s -V | -h\n"
	    "Sends a Wake-on-LAN magic packet (UDP, default 255.255.255.255:9).\n"
	    "  -i <if>    broadcast out of this interface   -t <ip>  destination address\n"
	    "  -p <port>  UDP port (default 9)               -n       print, do not send\n"
	    "  -X         terse: no output on success\n"
	    "See ctys-wakeup(1).\n", log_prog(), log_prog());
	return status;
}

static void
print_packet(const unsigned char mac[WOL_MAC_LEN], const struct wol_target *t)
{
	unsigned char pkt[WOL_PACKET_LEN];
	size_t i;

	wol_build(mac, pkt);
	printf("%s:%u%s%s ", t->addr ? t->addr : WOL_DEFAULT_ADDR,
	    t->port ? t->port : WOL_DEFAULT_PORT, t->ifname ? "%" : "", t->ifname ? t->ifname : "");
	for (i = 0; i < sizeof pkt; i++)
		printf("%02x", pkt[i]);
	putchar('\n');
}

int
main(int argc, char **argv)
{
	struct wol_target t = { NULL, 0, NULL };
	unsigned char mac[WOL_MAC_LEN];
	char macs[18];
	bool dry = false, terse = false;
	unsigned long port;
	int c, i;
	ctys_err_t e;

	log_init(argv[0]);
	argv_help_alias(argc, argv);
	while ((c = getopt(argc, argv, "i:t:p:nd:hH:VX")) != -1) {
		switch (c) {
		case 'i':
			t.ifname = optarg;
			break;
		case 't':
			t.addr = optarg;
			break;
		case 'p':
			if (!parse_uint(optarg, 65535, &port) || port == 0) {
				fprintf(stderr, "%s: invalid port '%s' (1-65535)\n", log_prog(), optarg);
				return 1;
			}
			t.port = (unsigned)port;
			break;
		case 'n':
			dry = true;
			break;
		case 'd':
			break; /* accepted for compatibility; nothing to trace */
		case 'h':
			return usage(0);
		case 'H':
			printf("see ctys-wakeup(1): man ctys-wakeup\n");
			return 0;
		case 'V':
			printf("%s %s\n", log_prog(), CTYS_VERSION);
			return 0;
		case 'X':
			terse = true;
			break;
		default:
			return usage(1);
		}
	}
	if (t.ifname && t.addr) {
		fprintf(stderr, "%s: options -i and -t exclude each other\n", log_prog());
		return 1;
	}
	if (optind >= argc) {
		fprintf(stderr, "%s: missing MAC address\n", log_prog());
		return usage(1);
	}
	for (i = optind; i < argc; i++) {
		if (wol_parse_mac(argv[i], mac) != CTYS_OK) {
			fprintf(stderr, "%s: %s\n", log_prog(), ctys_errmsg());
			return 1;
		}
	}
	for (i = optind; i < argc; i++) {
		wol_parse_mac(argv[i], mac);
		if (dry) {
			print_packet(mac, &t);
			continue;
		}
		if ((e = wol_send(mac, &t)) != CTYS_OK) {
			fprintf(stderr, "%s: %s\n", log_prog(), ctys_errmsg());
			return e == CTYS_ERR_USAGE ? 1 : 2;
		}
		wol_format_mac(mac, macs);
		if (!terse)
			printf("magic packet for %s sent to %s:%u%s%s\n", macs,
			    t.addr ? t.addr : WOL_DEFAULT_ADDR, t.port ? t.port : WOL_DEFAULT_PORT,
			    t.ifname ? " on " : "", t.ifname ? t.ifname : "");
	}
	return 0;
}
