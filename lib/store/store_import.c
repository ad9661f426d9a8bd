/* SPDX-License-Identifier: BSD-2-Clause */
/* store_import.c - the SQLite backend: bulk import of active tokens in one
 * transaction (tfa-admin import). The statements are prepared once and
 * reused for every token; each secret is sealed bound to its user and id
 * (insert, learn the id, then store the sealed secret, as store_token.c). */
#include "config.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "audit.h"
#include "secret.h"
#include "store_internal.h"

struct tfa_store_import {
	tfa_backend_kind kind;   /* TFA_BACKEND_SQLITE (0): first, as PostgreSQL's */
	tfa_store *st;
	char source[64];
	sqlite3_stmt *user;
	sqlite3_stmt *ins;
	sqlite3_stmt *sec;
	sqlite3_stmt *audit;
	sqlite3_stmt *dup;       /* the user's tokens, for the duplicate check */
	sqlite3_stmt *enrolled;  /* clear must_enroll */
	int64_t first_id;        /* the first imported id; 0 = none yet */
	uint64_t tokens;
	int failed;              /* a statement failed: only abort is left */
};

static void imp_free(tfa_store_import *imp)
{
	tfa_db_finish(imp->st, imp->user);
	tfa_db_finish(imp->st, imp->ins);
	tfa_db_finish(imp->st, imp->sec);
	tfa_db_finish(imp->st, imp->audit);
	tfa_db_finish(imp->st, imp->dup);
	tfa_db_finish(imp->st, imp->enrolled);
	free(imp);
}

TFA_API tfa_rc tfa_store_import_begin(tfa_store *st, const char *source,
				      tfa_store_import **out, tfa_err *err)
{
	tfa_store_import *imp;
	tfa_rc rc;

	*out = NULL;
	if (st->readonly)
		return tfa_err_set(err, TFA_ESTORE, "store %s: opened read-only", st->path);
	imp = calloc(1, sizeof(*imp));
	if (imp == NULL)
		return tfa_err_set(err, TFA_ENOMEM, "out of memory");
	imp->st = st;
	(void)snprintf(imp->source, sizeof(imp->source), "%s", source != NULL ? source : "file");
	rc = tfa_db_exec(st, "BEGIN IMMEDIATE", err);
	if (rc != TFA_OK) {
		imp_free(imp);
		return rc;
	}
	rc = tfa_db_prepare(st, "INSERT OR IGNORE INTO users(name) VALUES(?1)", &imp->user, err);
	if (rc == TFA_OK)
		rc = tfa_db_prepare(st, "INSERT INTO tokens(user, type, state, alg, digits,"
				    " period, counter, last_step, drift, serial, created,"
				    " last_used, secret)"
				    " VALUES(?1,?2,?3,?4,?5,?6,?7,?8,0,'',?9,0,x'')", &imp->ins, err);
	if (rc == TFA_OK)
		rc = tfa_db_prepare(st, "UPDATE tokens SET secret=?1 WHERE id=?2", &imp->sec, err);
	if (rc == TFA_OK)
		rc = tfa_db_prepare(st, "INSERT INTO audit(time, user, event, detail)"
				    " VALUES(?1,?2,'" TFA_EV_IMPORT "',?3)", &imp->audit, err);
	if (rc == TFA_OK)
		rc = tfa_db_prepare(st, "SELECT " TFA_DB_TOKEN_COLS " FROM tokens WHERE user=?1"
				    " AND state<>2", &imp->dup, err);
	if (rc == TFA_OK)
		rc = tfa_db_prepare(st, "UPDATE users SET must_enroll=0 WHERE name=?1"
				    " AND must_enroll<>0", &imp->enrolled, err);
	if (rc != TFA_OK) {
		tfa_store_import_abort(imp);
		return rc;
	}
	*out = imp;
	return TFA_OK;
}

static tfa_rc step(tfa_store_import *imp, sqlite3_stmt *stmt, const char *what, tfa_err *err)
{
	tfa_rc rc = TFA_OK;

	if (sqlite3_step(stmt) != SQLITE_DONE) {
		rc = tfa_db_err(imp->st, err, what);
		imp->failed = 1;
	}
	sqlite3_reset(stmt);
	sqlite3_clear_bindings(stmt);
	return rc;
}

