/* SPDX-License-Identifier: BSD-2-Clause */
/* store.c - the public store functions (store.h): each dispatches to the
 * backend the store was opened with - PostgreSQL for a postgresql:// or
 * postgres:// URI (pg_*.c, when built with libpq), SQLite for a path. */
#include "config.h"

#include <string.h>

#include "store_backend.h"

int tfa_store_is_pg_uri(const char *store)
{
	return store != NULL && (strncmp(store, "postgresql://", 13) == 0 ||
				 strncmp(store, "postgres://", 11) == 0);
}

#ifdef HAVE_LIBPQ
static int is_pg(const tfa_store *st)
{
	/* the backend kind is the first member of both handles */
	return *(const tfa_backend_kind *)(const void *)st == TFA_BACKEND_PG;
}
#endif

TFA_API tfa_rc tfa_store_open(const char *path, const char *keyfile, unsigned flags,
			      tfa_store **out, tfa_err *err)
{
	return tfa_store_open_ex(path, keyfile, flags, out, NULL, err);
}

TFA_API tfa_rc tfa_store_open_ex(const char *path, const char *keyfile, unsigned flags,
				 tfa_store **out, int *absent, tfa_err *err)
{
	return tfa_store_open_keys(path, keyfile, NULL, flags, out, absent, err);
}

TFA_API tfa_rc tfa_store_open_keys(const char *path, const char *keyfile,
				   const char *keyfile_next, unsigned flags, tfa_store **out,
				   int *absent, tfa_err *err)
{
	if (tfa_store_is_pg_uri(path)) {
#ifdef HAVE_LIBPQ
		return tfa_pg_open_ex(path, keyfile, keyfile_next, flags, out, absent, err);
#else
		*out = NULL;
		if (absent != NULL)
			*absent = 0;
		return tfa_err_set(err, TFA_ESTORE, "store %.40s...: this build has no PostgreSQL "
				   "support (configure --with-postgresql, libpq-dev)", path);
#endif
	}
	return tfa_sqlite_open_ex(path, keyfile, keyfile_next, flags, out, absent, err);
}

TFA_API tfa_rc tfa_store_key_changed(tfa_store *st, int *changed, tfa_err *err)
{
#ifdef HAVE_LIBPQ
	if (is_pg(st))
		return tfa_pg_key_changed(st, changed, err);
#endif
	return tfa_sqlite_key_changed(st, changed, err);
}

TFA_API void tfa_store_close(tfa_store *st)
{
	if (st == NULL)
		return;
#ifdef HAVE_LIBPQ
	if (is_pg(st)) {
		tfa_pg_close(st);
		return;
	}
#endif
	tfa_sqlite_close(st);
}

/* backup and restore are of the SQLite file; a PostgreSQL database has its
 * own (pg_dump, base backups and point-in-time recovery) */
TFA_API tfa_rc tfa_store_backup(tfa_store *st, const char *file, int force,
				const tfa_audit_rec *audit, tfa_err *err)
{
#ifdef HAVE_LIBPQ
	if (is_pg(st))
		return tfa_err_set(err, TFA_EINVAL, "tfa-admin backup copies a SQLite store; back"
				   " up a PostgreSQL store with PostgreSQL's own tools (pg_dump,"
				   " base backups)");
#endif
	return tfa_sqlite_backup(st, file, force, audit, err);
}

TFA_API tfa_rc tfa_store_restore(const char *path, const char *keyfile, const char *file,
				 const tfa_audit_rec *audit, tfa_restore_note_fn note, void *arg,
				 tfa_restore_info *info, tfa_err *err)
{
	if (tfa_store_is_pg_uri(path))
		return tfa_err_set(err, TFA_EINVAL, "tfa-admin restore puts back a SQLite store;"
				   " restore a PostgreSQL store with PostgreSQL's own tools");
	return tfa_sqlite_restore(path, keyfile, file, audit, note, arg, info, err);
}

TFA_API tfa_rc tfa_store_rekey(tfa_store *st, const tfa_key *newkey, const tfa_audit_rec *audit,
			       unsigned *tokens, tfa_err *err)
{
#ifdef HAVE_LIBPQ
	if (is_pg(st))
		return tfa_pg_rekey(st, newkey, audit, tokens, err);
#endif
	return tfa_sqlite_rekey(st, newkey, audit, tokens, err);
}

