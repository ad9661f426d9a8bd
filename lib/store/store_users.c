/* SPDX-License-Identifier: BSD-2-Clause */
/* store_users.c - the SQLite backend: user records, the per-user setting
 * and unlock (each with its audit row in the same transaction), policy
 * values, and the audit trail. */
#include "config.h"

#include <stdio.h>
#include <string.h>

#include "store_internal.h"

/* ---- users ---- */

static void user_from_row(sqlite3_stmt *stmt, tfa_user *u)
{
	const char *name = (const char *)sqlite3_column_text(stmt, 0);

	memset(u, 0, sizeof(*u));
	if (name != NULL)
		(void)snprintf(u->name, sizeof(u->name), "%s", name);
	u->required = (tfa_req)sqlite3_column_int(stmt, 1);
	if (u->required != TFA_REQ_ON && u->required != TFA_REQ_OFF)
		u->required = TFA_REQ_DEFAULT;
	u->failures = (unsigned)sqlite3_column_int64(stmt, 2);
	u->locked_until = sqlite3_column_int64(stmt, 3);
	u->lockouts = (unsigned)sqlite3_column_int64(stmt, 4);
	u->last_login = sqlite3_column_int64(stmt, 5);
	u->must_enroll = sqlite3_column_int(stmt, 6) != 0;
}

#define USER_COLS "name, required, failures, locked_until, lockouts, last_login, must_enroll"

TFA_API tfa_rc tfa_store_user_get(tfa_store *st, const char *user, tfa_user *u, tfa_err *err)
{
	sqlite3_stmt *stmt = NULL;
	tfa_rc rc;
	int r;

	memset(u, 0, sizeof(*u));
	u->required = TFA_REQ_DEFAULT;
	(void)snprintf(u->name, sizeof(u->name), "%s", user);
	rc = tfa_db_prepare(st, "SELECT " USER_COLS " FROM users WHERE name=?1", &stmt, err);
	if (rc != TFA_OK)
		return rc;
	sqlite3_bind_text(stmt, 1, user, -1, SQLITE_STATIC);
	r = sqlite3_step(stmt);
	if (r == SQLITE_ROW)
		user_from_row(stmt, u);
	else if (r == SQLITE_DONE)
		rc = TFA_ENOENT;
	else
		rc = tfa_db_err(st, err, "reading user");
	tfa_db_finish(st, stmt);
	return rc;
}

/* End a one-change transaction: append @audit (may be NULL) for @user when
 * @rc is TFA_OK, then commit, or roll back on any failure - so a change
 * never lands without its audit row. */
static tfa_rc end_change(tfa_store *st, tfa_rc rc, const char *user,
			 const tfa_audit_rec *audit, tfa_err *err)
{
	if (rc == TFA_OK && audit != NULL && audit->event[0] != '\0')
		rc = tfa_db_audit_insert(st, user, audit->event, audit->detail, err);
	return tfa_db_txn_end(st, rc, err);
}

TFA_API tfa_rc tfa_store_user_set_required(tfa_store *st, const char *user, tfa_req req,
					   const tfa_audit_rec *audit, tfa_err *err)
{
	sqlite3_stmt *stmt = NULL;
	tfa_rc rc;

	rc = tfa_db_exec(st, "BEGIN IMMEDIATE", err);
	if (rc != TFA_OK)
		return rc;
	/* default and off end a "must enrol again" after a reset */
	rc = tfa_db_prepare(st, "INSERT INTO users(name, required) VALUES(?1, ?2)"
			    " ON CONFLICT(name) DO UPDATE SET required=excluded.required,"
			    " must_enroll=CASE WHEN excluded.required=1 THEN must_enroll ELSE 0 END",
			    &stmt, err);
	if (rc == TFA_OK) {
		sqlite3_bind_text(stmt, 1, user, -1, SQLITE_STATIC);
		sqlite3_bind_int(stmt, 2, (int)req);
		rc = tfa_db_step_done(st, stmt, "changing the user's setting", err);
		tfa_db_finish(st, stmt);
	}
	return end_change(st, rc, user, audit, err);
}

TFA_API tfa_rc tfa_store_user_unlock(tfa_store *st, const char *user,
				     const tfa_audit_rec *audit, tfa_err *err)
{
	unsigned changed = 0;
	tfa_rc rc;

	rc = tfa_db_exec(st, "BEGIN IMMEDIATE", err);
	if (rc != TFA_OK)
		return rc;
	rc = tfa_db_run_user(st, "UPDATE users SET failures=0, locked_until=0, lockouts=0"
			     " WHERE name=?1", user, "unlocking the user", &changed, err);
	if (rc == TFA_OK && changed == 0)
		rc = tfa_err_set(err, TFA_ENOENT, "no such user in store %s", st->path);
	return end_change(st, rc, user, audit, err);
}

