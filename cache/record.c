/* record.c — see record.h. */
#include "cache/record.h"

#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "lib/util.h"
#include "lib/xmalloc.h"

const struct rec_field rec_fields[REC_NFIELDS] = {
	{ 1, "PM|HOST|H", "ContainingMachine", "A" },
	{ 2, "TYPE|STYPE|ST", "SessionType", "B" },
	{ 3, "LABEL|L", "Label", "C" },
	{ 4, "IDS|ID|I|PNAME|P", "ID", "D" },
	{ 5, "UUID|U", "UUID", "E" },
	{ 6, "MAC|M", "MAC", "F" },
	{ 7, "TCP|T|IP", "TCP", "G" },
	{ 8, "VNCDISPLAY|DISP", "DISPLAY", "H" },
	{ 9, "VNCPORT|CPORT", "ClientAccessPort", "I" },
	{ 10, "SERVERACCESS|SPORT|S", "ServerAccessPort", "J" },
	{ 11, "VNCBASE", "VNCbasePort", "K" },
	{ 12, "DIST", "Distro", "L" },
	{ 13, "DISTREL", "Distrorel", "M" },
	{ 14, "OS|O", "OS", "N" },
	{ 15, "OSREL", "OSREL", "O" },
	{ 16, "VERSION|VERNO|VER", "VersNo", "P" },
	{ 17, "SERIALNUMBER|SERNO", "SerialNo", "Q" },
	{ 18, "CATEGORY|CAT", "Category", "R" },
	{ 19, "VMSTATE|VSTAT", "VMstate", "S" },
	{ 20, "HYPERREL|HYREL", "hyperrel", "T" },
	{ 21, "STACKCAP|SCAP", "StackCap", "U" },
	{ 22, "STACKREQ|SREQ", "StackReq", "V" },
	{ 23, "HWCAP", "HWCAP", "W" },
	{ 24, "HWREQ", "HWREQ", "X" },
	{ 25, "EXECLOCATION", "ExecLocation", "Y" },
	{ 26, "RELOCCAP", "RelocationCapacity", "Z" },
	{ 27, "SSHPORT", "SSHport", "AA" },
	{ 28, "NETNAME", "Netname", "AB" },
	{ 29, "HYPERRELRUN|HYRELRUN|HRELRUN|HRELX|HRX", "Hyperrelrun", "AC" },
	{ 30, "ACCELERATOR|ACCEL", "Accellerator", "AD" },
	{ 31, "EXEPATH|EXEP", "Exepath", "AE" },
	{ 32, "INDEX", "rsrv", "AF" },
	{ 33, "IFNAME|IF", "IFname", "AG" },
	{ 34, "CTYSRELEASE", "CTYSRelease", "AH" },
	{ 35, "NETMASK", "netmask", "AI" },
	{ 36, "GATEWAY|GW", "gateway", "AJ" },
	{ 37, "RELAY", "relay", "AK" },
	{ 38, "ARCH", "Arch", "AL" },
	{ 39, "PLATFORM|PFORM", "Platform", "AM" },
	{ 40, "VRAM", "VRAM", "AN" },
	{ 41, "VCPU", "VCPU", "AO" },
	{ 42, "CONTEXTSTRING|CSTRG", "ContextStg", "AP" },
	{ 43, "USERSTRING|USTRG", "UserStrg", "AQ" },
	{ 44, "USERID|UID", "UID", "AR" },
	{ 45, "GROUPID|GID", "GID", "AS" },
	{ 46, "DEFAULTHOSTS|DEFHOSTS|DEFH", "DefHOSTs", "AT" },
	{ 47, "DEFAULTCONSOLE|DEFCON|DEFC", "DefCONSOLE", "AU" },
};

/* Canonical field i+1 <- plugin field rec_plugin_src[i]. */
const unsigned char rec_plugin_src[REC_NFIELDS] = {
	1, 11, 2, 3, 4, 5, 10, 6, 7, 8, 9, 12, 13, 14, 15, 16, 17, 18, 19, 20,
	21, 22, 23, 24, 25, 26, 27, 28, 29, 30, 31, 32, 33, 34, 35, 36, 37, 38,
	39, 40, 41, 42, 43, 44, 45, 46, 47,
};

/* Number of ';' bytes in the 8 bytes of w (exact, no false positives). */
static inline unsigned
semis_in_word(uint64_t w)
{
	const uint64_t lo7 = 0x7f7f7f7f7f7f7f7fULL;
	uint64_t t = w ^ 0x3b3b3b3b3b3b3b3bULL;
	uint64_t m = ~(((t & lo7) + lo7) | t | lo7);

	/* one bit per ';' byte at bit 7 of the byte: sum the bytes */
	return (unsigned)(((m >> 7) * 0x0101010101010101ULL) >> 56);
}

