/* SPDX-License-Identifier: BSD-2-Clause */
/* match.h - inside the login check (auth.c): matching what the user typed
 * against the tokens, the pending challenge and the recovery codes of one
 * user, within the store transaction. Private to lib/. */
#ifndef TFA_MATCH_H
#define TFA_MATCH_H

#include "auth.h"
#include "store.h"

typedef struct {
	const tfa_ctx *c;
	const char *code;
	int64_t now;
	tfa_token_state want;     /* ACTIVE for login, PENDING for confirm */
	tfa_verify_result *res;
	const tfa_token *toks;    /* all of the user's tokens, for twins() */
	const tfa_token_key *keys;   /* keys[i]: toks[i]'s key */
	size_t n;
	int split;                /* the field is password+code (tfa_verify_field) */
} check_ctx;

typedef enum { M_NONE, M_MATCH, M_REPLAY } match;

/** tfa_match_field: match @in (a code, or with @len > 0 the last @len
 * characters of it) against the tokens in x->want state, then the pending
 * challenge, then (logins, @len 0 or TFA_RECOVERY_DIGITS) an unused recovery
 * code. On a match the token's state moves (or the recovery record is
 * marked used) and x->res says which; *@rec is 1 for a recovery code.
 * Returns the best of M_NONE < M_REPLAY < M_MATCH; *@rc a crypto error. */
match tfa_match_field(check_ctx *x, tfa_txn_args *a, const char *in, unsigned len, int *rec,
		      tfa_rc *rc);

#endif
