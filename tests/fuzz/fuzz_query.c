/*
 * fuzz_query — the ctys-vhost filter language: compile arbitrary argument
 * words (input split at '\n' into argv) and run them on the §8 records,
 * through the scan source and through fake exact and substring indexes
 * (the latter returning a superset), and compare the plans' results.
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "cache/query.h"
#include "cache/record.h"
#include "lib/strv.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static const char DB[] =
	"lab01.soho;PM;lab01;/etc/ctys.d/pm.conf;A1B2C3D4;00:11:22:33:44:01;192.168.1.11;;;;;CentOS;5.4;Linux;2.6.18;;;PM;ACTIVE;;;;;;;;22;lab01.soho;;;;;eth0;01_11_018;;;;x86_64;;4096;2;;;root;root;;\n"
	"lab01.soho;QEMU;tst100;/mntn/vmpool/tst100/tst100.ctys;U100;00:50:56:13:11:40;192.168.1.100;;;/var/tmp/qemumon.tst100;5900;debian;5.0;Linux;2.6.26;;;VM;ACTIVE;QEMU-0.12.2;;;;;;;22;tst100.soho;;KVM;;;eth0;;;;;x86_64;;512;1;;;acue;ldapusers;;\n"
	"lab01.soho;QEMU;tst101;/mntn/vmpool/tst101/tst101.ctys;U101;00:50:56:13:11:41;192.168.1.101;;;;5900;CentOS;5.4;Linux;2.6.18;;;VM;ACTIVE;QEMU-0.12.2;;;;;;;;;;QEMU;;;eth0;;;;;i386;;256;1;;;acue;ldapusers;;\n"
	"lab02.soho;PM;lab02;/etc/ctys.d/pm.conf;B1B2;00:11:22:33:44:02;192.168.1.12;;;;;CentOS;5.4;Linux;2.6.18;;;PM;ACTIVE;;;;;;;;;lab02.soho;;;;;eth0;;;;;x86_64;;8192;4;;;root;root;;\n"
	"lab02.soho;VMW;tst300;/mntn/vmpool/tst300/tst300.vmx;U300;00:50:56:13:13:00;192.168.1.130;;904;;;SuSE;9.3;Linux;2.6;;;VM;BACKUP;VMW-WS6;;;;;;;;;;;;;0;;;;;i386;;256;1;;;acue;ldapusers;;\n"
	"lab02.soho;XEN;tst200;/mntn/vmpool/tst200/tst200.conf;U200;00:16:3E:00:02:00;192.168.1.200;;;;;SuSE;10.3;Linux;2.6.22;;;VM;ACTIVE;Xen-3.0-x86_64;;;;;;;;;;PARA;;;eth0;;;;;x86_64;;1024;2;;;root;root;;\n";

static struct query_lines lines;

/* An "index": the exact matches of a field, found by scanning. */
struct fake {
	unsigned field;
	const char *v;
	size_t len;
	cache_rec_fn fn;
	void *arg;
};

static int
fake_cb(void *arg, unsigned long index, const char *line, size_t len)
{
	struct fake *f = arg;
	size_t fl;
	const char *v = rec_field_view(line, len, f->field, &fl);

	if (fl == f->len && memcmp(v, f->v, fl) == 0)
		return f->fn(f->arg, index, line, len);
	return 0;
}

static ctys_err_t
fake_lookup(void *ctx, unsigned field, const char *v, size_t len, cache_rec_fn fn,
    void *arg)
{
	struct fake f = { field, v, len, fn, arg };
	struct query_source s;

	(void)ctx;
	query_source_lines(&s, &lines, DB, sizeof DB - 1);
	return s.scan(s.ctx, fake_cb, &f);
}

/* A substring "index": a superset (every even index too), as gram.h allows. */
struct fsub {
	const char *lit;
	size_t len;
	cache_rec_fn fn;
	void *arg;
};

static int
fsub_cb(void *arg, unsigned long index, const char *line, size_t len)
{
	struct fsub *f = arg;

	if (index % 2 == 0 || memmem(line, len, f->lit, f->len) != NULL)
		return f->fn(f->arg, index, line, len);
	return 0;
}

static ctys_err_t
fake_substr(void *ctx, const char *lit, size_t len, cache_rec_fn fn, void *arg)
{
	struct fsub f = { lit, len, fn, arg };
	struct query_source s;

	(void)ctx;
	if (len % 5 == 4)
		return CTYS_ERR_UNSUPPORTED; /* sometimes: "scan instead" */
	query_source_lines(&s, &lines, DB, sizeof DB - 1);
	return s.scan(s.ctx, fsub_cb, &f);
}

static bool
fake_indexed(unsigned f)
{
	return f == 1 || f == 2 || f == 3 || f == 7;
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct strv words = STRV_INIT;
	struct query_source scan, idx;
	struct query_result a = { 0 }, b = { 0 };
	struct query *q;
	const char *p = (const char *)data, *end = p + size, *nl;
	size_t i;

	if (size > 4096)
		return 0;
	while (p < end) {
		nl = memchr(p, '\n', (size_t)(end - p));
		if (nl == NULL)
			nl = end;
		if (memchr(p, '\0', (size_t)(nl - p)) == NULL)
			strv_pushn(&words, p, (size_t)(nl - p));
		p = nl + 1;
	}
	if (query_compile((const char *const *)words.v, words.n, size & 1, &q) == CTYS_OK) {
		query_source_lines(&scan, &lines, DB, sizeof DB - 1);
		idx = scan;
		idx.lookup = fake_lookup;
		idx.indexed = fake_indexed;
		idx.lookup_substr = fake_substr;
		ctys_err_t ea = query_run(q, &scan, &a), eb = query_run(q, &idx, &b);

		/* the only run-time error is the growth limit, the same on both plans */
		if (ea != eb || (ea != CTYS_OK && ea != CTYS_ERR_TOOLONG))
			abort();
		/* the index plan must give exactly what the scan gives */
		if (a.n != b.n)
			abort();
		for (i = 0; i < a.n; i++)
			if (a.v[i].index != b.v[i].index || strcmp(a.v[i].line, b.v[i].line) != 0)
				abort();
		query_result_free(&a);
		query_result_free(&b);
		query_free(q);
	}
	strv_free(&words);
	return 0;
}
