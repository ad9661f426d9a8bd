/* SPDX-License-Identifier: BSD-2-Clause */
/* hmac_count.c - LD_PRELOAD shim for t_pam_keyseal.sh: OpenSSL's one-shot
 * HMAC() (the key check and the recovery pepper use it) appends a line to
 * the file $TFA_HMAC_LOG, then calls libcrypto's. The module's libcrypto is
 * loaded by PAM's dlopen (a local scope), so the real HMAC is found through
 * the already loaded libcrypto.so.3, not RTLD_NEXT. Test use only. */
#include <dlfcn.h>
#include <fcntl.h>
#include <stddef.h>
#include <stdlib.h>
#include <unistd.h>

typedef unsigned char *(*hmac_fn)(const void *md, const void *key, int keylen,
				  const unsigned char *d, size_t n, unsigned char *out,
				  unsigned int *outlen);

__attribute__((visibility("default")))
unsigned char *HMAC(const void *md, const void *key, int keylen, const unsigned char *d, size_t n,
		    unsigned char *out, unsigned int *outlen)
{
	const char *log = getenv("TFA_HMAC_LOG");
	void *lib = dlopen("libcrypto.so.3", RTLD_NOW | RTLD_NOLOAD);
	void *sym = lib != NULL ? dlsym(lib, "HMAC") : NULL;
	hmac_fn next;
	int fd;

	if (log != NULL) {
		fd = open(log, O_WRONLY | O_APPEND | O_CREAT | O_CLOEXEC, 0600);
		if (fd >= 0) {
			if (write(fd, "HMAC\n", 5) != 5) {
				/* the test then sees no line: it fails, as it should */
			}
			close(fd);
		}
	}
	if (lib != NULL)
		dlclose(lib);
	if (sym == NULL)
		return NULL;
	*(void **)&next = sym;
	return next(md, key, keylen, d, n, out, outlen);
}
