/* fdb.c — see fdb.h. */
#include "cache/fdb.h"

#include <errno.h>
#include <fcntl.h>
#include <regex.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "cache/ere.h"
#include "cache/record.h"
#include "lib/util.h"
#include "lib/xmalloc.h"

static void (*read_hook)(const char *, void *);
static void *read_hook_arg;

void
fdb_set_read_hook(void (*hook)(const char *path, void *arg), void *arg)
{
	read_hook = hook;
	read_hook_arg = arg;
}

uint64_t
fdb_hash(const void *data, size_t n)
{
	const unsigned char *p = data;
	uint64_t h = 0x9e3779b97f4a7c15ULL ^ n, w;
	size_t i = 0;

	for (; i + 8 <= n; i += 8) {
		memcpy(&w, p + i, 8);
		w *= 0xff51afd7ed558ccdULL;
		w ^= w >> 32;
		h = (h ^ w) * 0xc4ceb9fe1a85ec53ULL;
		h ^= h >> 29;
	}
	for (; i < n; i++)
		h = (h ^ p[i]) * 0x100000001b3ULL;
	h ^= h >> 33;
	h *= 0xff51afd7ed558ccdULL;
	h ^= h >> 33;
	return h;
}

ctys_err_t
fdb_stat(const char *path, uint64_t *size, int64_t *sec, long *nsec)
{
	struct stat st;

	if (stat(path, &st) != 0) {
		if (errno == ENOENT)
			return ctys_seterr(CTYS_ERR_NOENT, "missing '%s'", path);
		return ctys_seterr(CTYS_ERR_IO, "cannot stat '%s': %s", path,
		    strerror(errno));
	}
	*size = (uint64_t)st.st_size;
	*sec = (int64_t)st.st_mtim.tv_sec;
	*nsec = st.st_mtim.tv_nsec;
	return CTYS_OK;
}

ctys_err_t
fdb_read(const char *path, struct fdb_file *f)
{
	uint64_t size, size2;
	int64_t sec, sec2;
	long nsec, nsec2;
	ctys_err_t e;
	size_t got = 0;
	ssize_t r;
	int fd;

	memset(f, 0, sizeof *f);
	if ((e = fdb_stat(path, &size, &sec, &nsec)) != CTYS_OK)
		return e;
	if (read_hook != NULL)
		read_hook(path, read_hook_arg);
	fd = open(path, O_RDONLY | O_CLOEXEC);
	if (fd < 0)
		return ctys_seterr(errno == ENOENT ? CTYS_ERR_NOENT : CTYS_ERR_IO,
		    "cannot open '%s': %s", path, strerror(errno));
	f->data = xmalloc((size_t)size + 1);
	while (got < size) {
		r = read(fd, f->data + got, (size_t)size - got);
		if (r < 0 && errno == EINTR)
			continue;
		if (r < 0) {
			e = ctys_seterr(CTYS_ERR_IO, "cannot read '%s': %s", path,
			    strerror(errno));
			close(fd);
			fdb_file_free(f);
			return e;
		}
		if (r == 0)
			break;
		got += (size_t)r;
	}
	close(fd);
	f->data[got] = '\0';
	e = fdb_stat(path, &size2, &sec2, &nsec2);
	if (e == CTYS_OK && (got != size || size2 != size || sec2 != sec ||
	    nsec2 != nsec))
		e = ctys_seterr(CTYS_ERR_IO, "'%s' changed while it was read; "
		    "nothing imported, try again", path);
	if (e != CTYS_OK) {
		fdb_file_free(f);
		return e;
	}
	f->path = xstrdup(path);
	f->size = got;
	f->mtime_sec = sec;
	f->mtime_nsec = nsec;
	f->hash = fdb_hash(f->data, got);
	return CTYS_OK;
}

void
fdb_file_free(struct fdb_file *f)
{
	free(f->path);
	free(f->data);
	memset(f, 0, sizeof *f);
}

/* ---- macmap ------------------------------------------------------------ */

struct macidx {
	uint32_t *slot;     /* entry index + 1, 0 = empty */
	size_t mask;
	size_t *odd;        /* entries whose MAC is not 17 bytes long */
	size_t nodd;
};

static uint64_t
strhash(const char *s, size_t n)
{
	uint64_t h = 0xcbf29ce484222325ULL;

	while (n-- > 0)
		h = (h ^ (unsigned char)*s++) * 0x100000001b3ULL;
	return h;
}

#define MACLEN 17

