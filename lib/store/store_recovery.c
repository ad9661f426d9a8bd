/* SPDX-License-Identifier: BSD-2-Clause */
/* store_recovery.c - the SQLite backend: recovery codes. Rows hold a salt
 * and a slow hash (made and checked by recovery.c), never a code. Marking a
 * code used happens in the login transaction (store_token.c). */
#include "config.h"

#include <stdlib.h>
#include <string.h>

#include "secret.h"
#include "store_internal.h"

void tfa_recovery_recs_free(tfa_recovery_rec *recs, size_t n)
{
	if (recs == NULL)
		return;
	tfa_wipe(recs, n * sizeof(*recs));
	free(recs);
}

tfa_rc tfa_db_recovery_load(tfa_store *st, const char *user, tfa_recovery_rec **recs,
			    size_t *n, tfa_err *err)
{
	sqlite3_stmt *stmt = NULL;
	tfa_recovery_rec *arr = NULL;
	size_t cap = 0, cnt = 0;
	tfa_rc rc;
	int r;

	*recs = NULL;
	*n = 0;
	rc = tfa_db_prepare(st, "SELECT id, salt, hash FROM recovery WHERE user=?1 AND used=0"
			    " ORDER BY id", &stmt, err);
	if (rc != TFA_OK)
		return rc;
	sqlite3_bind_text(stmt, 1, user, -1, SQLITE_STATIC);
	while ((r = sqlite3_step(stmt)) == SQLITE_ROW) {
		if (sqlite3_column_bytes(stmt, 1) != TFA_RECOVERY_SALT_LEN ||
		    sqlite3_column_bytes(stmt, 2) != TFA_RECOVERY_HASH_LEN)
			continue;       /* damaged row: can never match */
		rc = tfa_db_grow((void **)&arr, &cap, cnt, sizeof(*arr), 16, err);
		if (rc != TFA_OK)
			goto out;
		arr[cnt].id = sqlite3_column_int64(stmt, 0);
		memcpy(arr[cnt].salt, sqlite3_column_blob(stmt, 1), TFA_RECOVERY_SALT_LEN);
		memcpy(arr[cnt].hash, sqlite3_column_blob(stmt, 2), TFA_RECOVERY_HASH_LEN);
		arr[cnt].used = 0;
		cnt++;
	}
	if (r != SQLITE_DONE)
		rc = tfa_db_err(st, err, "reading recovery codes");
out:
	tfa_db_finish(st, stmt);
	if (rc != TFA_OK) {
		tfa_recovery_recs_free(arr, cnt);
		return rc;
	}
	*recs = arr;
	*n = cnt;
	return TFA_OK;
}

tfa_rc tfa_db_recovery_mark_used(tfa_store *st, const tfa_recovery_rec *r, tfa_err *err)
{
	sqlite3_stmt *stmt = NULL;
	tfa_rc rc;

	rc = tfa_db_prepare(st, "UPDATE recovery SET used=?1 WHERE id=?2 AND used=0", &stmt, err);
	if (rc != TFA_OK)
		return rc;
	sqlite3_bind_int64(stmt, 1, tfa_now());
	sqlite3_bind_int64(stmt, 2, r->id);
	if (sqlite3_step(stmt) != SQLITE_DONE)
		rc = tfa_db_err(st, err, "marking a recovery code used");
	else if (sqlite3_changes(st->db) != 1)
		rc = tfa_err_set(err, TFA_ESTORE, "store %s: recovery code %lld vanished",
				 st->path, (long long)r->id);
	tfa_db_finish(st, stmt);
	return rc;
}

tfa_rc tfa_db_recovery_delete(tfa_store *st, const char *user, unsigned *deleted,
			      tfa_err *err)
{
	sqlite3_stmt *stmt = NULL;
	tfa_rc rc;

	*deleted = 0;
	/* count only the unused ones: used codes are gone already */
	rc = tfa_db_prepare(st, "SELECT count(*) FROM recovery WHERE user=?1 AND used=0",
			    &stmt, err);
	if (rc != TFA_OK)
		return rc;
	sqlite3_bind_text(stmt, 1, user, -1, SQLITE_STATIC);
	if (sqlite3_step(stmt) != SQLITE_ROW) {
		rc = tfa_db_err(st, err, "counting recovery codes");
		goto out;
	}
	*deleted = (unsigned)sqlite3_column_int64(stmt, 0);
	tfa_db_finish(st, stmt);
	stmt = NULL;
	/* secure_delete overwrites the freed hashes */
	rc = tfa_db_run_user(st, "DELETE FROM recovery WHERE user=?1", user,
			     "deleting recovery codes", NULL, err);
out:
	tfa_db_finish(st, stmt);
	return rc;
}

