/* SPDX-License-Identifier: BSD-2-Clause */
/* recovery.h - single-use recovery codes for a user without their phone.
 *
 * Codes are 8 random digits (like google-authenticator's scratch codes, so
 * that those import as recovery codes). Only salted slow hashes are stored:
 * PBKDF2-HMAC-SHA256 over the code, with a per-code random salt and the
 * store's key as a pepper, so a copy of the store without the key file gives
 * nothing to brute-force. A code works once, at the normal code prompt
 * (tfa_verify tries recovery codes after the tokens), and `reset` revokes
 * them all.
 */
#ifndef TFA_RECOVERY_H
#define TFA_RECOVERY_H

#include "auth.h"

#define TFA_RECOVERY_DIGITS 8
#define TFA_RECOVERY_DEFAULT 10
#define TFA_RECOVERY_MAX 100

/** tfa_recovery_generate: replace @user's recovery codes with @count
 * (1..TFA_RECOVERY_MAX) new ones, store their hashes, audit it, and give the
 * codes in clear once in a new array *@codes (free with tfa_recovery_free).
 * TFA_EINVAL for a bad user or count. */
tfa_rc tfa_recovery_generate(tfa_ctx *c, const char *user, unsigned count,
			     char ***codes, tfa_err *err);

/** tfa_recovery_add: add @n given codes (8 digits each, e.g. scratch codes
 * from ~/.google_authenticator) to @user's recovery codes, hashed. TFA_EINVAL
 * if one is not 8 digits; nothing is added then. */
tfa_rc tfa_recovery_add(tfa_ctx *c, const char *user, const char *const *codes,
			unsigned n, tfa_err *err);

/** tfa_recovery_count: how many unused recovery codes @user has. */
tfa_rc tfa_recovery_count(tfa_ctx *c, const char *user, unsigned *n, tfa_err *err);

/** tfa_recovery_free: wipe and free an array from tfa_recovery_generate. */
void tfa_recovery_free(char **codes, unsigned count);

/* ---- the hashing (also used by the login check in auth.c) ---- */

/** PBKDF2-HMAC-SHA256 iterations; see recovery.c for the measured cost. */
#define TFA_RECOVERY_ITER 10000

/** tfa_recovery_hash: a new record for @code (8 digits, already parsed):
 * fresh random salt, hash = PBKDF2(code, salt || @pepper). */
tfa_rc tfa_recovery_hash(const uint8_t pepper[TFA_PEPPER_LEN], const char *code,
			 tfa_recovery_rec *rec);

/** tfa_recovery_match: the index in @recs (n entries) of the unused record
 * whose hash @code (8 digits, already parsed) has, or -1 (also on a crypto
 * failure, reported in *@rc). Hashes compared with CRYPTO_memcmp. */
long tfa_recovery_match(const uint8_t pepper[TFA_PEPPER_LEN], const tfa_recovery_rec *recs,
			size_t n, const char *code, tfa_rc *rc);

/** tfa_recovery_hash_given: records for @n given codes of @user (8 digits
 * each) in a new array *@out (tfa_recovery_recs_free); nothing on a bad
 * code (TFA_EINVAL). */
tfa_rc tfa_recovery_hash_given(tfa_ctx *c, const char *user, const char *const *codes,
			       unsigned n, tfa_recovery_rec **out, tfa_err *err);

/** tfa_recovery_recs_free: wipe and free such an array. */
void tfa_recovery_recs_free(tfa_recovery_rec *recs, size_t n);

/** tfa_recovery_audit: the "recovery_added" row for @n codes by @source. */
void tfa_recovery_audit(tfa_audit_rec *a, const char *source, unsigned n);

#endif
