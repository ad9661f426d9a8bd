/* SPDX-License-Identifier: BSD-2-Clause */
/* store_token.c - the SQLite backend: tokens, reset, and the one atomic
 * read-modify-write of a user that logins go through. */
#include "config.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <openssl/crypto.h>

#include "secret.h"
#include "store_internal.h"

static tfa_rc seal_secret(tfa_store *st, const tfa_token *tok, const tfa_token_key *key,
			  uint8_t **blob, size_t *bloblen, tfa_err *err)
{
	uint8_t aad[TFA_USER_MAX + 64];
	size_t aadlen = tfa_token_aad(tok->user, tok->id, aad, sizeof(aad));
	tfa_rc rc;

	if (aadlen == 0)
		return tfa_err_set(err, TFA_EINVAL, "user name too long");
	rc = tfa_seal(&st->key, aad, aadlen, key->bytes, key->len, blob, bloblen);
	if (rc != TFA_OK)
		return tfa_err_set(err, rc, "cannot encrypt the secret of user %s",
				   tfa_user_esc(tok->user).s);
	return TFA_OK;
}

tfa_rc tfa_db_token_from_row(tfa_store *st, sqlite3_stmt *stmt, tfa_token *t,
			     tfa_token_key *key, tfa_err *err)
{
	const char *s;
	uint8_t aad[TFA_USER_MAX + 64];
	uint8_t *pt = NULL;
	size_t aadlen, ptlen = 0;
	tfa_rc rc;

	memset(t, 0, sizeof(*t));
	t->id = sqlite3_column_int64(stmt, 0);
	s = (const char *)sqlite3_column_text(stmt, 1);
	(void)snprintf(t->user, sizeof(t->user), "%s", s != NULL ? s : "");
	t->type = (tfa_token_type)sqlite3_column_int(stmt, 2);
	t->state = (tfa_token_state)sqlite3_column_int(stmt, 3);
	t->alg = (otp_alg)sqlite3_column_int(stmt, 4);
	t->digits = (unsigned)sqlite3_column_int(stmt, 5);
	t->period = (unsigned)sqlite3_column_int(stmt, 6);
	t->counter = (uint64_t)sqlite3_column_int64(stmt, 7);
	t->last_step = sqlite3_column_int64(stmt, 8);
	t->drift = sqlite3_column_int64(stmt, 9);
	s = (const char *)sqlite3_column_text(stmt, 10);
	(void)snprintf(t->serial, sizeof(t->serial), "%s", s != NULL ? s : "");
	t->created = sqlite3_column_int64(stmt, 11);
	t->last_used = sqlite3_column_int64(stmt, 12);
	s = (const char *)sqlite3_column_text(stmt, 14);
	(void)snprintf(t->phone, sizeof(t->phone), "%s", s != NULL ? s : "");
	s = (const char *)sqlite3_column_text(stmt, 15);
	(void)snprintf(t->suite, sizeof(t->suite), "%s", s != NULL ? s : "");
	if (key == NULL)
		return TFA_OK;
	memset(key, 0, sizeof(*key));
	aadlen = tfa_token_aad(t->user, t->id, aad, sizeof(aad));
	rc = tfa_unseal(&st->key, aad, aadlen, sqlite3_column_blob(stmt, 13),
			(size_t)sqlite3_column_bytes(stmt, 13), &pt, &ptlen);
	if (rc != TFA_OK)
		return tfa_err_set(err, rc == TFA_ENOMEM ? rc : TFA_EKEY,
				   "store %s: the secret of token %lld (user %s) does not decrypt"
				   " with this key (tampered or moved record?)",
				   st->path, (long long)t->id, t->user);
	/* an sms token has no shared secret */
	if ((ptlen == 0 && t->type != TFA_TOKEN_SMS) || ptlen > sizeof(key->bytes)) {
		rc = tfa_err_set(err, TFA_ESTORE, "store %s: token %lld has a bad secret length",
				 st->path, (long long)t->id);
	} else if (ptlen > 0) {
		memcpy(key->bytes, pt, ptlen);
		key->len = ptlen;
	}
	tfa_wipe(pt, ptlen);
	free(pt);
	return rc;
}

