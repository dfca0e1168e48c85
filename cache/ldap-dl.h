/*
 * ldap-dl.h — libldap, loaded when a directory is first used.
 *
 * Most runs never talk to a directory, yet linking libldap costs every
 * start of the SSH client about half of its time (libldap pulls in GnuTLS,
 * SASL, p11-kit and six more).  So the cache/ldap-*.c files call libldap
 * through pointers that ldap_dl_load() fills with dlopen()/dlsym().  Include
 * this header instead of <ldap.h>: after it, ldap_search_ext_s(...) and the
 * rest of LDAP_DL_SYMS call through the pointers, unchanged at the call
 * sites.  Only dir_connect() needs to call ldap_dl_load(): every other
 * call works on a handle it returned.
 */
#ifndef CTYS_CACHE_LDAP_DL_H
#define CTYS_CACHE_LDAP_DL_H

#include <ldap.h>

#include "lib/err.h"

/* Every libldap/liblber function the cache/ldap-*.c files call. */
#define LDAP_DL_SYMS(X)                                                               \
	X(ber_bvdup) X(ber_bvfree) X(ber_free) X(ldap_add_ext_s) X(ldap_connect)          \
	X(ldap_control_find) X(ldap_control_free) X(ldap_controls_free)                   \
	X(ldap_count_values_len) X(ldap_create_page_control) X(ldap_delete_ext_s)         \
	X(ldap_err2string) X(ldap_first_attribute) X(ldap_first_entry) X(ldap_get_option) \
	X(ldap_get_values_len) X(ldap_initialize) X(ldap_memfree) X(ldap_modify_ext_s)    \
	X(ldap_msgfree) X(ldap_next_attribute) X(ldap_next_entry)                         \
	X(ldap_parse_pageresponse_control) X(ldap_parse_result) X(ldap_sasl_bind_s)       \
	X(ldap_sasl_interactive_bind_s) X(ldap_search_ext_s) X(ldap_set_option)           \
	X(ldap_start_tls_s) X(ldap_unbind_ext_s) X(ldap_value_free_len)

#define LDAP_DL_DECLARE(f) extern __typeof__(f) *ldap_dl_##f;
LDAP_DL_SYMS(LDAP_DL_DECLARE)
#undef LDAP_DL_DECLARE

/*
 * Load libldap once (thread-safe; later calls return the first result):
 * the file CTYS_LDAP_LIB names in the environment, else the soname built
 * against (CTYS_LDAP_SONAME).
 * CTYS_ERR_UNSUPPORTED naming the library and the loader's reason when it
 * or one of its functions is missing.
 */
ctys_err_t ldap_dl_load(void);

/*
 * A macro cannot define macros, so the names are listed twice.  The linker
 * keeps the lists honest: a call missing here resolves to libldap itself,
 * which no program links, and a name here missing from LDAP_DL_SYMS names
 * an undeclared pointer.
 */
#ifndef LDAP_DL_IMPL
#define ber_bvdup (*ldap_dl_ber_bvdup)
#define ber_bvfree (*ldap_dl_ber_bvfree)
#define ber_free (*ldap_dl_ber_free)
#define ldap_add_ext_s (*ldap_dl_ldap_add_ext_s)
#define ldap_connect (*ldap_dl_ldap_connect)
#define ldap_control_find (*ldap_dl_ldap_control_find)
#define ldap_control_free (*ldap_dl_ldap_control_free)
#define ldap_controls_free (*ldap_dl_ldap_controls_free)
#define ldap_count_values_len (*ldap_dl_ldap_count_values_len)
#define ldap_create_page_control (*ldap_dl_ldap_create_page_control)
#define ldap_delete_ext_s (*ldap_dl_ldap_delete_ext_s)
#define ldap_err2string (*ldap_dl_ldap_err2string)
#define ldap_first_attribute (*ldap_dl_ldap_first_attribute)
#define ldap_first_entry (*ldap_dl_ldap_first_entry)
#define ldap_get_option (*ldap_dl_ldap_get_option)
#define ldap_get_values_len (*ldap_dl_ldap_get_values_len)
#define ldap_initialize (*ldap_dl_ldap_initialize)
#define ldap_memfree (*ldap_dl_ldap_memfree)
#define ldap_modify_ext_s (*ldap_dl_ldap_modify_ext_s)
#define ldap_msgfree (*ldap_dl_ldap_msgfree)
#define ldap_next_attribute (*ldap_dl_ldap_next_attribute)
#define ldap_next_entry (*ldap_dl_ldap_next_entry)
#define ldap_parse_pageresponse_control (*ldap_dl_ldap_parse_pageresponse_control)
#define ldap_parse_result (*ldap_dl_ldap_parse_result)
#define ldap_sasl_bind_s (*ldap_dl_ldap_sasl_bind_s)
#define ldap_sasl_interactive_bind_s (*ldap_dl_ldap_sasl_interactive_bind_s)
#define ldap_search_ext_s (*ldap_dl_ldap_search_ext_s)
#define ldap_set_option (*ldap_dl_ldap_set_option)
#define ldap_start_tls_s (*ldap_dl_ldap_start_tls_s)
#define ldap_unbind_ext_s (*ldap_dl_ldap_unbind_ext_s)
#define ldap_value_free_len (*ldap_dl_ldap_value_free_len)
#endif

#endif
