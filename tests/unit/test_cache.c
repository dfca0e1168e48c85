/*
 * Unit tests for the LMDB cache (cache/store*.c, cache/fdb.c): import,
 * static-cache derivation, byte-identical export, indexes, refresh rules,
 * cache_put_host, and every failure that must keep the old data.
 */
#include "testutil.h"

#include <lmdb.h>
#include <sys/stat.h>
#include <utime.h>

#include "cache/fdb.h"
#include "cache/record.h"
#include "cache/store.h"
#include "lib/buf.h"
#include "lib/strv.h"

#include "test_cache_fixture.h"

static char *dir;
static char *mounted;

static void
setup(void)
{
	dir = tu_tmpdir();
}

static void umount_dir(const char *d);

static void
teardown(void)
{
	fdb_set_read_hook(NULL, NULL);
	if (mounted != NULL) {
		umount_dir(mounted);
		free(mounted);
		mounted = NULL;
	}
	tu_rmrf(dir);
	free(dir);
}

/* A 47-field record: the given leading fields, the rest empty. */
static char *
rec47(const char *head)
{
	struct buf b = BUF_INIT;
	size_t n = rec_count_fields(head, strlen(head));

	buf_adds(&b, head);
	for (; n < REC_NFIELDS; n++)
		buf_addc(&b, ';');
	return buf_detach(&b);
}

static void
write_db(const char *d, const char *en, const char *mm)
{
	free(tu_write(d, "enum.fdb", en));
	free(tu_write(d, "macmap.fdb", mm));
}

static char *
slurp(const char *d, const char *name)
{
	char *path, *data;
	FILE *f;
	long n;

	cr_assert(asprintf(&path, "%s/%s", d, name) > 0);
	f = fopen(path, "rb");
	cr_assert_not_null(f, "%s", path);
	fseek(f, 0, SEEK_END);
	n = ftell(f);
	rewind(f);
	data = calloc(1, (size_t)n + 1);
	cr_assert_eq(fread(data, 1, (size_t)n, f), (size_t)n);
	fclose(f);
	free(path);
	return data;
}

/* Collect "<index>:<line>"; field 32 (the index) is emptied again. */
static int
collect(void *arg, unsigned long index, const char *line, size_t len)
{
	struct buf *b = arg;
	size_t fl;
	const char *f = rec_field_view(line, len, REC_FIELD_INDEX, &fl);
	char num[24];

	snprintf(num, sizeof num, "%lu", index);
	cr_assert_eq(fl, strlen(num), "field 32 carries the index");
	cr_assert(memcmp(f, num, fl) == 0);
	buf_addf(b, "%lu:", index);
	buf_add(b, line, (size_t)(f - line));
	buf_add(b, f + fl, len - (size_t)(f - line) - fl);
	buf_addc(b, '\n');
	return 0;
}

static char *
scan_all(struct cache_db *db)
{
	struct buf b = BUF_INIT;

	cr_assert_eq(cache_scan(db, collect, &b), CTYS_OK);
	return buf_detach(&b);
}

/* The static cache with "<index>:" prefixes. */
static char *
numbered(const char *text)
{
	struct buf b = BUF_INIT;
	const char *p = text, *nl;
	int i = 1;

	for (; (nl = strchr(p, '\n')) != NULL; p = nl + 1)
		buf_addf(&b, "%d:%.*s\n", i++, (int)(nl - p), p);
	return buf_detach(&b);
}

TestSuite(cache, .init = setup, .fini = teardown);

Test(cache, import_derives_the_static_cache)
{
	struct cache_db *db;
	char *got, *want = numbered(FX_STATCACHE);

	write_db(dir, FX_ENUM, FX_MACMAP);
	cr_assert_eq(cache_open(dir, 0, &db), CTYS_OK, "%s", ctys_errmsg());
	cr_assert(cache_imported(db));
	cr_assert_eq(cache_count(db), 6);
	got = scan_all(db);
	cr_assert_str_eq(got, want);
	free(got);
	cache_close(db);
	/* second open: nothing to import */
	cr_assert_eq(cache_open(dir, 0, &db), CTYS_OK);
	cr_assert_not(cache_imported(db));
	got = scan_all(db);
	cr_assert_str_eq(got, want);
	free(got);
	cache_close(db);
	free(want);
}

