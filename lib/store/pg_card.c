/* SPDX-License-Identifier: BSD-2-Clause */
/* pg_card.c - the PostgreSQL backend: token cards, as store_card.c does
 * them on SQLite. A card in stock is a token with a serial, no user (NULL)
 * and state TFA_STATE_UNASSIGNED; its secret is sealed bound to user "" and
 * its id, and re-sealed for each owner when it is assigned or taken back.
 * Every change and its audit row are one transaction. Locks are taken in
 * the order logins take them: the user first, then the card's row. */
#include "config.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "audit.h"
#include "pg_internal.h"
#include "secret.h"

static tfa_rc audit_card(tfa_pg *pg, const char *user, const char *event, const char *source,
			 const tfa_token *t, tfa_err *err)
{
	char detail[256];

	(void)snprintf(detail, sizeof(detail), "%s%sserial=%s token=%lld",
		       source != NULL ? source : "",
		       source != NULL && *source != '\0' ? " " : "", t->serial,
		       (long long)t->id);
	return tfa_pg_audit_insert(pg, user, event, detail, err);
}

/* write @t's owner (NULL for "": stock) and state, and @key sealed for them */
static tfa_rc write_card(tfa_pg *pg, const tfa_token *t, const tfa_token_key *key,
			 tfa_err *err)
{
	tfa_pg_params p = { 0 };
	uint8_t *blob = NULL;
	size_t bloblen = 0;
	unsigned changed = 0;
	tfa_rc rc;

	rc = tfa_pg_seal_secret(pg, t, key, &blob, &bloblen, err);
	if (rc != TFA_OK)
		return rc;
	tfa_pg_p_text(&p, t->user[0] != '\0' ? t->user : NULL);
	tfa_pg_p_int(&p, (int64_t)t->state);
	tfa_pg_p_bin(&p, blob, bloblen);
	tfa_pg_p_int(&p, t->id);
	rc = tfa_pg_exec_n(pg, "UPDATE tokens SET \"user\"=$1, state=$2, secret=$3 WHERE id=$4",
			   &p, &changed, "moving a token card", err);
	free(blob);
	if (rc == TFA_OK && changed != 1)
		rc = tfa_err_set(err, TFA_ESTORE, "store %s: token card %s vanished", pg->uri,
				 t->serial);
	return rc;
}

/* Give @t to @user ("" = stock) in @state, re-sealing its key @key. */
static tfa_rc move_card(tfa_pg *pg, tfa_token *t, const tfa_token_key *key, const char *user,
			tfa_token_state state, tfa_err *err)
{
	(void)snprintf(t->user, sizeof(t->user), "%s", user);
	t->state = state;
	return write_card(pg, t, key, err);
}

/* is the serial @serial in the store? */
static tfa_rc serial_taken(tfa_pg *pg, const char *serial, int *taken, tfa_err *err)
{
	tfa_pg_params p = { 0 };
	PGresult *r = NULL;
	tfa_rc rc;

	tfa_pg_p_text(&p, serial);
	rc = tfa_pg_exec(pg, "SELECT 1 FROM tokens WHERE serial=$1", &p, &r,
			 "looking up a serial", err);
	if (rc == TFA_OK)
		*taken = PQntuples(r) > 0;
	PQclear(r);
	return rc;
}

/* Insert the card @t with id @id (its key @key sealed to user ""). */
static tfa_rc insert_card(tfa_pg *pg, tfa_token *t, int64_t id, const tfa_token_key *key,
			  tfa_err *err)
{
	tfa_pg_params p = { 0 };
	uint8_t *blob = NULL;
	size_t bloblen = 0;
	tfa_rc rc;

	t->id = id;
	t->user[0] = '\0';
	t->state = TFA_STATE_UNASSIGNED;
	t->created = (int64_t)time(NULL);
	rc = tfa_pg_seal_secret(pg, t, key, &blob, &bloblen, err);
	if (rc != TFA_OK)
		return rc;
	tfa_pg_p_int(&p, t->id);
	tfa_pg_p_int(&p, (int64_t)t->type);
	tfa_pg_p_int(&p, (int64_t)t->alg);
	tfa_pg_p_int(&p, (int64_t)t->digits);
	tfa_pg_p_int(&p, (int64_t)t->period);
	tfa_pg_p_int(&p, (int64_t)t->counter);
	tfa_pg_p_int(&p, t->last_step);
	tfa_pg_p_text(&p, t->serial);
	tfa_pg_p_int(&p, t->created);
	tfa_pg_p_bin(&p, blob, bloblen);
	rc = tfa_pg_exec(pg, "INSERT INTO tokens(id, \"user\", type, state, alg, digits, period,"
			 " counter, last_step, drift, serial, created, last_used, secret)"
			 " VALUES($1,NULL,$2,3,$3,$4,$5,$6,$7,0,$8,$9,0,$10)", &p, NULL,
			 "adding a token card", err);
	free(blob);
	return rc;
}

