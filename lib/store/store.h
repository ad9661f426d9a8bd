/* SPDX-License-Identifier: BSD-2-Clause */
/* store.h - the store interface, private to the library (front ends use
 * frontend.h). The record types it exchanges are in records.h. SQLite (store_sqlite.c) is the embedded
 * backend; a PostgreSQL backend will implement the same functions. All SQL
 * and every transaction stay inside the backend: callers see records and
 * one atomic read-modify-write of a user (tfa_store_user_txn).
 *
 * Secrets cross this interface in clear, as a tfa_token_key beside the
 * tfa_token record (never inside it), and are encrypted/decrypted by the
 * backend with the key file (AES-256-GCM, bound to user and token id).
 * Only calls that need key material ask for it (@keys not NULL).
 */
#ifndef TFA_STORE_H
#define TFA_STORE_H

#include <stdint.h>
#include "crypto.h"
#include "records.h"

/* open flags (the same values as auth.h's TFA_OPEN_CREATE/READONLY) */
#define TFA_STORE_CREATE   0x1  /* create a missing store and key: tfa-admin init only */
#define TFA_STORE_READONLY 0x2  /* no writes (list/show/audit) */
#define TFA_STORE_NOKEY    0x8  /* with READONLY: do not load the key (no secret is read) */
#define TFA_STORE_LOGIN    0x10 /* a login (PAM, RADIUS): keep the WAL at close and
				 * checkpoint every few commits instead (store_wal.c) */
#define TFA_STORE_UPGRADE  0x20 /* migrate an older schema (tfa-admin upgrade); without
				 * it (logins, every other command) an older schema is
				 * refused naming tfa-admin upgrade */

/** tfa_store_open: open the store at @path with the key file @keyfile.
 * TFA_STORE_CREATE (tfa-admin init, and nothing else) creates a missing
 * store and key; otherwise a missing, empty (0 bytes) or uninitialised store
 * (no schema, no key check) is refused with TFA_ESTORE and a message naming
 * the file and "tfa-admin init". Files and their directories are checked
 * per safefile.h; so is a tfa.db whose own header is damaged. Sets WAL, busy
 * timeout, synchronous=FULL, secure_delete=ON. Only TFA_STORE_CREATE and
 * TFA_STORE_UPGRADE migrate the schema; any other open refuses a store of
 * an older schema, or of a newer one that needs newer programs. A
 * TFA_STORE_LOGIN connection keeps the WAL when it closes (no checkpoint on
 * close; a checkpoint every TFA_WAL_CKPT_FRAMES frames instead); other
 * connections checkpoint at close and delete the WAL when they are the
 * last. TFA_ESTORE/TFA_EKEY with a message naming the file. */
tfa_rc tfa_store_open(const char *path, const char *keyfile, unsigned flags,
		      tfa_store **out, tfa_err *err);

/** tfa_store_open_ex: tfa_store_open that also tells, on failure, whether
 * the failure is one failmode=safe may let through: *@absent (may be NULL)
 * is 1 only when the store or key file does not exist (ENOENT) or, running
 * as root, cannot be opened for lack of permission (EACCES); 0 for every
 * other failure (unsafe file, EMFILE, wrong key, malformed or empty store). */
tfa_rc tfa_store_open_ex(const char *path, const char *keyfile, unsigned flags,
			 tfa_store **out, int *absent, tfa_err *err);

/** tfa_store_open_keys: tfa_store_open_ex with a second key file for a key
 * roll-out: when @keyfile is not the store's key and @keyfile_next (may be
 * NULL) is, @keyfile_next's key is used. */
tfa_rc tfa_store_open_keys(const char *path, const char *keyfile, const char *keyfile_next,
			   unsigned flags, tfa_store **out, int *absent, tfa_err *err);

/** tfa_store_key_changed: *@changed = 1 when the store's key check is no
 * longer that of the key it was opened with (tfa-admin rekey since). */
tfa_rc tfa_store_key_changed(tfa_store *st, int *changed, tfa_err *err);