static void
round_trip(const char *en, const char *mm)
{
	struct cache_db *db;
	char *out = tu_tmpdir(), *a, *b;

	write_db(dir, en, mm);
	cr_assert_eq(cache_open(dir, CACHE_REBUILD, &db), CTYS_OK, "%s", ctys_errmsg());
	cr_assert_eq(cache_export(db, out), CTYS_OK, "%s", ctys_errmsg());
	cache_close(db);
	a = slurp(out, "enum.fdb");
	b = slurp(out, "macmap.fdb");
	cr_assert_str_eq(a, en);
	cr_assert_str_eq(b, mm);
	free(a);
	free(b);
	tu_rmrf(out);
	free(out);
}

Test(cache, export_is_byte_identical)
{
	char *rev;

	round_trip(FX_ENUM, FX_MACMAP);
	round_trip("", "");
	round_trip(FX_ENUM "\n\n", FX_MACMAP "\n");                 /* blank lines */
	/* no final newline, duplicates, unsorted */
	rev = strdup(FX_STATCACHE FX_ENUM);
	rev[strlen(rev) - 1] = '\0';
	round_trip(rev, "a;00:11:22:33:44:01;1.2.3.4;");
	free(rev);
	/* CR at the end of field 47 is a value like any other */
	rev = rec47("h;PM;l");
	{
		char *crlf;

		cr_assert(asprintf(&crlf, "%s\r\n", rev) > 0);
		round_trip(crlf, "");
		free(crlf);
	}
	free(rev);
}

Test(cache, duplicates_collapse_and_fill_from_first_macmap_match)
{
	struct cache_db *db;
	char *got, *a = rec47("h;VM;a;;;AA:BB"), *b = rec47("h;VM;b"), *en, *want;
	char *af = rec47("h;VM;a;;;AA:BB;9.9.9.9");
	const char *mm = "x;00:AA:BB;9.9.9.9;\ny;AA:BB;1.1.1.1;\n";

	cr_assert(asprintf(&en, "%s\n%s\n%s\n", a, a, b) > 0);
	cr_assert(asprintf(&want, "1:%s\n2:%s\n", af, b) > 0);
	write_db(dir, en, mm);
	cr_assert_eq(cache_open(dir, 0, &db), CTYS_OK, "%s", ctys_errmsg());
	got = scan_all(db);
	/* "AA:BB" is found inside "00:AA:BB" first (awk regex match); empty MAC never matches */
	cr_assert_str_eq(got, want);
	free(got);
	cache_close(db);
	free(a);
	free(b);
	free(af);
	free(en);
	free(want);
}

struct hits {
	struct buf b;
};

Test(cache, index_lookups_equal_exact_scans)
{
	static const unsigned fields[] = { 1, 2, 3, 5, 6, 7, 28 };
	struct cache_db *db;
	const char *p, *nl;
	size_t i, fl;

	write_db(dir, FX_ENUM, FX_MACMAP);
	cr_assert_eq(cache_open(dir, 0, &db), CTYS_OK);
	for (i = 0; i < sizeof fields / sizeof fields[0]; i++) {
		cr_assert(cache_field_indexed(fields[i]));
		for (p = FX_STATCACHE; (nl = strchr(p, '\n')) != NULL; p = nl + 1) {
			const char *v = rec_field_view(p, (size_t)(nl - p), fields[i], &fl);
			struct buf want = BUF_INIT, got = BUF_INIT;
			const char *q, *qn;
			int idx = 1;

			if (fl == 0)
				continue;
			for (q = FX_STATCACHE; (qn = strchr(q, '\n')) != NULL; q = qn + 1, idx++) {
				size_t l2;
				const char *v2 = rec_field_view(q, (size_t)(qn - q), fields[i], &l2);

				if (l2 == fl && memcmp(v, v2, fl) == 0)
					buf_addf(&want, "%d:%.*s\n", idx, (int)(qn - q), q);
			}
			cr_assert_eq(cache_lookup(db, fields[i], v, fl, collect, &got), CTYS_OK);
			cr_assert_str_eq(buf_cstr(&got), buf_cstr(&want), "field %u '%.*s'",
			    fields[i], (int)fl, v);
			buf_free(&want);
			buf_free(&got);
		}
	}
	cr_assert_not(cache_field_indexed(4));
	cr_assert_eq(cache_lookup(db, 4, "x", 1, collect, NULL), CTYS_ERR_UNSUPPORTED);
	cr_assert_eq(cache_lookup(db, 3, "tst1", 4, collect, NULL), CTYS_OK); /* no hit */
	cache_close(db);
}

