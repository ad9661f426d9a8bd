/* SPDX-License-Identifier: BSD-2-Clause */
/* otp.c - HOTP (RFC 4226) and TOTP (RFC 6238) codes, through liboath.
 *
 * liboath's oath_hotp_generate only does HMAC-SHA1, so every code is computed
 * with oath_totp_generate2(secret, len, now = counter, step = 1, T0 = 0, ...),
 * which is HOTP(K, floor((now - 0) / 1)) = HOTP(K, counter) with the hash
 * chosen by the flags. liboath takes the time as a signed time_t, so counters
 * above INT64_MAX (INT32_MAX where time_t is 32 bits) are refused
 * (TFA_EINVAL) rather than wrapped.
 *
 * Code syntax accepted by otp_code_parse (the header leaves the details to
 * us):
 *   - exactly @digits ASCII digits '0'..'9' in total;
 *   - a single ASCII space (0x20) may separate two digits ("123 456",
 *     "12 34 56", even "1 2 3 4 5 6"); nothing else is removed;
 *   - no leading or trailing space, no two spaces in a row, no tab, newline,
 *     '-', '+', Unicode digit or any other byte: all TFA_EINVAL;
 *   - the input is read at most up to 2 * (most digits) bytes, so an
 *     over-long string is refused without scanning it all;
 *   - @digits must be 1..OTP_MAX_DIGITS (the caller chooses the length; the
 *     HOTP/TOTP generator itself only makes 6..8), or 1..OTP_MAX_CODE for
 *     otp_code_parse_long (codes sent to the phone, OCRA responses).
 */
#include "config.h"

#include <stdint.h>
#include <string.h>
#include <strings.h>
#include <time.h>

#include <liboath/oath.h>
#include <openssl/crypto.h>

#include "otp.h"

/* The longest accepted input: all digits with a space between each pair. */
#define CODE_INPUT_MAX(digits) (2 * (size_t)(digits))

TFA_API tfa_rc otp_hotp(const uint8_t *key, size_t keylen, otp_alg alg,
			uint64_t counter, unsigned digits,
			char out[OTP_MAX_DIGITS + 1])
{
	char buf[OTP_MAX_DIGITS + 1];
	tfa_rc rc = TFA_EINVAL;
	int flags, orc, inited = 0;

	memset(buf, 0, sizeof(buf));
	if (out == NULL)
		goto out;
	out[0] = '\0';
	if (key == NULL || keylen == 0 || keylen > OTP_MAX_SECRET ||
	    digits < OTP_MIN_DIGITS || digits > OTP_MAX_DIGITS ||
	    counter > (uint64_t)INT64_MAX ||
	    (sizeof(time_t) < sizeof(int64_t) && counter > (uint64_t)INT32_MAX))
		goto out;
	switch (alg) {
	case OTP_SHA1: flags = 0; break;
	case OTP_SHA256: flags = OATH_TOTP_HMAC_SHA256; break;
	case OTP_SHA512: flags = OATH_TOTP_HMAC_SHA512; break;
	default: goto out;
	}
	rc = TFA_ECRYPTO;
	if (oath_init() != OATH_OK)
		goto out;
	inited = 1;
	orc = oath_totp_generate2((const char *)key, keylen, (time_t)counter,
				  1, 0, digits, flags, buf);
	if (orc != OATH_OK || strnlen(buf, sizeof(buf)) != digits)
		goto out;
	memcpy(out, buf, digits + 1);
	rc = TFA_OK;
out:
	OPENSSL_cleanse(buf, sizeof(buf));
	if (inited)
		(void)oath_done();
	return rc;
}

TFA_API int64_t otp_totp_step(int64_t now, unsigned period)
{
	if (period == 0 || now < 0)
		return -1;
	return now / (int64_t)period;
}

