/* SPDX-License-Identifier: BSD-2-Clause */
/* username.h - user and group names through NSS (pam_twofactor(8) and tfa-admin(8), USER NAMES).
 *
 * Two spellings of one account (ALICE and alice under a case-insensitive
 * directory) must be one user of the store: front ends resolve the name a
 * person typed to the pw_name NSS returns before any store lookup. A name
 * NSS does not know is used as given; an NSS error is never taken for "no
 * such user" or "not a member" (fail closed: TFA_ELOOKUP).
 */
#ifndef TFA_USERNAME_H
#define TFA_USERNAME_H

#include <stddef.h>
#include "tfa.h"

/* The largest buffer given to one getpwnam_r/getgrnam_r call (grown from
 * 1 KiB on ERANGE): a group of a few hundred thousand members fits. */
#define TFA_NSS_BUF_MAX (16u << 20)
/* The most groups getgrouplist may report for one user. */
#define TFA_NSS_GROUPS_MAX 65536

/** tfa_user_resolve: look @given up with getpwnam_r. An entry: its pw_name
 * goes to @canon (size @len) and *@known = 1. No such user (0 and no entry,
 * or ENOENT/ESRCH): @given goes to @canon and *@known = 0. TFA_EINVAL when
 * @given fails tfa_user_valid; TFA_ELOOKUP on any other NSS result (EIO,
 * EAGAIN, ENOMEM, ERANGE with a buffer of TFA_NSS_BUF_MAX, ...) or when the
 * entry's name is not a valid user name or does not fit @len - with a
 * message naming the (escaped) user and the reason. */
tfa_rc tfa_user_resolve(const char *given, char *canon, size_t len, int *known,
			tfa_err *err);

/** tfa_group_lookup: *@known = 1 if NSS has a group named @name, 0 if not
 * (getgrnam_r returns 0 and no entry, or ENOENT/ESRCH); TFA_ELOOKUP on an
 * NSS error, with a message naming the group. */
tfa_rc tfa_group_lookup(const char *name, int *known, tfa_err *err);

/** tfa_user_in_groups: *@member = 1 if @user belongs to one of the groups
 * of the comma list @groups - as its primary group or a supplementary one
 * (getgrouplist, grown as it asks), or, for a user NSS does not know, by the
 * group's member list - and then the group's name goes to @group (size
 * @grouplen). A group of the list that does not exist is skipped. Any
 * lookup error (of the user or of a group) is TFA_ELOOKUP, never "not a
 * member". */
tfa_rc tfa_user_in_groups(const char *user, const char *groups, int *member, char *group,
			  size_t grouplen, tfa_err *err);

#endif
