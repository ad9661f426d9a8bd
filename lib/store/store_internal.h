/* SPDX-License-Identifier: BSD-2-Clause */
/* store_internal.h - shared between the SQLite backend's files only. */
#ifndef TFA_STORE_INTERNAL_H
#define TFA_STORE_INTERNAL_H

#include <sqlite3.h>
#include <time.h>
#include "crypto.h"
#include "store_sqlite_names.h"
#include "store.h"
#include "store_backend.h"

/* a prepared statement kept for the connection's life (tfa_db_prepare) */
typedef struct {
	char *sql;
	sqlite3_stmt *stmt;
	int busy;        /* handed out, not yet back through tfa_db_finish */
} tfa_db_cached;

#define TFA_DB_CACHE 48

struct tfa_store {
	tfa_backend_kind kind;  /* TFA_BACKEND_SQLITE (0, calloc) */
	sqlite3 *db;
	tfa_db_cached cache[TFA_DB_CACHE];
	size_t ncache;
	int fd;          /* our O_NOFOLLOW descriptor, held until sqlite closes
			  * (closing it earlier would drop sqlite's POSIX locks) */
	int readonly;
	tfa_key key;
	uint8_t pepper[TFA_PEPPER_LEN];   /* recovery hash pepper, sealed in meta */
	int pepper_derive;   /* no sealed pepper: derived from the key at each use */
	char *path;
	int schema_found;   /* the schema version the store had at open */
	struct tfa_vfs *vfs; /* this connection's VFS shim (store_wal.c), or NULL */
	struct timespec busy_since; /* when the current wait for a lock began */
	char key_check[33];  /* the key check of the key in use (tfa_store_key_changed) */
};

#define TFA_SCHEMA_VERSION 4
/* concurrent logins wait for the write lock; sshd allows 120 s */
#define TFA_BUSY_TIMEOUT_MS 30000

/* store_schema.c: check refuses an older schema (naming tfa-admin upgrade)
 * and one that needs newer programs; migrate gives a new store (init) its
 * schema, and with @upgrade brings an older one to TFA_SCHEMA_VERSION in
 * one transaction with its audit row */
tfa_rc tfa_schema_migrate(tfa_store *st, int upgrade, tfa_err *err);
tfa_rc tfa_schema_check(tfa_store *st, tfa_err *err);

/* store_sqlite.c */
/* wait (@wait 1: up to TFA_BUSY_TIMEOUT_MS, polling quickly, then every
 * 2 ms) or do not wait (0) when another connection holds the lock */
void tfa_db_busy_wait(tfa_store *st, int wait);
tfa_rc tfa_db_err(tfa_store *st, tfa_err *err, const char *what);
tfa_rc tfa_db_exec(tfa_store *st, const char *sql, tfa_err *err);
/* step a statement that returns no rows; @what names it in a message */
tfa_rc tfa_db_step_done(tfa_store *st, sqlite3_stmt *stmt, const char *what, tfa_err *err);
/* a statement for @sql: the connection's cached one when it is free, else
 * a new one (kept in the cache while there is room); give it back with
 * tfa_db_finish, never sqlite3_finalize */
tfa_rc tfa_db_prepare(tfa_store *st, const char *sql, sqlite3_stmt **stmt, tfa_err *err);
/* done with @stmt (NULL is fine): a cached one is reset, its bindings
 * cleared and kept; any other is finalized */
void tfa_db_finish(tfa_store *st, sqlite3_stmt *stmt);
tfa_rc tfa_db_run_user(tfa_store *st, const char *sql, const char *user,
			const char *what, unsigned *changes, tfa_err *err);
tfa_rc tfa_db_ensure_user(tfa_store *st, const char *user, tfa_err *err);
/* @user got an active token: clear must_enroll */
tfa_rc tfa_db_enrolled(tfa_store *st, const char *user, tfa_err *err);
tfa_rc tfa_db_audit_insert(tfa_store *st, const char *user, const char *event,
			   const char *detail, tfa_err *err);
int64_t tfa_now(void);
/* the one text column of the first row of @sql (?1 = @arg) as a new string
 * in *@out, NULL when there is no row; @what names the step in a message */
tfa_rc tfa_db_text(tfa_store *st, const char *sql, const char *arg, char **out,
		   const char *what, tfa_err *err);
/* make room in the array *@arr of *@cap elements of @elem bytes for one
 * more after @cnt (doubling, @first the first time); the old rows are wiped */
tfa_rc tfa_db_grow(void **arr, size_t *cap, size_t cnt, size_t elem, size_t first,
		   tfa_err *err);
tfa_rc tfa_db_pepper(tfa_store *st, tfa_err *err);
/* store_rekey.c: meta "key_seal" written for the key in use unless @seal
 * (its current value, may be NULL) already fits it; best effort */
void tfa_db_key_seal_refresh(tfa_store *st, const char *seal);

