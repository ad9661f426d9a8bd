/* SPDX-License-Identifier: BSD-2-Clause */
/* records.h - the records the library hands to front ends and the store
 * backends exchange: users, tokens, audit rows, and the stored forms of
 * recovery codes and challenges. No functions: the store's are private to
 * the library (store/store.h), the front ends' are in frontend.h. */
#ifndef TFA_RECORDS_H
#define TFA_RECORDS_H

#include <stddef.h>
#include <stdint.h>
#include "tfa.h"
#include "otp.h"

typedef struct tfa_store tfa_store;

typedef enum { TFA_REQ_DEFAULT = -1, TFA_REQ_OFF = 0, TFA_REQ_ON = 1 } tfa_req;

typedef enum {
	TFA_STATE_PENDING = 0,
	TFA_STATE_ACTIVE = 1,
	TFA_STATE_REVOKED = 2,
	TFA_STATE_UNASSIGNED = 3,   /* a token card in stock: no user ("") */
} tfa_token_state;

typedef struct {
	char name[TFA_USER_MAX + 1];
	tfa_req required;       /* per-user setting */
	unsigned failures;      /* consecutive failures since last success/lockout */
	int64_t locked_until;   /* unix time; 0 = not locked */
	unsigned lockouts;      /* lockouts so far (for doubling); reset on success */
	int64_t last_login;     /* last successful second factor; 0 = never */
	int must_enroll;        /* reset by an admin: must enrol again (set by
				 * tfa_store_user_reset; cleared when the user
				 * gets an active token, or the setting becomes
				 * default or off) */
} tfa_user;

typedef struct {
	int64_t id;
	char user[TFA_USER_MAX + 1];
	tfa_token_type type;
	tfa_token_state state;
	otp_alg alg;
	unsigned digits;
	unsigned period;        /* totp */
	uint64_t counter;       /* hotp: next counter to try */
	int64_t last_step;      /* totp: last accepted time step; -1 = none */
	int64_t drift;          /* totp: learned clock drift in steps */
	char serial[TFA_SERIAL_MAX + 1];   /* token card serial, "" if none */
	char phone[TFA_PHONE_MAX + 1];     /* sms: the number codes go to */
	char suite[TFA_SUITE_MAX + 1];     /* ocra: the OCRA suite */
	int64_t created;
	int64_t last_used;      /* 0 = never */
} tfa_token;

/* A token's key (its shared secret), a type of its own so that key material
 * is never copied with a tfa_token: it exists only in the library calls that
 * need it (store load and seal, matching, OCRA, resync, enrolment, the
 * import and card parsers) and is wiped there (tfa_token_keys_free). Front
 * ends never hold one. @len 0: no secret (an sms token). */
typedef struct {
	uint8_t bytes[OTP_MAX_SECRET];
	size_t len;
} tfa_token_key;

/** Callback for listings: return 0 to go on, non-zero to stop. */
typedef int (*tfa_user_cb)(const tfa_user *u, void *ctx);

#define TFA_RECOVERY_SALT_LEN 16
#define TFA_RECOVERY_HASH_LEN 32
#define TFA_PEPPER_LEN 32

typedef struct tfa_audit_rec tfa_audit_rec;

/** One stored recovery code: its salt and slow hash, never the code. */
typedef struct {
	int64_t id;
	uint8_t salt[TFA_RECOVERY_SALT_LEN];
	uint8_t hash[TFA_RECOVERY_HASH_LEN];
	int used;               /* a txn callback sets it to mark the code used */
} tfa_recovery_rec;

#define TFA_CHALLENGE_MAX 64
#define TFA_CHALLENGE_SALT_LEN 16
#define TFA_CHALLENGE_HASH_LEN 32

typedef enum {
	TFA_CH_NONE = 0,
	TFA_CH_SMS = 1,    /* a code was sent; only its keyed hash is stored */
	TFA_CH_OCRA = 2,   /* a question was shown; the response is checked */
} tfa_challenge_kind;

/** A user's pending challenge (at most one; a new one replaces it). */
typedef struct {
	tfa_challenge_kind kind;
	int64_t token_id;                      /* the sms or ocra token */
	char question[TFA_CHALLENGE_MAX + 1];  /* ocra: the question shown */
	uint8_t salt[TFA_CHALLENGE_SALT_LEN];  /* sms: HMAC salt */
	uint8_t hash[TFA_CHALLENGE_HASH_LEN];  /* sms: HMAC of the code */
	int64_t created;
	int64_t expires;                       /* unix time */
	int consumed;      /* a txn callback sets it: the backend deletes it */
} tfa_challenge_rec;

/** Called for each card of a batch whose serial the store already holds:
 * @idx into the batch. */
typedef void (*tfa_card_dup_fn)(size_t idx, const char *serial, void *ctx);

/** Callback for token listings: return 0 to go on, non-zero to stop. */
typedef int (*tfa_token_cb)(const tfa_token *t, void *ctx);

struct tfa_audit_rec {
	int64_t id;
	int64_t time;
	char user[TFA_USER_MAX + 1];
	char event[32];
	char detail[256];
};

typedef int (*tfa_audit_cb)(const tfa_audit_rec *r, void *ctx);

/* ---- backup and restore (admin.h tfa_backup, tfa_restore) ---- */

/** A note of a restore, one per thing it could not carry over or kept from
 * the current store: @user (NULL for none) and a sentence (never a secret). */
typedef void (*tfa_restore_note_fn)(void *arg, const char *user, const char *note);

/** What a restore did. */
typedef struct {
	int current_read;       /* the current store was read: replay state carried over */
	unsigned users;         /* users in the restored store */
	unsigned tokens;        /* tokens (any state) in the restored store */
	unsigned merged;        /* tokens whose counter/time step came from the current store */
	unsigned revoked;       /* tokens kept revoked: revoked after the backup */
	unsigned codes_used;    /* recovery codes kept unusable: used or replaced after it */
	unsigned notes;         /* notes given to the callback */
} tfa_restore_info;

/* ---- migrate (admin.h tfa_migrate) ---- */

/** What a migration copied (each count checked on the target before the
 * commit). */
typedef struct {
	unsigned long users;
	unsigned long tokens;     /* every state, card stock included */
	unsigned long recovery;   /* recovery code rows, used or not */
	unsigned long audit;      /* audit rows copied (the source's "migrate" row included) */
	unsigned long policy;     /* policy rows */
	unsigned long challenges; /* pending challenges */
	unsigned long deliveries; /* out-of-band deliveries of the rate window */
} tfa_migrate_info;

#endif
