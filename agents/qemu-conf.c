/*
 * qemu-conf.c — QEMU VM configurations (<name>.ctys), the directory scan
 * and the ENUMERATE records; see qemu.h.
 */
#include "agents/qemu.h"

#include <ctype.h>
#include <dirent.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "cache/record.h"
#include "lib/util.h"
#include "lib/xmalloc.h"

#ifndef CTYS_VERSION
#define CTYS_VERSION "0.0.0"
#endif

const char *
qemu_vm_var(const struct qemu_vm *vm, const char *name)
{
	size_t i;

	for (i = vm->names.n; i > 0; i--)
		if (strcmp(vm->names.v[i - 1], name) == 0)
			return vm->vals.v[i - 1];
	return NULL;
}

const char *
qemu_vm_get(const struct qemu_vm *vm, const char *key)
{
	const char *v = pm_conf_get(&vm->keys, key);

	return v ? v : qemu_vm_var(vm, key);
}

const char *
qemu_vm_label(const struct qemu_vm *vm)
{
	const char *v = qemu_vm_get(vm, "LABEL");

	return v && *v ? v : vm->prefix;
}

bool
qemu_vm_usable(const struct qemu_vm *vm)
{
	return vm->keys.magic && !vm->keys.ignore;
}

static bool
name_char(char c, bool first)
{
	return c == '_' || isalpha((unsigned char)c) || (!first && isdigit((unsigned char)c));
}

/* Expand $NAME, ${NAME}, ${NAME:-default} of s[0..n) into b. */
static void
expand(const struct qemu_vm *vm, const char *s, size_t n, struct buf *b, int depth)
{
	size_t i = 0, k, lvl;
	char *name;
	const char *v;

	while (i < n) {
		if (s[i] != '$' || i + 1 >= n) {
			buf_addc(b, s[i++]);
			continue;
		}
		if (s[i + 1] == '{') {
			for (k = i + 2, lvl = 1; k < n; k++) {
				if (s[k] == '{')
					lvl++;
				else if (s[k] == '}' && --lvl == 0)
					break;
			}
			if (k >= n) {
				buf_add(b, s + i, n - i);
				return;
			}
			/* s[i+2..k) = NAME[:-default] */
			{
				size_t e = i + 2;

				while (e < k && name_char(s[e], e == i + 2))
					e++;
				name = xstrndup(s + i + 2, e - (i + 2));
				v = qemu_vm_var(vm, name);
				free(name);
				if (v && *v)
					buf_adds(b, v);
				else if (e + 1 < k && s[e] == ':' && s[e + 1] == '-' && depth < 8) {
					struct buf d = BUF_INIT;
					size_t x;

					/* the default's quotes are removed */
					expand(vm, s + e + 2, k - (e + 2), &d, depth + 1);
					for (x = 0; x < d.len; x++)
						if (d.d[x] != '\'' && d.d[x] != '"')
							buf_addc(b, d.d[x]);
					buf_free(&d);
				}
			}
			i = k + 1;
		} else if (name_char(s[i + 1], true)) {
			for (k = i + 1; k < n && name_char(s[k], k == i + 1); k++)
				;
			name = xstrndup(s + i + 1, k - (i + 1));
			v = qemu_vm_var(vm, name);
			free(name);
			if (v)
				buf_adds(b, v);
			i = k;
		} else {
			buf_addc(b, s[i++]);
		}
	}
}

static void
set_var(struct qemu_vm *vm, const char *name, const char *val)
{
	strv_push(&vm->names, name);
	strv_push(&vm->vals, val);
}

