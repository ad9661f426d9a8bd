/* audit.h - the audit trail: who, what, when. Never a secret or a code. */
#ifndef TFA_AUDIT_H
#define TFA_AUDIT_H

#include "store.h"

/* event names written to the trail */
#define TFA_EV_INIT       "init"
#define TFA_EV_ENROLL     "enroll"
#define TFA_EV_CONFIRM    "confirm"
#define TFA_EV_RESET      "reset"
#define TFA_EV_LOGIN_OK   "login_ok"
#define TFA_EV_LOGIN_FAIL "login_failed"
#define TFA_EV_LOGIN_SKIP "login_skipped"   /* not required: no second factor asked */
#define TFA_EV_REPLAY     "replay_refused"
#define TFA_EV_LOCKOUT    "lockout"
#define TFA_EV_LOCKED     "locked_refused"
#define TFA_EV_UNLOCK     "unlock"
#define TFA_EV_REQUIRED   "required"
#define TFA_EV_POLICY     "policy"
#define TFA_EV_IMPORT     "import"    /* token imported (tfa-admin import) */
#define TFA_EV_RECOVERY_NEW   "recovery_codes"   /* new set, replacing the old */
#define TFA_EV_RECOVERY_ADD   "recovery_added"   /* given codes added (import) */
#define TFA_EV_RECOVERY_USED  "recovery_used"    /* login with a recovery code */
#define TFA_EV_SMS_SENT       "sms_sent"         /* a code went to the phone */
#define TFA_EV_SMS_FAILED     "sms_failed"       /* sms_command failed (status) */
#define TFA_EV_OCRA_CHALLENGE "ocra_challenge"   /* an OCRA question was shown */
#define TFA_EV_CARD_IMPORT    "card_import"      /* token cards added to stock */
#define TFA_EV_CARD_ASSIGN    "card_assign"
#define TFA_EV_CARD_UNASSIGN  "card_unassign"
#define TFA_EV_RESYNC         "resync"           /* token counter/drift set */
#define TFA_EV_CLOCK_SKEW     "clock_skew"       /* refused: a step just outside the window */
#define TFA_EV_SMS_LIMITED    "sms_rate_limited" /* sms_rate reached: nothing sent */
#define TFA_EV_CONFIG_ERROR   "config_error"     /* bad module argument (PAM_SERVICE_ERR) */
#define TFA_EV_AUDIT_PRUNE    "audit_pruned"     /* old rows deleted (retention) */

/** tfa_audit: append an event to the trail; @user is escaped, @fmt gives the
 * detail (never pass a secret or code). Failures are returned but callers on
 * the login path treat a failed audit write as a store error. */
tfa_rc tfa_audit(tfa_store *st, const char *user, const char *event,
		 const char *fmt, ...) __attribute__((format(printf, 4, 5)));

/** tfa_audit_prune (audit_prune.c): apply the retention policy: delete the
 * audit rows older than @keep_days days before @now (policy key
 * audit_keep_days), leaving one "audit_pruned" row with the count, in one
 * transaction. @keep_days 0 means keep everything: nothing is deleted or
 * written and *@pruned is 0. *@cutoff (may be NULL) gets the cut-off time. */
tfa_rc tfa_audit_prune(tfa_store *st, unsigned keep_days, int64_t now, unsigned *pruned,
		       int64_t *cutoff, tfa_err *err);

#endif
