/* SPDX-License-Identifier: BSD-2-Clause */
/* store_card.c - the SQLite backend: token cards. A card in stock is a
 * token with a serial, no user (NULL) and state TFA_STATE_UNASSIGNED; its
 * secret is sealed bound to user "" and its id, and re-sealed for each
 * owner when it is assigned or taken back. */
#include "config.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "audit.h"
#include "secret.h"
#include "store_internal.h"

static tfa_rc audit_card(tfa_store *st, const char *user, const char *event,
			 const char *source, const tfa_token *t, tfa_err *err)
{
	char detail[256];

	(void)snprintf(detail, sizeof(detail), "%s%sserial=%s token=%lld",
		       source != NULL ? source : "",
		       source != NULL && *source != '\0' ? " " : "", t->serial,
		       (long long)t->id);
	return tfa_db_audit_insert(st, user, event, detail, err);
}

/* Insert one card row (@key sealed to user "") and set its id. */
static tfa_rc insert_card(tfa_store *st, tfa_token *t, const tfa_token_key *key, tfa_err *err)
{
	sqlite3_stmt *stmt = NULL;
	tfa_rc rc;

	t->user[0] = '\0';
	t->state = TFA_STATE_UNASSIGNED;
	t->created = tfa_now();
	rc = tfa_db_prepare(st, "INSERT INTO tokens(user, type, state, alg, digits, period, counter,"
			    " last_step, drift, serial, created, last_used, secret)"
			    " VALUES(NULL,?1,3,?2,?3,?4,?5,?6,0,?7,?8,0,x'')", &stmt, err);
	if (rc != TFA_OK)
		return rc;
	sqlite3_bind_int(stmt, 1, (int)t->type);
	sqlite3_bind_int(stmt, 2, (int)t->alg);
	sqlite3_bind_int(stmt, 3, (int)t->digits);
	sqlite3_bind_int(stmt, 4, (int)t->period);
	sqlite3_bind_int64(stmt, 5, (sqlite3_int64)t->counter);
	sqlite3_bind_int64(stmt, 6, t->last_step);
	sqlite3_bind_text(stmt, 7, t->serial, -1, SQLITE_STATIC);
	sqlite3_bind_int64(stmt, 8, t->created);
	if (sqlite3_step(stmt) != SQLITE_DONE) {
		rc = tfa_db_err(st, err, "adding a token card");
		goto out;
	}
	t->id = sqlite3_last_insert_rowid(st->db);
	rc = tfa_db_token_store_secret(st, t, key, err);
out:
	tfa_db_finish(st, stmt);
	return rc;
}

static tfa_rc serial_taken(tfa_store *st, sqlite3_stmt *stmt, const char *serial, int *taken,
			   tfa_err *err)
{
	int r;

	sqlite3_reset(stmt);
	sqlite3_bind_text(stmt, 1, serial, -1, SQLITE_STATIC);
	r = sqlite3_step(stmt);
	if (r != SQLITE_ROW && r != SQLITE_DONE)
		return tfa_db_err(st, err, "looking up a serial");
	*taken = r == SQLITE_ROW;
	return TFA_OK;
}