static tfa_rc code_parse(const char *in, unsigned digits, unsigned max, char *out)
{
	char buf[OTP_MAX_CODE + 1];
	tfa_rc rc = TFA_EINVAL;
	unsigned n = 0;
	size_t i;
	int prev_digit = 0;

	memset(buf, 0, sizeof(buf));
	if (out != NULL)
		out[0] = '\0';
	if (in == NULL || out == NULL || digits == 0 || digits > max)
		goto out;
	for (i = 0; in[i] != '\0'; i++) {
		unsigned char ch = (unsigned char)in[i];

		if (i >= CODE_INPUT_MAX(max))
			goto out;
		if (ch >= '0' && ch <= '9') {
			if (n >= digits)
				goto out;
			buf[n++] = (char)ch;
			prev_digit = 1;
		} else if (ch == ' ') {
			/* only between two digits: a digit before, and the
			 * next byte must be a digit too */
			if (!prev_digit || in[i + 1] < '0' || in[i + 1] > '9')
				goto out;
			prev_digit = 0;
		} else {
			goto out;
		}
	}
	if (n != digits)
		goto out;
	buf[n] = '\0';
	memcpy(out, buf, n + 1);
	rc = TFA_OK;
out:
	OPENSSL_cleanse(buf, sizeof(buf));
	return rc;
}

TFA_API tfa_rc otp_code_parse(const char *in, unsigned digits,
			      char out[OTP_MAX_DIGITS + 1])
{
	return code_parse(in, digits, OTP_MAX_DIGITS, out);
}

TFA_API tfa_rc otp_code_parse_long(const char *in, unsigned digits, char out[OTP_MAX_CODE + 1])
{
	return code_parse(in, digits, OTP_MAX_CODE, out);
}

TFA_API int otp_code_equal(const char *a, const char *b, unsigned digits)
{
	if (a == NULL || b == NULL || digits == 0 || digits > OTP_MAX_CODE)
		return 0;
	/* the lengths are not secret; refuse to read past a short string */
	if (strnlen(a, digits + 1) != digits || strnlen(b, digits + 1) != digits)
		return 0;
	return CRYPTO_memcmp(a, b, digits) == 0;
}

TFA_API const char *otp_alg_name(otp_alg alg)
{
	switch (alg) {
	case OTP_SHA1: return "SHA1";
	case OTP_SHA256: return "SHA256";
	case OTP_SHA512: return "SHA512";
	}
	return "unknown";
}

TFA_API tfa_rc otp_alg_parse(const char *s, otp_alg *alg)
{
	if (s == NULL || alg == NULL)
		return TFA_EINVAL;
	if (strcasecmp(s, "SHA1") == 0)
		*alg = OTP_SHA1;
	else if (strcasecmp(s, "SHA256") == 0)
		*alg = OTP_SHA256;
	else if (strcasecmp(s, "SHA512") == 0)
		*alg = OTP_SHA512;
	else
		return TFA_EINVAL;
	return TFA_OK;
}

TFA_API const char *otp_type_name(tfa_token_type t)
{
	switch (t) {
	case TFA_TOKEN_TOTP: return "totp";
	case TFA_TOKEN_HOTP: return "hotp";
	case TFA_TOKEN_SMS: return "sms";
	case TFA_TOKEN_OCRA: return "ocra";
	}
	return "unknown";
}

TFA_API tfa_rc otp_type_parse(const char *s, tfa_token_type *t)
{
	if (s == NULL || t == NULL)
		return TFA_EINVAL;
	if (strcasecmp(s, "totp") == 0)
		*t = TFA_TOKEN_TOTP;
	else if (strcasecmp(s, "hotp") == 0)
		*t = TFA_TOKEN_HOTP;
	else if (strcasecmp(s, "sms") == 0)
		*t = TFA_TOKEN_SMS;
	else if (strcasecmp(s, "ocra") == 0)
		*t = TFA_TOKEN_OCRA;
	else
		return TFA_EINVAL;
	return TFA_OK;
}

TFA_API int otp_code_shaped(const char *s)
{
	char norm[OTP_MAX_DIGITS + 1];
	unsigned d;
	int ok = 0;

	for (d = OTP_MIN_DIGITS; d <= OTP_MAX_DIGITS && !ok; d++)
		ok = otp_code_parse(s, d, norm) == TFA_OK;
	OPENSSL_cleanse(norm, sizeof(norm));
	return ok;
}