Test(cache, refresh_on_change_not_on_touch)
{
	struct cache_db *db;
	struct utimbuf ut = { 1000000, 1000000 };
	char *path;

	write_db(dir, FX_ENUM, FX_MACMAP);
	cr_assert_eq(cache_open(dir, 0, &db), CTYS_OK);
	cache_close(db);
	cr_assert(asprintf(&path, "%s/enum.fdb", dir) > 0);
	cr_assert_eq(utime(path, &ut), 0);
	cr_assert_eq(cache_open(dir, 0, &db), CTYS_OK);
	cr_assert_not(cache_imported(db), "same content: stamps renewed, no import");
	cache_close(db);
	free(tu_write(dir, "enum.fdb", FX_ENUM FX_ENUM));
	cr_assert_eq(cache_open(dir, 0, &db), CTYS_OK);
	cr_assert(cache_imported(db));
	cr_assert_eq(cache_count(db), 6);
	cache_close(db);
	cr_assert_eq(cache_open(dir, CACHE_REBUILD, &db), CTYS_OK);
	cr_assert(cache_imported(db));
	cache_close(db);
	free(path);
}

/* After a failed refresh the previous contents must still be there. */
static void
assert_old_data(void)
{
	struct cache_db *db;
	char *got, *want = numbered(FX_STATCACHE);

	cr_assert_eq(cache_open(dir, CACHE_NOREFRESH, &db), CTYS_OK, "%s", ctys_errmsg());
	got = scan_all(db);
	cr_assert_str_eq(got, want);
	free(got);
	free(want);
	cache_close(db);
}

Test(cache, malformed_lines_name_file_and_line)
{
	struct cache_db *db;
	char *msg;

	write_db(dir, FX_ENUM, FX_MACMAP);
	cr_assert_eq(cache_open(dir, 0, &db), CTYS_OK);
	cache_close(db);
	free(tu_write(dir, "enum.fdb", FX_ENUM "a;b;c\n"));
	cr_assert_eq(cache_open(dir, 0, &db), CTYS_ERR_PARSE);
	cr_assert_null(db);
	cr_assert(asprintf(&msg, "%s/enum.fdb:7: record has 3 fields, 47 required", dir) > 0);
	cr_assert_str_eq(ctys_errmsg(), msg);
	free(msg);
	assert_old_data();
	/* binary */
	{
		char *bin = rec47("h;PM;xNy"), *p;
		FILE *f;

		strchr(bin, 'N')[0] = '\0';
		cr_assert(asprintf(&p, "%s/enum.fdb", dir) > 0);
		f = fopen(p, "wb");
		fwrite(bin, 1, 46 + 6, f);
		fputc('\n', f);
		fclose(f);
		free(p);
		free(bin);
	}
	cr_assert_eq(cache_open(dir, 0, &db), CTYS_ERR_PARSE);
	cr_assert(strstr(ctys_errmsg(), "enum.fdb:1: record contains a NUL byte") != NULL);
	assert_old_data();
	write_db(dir, FX_ENUM, FX_MACMAP "broken line\n");
	cr_assert_eq(cache_open(dir, 0, &db), CTYS_ERR_PARSE);
	cr_assert(strstr(ctys_errmsg(), "macmap.fdb:6: macmap line needs 3 fields") != NULL,
	    "%s", ctys_errmsg());
	assert_old_data();
}

