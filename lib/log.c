/* log.c — see log.h. */
#include "lib/log.h"

#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "lib/util.h"

static const char *prog = "ctys";
static struct dbg_spec cur = { 0, DBG_MAX, 0, 1, 0, "", false, -1 };

enum dbg_key { K_SUBSYS, K_WARN, K_INFO, K_FILES, K_EXCL, K_INCL, K_PFIN, K_PAT, K_MIN, K_MAX };

static const struct kw dbg_keys[] = {
	{ "SUBSYSTEM|S", K_SUBSYS },
	{ "WARNING|W", K_WARN },
	{ "INFO|I", K_INFO },
	{ "FILELIST|F", K_FILES },
	{ "EXCLUDE", K_EXCL },
	{ "INCLUDE", K_INCL },
	{ "PRINTFINAL|PFIN|PF", K_PFIN },
	{ "PATTERN|P", K_PAT },
	{ "MIN", K_MIN },
	{ "MAX", K_MAX },
};

void
dbg_default(struct dbg_spec *d)
{
	memset(d, 0, sizeof *d);
	d->mode = DBG_MAX;
	d->warn = 1;
	d->printfinal = -1;
}

static ctys_err_t
digit09(const char *key, const char *val, int *out)
{
	if (val == NULL || val[0] < '0' || val[0] > '9' || val[1] != '\0')
		return ctys_seterr(CTYS_ERR_USAGE,
		    "debug key '%s' requires numeric value 0-9, got '%s'", key,
		    val ? val : "");
	*out = val[0] - '0';
	return CTYS_OK;
}

static ctys_err_t
dbg_item(struct dbg_spec *d, char *item)
{
	char *colon = strchr(item, ':'), *val = NULL;
	int key;

	if (colon) {
		*colon = '\0';
		val = colon + 1;
	}
	key = kw_lookup(dbg_keys, sizeof dbg_keys / sizeof *dbg_keys, item, strlen(item));
	switch (key) {
	case K_SUBSYS:
		if (val == NULL || parse_bash_number(val, &d->subsys) != CTYS_OK)
			return ctys_seterr(CTYS_ERR_USAGE,
			    "debug key '%s' requires numeric value, got '%s'", item,
			    val ? val : "");
		return CTYS_OK;
	case K_WARN:
		return digit09(item, val, &d->warn);
	case K_INFO:
		return digit09(item, val, &d->info);
	case K_FILES:
		if (val == NULL || *val == '\0' || strlen(val) >= sizeof d->files)
			return ctys_seterr(CTYS_ERR_USAGE, "debug key '%s' requires a file list", item);
		strcpy(d->files, val);
		return CTYS_OK;
	case K_EXCL:
	case K_INCL:
		d->files_exclude = key == K_EXCL;
		break;
	case K_PFIN:
		if (val == NULL) {
			d->printfinal = 0;
			return CTYS_OK;
		}
		return digit09(item, val, &d->printfinal);
	case K_PAT:
		d->mode = DBG_PATTERN;
		break;
	case K_MIN:
		d->mode = DBG_MIN;
		break;
	case K_MAX:
		d->mode = DBG_MAX;
		break;
	default:
		return ctys_seterr(CTYS_ERR_USAGE, "unknown debug key '%s'", item);
	}
	if (val)
		return ctys_seterr(CTYS_ERR_USAGE, "debug key '%s' takes no value", item);
	return CTYS_OK;
}

ctys_err_t
dbg_parse(const char *spec, struct dbg_spec *d)
{
	char tmp[512], *item, *save = NULL;
	ctys_err_t e = CTYS_OK;
	bool first = true, plain;

	dbg_default(d);
	if (strlen(spec) >= sizeof tmp)
		return ctys_seterr(CTYS_ERR_TOOLONG, "debug spec too long");
	strcpy(tmp, spec);
	plain = strchr(spec, ',') == NULL;
	for (item = strtok_r(tmp, ",", &save); item; item = strtok_r(NULL, ",", &save)) {
		if (first) {
			first = false;
			if (str_ieq(item, "ALL"))
				d->level = D_ALL;
			else if ((e = parse_bash_number(item, &d->level)) != CTYS_OK)
				return ctys_seterr(CTYS_ERR_USAGE,
				    "debug level requires numeric value, got '%s'", item);
			continue;
		}
		if ((e = dbg_item(d, item)) != CTYS_OK)
			return e;
	}
	if (first)
		return ctys_seterr(CTYS_ERR_USAGE, "empty debug spec");
	if (plain)
		d->info = 1; /* "-d n" == "-d n,MAX,WARNING:1,INFO:1" */
	return CTYS_OK;
}

