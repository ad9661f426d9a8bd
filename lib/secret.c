/* SPDX-License-Identifier: BSD-2-Clause */
/* secret.c - random secrets, base32 (RFC 4648), and wiping.
 *
 * Base32 is written by hand rather than with liboath's oath_base32_*, so that
 * the accepted syntax is exactly ours:
 *   - encode: upper case alphabet A-Z 2-7, no '=' padding;
 *   - decode: letters in either case and digits 2-7; ' ' and '-' anywhere
 *     are ignored (they group secrets typed by hand); '=' is accepted only as
 *     trailing padding (nothing but '=', ' ' or '-' may follow the first
 *     '='); any other byte is TFA_EINVAL. After removing the ignored bytes
 *     the number of symbols modulo 8 must be 0, 2, 4, 5 or 7 (1, 3 and 6
 *     cannot come from whole bytes). The unused low bits of the last symbol
 *     are not checked, as most encoders and apps do not either. Empty input
 *     (no symbols at all) is TFA_EINVAL: every caller decodes a key.
 */
#include "config.h"

#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include <openssl/crypto.h>
#include <openssl/rand.h>

#include "secret.h"

#define DIGITS_MAX 16
#define RAND_CHUNK 32

static const char b32_alphabet[] = "ABCDEFGHIJKLMNOPQRSTUVWXYZ234567";

TFA_API tfa_rc tfa_random_bytes(uint8_t *buf, size_t len)
{
	if (buf == NULL && len != 0)
		return TFA_EINVAL;
	while (len > 0) {
		/* RAND_bytes takes an int length */
		int chunk = len > 65536 ? 65536 : (int)len;

		if (RAND_bytes(buf, chunk) != 1)
			return TFA_ECRYPTO;
		buf += chunk;
		len -= (size_t)chunk;
	}
	return TFA_OK;
}

TFA_API tfa_rc tfa_random_digits(unsigned n, char *out)
{
	uint8_t pool[RAND_CHUNK];
	size_t avail = 0;
	unsigned i = 0;
	tfa_rc rc = TFA_EINVAL;

	if (out == NULL || n == 0 || n > DIGITS_MAX)
		goto out;
	while (i < n) {
		uint8_t b;

		if (avail == 0) {
			rc = tfa_random_bytes(pool, sizeof(pool));
			if (rc != TFA_OK)
				goto out;
			avail = sizeof(pool);
		}
		b = pool[--avail];
		pool[avail] = 0;
		/* 250 = 25 * 10: accept 0..249 so that b % 10 is uniform */
		if (b >= 250)
			continue;
		out[i++] = (char)('0' + b % 10);
	}
	out[n] = '\0';
	rc = TFA_OK;
out:
	OPENSSL_cleanse(pool, sizeof(pool));
	if (rc != TFA_OK && out != NULL && n > 0 && n <= DIGITS_MAX)
		OPENSSL_cleanse(out, n + 1);
	return rc;
}

TFA_API tfa_rc tfa_base32_encode(const uint8_t *in, size_t len, char **out)
{
	char *s = NULL;
	size_t olen, i, o = 0;
	uint32_t acc = 0;
	unsigned bits = 0;

	if (out == NULL)
		return TFA_EINVAL;
	*out = NULL;
	if (in == NULL && len != 0)
		return TFA_EINVAL;
	if (len > (SIZE_MAX - 8) / 8)
		return TFA_EINVAL;
	olen = (len * 8 + 4) / 5;
	s = malloc(olen + 1);
	if (s == NULL)
		return TFA_ENOMEM;
	for (i = 0; i < len; i++) {
		acc = (acc << 8) | in[i];
		bits += 8;
		while (bits >= 5) {
			bits -= 5;
			s[o++] = b32_alphabet[(acc >> bits) & 0x1f];
		}
		acc &= (1u << bits) - 1;
	}
	if (bits > 0)
		s[o++] = b32_alphabet[(acc << (5 - bits)) & 0x1f];
	s[o] = '\0';
	acc = 0;
	OPENSSL_cleanse(&acc, sizeof(acc));
	*out = s;
	return TFA_OK;
}

/* b32_value: the 5-bit value of a base32 symbol, -1 if not one. */
static int b32_value(unsigned char ch)
{
	if (ch >= 'A' && ch <= 'Z')
		return ch - 'A';
	if (ch >= 'a' && ch <= 'z')
		return ch - 'a';
	if (ch >= '2' && ch <= '7')
		return ch - '2' + 26;
	return -1;
}

TFA_API tfa_rc tfa_base32_decode(const char *in, uint8_t **out, size_t *outlen)
{
	uint8_t *buf = NULL;
	size_t i, nsym = 0, cap = 0, o = 0;
	uint32_t acc = 0;
	unsigned bits = 0;
	int padding = 0;
	tfa_rc rc = TFA_EINVAL;

	if (out != NULL)
		*out = NULL;
	if (outlen != NULL)
		*outlen = 0;
	if (in == NULL || out == NULL || outlen == NULL)
		goto out;
	/* first pass: syntax and the number of symbols */
	for (i = 0; in[i] != '\0'; i++) {
		unsigned char ch = (unsigned char)in[i];

		if (ch == ' ' || ch == '-')
			continue;
		if (ch == '=') {
			padding = 1;
			continue;
		}
		if (padding || b32_value(ch) < 0)
			goto out;
		nsym++;
	}
	switch (nsym % 8) {
	case 1: case 3: case 6:
		goto out;
	default:
		break;
	}
	if (nsym == 0)
		goto out;
	cap = nsym * 5 / 8;
	rc = TFA_ENOMEM;
	buf = malloc(cap);
	if (buf == NULL)
		goto out;
	for (i = 0; in[i] != '\0'; i++) {
		int v = b32_value((unsigned char)in[i]);

		if (v < 0)
			continue;
		acc = (acc << 5) | (uint32_t)v;
		bits += 5;
		if (bits >= 8) {
			bits -= 8;
			buf[o++] = (uint8_t)(acc >> bits);
			acc &= (1u << bits) - 1;
		}
	}
	if (o != cap) {	/* cannot happen: the counts above agree */
		rc = TFA_EINVAL;
		goto out;
	}
	*out = buf;
	*outlen = o;
	buf = NULL;
	rc = TFA_OK;
out:
	OPENSSL_cleanse(&acc, sizeof(acc));
	if (buf != NULL) {
		OPENSSL_cleanse(buf, cap);
		free(buf);
	}
	return rc;
}

TFA_API void tfa_wipe(void *p, size_t len)
{
	if (p != NULL && len > 0)
		OPENSSL_cleanse(p, len);
}

TFA_API void tfa_free_secret(char *s)
{
	if (s == NULL)
		return;
	OPENSSL_cleanse(s, strlen(s));
	free(s);
}

TFA_API void tfa_token_keys_free(tfa_token_key *keys, size_t n)
{
	if (keys == NULL)
		return;
	OPENSSL_cleanse(keys, n * sizeof(*keys));
	free(keys);
}

TFA_API int tfa_hexval(int c)
{
	if (c >= '0' && c <= '9')
		return c - '0';
	if (c >= 'a' && c <= 'f')
		return c - 'a' + 10;
	if (c >= 'A' && c <= 'F')
		return c - 'A' + 10;
	return -1;
}
