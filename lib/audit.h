/* SPDX-License-Identifier: BSD-2-Clause */
/* audit.h - the audit trail: who, what, when. Never a secret or a code. */
#ifndef TFA_AUDIT_H
#define TFA_AUDIT_H

#include "records.h"

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
#define TFA_EV_UPGRADE        "upgrade"          /* schema migrated (tfa-admin upgrade) */
#define TFA_EV_BACKUP         "backup"           /* a copy written (tfa-admin backup) */
#define TFA_EV_RESTORE        "restore"          /* a backup put in place */
#define TFA_EV_REKEY          "rekey"            /* secrets re-encrypted under a new key */
#define TFA_EV_MIGRATE        "migrate"          /* a SQLite store copied into PostgreSQL */

#endif
