/* pam_twofactor.c - the second factor at login (SPEC "pam_twofactor.so").
 *
 *   auth requisite pam_unix.so
 *   auth required  pam_twofactor.so [store=PATH] [keyfile=PATH] [options]
 *
 * Every decision is the library's: policy and lockout come from tfa_status,
 * codes are checked by tfa_verify - the very code `tfa-admin verify` runs -
 * and first-login enrolment uses tfa_enroll and tfa_confirm. The module only
 * talks to the person logging in and maps results to PAM return values.
 *
 * Return values and the choices made where the SPEC is silent:
 *  - PAM_SUCCESS: the code was accepted, or a first-login enrolment
 *    completed.
 *  - PAM_IGNORE: enabled=no; a user who is not required and has no active
 *    token; a user exempted with `tfa-admin disable`, even one with a token
 *    (the admin said "off"). A user who is not required only because
 *    default_required=no but who has an active token opted in and is asked
 *    for a code. failmode=safe with a store that cannot be opened is
 *    PAM_IGNORE too, not PAM_SUCCESS: the module then counts for nothing and
 *    the rest of the stack decides; it can never become a success that a
 *    `sufficient` line would use to skip the password.
 *  - PAM_AUTH_ERR: wrong, malformed or replayed code; a user name with a
 *    control character or over TFA_USER_MAX bytes;
 *    no code obtainable (conversation failure, use_first_pass without
 *    PAM_AUTHTOK); a required user with no token who may not enrol here;
 *    any unexpected internal error (fail closed).
 *  - PAM_MAXTRIES: the user is locked out (not prompted). The wrong code
 *    that causes the lockout is PAM_AUTH_ERR, as any wrong code.
 *  - PAM_AUTHINFO_UNAVAIL: the store or key cannot be used; or a user or
 *    group lookup (NSS) failed - never "no such user" or "not a member". failmode=safe
 *    only covers opening a store or key that is missing, unreadable,
 *    corrupt or mismatched; a store or key file that fails the safety rules
 *    (symlink, group/other writable, wrong owner) always fails closed, and
 *    so does any store error once the store is open (else a burst of logins
 *    making the store busy could be used to get past the second factor).
 *  - Audit: every outcome once the store is open is in the audit trail
 *    (tfa_verify/tfa_confirm/tfa_enroll write their own; the module adds
 *    the others, e.g. "login_skipped" for a user who is not required, and
 *    any refusal nothing else audited, as "login_failed" with the logged
 *    reason) - except enabled=no, where the product is switched off and
 *    logins do not write to the store. Outcomes before the store is open
 *    (invalid user name, store unusable) are in syslog only: without a
 *    syslog daemon they are lost.
 *  - PAM_SERVICE_ERR: a bad module argument (logged; see args.c): the
 *    configuration is not what the admin meant, so refuse. If store= and
 *    keyfile= themselves parsed, the store is opened just to write a
 *    "config_error" audit row naming the argument.
 *  - Messages (PAM_ERROR_MSG, not under PAM_SILENT): "Wrong code.", "That
 *    code was already used; wait for the next one." - only after a prompt
 *    this module showed, so that they tell nobody more than the prompt did -
 *    and "Two-factor login is unavailable; contact the administrator." for
 *    every PAM_AUTHINFO_UNAVAIL.
 *  - never PAM_USER_UNKNOWN.
 *
 * Options: use_first_pass / try_first_pass say where the field comes from
 * (PAM_AUTHTOK only / PAM_AUTHTOK if it holds something shaped like a code,
 * else a prompt - a password left there by pam_unix is not counted as a
 * wrong code); forward_pass says
 * what it holds (password followed by the code: the code is split off by the
 * digits of the user's tokens and PAM_AUTHTOK is set to the password). With
 * forward_pass the module prompts only users it asks for a code; for the
 * others (PAM_IGNORE) the password module must prompt itself, so give it
 * try_first_pass, not use_first_pass.
 *
 * Recovery codes (tfa-admin recovery) are accepted at the same prompt:
 * tfa_verify tries them when no token accepts an 8-digit answer. A required
 * user with no active token but unused recovery codes is prompted (and can
 * log in with a code, once per code) instead of being enrolled; enrolment
 * is for a user with neither. A user who is not required and has only
 * recovery codes (no active token) is not asked (PAM_IGNORE). With
 * forward_pass and recovery codes, 8 digits are tried first; a wrong code
 * then counts once for each length tried, as for mixed-length tokens.
 *
 * First-login enrolment happens only for a required user with no active
 * token and no recovery code, a conversation, no PAM_SILENT, no `no_enroll` and no
 * `forward_pass` (with forward_pass the module runs before the password
 * check, so it must not hand out a secret), and only for a user the system
 * knows (getpwnam_r).
 *
 * User names (SPEC "User names"): once enabled=yes, the name is resolved
 * through NSS (tfa_user_resolve) and its pw_name is used for every store
 * lookup, so ALICE and alice are one user where the directory says so; a
 * name NSS does not know is used as given (same policy, never enrolled); a
 * lookup error is PAM_AUTHINFO_UNAVAIL. The module cannot see whether the password module
 * succeeded: the stack must make the password module `requisite` (as above),
 * or anyone could enrol a phone for the user. With enroll_at_login=yes a new
 * secret is issued (replacing an earlier pending one); with
 * enroll_at_login=no a pending token the admin issued can still be
 * confirmed with its code. Three tries; on failure nothing is activated.
 *
 * Challenges (challenge.h): before prompting, a user with an active sms
 * token is sent a code through sms_command ("A code was sent to your phone
 * ending in 1234."); if that fails, or there is no sms token, a user with an
 * active ocra token gets the prompt "Challenge NNNNNNNN, response: " (in the
 * prompt itself, so it shows under PAM_SILENT too). App and card codes and
 * recovery codes are accepted at the same prompt. With use_first_pass or
 * forward_pass, or try_first_pass taking a code from PAM_AUTHTOK, there is
 * no prompt and so no challenge: the field is checked against the other
 * tokens (and a challenge still pending from `tfa-admin challenge`). A
 * failed delivery is logged (the command and its exit status, never the
 * code) and audited "sms_failed".
 *
 * Time is read when each code is checked, not when the module starts: a
 * person may take minutes to scan a QR code or find the phone.
 *
 * No mutable global or static state; everything lives in a per-call struct.
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

#include "tfa.h"
#include "otp.h"
#include "secret.h"
#include "auth.h"
#include "audit.h"
#include "challenge.h"
#include "recovery.h"
#include "username.h"
#include "args.h"
#include "conv.h"
#include "module.h"

#define PAM_TFA_EXPORT __attribute__((visibility("default")))

/* Open the store. failmode=safe lets the user through only when the library
 * says the store or key file is absent (ENOENT, or EACCES as root); every
 * other failure - an unsafe file, EMFILE, a wrong key, a malformed or
 * uninitialised store - fails closed (SPEC, failmode). */
