/* SPDX-License-Identifier: BSD-2-Clause */
/* safefile.c - open store and key files without following symlinks, check
 * them on the descriptor and check the directories above them
 * (the rules are in safefile.h). */
#include "config.h"

#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "safefile.h"

#define ESC_MAX 256

static const char *noun(tfa_safe_kind kind)
{
	switch (kind) {
	case TFA_SAFE_KEY: return "key file";
	case TFA_SAFE_EXEC: return "sms_command";
	case TFA_SAFE_STORE: break;
	}
	return "store";
}

/* Owned by root or by the caller. */
static int owner_ok(uid_t uid)
{
	return uid == 0 || uid == geteuid();
}

static tfa_rc owner_refused(const char *what, const char *esc, uid_t uid, tfa_err *err)
{
	if (geteuid() == 0)
		return tfa_err_set(err, TFA_ESTORE,
				   "%s %s is owned by uid %u, not root; refusing it (fix: chown root %s)",
				   what, esc, (unsigned)uid, esc);
	return tfa_err_set(err, TFA_ESTORE,
			   "%s %s is owned by uid %u, not root or uid %u; refusing it (fix: chown root %s)",
			   what, esc, (unsigned)uid, (unsigned)geteuid(), esc);
}

/* The mode rule of @kind; TFA_OK or a refusal naming the fix. */
static tfa_rc mode_ok(const struct stat *sb, const char *esc, tfa_safe_kind kind, tfa_err *err)
{
	unsigned mode = (unsigned)(sb->st_mode & 07777);
	const char *what = noun(kind);

	switch (kind) {
	case TFA_SAFE_KEY:
		if ((sb->st_mode & (S_IRWXG | S_IRWXO)) != 0)
			return tfa_err_set(err, TFA_ESTORE,
					   "%s %s has permissions for group or others (mode %04o): whoever "
					   "reads it can decrypt every secret; refusing it (fix: chmod 600 %s)",
					   what, esc, mode, esc);
		break;
	case TFA_SAFE_STORE:
		if ((sb->st_mode & (S_IWGRP | S_IWOTH)) != 0)
			return tfa_err_set(err, TFA_ESTORE,
					   "%s %s is writable by group or others (mode %04o); refusing it "
					   "(fix: chmod 600 %s)", what, esc, mode, esc);
		if ((sb->st_mode & S_IROTH) != 0)
			return tfa_err_set(err, TFA_ESTORE,
					   "%s %s is readable by others (mode %04o); refusing it "
					   "(fix: chmod 600 %s)", what, esc, mode, esc);
		break;
	case TFA_SAFE_EXEC:
		if ((sb->st_mode & (S_IWGRP | S_IWOTH)) != 0)
			return tfa_err_set(err, TFA_ESTORE,
					   "%s %s is writable by group or others (mode %04o); refusing it "
					   "(fix: chmod go-w %s)", what, esc, mode, esc);
		break;
	}
	return TFA_OK;
}

TFA_API tfa_rc tfa_safe_check_fd(int fd, const char *path, tfa_safe_kind kind, tfa_err *err)
{
	char esc[ESC_MAX];
	struct stat sb;
	tfa_rc rc;

	tfa_escape(path, esc, sizeof(esc));
	if (fstat(fd, &sb) != 0)
		return tfa_err_set(err, TFA_ESTORE, "cannot stat %s %s: %s", noun(kind), esc,
				   strerror(errno));
	if (S_ISLNK(sb.st_mode))        /* O_PATH|O_NOFOLLOW opens the link itself */
		return tfa_err_set(err, TFA_ESTORE, "%s %s is a symbolic link; refusing it",
				   noun(kind), esc);
	if (!S_ISREG(sb.st_mode))
		return tfa_err_set(err, TFA_ESTORE, "%s %s is not a regular file", noun(kind), esc);
	rc = mode_ok(&sb, esc, kind, err);
	if (rc != TFA_OK)
		return rc;
	if (!owner_ok(sb.st_uid))
		return owner_refused(noun(kind), esc, sb.st_uid, err);
	if (kind == TFA_SAFE_EXEC && ((sb.st_mode & (S_IXUSR | S_IXGRP | S_IXOTH)) == 0 ||
				      faccessat(AT_FDCWD, path, X_OK, AT_EACCESS) != 0))
		return tfa_err_set(err, TFA_ESTORE, "%s %s is not executable", noun(kind), esc);
	return TFA_OK;
}

/* Cut the last component off @dir in place ("/a/b" -> "/a", "/a" -> "/",
 * "a" -> "."); 0 when @dir was "/" or "." already. */
static int up(char *dir)
{
	char *p = strrchr(dir, '/');

	if (p == NULL) {
		if (strcmp(dir, ".") == 0)
			return 0;
		dir[0] = '.';           /* @dir holds at least one character */
		dir[1] = '\0';
		return 1;
	}
	if (p == dir && dir[1] == '\0')
		return 0;
	if (p == dir)
		dir[1] = '\0';
	else
		*p = '\0';
	return 1;
}

/* The nearest existing directory above @path, resolved (new string in
 * *@real); *@own is 1 when that is the file's own directory. */