size_t
rec_count_fields(const char *line, size_t n)
{
	size_t k = 1, i = 0;
	uint64_t w;

	for (; i + 8 <= n; i += 8) {
		memcpy(&w, line + i, 8);
		k += semis_in_word(w);
	}
	for (; i < n; i++)
		k += line[i] == ';';
	return k;
}

ctys_err_t
rec_parse(const char *line, size_t n, struct rec *r)
{
	size_t nf, i, start;
	char *b;

	memset(r, 0, sizeof *r);
	if (memchr(line, '\0', n) != NULL || memchr(line, '\n', n) != NULL)
		return ctys_seterr(CTYS_ERR_PARSE, "record contains a NUL or newline byte");
	nf = rec_count_fields(line, n);
	if (nf != REC_NFIELDS)
		return ctys_seterr(CTYS_ERR_PARSE, "record has %zu fields, %d required",
		    nf, REC_NFIELDS);
	b = xmalloc(n + 1);
	memcpy(b, line, n);
	b[n] = '\0';
	r->buf = b;
	start = 0;
	nf = 0;
	for (i = 0; i <= n; i++) {
		if (i == n || b[i] == ';') {
			b[i] = '\0';
			r->f[nf] = b + start;
			r->len[nf] = i - start;
			nf++;
			start = i + 1;
		}
	}
	return CTYS_OK;
}

void
rec_free(struct rec *r)
{
	free(r->buf);
	memset(r, 0, sizeof *r);
}

void
rec_format(const struct rec *r, struct buf *out)
{
	size_t i;

	for (i = 0; i < REC_NFIELDS; i++) {
		if (i > 0)
			buf_addc(out, ';');
		buf_add(out, r->f[i], r->len[i]);
	}
}

const char *
rec_field_view(const char *line, size_t n, unsigned num, size_t *len)
{
	size_t i = 0, start;
	unsigned need;
	uint64_t w;

	if (num == 0) {
		*len = n;
		return line;
	}
	/* skip num-1 separators, a word at a time, then byte by byte */
	need = num - 1;
	while (need > 0 && i + 8 <= n) {
		unsigned c;

		memcpy(&w, line + i, 8);
		c = semis_in_word(w);
		if (c >= need)
			break;
		need -= c;
		i += 8;
	}
	for (; need > 0; need--) {
		while (i < n && line[i] != ';')
			i++;
		if (i == n) {
			*len = 0;
			return line + n;
		}
		i++;
	}
	start = i;
	while (i < n && line[i] != ';')
		i++;
	*len = i - start;
	return line + start;
}

void
rec_with_index(const char *line, size_t n, unsigned long index, struct buf *out)
{
	char num[24], *p = num + sizeof num;
	size_t flen;
	const char *f;

	if (rec_count_fields(line, n) < REC_FIELD_INDEX) {
		buf_add(out, line, n);
		return;
	}
	f = rec_field_view(line, n, REC_FIELD_INDEX, &flen);
	do
		*--p = (char)('0' + index % 10);
	while ((index /= 10) != 0);
	buf_grow(out, n + sizeof num);
	buf_add(out, line, (size_t)(f - line));
	buf_add(out, p, (size_t)(num + sizeof num - p));
	buf_add(out, f + flen, n - (size_t)(f - line) - flen);
}

static void
permute(struct rec *r, bool to_canon)
{
	const char *f[REC_NFIELDS];
	size_t len[REC_NFIELDS];
	size_t i, s;

	memcpy(f, r->f, sizeof f);
	memcpy(len, r->len, sizeof len);
	for (i = 0; i < REC_NFIELDS; i++) {
		s = (size_t)rec_plugin_src[i] - 1;
		if (to_canon) {
			r->f[i] = f[s];
			r->len[i] = len[s];
		} else {
			r->f[s] = f[i];
			r->len[s] = len[i];
		}
	}
}

void
rec_from_plugin_order(struct rec *r)
{
	permute(r, true);
}

void
rec_to_plugin_order(struct rec *r)
{
	permute(r, false);
}

unsigned
rec_field_by_key(const char *word, size_t len)
{
	size_t i;

	for (i = 0; i < REC_NFIELDS; i++)
		if (kw_match(rec_fields[i].keys, word, len))
			return rec_fields[i].num;
	return 0;
}