static int open_store(tfa_login *l)
{
	const tfa_pam_args *a = l->args;
	tfa_err err = { { 0 } };
	int absent = 0;
	tfa_rc r;

	r = tfa_ctx_open_ex(a->store, a->keyfile, 0, l->source, &l->ctx, &absent, &err);
	if (r == TFA_OK)
		return PAM_SUCCESS;
	l->ctx = NULL;
	if (a->failmode == TFA_FAIL_SAFE) {
		if (absent)
			return tfa_pam_outcome(l, PAM_IGNORE, LOG_WARNING,
					       "WARNING: store unusable (%s); failmode=safe: "
					       "let through without a second factor",
					       tfa_pam_errmsg(&err, r));
		pam_syslog(l->pamh, LOG_PRIO(LOG_ERR),
			   "failmode=safe does not apply: it covers only a store or key file "
			   "that does not exist");
	}
	return tfa_pam_outcome(l, PAM_AUTHINFO_UNAVAIL, LOG_ERR, "store unusable: %s",
			       tfa_pam_errmsg(&err, r));
}

/* 1 if @s has the shape of a code (6 to 8 digits, maybe in groups). */
static int code_shaped(const char *s)
{
	char norm[OTP_MAX_DIGITS + 1];
	unsigned d;
	int shaped = 0;

	for (d = OTP_MIN_DIGITS; d <= OTP_MAX_DIGITS && !shaped; d++)
		shaped = otp_code_parse(s, d, norm) == TFA_OK;
	tfa_wipe(norm, sizeof(norm));
	return shaped;
}

