/* SPDX-License-Identifier: BSD-2-Clause */
/* pam_enrol.c - first-login enrolment (pam_twofactor(8)): a required user with
 * no active token who has just given the right password is shown a new
 * secret as a QR code and as text, and types the first code; only then is
 * the token active. See pam_twofactor.c for when this runs. */
#include "config.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include <security/pam_appl.h>
#include <security/pam_modules.h>
#include <security/pam_ext.h>

#include "conv.h"
#include "module.h"

#define ENROL_TRIES 3

/* Issue a new pending secret and show it: explanation, QR, key and URI. */
static int show_new_secret(tfa_login *l)
{
	tfa_enroll_opts o;
	tfa_err err = { { 0 } };
	char *uri = NULL, *key = NULL, *qr = NULL, *text = NULL;
	tfa_rc r;
	int rc;

	tfa_enroll_opts_init(&o);
	r = tfa_enroll(l->ctx, l->user, &o, NULL, &uri, &key, &err);
	if (r != TFA_OK) {
		rc = tfa_pam_outcome(l, tfa_pam_result(r), LOG_ERR, "enrolment at login: %s",
				     tfa_err_text(&err, r));
		goto out;
	}
	rc = tfa_conv_say(l->pamh, PAM_TEXT_INFO,
			  "Two-factor authentication is required for your account.\n"
			  "Scan this QR code with an authenticator app "
			  "(Google Authenticator, FreeOTP, Aegis ...):");
	if (rc != PAM_SUCCESS)
		goto conv_failed;
	err.msg[0] = '\0';
	r = tfa_qr_utf8(uri, &qr, &err);
	if (r == TFA_OK) {
		rc = tfa_conv_say(l->pamh, PAM_TEXT_INFO, qr);
		if (rc != PAM_SUCCESS)
			goto conv_failed;
	} else {
		pam_syslog(l->pamh, LOG_PRIO(LOG_WARNING),
			   "user \"%s\": %s; showing the key only", l->user_esc,
			   tfa_err_text(&err, r));
	}
	if (asprintf(&text, "Or enter the key by hand: %s\nURI: %s", key, uri) < 0) {
		text = NULL;
		rc = tfa_pam_outcome(l, PAM_AUTH_ERR, LOG_ERR, "enrolment at login: out of memory");
		goto out;
	}
	rc = tfa_conv_say(l->pamh, PAM_TEXT_INFO, text);
	if (rc != PAM_SUCCESS)
		goto conv_failed;
	rc = PAM_SUCCESS;
	goto out;
conv_failed:
	tfa_pam_audit(l, TFA_EV_LOGIN_FAIL, "enrolment at login: conversation failed");
	rc = tfa_pam_outcome(l, PAM_AUTH_ERR, LOG_WARNING, "enrolment at login: conversation failed");
out:
	tfa_free_secret(key);
	tfa_free_secret(text);
	tfa_free_secret(qr);
	tfa_free_secret(uri);
	return rc;
}

/* The prompt for confirming a pending ocra token: a new question each try. */
static int ocra_prompt(tfa_login *l, char *prompt, size_t len)
{
	tfa_challenge ch;
	tfa_err err = { { 0 } };
	tfa_rc r;

	r = tfa_challenge_confirm_pending(l->ctx, l->user, (int64_t)time(NULL), &ch, &err);
	if (r != TFA_OK)
		return tfa_pam_outcome(l, PAM_AUTHINFO_UNAVAIL, LOG_ERR,
				       "enrolment at login: %s", tfa_err_text(&err, r));
	(void)snprintf(prompt, len, "Challenge %s, response: ", ch.question);
	return PAM_SUCCESS;
}

/* First-login enrolment: optionally a new secret, then up to three codes
 * confirming the pending token (for a pending ocra token @ocra, answers
 * to a new question each time). */
