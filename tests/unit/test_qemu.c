/*
 * test_qemu.c — the QEMU plugin without a running qemu: configuration
 * parsing (#@# keys and shell variables), the directory scan, ENUMERATE
 * records (golden lines), LIST records from a command line, the qemu
 * command line.
 */
#include <sys/stat.h>

#include "agents/qemu.h"
#include "cache/record.h"
#include "lib/buf.h"
#include "lib/xmalloc.h"
#include "testutil.h"

static const struct qemu_host H = { "lab01", "alice", "staff", "/usr/bin/qemu-system-x86_64",
	"7.2.22", "TCG" };

/* Records joined as lines. */
static void
collect(void *ctx, const char *const *f, size_t n)
{
	struct buf *b = ctx;
	size_t i;

	for (i = 0; i < n; i++)
		buf_addf(b, "%s%s", i ? ";" : "", f[i]);
	buf_addc(b, '\n');
}

static void
parse(const char *text, const char *path, struct qemu_vm *vm)
{
	cr_assert_eq(qemu_vm_parse(text, strlen(text), path, vm), CTYS_OK);
}

static const char vm1[] =
	"#!/bin/bash\n"
	"#@#MAGICID-QEMU\n"
	"#@#LABEL = \"vm1\"\n"
	"#@#UUID = '11111111-2222-3333-4444-555555555555'\n"
	"#@#MAC0 = \"52:54:00:12:34:56\"\n"
	"#@#IP0 = \"10.0.2.15%255.255.255.0%slirp%eth0%22%10.0.2.2,10.0.3.15\"\n"
	"#@#MAC1 = \"52:54:00:12:34:57\"\n"
	"#@#DIST = \"Debian GNU\"\n"
	"#@#VMSTATE = \"active\"\n"
	"LABEL=\"ignored-because-key\"\n"
	"MEMSIZE=${MEMSIZE:-'512'}\n"
	"SMP=2\n"
	"HDDBOOTIMAGE=\"${CTYSWRAPPERPATH}/hda.img\"\n"
	"\tSTARTERCALL=/indented/is/ignored\n"
	"X=$(date)\n"
	"export ARCH=x86_64 # comment\n";

Test(qemu, parse_vars_and_keys)
{
	struct qemu_vm vm;

	parse(vm1, "/vms/vm1/vm1.ctys", &vm);
	cr_assert(qemu_vm_usable(&vm));
	cr_assert_str_eq(qemu_vm_label(&vm), "vm1");
	cr_assert_str_eq(qemu_vm_var(&vm, "MEMSIZE"), "512");
	cr_assert_str_eq(qemu_vm_var(&vm, "HDDBOOTIMAGE"), "/vms/vm1/hda.img");
	cr_assert_str_eq(qemu_vm_var(&vm, "ARCH"), "x86_64");
	cr_assert_null(qemu_vm_var(&vm, "STARTERCALL"));
	cr_assert_null(qemu_vm_var(&vm, "X"));
	cr_assert_str_eq(vm.prefix, "vm1");
	cr_assert_str_eq(vm.dir, "/vms/vm1");
	qemu_vm_free(&vm);
}

Test(qemu, enum_golden)
{
	struct qemu_vm vm;
	struct buf b = BUF_INIT;

	parse(vm1, "/vms/vm1/vm1.ctys", &vm);
	cr_assert_eq(qemu_enum_records(&H, &vm, collect, &b), 3);
	cr_assert_str_eq(buf_cstr(&b),
	    "lab01;QEMU;vm1;/vms/vm1/vm1.ctys;11111111-2222-3333-4444-555555555555;"
	    "52:54:00:12:34:56;10.0.2.15;;;;;Debian_GNU;;;;;;VM;ACTIVE;;;;;;;;22;;7.2.22;TCG;"
	    "/usr/bin/qemu-system-x86_64;;eth0;;255.255.255.0;10.0.2.2;slirp;x86_64;;512;2;;;"
	    "alice;staff;VNC;VNC\n"
	    "lab01;QEMU;vm1;/vms/vm1/vm1.ctys;11111111-2222-3333-4444-555555555555;"
	    "52:54:00:12:34:56;10.0.3.15;;;;;Debian_GNU;;;;;;VM;ACTIVE;;;;;;;;;;7.2.22;TCG;"
	    "/usr/bin/qemu-system-x86_64;;0;;;;;x86_64;;512;2;;;alice;staff;VNC;VNC\n"
	    "lab01;QEMU;vm1;/vms/vm1/vm1.ctys;11111111-2222-3333-4444-555555555555;"
	    "52:54:00:12:34:57;;;;;;Debian_GNU;;;;;;VM;ACTIVE;;;;;;;;;;7.2.22;TCG;"
	    "/usr/bin/qemu-system-x86_64;;1;;;;;x86_64;;512;2;;;alice;staff;VNC;VNC\n");
	buf_free(&b);
	qemu_vm_free(&vm);
}

