/* SPDX-License-Identifier: BSD-2-Clause */
/* ocra.h - OCRA challenge-response codes (RFC 6287), computed with OpenSSL
 * HMAC (liboath has no OCRA).
 *
 * A suite such as "OCRA-1:HOTP-SHA1-6:QN08" or
 * "OCRA-1:HOTP-SHA512-8:C-QN08-PSHA1" or "OCRA-1:HOTP-SHA256-8:QN08-T1M"
 * says which inputs go into the HMAC and how the result is truncated.
 */
#ifndef TFA_OCRA_H
#define TFA_OCRA_H

#include <stddef.h>
#include <stdint.h>
#include "otp.h"

#define OCRA_MAX_DIGITS 10       /* CryptoFunction digits: 0 or 4..10 */
#define OCRA_MAX_QUESTION 64     /* Q length: 4..64 */

typedef struct {
	otp_alg alg;            /* HOTP-SHA1/SHA256/SHA512 */
	unsigned digits;        /* 0 (no truncation: not supported for output) or 4..10 */
	int counter;            /* DataInput has C */
	char q_fmt;             /* 'N' numeric, 'A' alphanumeric, 'H' hex */
	unsigned q_len;         /* 4..64 */
	int pin;                /* DataInput has P */
	otp_alg pin_alg;        /* PSHA1/PSHA256/PSHA512 */
	unsigned s_len;         /* DataInput has S: session bytes (Snnn); 0 = none */
	unsigned t_step;        /* DataInput has T: seconds per step; 0 = none */
	char text[TFA_SUITE_MAX + 1];   /* the suite as given */
} otp_ocra_suite;

/** otp_ocra_suite_parse: parse @s ("OCRA-1:HOTP-SHA1-6:QN08", RFC 6287
 * section 6) into @out. TFA_EINVAL for anything malformed: another version
 * than OCRA-1, an unknown hash, digits other than 0 or 4..10, no Q part, a Q
 * length outside 4..64, a T step outside 1-59S / 1-59M / 0-48H (0H not
 * allowed), an S length outside 1..999, parts out of order (C, Q, P, S, T;
 * P and S may both be present) or repeated, trailing text, or longer than
 * TFA_SUITE_MAX. The syntax is strict and case-sensitive: Q length exactly
 * two digits ("QN08"), S exactly three ("S064"), digits and T without a
 * leading zero ("-6", "T1M"). On failure *@out is all zero. */
tfa_rc otp_ocra_suite_parse(const char *s, otp_ocra_suite *out);

typedef struct {
	uint64_t counter;              /* C (ignored unless the suite has C) */
	const char *question;          /* Q: the challenge as shown (digits for N,
					* hex digits of either case for H,
					* printable ASCII without space,
					* 0x21..0x7e, for A) */
	const uint8_t *pin_hash;       /* P: hash of the PIN, pin_alg length;
					* NULL when the suite has no P */
	size_t pin_hash_len;
	const uint8_t *session;        /* S: s_len bytes; NULL when no S */
	size_t session_len;
	uint64_t timestep;             /* T: time / t_step (caller computes;
					* ignored unless the suite has T) */
} otp_ocra_input;

/** otp_ocra: the OCRA response of @key (1..OTP_MAX_SECRET bytes) for @in
 * under suite @s, as s->digits decimal digits (NUL-terminated) in @out of
 * @outlen bytes (at least s->digits + 1). TFA_EINVAL when the suite has
 * digits 0, its fields do not match its text (@s should come from
 * otp_ocra_suite_parse), an input the suite needs is missing or the wrong
 * length, a P or S is given that the suite does not name, the question does
 * not fit the suite (format or longer than q_len; shorter is fine, at least
 * 4), or @outlen is too small; TFA_ECRYPTO if HMAC fails. On failure @out
 * is "" (when @outlen > 0). A numeric question is taken as a number, as in
 * the RFC's reference code: leading zeros do not count ("0001234" and
 * "1234" give the same response). Because of the q_len limit the RFC's
 * mutual mode (two challenges concatenated, section 7.3) is not supported.
 * Intermediate buffers are wiped. */
tfa_rc otp_ocra(const otp_ocra_suite *s, const uint8_t *key, size_t keylen,
		const otp_ocra_input *in, char *out, size_t outlen);

/** otp_ocra_challenge: a random question for suite @s of exactly q_len
 * characters (q_fmt N: decimal digits, H: lowercase hex digits, A: letters
 * A-Z a-z and digits), each character uniform (rejection sampling), from
 * OpenSSL's RNG, NUL-terminated into @out of @outlen bytes (at least
 * q_len + 1). TFA_EINVAL for a bad suite or a short @out; TFA_ECRYPTO if
 * the RNG fails. On failure @out is "" (when @outlen > 0). */
tfa_rc otp_ocra_challenge(const otp_ocra_suite *s, char *out, size_t outlen);

#endif