TFA_API tfa_rc tfa_store_data_version(tfa_store *st, int64_t *v, tfa_err *err)
{
#ifdef HAVE_LIBPQ
	if (is_pg(st))
		return tfa_pg_data_version(st, v, err);
#endif
	return tfa_sqlite_data_version(st, v, err);
}

TFA_API tfa_rc tfa_store_policy_all(tfa_store *st, tfa_policy_row_cb cb, void *ctx,
				    tfa_err *err)
{
#ifdef HAVE_LIBPQ
	if (is_pg(st))
		return tfa_pg_policy_all(st, cb, ctx, err);
#endif
	return tfa_sqlite_policy_all(st, cb, ctx, err);
}

TFA_API int tfa_store_replaced(const tfa_store *st)
{
#ifdef HAVE_LIBPQ
	if (is_pg(st))
		return 0;       /* a database is not a file that can be swapped */
#endif
	return tfa_sqlite_replaced(st);
}

TFA_API void tfa_store_schema(const tfa_store *st, int *found, int *current)
{
#ifdef HAVE_LIBPQ
	if (is_pg(st)) {
		tfa_pg_schema_versions(st, found, current);
		return;
	}
#endif
	tfa_sqlite_schema(st, found, current);
}

TFA_API const char *tfa_store_path(const tfa_store *st)
{
#ifdef HAVE_LIBPQ
	if (is_pg(st))
		return tfa_pg_path(st);
#endif
	return tfa_sqlite_path(st);
}

TFA_API tfa_rc tfa_store_pepper(const tfa_store *st, uint8_t out[TFA_PEPPER_LEN])
{
#ifdef HAVE_LIBPQ
	if (is_pg(st))
		return tfa_pg_pepper(st, out);
#endif
	return tfa_sqlite_pepper(st, out);
}

TFA_API tfa_rc tfa_store_user_get(tfa_store *st, const char *user, tfa_user *u, tfa_err *err)
{
#ifdef HAVE_LIBPQ
	if (is_pg(st))
		return tfa_pg_user_get(st, user, u, err);
#endif
	return tfa_sqlite_user_get(st, user, u, err);
}

TFA_API tfa_rc tfa_store_user_set_required(tfa_store *st, const char *user, tfa_req req,
					   const tfa_audit_rec *audit, tfa_err *err)
{
#ifdef HAVE_LIBPQ
	if (is_pg(st))
		return tfa_pg_user_set_required(st, user, req, audit, err);
#endif
	return tfa_sqlite_user_set_required(st, user, req, audit, err);
}

TFA_API tfa_rc tfa_store_user_unlock(tfa_store *st, const char *user, const tfa_audit_rec *audit,
				     tfa_err *err)
{
#ifdef HAVE_LIBPQ
	if (is_pg(st))
		return tfa_pg_user_unlock(st, user, audit, err);
#endif
	return tfa_sqlite_user_unlock(st, user, audit, err);
}

TFA_API tfa_rc tfa_store_user_list(tfa_store *st, tfa_user_cb cb, void *ctx, tfa_err *err)
{
#ifdef HAVE_LIBPQ
	if (is_pg(st))
		return tfa_pg_user_list(st, cb, ctx, err);
#endif
	return tfa_sqlite_user_list(st, cb, ctx, err);
}

TFA_API tfa_rc tfa_store_token_add(tfa_store *st, tfa_token *tok, const tfa_token_key *key,
				   const char *event, const char *detail, tfa_err *err)
{
#ifdef HAVE_LIBPQ
	if (is_pg(st))
		return tfa_pg_token_add(st, tok, key, event, detail, err);
#endif
	return tfa_sqlite_token_add(st, tok, key, event, detail, err);
}

TFA_API tfa_rc tfa_store_token_list(tfa_store *st, const char *user, tfa_token **toks,
				    size_t *n, tfa_token_key **keys, tfa_err *err)
{
#ifdef HAVE_LIBPQ
	if (is_pg(st))
		return tfa_pg_token_list(st, user, toks, n, keys, err);
#endif
	return tfa_sqlite_token_list(st, user, toks, n, keys, err);
}

