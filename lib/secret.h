/* SPDX-License-Identifier: BSD-2-Clause */
/* secret.h - random secrets, base32, and wiping. */
#ifndef TFA_SECRET_H
#define TFA_SECRET_H

#include <stddef.h>
#include <stdint.h>
#include "tfa.h"
#include "records.h"

/** tfa_random_bytes: fill @buf with @len bytes from OpenSSL's RAND_bytes. */
tfa_rc tfa_random_bytes(uint8_t *buf, size_t len);

/** tfa_random_digits: @n (1..16) uniformly random decimal digits into @out
 * (size >= n+1), rejection-sampled from RAND_bytes. */
tfa_rc tfa_random_digits(unsigned n, char *out);

/** tfa_base32_encode: RFC 4648 base32 of @in, upper case, without '='
 * padding, into a new string *@out (free with tfa_free_secret). */
tfa_rc tfa_base32_encode(const uint8_t *in, size_t len, char **out);

/** tfa_base32_decode: decode @in (case-insensitive; spaces, '-' and trailing
 * '=' padding ignored) into a new buffer *@out of *@outlen bytes.
 * TFA_EINVAL for any other character or an impossible length. */
tfa_rc tfa_base32_decode(const char *in, uint8_t **out, size_t *outlen);

/** tfa_hexval: the value of hex digit @c (either case), or -1. */
int tfa_hexval(int c);

/** tfa_wipe: OPENSSL_cleanse @len bytes at @p (NULL is fine). */
void tfa_wipe(void *p, size_t len);

/** tfa_free_secret: wipe then free a NUL-terminated string (NULL is fine). */
void tfa_free_secret(char *s);

/** tfa_token_keys_free: wipe then free an array of @n keys (NULL is fine). */
void tfa_token_keys_free(tfa_token_key *keys, size_t n);

#endif
