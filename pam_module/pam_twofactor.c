/* SPDX-License-Identifier: BSD-2-Clause */
/* pam_twofactor.c - the second factor at login: pam_sm_authenticate.
 *
 *   auth requisite pam_unix.so
 *   auth required  pam_twofactor.so [store=PATH] [keyfile=PATH] [options]
 *
 * A thin conversation over the library (frontend.h): tfa_status says what
 * policy and lockout want, tfa_challenge_begin sends the sms code or makes
 * the OCRA question, tfa_verify_field checks the answer - the very calls
 * `tfa-admin verify` makes - and pam_enrol.c enrols at first login. This
 * file talks to the person, logs every outcome with pam_syslog and maps
 * results to PAM return values. What each option and return value means,
 * and why, is in pam_twofactor(8) (OPTIONS, RETURN VALUES, USER NAMES,
 * FORWARD_PASS, MESSAGES). No mutable global or static state: everything
 * lives in the per-call tfa_login (module.h).
 */
#include "config.h"

#include <errno.h>
#include <fcntl.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <syslog.h>
#include <time.h>
#include <unistd.h>

#define PAM_SM_AUTH
#include <security/pam_modules.h>
#include <security/pam_ext.h>

#include "args.h"
#include "conv.h"
#include "module.h"

#define PAM_TFA_EXPORT __attribute__((visibility("default")))

/* Open the store. failmode=safe lets the user through only when the library
 * says the store or key file is absent (ENOENT, or EACCES as root); every
 * other failure - an unsafe file, EMFILE, a wrong key, a malformed or
 * uninitialised store - fails closed (pam_twofactor(8), failmode). */
static int open_store(tfa_login *l)
{
	const tfa_pam_args *a = l->args;
	tfa_err err = { { 0 } };
	int absent = 0;
	tfa_rc r;

	r = tfa_ctx_open_keys(a->store, a->keyfile, a->keyfile_next, TFA_OPEN_LOGIN, l->source,
			      &l->ctx, &absent, &err);
	if (r == TFA_OK)
		return PAM_SUCCESS;
	l->ctx = NULL;
	if (a->failmode == TFA_FAIL_SAFE) {
		if (absent)
			return tfa_pam_outcome(l, PAM_IGNORE, LOG_WARNING,
					       "WARNING: store unusable (%s); failmode=safe: "
					       "let through without a second factor",
					       tfa_err_text(&err, r));
		pam_syslog(l->pamh, LOG_PRIO(LOG_ERR),
			   "failmode=safe does not apply: it covers only a store or key file "
			   "that does not exist");
	}
	return tfa_pam_outcome(l, PAM_AUTHINFO_UNAVAIL, LOG_ERR, "store unusable: %s",
			       tfa_err_text(&err, r));
}

/* The field to check: PAM_AUTHTOK or an answer to the prompt, as a new
 * string in *@field (tfa_free_secret). use_first_pass takes PAM_AUTHTOK
 * whatever it holds; try_first_pass takes it only when it has the shape of
 * a code (or, with forward_pass, of anything), so that a password an
 * earlier module left there is not counted as a wrong code - it prompts. */
/* The challenge step before the prompt (login.h): a code sent to the
 * phone is announced; an OCRA question goes into the prompt itself, so that
 * it shows also under PAM_SILENT and in one-prompt clients. */
static int begin_challenge(tfa_login *l, char *prompt, size_t plen)
{
	tfa_login_step *s = &l->step;
	tfa_err err = { { 0 } };
	tfa_rc r;

	(void)snprintf(prompt, plen, "%s", l->args->prompt);
	r = tfa_login_challenge(l->ctx, l->user, (int64_t)time(NULL), s, &err);
	if (r != TFA_OK) {
		pam_syslog(l->pamh, LOG_PRIO(LOG_ERR), "user \"%s\": challenge step failed: %s",
			   l->user_esc, tfa_err_text(&err, r));
		return PAM_AUTHINFO_UNAVAIL;
	}
	if (s->ch.delivery_failed || s->ch.rate_limited)
		pam_syslog(l->pamh, LOG_PRIO(LOG_WARNING), "user \"%s\": %s", l->user_esc, s->why);
	else if (s->kind != TFA_STEP_CODE)
		tfa_pam_dbg(l, "user \"%s\": %s", l->user_esc, s->why);
	if (s->error[0] != '\0')
		tfa_pam_say_error(l, s->error);
	if (s->info[0] != '\0')
		tfa_pam_say_info(l, s->info);
	if (s->kind == TFA_STEP_QUESTION)
		(void)snprintf(prompt, plen, "Challenge %s, response: ", s->ch.question);
	return PAM_SUCCESS;
}