TFA_API tfa_rc tfa_store_user_reset(tfa_store *st, const char *user, unsigned *revoked,
				    unsigned *codes, const char *source, tfa_err *err)
{
#ifdef HAVE_LIBPQ
	if (is_pg(st))
		return tfa_pg_user_reset(st, user, revoked, codes, source, err);
#endif
	return tfa_sqlite_user_reset(st, user, revoked, codes, source, err);
}

TFA_API tfa_rc tfa_store_recovery_replace(tfa_store *st, const char *user,
					  const tfa_recovery_rec *recs, size_t n,
					  const tfa_audit_rec *audit, tfa_err *err)
{
#ifdef HAVE_LIBPQ
	if (is_pg(st))
		return tfa_pg_recovery_replace(st, user, recs, n, audit, err);
#endif
	return tfa_sqlite_recovery_replace(st, user, recs, n, audit, err);
}

TFA_API tfa_rc tfa_store_recovery_add(tfa_store *st, const char *user,
				      const tfa_recovery_rec *recs, size_t n,
				      const tfa_audit_rec *audit, tfa_err *err)
{
#ifdef HAVE_LIBPQ
	if (is_pg(st))
		return tfa_pg_recovery_add(st, user, recs, n, audit, err);
#endif
	return tfa_sqlite_recovery_add(st, user, recs, n, audit, err);
}

TFA_API tfa_rc tfa_store_recovery_count(tfa_store *st, const char *user, unsigned *n, tfa_err *err)
{
#ifdef HAVE_LIBPQ
	if (is_pg(st))
		return tfa_pg_recovery_count(st, user, n, err);
#endif
	return tfa_sqlite_recovery_count(st, user, n, err);
}

/* the plain transaction is the extended one without recovery codes and
 * challenge, the same for both backends */
typedef struct {
	tfa_txn_fn fn;
	void *ctx;
} plain_txn;

static tfa_rc plain_cb(tfa_txn_args *a, void *ctx)
{
	plain_txn *p = ctx;

	return p->fn(a->user, a->toks, a->keys, a->n, a->audit, p->ctx);
}

TFA_API tfa_rc tfa_store_user_txn(tfa_store *st, const char *user, tfa_txn_fn fn, void *ctx,
				  tfa_err *err)
{
	plain_txn p = { fn, ctx };

	return tfa_store_user_txn_ex(st, user, plain_cb, &p, err);
}

TFA_API tfa_rc tfa_store_challenge_put(tfa_store *st, const char *user,
				       const tfa_challenge_rec *ch,
				       const tfa_audit_rec *audit, tfa_err *err)
{
#ifdef HAVE_LIBPQ
	if (is_pg(st))
		return tfa_pg_challenge_put(st, user, ch, audit, err);
#endif
	return tfa_sqlite_challenge_put(st, user, ch, audit, err);
}

TFA_API tfa_rc tfa_store_challenge_clear(tfa_store *st, const char *user,
					 const tfa_audit_rec *audit, tfa_err *err)
{
#ifdef HAVE_LIBPQ
	if (is_pg(st))
		return tfa_pg_challenge_clear(st, user, audit, err);
#endif
	return tfa_sqlite_challenge_clear(st, user, audit, err);
}

TFA_API tfa_rc tfa_store_user_txn_ex(tfa_store *st, const char *user, tfa_txn_ex_fn fn,
				     void *ctx, tfa_err *err)
{
#ifdef HAVE_LIBPQ
	if (is_pg(st))
		return tfa_pg_user_txn_ex(st, user, fn, ctx, err);
#endif
	return tfa_sqlite_user_txn_ex(st, user, fn, ctx, err);
}

TFA_API tfa_rc tfa_store_user_view(tfa_store *st, const char *user, tfa_txn_ex_fn fn, void *ctx,
				   tfa_err *err)
{
#ifdef HAVE_LIBPQ
	/* PostgreSQL: the same transaction (MVCC readers do not wait for the
	 * row lock's holder anyway; the function changes nothing) */
	if (is_pg(st))
		return tfa_pg_user_txn_ex(st, user, fn, ctx, err);
#endif
	return tfa_sqlite_user_view(st, user, fn, ctx, err);
}

TFA_API tfa_rc tfa_store_delivery_reserve(tfa_store *st, const char *user, int64_t now,
					  unsigned max, unsigned window,
					  const tfa_audit_rec *limited, int *allowed,
					  int64_t *retry_after, tfa_err *err)
{
#ifdef HAVE_LIBPQ
	if (is_pg(st))
		return tfa_pg_delivery_reserve(st, user, now, max, window, limited, allowed, retry_after, err);
#endif
	return tfa_sqlite_delivery_reserve(st, user, now, max, window, limited, allowed, retry_after, err);
}

