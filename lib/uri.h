/* SPDX-License-Identifier: BSD-2-Clause */
/* uri.h - otpauth:// Key URI Format (Google Authenticator, FreeOTP, Aegis). */
#ifndef TFA_URI_H
#define TFA_URI_H

#include "otp.h"

typedef struct {
	tfa_token_type type;
	char *issuer;        /* may be NULL */
	char *account;       /* the user name; required */
	uint8_t *secret;     /* raw key bytes */
	size_t secret_len;
	otp_alg alg;         /* default SHA1 */
	unsigned digits;     /* default 6 */
	unsigned period;     /* totp; default 30 */
	uint64_t counter;    /* hotp */
	char *suite;         /* ocra: the OCRA suite (ocrasuite=) */
} tfa_uri;

/** tfa_uri_build: "otpauth://TYPE/ISSUER:ACCOUNT?secret=B32&issuer=ISSUER"
 * plus algorithm, digits, period (totp) when not default and counter (hotp,
 * always). Type ocra (no standard: a twofactor extension, as FreeOTP-style
 * apps with OCRA support read it) adds ocrasuite=SUITE. Label and issuer are percent-encoded. New string in *@out (free
 * with tfa_free_secret: it holds the secret). */
tfa_rc tfa_uri_build(const tfa_uri *u, char **out);

/** tfa_uri_parse: parse @s into @u (all fields allocated; clear with
 * tfa_uri_clear). TFA_EINVAL for anything malformed: wrong scheme or type,
 * missing or bad secret, unknown algorithm, digits outside 6..8, period 0,
 * type sms, type ocra without a valid ocrasuite (or ocrasuite on another type),
 * bad percent-encoding, issuer in label and parameter that disagree. */
tfa_rc tfa_uri_parse(const char *s, tfa_uri *u);

/** tfa_uri_clear: wipe and free the fields of @u. */
void tfa_uri_clear(tfa_uri *u);

#endif
