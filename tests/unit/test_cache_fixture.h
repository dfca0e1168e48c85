/*
 * test_cache_fixture.h — the worked-example cacheDB of cache-db.md §8, shared by
 * the cache unit tests (test_cache*.c, test_query*.c, test_vhost*.c).
 */
#ifndef CTYS_TEST_CACHEFIXTURE_H
#define CTYS_TEST_CACHEFIXTURE_H

#define FX_ENUM \
	"lab01.soho;PM;lab01;/etc/ctys.d/pm.conf;A1B2C3D4;00:11:22:33:44:01;192.168.1.11;;;;;CentOS;5.4;Linux;2.6.18;;;PM;ACTIVE;;;;;;;;22;lab01.soho;;;;;eth0;01_11_018;;;;x86_64;;4096;2;;;root;root;;\n" \
	"lab01.soho;QEMU;tst100;/mntn/vmpool/tst100/tst100.ctys;U100;00:50:56:13:11:40;192.168.1.100;;;/var/tmp/qemumon.tst100;5900;debian;5.0;Linux;2.6.26;;;VM;ACTIVE;QEMU-0.12.2;;;;;;;22;tst100.soho;;KVM;;;eth0;;;;;x86_64;;512;1;;;acue;ldapusers;;\n" \
	"lab01.soho;QEMU;tst101;/mntn/vmpool/tst101/tst101.ctys;U101;00:50:56:13:11:41;192.168.1.101;;;;5900;CentOS;5.4;Linux;2.6.18;;;VM;ACTIVE;QEMU-0.12.2;;;;;;;;;;QEMU;;;eth0;;;;;i386;;256;1;;;acue;ldapusers;;\n" \
	"lab02.soho;XEN;tst200;/mntn/vmpool/tst200/tst200.conf;U200;00:16:3E:00:02:00;;;;;;SuSE;10.3;Linux;2.6.22;;;VM;ACTIVE;Xen-3.0-x86_64;;;;;;;;;;PARA;;;eth0;;;;;x86_64;;1024;2;;;root;root;;\n" \
	"lab02.soho;VMW;tst300;/mntn/vmpool/tst300/tst300.vmx;U300;00:50:56:13:13:00;192.168.1.130;;904;;;SuSE;9.3;Linux;2.6;;;VM;BACKUP;VMW-WS6;;;;;;;;;;;;;0;;;;;i386;;256;1;;;acue;ldapusers;;\n" \
	"lab02.soho;PM;lab02;/etc/ctys.d/pm.conf;B1B2;00:11:22:33:44:02;192.168.1.12;;;;;CentOS;5.4;Linux;2.6.18;;;PM;ACTIVE;;;;;;;;;lab02.soho;;;;;eth0;;;;;x86_64;;8192;4;;;root;root;;\n"

#define FX_MACMAP \
	"lab01.soho;00:11:22:33:44:01;192.168.1.11;\n" \
	"lab02.soho;00:11:22:33:44:02;192.168.1.12;\n" \
	"tst100.soho;00:50:56:13:11:40;192.168.1.100;\n" \
	"tst200.soho;00:16:3E:00:02:00;192.168.1.200;\n" \
	"tst300.soho;00:50:56:13:13:00;192.168.1.130;\n"

/* The resulting static cache (TCP of tst200 filled, sorted). */
#define FX_STATCACHE \
	"lab01.soho;PM;lab01;/etc/ctys.d/pm.conf;A1B2C3D4;00:11:22:33:44:01;192.168.1.11;;;;;CentOS;5.4;Linux;2.6.18;;;PM;ACTIVE;;;;;;;;22;lab01.soho;;;;;eth0;01_11_018;;;;x86_64;;4096;2;;;root;root;;\n" \
	"lab01.soho;QEMU;tst100;/mntn/vmpool/tst100/tst100.ctys;U100;00:50:56:13:11:40;192.168.1.100;;;/var/tmp/qemumon.tst100;5900;debian;5.0;Linux;2.6.26;;;VM;ACTIVE;QEMU-0.12.2;;;;;;;22;tst100.soho;;KVM;;;eth0;;;;;x86_64;;512;1;;;acue;ldapusers;;\n" \
	"lab01.soho;QEMU;tst101;/mntn/vmpool/tst101/tst101.ctys;U101;00:50:56:13:11:41;192.168.1.101;;;;5900;CentOS;5.4;Linux;2.6.18;;;VM;ACTIVE;QEMU-0.12.2;;;;;;;;;;QEMU;;;eth0;;;;;i386;;256;1;;;acue;ldapusers;;\n" \
	"lab02.soho;PM;lab02;/etc/ctys.d/pm.conf;B1B2;00:11:22:33:44:02;192.168.1.12;;;;;CentOS;5.4;Linux;2.6.18;;;PM;ACTIVE;;;;;;;;;lab02.soho;;;;;eth0;;;;;x86_64;;8192;4;;;root;root;;\n" \
	"lab02.soho;VMW;tst300;/mntn/vmpool/tst300/tst300.vmx;U300;00:50:56:13:13:00;192.168.1.130;;904;;;SuSE;9.3;Linux;2.6;;;VM;BACKUP;VMW-WS6;;;;;;;;;;;;;0;;;;;i386;;256;1;;;acue;ldapusers;;\n" \
	"lab02.soho;XEN;tst200;/mntn/vmpool/tst200/tst200.conf;U200;00:16:3E:00:02:00;192.168.1.200;;;;;SuSE;10.3;Linux;2.6.22;;;VM;ACTIVE;Xen-3.0-x86_64;;;;;;;;;;PARA;;;eth0;;;;;x86_64;;1024;2;;;root;root;;\n"

#endif
