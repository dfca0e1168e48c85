/*
 * conf.h — reading the original's shell configuration files without a shell.
 *
 * ctys.conf.sh files are bash.  We accept the assignment forms the original
 * ships and users write, and report every other line as an error naming the
 * file and line, rather than guess:
 *
 *   # comment                    blank lines
 *   VAR=value                    export VAR=value       export VAR
 *   VAR="double $X ${Y} quoted"  VAR='single quoted'    VAR=a\ b
 *   VAR=${VAR:-default}          ${VAR-d}  ${VAR:=d}  ${VAR=d}  $VAR  ${VAR}
 *   any of the above followed by blanks and a # comment
 *
 * Expansion looks a name up in the variables set so far, then in the
 * environment, so `VAR=${VAR:-x}` keeps an environment value and a value
 * set by an earlier file (user file before installed file: first wins),
 * while a plain `VAR=x` overrides, exactly as bash would.  Command
 * substitution, arithmetic, arrays and conditionals are rejected.
 */
#ifndef CTYS_CONF_H
#define CTYS_CONF_H

#include <stdbool.h>

#include "lib/err.h"

struct conf;

struct conf *conf_new(void);
void conf_free(struct conf *c);

/*
 * Read one file.  A missing file returns CTYS_ERR_NOENT and changes nothing;
 * a bad line returns CTYS_ERR_PARSE with "<path>:<line>: <what>" and leaves
 * the variables of the lines before it in place (files are read whole
 * first, so nothing is half-applied from one line).
 */
ctys_err_t conf_load_file(struct conf *c, const char *path);
/* Same, from a string; `name` is used in messages. */
ctys_err_t conf_load_string(struct conf *c, const char *name, const char *text);

/* Value of a variable: set by a file, else the environment, else NULL. */
const char *conf_get(const struct conf *c, const char *name);
/* Like conf_get, with a default for unset or empty values. */
const char *conf_get_or(const struct conf *c, const char *name, const char *dflt);
void conf_set(struct conf *c, const char *name, const char *value);
/* True when the variable was assigned by a file or conf_set. */
bool conf_isset(const struct conf *c, const char *name);
/*
 * Put every variable of c into the process environment (overwriting), as
 * sourcing the files in bash would: the agent does this so that plugin
 * settings (QEMU_PATHLIST, <TYPE>_IGNORE, DEFAULT_ENUM_BASE...) written in
 * ctys.conf.sh reach the plugins, which read the environment.  A file's
 * ${VAR:-default} already kept an environment value.
 */
void conf_export(const struct conf *c);

#endif
