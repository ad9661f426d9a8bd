/* SPDX-License-Identifier: BSD-2-Clause */
/* ocra.c - OCRA challenge-response (RFC 6287) over OpenSSL HMAC.
 *
 * Suite syntax accepted by otp_ocra_suite_parse (strict, case-sensitive):
 *     OCRA-1:HOTP-<H>-<d>:[C-]Q<f><nn>[-P<H>][-S<nnn>][-T<g><u>]
 *   <H>   SHA1, SHA256 or SHA512
 *   <d>   0 or 4..10, no leading zero
 *   <f>   N, A or H; <nn> exactly two digits, 04..64
 *   <nnn> exactly three digits, 001..999
 *   <g><u> 1..59 S, 1..59 M or 1..48 H, no leading zero
 * The DataInput parts come in the RFC's order C, Q, P, S, T, each at most
 * once (P and S may both be present; the RFC's examples never do that).
 *
 * DataInput (RFC 6287 section 5.1) is built as
 *     suite text || 0x00 || C (8 bytes, big-endian) || Q (128 bytes)
 *     || P (hash of the PIN) || S (s_len bytes) || T (8 bytes, big-endian)
 * with the parts the suite does not name left out. Q, as the RFC's
 * reference code builds it: for N the decimal number written in hex without
 * leading zero nibbles ("00001234" -> "4D2"), for H the hex digits as given,
 * for A the hex of the ASCII bytes; that hex string is padded on the right
 * with '0' to 256 hex digits and decoded, so the value is left-aligned and an
 * odd number of nibbles leaves the last one in the high half of its byte.
 * The response is HOTP's dynamic truncation of HMAC(K, DataInput) modulo
 * 10^digits, zero-padded.
 */
#include "config.h"

#include <string.h>

#include <openssl/evp.h>
#include <openssl/hmac.h>
#include <openssl/rand.h>

#include "ocra.h"
#include "secret.h"

#define Q_BYTES 128                     /* Q's share of DataInput */
#define OCRA_MAX_SESSION 999            /* Snnn */
#define OCRA_MIN_QUESTION 4
#define NUM_BYTES 27                    /* 10^64 < 2^216 */
#define DI_MAX (TFA_SUITE_MAX + 1 + 8 + Q_BYTES + EVP_MAX_MD_SIZE + OCRA_MAX_SESSION + 8)

/* Advance *p past @lit if the text there starts with it; 1 if it did. */
static int eat(const char **p, const char *lit)
{
	size_t n = strlen(lit);

	if (strncmp(*p, lit, n) != 0)
		return 0;
	*p += n;
	return 1;
}

static int is_digit(char c)
{
	return c >= '0' && c <= '9';
}

/* Read @min..@max decimal digits at *p into *v (and *len); 0 if there are
 * fewer, or more digits follow. */
static int number(const char **p, unsigned min, unsigned max, unsigned *v, unsigned *len)
{
	unsigned n = 0, val = 0;

	while (n < max && is_digit((*p)[n])) {
		val = val * 10 + (unsigned)((*p)[n] - '0');
		n++;
	}
	if (n < min || is_digit((*p)[n]))
		return 0;
	*p += n;
	*v = val;
	*len = n;
	return 1;
}

/* a number without a leading zero ("0" itself is fine) */
static int plain_number(const char **p, unsigned max, unsigned *v)
{
	const char *start = *p;
	unsigned len;

	if (!number(p, 1, max, v, &len))
		return 0;
	return len == 1 || start[0] != '0';
}

static int hash_name(const char **p, otp_alg *alg)
{
	if (eat(p, "SHA1"))
		*alg = OTP_SHA1;
	else if (eat(p, "SHA256"))
		*alg = OTP_SHA256;
	else if (eat(p, "SHA512"))
		*alg = OTP_SHA512;
	else
		return 0;
	return 1;
}

static const EVP_MD *alg_md(otp_alg alg)
{
	switch (alg) {
	case OTP_SHA1: return EVP_sha1();
	case OTP_SHA256: return EVP_sha256();
	case OTP_SHA512: return EVP_sha512();
	}
	return NULL;
}

static size_t alg_len(otp_alg alg)
{
	switch (alg) {
	case OTP_SHA1: return 20;
	case OTP_SHA256: return 32;
	case OTP_SHA512: return 64;
	}
	return 0;
}

/* the optional "-T<g><u>" part; 1 if absent or valid */
static int time_part(const char **p, unsigned *step)
{
	unsigned g;

	*step = 0;
	if (!eat(p, "-T"))
		return 1;
	if (!plain_number(p, 2, &g) || g == 0)
		return 0;
	if (eat(p, "S") && g <= 59)
		*step = g;
	else if (eat(p, "M") && g <= 59)
		*step = g * 60;
	else if (eat(p, "H") && g <= 48)
		*step = g * 3600;
	return *step != 0;
}

