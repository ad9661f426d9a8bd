/* SPDX-License-Identifier: BSD-2-Clause */
/* auth.h - the checks a login makes; shared by pam_twofactor.so and
 * tfa-admin so that a login and `tfa-admin verify` run the same code. */
#ifndef TFA_AUTH_H
#define TFA_AUTH_H

#include "records.h"
#include "policy.h"

/** An open store with its policy loaded (opaque; context.h inside lib/). */
#ifndef TFA_CTX_TYPEDEF
#define TFA_CTX_TYPEDEF
typedef struct tfa_ctx tfa_ctx;
#endif

/* tfa_ctx_open flags */
#define TFA_OPEN_CREATE   0x1  /* create a missing store and key: tfa-admin init only */
#define TFA_OPEN_READONLY 0x2  /* no writes (list/show/audit/doctor) */
#define TFA_OPEN_NOPOLICY 0x4  /* do not load the policy (policy set: mend a bad value) */
#define TFA_OPEN_UPGRADE  0x20 /* migrate an older schema: tfa-admin upgrade only
				* (logins never change the schema) */
#define TFA_OPEN_NOKEY    0x8  /* with READONLY: no key (doctor reads the policy of a
				* store whose key file is refused; no secret is read) */
#define TFA_OPEN_LOGIN    0x10 /* a login front end (PAM, RADIUS): the store keeps its
				* WAL between connections and checkpoints every few
				* logins instead of at close (one fsync per login) */

/** tfa_ctx_open: open the store and its key (TFA_OPEN_* @flags; only
 * TFA_OPEN_CREATE creates anything) and load the policy. @source ("pam:sshd",
 * "tfa-admin") is recorded in the audit rows the context writes. A missing,
 * empty or uninitialised store, an unusable key, or a file failing the
 * safety rules is TFA_ESTORE/TFA_EKEY with a message naming the file. */
tfa_rc tfa_ctx_open(const char *store, const char *keyfile, unsigned flags,
		    const char *source, tfa_ctx **out, tfa_err *err);

/** tfa_ctx_open_ex: tfa_ctx_open; on failure *@absent (may be NULL) says
 * whether failmode=safe may apply (see tfa_store_open_ex). */
tfa_rc tfa_ctx_open_ex(const char *store, const char *keyfile, unsigned flags,
		       const char *source, tfa_ctx **out, int *absent, tfa_err *err);

/** tfa_ctx_open_keys: tfa_ctx_open_ex with a second key file for a key
 * roll-out (pam_twofactor's keyfile_next=, tfa-admin --keyfile-next,
 * rlm_twofactor's keyfile_next): the store's key is @keyfile's, or when it
 * is not, @keyfile_next's (may be NULL or ""). Hosts carry the new key as
 * @keyfile_next before `tfa-admin rekey` makes it the store's, so no host
 * fails in between; TFA_EKEY naming both files when neither is the key. */
tfa_rc tfa_ctx_open_keys(const char *store, const char *keyfile, const char *keyfile_next,
			 unsigned flags, const char *source, tfa_ctx **out, int *absent,
			 tfa_err *err);

/** tfa_ctx_store_is_uri: 1 when @store is a PostgreSQL connection URI
 * (postgresql:// or postgres://), 0 for anything else (a SQLite path). */
int tfa_ctx_store_is_uri(const char *store);

/** tfa_ctx_store_check: whether @store can be a store setting: a
 * PostgreSQL URI that is well formed and holds no password (and this build
 * has PostgreSQL support), or an absolute path. Otherwise TFA_EINVAL (or
 * TFA_ESTORE for a URI) with a message that never repeats the setting (it
 * may hold a password). */
tfa_rc tfa_ctx_store_check(const char *store, tfa_err *err);

/** tfa_ctx_close: close the store, free policy. NULL is fine. */
void tfa_ctx_close(tfa_ctx *c);

/** tfa_ctx_refresh: reload the policy if another connection committed a
 * change to the store since it was loaded (SQLite's data_version: one
 * cheap query when nothing changed), so that a context that lives as long
 * as its host (RADIUS, a thread of a server) sees `tfa-admin policy set` at
 * its next check. tfa_status, tfa_verify, tfa_verify_field, tfa_confirm and
 * tfa_challenge_begin call it first. On failure (e.g. a bad value stored)
 * the old policy stays and the error is returned: those calls fail closed.
 * Nothing to do for a context opened with TFA_OPEN_NOPOLICY. A pointer
 * from tfa_ctx_policy stays valid, its fields may change. TFA_ENOENT when
 * the store file was replaced or removed, or re-keyed (tfa-admin rekey),
 * since the open (tfa-admin restore
 * keeps the inode; a file moved over it does not): close the context and
 * open a new one. */
tfa_rc tfa_ctx_refresh(tfa_ctx *c, tfa_err *err);

/** tfa_ctx_policy: the policy loaded at open or at the last
 * tfa_ctx_refresh (defaults with TFA_OPEN_NOPOLICY); valid until
 * tfa_ctx_close. */
const tfa_policy *tfa_ctx_policy(const tfa_ctx *c);

/** tfa_ctx_schema: the store's schema version when @c was opened
 * (*@found) and this program's (*@current): after TFA_OPEN_UPGRADE, an
 * upgrade happened when they differ. */
void tfa_ctx_schema(const tfa_ctx *c, int *found, int *current);