tfa_rc tfa_pg_cards_add(tfa_store *st, tfa_token *cards, const tfa_token_key *keys,
			size_t n, const char *source, tfa_card_dup_fn dup, void *ctx,
			tfa_err *err)
{
	tfa_pg *pg = tfa_pg_of(st);
	tfa_pg_params p = { 0 };
	PGresult *ids = NULL;
	char detail[256];
	size_t i, dups = 0;
	int taken = 0;
	tfa_rc rc;

	rc = tfa_pg_begin(pg, err);
	if (rc != TFA_OK)
		return rc;
	/* one card import at a time across hosts: the serial check below holds */
	rc = tfa_pg_exec(pg, "SELECT pg_advisory_xact_lock(7306, 0)", NULL, NULL,
			 "locking the token cards", err);
	/* every serial is checked before anything is written */
	for (i = 0; rc == TFA_OK && i < n; i++) {
		rc = serial_taken(pg, cards[i].serial, &taken, err);
		if (rc == TFA_OK && taken) {
			dups++;
			if (dup != NULL)
				dup(i, cards[i].serial, ctx);
		}
	}
	if (rc != TFA_OK)
		goto out;
	if (dups > 0) {
		rc = tfa_err_set(err, TFA_EEXIST, "store %s already holds %zu of these serials;"
				 " nothing imported", pg->uri, dups);
		goto out;
	}
	/* the ids first: each sealed secret is bound to its id */
	tfa_pg_p_int(&p, (int64_t)n);
	rc = tfa_pg_exec(pg, "SELECT nextval(pg_get_serial_sequence('tokens', 'id'))"
			 " FROM generate_series(1, $1::bigint)", &p, &ids, "adding token cards", err);
	if (rc == TFA_OK && (size_t)PQntuples(ids) != n)
		rc = tfa_err_set(err, TFA_ESTORE, "store %s: no ids for the token cards", pg->uri);
	for (i = 0; rc == TFA_OK && i < n; i++)
		rc = insert_card(pg, &cards[i], tfa_pg_int(ids, (int)i, 0), &keys[i], err);
	if (rc != TFA_OK)
		goto out;
	(void)snprintf(detail, sizeof(detail), "%s cards=%zu", source != NULL ? source : "", n);
	rc = tfa_pg_audit_insert(pg, NULL, TFA_EV_CARD_IMPORT, detail, err);
out:
	PQclear(ids);
	return tfa_pg_end(pg, rc, err);
}

tfa_rc tfa_pg_card_list(tfa_store *st, tfa_token_cb cb, void *ctx, tfa_err *err)
{
	tfa_pg *pg = tfa_pg_of(st);
	PGresult *r = NULL;
	tfa_token t;
	tfa_rc rc;
	int i, rows;

	/* COLLATE "C": the byte order SQLite lists them in */
	rc = tfa_pg_exec(pg, "SELECT " TFA_PG_TOKEN_COLS " FROM tokens WHERE serial<>''"
			 " ORDER BY serial COLLATE \"C\"", NULL, &r, "listing token cards", err);
	if (rc != TFA_OK)
		return rc;
	rows = PQntuples(r);
	for (i = 0; i < rows; i++) {
		rc = tfa_pg_token_from_row(pg, r, i, &t, NULL, err);
		if (rc != TFA_OK || cb(&t, ctx) != 0)
			break;
	}
	PQclear(r);
	return rc;
}

/* The card @serial with its key (decrypted for its current owner); with
 * @lock its row is locked to the end of the transaction. */
static tfa_rc load_card(tfa_pg *pg, const char *serial, int lock, tfa_token *t,
			tfa_token_key *key, tfa_err *err)
{
	tfa_pg_params p = { 0 };
	PGresult *r = NULL;
	tfa_rc rc;

	tfa_pg_p_text(&p, serial);
	rc = tfa_pg_exec(pg, lock ? "SELECT " TFA_PG_TOKEN_COLS " FROM tokens WHERE serial=$1"
			 " FOR UPDATE" : "SELECT " TFA_PG_TOKEN_COLS " FROM tokens WHERE serial=$1",
			 &p, &r, "reading a token card", err);
	if (rc != TFA_OK)
		return rc;
	if (PQntuples(r) > 0)
		rc = tfa_pg_token_from_row(pg, r, 0, t, key, err);
	else
		rc = tfa_err_set(err, TFA_ENOENT, "store %s has no token card %s", pg->uri, serial);
	PQclear(r);
	return rc;
}