TFA_API tfa_rc otp_ocra_suite_parse(const char *s, otp_ocra_suite *out)
{
	otp_ocra_suite r;
	const char *p = s;
	unsigned v, len;
	size_t n;

	if (out != NULL)
		memset(out, 0, sizeof(*out));
	if (s == NULL || out == NULL)
		return TFA_EINVAL;
	memset(&r, 0, sizeof(r));
	n = strnlen(s, TFA_SUITE_MAX + 1);
	if (n > TFA_SUITE_MAX)
		return TFA_EINVAL;
	memcpy(r.text, s, n);
	r.text[n] = '\0';

	if (!eat(&p, "OCRA-1:HOTP-") || !hash_name(&p, &r.alg) || !eat(&p, "-") ||
	    !plain_number(&p, 2, &r.digits) ||
	    (r.digits != 0 && (r.digits < 4 || r.digits > OCRA_MAX_DIGITS)) ||
	    !eat(&p, ":"))
		return TFA_EINVAL;
	if (eat(&p, "C-"))
		r.counter = 1;
	if (!eat(&p, "Q") || (*p != 'N' && *p != 'A' && *p != 'H'))
		return TFA_EINVAL;
	r.q_fmt = *p++;
	if (!number(&p, 2, 2, &r.q_len, &len) || r.q_len < OCRA_MIN_QUESTION ||
	    r.q_len > OCRA_MAX_QUESTION)
		return TFA_EINVAL;
	if (eat(&p, "-P")) {
		if (!hash_name(&p, &r.pin_alg))
			return TFA_EINVAL;
		r.pin = 1;
	}
	if (eat(&p, "-S")) {
		if (!number(&p, 3, 3, &v, &len) || v == 0)
			return TFA_EINVAL;
		r.s_len = v;
	}
	if (!time_part(&p, &r.t_step) || *p != '\0')
		return TFA_EINVAL;
	*out = r;
	return TFA_OK;
}

/* 1 if @q (length @n) is a well-formed question of format @fmt */
static int question_ok(char fmt, const char *q, size_t n)
{
	size_t i;

	for (i = 0; i < n; i++) {
		unsigned char c = (unsigned char)q[i];

		if ((fmt == 'N' && !is_digit((char)c)) ||
		    (fmt == 'H' && tfa_hexval(c) < 0) ||
		    (fmt == 'A' && (c < 0x21 || c > 0x7e)))
			return 0;
	}
	return 1;
}

/* Q for a numeric question: the number in hex, no leading zero nibbles,
 * left-aligned in @out (zeroed by the caller). */
static void q_numeric(const char *q, size_t n, uint8_t out[Q_BYTES])
{
	uint8_t v[NUM_BYTES];
	size_t i, k = 0;
	unsigned j;

	memset(v, 0, sizeof(v));
	for (i = 0; i < n; i++) {
		unsigned carry = (unsigned)(q[i] - '0');

		for (j = NUM_BYTES; j-- > 0;) {
			unsigned x = v[j] * 10U + carry;

			v[j] = (uint8_t)(x & 0xff);
			carry = x >> 8;
		}
	}
	for (i = 0; i < 2 * NUM_BYTES; i++) {
		unsigned d = (i % 2 == 0) ? (unsigned)(v[i / 2] >> 4) : (unsigned)(v[i / 2] & 0x0f);

		if (k == 0 && d == 0)
			continue;
		out[k / 2] |= (uint8_t)(k % 2 == 0 ? d << 4 : d);
		k++;
	}
	tfa_wipe(v, sizeof(v));
}

static void put_be64(uint8_t *p, uint64_t x)
{
	int i;

	for (i = 7; i >= 0; i--) {
		p[i] = (uint8_t)(x & 0xff);
		x >>= 8;
	}
}

/* 1 if @s is a usable suite: its text parses, to these very fields */
static int suite_ok(const otp_ocra_suite *s)
{
	otp_ocra_suite p;

	if (strnlen(s->text, sizeof(s->text)) == sizeof(s->text) ||
	    otp_ocra_suite_parse(s->text, &p) != TFA_OK)
		return 0;
	return p.alg == s->alg && p.digits == s->digits && p.counter == s->counter &&
	       p.q_fmt == s->q_fmt && p.q_len == s->q_len && p.pin == s->pin &&
	       (!p.pin || p.pin_alg == s->pin_alg) && p.s_len == s->s_len &&
	       p.t_step == s->t_step;
}

