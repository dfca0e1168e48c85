/* gram.c — see gram.h. */
#include "cache/gram.h"

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "lib/util.h"
#include "lib/log.h"
#include "lib/xmalloc.h"

#define NB ((size_t)1 << GRAM_BUCKET_BITS)
#define MAGIC "CTYSGRM1"
#define HDR 24
#define DIRENT 16

struct gram_idx {
	int fd;
	uint64_t size, keys_off, lists_off;
	uint32_t nrec;
	unsigned char key[8];
};

static inline uint32_t
bucket(const unsigned char *p)
{
	uint32_t v = (uint32_t)p[0] << 16 | (uint32_t)p[1] << 8 | p[2];

	return (uint32_t)((v * 0x9E3779B1u) >> (32 - GRAM_BUCKET_BITS));
}

bool
gram_usable(const char *lit, size_t len)
{
	size_t i;
	bool nondigit = false;

	if (len < 3 || memchr(lit, ';', len) != NULL || memchr(lit, '\n', len) != NULL)
		return false;
	for (i = 0; i < len; i++)
		if (lit[i] < '0' || lit[i] > '9')
			nondigit = true;
	return nondigit;
}

/* ---- build ---------------------------------------------------------------- */

struct build {
	uint32_t *last;    /* last index added per bucket */
	uint32_t *count;
	uint64_t *bytes;   /* pass 1: sizes; pass 2: write positions */
	unsigned char *blob, *keys;
	uint32_t nrec;
	int pass;
};

static size_t
leb_len(uint32_t v)
{
	size_t n = 1;

	while (v >= 0x80) {
		v >>= 7;
		n++;
	}
	return n;
}

static void
leb_put(unsigned char *p, uint32_t v)
{
	while (v >= 0x80) {
		*p++ = (unsigned char)(v | 0x80);
		v >>= 7;
	}
	*p = (unsigned char)v;
}

static void
build_rec(void *arg, uint32_t index, const unsigned char key[8], const char *line,
    size_t len)
{
	struct build *b = arg;
	const unsigned char *p = (const unsigned char *)line;
	size_t i;

	if (b->pass == 1) {
		b->nrec = index;
	} else if (index <= b->nrec) {
		memcpy(b->keys + (size_t)(index - 1) * 8, key, 8);
	}
	for (i = 0; i + 3 <= len; i++) {
		uint32_t h, d;

		if (p[i] == ';' || p[i + 1] == ';' || p[i + 2] == ';')
			continue;
		h = bucket(p + i);
		if (b->last[h] == index)
			continue;
		d = index - b->last[h];
		b->last[h] = index;
		if (b->pass == 1) {
			b->count[h]++;
			b->bytes[h] += leb_len(d);
		} else {
			leb_put(b->blob + b->bytes[h], d);
			b->bytes[h] += leb_len(d);
		}
	}
}

static void
put_le(unsigned char *p, uint64_t v, int n)
{
	int i;

	for (i = 0; i < n; i++, v >>= 8)
		p[i] = (unsigned char)v;
}

static uint64_t
get_le(const unsigned char *p, int n)
{
	uint64_t v = 0;
	int i;

	for (i = n - 1; i >= 0; i--)
		v = v << 8 | p[i];
	return v;
}

