/* SPDX-License-Identifier: BSD-2-Clause */
/* resync.h - bringing a token back in step from two consecutive codes
 * (tfa-admin token resync): an event-based card pressed many times, or a
 * time-based card whose clock drifted. */
#ifndef TFA_RESYNC_H
#define TFA_RESYNC_H

#include "auth.h"

#define TFA_RESYNC_HOTP_SEARCH 1000   /* counters searched after the current one */
#define TFA_RESYNC_TOTP_SEARCH 1000   /* time steps searched either side of now */

typedef struct {
	int64_t token_id;
	tfa_token_type type;
	uint64_t counter;     /* hotp: the next counter now */
	int64_t drift;        /* totp: learned drift, in steps */
} tfa_resync_result;

/** tfa_resync: find, for one of @user's active HOTP/TOTP tokens (cards
 * first, then the others, oldest first), @code1 and @code2 as two
 * consecutive codes - HOTP within TFA_RESYNC_HOTP_SEARCH counters from the
 * current one, TOTP within TFA_RESYNC_TOTP_SEARCH steps of @now and newer
 * than the last accepted step - and set that token's counter after @code2
 * (HOTP) or its drift so that @code2's step is "now" (TOTP); neither code
 * works again. In one transaction, audited "resync". Failures and lockout
 * are not touched (an admin action). TFA_OK; TFA_REJECTED when no token
 * has the two codes in a row; TFA_ENOENT when @user has no active HOTP/TOTP
 * token; TFA_EINVAL for a malformed code. */
tfa_rc tfa_resync(tfa_ctx *c, const char *user, const char *code1, const char *code2,
		  int64_t now, tfa_resync_result *res, tfa_err *err);

#endif