static void
grow_during_read(const char *path, void *arg)
{
	FILE *f;
	char *r;

	(void)arg;
	if (strstr(path, "enum.fdb") == NULL)
		return;
	f = fopen(path, "a");
	r = rec47("h;PM;x");
	cr_assert_not_null(f);
	fprintf(f, "%s\n", r);
	fclose(f);
	free(r);
}

Test(cache, a_file_changing_during_import_is_an_error)
{
	struct cache_db *db;

	write_db(dir, FX_ENUM, FX_MACMAP);
	cr_assert_eq(cache_open(dir, 0, &db), CTYS_OK);
	cache_close(db);
	free(tu_write(dir, "enum.fdb", FX_ENUM FX_ENUM));
	fdb_set_read_hook(grow_during_read, NULL);
	cr_assert_eq(cache_open(dir, 0, &db), CTYS_ERR_IO);
	cr_assert(strstr(ctys_errmsg(), "changed while it was read") != NULL, "%s",
	    ctys_errmsg());
	cr_assert(strstr(ctys_errmsg(), "/enum.fdb'") != NULL);
	fdb_set_read_hook(NULL, NULL);
	assert_old_data();
}

Test(cache, missing_files)
{
	struct cache_db *db;
	char *sub;

	cr_assert_eq(cache_open("/nonexistent/db", 0, &db), CTYS_ERR_NOENT);
	cr_assert_str_eq(ctys_errmsg(), "missing DB directory '/nonexistent/db'");
	free(tu_write(dir, "macmap.fdb", ""));
	cr_assert_eq(cache_open(dir, 0, &db), CTYS_ERR_NOENT);
	cr_assert(asprintf(&sub, "missing '%s/enum.fdb'", dir) > 0);
	cr_assert_str_eq(ctys_errmsg(), sub);
	free(sub);
}

Test(cache, corrupt_lmdb_file_is_named)
{
	struct cache_db *db;
	char *envdir;

	write_db(dir, FX_ENUM, FX_MACMAP);
	cr_assert(asprintf(&envdir, "%s/ctys.lmdb", dir) > 0);
	cr_assert_eq(mkdir(envdir, 0755), 0);
	free(tu_write(envdir, "data.mdb", "this is not an lmdb file, just some text of a "
	    "few hundred bytes ......................................................"
	    "........................................................................"
	    "........................................................................"));
	cr_assert_eq(cache_open(dir, 0, &db), CTYS_ERR_DB);
	cr_assert(strstr(ctys_errmsg(), "/ctys.lmdb/data.mdb' is not a valid cache") != NULL,
	    "%s", ctys_errmsg());
	free(envdir);
}