static int get_field(tfa_login *l, char **field)
{
	const tfa_pam_args *a = l->args;
	const void *item = NULL;
	char prompt[TFA_CHALLENGE_MAX + 512];
	int rc;

	*field = NULL;
	if (a->use_first_pass || a->try_first_pass) {
		if (pam_get_item(l->pamh, PAM_AUTHTOK, &item) != PAM_SUCCESS)
			item = NULL;
		if (item != NULL && a->try_first_pass && !a->forward_pass && !otp_code_shaped(item)) {
			tfa_pam_dbg(l, "user \"%s\": PAM_AUTHTOK is not a code; prompting",
				    l->user_esc);
			item = NULL;
		} else if (item != NULL) {
			tfa_pam_dbg(l, "user \"%s\": taking the code from PAM_AUTHTOK", l->user_esc);
			*field = strdup(item);
			return *field != NULL ? PAM_SUCCESS : PAM_BUF_ERR;
		}
		if (a->use_first_pass)
			return PAM_AUTHTOK_ERR;
	}
	rc = begin_challenge(l, prompt, sizeof(prompt));
	if (rc != PAM_SUCCESS)
		return rc;
	l->trace->prompted = 1;
	rc = tfa_conv_ask(l->pamh, PAM_PROMPT_ECHO_OFF, prompt, field);
	return rc == PAM_SUCCESS ? rc : PAM_CONV_ERR;
}

/* Check the field: a code, or with forward_pass the password followed by
 * the code - split by the library in the one transaction of the check -
 * passing the password on in PAM_AUTHTOK. */
static tfa_rc check_field(tfa_login *l, char *field, tfa_verify_result *res, tfa_err *err,
			  int *authtok_rc)
{
	size_t cut;
	tfa_rc r;
	char saved;

	*authtok_rc = PAM_SUCCESS;
	memset(res, 0, sizeof(*res));
	r = tfa_verify_field(l->ctx, l->user, field, l->args->forward_pass, (int64_t)time(NULL),
			     res, err);
	if (!l->args->forward_pass)
		return r;
	cut = res->code_offset <= strlen(field) ? res->code_offset : 0;
	saved = field[cut];
	field[cut] = '\0';
	*authtok_rc = pam_set_item(l->pamh, PAM_AUTHTOK, field);
	field[cut] = saved;
	return r;
}

