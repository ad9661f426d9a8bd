/* SPDX-License-Identifier: BSD-2-Clause */
/* store_key.c - the values both backends derive from the store key: the
 * key check in meta "key_check", and the recovery pepper (also the root
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
	size_t len = 0, i;
	char *s = NULL;
	tfa_rc rc;

	*hex = NULL;
	rc = tfa_seal(key, pepper_aad, sizeof(pepper_aad) - 1, pepper, TFA_PEPPER_LEN, &blob,
		      &len);
	if (rc != TFA_OK)
		return tfa_err_set(err, rc, "cannot seal the recovery pepper under the new key");
	s = malloc(2 * len + 1);
	if (s == NULL) {
		rc = tfa_err_set(err, TFA_ENOMEM, "out of memory");
		goto out;
	}
	for (i = 0; i < len; i++) {
		s[2 * i] = hexdig[blob[i] >> 4];
		s[2 * i + 1] = hexdig[blob[i] & 0xf];
	}
	s[2 * len] = '\0';
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
	size_t len = strlen(hex), i, ptlen = 0;
	tfa_rc rc = TFA_OK;

	if (len % 2 != 0 || len / 2 > sizeof(blob))
		return tfa_err_set(err, TFA_ESTORE, "store %s: the sealed recovery pepper in meta"
				   " is malformed", store);
	for (i = 0; i < len / 2; i++) {
		int hi = tfa_hexval(hex[2 * i]), lo = tfa_hexval(hex[2 * i + 1]);

		if (hi < 0 || lo < 0)
			return tfa_err_set(err, TFA_ESTORE, "store %s: the sealed recovery pepper"
					   " in meta is malformed", store);
		blob[i] = (uint8_t)(hi << 4 | lo);
	}
	rc = tfa_unseal(key, pepper_aad, sizeof(pepper_aad) - 1, blob, len / 2, &pt, &ptlen);
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