static int enrol(tfa_login *l, int new_secret, int ocra)
{
	tfa_verify_result res;
	tfa_err err = { { 0 } };
	char *code = NULL, prompt[TFA_CHALLENGE_MAX + 32];
	int i, rc;
	tfa_rc r = TFA_REJECTED;

	if (!tfa_conv_available(l->pamh) || (l->flags & PAM_SILENT)) {
		tfa_pam_audit(l, TFA_EV_LOGIN_FAIL, "no token; cannot enrol without a conversation");
		return tfa_pam_outcome(l, PAM_AUTH_ERR, LOG_WARNING,
				       "no token and no conversation (or PAM_SILENT): not enrolling");
	}
	if (new_secret) {
		rc = show_new_secret(l);
		if (rc != PAM_SUCCESS)
			return rc;
	}
	for (i = 0; i < ENROL_TRIES; i++) {
		if (ocra) {
			rc = ocra_prompt(l, prompt, sizeof(prompt));
			if (rc != PAM_SUCCESS)
				return rc;
			rc = tfa_conv_ask(l->pamh, PAM_PROMPT_ECHO_OFF, prompt, &code);
		} else if (new_secret)
			rc = tfa_conv_ask(l->pamh, PAM_PROMPT_ECHO_ON,
					  "Enter the code the app shows: ", &code);
		else
			rc = tfa_conv_ask(l->pamh, PAM_PROMPT_ECHO_OFF, l->args->prompt, &code);
		if (rc != PAM_SUCCESS) {
			tfa_pam_audit(l, TFA_EV_LOGIN_FAIL, "enrolment at login: conversation failed");
			return tfa_pam_outcome(l, PAM_AUTH_ERR, LOG_WARNING,
					       "enrolment at login: conversation failed");
		}
		memset(&res, 0, sizeof(res));
		r = tfa_confirm(l->ctx, l->user, code, (int64_t)time(NULL), &res, &err);
		tfa_free_secret(code);
		code = NULL;
		if (r != TFA_REJECTED && r != TFA_REPLAYED)
			break;
		if (res.locked_now)
			break;
		if (i + 1 < ENROL_TRIES)
			tfa_pam_say_error(l, res.skew ? "That code is not right: the clock of your"
					  " device seems to be off; correct it and try again." :
					  "That code is not right; try again.");
	}
	if (r == TFA_LOCKED)
		l->trace->audited = 1;   /* tfa_confirm wrote it */
	switch (r) {
	case TFA_OK:
		tfa_pam_audit(l, TFA_EV_LOGIN_OK, "enrolled at login");
		tfa_pam_say_info(l, "Your authenticator is registered.");
		return tfa_pam_outcome(l, PAM_SUCCESS, LOG_NOTICE, "enrolled at login, token %lld",
				       (long long)res.token_id);
	case TFA_REJECTED:
	case TFA_REPLAYED:
		tfa_pam_say_error(l, "Registration not completed; nothing was changed.");
		tfa_pam_audit(l, TFA_EV_LOGIN_FAIL, "enrolment at login not completed");
		if (res.locked_now)
			return tfa_pam_outcome(l, PAM_MAXTRIES, LOG_WARNING,
					       "enrolment at login: wrong codes, now locked out");
		return tfa_pam_outcome(l, PAM_AUTH_ERR, LOG_WARNING,
				       "enrolment at login: wrong codes, nothing activated");
	case TFA_LOCKED:
		tfa_pam_say_error(l, "Too many failed attempts; try again later.");
		return tfa_pam_outcome(l, PAM_MAXTRIES, LOG_WARNING, "enrolment at login: locked out");
	case TFA_ENOENT:
		return tfa_pam_outcome(l, PAM_AUTH_ERR, LOG_WARNING,
				       "enrolment at login: the pending token is gone");
	case TFA_EINVAL:
	case TFA_ENOMEM:
		return tfa_pam_outcome(l, PAM_AUTH_ERR, LOG_ERR, "enrolment at login: %s",
				       tfa_err_text(&err, r));
	default:
		return tfa_pam_outcome(l, PAM_AUTHINFO_UNAVAIL, LOG_ERR, "enrolment at login: %s",
				       tfa_err_text(&err, r));
	}
}

/* A required user without an active token (the ENROL step). */
int tfa_pam_no_token(tfa_login *l)
{
	const tfa_login_step *s = &l->step;
	const char *why = NULL;

	if (l->args->no_enroll)
		why = "no_enroll is set";
	else if (l->args->forward_pass)
		why = "forward_pass: the password is not checked yet";
	else if (!s->enrol_allowed)
		why = "enroll_at_login=no";
	/* a name NSS does not know (virtual or RADIUS-only users) is never
	 * enrolled at login (resolved in pam_twofactor.c) */
	else if (!l->known)
		why = "not a user of this system";
	if (why != NULL) {
		char detail[160];

		tfa_pam_say_error(l, s->error);
		(void)snprintf(detail, sizeof(detail), "no active token; not enrolling at login (%s)",
			       why);
		tfa_pam_audit(l, TFA_EV_LOGIN_FAIL, detail);
		return tfa_pam_outcome(l, PAM_AUTH_ERR, LOG_WARNING, "%s", detail);
	}
	/* an ocra token the admin issued is confirmed by answering questions,
	 * never replaced by a new app secret */
	if (s->enrol_ocra)
		return enrol(l, 0, 1);
	return enrol(l, tfa_ctx_policy(l->ctx)->enroll_at_login, 0);
}