/* Ask for (or take) the code and check it. */
static int ask_code(tfa_login *l)
{
	tfa_verify_result res;
	tfa_err err = { { 0 } };
	char *field = NULL;
	int rc, authtok_rc;
	tfa_rc r;

	rc = get_field(l, &field);
	if (rc == PAM_AUTHINFO_UNAVAIL)
		return tfa_pam_outcome(l, rc, LOG_ERR, "store unusable for the challenge step");
	if (rc != PAM_SUCCESS) {
		const char *why = rc == PAM_AUTHTOK_ERR ? "use_first_pass but no PAM_AUTHTOK set" :
				  rc == PAM_BUF_ERR ? "out of memory" : "conversation failed";

		tfa_pam_audit(l, TFA_EV_LOGIN_FAIL, why);
		return tfa_pam_outcome(l, PAM_AUTH_ERR, LOG_WARNING, "no code: %s", why);
	}
	r = check_field(l, field, &res, &err, &authtok_rc);
	tfa_free_secret(field);
	if (authtok_rc != PAM_SUCCESS) {
		pam_syslog(l->pamh, LOG_PRIO(LOG_ERR), "forward_pass: cannot set PAM_AUTHTOK: %s",
			   pam_strerror(l->pamh, authtok_rc));
		if (r == TFA_OK)
			return tfa_pam_outcome(l, PAM_AUTH_ERR, LOG_ERR,
					       "code accepted but the password could not be passed on");
	}
	/* tfa_verify wrote these outcomes to the audit trail itself */
	if (r == TFA_OK || r == TFA_REJECTED || r == TFA_REPLAYED || r == TFA_LOCKED)
		l->trace->audited = 1;
	if (res.skew)
		pam_syslog(l->pamh, LOG_PRIO(LOG_WARNING), "user \"%s\": clock skew: the code is"
			   " that of token %lld at %+lld s from the server's clock, outside the"
			   " window; refused (fix the device's clock, or tfa-admin token resync)",
			   l->user_esc, (long long)res.skew_token, (long long)res.skew_seconds);
	switch (r) {
	case TFA_OK:
		if (res.recovery_used)
			return tfa_pam_outcome(l, PAM_SUCCESS, LOG_NOTICE,
					       "second factor accepted (recovery code; %u left)",
					       res.recovery_left);
		return tfa_pam_outcome(l, PAM_SUCCESS, LOG_NOTICE,
				       "second factor accepted (token %lld)",
				       (long long)res.token_id);
	case TFA_REJECTED:
	case TFA_REPLAYED:
		if (res.locked_now) {
			/* a wrong code: PAM_AUTH_ERR; PAM_MAXTRIES from the
			 * next attempt on, while the lockout lasts */
			tfa_pam_say_error(l, tfa_login_result_text(r, &res));
			return tfa_pam_outcome(l, PAM_AUTH_ERR, LOG_WARNING,
					       "%s; now locked out", tfa_strerror(r));
		}
		/* say no more than the prompt did: only after a prompt */
		if (l->trace->prompted)
			tfa_pam_say_error(l, tfa_login_result_text(r, &res));
		return tfa_pam_outcome(l, PAM_AUTH_ERR, LOG_WARNING,
				       "%s (%u consecutive failures)", tfa_strerror(r),
				       res.failures);
	case TFA_LOCKED:
		tfa_pam_say_error(l, tfa_login_result_text(r, &res));
		return tfa_pam_outcome(l, PAM_MAXTRIES, LOG_WARNING, "locked out");
	case TFA_ENOENT:
		return tfa_pam_outcome(l, PAM_AUTH_ERR, LOG_WARNING,
				       "no active token or recovery code any more");
	case TFA_EINVAL:
	case TFA_ENOMEM:
		return tfa_pam_outcome(l, PAM_AUTH_ERR, LOG_ERR, "%s", tfa_err_text(&err, r));
	default:
		return tfa_pam_outcome(l, PAM_AUTHINFO_UNAVAIL, LOG_ERR, "checking the code: %s",
				       tfa_err_text(&err, r));
	}
}

/* The name NSS gives the user (pam_twofactor(8) USER NAMES): two spellings of one
 * account are one user of the store; a name NSS does not know is used as
 * given (and never enrolled); a lookup error fails closed. */
static int resolve_user(tfa_login *l)
{
	tfa_err err = { { 0 } };
	char given[sizeof(l->user_esc)];
	tfa_rc r;

	r = tfa_user_resolve(l->user, l->canon, sizeof(l->canon), &l->known, &err);
	if (r != TFA_OK) {
		tfa_pam_audit(l, TFA_EV_LOGIN_FAIL, "user lookup failed; not letting through");
		return tfa_pam_outcome(l, r == TFA_ELOOKUP ? PAM_AUTHINFO_UNAVAIL : PAM_AUTH_ERR,
				       LOG_ERR, "%s", tfa_err_text(&err, r));
	}
	if (strcmp(l->canon, l->user) != 0) {
		(void)snprintf(given, sizeof(given), "%s", l->user_esc);
		tfa_escape(l->canon, l->user_esc, sizeof(l->user_esc));
		pam_syslog(l->pamh, LOG_PRIO(LOG_INFO), "user \"%s\": logging in as \"%s\"",
			   l->user_esc, given);
	}
	l->user = l->canon;
	tfa_pam_dbg(l, "user \"%s\": %s", l->user_esc,
		    l->known ? "known to the system" : "not known to the system (NSS)");
	return PAM_SUCCESS;
}