TFA_API tfa_rc tfa_store_user_list(tfa_store *st, tfa_user_cb cb, void *ctx, tfa_err *err)
{
	sqlite3_stmt *stmt = NULL;
	tfa_user u;
	tfa_rc rc;
	int r;

	rc = tfa_db_prepare(st, "SELECT " USER_COLS " FROM users ORDER BY name", &stmt, err);
	if (rc != TFA_OK)
		return rc;
	while ((r = sqlite3_step(stmt)) == SQLITE_ROW) {
		user_from_row(stmt, &u);
		if (cb(&u, ctx) != 0)
			break;
	}
	if (r != SQLITE_ROW && r != SQLITE_DONE)
		rc = tfa_db_err(st, err, "listing users");
	tfa_db_finish(st, stmt);
	return rc;
}

/* ---- policy ---- */

TFA_API tfa_rc tfa_store_policy_get(tfa_store *st, const char *key, char **val, tfa_err *err)
{
	return tfa_db_text(st, "SELECT value FROM policy WHERE key=?1", key, val,
			   "reading policy", err);
}

TFA_API tfa_rc tfa_store_policy_all(tfa_store *st, tfa_policy_row_cb cb, void *ctx,
				    tfa_err *err)
{
	sqlite3_stmt *stmt = NULL;
	tfa_rc rc;
	int r = SQLITE_DONE;

	rc = tfa_db_prepare(st, "SELECT key, value FROM policy ORDER BY key", &stmt, err);
	if (rc != TFA_OK)
		return rc;
	while (rc == TFA_OK && (r = sqlite3_step(stmt)) == SQLITE_ROW) {
		const char *k = (const char *)sqlite3_column_text(stmt, 0);
		const char *v = (const char *)sqlite3_column_text(stmt, 1);

		rc = cb(k != NULL ? k : "", v != NULL ? v : "", ctx);
	}
	if (rc == TFA_OK && r != SQLITE_DONE)
		rc = tfa_db_err(st, err, "reading policy");
	tfa_db_finish(st, stmt);
	return rc;
}

TFA_API tfa_rc tfa_store_policy_set(tfa_store *st, const char *key, const char *val,
				    const tfa_audit_rec *audit, tfa_err *err)
{
	sqlite3_stmt *stmt = NULL;
	tfa_rc rc;

	rc = tfa_db_exec(st, "BEGIN IMMEDIATE", err);
	if (rc != TFA_OK)
		return rc;
	if (val == NULL)
		rc = tfa_db_prepare(st, "DELETE FROM policy WHERE key=?1", &stmt, err);
	else
		rc = tfa_db_prepare(st, "INSERT INTO policy(key, value) VALUES(?1, ?2)"
				    " ON CONFLICT(key) DO UPDATE SET value=excluded.value",
				    &stmt, err);
	if (rc == TFA_OK) {
		sqlite3_bind_text(stmt, 1, key, -1, SQLITE_STATIC);
		if (val != NULL)
			sqlite3_bind_text(stmt, 2, val, -1, SQLITE_STATIC);
		rc = tfa_db_step_done(st, stmt, "writing policy", err);
		tfa_db_finish(st, stmt);
	}
	return end_change(st, rc, NULL, audit, err);
}

/* ---- audit ---- */

TFA_API tfa_rc tfa_store_audit_add(tfa_store *st, const char *user, const char *event,
				   const char *detail, tfa_err *err)
{
	return tfa_db_audit_insert(st, user, event, detail, err);
}

TFA_API tfa_rc tfa_store_audit_list(tfa_store *st, const char *user, int64_t since,
				    tfa_audit_cb cb, void *ctx, tfa_err *err)
{
	sqlite3_stmt *stmt = NULL;
	tfa_audit_rec rec;
	tfa_rc rc;
	int r;

	rc = tfa_db_prepare(st, "SELECT id, time, coalesce(user,''), event, detail FROM audit"
			    " WHERE time >= ?1 AND (?2 IS NULL OR user = ?2) ORDER BY id",
			    &stmt, err);
	if (rc != TFA_OK)
		return rc;
	sqlite3_bind_int64(stmt, 1, since);
	if (user != NULL)
		sqlite3_bind_text(stmt, 2, user, -1, SQLITE_STATIC);
	else
		sqlite3_bind_null(stmt, 2);
	while ((r = sqlite3_step(stmt)) == SQLITE_ROW) {
		const char *s;

		memset(&rec, 0, sizeof(rec));
		rec.id = sqlite3_column_int64(stmt, 0);
		rec.time = sqlite3_column_int64(stmt, 1);
		s = (const char *)sqlite3_column_text(stmt, 2);
		(void)snprintf(rec.user, sizeof(rec.user), "%s", s != NULL ? s : "");
		s = (const char *)sqlite3_column_text(stmt, 3);
		(void)snprintf(rec.event, sizeof(rec.event), "%s", s != NULL ? s : "");
		s = (const char *)sqlite3_column_text(stmt, 4);
		(void)snprintf(rec.detail, sizeof(rec.detail), "%s", s != NULL ? s : "");
		if (cb(&rec, ctx) != 0)
			break;
	}
	if (r != SQLITE_ROW && r != SQLITE_DONE)
		rc = tfa_db_err(st, err, "reading the audit trail");
	tfa_db_finish(st, stmt);
	return rc;
}
