/*
 * wol.h — Wake-on-LAN magic packets, shared by the PM plugin's CREATE and
 * ctys-wakeup(1).
 *
 * A magic packet is 102 bytes: six 0xFF followed by sixteen repetitions of
 * the target's 6-byte MAC address.  We send it as the payload of one UDP
 * datagram, either
 *   - to an address and port (default 255.255.255.255:9, "discard"), with
 *     SO_BROADCAST set so that a directed broadcast such as 10.0.0.255
 *     works too (a router must forward it, as the original documented); or
 *   - out of one interface: UDP to 255.255.255.255 with SO_BINDTODEVICE, so
 *     the frame leaves exactly that link as an ethernet broadcast whatever
 *     the routing table says.  We chose this over a raw ethertype-0x0842
 *     frame because NICs look for the pattern anywhere in a frame, it
 *     needs no CAP_NET_RAW on Linux >= 5.7, and it is the same datagram
 *     as the address form, so one receiver recognises both.
 */
#ifndef CTYS_AGENTS_WOL_H
#define CTYS_AGENTS_WOL_H

#include <stddef.h>

#include "lib/err.h"

#define WOL_MAC_LEN 6
#define WOL_PACKET_LEN 102
#define WOL_DEFAULT_PORT 9
#define WOL_DEFAULT_ADDR "255.255.255.255"

/*
 * Parse a MAC address: six hex octets separated by ':' or '-' (one or two
 * digits each), or twelve hex digits without separators.  CTYS_ERR_USAGE
 * naming the text otherwise.
 */
ctys_err_t wol_parse_mac(const char *s, unsigned char mac[WOL_MAC_LEN]);

/* Fill pkt with the magic packet for mac. */
void wol_build(const unsigned char mac[WOL_MAC_LEN], unsigned char pkt[WOL_PACKET_LEN]);

/*
 * Where and how to send.  addr: IPv4 address (dotted quad) or NULL for
 * 255.255.255.255; port 0 means 9; ifname: send out of this interface
 * (addr is then 255.255.255.255 unless given explicitly).
 */
struct wol_target {
	const char *addr;
	unsigned port;
	const char *ifname;
};

/*
 * Send one magic packet for mac to t.  CTYS_ERR_USAGE for a bad address or
 * an unknown interface, CTYS_ERR_IO when the kernel refuses (the message
 * names the address, the interface and the reason).
 */
ctys_err_t wol_send(const unsigned char mac[WOL_MAC_LEN], const struct wol_target *t);

/* "aa:bb:cc:dd:ee:ff" (lower case) into buf (at least 18 bytes). */
void wol_format_mac(const unsigned char mac[WOL_MAC_LEN], char *buf);

#endif