TFA_API tfa_rc tfa_store_cards_add(tfa_store *st, tfa_token *cards, const tfa_token_key *keys,
				   size_t n, const char *source, tfa_card_dup_fn dup, void *ctx,
				   tfa_err *err)
{
	sqlite3_stmt *look = NULL;
	char detail[256];
	size_t i, dups = 0;
	int taken = 0;
	tfa_rc rc;

	rc = tfa_db_exec(st, "BEGIN IMMEDIATE", err);
	if (rc != TFA_OK)
		return rc;
	rc = tfa_db_prepare(st, "SELECT 1 FROM tokens WHERE serial=?1", &look, err);
	if (rc != TFA_OK)
		goto out;
	/* every serial is checked before anything is written */
	for (i = 0; i < n; i++) {
		rc = serial_taken(st, look, cards[i].serial, &taken, err);
		if (rc != TFA_OK)
			goto out;
		if (taken) {
			dups++;
			if (dup != NULL)
				dup(i, cards[i].serial, ctx);
		}
	}
	if (dups > 0) {
		rc = tfa_err_set(err, TFA_EEXIST, "store %s already holds %zu of these serials;"
				 " nothing imported", st->path, dups);
		goto out;
	}
	for (i = 0; i < n && rc == TFA_OK; i++)
		rc = insert_card(st, &cards[i], &keys[i], err);
	if (rc != TFA_OK)
		goto out;
	(void)snprintf(detail, sizeof(detail), "%s cards=%zu", source != NULL ? source : "", n);
	rc = tfa_db_audit_insert(st, NULL, TFA_EV_CARD_IMPORT, detail, err);
out:
	tfa_db_finish(st, look);
	return tfa_db_txn_end(st, rc, err);
}

TFA_API tfa_rc tfa_store_card_list(tfa_store *st, tfa_token_cb cb, void *ctx, tfa_err *err)
{
	sqlite3_stmt *stmt = NULL;
	tfa_token t;
	tfa_rc rc;
	int r;

	rc = tfa_db_prepare(st, "SELECT " TFA_DB_TOKEN_COLS " FROM tokens WHERE serial<>''"
			    " ORDER BY serial", &stmt, err);
	if (rc != TFA_OK)
		return rc;
	while ((r = sqlite3_step(stmt)) == SQLITE_ROW) {
		rc = tfa_db_token_from_row(st, stmt, &t, NULL, err);
		if (rc != TFA_OK || cb(&t, ctx) != 0)
			break;
	}
	if (rc == TFA_OK && r != SQLITE_ROW && r != SQLITE_DONE)
		rc = tfa_db_err(st, err, "listing token cards");
	tfa_db_finish(st, stmt);
	return rc;
}

/* The card @serial with its key (decrypted for its current owner). */
static tfa_rc load_card(tfa_store *st, const char *serial, tfa_token *t, tfa_token_key *key,
			tfa_err *err)
{
	sqlite3_stmt *stmt = NULL;
	tfa_rc rc;
	int r;

	rc = tfa_db_prepare(st, "SELECT " TFA_DB_TOKEN_COLS " FROM tokens WHERE serial=?1",
			    &stmt, err);
	if (rc != TFA_OK)
		return rc;
	sqlite3_bind_text(stmt, 1, serial, -1, SQLITE_STATIC);
	r = sqlite3_step(stmt);
	if (r == SQLITE_ROW)
		rc = tfa_db_token_from_row(st, stmt, t, key, err);
	else if (r == SQLITE_DONE)
		rc = tfa_err_set(err, TFA_ENOENT, "store %s has no token card %s", st->path, serial);
	else
		rc = tfa_db_err(st, err, "reading a token card");
	tfa_db_finish(st, stmt);
	return rc;
}

/* Give @t to @user ("" = stock) in @state, re-sealing its key @key. */
static tfa_rc move_card(tfa_store *st, tfa_token *t, const tfa_token_key *key, const char *user,
			tfa_token_state state, tfa_err *err)
{
	sqlite3_stmt *stmt = NULL;
	tfa_rc rc;

	rc = tfa_db_prepare(st, "UPDATE tokens SET user=?1, state=?2 WHERE id=?3", &stmt, err);
	if (rc != TFA_OK)
		return rc;
	if (*user != '\0')
		sqlite3_bind_text(stmt, 1, user, -1, SQLITE_STATIC);
	else
		sqlite3_bind_null(stmt, 1);
	sqlite3_bind_int(stmt, 2, (int)state);
	sqlite3_bind_int64(stmt, 3, t->id);
	if (sqlite3_step(stmt) != SQLITE_DONE) {
		rc = tfa_db_err(st, err, "moving a token card");
		goto out;
	}
	(void)snprintf(t->user, sizeof(t->user), "%s", user);
	t->state = state;
	rc = tfa_db_token_store_secret(st, t, key, err);
out:
	tfa_db_finish(st, stmt);
	return rc;
}