/* The field to check: PAM_AUTHTOK or an answer to the prompt, as a new
 * string in *@field (tfa_free_secret). use_first_pass takes PAM_AUTHTOK
 * whatever it holds; try_first_pass takes it only when it has the shape of
 * a code (or, with forward_pass, of anything), so that a password an
 * earlier module left there is not counted as a wrong code - it prompts. */
/* The challenge step before the prompt (challenge.h): a code sent to the
 * phone is announced; an OCRA question goes into the prompt itself, so that
 * it shows also under PAM_SILENT and in one-prompt clients. */
static int begin_challenge(tfa_login *l, char *prompt, size_t plen)
{
	tfa_challenge ch;
	tfa_err err = { { 0 } };
	char msg[128];
	tfa_rc r;

	(void)snprintf(prompt, plen, "%s", l->args->prompt);
	r = tfa_challenge_begin(l->ctx, l->user, (int64_t)time(NULL), &ch, &err);
	if (r != TFA_OK) {
		pam_syslog(l->pamh, LOG_PRIO(LOG_ERR), "user \"%s\": challenge step failed: %s",
			   l->user_esc, tfa_pam_errmsg(&err, r));
		return PAM_AUTHINFO_UNAVAIL;
	}
	if (ch.delivery_failed)
		pam_syslog(l->pamh, LOG_PRIO(LOG_WARNING),
			   "user \"%s\": the code could not be sent to the phone: %s",
			   l->user_esc, ch.delivery_error);
	if (ch.rate_limited) {
		long mins = (long)((ch.retry_after + 59) / 60);

		pam_syslog(l->pamh, LOG_PRIO(LOG_WARNING),
			   "user \"%s\": sms_rate %u/%u reached: no code sent (next in %lld s)",
			   l->user_esc, l->ctx->policy.sms_rate_count,
			   l->ctx->policy.sms_rate_seconds, (long long)ch.retry_after);
		(void)snprintf(msg, sizeof(msg), "Too many codes were sent; try again in %ld"
			       " minute%s.", mins, mins == 1 ? "" : "s");
		tfa_pam_say_error(l, msg);
	}
	if (ch.kind == TFA_CH_NONE && ch.rate_limited) {
		tfa_pam_say_info(l, "Enter the last code sent to your phone, a code from your app"
				 " or card, or a recovery code.");
	} else if (ch.kind == TFA_CH_NONE && ch.delivery_failed) {
		tfa_pam_say_info(l, "The code could not be sent to your phone; enter a code from"
				 " your app or card, or a recovery code.");
	} else if (ch.kind == TFA_CH_SMS) {
		(void)snprintf(msg, sizeof(msg), "A code was sent to your phone ending in %s.",
			       ch.phone_hint);
		tfa_pam_say_info(l, msg);
		tfa_pam_dbg(l, "user \"%s\": code sent by sms", l->user_esc);
	} else if (ch.kind == TFA_CH_OCRA) {
		if (ch.delivery_failed)
			tfa_pam_say_info(l, "Your phone cannot be reached: answer this challenge"
					 " with your authenticator app.");
		else if (ch.rate_limited)
			tfa_pam_say_info(l, "Answer this challenge with your authenticator app.");
		(void)snprintf(prompt, plen, "Challenge %s, response: ", ch.question);
		tfa_pam_dbg(l, "user \"%s\": OCRA challenge shown", l->user_esc);
	}
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
		if (item != NULL && a->try_first_pass && !a->forward_pass && !code_shaped(item)) {
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

/* The code lengths to split a forward_pass field at: the digits of the
 * user's active tokens, longest first (6 if none is known). */
static size_t code_lengths(tfa_login *l, unsigned lens[OTP_MAX_DIGITS + 1])
{
	tfa_token *toks = NULL;
	tfa_err err = { { 0 } };
	size_t n = 0, i, k = 0;
	unsigned d, nrec = 0;

	if (tfa_store_token_list(l->ctx->store, l->user, 0, &toks, &n, &err) == TFA_OK) {
		for (d = OTP_MAX_DIGITS; d >= OTP_MIN_DIGITS; d--) {
			for (i = 0; i < n; i++) {
				if (toks[i].state == TFA_STATE_ACTIVE && toks[i].digits == d) {
					lens[k++] = d;
					break;
				}
			}
		}
		tfa_tokens_free(toks, n);
	}
	/* recovery codes are 8 digits: try that length too (first, longest) */
	if (tfa_store_recovery_count(l->ctx->store, l->user, &nrec, &err) == TFA_OK && nrec > 0 &&
	    (k == 0 || lens[0] != TFA_RECOVERY_DIGITS)) {
		memmove(lens + 1, lens, k * sizeof(lens[0]));
		lens[0] = TFA_RECOVERY_DIGITS;
		k++;
	}
	if (k == 0)
		lens[k++] = 6;
	return k;
}

/* Check the code (for forward_pass: split off the trailing digits, trying
 * each token length, and pass the password on in PAM_AUTHTOK). */
static tfa_rc check_field(tfa_login *l, char *field, tfa_verify_result *res, tfa_err *err,
			  int *authtok_rc)
{
	unsigned lens[OTP_MAX_DIGITS + 1];
	size_t nlens, i, len, cut = 0;
	tfa_rc r = TFA_REJECTED;
	char saved;

	*authtok_rc = PAM_SUCCESS;
	memset(res, 0, sizeof(*res));
	if (!l->args->forward_pass)
		return tfa_verify(l->ctx, l->user, field, (int64_t)time(NULL), res, err);
	nlens = code_lengths(l, lens);
	len = strlen(field);
	for (i = 0; i < nlens; i++) {
		cut = len > lens[i] ? len - lens[i] : 0;
		memset(res, 0, sizeof(*res));
		r = tfa_verify(l->ctx, l->user, field + cut, (int64_t)time(NULL), res, err);
		/* a wrong code of one length may be right at another; a
		 * mixed-length user pays one failure for each length tried */
		if (r != TFA_REJECTED || res->locked_now)
			break;
	}
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
			/* a wrong code: PAM_AUTH_ERR (SPEC); PAM_MAXTRIES from the
			 * next attempt on, while the lockout lasts */
			tfa_pam_say_error(l, "Too many failed attempts; try again later.");
			return tfa_pam_outcome(l, PAM_AUTH_ERR, LOG_WARNING,
					       "%s; now locked out", tfa_strerror(r));
		}
		/* say no more than the prompt did: only after a prompt */
		if (l->trace->prompted)
			tfa_pam_say_error(l, r == TFA_REPLAYED ?
					  "That code was already used; wait for the next one." :
					  res.skew ? "Wrong code; the clock of your device seems to be off." :
					  "Wrong code.");
		return tfa_pam_outcome(l, PAM_AUTH_ERR, LOG_WARNING,
				       "%s (%u consecutive failures)", tfa_strerror(r),
				       res.failures);
	case TFA_LOCKED:
		tfa_pam_say_error(l, "Too many failed attempts; try again later.");
		return tfa_pam_outcome(l, PAM_MAXTRIES, LOG_WARNING, "locked out");
	case TFA_ENOENT:
		return tfa_pam_outcome(l, PAM_AUTH_ERR, LOG_WARNING,
				       "no active token or recovery code any more");
	case TFA_EINVAL:
	case TFA_ENOMEM:
		return tfa_pam_outcome(l, PAM_AUTH_ERR, LOG_ERR, "%s", tfa_pam_errmsg(&err, r));
	default:
		return tfa_pam_outcome(l, PAM_AUTHINFO_UNAVAIL, LOG_ERR, "checking the code: %s",
				       tfa_pam_errmsg(&err, r));
	}
}