ctys_err_t
gram_build(const char *path, uint64_t gen, const struct gram_src *src)
{
	struct build b = { 0 };
	unsigned char hdr[HDR], *dir = NULL;
	uint64_t *start = NULL, total = 0;
	char *tmp = xasprintf("%s.tmp.%ld", path, (long)getpid());
	ctys_err_t e;
	size_t i;
	FILE *f = NULL;

	b.last = xcalloc(NB, sizeof *b.last);
	b.count = xcalloc(NB, sizeof *b.count);
	b.bytes = xcalloc(NB, sizeof *b.bytes);
	b.pass = 1;
	if ((e = src->each(src->ctx, build_rec, &b)) != CTYS_OK)
		goto out;
	start = xcalloc(NB, sizeof *start);
	for (i = 0; i < NB; i++) {
		start[i] = total;
		total += b.bytes[i];
		b.bytes[i] = start[i];
	}
	b.blob = xmalloc(total + 1);
	b.keys = xcalloc((size_t)b.nrec + 1, 8);
	memset(b.last, 0, NB * sizeof *b.last);
	b.pass = 2;
	if ((e = src->each(src->ctx, build_rec, &b)) != CTYS_OK)
		goto out;
	dir = xmalloc(NB * DIRENT);
	for (i = 0; i < NB; i++) {
		put_le(dir + i * DIRENT, start[i], 8);
		put_le(dir + i * DIRENT + 8, b.count[i], 4);
		put_le(dir + i * DIRENT + 12, b.bytes[i] - start[i], 4);
	}
	memcpy(hdr, MAGIC, 8);
	put_le(hdr + 8, gen, 8);
	put_le(hdr + 16, b.nrec, 4);
	put_le(hdr + 20, GRAM_BUCKET_BITS, 4);
	f = fopen(tmp, "w");
	if (f == NULL || fwrite(hdr, 1, HDR, f) != HDR ||
	    fwrite(dir, DIRENT, NB, f) != NB ||
	    fwrite(b.keys, 8, b.nrec, f) != b.nrec ||
	    fwrite(b.blob, 1, total, f) != total || fclose(f) != 0) {
		e = ctys_seterr(CTYS_ERR_IO, "cannot write '%s': %s", tmp, strerror(errno));
		if (f != NULL)
			unlink(tmp);
		f = NULL;
		goto out;
	}
	f = NULL;
	if (rename(tmp, path) != 0) {
		e = ctys_seterr(CTYS_ERR_IO, "cannot rename '%s': %s", tmp, strerror(errno));
		unlink(tmp);
	}
out:
	free(b.last);
	free(b.count);
	free(b.bytes);
	free(b.blob);
	free(b.keys);
	free(start);
	free(dir);
	free(tmp);
	return e;
}

/* ---- query ---------------------------------------------------------------- */

/*
 * Queries read the file with pread(): a handful of directory entries, the
 * shortest lists and the candidates' keys.  (A mapping would be simpler,
 * but page-cache large folios make every touched page cost up to 2 MiB of
 * resident memory.)
 */

static bool
pread_all(int fd, void *buf, size_t n, uint64_t off)
{
	unsigned char *p = buf;
	ssize_t r;

	while (n > 0) {
		r = pread(fd, p, n, (off_t)off);
		if (r < 0 && errno == EINTR)
			continue;
		if (r <= 0)
			return false;
		p += r;
		n -= (size_t)r;
		off += (uint64_t)r;
	}
	return true;
}

ctys_err_t
gram_open(const char *path, uint64_t gen, struct gram_idx **out)
{
	unsigned char hdr[HDR];
	struct gram_idx *g;
	struct stat st;
	uint64_t need;
	int fd;

	*out = NULL;
	fd = open(path, O_RDONLY | O_CLOEXEC);
	if (fd < 0)
		return ctys_seterr(CTYS_ERR_NOENT, "no gram index '%s'", path);
	if (fstat(fd, &st) != 0 || (size_t)st.st_size < HDR + NB * DIRENT ||
	    !pread_all(fd, hdr, HDR, 0)) {
		close(fd);
		return ctys_seterr(CTYS_ERR_VERSION, "damaged gram index '%s'", path);
	}
	g = xcalloc(1, sizeof *g);
	g->fd = fd;
	g->size = (uint64_t)st.st_size;
	g->nrec = (uint32_t)get_le(hdr + 16, 4);
	g->keys_off = HDR + (uint64_t)NB * DIRENT;
	g->lists_off = g->keys_off + (uint64_t)g->nrec * 8;
	need = g->lists_off;
	if (memcmp(hdr, MAGIC, 8) != 0 || get_le(hdr + 8, 8) != gen ||
	    get_le(hdr + 20, 4) != GRAM_BUCKET_BITS || need > g->size) {
		gram_close(g);
		return ctys_seterr(CTYS_ERR_VERSION, "stale gram index '%s'", path);
	}
	*out = g;
	return CTYS_OK;
}

void
gram_close(struct gram_idx *g)
{
	if (g == NULL)
		return;
	close(g->fd);
	free(g);
}