ctys_err_t
fdb_macmap_parse(const char *name, const char *data, size_t size,
    struct fdb_macmap *m)
{
	const char *p = data, *end = data + size, *nl, *s1, *s2;
	struct macidx *ix;
	size_t cap = 0, lineno = 0, i, h, nslots;

	memset(m, 0, sizeof *m);
	while (p < end) {
		lineno++;
		nl = memchr(p, '\n', (size_t)(end - p));
		if (nl == NULL)
			nl = end;
		if (nl == p) {
			p = nl + 1;
			continue;
		}
		s1 = memchr(p, ';', (size_t)(nl - p));
		s2 = s1 ? memchr(s1 + 1, ';', (size_t)(nl - s1 - 1)) : NULL;
		if (s2 == NULL) {
			fdb_macmap_free(m);
			return ctys_seterr(CTYS_ERR_PARSE, "%s:%zu: macmap line needs "
			    "3 fields <name>;<MAC>;<IP>;", name, lineno);
		}
		if (m->n == cap) {
			cap = cap ? cap * 2 : 64;
			m->v = xreallocarray(m->v, cap, sizeof *m->v);
		}
		m->v[m->n].name = p;
		m->v[m->n].name_len = (size_t)(s1 - p);
		m->v[m->n].mac = s1 + 1;
		m->v[m->n].mac_len = (size_t)(s2 - s1 - 1);
		m->v[m->n].ip = s2 + 1;
		{
			const char *s3 = memchr(s2 + 1, ';', (size_t)(nl - s2 - 1));
			m->v[m->n].ip_len = (size_t)((s3 ? s3 : nl) - s2 - 1);
		}
		m->n++;
		p = nl + 1;
	}
	ix = xcalloc(1, sizeof *ix);
	for (nslots = 16; nslots < m->n * 2; nslots *= 2)
		;
	ix->slot = xcalloc(nslots, sizeof *ix->slot);
	ix->mask = nslots - 1;
	ix->odd = xcalloc(m->n + 1, sizeof *ix->odd);
	for (i = 0; i < m->n; i++) {
		const struct fdb_mac *e = &m->v[i];

		if (e->mac_len != MACLEN) {
			ix->odd[ix->nodd++] = i;
			continue;
		}
		for (h = strhash(e->mac, MACLEN) & ix->mask; ix->slot[h] != 0;
		    h = (h + 1) & ix->mask)
			if (memcmp(m->v[ix->slot[h] - 1].mac, e->mac, MACLEN) == 0)
				break;
		if (ix->slot[h] == 0)
			ix->slot[h] = (uint32_t)i + 1; /* first one wins */
	}
	m->priv = ix;
	return CTYS_OK;
}

void
fdb_macmap_free(struct fdb_macmap *m)
{
	struct macidx *ix = m->priv;

	if (ix != NULL) {
		free(ix->slot);
		free(ix->odd);
		free(ix);
	}
	free(m->v);
	memset(m, 0, sizeof *m);
}

static bool
has_meta(const char *s, size_t n)
{
	size_t i;

	for (i = 0; i < n; i++)
		if (s[i] == '\0' || strchr("\\^$.[]|()*+?{}", s[i]) != NULL)
			return true;
	return false;
}

static const char *
found(const struct fdb_mac *e, size_t *len)
{
	*len = e->ip_len;
	return e->ip;
}

const char *
fdb_macmap_ip(struct fdb_macmap *m, const char *mac, size_t maclen, size_t *len)
{
	struct macidx *ix = m->priv;
	size_t i, h, best = (size_t)-1;
	char *pat;
	regex_t re;

	*len = 0;
	if (maclen == 0 || m->n == 0)
		return NULL;
	if (!has_meta(mac, maclen) && memchr(mac, '\0', maclen) == NULL) {
		if (maclen == MACLEN) {
			for (h = strhash(mac, MACLEN) & ix->mask; ix->slot[h] != 0;
			    h = (h + 1) & ix->mask)
				if (memcmp(m->v[ix->slot[h] - 1].mac, mac, MACLEN) == 0) {
					best = ix->slot[h] - 1;
					break;
				}
			for (i = 0; i < ix->nodd && ix->odd[i] < best; i++) {
				const struct fdb_mac *e = &m->v[ix->odd[i]];

				if (e->mac_len > maclen &&
				    memmem(e->mac, e->mac_len, mac, maclen) != NULL) {
					best = ix->odd[i];
					break;
				}
			}
			return best == (size_t)-1 ? NULL : found(&m->v[best], len);
		}
		for (i = 0; i < m->n; i++)
			if (memmem(m->v[i].mac, m->v[i].mac_len, mac, maclen) != NULL)
				return found(&m->v[i], len);
		return NULL;
	}
	pat = xstrndup(mac, maclen);
	if (ere_compile(&re, pat, NULL, 0) != 0) {
		free(pat);
		return NULL;
	}
	free(pat);
	for (i = 0; i < m->n; i++) {
		char *s = xstrndup(m->v[i].mac, m->v[i].mac_len);
		int r = regexec(&re, s, 0, NULL, 0);

		free(s);
		if (r == 0) {
			regfree(&re);
			return found(&m->v[i], len);
		}
	}
	regfree(&re);
	return NULL;
}

