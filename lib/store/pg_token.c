/* SPDX-License-Identifier: BSD-2-Clause */
/* pg_token.c - the PostgreSQL backend: tokens (secrets sealed with the key
 * file and bound to user and token id, exactly as SQLite's), reset, and the
 * one atomic read-modify-write of a user that logins go through: the user's
 * lock (tfa_pg_lock_user) is held from the read to the commit, so two hosts
 * racing one code run one after the other and the second sees the first's
 * replay state. */
#include "config.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include <openssl/crypto.h>

#include "pg_internal.h"
#include "secret.h"

tfa_rc tfa_pg_token_from_row(tfa_pg *pg, const PGresult *r, int row, tfa_token *t,
			     tfa_token_key *key, tfa_err *err)
{
	uint8_t aad[TFA_USER_MAX + 64];
	unsigned char *blob;
	uint8_t *pt = NULL;
	size_t aadlen, bloblen = 0, ptlen = 0;
	tfa_rc rc;

	memset(t, 0, sizeof(*t));
	t->id = tfa_pg_int(r, row, 0);
	tfa_pg_str(r, row, 1, t->user, sizeof(t->user));
	t->type = (tfa_token_type)tfa_pg_int(r, row, 2);
	t->state = (tfa_token_state)tfa_pg_int(r, row, 3);
	t->alg = (otp_alg)tfa_pg_int(r, row, 4);
	t->digits = (unsigned)tfa_pg_int(r, row, 5);
	t->period = (unsigned)tfa_pg_int(r, row, 6);
	t->counter = (uint64_t)tfa_pg_int(r, row, 7);
	t->last_step = tfa_pg_int(r, row, 8);
	t->drift = tfa_pg_int(r, row, 9);
	tfa_pg_str(r, row, 10, t->serial, sizeof(t->serial));
	t->created = tfa_pg_int(r, row, 11);
	t->last_used = tfa_pg_int(r, row, 12);
	tfa_pg_str(r, row, 14, t->phone, sizeof(t->phone));
	tfa_pg_str(r, row, 15, t->suite, sizeof(t->suite));
	if (key == NULL)
		return TFA_OK;
	memset(key, 0, sizeof(*key));
	blob = PQunescapeBytea((const unsigned char *)PQgetvalue(r, row, 13), &bloblen);
	if (blob == NULL)
		return tfa_err_set(err, TFA_ENOMEM, "out of memory");
	aadlen = tfa_token_aad(t->user, t->id, aad, sizeof(aad));
	rc = tfa_unseal(&pg->key, aad, aadlen, blob, bloblen, &pt, &ptlen);
	PQfreemem(blob);
	if (rc != TFA_OK)
		return tfa_err_set(err, rc == TFA_ENOMEM ? rc : TFA_EKEY,
				   "store %s: the secret of token %lld (user %s) does not decrypt"
				   " with this key (tampered or moved record?)",
				   pg->uri, (long long)t->id, tfa_user_esc(t->user).s);
	if ((ptlen == 0 && t->type != TFA_TOKEN_SMS) || ptlen > sizeof(key->bytes)) {
		rc = tfa_err_set(err, TFA_ESTORE, "store %s: token %lld has a bad secret length",
				 pg->uri, (long long)t->id);
	} else if (ptlen > 0) {
		memcpy(key->bytes, pt, ptlen);
		key->len = ptlen;
	}
	tfa_wipe(pt, ptlen);
	free(pt);
	return rc;
}

/* the user's tokens that are not revoked, oldest first; with @keys not
 * NULL their keys in a parallel array */