TFA_API tfa_rc tfa_store_cards_add(tfa_store *st, tfa_token *cards, const tfa_token_key *keys,
				   size_t n, const char *source, tfa_card_dup_fn dup, void *ctx,
				   tfa_err *err)
{
#ifdef HAVE_LIBPQ
	if (is_pg(st))
		return tfa_pg_cards_add(st, cards, keys, n, source, dup, ctx, err);
#endif
	return tfa_sqlite_cards_add(st, cards, keys, n, source, dup, ctx, err);
}

TFA_API tfa_rc tfa_store_card_list(tfa_store *st, tfa_token_cb cb, void *ctx, tfa_err *err)
{
#ifdef HAVE_LIBPQ
	if (is_pg(st))
		return tfa_pg_card_list(st, cb, ctx, err);
#endif
	return tfa_sqlite_card_list(st, cb, ctx, err);
}

TFA_API tfa_rc tfa_store_card_assign(tfa_store *st, const char *serial, const char *user,
				     const char *source, tfa_token *out, tfa_err *err)
{
#ifdef HAVE_LIBPQ
	if (is_pg(st))
		return tfa_pg_card_assign(st, serial, user, source, out, err);
#endif
	return tfa_sqlite_card_assign(st, serial, user, source, out, err);
}

TFA_API tfa_rc tfa_store_card_unassign(tfa_store *st, const char *serial, const char *source,
				       tfa_token *out, tfa_err *err)
{
#ifdef HAVE_LIBPQ
	if (is_pg(st))
		return tfa_pg_card_unassign(st, serial, source, out, err);
#endif
	return tfa_sqlite_card_unassign(st, serial, source, out, err);
}

TFA_API tfa_rc tfa_store_policy_get(tfa_store *st, const char *key, char **val, tfa_err *err)
{
#ifdef HAVE_LIBPQ
	if (is_pg(st))
		return tfa_pg_policy_get(st, key, val, err);
#endif
	return tfa_sqlite_policy_get(st, key, val, err);
}

TFA_API tfa_rc tfa_store_policy_set(tfa_store *st, const char *key, const char *val,
				    const tfa_audit_rec *audit, tfa_err *err)
{
#ifdef HAVE_LIBPQ
	if (is_pg(st))
		return tfa_pg_policy_set(st, key, val, audit, err);
#endif
	return tfa_sqlite_policy_set(st, key, val, audit, err);
}

TFA_API tfa_rc tfa_store_audit_add(tfa_store *st, const char *user, const char *event,
				   const char *detail, tfa_err *err)
{
#ifdef HAVE_LIBPQ
	if (is_pg(st))
		return tfa_pg_audit_add(st, user, event, detail, err);
#endif
	return tfa_sqlite_audit_add(st, user, event, detail, err);
}

TFA_API tfa_rc tfa_store_audit_list(tfa_store *st, const char *user, int64_t since,
				    tfa_audit_cb cb, void *ctx, tfa_err *err)
{
#ifdef HAVE_LIBPQ
	if (is_pg(st))
		return tfa_pg_audit_list(st, user, since, cb, ctx, err);
#endif
	return tfa_sqlite_audit_list(st, user, since, cb, ctx, err);
}

TFA_API tfa_rc tfa_store_audit_prune(tfa_store *st, int64_t before, const char *note,
				     unsigned *pruned, tfa_err *err)
{
#ifdef HAVE_LIBPQ
	if (is_pg(st))
		return tfa_pg_audit_prune(st, before, note, pruned, err);
#endif
	return tfa_sqlite_audit_prune(st, before, note, pruned, err);
}

TFA_API tfa_rc tfa_store_integrity(tfa_store *st, char *result, size_t len, tfa_err *err)
{
#ifdef HAVE_LIBPQ
	if (is_pg(st))
		return tfa_pg_integrity(st, result, len, err);
#endif
	return tfa_sqlite_integrity(st, result, len, err);
}