/* Keys grow with their tokens, by hand: a realloc would leave a copy of
 * the old keys unwiped. */
static tfa_rc grow_keys(tfa_token_key **keys, size_t *cap, size_t cnt, tfa_err *err)
{
	size_t ncap = *cap == 0 ? 4 : *cap * 2;
	tfa_token_key *k;

	if (cnt < *cap)
		return TFA_OK;
	k = calloc(ncap, sizeof(*k));
	if (k == NULL)
		return tfa_err_set(err, TFA_ENOMEM, "out of memory");
	if (*keys != NULL)
		memcpy(k, *keys, cnt * sizeof(*k));
	tfa_token_keys_free(*keys, *cap);
	*keys = k;
	*cap = ncap;
	return TFA_OK;
}

tfa_rc tfa_db_tokens_load(tfa_store *st, const char *sql, const char *user, tfa_token **toks,
			  size_t *n, tfa_token_key **keys, tfa_err *err)
{
	sqlite3_stmt *stmt = NULL;
	tfa_token *arr = NULL;
	tfa_token_key *karr = NULL;
	size_t cap = 0, kcap = 0, cnt = 0;
	tfa_rc rc;
	int r;

	*toks = NULL;
	*n = 0;
	if (keys != NULL)
		*keys = NULL;
	rc = tfa_db_prepare(st, sql, &stmt, err);
	if (rc != TFA_OK)
		return rc;
	sqlite3_bind_text(stmt, 1, user, -1, SQLITE_STATIC);
	while ((r = sqlite3_step(stmt)) == SQLITE_ROW) {
		rc = tfa_db_grow((void **)&arr, &cap, cnt, sizeof(*arr), 4, err);
		if (rc == TFA_OK && keys != NULL)
			rc = grow_keys(&karr, &kcap, cnt, err);
		if (rc != TFA_OK)
			goto out;
		rc = tfa_db_token_from_row(st, stmt, &arr[cnt], keys != NULL ? &karr[cnt] : NULL,
					   err);
		cnt++;
		if (rc != TFA_OK)
			goto out;
	}
	if (r != SQLITE_DONE)
		rc = tfa_db_err(st, err, "reading tokens");
out:
	tfa_db_finish(st, stmt);
	if (rc != TFA_OK) {
		tfa_tokens_free(arr, cnt);
		tfa_token_keys_free(karr, kcap);
		return rc;
	}
	*toks = arr;
	*n = cnt;
	if (keys != NULL)
		*keys = karr;
	return TFA_OK;
}

/* Load the user's non-revoked tokens (with @keys not NULL, their keys). */
static tfa_rc load_tokens(tfa_store *st, const char *user, tfa_token **toks, size_t *n,
			  tfa_token_key **keys, tfa_err *err)
{
	return tfa_db_tokens_load(st, "SELECT " TFA_DB_TOKEN_COLS " FROM tokens WHERE user=?1"
				  " AND state<>2 ORDER BY id", user, toks, n, keys, err);
}

TFA_API void tfa_tokens_free(tfa_token *toks, size_t n)
{
	if (toks == NULL)
		return;
	tfa_wipe(toks, n * sizeof(*toks));
	free(toks);
}

TFA_API tfa_rc tfa_store_token_list(tfa_store *st, const char *user, tfa_token **toks,
				    size_t *n, tfa_token_key **keys, tfa_err *err)
{
	return load_tokens(st, user, toks, n, keys, err);
}

tfa_rc tfa_db_secret_taken_stmt(tfa_store *st, sqlite3_stmt *stmt, const tfa_token *tok,
				const tfa_token_key *key, tfa_err *err)
{
	tfa_token t;
	tfa_token_key k;
	tfa_rc rc = TFA_OK;
	int r, same;

	if (key == NULL || key->len == 0)
		return TFA_OK;     /* an sms token has no shared secret */
	while ((r = sqlite3_step(stmt)) == SQLITE_ROW) {
		rc = tfa_db_token_from_row(st, stmt, &t, &k, err);
		if (rc != TFA_OK)
			break;
		same = t.id != tok->id && k.len == key->len &&
		       CRYPTO_memcmp(k.bytes, key->bytes, key->len) == 0;
		tfa_wipe(&k, sizeof(k));
		if (same) {
			rc = tfa_err_set(err, TFA_EEXIST, "user %s already has token %lld with this"
					 " secret (the same token imported or added twice?);"
					 " not adding it again", tok->user,
					 (long long)sqlite3_column_int64(stmt, 0));
			break;
		}
	}
	tfa_wipe(&k, sizeof(k));
	if (rc == TFA_OK && r != SQLITE_DONE)
		rc = tfa_db_err(st, err, "reading tokens");
	return rc;
}