tfa_rc tfa_pg_card_assign(tfa_store *st, const char *serial, const char *user,
			  const char *source, tfa_token *out, tfa_err *err)
{
	tfa_pg *pg = tfa_pg_of(st);
	tfa_token t;
	tfa_token_key key;
	tfa_rc rc;

	memset(&t, 0, sizeof(t));
	memset(&key, 0, sizeof(key));
	rc = tfa_pg_begin(pg, err);
	if (rc != TFA_OK)
		return rc;
	/* the user (created if new: rolled back on a refusal) before the card */
	rc = tfa_pg_lock_user(pg, user, 1, err);
	if (rc == TFA_OK)
		rc = load_card(pg, serial, 1, &t, &key, err);
	if (rc != TFA_OK)
		goto out;
	if (t.state != TFA_STATE_UNASSIGNED) {
		rc = tfa_err_set(err, TFA_EEXIST, "token card %s is assigned to %s;"
				 " run tfa-admin token unassign %s first", serial,
				 tfa_user_esc(t.user).s, serial);
		goto out;
	}
	(void)snprintf(t.user, sizeof(t.user), "%s", user);
	rc = tfa_pg_secret_taken(pg, &t, &key, err);
	if (rc == TFA_OK)
		rc = tfa_pg_enrolled(pg, user, err);
	if (rc == TFA_OK)
		rc = move_card(pg, &t, &key, user, TFA_STATE_ACTIVE, err);
	if (rc == TFA_OK)
		rc = audit_card(pg, user, TFA_EV_CARD_ASSIGN, source, &t, err);
	if (rc == TFA_OK && out != NULL)
		*out = t;
out:
	tfa_wipe(&key, sizeof(key));
	return tfa_pg_end(pg, rc, err);
}

tfa_rc tfa_pg_card_unassign(tfa_store *st, const char *serial, const char *source,
			    tfa_token *out, tfa_err *err)
{
	tfa_pg *pg = tfa_pg_of(st);
	char owner[TFA_USER_MAX + 1];
	tfa_token t;
	tfa_token_key key;
	tfa_rc rc;

	memset(&t, 0, sizeof(t));
	memset(&key, 0, sizeof(key));
	rc = tfa_pg_begin(pg, err);
	if (rc != TFA_OK)
		return rc;
	/* the owner's lock first (a login of theirs may be writing the card's
	 * counter), then the card again, locked: it must still be theirs */
	rc = load_card(pg, serial, 0, &t, NULL, err);
	if (rc != TFA_OK)
		goto out;
	if (t.state == TFA_STATE_UNASSIGNED || t.user[0] == '\0') {
		rc = tfa_err_set(err, TFA_ENOENT, "token card %s is not assigned", serial);
		goto out;
	}
	(void)snprintf(owner, sizeof(owner), "%s", t.user);
	rc = tfa_pg_lock_user(pg, owner, 0, err);
	if (rc == TFA_OK)
		rc = load_card(pg, serial, 1, &t, &key, err);
	if (rc != TFA_OK)
		goto out;
	if (t.state == TFA_STATE_UNASSIGNED || strcmp(t.user, owner) != 0) {
		rc = tfa_err_set(err, TFA_ESTORE, "token card %s changed hands while it was being"
				 " unassigned (another host?); nothing done, run the command"
				 " again", serial);
		goto out;
	}
	if (out != NULL)
		*out = t;
	rc = move_card(pg, &t, &key, "", TFA_STATE_UNASSIGNED, err);
	if (rc == TFA_OK)
		rc = audit_card(pg, owner, TFA_EV_CARD_UNASSIGN, source, &t, err);
out:
	tfa_wipe(&key, sizeof(key));
	return tfa_pg_end(pg, rc, err);
}

tfa_rc tfa_pg_cards_release(tfa_pg *pg, const char *user, unsigned *released, tfa_err *err)
{
	tfa_pg_params p = { 0 };
	PGresult *r = NULL;
	tfa_token t;
	tfa_token_key key;
	tfa_rc rc;
	int i, rows = 0;

	*released = 0;
	memset(&key, 0, sizeof(key));
	tfa_pg_p_text(&p, user);
	rc = tfa_pg_exec(pg, "SELECT " TFA_PG_TOKEN_COLS " FROM tokens WHERE \"user\"=$1"
			 " AND serial<>'' AND state IN (0,1) ORDER BY id FOR UPDATE", &p, &r,
			 "reading the user's token cards", err);
	if (rc == TFA_OK)
		rows = PQntuples(r);
	for (i = 0; rc == TFA_OK && i < rows; i++) {
		rc = tfa_pg_token_from_row(pg, r, i, &t, &key, err);
		if (rc == TFA_OK)
			rc = move_card(pg, &t, &key, "", TFA_STATE_UNASSIGNED, err);
		tfa_wipe(&key, sizeof(key));
	}
	if (rc == TFA_OK)
		*released = (unsigned)rows;
	PQclear(r);
	return rc;
}