static tfa_rc load_tokens(tfa_pg *pg, const char *user, tfa_token **toks, size_t *n,
			  tfa_token_key **keys, tfa_err *err)
{
	tfa_pg_params p = { 0 };
	tfa_token *arr = NULL;
	tfa_token_key *karr = NULL;
	PGresult *r = NULL;
	size_t cnt = 0, rows = 0;
	tfa_rc rc;

	*toks = NULL;
	*n = 0;
	if (keys != NULL)
		*keys = NULL;
	tfa_pg_p_text(&p, user);
	rc = tfa_pg_exec(pg, "SELECT " TFA_PG_TOKEN_COLS " FROM tokens WHERE \"user\"=$1"
			 " AND state<>2 ORDER BY id", &p, &r, "reading tokens", err);
	if (rc != TFA_OK)
		return rc;
	rows = (size_t)PQntuples(r);
	if (rows == 0)
		goto out;
	arr = calloc(rows, sizeof(*arr));
	if (keys != NULL)
		karr = calloc(rows, sizeof(*karr));
	if (arr == NULL || (keys != NULL && karr == NULL)) {
		rc = tfa_err_set(err, TFA_ENOMEM, "out of memory");
		goto out;
	}
	for (cnt = 0; cnt < rows; cnt++) {
		rc = tfa_pg_token_from_row(pg, r, (int)cnt, &arr[cnt],
					   karr != NULL ? &karr[cnt] : NULL, err);
		if (rc != TFA_OK)
			goto out;
	}
	*toks = arr;
	*n = cnt;
	arr = NULL;
	if (keys != NULL)
		*keys = karr;
	karr = NULL;
out:
	PQclear(r);
	tfa_tokens_free(arr, rows);
	tfa_token_keys_free(karr, rows);
	return rc;
}

tfa_rc tfa_pg_token_list(tfa_store *st, const char *user, tfa_token **toks, size_t *n,
			 tfa_token_key **keys, tfa_err *err)
{
	return load_tokens(tfa_pg_of(st), user, toks, n, keys, err);
}

tfa_rc tfa_pg_secret_taken(tfa_pg *pg, const tfa_token *tok, const tfa_token_key *key,
			   tfa_err *err)
{
	tfa_token *toks = NULL;
	tfa_token_key *keys = NULL;
	size_t n = 0, i;
	tfa_rc rc;

	if (key == NULL || key->len == 0)
		return TFA_OK;          /* an sms token has no shared secret */
	rc = load_tokens(pg, tok->user, &toks, &n, &keys, err);
	for (i = 0; rc == TFA_OK && i < n; i++) {
		if (toks[i].id != tok->id && keys[i].len == key->len &&
		    CRYPTO_memcmp(keys[i].bytes, key->bytes, key->len) == 0)
			rc = tfa_err_set(err, TFA_EEXIST, "user %s already has token %lld with this"
					 " secret (the same token imported or added twice?);"
					 " not adding it again", tfa_user_esc(tok->user).s,
					 (long long)toks[i].id);
	}
	tfa_tokens_free(toks, n);
	tfa_token_keys_free(keys, n);
	return rc;
}

tfa_rc tfa_pg_enrolled(tfa_pg *pg, const char *user, tfa_err *err)
{
	tfa_pg_params p = { 0 };

	tfa_pg_p_text(&p, user);
	return tfa_pg_exec(pg, "UPDATE users SET must_enroll=0 WHERE name=$1 AND must_enroll<>0",
			   &p, NULL, "recording the enrolment", err);
}

tfa_rc tfa_pg_seal_secret(tfa_pg *pg, const tfa_token *tok, const tfa_token_key *key,
			  uint8_t **blob, size_t *bloblen, tfa_err *err)
{
	uint8_t aad[TFA_USER_MAX + 64];
	size_t aadlen;
	tfa_rc rc;

	aadlen = tfa_token_aad(tok->user, tok->id, aad, sizeof(aad));
	if (aadlen == 0)
		return tfa_err_set(err, TFA_EINVAL, "user name too long");
	rc = tfa_seal(&pg->key, aad, aadlen, key != NULL ? key->bytes : NULL,
		      key != NULL ? key->len : 0, blob, bloblen);
	if (rc != TFA_OK)
		return tfa_err_set(err, rc, "cannot encrypt the secret of user %s",
				   tfa_user_esc(tok->user).s);
	return TFA_OK;
}

/* insert @tok (its id from the sequence first, so the sealed secret is
 * bound to it in the one INSERT) */
