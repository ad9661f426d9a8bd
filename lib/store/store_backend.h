/* SPDX-License-Identifier: BSD-2-Clause */
/* store_backend.h - the two store backends behind store.h, private to
 * lib/store. store.c defines the public tfa_store_* functions; each one
 * dispatches on the backend kind, the first member of both backends'
 * handles: the SQLite backend's functions are tfa_sqlite_* (its files see
 * the public names renamed by store_sqlite_names.h), the PostgreSQL
 * backend's tfa_pg_* (pg_*.c, built with libpq). */
#ifndef TFA_STORE_BACKEND_H
#define TFA_STORE_BACKEND_H

#include "crypto.h"
#include "store.h"

/* the first member of each backend's handle (and of each backend's import
 * handle, tfa_store_import); SQLite is 0, so its calloc'd handle needs no
 * change */
typedef enum { TFA_BACKEND_SQLITE = 0, TFA_BACKEND_PG = 0x7067 } tfa_backend_kind;

/* 1 when @store names a PostgreSQL database (postgresql:// or postgres://) */
int tfa_store_is_pg_uri(const char *store);

#ifdef HAVE_LIBPQ
/* TFA_OK for a well-formed URI without a password, else TFA_ESTORE with a
 * message that does not repeat @uri (pg_conn.c) */
tfa_rc tfa_pg_uri_check(const char *uri, tfa_err *err);
#endif

/* store_key.c: what both backends derive from the store key */
/* the key check kept in meta "key_check": HMAC-SHA256(key, label), the
 * first 16 bytes in hex; tells a wrong key file from a tampered record */
tfa_rc tfa_key_check_value(const tfa_key *key, char out[33]);
/* the key of a store whose key check is @want: @keyfile's or, when it is
 * not and @next is given (a key roll-out: hosts carry the new key before
 * tfa-admin rekey makes it the store's), @next's; TFA_EKEY naming the
 * files and @store when neither is. *@absent as tfa_key_load's for
 * @keyfile. */
tfa_rc tfa_key_pick(const char *keyfile, const char *next, const char *want, const char *store,
		    tfa_key *key, int *absent, tfa_err *err);
/* @check (tfa_key_check_value of @key) sealed under @key (AES-256-GCM, its
 * own AAD) as new hex text in *@hex, for meta "key_seal" */
tfa_rc tfa_key_seal(const tfa_key *key, const char check[33], char **hex, tfa_err *err);
/* 1 if @hex is the key check @want sealed under @key, else 0 */
int tfa_key_seal_fits(const tfa_key *key, const char *hex, const char *want);
/* tfa_key_pick, but a key that opens @sealed (meta "key_seal", may be NULL)
 * to @want is taken without computing its HMAC: the AES-GCM tag proves the
 * key and the plaintext ties the seal to the key check in force. Without a
 * seal that fits, tfa_key_pick decides (and gives its messages). */
tfa_rc tfa_key_pick_sealed(const char *keyfile, const char *next, const char *want,
			   const char *sealed, const char *store, tfa_key *key, int *absent,
			   tfa_err *err);
/* the recovery pepper of a store that was never rekeyed: HMAC of a label */
tfa_rc tfa_pepper_derive(const tfa_key *key, uint8_t pepper[TFA_PEPPER_LEN], tfa_err *err);
/* @pepper sealed (AES-256-GCM, its own AAD) under @key, as new hex text in
 * *@hex for meta "pepper" (tfa-admin rekey) */
tfa_rc tfa_pepper_seal(const tfa_key *key, const uint8_t pepper[TFA_PEPPER_LEN], char **hex,
		       tfa_err *err);
/* the inverse at open; TFA_EKEY/TFA_ESTORE naming @store when it does not
 * decrypt or is malformed */
tfa_rc tfa_pepper_unseal(const tfa_key *key, const char *hex, const char *store,
			 uint8_t pepper[TFA_PEPPER_LEN], tfa_err *err);

/* store.c: an imported token's fields and key, checked by both backends'
 * imports before anything is written (TFA_EINVAL saying what is wrong) */
tfa_rc tfa_import_check(const tfa_token *t, const tfa_token_key *key, tfa_err *err);