/** tfa_store_close: close and wipe the in-memory key. NULL is fine. */
void tfa_store_close(tfa_store *st);

/** tfa_store_schema: the schema version the store had when opened
 * (*@found) and the one this program uses (*@current). */
void tfa_store_schema(const tfa_store *st, int *found, int *current);

/** tfa_store_data_version: a number that changes when another connection
 * commits a change to the store (SQLite: PRAGMA data_version). */
tfa_rc tfa_store_data_version(tfa_store *st, int64_t *v, tfa_err *err);

/** tfa_store_path: the path the store was opened with. */
const char *tfa_store_path(const tfa_store *st);

/* ---- users ---- */

/** tfa_store_user_get: the user's record; TFA_ENOENT when the store has
 * none (then *@u is filled with defaults and @user's name). */
tfa_rc tfa_store_user_get(tfa_store *st, const char *user, tfa_user *u, tfa_err *err);

/** tfa_store_user_set_required: the per-user setting (creates the user).
 * TFA_REQ_DEFAULT and TFA_REQ_OFF also clear must_enroll. */
/* The calls that change state take the audit row (@audit, may be NULL; for
 * reset the @source) and write it in the same transaction as the change:
 * both land or neither does. */
tfa_rc tfa_store_user_set_required(tfa_store *st, const char *user, tfa_req req,
				   const tfa_audit_rec *audit, tfa_err *err);

/** tfa_store_user_unlock: clear failures, lockout and lockout count.
 * TFA_ENOENT if the store has no such user. */
tfa_rc tfa_store_user_unlock(tfa_store *st, const char *user, const tfa_audit_rec *audit,
			     tfa_err *err);

/** tfa_store_user_list: every user the store knows (a setting, a token, or
 * a failure), ordered by name. */
tfa_rc tfa_store_user_list(tfa_store *st, tfa_user_cb cb, void *ctx, tfa_err *err);

/* ---- tokens ---- */

/** tfa_store_token_add: store @tok (owner tok->user) with its key @key
 * sealed (NULL or len 0 only for an sms token)
 * and set tok->id and tok->created. A new pending token replaces (revokes)
 * any earlier pending token of the same user. A secret equal to that of
 * another (pending or active) token of the user is refused: TFA_EEXIST, the
 * message names the token, nothing written (secrets are compared decrypted,
 * in constant time, inside the transaction). An active token clears the
 * user's must_enroll. With @event (may be NULL),
 * the audit record "@detail token=ID" is written in the same transaction,
 * so a crash never leaves a token without its enrolment record. */
tfa_rc tfa_store_token_add(tfa_store *st, tfa_token *tok, const tfa_token_key *key,
			   const char *event, const char *detail, tfa_err *err);

/** tfa_store_token_list: the user's tokens that are not revoked, oldest
 * first, in a new array *@toks of *@n (free with tfa_tokens_free). With
 * @keys not NULL their keys are decrypted into a new parallel array *@keys
 * ((*keys)[i] is toks[i]'s; free with tfa_token_keys_free); with NULL no
 * secret is read. */
tfa_rc tfa_store_token_list(tfa_store *st, const char *user, tfa_token **toks, size_t *n,
			    tfa_token_key **keys, tfa_err *err);

/** tfa_tokens_free: wipe and free an array of records from the store. */
void tfa_tokens_free(tfa_token *toks, size_t n);

/** tfa_store_user_reset: revoke every token (pending and active) of @user -
 * token cards go back to stock, unassigned, so their codes stop working for
 * anyone - delete all their recovery codes and any pending challenge, and
 * clear failures/lockout, at once.
 * *@revoked gets the count of tokens, *@codes (may be NULL) that of recovery
 * codes deleted, and records that the user must enrol again (must_enroll).
 * TFA_ENOENT when the user had nothing to revoke (then nothing changes). */
tfa_rc tfa_store_user_reset(tfa_store *st, const char *user, unsigned *revoked,
			    unsigned *codes, const char *source, tfa_err *err);

