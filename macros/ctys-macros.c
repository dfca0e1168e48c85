/* ctys-macros — list, expand and edit macro files; see ctys-macros(1). */
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "lib/conf.h"
#include "lib/err.h"
#include "lib/log.h"
#include "lib/paths.h"
#include "lib/util.h"
#include "lib/xmalloc.h"
#include "macros/macro.h"
#include "macros/textfile.h"

#define OPTSTRING "acd:D:eEFf:hH:lNSVX"

static const char usage[] =
    "usage: ctys-macros [-a] [-c] [-d <level>] [-D <depth>] [-e] [-E] [-F] [-f <macro-file>]\n"
    "                   [-h] [-H <topic>] [-l] [-N] [-S] [-V] [-X] [<macro-name>...]\n"
    "  (no option)  names of the macros in the macro file (default 'default')\n"
    "  -N           with their definitions      -E  fully expanded\n"
    "  -a / -c      atoms only / combined only  -l  list macro files\n"
    "  -S / -F / -D tree of the macro directories (-F with files, -D depth)\n"
    "  -e           edit the macro file with CTYS_MACROSEDIT\n"
    "see ctys-macros(1) and ctys-macros(5)\n";

struct opts {
	bool atoms, combined, edit, expand, defs, list, tree, files, terse, version;
	unsigned depth;
	const char *file;
};

/* Directories of CTYS_MACRO_PATH, for -l and the tree views. */
static void
for_each_dir(const char *path, void (*fn)(const char *dir, const struct opts *o),
	const struct opts *o)
{
	const char *p, *colon;
	char *d;

	for (p = path ? path : ""; *p; p = *colon ? colon + 1 : colon) {
		if ((colon = strchr(p, ':')) == NULL)
			colon = p + strlen(p);
		if (colon == p)
			continue;
		d = xstrndup(p, (size_t)(colon - p));
		if (access(d, R_OK) == 0)
			fn(d, o);
		free(d);
	}
}

static void
list_dir(const char *dir, const struct opts *o)
{
	(void)o;
	macro_tree_print(dir, true, 1);
}

static void
tree_dir(const char *dir, const struct opts *o)
{
	macro_tree_print(dir, o->files, o->depth);
}

static int
fail(ctys_err_t e)
{
	log_lasterr(e);
	return ctys_exit_status(e);
}

static ctys_err_t
show(const struct macro_env *env, const struct macro_file *mf, const struct macro_def *d,
	const struct opts *o)
{
	bool combined = macro_has_ref(d->value);
	char *ref, *x;
	ctys_err_t e;

	if ((o->atoms || o->combined) && !(o->atoms && !combined) && !(o->combined && combined))
		return CTYS_OK;
	if (o->expand) {
		ref = xasprintf("macro:%s", d->name);
		e = macro_expand_in(env, mf, ref, &x);
		free(ref);
		if (e != CTYS_OK)
			return e;
		printf("%s:%s\n", d->name, x);
		free(x);
	} else if (o->defs) {
		printf("%s=%s\n", d->name, d->value);
	} else {
		printf("%s\n", d->name);
	}
	return CTYS_OK;
}

static int
run(const struct macro_env *env, const struct opts *o, char **names, int nnames)
{
	const struct macro_file *mf;
	const struct macro_def *d;
	const char *ed, *value;
	char *path;
	size_t i;
	int k;
	ctys_err_t e;

	if (o->list || o->tree) {
		for_each_dir(env->path, o->list ? list_dir : tree_dir, o);
		return 0;
	}
	if ((e = macro_find_file(env, o->file, &path)) != CTYS_OK)
		return fail(e);
	if (o->edit) {
		ed = getenv("CTYS_MACROSEDIT");
		if (ed == NULL || *ed == '\0')
			ed = getenv("EDITOR");
		execlp(ed && *ed ? ed : "vi", ed && *ed ? ed : "vi", path, (char *)NULL);
		log_error("cannot run editor '%s'", ed && *ed ? ed : "vi");
		free(path);
		return 2;
	}
	e = macro_file_load(path, &mf);
	free(path);
	if (e != CTYS_OK)
		return fail(e);
	if (nnames == 0) {
		for (i = 0; i < macro_file_count(mf); i++)
			if ((e = show(env, mf, macro_file_def(mf, i), o)) != CTYS_OK)
				return fail(e);
		return 0;
	}
	for (k = 0; k < nnames; k++) {
		if ((e = macro_lookup(mf, names[k], &value)) != CTYS_OK)
			return fail(e);
		for (i = 0; i < macro_file_count(mf); i++) {
			d = macro_file_def(mf, i);
			if (strcmp(d->name, names[k]) == 0 && (e = show(env, mf, d, o)) != CTYS_OK)
				return fail(e);
		}
	}
	return 0;
}

int
main(int argc, char **argv)
{
	struct opts o = { .file = "default" };
	struct dbg_spec dbg;
	struct macro_env env;
	struct conf *c;
	unsigned long n;
	int ch, rc;
	ctys_err_t e;

	log_init("ctys-macros");
	argv_help_alias(argc, argv);
	dbg_default(&dbg);
	opterr = 0;
	while ((ch = getopt(argc, argv, OPTSTRING)) != -1) {
		switch (ch) {
		case 'a': o.atoms = true; break;
		case 'c': o.combined = true; break;
		case 'd':
			if ((e = dbg_parse(optarg, &dbg)) != CTYS_OK)
				return fail(e);
			log_set_dbg(&dbg);
			break;
		case 'D':
			if (!parse_uint(optarg, 1000, &n)) {
				log_error("bad depth '%s' for -D", optarg);
				return 1;
			}
			o.depth = (unsigned)n;
			o.tree = true;
			break;
		case 'e': o.edit = true; break;
		case 'E': o.expand = true; break;
		case 'F': o.files = o.tree = true; break;
		case 'f': o.file = optarg; break;
		case 'h': fputs(usage, stdout); return 0;
		case 'H':
			fputs(usage, stdout);
			printf("extended help on '%s': man ctys-macros\n", optarg);
			return 0;
		case 'l': o.list = true; break;
		case 'N': o.defs = true; break;
		case 'S': o.tree = true; break;
		case 'V': o.version = true; break;
		case 'X': o.terse = true; break;
		default:
			if (optopt && strchr(OPTSTRING, optopt))
				log_error("option '-%c' needs an argument; see %s -h", optopt, argv[0]);
			else
				log_error("unknown option '-%c'; see %s -h", optopt, argv[0]);
			return 1;
		}
	}
	if (o.version) {
		printf(o.terse ? "%s\n" : "ctys-macros %s\n", CTYS_VERSION);
		return 0;
	}
	c = conf_new();
	if ((e = ctys_conf_load(c)) != CTYS_OK) {
		conf_free(c);
		return fail(e);
	}
	macro_env_from_conf(&env, c);
	conf_free(c);
	rc = run(&env, &o, argv + optind, argc - optind);
	macro_env_free(&env);
	fflush(stdout);
	return rc;
}
