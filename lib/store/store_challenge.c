/* SPDX-License-Identifier: BSD-2-Clause */
/* store_challenge.c - the SQLite backend: a user's pending challenge (the
 * keyed hash of a code sent to the phone, or an OCRA question shown), at
 * most one per user; challenge.c decides what goes in. */
#include "config.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "secret.h"
#include "store_internal.h"

tfa_rc tfa_db_challenge_delete(tfa_store *st, const char *user, tfa_err *err)
{
	return tfa_db_run_user(st, "DELETE FROM challenges WHERE user=?1", user,
			       "removing the pending challenge", NULL, err);
}

static void copy_blob(sqlite3_stmt *stmt, int col, uint8_t *dst, size_t len)
{
	const void *p = sqlite3_column_blob(stmt, col);

	if (p != NULL && (size_t)sqlite3_column_bytes(stmt, col) == len)
		memcpy(dst, p, len);
}

tfa_rc tfa_db_challenge_load(tfa_store *st, const char *user, tfa_challenge_rec **out,
			     tfa_err *err)
{
	sqlite3_stmt *stmt = NULL;
	tfa_challenge_rec *ch = NULL;
	const char *q;
	tfa_rc rc;
	int r;

	*out = NULL;
	rc = tfa_db_prepare(st, "SELECT kind, token_id, question, salt, hash, created, expires"
			    " FROM challenges WHERE user=?1", &stmt, err);
	if (rc != TFA_OK)
		return rc;
	sqlite3_bind_text(stmt, 1, user, -1, SQLITE_STATIC);
	r = sqlite3_step(stmt);
	if (r == SQLITE_DONE)
		goto out;
	if (r != SQLITE_ROW) {
		rc = tfa_db_err(st, err, "reading the pending challenge");
		goto out;
	}
	ch = calloc(1, sizeof(*ch));
	if (ch == NULL) {
		rc = tfa_err_set(err, TFA_ENOMEM, "out of memory");
		goto out;
	}
	ch->kind = (tfa_challenge_kind)sqlite3_column_int(stmt, 0);
	ch->token_id = sqlite3_column_int64(stmt, 1);
	q = (const char *)sqlite3_column_text(stmt, 2);
	(void)snprintf(ch->question, sizeof(ch->question), "%s", q != NULL ? q : "");
	copy_blob(stmt, 3, ch->salt, sizeof(ch->salt));
	copy_blob(stmt, 4, ch->hash, sizeof(ch->hash));
	ch->created = sqlite3_column_int64(stmt, 5);
	ch->expires = sqlite3_column_int64(stmt, 6);
	*out = ch;
out:
	tfa_db_finish(st, stmt);
	return rc;
}

static tfa_rc write_audit(tfa_store *st, const char *user, const tfa_audit_rec *audit,
			  tfa_err *err)
{
	if (audit == NULL || audit->event[0] == '\0')
		return TFA_OK;
	return tfa_db_audit_insert(st, user, audit->event, audit->detail, err);
}

TFA_API tfa_rc tfa_store_challenge_put(tfa_store *st, const char *user,
				       const tfa_challenge_rec *ch,
				       const tfa_audit_rec *audit, tfa_err *err)
{
	sqlite3_stmt *stmt = NULL;
	tfa_rc rc;

	rc = tfa_db_exec(st, "BEGIN IMMEDIATE", err);
	if (rc != TFA_OK)
		return rc;
	rc = tfa_db_ensure_user(st, user, err);
	if (rc != TFA_OK)
		goto out;
	rc = tfa_db_prepare(st, "INSERT OR REPLACE INTO challenges(user, token_id, kind, question,"
			    " salt, hash, created, expires) VALUES(?1,?2,?3,?4,?5,?6,?7,?8)",
			    &stmt, err);
	if (rc != TFA_OK)
		goto out;
	sqlite3_bind_text(stmt, 1, user, -1, SQLITE_STATIC);
	sqlite3_bind_int64(stmt, 2, ch->token_id);
	sqlite3_bind_int(stmt, 3, (int)ch->kind);
	sqlite3_bind_text(stmt, 4, ch->question, -1, SQLITE_STATIC);
	if (ch->kind == TFA_CH_SMS) {
		sqlite3_bind_blob(stmt, 5, ch->salt, (int)sizeof(ch->salt), SQLITE_STATIC);
		sqlite3_bind_blob(stmt, 6, ch->hash, (int)sizeof(ch->hash), SQLITE_STATIC);
	} else {
		sqlite3_bind_zeroblob(stmt, 5, 0);
		sqlite3_bind_zeroblob(stmt, 6, 0);
	}
	sqlite3_bind_int64(stmt, 7, ch->created);
	sqlite3_bind_int64(stmt, 8, ch->expires);
	if (sqlite3_step(stmt) != SQLITE_DONE) {
		rc = tfa_db_err(st, err, "storing the challenge");
		goto out;
	}
	rc = write_audit(st, user, audit, err);
out:
	tfa_db_finish(st, stmt);
	return tfa_db_txn_end(st, rc, err);
}