TFA_API tfa_rc tfa_store_card_assign(tfa_store *st, const char *serial, const char *user,
				     const char *source, tfa_token *out, tfa_err *err)
{
	tfa_token t;
	tfa_token_key key;
	tfa_rc rc;

	memset(&t, 0, sizeof(t));
	memset(&key, 0, sizeof(key));
	rc = tfa_db_exec(st, "BEGIN IMMEDIATE", err);
	if (rc != TFA_OK)
		return rc;
	rc = load_card(st, serial, &t, &key, err);
	if (rc != TFA_OK)
		goto out;
	if (t.state != TFA_STATE_UNASSIGNED) {
		rc = tfa_err_set(err, TFA_EEXIST, "token card %s is assigned to %s;"
				 " run tfa-admin token unassign %s first", serial,
				 tfa_user_esc(t.user).s, serial);
		goto out;
	}
	(void)snprintf(t.user, sizeof(t.user), "%s", user);
	rc = tfa_db_secret_taken(st, &t, &key, err);
	if (rc == TFA_OK)
		rc = tfa_db_ensure_user(st, user, err);
	if (rc == TFA_OK)
		rc = tfa_db_enrolled(st, user, err);
	if (rc == TFA_OK)
		rc = move_card(st, &t, &key, user, TFA_STATE_ACTIVE, err);
	if (rc == TFA_OK)
		rc = audit_card(st, user, TFA_EV_CARD_ASSIGN, source, &t, err);
	if (rc == TFA_OK && out != NULL)
		*out = t;
out:
	tfa_wipe(&key, sizeof(key));
	return tfa_db_txn_end(st, rc, err);
}

TFA_API tfa_rc tfa_store_card_unassign(tfa_store *st, const char *serial, const char *source,
				       tfa_token *out, tfa_err *err)
{
	char owner[TFA_USER_MAX + 1];
	tfa_token t;
	tfa_token_key key;
	tfa_rc rc;

	memset(&t, 0, sizeof(t));
	memset(&key, 0, sizeof(key));
	rc = tfa_db_exec(st, "BEGIN IMMEDIATE", err);
	if (rc != TFA_OK)
		return rc;
	rc = load_card(st, serial, &t, &key, err);
	if (rc != TFA_OK)
		goto out;
	if (t.state == TFA_STATE_UNASSIGNED) {
		rc = tfa_err_set(err, TFA_ENOENT, "token card %s is not assigned", serial);
		goto out;
	}
	if (out != NULL)
		*out = t;
	(void)snprintf(owner, sizeof(owner), "%s", t.user);
	rc = move_card(st, &t, &key, "", TFA_STATE_UNASSIGNED, err);
	if (rc == TFA_OK)
		rc = audit_card(st, owner, TFA_EV_CARD_UNASSIGN, source, &t, err);
out:
	tfa_wipe(&key, sizeof(key));
	return tfa_db_txn_end(st, rc, err);
}

tfa_rc tfa_db_cards_release(tfa_store *st, const char *user, unsigned *released,
			    tfa_err *err)
{
	tfa_token *cards = NULL;
	tfa_token_key *keys = NULL;
	size_t n = 0, i;
	tfa_rc rc;

	*released = 0;
	rc = tfa_db_tokens_load(st, "SELECT " TFA_DB_TOKEN_COLS " FROM tokens WHERE user=?1"
				" AND serial<>'' AND state IN (0,1)", user, &cards, &n, &keys, err);
	for (i = 0; i < n && rc == TFA_OK; i++)
		rc = move_card(st, &cards[i], &keys[i], "", TFA_STATE_UNASSIGNED, err);
	if (rc == TFA_OK)
		*released = (unsigned)n;
	tfa_tokens_free(cards, n);
	tfa_token_keys_free(keys, n);
	return rc;
}
