/* SPDX-License-Identifier: BSD-2-Clause */
/* bench_users.h - the benchmark users of tfa_bench.c and tfa_resident.c:
 * user number -> name (u0000000 ..) and a secret that is a fixed function
 * of the number, and the HOTP code (RFC 4226, OpenSSL's HMAC-SHA1) of a
 * secret at a counter. Header only (static inline functions). */
#ifndef TFA_BENCH_USERS_H
#define TFA_BENCH_USERS_H

#include <inttypes.h>
#include <stdint.h>
#include <stdio.h>

#include <openssl/evp.h>
#include <openssl/hmac.h>

#define SECRET_LEN 20

static inline uint64_t splitmix(uint64_t *s)
{
	uint64_t z = (*s += 0x9e3779b97f4a7c15ULL);

	z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ULL;
	z = (z ^ (z >> 27)) * 0x94d049bb133111ebULL;
	return z ^ (z >> 31);
}

static inline void user_secret(uint32_t u, uint8_t out[SECRET_LEN])
{
	uint64_t s = 0x7466612d62656e63ULL ^ ((uint64_t)u << 20), v = 0;
	int i;

	for (i = 0; i < SECRET_LEN; i++) {
		if (i % 8 == 0)
			v = splitmix(&s);
		out[i] = (uint8_t)(v >> (8 * (i % 8)));
	}
}

static inline void user_name(uint32_t u, char out[16])
{
	(void)snprintf(out, 16, "u%07" PRIu32, u);
}

static inline int hotp(const uint8_t *key, size_t keylen, uint64_t counter, char out[7])
{
	uint8_t msg[8], mac[EVP_MAX_MD_SIZE];
	unsigned int maclen = 0, off;
	uint32_t bin;
	int i;

	for (i = 7; i >= 0; i--, counter >>= 8)
		msg[i] = (uint8_t)counter;
	if (HMAC(EVP_sha1(), key, (int)keylen, msg, sizeof(msg), mac, &maclen) == NULL ||
	    maclen != 20)
		return -1;
	off = mac[19] & 0x0f;
	bin = ((uint32_t)(mac[off] & 0x7f) << 24) | ((uint32_t)mac[off + 1] << 16) |
	      ((uint32_t)mac[off + 2] << 8) | mac[off + 3];
	(void)snprintf(out, 7, "%06" PRIu32, bin % 1000000u);
	return 0;
}

#endif