/* store_wal.c */
/* frames in the WAL after which a login connection's commit checkpoints */
#define TFA_WAL_CKPT_FRAMES 128
/* the VFS every store connection uses ("tfa-unix": unix, opening an
 * existing WAL without the directory fsync), NULL for SQLite's default */
/* register this connection's VFS shim (an existing WAL opened without the
 * directory fsync); its name for sqlite3_open_v2, NULL for the default VFS.
 * tfa_db_vfs_close unregisters it once the connection is closed. */
const char *tfa_db_vfs_open(tfa_store *st);
void tfa_db_vfs_close(tfa_store *st);
/* TFA_ESTORE unless tfa.db (st->fd) starts with a sane SQLite header; a
 * 0-byte file passes (init) */
tfa_rc tfa_db_check_header(tfa_store *st, tfa_err *err);
/* a login connection: keep the WAL at close, checkpoint every
 * TFA_WAL_CKPT_FRAMES frames instead */
void tfa_db_login_mode(tfa_store *st);

/* store_recovery.c (called inside a transaction the caller holds) */
tfa_rc tfa_db_recovery_load(tfa_store *st, const char *user, tfa_recovery_rec **recs,
			    size_t *n, tfa_err *err);
tfa_rc tfa_db_recovery_mark_used(tfa_store *st, const tfa_recovery_rec *r, tfa_err *err);
tfa_rc tfa_db_recovery_delete(tfa_store *st, const char *user, unsigned *deleted,
			      tfa_err *err);
void tfa_recovery_recs_free(tfa_recovery_rec *recs, size_t n);
/* insert @n records for @user (existing user; inside the caller's txn) */
tfa_rc tfa_db_recovery_insert(tfa_store *st, const char *user, const tfa_recovery_rec *recs,
			      size_t n, tfa_err *err);

/* store_token.c: token rows (TFA_DB_TOKEN_COLS in this order) */
#define TFA_DB_TOKEN_COLS "id, user, type, state, alg, digits, period, counter, last_step," \
	" drift, serial, created, last_used, secret, phone, suite"
/* the row's record into @t and, with @key not NULL, its decrypted key */
tfa_rc tfa_db_token_from_row(tfa_store *st, sqlite3_stmt *stmt, tfa_token *t,
			     tfa_token_key *key, tfa_err *err);
/* the tokens a query (?1 = @user, selecting TFA_DB_TOKEN_COLS) returns;
 * with @keys not NULL also their keys, in a parallel array */
tfa_rc tfa_db_tokens_load(tfa_store *st, const char *sql, const char *user, tfa_token **toks,
			  size_t *n, tfa_token_key **keys, tfa_err *err);
/* seal @key bound to tok->user and tok->id and write it */
tfa_rc tfa_db_token_store_secret(tfa_store *st, const tfa_token *tok, const tfa_token_key *key,
				 tfa_err *err);
/* TFA_EEXIST (message naming the token) if @user has a non-revoked token
 * other than @tok->id whose key equals @key (constant-time compare) */
tfa_rc tfa_db_secret_taken(tfa_store *st, const tfa_token *tok, const tfa_token_key *key,
			   tfa_err *err);
/* the same over the rows a prepared statement (TFA_DB_TOKEN_COLS) returns */
tfa_rc tfa_db_secret_taken_stmt(tfa_store *st, sqlite3_stmt *stmt, const tfa_token *tok,
				const tfa_token_key *key, tfa_err *err);
/* COMMIT when @rc is TFA_OK, else ROLLBACK and return @rc */
tfa_rc tfa_db_txn_end(tfa_store *st, tfa_rc rc, tfa_err *err);

/* store_card.c (inside the caller's transaction): @user's cards to stock */
tfa_rc tfa_db_cards_release(tfa_store *st, const char *user, unsigned *released,
			    tfa_err *err);

/* store_challenge.c (inside the caller's transaction) */
tfa_rc tfa_db_challenge_load(tfa_store *st, const char *user, tfa_challenge_rec **ch,
			     tfa_err *err);
tfa_rc tfa_db_challenge_delete(tfa_store *st, const char *user, tfa_err *err);

/* store_restore.c (store_backup.c's tfa_store_restore): the backup staged
 * at @stage merged into the open current store @st in one transaction;
 * or, the current store being unreadable (@why), the staged copy @bk
 * readied to be copied over it */
tfa_rc tfa_db_restore_merge(tfa_store *st, const char *stage, const char *file,
			    const tfa_audit_rec *audit, tfa_restore_note_fn note, void *arg,
			    tfa_restore_info *info, tfa_err *err);
tfa_rc tfa_db_restore_fixup(tfa_store *bk, const char *path, const char *why,
			    const tfa_audit_rec *audit, tfa_restore_note_fn note, void *arg,
			    tfa_restore_info *info, tfa_err *err);

#endif