/* The name NSS gives the user (SPEC "User names"): two spellings of one
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
				       LOG_ERR, "%s", tfa_pam_errmsg(&err, r));
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
	tfa_user_status st;
	tfa_err err = { { 0 } };
	tfa_rc r;

	if (l->ctx == NULL)     /* open_store() succeeded, so never; fail closed */
		return tfa_pam_outcome(l, PAM_AUTH_ERR, LOG_ERR, "internal error: no store");
	if (!l->ctx->policy.enabled)
		return tfa_pam_outcome(l, PAM_IGNORE, LOG_INFO, "two-factor is off (enabled=no)");
	r = resolve_user(l);
	if (r != PAM_SUCCESS)
		return r;
	memset(&st, 0, sizeof(st));
	r = tfa_status(l->ctx, l->user, (int64_t)time(NULL), &st, &err);
	if (r == TFA_ELOOKUP) {
		tfa_pam_audit(l, TFA_EV_LOGIN_FAIL, "group lookup failed; not letting through");
		return tfa_pam_outcome(l, PAM_AUTHINFO_UNAVAIL, LOG_ERR, "%s",
				       tfa_pam_errmsg(&err, r));
	}
	if (r != TFA_OK)
		return tfa_pam_outcome(l, PAM_AUTHINFO_UNAVAIL, LOG_ERR, "store unusable: %s",
				       tfa_pam_errmsg(&err, r));
	tfa_pam_dbg(l, "user \"%s\": required=%d (%s%s%s) active=%u pending=%u recovery=%u"
		    " locked=%d", l->user_esc, st.required, tfa_rule_text(st.rule),
		    st.rule == TFA_RULE_GROUP ? " " : "",
		    st.rule == TFA_RULE_GROUP ? st.group : "", st.active, st.pending, st.recovery,
		    st.locked);
	if (!st.required && (st.active == 0 || st.rule == TFA_RULE_USER_OFF)) {
		char detail[128];

		(void)snprintf(detail, sizeof(detail), "not required: %s", tfa_rule_text(st.rule));
		tfa_pam_audit(l, TFA_EV_LOGIN_SKIP, detail);
		return tfa_pam_outcome(l, PAM_IGNORE, LOG_INFO, "second factor not required (%s)",
				       tfa_rule_text(st.rule));
	}
	if (st.locked) {
		tfa_pam_audit(l, TFA_EV_LOCKED, "locked out; not prompted");
		tfa_pam_say_error(l, "Too many failed attempts; try again later.");
		return tfa_pam_outcome(l, PAM_MAXTRIES, LOG_WARNING, "locked out; not prompted");
	}
	/* a recovery code is a second factor too: only a user with neither
	 * an active token nor an unused recovery code goes to enrolment */
	if (st.active == 0 && st.recovery == 0)
		return tfa_pam_no_token(l, &st);
	return ask_code(l);
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
	tfa_store *st = NULL;
	tfa_err err = { { 0 } };
	tfa_rc r;

	if (l->args->bad_path)
		return;
	if (pam_get_item(l->pamh, PAM_USER, &item) == PAM_SUCCESS && item != NULL &&
	    tfa_user_valid(item))
		user = item;
	make_source(l->pamh, l->source, sizeof(l->source));
	r = tfa_store_open(l->args->store, l->args->keyfile, 0, &st, &err);
	if (r == TFA_OK)
		r = tfa_audit(st, user, TFA_EV_CONFIG_ERROR, "%s bad module argument %s; refused"
			      " (PAM_SERVICE_ERR)", l->source, l->args->bad);
	if (r != TFA_OK)
		pam_syslog(l->pamh, LOG_PRIO(LOG_ERR), "bad module argument: not in the audit"
			   " trail either: %s", tfa_pam_errmsg(&err, r));
	tfa_store_close(st);
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