tfa_rc tfa_db_recovery_insert(tfa_store *st, const char *user, const tfa_recovery_rec *recs,
			      size_t n, tfa_err *err)
{
	sqlite3_stmt *stmt = NULL;
	int64_t now = tfa_now();
	tfa_rc rc;
	size_t i;

	rc = tfa_db_prepare(st, "INSERT INTO recovery(user, salt, hash, created, used)"
			    " VALUES(?1,?2,?3,?4,0)", &stmt, err);
	if (rc != TFA_OK)
		return rc;
	for (i = 0; i < n && rc == TFA_OK; i++) {
		sqlite3_bind_text(stmt, 1, user, -1, SQLITE_STATIC);
		sqlite3_bind_blob(stmt, 2, recs[i].salt, TFA_RECOVERY_SALT_LEN, SQLITE_STATIC);
		sqlite3_bind_blob(stmt, 3, recs[i].hash, TFA_RECOVERY_HASH_LEN, SQLITE_STATIC);
		sqlite3_bind_int64(stmt, 4, now);
		if (sqlite3_step(stmt) != SQLITE_DONE)
			rc = tfa_db_err(st, err, "storing a recovery code");
		(void)sqlite3_reset(stmt);
	}
	tfa_db_finish(st, stmt);
	return rc;
}

static tfa_rc store_recs(tfa_store *st, const char *user, const tfa_recovery_rec *recs,
			 size_t n, int replace, const tfa_audit_rec *audit, tfa_err *err)
{
	unsigned deleted = 0;
	tfa_rc rc;

	if (st->readonly)
		return tfa_err_set(err, TFA_ESTORE, "store %s is open read-only", st->path);
	rc = tfa_db_exec(st, "BEGIN IMMEDIATE", err);
	if (rc != TFA_OK)
		return rc;
	rc = tfa_db_ensure_user(st, user, err);
	if (rc != TFA_OK)
		goto out;
	if (replace) {
		rc = tfa_db_recovery_delete(st, user, &deleted, err);
		if (rc != TFA_OK)
			goto out;
	}
	rc = tfa_db_recovery_insert(st, user, recs, n, err);
	if (rc != TFA_OK)
		goto out;
	if (audit != NULL && audit->event[0] != '\0')
		rc = tfa_db_audit_insert(st, user, audit->event, audit->detail, err);
	if (rc != TFA_OK)
		goto out;
	rc = tfa_db_exec(st, "COMMIT", err);
out:
	if (rc != TFA_OK)
		(void)sqlite3_exec(st->db, "ROLLBACK", NULL, NULL, NULL);
	return rc;
}

TFA_API tfa_rc tfa_store_recovery_replace(tfa_store *st, const char *user,
					  const tfa_recovery_rec *recs, size_t n,
					  const tfa_audit_rec *audit, tfa_err *err)
{
	return store_recs(st, user, recs, n, 1, audit, err);
}

TFA_API tfa_rc tfa_store_recovery_add(tfa_store *st, const char *user,
				      const tfa_recovery_rec *recs, size_t n,
				      const tfa_audit_rec *audit, tfa_err *err)
{
	return store_recs(st, user, recs, n, 0, audit, err);
}

TFA_API tfa_rc tfa_store_recovery_count(tfa_store *st, const char *user, unsigned *n,
					tfa_err *err)
{
	sqlite3_stmt *stmt = NULL;
	tfa_rc rc;

	*n = 0;
	rc = tfa_db_prepare(st, "SELECT count(*) FROM recovery WHERE user=?1 AND used=0",
			    &stmt, err);
	if (rc != TFA_OK)
		return rc;
	sqlite3_bind_text(stmt, 1, user, -1, SQLITE_STATIC);
	if (sqlite3_step(stmt) == SQLITE_ROW)
		*n = (unsigned)sqlite3_column_int64(stmt, 0);
	else
		rc = tfa_db_err(st, err, "counting recovery codes");
	tfa_db_finish(st, stmt);
	return rc;
}
