/*
 * group.h — group files: named lists of targets (ctys-groups(1),
 * ctys-groups(5)).
 *
 * A group is a file found along CTYS_GROUPS_PATH.  It lists targets
 * (`[user@]host[:port]['(opts)']`, several per line, ',' or blanks between
 * them), includes other groups with `#include a b,c` and may carry
 * CONTEXT'(opts)' lines whose options apply to every member of the whole
 * include tree.  grp_expand() turns group names into the member text that
 * the ctys target parser reads again, so the result is always valid target
 * syntax: members separated by single spaces, each `name` or `name(opts)`;
 * inline VMSTACK{...}, SUBTASK{...}, SUBGROUP{...} members pass unchanged.
 *
 * Error codes: CTYS_ERR_NOENT (group or include not found; exit 2),
 * CTYS_ERR_CYCLE (include cycle, with the path), CTYS_ERR_NESTING (deeper
 * than max_recurse), CTYS_ERR_PARSE (unbalanced parentheses or braces,
 * binary data), CTYS_ERR_TOOLONG (line, file or expansion over a limit),
 * CTYS_ERR_IO (unreadable file).  Every message names the group file and
 * line at fault.  Nothing here keeps state between calls.
 */
#ifndef CTYS_GROUP_H
#define CTYS_GROUP_H

#include <stdbool.h>
#include <stddef.h>
#include <sys/types.h>

#include "lib/conf.h"
#include "lib/err.h"
#include "lib/strv.h"

/* Nesting threshold when CTYS_MAXRECURSE is unset or not a number. */
#define GRP_MAXRECURSE_DEFAULT 15
/* Most group files (include tree nodes) and members one expansion may visit. */
#define GRP_NODES_MAX 1000000
#define GRP_MEMBERS_MAX 16000000
/* Longest member text one expansion may produce (bytes). */
#define GRP_EXPAND_MAX (256 * 1024 * 1024)

struct grp_env {
	char *path;           /* CTYS_GROUPS_PATH, ':'-separated; may be NULL */
	char *tmppath;        /* CTYS_GROUPS_TMPPATH (inline subtask groups); may be NULL */
	unsigned max_recurse; /* CTYS_MAXRECURSE: deepest #include nesting */
	bool dedup;           /* -A 1: sort the include tree's files by path, drop repeats */
};

/*
 * Fill *env from the configuration (CTYS_GROUPS_PATH, CTYS_GROUPS_TMPPATH,
 * CTYS_MAXRECURSE, GRP_MAXRECURSE_DEFAULT when unset); dedup is false.
 * Strings are copies; release them with grp_env_free().
 */
void grp_env_from_conf(struct grp_env *env, const struct conf *c);
void grp_env_free(struct grp_env *env);

/*
 * Find the file of group `name` (first wins): `name` itself when it is an
 * existing regular file (absolute or relative to the current directory),
 * else <dir>/<name> for each directory of env->path (empty entries
 * skipped).  When nothing matched and `name` is "user@group", the lookup is
 * repeated with "group".  *path_out is malloc'd.  CTYS_ERR_NOENT with
 * "group 'x' not found (searched: <dir>, <dir>)".
 */
ctys_err_t grp_find(const struct grp_env *env, const char *name, char **path_out);

/*
 * Expand the groups `names` (blank-separated; each expanded as by
 * grp_find) into *members_text (malloc'd; "" for groups without members):
 *   1. the include tree of each name, depth-first: the file, then the tree
 *      of each #include name in file order; a name with a directory part
 *      also puts that directory (relative to $PWD) first on the search
 *      path for the includes of its tree;
 *   2. with env->dedup the files are sorted by path and repeats dropped;
 *   3. members of all files in that order (a file's own members before
 *      those of the groups it includes), duplicates kept;
 *   4. when the tree holds CONTEXT lines, their options (concatenated in
 *      order with one space) are applied to every member:
 *      `m` -> `m( CTX )`, `m(own)` -> `m( CTX own CTX )`.
 * Errors: see the top of this file.
 */
ctys_err_t grp_expand(const struct grp_env *env, const char *names, char **members_text);

/*
 * Same for one group whose file contents are given in memory: `name` is
 * used in messages and cycle paths, includes are searched along env->path.
 */
ctys_err_t grp_expand_text(const struct grp_env *env, const char *name, const char *text,
	size_t len, char **members_text);

/*
 * Split member text (as grp_expand returns it) into targets: blanks
 * separate, but not inside (...) or {...}.  Appends to *out.
 */
void grp_split_targets(const char *text, struct strv *out);

/*
 * The same without copies: the start of the first target in `s` (its
 * length in *len), or NULL when only blanks are left.  Iterate with
 * `for (p = text; (p = grp_next_target(p, &n)); p += n)`.
 */
const char *grp_next_target(const char *s, size_t *len);

/* True when the name (or path) ends in ".VMSTACK": a stack group. */
bool grp_is_vmstack(const char *name_or_path);

/* One group file as ctys-groups lists it. */
struct grp_info {
	char *path;       /* the file */
	off_t size;       /* bytes */
	size_t nhosts;    /* members written in the file itself */
	size_t nincludes; /* names on its #include lines */
	size_t ntotal;    /* members after include expansion */
	ctys_err_t err;   /* CTYS_OK, or why ntotal could not be computed */
	char *errmsg;     /* message for err, or NULL */
};

struct grp_list {
	struct grp_info *v;
	size_t n;
};

/*
 * List group files, sorted by path, appending to *out.  `selector` NULL or
 * "": every regular file (not starting with '.') below every directory of
 * env->path; "dir/" or "a/b/": every file below that subdirectory of each
 * path directory; "/abs/dir/": every file below it; any other name:
 * grp_find().  Counts are filled in; an expansion error is kept in the
 * entry, not returned.  Returns CTYS_ERR_NOENT when a selector matched
 * nothing.  Free with grp_list_free().
 */
ctys_err_t grp_list(const struct grp_env *env, const char *selector, struct grp_list *out);
void grp_list_free(struct grp_list *l);

#endif