TFA_API tfa_rc tfa_store_import_token(tfa_store_import *imp, tfa_token *tok,
				      const tfa_token_key *key, tfa_err *err)
{
	tfa_store *st = imp->st;
	uint8_t aad[TFA_USER_MAX + 64];
	uint8_t *blob = NULL;
	size_t aadlen, bloblen = 0;
	char detail[160];
	tfa_rc rc;

	if (imp->failed)
		return tfa_err_set(err, TFA_ESTORE, "store %s: import already failed", st->path);
	rc = tfa_import_check(tok, key, err);
	if (rc != TFA_OK)
		return rc;
	/* the same secret twice for one user (a file imported twice): refused,
	 * the import can go on */
	tok->id = 0;
	sqlite3_bind_text(imp->dup, 1, tok->user, -1, SQLITE_STATIC);
	rc = tfa_db_secret_taken_stmt(st, imp->dup, tok, key, err);
	sqlite3_reset(imp->dup);
	sqlite3_clear_bindings(imp->dup);
	if (rc == TFA_EEXIST)
		return rc;
	if (rc != TFA_OK) {
		imp->failed = 1;
		return rc;
	}
	tok->created = tfa_now();
	tok->state = TFA_STATE_ACTIVE;
	sqlite3_bind_text(imp->user, 1, tok->user, -1, SQLITE_STATIC);
	rc = step(imp, imp->user, "adding user", err);
	if (rc != TFA_OK)
		return rc;
	sqlite3_bind_text(imp->enrolled, 1, tok->user, -1, SQLITE_STATIC);
	rc = step(imp, imp->enrolled, "recording the enrolment", err);
	if (rc != TFA_OK)
		return rc;
	sqlite3_bind_text(imp->ins, 1, tok->user, -1, SQLITE_STATIC);
	sqlite3_bind_int(imp->ins, 2, (int)tok->type);
	sqlite3_bind_int(imp->ins, 3, (int)tok->state);
	sqlite3_bind_int(imp->ins, 4, (int)tok->alg);
	sqlite3_bind_int(imp->ins, 5, (int)tok->digits);
	sqlite3_bind_int(imp->ins, 6, (int)tok->period);
	sqlite3_bind_int64(imp->ins, 7, (sqlite3_int64)tok->counter);
	sqlite3_bind_int64(imp->ins, 8, tok->last_step);
	sqlite3_bind_int64(imp->ins, 9, tok->created);
	rc = step(imp, imp->ins, "adding token", err);
	if (rc != TFA_OK)
		return rc;
	tok->id = sqlite3_last_insert_rowid(st->db);
	aadlen = tfa_token_aad(tok->user, tok->id, aad, sizeof(aad));
	if (aadlen == 0) {
		imp->failed = 1;
		return tfa_err_set(err, TFA_EINVAL, "user name too long");
	}
	rc = tfa_seal(&st->key, aad, aadlen, key->bytes, key->len, &blob, &bloblen);
	if (rc != TFA_OK) {
		imp->failed = 1;
		return tfa_err_set(err, rc, "cannot encrypt the secret of user %s",
				   tfa_user_esc(tok->user).s);
	}
	sqlite3_bind_blob(imp->sec, 1, blob, (int)bloblen, SQLITE_STATIC);
	sqlite3_bind_int64(imp->sec, 2, tok->id);
	rc = step(imp, imp->sec, "storing the secret", err);
	free(blob);
	if (rc != TFA_OK)
		return rc;
	(void)snprintf(detail, sizeof(detail), "%s token %lld imported from %s",
		       otp_type_name(tok->type), (long long)tok->id, imp->source);
	sqlite3_bind_int64(imp->audit, 1, tok->created);
	sqlite3_bind_text(imp->audit, 2, tok->user, -1, SQLITE_STATIC);
	sqlite3_bind_text(imp->audit, 3, detail, -1, SQLITE_STATIC);
	rc = step(imp, imp->audit, "writing the audit trail", err);
	if (rc != TFA_OK)
		return rc;
	if (imp->first_id == 0)
		imp->first_id = tok->id;
	imp->tokens++;
	return TFA_OK;
}

TFA_API tfa_rc tfa_store_import_commit(tfa_store_import *imp, unsigned long *users,
				       tfa_err *err)
{
	tfa_store *st = imp->st;
	sqlite3_stmt *stmt = NULL;
	tfa_rc rc = TFA_OK;

	*users = 0;
	if (imp->failed) {
		tfa_store_import_abort(imp);
		return tfa_err_set(err, TFA_ESTORE, "store %s: import failed, rolled back", st->path);
	}
	if (imp->first_id != 0) {
		rc = tfa_db_prepare(st, "SELECT count(DISTINCT user) FROM tokens WHERE id>=?1",
				    &stmt, err);
		if (rc != TFA_OK)
			goto out;
		sqlite3_bind_int64(stmt, 1, imp->first_id);
		if (sqlite3_step(stmt) != SQLITE_ROW) {
			rc = tfa_db_err(st, err, "counting users");
			goto out;
		}
		*users = (unsigned long)sqlite3_column_int64(stmt, 0);
	}
out:
	tfa_db_finish(st, stmt);
	if (rc != TFA_OK) {
		tfa_store_import_abort(imp);
		return rc;
	}
	imp_free(imp);
	rc = tfa_db_exec(st, "COMMIT", err);
	if (rc != TFA_OK)
		(void)sqlite3_exec(st->db, "ROLLBACK", NULL, NULL, NULL);
	return rc;
}

TFA_API void tfa_store_import_abort(tfa_store_import *imp)
{
	tfa_store *st;

	if (imp == NULL)
		return;
	st = imp->st;
	imp_free(imp);
	(void)sqlite3_exec(st->db, "ROLLBACK", NULL, NULL, NULL);
}

TFA_API tfa_rc tfa_store_import_recovery(tfa_store_import *imp, const char *user,
					 const tfa_recovery_rec *recs, size_t n,
					 const tfa_audit_rec *audit, tfa_err *err)
{
	tfa_rc rc;

	if (imp->failed)
		return tfa_err_set(err, TFA_ESTORE, "store %s: the import failed already",
				   imp->st->path);
	rc = tfa_db_recovery_insert(imp->st, user, recs, n, err);
	if (rc == TFA_OK && audit != NULL)
		rc = tfa_db_audit_insert(imp->st, user, audit->event, audit->detail, err);
	if (rc != TFA_OK)
		imp->failed = 1;
	return rc;
}