TFA_API tfa_rc tfa_store_import_begin(tfa_store *st, const char *source,
				      tfa_store_import **imp, tfa_err *err)
{
#ifdef HAVE_LIBPQ
	if (is_pg(st))
		return tfa_pg_import_begin(st, source, imp, err);
#endif
	return tfa_sqlite_import_begin(st, source, imp, err);
}

#ifdef HAVE_LIBPQ
/* an import handle begun on PostgreSQL (its kind first, as a store's) */
static int is_pg_import(const tfa_store_import *imp)
{
	return *(const tfa_backend_kind *)(const void *)imp == TFA_BACKEND_PG;
}
#endif

TFA_API tfa_rc tfa_store_import_token(tfa_store_import *imp, tfa_token *tok,
				      const tfa_token_key *key, tfa_err *err)
{
#ifdef HAVE_LIBPQ
	if (is_pg_import(imp))
		return tfa_pg_import_token(imp, tok, key, err);
#endif
	return tfa_sqlite_import_token(imp, tok, key, err);
}

TFA_API tfa_rc tfa_store_import_recovery(tfa_store_import *imp, const char *user,
					 const tfa_recovery_rec *recs, size_t n,
					 const tfa_audit_rec *audit, tfa_err *err)
{
#ifdef HAVE_LIBPQ
	if (is_pg_import(imp))
		return tfa_pg_import_recovery(imp, user, recs, n, audit, err);
#endif
	return tfa_sqlite_import_recovery(imp, user, recs, n, audit, err);
}

TFA_API tfa_rc tfa_store_import_commit(tfa_store_import *imp, unsigned long *users,
				       tfa_err *err)
{
#ifdef HAVE_LIBPQ
	if (is_pg_import(imp))
		return tfa_pg_import_commit(imp, users, err);
#endif
	return tfa_sqlite_import_commit(imp, users, err);
}

TFA_API void tfa_store_import_abort(tfa_store_import *imp)
{
	if (imp == NULL)
		return;
#ifdef HAVE_LIBPQ
	if (is_pg_import(imp)) {
		tfa_pg_import_abort(imp);
		return;
	}
#endif
	tfa_sqlite_import_abort(imp);
}

TFA_API tfa_rc tfa_store_migrate_pg(tfa_store *st, tfa_store *target,
				    const tfa_audit_rec *src_audit, const tfa_audit_rec *dst_audit,
				    tfa_migrate_info *info, tfa_err *err)
{
#ifdef HAVE_LIBPQ
	if (is_pg(st))
		return tfa_err_set(err, TFA_ESTORE, "the store to migrate is a PostgreSQL database;"
				   " migrate copies a SQLite store into PostgreSQL");
	if (!is_pg(target))
		return tfa_err_set(err, TFA_ESTORE, "the target store %s is not a PostgreSQL"
				   " database; migrate copies into postgresql://...",
				   tfa_sqlite_path(target));
	return tfa_sqlite_migrate_pg(st, target, src_audit, dst_audit, info, err);
#else
	(void)st;
	(void)target;
	(void)src_audit;
	(void)dst_audit;
	(void)info;
	return tfa_err_set(err, TFA_ESTORE, "this build has no PostgreSQL support (configure"
			   " --with-postgresql, libpq-dev): nothing to migrate into");
#endif
}

/* ---- shared by both backends ---- */

tfa_rc tfa_import_check(const tfa_token *t, const tfa_token_key *key, tfa_err *err)
{
	if (!tfa_user_valid(t->user))
		return tfa_err_set(err, TFA_EINVAL, "invalid user name");
	if (key == NULL || key->len == 0 || key->len > sizeof(key->bytes))
		return tfa_err_set(err, TFA_EINVAL, "bad secret length");
	if (t->digits < OTP_MIN_DIGITS || t->digits > OTP_MAX_DIGITS)
		return tfa_err_set(err, TFA_EINVAL, "bad number of digits");
	if (t->type == TFA_TOKEN_TOTP && (t->period == 0 || t->period > 3600))
		return tfa_err_set(err, TFA_EINVAL, "bad period");
	if (t->type != TFA_TOKEN_TOTP && t->type != TFA_TOKEN_HOTP)
		return tfa_err_set(err, TFA_EINVAL, "bad token type");
	if (t->counter > (uint64_t)INT64_MAX)
		return tfa_err_set(err, TFA_EINVAL, "bad counter");
	return TFA_OK;
}