Test(cache, foreign_and_wrong_layout_lmdb)
{
	struct cache_db *db;
	MDB_env *env;
	MDB_txn *txn;
	MDB_dbi dbi;
	MDB_val k = { 3, "foo" }, v = { 3, "bar" };
	char *envdir;

	write_db(dir, FX_ENUM, FX_MACMAP);
	cr_assert(asprintf(&envdir, "%s/ctys.lmdb", dir) > 0);
	cr_assert_eq(mkdir(envdir, 0755), 0);
	cr_assert_eq(mdb_env_create(&env), 0);
	cr_assert_eq(mdb_env_open(env, envdir, 0, 0644), 0);
	cr_assert_eq(mdb_txn_begin(env, NULL, 0, &txn), 0);
	cr_assert_eq(mdb_dbi_open(txn, NULL, 0, &dbi), 0);
	cr_assert_eq(mdb_put(txn, dbi, &k, &v, 0), 0);
	cr_assert_eq(mdb_txn_commit(txn), 0);
	mdb_env_close(env);
	cr_assert_eq(cache_open(dir, 0, &db), CTYS_ERR_DB);
	cr_assert(strstr(ctys_errmsg(), "is not a ctys cache") != NULL, "%s", ctys_errmsg());

	/* a ctys cache with another layout version */
	{
		char *cmd;

		cr_assert(asprintf(&cmd, "rm -rf '%s'", envdir) > 0);
		cr_assert_eq(system(cmd), 0);
		free(cmd);
	}
	cr_assert_eq(cache_open(dir, 0, &db), CTYS_OK);
	cache_close(db);
	cr_assert_eq(mdb_env_create(&env), 0);
	mdb_env_set_maxdbs(env, 16);
	cr_assert_eq(mdb_env_open(env, envdir, 0, 0644), 0);
	cr_assert_eq(mdb_txn_begin(env, NULL, 0, &txn), 0);
	cr_assert_eq(mdb_dbi_open(txn, "meta", 0, &dbi), 0);
	k.mv_size = 6;
	k.mv_data = "layout";
	v.mv_size = 14;
	v.mv_data = "ctys-cachedb 0";
	cr_assert_eq(mdb_put(txn, dbi, &k, &v, 0), 0);
	cr_assert_eq(mdb_txn_commit(txn), 0);
	mdb_env_close(env);
	cr_assert_eq(cache_open(dir, 0, &db), CTYS_ERR_DB);
	cr_assert(strstr(ctys_errmsg(), "has cache layout 'ctys-cachedb 0', expected "
	    "'ctys-cachedb 1'") != NULL, "%s", ctys_errmsg());
	free(envdir);
}

Test(cache, put_host_replaces_one_machine)
{
	struct cache_db *db;
	char *got, *out = tu_tmpdir(), *exp;
	char *l1 = rec47("lab01.soho;QEMU;new1;/p/new1;N1;00:16:3E:00:02:00;;;;;;;;;;;;VM");
	char *l2 = rec47("lab01.soho;PM;lab01;/etc/ctys.d/pm.conf;;;10.0.0.1;;;;;;;;;;;PM");
	char *b1 = rec47("other;PM;x");
	const char *lines[] = { l1, l2 };
	const char *bad[] = { b1 };
	char *w1 = rec47("1:lab01.soho;PM;lab01;/etc/ctys.d/pm.conf;;;10.0.0.1;;;;;;;;;;;PM");
	char *w2 = rec47("2:lab01.soho;QEMU;new1;/p/new1;N1;00:16:3E:00:02:00;192.168.1.200;;;;;;;;;;;VM");
	char *want;

	write_db(dir, FX_ENUM, FX_MACMAP);
	cr_assert_eq(cache_open(dir, 0, &db), CTYS_OK);
	cr_assert_eq(cache_put_host(db, "lab01.soho", bad, 1), CTYS_ERR_PARSE);
	cr_assert(strstr(ctys_errmsg(), "has containing machine 'other'") != NULL);
	cr_assert_eq(cache_put_host(db, "lab01.soho", lines, 2), CTYS_OK, "%s", ctys_errmsg());
	got = scan_all(db);
	cr_assert(asprintf(&want, "%s\n%s\n%s", w1, w2,
	    "3:lab02.soho;PM;lab02;/etc/ctys.d/pm.conf;B1B2;00:11:22:33:44:02;192.168.1.12;;;;;CentOS;5.4;Linux;2.6.18;;;PM;ACTIVE;;;;;;;;;lab02.soho;;;;;eth0;;;;;x86_64;;8192;4;;;root;root;;\n"
	    "4:lab02.soho;VMW;tst300;/mntn/vmpool/tst300/tst300.vmx;U300;00:50:56:13:13:00;192.168.1.130;;904;;;SuSE;9.3;Linux;2.6;;;VM;BACKUP;VMW-WS6;;;;;;;;;;;;;0;;;;;i386;;256;1;;;acue;ldapusers;;\n"
	    "5:lab02.soho;XEN;tst200;/mntn/vmpool/tst200/tst200.conf;U200;00:16:3E:00:02:00;192.168.1.200;;;;;SuSE;10.3;Linux;2.6.22;;;VM;ACTIVE;Xen-3.0-x86_64;;;;;;;;;;PARA;;;eth0;;;;;x86_64;;1024;2;;;root;root;;\n") > 0);
	cr_assert_str_eq(got, want);
	free(want);
	free(got);
	free(l1);
	free(l2);
	free(b1);
	free(w1);
	free(w2);
	{
		struct buf b = BUF_INIT;

		cr_assert_eq(cache_lookup(db, 3, "tst100", 6, collect, &b), CTYS_OK);
		cr_assert_str_eq(buf_cstr(&b), "");
		cr_assert_eq(cache_lookup(db, 6, "00:16:3E:00:02:00", 17, collect, &b), CTYS_OK);
		cr_assert(strncmp(buf_cstr(&b), "2:lab01.soho;QEMU;new1", 22) == 0);
		cr_assert(strstr(buf_cstr(&b), "\n5:lab02.soho;XEN;tst200") != NULL);
		buf_free(&b);
	}
	/* export: sorted unique, macmap-filled TCP emptied again */
	cr_assert_eq(cache_export(db, out), CTYS_OK);
	exp = slurp(out, "enum.fdb");
	cr_assert(strstr(exp, "lab01.soho;QEMU;new1;/p/new1;N1;00:16:3E:00:02:00;;") != NULL);
	cr_assert(strstr(exp, "00:16:3E:00:02:00;;;;;;SuSE") != NULL);
	free(exp);
	/* removing a host */
	cr_assert_eq(cache_put_host(db, "lab01.soho", NULL, 0), CTYS_OK);
	cr_assert_eq(cache_count(db), 3);
	got = scan_all(db);
	cr_assert(strncmp(got, "1:lab02.soho;PM;lab02", 21) == 0);
	free(got);
	cache_close(db);
	tu_rmrf(out);
	free(out);
}