/* ---- recovery codes (store_recovery.c); hashing is recovery.c's job ---- */

/** tfa_store_pepper: the store's pepper for recovery hashes into @out:
 * HMAC-SHA256(key, "twofactor recovery pepper v1"), computed when asked
 * (a login that tries no recovery code needs no HMAC), or the one a rekey
 * sealed in meta "pepper", unsealed at open. TFA_ECRYPTO if the HMAC
 * fails. */
tfa_rc tfa_store_pepper(const tfa_store *st, uint8_t out[TFA_PEPPER_LEN]);

/** tfa_store_replaced: 1 when the store's path no longer names the file
 * that @st holds open (tfa-admin restore put another in place, or it is
 * gone), else 0. A long-lived handle (rlm_twofactor) reopens then. */
int tfa_store_replaced(const tfa_store *st);

/** tfa_store_recovery_replace: delete @user's recovery codes and store the
 * @n in @recs instead (creates the user), in one transaction; with @audit
 * (may be NULL) its event/detail is appended in the same transaction. */
tfa_rc tfa_store_recovery_replace(tfa_store *st, const char *user,
				  const tfa_recovery_rec *recs, size_t n,
				  const tfa_audit_rec *audit, tfa_err *err);

/** tfa_store_recovery_add: as tfa_store_recovery_replace but keeping the
 * codes the user has. */
tfa_rc tfa_store_recovery_add(tfa_store *st, const char *user,
			      const tfa_recovery_rec *recs, size_t n,
			      const tfa_audit_rec *audit, tfa_err *err);

/** tfa_store_recovery_count: @user's unused recovery codes (0 if none). */
tfa_rc tfa_store_recovery_count(tfa_store *st, const char *user, unsigned *n,
				tfa_err *err);

/* ---- atomic read-modify-write ---- */

/** Called inside the transaction with the user's record (defaults if the
 * store has none), non-revoked tokens and their keys (@keys[i] is
 * @toks[i]'s, decrypted; read-only, wiped after the call). It may change
 * u->failures, locked_until, lockouts, last_login and each token's state,
 * counter, last_step, drift, last_used; the backend writes those back. If it
 * sets @audit->event, that event (with @audit->detail) is appended to the
 * trail in the same transaction. Return TFA_OK, TFA_REJECTED, TFA_REPLAYED,
 * TFA_LOCKED or TFA_ENOENT to commit; any other value rolls back. Token
 * changes are written back only with TFA_OK: a rejected attempt never moves
 * a token's state (the user record - failures, lockout - is written for
 * every committed result). A token that becomes active clears must_enroll. */
typedef tfa_rc (*tfa_txn_fn)(tfa_user *u, tfa_token *toks, const tfa_token_key *keys,
			     size_t n, tfa_audit_rec *audit, void *ctx);

/** tfa_store_user_txn: run @fn for @user in one BEGIN IMMEDIATE transaction
 * (other processes wait on the busy timeout), write back what it changed,
 * commit or roll back as above. Returns @fn's result or a store error. */
tfa_rc tfa_store_user_txn(tfa_store *st, const char *user, tfa_txn_fn fn, void *ctx,
			  tfa_err *err);

/* ---- challenges: a code sent to the phone, an OCRA question ---- */

/** tfa_store_challenge_put: make @ch the pending challenge of @user
 * (replacing any earlier one; creates the user), with @audit (may be NULL)
 * appended in the same transaction. */
tfa_rc tfa_store_challenge_put(tfa_store *st, const char *user, const tfa_challenge_rec *ch,
			       const tfa_audit_rec *audit, tfa_err *err);

/** tfa_store_challenge_clear: drop @user's pending challenge, if any, with
 * @audit (may be NULL) in the same transaction. */
tfa_rc tfa_store_challenge_clear(tfa_store *st, const char *user, const tfa_audit_rec *audit,
				 tfa_err *err);

/** The extended transaction (logins): as tfa_txn_fn, plus the user's unused
 * recovery codes (salt and hash) - the backend marks used every one whose
 * @used the callback sets - and the pending challenge (NULL if none; deleted
 * when the callback sets its @consumed). */
