/*
 * stack.h — CANCEL propagation through a VM stack (stacks.md §3), run on
 * the machine that hosts the guests.
 *
 * Top-down: before a VM is acted on, the guest inside it is asked, through
 * its own agent, to cancel what runs inside it and then itself (`ctys -t PM
 * -a cancel=SELF,<method>` on the guest's ssh address, which repeats all of
 * this one level higher).  Siblings go in parallel.  Then, per guest:
 * POWEROFF waits up to TIMEOUT for the VM to end and escalates to the
 * hypervisor's FORCE when it does not; a guest without a known address, or
 * whose agent cannot be reached, gets the hypervisor's own cancel (for
 * POWEROFF: ACPI, the delay, quit, kill); PAUSE and SUSPEND end with the
 * hypervisor's pause or save (a refused save falls back to pause, saying
 * so).  Every step is reported as a record "stack: <label>: <what>", in the
 * order it happened.
 */
#ifndef CTYS_AGENTS_STACK_H
#define CTYS_AGENTS_STACK_H

#include <stdbool.h>
#include <stddef.h>

#include "agents/plugin.h"

enum stack_method { SM_POWEROFF, SM_REBOOT, SM_INIT, SM_PAUSE, SM_SUSPEND };

/* A running guest of this machine. */
struct stack_guest {
	const struct plugin_desc *plugin;
	char label[128];
	char id[1024];     /* its configuration (LIST field 4) */
	char dest[300];    /* ssh address of its agent: host[:port], "" unknown */
};

struct stack_req {
	enum stack_method method;
	int runlevel;              /* SM_INIT */
	unsigned long timeout_s;   /* per level: the guest's own cancel, then its end */
	unsigned long delay_s;     /* POWEROFF:<s> for the hypervisor's own sequence */
};

/*
 * The running guests of the VM plugins here (plugin `only`, or all), those
 * matching label or id when given.  Returns the count; *out to free().
 */
size_t stack_guests(const struct pjob *j, const struct plugin_desc *only, const char *label,
	const char *id, struct stack_guest **out);

/*
 * Cancel guests g[0..n) as described above.  Returns the number that could
 * not be brought to the requested state (each named in an "error" message).
 */
size_t stack_cancel(const struct pjob *j, const struct stack_guest *g, size_t n,
	const struct stack_req *r);

/* The method's name as a suboption ("POWEROFF", "INIT"...). */
const char *stack_method_name(enum stack_method m);

/*
 * True when a CANCEL job is already the hypervisor step of a propagation
 * (the "stacked" flag of the wire job): the plugin must not propagate again.
 */
bool stack_job_is_inner(const json_t *job);

#endif
