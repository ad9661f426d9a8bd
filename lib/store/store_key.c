/* SPDX-License-Identifier: BSD-2-Clause */
/* store_key.c - the values both backends derive from the store key: the
 * key check in meta "key_check" (and, SQLite, the same check sealed under
 * the key in meta "key_seal", so that a login proves its key with the
 * AES-GCM it needs anyway instead of an HMAC), and the recovery pepper (also the root
 * of the challenge and RADIUS State keys). The pepper is derived from the
 * key until the first tfa-admin rekey, which keeps it (so recovery codes
 * and pending challenges stay valid) by sealing it under the new key in
 * meta "pepper". */
#include "config.h"

#include <stdlib.h>
#include <string.h>

#include <openssl/crypto.h>
#include <openssl/evp.h>
#include <openssl/hmac.h>

#include "crypto.h"
#include "secret.h"
#include "store_backend.h"

static const char hexdig[] = "0123456789abcdef";
/* binds the sealed pepper to its purpose: no token AAD can equal it */
static const uint8_t pepper_aad[] = "tfa-pepper v1";
/* binds the sealed key check (meta "key_seal") to its purpose */
static const uint8_t keyseal_aad[] = "tfa-key-check v2";

/* @hex (at most sizeof(blob) bytes once decoded) into @blob; -1 if it is not
 * an even number of hex digits or too long */
static long hex_decode(const char *hex, uint8_t *blob, size_t cap)
{
	size_t len = strlen(hex), i;

	if (len % 2 != 0 || len / 2 > cap)
		return -1;
	for (i = 0; i < len / 2; i++) {
		int hi = tfa_hexval(hex[2 * i]), lo = tfa_hexval(hex[2 * i + 1]);

		if (hi < 0 || lo < 0)
			return -1;
		blob[i] = (uint8_t)(hi << 4 | lo);
	}
	return (long)(len / 2);
}

static char *hex_encode(const uint8_t *blob, size_t len)
{
	char *s = malloc(2 * len + 1);
	size_t i;

	if (s == NULL)
		return NULL;
	for (i = 0; i < len; i++) {
		s[2 * i] = hexdig[blob[i] >> 4];
		s[2 * i + 1] = hexdig[blob[i] & 0xf];
	}
	s[2 * len] = '\0';
	return s;
}

tfa_rc tfa_key_check_value(const tfa_key *key, char out[33])
{
	static const char label[] = "twofactor key check v1";
	unsigned char mac[EVP_MAX_MD_SIZE];
	unsigned int maclen = 0;
	int i;

	if (HMAC(EVP_sha256(), key->k, TFA_KEY_LEN, (const unsigned char *)label,
		 sizeof(label) - 1, mac, &maclen) == NULL || maclen < 16)
		return TFA_ECRYPTO;
	for (i = 0; i < 16; i++) {
		out[2 * i] = hexdig[mac[i] >> 4];
		out[2 * i + 1] = hexdig[mac[i] & 0xf];
	}
	out[32] = '\0';
	return TFA_OK;
}

tfa_rc tfa_key_pick(const char *keyfile, const char *next, const char *want, const char *store,
		    tfa_key *key, int *absent, tfa_err *err)
{
	char have[33];
	tfa_key alt;
	tfa_rc rc;

	rc = tfa_key_load(keyfile, 0, key, absent, err);
	if (rc != TFA_OK)
		return rc;
	if (tfa_key_check_value(key, have) != TFA_OK)
		return tfa_err_set(err, TFA_ECRYPTO, "cannot check key file %s", keyfile);
	if (CRYPTO_memcmp(want, have, 32) == 0)
		return TFA_OK;
	if (next == NULL || next[0] == '\0')
		return tfa_err_set(err, TFA_EKEY, "key file %s is not the key of store %s (wrong"
				   " key file?)", keyfile, store);
	memset(&alt, 0, sizeof(alt));
	rc = tfa_key_load(next, 0, &alt, NULL, err);
	if (rc != TFA_OK)
		goto out;
	if (tfa_key_check_value(&alt, have) != TFA_OK) {
		rc = tfa_err_set(err, TFA_ECRYPTO, "cannot check key file %s", next);
		goto out;
	}
	if (CRYPTO_memcmp(want, have, 32) != 0) {
		rc = tfa_err_set(err, TFA_EKEY, "neither key file %s nor %s (the next key) is the"
				 " key of store %s (wrong key files?)", keyfile, next, store);
		goto out;
	}
	tfa_wipe(key, sizeof(*key));
	memcpy(key, &alt, sizeof(*key));
out:
	tfa_wipe(&alt, sizeof(alt));
	return rc;
}

tfa_rc tfa_pepper_derive(const tfa_key *key, uint8_t pepper[TFA_PEPPER_LEN], tfa_err *err)
{
	static const char label[] = "twofactor recovery pepper v1";
	unsigned int maclen = 0;

	if (HMAC(EVP_sha256(), key->k, TFA_KEY_LEN, (const unsigned char *)label,
		 sizeof(label) - 1, pepper, &maclen) == NULL || maclen != TFA_PEPPER_LEN)
		return tfa_err_set(err, TFA_ECRYPTO, "cannot derive the recovery pepper");
	return TFA_OK;
}