static tfa_rc insert_token(tfa_pg *pg, tfa_token *tok, const tfa_token_key *key,
			   tfa_err *err)
{
	tfa_pg_params p = { 0 };
	PGresult *r = NULL;
	uint8_t *blob = NULL;
	size_t bloblen = 0;
	tfa_rc rc;

	rc = tfa_pg_exec(pg, "SELECT nextval(pg_get_serial_sequence('tokens', 'id'))", NULL, &r,
			 "adding token", err);
	if (rc != TFA_OK)
		return rc;
	tok->id = tfa_pg_int(r, 0, 0);
	PQclear(r);
	rc = tfa_pg_seal_secret(pg, tok, key, &blob, &bloblen, err);
	if (rc != TFA_OK)
		return rc;
	tfa_pg_p_int(&p, tok->id);
	tfa_pg_p_text(&p, tok->user);
	tfa_pg_p_int(&p, (int64_t)tok->type);
	tfa_pg_p_int(&p, (int64_t)tok->state);
	tfa_pg_p_int(&p, (int64_t)tok->alg);
	tfa_pg_p_int(&p, (int64_t)tok->digits);
	tfa_pg_p_int(&p, (int64_t)tok->period);
	tfa_pg_p_int(&p, (int64_t)tok->counter);
	tfa_pg_p_int(&p, tok->last_step);
	tfa_pg_p_int(&p, tok->drift);
	tfa_pg_p_text(&p, tok->serial);
	tfa_pg_p_int(&p, tok->created);
	tfa_pg_p_bin(&p, blob, bloblen);
	tfa_pg_p_text(&p, tok->phone);
	tfa_pg_p_text(&p, tok->suite);
	rc = tfa_pg_exec(pg, "INSERT INTO tokens(id, \"user\", type, state, alg, digits, period,"
			 " counter, last_step, drift, serial, created, last_used, secret, phone, suite)"
			 " VALUES($1,$2,$3,$4,$5,$6,$7,$8,$9,$10,$11,$12,0,$13,$14,$15)", &p, NULL,
			 "adding token", err);
	free(blob);
	return rc;
}

tfa_rc tfa_pg_token_add(tfa_store *st, tfa_token *tok, const tfa_token_key *key,
			const char *event, const char *detail, tfa_err *err)
{
	tfa_pg *pg = tfa_pg_of(st);
	tfa_pg_params p = { 0 };
	size_t klen = key != NULL ? key->len : 0;
	tfa_rc rc;

	if ((klen == 0 && tok->type != TFA_TOKEN_SMS) || klen > sizeof(key->bytes))
		return tfa_err_set(err, TFA_EINVAL, "bad secret length");
	rc = tfa_pg_begin(pg, err);
	if (rc != TFA_OK)
		return rc;
	rc = tfa_pg_lock_user(pg, tok->user, 1, err);
	if (rc != TFA_OK)
		goto out;
	tfa_pg_p_text(&p, tok->user);
	if (tok->state == TFA_STATE_PENDING) {
		rc = tfa_pg_exec(pg, "UPDATE tokens SET state=2, secret='\\x' WHERE \"user\"=$1"
				 " AND state=0", &p, NULL, "replacing the pending token", err);
		if (rc != TFA_OK)
			goto out;
	}
	tok->id = 0;
	rc = tfa_pg_secret_taken(pg, tok, key, err);
	if (rc == TFA_OK && tok->state == TFA_STATE_ACTIVE)
		rc = tfa_pg_enrolled(pg, tok->user, err);
	if (rc != TFA_OK)
		goto out;
	tok->created = (int64_t)time(NULL);
	rc = insert_token(pg, tok, key, err);
	if (rc == TFA_OK && event != NULL) {
		char full[256];

		(void)snprintf(full, sizeof(full), "%s%stoken=%lld", detail != NULL ? detail : "",
			       detail != NULL && *detail != '\0' ? " " : "", (long long)tok->id);
		rc = tfa_pg_audit_insert(pg, tok->user, event, full, err);
	}
out:
	return tfa_pg_end(pg, rc, err);
}

