/* SPDX-License-Identifier: BSD-2-Clause */
/* login.c - what a login needs (login.h): the one place that turns the
 * user's status and the challenge step into a step and the words shown. */
#include <stdio.h>
#include <string.h>

#include "login.h"
#include "audit.h"

#define T_LOCKED "Too many failed attempts; try again later."

static void set(char *dst, size_t len, const char *text)
{
	(void)snprintf(dst, len, "%s", text);
}

TFA_API tfa_rc tfa_login_challenge(tfa_ctx *c, const char *user, int64_t now,
				   tfa_login_step *s, tfa_err *err)
{
	return tfa_login_challenge_opts(c, user, now, NULL, s, err);
}

TFA_API tfa_rc tfa_login_challenge_opts(tfa_ctx *c, const char *user, int64_t now,
					const tfa_challenge_opts *o, tfa_login_step *s,
					tfa_err *err)
{
	tfa_challenge *ch = &s->ch;
	tfa_rc r;

	if (c == NULL || user == NULL || s->kind != TFA_STEP_CODE)
		return tfa_err_set(err, TFA_EINVAL, "tfa_login_challenge: not a code step");
	r = tfa_challenge_begin_opts(c, user, now, o, ch, err);
	if (r != TFA_OK)
		return r;
	if (ch->rate_limited) {
		long mins = (long)((ch->retry_after + 59) / 60);

		(void)snprintf(s->error, sizeof(s->error), "Too many codes were sent; try again"
			       " in %ld minute%s.", mins, mins == 1 ? "" : "s");
		(void)snprintf(s->why, sizeof(s->why), "sms_rate %u/%u reached: no code sent"
			       " (next in %lld s)", tfa_ctx_policy(c)->sms_rate_count,
			       tfa_ctx_policy(c)->sms_rate_seconds, (long long)ch->retry_after);
	} else if (ch->delivery_failed) {
		(void)snprintf(s->why, sizeof(s->why), "the code could not be sent to the phone: %s",
			       ch->delivery_error);
	}
	switch (ch->kind) {
	case TFA_CH_SMS:
		s->kind = TFA_STEP_SENT;
		(void)snprintf(s->info, sizeof(s->info),
			       "A code was sent to your phone ending in %s.", ch->phone_hint);
		if (s->why[0] == '\0')
			set(s->why, sizeof(s->why), "code sent by sms");
		break;
	case TFA_CH_OCRA:
		s->kind = TFA_STEP_QUESTION;
		if (ch->delivery_failed)
			set(s->info, sizeof(s->info), "Your phone cannot be reached: answer this"
			    " challenge with your authenticator app.");
		else if (ch->rate_limited)
			set(s->info, sizeof(s->info),
			    "Answer this challenge with your authenticator app.");
		if (s->why[0] == '\0')
			set(s->why, sizeof(s->why), "OCRA challenge shown");
		break;
	default:
		s->kind = TFA_STEP_CODE;
		if (ch->rate_limited)
			set(s->info, sizeof(s->info), "Enter the last code sent to your phone, a"
			    " code from your app or card, or a recovery code.");
		else if (ch->delivery_failed)
			set(s->info, sizeof(s->info), "The code could not be sent to your phone;"
			    " enter a code from your app or card, or a recovery code.");
		break;
	}
	return TFA_OK;
}

TFA_API tfa_rc tfa_login_begin(tfa_ctx *c, const char *user, int64_t now, tfa_login_step *s,
		       tfa_err *err)
{
	tfa_user_status *st = &s->st;
	tfa_rc r;

	memset(s, 0, sizeof(*s));
	if (c == NULL || user == NULL)
		return tfa_err_set(err, TFA_EINVAL, "tfa_login_begin: no context or user");
	if (!tfa_ctx_policy(c)->enabled) {
		s->kind = TFA_STEP_SKIP;
		set(s->why, sizeof(s->why), "two-factor is off (enabled=no)");
		return TFA_OK;
	}
	r = tfa_status(c, user, now, st, err);
	if (r == TFA_ELOOKUP) {
		/* fail closed; the lookup's message is in *err */
		(void)tfa_ctx_audit(c, user, TFA_EV_LOGIN_FAIL,
				    "group lookup failed; not letting through");
		return r;
	}
	if (r != TFA_OK)
		return r;
	if (!st->required && (st->active == 0 || st->rule == TFA_RULE_USER_OFF)) {
		s->kind = TFA_STEP_SKIP;
		(void)snprintf(s->why, sizeof(s->why), "second factor not required (%s)",
			       tfa_rule_text(st->rule));
		s->audit_failed = tfa_ctx_audit(c, user, TFA_EV_LOGIN_SKIP, "not required: %s",
						tfa_rule_text(st->rule)) != TFA_OK;
		return TFA_OK;
	}
	if (st->locked) {
		s->kind = TFA_STEP_LOCKED;
		set(s->error, sizeof(s->error), T_LOCKED);
		set(s->why, sizeof(s->why), "locked out; not prompted");
		s->audit_failed = tfa_ctx_audit(c, user, TFA_EV_LOCKED,
						"locked out; not prompted") != TFA_OK;
		return TFA_OK;
	}
	/* a recovery code is a second factor too: only a user with neither an
	 * active token nor an unused recovery code goes to enrolment */
	if (st->active == 0 && st->recovery == 0) {
		s->kind = TFA_STEP_ENROL;
		s->enrol_ocra = st->pending_ocra > 0;
		s->enrol_allowed = tfa_ctx_policy(c)->enroll_at_login || st->pending > 0;
		set(s->error, sizeof(s->error), "Two-factor authentication is required for your"
		    " account, but no authenticator is registered. Contact your administrator.");
		set(s->why, sizeof(s->why), s->enrol_allowed ? "no active token: enrolment" :
		    "no active token; not enrolling at login (enroll_at_login=no)");
		return TFA_OK;
	}
	s->kind = TFA_STEP_CODE;
	return TFA_OK;
}

TFA_API const char *tfa_login_result_text(tfa_rc r, const tfa_verify_result *res)
{
	switch (r) {
	case TFA_OK:
		return "";
	case TFA_REJECTED:
	case TFA_REPLAYED:
		if (res != NULL && res->locked_now)
			return T_LOCKED;
		if (r == TFA_REPLAYED)
			return "That code was already used; wait for the next one.";
		if (res != NULL && res->skew)
			return "Wrong code; the clock of your device seems to be off.";
		return "Wrong code.";
	case TFA_LOCKED:
		return T_LOCKED;
	default:
		return "";
	}
}
