/*
 * gen-fdb — write a synthetic cacheDB (enum.fdb + macmap.fdb) for the
 * benchmarks: N records on N/20 PMs (one PM record and 19 VMs each), in
 * the sorted order ctys-vdbgen writes.  Every 4th VM has an empty TCP field
 * that the macmap fills.  Labels are vm<7 digits>, hosts pm<6 digits>.bench.
 *
 *   gen-fdb <N> <dir>
 */
#include <stdio.h>
#include <stdlib.h>

static const char *
vmtype(unsigned i)
{
	return i < 10 ? "QEMU" : i < 15 ? "VMW" : "XEN";
}

int
main(int argc, char **argv)
{
	unsigned long n, hosts, h, v, rec = 0, vm;
	char path[4096], tcp[32];
	FILE *e, *m;

	if (argc != 3 || (n = strtoul(argv[1], NULL, 10)) < 20) {
		fprintf(stderr, "usage: gen-fdb <N >= 20> <dir>\n");
		return 1;
	}
	hosts = n / 20;
	snprintf(path, sizeof path, "%s/enum.fdb", argv[2]);
	if ((e = fopen(path, "w")) == NULL) {
		perror(path);
		return 1;
	}
	snprintf(path, sizeof path, "%s/macmap.fdb", argv[2]);
	if ((m = fopen(path, "w")) == NULL) {
		perror(path);
		return 1;
	}
	for (h = 0; h < hosts; h++) {
		fprintf(e, "pm%06lu.bench;PM;pm%06lu;/etc/ctys.d/pm.conf;UPM%06lu;"
		    "02:00:00:%02lX:%02lX:%02lX;10.%lu.%lu.1;;;;;CentOS;5.4;Linux;2.6.18;;;PM;"
		    "ACTIVE;;;;;;;;22;pm%06lu.bench;;;;;eth0;01_11_018;;;;x86_64;;4096;2;;;"
		    "root;root;;\n", h, h, h, (h >> 16) & 255, (h >> 8) & 255, h & 255,
		    (h >> 8) & 255, h & 255, h);
		rec++;
		for (v = 0; v < 19; v++) {
			vm = h * 19 + v;
			if (v % 4 == 3)
				tcp[0] = '\0';
			else
				snprintf(tcp, sizeof tcp, "172.16.%lu.%lu", (vm >> 8) & 255, vm & 255);
			fprintf(e, "pm%06lu.bench;%s;vm%07lu;/mntn/vmpool/vm%07lu/vm%07lu.ctys;"
			    "U%08lu;02:01:%02lX:%02lX:%02lX:%02lX;%s;;;/var/tmp/qemumon.vm%07lu;"
			    "5900;debian;5.0;Linux;2.6.26;;;VM;ACTIVE;QEMU-0.12.2;;;;;;;22;"
			    "vm%07lu.bench;;KVM;;;eth0;;;;;x86_64;;512;1;;;acue;ldapusers;;\n",
			    h, vmtype((unsigned)v), vm, vm, vm, vm, (vm >> 24) & 255,
			    (vm >> 16) & 255, (vm >> 8) & 255, vm & 255,
			    tcp, vm, vm);
			rec++;
		}
	}
	/* macmap: VMs whose TCP is empty, sorted by name */
	for (h = 0; h < hosts; h++)
		for (v = 3; v < 19; v += 4) {
			vm = h * 19 + v;
			fprintf(m, "vm%07lu.bench;02:01:%02lX:%02lX:%02lX:%02lX;172.17.%lu.%lu;\n",
			    vm, (vm >> 24) & 255, (vm >> 16) & 255, (vm >> 8) & 255, vm & 255,
			    (vm >> 8) & 255, vm & 255);
		}
	fclose(e);
	fclose(m);
	fprintf(stderr, "gen-fdb: %lu records on %lu PMs in %s\n", rec, hosts, argv[2]);
	return 0;
}
