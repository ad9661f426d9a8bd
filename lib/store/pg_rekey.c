/* SPDX-License-Identifier: BSD-2-Clause */
/* pg_rekey.c - the PostgreSQL backend's tfa-admin rekey (store.h
 * tfa_store_rekey): every token secret re-encrypted under the new key, the
 * key check replaced and the recovery pepper kept (sealed under the new
 * key), with the audit row, in one transaction that holds the tokens
 * against writes from other hosts meanwhile. */
#include "config.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <openssl/crypto.h>

#include "pg_internal.h"
#include "secret.h"

/* row @i of @r (id, user, secret) re-encrypted under @newkey */
static tfa_rc row_rekey(tfa_pg *pg, const PGresult *r, int i, const tfa_key *newkey,
			tfa_err *err)
{
	uint8_t aad[TFA_USER_MAX + 64];
	char user[TFA_USER_MAX + 1];
	unsigned char *old = NULL;
	uint8_t *pt = NULL, *blob = NULL;
	size_t aadlen, oldlen = 0, ptlen = 0, bloblen = 0;
	tfa_pg_params p = { 0 };
	int64_t id = tfa_pg_int(r, i, 0);
	tfa_rc rc;

	tfa_pg_str(r, i, 1, user, sizeof(user));
	aadlen = tfa_token_aad(user, id, aad, sizeof(aad));
	old = PQunescapeBytea((const unsigned char *)PQgetvalue(r, i, 2), &oldlen);
	if (aadlen == 0 || old == NULL)
		return tfa_err_set(err, old == NULL ? TFA_ENOMEM : TFA_ESTORE,
				   "store %s: cannot read token %lld", pg->uri, (long long)id);
	rc = tfa_unseal(&pg->key, aad, aadlen, old, oldlen, &pt, &ptlen);
	PQfreemem(old);
	if (rc != TFA_OK)
		return tfa_err_set(err, rc == TFA_ENOMEM ? rc : TFA_EKEY,
				   "store %s: the secret of token %lld (user %s) does not decrypt"
				   " with the current key (tampered or moved record?); nothing"
				   " rekeyed", pg->uri, (long long)id, tfa_user_esc(user).s);
	rc = tfa_seal(newkey, aad, aadlen, pt, ptlen, &blob, &bloblen);
	if (rc != TFA_OK) {
		rc = tfa_err_set(err, rc, "cannot encrypt the secret of token %lld", (long long)id);
		goto out;
	}
	tfa_pg_p_bin(&p, blob, bloblen);
	tfa_pg_p_int(&p, id);
	rc = tfa_pg_exec(pg, "UPDATE tokens SET secret=$1 WHERE id=$2", &p, NULL,
			 "writing a re-encrypted secret", err);
out:
	tfa_wipe(pt, ptlen);
	free(pt);
	free(blob);
	return rc;
}

/* inside the transaction: the key check is still our key's (locked) */
static tfa_rc still_our_key(tfa_pg *pg, tfa_err *err)
{
	char have[33];
	PGresult *r = NULL;
	tfa_rc rc;

	rc = tfa_key_check_value(&pg->key, have);
	if (rc != TFA_OK)
		return tfa_err_set(err, rc, "cannot compute the key check");
	rc = tfa_pg_exec(pg, "SELECT value FROM meta WHERE key='key_check' FOR UPDATE", NULL,
			 &r, "reading store metadata", err);
	if (rc == TFA_OK && (PQntuples(r) < 1 || strlen(PQgetvalue(r, 0, 0)) != 32 ||
			     CRYPTO_memcmp(PQgetvalue(r, 0, 0), have, 32) != 0))
		rc = tfa_err_set(err, TFA_EKEY, "store %s: its key was changed meanwhile (another"
				 " rekey?); nothing rekeyed", pg->uri);
	PQclear(r);
	return rc;
}

static tfa_rc meta_put(tfa_pg *pg, const char *key, const char *val, tfa_err *err)
{
	tfa_pg_params p = { 0 };

	tfa_pg_p_text(&p, key);
	tfa_pg_p_text(&p, val);
	return tfa_pg_exec(pg, "INSERT INTO meta(key, value) VALUES($1, $2)"
			   " ON CONFLICT (key) DO UPDATE SET value=EXCLUDED.value", &p, NULL,
			   "writing store metadata", err);
}

tfa_rc tfa_pg_rekey(tfa_store *st, const tfa_key *newkey, const tfa_audit_rec *audit,
		    unsigned *tokens, tfa_err *err)
{
	tfa_pg *pg = tfa_pg_of(st);
	char check[33], *sealed = NULL;
	PGresult *r = NULL;
	int i, n = 0;
	tfa_rc rc;

	*tokens = 0;
	if (CRYPTO_memcmp(newkey->k, pg->key.k, TFA_KEY_LEN) == 0)
		return tfa_err_set(err, TFA_EINVAL, "the new key is the current key of store %s",
				   pg->uri);
	rc = tfa_key_check_value(newkey, check);
	if (rc != TFA_OK)
		return tfa_err_set(err, rc, "cannot compute the key check");
	rc = tfa_pepper_seal(newkey, pg->pepper, &sealed, err);
	if (rc != TFA_OK)
		return rc;
	rc = tfa_pg_begin(pg, err);
	if (rc != TFA_OK)
		goto out;
	rc = still_our_key(pg, err);
	/* no host adds or changes a token meanwhile; logins wait, reads go on */
	if (rc == TFA_OK)
		rc = tfa_pg_exec(pg, "LOCK TABLE tokens IN SHARE ROW EXCLUSIVE MODE", NULL, NULL,
				 "locking the tokens", err);
	if (rc == TFA_OK)
		rc = tfa_pg_exec(pg, "SELECT id, \"user\", secret FROM tokens"
				 " WHERE length(secret) > 0 ORDER BY id", NULL,
				 &r, "reading the tokens", err);
	if (rc == TFA_OK)
		n = PQntuples(r);
	for (i = 0; rc == TFA_OK && i < n; i++)
		rc = row_rekey(pg, r, i, newkey, err);
	if (rc == TFA_OK)
		rc = meta_put(pg, "key_check", check, err);
	if (rc == TFA_OK)
		rc = meta_put(pg, "pepper", sealed, err);
	if (rc == TFA_OK)
		rc = tfa_pg_audit_rec(pg, NULL, audit, err);
	rc = tfa_pg_end(pg, rc, err);
	if (rc == TFA_OK) {
		memcpy(pg->key.k, newkey->k, TFA_KEY_LEN);
		*tokens = (unsigned)n;
	}
out:
	PQclear(r);
	free(sealed);
	return rc;
}