/* The store functions of each backend (the same parameters as store.h's
 * tfa_store_* of the same name). */
/* SQLite (store_*.c) */
tfa_rc tfa_sqlite_open_ex(const char *path, const char *keyfile, const char *keyfile_next,
			  unsigned flags, tfa_store **out, int *absent, tfa_err *err);
tfa_rc tfa_sqlite_key_changed(tfa_store *st, int *changed, tfa_err *err);
void tfa_sqlite_close(tfa_store *st);
const char *tfa_sqlite_path(const tfa_store *st);
tfa_rc tfa_sqlite_pepper(const tfa_store *st, uint8_t out[TFA_PEPPER_LEN]);
int tfa_sqlite_replaced(const tfa_store *st);
tfa_rc tfa_sqlite_data_version(tfa_store *st, int64_t *v, tfa_err *err);
tfa_rc tfa_sqlite_policy_all(tfa_store *st, tfa_policy_row_cb cb, void *ctx, tfa_err *err);
tfa_rc tfa_sqlite_backup(tfa_store *st, const char *file, int force,
			 const tfa_audit_rec *audit, tfa_err *err);
tfa_rc tfa_sqlite_restore(const char *path, const char *keyfile, const char *file,
			  const tfa_audit_rec *audit, tfa_restore_note_fn note, void *arg,
			  tfa_restore_info *info, tfa_err *err);
void tfa_sqlite_schema(const tfa_store *st, int *found, int *current);
tfa_rc tfa_sqlite_user_get(tfa_store *st, const char *user, tfa_user *u, tfa_err *err);
tfa_rc tfa_sqlite_user_set_required(tfa_store *st, const char *user, tfa_req req,
			     const tfa_audit_rec *audit, tfa_err *err);
tfa_rc tfa_sqlite_user_unlock(tfa_store *st, const char *user, const tfa_audit_rec *audit,
		       tfa_err *err);
tfa_rc tfa_sqlite_user_list(tfa_store *st, tfa_user_cb cb, void *ctx, tfa_err *err);
tfa_rc tfa_sqlite_token_add(tfa_store *st, tfa_token *tok, const tfa_token_key *key,
			const char *event, const char *detail, tfa_err *err);
tfa_rc tfa_sqlite_token_list(tfa_store *st, const char *user, tfa_token **toks, size_t *n,
			tfa_token_key **keys, tfa_err *err);
tfa_rc tfa_sqlite_user_reset(tfa_store *st, const char *user, unsigned *revoked, unsigned *codes,
		      const char *source, tfa_err *err);
tfa_rc tfa_sqlite_recovery_replace(tfa_store *st, const char *user, const tfa_recovery_rec *recs,
			    size_t n, const tfa_audit_rec *audit, tfa_err *err);
tfa_rc tfa_sqlite_recovery_add(tfa_store *st, const char *user, const tfa_recovery_rec *recs,
			size_t n, const tfa_audit_rec *audit, tfa_err *err);
tfa_rc tfa_sqlite_recovery_count(tfa_store *st, const char *user, unsigned *n, tfa_err *err);
tfa_rc tfa_sqlite_challenge_put(tfa_store *st, const char *user, const tfa_challenge_rec *ch,
			 const tfa_audit_rec *audit, tfa_err *err);
tfa_rc tfa_sqlite_challenge_clear(tfa_store *st, const char *user, const tfa_audit_rec *audit,
			   tfa_err *err);
tfa_rc tfa_sqlite_user_txn_ex(tfa_store *st, const char *user, tfa_txn_ex_fn fn, void *ctx,
		       tfa_err *err);
tfa_rc tfa_sqlite_user_view(tfa_store *st, const char *user, tfa_txn_ex_fn fn, void *ctx,
			    tfa_err *err);
tfa_rc tfa_sqlite_delivery_reserve(tfa_store *st, const char *user, int64_t now, unsigned max,
			    unsigned window, const tfa_audit_rec *limited, int *allowed,
			    int64_t *retry_after, tfa_err *err);