/* ---- static cache ------------------------------------------------------ */

void
fdb_fill_entry(struct fdb_macmap *m, const char *line, size_t len,
    struct fdb_entry *e)
{
	const char *mac, *tcp, *ip;
	size_t maclen, tcplen, iplen, pre;
	char *s;

	e->line = line;
	e->len = len;
	e->filled = false;
	e->owned = NULL;
	if (m == NULL)
		return;
	tcp = rec_field_view(line, len, 7, &tcplen);
	if (tcplen != 0)
		return;
	mac = rec_field_view(line, len, 6, &maclen);
	ip = fdb_macmap_ip(m, mac, maclen, &iplen);
	if (ip == NULL || iplen == 0)
		return;
	pre = (size_t)(tcp - line);
	s = xmalloc(len + iplen + 1);
	memcpy(s, line, pre);
	memcpy(s + pre, ip, iplen);
	memcpy(s + pre + iplen, tcp, len - pre);
	s[len + iplen] = '\0';
	e->owned = s;
	e->line = s;
	e->len = len + iplen;
	e->filled = true;
}

ctys_err_t
fdb_statcache(const char *name, const char *data, size_t size,
    struct fdb_macmap *m, struct fdb_entry **out, size_t *n, uint32_t *nlines)
{
	const char *p = data, *end = data + size, *nl;
	struct fdb_entry *v = NULL;
	size_t cap = 0, k = 0, nf;
	uint32_t lineno = 0;

	while (p < end) {
		lineno++;
		nl = memchr(p, '\n', (size_t)(end - p));
		if (nl == NULL)
			nl = end;
		if (nl == p) {
			p = nl + 1;
			continue;
		}
		if (memchr(p, '\0', (size_t)(nl - p)) != NULL ||
		    (nf = rec_count_fields(p, (size_t)(nl - p))) != REC_NFIELDS) {
			fdb_entries_free(v, k);
			if (memchr(p, '\0', (size_t)(nl - p)) != NULL)
				return ctys_seterr(CTYS_ERR_PARSE, "%s:%u: record "
				    "contains a NUL byte", name, lineno);
			return ctys_seterr(CTYS_ERR_PARSE, "%s:%u: record has %zu "
			    "fields, %d required", name, lineno, nf, REC_NFIELDS);
		}
		if (k == cap) {
			cap = cap ? cap * 2 : 1024;
			v = xreallocarray(v, cap, sizeof *v);
		}
		fdb_fill_entry(m, p, (size_t)(nl - p), &v[k]);
		v[k].srcline = lineno;
		k++;
		p = nl + 1;
	}
	*out = v;
	*n = k;
	*nlines = lineno;
	return CTYS_OK;
}

static int
entry_cmp(const struct fdb_entry *a, const struct fdb_entry *b)
{
	size_t n = a->len < b->len ? a->len : b->len;
	int c = memcmp(a->line, b->line, n);

	if (c != 0)
		return c;
	if (a->len != b->len)
		return a->len < b->len ? -1 : 1;
	return a->srcline < b->srcline ? -1 : a->srcline > b->srcline;
}

static int
entry_pcmp(const void *a, const void *b)
{
	return entry_cmp(*(struct fdb_entry *const *)a, *(struct fdb_entry *const *)b);
}

bool
fdb_sort(struct fdb_entry **v, size_t n)
{
	size_t i;

	for (i = 1; i < n; i++)
		if (entry_cmp(v[i - 1], v[i]) > 0)
			break;
	if (i >= n)
		return true;
	sort_array(v, n, sizeof *v, entry_pcmp);
	return false;
}

void
fdb_entries_free(struct fdb_entry *v, size_t n)
{
	size_t i;

	for (i = 0; i < n; i++)
		free(v[i].owned);
	free(v);
}
