/* SPDX-License-Identifier: BSD-2-Clause */
/* otp.h - HOTP (RFC 4226) and TOTP (RFC 6238) codes, through liboath. */
#ifndef TFA_OTP_H
#define TFA_OTP_H

#include <stdint.h>
#include <time.h>
#include "tfa.h"

#define OTP_MIN_DIGITS 6
#define OTP_MAX_DIGITS 8
#define OTP_MAX_CODE 10         /* sms codes and OCRA responses: up to 10 */
#define OTP_MAX_SECRET 128      /* bytes of key material */
#define OTP_DEFAULT_SECRET 20   /* 160 bits */
#define OTP_DEFAULT_PERIOD 30

typedef enum { OTP_SHA1 = 0, OTP_SHA256, OTP_SHA512 } otp_alg;

typedef enum {
	TFA_TOKEN_TOTP = 0,
	TFA_TOKEN_HOTP = 1,
	TFA_TOKEN_SMS = 2,    /* a code sent to the phone at each login */
	TFA_TOKEN_OCRA = 3,   /* challenge-response, RFC 6287 (ocra.h) */
} tfa_token_type;

/** otp_hotp: the @digits-digit (6..8) HOTP value of @key at @counter using
 * HMAC-@alg, written NUL-terminated into @out. */
tfa_rc otp_hotp(const uint8_t *key, size_t keylen, otp_alg alg,
		uint64_t counter, unsigned digits, char out[OTP_MAX_DIGITS + 1]);

/** otp_totp_step: the RFC 6238 time step of @now for @period seconds
 * (T0 = 0); -1 if @period is 0 or @now negative. */
int64_t otp_totp_step(int64_t now, unsigned period);

/** otp_code_parse: accept @in as a code of exactly @digits ASCII digits
 * (spaces are allowed between groups, e.g. "123 456", and are removed);
 * anything else - empty, short, long, other characters - is TFA_EINVAL.
 * The normalised code goes to @out. */
tfa_rc otp_code_parse(const char *in, unsigned digits, char out[OTP_MAX_DIGITS + 1]);

/** otp_code_parse_long: otp_code_parse for 1..OTP_MAX_CODE digits. */
tfa_rc otp_code_parse_long(const char *in, unsigned digits, char out[OTP_MAX_CODE + 1]);

/** otp_code_shaped: 1 if @s has the shape of a code (6 to 8 digits, maybe
 * in groups), else 0. */
int otp_code_shaped(const char *s);

/** otp_code_equal: constant-time comparison of two @digits-digit codes
 * (1..OTP_MAX_CODE);
 * 1 if equal. */
int otp_code_equal(const char *a, const char *b, unsigned digits);

/** otp_alg_name: "SHA1", "SHA256" or "SHA512". */
const char *otp_alg_name(otp_alg alg);
/** otp_alg_parse: case-insensitive inverse of otp_alg_name. */
tfa_rc otp_alg_parse(const char *s, otp_alg *alg);
/** otp_type_name: "totp", "hotp", "sms" or "ocra". */
const char *otp_type_name(tfa_token_type t);
/** otp_type_parse: inverse of otp_type_name (case-insensitive). */
tfa_rc otp_type_parse(const char *s, tfa_token_type *t);

#endif