tfa_rc tfa_pg_user_reset(tfa_store *st, const char *user, unsigned *revoked, unsigned *codes,
			 const char *source, tfa_err *err)
{
	tfa_pg *pg = tfa_pg_of(st);
	tfa_pg_params p = { 0 };
	unsigned deleted = 0, released = 0;
	char detail[160];
	tfa_rc rc;

	*revoked = 0;
	if (codes != NULL)
		*codes = 0;
	rc = tfa_pg_begin(pg, err);
	if (rc != TFA_OK)
		return rc;
	rc = tfa_pg_lock_user(pg, user, 0, err);
	tfa_pg_p_text(&p, user);
	/* the user's token cards go back to stock, the other tokens are revoked
	 * and their secrets wiped, not just marked */
	if (rc == TFA_OK)
		rc = tfa_pg_cards_release(pg, user, &released, err);
	if (rc == TFA_OK)
		rc = tfa_pg_exec_n(pg, "UPDATE tokens SET state=2, secret='\\x' WHERE \"user\"=$1"
				   " AND state<>2", &p, revoked, "revoking tokens", err);
	if (rc == TFA_OK)
		*revoked += released;
	if (rc == TFA_OK)
		rc = tfa_pg_exec_n(pg, "DELETE FROM recovery WHERE \"user\"=$1 AND used=0", &p,
				   &deleted, "deleting recovery codes", err);
	if (rc == TFA_OK)
		rc = tfa_pg_exec(pg, "DELETE FROM recovery WHERE \"user\"=$1", &p, NULL,
				 "deleting recovery codes", err);
	if (rc == TFA_OK)
		rc = tfa_pg_challenge_delete(pg, user, err);
	/* the user registers again: at the next login, or by an admin */
	tfa_pg_p_text(&p, *revoked + deleted > 0 ? "t" : "f");
	if (rc == TFA_OK)
		rc = tfa_pg_exec(pg, "UPDATE users SET failures=0, locked_until=0, lockouts=0,"
				 " must_enroll=CASE WHEN $2::boolean THEN 1 ELSE must_enroll END"
				 " WHERE name=$1", &p, NULL, "clearing the lockout", err);
	if (rc == TFA_OK && *revoked + deleted > 0) {
		(void)snprintf(detail, sizeof(detail), "revoked %u token%s and %u recovery code%s"
			       " (%.63s)", *revoked, *revoked == 1 ? "" : "s", deleted,
			       deleted == 1 ? "" : "s", source != NULL ? source : "");
		rc = tfa_pg_audit_insert(pg, user, "reset", detail, err);
	}
	rc = tfa_pg_end(pg, rc, err);
	if (rc != TFA_OK) {
		*revoked = 0;
		return rc;
	}
	if (codes != NULL)
		*codes = deleted;
	if (*revoked == 0 && deleted == 0)
		rc = tfa_err_set(err, TFA_ENOENT, "user has no tokens or recovery codes in store %s",
				 pg->uri);
	return rc;
}

/* ---- the atomic read-modify-write of a user ---- */

static tfa_rc write_user(tfa_pg *pg, const tfa_user *u, tfa_err *err)
{
	tfa_pg_params p = { 0 };

	tfa_pg_p_text(&p, u->name);
	tfa_pg_p_int(&p, u->failures);
	tfa_pg_p_int(&p, u->locked_until);
	tfa_pg_p_int(&p, u->lockouts);
	tfa_pg_p_int(&p, u->last_login);
	return tfa_pg_exec(pg, "INSERT INTO users(name, failures, locked_until, lockouts, last_login)"
			   " VALUES($1,$2,$3,$4,$5) ON CONFLICT (name) DO UPDATE SET"
			   " failures=excluded.failures, locked_until=excluded.locked_until,"
			   " lockouts=excluded.lockouts, last_login=excluded.last_login", &p, NULL,
			   "updating user", err);
}

