/* enroll.c - issuing a new secret: token record plus otpauth:// URI. */
#include "config.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "audit.h"
#include "enroll.h"
#include "secret.h"
#include "uri.h"

TFA_API void tfa_enroll_opts_init(tfa_enroll_opts *o)
{
	memset(o, 0, sizeof(*o));
	o->type = TFA_TOKEN_TOTP;
	o->digits = 6;
	o->period = OTP_DEFAULT_PERIOD;
	o->alg = OTP_SHA1;
}

TFA_API tfa_rc tfa_enroll(tfa_ctx *c, const char *user, const tfa_enroll_opts *o,
			  tfa_token *tok_out, char **uri, tfa_err *err)
{
	tfa_token tok;
	tfa_uri u;
	tfa_rc rc;

	*uri = NULL;
	memset(&tok, 0, sizeof(tok));
	if (!tfa_user_valid(user))
		return tfa_err_set(err, TFA_EINVAL, "invalid user name");
	if (o->digits < OTP_MIN_DIGITS || o->digits > OTP_MAX_DIGITS)
		return tfa_err_set(err, TFA_EINVAL, "digits must be 6, 7 or 8");
	if (o->type == TFA_TOKEN_TOTP && (o->period == 0 || o->period > 3600))
		return tfa_err_set(err, TFA_EINVAL, "period must be 1 to 3600 seconds");
	if (o->type != TFA_TOKEN_TOTP && o->type != TFA_TOKEN_HOTP)
		return tfa_err_set(err, TFA_EINVAL, "unsupported token type");
	if (o->issuer != NULL) {
		/* the same rules as `policy set issuer`: length, no control
		 * characters, no ':' */
		char *norm = NULL;

		rc = tfa_policy_normalize("issuer", o->issuer, &norm, err);
		free(norm);
		if (rc != TFA_OK)
			return rc;
	}
	(void)snprintf(tok.user, sizeof(tok.user), "%s", user);
	tok.type = o->type;
	tok.state = o->activate ? TFA_STATE_ACTIVE : TFA_STATE_PENDING;
	tok.alg = o->alg;
	tok.digits = o->digits;
	tok.period = o->type == TFA_TOKEN_TOTP ? o->period : 0;
	tok.last_step = -1;
	tok.secret_len = OTP_DEFAULT_SECRET;
	rc = tfa_random_bytes(tok.secret, tok.secret_len);
	if (rc != TFA_OK) {
		rc = tfa_err_set(err, rc, "cannot make a secret for user %s: RNG failure", user);
		goto out;
	}
	memset(&u, 0, sizeof(u));
	u.type = tok.type;
	u.issuer = (char *)(o->issuer != NULL ? o->issuer : c->policy.issuer);
	u.account = (char *)user;
	u.secret = tok.secret;
	u.secret_len = tok.secret_len;
	u.alg = tok.alg;
	u.digits = tok.digits;
	u.period = tok.period;
	u.counter = tok.counter;
	rc = tfa_uri_build(&u, uri);
	if (rc != TFA_OK) {
		rc = tfa_err_set(err, rc, "cannot build the otpauth URI for user %s", user);
		goto out;
	}
	{
		char raw[160], detail[160];

		(void)snprintf(raw, sizeof(raw), "%s%s%s state=%s", c->source,
			       *c->source ? " " : "", otp_type_name(tok.type),
			       tok.state == TFA_STATE_ACTIVE ? "active" : "pending");
		tfa_escape(raw, detail, sizeof(detail));
		rc = tfa_store_token_add(c->store, &tok, TFA_EV_ENROLL, detail, err);
	}
	if (rc != TFA_OK)
		goto out;
	if (tok_out != NULL) {
		*tok_out = tok;
		tfa_wipe(tok_out->secret, sizeof(tok_out->secret));
		tok_out->secret_len = 0;
	}
out:
	tfa_wipe(tok.secret, sizeof(tok.secret));
	if (rc != TFA_OK) {
		tfa_free_secret(*uri);
		*uri = NULL;
	}
	return rc;
}
