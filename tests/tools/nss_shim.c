/* SPDX-License-Identifier: BSD-2-Clause */
/* nss_shim.c - an LD_PRELOAD library for the tests of user and group names
 * (pam_twofactor(8) and tfa-admin(8), USER NAMES): it sits in front of
 * getpwnam_r and getgrnam_r (the C library's, or libnss_wrapper's when that
 * is preloaded after it) and makes the directory behave as the test asks,
 * through the environment:
 *
 *   TFA_NSS_FOLD=1          a name not found is looked up again in lower
 *                           case: "ALICE" finds alice, whose pw_name is
 *                           "alice" (a case-insensitive directory, as SSSD's
 *                           AD provider)
 *   TFA_NSS_ANY=1           a name still not found is a user anyway, with
 *                           pw_name as given (so that tests about other
 *                           things can use any name with tfa-admin)
 *   TFA_NSS_FAIL_USER=NAME  getpwnam_r(NAME) fails with EIO ("*": any name)
 *   TFA_NSS_FAIL_GROUP=NAME getgrnam_r(NAME) fails with EIO ("*": any name)
 *   TFA_NSS_MINBUF=N        getpwnam_r and getgrnam_r say ERANGE for a
 *                           buffer smaller than N bytes
 *
 * Test code only: never installed.
 */
#define _GNU_SOURCE
#include <ctype.h>
#include <dlfcn.h>
#include <errno.h>
#include <grp.h>
#include <pwd.h>
#include <stdlib.h>
#include <string.h>

typedef int (*getpwnam_r_fn)(const char *, struct passwd *, char *, size_t, struct passwd **);
typedef int (*getgrnam_r_fn)(const char *, struct group *, char *, size_t, struct group **);

static int env_is(const char *var, const char *name)
{
	const char *v = getenv(var);

	return v != NULL && (strcmp(v, "*") == 0 || strcmp(v, name) == 0);
}

static int too_small(size_t len)
{
	const char *v = getenv("TFA_NSS_MINBUF");

	return v != NULL && len < (size_t)strtoul(v, NULL, 10);
}

/* A made-up entry for @name in @buf. */
static int synth(const char *name, struct passwd *pw, char *buf, size_t len,
		 struct passwd **res)
{
	size_t n = strlen(name) + 1;
	static const char rest[] = "x\0/nonexistent\0/usr/sbin/nologin";

	if (n + sizeof(rest) > len)
		return ERANGE;
	memcpy(buf, name, n);
	memcpy(buf + n, rest, sizeof(rest));
	pw->pw_name = buf;
	pw->pw_passwd = buf + n;
	pw->pw_gecos = buf + n + 1;
	pw->pw_dir = buf + n + 2;
	pw->pw_shell = buf + n + 2 + strlen("/nonexistent") + 1;
	pw->pw_uid = 65534;
	pw->pw_gid = 65534;
	*res = pw;
	return 0;
}

int getpwnam_r(const char *name, struct passwd *pw, char *buf, size_t len,
	       struct passwd **res)
{
	getpwnam_r_fn real = (getpwnam_r_fn)dlsym(RTLD_NEXT, "getpwnam_r");
	char lower[1024];
	size_t i;
	int e;

	*res = NULL;
	if (real == NULL)
		return ENOSYS;
	if (env_is("TFA_NSS_FAIL_USER", name))
		return EIO;
	if (too_small(len))
		return ERANGE;
	e = real(name, pw, buf, len, res);
	/* not found: 0 and no entry (glibc), or ENOENT (nss_wrapper) */
	if ((e != 0 && e != ENOENT) || *res != NULL)
		return e;
	if (getenv("TFA_NSS_FOLD") != NULL && strlen(name) < sizeof(lower)) {
		for (i = 0; name[i] != '\0'; i++)
			lower[i] = (char)tolower((unsigned char)name[i]);
		lower[i] = '\0';
		e = real(lower, pw, buf, len, res);
		if ((e != 0 && e != ENOENT) || *res != NULL)
			return e;
	}
	if (getenv("TFA_NSS_ANY") != NULL)
		return synth(name, pw, buf, len, res);
	return e;
}

int getgrnam_r(const char *name, struct group *gr, char *buf, size_t len,
	       struct group **res)
{
	getgrnam_r_fn real = (getgrnam_r_fn)dlsym(RTLD_NEXT, "getgrnam_r");

	*res = NULL;
	if (real == NULL)
		return ENOSYS;
	if (env_is("TFA_NSS_FAIL_GROUP", name))
		return EIO;
	if (too_small(len))
		return ERANGE;
	return real(name, gr, buf, len, res);
}
