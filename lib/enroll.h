/* SPDX-License-Identifier: BSD-2-Clause */
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
	const char *phone;    /* sms: the number (required) */
	const char *suite;    /* ocra: NULL = TFA_OCRA_DEFAULT_SUITE */
} tfa_enroll_opts;

#define TFA_OCRA_DEFAULT_SUITE "OCRA-1:HOTP-SHA1-6:QN08"

/** tfa_phone_valid: 1 if @s is an acceptable phone number: an optional
 * '+' then 4..19 digits (no spaces or punctuation); else 0. */
int tfa_phone_valid(const char *s);

/** tfa_enroll_opts_init: the defaults above. */
void tfa_enroll_opts_init(tfa_enroll_opts *o);

/** tfa_enroll: make a secret from the RNG (160 bits; for ocra the suite's
 * hash size), store it as a pending (or, with activate, active) token of
 * @user - replacing an earlier pending one - audit it, and give the
 * otpauth:// URI in *@uri and, when @key is not NULL, the secret in base32
 * in groups of four (for typing into an app by hand) in *@key (free both
 * with tfa_free_secret). Type sms has no
 * secret and no URI (*@uri stays NULL): it needs @o->phone and is active at
 * once (each login proves the phone). Type ocra needs a suite the module
 * can answer: Q, optionally with C and/or T; no P or S; 6..8 digits. @tok_out (may be
 * NULL) gets the token record (never its key). */
tfa_rc tfa_enroll(tfa_ctx *c, const char *user, const tfa_enroll_opts *o,
		  tfa_token *tok_out, char **uri, char **key, tfa_err *err);

#endif