Test(qemu, enum_vars_only_and_states)
{
	struct qemu_vm vm;
	struct buf b = BUF_INIT;

	/* no #@# keys but the marker: label, MAC0 and VMSTATE from variables */
	parse("#@#MAGICID-QEMU\nLABEL=t1\nMAC0=52:54:00:00:00:02\nVMSTATE=${VMSTATE:-'template'}\n",
	    "/v/t1.ctys", &vm);
	cr_assert_eq(qemu_enum_records(&H, &vm, collect, &b), 1);
	cr_assert_str_eq(buf_cstr(&b),
	    "lab01;QEMU;t1;/v/t1.ctys;;52:54:00:00:00:02;;;;;;;;;;;;VM;TEMPLATE;;;;;;;;;;7.2.22;TCG;"
	    "/usr/bin/qemu-system-x86_64;;0;;;;;;;;1;;;alice;staff;VNC;VNC\n");
	qemu_vm_free(&vm);
	buf_reset(&b);
	/* no interface: one record, label from the file name */
	parse("#@#MAGICID-QEMU\n#@#DEFAULTCONSOLE=SDL\n", "/v/plain.ctys", &vm);
	cr_assert_eq(qemu_enum_records(&H, &vm, collect, &b), 1);
	cr_assert_str_eq(buf_cstr(&b),
	    "lab01;QEMU;plain;/v/plain.ctys;;;;;;;;;;;;;;VM;;;;;;;;;;;7.2.22;TCG;"
	    "/usr/bin/qemu-system-x86_64;;;;;;;;;;1;;;alice;staff;VNC;SDL\n");
	qemu_vm_free(&vm);
	/* markers */
	parse("#@#MAGICID-QEMU\n#@#MAGICID-IGNORE\n", "/v/i.ctys", &vm);
	cr_assert_not(qemu_vm_usable(&vm));
	qemu_vm_free(&vm);
	parse("#@#MAGICID-XEN\nLABEL=x\n", "/v/x.ctys", &vm);
	cr_assert_not(qemu_vm_usable(&vm));
	qemu_vm_free(&vm);
	buf_free(&b);
}

Test(qemu, scan_bounded_sorted)
{
	char *root = tu_tmpdir(), *p, *q;
	struct strv bases = STRV_INIT, out = STRV_INIT;
	size_t i;

	p = xasprintf("%s/b/a/1/2/3/4/5/6/7", root);
	q = xasprintf("mkdir -p %s %s/c", p, root);
	cr_assert_eq(system(q), 0);
	free(q);
	free(tu_write(root, "b/z.ctys", "x"));
	free(tu_write(root, "b/a/y.ctys", "x"));
	free(tu_write(root, "b/a/y.conf", "x"));
	/* 6 levels below base b/a: found; 7 levels: not */
	free(tu_write(root, "b/a/1/2/3/4/5/6/deep.ctys", "x"));
	free(tu_write(root, "b/a/1/2/3/4/5/6/7/deeper.ctys", "x"));
	free(tu_write(root, "c/w.ctys", "x"));
	q = xasprintf("%s/b/link", root);
	cr_assert_eq(symlink("../c", q), 0);
	free(q);
	strv_push_owned(&bases, xasprintf("%s/b", root));
	strv_push_owned(&bases, xasprintf("%s/b/a", root));  /* overlaps: each file once */
	qemu_scan(&bases, &out);
	cr_assert_eq(out.n, 3);
	for (i = 0; i < out.n; i++)
		cr_assert_not_null(strstr(out.v[i], root));
	/* base b (deep is too deep there, the symlinked dir is not followed), then b/a */
	cr_assert(strstr(out.v[0], "/b/a/y.ctys"));
	cr_assert(strstr(out.v[1], "/b/z.ctys"));
	cr_assert(strstr(out.v[2], "/b/a/1/2/3/4/5/6/deep.ctys"));
	strv_free(&out);
	strv_free(&bases);
	tu_rmrf(root);
	free(p);
	free(root);
}