tfa_rc tfa_pepper_seal(const tfa_key *key, const uint8_t pepper[TFA_PEPPER_LEN], char **hex,
		       tfa_err *err)
{
	uint8_t *blob = NULL;
	size_t len = 0;
	char *s = NULL;
	tfa_rc rc;

	*hex = NULL;
	rc = tfa_seal(key, pepper_aad, sizeof(pepper_aad) - 1, pepper, TFA_PEPPER_LEN, &blob,
		      &len);
	if (rc != TFA_OK)
		return tfa_err_set(err, rc, "cannot seal the recovery pepper under the new key");
	s = hex_encode(blob, len);
	if (s == NULL) {
		rc = tfa_err_set(err, TFA_ENOMEM, "out of memory");
		goto out;
	}
	*hex = s;
out:
	free(blob);
	return rc;
}

tfa_rc tfa_pepper_unseal(const tfa_key *key, const char *hex, const char *store,
			 uint8_t pepper[TFA_PEPPER_LEN], tfa_err *err)
{
	uint8_t blob[128];
	uint8_t *pt = NULL;
	size_t ptlen = 0;
	long n = hex_decode(hex, blob, sizeof(blob));
	tfa_rc rc = TFA_OK;

	if (n < 0)
		return tfa_err_set(err, TFA_ESTORE, "store %s: the sealed recovery pepper in meta"
				   " is malformed", store);
	rc = tfa_unseal(key, pepper_aad, sizeof(pepper_aad) - 1, blob, (size_t)n, &pt, &ptlen);
	if (rc == TFA_OK && ptlen != TFA_PEPPER_LEN)
		rc = TFA_EKEY;
	if (rc != TFA_OK) {
		rc = tfa_err_set(err, rc == TFA_ENOMEM ? rc : TFA_EKEY, "store %s: the sealed"
				 " recovery pepper does not decrypt with this key (tampered?)",
				 store);
		goto out;
	}
	memcpy(pepper, pt, TFA_PEPPER_LEN);
out:
	if (pt != NULL) {
		tfa_wipe(pt, ptlen);
		free(pt);
	}
	return rc;
}

tfa_rc tfa_key_seal(const tfa_key *key, const char check[33], char **hex, tfa_err *err)
{
	uint8_t *blob = NULL;
	size_t len = 0;
	tfa_rc rc;

	*hex = NULL;
	rc = tfa_seal(key, keyseal_aad, sizeof(keyseal_aad) - 1, (const uint8_t *)check, 32,
		      &blob, &len);
	if (rc != TFA_OK)
		return tfa_err_set(err, rc, "cannot seal the key check");
	*hex = hex_encode(blob, len);
	free(blob);
	return *hex != NULL ? TFA_OK : tfa_err_set(err, TFA_ENOMEM, "out of memory");
}

int tfa_key_seal_fits(const tfa_key *key, const char *hex, const char *want)
{
	uint8_t blob[128];
	uint8_t *pt = NULL;
	size_t ptlen = 0;
	long n = hex_decode(hex, blob, sizeof(blob));
	int ok = 0;

	if (n < 0 || tfa_unseal(key, keyseal_aad, sizeof(keyseal_aad) - 1, blob, (size_t)n, &pt,
				&ptlen) != TFA_OK)
		return 0;
	ok = ptlen == 32 && CRYPTO_memcmp(pt, want, 32) == 0;
	tfa_wipe(pt, ptlen);
	free(pt);
	return ok;
}

tfa_rc tfa_key_pick_sealed(const char *keyfile, const char *next, const char *want,
			   const char *sealed, const char *store, tfa_key *key, int *absent,
			   tfa_err *err)
{
	tfa_key alt;
	tfa_rc rc;

	if (sealed == NULL)
		return tfa_key_pick(keyfile, next, want, store, key, absent, err);
	memset(&alt, 0, sizeof(alt));
	rc = tfa_key_load(keyfile, 0, key, absent, err);
	if (rc != TFA_OK)
		return rc;
	if (tfa_key_seal_fits(key, sealed, want))
		return TFA_OK;
	if (next != NULL && next[0] != '\0' && tfa_key_load(next, 0, &alt, NULL, NULL) == TFA_OK &&
	    tfa_key_seal_fits(&alt, sealed, want)) {
		tfa_wipe(key, sizeof(*key));
		memcpy(key, &alt, sizeof(*key));
		tfa_wipe(&alt, sizeof(alt));
		return TFA_OK;
	}
	tfa_wipe(&alt, sizeof(alt));
	tfa_wipe(key, sizeof(*key));
	/* no or a stale seal (a rekey by an older tfa-admin), or the wrong key:
	 * the HMAC check decides, and names the files when neither key fits */
	return tfa_key_pick(keyfile, next, want, store, key, absent, err);
}
