/*
 * ctys-macmap — query macmap.fdb (ctys-macmap(1), tools.md).
 *
 * Concatenates macmap.fdb of the DB directories (-p, else DBPATHLST),
 * sorts the lines (-u: uppercased first), and prints for each argument the
 * matching lines' selected fields in the order name (-n), MAC (-m), IP (-i)
 * joined by ';' (no selection = all three).  An argument that looks like a
 * MAC is uppercased before matching.
 */
#include <ctype.h>
#include <getopt.h>
#include <regex.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cache/ere.h"
#include "cache/fdb.h"
#include "lib/buf.h"
#include "lib/conf.h"
#include "lib/log.h"
#include "lib/paths.h"
#include "lib/strv.h"
#include "lib/util.h"
#include "lib/xmalloc.h"

static int
line_cmp(const void *a, const void *b)
{
	return strcmp(*(char *const *)a, *(char *const *)b);
}

static bool
looks_like_mac(const char *s)
{
	size_t i;

	if (strlen(s) != 17)
		return false;
	for (i = 0; i < 17; i++)
		if (i % 3 == 2 ? s[i] != ':' && s[i] != '-' : !isxdigit((unsigned char)s[i]))
			return false;
	return true;
}

static void
usage(void)
{
	printf("usage: ctys-macmap [-n] [-i] [-m] [-u] [-p <db-dir>[:<db-dir>...]] "
	    "[-d <dbg>] [-h] [-V] [-X] <regex>...\nSee ctys-macmap(1).\n");
}

int
main(int argc, char **argv)
{
	bool sel_n = false, sel_i = false, sel_m = false, upper = false;
	struct strv dbs = STRV_INIT, lines = STRV_INIT;
	const char *dblist = NULL;
	struct dbg_spec dbg;
	struct conf *conf = NULL;
	char *s, *tok, *save = NULL;
	size_t d, i;
	int c, a, rc = 0, found = 0;

	log_init("ctys-macmap");
	argv_help_alias(argc, argv);
	while ((c = getopt(argc, argv, "nimup:d:hH:VX")) != -1) {
		switch (c) {
		case 'n': sel_n = true; break;
		case 'i': sel_i = true; break;
		case 'm': sel_m = true; break;
		case 'u': upper = true; break;
		case 'p': dblist = optarg; break;
		case 'd':
			if (dbg_parse(optarg, &dbg) != CTYS_OK) {
				log_lasterr(CTYS_ERR_USAGE);
				return 1;
			}
			log_set_dbg(&dbg);
			break;
		case 'h': case 'H': usage(); return 0;
		case 'V': printf("ctys-macmap %s\n", CTYS_VERSION); return 0;
		case 'X': break;
		default:
			log_error("erroneous parameter '%s'", argv[optind - 1]);
			return 1;
		}
	}
	if (!sel_n && !sel_i && !sel_m)
		sel_n = sel_i = sel_m = true;
	if (dblist == NULL) {
		conf = conf_new();
		if (ctys_conf_load(conf) != CTYS_OK) {
			log_lasterr(CTYS_ERR_PARSE);
			conf_free(conf);
			return 1;
		}
		dblist = conf_get_or(conf, "DBPATHLST", conf_get(conf, "DEFAULT_DBPATHLST"));
	}
	s = xstrdup(dblist ? dblist : "");
	for (tok = strtok_r(s, ":%", &save); tok; tok = strtok_r(NULL, ":%", &save))
		strv_push(&dbs, tok);
	free(s);
	conf_free(conf);
	for (d = 0; d < dbs.n; d++) {
		char *path = xasprintf("%s/macmap.fdb", dbs.v[d]);
		struct fdb_file f;

		if (fdb_read(path, &f) != CTYS_OK) {
			log_error("Missing macmap.fdb: '%s'", path);
			free(path);
			rc = 1;
			goto out;
		}
		free(path);
		for (tok = strtok_r(f.data, "\n", &save); tok; tok = strtok_r(NULL, "\n", &save)) {
			char *l = upper ? str_upper(tok) : xstrdup(tok);

			strv_push_owned(&lines, l);
		}
		fdb_file_free(&f);
	}
	if (lines.n > 0)
		sort_array(lines.v, lines.n, sizeof *lines.v, line_cmp);
	for (a = optind; a < argc; a++) {
		char *pat = looks_like_mac(argv[a]) ? str_upper(argv[a]) : xstrdup(argv[a]);
		regex_t re;

		if (ere_compile(&re, pat, NULL, 0) != 0) {
			log_error("invalid regular expression '%s'", argv[a]);
			free(pat);
			rc = 1;
			goto out;
		}
		free(pat);
		for (i = 0; i < lines.n; i++) {
			struct buf b = BUF_INIT;
			char *f[3] = { 0 }, *p = lines.v[i];
			int k;

			if (regexec(&re, p, 0, NULL, 0) != 0)
				continue;
			for (k = 0; k < 3; k++) {
				f[k] = p;
				p = p ? strchr(p, ';') : NULL;
				if (p != NULL)
					p++;
			}
			for (k = 0; k < 3; k++) {
				bool on = k == 0 ? sel_n : k == 1 ? sel_m : sel_i;
				size_t n;

				if (!on)
					continue;
				if (b.len > 0)
					buf_addc(&b, ';');
				n = f[k] ? strcspn(f[k], ";") : 0;
				buf_add(&b, f[k] ? f[k] : "", n);
			}
			printf("%s\n", buf_cstr(&b));
			buf_free(&b);
			found++;
		}
		regfree(&re);
	}
out:
	strv_free(&dbs);
	strv_free(&lines);
	return rc;
}
