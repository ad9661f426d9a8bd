/* SPDX-License-Identifier: BSD-2-Clause */
/* pg_import.c - the PostgreSQL backend: bulk import of active tokens in one
 * transaction (tfa-admin import), as store_import.c does it on SQLite. The
 * statements are prepared once per import and reused for every token; the
 * ids come from the sequence in blocks, so each secret is sealed bound to
 * its user and id before its row is written (no second write). A user new
 * to the store is created with the token and its audit row in one
 * statement. For a user the store has, their row is locked (a login or
 * enrolment of theirs on another host waits for the import), the duplicate
 * check reads their tokens after that lock, then one statement clears
 * must_enroll, inserts the token and its audit row. One import at a time
 * across hosts. */
#include "config.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include <openssl/crypto.h>

#include "audit.h"
#include "pg_internal.h"
#include "secret.h"

#define IDS_BLOCK 512

/* the statements prepared for an import (dropped at its end) */
#define S_USER "tfa_import_user"
#define S_DUP "tfa_import_dup"
#define S_IDS "tfa_import_ids"
#define S_INS "tfa_import_ins"
#define S_NEW "tfa_import_new"

typedef struct {
	tfa_backend_kind kind;          /* TFA_BACKEND_PG: first, as in SQLite's */
	tfa_pg *pg;
	char source[64];
	int64_t ids[IDS_BLOCK];         /* ids taken from the sequence, unused */
	size_t nids;
	int64_t first_id;               /* the lowest imported id; 0 = none yet */
	uint64_t tokens;
	int prepared;                   /* the statements exist in the session */
	int failed;                     /* a statement failed: only abort is left */
} tfa_pg_import;

static tfa_pg_import *imp_of(tfa_store_import *imp)
{
	return (tfa_pg_import *)(void *)imp;
}

/* end the transaction (commit when @rc is TFA_OK), drop the statements
 * and free @imp; returns the result */
static tfa_rc imp_end(tfa_pg_import *imp, tfa_rc rc, tfa_err *err)
{
	static const char *const names[] = { S_USER, S_DUP, S_IDS, S_INS, S_NEW };
	tfa_pg *pg = imp->pg;
	char sql[64];
	size_t i;

	rc = tfa_pg_end(pg, rc, err);
	for (i = 0; imp->prepared && i < sizeof(names) / sizeof(names[0]); i++) {
		(void)snprintf(sql, sizeof(sql), "DEALLOCATE %s", names[i]);
		PQclear(PQexec(pg->conn, sql));
	}
	free(imp);
	return rc;
}

static tfa_rc prepare_all(tfa_pg_import *imp, tfa_err *err)
{
	tfa_pg *pg = imp->pg;
	tfa_rc rc;

	imp->prepared = 1;
	/* create the user, or lock their row (a no-op update) */
	rc = tfa_pg_prepare(pg, S_USER, "INSERT INTO users(name) VALUES($1) ON CONFLICT (name)"
			    " DO UPDATE SET must_enroll=users.must_enroll", 1, "adding user", err);
	if (rc == TFA_OK)
		rc = tfa_pg_prepare(pg, S_DUP, "SELECT " TFA_PG_TOKEN_COLS " FROM tokens"
				    " WHERE \"user\"=$1 AND state<>2", 1, "reading tokens", err);
	if (rc == TFA_OK)
		rc = tfa_pg_prepare(pg, S_IDS, "SELECT nextval(pg_get_serial_sequence('tokens',"
				    " 'id')) FROM generate_series(1, $1::bigint)", 1,
				    "adding token", err);
	if (rc == TFA_OK)
		rc = tfa_pg_prepare(pg, S_INS, "WITH e AS (UPDATE users SET must_enroll=0"
				    " WHERE name=$2 AND must_enroll<>0),"
				    " t AS (INSERT INTO tokens(id, \"user\", type, state, alg, digits,"
				    " period, counter, last_step, drift, serial, created, last_used,"
				    " secret) VALUES($1,$2,$3,$4,$5,$6,$7,$8,$9,0,'',$10,0,$11))"
				    " INSERT INTO audit(time, \"user\", event, detail, host)"
				    " VALUES($10,$2,'" TFA_EV_IMPORT "',$12,$13)", 13, "adding token",
				    err);
	/* a user new to the store (no tokens: no duplicate check) and the token
	 * in one statement; nothing when the user exists already */
	if (rc == TFA_OK)
		rc = tfa_pg_prepare(pg, S_NEW, "WITH u AS (INSERT INTO users(name) VALUES($2::text)"
				    " ON CONFLICT (name) DO NOTHING RETURNING name),"
				    " t AS (INSERT INTO tokens(id, \"user\", type, state, alg, digits,"
				    " period, counter, last_step, drift, serial, created, last_used,"
				    " secret) SELECT $1::bigint, name, $3::integer, $4::integer,"
				    " $5::integer, $6::integer, $7::integer, $8::bigint, $9::bigint, 0,"
				    " '', $10::bigint, 0, $11::bytea FROM u),"
				    " a AS (INSERT INTO audit(time, \"user\", event, detail, host)"
				    " SELECT $10::bigint, name, '" TFA_EV_IMPORT "', $12::text, $13::text"
				    " FROM u) SELECT count(*) FROM u", 13, "adding token", err);
	return rc;
}

