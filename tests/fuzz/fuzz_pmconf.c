/*
 * fuzz_pmconf — the pm.conf parser and the PM's records built from it, on
 * arbitrary bytes: every record must be 47 fields with no ';' or newline
 * inside a value (rec_parse accepts it), and the LIST record 22 fields.
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "agents/pm.h"
#include "cache/record.h"
#include "lib/buf.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static void
check47(void *ctx, const char *const *f, size_t n)
{
	struct buf b = BUF_INIT;
	struct rec r;
	size_t i;

	(void)ctx;
	if (n != REC_NFIELDS)
		abort();
	for (i = 0; i < n; i++) {
		if (strchr(f[i], ';') || strchr(f[i], '\n'))
			abort();
		buf_addf(&b, "%s%s", i ? ";" : "", f[i]);
	}
	if (rec_parse(b.d, b.len, &r) != CTYS_OK)
		abort();
	rec_free(&r);
	buf_free(&b);
}

static void
check22(void *ctx, const char *const *f, size_t n)
{
	(void)ctx;
	(void)f;
	if (n != 22)
		abort();
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static struct pm_host h;
	struct pm_conf c;

	if (h.nifs == 0) {
		strcpy(h.hostname, "fuzz.example");
		strcpy(h.sysname, "Linux");
		strcpy(h.user, "root");
		strcpy(h.group, "root");
		h.nifs = 2;
		strcpy(h.ifs[0].ifname, "eth0");
		strcpy(h.ifs[0].mac, "00:11:22:33:44:01");
		strcpy(h.ifs[0].addr, "192.168.1.11");
		strcpy(h.ifs[1].ifname, "eth1");
		strcpy(h.ifs[1].mac, "00:11:22:33:44:02");
	}
	if (pm_conf_parse((const char *)data, size, "Linux", &c) != CTYS_OK)
		return 0;
	if (pm_enum_records(&h, &c, "/etc/ctys.d/pm.conf", "0.1.0", check47, NULL) == 0)
		abort();
	pm_list_record(&h, &c, "/etc/ctys.d/pm.conf", check22, NULL);
	pm_conf_free(&c);
	return 0;
}
