/* SPDX-License-Identifier: BSD-2-Clause */
/* nodeepbind.c - LD_PRELOAD shim for t_radius.sh in ASan mode: FreeRADIUS
 * dlopens its modules with RTLD_DEEPBIND, which the ASan runtime refuses
 * (google/sanitizers#611). This dlopen drops that flag and calls the next
 * one (ASan's interceptor), so that the ASan build of rlm_twofactor runs
 * inside the server. Preloaded before the ASan runtime, with
 * ASAN_OPTIONS=verify_asan_link_order=0. Test use only. */
#include <dlfcn.h>
#include <stddef.h>

__attribute__((visibility("default"))) void *dlopen(const char *file, int flags)
{
	void *(*next)(const char *, int);
	void *sym = dlsym(RTLD_NEXT, "dlopen");

	if (sym == NULL)
		return NULL;
	*(void **)&next = sym;
	return next(file, flags & ~RTLD_DEEPBIND);
}