typedef struct {
	tfa_user *user;
	tfa_token *toks;
	const tfa_token_key *keys;   /* keys[i]: toks[i]'s key */
	size_t n;
	tfa_recovery_rec *rec;
	size_t nrec;
	tfa_challenge_rec *chal;
	tfa_audit_rec *audit;
} tfa_txn_args;

typedef tfa_rc (*tfa_txn_ex_fn)(tfa_txn_args *a, void *ctx);

/** tfa_store_user_txn_ex: tfa_store_user_txn with recovery codes. */
tfa_rc tfa_store_user_txn_ex(tfa_store *st, const char *user, tfa_txn_ex_fn fn, void *ctx,
			     tfa_err *err);

/** tfa_store_user_view: what tfa_store_user_txn_ex gives @fn, in a read
 * transaction that takes no write lock; nothing @fn changes is written. */
tfa_rc tfa_store_user_view(tfa_store *st, const char *user, tfa_txn_ex_fn fn, void *ctx,
			   tfa_err *err);

/* ---- out-of-band deliveries (sms_rate) ---- */

/** tfa_store_delivery_reserve: in one transaction, count @user's deliveries
 * in the last @window seconds before @now; below @max, record one more
 * (*@allowed = 1); else record nothing, *@allowed = 0, *@retry_after gets
 * the seconds until the oldest one leaves the window, and @limited (may be
 * NULL) is appended to the audit trail in the same transaction. Rows older
 * than a day beyond the window are pruned. */
tfa_rc tfa_store_delivery_reserve(tfa_store *st, const char *user, int64_t now, unsigned max,
				  unsigned window, const tfa_audit_rec *limited, int *allowed,
				  int64_t *retry_after, tfa_err *err);

/* ---- token cards (store_card.c); parsing files is card.h's job ---- */

/** tfa_store_cards_add: add the @n cards in @cards (tokens with a serial,
 * user "", state TFA_STATE_UNASSIGNED; @keys[i] the key of @cards[i]) to
 * stock in one transaction, with one
 * "card_import" audit event naming @source. If any serial is already in the
 * store, each is reported through @dup (may be NULL) and nothing is written:
 * TFA_EEXIST. Sets each card's id. */
tfa_rc tfa_store_cards_add(tfa_store *st, tfa_token *cards, const tfa_token_key *keys,
			   size_t n, const char *source, tfa_card_dup_fn dup, void *ctx,
			   tfa_err *err);

/** tfa_store_card_list: every token card (a token with a serial), in stock
 * or assigned, ordered by serial; without secrets. */
tfa_rc tfa_store_card_list(tfa_store *st, tfa_token_cb cb, void *ctx, tfa_err *err);

/** tfa_store_card_assign: give the card @serial to @user as an active token
 * (its counter or learned drift kept), audited "card_assign" with @source.
 * TFA_ENOENT no such card; TFA_EEXIST it is assigned (the message names to
 * whom), or the user already has a token with the same secret. @out (may be
 * NULL) gets the token record. Clears the user's must_enroll. */
tfa_rc tfa_store_card_assign(tfa_store *st, const char *serial, const char *user,
			     const char *source, tfa_token *out, tfa_err *err);

/** tfa_store_card_unassign: take the card @serial from its user back into
 * stock (audited "card_unassign" for that user). TFA_ENOENT no such card or
 * not assigned. @out (may be NULL) gets the token as it was. */
tfa_rc tfa_store_card_unassign(tfa_store *st, const char *serial, const char *source,
			       tfa_token *out, tfa_err *err);

/* ---- policy (key/value; validation is policy.c's job) ---- */

/** tfa_store_policy_get: *@val is a new string, or NULL when unset. */
tfa_rc tfa_store_policy_get(tfa_store *st, const char *key, char **val, tfa_err *err);
/** tfa_store_policy_all: @cb for every stored policy row (key order), in
 * one query; a result other than TFA_OK from @cb stops and is returned. */
