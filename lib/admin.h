/* SPDX-License-Identifier: BSD-2-Clause */
/* admin.h - what tfa-admin (and any other front end) may do to users,
 * tokens, cards, imports and the audit trail, through an open context.
 * Every call that changes state writes its audit row in the same store
 * transaction as the change (source: the context's), so a change never
 * lands without its record and a failed audit write undoes the change. */
#ifndef TFA_ADMIN_H
#define TFA_ADMIN_H

#include "auth.h"
#include "import.h"

/* ---- users ---- */

/** tfa_user_set_required: the per-user setting of @user (the canonical
 * name): TFA_REQ_ON requires 2FA, TFA_REQ_OFF exempts, TFA_REQ_DEFAULT
 * follows policy; OFF and DEFAULT end a must-enrol after a reset. Audited
 * "required" (on/off/default). */
tfa_rc tfa_user_set_required(tfa_ctx *c, const char *user, tfa_req req, tfa_err *err);

/** tfa_user_unlock: clear @user's failures, lockout and lockout count;
 * audited "unlock". TFA_ENOENT if the store knows no such user. */
tfa_rc tfa_user_unlock(tfa_ctx *c, const char *user, tfa_err *err);

/** tfa_user_reset: change phone - revoke every token of @user (cards go
 * back to stock), delete the recovery codes and any pending challenge,
 * clear the lockout and record that the user must enrol again; audited
 * "reset" with the counts. *@revoked and *@codes (may be NULL) get the
 * counts. TFA_ENOENT when there was nothing to revoke (nothing changes). */
tfa_rc tfa_user_reset(tfa_ctx *c, const char *user, unsigned *revoked, unsigned *codes,
		      tfa_err *err);

/** tfa_user_tokens: @user's tokens that are not revoked, oldest first, in
 * a new array (tfa_tokens_free); records only, no key. */
tfa_rc tfa_user_tokens(tfa_ctx *c, const char *user, tfa_token **toks, size_t *n,
		       tfa_err *err);

/** tfa_tokens_free: wipe and free an array of token records. */
void tfa_tokens_free(tfa_token *toks, size_t n);

/** tfa_users_each: @cb for every user the store knows, by name; a non-zero
 * return stops. */
tfa_rc tfa_users_each(tfa_ctx *c, tfa_user_cb cb, void *arg, tfa_err *err);

/* ---- audit trail ---- */

/** tfa_audit_each: @cb for each audit row, oldest first, of @user (NULL:
 * all) at or after @since; a non-zero return stops. */
tfa_rc tfa_audit_each(tfa_ctx *c, const char *user, int64_t since, tfa_audit_cb cb, void *arg,
		      tfa_err *err);

/** tfa_audit_prune: apply the retention policy: delete the audit rows
 * older than @keep_days days before @now, leaving one "audit_pruned" row
 * with the count, in one transaction. @keep_days 0 keeps everything:
 * nothing is deleted or written and *@pruned is 0. *@cutoff (may be NULL)
 * gets the cut-off time. */
tfa_rc tfa_audit_prune(tfa_ctx *c, unsigned keep_days, int64_t now, unsigned *pruned,
		       int64_t *cutoff, tfa_err *err);

/** tfa_store_check: run the store's own consistency check (SQLite's
 * integrity_check) into @result ("ok", or the first problems found). */
tfa_rc tfa_store_check(tfa_ctx *c, char *result, size_t len, tfa_err *err);

/* ---- token cards ---- */

/* a parsed card file, with the keys (card.h) */
typedef struct tfa_card_set tfa_card_set;

/** tfa_cards_add: put the parsed cards @cards (card.h; their ids set) in
 * stock, all or none, audited "card_import" naming @file; a serial already
 * in the store is reported through @dup (its index in @cards) and makes it
 * TFA_EEXIST (nothing written). */
tfa_rc tfa_cards_add(tfa_ctx *c, tfa_card_set *cards, const char *file, tfa_card_dup_fn dup,
		     void *arg, tfa_err *err);

/** tfa_cards_each: @cb for every card (in stock or assigned), by serial. */
tfa_rc tfa_cards_each(tfa_ctx *c, tfa_token_cb cb, void *arg, tfa_err *err);

/** tfa_card_assign: give card @serial to @user, active at once (audited
 * "card_assign"). TFA_ENOENT no such card, TFA_EEXIST already assigned or
 * the user has a token with this secret. @out (may be NULL): the token. */
tfa_rc tfa_card_assign(tfa_ctx *c, const char *serial, const char *user, tfa_token *out,
		       tfa_err *err);

/** tfa_card_unassign: take card @serial back into stock (audited
 * "card_unassign"). TFA_ENOENT no such card or not assigned. */
tfa_rc tfa_card_unassign(tfa_ctx *c, const char *serial, tfa_token *out, tfa_err *err);

/* ---- bulk import (tfa-admin import) ---- */

typedef struct tfa_import tfa_import;

/** tfa_import_begin: one transaction for a bulk import of tokens; @what
 * ("oath", "google-authenticator") goes into the audit rows. Then
 * tfa_import_oath and tfa_import_token for each line, then
 * tfa_import_commit or tfa_import_abort (each frees *@imp and wipes the
 * key it holds). */
tfa_rc tfa_import_begin(tfa_ctx *c, const char *what, tfa_import **imp, tfa_err *err);

/** tfa_import_oath: parse one line of a pam_oath users file as
 * tfa_import_oath_line (import.h) into *@out; the line's key stays inside
 * @imp (replacing, wiped, that of an earlier line not imported) for
 * tfa_import_token. Returns 1 token, 0 blank or comment, -1 bad (@why). */
