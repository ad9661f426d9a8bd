/* SPDX-License-Identifier: BSD-2-Clause */
/* pg_internal.h - shared between the PostgreSQL backend's files only
 * (pg_*.c). One connection per handle, opened by tfa_pg_open_ex and closed
 * by tfa_pg_close: nothing is kept across tfa_ctx_close. */
#ifndef TFA_PG_INTERNAL_H
#define TFA_PG_INTERNAL_H

#include <libpq-fe.h>

#include "crypto.h"
#include "store_backend.h"

/* pg_api.c: libpq is loaded when a PostgreSQL store is used (not linked:
 * a login on SQLite does not load it). tfa_pq_load takes a reference
 * (TFA_ESTORE naming the library when it cannot), tfa_pq_unload drops it;
 * tfa_pq_fn is the function @name of the loaded library. Every libpq call
 * below goes through it (the macros), while a reference is held. */
tfa_rc tfa_pq_load(void **handle, tfa_err *err);
void tfa_pq_unload(void *handle);
void *tfa_pq_fn(const char *name);
#ifndef TFA_PQ     /* (the static analysis sees the plain calls: -DTFA_PQ(fn)=fn) */
#define TFA_PQ(fn) ((__typeof__(&fn))tfa_pq_fn(#fn))
#endif
#define PQclear(...) TFA_PQ(PQclear)(__VA_ARGS__)
#define PQcmdTuples(...) TFA_PQ(PQcmdTuples)(__VA_ARGS__)
#define PQconnectdbParams(...) TFA_PQ(PQconnectdbParams)(__VA_ARGS__)
#define PQconninfoFree(...) TFA_PQ(PQconninfoFree)(__VA_ARGS__)
#define PQconninfoParse(...) TFA_PQ(PQconninfoParse)(__VA_ARGS__)
#define PQerrorMessage(...) TFA_PQ(PQerrorMessage)(__VA_ARGS__)
#define PQexec(...) TFA_PQ(PQexec)(__VA_ARGS__)
#define PQexecParams(...) TFA_PQ(PQexecParams)(__VA_ARGS__)
#define PQexecPrepared(...) TFA_PQ(PQexecPrepared)(__VA_ARGS__)
#define PQfinish(...) TFA_PQ(PQfinish)(__VA_ARGS__)
#define PQfreemem(...) TFA_PQ(PQfreemem)(__VA_ARGS__)
#define PQgetResult(...) TFA_PQ(PQgetResult)(__VA_ARGS__)
#define PQgetisnull(...) TFA_PQ(PQgetisnull)(__VA_ARGS__)
#define PQgetvalue(...) TFA_PQ(PQgetvalue)(__VA_ARGS__)
#define PQntuples(...) TFA_PQ(PQntuples)(__VA_ARGS__)
#define PQprepare(...) TFA_PQ(PQprepare)(__VA_ARGS__)
#define PQputCopyData(...) TFA_PQ(PQputCopyData)(__VA_ARGS__)
#define PQputCopyEnd(...) TFA_PQ(PQputCopyEnd)(__VA_ARGS__)
#define PQresultErrorField(...) TFA_PQ(PQresultErrorField)(__VA_ARGS__)
#define PQresultErrorMessage(...) TFA_PQ(PQresultErrorMessage)(__VA_ARGS__)
#define PQresultStatus(...) TFA_PQ(PQresultStatus)(__VA_ARGS__)
#define PQsetNoticeProcessor(...) TFA_PQ(PQsetNoticeProcessor)(__VA_ARGS__)
#define PQstatus(...) TFA_PQ(PQstatus)(__VA_ARGS__)
#define PQunescapeBytea(...) TFA_PQ(PQunescapeBytea)(__VA_ARGS__)

#define TFA_PG_SCHEMA_VERSION 4     /* the same version as the SQLite schema */
#define TFA_PG_HOST_MAX 64

typedef struct {
	tfa_backend_kind kind;          /* TFA_BACKEND_PG: first, as in SQLite's */
	void *libpq;                    /* this handle's reference (pg_api.c) */
	PGconn *conn;
	int readonly;
	tfa_key key;
	uint8_t pepper[TFA_PEPPER_LEN];
	char key_check[33];     /* the key check of the key in use */
	char *uri;                      /* holds no password (refused at open) */
	char host[TFA_PG_HOST_MAX + 1]; /* this host's name, for the audit trail */
	int64_t data_version;           /* tfa_pg_data_version: counts the asks */
	int schema_found;               /* the schema version found at open */
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

/* pg_other.c: @user's recovery code records @recs (salt and hash, never a
 * code), inside the caller's transaction */
tfa_rc tfa_pg_recovery_insert(tfa_pg *pg, const char *user, const tfa_recovery_rec *recs,
			       size_t n, tfa_err *err);

/* pg_schema.c */
/* the schema check at open (pg->schema_found); @flags TFA_STORE_CREATE
 * (tfa-admin init) creates it in an empty database, TFA_STORE_UPGRADE
 * (tfa-admin upgrade) migrates an older one */
tfa_rc tfa_pg_schema(tfa_pg *pg, int flags, tfa_err *err);

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
