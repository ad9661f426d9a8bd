/* auth.h - the checks a login makes; shared by pam_twofactor.so and
 * tfa-admin so that a login and `tfa-admin verify` run the same code. */
#ifndef TFA_AUTH_H
#define TFA_AUTH_H

#include "store.h"
#include "policy.h"

/** An open store with its policy loaded; front ends may read both. */
typedef struct {
	tfa_store *store;
	tfa_policy policy;
	char source[64];   /* who acts, for the audit trail ("pam:sshd", "tfa-admin") */
} tfa_ctx;

/** tfa_ctx_open: open the store (flags as tfa_store_open) and load policy.
 * @source is recorded in audit entries. */
tfa_rc tfa_ctx_open(const char *store, const char *keyfile, unsigned flags,
		    const char *source, tfa_ctx **out, tfa_err *err);

/** tfa_ctx_open_ex: tfa_ctx_open; on failure *@absent (may be NULL) says
 * whether failmode=safe may apply (see tfa_store_open_ex). */
tfa_rc tfa_ctx_open_ex(const char *store, const char *keyfile, unsigned flags,
		       const char *source, tfa_ctx **out, int *absent, tfa_err *err);

/** tfa_ctx_close: close the store, free policy. NULL is fine. */
void tfa_ctx_close(tfa_ctx *c);

typedef struct {
	tfa_user user;        /* record (defaults if the store has none) */
	int known;            /* the store has a user record */
	int required;         /* policy requires a second factor */
	tfa_rule rule;        /* which rule decided */
	char group[64];       /* for TFA_RULE_GROUP */
	unsigned active;      /* active tokens */
	unsigned pending;     /* pending tokens */
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

/** tfa_confirm: as tfa_verify but against the user's pending token; on
 * success the token becomes active (its code is then used). TFA_ENOENT when
 * there is no pending token. */
tfa_rc tfa_confirm(tfa_ctx *c, const char *user, const char *code, int64_t now,
		   tfa_verify_result *res, tfa_err *err);

#endif
