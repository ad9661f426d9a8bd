/* enroll.h - issuing a new secret to a user. */
#ifndef TFA_ENROLL_H
#define TFA_ENROLL_H

#include "auth.h"

typedef struct {
	tfa_token_type type;  /* default TOTP */
	unsigned digits;      /* default 6 */
	unsigned period;      /* default 30 (totp) */
	otp_alg alg;          /* default SHA1 */
	const char *issuer;   /* NULL: the policy's issuer */
	int activate;         /* store as active at once (admin provisioning) */
} tfa_enroll_opts;

/** tfa_enroll_opts_init: the defaults above. */
void tfa_enroll_opts_init(tfa_enroll_opts *o);

/** tfa_enroll: make a 160-bit secret from the RNG, store it as a pending (or,
 * with activate, active) token of @user - replacing an earlier pending one -
 * audit it, and give the otpauth:// URI in *@uri (free with
 * tfa_free_secret). @tok_out (may be NULL) gets the token without secret. */
tfa_rc tfa_enroll(tfa_ctx *c, const char *user, const tfa_enroll_opts *o,
		  tfa_token *tok_out, char **uri, tfa_err *err);

#endif