Test(qemu, cmdline_and_list_record)
{
	static const char cmd[] = "/usr/bin/qemu-system-x86_64\0-name\0vm1\0-accel\0tcg\0-qmp\0"
		"unix:/run/q/vm1.qmp,server=on,wait=off\0-vnc\0" "127.0.0.1:3\0";
	static const char wrapper[] = "qemu-kvm\0-name\0guest=old,debug-threads=on\0-serial\0"
		"mon:unix:/var/tmp/qemumon.old.1.u,server,nowait\0-vnc\0:7\0/nonexistent/old/hda.img";
	struct qemu_inst i;
	struct qemu_vm vm;
	struct buf b = BUF_INIT;

	cr_assert(qemu_inst_from_cmdline(cmd, sizeof cmd - 1, &i));
	cr_assert_str_eq(i.label, "vm1");
	cr_assert_str_eq(i.qmp, "/run/q/vm1.qmp");
	cr_assert_eq(i.display, 3);
	cr_assert_str_eq(i.accel, "TCG");
	cr_assert(qemu_inst_from_cmdline(wrapper, sizeof wrapper - 1, &i));
	cr_assert_str_eq(i.label, "old");
	cr_assert_str_eq(i.qmp, "/var/tmp/qemumon.old.1.u");
	cr_assert_eq(i.display, 7);
	cr_assert_str_eq(i.accel, "KVM");
	cr_assert_not(qemu_inst_from_cmdline("bash\0-c\0qemu", 12, &i));

	cr_assert(qemu_inst_from_cmdline(cmd, sizeof cmd - 1, &i));
	i.pid = 4242;
	i.uid = 0;
	snprintf(i.conf, sizeof i.conf, "/vms/vm1/vm1.ctys");
	parse(vm1, "/vms/vm1/vm1.ctys", &vm);
	qemu_list_record("lab01", &i, &vm, collect, &b);
	cr_assert_str_eq(buf_cstr(&b),
	    "lab01;QEMU;vm1;/vms/vm1/vm1.ctys;11111111-2222-3333-4444-555555555555;"
	    "52:54:00:12:34:56;10.0.2.15;3;5903;/run/q/vm1.qmp;4242;root;root;SERVER;;0;;;"
	    "/usr/bin/qemu-system-x86_64;7.2.22;TCG;x86_64\n");
	qemu_vm_free(&vm);
	buf_free(&b);
}

Test(qemu, argv)
{
	struct qemu_vm vm;
	struct strv av = STRV_INIT;
	struct qemu_start s = { "NONE", 2, "TCG", "/s/vm 1.state", "-S", "/run/q", NULL };
	char *j;

	parse("#@#MAGICID-QEMU\nLABEL=k1\nMEMSIZE=128\nKERNEL=/k/vmlinuz\nINITRD=/k/i.gz\n"
	    "APPEND=\"console=ttyS0 quiet\"\nMAC0=52:54:00:00:00:09\nNETFWD=10022:22\n",
	    "/v/k1.ctys", &vm);
	cr_assert_eq(qemu_build_argv(&H, &vm, &s, &av), CTYS_OK);
	j = strv_join(&av, "|");
	cr_assert_str_eq(j, "/usr/bin/qemu-system-x86_64|-name|k1|-accel|tcg|-m|128|-nodefaults|"
	    "-no-user-config|-qmp|unix:/run/q/k1.qmp,server=on,wait=off|-chardev|"
	    "socket,id=con0,path=/run/q/k1.con,server=on,wait=off,logfile=/run/q/k1.serial|"
	    "-serial|chardev:con0|-display|none|-vga|std|-vnc|127.0.0.1:2|-kernel|/k/vmlinuz|"
	    "-initrd|/k/i.gz|-append|console=ttyS0 quiet|-netdev|"
	    "user,id=n0,restrict=on,hostfwd=tcp:127.0.0.1:10022-:22|-device|"
	    "virtio-net-pci,netdev=n0,mac=52:54:00:00:00:09|-S|-incoming|exec:cat '/s/vm 1.state'");
	free(j);
	strv_free(&av);
	qemu_vm_free(&vm);
}

