/* safefile.h - opening the store and key files safely.
 *
 * Rule (SPEC): refuse a file that is a symlink, is writable by group or
 * others, or, when running as root, is not owned by root.  The checks are
 * made on the opened descriptor (O_NOFOLLOW, then fstat), never by a stat()
 * before the open. Missing parent directories are created 0700.
 */
#ifndef TFA_SAFEFILE_H
#define TFA_SAFEFILE_H

#include "tfa.h"

/** tfa_safe_check_fd: apply the ownership and mode rules to the open
 * descriptor @fd of @path (named in the message). TFA_ESTORE on violation
 * (callers map to TFA_EKEY for the key file). */
tfa_rc tfa_safe_check_fd(int fd, const char *path, tfa_err *err);

/** tfa_safe_open: open @path with O_NOFOLLOW|O_CLOEXEC and @flags; when
 * @flags has O_CREAT, create missing parent directories (0700) and the file
 * 0600. Returns the checked descriptor in *@fd. TFA_ENOENT if missing and not
 * creating; TFA_ESTORE for any other refusal. */
tfa_rc tfa_safe_open(const char *path, int flags, int *fd, tfa_err *err);

/** tfa_safe_mkdirs: create the parent directories of @path (0700). */
tfa_rc tfa_safe_mkdirs(const char *path, tfa_err *err);

#endif