tfa_rc tfa_pg_import_begin(tfa_store *st, const char *source, tfa_store_import **out,
			   tfa_err *err)
{
	tfa_pg_import *imp;
	tfa_rc rc;

	*out = NULL;
	imp = calloc(1, sizeof(*imp));
	if (imp == NULL)
		return tfa_err_set(err, TFA_ENOMEM, "out of memory");
	imp->kind = TFA_BACKEND_PG;
	imp->pg = tfa_pg_of(st);
	(void)snprintf(imp->source, sizeof(imp->source), "%s", source != NULL ? source : "file");
	rc = tfa_pg_begin(imp->pg, err);
	if (rc != TFA_OK) {
		free(imp);
		return rc;
	}
	rc = tfa_pg_exec(imp->pg, "SELECT pg_advisory_xact_lock(7306, 1)", NULL, NULL,
			 "waiting for another import", err);
	if (rc == TFA_OK)
		rc = prepare_all(imp, err);
	if (rc != TFA_OK)
		return imp_end(imp, rc, err);
	*out = (tfa_store_import *)(void *)imp;
	return TFA_OK;
}

/* TFA_EEXIST when @tok->user has a token (not revoked) with the key @key */
static tfa_rc secret_taken(tfa_pg_import *imp, const tfa_token *tok, const tfa_token_key *key,
			   tfa_err *err)
{
	tfa_pg_params p = { 0 };
	PGresult *r = NULL;
	tfa_token t;
	tfa_token_key k;
	tfa_rc rc;
	int i, rows, same;

	tfa_pg_p_text(&p, tok->user);
	rc = tfa_pg_exec_prepared(imp->pg, S_DUP, &p, &r, "reading tokens", err);
	if (rc != TFA_OK)
		return rc;
	rows = PQntuples(r);
	for (i = 0; rc == TFA_OK && i < rows; i++) {
		rc = tfa_pg_token_from_row(imp->pg, r, i, &t, &k, err);
		if (rc != TFA_OK)
			break;
		same = k.len == key->len && CRYPTO_memcmp(k.bytes, key->bytes, key->len) == 0;
		tfa_wipe(&k, sizeof(k));
		if (same)
			rc = tfa_err_set(err, TFA_EEXIST, "user %s already has token %lld with this"
					 " secret (the same token imported or added twice?);"
					 " not adding it again", tfa_user_esc(tok->user).s,
					 (long long)t.id);
	}
	PQclear(r);
	return rc;
}

/* the next unused id from the sequence (IDS_BLOCK at a time) */
static tfa_rc next_id(tfa_pg_import *imp, int64_t *id, tfa_err *err)
{
	tfa_pg_params p = { 0 };
	PGresult *r = NULL;
	tfa_rc rc;
	int i, rows;

	if (imp->nids == 0) {
		tfa_pg_p_int(&p, IDS_BLOCK);
		rc = tfa_pg_exec_prepared(imp->pg, S_IDS, &p, &r, "adding token", err);
		if (rc != TFA_OK)
			return rc;
		rows = PQntuples(r);
		/* kept in reverse: taken from the end, the lowest first */
		for (i = 0; i < rows && i < IDS_BLOCK; i++)
			imp->ids[i] = tfa_pg_int(r, rows - 1 - i, 0);
		imp->nids = (size_t)i;
		PQclear(r);
		if (imp->nids == 0)
			return tfa_err_set(err, TFA_ESTORE, "store %s: no token ids", imp->pg->uri);
	}
	*id = imp->ids[--imp->nids];
	return TFA_OK;
}

/* run @stmt (S_INS or S_NEW) for @tok; *@added (may be NULL) gets 1 when
 * the token was written */
static tfa_rc insert(tfa_pg_import *imp, const char *stmt, const tfa_token *tok,
		     const uint8_t *blob, size_t bloblen, int *added, tfa_err *err)
{
	PGresult *r = NULL;
	tfa_rc rc;
	tfa_pg_params p = { 0 };
	char detail[160];

	(void)snprintf(detail, sizeof(detail), "%s token %lld imported from %s",
		       otp_type_name(tok->type), (long long)tok->id, imp->source);
	tfa_pg_p_int(&p, tok->id);
	tfa_pg_p_text(&p, tok->user);
	tfa_pg_p_int(&p, (int64_t)tok->type);
	tfa_pg_p_int(&p, (int64_t)tok->state);
	tfa_pg_p_int(&p, (int64_t)tok->alg);
	tfa_pg_p_int(&p, (int64_t)tok->digits);
	tfa_pg_p_int(&p, (int64_t)tok->period);
	tfa_pg_p_int(&p, (int64_t)tok->counter);
	tfa_pg_p_int(&p, tok->last_step);
	tfa_pg_p_int(&p, tok->created);
	tfa_pg_p_bin(&p, blob, bloblen);
	tfa_pg_p_text(&p, detail);
	tfa_pg_p_text(&p, imp->pg->host);
	rc = tfa_pg_exec_prepared(imp->pg, stmt, &p, &r, "adding token", err);
	if (rc == TFA_OK && added != NULL)
		*added = PQntuples(r) == 1 && tfa_pg_int(r, 0, 0) == 1;
	PQclear(r);
	return rc;
}