typedef tfa_rc (*tfa_policy_row_cb)(const char *key, const char *val, void *ctx);
tfa_rc tfa_store_policy_all(tfa_store *st, tfa_policy_row_cb cb, void *ctx, tfa_err *err);
/** tfa_store_policy_set: set @key to @val (NULL removes it). */
tfa_rc tfa_store_policy_set(tfa_store *st, const char *key, const char *val,
			    const tfa_audit_rec *audit, tfa_err *err);

/* ---- audit trail ---- */

/** tfa_store_audit_add: append an event (time = now). @user may be NULL. */
tfa_rc tfa_store_audit_add(tfa_store *st, const char *user, const char *event,
			   const char *detail, tfa_err *err);

/** tfa_store_audit_list: events in order, filtered by @user (NULL = all) and
 * time >= @since. */
tfa_rc tfa_store_audit_list(tfa_store *st, const char *user, int64_t since,
			    tfa_audit_cb cb, void *ctx, tfa_err *err);

/** tfa_store_audit_prune (store_maint.c): delete every audit row with
 * time < @before and append one "audit_pruned" row (no user) saying how
 * many went ("pruned N rows @note", @note e.g. "older than DATE"; without a
 * note the cut-off in unix time), in one transaction: both
 * or neither. *@pruned gets the count (0 on failure). */
tfa_rc tfa_store_audit_prune(tfa_store *st, int64_t before, const char *note,
			     unsigned *pruned, tfa_err *err);

/** tfa_store_integrity (store_maint.c): the store's own consistency check
 * (SQLite: PRAGMA integrity_check); @result gets "ok" when it passed, else
 * the first problems it found, "; "-separated and truncated to fit @len.
 * TFA_OK means the check ran, whatever it found. */
tfa_rc tfa_store_integrity(tfa_store *st, char *result, size_t len, tfa_err *err);

/* ---- bulk import (store_import.c; tfa-admin import) ---- */

typedef struct tfa_store_import tfa_store_import;

/** tfa_store_import_begin: start one BEGIN IMMEDIATE transaction for a bulk
 * import; @source ("oath", "google-authenticator") goes into the audit
 * detail. Every token goes in with tfa_store_import_token; then commit or
 * abort (each frees *@imp). */
tfa_rc tfa_store_import_begin(tfa_store *st, const char *source,
			      tfa_store_import **imp, tfa_err *err);

/** tfa_store_import_token: add @tok as an ACTIVE token of tok->user
 * (created if new), its key @key sealed bound to user and id, with an
 * "import" audit event; sets tok->id and tok->created. TFA_EINVAL for a bad
 * field, TFA_EEXIST when the user already has a token with this secret (in
 * the store or earlier in this import): the import can go on; a store error
 * means only abort is left. Clears the user's must_enroll. */
tfa_rc tfa_store_import_token(tfa_store_import *imp, tfa_token *tok,
			      const tfa_token_key *key, tfa_err *err);

/** tfa_store_import_recovery: add @n recovery records for @user (a user
 * the import added a token for) in the import's transaction, with @audit. */
tfa_rc tfa_store_import_recovery(tfa_store_import *imp, const char *user,
				 const tfa_recovery_rec *recs, size_t n,
				 const tfa_audit_rec *audit, tfa_err *err);

/** tfa_store_import_commit: commit; *@users gets how many distinct users
 * got tokens. On failure everything is rolled back. */
tfa_rc tfa_store_import_commit(tfa_store_import *imp, unsigned long *users,
			       tfa_err *err);

/** tfa_store_import_abort: roll back everything imported. NULL is fine. */
void tfa_store_import_abort(tfa_store_import *imp);

/* ---- audit.c ---- */

/** tfa_audit: append an event to the trail on its own (not part of a
 * change: changes pass their tfa_audit_rec to the store call that makes
 * them); the detail from @fmt is escaped. Never pass a secret or a code. */