/* BOOTMODE: the suboption, else the configuration, else KERNEL/HDD. */
Test(qemu, bootmode)
{
	static const struct {
		const char *conf, *sub, *want;
	} cases[] = {
		{ "KERNEL=/k/vmlinuz\nHDA=/d/a.img\n", NULL, "|-kernel|/k/vmlinuz" },
		{ "KERNEL=/k/vmlinuz\nHDA=/d/a.img\n", "HDD", "|-boot|c" },
		{ "HDA=/d/a.img\n", NULL, "|-boot|c|-drive|file=/d/a.img,format=raw,if=ide,index=0" },
		{ "HDDBOOTIMAGE=/d/b.img\nBOOTMODE=VHDD\n", NULL, "|-boot|c|-drive|file=/d/b.img," },
		{ "HDA=/d/a.img\nINSTSRCCDROM=/i/deb.iso\n", "CD", "|-cdrom|/i/deb.iso|-boot|d" },
		{ "HDA=/d/a.img\n", "ISO /i/x.iso", "|-cdrom|/i/x.iso|-boot|d" },
		{ "HDA=/d/a.img\n", "INSTALL%/i/x.iso", "|-cdrom|/i/x.iso|-boot|once=d" },
		{ "DEFAULTBOOTMODE=FDD\nINSTSRCFDD=/f/fd.img\n", NULL, "|-fda|/f/fd.img|-boot|a" },
		{ "", "USB /u/stick.img", "|-drive|if=none,id=usbboot,format=raw,file=/u/stick.img" },
		{ "", "pxe", "|-boot|n" },
		{ "", NULL, "|-display|none" },
		{ "KERNELIMAGE=/k/old\nINITRDIMAGE=/k/old.gz\n", "KERNEL", "|-kernel|/k/old|-initrd|/k/old.gz" },
		{ "", "KERNEL /k/other", "|-kernel|/k/other" },
	};
	static const struct {
		const char *conf, *sub, *err;
	} bad[] = {
		{ "", "HDD", "BOOTMODE HDD: no HDA or HDDBOOTIMAGE in /v/b.ctys" },
		{ "", "CD", "BOOTMODE CD: no image" },
		{ "", "KERNEL", "BOOTMODE KERNEL: no KERNEL" },
		{ "", "FLOPPY", "BOOTMODE 'FLOPPY' of /v/b.ctys is not one of" },
		{ "BOOTMODE=NET\n", NULL, "BOOTMODE 'NET'" },
	};
	struct qemu_start s = { "NONE", -1, "TCG", NULL, NULL, "/run/q", NULL };
	struct strv av = STRV_INIT;
	struct qemu_vm vm;
	char conf[256], *j;
	size_t i;

	for (i = 0; i < sizeof cases / sizeof *cases; i++) {
		snprintf(conf, sizeof conf, "#@#MAGICID-QEMU\nLABEL=b\n%s", cases[i].conf);
		parse(conf, "/v/b.ctys", &vm);
		s.bootmode = cases[i].sub;
		cr_assert_eq(qemu_build_argv(&H, &vm, &s, &av), CTYS_OK, "%zu: %s", i, ctys_errmsg());
		j = strv_join(&av, "|");
		cr_assert(strstr(j, cases[i].want) != NULL, "%zu: %s", i, j);
		free(j);
		strv_free(&av);
		qemu_vm_free(&vm);
	}
	for (i = 0; i < sizeof bad / sizeof *bad; i++) {
		snprintf(conf, sizeof conf, "#@#MAGICID-QEMU\nLABEL=b\n%s", bad[i].conf);
		parse(conf, "/v/b.ctys", &vm);
		s.bootmode = bad[i].sub;
		cr_assert_eq(qemu_build_argv(&H, &vm, &s, &av), CTYS_ERR_USAGE, "bad %zu", i);
		cr_assert(strstr(ctys_errmsg(), bad[i].err) != NULL, "bad %zu: %s", i, ctys_errmsg());
		strv_free(&av);
		qemu_vm_free(&vm);
	}
}
