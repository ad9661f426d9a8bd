/* SPDX-License-Identifier: BSD-2-Clause */
/* recovery.c - single-use recovery codes: making, hashing, checking.
 *
 * A code is TFA_RECOVERY_DIGITS random digits. The store keeps, per code, a
 * 16-byte random salt and
 *     hash = PBKDF2-HMAC-SHA256(code, salt || pepper, TFA_RECOVERY_ITER, 32)
 * where pepper = HMAC-SHA256(store key, "twofactor recovery pepper v1") is
 * computed by the backend when the store is opened (tfa_store_pepper). The
 * code space is only 10^8, so the hash alone would not stop brute force of a
 * stolen store; the pepper makes a store copy without the key file useless,
 * and the iterations slow down an attacker who has both.
 *
 * Cost: TFA_RECOVERY_ITER = 10000 iterations. Measured on the development
 * machine (2 vCPU AMD EPYC, OpenSSL 3.0): about 2.3 ms per hash, 22-24 ms
 * for checking 10 codes (the default set; tests/unit/test_recovery prints
 * the figure), well under the 100 ms budget for a login that tries a wrong
 * 8-digit code against a full set. A wrong code is hashed once per unused
 * code of the user, inside the login transaction (which holds the store's
 * write lock meanwhile); a set of 100 costs about 0.25 s.
 */
#include "config.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <openssl/crypto.h>
#include <openssl/evp.h>

#include "audit.h"
#include "recovery.h"
#include "secret.h"
#include "context.h"

static tfa_rc derive(const uint8_t pepper[TFA_PEPPER_LEN], const char *code,
		     const uint8_t salt[TFA_RECOVERY_SALT_LEN], uint8_t out[TFA_RECOVERY_HASH_LEN])
{
	uint8_t s[TFA_RECOVERY_SALT_LEN + TFA_PEPPER_LEN];
	tfa_rc rc = TFA_OK;

	memcpy(s, salt, TFA_RECOVERY_SALT_LEN);
	memcpy(s + TFA_RECOVERY_SALT_LEN, pepper, TFA_PEPPER_LEN);
	if (PKCS5_PBKDF2_HMAC(code, TFA_RECOVERY_DIGITS, s, (int)sizeof(s), TFA_RECOVERY_ITER,
			      EVP_sha256(), TFA_RECOVERY_HASH_LEN, out) != 1)
		rc = TFA_ECRYPTO;
	tfa_wipe(s, sizeof(s));
	return rc;
}

TFA_API tfa_rc tfa_recovery_hash(const uint8_t pepper[TFA_PEPPER_LEN], const char *code,
				 tfa_recovery_rec *rec)
{
	tfa_rc rc;

	memset(rec, 0, sizeof(*rec));
	if (strlen(code) != TFA_RECOVERY_DIGITS)
		return TFA_EINVAL;
	rc = tfa_random_bytes(rec->salt, sizeof(rec->salt));
	if (rc != TFA_OK)
		return rc;
	return derive(pepper, code, rec->salt, rec->hash);
}

TFA_API long tfa_recovery_match(const uint8_t pepper[TFA_PEPPER_LEN],
				const tfa_recovery_rec *recs, size_t n, const char *code,
				tfa_rc *rc)
{
	uint8_t h[TFA_RECOVERY_HASH_LEN];
	long found = -1;
	size_t i;

	*rc = TFA_OK;
	if (strlen(code) != TFA_RECOVERY_DIGITS)
		return -1;
	for (i = 0; i < n && found < 0; i++) {
		if (recs[i].used)
			continue;
		*rc = derive(pepper, code, recs[i].salt, h);
		if (*rc != TFA_OK)
			break;
		if (CRYPTO_memcmp(h, recs[i].hash, sizeof(h)) == 0)
			found = (long)i;
	}
	tfa_wipe(h, sizeof(h));
	return found;
}

TFA_API void tfa_recovery_free(char **codes, unsigned count)
{
	unsigned i;

	if (codes == NULL)
		return;
	for (i = 0; i < count; i++)
		tfa_free_secret(codes[i]);
	free(codes);
}

/* 1 if codes[0..i-1] holds @code already */
static int seen(char *const *codes, unsigned i, const char *code)
{
	unsigned j;

	for (j = 0; j < i; j++)
		if (CRYPTO_memcmp(codes[j], code, TFA_RECOVERY_DIGITS) == 0)
			return 1;
	return 0;
}

static void audit_rec(tfa_audit_rec *a, const char *event, const char *source, unsigned n,
		      const char *what)
{
	memset(a, 0, sizeof(*a));
	(void)snprintf(a->event, sizeof(a->event), "%s", event);
	(void)snprintf(a->detail, sizeof(a->detail), "%s%s%u %s", source,
		       *source != '\0' ? " " : "", n, what);
}