tfa_rc tfa_db_secret_taken(tfa_store *st, const tfa_token *tok, const tfa_token_key *key,
			   tfa_err *err)
{
	sqlite3_stmt *stmt = NULL;
	tfa_rc rc;

	if (key == NULL || key->len == 0)
		return TFA_OK;
	rc = tfa_db_prepare(st, "SELECT " TFA_DB_TOKEN_COLS " FROM tokens WHERE user=?1"
			    " AND state<>2", &stmt, err);
	if (rc != TFA_OK)
		return rc;
	sqlite3_bind_text(stmt, 1, tok->user, -1, SQLITE_STATIC);
	rc = tfa_db_secret_taken_stmt(st, stmt, tok, key, err);
	tfa_db_finish(st, stmt);
	return rc;
}

tfa_rc tfa_db_txn_end(tfa_store *st, tfa_rc rc, tfa_err *err)
{
	if (rc == TFA_OK) {
		rc = tfa_db_exec(st, "COMMIT", err);
		if (rc == TFA_OK)
			return rc;
	}
	/* a failed COMMIT leaves the transaction open: end it here */
	if (!sqlite3_get_autocommit(st->db))
		(void)tfa_db_exec(st, "ROLLBACK", NULL);
	return rc;
}

tfa_rc tfa_db_token_store_secret(tfa_store *st, const tfa_token *tok, const tfa_token_key *key,
				 tfa_err *err)
{
	sqlite3_stmt *stmt = NULL;
	uint8_t *blob = NULL;
	size_t bloblen = 0;
	tfa_rc rc;

	rc = seal_secret(st, tok, key, &blob, &bloblen, err);
	if (rc != TFA_OK)
		return rc;
	rc = tfa_db_prepare(st, "UPDATE tokens SET secret=?1 WHERE id=?2", &stmt, err);
	if (rc != TFA_OK)
		goto out;
	sqlite3_bind_blob(stmt, 1, blob, (int)bloblen, SQLITE_STATIC);
	sqlite3_bind_int64(stmt, 2, tok->id);
	if (sqlite3_step(stmt) != SQLITE_DONE)
		rc = tfa_db_err(st, err, "storing the secret");
out:
	tfa_db_finish(st, stmt);
	free(blob);
	return rc;
}