int tfa_import_oath(tfa_import *imp, const char *line, tfa_token *out, char *why,
		    size_t whylen);

/** tfa_import_token: add @tok, the token tfa_import_oath parsed last (its
 * fields, such as the user, may have been changed since), with the key
 * @imp holds for it (then wiped), as an active token of tok->user (audited
 * "import"). TFA_EINVAL bad field or no key parsed, TFA_EEXIST a secret
 * the user already has: the import can go on; any other error leaves only
 * abort. */
tfa_rc tfa_import_token(tfa_import *imp, tfa_token *tok, tfa_err *err);

/** tfa_import_commit: commit; *@users (may be NULL) gets how many distinct
 * users got tokens. On failure nothing is imported. */
tfa_rc tfa_import_commit(tfa_import *imp, unsigned long *users, tfa_err *err);

/** tfa_import_abort: roll back everything imported. NULL is fine. */
void tfa_import_abort(tfa_import *imp);

/** tfa_import_ga_store: a parsed ~/.google_authenticator file: the token
 * and its scratch codes (as recovery codes) in ONE transaction, so a crash
 * never leaves a token without its codes. Results as tfa_import_token. */
tfa_rc tfa_import_ga_store(tfa_ctx *c, tfa_import_ga *ga, tfa_err *err);

/* ---- backup and restore (tfa-admin backup, restore) ---- */

#define TFA_BACKUP_FORCE 0x1   /* replace an existing backup file */

/** tfa_backup: write a consistent copy of @c's store to @file while logins
 * go on (SQLite's online backup API: one read snapshot), as one
 * self-contained file of mode 0600, written under a temporary name and
 * linked into place, so @file is either complete or absent. An existing
 * @file is TFA_EEXIST unless @flags has TFA_BACKUP_FORCE (then replaced
 * atomically); @file being the store itself is TFA_EINVAL. Audited
 * "backup" naming @file once the copy is in place. `cp tfa.db` is not a
 * backup: committed logins may be only in tfa.db-wal. */
tfa_rc tfa_backup(tfa_ctx *c, const char *file, unsigned flags, tfa_err *err);

/** tfa_restore: put the backup @file in place of the store @store (whose
 * key file is @keyfile), in place (same inode: hosts holding the store
 * open see the restored rows). @file must be a store made with the same
 * key (else TFA_EKEY/TFA_ESTORE naming it, nothing changed). When the
 * current store can be read, the replacement and the audit row "restore"
 * are one transaction that keeps its newer replay state: per token the
 * larger counter and last time step, revocations since the backup, used
 * or replaced recovery codes stay unusable, lockout state from the current
 * store (the rules: store/store_restore.c, tfa-admin(8)); a restore never
 * makes a used code work again. When it cannot be read (empty, not a
 * database, corrupt, not initialised) its -wal and -shm are removed and the
 * backup is copied over it; a store that is merely busy, missing, unsafe or
 * of another key is refused. @note (may be NULL) gets each thing that
 * could not be carried over; *@info (may be NULL) the counts. @source
 * ("tfa-admin") goes into the audit row. */
tfa_rc tfa_restore(const char *store, const char *keyfile, const char *file,
		   const char *source, tfa_restore_note_fn note, void *arg,
		   tfa_restore_info *info, tfa_err *err);

/* ---- key rotation (tfa-admin rekey) ---- */

/** tfa_rekey: re-encrypt every token secret of @c's store under the key in
 * @newkeyfile, in one transaction with the audit row "rekey" naming the
 * file, and make that key the store's (its key check). The recovery pepper
 * in use (from which recovery code hashes, SMS/e-mail challenge hashes and
 * RADIUS State keys come) is kept, sealed under the new key, so existing
 * recovery codes and pending challenges keep working. A missing
 * @newkeyfile is created as tfa-admin init creates the key (32 random
 * bytes, mode 0600, parents 0700) and *@created set to 1; an existing one
 * must pass the key file rules (safefile.h) and differ from the current
 * key (TFA_EINVAL). On failure nothing changes (a file this call created
 * is removed). After success every host must use @newkeyfile as its key
 * file: with the old one, opening the store fails (TFA_EKEY). *@tokens
 * gets the rows re-encrypted. */
tfa_rc tfa_rekey(tfa_ctx *c, const char *newkeyfile, unsigned *tokens, int *created,
		 tfa_err *err);

/* ---- migrate to PostgreSQL (tfa-admin migrate --to URL) ---- */

/** tfa_migrate: copy @c's store, a SQLite file, into the PostgreSQL
 * database @url (a postgresql:// or postgres:// URI without a password),
 * initialised with "tfa-admin init --store URL" under the same key file
 * @keyfile (its key check is verified): users with every column, tokens of
 * every state (ids kept, secrets as sealed), recovery code rows (used or
 * not), policy (replacing the target's), pending challenges, deliveries and
 * the audit trail (each row's host: this host). The SQLite store is held
 * with BEGIN IMMEDIATE for the whole copy, so a login meanwhile waits (or
 * fails on the busy timeout) and no code used during the copy can be
 * replayed on the new store; the target is written in one transaction,
 * committed only when its row counts match the source's. Audited "migrate"
 * in both ("to URL" in the source, "from PATH" in the target). Refused,
 * TFA_ESTORE with nothing written: a target that holds any user or token
 * (card stock included) or is not initialised, or a source that is
 * PostgreSQL; TFA_EKEY: another key; TFA_EINVAL: @url is not a
 * postgresql:// URI. *@info (may be NULL) gets the counts. */
tfa_rc tfa_migrate(tfa_ctx *c, const char *url, const char *keyfile, tfa_migrate_info *info,
		   tfa_err *err);

#endif