/* With the store open: what policy says, then lockout, then the code. */
static int decide(tfa_login *l)
{
	tfa_login_step *s = &l->step;
	const tfa_user_status *st;
	tfa_err err = { { 0 } };
	tfa_rc r;

	if (l->ctx == NULL)     /* open_store() succeeded, so never; fail closed */
		return tfa_pam_outcome(l, PAM_AUTH_ERR, LOG_ERR, "internal error: no store");
	if (!tfa_ctx_policy(l->ctx)->enabled)
		return tfa_pam_outcome(l, PAM_IGNORE, LOG_INFO, "two-factor is off (enabled=no)");
	r = resolve_user(l);
	if (r != PAM_SUCCESS)
		return r;
	r = tfa_login_begin(l->ctx, l->user, (int64_t)time(NULL), s, &err);
	if (r == TFA_ELOOKUP) {
		l->trace->audited = 1;   /* tfa_login_begin wrote it */
		return tfa_pam_outcome(l, PAM_AUTHINFO_UNAVAIL, LOG_ERR, "%s",
				       tfa_err_text(&err, r));
	}
	if (r != TFA_OK)
		return tfa_pam_outcome(l, PAM_AUTHINFO_UNAVAIL, LOG_ERR, "store unusable: %s",
				       tfa_err_text(&err, r));
	st = &s->st;
	tfa_pam_dbg(l, "user \"%s\": required=%d (%s%s%s) active=%u pending=%u recovery=%u"
		    " locked=%d", l->user_esc, st->required, tfa_rule_text(st->rule),
		    st->rule == TFA_RULE_GROUP ? " " : "",
		    st->rule == TFA_RULE_GROUP ? st->group : "", st->active, st->pending,
		    st->recovery, st->locked);
	if (s->audit_failed)
		pam_syslog(l->pamh, LOG_PRIO(LOG_ERR), "user \"%s\": could not write the audit"
			   " trail", l->user_esc);
	switch (s->kind) {
	case TFA_STEP_SKIP:
		l->trace->audited = 1;
		return tfa_pam_outcome(l, PAM_IGNORE, LOG_INFO, "%s", s->why);
	case TFA_STEP_LOCKED:
		l->trace->audited = 1;
		tfa_pam_say_error(l, s->error);
		return tfa_pam_outcome(l, PAM_MAXTRIES, LOG_WARNING, "%s", s->why);
	case TFA_STEP_ENROL:
		return tfa_pam_no_token(l);
	default:
		return ask_code(l);
	}
}

/* "pam:SERVICE", the service name escaped. */
static void make_source(pam_handle_t *pamh, char *out, size_t outlen)
{
	const void *item = NULL;
	size_t n;

	if (pam_get_item(pamh, PAM_SERVICE, &item) != PAM_SUCCESS || item == NULL)
		item = "unknown";
	n = (size_t)snprintf(out, outlen, "pam:");
	if (n < outlen)
		tfa_escape(item, out + n, outlen - n);
}

/* A bad module argument: PAM_SERVICE_ERR, and - where store= and keyfile=
 * themselves parsed and the store opens - a "config_error" audit row naming
 * it, so that it can be read with tfa-admin audit on a host without syslog.
 * The user name is taken only if PAM already has it (no prompt here). */
static void config_error(tfa_login *l)
{
	const void *item = NULL;
	const char *user = NULL;
	tfa_ctx *ctx = NULL;
	tfa_err err = { { 0 } };
	tfa_rc r;

	if (l->args->bad_path)
		return;
	if (pam_get_item(l->pamh, PAM_USER, &item) == PAM_SUCCESS && item != NULL &&
	    tfa_user_valid(item))
		user = item;
	make_source(l->pamh, l->source, sizeof(l->source));
	r = tfa_ctx_open_keys(l->args->store, l->args->keyfile, l->args->keyfile_next,
			      TFA_OPEN_NOPOLICY, l->source, &ctx, NULL, &err);
	if (r == TFA_OK)
		r = tfa_ctx_audit(ctx, user, TFA_EV_CONFIG_ERROR, "bad module argument %s; refused"
				  " (PAM_SERVICE_ERR)", l->args->bad);
	if (r != TFA_OK)
		pam_syslog(l->pamh, LOG_PRIO(LOG_ERR), "bad module argument: not in the audit"
			   " trail either: %s", tfa_err_text(&err, r));
	tfa_ctx_close(ctx);
}