static tfa_rc nearest_dir(const char *path, const char *what, char **real, int *own,
			  int *sys_errno, tfa_err *err)
{
	char esc[ESC_MAX];
	char *dir;
	tfa_rc rc = TFA_OK;

	*real = NULL;
	*own = 1;
	/* a name without a directory is in the working directory */
	dir = strdup(strchr(path, '/') == NULL ? "." : path);
	if (dir == NULL)
		return tfa_err_set(err, TFA_ENOMEM, "out of memory");
	if (strchr(path, '/') != NULL)
		(void)up(dir);
	while ((*real = realpath(dir, NULL)) == NULL) {
		if ((errno != ENOENT && errno != ENOTDIR) || !up(dir)) {
			*sys_errno = errno;
			tfa_escape(dir, esc, sizeof(esc));
			rc = tfa_err_set(err, TFA_ESTORE, "%s: cannot examine directory %s: %s",
					 what, esc, strerror(errno));
			break;
		}
		*own = 0;
	}
	free(dir);
	return rc;
}

TFA_API tfa_rc tfa_safe_check_dirs(const char *path, tfa_safe_kind kind, int *sys_errno,
				   tfa_err *err)
{
	char what[ESC_MAX + 16], esc[ESC_MAX];
	char *dir = NULL;
	struct stat sb;
	int own, dummy = 0;
	tfa_rc rc;

	if (sys_errno == NULL)
		sys_errno = &dummy;
	*sys_errno = 0;
	tfa_escape(path, esc, sizeof(esc));
	(void)snprintf(what, sizeof(what), "%s %s", noun(kind), esc);
	rc = nearest_dir(path, what, &dir, &own, sys_errno, err);
	if (rc != TFA_OK || dir == NULL)
		return rc != TFA_OK ? rc : tfa_err_set(err, TFA_ESTORE, "%s: no directory", what);
	for (;;) {
		tfa_escape(dir, esc, sizeof(esc));
		if (stat(dir, &sb) != 0) {
			*sys_errno = errno;
			rc = tfa_err_set(err, TFA_ESTORE, "%s: cannot examine directory %s: %s",
					 what, esc, strerror(errno));
			break;
		}
		if (!S_ISDIR(sb.st_mode)) {
			rc = tfa_err_set(err, TFA_ESTORE, "%s: %s is not a directory", what, esc);
			break;
		}
		if (!owner_ok(sb.st_uid)) {
			char dwhat[ESC_MAX + 32];

			(void)snprintf(dwhat, sizeof(dwhat), "%s: directory", what);
			rc = owner_refused(dwhat, esc, sb.st_uid, err);
			break;
		}
		/* a sticky directory (/tmp) is acceptable above one that passes */
		if ((sb.st_mode & (S_IWGRP | S_IWOTH)) != 0 && (own || (sb.st_mode & S_ISVTX) == 0)) {
			rc = tfa_err_set(err, TFA_ESTORE,
					 "%s: directory %s is writable by group or others (mode %04o); "
					 "refusing it (fix: chmod go-w %s)", what, esc,
					 (unsigned)(sb.st_mode & 07777), esc);
			break;
		}
		own = 0;
		if (!up(dir))
			break;
	}
	free(dir);
	return rc;
}

TFA_API tfa_rc tfa_safe_mkdirs(const char *path, tfa_err *err)
{
	char esc[ESC_MAX];
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
				tfa_escape(copy, esc, sizeof(esc));
				rc = tfa_err_set(err, TFA_ESTORE, "cannot create directory %s: %s",
						 esc, strerror(errno));
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

TFA_API tfa_rc tfa_safe_open(const char *path, int flags, tfa_safe_kind kind, int *fd, int *absent,
			     tfa_err *err)
{
	char esc[ESC_MAX];
	int f, e = 0, dummy = 0;
	tfa_rc rc;

	*fd = -1;
	if (absent == NULL)
		absent = &dummy;
	*absent = 0;
	if ((flags & O_CREAT) != 0) {
		rc = tfa_safe_mkdirs(path, err);
		if (rc != TFA_OK)
			return rc;
	}
	/* the directories first: a missing file in a directory that others
	 * can write to is not "missing", it may have been removed */
	rc = tfa_safe_check_dirs(path, kind, &e, err);
	if (rc != TFA_OK) {
		*absent = e == EACCES && geteuid() == 0;
		return rc;
	}
	tfa_escape(path, esc, sizeof(esc));
	f = open(path, flags | O_NOFOLLOW | O_CLOEXEC | O_NOCTTY | O_NONBLOCK, 0600);
	if (f < 0) {
		e = errno;
		if (e == ENOENT) {
			*absent = 1;
			return tfa_err_set(err, TFA_ENOENT, "%s %s does not exist", noun(kind), esc);
		}
		if (e == ELOOP)
			return tfa_err_set(err, TFA_ESTORE, "%s %s is a symbolic link; refusing it",
					   noun(kind), esc);
		*absent = e == EACCES && geteuid() == 0;
		return tfa_err_set(err, TFA_ESTORE, "cannot open %s %s: %s", noun(kind), esc,
				   strerror(e));
	}
	rc = tfa_safe_check_fd(f, path, kind, err);
	if (rc != TFA_OK) {
		close(f);
		return rc;
	}
	*fd = f;
	return TFA_OK;
}