const unsigned char *
gram_key(struct gram_idx *g, uint32_t index)
{
	if (index == 0 || index > g->nrec ||
	    !pread_all(g->fd, g->key, 8, g->keys_off + (uint64_t)(index - 1) * 8))
		return NULL;
	return g->key;
}

struct list {
	uint32_t h, count;
	uint64_t off, bytes;
	unsigned char *buf;
	const unsigned char *p, *end;
};

/* The directory entry of bucket h. */
static bool
list_of(const struct gram_idx *g, uint32_t h, struct list *l)
{
	unsigned char d[DIRENT];

	memset(l, 0, sizeof *l);
	if (!pread_all(g->fd, d, DIRENT, HDR + (uint64_t)h * DIRENT))
		return false;
	l->h = h;
	l->off = get_le(d, 8);
	l->count = (uint32_t)get_le(d + 8, 4);
	l->bytes = get_le(d + 12, 4);
	return g->lists_off + l->off + l->bytes <= g->size;
}

/* Read the list's bytes. */
static bool
list_load(const struct gram_idx *g, struct list *l)
{
	l->buf = xmalloc(l->bytes + 1);
	if (!pread_all(g->fd, l->buf, l->bytes, g->lists_off + l->off)) {
		free(l->buf);
		l->buf = NULL;
		return false;
	}
	l->p = l->buf;
	l->end = l->buf + l->bytes;
	return true;
}

/* Next index of a list, 0 at the end. */
static uint32_t
list_next(struct list *l, uint32_t *cur)
{
	uint32_t d = 0;
	int shift = 0;

	if (l->p >= l->end)
		return 0;
	while (l->p < l->end) {
		unsigned char c = *l->p++;

		d |= (uint32_t)(c & 0x7f) << shift;
		if (!(c & 0x80))
			break;
		shift += 7;
		if (shift > 28)
			return 0;
	}
	*cur += d;
	return *cur;
}

static int
list_cmp(const void *a, const void *b)
{
	const struct list *x = a, *y = b;

	return x->count < y->count ? -1 : x->count > y->count;
}

void
gram_candidates(struct gram_idx *g, const char *lit, size_t len, uint32_t **out,
    size_t *n)
{
	struct list ls[64];
	uint32_t *v = NULL, x, y, cur;
	size_t nh = 0, i, j, k, nb, nv = 0, w;

	*out = NULL;
	*n = 0;
	for (i = 0; i + 3 <= len && nh < 64; i++) {
		uint32_t h = bucket((const unsigned char *)lit + i);

		for (j = 0; j < nh && ls[j].h != h; j++)
			;
		if (j < nh)
			continue;
		if (!list_of(g, h, &ls[nh]))
			goto all;
		nh++;
	}
	if (nh == 0)
		goto all;
	/* intersect the (up to) three shortest lists */
	sort_array(ls, nh, sizeof *ls, list_cmp);
	nb = nh < 3 ? nh : 3;
	for (k = 0; k < nb; k++)
		DBG(D_DATA, S_LIB, "gram list %zu: %u entries, %llu bytes", k, ls[k].count,
		    (unsigned long long)ls[k].bytes);
	if (!list_load(g, &ls[0]))
		goto all;
	v = xreallocarray(NULL, (size_t)ls[0].count + 1, sizeof *v);
	cur = 0;
	while ((x = list_next(&ls[0], &cur)) != 0 && nv <= ls[0].count)
		v[nv++] = x;
	free(ls[0].buf);
	for (k = 1; k < nb && nv > 0; k++) {
		if (!list_load(g, &ls[k])) {
			free(v);
			goto all;
		}
		cur = 0;
		w = 0;
		y = list_next(&ls[k], &cur);
		for (i = 0; i < nv && y != 0; i++) {
			while (y != 0 && y < v[i])
				y = list_next(&ls[k], &cur);
			if (y == v[i])
				v[w++] = v[i];
		}
		nv = w;
		free(ls[k].buf);
	}
	*out = v;
	*n = nv;
	return;
all:
	/* cannot narrow: every record is a candidate */
	v = xreallocarray(NULL, (size_t)g->nrec + 1, sizeof *v);
	for (i = 0; i < g->nrec; i++)
		v[i] = (uint32_t)i + 1;
	*out = v;
	*n = g->nrec;
}