/** tfa_ctx_store_path: the store @c was opened with (for messages). */
const char *tfa_ctx_store_path(const tfa_ctx *c);

/** tfa_ctx_audit: append an event that changes nothing (a login skipped, a
 * refusal the login path noted) to the trail: @user may be NULL; the detail
 * from @fmt is prefixed with the context's source and escaped. Never pass a
 * secret or a code. */
tfa_rc tfa_ctx_audit(tfa_ctx *c, const char *user, const char *event, const char *fmt, ...)
	__attribute__((format(printf, 4, 5)));

typedef struct {
	tfa_user user;        /* record (defaults if the store has none) */
	int known;            /* the store has a user record */
	int required;         /* policy requires a second factor */
	tfa_rule rule;        /* which rule decided */
	char group[64];       /* for TFA_RULE_GROUP */
	unsigned active;      /* active tokens */
	unsigned pending;     /* pending tokens */
	unsigned pending_ocra; /* of those, ocra tokens (confirmed by answering
				* questions, never replaced at login) */
	unsigned recovery;    /* unused recovery codes */
	int locked;           /* locked_until > now */
	int lookup_failed;    /* a user or group lookup failed: required unknown */
	int must_enroll;      /* reset by an admin and not enrolled since: the
			       * user counts as required (rule
			       * TFA_RULE_MUST_ENROLL) unless the per-user
			       * setting is off */
} tfa_user_status;

/** tfa_status: what the store and policy say about @user (the canonical
 * name, see username.h) at time @now. When a user or group lookup for
 * required_groups fails, every field is still filled, required is 1 (fail
 * closed), lookup_failed is set, and the result is TFA_ELOOKUP with the
 * lookup's message. A user whom policy does not require but who was reset
 * (must_enroll) is required (rule TFA_RULE_MUST_ENROLL) while enabled=yes
 * and the per-user setting is not off: the next login enrols (or refuses). */
tfa_rc tfa_status(tfa_ctx *c, const char *user, int64_t now, tfa_user_status *s,
		  tfa_err *err);

typedef struct {
	int64_t token_id;      /* token that accepted; 0 if none */
	unsigned failures;     /* consecutive failures after this attempt */
	int64_t locked_until;  /* > now when the user is (now) locked */
	int locked_now;        /* this attempt caused the lockout */
	int recovery_used;     /* accepted as a recovery code (token_id 0) */
	unsigned recovery_left; /* then: unused recovery codes left */
	int skew;              /* refused, but the code is that of a TOTP step
				* just outside the window (clock skew) */
	int64_t skew_token;    /* then: the token */
	int64_t skew_seconds;  /* and the device's clock offset (+ ahead) */
	size_t code_offset;    /* tfa_verify_field with split: the code began at
				* this offset; the password is the text before */
} tfa_verify_result;

/* Steps beyond the window, either side, searched for a clock-skew hint:
 * 10 (5 minutes at 30 s steps). Such a code is never accepted. */
#define TFA_SKEW_STEPS 10

/** tfa_verify: check @code for @user at time @now exactly as login does, in
 * one transaction: while locked, TFA_LOCKED without looking at the code;
 * else the code (malformed counts as wrong) against every active token -
 * TOTP within +-window steps (plus learned drift), HOTP within the look-ahead
 * - accepting only a step/counter newer than the last accepted one - and
 * against the user's pending challenge (challenge.h: the code sent to the
 * phone, or the response to the OCRA question; each works once, and not
 * after it expires). Success
 * clears failures; a failure counts and, at max_failures, locks the user for
 * lockout_seconds doubled per earlier lockout (capped at one day). Writes the
 * audit trail. A rejected attempt changes no token. A TOTP code of a step
 * up to TFA_SKEW_STEPS beyond the window is a wrong code too, reported in
 * res->skew* and audited "clock_skew" (with the offset, never the code).
 * Tokens of the user with the same secret share their replay state. When no token accepts and the input is TFA_RECOVERY_DIGITS
 * digits, an unused recovery code is accepted once (marked used in the same
 * transaction, audit "recovery_used"); it counts as a success. Returns
 * TFA_OK, TFA_REJECTED, TFA_REPLAYED, TFA_LOCKED, TFA_ENOENT (no active token
 * and no unused recovery code), or a store error. */
tfa_rc tfa_verify(tfa_ctx *c, const char *user, const char *code, int64_t now,
		  tfa_verify_result *res, tfa_err *err);

/** tfa_verify_field: tfa_verify of what a login field holds. With @split
 * the field is a password immediately followed by the code (pam_twofactor's
 * forward_pass, RADIUS one-shot): each length the code may have (the digits
 * of the user's tokens, 8 for a recovery code, a pending challenge's) is
 * tried, longest first, in the one transaction, and a wrong field counts
 * one failure; res->code_offset says where the code began (for a wrong
 * field: where the longest would have begun), so the caller can pass the
 * password on. Without @split it is tfa_verify. */
tfa_rc tfa_verify_field(tfa_ctx *c, const char *user, const char *field, int split,
			int64_t now, tfa_verify_result *res, tfa_err *err);

/** tfa_confirm: as tfa_verify but against the user's pending token; on
 * success the token becomes active (its code is then used). TFA_ENOENT when
 * there is no pending token. */
tfa_rc tfa_confirm(tfa_ctx *c, const char *user, const char *code, int64_t now,
		   tfa_verify_result *res, tfa_err *err);

#endif