TFA_API tfa_rc tfa_store_token_add(tfa_store *st, tfa_token *tok, const tfa_token_key *key,
				    const char *event, const char *detail, tfa_err *err)
{
	static const tfa_token_key none;
	sqlite3_stmt *stmt = NULL;
	tfa_rc rc;

	if (key == NULL)
		key = &none;
	if ((key->len == 0 && tok->type != TFA_TOKEN_SMS) || key->len > sizeof(key->bytes))
		return tfa_err_set(err, TFA_EINVAL, "bad secret length");
	rc = tfa_db_exec(st, "BEGIN IMMEDIATE", err);
	if (rc != TFA_OK)
		return rc;
	rc = tfa_db_ensure_user(st, tok->user, err);
	if (rc != TFA_OK)
		goto out;
	if (tok->state == TFA_STATE_PENDING) {
		rc = tfa_db_run_user(st, "UPDATE tokens SET state=2, secret=x'' WHERE user=?1 AND state=0",
				     tok->user, "replacing the pending token", NULL, err);
		if (rc != TFA_OK)
			goto out;
	}
	tok->id = 0;
	rc = tfa_db_secret_taken(st, tok, key, err);
	if (rc != TFA_OK)
		goto out;
	if (tok->state == TFA_STATE_ACTIVE) {
		rc = tfa_db_enrolled(st, tok->user, err);
		if (rc != TFA_OK)
			goto out;
	}
	tok->created = tfa_now();
	/* insert with an empty secret to learn the id the sealed secret is bound to */
	rc = tfa_db_prepare(st, "INSERT INTO tokens(user, type, state, alg, digits, period, counter,"
			    " last_step, drift, serial, created, last_used, secret, phone, suite)"
			    " VALUES(?1,?2,?3,?4,?5,?6,?7,?8,?9,?10,?11,0,x'',?12,?13)", &stmt, err);
	if (rc != TFA_OK)
		goto out;
	sqlite3_bind_text(stmt, 1, tok->user, -1, SQLITE_STATIC);
	sqlite3_bind_int(stmt, 2, (int)tok->type);
	sqlite3_bind_int(stmt, 3, (int)tok->state);
	sqlite3_bind_int(stmt, 4, (int)tok->alg);
	sqlite3_bind_int(stmt, 5, (int)tok->digits);
	sqlite3_bind_int(stmt, 6, (int)tok->period);
	sqlite3_bind_int64(stmt, 7, (sqlite3_int64)tok->counter);
	sqlite3_bind_int64(stmt, 8, tok->last_step);
	sqlite3_bind_int64(stmt, 9, tok->drift);
	sqlite3_bind_text(stmt, 10, tok->serial, -1, SQLITE_STATIC);
	sqlite3_bind_int64(stmt, 11, tok->created);
	sqlite3_bind_text(stmt, 12, tok->phone, -1, SQLITE_STATIC);
	sqlite3_bind_text(stmt, 13, tok->suite, -1, SQLITE_STATIC);
	if (sqlite3_step(stmt) != SQLITE_DONE) {
		rc = tfa_db_err(st, err, "adding token");
		goto out;
	}
	tok->id = sqlite3_last_insert_rowid(st->db);
	rc = tfa_db_token_store_secret(st, tok, key, err);
	if (rc != TFA_OK)
		goto out;
	if (event != NULL) {
		char full[256];

		(void)snprintf(full, sizeof(full), "%s%stoken=%lld", detail != NULL ? detail : "",
			       detail != NULL && *detail != '\0' ? " " : "", (long long)tok->id);
		rc = tfa_db_audit_insert(st, tok->user, event, full, err);
	}
out:
	tfa_db_finish(st, stmt);
	return tfa_db_txn_end(st, rc, err);
}

TFA_API tfa_rc tfa_store_user_reset(tfa_store *st, const char *user, unsigned *revoked,
				    unsigned *codes, const char *source, tfa_err *err)
{
	unsigned deleted = 0, released = 0;
	char detail[160];
	tfa_rc rc;

	*revoked = 0;
	if (codes != NULL)
		*codes = 0;
	rc = tfa_db_exec(st, "BEGIN IMMEDIATE", err);
	if (rc != TFA_OK)
		return rc;
	rc = tfa_db_cards_release(st, user, &released, err);
	if (rc == TFA_OK)
		rc = tfa_db_run_user(st, "UPDATE tokens SET state=2 WHERE user=?1 AND state<>2",
				     user, "revoking tokens", revoked, err);
	/* secure_delete: overwrite the revoked secrets, not just mark them */
	if (rc == TFA_OK)
		rc = tfa_db_run_user(st, "UPDATE tokens SET secret=x'' WHERE user=?1 AND state=2",
				     user, "wiping revoked secrets", NULL, err);
	if (rc == TFA_OK)
		rc = tfa_db_recovery_delete(st, user, &deleted, err);
	if (rc == TFA_OK)
		rc = tfa_db_challenge_delete(st, user, err);
	if (rc == TFA_OK)
		rc = tfa_db_run_user(st, "UPDATE users SET failures=0, locked_until=0, lockouts=0"
				     " WHERE name=?1", user, "clearing the lockout", NULL, err);
	/* the user registers again: at the next login, or by an admin */
	if (rc == TFA_OK && *revoked + released + deleted > 0)
		rc = tfa_db_run_user(st, "UPDATE users SET must_enroll=1 WHERE name=?1", user,
				     "recording that the user must enrol again", NULL, err);
	if (rc != TFA_OK)
		return tfa_db_txn_end(st, rc, err);
	*revoked += released;
	if (codes != NULL)
		*codes = deleted;
	/* the audit row in the same transaction: no reset without its record */
	if (*revoked + deleted > 0) {
		(void)snprintf(detail, sizeof(detail), "revoked %u token%s and %u recovery code%s"
			       " (%.63s)", *revoked, *revoked == 1 ? "" : "s", deleted,
			       deleted == 1 ? "" : "s", source != NULL ? source : "");
		rc = tfa_db_audit_insert(st, user, "reset", detail, err);
		if (rc != TFA_OK)
			return tfa_db_txn_end(st, rc, err);
	}
	/* commit even when nothing was revoked: nothing changed either way */
	rc = tfa_db_txn_end(st, TFA_OK, err);
	if (rc == TFA_OK && *revoked == 0 && deleted == 0)
		rc = tfa_err_set(err, TFA_ENOENT, "user has no tokens or recovery codes in store %s",
				 st->path);
	return rc;
}