void
dbg_format(struct buf *out, const struct dbg_spec *d)
{
	static const char *const modes[] = { "MAX", "MIN", "PATTERN" };

	buf_addf(out, "%lu,%s", d->level, modes[d->mode]);
	if (d->subsys)
		buf_addf(out, ",S:%lu", d->subsys);
	buf_addf(out, ",W:%d,I:%d", d->warn, d->info);
	if (d->files[0])
		buf_addf(out, ",F:%s,%s", d->files, d->files_exclude ? "EXCLUDE" : "INCLUDE");
	if (d->printfinal >= 0)
		buf_addf(out, ",PF:%d", d->printfinal);
}

void
log_init(const char *name)
{
	const char *slash = strrchr(name, '/');

	prog = slash ? slash + 1 : name;
}

const char *
log_prog(void)
{
	return prog;
}

void
log_set_dbg(const struct dbg_spec *d)
{
	cur = *d;
}

const struct dbg_spec *
log_dbg_spec(void)
{
	return &cur;
}

static void
vmsg(const char *kind, const char *fmt, va_list ap)
{
	char line[2048];
	int n;

	n = snprintf(line, sizeof line, "%s: %s", prog, kind);
	vsnprintf(line + n, sizeof line - (size_t)n, fmt, ap);
	fprintf(stderr, "%s\n", line);
}

void
log_error(const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	vmsg("", fmt, ap);
	va_end(ap);
}

void
log_warn(int level, const char *fmt, ...)
{
	va_list ap;

	if (level > cur.warn)
		return;
	va_start(ap, fmt);
	vmsg("warning: ", fmt, ap);
	va_end(ap);
}

void
log_info(int level, const char *fmt, ...)
{
	va_list ap;

	if (level > cur.info)
		return;
	va_start(ap, fmt);
	vmsg("info: ", fmt, ap);
	va_end(ap);
}

void
log_lasterr(ctys_err_t code)
{
	const char *m = ctys_errmsg();

	log_error("%s", m[0] ? m : ctys_strerror(code));
}

static bool
file_selected(const char *file)
{
	const char *base = strrchr(file, '/'), *p;
	size_t n;
	bool listed = false;

	base = base ? base + 1 : file;
	if (cur.files[0] == '\0')
		return true;
	for (p = cur.files; *p; p += n + (p[n] == '%')) {
		n = strcspn(p, "%");
		if (n == strlen(base) && strncmp(p, base, n) == 0)
			listed = true;
	}
	return cur.files_exclude ? !listed : listed;
}

bool
dbg_enabled(unsigned long bits, unsigned long subsys)
{
	if (cur.level == 0)
		return false;
	if (cur.subsys && subsys && (cur.subsys & subsys) == 0)
		return false;
	switch (cur.mode) {
	case DBG_PATTERN:
		return (cur.level & bits) != 0;
	case DBG_MIN:
		return bits < cur.level;
	default:
		return bits <= cur.level;
	}
}

void
dbg_print(unsigned long bits, unsigned long subsys, const char *file, int line,
    const char *fmt, ...)
{
	char host[256] = "?";
	const char *user = getenv("USER");
	va_list ap;

	if (!file_selected(file))
		return;
	gethostname(host, sizeof host - 1);
	fprintf(stderr, "%s:%s@%s:%ld:%s:%d:%lu:%lu:", prog, user ? user : "?", host,
	    (long)getpid(), file, line, subsys, bits);
	va_start(ap, fmt);
	vfprintf(stderr, fmt, ap);
	va_end(ap);
	fputc('\n', stderr);
}
