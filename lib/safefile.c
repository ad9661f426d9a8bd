/* safefile.c - open store and key files without following symlinks and
 * check them on the descriptor (SPEC "Files and defaults"). */
#include "config.h"

#include <errno.h>
#include <fcntl.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "safefile.h"

TFA_API tfa_rc tfa_safe_check_fd(int fd, const char *path, tfa_err *err)
{
	struct stat sb;

	if (fstat(fd, &sb) != 0)
		return tfa_err_set(err, TFA_ESTORE, "cannot stat %s: %s", path, strerror(errno));
	if (!S_ISREG(sb.st_mode))
		return tfa_err_set(err, TFA_ESTORE, "%s is not a regular file", path);
	if ((sb.st_mode & (S_IWGRP | S_IWOTH)) != 0)
		return tfa_err_set(err, TFA_ESTORE,
				   "%s is writable by group or others (mode %04o); refusing it (chmod 600)",
				   path, (unsigned)(sb.st_mode & 07777));
	if (geteuid() == 0 && sb.st_uid != 0)
		return tfa_err_set(err, TFA_ESTORE,
				   "%s is owned by uid %u, not root; refusing it (chown root)",
				   path, (unsigned)sb.st_uid);
	return TFA_OK;
}

TFA_API tfa_rc tfa_safe_mkdirs(const char *path, tfa_err *err)
{
	char *copy = NULL;
	char *p;
	tfa_rc rc = TFA_OK;

	copy = strdup(path);
	if (copy == NULL)
		return tfa_err_set(err, TFA_ENOMEM, "out of memory");
	p = strrchr(copy, '/');
	if (p == NULL || p == copy)
		goto out;               /* relative name in cwd, or directly under / */
	*p = '\0';
	for (p = copy + 1; ; p++) {
		if (*p != '/' && *p != '\0')
			continue;
		{
			char saved = *p;

			*p = '\0';
			if (mkdir(copy, 0700) != 0 && errno != EEXIST) {
				rc = tfa_err_set(err, TFA_ESTORE, "cannot create directory %s: %s",
						 copy, strerror(errno));
				goto out;
			}
			*p = saved;
			if (saved == '\0')
				break;
		}
	}
out:
	free(copy);
	return rc;
}

TFA_API tfa_rc tfa_safe_open(const char *path, int flags, int *fd, tfa_err *err)
{
	tfa_rc rc;
	int f;

	*fd = -1;
	if ((flags & O_CREAT) != 0) {
		rc = tfa_safe_mkdirs(path, err);
		if (rc != TFA_OK)
			return rc;
	}
	f = open(path, flags | O_NOFOLLOW | O_CLOEXEC | O_NOCTTY, 0600);
	if (f < 0) {
		if (errno == ENOENT)
			return tfa_err_set(err, TFA_ENOENT, "%s does not exist", path);
		if (errno == ELOOP)
			return tfa_err_set(err, TFA_ESTORE, "%s is a symbolic link; refusing it", path);
		return tfa_err_set(err, TFA_ESTORE, "cannot open %s: %s", path, strerror(errno));
	}
	rc = tfa_safe_check_fd(f, path, err);
	if (rc != TFA_OK) {
		close(f);
		return rc;
	}
	*fd = f;
	return TFA_OK;
}