static tfa_rc write_user(tfa_store *st, const tfa_user *u, tfa_err *err)
{
	sqlite3_stmt *stmt = NULL;
	tfa_rc rc;

	rc = tfa_db_prepare(st, "INSERT INTO users(name, failures, locked_until, lockouts, last_login)"
			    " VALUES(?1,?2,?3,?4,?5) ON CONFLICT(name) DO UPDATE SET"
			    " failures=excluded.failures, locked_until=excluded.locked_until,"
			    " lockouts=excluded.lockouts, last_login=excluded.last_login",
			    &stmt, err);
	if (rc != TFA_OK)
		return rc;
	sqlite3_bind_text(stmt, 1, u->name, -1, SQLITE_STATIC);
	sqlite3_bind_int64(stmt, 2, u->failures);
	sqlite3_bind_int64(stmt, 3, u->locked_until);
	sqlite3_bind_int64(stmt, 4, u->lockouts);
	sqlite3_bind_int64(stmt, 5, u->last_login);
	if (sqlite3_step(stmt) != SQLITE_DONE)
		rc = tfa_db_err(st, err, "updating user");
	tfa_db_finish(st, stmt);
	return rc;
}

static tfa_rc write_token(tfa_store *st, const tfa_token *t, tfa_err *err)
{
	sqlite3_stmt *stmt = NULL;
	tfa_rc rc;

	rc = tfa_db_prepare(st, "UPDATE tokens SET state=?1, counter=?2, last_step=?3, drift=?4,"
			    " last_used=?5 WHERE id=?6", &stmt, err);
	if (rc != TFA_OK)
		return rc;
	sqlite3_bind_int(stmt, 1, (int)t->state);
	sqlite3_bind_int64(stmt, 2, (sqlite3_int64)t->counter);
	sqlite3_bind_int64(stmt, 3, t->last_step);
	sqlite3_bind_int64(stmt, 4, t->drift);
	sqlite3_bind_int64(stmt, 5, t->last_used);
	sqlite3_bind_int64(stmt, 6, t->id);
	if (sqlite3_step(stmt) != SQLITE_DONE)
		rc = tfa_db_err(st, err, "updating token");
	tfa_db_finish(st, stmt);
	return rc;
}

static int user_changed(const tfa_user *a, const tfa_user *b)
{
	return a->failures != b->failures || a->locked_until != b->locked_until ||
	       a->lockouts != b->lockouts || a->last_login != b->last_login;
}

static int token_changed(const tfa_token *a, const tfa_token *b)
{
	return a->state != b->state || a->counter != b->counter || a->last_step != b->last_step ||
	       a->drift != b->drift || a->last_used != b->last_used;
}

static int txn_commits(tfa_rc rc)
{
	return rc == TFA_OK || rc == TFA_REJECTED || rc == TFA_REPLAYED || rc == TFA_LOCKED ||
	       rc == TFA_ENOENT;
}

/* @write 0: a read transaction (BEGIN DEFERRED: no write lock, so it never
 * waits for a login's commit in WAL mode); whatever @fn changes is dropped */