/* Read-only and full filesystems: needs root (mount) or a non-root chmod. */
static bool
mount_tmpfs(const char *d, const char *opts)
{
	char *cmd;
	int rc;

	if (geteuid() != 0)
		return false;
	cr_assert(asprintf(&cmd, "mount -t tmpfs -o %s tmpfs '%s' 2>/dev/null", opts, d) > 0);
	rc = system(cmd);
	free(cmd);
	return rc == 0;
}

static void
umount_dir(const char *d)
{
	char *cmd;

	cr_assert(asprintf(&cmd, "umount '%s'", d) > 0);
	if (system(cmd) != 0)
		fprintf(stderr, "umount %s failed\n", d);
	free(cmd);
}

static void
remount_ro(const char *d, bool ro)
{
	char *cmd;

	cr_assert(asprintf(&cmd, "mount -o remount,%s '%s'", ro ? "ro" : "rw", d) > 0);
	cr_assert_eq(system(cmd), 0);
	free(cmd);
}

Test(cache, unwritable_directory_and_read_only_cache)
{
	struct cache_db *db;
	char *mnt;

	cr_assert(asprintf(&mnt, "%s/ro", dir) > 0);
	cr_assert_eq(mkdir(mnt, 0755), 0);
	if (!mount_tmpfs(mnt, "size=4m")) {
		if (geteuid() == 0)
			cr_skip_test("cannot mount tmpfs");
		write_db(mnt, FX_ENUM, FX_MACMAP);
		chmod(mnt, 0555);
		cr_assert_eq(cache_open(mnt, 0, &db), CTYS_ERR_DB);
		cr_assert(strstr(ctys_errmsg(), "cannot create cache") != NULL, "%s", ctys_errmsg());
		chmod(mnt, 0755);
		free(mnt);
		return;
	}
	mounted = strdup(mnt);
	write_db(mnt, FX_ENUM, FX_MACMAP);
	remount_ro(mnt, true);
	cr_assert_eq(cache_open(mnt, 0, &db), CTYS_ERR_DB);
	cr_assert(strstr(ctys_errmsg(), "cannot create cache") != NULL, "%s", ctys_errmsg());
	cr_assert(strstr(ctys_errmsg(), "/ro/ctys.lmdb") != NULL);
	/* a current cache on a read-only filesystem is used read-only */
	remount_ro(mnt, false);
	cr_assert_eq(cache_open(mnt, 0, &db), CTYS_OK);
	cache_close(db);
	remount_ro(mnt, true);
	cr_assert_eq(cache_open(mnt, 0, &db), CTYS_OK, "%s", ctys_errmsg());
	cr_assert_eq(cache_count(db), 6);
	cache_close(db);
	/* ... but an out-of-date one is an error */
	remount_ro(mnt, false);
	free(tu_write(mnt, "enum.fdb", FX_ENUM FX_ENUM));
	remount_ro(mnt, true);
	cr_assert_eq(cache_open(mnt, 0, &db), CTYS_ERR_DB);
	cr_assert(strstr(ctys_errmsg(), "out of date and read-only") != NULL, "%s",
	    ctys_errmsg());
	free(mnt);
}