tfa_rc tfa_sqlite_cards_add(tfa_store *st, tfa_token *cards, const tfa_token_key *keys,
			size_t n, const char *source, tfa_card_dup_fn dup, void *ctx,
			tfa_err *err);
tfa_rc tfa_sqlite_card_list(tfa_store *st, tfa_token_cb cb, void *ctx, tfa_err *err);
tfa_rc tfa_sqlite_card_assign(tfa_store *st, const char *serial, const char *user,
		       const char *source, tfa_token *out, tfa_err *err);
tfa_rc tfa_sqlite_card_unassign(tfa_store *st, const char *serial, const char *source,
			 tfa_token *out, tfa_err *err);
tfa_rc tfa_sqlite_policy_get(tfa_store *st, const char *key, char **val, tfa_err *err);
tfa_rc tfa_sqlite_policy_set(tfa_store *st, const char *key, const char *val,
		      const tfa_audit_rec *audit, tfa_err *err);
tfa_rc tfa_sqlite_audit_add(tfa_store *st, const char *user, const char *event, const char *detail,
		     tfa_err *err);
tfa_rc tfa_sqlite_audit_list(tfa_store *st, const char *user, int64_t since, tfa_audit_cb cb,
		      void *ctx, tfa_err *err);
tfa_rc tfa_sqlite_audit_prune(tfa_store *st, int64_t before, const char *note, unsigned *pruned,
		       tfa_err *err);
tfa_rc tfa_sqlite_integrity(tfa_store *st, char *result, size_t len, tfa_err *err);
tfa_rc tfa_sqlite_import_begin(tfa_store *st, const char *source, tfa_store_import **imp,
			tfa_err *err);
tfa_rc tfa_sqlite_import_token(tfa_store_import *imp, tfa_token *tok, const tfa_token_key *key,
			       tfa_err *err);
tfa_rc tfa_sqlite_import_recovery(tfa_store_import *imp, const char *user,
			   const tfa_recovery_rec *recs, size_t n, const tfa_audit_rec *audit,
			   tfa_err *err);
tfa_rc tfa_sqlite_import_commit(tfa_store_import *imp, unsigned long *users, tfa_err *err);
void tfa_sqlite_import_abort(tfa_store_import *imp);
tfa_rc tfa_sqlite_rekey(tfa_store *st, const tfa_key *newkey, const tfa_audit_rec *audit,
			unsigned *tokens, tfa_err *err);

#ifdef HAVE_LIBPQ
/* PostgreSQL (pg_*.c) */
tfa_rc tfa_pg_open_ex(const char *path, const char *keyfile, const char *keyfile_next,
		      unsigned flags, tfa_store **out, int *absent, tfa_err *err);
tfa_rc tfa_pg_key_changed(tfa_store *st, int *changed, tfa_err *err);
void tfa_pg_close(tfa_store *st);
const char *tfa_pg_path(const tfa_store *st);
tfa_rc tfa_pg_pepper(const tfa_store *st, uint8_t out[TFA_PEPPER_LEN]);
void tfa_pg_schema_versions(const tfa_store *st, int *found, int *current);
tfa_rc tfa_pg_data_version(tfa_store *st, int64_t *v, tfa_err *err);
tfa_rc tfa_pg_policy_all(tfa_store *st, tfa_policy_row_cb cb, void *ctx, tfa_err *err);
tfa_rc tfa_pg_user_get(tfa_store *st, const char *user, tfa_user *u, tfa_err *err);
tfa_rc tfa_pg_user_set_required(tfa_store *st, const char *user, tfa_req req,
			     const tfa_audit_rec *audit, tfa_err *err);
tfa_rc tfa_pg_user_unlock(tfa_store *st, const char *user, const tfa_audit_rec *audit,
		       tfa_err *err);
tfa_rc tfa_pg_user_list(tfa_store *st, tfa_user_cb cb, void *ctx, tfa_err *err);
tfa_rc tfa_pg_token_add(tfa_store *st, tfa_token *tok, const tfa_token_key *key,
			const char *event, const char *detail, tfa_err *err);
tfa_rc tfa_pg_token_list(tfa_store *st, const char *user, tfa_token **toks, size_t *n,
			tfa_token_key **keys, tfa_err *err);