static tfa_rc user_txn(tfa_store *st, const char *user, tfa_txn_ex_fn fn, void *ctx, int write,
		       tfa_err *err)
{
	tfa_user before, after;
	tfa_token *toks = NULL, *orig = NULL;
	tfa_token_key *keys = NULL;
	tfa_recovery_rec *rec = NULL;
	tfa_challenge_rec *chal = NULL;
	tfa_audit_rec audit;
	tfa_txn_args a;
	size_t n = 0, nrec = 0, i;
	tfa_rc rc, frc = TFA_OK;

	if (write && st->readonly)
		return tfa_err_set(err, TFA_ESTORE, "store %s is open read-only", st->path);
	rc = tfa_db_exec(st, write ? "BEGIN IMMEDIATE" : "BEGIN DEFERRED", err);
	if (rc != TFA_OK)
		return rc;
	rc = tfa_store_user_get(st, user, &before, err);
	if (rc == TFA_ENOENT)
		rc = TFA_OK;
	if (rc != TFA_OK)
		goto out;
	rc = load_tokens(st, user, &toks, &n, &keys, err);
	if (rc != TFA_OK)
		goto out;
	if (n > 0) {
		orig = malloc(n * sizeof(*orig));
		if (orig == NULL) {
			rc = tfa_err_set(err, TFA_ENOMEM, "out of memory");
			goto out;
		}
		memcpy(orig, toks, n * sizeof(*orig));   /* records only: no key */
	}
	rc = tfa_db_recovery_load(st, user, &rec, &nrec, err);
	if (rc != TFA_OK)
		goto out;
	rc = tfa_db_challenge_load(st, user, &chal, err);
	if (rc != TFA_OK)
		goto out;
	after = before;
	memset(&audit, 0, sizeof(audit));
	a.user = &after;
	a.toks = toks;
	a.keys = keys;
	a.n = n;
	a.rec = rec;
	a.nrec = nrec;
	a.chal = chal;
	a.audit = &audit;
	frc = fn(&a, ctx);
	if (!txn_commits(frc)) {
		rc = frc;
		goto out;
	}
	if (!write)
		goto out;
	(void)snprintf(after.name, sizeof(after.name), "%s", user);
	if (user_changed(&before, &after)) {
		rc = write_user(st, &after, err);
		if (rc != TFA_OK)
			goto out;
	}
	/* a rejected attempt never moves a token (pam_twofactor(8): replay state only
	 * advances with an accepted code) */
	for (i = 0; i < n && frc == TFA_OK; i++) {
		if (!token_changed(&orig[i], &toks[i]))
			continue;
		rc = write_token(st, &toks[i], err);
		if (rc == TFA_OK && toks[i].state == TFA_STATE_ACTIVE &&
		    orig[i].state != TFA_STATE_ACTIVE)
			rc = tfa_db_enrolled(st, user, err);
		if (rc != TFA_OK)
			goto out;
	}
	for (i = 0; i < nrec; i++) {
		if (!rec[i].used)
			continue;
		rc = tfa_db_recovery_mark_used(st, &rec[i], err);
		if (rc != TFA_OK)
			goto out;
	}
	if (chal != NULL && chal->consumed) {
		rc = tfa_db_challenge_delete(st, user, err);
		if (rc != TFA_OK)
			goto out;
	}
	if (audit.event[0] != '\0') {
		audit.event[sizeof(audit.event) - 1] = '\0';
		audit.detail[sizeof(audit.detail) - 1] = '\0';
		rc = tfa_db_audit_insert(st, user, audit.event, audit.detail, err);
		if (rc != TFA_OK)
			goto out;
	}
out:
	tfa_tokens_free(toks, n);
	tfa_tokens_free(orig, n);
	tfa_token_keys_free(keys, n);
	tfa_recovery_recs_free(rec, nrec);
	if (chal != NULL) {
		tfa_wipe(chal, sizeof(*chal));
		free(chal);
	}
	rc = tfa_db_txn_end(st, rc, err);
	return rc != TFA_OK ? rc : frc;
}

TFA_API tfa_rc tfa_store_user_txn_ex(tfa_store *st, const char *user, tfa_txn_ex_fn fn,
				     void *ctx, tfa_err *err)
{
	return user_txn(st, user, fn, ctx, 1, err);
}

TFA_API tfa_rc tfa_store_user_view(tfa_store *st, const char *user, tfa_txn_ex_fn fn, void *ctx,
				   tfa_err *err)
{
	return user_txn(st, user, fn, ctx, 0, err);
}