TFA_API tfa_rc otp_ocra(const otp_ocra_suite *s, const uint8_t *key, size_t keylen,
			const otp_ocra_input *in, char *out, size_t outlen)
{
	uint8_t di[DI_MAX], mac[EVP_MAX_MD_SIZE];
	unsigned maclen = 0, i;
	tfa_rc rc = TFA_EINVAL;
	size_t n = 0, qn, pl = 0;
	uint64_t bin = 0, mod = 1;
	uint8_t *q;

	memset(di, 0, sizeof(di));
	memset(mac, 0, sizeof(mac));
	if (out != NULL && outlen > 0)
		out[0] = '\0';
	if (s == NULL || key == NULL || in == NULL || out == NULL || keylen == 0 ||
	    keylen > OTP_MAX_SECRET || !suite_ok(s) || s->digits == 0 ||
	    outlen < (size_t)s->digits + 1 || in->question == NULL)
		goto out;
	qn = strnlen(in->question, (size_t)s->q_len + 1);
	if (qn < OCRA_MIN_QUESTION || qn > s->q_len || !question_ok(s->q_fmt, in->question, qn))
		goto out;
	if (s->pin)
		pl = alg_len(s->pin_alg);
	if ((pl > 0 && in->pin_hash == NULL) || (pl == 0 && in->pin_hash != NULL) ||
	    in->pin_hash_len != pl)
		goto out;
	if ((s->s_len > 0 && in->session == NULL) || (s->s_len == 0 && in->session != NULL) ||
	    in->session_len != s->s_len)
		goto out;

	n = strlen(s->text) + 1;        /* the suite and its 0x00 */
	memcpy(di, s->text, n);
	if (s->counter) {
		put_be64(di + n, in->counter);
		n += 8;
	}
	q = di + n;
	switch (s->q_fmt) {
	case 'N':
		q_numeric(in->question, qn, q);
		break;
	case 'H':
		for (i = 0; i < qn; i++)
			q[i / 2] |= (uint8_t)(tfa_hexval((unsigned char)in->question[i]) << (i % 2 == 0 ? 4 : 0));
		break;
	default:
		memcpy(q, in->question, qn);
		break;
	}
	n += Q_BYTES;
	if (pl > 0) {
		memcpy(di + n, in->pin_hash, pl);
		n += pl;
	}
	if (s->s_len > 0) {
		memcpy(di + n, in->session, s->s_len);
		n += s->s_len;
	}
	if (s->t_step > 0) {
		put_be64(di + n, in->timestep);
		n += 8;
	}

	rc = TFA_ECRYPTO;
	if (HMAC(alg_md(s->alg), key, (int)keylen, di, n, mac, &maclen) == NULL ||
	    maclen != alg_len(s->alg))
		goto out;
	i = mac[maclen - 1] & 0x0f;
	bin = ((uint64_t)(mac[i] & 0x7f) << 24) | ((uint64_t)mac[i + 1] << 16) |
	      ((uint64_t)mac[i + 2] << 8) | (uint64_t)mac[i + 3];
	for (i = 0; i < s->digits; i++)
		mod *= 10;
	bin %= mod;
	for (i = s->digits; i-- > 0;) {
		out[i] = (char)('0' + bin % 10);
		bin /= 10;
	}
	out[s->digits] = '\0';
	rc = TFA_OK;
out:
	tfa_wipe(di, sizeof(di));
	tfa_wipe(mac, sizeof(mac));
	tfa_wipe(&bin, sizeof(bin));
	return rc;
}

TFA_API tfa_rc otp_ocra_challenge(const otp_ocra_suite *s, char *out, size_t outlen)
{
	static const char hex[] = "0123456789abcdef";
	static const char alnum[] =
		"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789";
	uint8_t buf[64];
	size_t used = sizeof(buf);
	unsigned n = 0;
	tfa_rc rc = TFA_EINVAL;

	memset(buf, 0, sizeof(buf));
	if (out != NULL && outlen > 0)
		out[0] = '\0';
	if (s == NULL || out == NULL || (s->q_fmt != 'N' && s->q_fmt != 'A' && s->q_fmt != 'H') ||
	    s->q_len < OCRA_MIN_QUESTION || s->q_len > OCRA_MAX_QUESTION ||
	    outlen < (size_t)s->q_len + 1)
		goto out;
	while (n < s->q_len) {
		unsigned b;

		if (used == sizeof(buf)) {
			if (RAND_bytes(buf, (int)sizeof(buf)) != 1) {
				rc = TFA_ECRYPTO;
				goto out;
			}
			used = 0;
		}
		b = buf[used++];
		/* rejection sampling: keep only bytes below a multiple of the
		 * alphabet size, so that every character is equally likely */
		if (s->q_fmt == 'N' && b < 250)
			out[n++] = (char)('0' + b % 10);
		else if (s->q_fmt == 'A' && b < 248)
			out[n++] = alnum[b % 62];
		else if (s->q_fmt == 'H')
			out[n++] = hex[b & 0x0f];
	}
	out[n] = '\0';
	rc = TFA_OK;
out:
	if (rc != TFA_OK && out != NULL && n > 0)
		tfa_wipe(out, n);
	tfa_wipe(buf, sizeof(buf));
	return rc;
}
