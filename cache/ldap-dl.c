/* ldap-dl.c — see ldap-dl.h. */
#define LDAP_DL_IMPL
#include "cache/ldap-dl.h"

#include <dlfcn.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>

#ifndef CTYS_LDAP_SONAME
#define CTYS_LDAP_SONAME "libldap.so"
#endif

#define LDAP_DL_DEFINE(f) __typeof__(f) *ldap_dl_##f;
LDAP_DL_SYMS(LDAP_DL_DEFINE)
#undef LDAP_DL_DEFINE

static pthread_once_t load_once = PTHREAD_ONCE_INIT;
static char lib[1024];          /* what is loaded */
static char load_error[1024];   /* empty: loaded */

static void
load(void)
{
	const char *env = getenv("CTYS_LDAP_LIB");
	void *h, *p;

	snprintf(lib, sizeof lib, "%s", env && *env ? env : CTYS_LDAP_SONAME);
	if ((h = dlopen(lib, RTLD_NOW | RTLD_LOCAL)) == NULL) {
		snprintf(load_error, sizeof load_error, "%s", dlerror());
		return;
	}
	/* dlsym() on the handle also searches liblber, which libldap needs */
#define LDAP_DL_LOOKUP(f)                                                         \
	if ((p = dlsym(h, #f)) == NULL) {                                           \
		snprintf(load_error, sizeof load_error, "%s has no %s", lib, #f); \
		dlclose(h);                                                         \
		return;                                                             \
	}                                                                           \
	*(void **)&ldap_dl_##f = p;
	LDAP_DL_SYMS(LDAP_DL_LOOKUP)
#undef LDAP_DL_LOOKUP
}

ctys_err_t
ldap_dl_load(void)
{
	pthread_once(&load_once, load);
	if (load_error[0] != '\0')
		return ctys_seterr(CTYS_ERR_UNSUPPORTED,
		    "LDAP directory support is not available: %s "
		    "(install libldap, or name it in CTYS_LDAP_LIB)", load_error);
	return CTYS_OK;
}
