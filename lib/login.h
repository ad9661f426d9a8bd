/* SPDX-License-Identifier: BSD-2-Clause */
/* login.h - what a login for a user needs, decided once for every front
 * end: pam_twofactor.so, rlm_twofactor and `tfa-admin` ask tfa_login_begin;
 * for a CODE step about to prompt, tfa_login_challenge (an sms code sent,
 * an OCRA question); they show step.error and step.info to the person, ask
 * for the answer, and hand it to tfa_verify_field (auth.h). The front end decides only what its
 * protocol can do (a PAM conversation can enrol; a RADIUS exchange cannot).
 */
#ifndef TFA_LOGIN_H
#define TFA_LOGIN_H

#include "auth.h"
#include "challenge.h"

typedef enum {
	TFA_STEP_SKIP = 0, /* no second factor needed: the first factor decides
			    * (PAM_IGNORE); step.why says which rule */
	TFA_STEP_CODE,     /* ask for a code (app, card, recovery code) */
	TFA_STEP_SENT,     /* a code was sent to the phone; ask for it */
	TFA_STEP_QUESTION, /* an OCRA question (step.ch.question): ask for the response */
	TFA_STEP_ENROL,    /* required, but no active token and no unused recovery
			    * code: enrol (where the front end can) or refuse */
	TFA_STEP_LOCKED,   /* locked out: refuse without asking */
} tfa_step_kind;

typedef struct {
	tfa_step_kind kind;
	tfa_user_status st;   /* what tfa_status said */
	tfa_challenge ch;     /* the challenge step (SENT, QUESTION; CODE after a
			       * failed or rate-limited delivery) */
	char info[160];       /* to show before the prompt; "" for nothing */
	char error[160];      /* to show as an error ("" for nothing): lockout,
			       * too many codes sent */
	char why[TFA_ERRMSG_MAX + 64]; /* for the log (no secret, no code): why this step */
	int enrol_ocra;       /* ENROL: the user has a pending ocra token (an admin
			       * issued it): confirm it by questions, never
			       * replace it with a new app secret */
	int audit_failed;     /* SKIP, LOCKED: the audit row could not be written
			       * (the step stands; the front end logs it) */
	int enrol_allowed;    /* ENROL: the policy lets a login enrol
			       * (enroll_at_login=yes, or a pending token) */
} tfa_login_step;

/** tfa_login_begin: what a login of @user (the canonical name,
 * tfa_user_resolve) at @now needs, in *@step: SKIP when two-factor is off
 * (enabled=no) or policy does not require the user and the user has no
 * active token (or the per-user setting is off; audited "login_skipped"
 * unless enabled=no); LOCKED while locked out (audited "locked_refused");
 * ENROL when there is neither an active token nor an unused recovery
 * code; else CODE. The texts are the product's messages; a front end
 * shows them as they are. A failed user or group lookup is TFA_ELOOKUP
 * (audited "login_failed"; the message in *@err; fail closed: refuse as
 * unavailable), a store error its code. */
tfa_rc tfa_login_begin(tfa_ctx *c, const char *user, int64_t now, tfa_login_step *step,
		       tfa_err *err);

/** tfa_login_challenge: for a CODE step, before asking: the challenge step
 * (challenge.h) - an sms code sent (SENT), an OCRA question (QUESTION:
 * step.ch.question), or still CODE (no sms or ocra token; or a failed or
 * rate-limited delivery, said in step.info/step.error and step.why). Not
 * called when the code is already at hand (PAM_AUTHTOK, RADIUS one-shot),
 * so that no sms is sent for nothing. TFA_EINVAL for another step. */
tfa_rc tfa_login_challenge(tfa_ctx *c, const char *user, int64_t now, tfa_login_step *step,
			   tfa_err *err);

/** tfa_login_challenge_opts: tfa_login_challenge with @o (challenge.h,
 * tfa_challenge_begin_opts; NULL: none): the sms code to a number the
 * front end got from the directory, delivery killed after a shorter wait
 * (RADIUS: the NAS's patience). */
tfa_rc tfa_login_challenge_opts(tfa_ctx *c, const char *user, int64_t now,
				const tfa_challenge_opts *o, tfa_login_step *step, tfa_err *err);

/** tfa_login_result_text: the message to show the person after
 * tfa_verify_field returned @r with @res ("" when nothing is to be shown,
 * e.g. on success): lockout, replayed code, wrong code. */
const char *tfa_login_result_text(tfa_rc r, const tfa_verify_result *res);

#endif