TFA_API tfa_rc tfa_store_challenge_clear(tfa_store *st, const char *user,
					 const tfa_audit_rec *audit, tfa_err *err)
{
	tfa_rc rc;

	rc = tfa_db_exec(st, "BEGIN IMMEDIATE", err);
	if (rc != TFA_OK)
		return rc;
	rc = tfa_db_challenge_delete(st, user, err);
	if (rc == TFA_OK)
		rc = write_audit(st, user, audit, err);
	return tfa_db_txn_end(st, rc, err);
}

/* ---- deliveries (sms_rate) ---- */

#define DELIVERY_KEEP 86400   /* the longest sms_rate window */

/* Count @user's deliveries after @since; *@oldest the time of the oldest. */
static tfa_rc count_deliveries(tfa_store *st, const char *user, int64_t since, unsigned *n,
			       int64_t *oldest, tfa_err *err)
{
	sqlite3_stmt *stmt = NULL;
	tfa_rc rc;

	*n = 0;
	*oldest = 0;
	rc = tfa_db_prepare(st, "SELECT count(*), coalesce(min(time), 0) FROM deliveries"
			    " WHERE user=?1 AND time>?2", &stmt, err);
	if (rc != TFA_OK)
		return rc;
	sqlite3_bind_text(stmt, 1, user, -1, SQLITE_STATIC);
	sqlite3_bind_int64(stmt, 2, since);
	if (sqlite3_step(stmt) == SQLITE_ROW) {
		*n = (unsigned)sqlite3_column_int64(stmt, 0);
		*oldest = sqlite3_column_int64(stmt, 1);
	} else {
		rc = tfa_db_err(st, err, "counting deliveries");
	}
	tfa_db_finish(st, stmt);
	return rc;
}

TFA_API tfa_rc tfa_store_delivery_reserve(tfa_store *st, const char *user, int64_t now,
					  unsigned max, unsigned window,
					  const tfa_audit_rec *limited, int *allowed,
					  int64_t *retry_after, tfa_err *err)
{
	sqlite3_stmt *stmt = NULL;
	int64_t oldest = 0;
	unsigned n = 0;
	tfa_rc rc;

	*allowed = 0;
	*retry_after = 0;
	rc = tfa_db_exec(st, "BEGIN IMMEDIATE", err);
	if (rc != TFA_OK)
		return rc;
	rc = tfa_db_prepare(st, "DELETE FROM deliveries WHERE user=?1 AND time<=?2", &stmt, err);
	if (rc != TFA_OK)
		goto out;
	sqlite3_bind_text(stmt, 1, user, -1, SQLITE_STATIC);
	sqlite3_bind_int64(stmt, 2, now - DELIVERY_KEEP);
	if (sqlite3_step(stmt) != SQLITE_DONE) {
		rc = tfa_db_err(st, err, "pruning deliveries");
		goto out;
	}
	tfa_db_finish(st, stmt);
	stmt = NULL;
	rc = count_deliveries(st, user, now - (int64_t)window, &n, &oldest, err);
	if (rc != TFA_OK)
		goto out;
	if (n >= max) {
		*retry_after = oldest + (int64_t)window - now;
		if (*retry_after < 1)
			*retry_after = 1;
		if (*retry_after > (int64_t)window)
			*retry_after = (int64_t)window;   /* rows from a clock set back */
		rc = write_audit(st, user, limited, err);
		goto out;
	}
	rc = tfa_db_prepare(st, "INSERT INTO deliveries(user, time) VALUES(?1, ?2)", &stmt, err);
	if (rc != TFA_OK)
		goto out;
	sqlite3_bind_text(stmt, 1, user, -1, SQLITE_STATIC);
	sqlite3_bind_int64(stmt, 2, now);
	if (sqlite3_step(stmt) != SQLITE_DONE) {
		rc = tfa_db_err(st, err, "recording the delivery");
		goto out;
	}
	*allowed = 1;
out:
	tfa_db_finish(st, stmt);
	return tfa_db_txn_end(st, rc, err);
}