/* One unindented line "NAME=value" (or "export NAME=value"). */
static void
parse_assign(struct qemu_vm *vm, const char *l, size_t n)
{
	const char *e = l + n, *v, *ve;
	struct buf b = BUF_INIT;
	char *name, *p;

	if (n > 7 && memcmp(l, "export ", 7) == 0) {
		l += 7;
		while (l < e && *l == ' ')
			l++;
	}
	for (v = l; v < e && name_char(*v, v == l); v++)
		;
	if (v == l || v == e || *v != '=')
		return;
	name = xstrndup(l, (size_t)(v - l));
	v++;
	/* the value ends at an unquoted blank, ';' or '#' */
	for (ve = v; ve < e; ve++) {
		if (*ve == '"' || *ve == '\'') {
			const char *q = memchr(ve + 1, *ve, (size_t)(e - ve - 1));

			if (q == NULL)
				break;
			ve = q;
		} else if (*ve == '{') {
			const char *q = memchr(ve, '}', (size_t)(e - ve));

			if (q)
				ve = q;
		} else if (*ve == ' ' || *ve == '\t' || *ve == ';') {
			break;
		}
	}
	if (memmem(v, (size_t)(ve - v), "$(", 2) || memchr(v, '`', (size_t)(ve - v))) {
		free(name);
		return;
	}
	/* quotes: '...' literal, "..." expanded, bare expanded */
	while (v < ve) {
		if (*v == '\'') {
			const char *q = memchr(v + 1, '\'', (size_t)(ve - v - 1));

			q = q ? q : ve;
			buf_add(&b, v + 1, (size_t)(q - v - 1));
			v = q < ve ? q + 1 : ve;
		} else if (*v == '"') {
			const char *q = memchr(v + 1, '"', (size_t)(ve - v - 1));

			q = q ? q : ve;
			expand(vm, v + 1, (size_t)(q - v - 1), &b, 0);
			v = q < ve ? q + 1 : ve;
		} else {
			const char *q = v, *c;

			while (q < ve && *q != '"' && *q != '\'') {
				if (q[0] == '$' && q + 1 < ve && q[1] == '{' &&
				    (c = memchr(q, '}', (size_t)(ve - q))) != NULL)
					q = c;
				q++;
			}
			expand(vm, v, (size_t)(q - v), &b, 0);
			v = q;
		}
	}
	for (p = b.d; p && *p; p++)
		if (*p == ';' || (unsigned char)*p < 0x20)
			*p = '_';
	set_var(vm, name, buf_cstr(&b));
	free(name);
	buf_free(&b);
}

ctys_err_t
qemu_vm_parse(const char *text, size_t len, const char *path, struct qemu_vm *vm)
{
	const char *l, *e, *end = text + len, *slash, *base;
	size_t bl;
	ctys_err_t err;

	memset(vm, 0, sizeof *vm);
	slash = strrchr(path, '/');
	vm->path = xstrdup(path);
	vm->dir = slash ? xstrndup(path, slash == path ? 1 : (size_t)(slash - path)) : xstrdup(".");
	base = slash ? slash + 1 : path;
	bl = strlen(base);
	if (bl > 5 && strcmp(base + bl - 5, ".ctys") == 0)
		bl -= 5;
	vm->prefix = xstrndup(base, bl);
	err = pm_conf_parse(text, len, "QEMU", &vm->keys);
	if (err != CTYS_OK)
		return err;
	set_var(vm, "CTYSWRAPPERPATH", vm->dir);
	for (l = text; l < end; l = e + 1) {
		e = memchr(l, '\n', (size_t)(end - l));
		if (e == NULL)
			e = end;
		if (e > l && name_char(*l, true) && memchr(l, '\0', (size_t)(e - l)) == NULL)
			parse_assign(vm, l, (size_t)(e - l - (e[-1] == '\r')));
	}
	return CTYS_OK;
}

