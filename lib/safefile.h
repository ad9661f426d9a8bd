/* SPDX-License-Identifier: BSD-2-Clause */
/* safefile.h - opening the store, the key file and the sms_command safely.
 *
 * Rules (pam_twofactor(8) FILES, tfa-admin(8) FILES): refuse a file that is a symlink or not
 * a regular file, is not owned by root or the caller (euid), or has a mode
 * that gives away too much:
 *   store      readable or writable by others, or writable by group
 *   key file   any permission bit for group or others
 *   command    writable by group or others, or not executable
 * and walk the parent directories as sshd's StrictModes does: each one from
 * the file's directory up to / must be owned by root or the caller and not
 * writable by group or others, except that a sticky directory (/tmp, 1777)
 * is acceptable above the file's own directory. The file checks are made on
 * the opened descriptor (O_NOFOLLOW, then fstat), never by a stat() before
 * the open. Every refusal names the path and the fix (chmod 600 FILE,
 * chmod go-w DIR, chown root DIR).
 */
#ifndef TFA_SAFEFILE_H
#define TFA_SAFEFILE_H

#include "tfa.h"

typedef enum {
	TFA_SAFE_STORE = 0,   /* the SQLite store */
	TFA_SAFE_KEY = 1,     /* the key file */
	TFA_SAFE_EXEC = 2,    /* a program run by path (sms_command) */
} tfa_safe_kind;

/** tfa_safe_check_fd: apply the owner, type and mode rules for @kind to the
 * open descriptor @fd of @path (named in the message). TFA_ESTORE on
 * violation (callers map to TFA_EKEY for the key file). */
tfa_rc tfa_safe_check_fd(int fd, const char *path, tfa_safe_kind kind, tfa_err *err);

/** tfa_safe_check_dirs: the StrictModes walk over the directories above
 * @path (resolved with realpath; missing ones are skipped, init creates them
 * 0700). TFA_ESTORE on violation or when a directory cannot be examined;
 * then *@sys_errno (may be NULL) gets the errno of a failed stat/realpath,
 * else 0. */
tfa_rc tfa_safe_check_dirs(const char *path, tfa_safe_kind kind, int *sys_errno,
			   tfa_err *err);

/** tfa_safe_open: check the directories above @path, open it with
 * O_NOFOLLOW|O_CLOEXEC and @flags and check the descriptor for @kind; when
 * @flags has O_CREAT, first create missing parent directories (0700), and
 * the file 0600. Returns the checked descriptor in *@fd. TFA_ENOENT if
 * missing and not creating; TFA_ESTORE for any other refusal. *@absent (may
 * be NULL) is set to 1 only when the file is simply not there to be used:
 * open(2) failed with ENOENT, or with EACCES while running as root (a MAC
 * policy, root-squashed NFS) - the only failures failmode=safe may let
 * through - and to 0 otherwise. */
tfa_rc tfa_safe_open(const char *path, int flags, tfa_safe_kind kind, int *fd, int *absent,
		     tfa_err *err);

/** tfa_safe_mkdirs: create the parent directories of @path (0700). */
tfa_rc tfa_safe_mkdirs(const char *path, tfa_err *err);

#endif