Test(cache, disk_full_keeps_old_data)
{
	struct cache_db *db;
	struct buf big = BUF_INIT;
	char *mnt, *saved = dir;
	int i;

	cr_assert(asprintf(&mnt, "%s/full", dir) > 0);
	cr_assert_eq(mkdir(mnt, 0755), 0);
	if (!mount_tmpfs(mnt, "size=4m"))
		cr_skip_test("needs root to mount a small tmpfs");
	mounted = strdup(mnt);
	write_db(mnt, FX_ENUM, FX_MACMAP);
	cr_assert_eq(cache_open(mnt, 0, &db), CTYS_OK, "%s", ctys_errmsg());
	cache_close(db);
	for (i = 0; i < 25000; i++) {
		char head[200], *r;

		snprintf(head, sizeof head, "h%05d;QEMU;vm%05d;/some/long/path/to/a/vm/"
		    "config/file/%05d.conf;U%05d", i, i, i, i);
		r = rec47(head);
		buf_addf(&big, "%s\n", r);
		free(r);
	}
	free(tu_write(mnt, "enum.fdb", buf_cstr(&big)));
	buf_free(&big);
	cr_assert_eq(cache_open(mnt, 0, &db), CTYS_ERR_DB);
	cr_assert(strstr(ctys_errmsg(), "no space left on device; previous contents kept")
	    != NULL, "%s", ctys_errmsg());
	dir = mnt;
	assert_old_data();
	dir = saved;
	free(mnt);
}

Test(cache, map_full_grows_and_retries)
{
	struct cache_db *db;
	struct buf big = BUF_INIT;
	char *got;
	int i;

	for (i = 0; i < 3000; i++) {
		char head[100], *r;

		snprintf(head, sizeof head, "h%03d;QEMU;vm%05d;/p/%05d;U%05d", i % 50, i, i, i);
		r = rec47(head);
		buf_addf(&big, "%s\n", r);
		free(r);
	}
	write_db(dir, buf_cstr(&big), FX_MACMAP);
	cache_set_mapsize_hint(64 * 1024);
	cr_assert_eq(cache_open(dir, 0, &db), CTYS_OK, "%s", ctys_errmsg());
	cache_set_mapsize_hint(0);
	cr_assert(cache_map_grown(db) > 0, "the 64 KiB map must have grown");
	cr_assert_eq(cache_count(db), 3000);
	got = scan_all(db);
	cr_assert(strstr(got, "\n3000:h049;QEMU;vm02999;") != NULL);
	free(got);
	cache_close(db);
	buf_free(&big);
}

/* ---- the trigram accelerator gives exactly the scan's results ------------- */

#include "cache/gram.h"
#include "cache/query.h"

static int
collect_raw(void *arg, unsigned long index, const char *line, size_t len)
{
	struct buf *b = arg;

	(void)index;
	buf_add(b, line, len);
	buf_addc(b, '\n');
	return 0;
}