/* services=LIST: PAM_IGNORE for a service not in the list, before the user
 * name is asked for and before the store is opened (no audit row): a screen
 * locker running as the user, or any service the admin did not name, is
 * not touched. Logged only with `debug` (a locker would fill the log).
 * PAM_SUCCESS to go on. */
static int service_gate(pam_handle_t *pamh, const tfa_pam_args *a)
{
	const void *item = NULL;
	char esc[128];
	int listed;

	if (a->services == NULL)
		return PAM_SUCCESS;
	if (pam_get_item(pamh, PAM_SERVICE, &item) != PAM_SUCCESS)
		item = NULL;
	listed = tfa_pam_service_listed(a, item);
	if (listed < 0) {
		pam_syslog(pamh, LOG_PRIO(LOG_ERR),
			   "services= given but the PAM service name is unknown; refusing");
		return PAM_SERVICE_ERR;
	}
	if (listed)
		return PAM_SUCCESS;
	if (a->debug) {
		tfa_escape(item, esc, sizeof(esc));
		pam_syslog(pamh, LOG_PRIO(LOG_DEBUG),
			   "service \"%s\" is not in services=: not acting (%s)", esc,
			   pam_strerror(pamh, PAM_IGNORE));
	}
	return PAM_IGNORE;
}

PAM_TFA_EXPORT int pam_sm_authenticate(pam_handle_t *pamh, int flags, int argc,
				       const char **argv)
{
	tfa_pam_args args;
	tfa_login_trace trace;
	tfa_login l;
	const char *user = NULL;
	int rc;

	memset(&l, 0, sizeof(l));
	memset(&trace, 0, sizeof(trace));
	l.pamh = pamh;
	l.flags = flags;
	l.args = &args;
	l.trace = &trace;
	if (tfa_pam_args_parse(pamh, argc, argv, &args) != 0) {
		config_error(&l);
		return PAM_SERVICE_ERR;
	}
	rc = service_gate(pamh, &args);
	if (rc != PAM_SUCCESS)
		return rc;
	rc = pam_get_user(pamh, &user, NULL);
	if (rc != PAM_SUCCESS || user == NULL) {
		pam_syslog(pamh, LOG_PRIO(LOG_WARNING), "cannot get the user name: %s",
			   pam_strerror(pamh, rc));
		return PAM_AUTH_ERR;
	}
	tfa_escape(user, l.user_esc, sizeof(l.user_esc));
	if (!tfa_user_valid(user)) {
		pam_syslog(pamh, LOG_PRIO(LOG_WARNING), "user \"%s\": invalid user name (%s)",
			   l.user_esc, pam_strerror(pamh, PAM_AUTH_ERR));
		return PAM_AUTH_ERR;
	}
	l.user = user;
	make_source(pamh, l.source, sizeof(l.source));
	tfa_pam_dbg(&l, "user \"%s\": store %s, key %s, failmode=%s", l.user_esc, args.store,
		    args.keyfile, args.failmode == TFA_FAIL_SAFE ? "safe" : "secure");
	rc = open_store(&l);
	if (rc == PAM_SUCCESS) {
		rc = decide(&l);
		/* every refusal once the store is open is in the audit trail */
		if (rc != PAM_SUCCESS && rc != PAM_IGNORE && !trace.audited && l.ctx != NULL)
			tfa_pam_audit(&l, TFA_EV_LOGIN_FAIL, trace.why[0] != '\0' ? trace.why :
				      "refused");
		tfa_ctx_close(l.ctx);
		l.ctx = NULL;
	}
	if (rc == PAM_AUTHINFO_UNAVAIL)
		tfa_pam_say_error(&l, "Two-factor login is unavailable; contact the administrator.");
	/* fail closed: nothing but the outcomes above may leave this module */
	switch (rc) {
	case PAM_SUCCESS:
	case PAM_IGNORE:
	case PAM_AUTH_ERR:
	case PAM_MAXTRIES:
	case PAM_AUTHINFO_UNAVAIL:
		return rc;
	default:
		return PAM_AUTH_ERR;
	}
}

PAM_TFA_EXPORT int pam_sm_setcred(pam_handle_t *pamh, int flags, int argc, const char **argv)
{
	(void)pamh;
	(void)flags;
	(void)argc;
	(void)argv;
	return PAM_SUCCESS;
}
