/* SPDX-License-Identifier: BSD-2-Clause */
/* pg_internal.h - shared between the PostgreSQL backend's files only
 * (pg_*.c). One connection per handle, opened by tfa_pg_open_ex and closed
 * by tfa_pg_close: nothing is kept across tfa_ctx_close. */
#ifndef TFA_PG_INTERNAL_H
#define TFA_PG_INTERNAL_H

#include <libpq-fe.h>

#include "crypto.h"
#include "store_backend.h"

#define TFA_PG_SCHEMA_VERSION 4     /* the same version as the SQLite schema */
#define TFA_PG_HOST_MAX 64

typedef struct {
	tfa_backend_kind kind;          /* TFA_BACKEND_PG: first, as in SQLite's */
	PGconn *conn;
	int readonly;
	tfa_key key;
	uint8_t pepper[TFA_PEPPER_LEN];
	char *uri;                      /* holds no password (refused at open) */
	char host[TFA_PG_HOST_MAX + 1]; /* this host's name, for the audit trail */
	int64_t data_version;           /* tfa_pg_data_version: counts the asks */
} tfa_pg;

/* the PostgreSQL handle behind a store handle of kind TFA_BACKEND_PG */
static inline tfa_pg *tfa_pg_of(tfa_store *st)
{
	return (tfa_pg *)(void *)st;
}

/* query parameters: text, 64-bit integers (kept as text) or binary */
#define TFA_PG_PARAMS_MAX 16
typedef struct {
	int n;
	const char *v[TFA_PG_PARAMS_MAX];
	int len[TFA_PG_PARAMS_MAX];
	int fmt[TFA_PG_PARAMS_MAX];
	char num[TFA_PG_PARAMS_MAX][24];
} tfa_pg_params;

void tfa_pg_p_text(tfa_pg_params *p, const char *s);    /* NULL is SQL NULL */
void tfa_pg_p_int(tfa_pg_params *p, int64_t v);
void tfa_pg_p_bin(tfa_pg_params *p, const void *data, size_t len);

/* pg_conn.c */
/* run @sql with @p (may be NULL); *@res (may be NULL: cleared) gets the
 * result of a statement that returns rows; @what names it in a message */
tfa_rc tfa_pg_exec(tfa_pg *pg, const char *sql, const tfa_pg_params *p, PGresult **res,
		   const char *what, tfa_err *err);
/* prepare @sql as the session's statement @name (tfa_pg_exec_prepared runs
 * it; DEALLOCATE drops it) */
tfa_rc tfa_pg_prepare(tfa_pg *pg, const char *name, const char *sql, int nparams,
		      const char *what, tfa_err *err);
/* as tfa_pg_exec, the statement prepared as @name */
tfa_rc tfa_pg_exec_prepared(tfa_pg *pg, const char *name, const tfa_pg_params *p,
			    PGresult **res, const char *what, tfa_err *err);
/* as tfa_pg_exec; *@changes gets the rows changed */
tfa_rc tfa_pg_exec_n(tfa_pg *pg, const char *sql, const tfa_pg_params *p, unsigned *changes,
		     const char *what, tfa_err *err);
tfa_rc tfa_pg_begin(tfa_pg *pg, tfa_err *err);
/* COMMIT when @rc is TFA_OK, else ROLLBACK and return @rc */
tfa_rc tfa_pg_end(tfa_pg *pg, tfa_rc rc, tfa_err *err);
/* inside a transaction: serialise every change of @user's state across
 * hosts (a transaction-scoped advisory lock on the name, and the user's row
 * FOR UPDATE); with @create the row is created if missing */
tfa_rc tfa_pg_lock_user(tfa_pg *pg, const char *user, int create, tfa_err *err);
tfa_rc tfa_pg_audit_insert(tfa_pg *pg, const char *user, const char *event,
			   const char *detail, tfa_err *err);
/* append @audit (may be NULL or empty: nothing) for @user */
tfa_rc tfa_pg_audit_rec(tfa_pg *pg, const char *user, const tfa_audit_rec *audit,
			tfa_err *err);
int64_t tfa_pg_int(const PGresult *res, int row, int col);
/* a bytea column (text result) into @dst of exactly @len bytes; 0 on success */
int tfa_pg_blob(const PGresult *res, int row, int col, uint8_t *dst, size_t len);
/* copy a text column into @dst of @size bytes */
void tfa_pg_str(const PGresult *res, int row, int col, char *dst, size_t size);

/* pg_schema.c */
/* the schema check at open; with @create (tfa-admin init) create it in an
 * empty database */
tfa_rc tfa_pg_schema(tfa_pg *pg, int create, tfa_err *err);

/* pg_users.c (inside the caller's transaction) */
tfa_rc tfa_pg_challenge_load(tfa_pg *pg, const char *user, tfa_challenge_rec **ch,
			     tfa_err *err);
tfa_rc tfa_pg_challenge_delete(tfa_pg *pg, const char *user, tfa_err *err);

/* pg_other.c: recovery codes (inside the caller's transaction) */
tfa_rc tfa_pg_recovery_load(tfa_pg *pg, const char *user, tfa_recovery_rec **recs, size_t *n,
			    tfa_err *err);
tfa_rc tfa_pg_recovery_mark_used(tfa_pg *pg, const tfa_recovery_rec *r, tfa_err *err);
void tfa_pg_recovery_free(tfa_recovery_rec *recs, size_t n);

/* pg_card.c (inside the caller's transaction, the user locked): move
 * @user's assigned token cards back to stock; *@released their number */
tfa_rc tfa_pg_cards_release(tfa_pg *pg, const char *user, unsigned *released, tfa_err *err);

/* pg_token.c */
#define TFA_PG_TOKEN_COLS "id, \"user\", type, state, alg, digits, period, counter, last_step," \
	" drift, serial, created, last_used, secret, phone, suite"
tfa_rc tfa_pg_token_from_row(tfa_pg *pg, const PGresult *res, int row, tfa_token *t,
			     tfa_token_key *key, tfa_err *err);
/* TFA_EEXIST if @tok->user has another non-revoked token with the key @key */
tfa_rc tfa_pg_secret_taken(tfa_pg *pg, const tfa_token *tok, const tfa_token_key *key,
			   tfa_err *err);
/* clear @user's must_enroll */
tfa_rc tfa_pg_enrolled(tfa_pg *pg, const char *user, tfa_err *err);
/* *@blob (malloc'd) gets @key sealed bound to @tok's user and id */
tfa_rc tfa_pg_seal_secret(tfa_pg *pg, const tfa_token *tok, const tfa_token_key *key,
			  uint8_t **blob, size_t *bloblen, tfa_err *err);

#endif
