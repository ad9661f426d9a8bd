/* SPDX-License-Identifier: BSD-2-Clause */
/* pg_api.c - libpq is loaded (dlopen, TFA_LIBPQ_SONAME) when a PostgreSQL
 * store is used, not with the module: linked in, libpq and its 20 further
 * libraries (Kerberos, LDAP, GnuTLS, ...) were loaded by every login on a
 * SQLite store too, and a whole-process login (pamtester, sudo) took 48.6
 * instead of 29.2 ms (docs/PERFORMANCE.md). The backend's calls go through
 * pg_internal.h's macros to tfa_pq_fn. No process-wide state: each PG
 * handle holds its own reference (tfa_pq_load in tfa_pg_open_ex, dropped
 * in tfa_pg_close), and tfa_pg_uri_check holds one for its parse. */
#include "config.h"

#include <dlfcn.h>
#include <stdlib.h>

#include "pg_internal.h"

tfa_rc tfa_pq_load(void **handle, tfa_err *err)
{
	const char *why;

	(void)dlerror();
	*handle = dlopen(TFA_LIBPQ_SONAME, RTLD_NOW | RTLD_LOCAL);
	if (*handle == NULL) {
		why = dlerror();
		return tfa_err_set(err, TFA_ESTORE, "a PostgreSQL store needs %s: cannot load it"
				   " (%s); install libpq5", TFA_LIBPQ_SONAME,
				   why != NULL ? why : "not found");
	}
	return TFA_OK;
}

void tfa_pq_unload(void *handle)
{
	if (handle != NULL)
		(void)dlclose(handle);
}

/* Only called while a reference from tfa_pq_load is held (every path into
 * the backend takes one first), so the library is there and has the
 * function (libpq.so.5 has had each of them since PostgreSQL 9). */
void *tfa_pq_fn(const char *name)
{
	void *h = dlopen(TFA_LIBPQ_SONAME, RTLD_NOW | RTLD_LOCAL | RTLD_NOLOAD);
	void *f = h != NULL ? dlsym(h, name) : NULL;

	if (h != NULL)
		(void)dlclose(h);   /* the NOLOAD reference; the caller's stays */
	if (f == NULL)
		abort();            /* not reached: see above */
	return f;
}