tfa_rc tfa_pg_user_reset(tfa_store *st, const char *user, unsigned *revoked, unsigned *codes,
		      const char *source, tfa_err *err);
tfa_rc tfa_pg_recovery_replace(tfa_store *st, const char *user, const tfa_recovery_rec *recs,
			    size_t n, const tfa_audit_rec *audit, tfa_err *err);
tfa_rc tfa_pg_recovery_add(tfa_store *st, const char *user, const tfa_recovery_rec *recs,
			size_t n, const tfa_audit_rec *audit, tfa_err *err);
tfa_rc tfa_pg_recovery_count(tfa_store *st, const char *user, unsigned *n, tfa_err *err);
tfa_rc tfa_pg_challenge_put(tfa_store *st, const char *user, const tfa_challenge_rec *ch,
			 const tfa_audit_rec *audit, tfa_err *err);
tfa_rc tfa_pg_challenge_clear(tfa_store *st, const char *user, const tfa_audit_rec *audit,
			   tfa_err *err);
tfa_rc tfa_pg_user_txn_ex(tfa_store *st, const char *user, tfa_txn_ex_fn fn, void *ctx,
		       tfa_err *err);
tfa_rc tfa_pg_delivery_reserve(tfa_store *st, const char *user, int64_t now, unsigned max,
			    unsigned window, const tfa_audit_rec *limited, int *allowed,
			    int64_t *retry_after, tfa_err *err);
tfa_rc tfa_pg_cards_add(tfa_store *st, tfa_token *cards, const tfa_token_key *keys,
			size_t n, const char *source, tfa_card_dup_fn dup, void *ctx,
			tfa_err *err);
tfa_rc tfa_pg_card_list(tfa_store *st, tfa_token_cb cb, void *ctx, tfa_err *err);
tfa_rc tfa_pg_card_assign(tfa_store *st, const char *serial, const char *user,
		       const char *source, tfa_token *out, tfa_err *err);
tfa_rc tfa_pg_card_unassign(tfa_store *st, const char *serial, const char *source,
			 tfa_token *out, tfa_err *err);
tfa_rc tfa_pg_policy_get(tfa_store *st, const char *key, char **val, tfa_err *err);
tfa_rc tfa_pg_policy_set(tfa_store *st, const char *key, const char *val,
		      const tfa_audit_rec *audit, tfa_err *err);
tfa_rc tfa_pg_audit_add(tfa_store *st, const char *user, const char *event, const char *detail,
		     tfa_err *err);
tfa_rc tfa_pg_audit_list(tfa_store *st, const char *user, int64_t since, tfa_audit_cb cb,
		      void *ctx, tfa_err *err);
tfa_rc tfa_pg_audit_prune(tfa_store *st, int64_t before, const char *note, unsigned *pruned,
		       tfa_err *err);
tfa_rc tfa_pg_integrity(tfa_store *st, char *result, size_t len, tfa_err *err);
tfa_rc tfa_pg_import_begin(tfa_store *st, const char *source, tfa_store_import **imp,
			tfa_err *err);
tfa_rc tfa_pg_import_token(tfa_store_import *imp, tfa_token *tok, const tfa_token_key *key,
			   tfa_err *err);
tfa_rc tfa_pg_import_recovery(tfa_store_import *imp, const char *user,
			      const tfa_recovery_rec *recs, size_t n, const tfa_audit_rec *audit,
			      tfa_err *err);
tfa_rc tfa_pg_import_commit(tfa_store_import *imp, unsigned long *users, tfa_err *err);
void tfa_pg_import_abort(tfa_store_import *imp);
tfa_rc tfa_pg_rekey(tfa_store *st, const tfa_key *newkey, const tfa_audit_rec *audit,
		    unsigned *tokens, tfa_err *err);

/* store_migrate.c: the SQLite store @st copied into the PostgreSQL one @target */
tfa_rc tfa_sqlite_migrate_pg(tfa_store *st, tfa_store *target, const tfa_audit_rec *src_audit,
			     const tfa_audit_rec *dst_audit, tfa_migrate_info *info, tfa_err *err);
#endif

#endif
