/*
 * fuzz_qemuconf — the QEMU plugin's configuration parser (agents/
 * qemu-conf.c: #@# keys and shell assignments of a .ctys file, never
 * executed), the ENUMERATE records and the qemu command line built from
 * it, and the /proc cmdline parser that recognises running instances.
 * Invariants: every record has 47 fields without ';' or newline inside a
 * value and parses back; argv[0] of a built command line is the emulator.
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "agents/qemu.h"
#include "cache/record.h"
#include "lib/buf.h"
#include "lib/xmalloc.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static const struct qemu_host H = { "fuzz.example", "root", "root",
	"/usr/bin/qemu-system-x86_64", "7.2.22", "TCG" };

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
	struct qemu_start s = { "NONE", 3, "TCG", NULL, NULL, "/run/ctys-fuzz", NULL };
	struct strv argv = STRV_INIT;
	struct qemu_inst in;
	struct qemu_vm vm;
	char *cmd;

	/*
	 * the same bytes as a /proc/<pid>/cmdline (NUL separated); like the
	 * agent's reader, a NUL follows the last byte (a process may have
	 * rewritten its arguments without one)
	 */
	cmd = xmalloc(size + 1);
	memcpy(cmd, data, size);
	cmd[size] = '\0';
	memset(&in, 0, sizeof in);
	if (qemu_inst_from_cmdline(cmd, size, &in))
		qemu_list_record("fuzz.example", &in, NULL, check22, NULL);
	free(cmd);
	memset(&vm, 0, sizeof vm);
	if (qemu_vm_parse((const char *)data, size, "/vm/fuzz/fuzz.ctys", &vm) != CTYS_OK) {
		ctys_errclear();
		return 0;
	}
	(void)qemu_vm_usable(&vm);
	qemu_enum_records(&H, &vm, check47, NULL);
	qemu_list_record("fuzz.example", &in, &vm, check22, NULL);
	if (size)
		s.argsadd = (data[0] & 1) ? "-S -no-reboot" : NULL;
	if (qemu_build_argv(&H, &vm, &s, &argv) == CTYS_OK) {
		if (argv.n == 0 || argv.v[0] == NULL || argv.v[0][0] == '\0')
			abort();
	} else {
		ctys_errclear();
	}
	strv_free(&argv);
	qemu_vm_free(&vm);
	return 0;
}