tfa_rc tfa_pg_import_token(tfa_store_import *handle, tfa_token *tok, const tfa_token_key *key,
			   tfa_err *err)
{
	tfa_pg_import *imp = imp_of(handle);
	tfa_pg_params p = { 0 };
	uint8_t *blob = NULL;
	size_t bloblen = 0;
	int added = 0;
	tfa_rc rc;

	if (imp->failed)
		return tfa_err_set(err, TFA_ESTORE, "store %s: import already failed",
				   imp->pg->uri);
	rc = tfa_import_check(tok, key, err);
	if (rc != TFA_OK)
		return rc;
	tok->created = (int64_t)time(NULL);
	tok->state = TFA_STATE_ACTIVE;
	rc = next_id(imp, &tok->id, err);
	if (rc == TFA_OK)
		rc = tfa_pg_seal_secret(imp->pg, tok, key, &blob, &bloblen, err);
	/* a user new to the store: one statement */
	if (rc == TFA_OK)
		rc = insert(imp, S_NEW, tok, blob, bloblen, &added, err);
	/* else lock the user's row (a login or enrolment of theirs on another
	 * host waits for the import), then refuse the same secret twice for
	 * them (a file imported twice): the import can go on */
	if (rc == TFA_OK && !added) {
		tfa_pg_p_text(&p, tok->user);
		rc = tfa_pg_exec_prepared(imp->pg, S_USER, &p, NULL, "adding user", err);
		if (rc == TFA_OK)
			rc = secret_taken(imp, tok, key, err);
		if (rc == TFA_EEXIST) {
			free(blob);
			tok->id = 0;
			return rc;
		}
		if (rc == TFA_OK)
			rc = insert(imp, S_INS, tok, blob, bloblen, NULL, err);
	}
	free(blob);
	if (rc != TFA_OK) {
		imp->failed = 1;
		return rc;
	}
	if (imp->first_id == 0 || tok->id < imp->first_id)
		imp->first_id = tok->id;
	imp->tokens++;
	return TFA_OK;
}

tfa_rc tfa_pg_import_recovery(tfa_store_import *handle, const char *user,
			      const tfa_recovery_rec *recs, size_t n, const tfa_audit_rec *audit,
			      tfa_err *err)
{
	tfa_pg_import *imp = imp_of(handle);
	tfa_pg_params p = { 0 };
	tfa_rc rc;

	if (imp->failed)
		return tfa_err_set(err, TFA_ESTORE, "store %s: the import failed already",
				   imp->pg->uri);
	tfa_pg_p_text(&p, user);
	rc = tfa_pg_exec_prepared(imp->pg, S_USER, &p, NULL, "adding user", err);
	if (rc == TFA_OK)
		rc = tfa_pg_recovery_insert(imp->pg, user, recs, n, err);
	if (rc == TFA_OK)
		rc = tfa_pg_audit_rec(imp->pg, user, audit, err);
	if (rc != TFA_OK)
		imp->failed = 1;
	return rc;
}

tfa_rc tfa_pg_import_commit(tfa_store_import *handle, unsigned long *users, tfa_err *err)
{
	tfa_pg_import *imp = imp_of(handle);
	tfa_pg_params p = { 0 };
	PGresult *r = NULL;
	tfa_rc rc = TFA_OK;

	*users = 0;
	if (imp->failed) {
		(void)tfa_err_set(err, TFA_ESTORE, "store %s: import failed, rolled back",
				  imp->pg->uri);
		return imp_end(imp, TFA_ESTORE, err);
	}
	if (imp->first_id != 0) {
		/* the users of the tokens this transaction wrote (not another
		 * host's, whose ids may lie between ours) */
		tfa_pg_p_int(&p, imp->first_id);
		rc = tfa_pg_exec(imp->pg, "SELECT count(DISTINCT \"user\") FROM tokens WHERE id>=$1"
				 " AND xmin::text = (txid_current() % 4294967296)::text", &p, &r,
				 "counting users", err);
		if (rc == TFA_OK)
			*users = (unsigned long)tfa_pg_int(r, 0, 0);
		PQclear(r);
	}
	rc = imp_end(imp, rc, err);
	if (rc != TFA_OK)
		*users = 0;
	return rc;
}

void tfa_pg_import_abort(tfa_store_import *handle)
{
	if (handle != NULL)
		(void)imp_end(imp_of(handle), TFA_ESTORE, NULL);
}