ctys_err_t
qemu_vm_load(const char *path, struct qemu_vm *vm)
{
	FILE *f = fopen(path, "r");
	char *text;
	size_t n;
	ctys_err_t e;

	memset(vm, 0, sizeof *vm);
	if (f == NULL)
		return ctys_seterr(errno == ENOENT ? CTYS_ERR_NOENT : CTYS_ERR_IO,
		    "cannot read '%s': %s", path, strerror(errno));
	text = xmalloc(QEMU_CONF_MAX + 1);
	n = fread(text, 1, QEMU_CONF_MAX + 1, f);
	fclose(f);
	if (n > QEMU_CONF_MAX) {
		free(text);
		return ctys_seterr(CTYS_ERR_TOOLONG, "'%s' is bigger than %d bytes", path,
		    QEMU_CONF_MAX);
	}
	e = qemu_vm_parse(text, n, path, vm);
	free(text);
	if (e != CTYS_OK)
		ctys_errprefix("'%s': ", path);
	return e;
}

void
qemu_vm_free(struct qemu_vm *vm)
{
	free(vm->path);
	free(vm->dir);
	free(vm->prefix);
	pm_conf_free(&vm->keys);
	strv_free(&vm->names);
	strv_free(&vm->vals);
	memset(vm, 0, sizeof *vm);
}

/* ---- scan ---- */

static int
cmp_str(const void *a, const void *b)
{
	return strcmp(*(char *const *)a, *(char *const *)b);
}

static void
scan_dir(const char *dir, unsigned depth, struct strv *out)
{
	DIR *d;
	struct dirent *de;
	struct strv names = STRV_INIT;
	struct stat st;
	size_t i, n;

	if (out->n >= QEMU_SCAN_MAX || (d = opendir(dir)) == NULL)
		return;
	while ((de = readdir(d)) != NULL)
		if (de->d_name[0] != '.')
			strv_push(&names, de->d_name);
	closedir(d);
	if (names.n)
		sort_array(names.v, names.n, sizeof *names.v, cmp_str);
	for (i = 0; i < names.n && out->n < QEMU_SCAN_MAX; i++) {
		char *p = xasprintf("%s/%s", strcmp(dir, "/") ? dir : "", names.v[i]);

		if (lstat(p, &st) != 0) {
			free(p);
			continue;
		}
		if (S_ISDIR(st.st_mode)) {
			if (depth < QEMU_SCAN_DEPTH)
				scan_dir(p, depth + 1, out);
			free(p);
			continue;
		}
		n = strlen(names.v[i]);
		if (n > 5 && strcmp(names.v[i] + n - 5, ".ctys") == 0 &&
		    (S_ISREG(st.st_mode) || (stat(p, &st) == 0 && S_ISREG(st.st_mode))))
			strv_push_owned(out, p);
		else
			free(p);
	}
	strv_free(&names);
}

void
qemu_scan(const struct strv *bases, struct strv *out)
{
	struct strv found = STRV_INIT, real = STRV_INIT;
	char rp[PATH_MAX];
	size_t i, k;

	for (i = 0; bases && i < bases->n; i++)
		scan_dir(bases->v[i], 0, &found);
	for (i = 0; i < found.n; i++) {
		if (realpath(found.v[i], rp) == NULL)
			continue;
		for (k = 0; k < real.n; k++)
			if (strcmp(real.v[k], rp) == 0)
				break;
		if (k < real.n)
			continue;
		strv_push(&real, rp);
		strv_push(out, found.v[i]);
	}
	strv_free(&found);
	strv_free(&real);
}

/* ---- records ---- */

/* Canonical field numbers (cache/record.h). */
enum {
	F_HOST = 1, F_TYPE = 2, F_LABEL = 3, F_ID = 4, F_UUID = 5, F_CATEGORY = 18,
	F_VMSTATE = 19, F_HRX = 29, F_ACCEL = 30, F_EXEP = 31, F_CTYSREL = 34, F_ARCH = 38,
	F_VRAM = 40, F_VCPU = 41, F_UID = 44, F_GID = 45, F_DEFH = 46, F_DEFC = 47
};

static void
fset(char **f, unsigned i, const char *v)
{
	free(f[i]);
	f[i] = xstrdup(v ? v : "");
}

/* Field i from the variable `var` when the #@# key left it empty. */
static void
fvar(char **f, unsigned i, const struct qemu_vm *vm, const char *var)
{
	const char *v = qemu_vm_var(vm, var);

	if (f[i][0] == '\0' && v && *v)
		fset(f, i, v);
}