TFA_API tfa_rc tfa_recovery_generate(tfa_ctx *c, const char *user, unsigned count,
				     char ***codes, tfa_err *err)
{
	uint8_t pepper[TFA_PEPPER_LEN];
	tfa_recovery_rec *recs = NULL;
	tfa_audit_rec audit;
	char **arr = NULL;
	unsigned i;
	tfa_rc rc;

	*codes = NULL;
	if (!tfa_user_valid(user))
		return tfa_err_set(err, TFA_EINVAL, "invalid user name");
	if (count < 1 || count > TFA_RECOVERY_MAX)
		return tfa_err_set(err, TFA_EINVAL, "the count must be 1 to %d", TFA_RECOVERY_MAX);
	rc = tfa_store_pepper(c->store, pepper);
	if (rc != TFA_OK) {
		rc = tfa_err_set(err, rc, "cannot derive the recovery pepper");
		goto out;
	}
	arr = calloc(count, sizeof(*arr));
	recs = calloc(count, sizeof(*recs));
	if (arr == NULL || recs == NULL) {
		rc = tfa_err_set(err, TFA_ENOMEM, "out of memory");
		goto out;
	}
	for (i = 0; i < count; i++) {
		arr[i] = calloc(1, TFA_RECOVERY_DIGITS + 1);
		if (arr[i] == NULL) {
			rc = tfa_err_set(err, TFA_ENOMEM, "out of memory");
			goto out;
		}
		do {
			rc = tfa_random_digits(TFA_RECOVERY_DIGITS, arr[i]);
		} while (rc == TFA_OK && seen(arr, i, arr[i]));
		if (rc == TFA_OK)
			rc = tfa_recovery_hash(pepper, arr[i], &recs[i]);
		if (rc != TFA_OK) {
			rc = tfa_err_set(err, rc, "cannot make recovery codes for user %s",
					 tfa_user_esc(user).s);
			goto out;
		}
	}
	audit_rec(&audit, TFA_EV_RECOVERY_NEW, c->source, count, "new recovery codes");
	rc = tfa_store_recovery_replace(c->store, user, recs, count, &audit, err);
out:
	tfa_wipe(pepper, sizeof(pepper));
	if (recs != NULL) {
		tfa_wipe(recs, (size_t)count * sizeof(*recs));
		free(recs);
	}
	if (rc != TFA_OK) {
		tfa_recovery_free(arr, arr != NULL ? count : 0);
		return rc;
	}
	*codes = arr;
	return TFA_OK;
}

TFA_API tfa_rc tfa_recovery_hash_given(tfa_ctx *c, const char *user, const char *const *codes,
					unsigned n, tfa_recovery_rec **out, tfa_err *err)
{
	uint8_t pepper[TFA_PEPPER_LEN];
	char norm[OTP_MAX_DIGITS + 1];
	tfa_recovery_rec *recs = NULL;
	unsigned i;
	tfa_rc rc = TFA_OK;

	*out = NULL;
	if (!tfa_user_valid(user))
		return tfa_err_set(err, TFA_EINVAL, "invalid user name");
	if (n == 0 || n > 10 * TFA_RECOVERY_MAX)
		return tfa_err_set(err, TFA_EINVAL, "1 to %d recovery codes", 10 * TFA_RECOVERY_MAX);
	for (i = 0; i < n; i++) {
		if (codes[i] == NULL || otp_code_parse(codes[i], TFA_RECOVERY_DIGITS, norm) != TFA_OK) {
			tfa_wipe(norm, sizeof(norm));
			return tfa_err_set(err, TFA_EINVAL, "recovery code %u of %u is not %d digits",
					   i + 1, n, TFA_RECOVERY_DIGITS);
		}
	}
	rc = tfa_store_pepper(c->store, pepper);
	if (rc != TFA_OK) {
		rc = tfa_err_set(err, rc, "cannot derive the recovery pepper");
		goto out;
	}
	recs = calloc(n, sizeof(*recs));
	if (recs == NULL) {
		rc = tfa_err_set(err, TFA_ENOMEM, "out of memory");
		goto out;
	}
	for (i = 0; i < n && rc == TFA_OK; i++) {
		(void)otp_code_parse(codes[i], TFA_RECOVERY_DIGITS, norm);
		rc = tfa_recovery_hash(pepper, norm, &recs[i]);
		if (rc != TFA_OK)
			rc = tfa_err_set(err, rc, "cannot hash recovery codes for user %s",
					 tfa_user_esc(user).s);
	}
out:
	tfa_wipe(norm, sizeof(norm));
	tfa_wipe(pepper, sizeof(pepper));
	if (rc != TFA_OK) {
		tfa_recovery_recs_free(recs, n);
		return rc;
	}
	*out = recs;
	return TFA_OK;
}

TFA_API void tfa_recovery_audit(tfa_audit_rec *a, const char *source, unsigned n)
{
	audit_rec(a, TFA_EV_RECOVERY_ADD, source, n, "recovery codes added");
}

TFA_API tfa_rc tfa_recovery_add(tfa_ctx *c, const char *user, const char *const *codes,
				unsigned n, tfa_err *err)
{
	tfa_recovery_rec *recs = NULL;
	tfa_audit_rec audit;
	tfa_rc rc;

	if (n == 0)
		return tfa_user_valid(user) ? TFA_OK :
		       tfa_err_set(err, TFA_EINVAL, "invalid user name");
	rc = tfa_recovery_hash_given(c, user, codes, n, &recs, err);
	if (rc != TFA_OK)
		return rc;
	tfa_recovery_audit(&audit, c->source, n);
	rc = tfa_store_recovery_add(c->store, user, recs, n, &audit, err);
	tfa_recovery_recs_free(recs, n);
	return rc;
}

TFA_API tfa_rc tfa_recovery_count(tfa_ctx *c, const char *user, unsigned *n, tfa_err *err)
{
	*n = 0;
	if (!tfa_user_valid(user))
		return tfa_err_set(err, TFA_EINVAL, "invalid user name");
	return tfa_store_recovery_count(c->store, user, n, err);
}