tfa_rc tfa_audit(tfa_store *st, const char *user, const char *event,
		 const char *fmt, ...) __attribute__((format(printf, 4, 5)));

/** tfa_audit_rec_set: fill @a with @event and "SOURCE DETAIL" (both
 * already safe to log: escape names first). */
void tfa_audit_rec_set(tfa_audit_rec *a, const char *event, const char *source,
		       const char *detail);

/* ---- backup and restore (store_backup.c, store_restore.c) ---- */

/** tfa_store_backup: write a consistent copy of the open store to @file
 * (SQLite's online backup API in one step, under one read snapshot: logins
 * go on meanwhile), as a self-contained file (rollback journal mode, no
 * -wal needed) of mode 0600, made under a temporary name in @file's
 * directory, fsynced, then linked into place: an existing @file is refused
 * (TFA_EEXIST) unless @force, which replaces it atomically; @file is never
 * the store itself. After the copy is in place, @audit (may be NULL) is
 * written to the store. */
tfa_rc tfa_store_backup(tfa_store *st, const char *file, int force,
			const tfa_audit_rec *audit, tfa_err *err);

/** tfa_store_restore: put the backup @file (made with the key file
 * @keyfile: checked) in place of the store at @path, keeping its inode
 * (a resident host keeps its open file). When the current store can be
 * read, one transaction replaces its contents with the backup's and keeps
 * the newer replay state (see tfa-admin(8) restore); else the stale -wal
 * and -shm are removed and the backup is copied over the unreadable file.
 * Challenges pending in either are dropped. @audit (may be NULL) is
 * written in the same transaction. @note gets each thing that could not be
 * carried over; *@info (may be NULL) what was done. A @file that is not a
 * store of this key is TFA_ESTORE/TFA_EKEY naming it, the store unchanged. */
tfa_rc tfa_store_restore(const char *path, const char *keyfile, const char *file,
			 const tfa_audit_rec *audit, tfa_restore_note_fn note, void *arg,
			 tfa_restore_info *info, tfa_err *err);

/* ---- key rotation (store_rekey.c, pg_rekey.c) ---- */

/** tfa_store_rekey: in one transaction, re-encrypt the secret of every
 * token row (assigned or in stock; a revoked one has no secret left) under @newkey (same AAD: user
 * and token id), replace the key check with @newkey's, store the recovery
 * pepper in use sealed under @newkey (meta "pepper": recovery codes and
 * pending challenges keep working) and write @audit (may be NULL). A
 * secret that does not decrypt with the current key, @newkey equal to the
 * current key (TFA_EINVAL) or a key check changed since the open
 * (TFA_EKEY) leaves the store unchanged. On success the handle holds
 * @newkey and *@tokens the rows re-encrypted. */
tfa_rc tfa_store_rekey(tfa_store *st, const tfa_key *newkey, const tfa_audit_rec *audit,
		       unsigned *tokens, tfa_err *err);

/* ---- migrate (store_migrate.c; tfa-admin migrate) ---- */

/** tfa_store_migrate_pg: copy the SQLite store @st into the PostgreSQL
 * store @target (opened with the same key file: its key check proves the
 * key) - users, tokens of every state with their ids and sealed secrets,
 * recovery code rows as they are, policy (replacing the target's),
 * pending challenges, deliveries and the audit trail (host: this host).
 * @st is held with BEGIN IMMEDIATE for the whole copy (logins wait or
 * fail; none is lost), @src_audit (may be NULL) is written to it in that
 * transaction; @target is written in one transaction with its tables
 * locked, @dst_audit (may be NULL) with it, committed only when every
 * table's row count on the target matches the source's. A target holding
 * any user or token is refused (TFA_ESTORE, nothing written); so is a
 * PostgreSQL @st or a SQLite @target. *@info (may be NULL) gets the counts. */
tfa_rc tfa_store_migrate_pg(tfa_store *st, tfa_store *target, const tfa_audit_rec *src_audit,
			    const tfa_audit_rec *dst_audit, tfa_migrate_info *info, tfa_err *err);

#endif