static char *
run_q(const struct query_source *src, const char *words)
{
	struct strv w = STRV_INIT;
	struct query *q;
	struct query_result r = { 0 };
	struct buf b = BUF_INIT;
	size_t i;

	strv_split_ws(&w, words);
	cr_assert_eq(query_compile((const char *const *)w.v, w.n, 0, &q), CTYS_OK);
	cr_assert_eq(query_run(q, src, &r), CTYS_OK, "%s: %s", words, ctys_errmsg());
	for (i = 0; i < r.n; i++)
		buf_addf(&b, "%lu:%s\n", r.v[i].index, r.v[i].line);
	query_result_free(&r);
	query_free(q);
	strv_free(&w);
	return buf_detach(&b);
}

static void
compare_plans(struct cache_db *db, const char *const *qs, size_t nq)
{
	struct query_source csrc, lsrc;
	struct query_lines lines;
	struct buf all = BUF_INIT;
	size_t i;

	cr_assert_eq(cache_scan(db, collect_raw, &all), CTYS_OK);
	query_source_cache(&csrc, db);
	query_source_lines(&lsrc, &lines, all.d, all.len);
	for (i = 0; i < nq; i++) {
		char *a = run_q(&csrc, qs[i]), *b = run_q(&lsrc, qs[i]);

		cr_assert_str_eq(a, b, "query '%s'", qs[i]);
		free(a);
		free(b);
	}
	buf_free(&all);
}

Test(cache, gram_index_gives_the_scan_results)
{
	static const char *qs[] = {
		"vm01234", "m012", "Lab7", "lab7.x", "F:3:^vm00042$", "F:4:vm0004[0-9]",
		"x?vm0001[12]", "mmy", "vm0 F:2:XEN", "F:2:QEMU vm0123", "nosuchthing",
		"7.x", "host1", "F:28:^vm02000\\.bench$", "UU", "vm01234 not F:2:XEN",
		"1234", ";QEMU;", "(vm|xx)0123",
	};
	struct cache_db *db;
	struct buf en = BUF_INIT;
	struct query_source src;
	struct query *q;
	char *gpath;
	const char *w[] = { "vm01234" };
	struct stat st;
	int i;

	for (i = 0; i < GRAM_MIN_RECORDS + 1000; i++) {
		char head[200], *r;

		snprintf(head, sizeof head, "host%d.lab%d.x;%s;vm%05d;/pool/vm%05d/vm%05d.ctys;"
		    "UU%05d;;;;;;;;;;;;;VM", i % 97, i % 13, i % 3 ? "QEMU" : "XEN", i, i,
		    i, i * 7);
		r = rec47(head);
		buf_addf(&en, "%s\n", r);
		free(r);
	}
	write_db(dir, buf_cstr(&en), FX_MACMAP);
	cr_assert_eq(cache_open(dir, 0, &db), CTYS_OK, "%s", ctys_errmsg());
	query_source_cache(&src, db);
	cr_assert_eq(query_compile(w, 1, 0, &q), CTYS_OK);
	cr_assert_eq(query_plan(q, &src), QUERY_PLAN_SUBSTR);
	query_free(q);
	compare_plans(db, qs, sizeof qs / sizeof qs[0]);
	cr_assert(asprintf(&gpath, "%s/ctys.lmdb/%s", dir, GRAM_FILE) > 0);
	cr_assert_eq(stat(gpath, &st), 0, "the gram index was built");
	/* a write makes it stale: rebuilt, results still the scan's */
	{
		char *l1 = rec47("host5.lab5.x;QEMU;vm99999;/new/vm01234x");
		const char *lines[] = { l1 };

		cr_assert_eq(cache_put_host(db, "host5.lab5.x", lines, 1), CTYS_OK);
		free(l1);
	}
	compare_plans(db, qs, sizeof qs / sizeof qs[0]);
	/* a damaged file is ignored (scan), never trusted */
	free(tu_write(dir, "ctys.lmdb/" GRAM_FILE, "garbage"));
	compare_plans(db, qs, sizeof qs / sizeof qs[0]);
	free(gpath);
	cache_close(db);
	buf_free(&en);
}