static void
emit1(void *ctx, const char *const *fields, size_t n)
{
	struct { rec_emit_fn emit; void *ctx; size_t count; } *c = ctx;

	c->emit(c->ctx, fields, n);
	c->count++;
}

size_t
qemu_enum_records(const struct qemu_host *h, const struct qemu_vm *vm, rec_emit_fn emit,
    void *ctx)
{
	char *f[REC_NFIELDS + 1] = { NULL };
	struct pm_conf keys = vm->keys;
	struct strv xk = STRV_INIT, xv = STRV_INIT;
	struct { rec_emit_fn emit; void *ctx; size_t count; } c = { emit, ctx, 0 };
	unsigned i;
	char *p, name[16];
	int n;

	for (i = 1; i <= REC_NFIELDS; i++)
		f[i] = xstrdup("");
	fset(f, F_HOST, h->hostname);
	fset(f, F_TYPE, "QEMU");
	fset(f, F_ID, vm->path);
	fset(f, F_CATEGORY, "VM");
	fset(f, F_DEFH, "VNC");
	fset(f, F_DEFC, "VNC");
	pm_conf_apply(&vm->keys, f);
	fset(f, F_LABEL, qemu_vm_label(vm));
	fvar(f, F_UUID, vm, "UUID");
	fvar(f, F_VMSTATE, vm, "VMSTATE");
	for (p = f[F_VMSTATE]; *p; p++)
		*p = (char)toupper((unsigned char)*p);
	fvar(f, F_ARCH, vm, "ARCH");
	fvar(f, F_VRAM, vm, "MEMSIZE");
	fvar(f, F_VCPU, vm, "SMP");
	if (f[F_VCPU][0] == '\0')
		fset(f, F_VCPU, "1");
	fset(f, F_HRX, h->version);
	fset(f, F_ACCEL, h->accel);
	fset(f, F_EXEP, h->exe);
	fset(f, F_CTYSREL, pm_conf_get(&vm->keys, "CTYSRELEASE") ?
	    pm_conf_get(&vm->keys, "CTYSRELEASE") : pm_conf_get(&vm->keys, "INST_CTYSREL"));
	fset(f, F_UID, h->user);
	fset(f, F_GID, h->group);
	/* MAC<n>/IP<n> variables complete the #@# keys */
	for (n = 0; n < 100; n++) {
		const char *base[] = { "MAC", "IP" };
		size_t b;

		for (b = 0; b < 2; b++) {
			const char *v;

			snprintf(name, sizeof name, "%s%d", base[b], n);
			v = qemu_vm_var(vm, name);
			if (v == NULL && n == 0)
				v = qemu_vm_var(vm, base[b]);
			if (v && *v && pm_conf_get(&vm->keys, name) == NULL &&
			    (n || pm_conf_get(&vm->keys, base[b]) == NULL)) {
				strv_push(&xk, name);
				strv_push(&xv, v);
			}
		}
	}
	if (xk.n) {
		/* a private copy of the keys with the variables appended */
		memset(&keys, 0, sizeof keys);
		for (i = 0; i < vm->keys.keys.n; i++) {
			strv_push(&keys.keys, vm->keys.keys.v[i]);
			strv_push(&keys.vals, vm->keys.vals.v[i]);
		}
		for (i = 0; i < xk.n; i++) {
			strv_push(&keys.keys, xk.v[i]);
			strv_push(&keys.vals, xv.v[i]);
		}
	}
	pm_conf_if_records(&keys, f, NULL, emit1, &c);
	if (c.count == 0)
		emit1(&c, (const char *const *)(f + 1), REC_NFIELDS);
	if (xk.n)
		pm_conf_free(&keys);
	strv_free(&xk);
	strv_free(&xv);
	for (i = 1; i <= REC_NFIELDS; i++)
		free(f[i]);
	return c.count;
}
