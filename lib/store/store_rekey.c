/* SPDX-License-Identifier: BSD-2-Clause */
/* store_rekey.c - the SQLite backend's tfa-admin rekey: every token secret
 * re-encrypted under a new key, the key check replaced and the recovery
 * pepper kept (sealed under the new key), with the audit row, in one
 * transaction. */
#include "config.h"

#include <stdlib.h>
#include <string.h>

#include <openssl/crypto.h>

#include "secret.h"
#include "store_internal.h"

/* one token row: its id, its user (the AAD) and its sealed secret */
typedef struct {
	int64_t id;
	char user[TFA_USER_MAX + 1];
	uint8_t *blob;
	size_t len;
} rekey_row;

static void rows_free(rekey_row *rows, size_t n)
{
	size_t i;

	for (i = 0; i < n; i++)
		free(rows[i].blob);
	free(rows);
}

/* every token row with a secret (a revoked one has been wiped: none), read
 * before any is rewritten */
static tfa_rc rows_load(tfa_store *st, rekey_row **out, size_t *n, tfa_err *err)
{
	sqlite3_stmt *stmt = NULL;
	rekey_row *rows = NULL;
	size_t cap = 0, cnt = 0;
	tfa_rc rc;
	int r;

	rc = tfa_db_prepare(st, "SELECT id, user, secret FROM tokens"
			    " WHERE length(secret) > 0 ORDER BY id", &stmt, err);
	if (rc != TFA_OK)
		return rc;
	while ((r = sqlite3_step(stmt)) == SQLITE_ROW) {
		const char *u = (const char *)sqlite3_column_text(stmt, 1);
		const void *b = sqlite3_column_blob(stmt, 2);
		size_t len = (size_t)sqlite3_column_bytes(stmt, 2);

		rc = tfa_db_grow((void **)&rows, &cap, cnt, sizeof(*rows), 64, err);
		if (rc != TFA_OK)
			goto out;
		rows[cnt].id = sqlite3_column_int64(stmt, 0);
		if (u != NULL && strlen(u) <= TFA_USER_MAX)
			memcpy(rows[cnt].user, u, strlen(u) + 1);
		rows[cnt].blob = malloc(len > 0 ? len : 1);
		if (rows[cnt].blob == NULL) {
			rc = tfa_err_set(err, TFA_ENOMEM, "out of memory");
			goto out;
		}
		if (len > 0)
			memcpy(rows[cnt].blob, b, len);
		rows[cnt].len = len;
		cnt++;
	}
	if (r != SQLITE_DONE)
		rc = tfa_db_err(st, err, "reading the tokens");
out:
	tfa_db_finish(st, stmt);
	if (rc != TFA_OK) {
		rows_free(rows, cnt);
		return rc;
	}
	*out = rows;
	*n = cnt;
	return TFA_OK;
}

/* unseal @row under the current key, seal it under @newkey, write it */
static tfa_rc row_rekey(tfa_store *st, const rekey_row *row, const tfa_key *newkey,
			tfa_err *err)
{
	uint8_t aad[TFA_USER_MAX + 64];
	uint8_t *pt = NULL, *blob = NULL;
	size_t aadlen, ptlen = 0, bloblen = 0;
	sqlite3_stmt *stmt = NULL;
	tfa_rc rc;

	aadlen = tfa_token_aad(row->user, row->id, aad, sizeof(aad));
	if (aadlen == 0)
		return tfa_err_set(err, TFA_ESTORE, "store %s: token %lld has a bad user name",
				   st->path, (long long)row->id);
	rc = tfa_unseal(&st->key, aad, aadlen, row->blob, row->len, &pt, &ptlen);
	if (rc != TFA_OK)
		return tfa_err_set(err, rc == TFA_ENOMEM ? rc : TFA_EKEY,
				   "store %s: the secret of token %lld (user %s) does not decrypt"
				   " with the current key (tampered or moved record?); nothing"
				   " rekeyed", st->path, (long long)row->id,
				   tfa_user_esc(row->user).s);
	rc = tfa_seal(newkey, aad, aadlen, pt, ptlen, &blob, &bloblen);
	if (rc != TFA_OK) {
		rc = tfa_err_set(err, rc, "cannot encrypt the secret of token %lld",
				 (long long)row->id);
		goto out;
	}
	rc = tfa_db_prepare(st, "UPDATE tokens SET secret=?1 WHERE id=?2", &stmt, err);
	if (rc != TFA_OK)
		goto out;
	sqlite3_bind_blob(stmt, 1, blob, (int)bloblen, SQLITE_STATIC);
	sqlite3_bind_int64(stmt, 2, row->id);
	rc = tfa_db_step_done(st, stmt, "writing a re-encrypted secret", err);
	tfa_db_finish(st, stmt);
out:
	tfa_wipe(pt, ptlen);
	free(pt);
	free(blob);
	return rc;
}