static tfa_rc write_token(tfa_pg *pg, const tfa_token *t, tfa_err *err)
{
	tfa_pg_params p = { 0 };

	tfa_pg_p_int(&p, (int64_t)t->state);
	tfa_pg_p_int(&p, (int64_t)t->counter);
	tfa_pg_p_int(&p, t->last_step);
	tfa_pg_p_int(&p, t->drift);
	tfa_pg_p_int(&p, t->last_used);
	tfa_pg_p_int(&p, t->id);
	return tfa_pg_exec(pg, "UPDATE tokens SET state=$1, counter=$2, last_step=$3, drift=$4,"
			   " last_used=$5 WHERE id=$6", &p, NULL, "updating token", err);
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

/* write back what the callback changed (store.h: tfa_txn_fn) */
static tfa_rc write_back(tfa_pg *pg, const char *user, tfa_rc frc, const tfa_user *before,
			 tfa_user *after, const tfa_token *orig, tfa_txn_args *a, tfa_err *err)
{
	tfa_rc rc = TFA_OK;
	size_t i;

	(void)snprintf(after->name, sizeof(after->name), "%s", user);
	if (user_changed(before, after))
		rc = write_user(pg, after, err);
	/* a rejected attempt never moves a token */
	for (i = 0; rc == TFA_OK && orig != NULL && i < a->n && frc == TFA_OK; i++) {
		if (!token_changed(&orig[i], &a->toks[i]))
			continue;
		rc = write_token(pg, &a->toks[i], err);
		if (rc == TFA_OK && a->toks[i].state == TFA_STATE_ACTIVE &&
		    orig[i].state != TFA_STATE_ACTIVE)
			rc = tfa_pg_enrolled(pg, user, err);
	}
	for (i = 0; rc == TFA_OK && i < a->nrec; i++)
		if (a->rec[i].used)
			rc = tfa_pg_recovery_mark_used(pg, &a->rec[i], err);
	if (rc == TFA_OK && a->chal != NULL && a->chal->consumed)
		rc = tfa_pg_challenge_delete(pg, user, err);
	if (rc == TFA_OK && a->audit->event[0] != '\0') {
		a->audit->event[sizeof(a->audit->event) - 1] = '\0';
		a->audit->detail[sizeof(a->audit->detail) - 1] = '\0';
		rc = tfa_pg_audit_insert(pg, user, a->audit->event, a->audit->detail, err);
	}
	return rc;
}

tfa_rc tfa_pg_user_txn_ex(tfa_store *st, const char *user, tfa_txn_ex_fn fn, void *ctx,
			  tfa_err *err)
{
	tfa_pg *pg = tfa_pg_of(st);
	tfa_user before, after;
	tfa_token *toks = NULL, *orig = NULL;
	tfa_token_key *keys = NULL;
	tfa_recovery_rec *rec = NULL;
	tfa_challenge_rec *chal = NULL;
	tfa_audit_rec audit;
	tfa_txn_args a;
	size_t n = 0, nrec = 0;
	tfa_rc rc, frc = TFA_OK;

	rc = tfa_pg_begin(pg, err);
	if (rc != TFA_OK)
		return rc;
	/* held to the commit: another host's login of this user waits here */
	rc = tfa_pg_lock_user(pg, user, 0, err);
	if (rc == TFA_OK) {
		rc = tfa_pg_user_get(st, user, &before, err);
		if (rc == TFA_ENOENT)
			rc = TFA_OK;
	}
	if (rc == TFA_OK)
		rc = load_tokens(pg, user, &toks, &n, &keys, err);
	if (rc == TFA_OK && n > 0) {
		orig = malloc(n * sizeof(*orig));
		if (orig == NULL)
			rc = tfa_err_set(err, TFA_ENOMEM, "out of memory");
		else
			memcpy(orig, toks, n * sizeof(*orig));
	}
	if (rc == TFA_OK)
		rc = tfa_pg_recovery_load(pg, user, &rec, &nrec, err);
	if (rc == TFA_OK)
		rc = tfa_pg_challenge_load(pg, user, &chal, err);
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
	rc = write_back(pg, user, frc, &before, &after, orig, &a, err);
out:
	tfa_tokens_free(toks, n);
	tfa_token_keys_free(keys, n);
	tfa_tokens_free(orig, n);
	tfa_pg_recovery_free(rec, nrec);
	if (chal != NULL) {
		tfa_wipe(chal, sizeof(*chal));
		free(chal);
	}
	rc = tfa_pg_end(pg, rc, err);
	return rc != TFA_OK ? rc : frc;
}