static tfa_rc meta_put(tfa_store *st, const char *key, const char *val, tfa_err *err)
{
	sqlite3_stmt *stmt = NULL;
	tfa_rc rc;

	rc = tfa_db_prepare(st, "INSERT OR REPLACE INTO meta(key, value) VALUES(?1, ?2)", &stmt,
			    err);
	if (rc != TFA_OK)
		return rc;
	sqlite3_bind_text(stmt, 1, key, -1, SQLITE_STATIC);
	sqlite3_bind_text(stmt, 2, val, -1, SQLITE_STATIC);
	rc = tfa_db_step_done(st, stmt, "writing store metadata", err);
	tfa_db_finish(st, stmt);
	return rc;
}

/* A read-write connection of tfa-admin (not a login) records the key check
 * sealed under the key it has just checked (meta "key_seal") when the store
 * has none that fits, so that logins prove the key with AES-GCM, not HMAC. Best
 * effort: without it a login checks the HMAC, as before. */
void tfa_db_key_seal_refresh(tfa_store *st, const char *seal)
{
	char *hex = NULL;

	if (seal != NULL && tfa_key_seal_fits(&st->key, seal, st->key_check))
		return;
	if (tfa_key_seal(&st->key, st->key_check, &hex, NULL) != TFA_OK)
		return;
	if (meta_put(st, "key_seal", hex, NULL) != TFA_OK) {
		/* a busy or read-only store keeps the HMAC check: nothing lost */
	}
	free(hex);
}

/* inside the transaction: the store is still ours (a racing rekey has not
 * changed its key since we opened it) */
static tfa_rc still_our_key(tfa_store *st, tfa_err *err)
{
	char have[33], *want = NULL;
	tfa_rc rc;

	rc = tfa_key_check_value(&st->key, have);
	if (rc != TFA_OK)
		return tfa_err_set(err, rc, "cannot compute the key check");
	rc = tfa_db_text(st, "SELECT value FROM meta WHERE key=?1", "key_check", &want,
			 "reading store metadata", err);
	if (rc == TFA_OK && (want == NULL || strlen(want) != 32 ||
			     CRYPTO_memcmp(want, have, 32) != 0))
		rc = tfa_err_set(err, TFA_EKEY, "store %s: its key was changed meanwhile (another"
				 " rekey?); nothing rekeyed", st->path);
	free(want);
	return rc;
}

TFA_API tfa_rc tfa_store_rekey(tfa_store *st, const tfa_key *newkey, const tfa_audit_rec *audit,
			       unsigned *tokens, tfa_err *err)
{
	rekey_row *rows = NULL;
	char check[33], *sealed = NULL, *keyseal = NULL;
	uint8_t pepper[TFA_PEPPER_LEN];
	size_t n = 0, i;
	tfa_rc rc;

	*tokens = 0;
	if (st->readonly)
		return tfa_err_set(err, TFA_EINVAL, "store %s opened read-only", st->path);
	if (CRYPTO_memcmp(newkey->k, st->key.k, TFA_KEY_LEN) == 0)
		return tfa_err_set(err, TFA_EINVAL, "the new key is the current key of store %s",
				   st->path);
	rc = tfa_key_check_value(newkey, check);
	if (rc != TFA_OK)
		return tfa_err_set(err, rc, "cannot compute the key check");
	rc = tfa_store_pepper(st, pepper);
	if (rc != TFA_OK)
		rc = tfa_err_set(err, rc, "cannot derive the recovery pepper");
	if (rc == TFA_OK)
		rc = tfa_pepper_seal(newkey, pepper, &sealed, err);
	if (rc == TFA_OK)
		rc = tfa_key_seal(newkey, check, &keyseal, err);
	if (rc != TFA_OK)
		goto out_free;
	rc = tfa_db_exec(st, "BEGIN IMMEDIATE", err);
	if (rc != TFA_OK)
		goto out_free;
	rc = still_our_key(st, err);
	if (rc == TFA_OK)
		rc = rows_load(st, &rows, &n, err);
	for (i = 0; rc == TFA_OK && i < n; i++)
		rc = row_rekey(st, &rows[i], newkey, err);
	if (rc == TFA_OK)
		rc = meta_put(st, "key_check", check, err);
	if (rc == TFA_OK)
		rc = meta_put(st, "key_seal", keyseal, err);
	if (rc == TFA_OK)
		rc = meta_put(st, "pepper", sealed, err);
	if (rc == TFA_OK && audit != NULL && audit->event[0] != '\0')
		rc = tfa_db_audit_insert(st, NULL, audit->event, audit->detail, err);
	rc = tfa_db_txn_end(st, rc, err);
	if (rc == TFA_OK) {
		/* this handle goes on with the new key; the pepper is kept */
		memcpy(st->key.k, newkey->k, TFA_KEY_LEN);
		memcpy(st->pepper, pepper, TFA_PEPPER_LEN);
		st->pepper_derive = 0;
		*tokens = (unsigned)n;
	}
out_free:
	rows_free(rows, n);
	free(sealed);
	free(keyseal);
	tfa_wipe(pepper, sizeof(pepper));
	return rc;
}
